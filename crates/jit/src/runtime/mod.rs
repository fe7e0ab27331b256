//! What compiled code needs at run time: its environment, and the helpers it calls for the
//! operations that are simpler to write in Rust than to emit (calls, container builds, the
//! interpreter's own error objects).
//!
//! Every helper follows ceval's contract: it consumes (releases) the stack items it is handed and
//! returns a new reference, or NULL with an exception set.

pub mod attrs;
pub mod entry;
pub mod exc;
pub mod guards;

pub use guards::{
    rt_deopt, rt_float_floordiv, rt_float_mod, rt_float_pow, rt_int_pow, rt_make_range,
    rt_range_fits_list, rt_seq_iter,
};

use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::Api;
use std::ffi::{c_int, c_void};

/// The interpreter-side helpers (from `helpers.py`) and the C API, shared by all compiled code.
pub struct Runtime {
    /// The C API of the running interpreter.
    pub capi: &'static CApi,
    /// `helpers.name_error(name)`: the NameError the interpreter would raise.
    pub name_error: Obj,
    /// `helpers.unbound_local(name)`: the UnboundLocalError the interpreter would raise.
    pub unbound_local: Obj,
    /// `helpers.unpack_error(expected, got, is_sequence)`.
    pub unpack_error: Obj,
    /// `helpers.unpack_failure(obj, expected)`: the error for a non-iterable.
    pub unpack_failure: Obj,
    /// `helpers.raise_failure(exc, cause, with_cause)`: the error for raising a non-exception.
    pub raise_failure: Obj,
    /// `helpers.deref_error(name, free)`: the error for reading an empty cell.
    pub deref_error: Obj,
    /// `helpers.star_failure(kind, func, a, b)`: the error for a failed `*`/`**` unpacking.
    pub star_failure: Obj,
    /// `helpers.dict_merge(d, m)`: `**m` of a call merged into `d` when `m` is not a dict.
    pub dict_merge: Obj,
    /// `helpers.with_error(mgr)`: the error of entering `mgr`, which is no context manager.
    pub with_error: Obj,
    /// `helpers.raise27(n, a, b, c)`: 2.7's `raise` done by the interpreter (None off 2.7).
    pub raise27: Obj,
    /// `helpers.slice27(op, kind, t, u, v, w)`: 2.7 slicing done by the interpreter.
    pub slice27: Obj,
    /// `helpers.SeqIter(seq, i)`: an iterator over a list or tuple from index `i`.
    pub seq_iter: Obj,
    /// `helpers.import_from(v, name)`: `from v import name` done by the interpreter (3.x).
    pub import_from: Obj,
    /// `'__import__'`.
    pub import_key: Obj,
    /// `'__build_class__'`.
    pub build_class_key: Obj,
    /// `'__metaclass__'`.
    pub metaclass_key: Obj,
    /// `helpers.print_softspace(v)`: whether 2.7's `print` leaves a space pending after `v`.
    pub print_softspace: Obj,
    /// `'__getattr__'`.
    pub getattr_key: Obj,
    /// The builtins' original `__import__` (NULL if it was replaced before anyjit's import):
    /// when a function's builtins hold it, 3.x's ceval imports without calling it.
    pub original_import: Obj,
    /// The builtin `super` (NULL if it was replaced before anyjit's import).
    pub super_type: Obj,
    /// `'__enter__'` (the build's native str).
    pub enter_name: Obj,
    /// `'__exit__'`.
    pub exit_name: Obj,
}

// SAFETY: used only with the GIL held.
unsafe impl Sync for Runtime {}
// SAFETY: as above.
unsafe impl Send for Runtime {}

/// The environment of one native call, built by the entry point from the trampoline's frame.
/// Field offsets are read by the code generator: keep `#[repr(C)]` and the order.
#[repr(C)]
pub struct Env {
    /// The bound parameters, in `co_varnames` order (borrowed).
    pub args: *const Obj,
    /// Where the trampoline frame keeps its instruction position.
    pub lasti_slot: *mut c_void,
    /// Added to the scaled bytecode offset before storing it there.
    pub lasti_base: i64,
    /// Globals dict.
    pub globals: Obj,
    /// Builtins dict.
    pub builtins: Obj,
    /// `co_consts`.
    pub consts: Obj,
    /// `co_names`.
    pub names: Obj,
    /// Names of the local slots (locals, cells, free variables), for error messages.
    pub varnames: Obj,
    /// The function's closure tuple, or NULL.
    pub closure: Obj,
    /// The shared runtime.
    pub rt: *const Runtime,
    /// The [`entry::CompiledFunction`] being run, for on-stack replacement.
    pub owner: *const entry::CompiledFunction,
    /// The running thread's state (for direct calls, which would look it up again).
    pub ts: *mut c_void,
    /// The lowest stack address at which the code running may enter compiled code on this
    /// thread (see [`stack_limit`]): below it, a direct call takes the generic path, which
    /// raises RecursionError there instead of running the callee.
    pub stack_limit: usize,
}

/// The lowest stack address at which the running thread may enter compiled code: its stack's
/// low end plus room for what the interpreter and C code run from there (a quarter of the
/// stack, at most 1 MiB). Compiled frames are larger than the interpreter's, so that a
/// recursion limit raised far enough would otherwise run out of C stack and crash where the
/// interpreter raises RecursionError or succeeds. 0 (no limit) where the stack's bounds are
/// unknown. Computed once per thread.
pub fn stack_limit() -> usize {
    thread_local! {
        static LIMIT: usize = thread_stack().map_or(0, |(low, size)| low + (size / 4).min(1 << 20));
    }
    LIMIT.with(|l| *l)
}

/// The running thread's stack: its low address and size.
#[cfg(target_os = "linux")]
fn thread_stack() -> Option<(usize, usize)> {
    // `pthread_attr_t`: 56 bytes on 64-bit glibc and musl, 36 on 32-bit
    #[repr(C, align(16))]
    struct Attr([u8; 128]);
    extern "C" {
        fn pthread_self() -> usize;
        fn pthread_getattr_np(thread: usize, attr: *mut Attr) -> c_int;
        fn pthread_attr_getstack(
            attr: *const Attr,
            addr: *mut *mut c_void,
            size: *mut usize,
        ) -> c_int;
        fn pthread_attr_destroy(attr: *mut Attr) -> c_int;
    }
    let mut attr = Attr([0; 128]);
    let mut addr: *mut c_void = std::ptr::null_mut();
    let mut size = 0usize;
    // SAFETY: glibc's and musl's documented calls on the running thread, with room for the
    // attribute object; destroyed after use.
    unsafe {
        if pthread_getattr_np(pthread_self(), &mut attr) != 0 {
            return None;
        }
        let ok = pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        pthread_attr_destroy(&mut attr);
        (ok && !addr.is_null() && size > 0).then_some((addr as usize, size))
    }
}

/// The running thread's stack, where this platform's is not looked up (no limit).
#[cfg(not(target_os = "linux"))]
fn thread_stack() -> Option<(usize, usize)> {
    None
}

/// Whether the running code is below `limit` on its thread's stack (see [`stack_limit`]).
#[inline(always)]
pub fn below_stack_limit(limit: usize) -> bool {
    let probe = 0u8;
    (std::hint::black_box(std::ptr::addr_of!(probe)) as usize) < limit
}

/// Sets the RecursionError the interpreter raises for a recursion too deep, for a compiled
/// function not entered because the C stack is nearly spent (see [`stack_limit`]).
///
/// # Safety
/// GIL held.
pub unsafe fn stack_exhausted(c: &CApi) {
    // SAFETY: per the caller.
    unsafe {
        // (2.7 raises RuntimeError, which 3.5+'s RecursionError subclasses)
        let kind = if c.has(Api::ExcRecursionError) {
            Api::ExcRecursionError
        } else {
            Api::ExcRuntimeError
        };
        c.set_error(c.object(kind), "maximum recursion depth exceeded");
    }
}

/// The state a quick-tier activation hands to the optimised code of the same function when it
/// moves there at a loop header (on-stack replacement). The optimised code takes over every
/// reference in it.
#[repr(C)]
pub struct OsrState {
    /// The local slots (locals, cells, free variables), `nlocals` of them.
    pub locals: *mut Obj,
    /// The value stack, as deep as the loop header's entry.
    pub stack: *mut Obj,
    /// The IR block of the loop header to resume at.
    pub block: u32,
}

/// Byte offsets of [`OsrState`]'s fields, for the code generator.
pub mod osr_offsets {
    use super::OsrState;
    use std::mem::offset_of;
    /// `locals`.
    pub const LOCALS: usize = offset_of!(OsrState, locals);
    /// `stack`.
    pub const STACK: usize = offset_of!(OsrState, stack);
    /// `block`.
    pub const BLOCK: usize = offset_of!(OsrState, block);
}

/// Backward jumps one quick-tier activation makes before it asks for the optimised code and
/// moves there (see [`rt_osr`]); 0 turns on-stack replacement off. Read when a function is
/// compiled. A loop of this many iterations has run long enough in the quick tier that the
/// optimising compilation (tens of milliseconds) is likely to pay for itself.
pub static OSR_AFTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(20_000);

/// Makes the optimised code of a compiled function, or finds it; `None` if it cannot be had.
/// Installed by the extension, which owns the LLVM context and the statistics.
pub type Optimizer = fn(&entry::CompiledFunction) -> Option<crate::codegen::NativeFn>;

static OPTIMIZER: std::sync::OnceLock<Optimizer> = std::sync::OnceLock::new();

/// Installs the function [`rt_osr`] asks for optimised code (once; later calls are ignored).
pub fn set_optimizer(f: Optimizer) {
    let _ = OPTIMIZER.set(f);
}

/// Called by quick-tier code at a loop header after [`OSR_AFTER`] backward jumps: the entry
/// point of the function's optimised code, compiled now if it is not yet, or NULL (the
/// activation stays in the quick tier).
///
/// # Safety
/// Called by compiled code with the GIL held, `env` live.
pub unsafe extern "C" fn rt_osr(env: *const Env) -> *const c_void {
    // SAFETY: per the caller; the entry point set `owner` to the running function.
    unsafe {
        let (Some(optimize), Some(owner)) = (OPTIMIZER.get(), (*env).owner.as_ref()) else {
            return std::ptr::null();
        };
        match optimize(owner) {
            Some(f) => f as *const c_void,
            None => std::ptr::null(),
        }
    }
}

/// Byte offsets of [`Env`]'s fields, for the code generator.
pub mod env_offsets {
    use super::Env;
    use std::mem::offset_of;
    /// `args`.
    pub const ARGS: usize = offset_of!(Env, args);
    /// `lasti_slot`.
    pub const LASTI_SLOT: usize = offset_of!(Env, lasti_slot);
    /// `lasti_base`.
    pub const LASTI_BASE: usize = offset_of!(Env, lasti_base);
    /// `globals`.
    pub const GLOBALS: usize = offset_of!(Env, globals);
    /// `builtins`.
    pub const BUILTINS: usize = offset_of!(Env, builtins);
    /// `consts`.
    pub const CONSTS: usize = offset_of!(Env, consts);
    /// `names`.
    pub const NAMES: usize = offset_of!(Env, names);
    /// `varnames`.
    pub const VARNAMES: usize = offset_of!(Env, varnames);
    /// `closure`.
    pub const CLOSURE: usize = offset_of!(Env, closure);
    /// `rt`.
    pub const RT: usize = offset_of!(Env, rt);
    /// `owner`.
    pub const OWNER: usize = offset_of!(Env, owner);
    /// `ts`.
    pub const TS: usize = offset_of!(Env, ts);
    /// `stack_limit`.
    pub const STACK_LIMIT: usize = offset_of!(Env, stack_limit);
    /// The size of an `Env`.
    pub const SIZE: usize = std::mem::size_of::<Env>();
}

