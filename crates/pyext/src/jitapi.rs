//! The compiling half of the module: `anyjit.jit`, `anyjit.is_compiled`, `anyjit.stats` and the
//! entry point trampolines call. The decorator plumbing is Python (`API` below), the work is in
//! `anyjit-jit`.

use crate::{state, unsupported, UNSUPPORTED};
use anyjit_abi::capi::{CApi, MethodDef, Obj};
use anyjit_abi::Api;
use anyjit_jit::codegen::{Codegen, Unsupported};
use anyjit_jit::runtime::entry::{self, CompiledFunction};
use anyjit_jit::runtime::Runtime;
use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// The runtime helpers' source (trampolines, the interpreter's own error objects).
const HELPERS: &str = include_str!("../../jit/src/runtime/helpers.py");

/// The public decorator API, defined in Python over `_compile` and `_is_handle`.
const API: &str = r#"
def jit(func=None, strict=False):
    """Compile a Python function to native code.

    Use as @anyjit.jit, @anyjit.jit(strict=True) or anyjit.jit(f, strict=True). Returns a
    function that behaves like `func`. What cannot be compiled yet runs in the interpreter
    (the reason is in anyjit.stats()['fallback_reasons']); with strict=True it raises
    anyjit.UnsupportedError naming the construct, the file and the line instead.
    """
    if func is None:
        def decorate(f):
            return _compile_once(f, strict)
        return decorate
    return _compile_once(func, strict)


def _compile_once(func, strict):
    # a function compiled already is returned as it is: compiling its trampoline would nest a
    # second one around it, whose frame would show the trampoline's lines
    if is_compiled(func):
        return func
    return _compile(func, strict)


def is_compiled(obj):
    """Whether `obj` is a function compiled by anyjit.jit."""
    cells = getattr(obj, '__closure__', None) or ()
    for cell in cells:
        try:
            if _is_handle(cell.cell_contents):
                return True
        except ValueError:
            pass
    return False
"#;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static TRAMPOLINE: OnceLock<usize> = OnceLock::new();

/// Counters behind `anyjit.stats()`.
pub static COMPILED: AtomicU64 = AtomicU64::new(0);
/// Calls that ran native code.
pub static NATIVE_CALLS: AtomicU64 = AtomicU64::new(0);
/// Functions compiled again by the optimising tier.
pub static OPTIMIZED: AtomicU64 = AtomicU64::new(0);
/// Time spent in those compilations, in microseconds.
pub static OPTIMIZE_US: AtomicU64 = AtomicU64::new(0);
/// Activations that moved from the quick tier's code to the optimised code in a loop.
pub static OSR_ENTRIES: AtomicU64 = AtomicU64::new(0);
/// Instructions whose type feedback (recorded by the quick tier) the optimising tier compiled
/// for.
pub static FEEDBACK_SITES: AtomicU64 = AtomicU64::new(0);
/// Why optimising compilations failed (the function keeps its quick-tier code):
/// `(qualified name, reason)`.
pub static OPTIMIZE_FAILURES: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
/// Generic code compiled for specialised code to resume when its guards failed.
pub static RESUME_COMPILES: AtomicU64 = AtomicU64::new(0);
/// Specialised compilations made again because guards kept failing.
pub static RESPECIALIZED: AtomicU64 = AtomicU64::new(0);
/// Optimised code made for on-stack replacement, compiled again without its loop entries.
pub static OSR_RECOMPILED: AtomicU64 = AtomicU64::new(0);
/// Whether functions compiled from now on are specialised (`anyjit._specialize`).
pub static SPECIALIZE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
/// Comprehensions' code objects compiled for the compiled functions that make and call them
/// (`stats()['inner_compiled']`; see `entry::inner_call`).
pub static INNER_COMPILED: AtomicU64 = AtomicU64::new(0);
/// Functions left to the interpreter, and calls routed to it (tracing).
pub static FALLBACKS: AtomicU64 = AtomicU64::new(0);
/// Why functions were not compiled: `(qualified name, reason)`.
pub static REASONS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Runs Python source in a fresh namespace; returns the namespace dict (new reference).
///
/// # Safety
/// GIL held.
unsafe fn run(c: &CApi, source: &str, name: &str, extra: &[(&str, Obj)]) -> Obj {
    // SAFETY: per the caller; references are handed to the dict or released.
    unsafe {
        let ns = c.new_dict();
        if ns.is_null() {
            return ns;
        }
        let builtins = c.func::<extern "C" fn() -> Obj>(Api::EvalGetBuiltins)();
        c.incref(builtins);
        c.dict_set_steal(ns, "__builtins__", builtins);
        c.dict_set_steal(ns, "__name__", c.new_str(name));
        for (k, v) in extra {
            c.incref(*v);
            c.dict_set_steal(ns, k, *v);
        }
        let src = CString::new(source).expect("no NUL in our sources");
        const PY_FILE_INPUT: c_int = 257;
        let r = c.func::<extern "C" fn(*const c_char, c_int, Obj, Obj, *mut c_void) -> Obj>(
            Api::RunStringFlags,
        )(src.as_ptr(), PY_FILE_INPUT, ns, ns, std::ptr::null_mut());
        if r.is_null() {
            c.decref(ns);
            return std::ptr::null_mut();
        }
        c.decref(r);
        ns
    }
}

