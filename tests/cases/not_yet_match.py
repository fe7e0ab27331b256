# `match` statements (3.10+) are not compiled yet: strict mode must refuse them by name, and the
# default wrapper must give the interpreter's answers.
MIN_VERSION = (3, 10)
NOT_COMPILED = 'match statements'


def shape(x):
    match x:
        case [a, b]:
            return a + b
        case {'k': v}:
            return v
        case _:
            return None


CASES = [
    ('shape', ([1, 2],), {}),
    ('shape', ({'k': 3},), {}),
    ('shape', ('other',), {}),
]
