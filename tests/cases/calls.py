# Calls (positional, keyword, defaults, methods, builtins), attributes, subscripts, globals and
# builtins, building tuples and lists, and the errors of each.

G = 10

def helper(a, b=2, c=3):
    return (a, b, c)

class Point(object):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm2(self):
        return self.x * self.x + self.y * self.y

def call_positional(x):
    return helper(x), helper(x, x), helper(x, x, x)

def call_keywords(x):
    return helper(x, c=9), helper(a=x), helper(x, b=1, c=2)

def call_errors(x):
    return helper(x, 1, 2, 3)

def call_kw_error(x):
    return helper(x, d=1)

def methods(s):
    return s.upper(), s.split(','), s.replace('a', 'b', 1)

def builtins(xs):
    return len(xs), max(xs), min(xs, key=abs), sorted(xs, reverse=True), abs(-len(xs))

def use_global(x):
    return x + G

def missing_global(x):
    return x + NOT_DEFINED_ANYWHERE

def attributes(x, y):
    p = Point(x, y)
    p.x = p.x + 1
    return p.norm2(), p.x, p.y

def attribute_error(x):
    return x.no_such_attribute

def subscripts(xs, i):
    a = xs[i]
    xs[i] = a * 2
    return a, xs[i], xs[-1]

def subscript_error(xs, i):
    return xs[i]

def build(a, b):
    t = (a, b, a)
    l = [b, a, [t]]
    return t, l, len(l)

def dicts(d, k):
    d[k] = len(d)
    return d[k], d

def unbound(flag):
    if flag:
        x = 1
    return x

CASES = [
    ('call_positional', (1,), {}), ('call_positional', ('s',), {}),
    ('call_keywords', (4,), {}), ('call_keywords', (None,), {}),
    ('call_errors', (1,), {}), ('call_kw_error', (1,), {}),
    ('methods', ('a,b,aa',), {}), ('methods', (3,), {}),
    ('builtins', ([3, -7, 2],), {}), ('builtins', ([],), {}),
    ('use_global', (5,), {}), ('use_global', ('s',), {}), ('missing_global', (1,), {}),
    ('attributes', (3, 4), {}), ('attributes', (0.5, 1), {}), ('attribute_error', (1,), {}),
    ('subscripts', ([1, 2, 3], 0), {}), ('subscripts', ([1, 2, 3], -1), {}), ('subscripts', ({0: 5, -1: 7}, 0), {}),
    ('subscript_error', ([1], 5), {}), ('subscript_error', ({}, 'k'), {}), ('subscript_error', (3, 0), {}),
    ('build', (1, 'x'), {}), ('build', (None, []), {}),
    ('dicts', ({}, 'a'), {}), ('dicts', ({'a': 1}, 'b'), {}), ('dicts', ({}, []), {}),
    ('unbound', (True,), {}), ('unbound', (False,), {}),
]
