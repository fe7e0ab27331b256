# anyjit's Python-side runtime helpers, executed once when anyjit is imported (2.7 and 3.6+).
#
# A compiled function is entered through a *trampoline*: a real Python function with exactly the
# original's signature (so CPython binds arguments, applies defaults and raises its own argument
# errors), whose body hands the bound parameters to the native code. Its code object carries the
# original's name, file, first line and line table, and is padded to at least the original's
# length: the native code points the trampoline frame's instruction pointer at the bytecode offset
# it is executing, so tracebacks, `f_lineno` and callers' views of the frame show the original
# function's real line (3.11+ carets included).
import sys
import types

V = sys.version_info[:2]
NOP = None
try:
    import opcode as _opcode
    NOP = _opcode.opmap['NOP']
except Exception:
    pass

CO_VARARGS = 4
CO_VARKEYWORDS = 8


def params(code, defaults, kwdefaults):
    """Source text of a signature equal to `code`'s, and the names in co_varnames order."""
    names = code.co_varnames
    argc = code.co_argcount
    posonly = getattr(code, 'co_posonlyargcount', 0)
    kwonly = getattr(code, 'co_kwonlyargcount', 0)
    n_def = len(defaults or ())
    parts = []
    for i, name in enumerate(names[:argc]):
        if i >= argc - n_def:
            parts.append('%s=None' % name)
        else:
            parts.append(name)
        if posonly and i + 1 == posonly:
            parts.append('/')
    order = list(names[:argc])
    idx = argc
    kw_names = names[idx:idx + kwonly]
    idx += kwonly
    if code.co_flags & CO_VARARGS:
        parts.append('*' + names[idx])
        order_var = [names[idx]]
        idx += 1
    else:
        order_var = []
        if kwonly:
            parts.append('*')
    for name in kw_names:
        if kwdefaults and name in kwdefaults:
            parts.append('%s=None' % name)
        else:
            parts.append(name)
    if code.co_flags & CO_VARKEYWORDS:
        parts.append('**' + names[idx])
        order_kw = [names[idx]]
        idx += 1
    else:
        order_kw = []
    # co_varnames order: positional, keyword-only, *args, **kwargs
    ordered = order + list(kw_names) + order_var + order_kw
    return ', '.join(parts), ordered


