//! Struct layouts a ceval-equivalent JIT touches, declared once.
//!
//! Each struct lists its required fields (present in every build that has the struct) and its
//! optional ones (present only in some builds), with every C name or dotted path the field went
//! by. The generator fills these from bindgen's view of each build's headers; a required field it
//! cannot find stops generation.

use crate::layout_struct;

layout_struct! {
    /// `PyObject`. On free-threaded 3.13 there is no `ob_refcnt`; trace-refs builds add the list
    /// links in front.
    pub struct ObjectLayout = ["PyObject"] {
        /// Type pointer.
        ob_type = "ob_type";
    }
    optional {
        /// Reference count (absent in free-threaded builds).
        ob_refcnt = "ob_refcnt";
        /// `Py_TRACE_REFS` forward link.
        ob_next = "_ob_next";
        /// `Py_TRACE_REFS` backward link.
        ob_prev = "_ob_prev";
        /// Free-threaded owning thread id.
        ob_tid = "ob_tid";
        /// Free-threaded owner-local reference count.
        ob_ref_local = "ob_ref_local";
        /// Free-threaded shared reference count.
        ob_ref_shared = "ob_ref_shared";
    }
}

layout_struct! {
    /// `PyVarObject`.
    pub struct VarObjectLayout = ["PyVarObject"] {
        /// Item count (digit count and sign for ints up to 3.11).
        ob_size = "ob_size";
    }
    optional {}
}

layout_struct! {
    /// `PyTypeObject`: the slots the JIT calls or tests.
    pub struct TypeObjectLayout = ["PyTypeObject"] {
        /// `tp_name`.
        tp_name = "tp_name";
        /// `tp_basicsize`.
        tp_basicsize = "tp_basicsize";
        /// `tp_itemsize`.
        tp_itemsize = "tp_itemsize";
        /// `tp_dealloc`.
        tp_dealloc = "tp_dealloc";
        /// `tp_getattr`.
        tp_getattr = "tp_getattr";
        /// `tp_setattr`.
        tp_setattr = "tp_setattr";
        /// `tp_repr`.
        tp_repr = "tp_repr";
        /// `tp_as_number`.
        tp_as_number = "tp_as_number";
        /// `tp_as_sequence`.
        tp_as_sequence = "tp_as_sequence";
        /// `tp_as_mapping`.
        tp_as_mapping = "tp_as_mapping";
        /// `tp_hash`.
        tp_hash = "tp_hash";
        /// `tp_call`.
        tp_call = "tp_call";
        /// `tp_str`.
        tp_str = "tp_str";
        /// `tp_getattro`.
        tp_getattro = "tp_getattro";
        /// `tp_setattro`.
        tp_setattro = "tp_setattro";
        /// `tp_flags`.
        tp_flags = "tp_flags";
        /// `tp_doc`.
        tp_doc = "tp_doc";
        /// `tp_richcompare`.
        tp_richcompare = "tp_richcompare";
        /// `tp_weaklistoffset`.
        tp_weaklistoffset = "tp_weaklistoffset";
        /// `tp_iter`.
        tp_iter = "tp_iter";
        /// `tp_iternext`.
        tp_iternext = "tp_iternext";
        /// `tp_base`.
        tp_base = "tp_base";
        /// `tp_dict`.
        tp_dict = "tp_dict";
        /// `tp_descr_get`.
        tp_descr_get = "tp_descr_get";
        /// `tp_descr_set`.
        tp_descr_set = "tp_descr_set";
        /// `tp_dictoffset`.
        tp_dictoffset = "tp_dictoffset";
        /// `tp_mro`.
        tp_mro = "tp_mro";
        /// `tp_version_tag`.
        tp_version_tag = "tp_version_tag";
        /// `tp_new`: compiled code constructs instances of classes whose `tp_new` is
        /// `object`'s without `type.__call__`.
        tp_new = "tp_new";
    }
    optional {
        /// 2.7 to 3.7 `tp_print` (the same slot is `tp_vectorcall_offset` from 3.8).
        tp_print = "tp_print";
        /// 2.7 `tp_compare` (the same slot is `tp_as_async` in 3.x).
        tp_compare = "tp_compare";
        /// 3.x `tp_as_async`.
        tp_as_async = "tp_as_async";
        /// 3.8+ `tp_vectorcall_offset`.
        tp_vectorcall_offset = "tp_vectorcall_offset";
        /// 3.4+ `tp_finalize`.
        tp_finalize = "tp_finalize";
        /// 3.8+ `tp_vectorcall`.
        tp_vectorcall = "tp_vectorcall";
        /// 3.12+ `tp_watched`.
        tp_watched = "tp_watched";
    }
}

