# Checks every offset of the active anyjit descriptor against live objects of this interpreter.
#
# Run by the test suite in every interpreter found (Python 2.7 and 3.6+), with anyjit importable:
#     python tests/python/check_layout.py
# Each check reads memory with ctypes at the descriptor's offset and compares it with what the
# interpreter itself says (id(), len(), attributes, sys functions). At the end every field the
# descriptor gives an offset for must have been checked; an unchecked field is a failure too.
# Prints one line per failure and a closing 'N passed, M failed' line; exits 1 on any failure.
from __future__ import print_function

import ctypes
import gc
import sys
import types

import anyjit

L = anyjit._layout()
INFO = anyjit.info()
PY3 = sys.version_info[0] >= 3
V = sys.version_info[:2]
PTR = ctypes.sizeof(ctypes.c_void_p)

checked = set()
failures = []
passed = [0]


def off(struct, field):
    return L[struct][field]


def has(struct, field=None):
    if struct not in L:
        return False
    return field is None or L[struct].get(field) is not None


def word(addr):
    return ctypes.c_void_p.from_address(addr).value or 0


def ssize(addr):
    return ctypes.c_ssize_t.from_address(addr).value


def i32(addr):
    return ctypes.c_int.from_address(addr).value


def u32(addr):
    return ctypes.c_uint32.from_address(addr).value


def obj_at(addr):
    """The object a PyObject* stored at addr points to (None if NULL)."""
    p = word(addr)
    if not p:
        return None
    return ctypes.cast(p, ctypes.py_object).value


def cstr(addr):
    p = word(addr)
    return ctypes.string_at(p).decode('utf-8') if p else None


def check(struct, field, ok, detail=''):
    checked.add((struct, field))
    if ok:
        passed[0] += 1
    else:
        failures.append('%s.%s @%s: %s' % (struct, field, L[struct].get(field), detail))


def at(o, struct, field):
    return id(o) + off(struct, field)


# --- PyObject / PyVarObject -----------------------------------------------------------------
class Thing(object):
    """A plain heap type."""


x = Thing()
rc = ssize(at(x, 'object', 'ob_refcnt'))
check('object', 'ob_refcnt', rc == sys.getrefcount(x) - 1, 'read %d' % rc)
check('object', 'ob_type', word(at(x, 'object', 'ob_type')) == id(Thing))
t = (1, 2, 3)
check('var_object', 'ob_size', ssize(at(t, 'var_object', 'ob_size')) == 3)
for f in ('ob_next', 'ob_prev', 'ob_tid', 'ob_ref_local', 'ob_ref_shared'):
    # only trace-refs and free-threaded builds have these; anyjit refuses the latter at import
    if has('object', f):
        check('object', f, hasattr(sys, 'getobjects') and word(at(x, 'object', f)) != 0)
check('object', 'size', L['object']['size'] == object.__basicsize__)
check('var_object', 'size', L['var_object']['size'] == L['object']['size'] + PTR)

# --- PyTypeObject -----------------------------------------------------------------------------
T = 'type_object'


def tw(tp, field):
    return word(id(tp) + off(T, field))


check(T, 'tp_name', cstr(id(float) + off(T, 'tp_name')) == 'float')
check(T, 'tp_basicsize', ssize(id(float) + off(T, 'tp_basicsize')) == float.__basicsize__)
check(T, 'tp_itemsize', ssize(id(tuple) + off(T, 'tp_itemsize')) == tuple.__itemsize__)
check(T, 'tp_flags', ctypes.c_ulong.from_address(id(Thing) + off(T, 'tp_flags')).value == Thing.__flags__)
check(T, 'tp_dictoffset', ssize(id(Thing) + off(T, 'tp_dictoffset')) == Thing.__dictoffset__)
check(T, 'tp_weaklistoffset', ssize(id(Thing) + off(T, 'tp_weaklistoffset')) == Thing.__weakrefoffset__)
check(T, 'tp_base', tw(bool, 'tp_base') == id(int))
check(T, 'tp_mro', tw(Thing, 'tp_mro') == id(Thing.__mro__))
check(T, 'tp_doc', cstr(id(Thing) + off(T, 'tp_doc')) == Thing.__doc__)
d = tw(Thing, 'tp_dict')
check(T, 'tp_dict', d != 0 and any(id(r) == d for r in gc.get_referents(Thing)))
# function slots: present exactly where the type implements the protocol
check(T, 'tp_dealloc', tw(float, 'tp_dealloc') != 0)
check(T, 'tp_repr', tw(float, 'tp_repr') != 0)
check(T, 'tp_hash', tw(float, 'tp_hash') != 0)
check(T, 'tp_call', tw(type(len), 'tp_call') != 0 and tw(float, 'tp_call') == 0)
check(T, 'tp_str', tw(object, 'tp_str') != 0)
check(T, 'tp_getattro', tw(object, 'tp_getattro') != 0)
check(T, 'tp_setattro', tw(object, 'tp_setattro') != 0)
check(T, 'tp_richcompare', tw(Thing, 'tp_richcompare') == tw(object, 'tp_richcompare') != tw(float, 'tp_richcompare'))
check(T, 'tp_iter', tw(list, 'tp_iter') != 0 and tw(float, 'tp_iter') == 0)
check(T, 'tp_iternext', tw(type(iter([])), 'tp_iternext') != 0 and tw(list, 'tp_iternext') == 0)
check(T, 'tp_as_number', tw(float, 'tp_as_number') != 0)
check(T, 'tp_as_sequence', tw(tuple, 'tp_as_sequence') != 0)
check(T, 'tp_as_mapping', tw(dict, 'tp_as_mapping') != 0)
check(T, 'tp_descr_get', tw(types.FunctionType, 'tp_descr_get') != 0 and tw(float, 'tp_descr_get') == 0)
check(T, 'tp_descr_set', tw(property, 'tp_descr_set') != 0 and tw(float, 'tp_descr_set') == 0)
check(T, 'tp_getattr', tw(float, 'tp_getattr') == 0)
check(T, 'tp_setattr', tw(float, 'tp_setattr') == 0)
# PyNumberMethods: each binary slot of int's table, called directly, computes its operator
N = 'number_methods'
_binary = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.py_object)
_int_numbers = tw(int, 'tp_as_number')
for _field, _a, _b, _want in [('nb_add', 7, 3, 10), ('nb_subtract', 7, 3, 4), ('nb_multiply', 7, 3, 21),
                              ('nb_remainder', -7, 3, 2), ('nb_lshift', 7, 3, 56), ('nb_rshift', -7, 1, -4),
                              ('nb_and', 12, 10, 8), ('nb_xor', 12, 10, 6), ('nb_or', 12, 10, 14),
                              ('nb_floor_divide', -7, 2, -4), ('nb_true_divide', 7, 2, 3.5)]:
    _slot = word(_int_numbers + off(N, _field))
    _got = _binary(_slot)(_a, _b) if _slot else None
    check(N, _field, _got == _want and type(_got) is type(_want), repr(_got))
