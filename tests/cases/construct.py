# Instances of classes whose __init__ is compiled, constructed by compiled code. From the
# second call at a call site, the optimising tier allocates the instance with object.__new__
# and runs the compiled __init__ directly (no type.__call__, no trampoline), while the class's
# version tag, __new__ and __init__ stay as they were; check_wrapper.py checks that it happens.
# Results, the instances' reference counts, exceptions (an __init__ that raises or returns a
# value, wrong arguments), subclasses, classes changed mid-loop and classes the fast path must
# leave to type.__call__ (own __new__, abstract, another metaclass, old-style on 2.7) must come
# out as in the interpreter.
import abc
import sys
import traceback

import anyjit


class Point(object):
    made = 0

    def __init__(self, x, y):
        self.x = x
        self.y = y
        Point.made += 1


class Point3(Point):
    def __init__(self, x, y, z):
        Point.__init__(self, x, y)
        self.z = z


class Inherits(Point):
    pass


class Picky(object):
    def __init__(self, x):
        if x == 3:
            raise ValueError('no %d' % x)
        if x == 5:
            return x
        self.x = x


class OwnNew(object):
    def __new__(cls, x):
        o = object.__new__(cls)
        o.tag = 'new'
        return o

    def __init__(self, x):
        self.x = x


Abstract = abc.ABCMeta('Abstract', (object,), {'__init__': lambda self, x: None,
                                               'f': abc.abstractmethod(lambda self: 0)})


class Meta(type):
    def __call__(cls, *args):
        return ('meta', args)


WithMeta = Meta('WithMeta', (object,), {'__init__': lambda self, x: None})


class Old:
    def __init__(self, x):
        self.x = x


def init_a(self, x, y):
    self.x = ('a', x)
    self.y = y


def init_b(self, x, y):
    self.x = ('b', x)
    self.y = -y


for _cls in (Point, Point3, Picky, OwnNew, Old):
    _cls.__init__ = anyjit.jit(_cls.__dict__['__init__'], strict=True)
Abstract.__init__ = anyjit.jit(Abstract.__dict__['__init__'], strict=True)
WithMeta.__init__ = anyjit.jit(WithMeta.__dict__['__init__'], strict=True)
compiled_a = anyjit.jit(init_a, strict=True)
compiled_b = anyjit.jit(init_b, strict=True)
original_init = Point.__dict__['__init__']


def build(n):
    out = []
    start = Point.made
    for i in range(n):
        p = Point(i, -i)
        out.append((type(p).__name__, p.x, p.y, sys.getrefcount(p)))
    return out, Point.made - start


def build_sub(n):
    out = []
    for i in range(n):
        q = Point3(i, i + 1, i + 2)
        r = Inherits(i, 2 * i)
        out.append((type(q).__name__, q.x, q.y, q.z, type(r).__name__, r.x, r.y,
                    sys.getrefcount(q), sys.getrefcount(r)))
    return out


def picky(n):
    out = []
    for i in range(n):
        try:
            p = Picky(i)
            out.append(p.x)
        except (ValueError, TypeError) as e:
            tb = sys.exc_info()[2]
            out.append((type(e).__name__, str(e),
                        [name for _f, _l, name, _t in traceback.extract_tb(tb)]))
    return out


def wrong_args(n):
    out = []
    for i in range(n):
        try:
            if i % 3 == 0:
                p = Point(i)
            elif i % 3 == 1:
                p = Point(i, i, i)
            else:
                p = Point(i, i)
            out.append((p.x, p.y))
        except TypeError as e:
            out.append(str(e))
    return out


def rebound(n):
    out = []
    try:
        for i in range(n):
            if i == 3:
                Point.__init__ = compiled_a
            elif i == 5:
                Point.__init__ = init_b
            elif i == 7:
                Point.__init__ = compiled_b
            elif i == 9:
                del Point.__init__
            p = Point(i, 1) if i < 9 else Point()
            out.append((getattr(p, 'x', None), getattr(p, 'y', None)))
    finally:
        Point.__init__ = original_init
    return out


def not_fast(n):
    out = []
    for i in range(n):
        o = OwnNew(i)
        out.append((o.tag, o.x))
        out.append(WithMeta(i))
        try:
            Abstract(i)
        except TypeError as e:
            out.append(str(e).split(' with')[0])
        old = Old(i)
        out.append((type(old).__name__, old.x))
    return out


def swapped_class(n):
    # one call site, another class each time
    out = []
    for i in range(n):
        cls = (Point, Point3, Inherits, OwnNew)[i % 4]
        o = cls(i, 1) if cls is not Point3 and cls is not OwnNew else (
            cls(i, 1, 2) if cls is Point3 else cls(i))
        out.append((type(o).__name__, o.x))
    return out


CASES = [
    ('build', (6,), {}),
    ('build_sub', (5,), {}),
    ('picky', (7,), {}),
    ('wrong_args', (7,), {}),
    ('rebound', (11,), {}),
    ('not_fast', (4,), {}),
    ('swapped_class', (9,), {}),
]