/// Sets up the compiler's runtime and adds `jit` and `is_compiled` to the module.
///
/// # Safety
/// GIL held, module init.
pub unsafe fn init(c: &'static CApi, module: Obj) -> bool {
    // SAFETY: per the caller.
    unsafe {
        let helpers = run(c, HELPERS, "anyjit._helpers", &[]);
        if helpers.is_null() {
            return false;
        }
        // (a helper missing from helpers.py fails the import: compiled code would call NULL)
        let missing = std::cell::Cell::new(false);
        let get = |name: &str| {
            let v = c.dict_get(helpers, name);
            if v.is_null() {
                missing.set(true);
            } else {
                c.incref(v);
            }
            v
        };
        let name_error = get("name_error");
        let unbound_local = get("unbound_local");
        let unpack_error = get("unpack_error");
        let unpack_failure = get("unpack_failure");
        let raise_failure = get("raise_failure");
        let deref_error = get("deref_error");
        let star_failure = get("star_failure");
        let dict_merge = get("dict_merge");
        let with_error = get("with_error");
        let raise27 = get("raise27");
        let slice27 = get("slice27");
        let seq_iter = get("SeqIter");
        let import_from = get("import_from");
        let import_key = get("IMPORT_KEY");
        let build_class_key = get("BUILD_CLASS_KEY");
        let metaclass_key = get("METACLASS_KEY");
        let print_softspace = get("print_softspace");
        let getattr_key = get("GETATTR_KEY");
        let mut original_import = get("ORIGINAL_IMPORT");
        if original_import == c.object(Api::NoneStruct) {
            // replaced before anyjit came: every import calls what the builtins hold
            c.decref(original_import);
            original_import = std::ptr::null_mut();
        }
        let mut super_type = get("SUPER_TYPE");
        if super_type == c.object(Api::NoneStruct) {
            c.decref(super_type);
            super_type = std::ptr::null_mut();
        }
        let enter_name = get("ENTER");
        let exit_name = get("EXIT");
        let tramp = get("trampoline");
        c.decref(helpers);
        if missing.get() {
            return false;
        }
        let _ = RUNTIME.set(Runtime {
            capi: c,
            name_error,
            unbound_local,
            unpack_error,
            unpack_failure,
            raise_failure,
            deref_error,
            star_failure,
            dict_merge,
            with_error,
            raise27,
            slice27,
            seq_iter,
            import_from,
            import_key,
            build_class_key,
            metaclass_key,
            print_softspace,
            getattr_key,
            original_import,
            super_type,
            enter_name,
            exit_name,
        });
        anyjit_jit::runtime::set_optimizer(optimize_for_osr);
        anyjit_jit::runtime::guards::set_resumer(resume_code);
        entry::set_direct_hooks(entry::DirectHooks {
            compiled_of,
            run: run_native,
            inner: inner_compiled,
            native_calls: &NATIVE_CALLS,
        });
        let _ = TRAMPOLINE.set(tramp as usize);
        let compile = c.getattr(module, "_compile");
        let is_handle = c.getattr(module, "_is_handle");
        if compile.is_null() || is_handle.is_null() {
            return false;
        }
        let api = run(
            c,
            API,
            "anyjit",
            &[("_compile", compile), ("_is_handle", is_handle)],
        );
        c.decref(compile);
        c.decref(is_handle);
        if api.is_null() {
            return false;
        }
        for name in [c"jit", c"is_compiled"] {
            let f = c.dict_get(api, name.to_str().unwrap());
            c.incref(f);
            if !c.module_add(module, name, f) {
                c.decref(f);
                c.decref(api);
                return false;
            }
        }
        c.decref(api);
        true
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn attr_str(c: &CApi, o: Obj, name: &str) -> String {
    // SAFETY: GIL held, `o` live.
    unsafe {
        let v = c.getattr(o, name);
        if v.is_null() {
            c.clear_error();
            return "?".into();
        }
        let s = c.str_text(v).unwrap_or_else(|| "?".into());
        c.decref(v);
        s
    }
}

/// `anyjit._compile(func, strict)`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn compile(_module: Obj, args: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: called by CPython with the GIL held; `args` is a 2-tuple from `jit`.
    unsafe {
        let func = c.tuple_item(args, 0);
        let strict_obj = c.tuple_item(args, 1);
        if func.is_null() || strict_obj.is_null() {
            return std::ptr::null_mut();
        }
        let strict = c.func::<extern "C" fn(Obj) -> c_int>(Api::ObjectIsTrue)(strict_obj);
        if strict < 0 {
            return std::ptr::null_mut();
        }
        if c.type_of(func) != c.object(Api::FunctionType) {
            c.set_error(
                c.object(Api::ExcTypeError),
                &format!(
                    "anyjit.jit expects a Python function, not {}",
                    c.repr(c.type_of(func))
                ),
            );
            return std::ptr::null_mut();
        }
        let name = {
            let q = attr_str(c, func, "__qualname__");
            if q == "?" {
                attr_str(c, func, "__name__")
            } else {
                q
            }
        };
        let code = c.getattr(func, "__code__");
        let filename = attr_str(c, code, "co_filename");
        let firstline = c.getattr_int(code, "co_firstlineno").unwrap_or(0);
        c.decref(code);
        match try_compile(c, func) {
            Ok(wrapper) => {
                COMPILED.fetch_add(1, Ordering::Relaxed);
                wrapper
            }
            Err(None) => std::ptr::null_mut(), // a Python exception is set
            Err(Some(u)) => {
                let line = u.line.map_or(firstline, i64::from);
                let msg = format!("cannot compile {name} ({filename}:{line}): {}", u.construct);
                if strict != 0 {
                    let exc = UNSUPPORTED
                        .get()
                        .map_or(std::ptr::null_mut(), |e| *e as Obj);
                    c.set_error(exc, &msg);
                    return std::ptr::null_mut();
                }
                FALLBACKS.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut r) = REASONS.lock() {
                    r.push((name, msg));
                }
                c.incref(func);
                func
            }
        }
    }
}

fn unsupported_construct(construct: String) -> Option<Unsupported> {
    Some(Unsupported {
        construct,
        offset: 0,
        line: None,
    })
}

/// Compiles `func` and makes its trampoline; `Err(None)` means a Python exception is set.
///
/// # Safety
/// The GIL is held and `func` is a live function.
unsafe fn try_compile(c: &'static CApi, func: Obj) -> Result<Obj, Option<Unsupported>> {
    // SAFETY: per the caller.
    let cf = unsafe { compile_function(c, func)? };
    // SAFETY: GIL held; `func` is a function.
    unsafe {
        let cf = Box::into_raw(cf);
        let capsule = c
            .func::<extern "C" fn(*mut c_void, *const c_char, unsafe extern "C" fn(Obj)) -> Obj>(
                Api::CapsuleNew,
            )(cf as *mut c_void, std::ptr::null(), release_handle);
        if capsule.is_null() {
            Box::from_raw(cf).release(c);
            return Err(None);
        }
        let call = bound_entry(c, capsule, func);
        c.decref(capsule);
        if call.is_null() {
            return Err(None);
        }
        let tramp = *TRAMPOLINE.get().expect("init") as Obj;
        c.incref(func);
        let targs = c.new_tuple(&[func, call]);
        if targs.is_null() {
            return Err(None);
        }
        let r = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
            tramp,
            targs,
            std::ptr::null_mut(),
        );
        c.decref(targs);
        if r.is_null() {
            return Err(None);
        }
        let wrapper = c.tuple_item(r, 0);
        let why = c.tuple_item(r, 1);
        if c.is_none(wrapper) {
            let reason = c.str_text(why).unwrap_or_default();
            c.decref(r);
            return Err(unsupported_construct(reason));
        }
        c.incref(wrapper);
        c.decref(r);
        // SAFETY: the capsule the wrapper's entry holds owns `cf`, alive while the wrapper is.
        adopt_trampoline_code(c, &*cf, wrapper);
        Ok(wrapper)
    }
}

/// Compiles the code of `func` with the quick tier; `Err(None)` means a Python exception is
/// set. The compiled function refers to `func` (borrowed) for its globals and closure.
///
/// # Safety
/// The GIL is held and `func` is a live function.
unsafe fn compile_function(
    c: &'static CApi,
    func: Obj,
) -> Result<Box<CompiledFunction>, Option<Unsupported>> {
    // SAFETY: GIL held; `func` is a function.
    unsafe {
        let input = anyjit_jit::decode::live::read_code(c, func).map_err(unsupported_construct)?;
        let code = c.getattr(func, "__code__");
        let flags = c.getattr_int(code, "co_flags").unwrap_or(0);
        let desc = c.descriptor();
        let gen_flags = [
            "CO_GENERATOR",
            "CO_COROUTINE",
            "CO_ITERABLE_COROUTINE",
            "CO_ASYNC_GENERATOR",
        ]
        .iter()
        .filter_map(|n| desc.constant(n))
        .fold(0, |a, b| a | b);
        if flags & gen_flags != 0 {
            c.decref(code);
            return Err(unsupported_construct("generators and coroutines".into()));
        }
        let ir = match anyjit_jit::decode::decode(desc, &input) {
            Ok(ir) => ir,
            Err(e) => {
                c.decref(code);
                return Err(unsupported_construct(e.to_string()));
            }
        };
        if let Err(u) = Codegen::check(&ir) {
            c.decref(code);
            return Err(Some(u));
        }
        let supers = match frame_dependent(c, code, &ir) {
            Ok(s) => s,
            Err(u) => {
                c.decref(code);
                return Err(Some(u));
            }
        };
        let argcount = c.getattr_int(code, "co_argcount").unwrap_or(0) as u32;
        let kwonly = c.getattr_int(code, "co_kwonlyargcount").unwrap_or_else(|| {
            c.clear_error();
            0
        }) as u32;
        let varargs = flags & desc.constant("CO_VARARGS").unwrap_or(4) != 0;
        let varkw = flags & desc.constant("CO_VARKEYWORDS").unwrap_or(8) != 0;
        let nparams = argcount + kwonly + u32::from(varargs) + u32::from(varkw);
        let (slots, slotnames) = match slot_layout(c, code, nparams) {
            Some(x) => x,
            None => {
                c.decref(code);
                return Err(None);
            }
        };
        let mut ir = ir;
        mark_super(c, code, &mut ir, &slots, &supers, argcount == 0);
        let ctx = llvm_context();
        let feedback: Box<[std::sync::atomic::AtomicUsize]> = (0..ir.instrs.len())
            .map(|_| std::sync::atomic::AtomicUsize::new(0))
            .collect();
        let co_consts = c.getattr(code, "co_consts");
        if co_consts.is_null() {
            c.clear_error();
        }
        let compiled = match Codegen::with_slots(ctx, c, &ir, nparams, slots.clone())
            .quick(true)
            .feedback(&feedback)
            .constants(anyjit_jit::runtime::guards::const_addrs(c, co_consts))
            .compile()
        {
            Ok(x) => x,
            Err(u) => {
                c.decref(co_consts);
                c.decref(slotnames);
                c.decref(code);
                return Err(Some(u));
            }
        };
        let get = |n: &str| {
            let v = c.getattr(code, n);
            if v.is_null() {
                c.clear_error();
            }
            v
        };
        // `func` is not owned by `cf`: the entry bound below holds it (see `bound_entry`)
        let cf = Box::new(CompiledFunction {
            entry: std::cell::Cell::new(compiled.entry),
            tiers: std::cell::RefCell::new(vec![compiled]),
            calls: std::cell::Cell::new(0),
            tier_tried: std::cell::Cell::new(false),
            optimized: std::cell::Cell::new(None),
            active: std::cell::Cell::new(0),
            feedback,
            ir,
            slots,
            func,
            consts: co_consts,
            names: get("co_names"),
            varnames: slotnames,
            argcount,
            kwonly,
            varargs,
            varkw,
            tramp_code: std::cell::Cell::new(std::ptr::null_mut()),
            spec: std::cell::RefCell::new(entry::SpecState {
                enabled: SPECIALIZE.load(Ordering::Relaxed),
                ..entry::SpecState::default()
            }),
            direct: std::cell::Cell::new(std::ptr::null()),
            attention: std::cell::Cell::new(false),
            spare_frames: std::cell::RefCell::new(Vec::new()),
            frame_locals: std::cell::OnceCell::new(),
            stale: std::cell::Cell::new(false),
            osr_ready: std::cell::Cell::new(false),
            inner: std::cell::RefCell::new(Vec::new()),
        });
        c.decref(code);
        Ok(cf)
    }
}