# a class's own table sits in its heap type, followed by its mapping table
check(N, 'size', tw(Thing, 'tp_as_mapping') - tw(Thing, 'tp_as_number') == L[N]['size'])
Thing.probe = 1  # assigns a version tag on lookup
getattr(Thing(), 'probe')
check(T, 'tp_version_tag', u32(id(Thing) + off(T, 'tp_version_tag')) != 0)
if has(T, 'tp_print'):
    check(T, 'tp_print', tw(Thing, 'tp_print') == 0)
if has(T, 'tp_compare'):
    check(T, 'tp_compare', tw(Thing, 'tp_compare') == 0)
if has(T, 'tp_as_async'):
    check(T, 'tp_as_async', tw(float, 'tp_as_async') == 0)
if has(T, 'tp_vectorcall_offset'):
    check(T, 'tp_vectorcall_offset',
          ssize(id(types.FunctionType) + off(T, 'tp_vectorcall_offset')) == off('function', 'vectorcall'))
if has(T, 'tp_finalize'):
    check(T, 'tp_finalize', tw(types.GeneratorType, 'tp_finalize') != 0 and tw(float, 'tp_finalize') == 0)
if has(T, 'tp_vectorcall'):
    # list got a type-level vectorcall in 3.9; in 3.8 no builtin type has one yet
    if V >= (3, 9):
        check(T, 'tp_vectorcall', tw(list, 'tp_vectorcall') != 0 and tw(Thing, 'tp_vectorcall') == 0)
    else:
        check(T, 'tp_vectorcall', tw(list, 'tp_vectorcall') == 0 and off(T, 'tp_vectorcall') == off(T, 'tp_finalize') + PTR)
if has(T, 'tp_watched'):
    check(T, 'tp_watched', ctypes.c_ubyte.from_address(id(Thing) + off(T, 'tp_watched')).value == 0)
check(T, 'tp_new', tw(Thing, 'tp_new') == tw(object, 'tp_new') != 0 and tw(float, 'tp_new') not in (0, tw(object, 'tp_new')))
check(T, 'size', L[T]['size'] <= type.__basicsize__)

# --- PyHeapTypeObject and, 3.11+, instances' attribute values --------------------------------
H = 'heap_type'


class Slots(object):
    __slots__ = ('a', 'b')


class Attrs(object):
    def __init__(self):
        self.first = 'one'
        self.second = 'two'


check(H, 'ht_slots', obj_at(id(Slots) + off(H, 'ht_slots')) == ('a', 'b'))
check(H, 'size', L[H]['size'] == type.__basicsize__)
inst = Attrs()
if has(H, 'ht_cached_keys'):
    cached = word(id(Attrs) + off(H, 'ht_cached_keys'))
    if 'dict_keys' in L:
        K = 'dict_keys'
        entries = cached + off(K, 'dk_indices') + (1 << ctypes.c_uint8.from_address(
            cached + off(K, 'dk_log2_index_bytes')).value)
        check(H, 'ht_cached_keys', obj_at(entries) == 'first' and ssize(cached + off(K, 'dk_nentries')) == 2)
    else:
        # (3.6-3.10 instance dicts share the class's keys: the dict's keys are those)
        check(H, 'ht_cached_keys', cached != 0 and cached == word(at(inst.__dict__, 'dict', 'ma_keys')))