def trampoline(func, call):
    """The trampoline of `func`, entering `call(*parameters)` (its compiled code's entry)."""
    code = func.__code__
    defaults = func.__defaults__
    kwdefaults = getattr(func, '__kwdefaults__', None)
    for name in code.co_varnames[:code.co_argcount]:
        if not isinstance(name, str) or name.startswith('.'):
            return None, '2.7 tuple parameters'
    sig, ordered = params(code, defaults, kwdefaults)
    tramp = None
    # The trampoline has a local of each of the original's (its parameters, then its other
    # locals, cells and free variables, in the order the original's frame shows them), which
    # its code never binds: an activation that ends with an exception leaves its locals there,
    # where tracebacks, post-mortem debuggers and `f_locals` look for them. Where the compiler
    # would not lay them out so (a name it cannot take), the trampoline has its parameters
    # only.
    names = list(code.co_varnames)
    for name in code.co_cellvars + code.co_freevars:
        if name not in names:
            names.append(name)
    rest = names[len(ordered):]
    if rest and all(_plain_local(n) for n in rest):
        tramp = _trampoline_function(code, call, sig, ordered, rest)
        if tramp is not None and tramp.__code__.co_varnames != tuple(names):
            tramp = None
    if tramp is None:
        tramp = _trampoline_function(code, call, sig, ordered, [])
    tcode = tramp.__code__
    body = tcode.co_code
    unit = 1 if V < (3, 6) else 2
    pad = max(0, len(code.co_code) - len(body)) // unit
    filler = (chr(NOP) if V < (3, 0) else bytes([NOP, 0][:unit])) * pad
    body = body + filler
    if hasattr(tcode, 'replace'):
        kw = dict(co_code=body, co_name=code.co_name, co_filename=code.co_filename,
                  co_firstlineno=code.co_firstlineno)
        if V >= (3, 10):
            kw['co_linetable'] = code.co_linetable
        else:
            kw['co_lnotab'] = code.co_lnotab
        if V >= (3, 11):
            kw['co_qualname'] = code.co_qualname
        new = tcode.replace(**kw)
    elif V >= (3, 0):
        new = types.CodeType(tcode.co_argcount, tcode.co_kwonlyargcount, tcode.co_nlocals,
                             tcode.co_stacksize, tcode.co_flags, body, tcode.co_consts,
                             tcode.co_names, tcode.co_varnames, code.co_filename, code.co_name,
                             code.co_firstlineno, code.co_lnotab, tcode.co_freevars,
                             tcode.co_cellvars)
    else:
        new = types.CodeType(tcode.co_argcount, tcode.co_nlocals, tcode.co_stacksize,
                             tcode.co_flags, body, tcode.co_consts, tcode.co_names,
                             tcode.co_varnames, code.co_filename, code.co_name,
                             code.co_firstlineno, code.co_lnotab, tcode.co_freevars,
                             tcode.co_cellvars)
    wrapper = types.FunctionType(new, func.__globals__, func.__name__, defaults, tramp.__closure__)
    if kwdefaults is not None:
        wrapper.__kwdefaults__ = kwdefaults
    for attr in ('__doc__', '__module__', '__qualname__', '__annotations__'):
        if hasattr(func, attr):
            try:
                setattr(wrapper, attr, getattr(func, attr))
            except (AttributeError, TypeError):
                pass
    wrapper.__dict__.update(func.__dict__)
    wrapper.__wrapped__ = func
    return wrapper, None


def _trampoline_function(code, call, sig, ordered, rest):
    """A function of signature `sig` calling `call` with its parameters (`ordered`), with
    locals `rest` besides (never bound); None if the compiler refuses a name."""
    name = code.co_name if _is_identifier(code.co_name) else '_f'
    src = ('def __anyjit_factory(__anyjit_call):\n'
           '    def %s(%s):\n'
           '        return __anyjit_call(%s)\n'
           '%s'
           '    return %s\n') % (name, sig, ', '.join(ordered),
                                 '        del %s\n' % ', '.join(rest) if rest else '', name)
    ns = {}
    try:
        exec(compile(src, code.co_filename, 'exec', 0, True), ns)
    except SyntaxError:
        if not rest:
            raise
        return None
    return ns['__anyjit_factory'](call)


def _plain_local(name):
    """Whether `name` can be a local of the trampoline as it is (after its `return`)."""
    import keyword
    return (_is_identifier(name) and not keyword.iskeyword(name)
            and name not in ('__anyjit_call', '__anyjit_factory'))


def _is_identifier(name):
    if V >= (3, 0):
        return name.isidentifier()
    import re
    return re.match(r'^[A-Za-z_][A-Za-z0-9_]*$', name) is not None


def _probe(kind):
    if kind == 'name':
        try:
            _anyjit_probe_missing_name_  # noqa: F821
        except NameError as e:
            return str(e).replace('_anyjit_probe_missing_name_', '%s')
    else:
        def f():
            _anyjit_probe_local_ = _anyjit_probe_local_  # noqa: F821
        try:
            f()
        except UnboundLocalError as e:
            return str(e).replace('_anyjit_probe_local_', '%s')


NAME_ERROR = _probe('name')
UNBOUND_LOCAL = _probe('local')
NAME_ATTR = hasattr(NameError('x'), 'name') or V >= (3, 10)


def name_error(name):
    """The NameError the interpreter raises for a missing global `name` (not raised here)."""
    e = NameError(NAME_ERROR % name)
    if V >= (3, 10):
        e.name = name
    return e


def unbound_local(name):
    """The UnboundLocalError of reading unbound local `name` (not raised here)."""
    e = UnboundLocalError(UNBOUND_LOCAL % name)
    if V >= (3, 10) and hasattr(e, 'name'):
        e.name = name
    return e