/// The compiled function for the code of `func`, a comprehension's function that the code of
/// `owner` made from a code object among its constants, which `owner` has not compiled or
/// refused yet (`entry::inner_call` looks there first): compiled now and kept by `owner`
/// (or its refusal, so that it is not tried again), which it runs with: the compiled function refers to `owner`'s original for its globals (the same)
/// and name, and each call passes the function called for its closure. `None` if the code is
/// not among `owner`'s constants or cannot be compiled (the reason in
/// `stats()['fallback_reasons']`).
///
/// # Safety
/// GIL held; `func` live; `owner` alive while the result is used.
unsafe fn inner_compiled(
    c: &'static CApi,
    owner: &CompiledFunction,
    func: Obj,
) -> Option<&'static CompiledFunction> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let l = &c.descriptor().layout;
        let code: Obj = c.read(func as *const c_void, l.function.func_code);
        if owner.consts.is_null() {
            return None;
        }
        let n = c.read::<isize>(owner.consts as *const c_void, l.var_object.ob_size);
        if !(0..n).any(|i| c.tuple_item(owner.consts, i) == code) {
            return None;
        }
        let cf = match compile_function(c, func) {
            Ok(cf) => {
                c.incref(code);
                cf.tramp_code.set(code);
                let _ = cf.frame_locals.set(entry::own_frame_locals(&cf));
                let mut cf = cf;
                cf.func = owner.func;
                // (specialised as the function that makes it is, whatever the setting now)
                cf.spec.borrow_mut().enabled = owner.spec.borrow().enabled;
                INNER_COMPILED.fetch_add(1, Ordering::Relaxed);
                Some(cf)
            }
            Err(why) => {
                let why = match why {
                    Some(u) => u.construct,
                    None => {
                        c.clear_error();
                        "(an error was raised compiling it)".to_string()
                    }
                };
                let name = format!(
                    "{}.{}",
                    attr_str(c, owner.func, "__name__"),
                    attr_str(c, code, "co_name")
                );
                if let Ok(mut r) = REASONS.lock() {
                    r.push((name, format!("cannot compile {why}")));
                }
                None
            }
        };
        let p = cf.as_deref().map(|cf| cf as *const CompiledFunction);
        owner.inner.borrow_mut().push((code, cf));
        p.map(|p| &*p)
    }
}

/// Records the trampoline's code in `cf` for direct calls, with where the native slots' values
/// go in its frame ([`entry::FrameLocals`]), when its frame holds locals whose first are the
/// parameters and then its one free variable (the entry): the layout direct calls fill.
///
/// # Safety
/// GIL held; `wrapper` is the trampoline of `cf`.
unsafe fn adopt_trampoline_code(c: &CApi, cf: &CompiledFunction, wrapper: Obj) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let l = &c.descriptor().layout;
        let code: Obj = c.read(wrapper as *const c_void, l.function.func_code);
        let tuple_names = |t: Obj| -> Option<Vec<String>> {
            let n = c.read::<isize>(t as *const c_void, l.var_object.ob_size);
            (0..n)
                .map(|i| c.str_text(c.tuple_item(t, i)))
                .collect::<Option<Vec<String>>>()
        };
        let names_of = |code: Obj, attr: &str| -> Option<Vec<String>> {
            let t = c.getattr(code, attr);
            if t.is_null() {
                c.clear_error();
                return None;
            }
            let v = tuple_names(t);
            c.decref(t);
            v
        };
        let nlocals_of = |code: Obj| c.getattr_int(code, "co_nlocals");
        let (Some(tnames), Some(tfree), Some(tcells), Some(tn)) = (
            names_of(code, "co_varnames"),
            names_of(code, "co_freevars"),
            names_of(code, "co_cellvars"),
            nlocals_of(code),
        ) else {
            c.clear_error();
            return;
        };
        let nparams = cf.nparams() as usize;
        if tfree.len() != 1
            || !tcells.is_empty()
            || tn as usize != tnames.len()
            || tnames.len() < nparams
        {
            return;
        }
        // the original's slots: which hold cells (its cell and free variables: from 3.11 a
        // parameter's own slot becomes its cell)
        let ocode: Obj = c.read(cf.func as *const c_void, l.function.func_code);
        let (Some(ocells), Some(on)) = (names_of(ocode, "co_cellvars"), nlocals_of(ocode)) else {
            c.clear_error();
            return;
        };
        let Some(native) = tuple_names(cf.varnames) else {
            c.clear_error();
            return;
        };
        if native.len() < nparams || native[..nparams] != tnames[..nparams] {
            return;
        }
        let cells_in_place = c.descriptor().caps.interpreter_frames;
        let slots = native
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let at = tnames
                    .iter()
                    .position(|t| t == name)
                    .map_or(entry::NO_SLOT, |k| k as u32);
                let cell = j as i64 >= on || (cells_in_place && ocells.contains(name));
                (at, cell)
            })
            .collect();
        // 3.6–3.10 list a frame's locals, cells and free variables as three groups (3.6 each
        // backwards), the trampoline's frame its locals as one: the order of the original's
        let (total, frees) = (native.len(), cf.slots.free_start as usize);
        let grouped = !cells_in_place && c.descriptor().identity.version.0 >= 3;
        let dict_order = (grouped && total > on as usize).then(|| {
            let backwards = c.descriptor().identity.version < (3, 7, 0);
            let group = |r: std::ops::Range<usize>| -> Vec<u32> {
                // (a parameter kept in a cell shows among the cells)
                let mut g: Vec<u32> = r
                    .filter(|&j| j >= on as usize || !ocells.contains(&native[j]))
                    .map(|j| j as u32)
                    .collect();
                if backwards {
                    g.reverse();
                }
                g
            };
            let on = on as usize;
            [group(0..on), group(on..frees), group(frees..total)].concat()
        });
        c.incref(code);
        cf.tramp_code.set(code);
        let _ = cf.frame_locals.set(entry::FrameLocals {
            slots,
            free: tnames.len() as u32,
            dict_order,
            entry_cell: true,
        });
    }
}