layout_struct! {
    /// `PyLongObject` (3.12+ keeps size and sign in `long_value.lv_tag`).
    pub struct LongLayout = ["PyLongObject"] {
        /// First 30-bit digit.
        ob_digit = "ob_digit" | "long_value.ob_digit";
    }
    optional {
        /// 3.12+ `ndigits << 3 | sign`.
        lv_tag = "long_value.lv_tag";
    }
}

layout_struct! {
    /// 2.7's machine integer `PyIntObject`.
    pub struct IntLayout = ["PyIntObject"] {
        /// The C `long` value.
        ob_ival = "ob_ival";
    }
    optional {}
}

layout_struct! {
    /// `PyFloatObject`.
    pub struct FloatLayout = ["PyFloatObject"] {
        /// The C `double` value.
        ob_fval = "ob_fval";
    }
    optional {}
}

layout_struct! {
    /// `PyTupleObject`.
    pub struct TupleLayout = ["PyTupleObject"] {
        /// Inline item array.
        ob_item = "ob_item";
    }
    optional {}
}

layout_struct! {
    /// `PyListObject`.
    pub struct ListLayout = ["PyListObject"] {
        /// Pointer to the item array.
        ob_item = "ob_item";
        /// Allocated capacity.
        allocated = "allocated";
    }
    optional {}
}

layout_struct! {
    /// `PyDictObject` (2.7's open-addressing dict, 3.6+'s compact dict).
    pub struct DictLayout = ["PyDictObject"] {
        /// Number of items.
        ma_used = "ma_used";
    }
    optional {
        /// 2.7 `ma_fill`.
        ma_fill = "ma_fill";
        /// 2.7 `ma_mask`.
        ma_mask = "ma_mask";
        /// 2.7 `ma_table`.
        ma_table = "ma_table";
        /// 3.6+ PEP 509 version tag.
        ma_version_tag = "ma_version_tag";
        /// 3.x keys object.
        ma_keys = "ma_keys";
        /// 3.x split-table values.
        ma_values = "ma_values";
    }
}

layout_struct! {
    /// `PyDictKeysObject` (installed, in the internal headers, from 3.11 only).
    pub struct DictKeysLayout = ["PyDictKeysObject"] {
        /// Reference count of the keys object.
        dk_refcnt = "dk_refcnt";
        /// log2 of the hash table size.
        dk_log2_size = "dk_log2_size";
        /// Kind: general, unicode or split.
        dk_kind = "dk_kind";
        /// Key-set version for guards.
        dk_version = "dk_version";
        /// Usable entries left.
        dk_usable = "dk_usable";
        /// Used entries.
        dk_nentries = "dk_nentries";
        /// Start of the index array.
        dk_indices = "dk_indices";
    }
    optional {
        /// log2 of the index array size in bytes.
        dk_log2_index_bytes = "dk_log2_index_bytes";
    }
}

layout_struct! {
    /// `PyHeapTypeObject`: a class defined in Python.
    pub struct HeapTypeLayout = ["PyHeapTypeObject"] {
        /// `__slots__`.
        ht_slots = "ht_slots";
    }
    optional {
        /// 3.x: the keys shared by its instances' attribute values.
        ht_cached_keys = "ht_cached_keys";
    }
}

layout_struct! {
    /// 3.11+ `PyDictValues`: an instance's attribute values, indexed as its class's shared keys.
    pub struct DictValuesLayout = ["PyDictValues"] {
        /// The values.
        values = "values";
    }
    optional {
        /// 3.13: whether values stored inline in the object are in use.
        valid = "valid";
        /// 3.13: how many values there is room for (the insertion order follows them).
        capacity = "capacity";
        /// 3.13: `size`, how many values are set (the length of the insertion order).
        used = "size";
    }
}

