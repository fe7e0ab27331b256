//! # anyjit-pyext: the one extension module every CPython imports
//!
//! One file, `anyjit.so`, exports both entry points: `initanyjit` (Python 2) and `PyInit_anyjit`
//! (Python 3). It links no libpython. At import it detects the running interpreter, picks its
//! descriptor, resolves the C API by name and validates the descriptor against live objects
//! (all of that is `anyjit-abi`); any failure becomes an `ImportError` that says why. This crate
//! only wires those steps to CPython and defines the Python-visible functions.

#![deny(unsafe_op_in_unsafe_fn)]

mod jitapi;

use anyjit_abi::capi::{CApi, MethodDef, Obj, Process};
use anyjit_abi::detect::{self, Detected};
use anyjit_abi::{validate, Api};
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::OnceLock;

/// What the module knows about the interpreter it was imported into.
pub(crate) struct State {
    pub(crate) capi: CApi,
    detected: Detected,
    exact: bool,
}

static STATE: OnceLock<State> = OnceLock::new();

const METH_NOARGS: i32 = 4;
const METH_O: i32 = 8;
const METH_VARARGS: i32 = 1;

/// `anyjit.UnsupportedError`, created once per process.
pub(crate) static UNSUPPORTED: OnceLock<usize> = OnceLock::new();