if 'dict_values' in L:
    DV = 'dict_values'
    if has(DV, 'valid'):  # 3.13: inline, after the object
        values = id(inst) + Attrs.__basicsize__
        check(DV, 'valid', ctypes.c_uint8.from_address(values + off(DV, 'valid')).value == 1)
        capacity = ctypes.c_uint8.from_address(values + off(DV, 'capacity')).value
        check(DV, 'capacity', capacity >= 2)
        # two values set, their insertion order after `capacity` values: 0, then 1
        order = values + off(DV, 'values') + capacity * PTR
        check(DV, 'used', ctypes.c_uint8.from_address(values + off(DV, 'used')).value == 2
              and [ctypes.c_uint8.from_address(order + i).value for i in (0, 1)] == [0, 1])
    elif 'dict_or_values' in L:  # 3.12: three words before the object, the address minus one
        check('dict_or_values', 'values', off('dict_or_values', 'values') == 0)
        check('dict_or_values', 'size', L['dict_or_values']['size'] == PTR)
        values = word(id(inst) - 3 * PTR) + 1
    else:  # 3.11: a pointer four words before the object
        values = word(id(inst) - 4 * PTR)
    check(DV, 'values', obj_at(values + off(DV, 'values') + PTR) == 'two')
    if not has(DV, 'valid'):
        # 3.11/3.12: the insertion order before the values, backwards from the byte holding
        # its length, which follows the byte holding the prefix's size
        byte = lambda a: ctypes.c_uint8.from_address(a).value  # noqa: E731
        check(DV, 'values', byte(values - 2) == 2 and [byte(values - 3), byte(values - 4)] == [0, 1]
              and byte(values - 1) > 3)
    check(DV, 'size', L[DV]['size'] == off(DV, 'values') + PTR)

# --- numbers ----------------------------------------------------------------------------------
big = 2 ** 70 + 5  # three 30-bit digits: 5, 0, 1 << 10 (a long on 2.7 too)
digits = tuple(u32(at(big, 'long', 'ob_digit') + 4 * k) for k in range(3))
check('long', 'ob_digit', digits == (5, 0, 1 << 10), repr(digits))
if has('long', 'lv_tag'):
    neg = -(2 ** 70)
    check('long', 'lv_tag', ssize(at(big, 'long', 'lv_tag')) == 3 << 3 and ssize(at(neg, 'long', 'lv_tag')) == (3 << 3) | 2)
check('long', 'size', L['long']['size'] >= L['long']['ob_digit'] + 4)
if 'int' in L:
    i = int('-12345')
    check('int', 'ob_ival', ctypes.c_long.from_address(at(i, 'int', 'ob_ival')).value == -12345)
    check('int', 'size', L['int']['size'] == int.__basicsize__)
fl = float('1.25')
check('float', 'ob_fval', ctypes.c_double.from_address(at(fl, 'float', 'ob_fval')).value == 1.25)
check('float', 'size', L['float']['size'] == float.__basicsize__)

# --- containers -------------------------------------------------------------------------------
a, b = Thing(), Thing()
tup = (a, b)
check('tuple', 'ob_item', word(at(tup, 'tuple', 'ob_item')) == id(a) and word(at(tup, 'tuple', 'ob_item') + PTR) == id(b))
check('tuple', 'size', L['tuple']['size'] == tuple.__basicsize__ + PTR)
lst = [a, b, a]
items = word(at(lst, 'list', 'ob_item'))
check('list', 'ob_item', items != 0 and [word(items + k * PTR) for k in range(3)] == [id(a), id(b), id(a)])
check('list', 'allocated', ssize(at(lst, 'list', 'allocated')) >= 3)
check('list', 'size', L['list']['size'] == list.__basicsize__)
dct = {'k1': a, 'k2': b}
check('dict', 'ma_used', ssize(at(dct, 'dict', 'ma_used')) == 2)
check('dict', 'size', L['dict']['size'] == dict.__basicsize__)
if has('dict', 'ma_fill'):  # 2.7's open-addressing dict
    check('dict', 'ma_fill', ssize(at(dct, 'dict', 'ma_fill')) == 2)
    check('dict', 'ma_mask', ssize(at(dct, 'dict', 'ma_mask')) == 7)
    check('dict', 'ma_table', word(at(dct, 'dict', 'ma_table')) > id(dct))
    # the entries: each key at the slot its hash probes first, or further on; the rest empty
    table = word(at(dct, 'dict', 'ma_table'))
    E = 'dict_entry'
    slots = [table + k * L[E]['size'] for k in range(8)]
    found = dict((word(e + off(E, 'me_key')), e) for e in slots if word(e + off(E, 'me_key')))
    check(E, 'me_key', sorted(found) == sorted(id(k) for k in dct), found)
    check(E, 'me_value', all(word(found[id(k)] + off(E, 'me_value')) == id(v) for k, v in dct.items()))
    check(E, 'me_hash', all(ssize(found[id(k)] + off(E, 'me_hash')) == hash(k) for k in dct))
    check(E, 'size', L[E]['size'] == 3 * PTR)
if has('dict', 'ma_version_tag'):
    v0 = ctypes.c_uint64.from_address(at(dct, 'dict', 'ma_version_tag')).value
    dct['k3'] = b
    v1 = ctypes.c_uint64.from_address(at(dct, 'dict', 'ma_version_tag')).value
    check('dict', 'ma_version_tag', v1 != v0, '%d -> %d' % (v0, v1))
    del dct['k3']
if has('dict', 'ma_keys'):
    check('dict', 'ma_keys', word(at(dct, 'dict', 'ma_keys')) != 0)
    check('dict', 'ma_values', word(at(dct, 'dict', 'ma_values')) == 0)
