# Calls with *args and **kwargs (3.x CALL_FUNCTION_EX, 2.7 CALL_FUNCTION_VAR[_KW] and
# CALL_FUNCTION_KW), with the interpreter's errors for what cannot be unpacked.

def target(a, b=0, *rest, **kw):
    return (a, b, rest, sorted(kw.items()))

class Mapping(object):
    def keys(self):
        return ['b', 'c']
    def __getitem__(self, k):
        return k * 2
    def __repr__(self):
        return 'Mapping()'

def star_only(args):
    return target(*args)

def kw_only(kw):
    return target(**kw)

def star_both(args, kw):
    return target(*args, **kw)

def mixed(args, kw):
    return target(1, c=3, *args, **kw)

def kw_dup(kw):
    return target(b=1, **kw)

class Tup(tuple):
    pass

class Dct(dict):
    pass

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
    ('mixed', ((2, 5), {'d': 4}), {}), ('mixed', ((), {}), {}), ('mixed', ((), {'c': 1}), {}),
    ('mixed', (3, {}), {}), ('mixed', ((), 3), {}), ('mixed', (Tup((7,)), Dct(e=1)), {}),
    ('mixed', ([2], Mapping()), {}),
    ('kw_dup', ({'b': 2},), {}), ('kw_dup', ({'a': 2},), {}), ('kw_dup', (Dct(a=0),), {}),
    ('kw_only', (Dct(a=1),), {}), ('star_only', (Tup((1, 2)),), {}),
]