static METHODS: [MethodDef; 15] = [
    MethodDef {
        name: c"info".as_ptr(),
        meth: info as *const c_void,
        flags: METH_NOARGS,
        doc: c"info() -> dict\n\nThe interpreter anyjit detected and the descriptor serving it: \
'version' (tuple of ints), 'debug' (bool), 'unicode' ('ucs2', 'ucs4' or 'pep393'), \
'pointer_bits' (int), 'gil_disabled' (bool), 'descriptor' (str), and 'descriptor_exact', \
'provenance', 'target', 'cpu'."
            .as_ptr(),
    },
    MethodDef {
        name: c"_layout".as_ptr(),
        meth: layout as *const c_void,
        flags: METH_NOARGS,
        doc: c"_layout() -> dict\n\nEvery struct size and field offset of the active descriptor \
({struct: {'size': n, field: offset or None}}), for tests and diagnostics."
            .as_ptr(),
    },
    MethodDef {
        name: c"_dump_bytecode".as_ptr(),
        meth: dump_bytecode as *const c_void,
        flags: METH_O,
        doc: c"_dump_bytecode(function_or_code) -> str\n\nThe bytecode as anyjit's decoder reads it: \
prefixes folded, caches skipped, jump targets resolved."
            .as_ptr(),
    },
    MethodDef {
        name: c"_dump_ir".as_ptr(),
        meth: dump_ir as *const c_void,
        flags: METH_O,
        doc: c"_dump_ir(function_or_code) -> str\n\nThe version-neutral IR of a function: blocks, \
operations, stack depths, handlers."
            .as_ptr(),
    },
    MethodDef {
        name: c"_decode".as_ptr(),
        meth: decode as *const c_void,
        flags: METH_O,
        doc: c"_decode(function_or_code) -> (max_depth, [(offset, opname, arg, op, pops, pushes, \
jump_pops, jump_pushes, target_offset, depth, line), ...])\n\nThe decoded IR as data, for tests."
            .as_ptr(),
    },
    MethodDef {
        name: c"stats".as_ptr(),
        meth: jitapi::stats as *const c_void,
        flags: METH_NOARGS,
        doc: c"stats() -> dict\n\n'compiled' (functions compiled to native code), 'native_calls', \
'fallbacks' (functions left to the interpreter, and calls routed to it while tracing), \
'guard_failures', 'respecialized', 'fallback_reasons' ({qualified name: why}), 'optimized' (functions \
compiled again by the optimising tier), 'optimize_ms', 'optimize_failures' ({name: why}) and \
'osr_entries' (calls that moved from the first code to the optimised code inside a loop), \
'feedback_sites' (instructions whose recorded type feedback the optimising tier used), \
'direct_calls' (calls from optimised code straight into compiled functions), 'frames_reused' \
(those of them, up to 3.10, that took a spare frame of the callee), 'resume_compiles' \
(generic code compiled for failed guards to resume) and 'large_compiles' (optimising \
compilations of functions over 30,000 LLVM instructions, made with the quick tier's passes \
and code generation)."
            .as_ptr(),
    },
    MethodDef {
        name: c"_compile".as_ptr(),
        meth: jitapi::compile as *const c_void,
        flags: METH_VARARGS,
        doc: c"_compile(func, strict) -> function (use anyjit.jit)".as_ptr(),
    },
    MethodDef {
        name: c"_dump_native".as_ptr(),
        meth: jitapi::dump_native as *const c_void,
        flags: METH_VARARGS,
        doc: c"_dump_native(function, 'llvm' or 'asm') -> str".as_ptr(),
    },
    MethodDef {
        name: c"_is_handle".as_ptr(),
        meth: jitapi::is_handle as *const c_void,
        flags: METH_O,
        doc: c"_is_handle(obj) -> bool".as_ptr(),
    },
    MethodDef {
        name: c"_osr_after".as_ptr(),
        meth: jitapi::osr_after as *const c_void,
        flags: METH_O,
        doc: c"_osr_after(n) -> previous n\n\nBackward jumps a function's first, quick-tier code \
makes in one call before it moves to the optimised code (on-stack replacement); 0 never. \
Applies to functions compiled from now on. For tests."
            .as_ptr(),
    },
    MethodDef {
        name: c"_inline_paths".as_ptr(),
        meth: jitapi::inline_paths as *const c_void,
        flags: METH_O,
        doc: c"_inline_paths(compiled) -> dict\n\nHow many sites of a compiled function's \
optimised code got each kind of inline path ('int', 'float', 'str', 'list_index', 'str()', \
'len()', 'append()', 'builtin_call', 'compiled_call'); empty before it is optimised. For tests."
            .as_ptr(),
    },
    MethodDef {
        name: c"_specialize".as_ptr(),
        meth: jitapi::specialize as *const c_void,
        flags: METH_O,
        doc: c"_specialize(flag) -> bool\n\nWhether functions compiled from now on get \
specialised code (unboxed ints and floats behind guards, counted loops); returns the previous \
setting. For the benchmark, which measures the generic tier beside it."
            .as_ptr(),
    },
    MethodDef {
        name: c"specialization".as_ptr(),
        meth: jitapi::specialized as *const c_void,
        flags: METH_O,
        doc: c"specialization(compiled) -> dict\n\nWhat the running code of a function compiled \
by anyjit.jit specialises, and why not: 'specialized' (bool), 'locals' (the locals kept as \
machine ints and doubles, by name: 'int' or 'float'), 'guards', 'counted_loops', \
'unboxed_ops', 'borrowed_moves' (items and objects stored into locals or list items without \
a reference count change when unchanged), 'borrowed_consts' (int and float constants that \
generic operations take, pushed as objects, not unboxed), 'compilations' (specialised \
compilations so far), 'deopts' (guards failed \
since the running one was installed), 'failed_sites', 'why_not' (why the running code is \
not specialised, or None)."
            .as_ptr(),
    },
    MethodDef {
        name: c"_specialized".as_ptr(),
        meth: jitapi::specialized as *const c_void,
        flags: METH_O,
        doc: c"_specialized(compiled) -> dict\n\nWhat the running code of a compiled function \
specialises: 'specialized', 'locals' (typed locals by name: 'int' or 'float'), 'guards', \
'counted_loops', 'unboxed_ops', 'borrowed_moves' (items and objects stored into locals or \
list items without a reference count change when unchanged), 'borrowed_consts' (int and \
float constants that generic operations take, pushed as objects, not unboxed), \
'compilations', 'deopts' \
(guards failed since it was installed), 'failed_sites'."
            .as_ptr(),
    },
    MethodDef {
        name: std::ptr::null(),
        meth: std::ptr::null(),
        flags: 0,
        doc: std::ptr::null(),
    },
];

