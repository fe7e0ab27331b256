# Calls with *args and **kwargs (CALL_FUNCTION_EX, 3.6+; 3.5 syntax), with the interpreter's
# errors for what cannot be unpacked.
MIN_VERSION = (3, 5)

def target(a, b=0, *rest, **kw):
    return (a, b, rest, sorted(kw.items()))

class Mapping(object):
    def keys(self):
        return ['b', 'c']
    def __getitem__(self, k):
        return k * 2

def star_only(args):
    return target(*args)

def kw_only(kw):
    return target(**kw)

def star_both(args, kw):
    return target(*args, **kw)

def gen_args(n):
    return target(*(i * i for i in range(n)))

def mapping_kw():
    return target(1, **Mapping())

CASES = [
    ('star_only', ((1, 2, 3),), {}), ('star_only', ([4],), {}), ('star_only', ('xy',), {}),
    ('star_only', (5,), {}), ('star_only', ((),), {}), ('star_only', (None,), {}),
    ('kw_only', ({'a': 1, 'z': 2},), {}), ('kw_only', ({'b': 1},), {}), ('kw_only', ([('a', 1)],), {}),
    ('kw_only', (3,), {}), ('kw_only', ({1: 2},), {}),
    ('star_both', ((1,), {'c': 3}), {}), ('star_both', ((1, 2), {'b': 3}), {}), ('star_both', (7, 8), {}),
    ('gen_args', (3,), {}), ('gen_args', (0,), {}),
    ('mapping_kw', (), {}),
]
