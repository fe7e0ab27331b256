# Constructs the generic tier does not compile yet: strict mode must refuse them by name, and
# the default wrapper must give the interpreter's answers.
NOT_COMPILED = 'generators'

def gen(n):
    for i in range(n):
        yield i

CASES = [
    ('gen', (3,), {}),
]
