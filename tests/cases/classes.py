# Class statements inside compiled functions: LOAD_BUILD_CLASS (3.x) and BUILD_CLASS (2.7,
# whose metaclass comes from the namespace, the first base, the globals or the classic class
# type). The class bodies themselves run in the interpreter, as __build_class__ runs them.
import types


class Meta(type):
    def __new__(mcs, name, bases, ns):
        ns['made_by'] = 'Meta'
        return type.__new__(mcs, name, bases, ns)


def simple(x):
    class C(object):
        """A class made per call."""
        k = x * 2

        def get(self):
            return self.k + 1

    return C.__name__, C.__doc__, C().get(), type(C).__name__


def closure(x, base):
    y = x + 1

    class D(base):
        z = y * 10

        def both(self):
            return x, y, self.z

    return D().both(), D.__bases__ == (base,)


def decorated(tag):
    def deco(cls):
        cls.tag = tag
        return cls

    @deco
    class E(object):
        pass

    return E.tag


def with_meta_attr():
    class F(object):
        __metaclass__ = Meta

    return type(F).__name__, getattr(F, 'made_by', None)


def bad_base(b):
    class G(b):
        pass

    return G


def body_raises(x):
    class H(object):
        v = 1 // x

    return H.v


def old_style():
    class Old:
        a = 1

    return type(Old).__name__, Old.a


def _class_maker():
    class N:
        pass

    return type(N).__name__


# the globals' __metaclass__ (2.7), and builtins without __build_class__ (3.x)
meta_global = types.FunctionType(_class_maker.__code__,
                                 {'__metaclass__': type, '__builtins__': __builtins__,
                                  'type': type}, 'meta_global')
no_build_class = types.FunctionType(_class_maker.__code__, {'__builtins__': {'type': type}},
                                    'no_build_class')


def many(n):
    out = []
    for i in range(n):
        class K(object):
            v = i
        out.append(K.v)
    return out


CASES = [
    ('simple', (3,), {}), ('closure', (1, object), {}), ('closure', (2, Exception), {}),
    ('decorated', ('t',), {}), ('with_meta_attr', (), {}),
    ('bad_base', (5,), {}), ('bad_base', (None,), {}), ('bad_base', ('s',), {}),
    ('body_raises', (0,), {}), ('body_raises', (2,), {}),
    ('old_style', (), {}), ('meta_global', (), {}), ('no_build_class', (), {}),
    ('many', (3,), {}),
]
