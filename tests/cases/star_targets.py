# Starred assignment targets (UNPACK_EX, 3.x), with the interpreter's errors for too few
# values and for what cannot be iterated.
MIN_VERSION = (3, 0)

def head_rest(x):
    a, *b = x
    return a, b

def rest_tail(x):
    *a, b, c = x
    return a, b, c

def middle(x):
    a, *b, c = x
    return a, b, c

def only(x):
    *a, = x
    return a

def from_iter(x):
    a, *b, c = iter(x)
    return a, b, c

def nested(x):
    for a, *b in x:
        yield_ = (a, b)
    return yield_

CASES = [
    ('head_rest', ((1, 2, 3),), {}), ('head_rest', ([1],), {}), ('head_rest', ('xyz',), {}),
    ('head_rest', ((),), {}), ('head_rest', (5,), {}), ('from_iter', ([],), {}), ('from_iter', ('abc',), {}),
    ('rest_tail', ((1, 2, 3, 4),), {}), ('rest_tail', ((1, 2),), {}), ('rest_tail', ((1,),), {}),
    ('from_iter', (range(1),), {}), ('from_iter', (range(2),), {}),
    ('middle', (range(5),), {}), ('middle', ([1, 2],), {}), ('middle', ({7: 0},), {}),
    ('only', ((),), {}), ('only', ((1, 2),), {}), ('only', (None,), {}),
    ('nested', ([(1, 2, 3), (4,)],), {}), ('nested', ([(1,), ()],), {}),
]
