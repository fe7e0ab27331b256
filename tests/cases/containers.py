# Building sets, dicts and slices, unpacking, deleting items and attributes, globals written
# and deleted, string formatting (%, format, str/repr conversions).

COUNTER = 0

class Box(object):
    pass

def sets(a, b):
    return sorted({a, b, a}), len({a})

def dicts(a, b):
    d = {a: 1, b: 2}
    e = {'x': a, 'y': b, 'z': 3}
    return sorted(d.items()), sorted(e.items())

def bad_key(a):
    return {a: 1}

def delete(xs, k):
    del xs[k]
    return xs

def delete_attr(flag):
    b = Box()
    b.a = 1
    if flag:
        del b.a
    del b.a
    return 1

def unpack(seq):
    a, b, c = seq
    return c, b, a

def unpack_swap(a, b):
    a, b = b, a
    return a, b

def unpack_nested(seq):
    (a, b), c = seq
    return a + b + c

def bump(start):
    global COUNTER
    COUNTER = start
    COUNTER = COUNTER + 1
    return COUNTER

def unpack_iter(n):
    a, b, c = iter(range(n))
    return a, b, c

def forget(flag):
    global TEMP
    TEMP = 1
    del TEMP
    if flag:
        del TEMP
    return 0

def percent(x):
    return '%s|%r|%5.2f|%d%%' % (x, x, 1.5, 7)

def format_method(x):
    return '{0!r:>8}|{1}'.format(x, 'y')

CASES = [
    ('sets', (1, 2), {}), ('sets', ('a', 'a'), {}), ('sets', ([], 1), {}),
    ('dicts', (1, 2), {}), ('dicts', ('k', 'k'), {}), ('bad_key', ([],), {}),
    ('delete', ([1, 2, 3], 0), {}), ('delete', ({'a': 1}, 'a'), {}), ('delete', ({}, 'z'), {}), ('delete', ([1], 3), {}),
    ('delete_attr', (False,), {}), ('delete_attr', (True,), {}),
    ('unpack', ((1, 2, 3),), {}), ('unpack', ([4, 5, 6],), {}), ('unpack', ('xyz',), {}), ('unpack', ((1, 2),), {}),
    ('unpack', ([1, 2, 3, 4],), {}), ('unpack', (5,), {}), ('unpack', ({1: 1, 2: 2, 3: 3},), {}),
    ('unpack_swap', (1, 'b'), {}),
    ('unpack_nested', (((1, 2), 3),), {}), ('unpack_nested', (((1,), 3),), {}),
    ('bump', (5,), {}), ('unpack_iter', (3,), {}), ('unpack_iter', (1,), {}), ('unpack_iter', (9,), {}), ('forget', (False,), {}), ('forget', (True,), {}),
    ('percent', (3,), {}), ('percent', ('s',), {}),
    ('format_method', (1,), {}), ('format_method', ('q',), {}),
]
