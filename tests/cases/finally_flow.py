# Leaving protected blocks every way there is: return, break and continue through finally and
# with blocks (pending actions up to 3.7, CALL_FINALLY/POP_FINALLY in 3.8, copied code since
# 3.9), exceptions inside finally blocks entered normally, and nesting.
import sys


class CM(object):
    def __init__(self, log, name, swallow=False):
        self.log = log
        self.name = name
        self.swallow = swallow

    def __enter__(self):
        self.log.append('enter ' + self.name)
        return self.name

    def __exit__(self, t, v, tb):
        self.log.append('exit %s %s' % (self.name, t.__name__ if t else None))
        return self.swallow


def return_through_two_finallys(log):
    try:
        try:
            log.append('body')
            return 'value'
        finally:
            log.append('inner')
    finally:
        log.append('outer')


def finally_overrides_return(log):
    try:
        return 'try'
    finally:
        log.append('f')
        return 'finally'


def break_through_finally(xs, log):
    for x in xs:
        try:
            if x == 2:
                break
            log.append(x)
        finally:
            log.append('f%d' % x)
    else:
        log.append('else')
    return log


def continue_through_finally(xs, log):
    for x in xs:
        try:
            try:
                if x % 2:
                    continue
                log.append(x)
            finally:
                log.append('in%d' % x)
        finally:
            log.append('out%d' % x)
    return log


def while_break_in_finally(n, log):
    i = 0
    while True:
        i += 1
        try:
            log.append(i)
        finally:
            if i >= n:
                break
    return i


def return_in_finally_in_loop(xs, log):
    for x in xs:
        try:
            log.append(x)
        finally:
            if x == 3:
                return 'stopped at %d' % x
    return 'done'


def with_return_in_loop(xs, log):
    for x in xs:
        with CM(log, str(x)) as n:
            if x == 2:
                return n
    return None


def with_break_continue(xs, log):
    for x in xs:
        with CM(log, str(x)):
            if x == 1:
                continue
            if x == 3:
                break
            log.append('body %d' % x)
    return log


def with_in_finally(log):
    try:
        return 'r'
    finally:
        with CM(log, 'f'):
            log.append('cleanup')


def error_in_normal_finally(x):
    try:
        r = x * 2
    finally:
        r = 1 / x
    return r


def error_in_finally_during_exception(x):
    try:
        raise KeyError('first')
    finally:
        [][x]


def finally_sees_exception(x):
    seen = []
    try:
        try:
            raise ValueError(x)
        finally:
            seen.append(sys.exc_info()[0])
    except ValueError:
        pass
    return [t.__name__ if t else None for t in seen]


class BadExit(object):
    def __init__(self, log):
        self.log = log

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.log.append(a[0].__name__ if a[0] else None)
        raise RuntimeError('from exit')

    def __repr__(self):
        return 'BadExit(%r)' % (self.log,)


def exit_raises(cm):
    with cm:
        raise KeyError('body')


def swallowed_then_continue(xs, log):
    n = 0
    for x in xs:
        with CM(log, str(x), swallow=True):
            n += 10 // x
    return n


def except_in_finally(x):
    try:
        return 'try %s' % (1 / x,)
    finally:
        try:
            {}[x]
        except KeyError as e:
            x = 'caught %s' % e


def nested_handlers_return(x):
    try:
        try:
            raise KeyError(x)
        except KeyError:
            try:
                raise ValueError(x)
            except ValueError:
                return 'inner', sys.exc_info()[0].__name__
            finally:
                x = 0
    finally:
        x = -1


def loop_in_except(xs):
    try:
        raise KeyError('k')
    except KeyError:
        total = 0
        for x in xs:
            if x < 0:
                break
            if x == 0:
                continue
            total += x
        return total


def try_in_while_else(n):
    i = 0
    while i < n:
        try:
            i += 1
            if i == 100:
                break
        except Exception:
            pass
    else:
        return 'else %d' % i
    return 'broke'


def return_in_except_as_in_loop(xs):
    # 3.6 leaves a jump back to the loop after the name cleanup of a handler that returns:
    # unreachable, it must not give the loop head another stack depth
    out = []
    for x in xs:
        try:
            out.append(6 // x)
        except ZeroDivisionError as e:
            return out, str(e)
    return out


def finally_inside_except(x):
    # a try/finally entered normally from inside a handler falls out of its finally
    try:
        r = 6 // x
    except ZeroDivisionError:
        try:
            r = 'in'
        finally:
            r += ' finally'
        r += ' after'
        return r
    return r


class Swallow(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return True


def swallowing_with_after_return_handler(xs):
    out = []
    for x in xs:
        try:
            with Swallow():
                out.append(6 // x)
        except ZeroDivisionError as e:
            return str(e)
    return out


CASES = [
    ('return_through_two_finallys', ([],), {}), ('finally_overrides_return', ([],), {}),
    ('break_through_finally', ([0, 1, 2, 3], []), {}), ('break_through_finally', ([5], []), {}),
    ('continue_through_finally', ([0, 1, 2, 3], []), {}),
    ('while_break_in_finally', (3, []), {}),
    ('return_in_finally_in_loop', ([1, 2, 3, 4], []), {}), ('return_in_finally_in_loop', ([1], []), {}),
    ('with_return_in_loop', ([1, 2, 3], []), {}), ('with_return_in_loop', ([], []), {}),
    ('with_break_continue', ([0, 1, 2, 3, 4], []), {}),
    ('with_in_finally', ([],), {}),
    ('error_in_normal_finally', (2,), {}), ('error_in_normal_finally', (0,), {}),
    ('error_in_finally_during_exception', (0,), {}),
    ('finally_sees_exception', (3,), {}),
    ('exit_raises', (BadExit([]),), {}),
    ('swallowed_then_continue', ([1, 0, 2, 0, 5], []), {}),
    ('except_in_finally', (1,), {}), ('except_in_finally', (0,), {}),
    ('nested_handlers_return', (1,), {}),
    ('loop_in_except', ([1, 0, 2, -1, 5],), {}),
    ('try_in_while_else', (5,), {}),
    ('return_in_except_as_in_loop', ([1, 2, 0, 3],), {}), ('return_in_except_as_in_loop', ([1, 2],), {}),
    ('finally_inside_except', (0,), {}), ('finally_inside_except', (1,), {}),
    ('swallowing_with_after_return_handler', ([1, 0, 2],), {}),
]
