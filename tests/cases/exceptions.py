# try/except/else/finally, raise and re-raise, with: handlers, the handled exception
# (sys.exc_info()), exception context, tracebacks, and every way out of a protected block.
import sys


class Log(object):
    """A context manager recording what happens to it."""

    def __init__(self, swallow=False, fail_enter=False, fail_exit=False):
        self.events = []
        self.swallow = swallow
        self.fail_enter = fail_enter
        self.fail_exit = fail_exit

    def __enter__(self):
        self.events.append('enter')
        if self.fail_enter:
            raise ValueError('enter failed')
        return len(self.events)

    def __exit__(self, t, v, tb):
        self.events.append(('exit', t.__name__ if t else None, str(v) if v else None,
                            tb is not None))
        if self.fail_exit:
            raise KeyError('exit failed')
        return self.swallow

    def __repr__(self):
        return 'Log(%r)' % (self.events,)


class Boom(Exception):
    pass


class NotCM(object):
    __enter__ = None

    def __repr__(self):
        return 'NotCM()'


def divide(a, b):
    try:
        return a / b
    except ZeroDivisionError as e:
        return 'zero: %s' % e


def except_else_finally(x, log):
    try:
        log.append('try')
        r = 10 // x
    except ZeroDivisionError:
        log.append('except')
        r = None
    else:
        log.append('else')
    finally:
        log.append('finally')
    log.append('after')
    return r


def tuple_clause(x):
    try:
        return {'a': 1}[x] if isinstance(x, str) else [0][x]
    except (KeyError, IndexError) as e:
        return type(e).__name__, e.args


def clauses(x):
    try:
        if x == 0:
            raise KeyError('k')
        if x == 1:
            raise ValueError('v')
        if x == 2:
            raise Boom('b')
        return 'none'
    except KeyError:
        return 'key'
    except ValueError as e:
        return 'value %s' % e
    except Exception as e:
        return 'other %s' % type(e).__name__


def uncaught(x):
    try:
        return 1 / x
    except KeyError:
        return 'never'


def base_class(x):
    try:
        raise Boom(x)
    except Exception as e:
        return isinstance(e, Boom), e.args


def nested(x):
    out = []
    try:
        try:
            out.append(1)
            1 / x
        except ZeroDivisionError:
            out.append(2)
            raise ValueError('from handler')
        finally:
            out.append(3)
    except ValueError as e:
        out.append(('caught', str(e), type(e.__context__).__name__))
    return out


def exc_info_inside(x):
    try:
        raise Boom(x)
    except Boom:
        t, v, tb = sys.exc_info()
        return t.__name__, v.args, tb is not None


def exc_info_after(x):
    try:
        raise Boom(x)
    except Boom:
        pass
    return sys.exc_info()[0] is None


def exc_info_restored(x):
    try:
        raise Boom('outer')
    except Boom:
        try:
            raise KeyError(x)
        except KeyError:
            inner = sys.exc_info()[0].__name__
        outer = sys.exc_info()[1].args
    return inner, outer


def reraise(x):
    try:
        1 / x
    except ZeroDivisionError:
        raise


def reraise_outer(x):
    try:
        return reraise(x)
    except ZeroDivisionError as e:
        return 'reraised: %s' % e


def reraise_none():
    raise


def reraise_after_handler(x):
    try:
        raise Boom(x)
    except Boom:
        pass
    raise


def raise_in_handler(x):
    try:
        [][x]
    except IndexError:
        raise KeyError(x)


def raise_caught_again(x):
    try:
        raise Boom(x)
    except Boom as e:
        err = e
    try:
        raise err
    except Boom as e:
        return e is err, e.args


def name_cleared(x):
    try:
        raise Boom(x)
    except Boom as e:
        pass
    try:
        return e
    except NameError:
        return 'e is gone'


def not_a_class(x):
    try:
        1 / x
    except 'oops':
        return 'never'


def not_a_class_tuple(x):
    try:
        1 / x
    except (ZeroDivisionError, 3):
        return 'never'


def return_in_finally(x):
    try:
        return 'try'
    finally:
        if x:
            return 'finally'


def finally_swallows(x):
    for i in range(3):
        try:
            1 / x
        finally:
            break
    return 'swallowed'


def return_from_try_in_loop(xs):
    log = []
    for x in xs:
        try:
            if x < 0:
                return log
            if x == 0:
                continue
            if x > 10:
                break
            log.append(x)
        finally:
            log.append('f')
    return log


def while_try(n):
    i = 0
    total = 0
    while True:
        try:
            i += 1
            if i > n:
                break
            total += 10 // (i % 3)
        except ZeroDivisionError:
            total -= 1
            continue
        finally:
            total += 100
    return total


def finally_raises(x):
    try:
        return x
    finally:
        if x:
            raise KeyError('in finally')


