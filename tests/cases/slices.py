# Slicing: get, set and delete with open ends, negative bounds and steps, and the errors.
# 2.7's SLICE+n opcodes (with __getslice__ semantics) are not compiled yet.
NOT_COMPILED_BEFORE = ((3, 0), "2.7's SLICE+n, STORE_SLICE+n and DELETE_SLICE+n")

def slices(xs, i, j):
    return xs[i:j], xs[:j], xs[i:], xs[::2], xs[i:j:-1]

def store_slice(xs, i, j):
    xs[i:j] = [0]
    return xs

def delete_slice(xs, i):
    del xs[i:]
    return xs

CASES = [
    ('slices', ([0, 1, 2, 3, 4, 5], 1, 4), {}), ('slices', ('abcdef', -4, -1), {}), ('slices', ((1, 2, 3), 0, 10), {}),
    ('slices', (5, 1, 2), {}), ('slices', ([1, 2], 'a', None), {}),
    ('store_slice', ([1, 2, 3, 4], 1, 3), {}), ('store_slice', ((1, 2), 0, 1), {}),
    ('delete_slice', ([1, 2, 3], 1), {}), ('delete_slice', ('ab', 0), {}),
]
