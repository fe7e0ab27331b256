# The inline paths for int and float arithmetic and comparisons, at their edges: one-digit
# ints next to multi-digit ones, zero and negative values, products near the machine word,
# floats with NaN, infinities, signed zeros and division by zero, and subclasses (which take the
# generic path).
import sys

D = 2 ** 30  # one past the largest one-digit value on builds with 30-bit digits
H = 2 ** 15


class MyInt(int):
    def __add__(self, other):
        return 'MyInt add'


class MyFloat(float):
    pass


def arith(a, b):
    return a + b, a - b, a * b, b + a, b - a


def arith_inplace(a, b):
    x = a
    x += b
    y = a
    y -= b
    z = a
    z *= b
    return x, y, z


def divide(a, b):
    return a / b


def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b


def loop_sum(n):
    t = 0
    f = 0.0
    i = 0
    while i < n:
        t += i * i - 3
        f += i * 0.5
        i += 1
    return t, f


def branches(a, b):
    out = []
    if a < b:
        out.append('lt')
    if a == b:
        out.append('eq')
    if not (a > b):
        out.append('not gt')
    return out


INTS = [0, 1, -1, 7, -7, D - 1, -(D - 1), D, -D, H - 1, H, 2 ** 31, -2 ** 31, 2 ** 62, 2 ** 64 + 3,
        -2 ** 64]
FLOATS = [0.0, -0.0, 1.5, -2.25, float('inf'), float('-inf'), float('nan'), 1e308, 5e-324]

CASES = [('arith', (a, b), {}) for a, b in zip(INTS, INTS[1:] + INTS[:1])]
CASES += [('arith', (a, a), {}) for a in INTS]
CASES += [('arith', (D - 1, D - 1), {}), ('arith', (-(D - 1), D - 1), {}),
          ('arith', (2 ** 31 - 1, 2 ** 31 - 1), {})]
CASES += [('arith', (a, b), {}) for a, b in zip(FLOATS, FLOATS[1:] + FLOATS[:1])]
CASES += [('arith', (1, 2.5), {}), ('arith', (2.5, 1), {}), ('arith', (True, 3), {}),
          ('arith', (MyInt(3), 4), {}), ('arith', (MyFloat(1.5), 2.0), {}), ('arith', ('a', 'b'), {})]
CASES += [('arith_inplace', (D - 1, 1), {}), ('arith_inplace', (0.1, 0.2), {}),
          ('arith_inplace', ([1], [2]), {})]
CASES += [('divide', (1.0, 0.0), {}), ('divide', (1.0, -0.0), {}), ('divide', (0.0, 0.0), {}),
          ('divide', (7.5, 2.5), {}), ('divide', (float('inf'), float('inf')), {}),
          ('divide', (1, 0), {}), ('divide', (7, 2), {}), ('divide', (1e308, 1e-308), {})]
CASES += [('compare', (a, b), {}) for a, b in zip(INTS, INTS[1:] + INTS[:1])]
CASES += [('compare', (a, b), {}) for a, b in zip(FLOATS, FLOATS[1:] + FLOATS[:1])]
CASES += [('compare', (float('nan'), float('nan')), {}), ('compare', (0.0, -0.0), {}),
          ('compare', (1, 1.0), {}), ('compare', (D, D - 1), {}), ('compare', (-D, -(D - 1)), {}),
          ('compare', (True, 1), {}), ('compare', ('a', 'b'), {}), ('compare', ([1], [1]), {})]
CASES += [('loop_sum', (1000,), {}), ('loop_sum', (0,), {})]
CASES += [('branches', (1, 2), {}), ('branches', (2.5, 2.5), {}), ('branches', (3, 2), {}),
          ('branches', (float('nan'), 1.0), {}), ('branches', (None, None), {})]


def index(xs, i):
    return xs[i]


def store_index(xs, i, v):
    xs[i] = v
    return xs


class MyList(list):
    def __getitem__(self, i):
        return 'MyList %r' % (i,)


LISTS = [[10, 20, 30], [], ['a']]
CASES += [('index', (xs, i), {}) for xs in LISTS for i in (0, 1, 2, 3, -1, -3, -4, D, -D, 2 ** 70)]
CASES += [('index', ([1, 2], True), {}), ('index', ([1, 2], 1.0), {}), ('index', ((1, 2), 1), {}),
          ('index', ('abc', -1), {}), ('index', ({1: 'x'}, 1), {}), ('index', (MyList([1]), 0), {})]
CASES += [('store_index', ([1, 2, 3], i, 'v'), {}) for i in (0, 2, 3, -1, -3, -4, D)]
CASES += [('store_index', ([[1]], 0, None), {}), ('store_index', ((1,), 0, 2), {}),
          ('store_index', ({}, 'k', 1), {}), ('store_index', ([1, 2], False, 'f'), {})]


