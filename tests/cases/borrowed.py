# Values the specialised code borrows instead of taking references to: locals loaded onto the
# stack and constants. A local rebound while its value is still on the stack, values kept
# across calls and exceptions, swaps, identity and truth tests of borrowed values: the
# arguments are objects whose last references the locals may hold, so a reference count off by
# one frees them early (a crash or a wrong answer) or leaks them (the runner compares the
# arguments' reference counts with the interpreter's).
import sys


class Box(object):
    def __init__(self, v):
        self.v = v

    def __repr__(self):
        return 'Box(%r)' % (self.v,)

    def __bool__(self):
        return bool(self.v)

    __nonzero__ = __bool__


def swap(a, b):
    a, b = b, a
    return a, b


def rotate(a, b, c):
    a, b, c = c, a, b
    return a, b, c


def rebind_under(x):
    # the old value of x stays on the stack while x is rebound
    x, y = Box(3), x
    return x, y


def rebind_from_self(x):
    x = [x]
    x = (x, x)
    return x


def loop_rebind(xs):
    acc = []
    x = None
    for x in xs:
        acc.append(x)
        x = Box(x)
        acc.append(x)
    return acc, x


def kept_across_call(x, f):
    return (x, f(x), x)


def kept_across_raise(x, d):
    out = []
    try:
        out.append((x, 1 // d, x))
    except ZeroDivisionError as e:
        out.append((x, str(e)))
    return out, x


def identity(a, b):
    return a is b, a is not b, a is None, b is not None, a is a


def truth(a, b):
    out = []
    if a:
        out.append('a')
    if not b:
        out.append('not b')
    if a and b:
        out.append('both')
    if a or b:
        out.append('either')
    out.append(a and b)
    out.append(a or b)
    return out


def none_checks(xs):
    n = 0
    for x in xs:
        if x is None:
            n += 1
        elif x is not None and x:
            n += 10
    return n


def constants():
    a = 'const'
    b = (1, 2, 'x')
    c = None
    return a, b, c, a is c, c is None, b[2]


def deleted(x):
    y = x
    del x
    try:
        return y, x
    except NameError as e:
        return y, type(e).__name__


def unbound(flag):
    if flag:
        v = Box('set')
    return v


def last_reference(n):
    # each Box's only reference is the local: rebinding frees the previous one
    b = Box(0)
    total = 0
    for i in range(n):
        old = b
        b = Box(i)
        total += old.v
        old = None
    return total, b


CASES = [
    ('swap', (Box(1), Box(2)), {}),
    ('rotate', (Box(1), Box(2), Box(3)), {}),
    ('rebind_under', (Box('old'),), {}),
    ('rebind_from_self', (Box(1),), {}),
    ('loop_rebind', ([1, 2, 3],), {}),
    ('loop_rebind', ([],), {}),
    ('kept_across_call', (Box(5), repr), {}),
    ('kept_across_call', (Box(5), len), {}),
    ('kept_across_raise', (Box(1), 1), {}),
    ('kept_across_raise', (Box(1), 0), {}),
    ('identity', (None, None), {}),
    ('identity', (Box(1), None), {}),
    ('identity', (1, 1.5), {}),
    ('truth', (Box(1), Box(0)), {}),
    ('truth', (Box(0), Box(2)), {}),
    ('truth', ([], [1]), {}),
    ('truth', (None, 'x'), {}),
    ('none_checks', ([None, Box(1), Box(0), None, 3, ''],), {}),
    ('constants', (), {}),
    ('deleted', (Box(7),), {}),
    ('unbound', (True,), {}),
    ('unbound', (False,), {}),
    ('last_reference', (10,), {}),
]