if 'dict_keys' in L:
    K = 'dict_keys'
    keys = word(at(dct, 'dict', 'ma_keys'))
    check(K, 'dk_refcnt', ssize(keys + off(K, 'dk_refcnt')) == 1)
    check(K, 'dk_log2_size', ctypes.c_uint8.from_address(keys + off(K, 'dk_log2_size')).value == 3)
    check(K, 'dk_log2_index_bytes', ctypes.c_uint8.from_address(keys + off(K, 'dk_log2_index_bytes')).value == 3)
    check(K, 'dk_kind', ctypes.c_uint8.from_address(keys + off(K, 'dk_kind')).value == 1)  # unicode keys
    check(K, 'dk_nentries', ssize(keys + off(K, 'dk_nentries')) == 3)  # k3 left a dummy entry
    check(K, 'dk_usable', 0 <= ssize(keys + off(K, 'dk_usable')) <= 5 - 3)
    check(K, 'dk_version', u32(keys + off(K, 'dk_version')) == 0)
    # entries follow the 8 one-byte indices: the first key is 'k1'
    first_key = obj_at(keys + off(K, 'dk_indices') + 8)
    check(K, 'dk_indices', first_key == 'k1', repr(first_key))
    check(K, 'size', L[K]['size'] == off(K, 'dk_indices'))
    E = 'dict_unicode_entry'
    entry = keys + off(K, 'dk_indices') + 8
    check(E, 'me_key', obj_at(entry + off(E, 'me_key')) == 'k1')
    check(E, 'me_value', word(entry + off(E, 'me_value')) == id(a))
    check(E, 'size', obj_at(entry + L[E]['size'] + off(E, 'me_key')) == 'k2')


# --- functions, code, cells -------------------------------------------------------------------
def make(free):
    def target(p, q=7, *rest, **kw):
        """doc of target"""
        local = free + p
        try:
            return local + q
        finally:
            pass
    return target


fn = make(10)
co = fn.__code__
F, C = 'function', 'code'
fn.__dict__['tag'] = 1
check(F, 'func_code', word(at(fn, F, 'func_code')) == id(co))
check(F, 'func_globals', word(at(fn, F, 'func_globals')) == id(fn.__globals__))
check(F, 'func_defaults', word(at(fn, F, 'func_defaults')) == id(fn.__defaults__))
check(F, 'func_closure', word(at(fn, F, 'func_closure')) == id(fn.__closure__))
check(F, 'func_doc', word(at(fn, F, 'func_doc')) == id(fn.__doc__))
check(F, 'func_name', word(at(fn, F, 'func_name')) == id(fn.__name__))
check(F, 'func_dict', word(at(fn, F, 'func_dict')) == id(fn.__dict__))
check(F, 'func_module', word(at(fn, F, 'func_module')) == id(fn.__module__))
check(F, 'size', L[F]['size'] == types.FunctionType.__basicsize__)
if has(F, 'func_builtins'):
    check(F, 'func_builtins', word(at(fn, F, 'func_builtins')) == id(fn.__builtins__))
if has(F, 'func_qualname'):
    check(F, 'func_qualname', word(at(fn, F, 'func_qualname')) == id(fn.__qualname__))
if has(F, 'func_kwdefaults'):
    fn.__kwdefaults__ = {'z': 1}
    check(F, 'func_kwdefaults', word(at(fn, F, 'func_kwdefaults')) == id(fn.__kwdefaults__))
if has(F, 'vectorcall'):
    check(F, 'vectorcall', word(at(fn, F, 'vectorcall')) != 0)
if has(F, 'func_version'):
    fresh = make(1)
    fresh(1)  # 3.11 assigns versions on specialisation, 3.12+ at creation; setting attributes resets it
    check(F, 'func_version', V < (3, 12) or u32(at(fresh, F, 'func_version')) != 0)

cell = fn.__closure__[0]
check('cell', 'ob_ref', word(at(cell, 'cell', 'ob_ref')) == id(cell.cell_contents))
check('cell', 'size', L['cell']['size'] == type(cell).__basicsize__)


if has(C, 'co_firsttraceable'):
    # the RESUME after the prefix that copies free variables (fn has a closure)
    import dis
    units = [fn.__code__.co_code[i] for i in range(0, len(fn.__code__.co_code), 2)]
    check(C, 'co_firsttraceable',
          i32(at(fn.__code__, C, 'co_firsttraceable')) == units.index(dis.opmap['RESUME']) > 0,
          repr(units[:4]))


class WithMethod(object):
    def m(self):
        return self


bound = WithMethod().m
check('method', 'im_func', word(at(bound, 'method', 'im_func')) == id(bound.__func__))
check('method', 'im_self', word(at(bound, 'method', 'im_self')) == id(bound.__self__))
check('method', 'size', L['method']['size'] == type(bound).__basicsize__)

check(C, 'co_argcount', i32(at(co, C, 'co_argcount')) == co.co_argcount)
check(C, 'co_stacksize', i32(at(co, C, 'co_stacksize')) == co.co_stacksize)
check(C, 'co_flags', i32(at(co, C, 'co_flags')) == co.co_flags)
check(C, 'co_firstlineno', i32(at(co, C, 'co_firstlineno')) == co.co_firstlineno)
check(C, 'co_consts', word(at(co, C, 'co_consts')) == id(co.co_consts))
check(C, 'co_names', word(at(co, C, 'co_names')) == id(co.co_names))
check(C, 'co_filename', word(at(co, C, 'co_filename')) == id(co.co_filename))
check(C, 'co_name', word(at(co, C, 'co_name')) == id(co.co_name))
if has(C, 'co_nlocals'):
    check(C, 'co_nlocals', i32(at(co, C, 'co_nlocals')) == co.co_nlocals)
if has(C, 'co_kwonlyargcount'):
    check(C, 'co_kwonlyargcount', i32(at(co, C, 'co_kwonlyargcount')) == co.co_kwonlyargcount)