/// The compiled function whose trampoline `o` is: a function whose one free variable holds
/// an entry of ours and whose code is that compiled function's trampoline code (so neither a
/// reassigned `__code__` nor a borrowed closure passes).
///
/// # Safety
/// GIL held; `o` live.
unsafe fn compiled_of(c: &CApi, o: Obj) -> Option<&'static CompiledFunction> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        static TYPES: OnceLock<[usize; 3]> = OnceLock::new();
        let [function, tuple, cell_type] = *TYPES.get_or_init(|| {
            [Api::FunctionType, Api::TupleType, Api::CellType].map(|a| c.object(a) as usize)
        });
        let l = &c.descriptor().layout;
        if c.type_of(o) as usize != function {
            return None;
        }
        let closure: Obj = c.read(o as *const c_void, l.function.func_closure);
        if closure.is_null()
            || c.type_of(closure) as usize != tuple
            || c.read::<isize>(closure as *const c_void, l.var_object.ob_size) != 1
        {
            return None;
        }
        let cell: Obj = c.read(closure as *const c_void, l.tuple.ob_item);
        if c.type_of(cell) as usize != cell_type {
            return None;
        }
        let entry: Obj = c.read(cell as *const c_void, l.cell.ob_ref);
        if entry.is_null() {
            return None;
        }
        let cf = handle_of(c, entry)?;
        let code: Obj = c.read(o as *const c_void, l.function.func_code);
        (code == cf.tramp_code.get()).then_some(cf)
    }
}

/// The LLVM context every compilation uses: created once, never freed (the machine code of
/// every compiled function refers to its types and constants).
fn llvm_context() -> &'static inkwell::context::Context {
    struct Shared(&'static inkwell::context::Context);
    // SAFETY: used only with the GIL held, so never from two threads at once.
    unsafe impl Sync for Shared {}
    // SAFETY: as above.
    unsafe impl Send for Shared {}
    static CTX: std::sync::OnceLock<Shared> = std::sync::OnceLock::new();
    CTX.get_or_init(|| Shared(Box::leak(Box::new(inkwell::context::Context::create()))))
        .0
}

/// Compiles `cf` again with the optimising tier, once, and makes calls take it. A failure
/// (which the quick tier's success makes unlikely) keeps the quick tier's code and is recorded
/// in `stats()['optimize_failures']`.
fn tier_up(c: &'static CApi, cf: &CompiledFunction, osr: bool) {
    if cf.tier_tried.replace(true) {
        return;
    }
    if reoptimize(c, cf, osr) {
        let seen = cf
            .feedback
            .iter()
            .filter(|w| w.load(Ordering::Relaxed) != 0)
            .count();
        FEEDBACK_SITES.fetch_add(seen as u64, Ordering::Relaxed);
        OPTIMIZED.fetch_add(1, Ordering::Relaxed);
    }
}

/// Compiles `cf` with the optimising tier (`osr`: with entries for on-stack replacement) and
/// installs the code, its time counted in `stats()['optimize_ms']`; false if that failed
/// (recorded in `stats()['optimize_failures']`; the running code stays).
fn reoptimize(c: &'static CApi, cf: &CompiledFunction, osr: bool) -> bool {
    let t = std::time::Instant::now();
    match optimize(c, cf, osr) {
        Ok(compiled) => {
            install(cf, compiled, osr);
            OPTIMIZE_US.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
            true
        }
        Err(u) => {
            optimize_failed(c, cf, &u);
            false
        }
    }
}

/// A call in `ir` (of code object `code`) whose answer depends on the calling frame's local
/// variables, which compiled code keeps out of its frame: `locals()`, `vars()` and `dir()`
/// without an argument, `eval` and `exec` without a namespace. Found from the builtin's name
/// at a `LOAD_GLOBAL` and the call that takes the value (any other use of the name counts
/// too: the function runs in the interpreter, where it behaves as it should). Zero-argument
/// `super()` reads the frame too, but only the class and the first argument, which compiled
/// code has: the calls of the global `super` without arguments in a function with a
/// `__class__` cell are returned (index, call slot), for [`mark_super`] (3.12+ compile them to
/// `LOAD_SUPER_ATTR`, which loads both itself); any other use of the name there is refused.
///
/// # Safety
/// GIL held; `code` is the function's code object.
unsafe fn frame_dependent(
    c: &CApi,
    code: Obj,
    ir: &anyjit_jit::ir::Function,
) -> Result<Vec<(usize, anyjit_jit::ir::CallSlot)>, Unsupported> {
    use anyjit_jit::ir::{KwNames, Op};
    let mut supers = Vec::new();
    // SAFETY: per the caller; the tuples belong to `code`.
    unsafe {
        let tuple_strs = |attr: &str| -> Vec<String> {
            let t = c.getattr(code, attr);
            if t.is_null() {
                c.clear_error();
                return Vec::new();
            }
            let mut out = Vec::new();
            let mut k = 0;
            loop {
                let o = c.tuple_item(t, k);
                if o.is_null() {
                    c.clear_error();
                    break;
                }
                out.push(c.str_text(o).unwrap_or_default());
                k += 1;
            }
            c.decref(t);
            out
        };
        let names = tuple_strs("co_names");
        let class_cell = tuple_strs("co_freevars").iter().any(|n| n == "__class__");
        for (i, ins) in ir.instrs.iter().enumerate() {
            let (Op::LoadGlobal { name, .. }, Some(d)) = (ins.op, ins.depth) else {
                continue;
            };
            let Some(n) = names.get(name as usize) else {
                continue;
            };
            // the call refused: with at most this many arguments
            let (most, what) = match n.as_str() {
                "locals" => (u32::MAX, "locals()"),
                "vars" | "dir" => (0, "vars() or dir() without an argument"),
                "eval" | "exec" => (1, "eval() or exec() without a namespace"),
                "super" if class_cell => (0, "zero-argument super()"),
                _ => continue,
            };
            // the instruction that takes the value: the first to pop the stack below it
            let taker = ir.instrs[i + 1..]
                .iter()
                .position(|j| {
                    j.depth.is_some_and(|dj| {
                        i64::from(dj) - i64::from(j.op.stack_effect().0) <= i64::from(d)
                    })
                })
                .map(|k| i + 1 + k);
            if n == "super" {
                match taker.map(|t| (t, ir.instrs[t].op)) {
                    Some((
                        t,
                        Op::Call {
                            argc: 0,
                            kw: KwNames::None,
                            slot,
                        },
                    )) => {
                        supers.push((t, slot));
                        continue;
                    }
                    Some((_, Op::LoadSuperAttr { .. })) => continue,
                    _ => {}
                }
                // (3.12+: `super`, `__class__` and the first argument loaded for
                // `LOAD_SUPER_ATTR`, the global's NULL left below for a call after it)
                if matches!(
                    ir.instrs.get(i + 3).map(|j| j.op),
                    Some(Op::LoadSuperAttr { .. })
                ) {
                    continue;
                }
            }
            let taker = taker.map(|t| &ir.instrs[t]);
            let refused = match taker.map(|j| j.op) {
                Some(Op::Call { argc, kw, .. }) => {
                    most == u32::MAX || argc <= most || kw != KwNames::None
                }
                Some(Op::Call27 {
                    npos,
                    nkw,
                    var,
                    kwargs,
                }) => most == u32::MAX || npos + nkw <= most || var || kwargs,
                // (called with `*args`, or not called here: the name may reach a call anyway)
                _ => true,
            };
            if refused {
                return Err(Unsupported {
                    construct: format!(
                        "{what}: it reads the frame's local variables, which compiled code keeps \
                         out of its frame"
                    ),
                    offset: ins.offset,
                    line: ins.line,
                });
            }
        }
        Ok(supers)
    }
}

