# A local copied from another (`y = x`) is the same object in the interpreter; the specialised
# code keeps numbers unboxed, and must give both locals one box whenever either is boxed: for
# `is`, and for comparisons that try identity first (a NaN is found in a list holding it).
import math


def float_copy(n):
    x = n + 0.5
    y = x
    return x is y, [x][0] is y, (x, y)[0] is (x, y)[1], y


def int_copy(n):
    x = n + 1000
    y = x
    return x is y, [x][0] is y, y


def nan_copy(a):
    x = a * 1.0
    y = x
    return y in [x], [x] == [y], (x,) == (y,), math.isnan(y)


def chain_copy(n):
    x = n * 2.5
    y = x
    z = y
    x = x + 1.0
    return y is z, x is y, [z].count(y), z


def loop_copy(n):
    t = 0.0
    prev = t
    for i in range(n):
        prev = t
        t = t + 1.5
    return prev is t, [prev][0] is prev, prev, t


def swap_copy(n):
    a = n * 1.5
    b = n * 2.5
    for i in range(3):
        a, b = b, a
    return a is b, [a, b], a


def self_store(a):
    a = a * 1.0
    x = a
    a = a
    return a is x, [a].count(x), x


def deopt_copy(a, b):
    x = a * 1.5
    y = x
    z = b[0] + 1
    return x is y, [x][0] is y, z


CASES = [
    ('float_copy', (1,), {}),
    ('float_copy', (2.5,), {}),
    ('int_copy', (1,), {}),
    ('int_copy', (2 ** 70,), {}),
    ('nan_copy', (float('nan'),), {}),
    ('nan_copy', (3.0,), {}),
    ('chain_copy', (2,), {}),
    ('loop_copy', (4,), {}),
    ('loop_copy', (0,), {}),
    ('swap_copy', (2,), {}),
    ('self_store', (2,), {}),
    ('self_store', (float('nan'),), {}),
]

SEQUENCES = [
    ('deopt_copy', [(1.0, [1]), (2.0, [2]), (3.0, [2.5]), (4.0, [3])], {'deopts': True}),
    ('nan_copy', [(float('nan'),), (float('nan'),), (2.0,), (float('inf'),)], {}),
    ('loop_copy', [(3,), (5,), (1,)], {}),
]