if has(C, 'co_posonlyargcount'):
    check(C, 'co_posonlyargcount', i32(at(co, C, 'co_posonlyargcount')) == co.co_posonlyargcount)
for name in ('co_code', 'co_varnames', 'co_freevars', 'co_cellvars', 'co_lnotab', 'co_linetable',
             'co_exceptiontable', 'co_qualname'):
    if has(C, name):
        check(C, name, word(at(co, C, name)) == id(getattr(co, name)))
if has(C, 'co_localsplusnames'):
    names = obj_at(at(co, C, 'co_localsplusnames'))
    check(C, 'co_localsplusnames', names == co.co_varnames + co.co_cellvars + co.co_freevars, repr(names))
    kinds = obj_at(at(co, C, 'co_localspluskinds'))
    check(C, 'co_localspluskinds', isinstance(kinds, bytes) and len(kinds) == len(names) and kinds[-1] & 0x80)
    check(C, 'co_nlocalsplus', i32(at(co, C, 'co_nlocalsplus')) == len(names))
    check(C, 'co_ncellvars', i32(at(co, C, 'co_ncellvars')) == len(co.co_cellvars))
    check(C, 'co_nfreevars', i32(at(co, C, 'co_nfreevars')) == len(co.co_freevars))
if has(C, 'co_framesize'):
    # nlocalsplus + stacksize + FRAME_SPECIALS_SIZE (the interpreter frame's header in words)
    specials = (L['interpreter_frame']['localsplus']) // PTR
    check(C, 'co_framesize', i32(at(co, C, 'co_framesize')) == len(names) + co.co_stacksize + specials)
if has(C, 'co_code_adaptive'):
    import opcode
    unit0 = ctypes.string_at(at(co, C, 'co_code_adaptive'), 2)
    first = ord(unit0[0:1])
    base = opcode.opname[first]
    spec = getattr(opcode, '_specializations', None)
    if spec is None:
        import _opcode_metadata
        spec = _opcode_metadata._specializations
    deopt = dict((s, b) for b, ss in spec.items() for s in ss)
    base = deopt.get(base, base)
    check(C, 'co_code_adaptive', base.replace('INSTRUMENTED_', '') == opcode.opname[ord(co.co_code[0:1])], base)
if has(C, 'co_extra'):
    check(C, 'co_extra', word(at(co, C, 'co_extra')) == 0)
check(C, 'size', L[C]['size'] <= types.CodeType.__basicsize__ + 16)

# --- frames and thread state ------------------------------------------------------------------
pyapi = ctypes.pythonapi
pyapi.PyThreadState_Get.restype = ctypes.c_void_p
pyapi.PyInterpreterState_Head.restype = ctypes.c_void_p
FR, IF, TS, IS = 'frame_object', 'interpreter_frame', 'thread_state', 'interpreter_state'


def iframe_of(frame):
    return word(id(frame) + off(FR, 'f_frame'))