layout_struct! {
    /// 3.11+ `PyDictUnicodeEntry`: an entry of a keys object whose keys are all `str`.
    pub struct DictUnicodeEntryLayout = ["PyDictUnicodeEntry"] {
        /// The key.
        me_key = "me_key";
        /// The value (unused in shared keys).
        me_value = "me_value";
    }
    optional {}
}

layout_struct! {
    /// `PyNumberMethods`: the binary operator slots compiled code calls directly for operands
    /// of exactly the type whose table it is (what `PyNumber_Add` and the rest end up calling).
    pub struct NumberMethodsLayout = ["PyNumberMethods"] {
        /// `+`.
        nb_add = "nb_add";
        /// `-`.
        nb_subtract = "nb_subtract";
        /// `*`.
        nb_multiply = "nb_multiply";
        /// `%`.
        nb_remainder = "nb_remainder";
        /// `<<`.
        nb_lshift = "nb_lshift";
        /// `>>`.
        nb_rshift = "nb_rshift";
        /// `&`.
        nb_and = "nb_and";
        /// `^`.
        nb_xor = "nb_xor";
        /// `|`.
        nb_or = "nb_or";
        /// `//`.
        nb_floor_divide = "nb_floor_divide";
        /// `/` (true division).
        nb_true_divide = "nb_true_divide";
    }
    optional {}
}

layout_struct! {
    /// 2.7 `PyDictEntry`: a slot of a dict's open-addressing table (a NULL key never used; the
    /// dummy key a deleted one).
    pub struct DictEntryLayout = ["PyDictEntry"] {
        /// The key's hash.
        me_hash = "me_hash";
        /// The key.
        me_key = "me_key";
        /// The value.
        me_value = "me_value";
    }
    optional {}
}

layout_struct! {
    /// 3.12 `PyDictOrValues`: the word before an object with a managed dict, a dict or (low
    /// bit set) its values.
    pub struct DictOrValuesLayout = ["PyDictOrValues"] {
        /// The values pointer, tagged.
        values = "values";
    }
    optional {}
}

layout_struct! {
    /// `PyCodeObject`.
    pub struct CodeLayout = ["PyCodeObject"] {
        /// Positional argument count.
        co_argcount = "co_argcount";
        /// Value stack size.
        co_stacksize = "co_stacksize";
        /// `CO_*` flags.
        co_flags = "co_flags";
        /// First line number.
        co_firstlineno = "co_firstlineno";
        /// Constants tuple.
        co_consts = "co_consts";
        /// Names tuple.
        co_names = "co_names";
        /// File name.
        co_filename = "co_filename";
        /// Function name.
        co_name = "co_name";
    }
    optional {
        /// Local count (3.11 and before).
        co_nlocals = "co_nlocals";
        /// 3.x keyword-only argument count.
        co_kwonlyargcount = "co_kwonlyargcount";
        /// 3.8+ positional-only argument count.
        co_posonlyargcount = "co_posonlyargcount";
        /// ≤3.10 bytecode bytes object.
        co_code = "co_code";
        /// ≤3.10 local names.
        co_varnames = "co_varnames";
        /// ≤3.10 free variable names.
        co_freevars = "co_freevars";
        /// ≤3.10 cell variable names.
        co_cellvars = "co_cellvars";
        /// ≤3.9 line number table.
        co_lnotab = "co_lnotab";
        /// 3.10+ line/location table.
        co_linetable = "co_linetable";
        /// 3.11+ exception table.
        co_exceptiontable = "co_exceptiontable";
        /// 3.11+ names of locals, cells and frees.
        co_localsplusnames = "co_localsplusnames";
        /// 3.11+ kinds of locals, cells and frees.
        co_localspluskinds = "co_localspluskinds";
        /// 3.11+ number of locals, cells and frees.
        co_nlocalsplus = "co_nlocalsplus";
        /// 3.12+ frame size in words.
        co_framesize = "co_framesize";
        /// 3.11+ qualified name.
        co_qualname = "co_qualname";
        /// 3.11+ inline (executed) bytecode.
        co_code_adaptive = "co_code_adaptive";
        /// 3.11+ cell count.
        co_ncellvars = "co_ncellvars";
        /// 3.11+ index of the first traceable instruction (the `RESUME` after the prefix that
        /// copies free variables and makes cells).
        co_firsttraceable = "_co_firsttraceable";
        /// 3.11+ free variable count.
        co_nfreevars = "co_nfreevars";
        /// 3.6+ `co_extra` (PEP 523 scratch space).
        co_extra = "co_extra";
    }
}