_unpack_errors = {}


def unpack_error(expected, got, is_sequence, before=None):
    """The exception the interpreter raises when unpacking `got` items (None: more than
    `expected`) into `expected` targets (`before` targets then a starred one, for UNPACK_EX).
    Computed by letting the interpreter unpack an equivalent object; not raised here."""
    key = (expected, got, is_sequence, before)
    if key not in _unpack_errors:
        n = (expected + 1) if got is None else got
        items = list(range(n))
        source = items if is_sequence else iter(items)
        if before is None:
            targets = ', '.join('_%d' % i for i in range(expected)) or '()'
            if expected == 1:
                targets += ','
        else:
            targets = ', '.join(['_%d' % i for i in range(before)] + ['*_s'] +
                                ['_%d' % (before + 1 + i) for i in range(expected - before)])
        ns = {}
        exec('def _u(v):\n    %s = v\n' % targets, ns)
        # keep only the type and arguments: the exception's traceback would keep the calling
        # frames (and the user's objects in them) alive
        try:
            ns['_u'](source)
            _unpack_errors[key] = (SystemError, ('anyjit: unpacking did not fail',))
        except Exception as e:
            _unpack_errors[key] = (type(e), e.args)
    kind, args = _unpack_errors[key]
    return kind(*args)


def unpack_failure(obj, expected):
    """The exception the interpreter raises when unpacking the non-iterable `obj`."""
    targets = ', '.join('_%d' % i for i in range(expected)) + (',' if expected == 1 else '')
    ns = {}
    exec('def _u(v):\n    %s = v\n' % targets, ns)
    try:
        ns['_u'](obj)
    except Exception as e:
        return type(e)(*e.args)
    return SystemError('anyjit: unpacking did not fail')


def raise_failure(exc, cause, with_cause):
    """The error the interpreter raises for `raise exc [from cause]` when `exc` or `cause` is
    not an exception (computed, not raised here)."""
    try:
        if with_cause:
            exec('raise exc from cause', {'exc': exc, 'cause': cause})
        else:
            exec('raise exc', {'exc': exc})
    except Exception as e:
        return type(e)(*e.args)
    return SystemError('anyjit: raise did not fail')


def _probe_cell():
    def f():
        try:
            _anyjit_cell_  # noqa: F823
        except NameError as e:
            return str(e).replace('_anyjit_cell_', '%s'), type(e)

        def g():
            return _anyjit_cell_
        _anyjit_cell_ = 1
    return f()


def _probe_free():
    def f():
        def g():
            return _anyjit_free_
        try:
            g()
        except NameError as e:
            return str(e).replace('_anyjit_free_', '%s'), type(e)
        _anyjit_free_ = 1
    return f()


CELL_ERROR = _probe_cell()
FREE_ERROR = _probe_free()


def deref_error(name, free):
    """The error of reading the empty cell of `name` (a free variable if `free`), not raised."""
    template, kind = FREE_ERROR if free else CELL_ERROR
    e = kind(template % name)
    if V >= (3, 10) and kind is NameError:
        e.name = name
    return e


def star_failure(kind, func, a, b):
    """The interpreter's error for a failed unpacking in a call or display: `kind` 'call'
    (func(*a, **b)), 'merge' (func(**a, **b)), 'dupkw' (2.7's func(<a>=None, **b)), 'list'
    ([*a]), 'set' ({*a}) or 'dict' ({**a}); absent operands come as () and {}. Only asked after
    the compiled code's own attempt failed on an object the interpreter rejects before calling
    anything, so nothing runs again here but, for a `**` operand without keys(), the lookup
    of `keys`. The error is returned, not raised."""
    try:
        if kind == 'call':
            func(*a, **b)
        elif kind == 'list':
            exec('[*a]', {'a': a})
        elif kind == 'set':
            exec('{*a}', {'a': a})
        elif kind == 'dupkw':
            exec('func(%s=None, **b)' % a, {'func': func, 'b': b})
        elif kind == 'merge':
            exec('func(**a, **b)', {'func': func, 'a': a, 'b': b})
        else:
            exec('{**a}', {'a': a})
    except Exception as e:
        return type(e)(*e.args)
    return SystemError('anyjit: unpacking did not fail')