/// A descriptor constant, from a table built once (the descriptor keeps a list, too slow to
/// search on every call).
fn constant(c: &CApi, name: &str) -> Option<i64> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, i64>> =
        std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            c.descriptor()
                .constants
                .iter()
                .map(|k| (k.name, k.value))
                .collect()
        })
        .get(name)
        .copied()
}

/// A descriptor constant looked up once per use site (hot paths: the table lookup hashes the
/// name every time).
macro_rules! cached_constant {
    ($c:expr, $name:literal, $default:expr) => {{
        static VALUE: std::sync::OnceLock<i64> = std::sync::OnceLock::new();
        *VALUE.get_or_init(|| constant($c, $name).unwrap_or($default))
    }};
}

/// `PY_VECTORCALL_ARGUMENTS_OFFSET` (0 where vectorcall does not exist).
fn vectorcall_offset(c: &CApi) -> usize {
    static FLAG: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FLAG.get_or_init(|| constant(c, "PY_VECTORCALL_ARGUMENTS_OFFSET").unwrap_or(0) as usize)
}

/// # Safety
/// `env` is a live environment built by the entry point.
unsafe fn rt<'a>(env: *const Env) -> &'a Runtime {
    // SAFETY: the entry point builds `env` with a live runtime.
    unsafe { &*(*env).rt }
}

/// Points the trampoline frame at byte offset `offset`, as compiled code does before anything
/// that may fail (see `Codegen::set_lasti`).
///
/// # Safety
/// `env` is a live environment.
pub unsafe fn set_lasti(env: *const Env, offset: u32) {
    // SAFETY: per the caller; the slot is the frame's own.
    unsafe {
        let c = rt(env).capi;
        let d = c.descriptor();
        let slot = (*env).lasti_slot;
        if d.caps.interpreter_frames {
            *(slot as *mut i64) = (*env).lasti_base + i64::from(offset);
        } else {
            let scaled = match d.opcodes.jump_unit {
                anyjit_abi::JumpUnit::Bytes => offset,
                anyjit_abi::JumpUnit::CodeUnits => offset / 2,
            };
            *(slot as *mut i32) = scaled as i32;
        }
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn raise_with(c: &CApi, factory: Obj, name: Obj) {
    // SAFETY: GIL held; factory is a live helper, name a live str.
    unsafe {
        c.incref(name);
        let args = c.new_tuple(&[name]);
        raise_computed(c, factory, args);
    }
}

/// Raises the interpreter's NameError for global `name`.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_name_error(env: *const Env, name: Obj) {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        raise_with(r.capi, r.name_error, name);
    }
}

/// Raises the interpreter's UnboundLocalError for local `name`.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_unbound_local(env: *const Env, name: Obj) {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        raise_with(r.capi, r.unbound_local, name);
    }
}

/// Builds a tuple (`kind` 0) or list (`kind` 1) from `n` stack items at `base`, stealing them.
///
/// # Safety
/// Called by compiled code with the GIL held; `base[..n]` are owned references.
pub unsafe extern "C" fn rt_build(env: *const Env, base: *mut Obj, n: u32, kind: u32) -> Obj {
    // SAFETY: per the caller; the new container's item slots are filled before it escapes.
    unsafe {
        let c = rt(env).capi;
        let l = &c.descriptor().layout;
        let (api, items_at) = if kind == 0 {
            (Api::TupleNew, None)
        } else {
            (Api::ListNew, Some(l.list.ob_item))
        };
        let container = c.func::<extern "C" fn(isize) -> Obj>(api)(n as isize);
        if container.is_null() {
            for i in 0..n as usize {
                c.decref(*base.add(i));
            }
            return container;
        }
        let slots: *mut Obj = match items_at {
            None => (container as *mut u8).add(l.tuple.ob_item as usize) as *mut Obj,
            Some(off) => c.read::<*mut Obj>(container as *const c_void, off),
        };
        for i in 0..n as usize {
            *slots.add(i) = *base.add(i);
        }
        container
    }
}

/// Call layouts the helper understands (matching `ir::CallSlot`).
pub mod call_mode {
    /// `callable, args…`
    pub const SINGLE: u32 = 0;
    /// `meth|NULL, self|callable, args…`
    pub const NULL_BELOW: u32 = 1;
    /// `callable|meth, NULL|self, args…`
    pub const NULL_ABOVE: u32 = 2;
}

/// Calls from the stack: at `base` the callable slot(s) per `mode`, then `argc` arguments, the
/// last `len(kwnames)` of which are keyword values, then (if `kw_on_stack`) the names tuple.
/// Consumes every slot. Uses the build's fastest public call: vectorcall on 3.11+ (arguments
/// straight from the stack), an argument array and a kwargs dict on 3.6–3.10, a tuple on 2.7.
///
/// # Safety
/// Called by compiled code with the GIL held; the slots are owned references (NULL allowed
/// where the layout puts a NULL); `kwnames` is a borrowed tuple or NULL.
pub unsafe extern "C" fn rt_call(
    env: *const Env,
    base: *mut Obj,
    argc: u32,
    mode: u32,
    kwnames: Obj,
    kw_on_stack: u32,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let nslots = if mode == call_mode::SINGLE { 1 } else { 2 };
        let total = nslots + argc as usize + kw_on_stack as usize;
        let release = |c: &CApi| {
            for i in 0..total {
                c.decref(*base.add(i));
            }
        };
        let names = if kw_on_stack != 0 {
            *base.add(total - 1)
        } else {
            kwnames
        };
        let slot0 = *base;
        let slot1 = *base.add(1);
        // (callable, index of the first argument, whether a `self` precedes the arguments)
        let (callable, first, with_self) = match mode {
            call_mode::SINGLE => (slot0, 1usize, false),
            call_mode::NULL_BELOW if slot0.is_null() => (slot1, 2, false),
            call_mode::NULL_BELOW => (slot0, 1, true),
            _ if slot1.is_null() => (slot0, 2, false),
            _ => (slot0, 1, true),
        };
        let nargs = argc as usize + usize::from(with_self);
        let args = base.add(first);
        let nkw = if names.is_null() {
            0
        } else {
            c.read::<isize>(
                names as *const c_void,
                c.descriptor().layout.var_object.ob_size,
            ) as usize
        };
        let npos = nargs - nkw;
        let result = if c.has(Api::ObjectVectorcall) {
            // the slot before the arguments is ours: callees may borrow it (bound methods)
            let offset_flag = vectorcall_offset(c);
            let nargsf = npos | if first > 0 { offset_flag } else { 0 };
            c.func::<extern "C" fn(Obj, *const Obj, usize, Obj) -> Obj>(Api::ObjectVectorcall)(
                callable,
                args,
                nargsf,
                if nkw > 0 { names } else { std::ptr::null_mut() },
            )
        } else if c.has(Api::ObjectVectorcallDict) {
            let mut kwargs: Obj = std::ptr::null_mut();
            if nkw > 0 {
                kwargs = c.new_dict();
                let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem);
                for i in 0..nkw {
                    if kwargs.is_null()
                        || set(kwargs, c.tuple_item(names, i as isize), *args.add(npos + i)) != 0
                    {
                        c.decref(kwargs);
                        release(c);
                        return std::ptr::null_mut();
                    }
                }
            }
            let r = c.func::<extern "C" fn(Obj, *const Obj, usize, Obj) -> Obj>(
                Api::ObjectVectorcallDict,
            )(callable, args, npos, kwargs);
            c.decref(kwargs);
            r
        } else {
            let pos: Vec<Obj> = (0..npos).map(|i| *args.add(i)).collect();
            for o in &pos {
                c.incref(*o);
            }
            let tuple = c.new_tuple(&pos);
            if tuple.is_null() {
                release(c);
                return std::ptr::null_mut();
            }
            let mut kwargs: Obj = std::ptr::null_mut();
            if nkw > 0 {
                kwargs = c.new_dict();
                let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem);
                for i in 0..nkw {
                    if kwargs.is_null()
                        || set(kwargs, c.tuple_item(names, i as isize), *args.add(npos + i)) != 0
                    {
                        c.decref(kwargs);
                        c.decref(tuple);
                        release(c);
                        return std::ptr::null_mut();
                    }
                }
            }
            let r = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                callable, tuple, kwargs,
            );
            c.decref(tuple);
            c.decref(kwargs);
            r
        };
        release(c);
        result
    }
}

