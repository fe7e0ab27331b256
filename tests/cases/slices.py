# Slicing: get, set and delete with open ends, negative bounds and steps, and the errors. On 2.7
# two-bound slices are their own opcodes (SLICE+k, STORE_SLICE+k, DELETE_SLICE+k), with
# __getslice__/__setslice__/__delslice__ semantics for the types that have them.


class Sliceable(object):
    """Records how it was sliced (slice objects on 3.x; 2.7 calls __getslice__ first)."""

    def __init__(self):
        self.seen = []

    def __getitem__(self, k):
        self.seen.append(('item', repr(k)))
        return 'item'

    def __getslice__(self, i, j):
        self.seen.append(('slice', i, j))
        return 'slice'

    def __setitem__(self, k, v):
        self.seen.append(('setitem', repr(k), v))

    def __delitem__(self, k):
        self.seen.append(('delitem', repr(k)))

    def __len__(self):
        return 10

    def __repr__(self):
        return 'Sliceable(%r)' % (self.seen,)


class Failing(object):
    def __getitem__(self, k):
        raise KeyError('no slicing %r' % (k,))

    def __repr__(self):
        return 'Failing()'


def slices(xs, i, j):
    return xs[i:j], xs[:j], xs[i:], xs[::2], xs[i:j:-1]

def open_slices(xs):
    return xs[:], xs[1:], xs[:-1]

def store_slice(xs, i, j):
    xs[i:j] = [0]
    return xs

def store_open(xs):
    xs[:] = 'ab'
    xs[1:] = [9]
    xs[:1] = (7,)
    return xs

def delete_slice(xs, i):
    del xs[i:]
    return xs

def delete_forms(xs, i, j):
    del xs[i:j]
    del xs[:1]
    del xs[:]
    return xs

def custom(s, i):
    r = s[i:-1], s[:], s[i:]
    s[1:2] = 'x'
    del s[:3]
    return r

def failing(f):
    return f[1:2]

class MyList(list):
    pass


def assign_values(xs, v):
    xs[1:2] = v
    return xs


CASES = [
    ('slices', ([0, 1, 2, 3, 4, 5], 1, 4), {}), ('slices', ('abcdef', -4, -1), {}), ('slices', ((1, 2, 3), 0, 10), {}),
    ('slices', (5, 1, 2), {}), ('slices', ([1, 2], 'a', None), {}),
    ('open_slices', ([1, 2, 3],), {}), ('open_slices', ('xyz',), {}), ('open_slices', (None,), {}),
    ('store_slice', ([1, 2, 3, 4], 1, 3), {}), ('store_slice', ((1, 2), 0, 1), {}),
    ('store_open', ([1, 2, 3],), {}), ('store_open', ('s',), {}),
    ('delete_slice', ([1, 2, 3], 1), {}), ('delete_slice', ('ab', 0), {}),
    ('delete_forms', (list(range(8)), 2, 4), {}), ('delete_forms', ([1], 'a', 2), {}),
    ('custom', (Sliceable(), 2), {}), ('custom', (Sliceable(), -3), {}),
    ('failing', (Failing(),), {}),
    # bounds past the machine word, negative, bool, and the sequences 2.7 slices directly
    ('slices', ([0, 1, 2, 3], -2 ** 70, 2 ** 70), {}), ('slices', ('abc', 2 ** 64, -1), {}),
    ('slices', ([0, 1, 2, 3], True, -1), {}), ('slices', (u'\xe9t\xe9', 1, 3), {}),
    ('slices', (MyList([1, 2, 3]), 1, 2), {}),
    ('store_slice', ([1, 2, 3, 4], -3, 2 ** 70), {}), ('store_slice', ([1, 2, 3, 4], 3, 1), {}),
    ('assign_values', ([1, 2, 3], (9, 8)), {}), ('assign_values', ([1, 2, 3], 'ab'), {}),
    ('assign_values', ([1, 2, 3], 5), {}), ('assign_values', ([1, 2, 3], None), {}),
    ('delete_slice', ([1, 2, 3, 4], -2 ** 70), {}), ('delete_slice', ((1, 2), 0), {}),
]