layout_struct! {
    /// `PyFunctionObject`.
    pub struct FunctionLayout = ["PyFunctionObject"] {
        /// Code object.
        func_code = "func_code";
        /// Globals dict.
        func_globals = "func_globals";
        /// Defaults tuple or NULL.
        func_defaults = "func_defaults";
        /// Closure tuple or NULL.
        func_closure = "func_closure";
        /// Docstring.
        func_doc = "func_doc";
        /// Name.
        func_name = "func_name";
        /// `__dict__`.
        func_dict = "func_dict";
        /// `__module__`.
        func_module = "func_module";
    }
    optional {
        /// 3.10+ builtins dict.
        func_builtins = "func_builtins";
        /// 3.3+ qualified name.
        func_qualname = "func_qualname";
        /// 3.x keyword-only defaults.
        func_kwdefaults = "func_kwdefaults";
        /// 3.8+ vectorcall entry.
        vectorcall = "vectorcall";
        /// 3.11+ function version for specialisation.
        func_version = "func_version";
    }
}

layout_struct! {
    /// `PyMethodObject`: a function bound to an instance.
    pub struct MethodLayout = ["PyMethodObject"] {
        /// The function (`__func__`).
        im_func = "im_func";
        /// The instance (`__self__`).
        im_self = "im_self";
    }
    optional {}
}

layout_struct! {
    /// `PyCellObject`.
    pub struct CellLayout = ["PyCellObject"] {
        /// The referenced object or NULL.
        ob_ref = "ob_ref";
    }
    optional {}
}

layout_struct! {
    /// `PyFrameObject`: the evaluation record up to 3.10, a lazily created view from 3.11.
    pub struct FrameObjectLayout = ["PyFrameObject"] {
        /// Previous frame (may be NULL from 3.11 until materialised).
        f_back = "f_back";
        /// Trace function.
        f_trace = "f_trace";
        /// Line number while tracing.
        f_lineno = "f_lineno";
    }
    optional {
        /// ≤3.10 code object.
        f_code = "f_code";
        /// ≤3.10 builtins.
        f_builtins = "f_builtins";
        /// ≤3.10 globals.
        f_globals = "f_globals";
        /// ≤3.10 locals mapping.
        f_locals = "f_locals";
        /// ≤3.10 value stack base.
        f_valuestack = "f_valuestack";
        /// ≤3.9 value stack top (NULL while executing).
        f_stacktop = "f_stacktop";
        /// 3.10 value stack depth.
        f_stackdepth = "f_stackdepth";
        /// ≤3.10 last instruction (bytes ≤3.9, code units 3.10).
        f_lasti = "f_lasti";
        /// ≤3.10 block stack depth.
        f_iblock = "f_iblock";
        /// ≤3.10 block stack.
        f_blockstack = "f_blockstack";
        /// ≤3.10 locals, cells, frees, then the value stack.
        f_localsplus = "f_localsplus";
        /// 3.11+ pointer to the `_PyInterpreterFrame`.
        f_frame = "f_frame";
        /// 3.11+ embedded interpreter frame storage.
        f_frame_data = "_f_frame_data";
        /// 3.4-3.9 whether the frame is executing (`char`).
        f_executing = "f_executing";
        /// 3.10 frame state (`signed char`; `FRAME_EXECUTING` while running).
        f_state = "f_state";
        /// 3.7-3.10 whether line events are traced (`char`, 1 on a new frame).
        f_trace_lines = "f_trace_lines";
        /// 3.7-3.10 whether opcode events are traced (`char`, 0 on a new frame).
        f_trace_opcodes = "f_trace_opcodes";
        /// ≤3.10 the generator running the frame, or NULL.
        f_gen = "f_gen";
        /// 2.7 exception saved when the frame first handled one (restored on exit).
        f_exc_type = "f_exc_type";
        /// 2.7 saved exception value.
        f_exc_value = "f_exc_value";
        /// 2.7 saved exception traceback.
        f_exc_traceback = "f_exc_traceback";
    }
}