def frame_checks():
    here_local = Thing()
    frame = sys._getframe()
    check(FR, 'f_trace', word(id(frame) + off(FR, 'f_trace')) == 0)
    back = word(id(frame) + off(FR, 'f_back'))
    check(FR, 'f_back', back in (0, id(frame.f_back)))
    line = i32(id(frame) + off(FR, 'f_lineno'))
    check(FR, 'f_lineno', line == 0 or 0 < line <= frame.f_lineno + 1000, str(line))
    for name, val in (('f_code', frame.f_code), ('f_builtins', frame.f_builtins), ('f_globals', frame.f_globals)):
        if has(FR, name):
            check(FR, name, word(id(frame) + off(FR, name)) == id(val))
    if has(FR, 'f_trace_lines'):
        byte = lambda name: ctypes.c_ubyte.from_address(id(frame) + off(FR, name)).value
        before = (byte('f_trace_lines'), byte('f_trace_opcodes'))
        frame.f_trace_lines, frame.f_trace_opcodes = False, True
        after = (byte('f_trace_lines'), byte('f_trace_opcodes'))
        frame.f_trace_lines, frame.f_trace_opcodes = True, False
        check(FR, 'f_trace_lines', (before[0], after[0]) == (1, 0), (before, after))
        check(FR, 'f_trace_opcodes', (before[1], after[1]) == (0, 1), (before, after))
    if has(FR, 'f_gen'):
        def gen():
            yield sys._getframe()
        g = gen()
        gframe = next(g)
        check(FR, 'f_gen', word(id(frame) + off(FR, 'f_gen')) == 0
              and word(id(gframe) + off(FR, 'f_gen')) == id(g))
    if has(FR, 'f_locals'):
        loc = frame.f_locals
        check(FR, 'f_locals', word(id(frame) + off(FR, 'f_locals')) == id(loc))
    if has(FR, 'f_localsplus'):
        plus = id(frame) + off(FR, 'f_localsplus')
        check(FR, 'f_localsplus', word(plus) == id(here_local))
        nplus = len(frame.f_code.co_varnames) + len(frame.f_code.co_cellvars) + len(frame.f_code.co_freevars)
        check(FR, 'f_valuestack', word(id(frame) + off(FR, 'f_valuestack')) == plus + nplus * PTR)
        if has(FR, 'f_stacktop'):
            check(FR, 'f_stacktop', word(id(frame) + off(FR, 'f_stacktop')) == 0)  # NULL while running
        try:
            check(FR, 'f_iblock', i32(id(frame) + off(FR, 'f_iblock')) == 1)
            # PyTryBlock {int b_type, b_handler, b_level}: the handler lies after this point
            handler = i32(id(frame) + off(FR, 'f_blockstack') + 4)
            check(FR, 'f_blockstack', handler > frame.f_lasti // (2 if V == (3, 10) else 1), str(handler))
        finally:
            pass
    if has(FR, 'f_frame'):
        iframe = iframe_of(frame)
        check(FR, 'f_frame', iframe != 0)
        check(FR, 'f_frame_data', iframe == id(frame) + off(FR, 'f_frame_data') or iframe != 0)
        check(IF, 'f_code', word(iframe + off(IF, 'f_code')) == id(frame.f_code))
        check(IF, 'f_globals', word(iframe + off(IF, 'f_globals')) == id(frame.f_globals))
        check(IF, 'f_builtins', word(iframe + off(IF, 'f_builtins')) == id(frame.f_builtins))
        check(IF, 'f_locals', word(iframe + off(IF, 'f_locals')) == 0)
        check(IF, 'frame_obj', word(iframe + off(IF, 'frame_obj')) == id(frame))
        check(IF, 'localsplus', word(iframe + off(IF, 'localsplus')) == id(here_local))
        check(IF, 'previous', word(iframe + off(IF, 'previous')) == iframe_of(frame.f_back))
        check(IF, 'f_func', word(iframe + off(IF, 'f_func')) == id(frame_checks))
        code_start = id(frame.f_code) + off(C, 'co_code_adaptive')
        code_end = code_start + len(frame.f_code.co_code)
        for name in ('prev_instr', 'instr_ptr'):
            if has(IF, name):
                check(IF, name, code_start - 2 <= word(iframe + off(IF, name)) < code_end)
        if has(IF, 'owner'):
            check(IF, 'owner', ctypes.c_int8.from_address(iframe + off(IF, 'owner')).value in (0, 2))
        if has(IF, 'is_entry'):
            check(IF, 'is_entry', ctypes.c_uint8.from_address(iframe + off(IF, 'is_entry')).value in (0, 1))
        if has(IF, 'return_offset'):
            check(IF, 'return_offset', ctypes.c_uint16.from_address(iframe + off(IF, 'return_offset')).value < 0x8000)
        check(IF, 'size', L[IF]['size'] == off(IF, 'localsplus') + PTR)  # localsplus[1]

    ts = pyapi.PyThreadState_Get()
    check(TS, 'interp', word(ts + off(TS, 'interp')) == pyapi.PyInterpreterState_Head())
    # The running frame must be read with no Python call in between (a helper would be running).
    if has(TS, 'frame'):
        where = ts + off(TS, 'frame')
        running = ctypes.c_void_p.from_address(where).value
        check(TS, 'frame', running == id(frame))
    if has(TS, 'current_frame'):
        where = ts + off(TS, 'current_frame')
        running = ctypes.c_void_p.from_address(where).value
        check(TS, 'current_frame', running == iframe_of(frame))
    if has(TS, 'cframe'):
        where = ts + off(TS, 'cframe')
        cf = ctypes.c_void_p.from_address(where).value  # this frame's C frame (a C stack address)
        check(TS, 'cframe', cf != 0)
        if has('cframe', 'current_frame'):
            where = cf + off('cframe', 'current_frame')
            running = ctypes.c_void_p.from_address(where).value
            check('cframe', 'current_frame', running == iframe_of(frame))
        if has('cframe', 'use_tracing'):
            check('cframe', 'use_tracing', ctypes.c_uint8.from_address(cf + off('cframe', 'use_tracing')).value == 0)
        if has('cframe', 'previous'):
            # the enclosing C frame: the last pointer of the struct
            check('cframe', 'previous', off('cframe', 'previous') == L['cframe']['size'] - PTR)
        check('cframe', 'size', L['cframe']['size'] in (2 * PTR, 3 * PTR))
    for name in ('curexc_type', 'curexc_value', 'curexc_traceback', 'current_exception'):
        if has(TS, name):
            check(TS, name, word(ts + off(TS, name)) == 0)
    if has(TS, 'exc_info'):
        check(TS, 'exc_info', word(ts + off(TS, 'exc_info')) != 0)
    if has(TS, 'eval_breaker'):
        check(TS, 'eval_breaker', word(ts + off(TS, 'eval_breaker')) < 1 << 40)
    return ts


def depth_probe(n, out, field):
    """Records the recursion counter at n nested Python calls."""
    ts = pyapi.PyThreadState_Get()
    out.append(i32(ts + off(TS, field)))
    if n:
        depth_probe(n - 1, out, field)


ts = frame_checks()
for field, step in (('recursion_depth', 1), ('recursion_remaining', -1), ('py_recursion_remaining', -1)):
    if has(TS, field):
        seen = []
        depth_probe(3, seen, field)
        steps = [b - a for a, b in zip(seen, seen[1:])]
        check(TS, field, steps == [step] * 3, repr(seen))
if has(TS, 'datastack_top'):
    # the running frame lies below the data stack's top, which lies below its limit
    top, limit = word(ts + off(TS, 'datastack_top')), word(ts + off(TS, 'datastack_limit'))
    here = iframe_of(sys._getframe())
    check(TS, 'datastack_top', here < top <= limit, '%x %x %x' % (here, top, limit))
    check(TS, 'datastack_limit', limit - top < 1 << 24, '%x %x' % (top, limit))
if has(TS, 'recursion_headroom'):
    # raised only while a RecursionError is being made: 0 before and after one
    def headroom_probe():
        return headroom_probe()
    before = i32(ts + off(TS, 'recursion_headroom'))
    try:
        headroom_probe()
    except RuntimeError:  # RecursionError
        pass
    check(TS, 'recursion_headroom', (before, i32(ts + off(TS, 'recursion_headroom'))) == (0, 0))
if has(TS, 'overflowed'):
    def overflow_probe(out):
        try:
            overflow_probe(out)
        except RuntimeError:  # RecursionError
            if not out:
                out.append(ctypes.c_int8.from_address(ts + off(TS, 'overflowed')).value)
    flags = []
    overflow_probe(flags)
    # set while handling the overflow, reset once the stack has unwound (3.9 keeps the field,
    # but its recursion check leaves it at 0: measured on 3.9.18; anyjit uses 3.9's
    # Py_EnterRecursiveCall function there, not the field)
    flags.append(ctypes.c_int8.from_address(ts + off(TS, 'overflowed')).value)
    check(TS, 'overflowed', flags == ([0, 0] if V >= (3, 9) else [1, 0]), repr(flags))
if has(TS, 'c_recursion_remaining'):
    check(TS, 'c_recursion_remaining', i32(ts + off(TS, 'c_recursion_remaining')) > 0)


def tracer(frame, event, arg):
    return None


for setter, field in ((sys.settrace, 'c_tracefunc'), (sys.setprofile, 'c_profilefunc')):
    before = word(ts + off(TS, field))
    setter(tracer)
    during = word(ts + off(TS, field))
    if field == 'c_tracefunc':
        if has(TS, 'use_tracing'):
            check(TS, 'use_tracing', i32(ts + off(TS, 'use_tracing')) != 0)
    setter(None)
    check(TS, field, before == 0 and during != 0)
if has(TS, 'tracing'):
    check(TS, 'tracing', i32(ts + off(TS, 'tracing')) == 0)
try:
    raise KeyError('probe')
except KeyError:
    handled = sys.exc_info()
    if has(TS, 'exc_type'):
        check(TS, 'exc_type', word(ts + off(TS, 'exc_type')) == id(KeyError))
        check(TS, 'exc_value', word(ts + off(TS, 'exc_value')) == id(handled[1]))
        check(TS, 'exc_traceback', word(ts + off(TS, 'exc_traceback')) == id(handled[2]))
    if 'exc_stack_item' in L:
        # the thread's own entry of the handled-exception stack
        EI = 'exc_stack_item'
        item = word(ts + off(TS, 'exc_info'))
        check(EI, 'exc_value', word(item + off(EI, 'exc_value')) == id(handled[1]))
        if has(EI, 'exc_type'):
            check(EI, 'exc_type', word(item + off(EI, 'exc_type')) == id(KeyError))
            check(EI, 'exc_traceback', word(item + off(EI, 'exc_traceback')) == id(handled[2]))
        check(EI, 'size', L[EI]['size'] == PTR * (4 if has(EI, 'exc_type') else 2))

        def stacked():
            # a running generator's entry links to the thread's
            yield word(word(ts + off(TS, 'exc_info')) + off(EI, 'previous_item'))
        check(EI, 'previous_item', next(stacked()) == item)
    del handled
if has(FR, 'f_exc_type'):
    if V < (3, 0):
        # 2.7: a frame that handles an exception saves the one it replaces, until it returns
        def saves():
            try:
                raise KeyError('inner')
            except KeyError:
                fr = id(sys._getframe())
                return [word(fr + off(FR, f)) for f in ('f_exc_type', 'f_exc_value', 'f_exc_traceback')]
        try:
            raise ValueError('outer')
        except ValueError:
            outer = sys.exc_info()
            seen = saves()
        want = [id(o) for o in outer]
        del outer
    else:
        # 3.6: a generator suspended inside an except clause keeps its exception there
        def suspends():
            try:
                raise KeyError('inside')
            except KeyError:
                t, v, tb = sys.exc_info()
                yield [id(t), id(v), id(tb)]
        it = suspends()
        want = next(it)
        fr = id(it.gi_frame)
        seen = [word(fr + off(FR, f)) for f in ('f_exc_type', 'f_exc_value', 'f_exc_traceback')]
        it.close()
    for f, a, b in zip(('f_exc_type', 'f_exc_value', 'f_exc_traceback'), seen, want):
        check(FR, f, a == b, '%x vs %x' % (a, b))
check(TS, 'size', L[TS]['size'] > off(TS, 'c_tracefunc'))

interp = pyapi.PyInterpreterState_Head()
check(IS, 'modules', word(interp + off(IS, 'modules')) == id(sys.modules))
if has(IS, 'eval_frame'):
    hook = word(interp + off(IS, 'eval_frame'))
    if V >= (3, 11):
        check(IS, 'eval_frame', hook == 0)
    else:
        default = ctypes.cast(pyapi._PyEval_EvalFrameDefault, ctypes.c_void_p).value
        check(IS, 'eval_frame', hook == default)
if has(IS, 'ceval_recursion_limit'):
    check(IS, 'ceval_recursion_limit', i32(interp + off(IS, 'ceval_recursion_limit')) == sys.getrecursionlimit())
if has(IS, 'ceval_eval_breaker'):
    check(IS, 'ceval_eval_breaker', u32(interp + off(IS, 'ceval_eval_breaker')) < 1 << 16)
check(IS, 'size', L[IS]['size'] > off(IS, 'modules'))


# a suspended generator's frame: stack top and owner
def gen():
    yield 1


g = gen()
next(g)
gf = g.gi_frame
if has(FR, 'f_lasti'):
    raw = i32(id(gf) + off(FR, 'f_lasti'))  # bytes up to 3.9, code units in 3.10
    check(FR, 'f_lasti', raw * (2 if V >= (3, 10) else 1) == gf.f_lasti, '%d vs %d' % (raw, gf.f_lasti))
# the running frame executes, a suspended generator's does not
if has(FR, 'f_executing'):
    check(FR, 'f_executing', [ctypes.c_int8.from_address(id(f) + off(FR, 'f_executing')).value
                              for f in (sys._getframe(), gf)] == [1, 0])
if has(FR, 'f_state'):
    # FRAME_EXECUTING 0, FRAME_SUSPENDED -1
    check(FR, 'f_state', [ctypes.c_int8.from_address(id(f) + off(FR, 'f_state')).value
                          for f in (sys._getframe(), gf)] == [0, -1])
if has(FR, 'f_stacktop'):
    check(FR, 'f_stacktop', word(id(gf) + off(FR, 'f_stacktop')) >= word(id(gf) + off(FR, 'f_valuestack')))
if has(FR, 'f_stackdepth'):
    check(FR, 'f_stackdepth', 0 <= i32(id(gf) + off(FR, 'f_stackdepth')) <= gf.f_code.co_stacksize)
if has(IF, 'stacktop'):
    check(IF, 'stacktop', i32(iframe_of(gf) + off(IF, 'stacktop')) >= 0)
if has(IF, 'owner'):
    check(IF, 'owner', ctypes.c_int8.from_address(iframe_of(gf) + off(IF, 'owner')).value == 1)
check(FR, 'size', L[FR]['size'] <= types.FrameType.__basicsize__)

# --- method and module definitions ------------------------------------------------------------
M = 'method_def'
ml = word(id(len) + L['object']['size'])  # PyCFunctionObject.m_ml follows the object header
check(M, 'ml_name', cstr(ml + off(M, 'ml_name')) == 'len')
check(M, 'ml_meth', word(ml + off(M, 'ml_meth')) != 0)
check(M, 'ml_flags', i32(ml + off(M, 'ml_flags')) == 8)  # METH_O
check(M, 'ml_doc', len.__doc__ in (cstr(ml + off(M, 'ml_doc')) or ''))  # C text adds the signature
check(M, 'size', L[M]['size'] == 4 * PTR)
if 'module_def' in L:
    MD = 'module_def'
    pyapi.PyModule_GetDef.restype = ctypes.c_void_p
    pyapi.PyModule_GetDef.argtypes = [ctypes.py_object]
    mdef = pyapi.PyModule_GetDef(anyjit)
    # PyModuleDef_Base {PyObject_HEAD; m_init; m_index; m_copy}: PyModuleDef_Init numbers it
    check(MD, 'm_base', off(MD, 'm_base') == 0 and ssize(mdef + L['object']['size'] + PTR) > 0)
    check(MD, 'm_name', cstr(mdef + off(MD, 'm_name')) == 'anyjit')
    check(MD, 'm_doc', cstr(mdef + off(MD, 'm_doc')) == anyjit.__doc__)
    check(MD, 'm_size', ssize(mdef + off(MD, 'm_size')) == -1)
    check(MD, 'm_methods', cstr(word(mdef + off(MD, 'm_methods')) + off(M, 'ml_name')) == 'info')
    check(MD, 'm_slots', word(mdef + off(MD, 'm_slots')) == 0)
    check(MD, 'size', L[MD]['size'] >= off(MD, 'm_slots') + 4 * PTR)

if 'cfunction' in L:
    CF = 'cfunction'
    bound = [].append  # a builtin method: a PyCFunctionObject bound to the list
    check(CF, 'm_self', word(id(bound) + off(CF, 'm_self')) == id(bound.__self__))
    ml = word(id(bound) + off(CF, 'm_ml'))
    check(CF, 'm_ml', cstr(ml + off('method_def', 'ml_name')) == 'append')
    check(CF, 'size', L[CF]['size'] >= off(CF, 'm_self') + 2 * PTR)
    del bound

if 'method_descr' in L:
    MDS = 'method_descr'
    d = set.__dict__['add']  # a builtin type's method: a PyMethodDescrObject
    check(MDS, 'd_type', word(id(d) + off(MDS, 'd_type')) == id(set))
    ml = word(id(d) + off(MDS, 'd_method'))
    check(MDS, 'd_method', cstr(ml + off('method_def', 'ml_name')) == 'add'
          and i32(ml + off('method_def', 'ml_flags')) == 8)  # METH_O
    last = 'd_method'
    if has(MDS, 'vectorcall'):
        # 3.8+: set by the descriptor's constructor for its flags (method_vectorcall_O)
        check(MDS, 'vectorcall', off(MDS, 'vectorcall') == off(MDS, 'd_method') + PTR
              and word(id(d) + off(MDS, 'vectorcall')) != 0)
        last = 'vectorcall'
    check(MDS, 'size', L[MDS]['size'] == off(MDS, last) + PTR)
    del d

# --- completeness -----------------------------------------------------------------------------
for struct in sorted(L):
    for field in sorted(L[struct]):
        if L[struct][field] is not None and (struct, field) not in checked:
            failures.append('%s.%s @%s: no live check' % (struct, field, L[struct][field]))
for f in failures:
    print('FAIL ' + f)
print('%s: %d passed, %d failed' % (INFO['descriptor'], passed[0], len(failures)))
sys.exit(1 if failures else 0)
