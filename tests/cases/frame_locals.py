# The locals a compiled function's frame shows once it has ended with an exception: the
# runner compares every traceback frame's f_locals (names, order and values) with the
# interpreter's for each case that raises; these cases make the shapes that matter raise. A
# compiled function keeps its locals in machine registers and stack slots while it runs, and
# leaves them in its frame on the way out: parameters rebound, locals deleted or never bound,
# loop variables, cells and free variables (their contents shown, a parameter kept in a cell
# included), exception variables, values the specialised code keeps unboxed (ints and floats,
# in the specialised code itself and after a guard failed and its generic code took over,
# dead values included), and callees compiled too (called directly by the optimising tier).
# The frames keep the locals alive as long as the traceback holds them, as the interpreter's
# do.
import sys

import anyjit


def rebinds(a, b):
    a = a * 10
    c = [a, b]
    del b
    d = None
    return c[5]


def never_bound(flag):
    if flag:
        x = 1
    y = 'y'
    return undefined_name


def loop_vars(n):
    total = 0
    for i in range(n):
        for j in range(i):
            total += i * j
    ratio = total / 3.0
    return ratio + 'x'


def callee(x, scale=2):
    y = x * scale
    label = 'callee %r' % (y,)
    return y // (x - x)


def caller(n):
    acc = []
    for k in range(n):
        acc.append(k)
    return callee(n) + len(acc)


def caller_of_caller(n):
    m = n + 1
    return caller(m)


def with_cells(a, b):
    c = a + b

    def inner(d):
        return a + c + d

    return inner('x')


def with_frees(n):
    base = n * 2

    def adder(k):
        local = k + base
        return local + None

    return adder(3)


def nonlocal_counter(steps):
    count = 0

    def bump(by):
        nonlocal_target = by

        def go():
            return count + nonlocal_target

        return go()

    for s in steps:
        count = bump(s)
    return count


def handler_var(x):
    try:
        1 / x
    except ZeroDivisionError as e:
        caught = repr(e)
    after = 'after'
    raise KeyError(after)


def in_handler(x):
    try:
        return [1][x]
    except IndexError as e:
        note = str(e)
        raise ValueError(note)


def comprehension(xs):
    squares = [x * x for x in xs]
    return [1 / (s - 4) for s in squares]


def typed_raise(n, bad):
    t = 0
    f = 0.5
    for i in range(n):
        t += i
        f *= 1.5
    if bad:
        raise ValueError(t)
    return t, f


def deopt_raise(xs):
    t = 0
    for x in xs:
        t += x
    return t


def dead_then_deopt(n, d):
    a = n * 2
    b = a + 1
    return b // d


class Tracked(object):
    def __init__(self, log, name):
        self.log = log
        self.name = name

    def __del__(self):
        self.log.append(self.name)


def makes_tracked(log):
    t = Tracked(log, 'kept')
    raise RuntimeError('with a tracked local')


def keeps_alive(n):
    log = []
    try:
        makes_tracked(log)
    except RuntimeError:
        tb = sys.exc_info()[2]
        while tb.tb_next is not None:
            tb = tb.tb_next
        held = list(log), sorted(tb.tb_frame.f_locals)
        del tb
    if sys.version_info[0] < 3:
        sys.exc_clear()
    return held, list(log)


def calls_compiled(n):
    here = 'caller of compiled code'
    return caller_of_caller(n)


def inspects_callee(n):
    try:
        caller_of_caller(n)
    except ZeroDivisionError:
        tb = sys.exc_info()[2]
        seen = []
        while tb is not None:
            f = tb.tb_frame
            seen.append((f.f_code.co_name, sorted(f.f_locals.items())))
            tb = tb.tb_next
        return seen[1:]


# the callees run compiled, called directly by compiled callers
for _name in ('callee', 'caller', 'caller_of_caller', 'makes_tracked'):
    globals()[_name] = anyjit.jit(globals()[_name], strict=True)


CASES = [
    ('rebinds', (1, 2), {}),
    ('never_bound', (0,), {}),
    ('never_bound', (1,), {}),
    ('loop_vars', (5,), {}),
    ('calls_compiled', (2,), {}),
    ('with_cells', (1, 2), {}),
    ('with_frees', (4,), {}),
    ('nonlocal_counter', ([1, 2, 'x'],), {}),
    ('handler_var', (0,), {}),
    ('in_handler', (3,), {}),
    ('comprehension', ([1, 2, 3],), {}),
    ('keeps_alive', (1,), {}),
    ('inspects_callee', (2,), {}),
]

SEQUENCES = [
    # ints and floats unboxed in the specialised code, raised from there
    ('typed_raise', [(10, False), (20, False), (5, True), (7, True)],
     {'locals': {'t': 'int', 'f': 'float', 'i': 'int'}}),
    # a guard fails (a str among ints) and the generic code raises
    ('deopt_raise', [([1, 2, 3],), ([1, 2, 3],), ([1, 2, 'a', 4],), ([4, 5],)],
     {'locals': {'t': 'int'}, 'deopts': True}),
    # division by zero: the generic code takes over with locals that are dead by then
    ('dead_then_deopt', [(1, 2), (3, 4), (5, 0), (6, 1)],
     {'locals': {'a': 'int', 'b': 'int'}, 'deopts': True}),
]
