# Comprehensions and generator expressions. 2.7 inlines list comprehensions; 3.x up to 3.11
# makes each a nested function (created and called here; the optimised code runs it compiled,
# see comprehension_calls.py; a generator expression runs in the interpreter); 3.12 inlines
# list, set and dict comprehensions again behind an exception-table entry that restores the
# loop variable's outer binding.

def comprehensions(xs):
    doubled = [x * 2 for x in xs]
    evens = {x for x in xs if x % 2 == 0}
    index = {x: i for i, x in enumerate(xs)}
    gen = sum(x for x in xs)
    nested = [(a, b) for a in xs for b in xs if a < b]
    return doubled, sorted(evens), sorted(index.items()), gen, nested

def comprehension_error(xs):
    return [1 / x for x in xs]

CASES = [
    ('comprehensions', ([1, 2, 3, 4],), {}), ('comprehensions', ([],), {}),
    ('comprehension_error', ([1, 0],), {}), ('comprehension_error', (5,), {}),
]
