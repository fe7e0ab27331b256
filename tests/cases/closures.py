# Closures, cells and free variables, nested functions and lambdas with defaults, and
# unbound cells raise as the interpreter does.

def adder(n):
    def add(x):
        return x + n
    return add(10), add(-1)

def counter(start):
    count = [start]
    def bump(by=1):
        count[0] += by
        return count[0]
    bump()
    bump(5)
    return count[0]

def captured_param(x, y):
    f = lambda k=2: x * k + y
    return f(), f(3)

def rebinding(n):
    total = n
    def get():
        return total
    total = total * 2
    return get()

def unbound_cell(flag):
    if flag:
        v = 1
    def read():
        return v
    return read()

def early_read():
    def read():
        return late
    r = read()
    late = 1
    return r

CASES = [
    ('adder', (5,), {}), ('adder', ('s',), {}),
    ('counter', (0,), {}), ('counter', (10,), {}),
    ('captured_param', (2, 1), {}), ('captured_param', ('a', 'b'), {}),
    ('rebinding', (4,), {}),
    ('unbound_cell', (True,), {}), ('unbound_cell', (False,), {}),
    ('early_read', (), {}),
]
