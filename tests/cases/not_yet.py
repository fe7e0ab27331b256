# Constructs the generic tier does not compile yet: strict mode must refuse them by name, and
# the default wrapper must give the interpreter's answers.
NOT_COMPILED = 'try/except, with, generators, bare raise'

def guarded(x):
    try:
        return 1 / x
    except ZeroDivisionError:
        return None

def gen(n):
    for i in range(n):
        yield i

def reraises(x):
    raise

CASES = [
    ('guarded', (2,), {}), ('guarded', (0,), {}),
    ('gen', (3,), {}),
    ('reraises', ('boom',), {}),
]
