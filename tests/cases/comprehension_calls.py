# Comprehensions run compiled. Up to 3.11 a list, set or dict comprehension is a function of its
# own (2.7: set and dict comprehensions) that the code makes and calls at once with its
# iterator; the optimised code of a compiled function compiles that function's code too and
# runs it natively in a frame of its own code, as the interpreter would make for it. These
# cases give the shapes that matter: free variables (the enclosing function's locals, read and
# rebound between calls), cells of the comprehension itself (a nested comprehension or a lambda
# capturing its loop variable), conditions, nested loops, iterables of every kind, exceptions
# raised inside (the traceback's comprehension frame and its locals are compared), calls to
# compiled functions and generator expressions inside, and comprehensions run often enough to be
# optimised and specialised themselves, then given other types.
import anyjit


def scaled(xs, k):
    return [x * k for x in xs]


def filtered(xs, lo, hi):
    return [x for x in xs if lo <= x < hi]


def sets_and_dicts(xs):
    squares = {x * x for x in xs}
    index = {x: i for i, x in enumerate(xs)}
    inverted = dict((v, k) for k, v in index.items())
    return sorted(squares), sorted(index.items()), sorted(inverted.items())


def nested_loops(xs, ys):
    return [(x, y) for x in xs if x % 2 for y in ys if y != x]


def nested_comprehensions(n):
    # the outer comprehension's loop variable is a cell of its own, which the inner one reads
    return [[i * j for j in range(i)] for i in range(n)]


def captured(xs):
    fs = [lambda: x * 2 for x in xs]
    gs = [(lambda y: lambda: y + 1)(x) for x in xs]
    return [f() for f in fs] + [g() for g in gs]


def iterables(d, s, t):
    return ([k for k in d], [c.upper() for c in s], [v for v in t],
            [p for p in (i * i for i in range(5))], sorted({k: v for k, v in d.items()}.items()))


def enclosing(n):
    base = n * 10
    first = [base + i for i in range(3)]
    base = -base
    second = {i: base for i in range(2)}
    return first, sorted(second.items())


def helper(v):
    return v + 100


compiled_helper = anyjit.jit(helper)


def calls_inside(xs):
    return [compiled_helper(x) for x in xs] + [len(str(x)) for x in xs]


def generator_inside(rows):
    return [sum(v for v in row if v > 0) for row in rows]


def raises_inside(xs):
    total = 0
    for x in xs:
        total += x
    return [total // (x - 2) for x in xs]


def raises_nested(n):
    return [[10 // (i - j) for j in range(n)] for i in range(n)]


def raises_in_condition(xs):
    return {x: x for x in xs if x.real > 0}


def raises_in_iterable(n):
    return [x for x in n]


def stop_iteration_escapes(xs):
    it = iter(xs)
    return [next(it) for _ in range(len(xs) + 1)]


def shadowing(x):
    # the comprehension's x is its own; the enclosing one is untouched
    y = [x for x in range(3)]
    return x, y


def hot_loop(n):
    total = 0
    for r in range(n):
        squares = [x * x for x in range(r % 7 + 3)]
        odd = {s for s in squares if s & 1}
        total += len(odd) + sum(squares)
    return total


def typed_then_other(xs, k):
    acc = []
    for _ in range(20):
        acc.append([x * k + 1 for x in xs])
    return acc[-1]


# (every case's function but raises_in_iterable, whose iterable fails before the call)
NATIVE_COMPREHENSIONS = [
    'scaled', 'filtered', 'sets_and_dicts', 'nested_loops', 'nested_comprehensions', 'captured',
    'iterables', 'enclosing', 'calls_inside', 'generator_inside', 'raises_inside',
    'raises_nested', 'raises_in_condition', 'stop_iteration_escapes', 'shadowing', 'hot_loop',
]

CASES = [
    ('scaled', ([1, 2, 3], 4), {}), ('scaled', ([], 4), {}), ('scaled', (['a', 'b'], 2), {}),
    ('filtered', (list(range(20)), 5, 9), {}),
    ('sets_and_dicts', ([3, 1, 2, 3],), {}),
    ('nested_loops', ([1, 2, 3], [1, 2]), {}),
    ('nested_comprehensions', (5,), {}),
    ('captured', ([1, 2, 3],), {}),
    ('iterables', ({'a': 1, 'b': 2}, 'xyz', (4, 5)), {}),
    ('enclosing', (3,), {}),
    ('calls_inside', ([1, 22, 333],), {}),
    ('generator_inside', ([[1, -2, 3], [], [-1]],), {}),
    ('raises_inside', ([1, 2, 3],), {}),
    ('raises_nested', (3,), {}),
    ('raises_in_condition', ([1, 2, 'x'],), {}),
    ('raises_in_iterable', (5,), {}),
    ('stop_iteration_escapes', ([1, 2],), {}),
    ('shadowing', ('outer',), {}),
    ('hot_loop', (50,), {}),
]

SEQUENCES = [
    # the comprehensions' own code is optimised and specialised for ints after their first
    # calls, then gets floats and strings (its guards fail and its generic code takes over)
    ('typed_then_other', [([1, 2, 3], 2), ([4, 5], 3), ([1.5, 2.5], 2), (['a'], 2),
                          ([7, 8], 1)], {'comprehensions': 60}),
    ('hot_loop', [(40,), (40,), (40,)], {'comprehensions': 160}),
    ('raises_inside', [([1, 3],), ([1, 2, 3],), ([4, 5],), ([2],)], {'comprehensions': 3}),
]