/// 2.7 `CALL_FUNCTION[_VAR][_KW]`: the callable and `npos` positional arguments, `nkw`
/// keyword name/value pairs, then (`flags` bit 0) the `*` operand and (bit 1) the `**` operand,
/// all consumed from the `base` stack slots; as ceval's `ext_do_call` does it, errors included.
///
/// # Safety
/// Called by compiled code with the GIL held; `base` points at the live stack slots.
pub unsafe extern "C" fn rt_call27(
    env: *const Env,
    base: *mut Obj,
    npos: u32,
    nkw: u32,
    flags: u32,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let (var, kw) = (flags & 1 != 0, flags & 2 != 0);
        let (npos, nkw) = (npos as usize, nkw as usize);
        if !var && !kw && nkw == 0 {
            // positional arguments only: the tuple takes the stack's references, as 2.7's
            // do_call builds it, and nothing is allocated besides
            let func = *base;
            let tuple = c.func::<extern "C" fn(isize) -> Obj>(Api::TupleNew)(npos as isize);
            let result = if tuple.is_null() {
                for i in 1..=npos {
                    c.decref(*base.add(i));
                }
                tuple
            } else {
                let items = (tuple as *mut u8)
                    .add(c.descriptor().layout.tuple.ob_item as usize)
                    .cast::<Obj>();
                for i in 0..npos {
                    *items.add(i) = *base.add(1 + i);
                }
                let r = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                    func,
                    tuple,
                    std::ptr::null_mut(),
                );
                c.decref(tuple);
                r
            };
            c.decref(func);
            return result;
        }
        let total = 1 + npos + 2 * nkw + usize::from(var) + usize::from(kw);
        let slots: Vec<Obj> = (0..total).map(|i| *base.add(i)).collect();
        let func = slots[0];
        let mut owned: Vec<Obj> = Vec::new();
        let result = 'call: {
            // `**`: a dict (subclasses too) as it is, anything else copied through keys()
            let mut kwdict: Obj = std::ptr::null_mut();
            if kw {
                let k = slots[total - 1];
                if has_type_flag(c, k, "Py_TPFLAGS_DICT_SUBCLASS", 1 << 29) && nkw == 0 {
                    c.incref(k);
                    kwdict = k;
                    owned.push(k);
                } else {
                    let d = c.new_dict();
                    if d.is_null() {
                        break 'call d;
                    }
                    owned.push(d);
                    if c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::DictUpdate)(d, k) != 0 {
                        if unpack_rejected(c, k, true) {
                            star_error(r, "call", func, std::ptr::null_mut(), k);
                        }
                        break 'call std::ptr::null_mut();
                    }
                    kwdict = d;
                }
            }
            // `*`: a tuple (subclasses too) as it is, anything else through tuple()
            let mut star: Obj = std::ptr::null_mut();
            if var {
                let s = slots[1 + npos + 2 * nkw];
                if has_type_flag(c, s, "Py_TPFLAGS_TUPLE_SUBCLASS", 1 << 26) {
                    c.incref(s);
                    star = s;
                } else {
                    star = c.func::<extern "C" fn(Obj) -> Obj>(Api::SequenceTuple)(s);
                    if star.is_null() {
                        if unpack_rejected(c, s, false) {
                            star_error(r, "call", func, s, std::ptr::null_mut());
                        }
                        break 'call std::ptr::null_mut();
                    }
                }
                owned.push(star);
            }
            // the keyword arguments, each new to the `**` ones
            if nkw > 0 {
                if kwdict.is_null() {
                    kwdict = c.new_dict();
                    if kwdict.is_null() {
                        break 'call kwdict;
                    }
                    owned.push(kwdict);
                }
                let get = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem);
                let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem);
                for k in 0..nkw {
                    let (key, value) = (slots[1 + npos + 2 * k], slots[2 + npos + 2 * k]);
                    if !get(kwdict, key).is_null() {
                        star_error(r, "dupkw", func, key, kwdict);
                        break 'call std::ptr::null_mut();
                    }
                    if set(kwdict, key, value) != 0 {
                        break 'call std::ptr::null_mut();
                    }
                }
            }
            // the positional arguments, then the `*` ones
            let nstar = if star.is_null() {
                0
            } else {
                c.func::<extern "C" fn(Obj) -> isize>(Api::TupleSize)(star) as usize
            };
            let mut items: Vec<Obj> = slots[1..1 + npos].to_vec();
            for i in 0..nstar {
                items.push(c.tuple_item(star, i as isize));
            }
            for o in &items {
                c.incref(*o);
            }
            let tuple = c.new_tuple(&items);
            if tuple.is_null() {
                break 'call tuple;
            }
            owned.push(tuple);
            c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(func, tuple, kwdict)
        };
        for o in owned.into_iter().chain(slots) {
            c.decref(o);
        }
        result
    }
}

/// Whether the type of `o` carries the `Py_TPFLAGS_*_SUBCLASS` flag `name` (the low 32 bits
/// of `tp_flags`, where every such flag lives).
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn has_type_flag(c: &CApi, o: Obj, name: &str, default: u32) -> bool {
    // SAFETY: GIL held; `o` live.
    unsafe {
        let d = i64::from(default);
        let flag = match name {
            "Py_TPFLAGS_TUPLE_SUBCLASS" => cached_constant!(c, "Py_TPFLAGS_TUPLE_SUBCLASS", d),
            "Py_TPFLAGS_DICT_SUBCLASS" => cached_constant!(c, "Py_TPFLAGS_DICT_SUBCLASS", d),
            "Py_TPFLAGS_STRING_SUBCLASS" => cached_constant!(c, "Py_TPFLAGS_STRING_SUBCLASS", d),
            _ => constant(c, name).unwrap_or(d),
        } as u32;
        let l = &c.descriptor().layout.type_object;
        c.read::<u32>(c.type_of(o) as *const c_void, l.tp_flags) & flag != 0
    }
}

/// Builtins whose calls the optimising tier makes directly where type feedback saw them
/// called (addresses; 0 where not found or not the genuine builtin).
#[derive(Debug, Clone, Copy)]
pub struct KnownCallables {
    /// The `str` type (3.x): `str(x)` is `PyObject_Str(x)`.
    pub str_type: usize,
    /// The builtin `len`: `len(x)` is `PyObject_Size(x)` as an int.
    pub len: usize,
    /// `list.append`'s method descriptor: `l.append(x)` is `PyList_Append(l, x)`.
    pub list_append: usize,
    /// `PyRange_Type` (3.x `range`, 2.7 `xrange`): loops over it are counted.
    pub range_type: usize,
    /// 2.7's builtin `range` (a function building a list): loops over it are counted too.
    pub range_list: usize,
}

/// The [`KnownCallables`] of this interpreter, found on first use (GIL held). `len` is taken
/// from the builtins only if it is the C function of the builtins module named `len`, so that
/// a rebound `len` is never mistaken for it.
///
/// # Safety
/// GIL held, interpreter initialised.
pub unsafe fn known_callables(c: &CApi) -> KnownCallables {
    static KNOWN: std::sync::OnceLock<KnownCallables> = std::sync::OnceLock::new();
    // SAFETY: per the caller; every reference taken is kept for the process (the objects
    // are the interpreter's own builtins).
    *KNOWN.get_or_init(|| unsafe {
        let py3 = c.descriptor().layout.int.is_none();
        let str_type = if py3 && c.has(Api::StrType) {
            c.object(Api::StrType) as usize
        } else {
            0
        };
        let list_append = if py3 {
            let a = c.getattr(c.object(Api::ListType), "append");
            if a.is_null() {
                c.clear_error();
            }
            a as usize
        } else {
            0
        };
        let len = genuine_builtin(c, "len");
        let range_list = if py3 { 0 } else { genuine_builtin(c, "range") };
        let range_type = if c.has(Api::RangeType) {
            c.object(Api::RangeType) as usize
        } else {
            0
        };
        KnownCallables {
            str_type,
            len,
            list_append,
            range_type,
            range_list,
        }
    })
}

/// The builtin function `name` of the builtins module, with a reference kept for the process,
/// if it is the genuine one (a C function of the builtins module by that name: a rebound name
/// is never mistaken for it); 0 otherwise.
///
/// # Safety
/// GIL held, interpreter initialised.
unsafe fn genuine_builtin(c: &CApi, name: &str) -> usize {
    // SAFETY: per the caller.
    unsafe {
        (|| {
            let l = c.descriptor().layout;
            let cl = l.cfunction?;
            let builtins = c.func::<extern "C" fn() -> Obj>(Api::EvalGetBuiltins)();
            if builtins.is_null() || !c.has(Api::CFunctionType) {
                return None;
            }
            let f = c.dict_get(builtins, name);
            if f.is_null() || c.type_of(f) != c.object(Api::CFunctionType) {
                return None;
            }
            let ml: *const c_void = c.read(f as *const c_void, cl.m_ml);
            let ml_name: *const std::ffi::c_char = c.read(ml, l.method_def.ml_name);
            if ml_name.is_null() || std::ffi::CStr::from_ptr(ml_name).to_bytes() != name.as_bytes()
            {
                return None;
            }
            // (2.7's builtins are bound to no module object: their `__module__` names it)
            let module = c.getattr(f, "__module__");
            if module.is_null() {
                c.clear_error();
                return None;
            }
            let genuine = matches!(
                c.str_text(module).as_deref(),
                Some("builtins" | "__builtin__")
            );
            c.decref(module);
            if !genuine {
                return None;
            }
            c.incref(f);
            Some(f as usize)
        })()
        .unwrap_or(0)
    }
}

/// The classes type feedback tells apart, found once.
struct FeedbackTypes {
    int: usize,
    float: usize,
    str: usize,
    list: usize,
    dict: usize,
    tuple: usize,
    method_descr: usize,
}

/// [`rt_feedback`] in code that runs after the function was specialised (the specialised
/// code, at a site that had never run when it was planned; the generic code a deopt resumes,
/// at every site): when the site had never run before and a plan can use what it saw, the
/// function is specialised again at its next call.
///
/// # Safety
/// As [`rt_feedback`].
pub unsafe extern "C" fn rt_feedback_late(
    env: *const Env,
    word: *mut usize,
    kind: u32,
    a: Obj,
    b: Obj,
) {
    use crate::codegen::feedback as fb;
    // SAFETY: per the caller; the owner lives while its code runs.
    unsafe {
        let cold = *word == 0;
        rt_feedback(env, word, kind, a, b);
        if !cold {
            return;
        }
        // only what a plan specialises: numbers, lists and tuples, `range` (another plan for
        // anything else would compile the same code again)
        let w = *word;
        let numbers = |classes: usize| classes & !(fb::C_INT | fb::C_FLOAT) == 0;
        let useful = match kind {
            fb::OPERANDS => {
                let (ca, cb) = (w & fb::CLASS_MASK, (w >> fb::B_SHIFT) & fb::CLASS_MASK);
                ca != 0 && numbers(ca) && numbers(cb)
            }
            fb::CONTAINER => w & (fb::LIST | fb::TUPLE) != 0,
            _ => {
                let known = known_callables(rt(env).capi);
                let callee = w & !fb::MARKS;
                callee != 0 && (callee == known.range_type || callee == known.range_list)
            }
        };
        if let (true, Some(owner)) = (useful, (*env).owner.as_ref()) {
            owner.note_late_feedback();
        }
    }
}

/// Records at a quick-tier site what the optimising tier compiles for (see
/// `codegen::feedback`): `kind` [`crate::codegen::feedback::OPERANDS`] ORs in the class of
/// the pair `a`, `b`; `CONTAINER` that of `a`; `CALLABLE` keeps the address of `a`, or `MANY`.
///
/// # Safety
/// Called by compiled code with the GIL held; `word` is the site's feedback word, the objects
/// live.
pub unsafe extern "C" fn rt_feedback(env: *const Env, word: *mut usize, kind: u32, a: Obj, b: Obj) {
    use crate::codegen::feedback as fb;
    static TYPES: std::sync::OnceLock<FeedbackTypes> = std::sync::OnceLock::new();
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let t = TYPES.get_or_init(|| {
            let o = |api: Api| {
                if c.has(api) {
                    c.object(api) as usize
                } else {
                    0
                }
            };
            FeedbackTypes {
                int: if c.descriptor().layout.int.is_some() {
                    o(Api::IntType)
                } else {
                    o(Api::LongType)
                },
                float: o(Api::FloatType),
                str: o(Api::StrType),
                list: o(Api::ListType),
                dict: o(Api::DictType),
                tuple: o(Api::TupleType),
                method_descr: o(Api::MethodDescrType),
            }
        });
        let class = |o: Obj| c.type_of(o) as usize;
        let operand = |o: Obj| -> usize {
            let x = class(o);
            if x == t.int {
                if fits_machine_int(c, o) {
                    fb::C_INT
                } else {
                    fb::C_BIGINT
                }
            } else if x == t.float {
                fb::C_FLOAT
            } else if x == t.str {
                fb::C_STR
            } else {
                fb::C_OTHER
            }
        };
        let bits = match kind {
            fb::OPERANDS => operand(a) | operand(b) << fb::B_SHIFT,
            fb::CONTAINER => match class(a) {
                x if x == t.list => fb::LIST,
                x if x == t.dict => fb::DICT,
                x if x == t.tuple => fb::TUPLE,
                _ => fb::OTHER,
            },
            _ => {
                let marks = *word & fb::MARKS;
                let seen = *word & !fb::MARKS;
                let known = known_callables(c);
                let callee = if t.method_descr != 0
                    && class(a) == t.method_descr
                    && a as usize != known.list_append
                {
                    fb::METHOD_DESCR
                } else {
                    a as usize
                };
                let one = if seen == 0 || seen == callee {
                    callee
                } else {
                    fb::MANY
                };
                let compiled = if marks == 0 {
                    entry::compiled_callable_marks(c, a)
                } else {
                    marks
                };
                *word = one | compiled;
                return;
            }
        };
        *word |= bits;
    }
}