layout_struct! {
    /// `PyCFunctionObject`: a builtin function or a bound builtin method.
    pub struct CFunctionLayout = ["PyCFunctionObject"] {
        /// Its `PyMethodDef`.
        m_ml = "m_ml";
        /// The bound object (a module or NULL for functions).
        m_self = "m_self";
    }
    optional {}
}

layout_struct! {
    /// 3.x `PyMethodDescrObject`: a method of a builtin type (`set.add`).
    pub struct MethodDescrLayout = ["PyMethodDescrObject"] {
        /// The type whose instances it takes as `self` (`d_common.d_type`).
        d_type = "d_common.d_type" | "d_type";
        /// Its `PyMethodDef`.
        d_method = "d_method";
    }
    optional {
        /// 3.8+ its vectorcall function (whose calling conventions compiled code follows).
        vectorcall = "vectorcall";
    }
}

layout_struct! {
    /// 3.7+ `_PyErr_StackItem`: one entry of the handled-exception stack.
    pub struct ExcStackItemLayout = ["_PyErr_StackItem", "_err_stackitem"] {
        /// The handled exception (3.11+: the only field that carries it).
        exc_value = "exc_value";
        /// The entry below (a generator's entry points at its caller's).
        previous_item = "previous_item";
    }
    optional {
        /// 3.7–3.10 handled exception type.
        exc_type = "exc_type";
        /// 3.7–3.10 handled exception traceback.
        exc_traceback = "exc_traceback";
    }
}

layout_struct! {
    /// 3.11+ `_PyInterpreterFrame` (internal header).
    pub struct InterpreterFrameLayout = ["_PyInterpreterFrame"] {
        /// Code object (3.13: `f_executable`, code or None).
        f_code = "f_code" | "f_executable";
        /// Calling frame.
        previous = "previous";
        /// Globals.
        f_globals = "f_globals";
        /// Builtins.
        f_builtins = "f_builtins";
        /// Locals mapping or NULL.
        f_locals = "f_locals";
        /// Materialised frame object or NULL.
        frame_obj = "frame_obj";
        /// Stack top, as an index into `localsplus`.
        stacktop = "stacktop";
        /// Locals, cells, frees, then the value stack.
        localsplus = "localsplus";
    }
    optional {
        /// Function object (3.11 `f_func`, 3.12+ `f_funcobj`).
        f_func = "f_func" | "f_funcobj";
        /// 3.11/3.12 previous instruction pointer.
        prev_instr = "prev_instr";
        /// 3.13 current instruction pointer.
        instr_ptr = "instr_ptr";
        /// Owner kind.
        owner = "owner";
        /// 3.11 entry frame flag.
        is_entry = "is_entry";
        /// 3.12+ return offset.
        return_offset = "return_offset";
    }
}

layout_struct! {
    /// 3.10 `CFrame`, 3.11/3.12 `_PyCFrame`: per C stack frame of the evaluation loop.
    pub struct CFrameLayout = ["_PyCFrame", "CFrame"] {
    }
    optional {
        /// 3.11/3.12 running interpreter frame.
        current_frame = "current_frame";
        /// 3.10/3.11 tracing flag.
        use_tracing = "use_tracing";
        /// Enclosing C frame.
        previous = "previous";
    }
}