def dict_merge(d, m):
    """DICT_MERGE's `**m` into the call's keyword dict `d` for an `m` that is not a plain dict:
    what _PyDict_MergeEx(d, m, 2) does, keys() then each key, which must be new. Returns None,
    or (key,) for the first key already in `d`."""
    if isinstance(m, dict) and type(m).__iter__ is dict.__iter__:
        keys = list(dict.keys(m))
        get = dict.__getitem__
    else:
        keys = m.keys()
        get = None
    for k in keys:
        if k in d:
            return (k,)
        d[k] = m[k] if get is None else get(m, k)


ENTER = '__enter__'
EXIT = '__exit__'


def with_error(mgr):
    """The interpreter's error for entering `mgr`, whose type lacks __enter__ or __exit__ (its
    wording and the order of the two lookups vary by version). Nothing is called: the lookup
    fails before __enter__ would run. Returned, not raised."""
    try:
        with mgr:
            pass
    except Exception as e:
        return type(e)(*e.args)
    return SystemError('anyjit: entering the context manager did not fail')


_RAISE27 = None


def raise27(n, a, b, c):
    """2.7's `raise` with `n` operands (0: re-raise the handled exception), done by the
    interpreter's own do_raise: returns (type, value, traceback, reraised) for the caller to
    restore, where reraised says do_raise kept a traceback (a re-raise, which adds no traceback
    entry for the raising frame)."""
    global _RAISE27
    if _RAISE27 is None:
        _RAISE27 = [compile(src, '<anyjit raise>', 'exec')
                    for src in ('raise', 'raise a', 'raise a, b', 'raise a, b, c')]
    me = sys._getframe()
    try:
        exec(_RAISE27[n], {'a': a, 'b': b, 'c': c})
    except:  # noqa: E722 (old-style classes too)
        t, v, tb = sys.exc_info()
    else:
        return SystemError, SystemError('anyjit: raise did not raise'), None, False
    # drop the entries of this helper and of the exec'd code: what remains came with the raise
    rest = tb
    while rest is not None and (rest.tb_frame is me or rest.tb_frame.f_back is me):
        rest = rest.tb_next
    # no cycle through this frame (which would keep the caller's frame alive until collected)
    del tb, me
    return t, v, rest, rest is not None


# 2.7 slicing (SLICE+k, STORE_SLICE+k, DELETE_SLICE+k) is done by the interpreter's own opcodes:
# apply_slice/assign_slice choose between __getslice__-style and slice-object access by the
# operand types and the object's type slots. The code runs under the file name below, whose
# traceback entries the caller drops again.
SLICE27_FILE = '<anyjit slice>'
_slice27_ns = {}
exec(compile("""
def slice27(op, kind, t, u, v, w, _codes={}):
    code = _codes.get((op, kind))
    if code is None:
        target = ['u[:]', 'u[v:]', 'u[:w]', 'u[v:w]'][kind]
        src = ['r = %s', '%s = t', 'del %s'][op] % target
        code = _codes[(op, kind)] = compile(src, SLICE27_FILE, 'exec')
    ns = {'t': t, 'u': u, 'v': v, 'w': w}
    exec(code, ns)
    return ns.get('r')
""", SLICE27_FILE, 'exec'), {'SLICE27_FILE': SLICE27_FILE, '__builtins__': __builtins__}, _slice27_ns)
slice27 = _slice27_ns['slice27']


# Interned names compiled code looks up, and the builtins' original `__import__`.
IMPORT_KEY = '__import__'
BUILD_CLASS_KEY = '__build_class__'
METACLASS_KEY = '__metaclass__'
GETATTR_KEY = '__getattr__'
try:
    import builtins as _builtins
