# Calls between compiled functions. The callees below are compiled when the file loads, so the
# case functions call compiled code both ways: interpreted, through each callee's trampoline;
# compiled, directly from the optimising tier where the build keeps frames as objects (2.7 to
# 3.10: the caller builds the callee's frame itself; anyjit.stats()['direct_calls'] counts
# these, and check_wrapper.py checks that they happen). Results, exceptions, tracebacks, frames
# seen by sys._getframe, the handled exception, recursion limits, defaults, bound methods and
# callees rebound between calls must all come out as through the trampoline.
import sys
import traceback

import anyjit


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def add(a, b=10, c=100):
    return a + b + c


def fails(x):
    y = x + 1
    raise ValueError('bad %r' % (y,))


def fails_deeper(x):
    return fails(x) + 1


def catches(x):
    try:
        return 1 // x
    except ZeroDivisionError:
        return sys.exc_info()[0].__name__


def reraises(x):
    try:
        return 1 // x
    except ZeroDivisionError:
        raise


def peek():
    t = sys.exc_info()[0]
    return None if t is None else t.__name__


def where(depth):
    f = sys._getframe(depth)
    return f.f_code.co_name, f.f_lineno - f.f_code.co_firstlineno


def keep_frame(a, b):
    return sys._getframe()


def look_then_drop(a):
    # the frame is looked at (a locals dict made for it, its tracing flags changed) and let go
    # before the call ends: up to 3.10 a finished frame nothing holds is kept for the next
    # call, which must find it as new
    f = sys._getframe()
    flags = getattr(f, 'f_trace_lines', None), getattr(f, 'f_trace_opcodes', None), f.f_trace
    names = sorted(k for k in f.f_locals if not k.startswith('__'))
    if hasattr(f, 'f_trace_lines'):
        f.f_trace_lines = False
        f.f_trace_opcodes = True
    line = f.f_lineno - f.f_code.co_firstlineno
    back = f.f_back.f_code.co_name
    f = None
    return flags, names, line, back, a


def deep(n):
    return deep(n + 1)


def countdown(n):
    if n == 0:
        return 0
    return 1 + countdown(n - 1)


def other(x):
    return ('other', x)


def plain(x):
    return ('plain', x)


class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

    def scaled(self, k):
        return Point(self.x * k, self.y * k)

    def total(self, k):
        return self.scaled(k).norm2() + self.norm2()


def make_adder(k):
    base = [k]

    def adder(x):
        return x + base[0] + k
    return adder


adder = make_adder(100)


for _name in ('adder', 'fib', 'add', 'fails', 'fails_deeper', 'catches', 'reraises', 'peek', 'where',
              'deep', 'countdown', 'other', 'keep_frame', 'look_then_drop'):
    globals()[_name] = anyjit.jit(globals()[_name], strict=True)
for _name in ('__init__', 'norm2', 'scaled', 'total'):
    setattr(Point, _name, anyjit.jit(Point.__dict__[_name], strict=True))
target = other


def fibs(n):
    return [fib(i) for i in range(n)] + [fib(n)]


def defaults(n):
    out = [add(n), add(n, 1), add(n, 1, 2), add(n, b=3), add(c=n, a=1)]
    add.__defaults__ = (n, n)
    try:
        out.append(add(1))
        out.append(add(1, 2))
    finally:
        add.__defaults__ = (10, 100)
    return out


def wrong_arity(n):
    out = []
    for args in ((), (1, 2, 3, 4), (n,)):
        try:
            out.append(add(*args) if len(args) != 1 else add(args[0]))
        except TypeError as e:
            out.append(str(e))
    try:
        add()
    except TypeError as e:
        out.append(str(e))
    try:
        add(1, 2, 3, 4)
    except TypeError as e:
        out.append(str(e))
    return out


def raising(x):
    return fails(x)


def raising_deeper(x):
    return fails_deeper(x)


def caught_tracebacks(x):
    try:
        fails_deeper(x)
    except ValueError:
        tb = sys.exc_info()[2]
        return [(line, name) for _f, line, name, _t in traceback.extract_tb(tb)]


def handled_state(x):
    out = [peek(), catches(x), peek()]
    try:
        raise KeyError('k')
    except KeyError:
        out.append(peek())
        out.append(catches(0))
        out.append(peek())
        out.append(sys.exc_info()[0].__name__)
    out.append(peek())
    return out


