# f-strings with conversions and format specs (3.6+ syntax).
MIN_VERSION = (3, 6)

def fmt(x, w):
    return f'{x}|{x!r}|{x!s:>{w}}|{x!a}|{w:04d}'

def fmt_error(x):
    return f'{x:d}'

CASES = [
    ('fmt', ('é', 6), {}), ('fmt', (3.25, 8), {}), ('fmt', ([1], 3), {}),
    ('fmt_error', ('s',), {}), ('fmt_error', (5,), {}),
]
