# Attribute loads and stores of the optimising tier, cached per site against the class's
# version tag (3.11+: the instance's attribute values at their index; up to 3.10: loads from
# the instance dict). Each case runs a loop, so that a site answers from its cache after the
# first iteration, and changes something mid-loop that the cache must notice: the class (a
# property, __getattr__, __setattr__ added), the instance (attributes deleted, its __dict__
# made or replaced, many attributes), or the class seen at the site. Values, exceptions and
# the order in which replaced values die must come out as in the interpreter.
import sys

LOG = []


class Noisy(object):
    def __init__(self, tag):
        self.tag = tag

    def __del__(self):
        LOG.append('del %s' % (self.tag,))


class P(object):
    kind = 'class-attr'

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def method(self):
        return 'method'


class Q(object):
    def __init__(self, x):
        self.y = 'q'
        self.x = x


class Slotted(object):
    __slots__ = ('x', 'y')

    def __init__(self, x, y):
        self.x = x
        self.y = y


class R(object):
    def __init__(self, x):
        self.x = x

    def method(self):
        return ('class', self.x)

    def other(self):
        return 'other'


class Old:
    def __init__(self, x):
        self.x = x


def loads(n):
    p = P(1, 2)
    out = []
    for i in range(n):
        p.x = i
        out.append((p.x, p.y, p.kind))
    return out


def missing_then_class(n):
    # an attribute the instance lacks comes from the class; deleted ones raise
    p = P(1, 2)
    out = []
    for i in range(n):
        if i == 2:
            p.kind = 'own'
        if i == 4:
            del p.kind
        if i == 5:
            del p.y
        try:
            out.append((p.kind, p.y))
        except AttributeError as e:
            out.append(str(e))
    return out


def shadowing(n):
    p = P(1, 2)
    out = []
    for i in range(n):
        if i == 2:
            p.method = lambda: 'instance'
        if i == 4:
            del p.method
        out.append(p.method())
        f = p.method
        out.append(f())
    return out


def _c_init(self):
    self.a = 1
    self.b = 2


def class_changes(n):
    # (a fresh class per call: compiled code does not run class bodies yet)
    C = type('C', (object,), {'__init__': _c_init})
    c = C()
    out = []
    for i in range(n):
        if i == 2:
            C.a = property(lambda self: 'property')
        if i == 4:
            del C.a
        if i == 5:
            C.__getattr__ = lambda self, name: 'getattr ' + name
        if i == 6:
            del c.b
        if i == 7:
            C.__setattr__ = lambda self, name, v: object.__setattr__(self, name, v * 10)
        c.b = i
        out.append((c.a, c.b))
        try:
            out.append(c.zzz)
        except AttributeError as e:
            out.append(str(e))
    return out


def dict_made(n):
    p = P(1, 2)
    out = []
    for i in range(n):
        p.x = i
        if i == 2:
            d = p.__dict__
            out.append(sorted(d.items()))
        if i == 3:
            d['y'] = 'via dict'
        if i == 5:
            p.__dict__ = {'x': 'new dict', 'y': 0}
        out.append((p.x, p.y))
        if i >= 2:
            out.append(sorted(p.__dict__.items()))
    return out


def many_attributes(n):
    p = P(0, 0)
    out = []
    for i in range(n):
        setattr(p, 'a%d' % i, i)
        p.x = i
        out.append((p.x, p.y, len(vars(p))))
    return out


def polymorphic(n):
    objs = [P(1, 2), Q(3), Slotted(4, 5), P('a', 'b'), Q('c')]
    if sys.version_info[0] == 2:
        objs.append(Old(6))
    out = []
    for i in range(n):
        o = objs[i % len(objs)]
        o.x = (o.x, i) if i < len(objs) else o.x
        out.append((type(o).__name__, o.x))
    return out


def replaced_values_die(n):
    del LOG[:]
    p = P(Noisy('first'), 0)
    for i in range(n):
        p.x = Noisy(i)
        LOG.append('stored %d' % i)
    del p
    out = list(LOG)
    del LOG[:]
    return out


def store_errors(n):
    s = Slotted(1, 2)
    out = []
    for i in range(n):
        try:
            if i == 3:
                s.z = 1
            s.x = i
            out.append(s.x)
            if i == 4:
                del s.x
            out.append(s.x)
        except AttributeError as e:
            out.append(str(e))
    return out


R_METHOD, R_OTHER = R.__dict__['method'], R.__dict__['other']


def _replaced(self):
    return ('replaced', self.x)


def methods(n):
    # LOAD_METHOD: the class's function unless the instance has an attribute of that name
    a, b, s = R(1), R(2), Slotted(3, 4)
    out = []
    R.method, R.other = R_METHOD, R_OTHER
    for i in range(n):
        if i == 2:
            b.method = lambda: 'b own'
        if i == 3:
            a.extra = i
        if i == 4:
            a.method = lambda: 'a own'
        if i == 5:
            del a.method
        if i == 6:
            R.method = _replaced
        if i == 7:
            a.__dict__['method'] = lambda: 'a via dict'
        if i == 8:
            del R.other
        try:
            out.append((a.method(), b.method(), a.other(), s.__class__.__name__))
        except AttributeError as e:
            out.append(str(e))
    return out


def _m(self):
    return ('class m', self.a)


def method_keys_grow(n):
    # a method load planned while the class's shared keys lack the name; then an instance
    # gets an attribute of that name (the keys grow), and another instance too
    C = type('C', (object,), {'__init__': _c_init, 'm': _m})
    c, d = C(), C()
    out = []
    for i in range(n):
        if i == 2:
            d.m = lambda: 'd own'
        if i == 4:
            c.m = lambda: 'c own'
        if i == 6:
            del c.m
        out.append((c.m(), d.m()))
    return out


def insertion_order(n):
    # attributes set on fresh instances in varying order, the first ones known to the class's
    # shared keys: the instance dict (and vars) lists them in the order they were set
    out = []
    for i in range(n):
        p = P.__new__(P)
        if i % 2:
            p.y = i
            p.x = -i
        else:
            p.x = i
            p.y = -i
        if i % 3 == 0:
            p.kind = 'own'
        out.append(list(vars(p).items()))
        p.x = 'again'
        del p.y
        p.y = 'last'
        out.append(list(vars(p).items()))
    return out


CASES = [
    ('method_keys_grow', (8,), {}),
    ('insertion_order', (6,), {}),
    ('methods', (10,), {}),
    ('loads', (5,), {}),
    ('missing_then_class', (7,), {}),
    ('shadowing', (6,), {}),
    ('class_changes', (9,), {}),
    ('dict_made', (7,), {}),
    ('many_attributes', (40,), {}),
    ('polymorphic', (12,), {}),
    ('replaced_values_die', (5,), {}),
    ('store_errors', (6,), {}),
]