const DOC: &CStr = c"anyjit: a JIT compiler for every CPython build, 2.7 and 3.6 to 3.13.";

/// Raises `ImportError(msg)` using only names every CPython exports.
///
/// # Safety
/// Called from module init with the GIL held.
unsafe fn raise_import_error(process: &Process, msg: &str) {
    let (Some(set), Some(exc)) = (
        process.lookup("PyErr_SetString"),
        process.lookup("PyExc_ImportError"),
    ) else {
        eprintln!("{msg}");
        return;
    };
    let text = CString::new(msg.replace('\0', "?")).expect("no NUL left");
    // SAFETY: PyErr_SetString(PyObject*, const char*) and the PyExc_ImportError variable exist
    // under these names in every CPython from 2.7 on.
    unsafe {
        let set: extern "C" fn(Obj, *const c_char) = std::mem::transmute(set);
        set(*(exc as *const Obj), text.as_ptr());
    }
}

/// Detects, selects, resolves and validates.
///
/// # Safety
/// Called from module init with the GIL held.
unsafe fn setup(process: &Process) -> Result<State, String> {
    // SAFETY: per the caller.
    let detected = unsafe { detect::detect_live(process) }.map_err(|e| e.to_string())?;
    if detected.gil_disabled {
        return Err(format!(
            "anyjit: {} is a free-threaded build: its descriptor exists as data (derived, not run) \
             but anyjit does not run on free-threaded builds yet",
            detected.describe()
        ));
    }
    let selection = match std::env::var("ANYJIT_DESCRIPTOR") {
        // A diagnostic override: use this descriptor whatever was detected (still validated).
        Ok(id) if !id.is_empty() => detect::Selection {
            descriptor: anyjit_versions::by_id(&id).ok_or_else(|| {
                format!(
                    "anyjit: ANYJIT_DESCRIPTOR={id} names no descriptor (see `anyjit descriptors`)"
                )
            })?,
            exact: false,
        },
        _ => detect::select(&detected, anyjit_versions::all()).map_err(|e| e.to_string())?,
    };
    let desc = selection.descriptor;
    let flavour = detect::flavour_differences(&detected, desc);
    if !flavour.is_empty() {
        return Err(format!(
            "anyjit: descriptor {} does not fit {}: {}",
            desc.id,
            detected.describe(),
            flavour.join("; ")
        ));
    }
    let capi = CApi::resolve(process, desc).map_err(|missing| {
        let names: Vec<&str> = missing.iter().map(|m| m.name).collect();
        format!(
            "anyjit: {} does not export {} that descriptor {} names; {}",
            detected.describe(),
            names.join(", "),
            desc.id,
            detect::HOW_TO_GENERATE
        )
    })?;
    // SAFETY: the table was resolved in this process and the GIL is held.
    unsafe { validate::validate(&capi) }.map_err(|diffs| {
        format!(
            "anyjit: descriptor {} does not match the running interpreter {}: {}. {}",
            desc.id,
            detected.describe(),
            diffs.join("; "),
            detect::HOW_TO_GENERATE
        )
    })?;
    Ok(State {
        capi,
        detected,
        exact: selection.exact,
    })
}

fn init() -> Obj {
    let process = Process::open();
    if STATE.get().is_none() {
        // SAFETY: CPython calls the init function with the GIL held.
        match unsafe { setup(&process) } {
            Ok(state) => {
                let _ = STATE.set(state);
            }
            Err(msg) => {
                // SAFETY: as above.
                unsafe { raise_import_error(&process, &msg) };
                return std::ptr::null_mut();
            }
        }
    }
    let state = STATE.get().expect("state was just set");
    let c = &state.capi;
    // SAFETY: GIL held; the method table is static and zero-terminated; the exception class is
    // created once and kept alive by this process-wide reference.
    unsafe {
        let module = c.create_module(c"anyjit", DOC, &METHODS);
        if module.is_null() {
            return module;
        }
        let exc = *UNSUPPORTED.get_or_init(|| {
            c.new_exception(
                c"anyjit.UnsupportedError",
                c.object(Api::ExcNotImplementedError),
            ) as usize
        }) as Obj;
        if exc.is_null() {
            return std::ptr::null_mut();
        }
        c.incref(exc);
        if !c.module_add(module, c"UnsupportedError", exc) {
            c.decref(exc);
            return std::ptr::null_mut();
        }
        if !jitapi::init(c, module) {
            return std::ptr::null_mut();
        }
        module
    }
}