def builtin_calls(xs):
    out = []
    out.append(len(xs))
    out.append(abs(-3))
    xs.reverse()
    out.append(xs.pop())
    return out, xs, dict(a=1).copy()


def builtin_error(x):
    return len(x)


def noargs_given_one(xs):
    return xs.reverse(1)


def one_given_none(xs):
    return xs.append()


CASES += [('builtin_calls', ([1, 2, 3],), {}), ('builtin_calls', ([],), {}),
          ('builtin_error', (3,), {}), ('builtin_error', ('abc',), {}),
          ('noargs_given_one', ([1],), {}), ('one_given_none', ([1],), {})]

# machine-word edges (2.7's int is a C long there; 3.x ints are arbitrary precision anyway)
M = 2 ** 63 - 1
CASES += [('arith', (M, 1), {}), ('arith', (-M - 1, 1), {}), ('arith', (-M - 1, -1), {}),
          ('arith', (2 ** 32, 2 ** 31), {}), ('arith', (2 ** 31 - 1, 2 ** 31 - 1), {}),
          ('compare', (M, -M - 1), {}), ('compare', (M, M), {})]


# LOAD_GLOBAL's cache must see every change: rebinding, shadowing a builtin, deleting.
G = 1


def _rebind(v):
    global G
    G = v


def _shadow_len(on):
    if on:
        globals()['len'] = lambda x: 'shadowed'
    else:
        del globals()['len']


def global_changes(v):
    out = []
    for step in range(3):
        out.append(G)
        out.append(len('ab'))
        if step == 0:
            _rebind(v)
            _shadow_len(True)
        elif step == 1:
            _shadow_len(False)
    _rebind(1)
    return out


def global_deleted(v):
    global G
    a = G
    del G
    try:
        return a, G
    except NameError as e:
        return a, str(e)
    finally:
        G = 1


CASES += [('global_changes', (5,), {}), ('global_changes', ('x',), {}),
          ('global_deleted', (0,), {})]


# Globals bound under a key equal to the name but not the name's own (interned) object: the
# lookups find them all the same (2.7's inline probe never passes over a key of the name's hash).
def _bind_equal(name, v):
    globals()[''.join(list(name))] = v


def global_equal_keys(v):
    out = []
    for step in range(4):
        try:
            out.append(FRESH_NAME)
        except NameError as e:
            out.append(str(e))
        out.append(len('abc'))
        if step == 0:
            _bind_equal('FRESH_NAME', v)
        elif step == 1:
            _bind_equal('len', lambda x: 'shadowed under an equal key')
        elif step == 2:
            del globals()['len']
            del globals()['FRESH_NAME']
    return out


CASES += [('global_equal_keys', (7,), {}), ('global_equal_keys', ('v',), {})]


try:
    import builtins as _builtins
except ImportError:
    import __builtin__ as _builtins
_real_abs = abs


def builtin_rebound(x):
    out = []
    for step in range(3):
        out.append(abs(-x))
        if step == 0:
            _builtins.abs = lambda v: 'patched'
        else:
            _builtins.abs = _real_abs
    return out


CASES += [('builtin_rebound', (4,), {})]


# Small results are the interpreter's cached ints (the very objects), larger ones new objects:
# compiled code boxes them alike (sums, differences, len(), stores into a list).
def small_int_identity(a, b):
    out = []
    box = [None]
    for k in range(-8, 8):
        x = a + k
        y = b - k
        box[0] = x * 1
        n = len([0] * (y if y > 0 else 0))
        out.append((x, y, x is int(str(x)), y is int(str(y)), box[0] is int(str(x)),
                    n is int(str(n))))
    return out


CASES += [('small_int_identity', (-1, 255), {}), ('small_int_identity', (3, 250), {}),
          ('small_int_identity', (-5, 262), {})]


# Two exact ints take the int type's own operator slots (no dispatch), big ones included, with
# the errors they raise; a subclass, a bool or a float still goes through the C API.
def int_ops(a, b):
    out = []
    for k in range(9):
        try:
            if k == 0:
                r = a % b
            elif k == 1:
                r = a // b
            elif k == 2:
                r = a << b
            elif k == 3:
                r = a >> b
            elif k == 4:
                r = a & b
            elif k == 5:
                r = a | b
            elif k == 6:
                r = a ^ b
            elif k == 7:
                r = a / b
            else:
                r = a - b * a
            out.append(r)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, MemoryError) as e:
            out.append((type(e).__name__, str(e)))
    x = a
    x ^= b
    x |= 5
    x >>= 1
    out.append(x)
    return out


CASES += [('int_ops', (a, b), {}) for a, b in [
    (2 ** 70 + 12345, 3), (-(2 ** 70) - 1, 7), (2 ** 65, 0), (5, -1), (2 ** 64, 2 ** 63),
    (-5, 2 ** 66), (12, 10), (True, 3), (MyInt(9), 2), (2 ** 80, 2.5), (7, 10 ** 30)]]
