# What Python code run by a compiled operation sees of its caller: the line being executed
# (warnings.warn(..., stacklevel=2) names it, and the module that owns it), for operator
# methods, properties, imports and a module-level __getattr__ (PEP 562) reached by
# `from m import x`.
import sys
import types
import warnings


class Warns(object):
    def __getitem__(self, k):
        warnings.warn('item %r' % (k,), UserWarning, stacklevel=2)
        return k

    def __add__(self, other):
        warnings.warn('add', UserWarning, stacklevel=2)
        return other

    def __repr__(self):
        return 'Warns()'

    @property
    def prop(self):
        warnings.warn('prop', UserWarning, stacklevel=2)
        return 7


def _warning_getattr(name):
    if name.startswith('old_'):
        warnings.warn('%s is deprecated' % name, DeprecationWarning, stacklevel=2)
        return name[4:]
    raise AttributeError(name)


deprecating = types.ModuleType('anyjit_case_deprecating')
deprecating.__getattr__ = _warning_getattr
sys.modules['anyjit_case_deprecating'] = deprecating


def _seen(caught):
    return [(str(m.message), m.category.__name__, m.lineno,
             m.filename == __file__ or m.filename.rstrip('co') == __file__.rstrip('co'))
            for m in caught]


def operators(w):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        a = 1
        b = w[a]
        c = w + b
        d = w.prop
    return (b, c, d), _seen(caught)


def deprecated_import(name):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        if name == 'x':
            from anyjit_case_deprecating import old_x as v
        else:
            from anyjit_case_deprecating import missing as v
    return v, _seen(caught)


def deprecated_import_error():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            from anyjit_case_deprecating import missing
        except ImportError as e:
            return 'ImportError', _seen(caught)
    return 'imported', _seen(caught)


CASES = [
    ('operators', (Warns(),), {}),
    ('deprecated_import', ('x',), {}),
    ('deprecated_import_error', (), {}),
]
