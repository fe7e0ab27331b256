# The specialising tier: locals kept as machine ints and doubles, `for ... in range` as counted
# loops, list and tuple items by machine-int index, guards. Each sequence's first call trains
# the type feedback and its second runs the specialised code; later calls bring values that
# break its assumptions (ints past 2**31, 2**63 and below -2**63, floats and str where ints
# were, other containers, rebound globals, builtins and callees), so that guards fail in the
# middle of functions with unboxed values live, and every answer must still be the
# interpreter's. The expectations (typed locals, counted loops, guard failures) make a
# specialisation that silently did not happen fail.
import sys

import anyjit

try:
    import builtins as _builtins
except ImportError:
    import __builtin__ as _builtins

M = sys.maxsize          # 2**63 - 1 on these 64-bit builds: an int on 2.7 too
MIN = -M - 1
P31 = 2 ** 31
P53 = 2 ** 53
NAN = float('nan')
INF = float('inf')
SCALE = 3
_real_range = range


def int_loop(n):
    total = 0
    i = 0
    while i < n:
        if i % 3 == 0:
            total += i * 2
        else:
            total -= 1
        i += 1
    return total


def doubling(x, n):
    for _ in range(n):
        x = x * 2
    return x


def add_up(start, step, n):
    t = start
    for _ in range(n):
        t += step
    return t


def sub_down(start, step, n):
    t = start
    for _ in range(n):
        t = t - step
    return t