/// Raises `anyjit.UnsupportedError(msg)` and returns NULL.
///
/// # Safety
/// GIL held, module initialised.
pub(crate) unsafe fn unsupported(msg: &str) -> Obj {
    let c = &state().capi;
    let exc = UNSUPPORTED
        .get()
        .map_or(std::ptr::null_mut(), |e| *e as Obj);
    // SAFETY: per the caller.
    unsafe {
        c.set_error(
            if exc.is_null() {
                c.object(Api::ExcRuntimeError)
            } else {
                exc
            },
            msg,
        )
    };
    std::ptr::null_mut()
}

/// Decodes a function or code object with the active descriptor.
///
/// # Safety
/// GIL held, `obj` live.
unsafe fn decoded(
    obj: Obj,
) -> Result<
    (
        anyjit_jit::decode::CodeInput,
        Result<anyjit_jit::ir::Function, String>,
    ),
    String,
> {
    let c = &state().capi;
    // SAFETY: per the caller.
    let input = unsafe { anyjit_jit::decode::live::read_code(c, obj) }?;
    let func = anyjit_jit::decode::decode(c.descriptor(), &input)
        .map_err(|e| format!("{}: {e}", input.name));
    Ok((input, func))
}

/// `anyjit._dump_bytecode(f)`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
unsafe extern "C" fn dump_bytecode(_module: Obj, obj: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: called by CPython with the GIL held.
    unsafe {
        match anyjit_jit::decode::live::read_code(c, obj) {
            Ok(input) => match anyjit_jit::decode::raw_listing(c.descriptor(), &input) {
                Ok(text) => c.new_str(&text),
                Err(e) => unsupported(&format!("{}: {e}", input.name)),
            },
            Err(e) => {
                c.set_error(c.object(Api::ExcTypeError), &e);
                std::ptr::null_mut()
            }
        }
    }
}

/// `anyjit._dump_ir(f)`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
unsafe extern "C" fn dump_ir(_module: Obj, obj: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: called by CPython with the GIL held.
    unsafe {
        match decoded(obj) {
            Ok((_, Ok(func))) => {
                let mut text = anyjit_jit::ir::printer::print(&func);
                for problem in anyjit_jit::ir::verifier::verify(&func) {
                    text.push_str(&format!("verifier: {problem}\n"));
                }
                c.new_str(&text)
            }
            Ok((_, Err(e))) => unsupported(&e),
            Err(e) => {
                c.set_error(c.object(Api::ExcTypeError), &e);
                std::ptr::null_mut()
            }
        }
    }
}

/// `anyjit._decode(f)`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
unsafe extern "C" fn decode(_module: Obj, obj: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: called by CPython with the GIL held; new references are handed to containers
    // that steal them.
    unsafe {
        let func = match decoded(obj) {
            Ok((_, Ok(func))) => func,
            Ok((_, Err(e))) => return unsupported(&e),
            Err(e) => {
                c.set_error(c.object(Api::ExcTypeError), &e);
                return std::ptr::null_mut();
            }
        };
        let none = || {
            let n = c.object(Api::NoneStruct);
            c.incref(n);
            n
        };
        let int = |v: u32| c.new_int(v as _);
        let list = c.new_list();
        for ins in &func.instrs {
            let (pops, pushes) = ins.op.stack_effect();
            let (jp, jq) = match ins.op.jump_effect() {
                Some((p, q)) => (int(p), int(q)),
                None => (none(), none()),
            };
            let target = match ins.op.target() {
                Some(b) => int(func.blocks[b.0 as usize].offset),
                None => none(),
            };
            let depth = ins.depth.map_or_else(none, int);
            let line = ins.line.map_or_else(none, int);
            let row = c.new_tuple(&[
                int(ins.offset),
                c.new_str(ins.opname),
                int(ins.arg),
                c.new_str(ins.op.name()),
                int(pops),
                int(pushes),
                jp,
                jq,
                target,
                depth,
                line,
            ]);
            if row.is_null() || !c.list_append(list, row) {
                c.decref(row);
                c.decref(list);
                return std::ptr::null_mut();
            }
            c.decref(row);
        }
        c.new_tuple(&[int(func.max_depth), list])
    }
}

