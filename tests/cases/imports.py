# Imports inside functions: IMPORT_NAME (through the builtins' __import__, with the level the
# compiler chose: 2.7's implicit relative -1 here, as this file has no absolute_import) and
# IMPORT_FROM (attributes, a module-level __getattr__, the sys.modules fallback of circular
# imports, objects that are not modules), and their errors.
import sys
import types

LOG = []

# a module with a module-level __getattr__ (PEP 562: called on 3.7+, a plain attribute before)
lazy = types.ModuleType('anyjit_case_lazy')
lazy.present = 'here'


def _lazy_getattr(name):
    LOG.append(name)
    if name.startswith('made_'):
        return name[5:]
    raise AttributeError('lazy has no %r' % name)


lazy.__getattr__ = _lazy_getattr
sys.modules['anyjit_case_lazy'] = lazy

# a package half-way through its import: the submodule is in sys.modules, not yet an attribute
pkg = types.ModuleType('anyjit_case_pkg')
pkg.__file__ = '/nowhere/anyjit_case_pkg/__init__.py'
sys.modules['anyjit_case_pkg'] = pkg
sys.modules['anyjit_case_pkg.sub'] = types.ModuleType('anyjit_case_pkg.sub')


class NotAModule(object):
    """Stands in sys.modules for a module; its attribute reads leave a trace."""

    def __getattr__(self, name):
        LOG.append(name)
        if name == 'value':
            return 42
        raise AttributeError(name)


sys.modules['anyjit_case_obj'] = NotAModule()


def import_plain():
    import os
    return os.sep


def import_dotted():
    import os.path
    return os.path.basename('/a/b')


def import_as():
    import os.path as p
    return p.join('x', 'y')


def from_import():
    from os import path, sep
    return path.dirname('/a/b'), sep


def from_import_as():
    from collections import OrderedDict as OD
    from os.path import join as j
    return OD([(1, 2)]), j('u', 'v')


def import_twice(n):
    out = []
    for i in range(n):
        import math
        from math import sqrt
        out.append(sqrt(i * i) + math.floor(0.5))
    return out


def missing_module():
    import anyjit_no_such_module_here
    return anyjit_no_such_module_here


def missing_dotted():
    import os.anyjit_no_such_sub
    return os


def missing_name():
    from os import anyjit_no_such_name
    return anyjit_no_such_name


def missing_name_no_file():
    from anyjit_case_pkg import anyjit_nothing
    return anyjit_nothing


def guarded():
    try:
        import anyjit_no_such_module_either
    except ImportError as e:
        return 'missing', type(e).__name__, str(e)
    return 'found'


def from_lazy(name):
    del LOG[:]
    try:
        if name == 'present':
            from anyjit_case_lazy import present as v
        elif name == 'made_x':
            from anyjit_case_lazy import made_x as v
        else:
            from anyjit_case_lazy import absent as v
    except ImportError as e:
        return 'error', str(e), list(LOG)
    return v, list(LOG)


def from_circular():
    from anyjit_case_pkg import sub
    return sub.__name__


def from_object(name):
    del LOG[:]
    try:
        if name == 'value':
            from anyjit_case_obj import value as v
        else:
            from anyjit_case_obj import other as v
    except ImportError as e:
        return 'error', str(e), list(LOG)
    return v, list(LOG)


def relative():
    from . import anyjit_sibling
    return anyjit_sibling


def star_level(x):
    # an import whose module is computed at run time, for comparison
    m = __import__(x)
    return m.__name__


try:
    import builtins as _builtins
except ImportError:
    import __builtin__ as _builtins
_real_import = _builtins.__import__


def _logging_import(*args):
    # what the interpreter passes: name, globals, locals, fromlist[, level] (2.7 leaves the
    # level out when it is -1)
    LOG.append((args[0], args[2], args[3], args[4:], args[1] is CUSTOM))
    return _real_import(*args)


def _imports_math():
    del LOG[:]
    import math
    from os import sep
    return math.floor(2.5), sep, list(LOG)


# functions whose builtins have their own __import__, or none
CUSTOM = {'__builtins__': {'__import__': _logging_import, 'list': list}, 'LOG': LOG}
custom_import = types.FunctionType(_imports_math.__code__, CUSTOM, 'custom_import')
no_import = types.FunctionType(_imports_math.__code__, {'__builtins__': {}, 'LOG': LOG}, 'no_import')


# builtins that are no exact dict: globals and builtins are read through __getitem__ (3.x; 2.7
# reads dicts only, and replaces anything else by a minimal dict)
class _MissingBuiltins(dict):
    def __missing__(self, k):
        LOG.append(k)
        return getattr(_builtins, k)


class _MappingBuiltins(object):
    def __getitem__(self, k):
        LOG.append(k)
        try:
            return getattr(_builtins, k)
        except AttributeError:
            raise KeyError(k)


def _reads_builtins(x):
    del LOG[:]
    try:
        return len(x) + abs(-x[0]), anyjit_no_such_global_name
    except NameError as e:
        return 'NameError', str(e), list(LOG)


missing_builtins = types.FunctionType(_reads_builtins.__code__,
                                      {'__builtins__': _MissingBuiltins(), 'LOG': LOG},
                                      'missing_builtins')
mapping_builtins = types.FunctionType(_reads_builtins.__code__,
                                      {'__builtins__': _MappingBuiltins(), 'LOG': LOG},
                                      'mapping_builtins')


CASES = [
    ('missing_builtins', ([3, 4],), {}), ('mapping_builtins', ([3, 4],), {}),
    ('custom_import', (), {}), ('no_import', (), {}),
    ('import_plain', (), {}), ('import_dotted', (), {}), ('import_as', (), {}),
    ('from_import', (), {}), ('from_import_as', (), {}), ('import_twice', (3,), {}),
    ('missing_module', (), {}), ('missing_dotted', (), {}), ('missing_name', (), {}),
    ('missing_name_no_file', (), {}), ('guarded', (), {}),
    ('from_lazy', ('present',), {}), ('from_lazy', ('made_x',), {}), ('from_lazy', ('absent',), {}),
    ('from_circular', (), {}),
    ('from_object', ('value',), {}), ('from_object', ('other',), {}),
    ('relative', (), {}), ('star_level', ('os',), {}),
]