/// Turns the calls `supers` (from [`frame_dependent`]) into [`Op::CallSuper`], which find the
/// `__class__` cell and the first argument in their slots of `slots`, and tells 3.12+'s
/// `LOAD_SUPER_ATTR` whether the function takes a positional argument (`no_args`).
///
/// # Safety
/// GIL held; `code` is the function's code object, `ir` and `slots` its own.
///
/// [`Op::CallSuper`]: anyjit_jit::ir::Op::CallSuper
unsafe fn mark_super(
    c: &CApi,
    code: Obj,
    ir: &mut anyjit_jit::ir::Function,
    slots: &anyjit_jit::codegen::Slots,
    supers: &[(usize, anyjit_jit::ir::CallSlot)],
    no_args: bool,
) {
    use anyjit_jit::ir::Op;
    for ins in ir.instrs.iter_mut() {
        if let Op::LoadSuperAttr { no_args: n, .. } = &mut ins.op {
            *n = no_args;
        }
    }
    if supers.is_empty() {
        return;
    }
    // SAFETY: per the caller.
    let (varnames, cellvars, freevars) = unsafe {
        (
            tuple_attr(c, code, "co_varnames"),
            tuple_attr(c, code, "co_cellvars"),
            tuple_attr(c, code, "co_freevars"),
        )
    };
    let Some(class_slot) = freevars
        .iter()
        .position(|v| v.1 == "__class__")
        .map(|k| slots.free_start + k as u32)
    else {
        return;
    };
    // the first argument: its own slot, or (before 3.11) the cell it moved into
    let first_is_cell = varnames
        .first()
        .is_some_and(|v0| cellvars.iter().any(|cv| cv.1 == v0.1));
    let (self_slot, self_cell) = match slots.implicit_cells.iter().find(|c| c.1 == Some(0)) {
        Some(&(cell, _)) => (cell, true),
        None if varnames.is_empty() => (class_slot, false),
        None => (0, first_is_cell),
    };
    for &(i, slot) in supers {
        ir.instrs[i].op = Op::CallSuper {
            slot,
            class_slot,
            self_slot,
            self_cell,
            no_args,
        };
    }
}

/// Records why an optimising compilation of `cf` failed.
fn optimize_failed(c: &CApi, cf: &CompiledFunction, u: &Unsupported) {
    // SAFETY: GIL held; the handle owns the function.
    let name = unsafe { attr_str(c, cf.func, "__name__") };
    if let Ok(mut f) = OPTIMIZE_FAILURES.lock() {
        f.push((name, u.to_string()));
    }
}

/// Makes `compiled` the code calls of `cf` take; `osr`: it has entries for on-stack
/// replacement (see [`CompiledFunction::osr_ready`]).
fn install(cf: &CompiledFunction, compiled: anyjit_jit::codegen::Compiled, osr: bool) {
    {
        let mut s = cf.spec.borrow_mut();
        s.deopts = 0;
        s.calls = 0;
        s.late_feedback = false;
        s.specialized = compiled.plan.as_ref().is_some_and(|p| p.speculative);
        if s.specialized {
            s.why_not = None;
        }
        if s.specialized {
            s.compilations += 1;
        }
    }
    cf.entry.set(compiled.entry);
    cf.optimized.set(Some(compiled.entry));
    // (code with entries for on-stack replacement wants the generic path's next call, which
    // compiles it again without them)
    cf.attention.set(osr);
    cf.osr_ready.set(osr);
    let mut tiers = cf.tiers.borrow_mut();
    tiers.push(compiled);
    cf.stale.set(tiers.len() > 1);
}

/// The optimising compilation of `cf`: for its type feedback, specialised (unless that is
/// turned off) without the guards that failed before; `osr`: with entries at its loop
/// headers for on-stack replacement.
fn optimize(
    c: &'static CApi,
    cf: &CompiledFunction,
    osr: bool,
) -> Result<anyjit_jit::codegen::Compiled, Unsupported> {
    let ctx = llvm_context();
    let watched = watch_globals(c, cf);
    // SAFETY: GIL held; `cf` is live.
    let (plan, range_list) = unsafe {
        let plan = if cf.spec.borrow().enabled {
            anyjit_jit::runtime::guards::plan_for(c, cf, true)
        } else {
            Err("specialisation is turned off (anyjit._specialize)".to_string())
        };
        let plan = match plan {
            Ok(p) => Some(p),
            Err(why) => {
                cf.spec.borrow_mut().why_not = Some(why);
                // the generic code, with the reference counts a plan of the code alone saves
                anyjit_jit::runtime::guards::plan_for(c, cf, false).ok()
            }
        };
        (plan, anyjit_jit::runtime::known_callables(c).range_list)
    };
    // SAFETY: GIL held; `cf` owns its constants.
    let consts = unsafe { anyjit_jit::runtime::guards::const_addrs(c, cf.consts) };
    Codegen::with_slots(ctx, c, &cf.ir, cf.nparams(), cf.slots.clone())
        .watched_globals(watched)
        .feedback(&cf.feedback)
        .constants(consts)
        // SAFETY: GIL held; `cf` owns its names.
        .names(unsafe { anyjit_jit::runtime::guards::const_addrs(c, cf.names) })
        .specialize(plan, range_list)
        .osr_entries(osr)
        .compile()
}

/// Whether `cf`'s globals and builtins are watched for its LOAD_GLOBAL caches: on builds
/// without dict version tags (3.13+), which watch them instead.
fn watch_globals(c: &'static CApi, cf: &CompiledFunction) -> bool {
    let d = c.descriptor();
    d.layout.dict.ma_version_tag.is_none()
        && d.layout.function.func_builtins.is_some()
        // SAFETY: GIL held; the function is alive (the handle owns it); offsets from the
        // descriptor.
        && unsafe {
            let f = cf.func as *const std::ffi::c_void;
            let globals: Obj = c.read(f, d.layout.function.func_globals);
            let builtins: Obj = c.read(f, d.layout.function.func_builtins.unwrap_or(0));
            anyjit_jit::runtime::watch_dicts(c, &[globals, builtins])
        }
}

/// The generic code a specialised compilation of `cf` resumes at `sites` when its guards
/// fail, compiled when one first does (see `anyjit_jit::runtime::guards::rt_deopt`).
fn resume_code(
    cf: &CompiledFunction,
    sites: &[usize],
) -> Result<anyjit_jit::codegen::Compiled, String> {
    let c = &state().capi;
    let t = std::time::Instant::now();
    // SAFETY: GIL held; `cf` owns its constants.
    let consts = unsafe { anyjit_jit::runtime::guards::const_addrs(c, cf.consts) };
    let r = Codegen::with_slots(llvm_context(), c, &cf.ir, cf.nparams(), cf.slots.clone())
        .watched_globals(watch_globals(c, cf))
        .feedback(&cf.feedback)
        .constants(consts)
        // SAFETY: GIL held; `cf` owns its names.
        .names(unsafe { anyjit_jit::runtime::guards::const_addrs(c, cf.names) })
        .resume_at(sites.to_vec())
        .compile()
        .map_err(|u| u.to_string());
    RESUME_COMPILES.fetch_add(1, Ordering::Relaxed);
    OPTIMIZE_US.fetch_add(t.elapsed().as_micros() as u64, Ordering::Relaxed);
    if let Err(e) = &r {
        optimize_failed(
            c,
            cf,
            &Unsupported {
                construct: format!("the generic code to resume: {e}"),
                offset: 0,
                line: None,
            },
        );
    }
    r
}

/// Specialises `cf` again, without the guards that failed, when the running specialisation's
/// guards keep failing (at most [`entry::MAX_SPECIALIZATIONS`] times in all).
fn respecialize(c: &'static CApi, cf: &CompiledFunction) {
    if !cf.spec.borrow().wants_respecialization() {
        return;
    }
    if reoptimize(c, cf, false) {
        RESPECIALIZED.fetch_add(1, Ordering::Relaxed);
    } else {
        // keep the running code; do not try again
        cf.spec.borrow_mut().compilations = entry::MAX_SPECIALIZATIONS;
    }
}