/// Whether exact int `o` fits the specialised code's machine integer: always for 2.7's `int`
/// (a C long); for 3.x's, when it has at most two digits (below 2**60 with 30-bit digits).
///
/// # Safety
/// GIL held; `o` is an exact int of this interpreter.
unsafe fn fits_machine_int(c: &CApi, o: Obj) -> bool {
    let d = c.descriptor();
    let l = &d.layout;
    if l.int.is_some() {
        return true;
    }
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let p = o as *const c_void;
        match (d.caps.long_value_tag, l.long.lv_tag) {
            (true, Some(tag)) => {
                let nsb = cached_constant!(c, "_PyLong_NON_SIZE_BITS", 3) as u32;
                c.read::<usize>(p, tag) >> nsb <= 2
            }
            _ => c.read::<isize>(p, l.var_object.ob_size).unsigned_abs() <= 2,
        }
    }
}

/// Back-edges between two visits of [`rt_periodic`] (a power of two).
pub const PERIODIC_EVERY: u32 = 4096;

/// Flags of [`rt_super`].
pub mod super_flags {
    /// `super(class, first)` written with both arguments (3.12+ `LOAD_SUPER_ATTR` bit 1):
    /// whatever the name holds is called with them.
    pub const TWO_ARGS: u32 = 1;
    /// The function takes no positional argument.
    pub const NO_ARGS: u32 = 2;
    /// `class` is the `__class__` cell, not its contents (before 3.12).
    pub const CLASS_CELL: u32 = 4;
    /// `first` is the cell the first argument lives in.
    pub const FIRST_CELL: u32 = 8;
}

/// `super()` as the interpreter makes it (3.x): `callee` is what the name `super` holds (all
/// borrowed). The builtin `super` without arguments gets the class from the function's
/// `__class__` cell and its first argument, which the interpreter's `super()` reads from the
/// calling frame, with the same errors in the same order; anything else is called without
/// arguments, as the code says. New reference, or NULL with an exception set.
///
/// # Safety
/// Called by compiled code with the GIL held; the objects (cells included) are live or NULL as
/// the flags say.
pub unsafe extern "C" fn rt_super(
    env: *const Env,
    callee: Obj,
    class: Obj,
    first: Obj,
    flags: u32,
) -> Obj {
    use super_flags::*;
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        if flags & TWO_ARGS != 0 {
            c.incref(class);
            c.incref(first);
            return c.call(callee, &[class, first]);
        }
        if callee != r.super_type {
            return c.call0(callee);
        }
        let fail = |msg: &str| {
            c.set_error(c.object(Api::ExcRuntimeError), msg);
            std::ptr::null_mut()
        };
        if flags & NO_ARGS != 0 {
            return fail("super(): no arguments");
        }
        let cell_ref = c.descriptor().layout.cell.ob_ref;
        let contents = |cell: Obj| -> Obj {
            if cell.is_null() {
                cell
            } else {
                c.read::<Obj>(cell as *const c_void, cell_ref)
            }
        };
        let first = if flags & FIRST_CELL != 0 {
            contents(first)
        } else {
            first
        };
        if first.is_null() {
            return fail("super(): arg[0] deleted");
        }
        let class = if flags & CLASS_CELL != 0 {
            if class.is_null() {
                return fail("super(): bad __class__ cell");
            }
            contents(class)
        } else {
            class
        };
        if class.is_null() {
            return fail("super(): empty __class__ cell");
        }
        let is_type = c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::TypeIsSubtype)(
            c.type_of(class),
            c.object(Api::TypeType),
        ) != 0;
        if !is_type {
            // (`Py_TYPE(type)->tp_name`, as the interpreter names it)
            let tp_name: *const std::ffi::c_char = c.read(
                c.type_of(class) as *const c_void,
                c.descriptor().layout.type_object.tp_name,
            );
            let text = std::ffi::CStr::from_ptr(tp_name).to_string_lossy();
            return fail(&format!("super(): __class__ is not a type ({text})"));
        }
        c.incref(class);
        c.incref(first);
        c.call(callee, &[class, first])
    }
}

/// 3.12+ `LOAD_SUPER_ATTR`: `super(...)` made as [`rt_super`] does, then its attribute
/// `name`. New reference, or NULL with an exception set.
///
/// # Safety
/// As [`rt_super`]; `name` is a str.
pub unsafe extern "C" fn rt_load_super_attr(
    env: *const Env,
    callee: Obj,
    class: Obj,
    first: Obj,
    name: Obj,
    flags: u32,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let sup = rt_super(env, callee, class, first, flags);
        if sup.is_null() {
            return sup;
        }
        let attr = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetAttr)(sup, name);
        c.decref(sup);
        attr
    }
}

/// What `FOR_ITER` does when an iterator's `tp_iternext` returned NULL: NULL where the
/// iterator is exhausted (no exception set, or a `StopIteration`, which is cleared, as
/// `PyIter_Next` and ceval clear it), else the exception that stays set (the loop fails).
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_iter_end(env: *const Env) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let err = c.func::<extern "C" fn() -> Obj>(Api::ErrOccurred)();
        if err.is_null() || !c.error_matches(c.object(Api::ExcStopIteration)) {
            return err;
        }
        c.clear_error();
        std::ptr::null_mut()
    }
}

/// What the interpreter does between instructions, done on every [`PERIODIC_EVERY`]-th
/// backward jump of compiled code: runs signal handlers (Ctrl-C) and lets other threads take
/// the GIL. Returns -1 with an exception set if a signal handler raised.
///
/// On 3.x a thread waiting for the GIL asks for it only after waiting a whole switch interval,
/// and every release wakes it to wait afresh: releasing more often than that starves it (a
/// thread waited seconds). So the GIL is released only once two switch intervals have passed
/// since the last release: by then the waiter has asked (its timed wait oversleeps a little),
/// and the release hands the GIL over as the interpreter's own does. 2.7's GIL has no such
/// request: it is released on every visit, as its interpreter does every check interval.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_periodic(env: *const Env) -> c_int {
    static EPOCH: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    /// When the GIL was last released here, in nanoseconds since `EPOCH`.
    static LAST_RELEASE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        if c.func::<extern "C" fn() -> c_int>(Api::ErrCheckSignals)() < 0 {
            return -1;
        }
        if let Some(interval_us) = switch_interval_us(c) {
            let now = EPOCH
                .get_or_init(std::time::Instant::now)
                .elapsed()
                .as_nanos() as u64;
            let last = LAST_RELEASE.load(std::sync::atomic::Ordering::Relaxed);
            if now.saturating_sub(last) < interval_us.saturating_mul(2000) {
                return 0;
            }
            LAST_RELEASE.store(now, std::sync::atomic::Ordering::Relaxed);
        }
        let ts = c.func::<extern "C" fn() -> *mut c_void>(Api::EvalSaveThread)();
        c.func::<extern "C" fn(*mut c_void)>(Api::EvalRestoreThread)(ts);
        0
    }
}

/// The interpreter's switch interval in microseconds on builds whose GIL waiters ask for it
/// after that long (3.2+): `sys.getswitchinterval()` where the build exports its reader, else
/// the default of 5 ms. `None` on 2.7.
///
/// # Safety
/// The GIL is held.
unsafe fn switch_interval_us(c: &CApi) -> Option<u64> {
    if c.descriptor().identity.version < (3, 2, 0) {
        return None;
    }
    if !c.has(Api::EvalGetSwitchInterval) {
        return Some(5000);
    }
    // SAFETY: per the caller; the function takes nothing.
    Some(u64::from(unsafe {
        c.func::<extern "C" fn() -> std::ffi::c_ulong>(Api::EvalGetSwitchInterval)()
    } as u32))
}

/// The smallest int the interpreter caches (`-NSMALLNEGINTS`, the same from 2.7 to 3.13).
pub const SMALL_INT_MIN: i64 = -5;
/// How many ints it caches (`NSMALLNEGINTS + NSMALLPOSINTS`: -5 to 256).
pub const SMALL_INTS: u64 = 262;

/// The interpreter's cached small ints, -5 to 256, in order (2.7's `int`, 3.x's `int`):
/// the very objects `PyInt_FromLong`/`PyLong_FromLong` return for them, so that compiled code
/// can box a small result with one load. The table holds no references: the interpreter keeps
/// these objects for its whole life.
///
/// # Safety
/// The GIL must be held.
pub unsafe fn small_int_table(c: &CApi) -> Option<*const Obj> {
    static TABLE: std::sync::OnceLock<Option<Vec<usize>>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            // SAFETY: per the caller.
            unsafe {
                let new = c.func::<extern "C" fn(std::ffi::c_long) -> Obj>(Api::NativeIntFromLong);
                let mut v = Vec::with_capacity(SMALL_INTS as usize);
                for k in 0..SMALL_INTS as i64 {
                    let x = (SMALL_INT_MIN + k) as std::ffi::c_long;
                    let (o, again) = (new(x), new(x));
                    let cached = !o.is_null() && o == again;
                    c.decref(again);
                    // (the cache holds it: the table borrows)
                    c.decref(o);
                    if !cached {
                        // a build that caches fewer (or a failure)
                        c.func::<extern "C" fn()>(Api::ErrClear)();
                        return None;
                    }
                    v.push(o as usize);
                }
                Some(v)
            }
        })
        .as_ref()
        .map(|v| v.as_ptr() as *const Obj)
}