/// Python 3 entry point.
#[no_mangle]
pub extern "C" fn PyInit_anyjit() -> Obj {
    init()
}

/// Python 2 entry point.
#[no_mangle]
pub extern "C" fn initanyjit() {
    init();
}

pub(crate) fn state() -> &'static State {
    STATE
        .get()
        .expect("functions exist only after a successful init")
}

/// `anyjit.info()`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
unsafe extern "C" fn info(_module: Obj, _unused: Obj) -> Obj {
    let s = state();
    let c = &s.capi;
    let desc = c.descriptor();
    let d = &s.detected;
    // SAFETY: called by CPython with the GIL held; every value is a new reference handed to
    // dict_set_steal, which also releases it on failure.
    unsafe {
        let dict = c.new_dict();
        if dict.is_null() {
            return dict;
        }
        let (a, b, m) = d.version;
        let version = c.new_tuple(&[
            c.new_int(a.into()),
            c.new_int(b.into()),
            c.new_int(m.into()),
        ]);
        let host = anyjit_jit::native::host();
        let ok = c.dict_set_steal(dict, "version", version)
            && c.dict_set_steal(dict, "debug", c.new_bool(d.debug))
            && c.dict_set_steal(dict, "unicode", c.new_str(d.unicode.as_str()))
            && c.dict_set_steal(dict, "pointer_bits", c.new_int(d.pointer_bits.into()))
            && c.dict_set_steal(dict, "gil_disabled", c.new_bool(d.gil_disabled))
            && c.dict_set_steal(dict, "descriptor", c.new_str(desc.id))
            && c.dict_set_steal(dict, "descriptor_exact", c.new_bool(s.exact))
            && c.dict_set_steal(dict, "provenance", c.new_str(desc.provenance.as_str()))
            && c.dict_set_steal(
                dict,
                "target",
                c.new_str(host.map_or("unavailable", |h| h.triple.as_str())),
            )
            && c.dict_set_steal(
                dict,
                "cpu",
                c.new_str(host.map_or("unavailable", |h| h.cpu.as_str())),
            );
        if ok {
            dict
        } else {
            c.decref(dict);
            std::ptr::null_mut()
        }
    }
}

/// `anyjit._layout()`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
unsafe extern "C" fn layout(_module: Obj, _unused: Obj) -> Obj {
    let c = &state().capi;
    let desc = c.descriptor();
    // SAFETY: GIL held; new references are handed to dict_set_steal.
    unsafe {
        let out = c.new_dict();
        if out.is_null() {
            return out;
        }
        for (name, entry) in desc.layout.structs() {
            let Some((size, fields)) = entry else {
                continue;
            };
            let d = c.new_dict();
            let mut ok = !d.is_null() && c.dict_set_steal(d, "size", c.new_int(size as _));
            for (field, off) in fields {
                let v = match off {
                    Some(o) => c.new_int(o as _),
                    None => {
                        let none = c.object(Api::NoneStruct);
                        c.incref(none);
                        none
                    }
                };
                ok = ok && c.dict_set_steal(d, field, v);
            }
            if !(ok && c.dict_set_steal(out, name, d)) {
                c.decref(out);
                return std::ptr::null_mut();
            }
        }
        out
    }
}
