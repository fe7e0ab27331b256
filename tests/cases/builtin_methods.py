# Methods of builtin types called as methods (`s.add(x)`): on 3.11+ the optimised code calls a
# method descriptor's C function itself where the interpreter's specialised CALL does (self of
# exactly the descriptor's type; METH_NOARGS, METH_O, METH_FASTCALL with or without keywords),
# inside the thread's C recursion budget; everything else (a subclass, other flags, a wrong
# argument count, keywords) takes the generic call. Every version runs the cases.


class MySet(set):
    pass


class DoublingSet(set):
    def add(self, x):
        set.add(self, x * 2)


def set_methods(xs):
    s = set()
    for x in xs:
        s.add(x)
        s.discard(-x)
    s.remove(xs[0])
    t = s.copy()
    t.clear()
    return sorted(s), len(t), s.isdisjoint(t), s.issubset(s)


def set_remove_missing(x):
    s = {1, 2}
    s.remove(x)
    return s


def list_methods(xs):
    l = list(xs)
    l.append(9)
    a = l.pop()
    b = l.pop(0)
    l.insert(0, 5)
    l.insert(-1, 6)
    l.extend(xs)
    l.reverse()
    return a, b, l.index(5), l.count(5), l


def list_pop_empty(n):
    l = list(range(n))
    return l.pop(), l.pop()


def list_index_missing(x):
    return [1, 2, 3].index(x)


def dict_methods(d):
    a = d.get('a')
    z = d.get('z', 0)
    q = d.setdefault('q', [])
    q.append(1)
    k = sorted(d.keys())
    p = d.pop('a')
    return a, z, k, p, sorted(d.items())


def dict_pop_missing(key):
    d = {'a': 1}
    return d.pop(key)


def str_methods(s):
    return (s.upper(), s.split(','), ','.join([s, s]), s.startswith('a'), s.count('a'),
            s.replace('a', 'b'), s.strip(), s.encode(), s.find('c'), s.partition(','))


def str_bad_argument(s):
    return ','.join(s)


def arity_errors(k):
    s = set()
    l = []
    try:
        if k == 0:
            s.add()
        elif k == 1:
            s.add(1, 2)
        elif k == 2:
            l.pop(1, 2, 3)
        elif k == 3:
            'x'.upper(1)
        elif k == 4:
            {}.keys(1)
        else:
            l.insert(1)
    except TypeError as e:
        return type(e).__name__, str(e)
    return 'no error'


def keywords(s):
    return s.split(sep=','), s.split(',', maxsplit=1), sorted([3, 1, 2], reverse=True)


def subclass_self(xs):
    m = MySet()
    d = DoublingSet()
    for x in xs:
        m.add(x)
        d.add(x)
    return sorted(m), sorted(d), type(m).__name__


def unbound_descriptor(xs):
    s = set()
    add = set.add
    for x in xs:
        add(s, x)
        set.add(s, -x)
    return sorted(s)


def descriptor_on_wrong_type(x):
    # a plain call of the descriptor: its own check of self's type
    return set.add(frozenset(), x)


def nested_repr(depth):
    l = []
    for _ in range(depth):
        l = [l]
    try:
        return len(repr(l))
    except RuntimeError as e:
        return type(e).__name__


def budget_kept(n):
    # thousands of direct calls leave the C recursion budget as they found it: a repr that
    # fits (or does not) still does (or does not)
    s = set()
    for i in range(n):
        s.add(i)
        s.discard(i - 1)
    return len(s), nested_repr(50), nested_repr(2500)


def rebinding_method(xs):
    # the same call site sees a method descriptor, then a Python function, then a builtin
    out = []
    for f in (set().add, xs.append, len):
        try:
            out.append(f(1))
        except TypeError as e:
            out.append(str(e))
    for o in (set(), MySet(), DoublingSet()):
        o.add(3)
        out.append(sorted(o))
    return out


CASES = [
    ('set_methods', ([1, 2, 3, -2, 2],), {}),
    ('set_methods', ([5],), {}),
    ('set_remove_missing', (3,), {}),
    ('set_remove_missing', ([],), {}),
    ('list_methods', ([1, 2, 3],), {}),
    ('list_pop_empty', (1,), {}),
    ('list_pop_empty', (2,), {}),
    ('list_index_missing', (7,), {}),
    ('dict_methods', ({'a': 1, 'b': 2},), {}),
    ('dict_pop_missing', ('b',), {}),
    ('dict_pop_missing', ([],), {}),
    ('str_methods', ('abc, a',), {}),
    ('str_bad_argument', ([1, 2],), {}),
    ('keywords', ('a,b,c',), {}),
    ('subclass_self', ([1, 2, 2],), {}),
    ('unbound_descriptor', ([1, 2],), {}),
    ('descriptor_on_wrong_type', (1,), {}),
    ('budget_kept', (3000,), {}),
    ('rebinding_method', ([],), {}),
]
CASES += [('arity_errors', (k,), {}) for k in range(6)]