/// Builds a container from `n` stack items at `base` (consumed): `kind` 0 set, 1 dict from
/// key/value pairs, 2 dict from values and a key tuple on top (`n` values), 4 string
/// concatenation.
///
/// # Safety
/// Called by compiled code with the GIL held; the items are owned references.
pub unsafe extern "C" fn rt_build_other(env: *const Env, base: *mut Obj, n: u32, kind: u32) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let total = match kind {
            1 => 2 * n as usize,
            2 => n as usize + 1,
            _ => n as usize,
        };
        // (the caller's stack slots: nothing here writes them)
        let items: &[Obj] = std::slice::from_raw_parts(base, total);
        let release = |c: &CApi| {
            for o in items {
                c.decref(*o);
            }
        };
        let r = match kind {
            0 => {
                let set = c.func::<extern "C" fn(Obj) -> Obj>(Api::SetNew)(std::ptr::null_mut());
                for o in items {
                    if !set.is_null()
                        && c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::SetAdd)(set, *o) != 0
                    {
                        c.decref(set);
                        release(c);
                        return std::ptr::null_mut();
                    }
                }
                set
            }
            1 | 2 => {
                let d = c.new_dict();
                let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem);
                for i in 0..n as usize {
                    let (k, v) = if kind == 1 {
                        (items[2 * i], items[2 * i + 1])
                    } else {
                        (c.tuple_item(items[n as usize], i as isize), items[i])
                    };
                    if d.is_null() || set(d, k, v) != 0 {
                        c.decref(d);
                        release(c);
                        return std::ptr::null_mut();
                    }
                }
                d
            }
            _ => {
                let empty = c.new_str("");
                if empty.is_null() {
                    release(c);
                    return empty;
                }
                let list = c.new_list();
                for o in items {
                    c.list_append(list, *o);
                }
                let join = c.getattr(empty, "join");
                let args = c.new_tuple(&[list]);
                let r = if join.is_null() || args.is_null() {
                    std::ptr::null_mut()
                } else {
                    c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                        join,
                        args,
                        std::ptr::null_mut(),
                    )
                };
                c.decref(args);
                c.decref(join);
                c.decref(empty);
                r
            }
        };
        release(c);
        r
    }
}

/// Unpacks `seq` (consumed) into `n` items stored at `out` in stack order (last item lowest),
/// with the interpreter's error for a wrong count. Returns -1 with an exception on failure.
///
/// # Safety
/// Called by compiled code with the GIL held; `out[..n]` is free stack space.
pub unsafe extern "C" fn rt_unpack(env: *const Env, seq: Obj, n: u32, out: *mut Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let is_seq =
            c.type_of(seq) == c.object(Api::TupleType) || c.type_of(seq) == c.object(Api::ListType);
        let it = c.iter(seq);
        if it.is_null() {
            unpack_failure(r, seq, n);
            return -1;
        }
        c.decref(seq);
        let mut got: Vec<Obj> = Vec::with_capacity(n as usize);
        let fail = |got: &[Obj], c: &CApi| {
            for o in got {
                c.decref(*o);
            }
        };
        for _ in 0..n {
            let v = c.next(it);
            if v.is_null() {
                c.decref(it);
                fail(&got, c);
                if c.error_occurred() {
                    return -1;
                }
                raise_unpack(r, n, Some(got.len() as u32), is_seq, None);
                return -1;
            }
            got.push(v);
        }
        let extra = c.next(it);
        c.decref(it);
        if !extra.is_null() {
            c.decref(extra);
            fail(&got, c);
            raise_unpack(r, n, None, is_seq, None);
            return -1;
        }
        if c.error_occurred() {
            fail(&got, c);
            return -1;
        }
        for (i, v) in got.iter().enumerate() {
            *out.add(n as usize - 1 - i) = *v;
        }
        0
    }
}

/// The interpreter's error for unpacking the non-iterable `seq` (consumed) into `n` targets, in
/// its own words ("cannot unpack non-iterable ..." from 3.8): it fails the same way on the same
/// object, before iterating.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn unpack_failure(r: &Runtime, seq: Obj, n: u32) {
    let c = r.capi;
    // SAFETY: GIL held; `seq` live and owned.
    unsafe {
        c.clear_error();
        let args = c.new_tuple(&[seq, c.new_int(n.max(1) as _)]);
        raise_computed(c, r.unpack_failure, args);
    }
}

/// `UNPACK_EX`: unpacks `seq` (consumed) into `before` items, a list of the rest and `after`
/// items, written to `out` in stack order (the first item on top).
///
/// # Safety
/// Called by compiled code with the GIL held; `out` has room for `before + 1 + after` slots.
pub unsafe extern "C" fn rt_unpack_ex(
    env: *const Env,
    seq: Obj,
    before: u32,
    after: u32,
    out: *mut Obj,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let is_seq =
            c.type_of(seq) == c.object(Api::TupleType) || c.type_of(seq) == c.object(Api::ListType);
        let it = c.iter(seq);
        if it.is_null() {
            unpack_failure(r, seq, before + after);
            return -1;
        }
        c.decref(seq);
        let mut items: Vec<Obj> = Vec::new();
        let fail = |items: &[Obj], it: Obj| {
            for o in items {
                c.decref(*o);
            }
            c.decref(it);
            -1
        };
        loop {
            let v = c.next(it);
            if v.is_null() {
                break;
            }
            items.push(v);
        }
        if c.error_occurred() {
            return fail(&items, it);
        }
        if items.len() < (before + after) as usize {
            raise_unpack(
                r,
                before + after,
                Some(items.len() as u32),
                is_seq,
                Some(before),
            );
            return fail(&items, it);
        }
        c.decref(it);
        let rest = c.new_list();
        if rest.is_null() {
            return fail(&items, std::ptr::null_mut());
        }
        let middle = before as usize..items.len() - after as usize;
        for o in &items[middle.clone()] {
            if !c.list_append(rest, *o) {
                c.decref(rest);
                return fail(&items, std::ptr::null_mut());
            }
        }
        for o in &items[middle.clone()] {
            c.decref(*o);
        }
        let mut vals: Vec<Obj> = items[..before as usize].to_vec();
        vals.push(rest);
        vals.extend_from_slice(&items[middle.end..]);
        let n = vals.len();
        for (i, v) in vals.into_iter().enumerate() {
            *out.add(n - 1 - i) = v;
        }
        0
    }
}

/// Sets the interpreter's error for unpacking `got` items (None: too many) into `n` targets,
/// `before` of them ahead of a starred one (UNPACK_EX).
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn raise_unpack(r: &Runtime, n: u32, got: Option<u32>, is_seq: bool, before: Option<u32>) {
    let c = r.capi;
    // SAFETY: GIL held.
    unsafe {
        let int_or_none = |v: Option<u32>| match v {
            Some(g) => c.new_int(g as _),
            None => {
                let none = c.object(Api::NoneStruct);
                c.incref(none);
                none
            }
        };
        let args = c.new_tuple(&[
            c.new_int(n as _),
            int_or_none(got),
            c.new_bool(is_seq),
            int_or_none(before),
        ]);
        raise_computed(c, r.unpack_error, args);
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn is_exc_class(c: &CApi, o: Obj) -> bool {
    // SAFETY: GIL held; `o` live. A type whose flags say it derives from BaseException.
    unsafe {
        let l = &c.descriptor().layout.type_object;
        let type_flag = cached_constant!(c, "Py_TPFLAGS_TYPE_SUBCLASS", 1 << 31) as u64;
        let exc_flag = cached_constant!(c, "Py_TPFLAGS_BASE_EXC_SUBCLASS", 1 << 30) as u64;
        let meta = c.type_of(o);
        let meta_flags = c.read::<u64>(meta as *const c_void, l.tp_flags);
        meta_flags & type_flag != 0 && c.read::<u64>(o as *const c_void, l.tp_flags) & exc_flag != 0
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn is_exc_instance(c: &CApi, o: Obj) -> bool {
    // SAFETY: GIL held; `o` live.
    unsafe { is_exc_class(c, c.type_of(o)) }
}

/// `raise exc` / `raise exc from cause` (3.x; 2.7 `raise exc`), consuming both. Always returns
/// with an exception set (the one raised, or the interpreter's error about it).
///
/// # Safety
/// Called by compiled code with the GIL held; `exc` owned, `cause` owned or NULL.
pub unsafe extern "C" fn rt_raise(env: *const Env, exc: Obj, cause: Obj) {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let fail = |c: &CApi| {
            let none = c.object(Api::NoneStruct);
            let cause_arg = if cause.is_null() { none } else { cause };
            c.incref(exc);
            c.incref(cause_arg);
            let args = c.new_tuple(&[exc, cause_arg, c.new_bool(!cause.is_null())]);
            if !args.is_null() {
                let e = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                    r.raise_failure,
                    args,
                    std::ptr::null_mut(),
                );
                c.decref(args);
                if !e.is_null() {
                    c.func::<extern "C" fn(Obj, Obj)>(Api::ErrSetObject)(c.type_of(e), e);
                    c.decref(e);
                }
            }
        };
        let value = if is_exc_class(c, exc) {
            let v = c.call0(exc);
            if v.is_null() {
                c.decref(exc);
                c.decref(cause);
                return;
            }
            if !is_exc_instance(c, v) {
                c.decref(v);
                fail(c);
                c.decref(exc);
                c.decref(cause);
                return;
            }
            v
        } else if is_exc_instance(c, exc) {
            c.incref(exc);
            exc
        } else {
            fail(c);
            c.decref(exc);
            c.decref(cause);
            return;
        };
        if !cause.is_null() {
            let fixed = if is_exc_class(c, cause) {
                let v = c.call0(cause);
                if v.is_null() {
                    c.decref(value);
                    c.decref(exc);
                    c.decref(cause);
                    return;
                }
                Some(v)
            } else if is_exc_instance(c, cause) {
                c.incref(cause);
                Some(cause)
            } else if c.is_none(cause) {
                None
            } else {
                c.decref(value);
                fail(c);
                c.decref(exc);
                c.decref(cause);
                return;
            };
            // PyException_SetCause steals the cause and sets __suppress_context__.
            c.func::<extern "C" fn(Obj, Obj)>(Api::ExceptionSetCause)(
                value,
                fixed.unwrap_or(std::ptr::null_mut()),
            );
        }
        c.func::<extern "C" fn(Obj, Obj)>(Api::ErrSetObject)(c.type_of(value), value);
        c.decref(value);
        c.decref(exc);
        c.decref(cause);
    }
}

/// Raises the interpreter's error for reading the empty cell named `name` (`free`: a free
/// variable of an enclosing scope).
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_deref_error(env: *const Env, name: Obj, free: c_int) {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        c.incref(name);
        let args = c.new_tuple(&[name, c.new_bool(free != 0)]);
        raise_computed(c, r.deref_error, args);
    }
}

/// Makes a function from the stack (consumed): 3.x `flags` (1 defaults, 2 keyword defaults,
/// 4 annotations, 8 closure) below the code object, and above it the qualified name when
/// `qualname` (≤3.10); for 2.7 (`flags` = 16 + closure bit 8) `ndefaults` defaults, the
/// closure, then the code.
///
/// # Safety
/// Called by compiled code with the GIL held; the items are owned references.
pub unsafe extern "C" fn rt_make_function(
    env: *const Env,
    base: *mut Obj,
    count: u32,
    flags: u32,
    qualname: u32,
    ndefaults: u32,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let items: Vec<Obj> = (0..count as usize).map(|i| *base.add(i)).collect();
        let release = |c: &CApi| {
            for o in &items {
                c.decref(*o);
            }
        };
        let globals = (*env).globals;
        let set = |c: &CApi, api: Api, f: Obj, v: Obj| -> bool {
            c.func::<extern "C" fn(Obj, Obj) -> c_int>(api)(f, v) == 0
        };
        let func;
        if flags & 16 != 0 {
            // 2.7: defaults..., [closure], code
            let code = items[count as usize - 1];
            func = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::FunctionNew)(code, globals);
            if func.is_null() {
                release(c);
                return func;
            }
            let mut ok = true;
            if flags & 8 != 0 {
                ok &= set(c, Api::FunctionSetClosure, func, items[count as usize - 2]);
            }
            if ok && ndefaults > 0 {
                let defs: Vec<Obj> = items[..ndefaults as usize].to_vec();
                for o in &defs {
                    c.incref(*o);
                }
                let t = c.new_tuple(&defs);
                ok &= !t.is_null() && set(c, Api::FunctionSetDefaults, func, t);
                c.decref(t);
            }
            release(c);
            if !ok {
                c.decref(func);
                return std::ptr::null_mut();
            }
            return func;
        }
        // 3.x: [defaults] [kwdefaults] [annotations] [closure] code [qualname]
        let mut at = 0usize;
        let mut take = |bit: u32| {
            if flags & bit != 0 {
                at += 1;
                Some(items[at - 1])
            } else {
                None
            }
        };
        let defaults = take(1);
        let kwdefaults = take(2);
        let annotations = take(4);
        let closure = take(8);
        let code = items[at];
        let qn = if qualname != 0 {
            items[at + 1]
        } else {
            std::ptr::null_mut()
        };
        func = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::FunctionNewWithQualName)(
            code, globals, qn,
        );
        if func.is_null() {
            release(c);
            return func;
        }
        let mut ok = true;
        if let Some(v) = closure {
            ok &= set(c, Api::FunctionSetClosure, func, v);
        }
        if let (true, Some(v)) = (ok, annotations) {
            ok &= set(c, Api::FunctionSetAnnotations, func, v);
        }
        if let (true, Some(v)) = (ok, kwdefaults) {
            ok &= set(c, Api::FunctionSetKwDefaults, func, v);
        }
        if let (true, Some(v)) = (ok, defaults) {
            ok &= set(c, Api::FunctionSetDefaults, func, v);
        }
        release(c);
        if !ok {
            c.decref(func);
            return std::ptr::null_mut();
        }
        func
    }
}

