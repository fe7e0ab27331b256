//! # anyjit-pyext: the one extension module every CPython imports
//!
//! One file, `anyjit.so`, exports both entry points: `initanyjit` (Python 2) and `PyInit_anyjit`
//! (Python 3). It links no libpython. At import it detects the running interpreter, picks its
//! descriptor, resolves the C API by name and validates the descriptor against live objects
//! (all of that is `anyjit-abi`); any failure becomes an `ImportError` that says why. This crate
//! only wires those steps to CPython and defines the Python-visible functions.

#![deny(unsafe_op_in_unsafe_fn)]

use anyjit_abi::capi::{CApi, MethodDef, Obj, Process};
use anyjit_abi::detect::{self, Detected};
use anyjit_abi::{validate, Api};
use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::OnceLock;

/// What the module knows about the interpreter it was imported into.
struct State {
    capi: CApi,
    detected: Detected,
    exact: bool,
}

static STATE: OnceLock<State> = OnceLock::new();

const METH_NOARGS: i32 = 4;

static METHODS: [MethodDef; 3] = [
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
    // SAFETY: GIL held; the method table is static and zero-terminated.
    unsafe { state.capi.create_module(c"anyjit", DOC, &METHODS) }
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

fn state() -> &'static State {
    STATE
        .get()
        .expect("functions exist only after a successful init")
}

/// `anyjit.info()`.
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