/// The optimised code of `cf` for an activation in a loop of its quick-tier code (on-stack
/// replacement; see `anyjit_jit::runtime::rt_osr`): code with entries at its loop headers,
/// compiled now unless installed already (a call's optimisation has none: this one replaces
/// it, and a later call compiles it once more without them; see `drop_osr_entries`).
fn optimize_for_osr(cf: &CompiledFunction) -> Option<anyjit_jit::codegen::NativeFn> {
    let c = &state().capi;
    if !cf.tier_tried.get() {
        tier_up(c, cf, true);
    } else if cf.optimized.get().is_some() && !cf.osr_ready.get() && !reoptimize(c, cf, true) {
        return None;
    }
    if !cf.osr_ready.get() {
        return None;
    }
    let f = cf.optimized.get()?;
    // later calls take the optimised code too, without counting to the tier-up
    cf.calls.set(entry::TIER_UP_CALLS);
    OSR_ENTRIES.fetch_add(1, Ordering::Relaxed);
    Some(f)
}

/// Compiles `cf`'s optimised code again without the entries for on-stack replacement that
/// the installed one has (see [`CompiledFunction::osr_ready`]), once no activation runs: no
/// quick-tier activation is left to move into it.
fn drop_osr_entries(c: &'static CApi, cf: &CompiledFunction) {
    if !cf.osr_ready.get() || cf.active.get() != 0 {
        return;
    }
    // (the same feedback and failed guards: the same specialisation, not another)
    let compilations = cf.spec.borrow().compilations;
    if reoptimize(c, cf, false) {
        cf.spec.borrow_mut().compilations = compilations;
        OSR_RECOMPILED.fetch_add(1, Ordering::Relaxed);
    } else {
        // keep the running code
        cf.osr_ready.set(false);
        cf.attention.set(false);
    }
}

/// # Safety
/// Called once by CPython, with the GIL held, as the handle capsule dies.
unsafe extern "C" fn release_handle(capsule: Obj) {
    let c = &state().capi;
    // SAFETY: the capsule holds the Box made in try_compile; called once, GIL held.
    unsafe {
        let p = capsule_pointer(c, capsule);
        if p.is_null() {
            c.clear_error();
            return;
        }
        let cf = Box::from_raw(p as *mut CompiledFunction);
        cf.release(c);
    }
}

/// The pointer a handle capsule holds (capsules of ours are nameless: their owner, the bound
/// entry function, is what is checked).
///
/// # Safety
/// GIL held; `capsule` is a handle capsule.
unsafe fn capsule_pointer(c: &CApi, capsule: Obj) -> *mut c_void {
    // SAFETY: per the caller; a NULL name matches a nameless capsule without a string compare.
    unsafe {
        c.func::<extern "C" fn(Obj, *const c_char) -> *mut c_void>(Api::CapsuleGetPointer)(
            capsule,
            std::ptr::null(),
        )
    }
}

/// The entry point a trampoline calls, bound to one compiled function's handle: a builtin
/// whose self is the handle capsule, so that nothing but anyjit can pair it with a handle.
/// `METH_FASTCALL` (3.7+: no argument tuple) where the build has that form, else
/// `METH_VARARGS`.
static ENTER_FAST: MethodDef = MethodDef {
    name: c"anyjit_enter".as_ptr(),
    meth: enter_fast as *const c_void,
    flags: 0x80,
    doc: std::ptr::null(),
};

/// The `METH_VARARGS` form of [`ENTER_FAST`] (2.7, 3.6).
static ENTER_VARARGS: MethodDef = MethodDef {
    name: c"anyjit_enter".as_ptr(),
    meth: enter_varargs as *const c_void,
    flags: 1,
    doc: std::ptr::null(),
};

/// The method definition bound entries use on this build.
fn enter_def(c: &CApi) -> &'static MethodDef {
    static FAST: OnceLock<bool> = OnceLock::new();
    let fast = *FAST.get_or_init(|| {
        let d = c.descriptor();
        d.identity.version >= (3, 7, 0) && d.constant("METH_FASTCALL") == Some(0x80)
    });
    if fast {
        &ENTER_FAST
    } else {
        &ENTER_VARARGS
    }
}

/// A new entry bound to `capsule` (see [`ENTER_FAST`]), holding `func`, the original function
/// of the compiled function in it, as its `m_module`: the garbage collector visits that field
/// (not the capsule's contents), so a compiled function kept in its own globals forms a cycle
/// the collector can see and free, as the original function would.
///
/// # Safety
/// GIL held; `capsule` is a handle capsule, `func` its original function.
unsafe fn bound_entry(c: &CApi, capsule: Obj, func: Obj) -> Obj {
    // SAFETY: per the caller; the definition is static.
    unsafe {
        c.func::<extern "C" fn(*const MethodDef, Obj, Obj) -> Obj>(Api::CFunctionNewEx)(
            enter_def(c),
            capsule,
            func,
        )
    }
}

/// The compiled function behind `o` if it is an entry bound by [`bound_entry`].
///
/// # Safety
/// GIL held; `o` live.
unsafe fn handle_of(c: &CApi, o: Obj) -> Option<&'static CompiledFunction> {
    // SAFETY: per the caller; offsets from the descriptor; only anyjit binds its definitions,
    // always to a handle capsule.
    unsafe {
        static CFUNCTION: OnceLock<usize> = OnceLock::new();
        let l = c.descriptor().layout.cfunction?;
        let cfunction = *CFUNCTION.get_or_init(|| {
            if c.has(Api::CFunctionType) {
                c.object(Api::CFunctionType) as usize
            } else {
                0
            }
        });
        if cfunction == 0 || c.type_of(o) as usize != cfunction {
            return None;
        }
        let ml: *const MethodDef = c.read(o as *const c_void, l.m_ml);
        if !std::ptr::eq(ml, enter_def(c)) {
            return None;
        }
        let capsule: Obj = c.read(o as *const c_void, l.m_self);
        (capsule_pointer(c, capsule) as *const CompiledFunction).as_ref()
    }
}

/// `anyjit._is_handle(obj)`: whether `obj` is the entry of a compiled function.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn is_handle(_module: Obj, o: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held.
    unsafe { c.new_bool(handle_of(c, o).is_some()) }
}

/// The trampolines' way in (3.7+): `zelf` is the handle capsule, `args` the parameters.
///
/// # Safety
/// Called by CPython with the GIL held; `zelf` is the handle capsule [`bound_entry`] bound the builtin to, the arguments are the calling convention's.
unsafe extern "C" fn enter_fast(zelf: Obj, args: *const Obj, nargs: isize) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; the builtin is bound to a handle capsule; `args` has `nargs` items.
    unsafe {
        let cf = &*(capsule_pointer(c, zelf) as *const CompiledFunction);
        let params = if nargs > 0 {
            std::slice::from_raw_parts(args, nargs as usize)
        } else {
            &[]
        };
        run_compiled(c, cf, params)
    }
}

/// The trampolines' way in (2.7, 3.6): `zelf` is the handle capsule, `args` the tuple of
/// parameters.
///
/// # Safety
/// Called by CPython with the GIL held; `zelf` is the handle capsule [`bound_entry`] bound the builtin to, the arguments are the calling convention's.
unsafe extern "C" fn enter_varargs(zelf: Obj, args: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; the builtin is bound to a handle capsule; `args` is a tuple.
    unsafe {
        let cf = &*(capsule_pointer(c, zelf) as *const CompiledFunction);
        let l = &c.descriptor().layout;
        let n = c.read::<isize>(args as *const c_void, l.var_object.ob_size);
        let items = (args as *const u8).add(l.tuple.ob_item as usize) as *const Obj;
        let params = if n > 0 {
            std::slice::from_raw_parts(items, n as usize)
        } else {
            &[]
        };
        run_compiled(c, cf, params)
    }
}