/// 3.13 `SET_FUNCTION_ATTRIBUTE flag`: `value, func` → `func`, consuming `value`.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_set_function_attribute(
    env: *const Env,
    func: Obj,
    value: Obj,
    flag: u32,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let api = match flag {
            1 => Api::FunctionSetDefaults,
            2 => Api::FunctionSetKwDefaults,
            4 => Api::FunctionSetAnnotations,
            _ => Api::FunctionSetClosure,
        };
        let r = c.func::<extern "C" fn(Obj, Obj) -> c_int>(api)(func, value);
        c.decref(value);
        r
    }
}

/// Calls a `helpers.py` function that computes (does not raise) the interpreter's error for a
/// failure, with `args` (consumed; NULL after a failed build leaves the pending error), and
/// sets the error it returns.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn raise_computed(c: &CApi, helper: Obj, args: Obj) {
    // SAFETY: GIL held; `helper` is live.
    unsafe {
        if args.is_null() {
            return;
        }
        let exc = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
            helper,
            args,
            std::ptr::null_mut(),
        );
        c.decref(args);
        if exc.is_null() {
            return;
        }
        c.func::<extern "C" fn(Obj, Obj)>(Api::ErrSetObject)(c.type_of(exc), exc);
        c.decref(exc);
    }
}

/// Asks the interpreter for its error about a failed unpacking and sets it.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn star_error(r: &Runtime, kind: &str, func: Obj, a: Obj, b: Obj) {
    let c = r.capi;
    // SAFETY: GIL held; the objects are live (NULL meaning None).
    unsafe {
        c.clear_error();
        let none = c.object(Api::NoneStruct);
        let or_none = |o: Obj| {
            let v = if o.is_null() { none } else { o };
            c.incref(v);
            v
        };
        // an absent `*`/`**` operand of a call is an empty one (None is a real, bad operand)
        let a = if a.is_null() {
            c.new_tuple(&[])
        } else {
            or_none(a)
        };
        let b = if b.is_null() {
            c.new_dict()
        } else {
            or_none(b)
        };
        let args = c.new_tuple(&[c.new_str(kind), or_none(func), a, b]);
        raise_computed(c, r.star_failure, args);
    }
}

/// Whether the pending error is the interpreter's cue to reword a failed `*` unpacking: a
/// `TypeError` (or, for `**`, an `AttributeError`) about an object that is not iterable (not a
/// mapping). Decided from the type's slots alone, calling nothing, with the error left set.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn unpack_rejected(c: &CApi, o: Obj, mapping: bool) -> bool {
    // SAFETY: GIL held; `o` live; an error is set.
    unsafe {
        let matches = c.func::<extern "C" fn(Obj) -> c_int>(Api::ErrExceptionMatches);
        if mapping {
            return matches(c.object(Api::ExcAttributeError)) != 0;
        }
        if matches(c.object(Api::ExcTypeError)) == 0 {
            return false;
        }
        let l = &c.descriptor().layout.type_object;
        let tp_iter = c.read::<*const c_void>(c.type_of(o) as *const c_void, l.tp_iter);
        tp_iter.is_null() && c.func::<extern "C" fn(Obj) -> c_int>(Api::SequenceCheck)(o) == 0
    }
}

/// `LIST_EXTEND` (kind 0), `SET_UPDATE` (1), `DICT_UPDATE` (2): updates `container` with `value`
/// (consumed), with the interpreter's words when `value` cannot be unpacked.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_update(
    env: *const Env,
    container: Obj,
    value: Obj,
    kind: u32,
) -> c_int {
    // SAFETY: per the caller.
    unsafe { update(rt(env), container, value, kind, std::ptr::null_mut()) }
}

/// [`rt_update`], plus kind 3: extending the `*` arguments of a call to `func` (borrowed).
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn update(r: &Runtime, container: Obj, value: Obj, kind: u32, func: Obj) -> c_int {
    // SAFETY: GIL held; the objects are live, `value` is consumed.
    unsafe {
        let c = r.capi;
        let ok = if kind == 2 {
            c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::DictUpdate)(container, value) == 0
        } else {
            let m = c.getattr(container, if kind == 1 { "update" } else { "extend" });
            let mut ok = false;
            if !m.is_null() {
                c.incref(value);
                let args = c.new_tuple(&[value]);
                let res = if args.is_null() {
                    std::ptr::null_mut()
                } else {
                    c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                        m,
                        args,
                        std::ptr::null_mut(),
                    )
                };
                c.decref(args);
                c.decref(m);
                ok = !res.is_null();
                c.decref(res);
            }
            ok
        };
        if !ok && unpack_rejected(c, value, kind == 2) {
            let what = ["list", "set", "dict", "call"][kind.min(3) as usize];
            star_error(r, what, func, value, std::ptr::null_mut());
        }
        c.decref(value);
        if ok {
            0
        } else {
            -1
        }
    }
}

/// 3.6–3.8 `BUILD_{TUPLE,LIST,SET,MAP}_UNPACK[_WITH_CALL]`: a new tuple (kinds 0, 1), list (2),
/// set (3) or dict (4, 5) from the `n` stack items at `items` (borrowed), each unpacked in turn;
/// the `_WITH_CALL` kinds 1 and 5 name `func` (borrowed) in their errors.
///
/// # Safety
/// Called by compiled code with the GIL held; `items` points at `n` live objects.
pub unsafe extern "C" fn rt_build_unpack(
    env: *const Env,
    items: *const Obj,
    n: u32,
    kind: u32,
    func: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let container = match kind {
            0..=2 => c.new_list(),
            3 => c.func::<extern "C" fn(Obj) -> Obj>(Api::SetNew)(std::ptr::null_mut()),
            _ => c.new_dict(),
        };
        if container.is_null() {
            return container;
        }
        for i in 0..n as usize {
            let v = *items.add(i);
            c.incref(v);
            let status = match kind {
                0 | 2 => update(r, container, v, 0, func),
                1 => update(r, container, v, 3, func),
                3 => update(r, container, v, 1, func),
                4 => update(r, container, v, 2, func),
                _ => rt_dict_merge(env, container, v, func),
            };
            if status != 0 {
                c.decref(container);
                return std::ptr::null_mut();
            }
        }
        if kind <= 1 {
            let t = c.func::<extern "C" fn(Obj) -> Obj>(Api::ListAsTuple)(container);
            c.decref(container);
            return t;
        }
        container
    }
}

/// `CALL_FUNCTION_EX`: `func(*args, **kwargs)`, consuming `args` and `kwargs` (NULL if absent);
/// `func` is borrowed. Unpacking errors come in the interpreter's words.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_call_ex(env: *const Env, func: Obj, args: Obj, kwargs: Obj) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let fail = |c: &CApi| {
            c.decref(args);
            c.decref(kwargs);
            std::ptr::null_mut()
        };
        let mut kw = kwargs;
        if !kwargs.is_null() && c.type_of(kwargs) != c.object(Api::DictType) {
            let d = c.new_dict();
            if d.is_null() {
                return fail(c);
            }
            if c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::DictUpdate)(d, kwargs) != 0 {
                c.decref(d);
                if unpack_rejected(c, kwargs, true) {
                    star_error(r, "call", func, std::ptr::null_mut(), kwargs);
                }
                return fail(c);
            }
            kw = d;
        } else if !kwargs.is_null() {
            c.incref(kwargs);
        }
        let tuple = if c.type_of(args) == c.object(Api::TupleType) {
            c.incref(args);
            args
        } else {
            let t = c.func::<extern "C" fn(Obj) -> Obj>(Api::SequenceTuple)(args);
            if t.is_null() {
                if unpack_rejected(c, args, false) {
                    star_error(r, "call", func, args, std::ptr::null_mut());
                }
                c.decref(kw);
                return fail(c);
            }
            t
        };
        let result =
            c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(func, tuple, kw);
        c.decref(tuple);
        c.decref(kw);
        c.decref(args);
        c.decref(kwargs);
        result
    }
}

/// `DICT_MERGE`: merges `value` (consumed) into the call's keyword dict `dict`, rejecting keys
/// already there; `func` (borrowed) is the callable named in the interpreter's errors.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_dict_merge(env: *const Env, dict: Obj, value: Obj, func: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let call3 = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall);
        // a key already given (owned), or a `**` operand without keys(): the interpreter's
        // errors for both name the callable
        let mut dup_key: Obj = std::ptr::null_mut();
        let mut no_keys = false;
        let ok = if c.type_of(value) == c.object(Api::DictType) {
            // a plain dict: its items, each key new to `dict`
            let next = c
                .func::<extern "C" fn(Obj, *mut isize, *mut Obj, *mut Obj) -> c_int>(Api::DictNext);
            let get = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem);
            let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem);
            let (mut pos, mut k, mut v): (isize, Obj, Obj) =
                (0, std::ptr::null_mut(), std::ptr::null_mut());
            let mut ok = true;
            while next(value, &mut pos, &mut k, &mut v) != 0 {
                c.incref(k);
                c.incref(v);
                let dup = !get(dict, k).is_null();
                let failed = dup || set(dict, k, v) != 0;
                c.decref(v);
                if dup {
                    dup_key = k;
                } else {
                    c.decref(k);
                }
                if failed {
                    ok = false;
                    break;
                }
            }
            ok
        } else {
            // anything else through helpers.dict_merge: None, or (key,) for a repeated key
            c.incref(dict);
            c.incref(value);
            let args = c.new_tuple(&[dict, value]);
            let res = if args.is_null() {
                std::ptr::null_mut()
            } else {
                call3(r.dict_merge, args, std::ptr::null_mut())
            };
            c.decref(args);
            if res.is_null() {
                let matches = c.func::<extern "C" fn(Obj) -> c_int>(Api::ErrExceptionMatches);
                no_keys = matches(c.object(Api::ExcAttributeError)) != 0;
                false
            } else if c.is_none(res) {
                c.decref(res);
                true
            } else {
                dup_key = c.tuple_item(res, 0);
                c.incref(dup_key);
                c.decref(res);
                false
            }
        };
        if !dup_key.is_null() {
            // asked with a fresh {key: None} twice, so no user code runs again
            let kd = c.new_dict();
            if !kd.is_null() {
                c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::DictSetItem)(
                    kd,
                    dup_key,
                    c.object(Api::NoneStruct),
                );
                star_error(r, "merge", func, kd, kd);
                c.decref(kd);
            }
            c.decref(dup_key);
        } else if no_keys {
            let empty = c.new_dict();
            star_error(r, "merge", func, empty, value);
            c.decref(empty);
        }
        c.decref(value);
        if ok {
            0
        } else {
            -1
        }
    }
}