def finally_replaces(x):
    try:
        raise ValueError(x)
    finally:
        raise KeyError('replaced')


def handler_locals(xs):
    found = []
    for x in xs:
        try:
            found.append(int(x))
        except (TypeError, ValueError) as e:
            found.append(type(e).__name__)
    return found


def deep(x):
    def inner(n):
        if n == 0:
            raise Boom('bottom')
        return inner(n - 1)
    try:
        inner(x)
    except Boom as e:
        return str(e)


def with_plain(cm):
    with cm as v:
        r = v * 10
    return r


def with_raises(cm):
    with cm:
        raise Boom('inside')
    return 'after'


def with_no_as(cm, x):
    with cm:
        y = 1 / x
    return y


def with_return(cm):
    with cm as v:
        return v


def with_loop(cms):
    out = []
    for cm in cms:
        with cm as v:
            if v > 1:
                break
            out.append(v)
            continue
    return out


def with_nested(a, b):
    with a as x, b as y:
        return x + y


def with_not_cm(x):
    with x:
        return 'never'


def with_in_try(cm):
    try:
        with cm:
            raise Boom('through with')
    except Boom as e:
        return 'caught %s' % e


def try_in_with(cm, x):
    with cm:
        try:
            return 1 / x
        except ZeroDivisionError:
            return 'zero'


def assert_caught(x):
    try:
        assert x, 'failed %r' % (x,)
    except AssertionError as e:
        return str(e)
    return 'passed'


def nested_functions_in_handler(x):
    try:
        raise Boom(x)
    except Boom as e:
        f = lambda: e.args
        return f()


def error_in_except_clause(x):
    try:
        1 / x
    except undefined_name_here:  # noqa: F821
        return 'never'


CASES = [
    ('divide', (1, 2), {}), ('divide', (1, 0), {}), ('divide', (1, 'a'), {}),
    ('except_else_finally', (2, []), {}), ('except_else_finally', (0, []), {}),
    ('except_else_finally', ('s', []), {}),
    ('tuple_clause', ('a',), {}), ('tuple_clause', ('b',), {}), ('tuple_clause', (5,), {}),
    ('tuple_clause', (0,), {}),
    ('clauses', (0,), {}), ('clauses', (1,), {}), ('clauses', (2,), {}), ('clauses', (3,), {}),
    ('uncaught', (0,), {}), ('uncaught', (4,), {}),
    ('base_class', ('x',), {}),
    ('nested', (0,), {}), ('nested', (1,), {}),
    ('exc_info_inside', (7,), {}), ('exc_info_after', (7,), {}),
    ('exc_info_restored', (3,), {}),
    ('reraise', (0,), {}), ('reraise', (1,), {}), ('reraise_outer', (0,), {}),
    ('reraise_none', (), {}), ('reraise_after_handler', (1,), {}),
    ('raise_in_handler', (3,), {}), ('raise_caught_again', (4,), {}),
    ('name_cleared', (1,), {}),
    ('not_a_class', (0,), {}), ('not_a_class', (1,), {}), ('not_a_class_tuple', (0,), {}),
    ('return_in_finally', (0,), {}), ('return_in_finally', (1,), {}),
    ('finally_swallows', (0,), {}),
    ('return_from_try_in_loop', ([1, 0, 2, 20, 3],), {}),
    ('return_from_try_in_loop', ([1, -1, 2],), {}),
    ('while_try', (7,), {}),
    ('finally_raises', (0,), {}), ('finally_raises', (1,), {}),
    ('finally_replaces', (1,), {}),
    ('handler_locals', (['1', 'x', None, 2.5],), {}),
    ('deep', (5,), {}),
    ('with_plain', (Log(),), {}), ('with_raises', (Log(),), {}),
    ('with_raises', (Log(swallow=True),), {}), ('with_raises', (Log(fail_exit=True),), {}),
    ('with_raises', (Log(fail_enter=True),), {}),
    ('with_no_as', (Log(), 2), {}), ('with_no_as', (Log(), 0), {}),
    ('with_no_as', (Log(swallow=True), 0), {}),
    ('with_return', (Log(),), {}),
    ('with_loop', ([Log(), Log(), Log()],), {}),
    ('with_nested', (Log(), Log()), {}), ('with_nested', (Log(), Log(fail_enter=True)), {}),
    ('with_not_cm', (3,), {}), ('with_not_cm', (NotCM(),), {}),
    ('with_in_try', (Log(),), {}), ('with_in_try', (Log(swallow=True),), {}),
    ('try_in_with', (Log(), 0), {}), ('try_in_with', (Log(), 4), {}),
    ('assert_caught', (0,), {}), ('assert_caught', (1,), {}),
    ('nested_functions_in_handler', (5,), {}),
    ('error_in_except_clause', (0,), {}), ('error_in_except_clause', (1,), {}),
]
