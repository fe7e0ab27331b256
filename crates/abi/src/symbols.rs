//! The C API entries anyjit uses, each with every name it went by.
//!
//! One table (pythoncapi-compat's habit): a logical entry, its kind, and the candidate names in
//! order of preference. The descriptor generator records, per build, the first candidate the
//! build's headers declare (header macros such as 2.7's `#define PyUnicode_FromString
//! PyUnicodeUCS4_FromString` or `#define Py_InitModule4 Py_InitModule4_64` are applied by the
//! preprocessor, so the declared name is the exported one). At import the runtime resolves exactly
//! that name in the running process.

/// What a symbol's address means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A function: the address is the entry point.
    Function,
    /// A variable holding an object pointer (`PyExc_TypeError`): dereference once.
    ObjectPointer,
    /// A statically allocated object (`_Py_NoneStruct`, `PyLong_Type`): the address is the object.
    Object,
}

macro_rules! symbols {
    ( $( $(#[$m:meta])* $name:ident : $kind:ident [$($cand:literal),+] ; )* ) => {
        /// A logical C API entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(non_camel_case_types)]
        pub enum Api {
            $( $(#[$m])* $name, )*
        }

        impl Api {
            /// Every entry, in declaration order (the order of a descriptor's symbol table).
            pub const ALL: &'static [Api] = &[ $( Api::$name, )* ];

            /// Candidate names in order of preference.
            pub fn candidates(self) -> &'static [&'static str] {
                match self { $( Api::$name => &[$($cand),+], )* }
            }

            /// What the address means.
            pub fn kind(self) -> SymbolKind {
                match self { $( Api::$name => SymbolKind::$kind, )* }
            }

            /// Whether the running process may lack the entry although the headers declare it
            /// (internal functions used only as a faster path or for a setting with a
            /// default; [`crate::capi::CApi::has`] then says no and callers take the general
            /// way).
            pub fn optional(self) -> bool {
                matches!(
                    self,
                    Api::ObjectGetMethod
                        | Api::EvalGetSwitchInterval
                        | Api::ObjectLookupAttr
                        | Api::ImportGetModule
                )
            }

            /// The Rust name of the entry.
            pub fn rust_name(self) -> &'static str {
                match self { $( Api::$name => stringify!($name), )* }
            }
        }
    };
}

symbols! {
    // --- interpreter identity and module creation
    /// `Py_GetVersion` (all versions): the version banner.
    GetVersion: Function ["Py_GetVersion"];
    /// 2.x module creation (`Py_InitModule4` is a macro for the `_64`/`TraceRefs` variants).
    InitModule4: Function ["Py_InitModule4_64", "Py_InitModule4TraceRefs_64", "Py_InitModule4", "Py_InitModule4TraceRefs"];
    /// 3.x module creation (`PyModule_Create2TraceRefs` on 3.x trace-refs builds up to 3.12).
    ModuleCreate2: Function ["PyModule_Create2", "PyModule_Create2TraceRefs"];
    /// `PyModule_AddObject`.
    ModuleAddObject: Function ["PyModule_AddObject"];
    /// `PySys_GetObject` (borrowed reference).
    SysGetObject: Function ["PySys_GetObject"];
    /// `PyImport_ImportModule`.
    ImportModule: Function ["PyImport_ImportModule"];

    // --- reference counting
    /// `Py_IncRef` (accepts NULL; right for every build flavour).
    IncRef: Function ["Py_IncRef"];
    /// `Py_DecRef` (accepts NULL).
    DecRef: Function ["Py_DecRef"];
    /// 3.x `_Py_Dealloc` (2.7 calls `tp_dealloc` directly).
    Dealloc: Function ["_Py_Dealloc"];
    /// Debug builds up to 3.11: the global reference total.
    RefTotal: Object ["_Py_RefTotal"];

    // --- singletons and types
    /// `None`.
    NoneStruct: Object ["_Py_NoneStruct"];
    /// `True`.
    TrueStruct: Object ["_Py_TrueStruct"];
    /// `False` (2.7: `_Py_ZeroStruct`).
    FalseStruct: Object ["_Py_FalseStruct", "_Py_ZeroStruct"];
    /// `NotImplemented`.
    NotImplementedStruct: Object ["_Py_NotImplementedStruct"];
    /// `type`.
    TypeType: Object ["PyType_Type"];
    /// 2.7 `int`.
    IntType: Object ["PyInt_Type"];
    /// `long` (2.7) / `int` (3.x).
    LongType: Object ["PyLong_Type"];
    /// `bool`.
    BoolType: Object ["PyBool_Type"];
    /// `float`.
    FloatType: Object ["PyFloat_Type"];
    /// `tuple`.
    TupleType: Object ["PyTuple_Type"];
    /// `list`.
    ListType: Object ["PyList_Type"];
    /// `dict`.
    DictType: Object ["PyDict_Type"];
    /// The native `str` type (2.7 bytes `str`, 3.x unicode `str`).
    StrType: Object ["PyString_Type", "PyUnicode_Type"];
    /// `code`.
    CodeType: Object ["PyCode_Type"];
    /// `function`.
    FunctionType: Object ["PyFunction_Type"];
    /// `frame`.
    FrameType: Object ["PyFrame_Type"];
    /// `cell`.
    CellType: Object ["PyCell_Type"];
    /// `PyMethod_Type` (bound methods).
    MethodType: Object ["PyMethod_Type"];

    // --- exceptions
    /// `ImportError`.
    ExcImportError: ObjectPointer ["PyExc_ImportError"];
    /// `TypeError`.
    ExcTypeError: ObjectPointer ["PyExc_TypeError"];
    /// `ValueError`.
    ExcValueError: ObjectPointer ["PyExc_ValueError"];
    /// `SystemError`.
    ExcSystemError: ObjectPointer ["PyExc_SystemError"];
    /// `AssertionError`.
    ExcAssertionError: ObjectPointer ["PyExc_AssertionError"];
    /// `RuntimeError`.
    ExcRuntimeError: ObjectPointer ["PyExc_RuntimeError"];
    /// 3.5+ `RecursionError`.
    ExcRecursionError: ObjectPointer ["PyExc_RecursionError"];
    /// `PyErr_SetString`.
    ErrSetString: Function ["PyErr_SetString"];
    /// `PyErr_Occurred`.
    ErrOccurred: Function ["PyErr_Occurred"];
    /// `PyErr_Clear`.
    ErrClear: Function ["PyErr_Clear"];
    /// `PyErr_Fetch` (all versions; 3.12+ wraps the single current exception).
    ErrFetch: Function ["PyErr_Fetch"];
    /// `PyErr_Restore`.
    ErrRestore: Function ["PyErr_Restore"];
    /// `PyErr_ExceptionMatches`.
    ErrExceptionMatches: Function ["PyErr_ExceptionMatches"];
    /// `KeyError`.
    ExcKeyError: ObjectPointer ["PyExc_KeyError"];
    /// `AttributeError`.
    ExcAttributeError: ObjectPointer ["PyExc_AttributeError"];

    // --- objects
    /// Native `int` from a C long (2.7 `PyInt_FromLong`, 3.x `PyLong_FromLong`).
    NativeIntFromLong: Function ["PyInt_FromLong", "PyLong_FromLong"];
    /// `PyLong_FromLong`.
    LongFromLong: Function ["PyLong_FromLong"];
    /// `PyLong_AsLong`.
    LongAsLong: Function ["PyLong_AsLong"];
    /// `PyFloat_FromDouble`.
    FloatFromDouble: Function ["PyFloat_FromDouble"];
    /// `PyBool_FromLong`.
    BoolFromLong: Function ["PyBool_FromLong"];
    /// Native `str` from UTF-8/ASCII C text (2.7 `PyString_FromString`, 3.x `PyUnicode_FromString`).
    NativeStrFromString: Function ["PyString_FromString", "PyUnicode_FromString"];
    /// Native `str` to C text (2.7 `PyString_AsString`, 3.x `PyUnicode_AsUTF8`).
    NativeStrAsString: Function ["PyString_AsString", "PyUnicode_AsUTF8"];
    /// Unicode from UTF-8 (2.7 mangled `PyUnicodeUCS4_`/`UCS2_` names).
    UnicodeFromString: Function ["PyUnicode_FromString", "PyUnicodeUCS4_FromString", "PyUnicodeUCS2_FromString"];
    /// Bytes buffer of a native byte string (2.7 `str`, 3.x `bytes`).
    BytesAsStringAndSize: Function ["PyString_AsStringAndSize", "PyBytes_AsStringAndSize"];
    /// `PyErr_NewException`.
    ErrNewException: Function ["PyErr_NewException"];
    /// `NotImplementedError`.
    ExcNotImplementedError: ObjectPointer ["PyExc_NotImplementedError"];
    /// `PyTuple_New`.
    TupleNew: Function ["PyTuple_New"];
    /// `PyTuple_Size`.
    TupleSize: Function ["PyTuple_Size"];
    /// `PyTuple_GetItem` (borrowed).
    TupleGetItem: Function ["PyTuple_GetItem"];
    /// `PyTuple_SetItem` (steals).
    TupleSetItem: Function ["PyTuple_SetItem"];
    /// `PyList_New`.
    ListNew: Function ["PyList_New"];
    /// `PySet_New`.
    SetNew: Function ["PySet_New"];
    /// `PySet_Add`.
    SetAdd: Function ["PySet_Add"];
    /// `PySlice_New`.
    SliceNew: Function ["PySlice_New"];
    /// `_PyEval_SliceIndex` (2.7 `SLICE+k` bounds).
    EvalSliceIndex: Function ["_PyEval_SliceIndex"];
    /// `PySequence_GetSlice`.
    SequenceGetSlice: Function ["PySequence_GetSlice"];
    /// `PySequence_SetSlice`.
    SequenceSetSlice: Function ["PySequence_SetSlice"];
    /// `PySequence_DelSlice`.
    SequenceDelSlice: Function ["PySequence_DelSlice"];
    /// `PyObject_DelItem`.
    ObjectDelItem: Function ["PyObject_DelItem"];
    /// `PyDict_DelItem`.
    DictDelItem: Function ["PyDict_DelItem"];
    /// `PyObject_Format`.
    ObjectFormat: Function ["PyObject_Format"];
    /// `PyObject_ASCII` (3.x).
    ObjectAscii: Function ["PyObject_ASCII"];
    /// `PySequence_Tuple`.
    SequenceTuple: Function ["PySequence_Tuple"];
    /// `PySequence_Check`.
    SequenceCheck: Function ["PySequence_Check"];
    /// `PyDict_Update`.
    DictUpdate: Function ["PyDict_Update"];
    /// `PyList_AsTuple`.
    ListAsTuple: Function ["PyList_AsTuple"];
    /// `PyList_Append`.
    ListAppend: Function ["PyList_Append"];
    /// `PyDict_New`.
    DictNew: Function ["PyDict_New"];
    /// `PyDict_SetItemString`.
    DictSetItemString: Function ["PyDict_SetItemString"];
    /// `PyDict_GetItemString` (borrowed).
    DictGetItemString: Function ["PyDict_GetItemString"];
    /// `PyDict_Next`.
    DictNext: Function ["PyDict_Next"];
    /// `PyObject_GetAttrString`.
    ObjectGetAttrString: Function ["PyObject_GetAttrString"];
    /// `PyObject_Repr`.
    ObjectRepr: Function ["PyObject_Repr"];
    /// `PyObject_Str`.
    ObjectStr: Function ["PyObject_Str"];
    /// `PyUnicode_Concat` (3.x `str + str`).
    UnicodeConcat: Function ["PyUnicode_Concat"];
    /// `PyObject_Size` (`len()`).
    ObjectSize: Function ["PyObject_Size"];
    /// `PyObject_IsTrue`.
    ObjectIsTrue: Function ["PyObject_IsTrue"];
    /// `PyObject_CallObject`.
    ObjectCallObject: Function ["PyObject_CallObject"];
    /// `PyObject_GetIter`.
    ObjectGetIter: Function ["PyObject_GetIter"];
    /// `PyIter_Next`.
    IterNext: Function ["PyIter_Next"];
    /// `PyNumber_Add`.
    NumberAdd: Function ["PyNumber_Add"];
    /// `PyNumber_Subtract`.
    NumberSubtract: Function ["PyNumber_Subtract"];
    /// `PyNumber_Multiply`.
    NumberMultiply: Function ["PyNumber_Multiply"];
    /// `PyNumber_MatrixMultiply` (3.5+).
    NumberMatrixMultiply: Function ["PyNumber_MatrixMultiply"];
    /// `PyNumber_TrueDivide`.
    NumberTrueDivide: Function ["PyNumber_TrueDivide"];
    /// 2.7 classic division.
    NumberDivide: Function ["PyNumber_Divide"];
    /// `PyNumber_FloorDivide`.
    NumberFloorDivide: Function ["PyNumber_FloorDivide"];
    /// `PyNumber_Remainder`.
    NumberRemainder: Function ["PyNumber_Remainder"];
    /// `PyNumber_Power`.
    NumberPower: Function ["PyNumber_Power"];
    /// `PyNumber_Lshift`.
    NumberLshift: Function ["PyNumber_Lshift"];
    /// `PyNumber_Rshift`.
    NumberRshift: Function ["PyNumber_Rshift"];
    /// `PyNumber_And`.
    NumberAnd: Function ["PyNumber_And"];
    /// `PyNumber_Or`.
    NumberOr: Function ["PyNumber_Or"];
    /// `PyNumber_Xor`.
    NumberXor: Function ["PyNumber_Xor"];
    /// `PyNumber_InPlaceAdd`.
    NumberInPlaceAdd: Function ["PyNumber_InPlaceAdd"];
    /// `PyNumber_InPlaceSubtract`.
    NumberInPlaceSubtract: Function ["PyNumber_InPlaceSubtract"];
    /// `PyNumber_InPlaceMultiply`.
    NumberInPlaceMultiply: Function ["PyNumber_InPlaceMultiply"];
    /// `PyNumber_InPlaceMatrixMultiply` (3.5+).
    NumberInPlaceMatrixMultiply: Function ["PyNumber_InPlaceMatrixMultiply"];
    /// `PyNumber_InPlaceTrueDivide`.
    NumberInPlaceTrueDivide: Function ["PyNumber_InPlaceTrueDivide"];
    /// 2.7 classic in-place division.
    NumberInPlaceDivide: Function ["PyNumber_InPlaceDivide"];
    /// `PyNumber_InPlaceFloorDivide`.
    NumberInPlaceFloorDivide: Function ["PyNumber_InPlaceFloorDivide"];
    /// `PyNumber_InPlaceRemainder`.
    NumberInPlaceRemainder: Function ["PyNumber_InPlaceRemainder"];
    /// `PyNumber_InPlacePower`.
    NumberInPlacePower: Function ["PyNumber_InPlacePower"];
    /// `PyNumber_InPlaceLshift`.
    NumberInPlaceLshift: Function ["PyNumber_InPlaceLshift"];
    /// `PyNumber_InPlaceRshift`.
    NumberInPlaceRshift: Function ["PyNumber_InPlaceRshift"];
    /// `PyNumber_InPlaceAnd`.
    NumberInPlaceAnd: Function ["PyNumber_InPlaceAnd"];
    /// `PyNumber_InPlaceOr`.
    NumberInPlaceOr: Function ["PyNumber_InPlaceOr"];
    /// `PyNumber_InPlaceXor`.
    NumberInPlaceXor: Function ["PyNumber_InPlaceXor"];
    /// `PyNumber_Positive`.
    NumberPositive: Function ["PyNumber_Positive"];
    /// `PyNumber_Negative`.
    NumberNegative: Function ["PyNumber_Negative"];
    /// `PyNumber_Invert`.
    NumberInvert: Function ["PyNumber_Invert"];
    /// `PyObject_RichCompare`.
    ObjectRichCompare: Function ["PyObject_RichCompare"];
    /// `PySequence_Contains`.
    SequenceContains: Function ["PySequence_Contains"];
    /// `PyObject_GetItem`.
    ObjectGetItem: Function ["PyObject_GetItem"];
    /// `PyObject_SetItem`.
    ObjectSetItem: Function ["PyObject_SetItem"];
    /// `PyObject_GetAttr`.
    ObjectGetAttr: Function ["PyObject_GetAttr"];
    /// `PyObject_SetAttr`.
    ObjectSetAttr: Function ["PyObject_SetAttr"];
    /// `PyObject_Call`.
    ObjectCall: Function ["PyObject_Call"];
    /// 3.11+ `PyObject_Vectorcall` (a static inline before 3.11).
    ObjectVectorcall: Function ["PyObject_Vectorcall"];
    /// Calls with a C array of positional arguments and a kwargs dict: 3.9+
    /// `PyObject_VectorcallDict`, 3.6–3.8 `_PyObject_FastCallDict`.
    ObjectVectorcallDict: Function ["PyObject_VectorcallDict", "_PyObject_FastCallDict"];
    /// `PyDict_GetItem` (borrowed, no exception).
    DictGetItem: Function ["PyDict_GetItem"];
    /// `PyDict_SetItem`.
    DictSetItem: Function ["PyDict_SetItem"];
    /// `PyObject_Hash`.
    ObjectHash: Function ["PyObject_Hash"];
    /// `PyErr_SetObject`.
    ErrSetObject: Function ["PyErr_SetObject"];
    /// 3.x `PyException_SetCause` (steals the cause).
    ExceptionSetCause: Function ["PyException_SetCause"];
    /// `PyErr_NormalizeException`.
    ErrNormalizeException: Function ["PyErr_NormalizeException"];
    /// `PyErr_GivenExceptionMatches`.
    ErrGivenExceptionMatches: Function ["PyErr_GivenExceptionMatches"];
    /// 3.x `PyException_SetTraceback`.
    ExceptionSetTraceback: Function ["PyException_SetTraceback"];
    /// 3.x `PyException_GetTraceback` (new reference or NULL).
    ExceptionGetTraceback: Function ["PyException_GetTraceback"];
    /// `PyTraceBack_Here`: adds the frame to the current exception's traceback.
    TraceBackHere: Function ["PyTraceBack_Here"];
    /// `PyFrame_New(tstate, code, globals, locals)` (up to 3.10 the evaluation record).
    FrameNew: Function ["PyFrame_New"];
    /// `_Py_CheckRecursiveCall` (`(where)` up to 3.8, `(tstate, where)` from 3.9): raises
    /// RecursionError once the depth passed the limit.
    CheckRecursiveCall: Function ["_Py_CheckRecursiveCall"];
    /// 3.9+ `Py_EnterRecursiveCall(where)` as a function (a macro before).
    EnterRecursiveCall: Function ["Py_EnterRecursiveCall"];
    /// 3.9+ `Py_LeaveRecursiveCall()` as a function.
    LeaveRecursiveCall: Function ["Py_LeaveRecursiveCall"];
    /// 3.9+ `PyObject_GC_IsTracked`.
    GcIsTracked: Function ["PyObject_GC_IsTracked"];
    /// `PyObject_GC_Track`.
    GcTrack: Function ["PyObject_GC_Track"];
    /// 3.6+ `_PyEval_EvalFrameDefault`: what `eval_frame` holds by default up to 3.10.
    EvalFrameDefault: Function ["_PyEval_EvalFrameDefault"];
    /// `Py_GetRecursionLimit`.
    GetRecursionLimit: Function ["Py_GetRecursionLimit"];
    /// `_PyType_Lookup` (borrowed; the MRO lookup behind special-method lookup).
    TypeLookup: Function ["_PyType_Lookup"];
    /// 3.7+ `_PyObject_GetMethod`: an attribute, or the unbound method and a flag (what
    /// LOAD_METHOD uses to avoid creating bound methods).
    ObjectGetMethod: Function ["_PyObject_GetMethod"];
    /// 3.x `PyDict_GetItemWithError` (borrowed; NULL, with an exception only if the lookup
    /// failed).
    DictGetItemWithError: Function ["PyDict_GetItemWithError"];
    /// 3.12+ `PyDict_AddWatcher`.
    DictAddWatcher: Function ["PyDict_AddWatcher"];
    /// 3.12+ `PyDict_Watch`.
    DictWatch: Function ["PyDict_Watch"];
    /// `PyCFunction_Type`.
    CFunctionType: Object ["PyCFunction_Type"];
    /// 3.x `PyMethodDescr_Type`: a method of a builtin type (`set.add`), which `LOAD_METHOD`
    /// leaves unbound and a call can make directly (2.7 keeps the type to itself).
    MethodDescrType: Object ["PyMethodDescr_Type"];
    /// `PyLong_FromSsize_t`.
    LongFromSsizeT: Function ["PyLong_FromSsize_t"];
    /// `PyErr_WarnEx`.
    ErrWarnEx: Function ["PyErr_WarnEx"];
    /// `DeprecationWarning`.
    ExcDeprecationWarning: ObjectPointer ["PyExc_DeprecationWarning"];
    /// `PySys_SetObject`.
    SysSetObject: Function ["PySys_SetObject"];
    /// 2.7 old-style instances.
    InstanceType: Object ["PyInstance_Type"];
    /// `PyErr_CheckSignals`.
    ErrCheckSignals: Function ["PyErr_CheckSignals"];
    /// `PyCell_New`.
    CellNew: Function ["PyCell_New"];
    /// `PyCell_Set`.
    CellSet: Function ["PyCell_Set"];
    /// `PyFunction_New`.
    FunctionNew: Function ["PyFunction_New"];
    /// 3.3+ `PyFunction_NewWithQualName`.
    FunctionNewWithQualName: Function ["PyFunction_NewWithQualName"];
    /// `PyFunction_SetDefaults`.
    FunctionSetDefaults: Function ["PyFunction_SetDefaults"];
    /// 3.x `PyFunction_SetKwDefaults`.
    FunctionSetKwDefaults: Function ["PyFunction_SetKwDefaults"];
    /// `PyFunction_SetClosure`.
    FunctionSetClosure: Function ["PyFunction_SetClosure"];
    /// 3.x `PyFunction_SetAnnotations`.
    FunctionSetAnnotations: Function ["PyFunction_SetAnnotations"];
    /// `PyCapsule_New`.
    CapsuleNew: Function ["PyCapsule_New"];
    /// `PyCapsule_GetPointer`.
    CapsuleGetPointer: Function ["PyCapsule_GetPointer"];
    /// `PyCFunction_NewEx`.
    CFunctionNewEx: Function ["PyCFunction_NewEx"];
    /// `PyEval_SaveThread`: releases the GIL.
    EvalSaveThread: Function ["PyEval_SaveThread"];
    /// `_PyEval_GetSwitchInterval` (3.x: how long a thread waits for the GIL before it asks
    /// for it, in microseconds).
    EvalGetSwitchInterval: Function ["_PyEval_GetSwitchInterval"];
    /// `PyEval_RestoreThread`: takes the GIL back.
    EvalRestoreThread: Function ["PyEval_RestoreThread"];
    /// `PyCapsule_IsValid`.
    CapsuleIsValid: Function ["PyCapsule_IsValid"];
    /// `PyRun_StringFlags` (`PyRun_String` is a macro for it).
    RunStringFlags: Function ["PyRun_StringFlags"];
    /// `PyEval_GetBuiltins` (borrowed).
    EvalGetBuiltins: Function ["PyEval_GetBuiltins"];
    /// `PyEval_GetFrame` (borrowed current frame).
    EvalGetFrame: Function ["PyEval_GetFrame"];

    // --- threads and the interpreter
    /// `PyThreadState_Get`.
    ThreadStateGet: Function ["PyThreadState_Get"];
    /// `PyInterpreterState_Head`.
    InterpreterStateHead: Function ["PyInterpreterState_Head"];
    /// 3.9+ PEP 523 hook getter.
    GetEvalFrameFunc: Function ["_PyInterpreterState_GetEvalFrameFunc"];
    /// 3.9+ PEP 523 hook setter.
    SetEvalFrameFunc: Function ["_PyInterpreterState_SetEvalFrameFunc"];
    /// 3.11+ clean (de-specialised) bytecode of a code object.
    CodeGetCode: Function ["PyCode_GetCode"];

    // --- the specialising tier
    /// `PyLong_FromLongLong`: boxes a machine integer (3.x; 2.7 boxes into its own `int`).
    LongFromLongLong: Function ["PyLong_FromLongLong"];
    /// `PyLong_AsLongLongAndOverflow`: unboxes an int of more than two digits, or says it
    /// does not fit.
    LongAsLongLongAndOverflow: Function ["PyLong_AsLongLongAndOverflow"];
    /// `PyRange_Type` (3.x `range`, 2.7 `xrange`): remaining iterations of a counted loop are
    /// made a real iterator from it when the generic code takes over.
    RangeType: Object ["PyRange_Type"];
    /// `PyBaseObject_Type` (`object`): its `tp_new` is what classes constructed by compiled
    /// code must have.
    BaseObjectType: Object ["PyBaseObject_Type"];
    /// `PyObject_GenericGetAttr`: classes whose `tp_getattro` it is have their attribute
    /// loads cached.
    ObjectGenericGetAttr: Function ["PyObject_GenericGetAttr"];
    /// `PyObject_GenericSetAttr`: likewise for stores.
    ObjectGenericSetAttr: Function ["PyObject_GenericSetAttr"];

    // --- imports and 2.7's print statement
    /// `PyModule_Type`: `from m import x` on an exact module reads the attribute itself.
    ModuleType: Object ["PyModule_Type"];
    /// 3.x `PyImport_ImportModuleLevelObject`: what the original `__import__` does.
    ImportModuleLevelObject: Function ["PyImport_ImportModuleLevelObject"];
    /// 2.7 `PyClass_Type`: the metaclass of a class statement that names none (old-style).
    ClassType: Object ["PyClass_Type"];
    /// `NameError`.
    ExcNameError: ObjectPointer ["PyExc_NameError"];
    /// `StopIteration`.
    ExcStopIteration: ObjectPointer ["PyExc_StopIteration"];
    /// `PyType_IsSubtype`.
    TypeIsSubtype: Function ["PyType_IsSubtype"];
    /// Native bytes from a buffer (2.7 `PyString_FromStringAndSize`).
    BytesFromStringAndSize: Function ["PyString_FromStringAndSize", "PyBytes_FromStringAndSize"];
    /// 3.7+ attribute lookup without AttributeError (3.13 `PyObject_GetOptionalAttr`, before
    /// `_PyObject_LookupAttr`): what `from m import x` reads `x` with (optional: without it,
    /// `getattr` with its AttributeError cleared).
    ObjectLookupAttr: Function ["PyObject_GetOptionalAttr", "_PyObject_LookupAttr"];
    /// 3.7+ `PyImport_GetModule`: a module from `sys.modules`, new reference (optional:
    /// without it, a lookup in the modules dict).
    ImportGetModule: Function ["PyImport_GetModule"];
    /// `PyImport_GetModuleDict` (borrowed).
    ImportGetModuleDict: Function ["PyImport_GetModuleDict"];
    /// `PyModule_GetDict` (borrowed).
    ModuleGetDict: Function ["PyModule_GetDict"];
    /// 2.7 `PyFile_SoftSpace`: the `print` statement's pending-space flag of a stream.
    FileSoftSpace: Function ["PyFile_SoftSpace"];
    /// `PyFile_WriteString`.
    FileWriteString: Function ["PyFile_WriteString"];
    /// `PyFile_WriteObject`.
    FileWriteObject: Function ["PyFile_WriteObject"];
}