/// 2.7 slicing of the built-in sequences with int bounds, done as ceval's `apply_slice` and
/// `assign_slice` do it there: `_PyEval_SliceIndex` on each bound (0 and `PY_SSIZE_T_MAX`
/// where absent), then `PySequence_GetSlice` (lists, tuples, str) or `PySequence_SetSlice` /
/// `PySequence_DelSlice` (lists). `None` for anything else, which the interpreter does.
///
/// # Safety
/// GIL held; operands as for [`rt_slice27`].
unsafe fn slice27_direct(c: &CApi, op: u32, t: Obj, u: Obj, v: Obj, w: Obj) -> Option<Obj> {
    // SAFETY: per the caller.
    unsafe {
        for api in [
            Api::EvalSliceIndex,
            Api::SequenceGetSlice,
            Api::SequenceSetSlice,
            Api::SequenceDelSlice,
            Api::IntType,
        ] {
            if !c.has(api) {
                return None;
            }
        }
        let ty = c.type_of(u);
        let seq = ty == c.object(Api::ListType)
            || (op == 0 && (ty == c.object(Api::TupleType) || ty == c.object(Api::StrType)));
        let index = |o: Obj| {
            o.is_null()
                || c.type_of(o) == c.object(Api::IntType)
                || c.type_of(o) == c.object(Api::LongType)
        };
        if !seq || !index(v) || !index(w) {
            return None;
        }
        let bound = |o: Obj, default: isize| -> Option<isize> {
            let mut i = default;
            if !o.is_null()
                && c.func::<extern "C" fn(Obj, *mut isize) -> c_int>(Api::EvalSliceIndex)(o, &mut i)
                    == 0
            {
                return None;
            }
            Some(i)
        };
        let (Some(lo), Some(hi)) = (bound(v, 0), bound(w, isize::MAX)) else {
            return Some(std::ptr::null_mut());
        };
        Some(match op {
            0 => {
                c.func::<extern "C" fn(Obj, isize, isize) -> Obj>(Api::SequenceGetSlice)(u, lo, hi)
            }
            _ => {
                let st = if op == 1 {
                    c.func::<extern "C" fn(Obj, isize, isize, Obj) -> c_int>(Api::SequenceSetSlice)(
                        u, lo, hi, t,
                    )
                } else {
                    c.func::<extern "C" fn(Obj, isize, isize) -> c_int>(Api::SequenceDelSlice)(
                        u, lo, hi,
                    )
                };
                if st < 0 {
                    std::ptr::null_mut()
                } else {
                    let none = c.object(Api::NoneStruct);
                    c.incref(none);
                    none
                }
            }
        })
    }
}

/// 2.7 `SLICE+kind` (`op` 0: returns `u[v:w]`), `STORE_SLICE+kind` (1: `u[v:w] = t`) and
/// `DELETE_SLICE+kind` (2), operands borrowed (NULL where the slice has no bound). The
/// interpreter runs the opcode itself (its `apply_slice`/`assign_slice` decide between
/// `__getslice__`-style and slice-object access); the traceback entries of that detour are
/// dropped, so an error looks raised here. Returns the result (None for 1 and 2) or NULL.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_slice27(
    env: *const Env,
    op: u32,
    kind: u32,
    t: Obj,
    u: Obj,
    v: Obj,
    w: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        if let Some(res) = slice27_direct(c, op, t, u, v, w) {
            return res;
        }
        let none = c.object(Api::NoneStruct);
        let arg = |o: Obj| {
            let o = if o.is_null() { none } else { o };
            c.incref(o);
            o
        };
        let res = c.call(
            r.slice27,
            &[
                c.new_int(op as _),
                c.new_int(kind as _),
                arg(t),
                arg(u),
                arg(v),
                arg(w),
            ],
        );
        if res.is_null() {
            drop_detour_entries(c, "<anyjit slice>", None);
        }
        res
    }
}

/// With an exception set by a detour through the interpreter (helpers.py code that runs an
/// opcode itself), takes the detour's leading traceback entries off: frames of code from
/// `file`, or whose globals hold the key `marker`. The error then looks raised here.
///
/// # Safety
/// GIL held, an exception set.
unsafe fn drop_detour_entries(c: &CApi, file: &str, marker: Option<&str>) {
    // SAFETY: per the caller; every new reference is released.
    unsafe {
        exc::drop_leading_entries(c, usize::MAX, |frame| {
            let code = c.getattr(frame, "f_code");
            let name = if code.is_null() {
                code
            } else {
                c.getattr(code, "co_filename")
            };
            let mut ours = !name.is_null() && c.str_text(name).as_deref() == Some(file);
            c.decref(code);
            c.decref(name);
            if let (false, Some(key)) = (ours, marker) {
                let globals = c.getattr(frame, "f_globals");
                ours = !globals.is_null()
                    && c.type_of(globals) == c.object(Api::DictType)
                    && !c.dict_get(globals, key).is_null();
                c.decref(globals);
            }
            c.clear_error();
            ours
        });
    }
}

/// `ns[key]` as ceval reads a namespace (the builtins, the globals): an exact dict by a dict
/// lookup that lets errors through; anything else through `__getitem__` with a KeyError
/// meaning absent when `mapping`, else by the same dict lookup (a dict subclass read as a
/// dict; a non-dict raises SystemError, as ceval's `_PyDict_GetItemWithError` does).
/// `Ok(new reference, or NULL when absent)`, `Err(())` with an exception set.
///
/// # Safety
/// GIL held; `ns` and `key` live.
unsafe fn namespace_item(c: &CApi, ns: Obj, key: Obj, mapping: bool) -> Result<Obj, ()> {
    // SAFETY: per the caller.
    unsafe {
        if c.type_of(ns) == c.object(Api::DictType) || !mapping {
            let v = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItemWithError)(ns, key);
            if v.is_null() {
                return if c.error_occurred() { Err(()) } else { Ok(v) };
            }
            c.incref(v);
            return Ok(v);
        }
        let v = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetItem)(ns, key);
        if v.is_null() {
            if !c.error_matches(c.object(Api::ExcKeyError)) {
                return Err(());
            }
            c.clear_error();
        }
        Ok(v)
    }
}

/// `IMPORT_NAME`: imports module `name` as ceval does, through the `__import__` of the
/// function's builtins, called with the globals, None for the locals (a function's frame has
/// none), `fromlist` and `level` (2.7 leaves the level out when it is -1, the implicit relative
/// import). Operands borrowed; returns the module or NULL.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_import_name(
    env: *const Env,
    name: Obj,
    fromlist: Obj,
    level: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let e = &*env;
        let py2 = c.descriptor().identity.version.0 == 2;
        // the builtins' `__import__` (a new reference), looked up as the version's ceval does:
        // 2.7 a dict lookup that swallows errors, 3.x one that lets them through, 3.13 through
        // `__getitem__` when the builtins are no exact dict
        let import = if py2 {
            let f = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem)(
                e.builtins,
                r.import_key,
            );
            if !f.is_null() {
                c.incref(f);
            }
            f
        } else {
            let mapping = c.descriptor().identity.version >= (3, 13, 0);
            match namespace_item(c, e.builtins, r.import_key, mapping) {
                Ok(f) => f,
                Err(()) => return std::ptr::null_mut(),
            }
        };
        if import.is_null() {
            c.set_error(c.object(Api::ExcImportError), "__import__ not found");
            return std::ptr::null_mut();
        }
        let none = c.object(Api::NoneStruct);
        if !py2 && import == r.original_import {
            // 3.x's fast path: the import itself, without the call
            c.decref(import);
            let lv = c.as_long(level);
            if lv == -1 && c.error_occurred() {
                return std::ptr::null_mut();
            }
            return c.func::<extern "C" fn(Obj, Obj, Obj, Obj, c_int) -> Obj>(
                Api::ImportModuleLevelObject,
            )(name, e.globals, none, fromlist, lv as c_int);
        }
        let mut args = vec![name, e.globals, none, fromlist];
        let implicit = py2 && c.as_long(level) == -1 && !c.error_occurred();
        if !implicit {
            args.push(level);
        }
        for &a in &args {
            c.incref(a);
        }
        let res = c.call(import, &args);
        c.decref(import);
        res
    }
}

/// `IMPORT_FROM`: attribute `name` of module `v` (borrowed), as ceval gets it. 2.7's opcode
/// is an attribute read whose AttributeError becomes `ImportError: cannot import name X`. On
/// 3.x an exact module is read here (see the comments); any other object, a name a module's
/// `__getattr__` would be asked for, and the error are left to the interpreter's own opcode
/// (its messages differ by version), whose traceback entries are dropped again. (Raising the
/// ImportError there repeats a failed lookup that has no side effects.)
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_import_from(env: *const Env, v: Obj, name: Obj) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let getattr = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetAttr);
        let attribute_error = || c.error_matches(c.object(Api::ExcAttributeError));
        if c.descriptor().identity.version.0 == 2 {
            let x = getattr(v, name);
            if x.is_null() && attribute_error() {
                // (ceval formats it with "%.230s")
                let text: String = c
                    .str_text(name)
                    .unwrap_or_default()
                    .chars()
                    .take(230)
                    .collect();
                c.set_error(
                    c.object(Api::ExcImportError),
                    &format!("cannot import name {text}"),
                );
            }
            return x;
        }
        // An exact module read here as ceval reads it, when that has no side effects beyond
        // the interpreter's own: the name is in its namespace, or it has no module-level
        // `__getattr__` to call (3.7+ a lookup that does not raise AttributeError, 3.13's
        // `PyObject_GetOptionalAttr`; 3.6 `getattr`). When the module lacks the name, ceval's
        // fallback for circular imports: the submodule from `sys.modules`.
        if c.type_of(v) == c.object(Api::ModuleType) {
            let dict = c.func::<extern "C" fn(Obj) -> Obj>(Api::ModuleGetDict)(v);
            let dget = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem);
            if !dict.is_null()
                && (!dget(dict, name).is_null() || dget(dict, r.getattr_key).is_null())
            {
                if c.has(Api::ObjectLookupAttr) {
                    let mut x: Obj = std::ptr::null_mut();
                    let found = c
                        .func::<extern "C" fn(Obj, Obj, *mut Obj) -> c_int>(Api::ObjectLookupAttr)(
                        v, name, &mut x,
                    );
                    if found != 0 {
                        return if found > 0 { x } else { std::ptr::null_mut() };
                    }
                } else {
                    let x = getattr(v, name);
                    if !x.is_null() || !attribute_error() {
                        return x;
                    }
                    c.clear_error();
                }
                if let Some(x) = submodule(c, v, name) {
                    return x;
                }
            }
        }
        // anything else, and the error: the opcode again, by the interpreter
        c.incref(v);
        c.incref(name);
        let res = c.call(r.import_from, &[v, name]);
        if res.is_null() {
            // (the opcode's namespace is marked)
            drop_detour_entries(c, "<anyjit import>", Some("__anyjit_import__"));
        }
        res
    }
}