layout_struct! {
    /// `PyThreadState`: tracing, recursion depth, current frame and exception.
    pub struct ThreadStateLayout = ["PyThreadState"] {
        /// Owning interpreter.
        interp = "interp";
        /// C-level trace function.
        c_tracefunc = "c_tracefunc";
        /// C-level profile function.
        c_profilefunc = "c_profilefunc";
    }
    optional {
        /// ≤3.10 running frame object.
        frame = "frame";
        /// 3.11/3.12 C frame holding the running interpreter frame.
        cframe = "cframe";
        /// 3.13 running interpreter frame.
        current_frame = "current_frame";
        /// ≤3.10 recursion depth.
        recursion_depth = "recursion_depth";
        /// 3.10+ set while raising RecursionError (the overflow allowance is in use).
        recursion_headroom = "recursion_headroom";
        /// 3.11+ top of the frame data stack (`PyObject **`).
        datastack_top = "datastack_top";
        /// 3.11+ end of the current data stack chunk.
        datastack_limit = "datastack_limit";
        /// 3.x ≤3.9 flag: the recursion limit was passed (50 more calls allowed), reset below
        /// the low-water mark.
        overflowed = "overflowed";
        /// 3.11 recursion budget left.
        recursion_remaining = "recursion_remaining";
        /// 3.12+ Python recursion budget left.
        py_recursion_remaining = "py_recursion_remaining";
        /// 3.12+ C recursion budget left.
        c_recursion_remaining = "c_recursion_remaining";
        /// Tracing nesting level (int ≤3.11, counter 3.12+).
        tracing = "tracing";
        /// ≤3.10 tracing flag.
        use_tracing = "use_tracing";
        /// ≤3.11 current exception type.
        curexc_type = "curexc_type";
        /// ≤3.11 current exception value.
        curexc_value = "curexc_value";
        /// ≤3.11 current exception traceback.
        curexc_traceback = "curexc_traceback";
        /// 3.12+ current exception.
        current_exception = "current_exception";
        /// 3.7+ handled exception stack.
        exc_info = "exc_info";
        /// 2.7/3.6 handled exception type.
        exc_type = "exc_type";
        /// 2.7/3.6 handled exception value.
        exc_value = "exc_value";
        /// 2.7/3.6 handled exception traceback.
        exc_traceback = "exc_traceback";
        /// 3.13 per-thread eval breaker.
        eval_breaker = "eval_breaker";
    }
}

layout_struct! {
    /// `PyInterpreterState` (public ≤3.7, internal from 3.8): individual fields only.
    pub struct InterpreterStateLayout = ["PyInterpreterState"] {
        /// `sys.modules`.
        modules = "modules" | "imports.modules";
    }
    optional {
        /// 3.6+ PEP 523 frame evaluation hook.
        eval_frame = "eval_frame";
        /// 3.9–3.12 eval breaker word.
        ceval_eval_breaker = "ceval.eval_breaker";
        /// 3.8+ recursion limit.
        ceval_recursion_limit = "ceval.recursion_limit";
    }
}

layout_struct! {
    /// 3.x `PyModuleDef`.
    pub struct ModuleDefLayout = ["PyModuleDef"] {
        /// `PyModuleDef_Base` header.
        m_base = "m_base";
        /// Module name.
        m_name = "m_name";
        /// Docstring.
        m_doc = "m_doc";
        /// Per-module state size.
        m_size = "m_size";
        /// Method table.
        m_methods = "m_methods";
    }
    optional {
        /// 3.5+ slots (multi-phase init).
        m_slots = "m_slots";
    }
}

layout_struct! {
    /// `PyMethodDef`.
    pub struct MethodDefLayout = ["PyMethodDef"] {
        /// Name.
        ml_name = "ml_name";
        /// C function.
        ml_meth = "ml_meth";
        /// `METH_*` flags.
        ml_flags = "ml_flags";
        /// Docstring.
        ml_doc = "ml_doc";
    }
    optional {}
}

