# Branches and loops: if/elif/else, while/for with else, break and continue, nested loops,
# iteration over any iterable, and a slow loop the eval breaker must see.

def sign(x):
    if x > 0:
        return 1
    elif x < 0:
        return -1
    else:
        return 0

def ternary(x):
    return 'big' if x > 100 else 'small'

def count_down(n):
    out = []
    while n > 0:
        out.append(n)
        n -= 1
    else:
        out.append('done')
    return out

def first_multiple(xs, k):
    for x in xs:
        if x % k == 0:
            result = x
            break
    else:
        result = None
    return result

def skip_odd(xs):
    total = 0
    for x in xs:
        if x % 2:
            continue
        total += x
    return total

def nested(n):
    pairs = []
    for i in range(n):
        for j in range(i):
            if (i + j) % 3 == 0:
                continue
            if j > 3:
                break
            pairs.append((i, j))
    return pairs

def while_break(n):
    i = 0
    while True:
        i += 1
        if i * i > n:
            break
    return i

def iterate(obj):
    out = []
    for item in obj:
        out.append(item)
    return out

def not_iterable(x):
    for item in x:
        return item

def sum_range(n):
    total = 0
    for i in range(n):
        total += i
    return total

def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

CASES = [
    ('sign', (5,), {}), ('sign', (-3,), {}), ('sign', (0,), {}), ('sign', (0.0,), {}), ('sign', ('a',), {}),
    ('ternary', (5,), {}), ('ternary', (500,), {}),
    ('count_down', (3,), {}), ('count_down', (0,), {}),
    ('first_multiple', ([1, 3, 7, 9, 10], 5), {}), ('first_multiple', ([1, 2], 7), {}), ('first_multiple', ([], 2), {}),
    ('skip_odd', (list(range(20)),), {}), ('skip_odd', ([],), {}),
    ('nested', (8,), {}), ('nested', (0,), {}),
    ('while_break', (50,), {}), ('while_break', (0,), {}),
    ('iterate', ('abc',), {}), ('iterate', ({1: 2, 3: 4},), {}), ('iterate', ((1, 2),), {}), ('iterate', (range(4),), {}),
    ('not_iterable', (5,), {}), ('not_iterable', (None,), {}),
    ('sum_range', (1000,), {}), ('sum_range', (0,), {}),
    ('collatz', (27,), {}), ('collatz', (1,), {}),
]