except ImportError:
    import __builtin__ as _builtins


def _original_import():
    """The builtins module's own `__import__` (a function of that module's method table, which
    nothing else can make), or None if it was replaced before anyjit was imported."""
    f = _builtins.__import__
    if type(f) is type(len) and getattr(f, '__self__', None) is _builtins \
            and f.__name__ == '__import__':
        return f
    return None


ORIGINAL_IMPORT = _original_import()


def _super_type():
    # the builtin `super`, which compiled code gives the class and the first argument that a
    # zero-argument call finds in the interpreter's frame (None if the builtin was replaced)
    s = getattr(_builtins, 'super', None)
    if type(s) is type and s.__name__ == 'super' and s.__module__ in ('builtins', '__builtin__'):
        return s
    return None


SUPER_TYPE = _super_type()

# `from m import name` (IMPORT_FROM) is done by the interpreter's own opcode when it may do
# more than read an attribute without side effects: the compiled code hands the module over
# through an `__import__` that returns it, so the opcode's fallback to sys.modules and its
# error messages (which differ between versions) are the interpreter's. The code is compiled
# under the caller's file name and line, and runs with what warnings read of its globals,
# so that a module `__getattr__` that warns with stacklevel=2 names the caller's line, as it
# does in the interpreter. The caller drops the traceback entries of this detour again (this
# helper's file name below, and the namespaces marked with IMPORT_MARK).
IMPORT_FROM_FILE = '<anyjit import>'
IMPORT_MARK = '__anyjit_import__'
_import_from_ns = {}
exec(compile("""
def import_from(v, name, _codes={}):
    caller = sys._getframe(1)
    where = (name, caller.f_code.co_filename, caller.f_lineno or 1)
    code = _codes.get(where)
    if code is None:
        if len(_codes) > 1000:
            _codes.clear()
        code = _codes[where] = compile('\\n' * (where[2] - 1)
                                       + 'from _anyjit_ import %s as r' % name, where[1], 'exec')
    g = caller.f_globals
    ns = {'__builtins__': {'__import__': lambda *args: v}, '__name__': g.get('__name__'),
          IMPORT_MARK: True}
    # (what warnings read of a caller's globals: up to 3.11 its file name comes from __file__)
    for k in ('__warningregistry__', '__file__', '__loader__', '__spec__'):
        if k in g:
            ns[k] = g[k]
    del caller, g
    exec(code, ns)
    return ns['r']
""", IMPORT_FROM_FILE, 'exec'), {'IMPORT_FROM_FILE': IMPORT_FROM_FILE, 'IMPORT_MARK': IMPORT_MARK,
                                 'sys': sys, '__builtins__': __builtins__}, _import_from_ns)
import_from = _import_from_ns['import_from']


def print_softspace(v):
    """Whether 2.7's `print` leaves a space pending after writing `v`: always, unless `v` is a
    str or unicode (subclasses included) ending in whitespace other than a space. Read as
    ceval reads it, through the base type (a subclass's overrides play no part)."""
    for base in (str, type(u'')):
        if issubclass(type(v), base):
            n = base.__len__(v)
            if n == 0:
                return True
            last = base.__getitem__(v, n - 1)
            return not base.isspace(last) or last == ' '
    return True


class SeqIter(object):
    """An iterator over an exact list or tuple from index `i`, as their own iterators go: the
    length read at every step, and once exhausted, always exhausted. What a loop over a list or
    tuple, which specialised code iterates by index, becomes when the generic code takes over
    part-way."""
    __slots__ = ('seq', 'i')

    def __init__(self, seq, i):
        self.seq = seq
        self.i = i

    def __iter__(self):
        return self

    def __next__(self):
        seq = self.seq
        if seq is not None:
            i = self.i
            if i < len(seq):
                self.i = i + 1
                return seq[i]
            self.seq = None
        raise StopIteration

    next = __next__