/// Declares the set of layouts in a descriptor, and its spec table for the generator.
macro_rules! layout_set {
    (
        required { $( $(#[$m:meta])* $field:ident: $ty:ident, )* }
        optional {
            $( $(#[$om:meta])* $ofield:ident: $oty:ident, )*
        }
    ) => {
        /// Every struct layout of one build.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Layout {
            $( $(#[$m])* pub $field: $ty, )*
            $( $(#[$om])* pub $ofield: Option<$oty>, )*
        }

        /// A struct the generator must lay out.
        #[derive(Debug, Clone, Copy)]
        pub struct StructSpec {
            /// Field name in [`Layout`].
            pub name: &'static str,
            /// Rust type name of the layout.
            pub rust_type: &'static str,
            /// C type names in order of preference.
            pub c_types: &'static [&'static str],
            /// Fields.
            pub fields: &'static [crate::descriptor::FieldSpec],
            /// Whether every build has it.
            pub required: bool,
        }

        impl Layout {
            /// Every struct, required first.
            pub const STRUCTS: &'static [StructSpec] = &[
                $( StructSpec { name: stringify!($field), rust_type: stringify!($ty), c_types: $ty::C_TYPES, fields: $ty::FIELDS, required: true }, )*
                $( StructSpec { name: stringify!($ofield), rust_type: stringify!($oty), c_types: $oty::C_TYPES, fields: $oty::FIELDS, required: false }, )*
            ];

            /// `(struct, Some((size, field offsets)))` per struct, `None` where the build lacks it.
            #[allow(clippy::type_complexity)]
            pub fn structs(&self) -> Vec<(&'static str, Option<(u32, Vec<(&'static str, Option<u32>)>)>)> {
                vec![
                    $( (stringify!($field), Some((self.$field.size, self.$field.offsets()))), )*
                    $( (stringify!($ofield), self.$ofield.map(|l| (l.size, l.offsets()))), )*
                ]
            }
        }
    };
}

layout_set! {
    required {
    /// `PyObject`.
    object: ObjectLayout,
    /// `PyVarObject`.
    var_object: VarObjectLayout,
    /// `PyTypeObject`.
    type_object: TypeObjectLayout,
    /// `PyLongObject`.
    long: LongLayout,
    /// `PyFloatObject`.
    float: FloatLayout,
    /// `PyTupleObject`.
    tuple: TupleLayout,
    /// `PyListObject`.
    list: ListLayout,
    /// `PyDictObject`.
    dict: DictLayout,
    /// `PyCodeObject`.
    code: CodeLayout,
    /// `PyFunctionObject`.
    function: FunctionLayout,
    /// `PyCellObject`.
    cell: CellLayout,
    /// `PyMethodObject`.
    method: MethodLayout,
    /// `PyFrameObject`.
    frame_object: FrameObjectLayout,
    /// `PyThreadState`.
    thread_state: ThreadStateLayout,
    /// `PyInterpreterState`.
    interpreter_state: InterpreterStateLayout,
    /// `PyMethodDef`.
    method_def: MethodDefLayout,
    /// `PyNumberMethods`.
    number_methods: NumberMethodsLayout,
    }
    optional {
        /// 2.7 `PyIntObject`.
        int: IntLayout,
        /// 3.11+ `PyDictKeysObject`.
        dict_keys: DictKeysLayout,
        /// 3.11+ `_PyInterpreterFrame`.
        interpreter_frame: InterpreterFrameLayout,
        /// 3.10 `CFrame`, 3.11/3.12 `_PyCFrame`.
        cframe: CFrameLayout,
        /// 3.x `PyModuleDef`.
        module_def: ModuleDefLayout,
        /// 3.7+ `_PyErr_StackItem`.
        exc_stack_item: ExcStackItemLayout,
        /// `PyCFunctionObject`.
        cfunction: CFunctionLayout,
        /// 3.x `PyMethodDescrObject`.
        method_descr: MethodDescrLayout,
        /// `PyHeapTypeObject`.
        heap_type: HeapTypeLayout,
        /// 3.11+ `PyDictValues`.
        dict_values: DictValuesLayout,
        /// 3.11+ `PyDictUnicodeEntry`.
        dict_unicode_entry: DictUnicodeEntryLayout,
        /// 3.12 `PyDictOrValues`.
        dict_or_values: DictOrValuesLayout,
        /// 2.7 `PyDictEntry`.
        dict_entry: DictEntryLayout,
    }
}
