# A global stored into a list item right after its load (`flags[j] = False`, where 2.7's False
# is a global) is pushed by the specialised code without a reference of its own (2.7: the
# dict's): nothing runs between the load and the store. Where the store is not the inline list
# store (another container, whose __setitem__ may rebind the global and drop the dict's
# reference) or a guard fails on the way, the value gets its reference first. MARK is a fresh
# list that only the globals dict holds, so that a missing reference would free it.
MARK = None


def reset():
    global MARK
    MARK = [7, 8]


class Rebinder(object):
    def __init__(self):
        self.got = []

    def __setitem__(self, k, v):
        reset()
        self.got.append((k, v))

    def __repr__(self):
        return 'Rebinder(%r)' % (self.got,)


def fill(xs, n):
    reset()
    for i in range(n):
        xs[i] = MARK
    return xs


def fill_indexed(xs, keys):
    reset()
    total = 0
    for k in keys:
        xs[k] = MARK
        total += 1
    return total, xs


CASES = [
    ('fill', ([0, 0], 2), {}),
    ('fill', (Rebinder(), 2), {}),
    ('fill_indexed', ([0, 0, 0], [0, 2]), {}),
]
import sys

# 2.7: the store takes the global's value borrowed (a borrowed move); 3.x pushes it owned
BORROWED = {'borrowed_moves': 1} if sys.version_info < (3,) else {}
SEQUENCES = [
    # lists only: the store inline, the global borrowed
    ('fill', [([0, 0, 0], 3), ([0] * 5, 5), ([0], 1)], BORROWED),
    # trained on lists: the store inline, then other containers fail its guard
    ('fill', [([0, 0, 0], 3), ([1, 2], 2), (Rebinder(), 3), ({}, 2), ([0] * 4, 4)], {}),
    # trained on a container that rebinds the global: the store generic
    ('fill', [(Rebinder(), 2), (Rebinder(), 3), ([0, 0], 2)], {}),
    # an index that is no int fails the store's guard with the value on the stack
    ('fill_indexed', [([0, 0, 0], [0, 1, 2]), ([0, 0, 0], [1, 'x']), ({}, ['a', 'b']),
                      (Rebinder(), [0, 1]), ([0, 0], [1, 0])], {}),
]
