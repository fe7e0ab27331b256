# nonlocal (3.x syntax).
MIN_VERSION = (3, 0)

def accumulate(xs):
    total = 0
    def add(x):
        nonlocal total
        total += x
    for x in xs:
        add(x)
    return total

def keyword_only(a, *, k=3):
    def inner():
        return a * k
    return inner()

CASES = [
    ('accumulate', ([1, 2, 3],), {}), ('accumulate', ([],), {}), ('accumulate', (['a'],), {}),
    ('keyword_only', (2,), {}), ('keyword_only', (2,), {'k': 5}),
]
