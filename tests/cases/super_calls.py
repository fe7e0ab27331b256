# Zero-argument super(): the interpreter finds the class and the instance in the calling frame
# (its `__class__` cell and first argument); compiled code, whose frame holds neither, gives
# the builtin `super` both itself (3.6–3.11 at the call, 3.12+ `LOAD_SUPER_ATTR` has them on
# the stack), with the interpreter's errors: no positional argument, the instance rebound (to
# something else or another instance), the instance captured by a closure (a cell), a
# cooperative diamond, classmethods, attributes and methods, the two-argument form, a `super`
# that is not the builtin (rebound in the module the function runs in).
MIN_VERSION = (3, 0)


class Base(object):
    label = 'base'

    def __init__(self, x):
        self.x = x

    def m(self, v):
        return ('Base', v)

    @classmethod
    def make(cls, v):
        return (cls.__name__, v)

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, vars(self))


class Child(Base):
    label = 'child'

    def __init__(self, x, y):
        super().__init__(x)
        self.y = y

    def m(self, v):
        return super().m(v + 1)

    def attr(self):
        return super().label, self.label

    def missing(self):
        return super().nothing_here

    def rebound(self, other):
        self = other
        return super().m(1)

    def captured(self):
        get = lambda: self.x
        return super().m(get())

    def captured_rebound(self, other):
        get = lambda: self
        self = other
        return super().m(get())

    def bound(self):
        s = super()
        return s.m(3), type(s).__name__, s.__self__ is self, s.__thisclass__ is Child

    def two_args(self):
        return super(Child, self).m(5)

    def twice(self, n):
        out = []
        for i in range(n):
            out.append(super().m(i))
        return out

    @classmethod
    def make(cls, v):
        return ('Child', super().make(v))

    def noargs():
        return super().m(1)

    def varargs_only(*args):
        return super().m(args)

    def keyword_only(*, k):
        return super().m(k)


class Left(Base):
    def m(self, v):
        return ('Left', super().m(v))


class Right(Base):
    def m(self, v):
        return ('Right', super().m(v))


class Diamond(Left, Right):
    def m(self, v):
        return ('Diamond', super().m(v))


class Other(object):
    def __repr__(self):
        return 'Other()'


def child(x, y):
    return Child(x, y)


child_m = Child.m
child_attr = Child.attr
child_missing = Child.missing
child_rebound = Child.rebound
child_captured = Child.captured
child_captured_rebound = Child.captured_rebound
child_bound = Child.bound
child_two_args = Child.two_args
child_twice = Child.twice
child_make = Child.make.__func__
child_noargs = Child.noargs
child_varargs_only = Child.varargs_only
child_keyword_only = Child.keyword_only
diamond_m = Diamond.m
left_m = Left.m

# a module whose `super` is not the builtin: called without arguments, as the code says
_ns = {}
exec('''
def super(*args):
    return ('not the builtin', args)

class Shadowed:
    def m(self):
        return super()

    def __repr__(self):
        return 'Shadowed()'
''', _ns)
shadowed_m = _ns['Shadowed'].m
Shadowed = _ns['Shadowed']

CASES = [
    ('child', (1, 2), {}),
    ('child_m', (Child(1, 2), 1), {}),
    ('child_m', (Child(1, 2), 'x'), {}),
    ('child_m', (Base(0), 1), {}),
    ('child_m', (Other(), 1), {}),
    ('child_attr', (Child(1, 2),), {}),
    ('child_missing', (Child(1, 2),), {}),
    ('child_rebound', (Child(1, 2), Child(3, 4)), {}),
    ('child_rebound', (Child(1, 2), Other()), {}),
    ('child_captured', (Child(5, 6),), {}),
    ('child_captured_rebound', (Child(1, 2), Child(3, 4)), {}),
    ('child_captured_rebound', (Child(1, 2), Other()), {}),
    ('child_bound', (Child(1, 2),), {}),
    ('child_two_args', (Child(1, 2),), {}),
    ('child_twice', (Child(1, 2), 4), {}),
    ('child_make', (Child, 7), {}),
    ('child_make', (Diamond, 7), {}),
    ('child_noargs', (), {}),
    ('child_varargs_only', (Child(1, 2), 3), {}),
    ('child_varargs_only', (), {}),
    ('child_keyword_only', (), {'k': 1}),
    ('diamond_m', (Diamond(0), 1), {}),
    ('left_m', (Diamond(0), 2), {}),
    ('left_m', (Left(0), 2), {}),
    ('shadowed_m', (Shadowed(),), {}),
]


class Forwards(Base):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.forwarded = (args, sorted(kwargs))

    def m(self, *args):
        return ('Forwards', super().m(*args))


def forwards(*args, **kwargs):
    return Forwards(*args, **kwargs)


forwards_m = Forwards.m

CASES += [
    ('forwards', (1,), {}),
    ('forwards', (), {'x': 2}),
    ('forwards', (1, 2), {}),
    ('forwards_m', (Forwards(0), 4), {}),
    ('forwards_m', (Forwards(0),), {}),
]


class Nested(Base):
    def outer(self):
        def inner(x):
            # the inner function's first argument is what super() gets
            return super().m(x)
        return inner

    @staticmethod
    def static():
        return super().m(1)

    @staticmethod
    def static_arg(x):
        return super().m(x)


nested_inner = Nested(0).outer()
nested_static = Nested.static
nested_static_arg = Nested.static_arg

CASES += [
    ('nested_inner', (Nested(1),), {}),
    ('nested_inner', (5,), {}),
    ('nested_static', (), {}),
    ('nested_static_arg', (Nested(2),), {}),
    ('nested_static_arg', ('x',), {}),
]


def _not_a_class():
    __class__ = 5

    def f(self):
        # the `__class__` cell holds no type
        return super().m(1)
    return f


def _ordered_dict_class():
    import collections
    __class__ = collections.OrderedDict()

    def f(self):
        return super()
    return f


not_a_class = _not_a_class()
ordered_dict_class = _ordered_dict_class()

CASES += [
    ('not_a_class', (Child(1, 2),), {}),
    ('ordered_dict_class', (Child(1, 2),), {}),
]