/// Runs `cf` with the trampoline's parameters (borrowed): natively, tiering up on the second
/// call, or in the interpreter while a trace or profile function is set.
///
/// # Safety
/// GIL held; called from the trampoline, whose frame is the running one.
unsafe fn run_compiled(c: &'static CApi, cf: &CompiledFunction, params: &[Obj]) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        if params.len() != cf.nparams() as usize {
            c.set_error(
                c.object(Api::ExcSystemError),
                "anyjit: trampoline and compiled code disagree on parameters",
            );
            return std::ptr::null_mut();
        }
        let ts = c.func::<extern "C" fn() -> *mut c_void>(Api::ThreadStateGet)();
        if entry::tracing(c, ts) {
            FALLBACKS.fetch_add(1, Ordering::Relaxed);
            return entry::call_original(c, cf, params);
        }
        let Some(at) = entry::frame_slots(c, ts) else {
            c.set_error(
                c.object(Api::ExcSystemError),
                "anyjit: compiled code entered without a frame",
            );
            return std::ptr::null_mut();
        };
        run_native(c, cf, params, ts, at)
    }
}

/// Runs `cf` natively with its parameters (borrowed) under its trampoline's frame, the
/// running one of thread state `ts`, no trace or profile function being set; tiers up on the
/// second call.
///
/// # Safety
/// GIL held; as described.
unsafe fn run_native(
    c: &'static CApi,
    cf: &CompiledFunction,
    params: &[Obj],
    ts: *mut c_void,
    at: entry::FrameSlots,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        entry::count(&NATIVE_CALLS);
        let calls = cf.calls.get();
        if calls < entry::TIER_UP_CALLS {
            cf.calls.set(calls + 1);
            if calls + 1 == entry::TIER_UP_CALLS {
                tier_up(c, cf, false);
            }
        }
        {
            let mut s = cf.spec.borrow_mut();
            s.calls = s.calls.saturating_add(1);
        }
        if cf.active.get() == 0 {
            // (a specialisation made again has no entries for on-stack replacement either)
            respecialize(c, cf);
            drop_osr_entries(c, cf);
        }
        cf.active.set(cf.active.get() + 1);
        let r = entry::run_in(RUNTIME.get().expect("init"), cf, params, at, ts);
        let active = cf.active.get() - 1;
        cf.active.set(active);
        if active == 0 && cf.tiers.borrow().len() > 1 {
            // no activation runs the quick tier's code any more: free it
            let mut tiers = cf.tiers.borrow_mut();
            let last = tiers.len() - 1;
            tiers.drain(..last);
            cf.stale.set(false);
        }
        r
    }
}

/// `anyjit._osr_after(n)`: sets how many backward jumps an activation of quick-tier code
/// makes before it moves to the optimised code (0: never), for functions compiled from now on;
/// returns the previous setting. For tests, which make every loop move at once.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn osr_after(_module: Obj, n: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held.
    unsafe {
        let v = c.as_long(n);
        if v == -1 && c.error_occurred() {
            return std::ptr::null_mut();
        }
        let Ok(v) = u32::try_from(v) else {
            c.set_error(
                c.object(Api::ExcValueError),
                "anyjit._osr_after expects a count from 0 to 2**32-1",
            );
            return std::ptr::null_mut();
        };
        let old = anyjit_jit::runtime::OSR_AFTER.swap(v, Ordering::Relaxed);
        c.new_int(old as _)
    }
}

/// `anyjit._inline_paths(compiled)`: the inline paths of the optimised code of a function
/// compiled by `anyjit.jit` (a dict, empty before it is optimised).
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn inline_paths(_module: Obj, f: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; values are handed to dict_set_steal.
    unsafe {
        let Some(cf) = compiled_of(c, f) else {
            c.set_error(
                c.object(Api::ExcTypeError),
                "anyjit._inline_paths expects a function compiled by anyjit.jit",
            );
            return std::ptr::null_mut();
        };
        let d = c.new_dict();
        if d.is_null() || cf.optimized.get().is_none() {
            return d;
        }
        let tiers = cf.tiers.borrow();
        if let Some(t) = tiers.last() {
            for (kind, n) in &t.inline_paths {
                if !c.dict_set_steal(d, kind, c.new_int(i64::from(*n) as _)) {
                    c.decref(d);
                    return std::ptr::null_mut();
                }
            }
        }
        d
    }
}

/// `anyjit._specialize(flag)`: whether functions compiled from now on get specialised code
/// (unboxed ints and floats, counted loops); returns the previous setting. For the benchmark,
/// which measures the generic tier alone beside it.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn specialize(_module: Obj, flag: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held.
    unsafe {
        let t = c.func::<extern "C" fn(Obj) -> c_int>(Api::ObjectIsTrue)(flag);
        if t < 0 {
            return std::ptr::null_mut();
        }
        let old = SPECIALIZE.swap(t > 0, Ordering::Relaxed);
        c.new_bool(old)
    }
}

/// `anyjit.specialization(compiled)` (also `anyjit._specialized`): what the running code of a compiled function specialises
/// (a dict: whether it is specialised, the typed locals by name, its guards, counted loops,
/// unboxed operations and borrowed moves (items and objects stored into locals or list items
/// without a reference count change when they hold them already), how often it was specialised, the guards that failed since).
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn specialized(_module: Obj, f: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; values are handed to dict_set_steal.
    unsafe {
        let Some(cf) = compiled_of(c, f) else {
            c.set_error(
                c.object(Api::ExcTypeError),
                "anyjit.specialization expects a function compiled by anyjit.jit",
            );
            return std::ptr::null_mut();
        };
        let d = c.new_dict();
        let locals = c.new_dict();
        if d.is_null() || locals.is_null() {
            c.decref(d);
            c.decref(locals);
            return std::ptr::null_mut();
        }
        let tiers = cf.tiers.borrow();
        let plan = tiers
            .last()
            .and_then(|t| t.plan.as_ref())
            .filter(|p| p.speculative);
        let (mut guards, mut loops, mut ops, mut borrowed) = (0usize, 0usize, 0usize, 0usize);
        if let Some(p) = plan {
            for (l, t) in p.locals.iter().enumerate() {
                let Some(num) = t else { continue };
                let name = c.tuple_item(cf.varnames, l as isize);
                let name = if name.is_null() {
                    c.clear_error();
                    format!("#{l}")
                } else {
                    c.str_text(name).unwrap_or_default()
                };
                let kind = match num {
                    anyjit_jit::spec::Num::Int => "int",
                    anyjit_jit::spec::Num::Float => "float",
                };
                c.dict_set_steal(locals, &name, c.new_str(kind));
            }
            guards = p.guard_count();
            for (i, s) in p.steps.iter().enumerate() {
                match s {
                    anyjit_jit::spec::Step::ForRange => loops += 1,
                    anyjit_jit::spec::Step::Arith { .. }
                    | anyjit_jit::spec::Step::Compare { .. }
                    | anyjit_jit::spec::Step::Unary { .. } => ops += 1,
                    anyjit_jit::spec::Step::StoreBorrowed
                    | anyjit_jit::spec::Step::ForSeq { borrow: true, .. } => borrowed += 1,
                    // a list store of a borrowed value
                    anyjit_jit::spec::Step::ItemSet => {
                        let tys = p.types(i);
                        if tys.len() >= 3 && tys[tys.len() - 3] == anyjit_jit::spec::Ty::Borrowed {
                            borrowed += 1;
                        }
                    }
                    _ => {}
                }
            }
        }
        let spec = cf.spec.borrow();
        let n = |v: usize| c.new_int(v as _);
        let ok = c.dict_set_steal(d, "specialized", c.new_bool(plan.is_some()))
            && c.dict_set_steal(d, "locals", locals)
            && c.dict_set_steal(d, "guards", n(guards))
            && c.dict_set_steal(d, "counted_loops", n(loops))
            && c.dict_set_steal(d, "unboxed_ops", n(ops))
            && c.dict_set_steal(d, "borrowed_moves", n(borrowed))
            && c.dict_set_steal(
                d,
                "borrowed_consts",
                n(plan.map_or(0, |p| p.borrowed_consts)),
            )
            && c.dict_set_steal(d, "compilations", n(spec.compilations as usize))
            && c.dict_set_steal(d, "deopts", n(spec.deopts as usize))
            && c.dict_set_steal(d, "failed_sites", n(spec.failed.len()))
            && c.dict_set_steal(
                d,
                "why_not",
                match (&spec.why_not, plan) {
                    (Some(w), None) => c.new_str(w),
                    _ => {
                        let none = c.object(Api::NoneStruct);
                        c.incref(none);
                        none
                    }
                },
            );
        if ok {
            d
        } else {
            c.decref(d);
            std::ptr::null_mut()
        }
    }
}