/// ceval's fallback of `from v import name` for a circular import (3.x): module
/// `<v.__name__>.<name>` from `sys.modules`. `Some(module)`, `Some(NULL)` with an error set, or
/// `None` (not there: the interpreter's opcode raises the version's ImportError).
///
/// # Safety
/// GIL held; `v` and `name` live, `v` an exact module.
unsafe fn submodule(c: &CApi, v: Obj, name: Obj) -> Option<Obj> {
    // SAFETY: per the caller.
    unsafe {
        let pkg = c.getattr(v, "__name__");
        if pkg.is_null() {
            c.clear_error();
            return None;
        }
        let subtype = c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::TypeIsSubtype);
        if subtype(c.type_of(pkg), c.object(Api::StrType)) == 0 {
            c.decref(pkg);
            return None;
        }
        let concat = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::UnicodeConcat);
        let dot = c.new_str(".");
        let left = if dot.is_null() { dot } else { concat(pkg, dot) };
        c.decref(dot);
        c.decref(pkg);
        if left.is_null() {
            return Some(left);
        }
        let full = concat(left, name);
        c.decref(left);
        if full.is_null() {
            return Some(full);
        }
        let x = if c.has(Api::ImportGetModule) {
            c.func::<extern "C" fn(Obj) -> Obj>(Api::ImportGetModule)(full)
        } else {
            // 3.6: a lookup in the modules dict
            let modules = c.func::<extern "C" fn() -> Obj>(Api::ImportGetModuleDict)();
            let x = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem)(modules, full);
            if !x.is_null() {
                c.incref(x);
            }
            x
        };
        c.decref(full);
        if x.is_null() && !c.error_occurred() {
            return None;
        }
        Some(x)
    }
}

/// 2.7's `print` statement: `PRINT_ITEM` (`newline` 0) writes `v`, `PRINT_NEWLINE` (1)
/// ends the line, to `stream` (NULL or None: `sys.stdout`), with the file soft-space protocol
/// as ceval keeps it (a space before an item when one is pending; pending after an item unless
/// it is text ending in whitespace other than a space). Operands borrowed; returns 0, or -1
/// with an exception set.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_print27(env: *const Env, newline: u32, v: Obj, stream: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let mut w = stream;
        if w.is_null() || w == c.object(Api::NoneStruct) {
            w = c.sys_attr("stdout");
            if w.is_null() {
                c.set_error(c.object(Api::ExcRuntimeError), "lost sys.stdout");
                return -1;
            }
        }
        // (writing may replace sys.stdout: hold the stream)
        c.incref(w);
        let soft_space = c.func::<extern "C" fn(Obj, c_int) -> c_int>(Api::FileSoftSpace);
        let write_str =
            c.func::<extern "C" fn(*const std::ffi::c_char, Obj) -> c_int>(Api::FileWriteString);
        let mut err;
        if newline != 0 {
            err = write_str(c"\n".as_ptr(), w);
            if err == 0 {
                soft_space(w, 0);
            }
        } else {
            err = 0;
            if soft_space(w, 0) != 0 {
                err = write_str(c" ".as_ptr(), w);
            }
            if err == 0 {
                // Py_PRINT_RAW: str(), not repr()
                err = c.func::<extern "C" fn(Obj, Obj, c_int) -> c_int>(Api::FileWriteObject)(
                    v, w, 1,
                );
            }
            if err == 0 {
                c.incref(v);
                let pending = c.call(r.print_softspace, &[v]);
                if pending.is_null() {
                    err = -1;
                } else {
                    if pending == c.object(Api::TrueStruct) {
                        soft_space(w, 1);
                    }
                    c.decref(pending);
                }
            }
        }
        c.decref(w);
        err
    }
}

/// 3.x `LOAD_BUILD_CLASS`: the builtins' `__build_class__` (new reference), or NULL with
/// ceval's NameError when there is none.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_load_build_class(env: *const Env) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        match namespace_item(c, (*env).builtins, r.build_class_key, true) {
            Ok(bc) if bc.is_null() => {
                c.set_error(c.object(Api::ExcNameError), "__build_class__ not found");
                bc
            }
            Ok(bc) => bc,
            Err(()) => std::ptr::null_mut(),
        }
    }
}

/// 2.7 `BUILD_CLASS`: ceval's `build_class`. The metaclass is the namespace's
/// `__metaclass__`, else the first base's `__class__` (its type if it has none), else the
/// globals' `__metaclass__`, else the classic class type; a TypeError with a text message
/// from calling it gets ceval's "Error when calling the metaclass bases" prefix. Operands
/// borrowed.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_build_class27(
    env: *const Env,
    methods: Obj,
    bases: Obj,
    name: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let subtype = c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::TypeIsSubtype);
        let is_dict = |o: Obj| subtype(c.type_of(o), c.object(Api::DictType)) != 0;
        let dict_get = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::DictGetItem);
        let mut metaclass = std::ptr::null_mut();
        if is_dict(methods) {
            metaclass = dict_get(methods, r.metaclass_key);
        }
        if !metaclass.is_null() {
            c.incref(metaclass);
        } else if c.type_of(bases) == c.object(Api::TupleType)
            && c.func::<extern "C" fn(Obj) -> isize>(Api::TupleSize)(bases) > 0
        {
            let base = c.func::<extern "C" fn(Obj, isize) -> Obj>(Api::TupleGetItem)(bases, 0);
            metaclass = c.getattr(base, "__class__");
            if metaclass.is_null() {
                c.clear_error();
                metaclass = c.type_of(base);
                c.incref(metaclass);
            }
        } else {
            let g = (*env).globals;
            if !g.is_null() && is_dict(g) {
                metaclass = dict_get(g, r.metaclass_key);
            }
            if metaclass.is_null() {
                metaclass = c.object(Api::ClassType);
            }
            c.incref(metaclass);
        }
        for o in [name, bases, methods] {
            c.incref(o);
        }
        let result = c.call(metaclass, &[name, bases, methods]);
        c.decref(metaclass);
        if result.is_null() && c.error_matches(c.object(Api::ExcTypeError)) {
            let mut t = std::ptr::null_mut();
            let mut v = std::ptr::null_mut();
            let mut tb = std::ptr::null_mut();
            c.func::<extern "C" fn(*mut Obj, *mut Obj, *mut Obj)>(Api::ErrFetch)(
                &mut t, &mut v, &mut tb,
            );
            if !v.is_null() && subtype(c.type_of(v), c.object(Api::StrType)) != 0 {
                let mut text = b"Error when calling the metaclass bases\n    ".to_vec();
                let mut p: *mut std::ffi::c_char = std::ptr::null_mut();
                let mut n: isize = 0;
                if c.func::<extern "C" fn(Obj, *mut *mut std::ffi::c_char, *mut isize) -> c_int>(
                    Api::BytesAsStringAndSize,
                )(v, &mut p, &mut n)
                    == 0
                {
                    // (ceval formats it with "%s": up to the first NUL)
                    let bytes = std::slice::from_raw_parts(p as *const u8, n as usize);
                    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                    text.extend_from_slice(&bytes[..end]);
                    let msg = c.func::<extern "C" fn(*const std::ffi::c_char, isize) -> Obj>(
                        Api::BytesFromStringAndSize,
                    )(
                        text.as_ptr() as *const std::ffi::c_char,
                        text.len() as isize,
                    );
                    if !msg.is_null() {
                        c.decref(v);
                        v = msg;
                    }
                } else {
                    c.clear_error();
                }
            }
            c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore)(t, v, tb);
        }
        result
    }
}

/// 3.x `LOAD_GLOBAL` where the globals or the builtins are no exact dict: ceval's mapping
/// path, `globals[name]` then `builtins[name]` through `__getitem__` (a KeyError moves on; from
/// the builtins it becomes the NameError). A new reference, or NULL with an exception.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_load_global_mapping(env: *const Env, name: Obj) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let e = &*env;
        for ns in [e.globals, e.builtins] {
            match namespace_item(c, ns, name, true) {
                Ok(v) if v.is_null() => {}
                Ok(v) => return v,
                Err(()) => return std::ptr::null_mut(),
            }
        }
        raise_with(c, r.name_error, name);
        std::ptr::null_mut()
    }
}

/// Bumped whenever a dict anyjit watches (the globals and builtins of functions compiled on
/// builds without dict version tags, 3.13+) changes or goes away: the LOAD_GLOBAL caches of the
/// optimising tier are valid only for the value they were filled at.
pub static GLOBALS_EPOCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

extern "C" fn on_dict_event(_event: c_int, _dict: Obj, _key: Obj, _value: Obj) -> c_int {
    GLOBALS_EPOCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    0
}

/// Watches `dicts` (3.12+ dict watchers) so that any change bumps [`GLOBALS_EPOCH`]. Returns
/// whether every one is watched (false where the build has no watchers or none is left).
///
/// # Safety
/// GIL held; the objects live.
pub unsafe fn watch_dicts(c: &CApi, dicts: &[Obj]) -> bool {
    static WATCHER: std::sync::OnceLock<c_int> = std::sync::OnceLock::new();
    // SAFETY: per the caller.
    unsafe {
        if !c.has(Api::DictAddWatcher) || !c.has(Api::DictWatch) {
            return false;
        }
        let id = *WATCHER.get_or_init(|| {
            let id = c
                .func::<extern "C" fn(extern "C" fn(c_int, Obj, Obj, Obj) -> c_int) -> c_int>(
                    Api::DictAddWatcher,
                )(on_dict_event);
            if id < 0 {
                c.clear_error();
            }
            id
        });
        if id < 0 {
            return false;
        }
        let watch = c.func::<extern "C" fn(c_int, Obj) -> c_int>(Api::DictWatch);
        for &d in dicts {
            if d.is_null()
                || !has_type_flag(c, d, "Py_TPFLAGS_DICT_SUBCLASS", 1 << 29)
                || watch(id, d) != 0
            {
                c.clear_error();
                return false;
            }
        }
        true
    }
}