def reraise_through(x):
    try:
        return reraises(x)
    except ZeroDivisionError as e:
        return 'caught', str(e), peek()


def frames(n):
    out = [where(0), where(1)]
    for _ in range(n):
        out.append(where(1))
    return out


def kept_frames(n):
    # frames that outlive their call: the frame object takes the frame's contents over (the
    # line of a finished trampoline frame is not compared: 3.10 gives None for it)
    out = []
    for i in range(n):
        f = keep_frame(i, 'x')
        out.append((f.f_code.co_name, sorted(f.f_locals.items()), f.f_back.f_code.co_name))
    return out


def reused_frames(n):
    # the same callees again and again, their frames let go or kept, raising or not: each
    # call's frame is as a new one would be (its locals, its caller, its line, its flags)
    out = []
    for i in range(n):
        out.append(look_then_drop(i))
        out.append(where(1))
        f = keep_frame(i, 'y')
        out.append((sorted(k for k in f.f_locals if not k.startswith('__')),
                    getattr(f, 'f_trace_lines', None), getattr(f, 'f_trace_opcodes', None),
                    f.f_trace, f.f_back.f_code.co_name))
        try:
            fails_deeper(i)
        except ValueError:
            tb = traceback.extract_tb(sys.exc_info()[2])
            out.append([(t[2], t[3]) for t in tb[1:]])
    out.append(fib(15))
    return out


def recursion_errors(n):
    out = []
    for _ in range(2):
        try:
            deep(0)
        except RecursionError if sys.version_info >= (3, 5) else RuntimeError as e:
            out.append((type(e).__name__, 'recursion' in str(e)))
    # the limit holds again once the stack has unwound
    out.append(countdown(n))
    return out


def methods(k):
    p = Point(3, 4)
    return p.norm2(), p.scaled(k).norm2(), p.total(k), Point.norm2(p)


def raising_loop(n):
    # the same call site again and again: calls after the first take the fast path (3.11+),
    # raising included
    out = []
    for i in range(n):
        try:
            out.append(fails(i) if i % 3 == 2 else fib(i))
        except ValueError as e:
            tb = sys.exc_info()[2]
            out.append((str(e), [(line, name) for _f, line, name, _t in traceback.extract_tb(tb)]))
    return out


def closure_calls(n):
    # a compiled closure called again and again: its free variables are its own
    out = []
    for i in range(n):
        out.append(adder(i))
    return out


def bound_calls(n):
    # bound methods called at one site (2.7's and 3.6-3.8's method calls are such calls):
    # another instance, another method, a method of a plain function, a method whose
    # function's code is replaced, a method with too many arguments
    a, b = Point(1, 2), Point(3, 4)
    out = []
    for i in range(n):
        m = (a.norm2, b.norm2, a.scaled, b.total, Point.norm2.__get__(b))[i % 5]
        try:
            r = m() if i % 5 in (0, 1, 4) else m(i)
            out.append(r if not isinstance(r, Point) else (r.x, r.y))
        except TypeError as e:
            out.append(str(e))
        try:
            a.norm2(i)
        except TypeError as e:
            out.append(str(e))
    return out


def rebinding(n):
    global target
    out = []
    for i in range(n):
        out.append(target(i))
        if i == 2:
            target = plain
        elif i == 4:
            target = fib
    target = other
    return out


CASES = [
    ('fibs', (12,), {}),
    ('defaults', (5,), {}),
    ('wrong_arity', (7,), {}),
    ('raising', (1,), {}),
    ('raising_deeper', (2,), {}),
    ('caught_tracebacks', (3,), {}),
    ('handled_state', (1,), {}),
    ('handled_state', (0,), {}),
    ('reraise_through', (0,), {}),
    ('reraise_through', (5,), {}),
    ('frames', (2,), {}),
    ('kept_frames', (3,), {}),
    ('reused_frames', (4,), {}),
    ('recursion_errors', (50,), {}),
    ('methods', (2,), {}),
    ('methods', (0.5,), {}),
    ('rebinding', (8,), {}),
    ('raising_loop', (9,), {}),
    ('closure_calls', (6,), {}),
    ('bound_calls', (11,), {}),
]