/// `anyjit.stats()`.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn stats(_module: Obj, _unused: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; values are handed to dict_set_steal.
    unsafe {
        let d = c.new_dict();
        if d.is_null() {
            return d;
        }
        let n = |a: &AtomicU64| c.new_int(a.load(Ordering::Relaxed) as _);
        let reasons = c.new_dict();
        if let Ok(r) = REASONS.lock() {
            for (name, why) in r.iter() {
                c.dict_set_steal(reasons, name, c.new_str(why));
            }
        }
        let failures = c.new_dict();
        if let Ok(f) = OPTIMIZE_FAILURES.lock() {
            for (name, why) in f.iter() {
                c.dict_set_steal(failures, name, c.new_str(why));
            }
        }
        let ok = c.dict_set_steal(d, "compiled", n(&COMPILED))
            && c.dict_set_steal(d, "inner_compiled", n(&INNER_COMPILED))
            && c.dict_set_steal(d, "inner_calls", n(&entry::INNER_CALLS))
            && c.dict_set_steal(d, "native_calls", n(&NATIVE_CALLS))
            && c.dict_set_steal(d, "optimized", n(&OPTIMIZED))
            && c.dict_set_steal(
                d,
                "optimize_ms",
                c.new_float(OPTIMIZE_US.load(Ordering::Relaxed) as f64 / 1000.0),
            )
            && c.dict_set_steal(d, "osr_entries", n(&OSR_ENTRIES))
            && c.dict_set_steal(d, "osr_recompiled", n(&OSR_RECOMPILED))
            && c.dict_set_steal(d, "direct_calls", n(&entry::DIRECT_CALLS))
            && c.dict_set_steal(d, "frames_reused", n(&entry::FRAMES_REUSED))
            && c.dict_set_steal(d, "feedback_sites", n(&FEEDBACK_SITES))
            && c.dict_set_steal(d, "optimize_failures", failures)
            && c.dict_set_steal(d, "fallbacks", n(&FALLBACKS))
            && c.dict_set_steal(
                d,
                "guard_failures",
                n(&anyjit_jit::runtime::guards::GUARD_FAILURES),
            )
            && c.dict_set_steal(d, "respecialized", n(&RESPECIALIZED))
            && c.dict_set_steal(d, "resume_compiles", n(&RESUME_COMPILES))
            && c.dict_set_steal(d, "large_compiles", n(&anyjit_jit::codegen::LARGE_COMPILES))
            && c.dict_set_steal(d, "fallback_reasons", reasons);
        if ok {
            d
        } else {
            c.decref(d);
            std::ptr::null_mut()
        }
    }
}

/// `anyjit._dump_native(func, what)`: the LLVM IR (`what` = "llvm") or host assembly ("asm")
/// the generic tier produces for `func`, or UnsupportedError saying why it cannot.
///
/// # Safety
/// Called by CPython as a method of the module, with the GIL held and the arguments its calling convention passes.
pub unsafe extern "C" fn dump_native(_module: Obj, args: Obj) -> Obj {
    let c = &state().capi;
    // SAFETY: GIL held; `args` is a 2-tuple.
    unsafe {
        let func = c.tuple_item(args, 0);
        let what = c.tuple_item(args, 1);
        if func.is_null() || what.is_null() {
            return std::ptr::null_mut();
        }
        let asm = c.str_text(what).as_deref() == Some("asm");
        let input = match anyjit_jit::decode::live::read_code(c, func) {
            Ok(i) => i,
            Err(e) => {
                c.set_error(c.object(Api::ExcTypeError), &e);
                return std::ptr::null_mut();
            }
        };
        let ir = match anyjit_jit::decode::decode(c.descriptor(), &input) {
            Ok(ir) => ir,
            Err(e) => return unsupported(&format!("{}: {e}", input.name)),
        };
        let ctx = inkwell::context::Context::create();
        let code = c.getattr(func, "__code__");
        let nparams = if code.is_null() {
            c.clear_error();
            0
        } else {
            let get = |n: &str| {
                c.getattr_int(code, n).unwrap_or_else(|| {
                    c.clear_error();
                    0
                }) as u32
            };
            let flags = get("co_flags");
            let n = get("co_argcount")
                + get("co_kwonlyargcount")
                + u32::from(flags & 4 != 0)
                + u32::from(flags & 8 != 0);
            c.decref(code);
            n
        };
        let code = c.getattr(func, "__code__");
        if code.is_null() {
            return std::ptr::null_mut();
        }
        let layout = slot_layout(c, code, nparams);
        c.decref(code);
        let Some((slots, names)) = layout else {
            return std::ptr::null_mut();
        };
        c.decref(names);
        match Codegen::with_slots(&ctx, c, &ir, nparams, slots).compile_with(true) {
            Ok(mut compiled) => c.new_str(&if asm {
                compiled.asm.take().unwrap_or_default()
            } else {
                std::mem::take(&mut compiled.llvm_ir)
            }),
            Err(u) => unsupported(&format!("{}: {u}", input.name)),
        }
    }
}

/// Strings of a tuple attribute of `code` (borrowed items).
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn tuple_attr(c: &CApi, code: Obj, name: &str) -> Vec<(Obj, String)> {
    // SAFETY: GIL held, `code` a code object.
    unsafe {
        let t = c.getattr(code, name);
        if t.is_null() {
            c.clear_error();
            return Vec::new();
        }
        let n = c.read::<isize>(t as *const c_void, c.descriptor().layout.var_object.ob_size);
        let out = (0..n)
            .map(|i| {
                let o = c.tuple_item(t, i);
                (o, c.str_text(o).unwrap_or_default())
            })
            .collect();
        c.decref(t); // the code object keeps the tuple and its items alive
        out
    }
}

/// The local slots of `code`: locals, then cells (≤3.10 all cell variables; 3.11+ those that
/// are not also locals), then free variables, with the names tuple for error messages.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn slot_layout(
    c: &CApi,
    code: Obj,
    nparams: u32,
) -> Option<(anyjit_jit::codegen::Slots, Obj)> {
    // SAFETY: GIL held.
    unsafe {
        let explicit =
            anyjit_jit::decode::Era::of(c.descriptor()) == anyjit_jit::decode::Era::Cached;
        let varnames = tuple_attr(c, code, "co_varnames");
        let cellvars = tuple_attr(c, code, "co_cellvars");
        let freevars = tuple_attr(c, code, "co_freevars");
        let mut names: Vec<Obj> = varnames.iter().map(|v| v.0).collect();
        let mut implicit_cells = Vec::new();
        for (o, text) in &cellvars {
            if explicit && varnames.iter().any(|v| &v.1 == text) {
                continue;
            }
            if !explicit {
                let arg = varnames
                    .iter()
                    .take(nparams as usize)
                    .position(|v| &v.1 == text)
                    .map(|p| p as u32);
                implicit_cells.push((names.len() as u32, arg));
            }
            names.push(*o);
        }
        let free_start = names.len() as u32;
        names.extend(freevars.iter().map(|v| v.0));
        for o in &names {
            c.incref(*o);
        }
        let tuple = c.new_tuple(&names);
        if tuple.is_null() {
            return None;
        }
        let slots = anyjit_jit::codegen::Slots {
            total: names.len() as u32,
            free_start,
            implicit_cells,
            implicit_frees: !explicit && !freevars.is_empty(),
        };
        Some((slots, tuple))
    }
}
