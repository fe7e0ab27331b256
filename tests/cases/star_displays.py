# * and ** inside displays, after positional arguments and beside keywords (3.5 syntax): 3.9+
# LIST_EXTEND, SET_UPDATE, DICT_UPDATE, DICT_MERGE, LIST_TO_TUPLE; 3.6-3.8
# BUILD_{TUPLE,LIST,SET,MAP}_UNPACK[_WITH_CALL].
MIN_VERSION = (3, 5)

def target(a, b=0, *rest, **kw):
    return (a, b, rest, sorted(kw.items()))

def star_after(args):
    return target(1, *args)

class Mapping(object):
    def __init__(self, keys):
        self._keys = keys
    def keys(self):
        return self._keys
    def __getitem__(self, k):
        return k * 2
    def __repr__(self):
        return 'Mapping(%r)' % (self._keys,)

def keyword_and_kw(kw):
    return target(1, c=3, **kw)

def two_kw(k1, k2):
    return target(**k1, **k2)

def star_kw_mix(a, b, m):
    return target(*a, 5, *b, x=1, **m)

def displays(a, b):
    return [*a, *b], sorted({*a, *b}), (*a, 0)

def dict_display(a, b):
    return sorted({**a, **b}.items())

CASES = [
    ('keyword_and_kw', ({'d': 4},), {}), ('keyword_and_kw', ({'c': 4},), {}), ('keyword_and_kw', (None,), {}),
    ('keyword_and_kw', (Mapping(['b', 'e']),), {}), ('keyword_and_kw', (Mapping(['c']),), {}),
    ('keyword_and_kw', ({1: 2},), {}), ('keyword_and_kw', (Mapping([]),), {}),
    ('two_kw', ({'a': 1}, {'b': 2}), {}), ('two_kw', ({'a': 1}, {'a': 2}), {}), ('two_kw', ({'a': 1}, []), {}),
    ('two_kw', (Mapping(['a']), Mapping(['a'])), {}), ('two_kw', ({}, {}), {}),
    ('star_kw_mix', ((1,), [2], {'y': 2}), {}), ('star_kw_mix', ((), 3, {}), {}),
    ('star_kw_mix', ((1,), [], {'x': 2}), {}), ('star_kw_mix', ((1,), (), 4), {}),
    ('star_after', ((2, 3),), {}), ('star_after', (None,), {}), ('star_after', ('',), {}),
    ('displays', ([1, 2], (3,)), {}), ('displays', ('ab', [1]), {}), ('displays', ([1], 7), {}),
    ('displays', (None, []), {}),
    ('dict_display', ({'a': 1}, {'b': 2}), {}), ('dict_display', ({'a': 1}, 5), {}),
    ('dict_display', ({}, [('k', 1)]), {}), ('dict_display', ({'a': 1}, {'a': 2}), {}),
]