def smallest(x, k):
    y = x - k
    out = [y * 1]
    out.append(-y)
    out.append(y // -1)
    out.append(y % -1)
    out.append(y * -1)
    out.append(abs(y))
    return out


def shifts(x, k):
    return x << k, x >> k, -x >> k, x & k, x | k, x ^ k, ~x


def powers(a, b):
    return a ** b


def int_division(a, b):
    return a / b, a // b, a % b, -a // b, -a % b


def float_ops(x, y):
    return (x + y, x - y, x * y, x / y, x // y, x % y, x < y, x <= y, x == y, x != y, x > y,
            x >= y, -x, +x, not x)


def float_power(x, y):
    return x ** y


def mixed(i, x):
    return i + x, i * x, x - i, i / x, i < x, i == x, i >= x, x // i


def accumulate(xs):
    t = 0
    for x in xs:
        t = t + x
    return t


def drift(n, extra):
    v = 0
    i = 0
    while i < n:
        v = v + i
        if i == n // 2:
            v = v + extra
        i += 1
    return v


def partial_sums(a, xs):
    return a * 2 + a * 3 + xs[0] + a


def float_partials(x, xs):
    return x * 0.5 + x * 1.5 + xs[1] * 2.0


def scaled(n, new):
    global SCALE
    t = 0
    for i in range(n):
        if i == n // 2:
            SCALE = new
        t += SCALE * i
    SCALE = 3
    return t


MARK = 'start'


def _rebind_mark(v):
    global MARK
    MARK = v


class RebindsOnDel(object):
    """Rebinds the global MARK when it is released."""

    def __init__(self, v):
        self.v = v

    def __del__(self):
        _rebind_mark(self.v)


def globals_around_calls(n):
    # a global read in a loop before and after a call that rebinds it
    global MARK
    MARK = 'start'
    out = []
    i = 0
    while i < n:
        a = MARK
        _rebind_mark(i)
        b = MARK
        out.append((a, b))
        i += 1
    return out


def globals_around_release(n):
    # ... and around a list store whose release of the old item rebinds it (no call of its own)
    global MARK
    MARK = 'start'
    xs = [RebindsOnDel('x%d' % k) for k in range(n)] + [0]
    seen = []
    i = 0
    a = b = None
    while i < n:
        a = MARK
        xs[i] = i
        b = MARK
        seen.append(a)
        seen.append(b)
        i += 1
    return a, b, seen


def ranged(n, patch):
    t = 0
    if patch:
        _builtins.range = lambda *a: [100, 200]
    try:
        for i in range(n):
            t += i
    finally:
        _builtins.range = _real_range
    return t


def _helper_int(x):
    return x + 1


def _helper_float(x):
    return x * 0.5


helper = anyjit.jit(_helper_int)


def calls_helper(n, redefine):
    global helper
    t = 0
    for i in range(n):
        if redefine and i == 3:
            helper = anyjit.jit(_helper_float)
        t += helper(i)
    helper = anyjit.jit(_helper_int)
    return t


def range_sum(a, b, c):
    t = 0
    for i in range(a, b, c):
        t += i
    return t


def range_count(a, b, c):
    n = 0
    for i in range(a, b, c):
        n += 1
    return n, i


def range_flow(n):
    found = -1
    for i in range(n):
        if i * i > 50:
            found = i
            break
        if i % 2:
            continue
        found -= 1
    else:
        found = -100
    return found


def after_loop(n):
    for i in range(n):
        pass
    return i


def nested(n):
    t = 0
    for i in range(n):
        for j in range(i, n):
            t += i * j - (j - i)
    return t


def truthy(n):
    c = 0
    for i in range(n):
        if i:
            c += 1
        if not i % 2:
            c -= 1
        if 0 <= i < n - 1 and i != 3:
            c += 10
    return c


def boxes(n):
    out = []
    for i in range(n):
        x = i * 3
        out.append(x)
        out.append(x)
        out.append((x, i, i * 0.5))
    return out


def items(xs, n):
    s = 0
    for i in range(n):
        s += xs[i] + xs[-1 - i]
    return s


def tail_sum(xs, n):
    # negative indexes inside the list: adjusted inline, no guard fails
    s = 0
    for i in range(n):
        s += xs[-1 - i] * 2 + xs[i - n]
        xs[-1 - i] = i
    return s, xs


def fill(xs):
    for i in range(len(xs)):
        xs[i] = i * 2
    xs[-1] = -1
    return xs


def fill_at(xs, k):
    for i in range(3):
        xs[k + i] = i
    return xs


def guarded_div(xs):
    t = 0
    for i in range(len(xs)):
        try:
            t += 100 // xs[i]
        except ZeroDivisionError:
            t -= 1
    return t


def mandel(n):
    inside = 0
    for py in range(n):
        y0 = py * 2.0 / n - 1.0
        for px in range(n):
            x0 = px * 3.0 / n - 2.0
            x = 0.0
            y = 0.0
            i = 0
            while i < 30 and x * x + y * y < 4.0:
                x, y = x * x - y * y + x0, 2.0 * x * y + y0
                i += 1
            if i == 30:
                inside += 1
    return inside


def vectors(vs, dt):
    for v in vs:
        v[0] += dt * v[2]
        v[1] += dt * v[3]
        v[2] -= v[0] * dt
    return vs


def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            j = i * i
            while j <= n:
                flags[j] = False
                j += i
        i += 1
    count = 0
    for i in range(n + 1):
        if flags[i]:
            count += 1
    return count


def seq_sum(xs):
    t = 0
    for x in xs:
        t += x
    return t


def grow(xs):
    n = 0
    for x in xs:
        if len(xs) < 12:
            xs.append(x + 1)
        n += x
    return n, xs


def shrink(xs):
    seen = []
    for x in xs:
        seen.append(x)
        if len(xs) > 2:
            del xs[0]
    return seen, xs


def seq_exits(xs, stop):
    n = 0
    for x in xs:
        if x == stop:
            break
        if x < 0:
            return 'negative', n
        n += 10 // x
    else:
        n = -n
    return n


def tuple_pairs(ps):
    t = 0.0
    for p in ps:
        t += p[0] * p[1]
    return t


def flag_marks(flags, step):
    # a constant stored over items that may hold it already (nothing changes then, not even a
    # reference count), and items stored into a local that may hold them already
    j = 0
    while j < len(flags):
        flags[j] = False
        j += step
    marked = 0
    last = None
    for f in flags:
        if f:
            marked += 1
        last = f
    return marked, last, flags


class Noisy(object):
    log = []

    def __init__(self, k):
        self.k = k

    def __del__(self):
        Noisy.log.append(self.k)


def replace_noisy(n):
    # the items a store replaces are released after it, in order (their __del__ runs then)
    del Noisy.log[:]
    items = [Noisy(k) for k in range(n)]
    done = []
    for j in range(n):
        items[j] = None
        done.append(len(Noisy.log))
    items = None
    return done, list(Noisy.log)


def rebinds(xs):
    # a local stored again with the object it holds, or with another one's
    out = []
    cur = None
    for x in xs:
        prev = cur
        cur = x
        cur = cur
        out.append(prev is cur)
    return out, cur


def mutate_in_loop(xs):
    # the body replaces the item the loop variable came from: the local keeps its own reference
    seen = []
    for x in xs:
        xs[0] = [x]
        seen.append(x)
    return seen, xs


def squares_loop(n):
    # `**` of machine ints in a long loop: its result slot lives in the function's frame (it
    # once took new stack on every iteration, and a million of them overflowed the stack)
    t = 0
    for i in range(n):
        t += (i & 3) ** 2
    return t


def scale_sum(n, x):
    s = 0.0
    i = 0
    while i < n:
        s = s + x * i
        i += 1
    return s


SEQUENCES = [
    ('squares_loop', [(10,), (1000000,)], {'locals': {'t': 'int', 'i': 'int'}, 'counted_loops': 1}),
    # specialised for an int factor, then called with floats: its guard fails in three calls,
    # and the plan made again must not fail any more
    ('scale_sum', [(20, 1), (20, 1)] + [(200, 1.5)] * 6,
     {'locals': {'x': 'int', 's': 'float', 'i': 'int'}, 'deopts': True, 'settles': True}),
    ('int_loop', [(10,), (1000,), (0,), (-5,), (2.5,), (7,)],
     {'locals': {'i': 'int', 'total': 'int', 'n': 'int'}}),
    ('doubling', [(1, 10), (1, 40), (1, 70), (-1, 70), (3, 100), (0.5, 70), (P31, 33)],
     {'locals': {'x': 'int'}, 'counted_loops': 1, 'deopts': True}),
    ('add_up', [(0, 1, 10), (2 ** 62, 2 ** 61, 4), (-2 ** 62, -2 ** 61, 4), (2 ** 62, 0.5, 3),
                (0, 'a', 2), (M - 5, 1, 10), (0, 1, 5)],
     {'locals': {'t': 'int', 'step': 'int'}, 'deopts': True}),
    ('sub_down', [(0, 1, 10), (MIN + 5, 1, 10), (MIN + 5, -1, 3), (0, 1.5, 3)],
     {'locals': {'t': 'int'}, 'deopts': True}),
    ('smallest', [(5, 1), (MIN + 1, 1), (MIN + 2, 1), (0, 1), (M, -1)],
     {'locals': {'y': 'int'}, 'deopts': True}),
    ('shifts', [(5, 3), (-7, 2), (1, 62), (1, 63), (1, 64), (3, 100), (-5, 70), (0, 200),
                (5, -1), (M, 1)],
     {'locals': {'x': 'int', 'k': 'int'}, 'deopts': True}),
    ('powers', [(2, 10), (2, 62), (2, 63), (-3, 5), (-2, 63), (2, -1), (0, 0), (7, 0), (10, 30)],
     {'deopts': True}),
    ('int_division', [(7, 2), (-7, 2), (7, -2), (P53 + 1, 3), (1, 0), (0, -5), (MIN, -1), (M, 7)],
     {'deopts': True}),
    ('float_ops', [(7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-0.0, 1.0), (0.0, -1.0), (1e308, 1e308),
                   (NAN, 1.0), (INF, 2.0), (-INF, 3.0), (5.0, 0.0), (1.0, NAN), (3, 2.0)],
     {'deopts': True}),
    ('float_power', [(2.0, 0.5), (2.0, -1.5), (9.0, 0.5), (0.0, 2.0), (10.0, 400.0), (1e-300, 2.0),
                     (-8.0, 2.0), (INF, 2.0), (2.0, NAN), (0.0, -1.0)],
     {'deopts': True}),
    ('mixed', [(3, 0.5), (-4, 2.5), (P53 + 1, float(P53)), (P53, float(P53)), (2 ** 60, 1.5),
               (7, 0.0), (0, 2.0)],
     {'deopts': True}),
    ('accumulate', [([1, 2, 3],), ([1, 2, 3, 4],), ([1, 2, 2.5, 4],), ([1, 2, 'a'],),
                    ([1.5, 2.5],), ([10 ** 30, 1],), ([M, M, -M],), ([],)],
     {'locals': {'t': 'int', 'x': 'int'}, 'deopts': True}),
    ('drift', [(10, 1), (10, 2), (10, 0.5), (10, 'x'), (10, 10 ** 20), (7, -3)],
     {'locals': {'v': 'int', 'i': 'int'}, 'deopts': True}),
    ('partial_sums', [(1, [5]), (2, [7]), (3, [1.5]), (4, ['s']), (5, (9,)), (M, [1]), (6, [])],
     {'locals': {'a': 'int'}, 'deopts': True}),
    ('float_partials', [(1.0, [0.0, 5.0]), (2.0, [0.0, 7.0]), (3.0, [0, 4]), (4.0, (1.0, 2.0)),
                        (5.0, [1.0]), (6.0, [0.0, 'x']), (2, [0.0, 1.0])],
     {'locals': {'x': 'float'}, 'deopts': True}),
    ('scaled', [(10, 3), (10, 4), (10, 0.25), (10, 3), (6, 10 ** 20)],
     {'locals': {'t': 'int'}, 'counted_loops': 1, 'deopts': True}),
    ('ranged', [(10, False), (10, False), (10, True), (10, False)],
     {'locals': {'t': 'int'}, 'counted_loops': 1, 'deopts': True}),
    ('calls_helper', [(10, False), (10, False), (10, True), (10, False)],
     {'locals': {'t': 'int'}, 'deopts': True}),
    ('range_sum', [(0, 10, 1), (10, 0, -3), (M - 3, M, 1), (MIN, MIN + 5, 2), (M - 10, M, 7),
                   (MIN + 10, MIN, -4), (0, 10, 0), (0, 2 ** 70, 2 ** 69), (0, 5.0, 1),
                   (5, 5, 1)],
     {'locals': {'t': 'int'}, 'counted_loops': 1, 'deopts': True}),
    ('range_count', [(0, 10, 1), (0, 100, 7), (10, -10, -1), (M - 2, M, 1), (MIN + 2, MIN, -1),
                     (0, 1, M), (0, 0, 1)],
     {'locals': {'n': 'int'}, 'counted_loops': 1}),
    ('range_flow', [(20,), (5,), (0,), (8,)], {'counted_loops': 1}),
    ('after_loop', [(5,), (3,), (0,), (4,)], {'counted_loops': 1, 'deopts': True}),
    ('nested', [(5,), (30,), (0,), (1,)],
     {'locals': {'t': 'int', 'i': 'int', 'j': 'int'}, 'counted_loops': 2, 'deopts': False}),
    ('truthy', [(10,), (20,), (0,), (1,)], {'locals': {'c': 'int'}, 'counted_loops': 1}),
    ('boxes', [(3,), (5,), (0,)], {'locals': {'x': 'int'}, 'counted_loops': 1}),
    ('items', [([1, 2, 3, 4], 4), ([5, 6, 7], 3), ((1, 2, 3), 3), ([1.5, 2.5], 2), ([1, 2], 3),
               ({0: 1, 1: 2, -1: 3, -2: 4}, 2), ([10 ** 20, 1], 2)],
     {'locals': {'s': 'int'}, 'counted_loops': 1, 'deopts': True}),
    ('tail_sum', [([1, 2, 3, 4], 4), ([5, 6, 7], 3), ([1, 2, 3], 1), ([7], 1)],
     {'locals': {'s': 'int'}, 'counted_loops': 1, 'deopts': False}),
    ('fill', [([0, 0, 0],), ([9] * 10,), ([],), ({0: 1},)], {'counted_loops': 1, 'deopts': True}),
    ('fill_at', [([0] * 5, 1), ([0] * 5, 0), ([0] * 5, -3), ([0] * 5, 3), ([0] * 5, -6)],
     {'deopts': True}),
    ('guarded_div', [([1, 2, 3],), ([4, 5],), ([1, 0, 2],), ([3, 1.5],)],
     {'locals': {'t': 'int'}, 'deopts': True}),
    ('mandel', [(8,), (16,), (0,)],
     {'locals': {'x': 'float', 'y': 'float', 'x0': 'float', 'y0': 'float', 'i': 'int'},
      'counted_loops': 2, 'deopts': False}),
    ('vectors', [([[0.0, 1.0, 2.0, 3.0]], 0.5), ([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 2.0, 2.0]], 0.25),
                 ([[1, 2, 3, 4]], 0.5), ([[1.0, 2.0, 3.0, 4.0]], 1)],
     {'deopts': True}),
    ('seq_sum', [([1, 2, 3],), ([4, 5, 6, 7],), ((1, 2, 3),), ([1, 2.5, 3],), ([1, 'a'],),
                 ([],), ([M, 1],), (set([1, 2]),)],
     {'locals': {'t': 'int', 'x': 'int'}, 'deopts': True}),
    ('grow', [([1, 2],), ([3],), ([1.5, 2],), ([],)], {'deopts': True}),
    ('shrink', [([1, 2, 3, 4, 5],), ([1, 2, 3],), ((1, 2),)], {'deopts': True}),
    ('seq_exits', [([1, 2, 3], 9), ([1, 2, 3], 2), ([5, -1, 2], 9), ([5, 0, 2], 9), ([], 0),
                   ((1, 2), 9)],
     {'deopts': True}),
    ('tuple_pairs', [([(1.0, 2.0), (3.0, 4.0)],), ([(1.5, 2.5)],), ([(1, 2.0)],),
                     ([[1.0, 2.0]],), ([],)],
     {'locals': {'t': 'float'}, 'deopts': True}),
    ('flag_marks', [([True] * 10, 2), ([False] * 10, 3), ([True, False, None, 'x', 1.5] * 3, 1),
                    ([[], {}, True] * 3, 2), ([], 1), ((True, False), 1)],
     {'locals': {'j': 'int', 'marked': 'int'}, 'borrowed_moves': 3, 'deopts': True}),
    ('replace_noisy', [(3,), (5,), (0,)], {'locals': {'j': 'int'}, 'counted_loops': 1}),
    ('rebinds', [([1, 1, 2, 2, 2],), (['a', 'a', 'b'],), ([],), ((None, None),), ([1.5, 2],)],
     {'borrowed_moves': 3}),
    ('mutate_in_loop', [([1, 2, 3],), ([[0], 5],), ([],), (['s'],)], {'borrowed_moves': 1}),
    ('globals_around_calls', [(3,), (5,)], {}),
    ('globals_around_release', [(3,), (4,), (1,)], {}),
    ('sieve', [(50,), (1000,), (2,)],
     {'locals': {'i': 'int', 'j': 'int', 'count': 'int'}, 'deopts': False}),
]

CASES = []
