# Arithmetic, unary, in-place and comparison operators on ints, big ints, floats, strings,
# containers and mixed operands, including the errors they raise.

def add(a, b):
    return a + b

def sub(a, b):
    return a - b

def mul(a, b):
    return a * b

def truediv(a, b):
    return a / b

def floordiv(a, b):
    return a // b

def mod(a, b):
    return a % b

def power(a, b):
    return a ** b

def shifts(a, b):
    return (a << b, a >> b)

def bits(a, b):
    return (a & b, a | b, a ^ b)

def unary(a):
    return (-a, +a, ~a, not a)

def inplace(a, b):
    x = a
    x += b
    x -= b
    x *= b
    x //= b if b else 1
    x %= 97
    x **= 2
    x <<= 1
    x >>= 1
    x &= 0xffff
    x |= 3
    x ^= 5
    return x

def inplace_list(a, b):
    x = a
    x += b
    return x, a

def compare(a, b):
    return (a < b, a <= b, a == b, a != b, a > b, a >= b)

def chained(a, b, c):
    return a < b < c, a == b == c, a < b > c

def identity(a, b):
    return (a is b, a is not b, a is None, b is not None)

def membership(a, b):
    return (a in b, a not in b)

def logic(a, b):
    return (a and b, a or b, not a, a and not b or b)

CASES = [
    ('add', (1, 2), {}), ('add', (2 ** 62, 2 ** 62), {}), ('add', (-7, 2.5), {}), ('add', ('ab', 'cd'), {}),
    ('add', ([1], [2, 3]), {}), ('add', ((1,), (2,)), {}), ('add', (1, 'x'), {}), ('add', (None, 1), {}),
    ('sub', (10, 3), {}), ('sub', (-2 ** 63, 1), {}), ('sub', (1.5, 0.25), {}), ('sub', ({1, 2}, {2}), {}),
    ('sub', ('a', 1), {}),
    ('mul', (6, 7), {}), ('mul', (2 ** 40, 2 ** 40), {}), ('mul', ('ab', 3), {}), ('mul', ([0], 4), {}),
    ('mul', (-3, 0.5), {}), ('mul', ('x', 'y'), {}),
    ('truediv', (7.0, 2), {}), ('truediv', (1.0, 0.0), {}), ('truediv', (-1.5, 0.5), {}),
    ('floordiv', (7, 2), {}), ('floordiv', (-7, 2), {}), ('floordiv', (7, -2), {}), ('floordiv', (7.5, 2), {}),
    ('floordiv', (1, 0), {}), ('floordiv', (-7.0, 2.0), {}),
    ('mod', (7, 3), {}), ('mod', (-7, 3), {}), ('mod', (7, -3), {}), ('mod', (-7.5, 2), {}), ('mod', (5, 0), {}),
    ('mod', ('%s-%d', ('a', 3)), {}), ('mod', ('%(x)s', {'x': 1}), {}),
    ('power', (2, 10), {}), ('power', (2, 100), {}), ('power', (2, -1), {}), ('power', (-8, 1.0 / 3), {}),
    ('power', (0, -1), {}), ('power', (10 ** 20, 2), {}),
    ('shifts', (1, 5), {}), ('shifts', (-16, 2), {}), ('shifts', (1, 70), {}), ('shifts', (1, -1), {}),
    ('bits', (12, 10), {}), ('bits', (-12, 10), {}), ('bits', (2 ** 70, 2 ** 69 + 1), {}), ('bits', ({1, 2}, {2, 3}), {}),
    ('unary', (5,), {}), ('unary', (0,), {}), ('unary', (-2 ** 64,), {}), ('unary', ('s',), {}), ('unary', (1.5,), {}),
    ('inplace', (17, 3), {}), ('inplace', (2 ** 65, 7), {}), ('inplace', (5, 0), {}),
    ('inplace_list', ([1], [2]), {}), ('inplace_list', ((1,), (2,)), {}), ('inplace_list', ('a', 'b'), {}),
    ('compare', (1, 2), {}), ('compare', (2, 2), {}), ('compare', (2.5, 2), {}), ('compare', ('a', 'b'), {}),
    ('compare', ([1, 2], [1, 3]), {}), ('compare', ((1,), (1,)), {}), ('compare', (None, None), {}),
    ('chained', (1, 2, 3), {}), ('chained', (3, 2, 1), {}), ('chained', (1, 1, 1), {}), ('chained', (1, 5, 2), {}),
    ('identity', (None, None), {}), ('identity', (1, 2), {}), ('identity', ((), ()), {}),
    ('membership', (1, [1, 2]), {}), ('membership', ('a', 'xyz'), {}), ('membership', (3, {3: 4}), {}),
    ('membership', (1, 5), {}), ('membership', ([], [[]]), {}),
    ('logic', (0, 1), {}), ('logic', (2, 0), {}), ('logic', ('', 'x'), {}), ('logic', ([0], None), {}),
]
