//! Entering compiled code from its trampoline.
//!
//! The trampoline (see `helpers.py`) is a Python function with the original's signature; CPython
//! has bound the arguments by the time it calls in here, and its frame is the running frame.
//! The entry points that frame at the bytecode offset being executed (for tracebacks and line
//! numbers), finds globals and builtins, and runs the native code. While a trace or profile
//! function is set, the original function runs in the interpreter instead, so that tracing sees
//! every line.

use super::{Env, Runtime};
use crate::codegen::{Compiled, NativeFn, Slots};
use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::Api;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;

/// Calls after which a function compiled by the quick tier is compiled again, optimised.
pub const TIER_UP_CALLS: u32 = 2;

/// Everything a compiled function keeps alive.
pub struct CompiledFunction {
    /// Machine code of every tier compiled so far, the running one last. Earlier tiers stay
    /// alive while an activation (a recursive caller) may still be running in them.
    pub tiers: RefCell<Vec<Compiled>>,
    /// The entry point calls take (the last tier's).
    pub entry: Cell<NativeFn>,
    /// Calls so far (up to [`TIER_UP_CALLS`]).
    pub calls: Cell<u32>,
    /// Whether the optimising tier has been tried (by a call or an on-stack replacement).
    pub tier_tried: Cell<bool>,
    /// The optimising tier's entry point, once it compiled.
    pub optimized: Cell<Option<NativeFn>>,
    /// Activations running now (a recursion has several); earlier tiers are freed when none is.
    pub active: Cell<u32>,
    /// Type feedback the quick tier's code records, one word per IR instruction (see
    /// `codegen::feedback`); the optimising tier compiles for it.
    pub feedback: Box<[std::sync::atomic::AtomicUsize]>,
    /// The decoded function, for recompiling.
    pub ir: crate::ir::Function,
    /// Its slot layout.
    pub slots: Slots,
    /// The original function (borrowed: the entry bound to this function's handle holds it,
    /// and the handle lives no longer than that entry).
    pub func: Obj,
    /// `co_consts` (owned).
    pub consts: Obj,
    /// `co_names` (owned).
    pub names: Obj,
    /// Names of every local slot: locals, cells, free variables (owned tuple).
    pub varnames: Obj,
    /// Positional parameters (`co_argcount`).
    pub argcount: u32,
    /// Keyword-only parameters.
    pub kwonly: u32,
    /// Has `*args`.
    pub varargs: bool,
    /// Has `**kwargs`.
    pub varkw: bool,
    /// The trampoline's code object (owned), once the trampoline exists and when its frame
    /// holds exactly the parameters and its one free variable: direct calls build that frame.
    /// NULL otherwise.
    pub tramp_code: Cell<Obj>,
    /// The specialisation of the running tier: guards failed since it was installed, and the
    /// sites whose guards failed in any tier (for the next specialisation).
    pub spec: RefCell<SpecState>,
    /// Its plan for direct calls' fast path, once made (see [`rt_direct_call`]).
    pub direct: Cell<*const DirectPlan>,
    /// Its guards fail often enough for it to be specialised again (which the next call
    /// through the generic path does; the fast path of direct calls leaves it that call).
    pub attention: Cell<bool>,
    /// Earlier tiers wait to be freed (which a call through the generic path does).
    pub stale: Cell<bool>,
    /// The installed optimised code has entries for on-stack replacement (it was made for a
    /// quick-tier activation moving into it), which slow its loops: the next call through
    /// the generic path while no activation runs compiles it again without them.
    pub osr_ready: Cell<bool>,
    /// Frame objects of its trampoline (3.x up to 3.10) that direct calls finished with and
    /// nothing else holds, reset as new, for the next direct calls (owned; see
    /// [`acquire_frame`]).
    pub spare_frames: RefCell<Vec<Obj>>,
    /// Where its locals go in its trampoline's frame when an activation ends with an
    /// exception (see [`rt_keep_locals`]); set with [`CompiledFunction::tramp_code`].
    pub frame_locals: std::cell::OnceCell<FrameLocals>,
    /// Functions compiled for code objects among its constants that its compiled code calls
    /// directly: up to 3.11 a comprehension's function, which it makes and calls in place
    /// (see [`inner_call`]). Keyed by the code object (held by `consts`); `None` where the
    /// code cannot be compiled (it then runs in the interpreter, as before).
    pub inner: RefCell<Vec<(Obj, Option<Box<CompiledFunction>>)>>,
}

/// How the native slots of a compiled function map onto its trampoline's frame, whose code
/// has a local of each name the original's frame shows (its locals, then its cells and free
/// variables), then its one free variable (the entry).
#[derive(Debug, Default)]
pub struct FrameLocals {
    /// Per native slot: the frame's slot of the same name ([`NO_SLOT`] if none) and whether
    /// the native slot holds a cell (whose contents the frame shows, as the original's does).
    pub slots: Vec<(u32, bool)>,
    /// The frame's slot of the trampoline's free variable (the frame's locals come before it,
    /// so it is also their number).
    pub free: u32,
    /// 3.6–3.10, for a function with cells or free variables: the native slots in the order
    /// the original's `f_locals` lists their names (its locals, then its cells, then its free
    /// variables, each group backwards on 3.6; a parameter kept in a cell among the cells).
    /// The trampoline's frame lists its locals as one group, so its locals dict is made in
    /// this order first (`PyFrame_FastToLocals` keeps the order of the keys it finds).
    pub dict_order: Option<Vec<u32>>,
    /// The frame's slot `free` holds the trampoline's entry cell, which gives way to an empty
    /// cell when the locals go in (false for a frame of the function's own code, which holds
    /// its free variables there: see [`inner_call`]).
    pub entry_cell: bool,
}

/// A native slot whose name the trampoline's frame has no slot for.
pub const NO_SLOT: u32 = u32::MAX;

/// How a compiled function's specialisation fares (see [`CompiledFunction::spec`]).
#[derive(Debug, Default)]
pub struct SpecState {
    /// Whether specialisation is allowed at all (`anyjit._specialize`, when it was compiled).
    pub enabled: bool,
    /// Guards that failed in the running tier.
    pub deopts: u32,
    /// Calls since the running tier was installed.
    pub calls: u32,
    /// Specialised compilations made.
    pub compilations: u32,
    /// Sites whose guards failed, with their counts (instruction indices; the instruction
    /// count plus a local's index for a local's guard at entry).
    pub failed: std::collections::BTreeMap<usize, u32>,
    /// Whether the running tier is specialised.
    pub specialized: bool,
    /// Why the last optimising compilation was not specialised.
    pub why_not: Option<String>,
    /// A site the running specialisation was planned without (it had never run: code after
    /// the loop an on-stack replacement specialised in the first call) has run since and
    /// recorded its feedback: the next call specialises again, for it.
    pub late_feedback: bool,
}

/// Specialised compilations a function gets at most (its first, then again each time its
/// guards keep failing, without the guards that failed); then it stays with the last, whose
/// failing guards keep resuming its generic code, so that it never thrashes.
pub const MAX_SPECIALIZATIONS: u32 = 3;

impl SpecState {
    /// Whether the running specialisation fails often enough to be redone without the guards
    /// that failed: in at least 8 calls and a tenth of the calls since it was installed, or
    /// in 3 calls and half of them (a guard that fails in every call: each call would run
    /// most of its work in the generic code it resumes).
    pub fn wants_respecialization(&self) -> bool {
        let (deopts, calls) = (u64::from(self.deopts), u64::from(self.calls));
        self.specialized
            && self.compilations < MAX_SPECIALIZATIONS
            && (self.late_feedback
                || (deopts >= 8 && deopts * 10 >= calls)
                || (deopts >= 3 && deopts * 2 >= calls))
    }
}

impl CompiledFunction {
    /// Counts a failed guard at `site` (see [`crate::runtime::guards::rt_deopt`]).
    pub fn note_deopt(&self, site: usize) {
        if let Ok(mut s) = self.spec.try_borrow_mut() {
            s.deopts = s.deopts.saturating_add(1);
            *s.failed.entry(site).or_insert(0) += 1;
            if s.wants_respecialization() {
                self.attention.set(true);
            }
        }
    }

    /// Notes that a site the running specialisation never saw run has recorded its feedback
    /// (see [`SpecState::late_feedback`]).
    pub fn note_late_feedback(&self) {
        if let Ok(mut s) = self.spec.try_borrow_mut() {
            s.late_feedback = true;
            if s.wants_respecialization() {
                self.attention.set(true);
            }
        }
    }

    /// Number of parameters the trampoline passes.
    pub fn nparams(&self) -> u32 {
        self.argcount + self.kwonly + u32::from(self.varargs) + u32::from(self.varkw)
    }

    /// Releases the owned references.
    ///
    /// # Safety
    /// GIL held; called once.
    pub unsafe fn release(&self, c: &CApi) {
        self.forget_direct_plan();
        // SAFETY: per the caller.
        unsafe {
            self.release_spare_frames(c);
            for o in [
                self.consts,
                self.names,
                self.varnames,
                self.tramp_code.get(),
            ] {
                c.decref(o);
            }
            for (_, inner) in self.inner.borrow_mut().drain(..) {
                if let Some(inner) = inner {
                    inner.release(c);
                }
            }
        }
    }
}

/// # Safety
/// `base` points to a live structure with a pointer-sized field at byte `off`.
unsafe fn read_ptr(base: *const c_void, off: u32) -> *mut c_void {
    // SAFETY: callers pass live structures and descriptor offsets.
    unsafe { std::ptr::read((base as *const u8).add(off as usize) as *const *mut c_void) }
}

/// Whether a trace or profile function is set for thread state `ts` (the running one).
///
/// # Safety
/// GIL held.
pub unsafe fn tracing(c: &CApi, ts: *mut c_void) -> bool {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let l = &c.descriptor().layout.thread_state;
        !read_ptr(ts, l.c_tracefunc).is_null() || !read_ptr(ts, l.c_profilefunc).is_null()
    }
}

/// Calls the original function with the bound parameters (the interpreter runs it).
///
/// # Safety
/// GIL held; `params` are the trampoline's parameters (borrowed).
pub unsafe fn call_original(c: &CApi, cf: &CompiledFunction, params: &[Obj]) -> Obj {
    // SAFETY: per the caller; every new reference is released.
    unsafe {
        let npos = cf.argcount as usize;
        let mut pos: Vec<Obj> = params[..npos].to_vec();
        let mut at = npos + cf.kwonly as usize;
        if cf.varargs {
            let t = params[at];
            let n = c.read::<isize>(t as *const c_void, c.descriptor().layout.var_object.ob_size);
            for i in 0..n {
                pos.push(c.tuple_item(t, i));
            }
            at += 1;
        }
        for o in &pos {
            c.incref(*o);
        }
        let args = c.new_tuple(&pos);
        if args.is_null() {
            return args;
        }
        let kwargs = c.new_dict();
        if kwargs.is_null() {
            c.decref(args);
            return kwargs;
        }
        let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> i32>(Api::DictSetItem);
        for k in 0..cf.kwonly as usize {
            let name = c.tuple_item(cf.varnames, (npos + k) as isize);
            if set(kwargs, name, params[npos + k]) != 0 {
                c.decref(args);
                c.decref(kwargs);
                return std::ptr::null_mut();
            }
        }
        if cf.varkw {
            for (k, v) in c.dict_items(params[at]) {
                if set(kwargs, k, v) != 0 {
                    c.decref(args);
                    c.decref(kwargs);
                    return std::ptr::null_mut();
                }
            }
        }
        let r =
            c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(cf.func, args, kwargs);
        c.decref(args);
        c.decref(kwargs);
        r
    }
}

/// What compiled code uses of the running frame of thread state `ts` (its trampoline's frame,
/// when called from the trampoline); `None` if there is none.
///
/// # Safety
/// GIL held; `ts` is the running thread state.
pub unsafe fn frame_slots(c: &CApi, ts: *mut c_void) -> Option<FrameSlots> {
    let d = c.descriptor();
    let l = &d.layout;
    // SAFETY: per the caller; all offsets come from the validated descriptor.
    unsafe {
        let (slot, base, builtins): (*mut c_void, i64, Obj) =
            if let Some(iframe_layout) = l.interpreter_frame {
                let iframe = match (
                    l.thread_state.current_frame,
                    l.thread_state.cframe,
                    l.cframe,
                ) {
                    (Some(cur), _, _) => read_ptr(ts, cur),
                    (None, Some(cf_off), Some(cframe)) => read_ptr(
                        read_ptr(ts, cf_off),
                        cframe
                            .current_frame
                            .expect("3.11/3.12 C frames hold the current frame"),
                    ),
                    _ => return None,
                };
                let pos_off = iframe_layout
                    .instr_ptr
                    .or(iframe_layout.prev_instr)
                    .expect("frames keep a position");
                let code = read_ptr(iframe, iframe_layout.f_code);
                let adaptive = l.code.co_code_adaptive.expect("3.11+ code is inline");
                (
                    (iframe as *mut u8).add(pos_off as usize) as *mut c_void,
                    code as i64 + i64::from(adaptive),
                    read_ptr(iframe, iframe_layout.f_builtins) as Obj,
                )
            } else {
                let frame = read_ptr(
                    ts,
                    l.thread_state
                        .frame
                        .expect("≤3.10 thread states hold the frame"),
                );
                let lasti = l.frame_object.f_lasti.expect("≤3.10 frames keep f_lasti");
                let builtins = read_ptr(
                    frame,
                    l.frame_object
                        .f_builtins
                        .expect("≤3.10 frames keep builtins"),
                ) as Obj;
                (
                    (frame as *mut u8).add(lasti as usize) as *mut c_void,
                    0,
                    builtins,
                )
            };
        Some(FrameSlots {
            slot,
            base,
            builtins,
            restore: true,
            func: std::ptr::null_mut(),
        })
    }
}

/// What compiled code uses of its trampoline's frame.
#[derive(Clone, Copy)]
pub struct FrameSlots {
    /// Where the frame keeps the bytecode position (`f_lasti`, `prev_instr`/`instr_ptr`).
    pub slot: *mut c_void,
    /// What that position counts from (0, or the code's first instruction on 3.11+).
    pub base: i64,
    /// The frame's builtins (borrowed).
    pub builtins: Obj,
    /// Whether the position is put back after a return: a trampoline's frame goes on with its
    /// own bytecode; a frame built for a direct call ends, keeping the last position the
    /// native code marked, as a finished frame keeps its last instruction.
    pub restore: bool,
    /// The function object whose globals and closure the code runs with (borrowed); NULL for
    /// the compiled function's own (a trampoline's frame).
    pub func: Obj,
}

/// Runs the native code of `cf` with the bound `params` in its trampoline's frame, `at`, on
/// the thread whose state is `ts`.
///
/// # Safety
/// GIL held; the frame is the running one.
pub unsafe fn run_in(
    rt: &Runtime,
    cf: &CompiledFunction,
    params: &[Obj],
    at: FrameSlots,
    ts: *mut c_void,
) -> Obj {
    let FrameSlots {
        slot,
        base,
        builtins,
        restore,
        func,
    } = at;
    let func = if func.is_null() { cf.func } else { func };
    let c = rt.capi;
    let d = c.descriptor();
    let l = &d.layout;
    let stack_limit = super::stack_limit();
    // SAFETY: per the caller; all offsets come from the validated descriptor.
    unsafe {
        if super::below_stack_limit(stack_limit) {
            super::stack_exhausted(c);
            return std::ptr::null_mut();
        }
        let globals = read_ptr(func as *const c_void, l.function.func_globals) as Obj;
        let saved: u64 = if d.caps.interpreter_frames {
            std::ptr::read(slot as *const u64)
        } else {
            u64::from(std::ptr::read(slot as *const u32))
        };
        let env = Env {
            args: params.as_ptr(),
            lasti_slot: slot,
            lasti_base: base,
            globals,
            builtins,
            consts: cf.consts,
            names: cf.names,
            varnames: cf.varnames,
            closure: read_ptr(func as *const c_void, l.function.func_closure) as Obj,
            rt,
            owner: cf,
            ts,
            stack_limit,
        };
        let r = (cf.entry.get())(&env, std::ptr::null());
        if restore && !r.is_null() {
            if d.caps.interpreter_frames {
                std::ptr::write(slot as *mut u64, saved);
            } else {
                std::ptr::write(slot as *mut u32, saved as u32);
            }
        }
        r
    }
}

/// What the extension provides for direct calls between compiled functions (it owns the
/// handles and the statistics).
pub struct DirectHooks {
    /// The compiled function whose trampoline `o` is, if it is one.
    pub compiled_of: unsafe fn(&CApi, Obj) -> Option<&'static CompiledFunction>,
    /// Runs a compiled function natively with its bound parameters, under its trampoline's
    /// frame `at`, the running one of thread state `ts`, no trace or profile function being
    /// set (tiering up as a call through the trampoline does).
    pub run: unsafe fn(&'static CApi, &CompiledFunction, &[Obj], *mut c_void, FrameSlots) -> Obj,
    /// The counter of calls that ran native code (`stats()['native_calls']`).
    pub native_calls: &'static std::sync::atomic::AtomicU64,
    /// The compiled function for the code of function `func`, which the code of compiled
    /// function `owner` made from a code object among its constants (see
    /// [`CompiledFunction::inner`]): compiled on the first call, then kept by `owner`; `None`
    /// if it cannot be compiled.
    pub inner:
        unsafe fn(&'static CApi, &CompiledFunction, Obj) -> Option<&'static CompiledFunction>,
}

static DIRECT: std::sync::OnceLock<DirectHooks> = std::sync::OnceLock::new();

/// Calls compiled code made directly, without evaluating a trampoline.
pub static DIRECT_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Comprehensions' functions that compiled code ran natively (see [`inner_call`]).
pub static INNER_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Direct calls that took a spare frame of their callee instead of a new one (see
/// [`DirectPlan::spares`]).
pub static FRAMES_REUSED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Adds one to a statistics counter that only code holding the GIL changes (a plain load
/// and store: no locked instruction on the call path).
#[inline]
pub fn count(counter: &std::sync::atomic::AtomicU64) {
    use std::sync::atomic::Ordering::Relaxed;
    counter.store(counter.load(Relaxed) + 1, Relaxed);
}

/// Installs the hooks [`rt_call_direct`] uses (once; later calls are ignored).
pub fn set_direct_hooks(h: DirectHooks) {
    let _ = DIRECT.set(h);
}

/// Most parameters a direct call passes (more go through the trampoline).
const DIRECT_MAX_PARAMS: usize = 16;

/// A positional call from compiled code whose feedback saw a compiled function called:
/// `callable(*args[..n])` with `args` borrowed, `nargsf` the argument count (3.x: with
/// `PY_VECTORCALL_ARGUMENTS_OFFSET` when `args[-1]` may be borrowed). When `callable` is the
/// trampoline of a compiled function (or a method bound to one) that takes these arguments
/// positionally, and the build keeps its frames as objects (up to 3.10), the call builds the
/// trampoline's frame itself, as the interpreter would before evaluating it, and runs the
/// native code in it: the same frame, traceback entry, recursion accounting and handled
/// exception state, without evaluating the trampoline's bytecode. Any other callable, or a
/// trace or profile function set, gets the generic call.
///
/// # Safety
/// Called by compiled code with the GIL held; `args` holds the arguments (borrowed).
pub unsafe extern "C" fn rt_call_direct(
    env: *const super::Env,
    callable: Obj,
    args: *const Obj,
    nargsf: usize,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        let n = nargsf & !call_consts(c).offset_flag;
        // the trampoline's evaluation would have checked for signals and GIL requests; a
        // recursion of direct calls makes no backward jumps, so it does that here, as often
        // as loops do
        static TICKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        use std::sync::atomic::Ordering::Relaxed;
        let tick = TICKS.load(Relaxed).wrapping_add(1);
        TICKS.store(tick, Relaxed);
        if tick.is_multiple_of(super::PERIODIC_EVERY) && super::rt_periodic(env) != 0 {
            return std::ptr::null_mut();
        }
        if let Some(h) = DIRECT.get() {
            let (func, zelf) = bound_function(c, callable);
            if let Some(cf) = (h.compiled_of)(c, func) {
                if let Some(r) = call_in_frame(c, h, cf, func, zelf, args, n, (*env).ts) {
                    return r;
                }
            } else if zelf.is_null() && n == 1 && is_comprehension(c, func) {
                if let Some(r) = inner_call(c, h, &*(*env).owner, func, *args, (*env).ts) {
                    return r;
                }
            }
        }
        generic_call(c, callable, args, nargsf, n)
    }
}

/// What call-site feedback marks a call of `o` with: `feedback::COMPILED` for a compiled
/// function's trampoline or a method bound to one, or a comprehension's function (which
/// [`rt_call_direct`] runs compiled), `COMPILED | CLASS` for a class that
/// compiled code constructs through its compiled `__init__`, else 0.
///
/// # Safety
/// GIL held; `o` live.
pub(crate) unsafe fn compiled_callable_marks(c: &CApi, o: Obj) -> usize {
    use crate::codegen::feedback::{CLASS, COMPILED};
    // SAFETY: per the caller.
    unsafe {
        let Some(h) = DIRECT.get() else {
            return 0;
        };
        if (h.compiled_of)(c, bound_function(c, o).0).is_some() || is_comprehension(c, o) {
            COMPILED
        } else if construct_init(c, o).is_some_and(|(init, _)| (h.compiled_of)(c, init).is_some()) {
            COMPILED | CLASS
        } else {
            0
        }
    }
}

/// What [`rt_call_direct`] reads on every call, looked up once.
struct CallConsts {
    /// `PY_VECTORCALL_ARGUMENTS_OFFSET` (0 where the build has none).
    offset_flag: usize,
    /// `PyMethod_Type`'s address (0 if absent).
    method_type: usize,
}

fn call_consts(c: &CApi) -> &'static CallConsts {
    static CONSTS: std::sync::OnceLock<CallConsts> = std::sync::OnceLock::new();
    CONSTS.get_or_init(|| CallConsts {
        offset_flag: c
            .descriptor()
            .constant("PY_VECTORCALL_ARGUMENTS_OFFSET")
            .unwrap_or(0) as usize,
        // SAFETY: the entry is a static type object where present.
        method_type: if c.has(Api::MethodType) {
            unsafe { c.object(Api::MethodType) as usize }
        } else {
            0
        },
    })
}

/// `(function, self)` of a bound method (of an instance), else `(o, NULL)`.
///
/// # Safety
/// GIL held; `o` live.
unsafe fn bound_function(c: &CApi, o: Obj) -> (Obj, Obj) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let method_type = call_consts(c).method_type;
        if method_type != 0 && c.type_of(o) as usize == method_type {
            let l = &c.descriptor().layout.method;
            let zelf: Obj = c.read(o as *const c_void, l.im_self);
            if !zelf.is_null() {
                return (c.read(o as *const c_void, l.im_func), zelf);
            }
        }
        (o, std::ptr::null_mut())
    }
}

/// The call [`rt_call_direct`] stands for, made the generic way.
///
/// # Safety
/// As [`rt_call_direct`].
unsafe fn generic_call(c: &CApi, callable: Obj, args: *const Obj, nargsf: usize, n: usize) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        if c.has(Api::ObjectVectorcall) {
            return c
                .func::<extern "C" fn(Obj, *const Obj, usize, Obj) -> Obj>(Api::ObjectVectorcall)(
                callable,
                args,
                nargsf,
                std::ptr::null_mut(),
            );
        }
        if c.has(Api::ObjectVectorcallDict) {
            return c.func::<extern "C" fn(Obj, *const Obj, usize, Obj) -> Obj>(
                Api::ObjectVectorcallDict,
            )(callable, args, nargsf, std::ptr::null_mut());
        }
        let items: Vec<Obj> = (0..n).map(|i| *args.add(i)).collect();
        for &o in &items {
            c.incref(o);
        }
        let tuple = c.new_tuple(&items);
        if tuple.is_null() {
            return tuple;
        }
        let r = c.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
            callable,
            tuple,
            std::ptr::null_mut(),
        );
        c.decref(tuple);
        r
    }
}

/// The direct call of [`rt_call_direct`]: `None` where it does not apply (the generic call
/// then makes it, and raises any error about the arguments).
///
/// # Safety
/// As [`rt_call_direct`]; `cf` is the compiled function of trampoline `func`, `zelf` NULL or
/// the bound instance.
#[allow(clippy::too_many_arguments)]
unsafe fn call_in_frame(
    c: &'static CApi,
    h: &DirectHooks,
    cf: &CompiledFunction,
    func: Obj,
    zelf: Obj,
    args: *const Obj,
    n: usize,
    ts: *mut c_void,
) -> Option<Obj> {
    let l = &c.descriptor().layout;
    let code = cf.tramp_code.get();
    let argc = cf.argcount as usize;
    let given = n + usize::from(!zelf.is_null());
    if code.is_null()
        || cf.varargs
        || cf.varkw
        || cf.kwonly != 0
        || given > argc
        || argc > DIRECT_MAX_PARAMS
    {
        return None;
    }
    // SAFETY: GIL held; `func` is a live trampoline whose shape `tramp_code` vouches for
    // (parameters, then the one free variable); offsets from the descriptor.
    unsafe {
        let fp = func as *const c_void;
        let defaults: Obj = c.read(fp, l.function.func_defaults);
        let ndef = if defaults.is_null() {
            0
        } else {
            c.read::<isize>(defaults as *const c_void, l.var_object.ob_size) as usize
        };
        if given + ndef < argc {
            return None;
        }
        if tracing(c, ts) || foreign_evaluator(c, ts) {
            return None;
        }
        // the frame's parameters, borrowed, and the trampoline's free variable
        let item = |t: Obj, i: usize| -> Obj {
            *((t as *const u8).add(l.tuple.ob_item as usize) as *const Obj).add(i)
        };
        let mut slots = [std::ptr::null_mut(); DIRECT_MAX_PARAMS];
        let mut at = 0;
        if !zelf.is_null() {
            slots[0] = zelf;
            at = 1;
        }
        for i in 0..n {
            slots[at + i] = *args.add(i);
        }
        for (i, slot) in slots.iter_mut().enumerate().take(argc).skip(given) {
            *slot = item(defaults, ndef - (argc - i));
        }
        let cell = item(c.read(fp, l.function.func_closure), 0);
        let params = &slots[..argc];
        // the entry (in the free variable's cell) owns `cf`: held for the call, as the
        // trampoline's stack holds it, so that rebinding the cell inside the call cannot free
        // running code
        // (the trampoline's locals, then its free variable)
        let nslots = cf.frame_locals.get()?.free as usize + 1;
        let entry: Obj = c.read(cell as *const c_void, l.cell.ob_ref);
        c.incref(entry);
        let frame = CallFrame {
            func,
            code,
            nslots,
            frees: &[cell],
            own: false,
        };
        let r = if l.interpreter_frame.is_some() {
            interpreter_frame_call(c, h, cf, &frame, params, ts)
        } else {
            frame_object_call(c, h, cf, &frame, params, ts)
        };
        c.decref(entry);
        r
    }
}

/// The frame a direct call builds: a trampoline's (its locals, then the entry's cell), or that
/// of a function's own code (its locals and cells, then its free variables).
struct CallFrame<'a> {
    /// The function called (borrowed).
    func: Obj,
    /// The frame's code (borrowed).
    code: Obj,
    /// The frame's slots (up to 3.10; 3.11+ read the code's).
    nslots: usize,
    /// What its last slots hold (borrowed cells): the entry's cell, or the closure's.
    frees: &'a [Obj],
    /// The frame is of the function's own code: the native code runs with `func`'s globals
    /// and closure, not with those of the compiled function's original.
    own: bool,
}

/// Whether a PEP 523 frame evaluator (a debugger, a tracing JIT) is set for thread state `ts`:
/// it sees every frame the interpreter evaluates, so calls are left to it (the default is
/// NULL from 3.11, `_PyEval_EvalFrameDefault` before).
///
/// # Safety
/// GIL held; `ts` the running thread state.
unsafe fn foreign_evaluator(c: &CApi, ts: *mut c_void) -> bool {
    let l = &c.descriptor().layout;
    let Some(off) = l.interpreter_state.eval_frame else {
        return false;
    };
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let eval = read_ptr(read_ptr(ts, l.thread_state.interp), off);
        !eval.is_null() && eval != c.addr(Api::EvalFrameDefault)
    }
}

/// Whether `o` is a comprehension's function, which up to 3.11 the code of a list, set or dict
/// comprehension makes and calls at once with its iterator (2.7: set and dict comprehensions):
/// a plain function of one positional parameter whose code is named `<listcomp>`, `<setcomp>`
/// or `<dictcomp>` and is no generator.
///
/// # Safety
/// GIL held; `o` live.
pub(crate) unsafe fn is_comprehension(c: &CApi, o: Obj) -> bool {
    struct Consts {
        function: usize,
        refused: i32,
    }
    static CONSTS: std::sync::OnceLock<Consts> = std::sync::OnceLock::new();
    let d = c.descriptor();
    let k = CONSTS.get_or_init(|| Consts {
        // SAFETY: a type object of the running interpreter.
        function: unsafe { c.object(Api::FunctionType) } as usize,
        refused: [
            "CO_VARARGS",
            "CO_VARKEYWORDS",
            "CO_GENERATOR",
            "CO_COROUTINE",
            "CO_ITERABLE_COROUTINE",
            "CO_ASYNC_GENERATOR",
        ]
        .iter()
        .filter_map(|n| d.constant(n))
        .fold(0, |a, b| a | b) as i32,
    });
    let l = &d.layout;
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        if c.type_of(o) as usize != k.function {
            return false;
        }
        let code = read_ptr(o as *const c_void, l.function.func_code);
        if c.read::<i32>(code, l.code.co_argcount) != 1
            || c.read::<i32>(code, l.code.co_flags) & k.refused != 0
            || l.code
                .co_kwonlyargcount
                .is_some_and(|off| c.read::<i32>(code, off) != 0)
        {
            return false;
        }
        let name = read_ptr(code, l.code.co_name) as Obj;
        matches!(
            c.str_text(name).as_deref(),
            Some("<listcomp>" | "<setcomp>" | "<dictcomp>")
        )
    }
}

/// A comprehension's function `func` (see [`is_comprehension`]), made by the code of compiled
/// function `owner` from a code object among its constants, called with its iterator `arg`
/// (borrowed): its code compiled (once; `owner` keeps it) and run natively in a frame of its
/// own code, as the interpreter would make for it: the same frame, locals, traceback entry
/// and recursion accounting. `None` where it does not apply (the generic call makes it): a
/// code that cannot be compiled, a trace or profile function or a frame evaluator set.
///
/// # Safety
/// As [`rt_call_direct`]; `owner` the running compiled function, `ts` the running thread
/// state.
unsafe fn inner_call(
    c: &'static CApi,
    h: &DirectHooks,
    owner: &CompiledFunction,
    func: Obj,
    arg: Obj,
    ts: *mut c_void,
) -> Option<Obj> {
    let l = &c.descriptor().layout;
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let code: Obj = c.read(func as *const c_void, l.function.func_code);
        let known = owner
            .inner
            .borrow()
            .iter()
            .find(|(k, _)| *k == code)
            .map(|(_, cf)| cf.as_deref().map(|cf| cf as *const CompiledFunction));
        let cf = match known {
            Some(cf) => &*cf?,
            None => (h.inner)(c, owner, func)?,
        };
        if tracing(c, ts) || foreign_evaluator(c, ts) {
            return None;
        }
        let nfree = (cf.slots.total - cf.slots.free_start) as usize;
        let closure: Obj = c.read(func as *const c_void, l.function.func_closure);
        let given = if closure.is_null() {
            0
        } else {
            c.read::<isize>(closure as *const c_void, l.var_object.ob_size) as usize
        };
        const MAX_FREES: usize = 16;
        if given != nfree || nfree > MAX_FREES {
            return None;
        }
        let mut frees = [std::ptr::null_mut(); MAX_FREES];
        for (i, cell) in frees.iter_mut().enumerate().take(nfree) {
            *cell = c.tuple_item(closure, i as isize);
        }
        let frame = CallFrame {
            func,
            code,
            nslots: cf.slots.total as usize,
            frees: &frees[..nfree],
            own: true,
        };
        let params = [arg];
        let r = if l.interpreter_frame.is_some() {
            interpreter_frame_call(c, h, cf, &frame, &params, ts)
        } else {
            frame_object_call(c, h, cf, &frame, &params, ts)
        };
        if r.is_some() {
            count(&INNER_CALLS);
        }
        r
    }
}

/// Where the native slots of `cf`, compiled for a function's own code (see [`inner_call`]),
/// go in that code's frame when an activation ends with an exception: each local and cell in
/// its own slot (a cell as the cell, which the frame shows the contents of), the free
/// variables already there.
pub fn own_frame_locals(cf: &CompiledFunction) -> FrameLocals {
    let free = cf.slots.free_start;
    FrameLocals {
        slots: (0..cf.slots.total)
            .map(|j| (if j < free { j } else { NO_SLOT }, false))
            .collect(),
        free,
        dict_order: None,
        entry_cell: false,
    }
}

/// Up to 3.10: the frame as `PyFrame_New` makes it, filled with `params` and the free
/// variables' cells (borrowed), made the thread's running frame while the native code runs.
///
/// # Safety
/// As [`call_in_frame`], `ts` the running thread state, no trace or profile function set.
unsafe fn frame_object_call(
    c: &'static CApi,
    h: &DirectHooks,
    cf: &CompiledFunction,
    f: &CallFrame,
    params: &[Obj],
    ts: *mut c_void,
) -> Option<Obj> {
    let l = &c.descriptor().layout;
    let (func, code, nslots) = (f.func, f.code, f.nslots);
    if nslots < params.len() + f.frees.len() {
        return None;
    }
    let fl = &l.frame_object;
    let (Some(localsplus), Some(lasti), Some(f_builtins), Some(ts_frame), Some(depth_off)) = (
        fl.f_localsplus,
        fl.f_lasti,
        fl.f_builtins,
        l.thread_state.frame,
        l.thread_state.recursion_depth,
    ) else {
        return None;
    };
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        if !enter_recursion(c, ts, depth_off) {
            return Some(std::ptr::null_mut());
        }
        let globals: Obj = c.read(func as *const c_void, l.function.func_globals);
        let frames = fast_layout(c).frames.as_ref();
        let (frame, lineno) = match frames {
            Some(fl) => acquire_frame(c, cf, fl, code, globals, ts),
            None => (new_frame(c, code, globals, ts), 0),
        };
        if frame.is_null() {
            leave_recursion(c, ts, depth_off);
            return Some(frame);
        }
        let fr = frame as *mut u8;
        if let Some(fb) = l.function.func_builtins {
            // 3.10: a call's frame takes the function's builtins, captured when it was made
            // (`PyFrame_New` looks them up in the globals)
            let theirs: Obj = c.read(func as *const c_void, fb);
            let slot = fr.add(f_builtins as usize) as *mut Obj;
            if *slot != theirs {
                c.incref(theirs);
                c.decref(std::mem::replace(&mut *slot, theirs));
            }
        }
        let lp = fr.add(localsplus as usize) as *mut Obj;
        // the parameters, then the free variables in the last slots (a new or spare frame's
        // other slots are NULL)
        for (i, &o) in params.iter().enumerate() {
            c.incref(o);
            *lp.add(i) = o;
        }
        for (i, &cell) in f.frees.iter().enumerate() {
            c.incref(cell);
            *lp.add(nslots - f.frees.len() + i) = cell;
        }
        if let Some(off) = fl.f_executing {
            *fr.add(off as usize) = 1;
        }
        if let Some(off) = fl.f_state {
            // 3.10 `FRAME_EXECUTING`
            *(fr.add(off as usize) as *mut i8) = 0;
        }
        let ts_slot = (ts as *mut u8).add(ts_frame as usize) as *mut Obj;
        *ts_slot = frame;
        count(&DIRECT_CALLS);
        let params = std::slice::from_raw_parts(lp as *const Obj, params.len());
        let at = FrameSlots {
            slot: fr.add(lasti as usize) as *mut c_void,
            base: 0,
            builtins: c.read(frame as *const c_void, f_builtins),
            restore: false,
            func: if f.own { func } else { std::ptr::null_mut() },
        };
        let r = (h.run)(c, cf, params, ts, at);
        if r.is_null() {
            raised_in(c, frame);
        }
        super::exc::reset_exc_info_27(c, frame);
        if let Some(off) = fl.f_executing {
            *fr.add(off as usize) = 0;
        }
        if let Some(off) = fl.f_state {
            // 3.10 `FRAME_RETURNED` or `FRAME_RAISED`
            *(fr.add(off as usize) as *mut i8) = if r.is_null() { 3 } else { 1 };
        }
        *ts_slot = c.read(frame as *const c_void, fl.f_back);
        // the frame's last reference may run finalizers: still counted, as the interpreter
        // counts it
        match frames {
            Some(fl) => release_frame(c, cf, fl, frame, nslots, lineno),
            None => c.decref(frame),
        }
        leave_recursion(c, ts, depth_off);
        Some(r)
    }
}

/// A NULL result from native code: makes sure an exception is set (SystemError otherwise, as
/// the interpreter reports a call that failed without one), then adds `frame` to its
/// traceback, as the trampoline's evaluation would.
///
/// # Safety
/// GIL held; `frame` is the running frame's object.
unsafe fn raised_in(c: &CApi, frame: Obj) {
    // SAFETY: per the caller.
    unsafe {
        if !c.error_occurred() {
            c.set_error(
                c.object(Api::ExcSystemError),
                "error return without exception set",
            );
        }
        if !frame.is_null() {
            c.func::<extern "C" fn(Obj) -> std::ffi::c_int>(Api::TraceBackHere)(frame);
        }
    }
}

/// Everything [`interpreter_frame_call`] needs of a 3.11+ build's layout, resolved once.
#[derive(Clone, Copy)]
struct FramePlan {
    top: usize,
    limit: usize,
    /// `current_frame` in the thread state (3.13) or in its C frame (3.11/3.12).
    cur: usize,
    /// The thread state's `cframe` pointer (3.11/3.12).
    cframe: Option<usize>,
    f_func: usize,
    f_code: usize,
    f_globals: usize,
    f_builtins: usize,
    f_locals: usize,
    frame_obj: usize,
    previous: usize,
    stacktop: usize,
    owner: usize,
    is_entry: Option<usize>,
    return_offset: Option<usize>,
    pos: usize,
    /// 3.13: the position is the instruction itself, not the one before.
    pos_is_current: bool,
    localsplus: usize,
    nlocalsplus: usize,
    stacksize: usize,
    firsttraceable: usize,
    adaptive: usize,
    specials: usize,
    func_globals: usize,
    func_builtins: usize,
    /// 3.11 `recursion_remaining`.
    remaining: Option<usize>,
    /// 3.12+ `py_recursion_remaining`, `c_recursion_remaining`, `recursion_headroom`.
    py_c_headroom: Option<(usize, usize, usize)>,
    /// The frame object's `f_frame`, `_f_frame_data` and `f_back`.
    f_frame: usize,
    f_frame_data: usize,
    f_back: usize,
    ob_refcnt: usize,
}

fn frame_plan(c: &CApi) -> Option<&'static FramePlan> {
    static PLAN: std::sync::OnceLock<Option<FramePlan>> = std::sync::OnceLock::new();
    PLAN.get_or_init(|| {
        let d = c.descriptor();
        let l = &d.layout;
        let il = l.interpreter_frame?;
        let tl = &l.thread_state;
        let u = |o: u32| o as usize;
        let (cur, cframe) = match (tl.current_frame, tl.cframe, l.cframe) {
            (Some(off), _, _) => (u(off), None),
            (None, Some(cf_off), Some(cfl)) => (u(cfl.current_frame?), Some(u(cf_off))),
            _ => return None,
        };
        let py_c_headroom = match (
            tl.py_recursion_remaining,
            tl.c_recursion_remaining,
            tl.recursion_headroom,
        ) {
            (Some(p), Some(cr), Some(h)) => Some((u(p), u(cr), u(h))),
            _ => None,
        };
        let remaining = tl.recursion_remaining.map(u);
        if remaining.is_none() && py_c_headroom.is_none() {
            return None;
        }
        Some(FramePlan {
            top: u(tl.datastack_top?),
            limit: u(tl.datastack_limit?),
            cur,
            cframe,
            f_func: u(il.f_func?),
            f_code: u(il.f_code),
            f_globals: u(il.f_globals),
            f_builtins: u(il.f_builtins),
            f_locals: u(il.f_locals),
            frame_obj: u(il.frame_obj),
            previous: u(il.previous),
            stacktop: u(il.stacktop),
            owner: u(il.owner?),
            is_entry: il.is_entry.map(u),
            return_offset: il.return_offset.map(u),
            pos: u(il.instr_ptr.or(il.prev_instr)?),
            pos_is_current: il.instr_ptr.is_some(),
            localsplus: u(il.localsplus),
            nlocalsplus: u(l.code.co_nlocalsplus?),
            stacksize: u(l.code.co_stacksize),
            firsttraceable: u(l.code.co_firsttraceable?),
            adaptive: u(l.code.co_code_adaptive?),
            specials: d.constant("FRAME_SPECIALS_SIZE")? as usize,
            func_globals: u(l.function.func_globals),
            func_builtins: u(l.function.func_builtins?),
            remaining,
            py_c_headroom,
            f_frame: u(l.frame_object.f_frame?),
            f_frame_data: u(l.frame_object.f_frame_data?),
            f_back: u(l.frame_object.f_back),
            ob_refcnt: u(l.object.ob_refcnt?),
        })
    })
    .as_ref()
}

/// 3.11+: the frame's `_PyInterpreterFrame` (see [`CallFrame`]), pushed on the thread's frame
/// data stack as the interpreter pushes a Python function's (`_PyFrame_Initialize`, then its
/// free variables copied as `COPY_FREE_VARS` does, and positioned at its `RESUME`), filled
/// with `params` (borrowed), linked as the running frame while the native code runs, then
/// cleared as `_PyFrame_Clear` clears it (a frame object still referenced takes the frame's
/// contents over) and popped. `None` when the current data stack chunk has no room (the generic call
/// grows the stack).
///
/// # Safety
/// As [`call_in_frame`], `ts` the running thread state, no trace or profile function set.
unsafe fn interpreter_frame_call(
    c: &'static CApi,
    h: &DirectHooks,
    cf: &CompiledFunction,
    f: &CallFrame,
    params: &[Obj],
    ts: *mut c_void,
) -> Option<Obj> {
    let p = frame_plan(c)?;
    let (func, code) = (f.func, f.code);
    // SAFETY: per the caller; offsets from the descriptor; the frame is written inside the
    // data stack chunk's free space, which `size` is checked against.
    unsafe {
        let at = |base: *mut u8, off: usize| base.add(off);
        let word = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        let int = |base: *mut u8, off: usize| base.add(off) as *mut i32;
        let tsb = ts as *mut u8;
        let cp = code as *mut u8;
        let nlocalsplus = *int(cp, p.nlocalsplus) as usize;
        let size = p.specials + nlocalsplus + *int(cp, p.stacksize) as usize;
        let top_slot = at(tsb, p.top) as *mut *mut Obj;
        let top = *top_slot;
        let limit = *(at(tsb, p.limit) as *const *mut Obj);
        if top.is_null()
            || nlocalsplus < params.len() + f.frees.len()
            || (limit.offset_from(top) as usize) <= size
        {
            return None;
        }
        let cur = match p.cframe {
            Some(off) => at(*(at(tsb, off) as *const *mut u8), p.cur),
            None => at(tsb, p.cur),
        } as *mut *mut u8;
        if !enter_py_recursion(c, p, tsb) {
            return Some(std::ptr::null_mut());
        }
        *top_slot = top.add(size);
        let frame = top as *mut u8;
        let fp = func as *mut u8;
        c.incref(func);
        *word(frame, p.f_func) = func;
        c.incref(code);
        *word(frame, p.f_code) = code;
        *word(frame, p.f_globals) = *word(fp, p.func_globals);
        let builtins = *word(fp, p.func_builtins);
        *word(frame, p.f_builtins) = builtins;
        *word(frame, p.f_locals) = std::ptr::null_mut();
        *word(frame, p.frame_obj) = std::ptr::null_mut();
        let previous = *cur;
        *word(frame, p.previous) = previous as Obj;
        *int(frame, p.stacktop) = nlocalsplus as i32;
        *at(frame, p.owner) = 0; // FRAME_OWNED_BY_THREAD
        if let Some(off) = p.is_entry {
            *at(frame, off) = 0;
        }
        if let Some(off) = p.return_offset {
            *(at(frame, off) as *mut u16) = 0;
        }
        // at the RESUME: 3.11/3.12 keep the previous instruction, 3.13 the current one
        let first = *int(cp, p.firsttraceable) as usize + usize::from(p.pos_is_current);
        let code_start = at(cp, p.adaptive);
        *word(frame, p.pos) = code_start.add(2 * first) as Obj;
        let lp = word(frame, p.localsplus);
        for (i, &o) in params.iter().enumerate() {
            c.incref(o);
            *lp.add(i) = o;
        }
        let first_free = nlocalsplus - f.frees.len();
        for i in params.len()..first_free {
            *lp.add(i) = std::ptr::null_mut();
        }
        // (the free variables are the last slots)
        for (i, &cell) in f.frees.iter().enumerate() {
            c.incref(cell);
            *lp.add(first_free + i) = cell;
        }
        *cur = frame;
        count(&DIRECT_CALLS);
        let params = std::slice::from_raw_parts(lp as *const Obj, params.len());
        let r = (h.run)(
            c,
            cf,
            params,
            ts,
            FrameSlots {
                slot: at(frame, p.pos) as *mut c_void,
                base: code_start as i64,
                builtins,
                restore: false,
                func: if f.own { func } else { std::ptr::null_mut() },
            },
        );
        if r.is_null() {
            raised_in(c, c.func::<extern "C" fn() -> Obj>(Api::EvalGetFrame)());
        }
        // unlinked first: clearing may run finalizers, which must not see this frame
        *cur = previous;
        if (*word(frame, p.frame_obj)).is_null() {
            // no frame object was made: release the frame's references
            let stacktop = *int(frame, p.stacktop) as usize;
            for i in 0..stacktop {
                c.decref(*lp.add(i));
            }
            c.decref(*word(frame, p.f_locals));
            c.decref(func);
            c.decref(code);
        } else {
            clear_interpreter_frame(c, p, frame);
        }
        *top_slot = top;
        leave_py_recursion(p, tsb);
        Some(r)
    }
}

/// `_PyFrame_Clear` of a thread-owned interpreter frame that has a frame object, unlinked
/// already: a frame object that outlives the frame takes its contents (`take_ownership`);
/// otherwise the frame's references are released.
///
/// # Safety
/// GIL held; `frame` is a frame [`interpreter_frame_call`] pushed, no longer the running one.
unsafe fn clear_interpreter_frame(c: &CApi, p: &FramePlan, frame: *mut u8) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let slot = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        let stacktop = *(frame.add(p.stacktop) as *const i32) as usize;
        let fobj = std::mem::replace(&mut *slot(frame, p.frame_obj), std::ptr::null_mut());
        let fo = fobj as *mut u8;
        if *(fo.add(p.ob_refcnt) as *const isize) > 1 {
            // the frame object keeps a copy, which owns what the frame held
            let copy = fo.add(p.f_frame_data);
            let size = p.localsplus + stacktop * std::mem::size_of::<Obj>();
            std::ptr::copy_nonoverlapping(frame, copy, size);
            *(fo.add(p.f_frame) as *mut *mut u8) = copy;
            *copy.add(p.owner) = 2; // FRAME_OWNED_BY_FRAME_OBJECT
            *slot(copy, p.previous) = std::ptr::null_mut();
            // f_back: the caller's frame object (the running frame now)
            let back = c.func::<extern "C" fn() -> Obj>(Api::EvalGetFrame)();
            if !back.is_null() {
                c.incref(back);
                *slot(fo, p.f_back) = back;
            }
            if c.func::<extern "C" fn(Obj) -> std::ffi::c_int>(Api::GcIsTracked)(fobj) == 0 {
                c.func::<extern "C" fn(Obj)>(Api::GcTrack)(fobj);
            }
            c.decref(fobj);
            return;
        }
        c.decref(fobj);
        let lp = slot(frame, p.localsplus);
        for i in 0..stacktop {
            c.decref(*lp.add(i));
        }
        c.decref(*slot(frame, p.f_locals));
        c.decref(*slot(frame, p.f_func));
        c.decref(*slot(frame, p.f_code));
    }
}

/// A Python call's recursion accounting on 3.11+ (`_Py_EnterRecursivePy`): 3.11 counts
/// Python and C calls together in `recursion_remaining`; 3.12+ count Python calls in
/// `py_recursion_remaining`, and this call, made on the C stack, in `c_recursion_remaining`
/// too, as the interpreter counts a call into the evaluation loop from C. False with
/// RecursionError set when a limit is passed (the counts restored).
///
/// # Safety
/// GIL held; `ts` the running thread state of a 3.11+ build.
#[inline]
unsafe fn enter_py_recursion(c: &CApi, p: &FramePlan, ts: *mut u8) -> bool {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let field = |off: usize| ts.add(off) as *mut i32;
        let check_c = |off: usize| -> bool {
            // `_Py_CheckRecursiveCall(tstate, "")` raises once the budget is spent
            let f = field(off);
            let left = *f;
            *f = left - 1;
            left > 0
                || c.func::<extern "C" fn(*mut u8, *const std::ffi::c_char) -> std::ffi::c_int>(
                    Api::CheckRecursiveCall,
                )(ts, c"".as_ptr())
                    == 0
        };
        if let Some(off) = p.remaining {
            return check_c(off);
        }
        let Some((py, cr, headroom)) = p.py_c_headroom else {
            return true;
        };
        let f = field(py);
        let left = *f;
        *f = left - 1;
        if left <= 0 {
            // `_Py_CheckRecursiveCallPy`: raise, unless already raising (the headroom); past
            // that allowance too, raise rather than abort as the interpreter does
            let h = field(headroom);
            if *h == 0 || *f < -50 {
                *h += 1;
                c.set_error(
                    c.object(Api::ExcRecursionError),
                    "maximum recursion depth exceeded",
                );
                *h -= 1;
                *f += 1;
                return false;
            }
        }
        if C_STACK_UNITS > 0 {
            *field(cr) -= C_STACK_UNITS - 1;
            if !check_c(cr) {
                *field(cr) += C_STACK_UNITS - 1;
                *f += 1;
                return false;
            }
        }
        true
    }
}

/// C recursion units a direct call takes on 3.12+ (see [`enter_py_recursion`]): none, as
/// the interpreter takes none for a Python call. A call into native code costs C stack (which
/// 3.12's `c_recursion_remaining`, 1,500 units, would stop at 750 calls where the recursion
/// limit allows 1,000); compiled code checks the stack itself at entry instead
/// ([`super::stack_limit`]).
const C_STACK_UNITS: i32 = 0;

/// Undoes [`enter_py_recursion`].
///
/// # Safety
/// As [`enter_py_recursion`], which succeeded.
#[inline]
unsafe fn leave_py_recursion(p: &FramePlan, ts: *mut u8) {
    // SAFETY: per the caller.
    unsafe {
        if let Some(off) = p.remaining {
            *(ts.add(off) as *mut i32) += 1;
        }
        if let Some((py, cr, _)) = p.py_c_headroom {
            *(ts.add(py) as *mut i32) += 1;
            *(ts.add(cr) as *mut i32) += C_STACK_UNITS;
        }
    }
}

/// `Py_EnterRecursiveCall("")` as a frame's evaluation begins it: false with RecursionError
/// set when the limit is passed.
///
/// # Safety
/// GIL held; `ts` the running thread state, `depth_off` its `recursion_depth`.
unsafe fn enter_recursion(c: &CApi, ts: *mut c_void, depth_off: u32) -> bool {
    // SAFETY: per the caller.
    unsafe {
        if c.has(Api::EnterRecursiveCall) {
            return c.func::<extern "C" fn(*const std::ffi::c_char) -> std::ffi::c_int>(
                Api::EnterRecursiveCall,
            )(c"".as_ptr())
                == 0;
        }
        let depth = (ts as *mut u8).add(depth_off as usize) as *mut i32;
        *depth += 1;
        let limit = c.func::<extern "C" fn() -> std::ffi::c_int>(Api::GetRecursionLimit)();
        if *depth > limit {
            // ≤3.8: `_Py_CheckRecursiveCall(where)` raises (and undoes the increment) unless
            // the thread is already handling an overflow
            return c.func::<extern "C" fn(*const std::ffi::c_char) -> std::ffi::c_int>(
                Api::CheckRecursiveCall,
            )(c"".as_ptr())
                == 0;
        }
        true
    }
}

/// `Py_LeaveRecursiveCall()`.
///
/// # Safety
/// As [`enter_recursion`], which succeeded.
unsafe fn leave_recursion(c: &CApi, ts: *mut c_void, depth_off: u32) {
    // SAFETY: per the caller.
    unsafe {
        if c.has(Api::LeaveRecursiveCall) {
            c.func::<extern "C" fn()>(Api::LeaveRecursiveCall)();
            return;
        }
        let depth = (ts as *mut u8).add(depth_off as usize) as *mut i32;
        *depth -= 1;
        if let Some(off) = c.descriptor().layout.thread_state.overflowed {
            // 3.6-3.8: the overflow is over below the low-water mark
            let limit = c.func::<extern "C" fn() -> std::ffi::c_int>(Api::GetRecursionLimit)();
            let low = if limit > 200 {
                limit - 50
            } else {
                3 * (limit >> 2)
            };
            if *depth < low {
                *(ts as *mut u8).add(off as usize) = 0;
            }
        }
    }
}

/// A call site's cache for direct calls (see [`rt_direct_call`]): the function called there
/// last, its code and closure (compared, never followed: they may be gone), and its compiled
/// function's [`DirectPlan`]. Where the callable was a class constructed without
/// `type.__call__`, `func` is the class, `init` its `__init__` (whose code, closure and plan
/// the others are) and `tag` the class's version tag when `__init__` was found.
#[derive(Debug, Default)]
pub struct DirectSite {
    func: Cell<usize>,
    code: Cell<usize>,
    closure: Cell<usize>,
    plan: Cell<usize>,
    init: Cell<usize>,
    tag: Cell<u32>,
    /// The callable was a method bound to `func` (an instance's, from 2.7's and 3.6's
    /// `LOAD_ATTR`, or 3.7's and 3.8's `LOAD_METHOD`, which their builds do not export
    /// `_PyObject_GetMethod` for).
    bound: Cell<bool>,
}

/// What constructing instances from compiled code reads of classes, found once.
struct ConstructConsts {
    type_type: usize,
    /// `object.__new__`'s C function.
    object_new: usize,
    tp_new: usize,
    tp_flags: usize,
    tp_version_tag: usize,
    /// `Py_TPFLAGS_VALID_VERSION_TAG`, or 0 where a non-zero tag is valid by itself.
    valid_tag: u32,
    is_abstract: u32,
    /// `'__init__'` (kept forever).
    init_name: Obj,
    /// `()` (kept forever).
    empty: Obj,
}

// SAFETY: the objects are immortal for the process (references kept) and only used with the
// GIL held.
unsafe impl Send for ConstructConsts {}
unsafe impl Sync for ConstructConsts {}

/// The [`ConstructConsts`] of this build; `None` where it lacks a piece.
fn construct_consts(c: &CApi) -> Option<&'static ConstructConsts> {
    static K: std::sync::OnceLock<Option<ConstructConsts>> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let d = c.descriptor();
        let t = &d.layout.type_object;
        let flag = |name: &str| d.constant(name).map(|v| v as u32);
        if !c.has(Api::BaseObjectType) || !c.has(Api::TypeLookup) {
            return None;
        }
        // SAFETY: called with the GIL held (from compiled code's helpers); static objects.
        unsafe {
            let object = c.object(Api::BaseObjectType) as *const u8;
            Some(ConstructConsts {
                type_type: c.object(Api::TypeType) as usize,
                object_new: *(object.add(t.tp_new as usize) as *const usize),
                tp_new: t.tp_new as usize,
                tp_flags: t.tp_flags as usize,
                tp_version_tag: t.tp_version_tag as usize,
                valid_tag: if d.version_tag_zeroed_on_change() {
                    0
                } else {
                    flag("Py_TPFLAGS_VALID_VERSION_TAG")?
                },
                is_abstract: flag("Py_TPFLAGS_IS_ABSTRACT")?,
                init_name: c.new_str("__init__"),
                empty: c.func::<extern "C" fn(isize) -> Obj>(Api::TupleNew)(0),
            })
        }
    })
    .as_ref()
}

/// Where calling `t` constructs an instance the way compiled code can without
/// `type.__call__` (a class whose metaclass is `type`, whose `__new__` is `object`'s, not
/// abstract, with a version tag): its `__init__` (borrowed from the class) and the tag.
///
/// # Safety
/// GIL held; `t` live.
unsafe fn construct_init(c: &CApi, t: Obj) -> Option<(Obj, u32)> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let k = construct_consts(c)?;
        if c.type_of(t) as usize != k.type_type {
            return None;
        }
        let tb = t as *const u8;
        if *(tb.add(k.tp_new) as *const usize) != k.object_new
            || *(tb.add(k.tp_flags) as *const u32) & k.is_abstract != 0
        {
            return None;
        }
        // (the lookup gives the class a valid version tag if it can have one)
        let init = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::TypeLookup)(t, k.init_name);
        if init.is_null() {
            c.clear_error();
            return None;
        }
        let tag = *(tb.add(k.tp_version_tag) as *const u32);
        if *(tb.add(k.tp_flags) as *const u32) & k.valid_tag != k.valid_tag || tag == 0 {
            return None;
        }
        Some((init, tag))
    }
}

/// Most parameters (`self` included) of an `__init__` constructions take the fast path with,
/// and of a bound method's function.
const CONSTRUCT_MAX_ARGS: usize = 16;

/// The fast path of [`rt_direct_call`] for a class: as `type.__call__` with `object.__new__`,
/// the instance allocated, its `__init__` run through the direct calls' fast path, and its
/// result checked. `None` (nothing done) where the site's class changed since it was cached
/// or its `__init__` cannot take that path.
///
/// # Safety
/// As [`rt_direct_call`], `s.init` set and `t` the site's class.
unsafe fn construct(
    env: *const super::Env,
    s: &DirectSite,
    t: Obj,
    args: *const Obj,
    n: usize,
) -> Option<Obj> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let c = super::rt(env).capi;
        let k = construct_consts(c)?;
        let tb = t as *const u8;
        if *(tb.add(k.tp_flags) as *const u32) & k.valid_tag != k.valid_tag
            || *(tb.add(k.tp_version_tag) as *const u32) != s.tag.get()
            || *(tb.add(k.tp_new) as *const usize) != k.object_new
        {
            return None;
        }
        // the version tag holds: the class's `__init__` is the one cached
        if n + 1 > CONSTRUCT_MAX_ARGS {
            return None;
        }
        let init = s.init.get() as Obj;
        let new: extern "C" fn(Obj, Obj, Obj) -> Obj = std::mem::transmute(k.object_new);
        let obj = new(t, k.empty, std::ptr::null_mut());
        if obj.is_null() {
            return Some(obj);
        }
        let mut full = [std::ptr::null_mut(); CONSTRUCT_MAX_ARGS];
        full[0] = obj;
        std::ptr::copy_nonoverlapping(args, full.as_mut_ptr().add(1), n);
        // the class (and with it `__init__`) is held by the caller's stack
        let r = match call_planned(env, s, init, full.as_ptr(), n + 1) {
            Some(r) => r,
            None => rt_call_direct(env, init, full.as_ptr(), n + 1),
        };
        if r.is_null() {
            c.decref(obj);
            return Some(r);
        }
        if !c.is_none(r) {
            init_returned(c, r);
            c.decref(obj);
            return Some(std::ptr::null_mut());
        }
        c.decref(r);
        Some(obj)
    }
}

/// What the fast path of direct calls reads of a compiled function (3.11+: its trampoline's
/// interpreter frame, pushed without the generic path's lookups), made on its first direct
/// call. Never freed (a few words per function ever called directly), so that call sites can
/// test `alive` after the function is gone.
#[derive(Debug)]
pub struct DirectPlan {
    /// Whether the compiled function still lives.
    alive: Cell<bool>,
    /// Frames are objects (up to 3.10: [`fast_call_frame`]), else interpreter frames.
    frames: bool,
    cf: *const CompiledFunction,
    /// The trampoline's code (owned by the compiled function).
    code: Obj,
    argc: usize,
    nlocalsplus: usize,
    /// The frame's words: specials, locals, stack.
    size: usize,
    /// The frame's position at its `RESUME`, and the code's first instruction.
    pos: *mut u8,
    code_start: *mut u8,
}

/// Spare frames a function keeps at most (a recursion this deep reuses its frames).
const SPARE_FRAMES: usize = 32;

/// The [`DirectPlan`] of `cf`, made now if it has none; `None` where direct calls to it keep
/// to the generic path (frame objects before 3.11, a trampoline of another shape).
///
/// # Safety
/// GIL held; `cf` live.
unsafe fn plan_of(c: &CApi, cf: &CompiledFunction) -> Option<&'static DirectPlan> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        if let Some(p) = cf.direct.get().as_ref() {
            return Some(p);
        }
        let code = cf.tramp_code.get();
        if code.is_null() || cf.varargs || cf.varkw || cf.kwonly != 0 {
            return None;
        }
        let argc = cf.argcount as usize;
        // the trampoline's locals, then its free variable
        let tramp_slots = cf.frame_locals.get()?.free as usize + 1;
        let plan: &'static DirectPlan = match frame_plan(c) {
            Some(p) => {
                let cp = code as *mut u8;
                let nlocalsplus = *(cp.add(p.nlocalsplus) as *const i32) as usize;
                let stacksize = *(cp.add(p.stacksize) as *const i32) as usize;
                if nlocalsplus != tramp_slots || nlocalsplus <= argc {
                    return None;
                }
                let first = *(cp.add(p.firsttraceable) as *const i32) as usize
                    + usize::from(p.pos_is_current);
                let code_start = cp.add(p.adaptive);
                Box::leak(Box::new(DirectPlan {
                    alive: Cell::new(true),
                    frames: false,
                    cf,
                    code,
                    argc,
                    nlocalsplus,
                    size: p.specials + nlocalsplus + stacksize,
                    pos: code_start.add(2 * first),
                    code_start,
                }))
            }
            None => {
                fast_layout(c).frames.as_ref()?;
                Box::leak(Box::new(DirectPlan {
                    alive: Cell::new(true),
                    frames: true,
                    cf,
                    code,
                    argc,
                    nlocalsplus: tramp_slots,
                    size: 0,
                    pos: std::ptr::null_mut(),
                    code_start: std::ptr::null_mut(),
                }))
            }
        };
        cf.direct.set(plan);
        Some(plan)
    }
}

impl CompiledFunction {
    /// Marks the direct-call plan dead (the function is being released).
    pub fn forget_direct_plan(&self) {
        // SAFETY: plans are never freed.
        if let Some(p) = unsafe { self.direct.get().as_ref() } {
            p.alive.set(false);
        }
    }

    /// Releases the spare frames (see [`CompiledFunction::spare_frames`]).
    ///
    /// # Safety
    /// GIL held.
    pub unsafe fn release_spare_frames(&self, c: &CApi) {
        let spares = std::mem::take(&mut *self.spare_frames.borrow_mut());
        let Some(l) = fast_layout(c).frames.as_ref() else {
            return;
        };
        let Some(r) = l.reuse.as_ref() else {
            return;
        };
        // SAFETY: per the caller; the spares are frame objects, owned.
        unsafe {
            for f in spares {
                // (a frame is released with globals: any dict does)
                let fr = f as *mut u8;
                let builtins = *(fr.add(l.f_builtins) as *const Obj);
                c.incref(builtins);
                *(fr.add(r.f_globals) as *mut Obj) = builtins;
                c.decref(f);
            }
        }
    }
}

/// A positional call from compiled code to a function its feedback saw compiled, through call
/// site `site`: as [`rt_call_direct`], with a fast path (3.11+) for the function called there
/// last, when it takes exactly these arguments and is optimised already. The fast path pushes
/// the callee's trampoline frame and runs its native code as the generic direct call does,
/// without finding the compiled function again, reading the build's layout or the thread
/// state, copying the arguments, or the tiering checks of the first calls.
///
/// # Safety
/// Called by compiled code with the GIL held; `site` is the call site's, `args` holds the
/// arguments (borrowed).
pub unsafe extern "C" fn rt_direct_call(
    env: *const super::Env,
    site: *const DirectSite,
    callable: Obj,
    args: *const Obj,
    nargsf: usize,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let s = &*site;
        let n = nargsf & (usize::MAX >> 1);
        if s.func.get() == callable as usize {
            let r = if s.init.get() != 0 {
                construct(env, s, callable, args, n)
            } else {
                call_planned(env, s, callable, args, n)
            };
            if let Some(r) = r {
                return r;
            }
        } else if s.bound.get() {
            if let Some(r) = call_bound(env, s, callable, args, n) {
                return r;
            }
        }
        // the generic direct call; the function called is remembered for the fast path
        let c = super::rt(env).capi;
        if let Some(h) = DIRECT.get() {
            let (func, zelf) = bound_function(c, callable);
            let bound = !zelf.is_null();
            if !bound || n < CONSTRUCT_MAX_ARGS {
                // a function, a method bound to one, or a class constructed through its
                // `__init__`
                let (init, tag) = match construct_init(c, func).filter(|_| !bound) {
                    Some((init, tag)) => (init, tag),
                    None => (std::ptr::null_mut(), 0),
                };
                let target = if init.is_null() { func } else { init };
                if let Some(cf) = (h.compiled_of)(c, target) {
                    if let Some(plan) = plan_of(c, cf) {
                        let l = fast_layout(c);
                        let fp = target as *const u8;
                        s.func.set(func as usize);
                        s.code.set(*(fp.add(l.func_code) as *const usize));
                        s.closure.set(*(fp.add(l.func_closure) as *const usize));
                        s.plan.set(plan as *const DirectPlan as usize);
                        s.init.set(init as usize);
                        s.tag.set(tag);
                        s.bound.set(bound);
                    }
                }
            }
        }
        rt_call_direct(env, callable, args, nargsf)
    }
}

/// The fast path of [`rt_direct_call`] for `func`, the function (or `__init__`) site `s`
/// cached: `None` (nothing done) where it cannot take it (the function gone, changed, or
/// called with other arguments; see also [`fast_call`]).
///
/// # Safety
/// As [`rt_direct_call`]; `func` is live.
unsafe fn call_planned(
    env: *const super::Env,
    s: &DirectSite,
    func: Obj,
    args: *const Obj,
    n: usize,
) -> Option<Obj> {
    // SAFETY: per the caller; plans are never freed.
    unsafe {
        let plan = (s.plan.get() as *const DirectPlan).as_ref()?;
        let l = fast_layout(super::rt(env).capi);
        let fp = func as *const u8;
        if !plan.alive.get()
            || n != plan.argc
            || *(fp.add(l.func_code) as *const Obj) != plan.code
            || *(fp.add(l.func_closure) as *const usize) != s.closure.get()
        {
            return None;
        }
        if plan.frames {
            fast_call_frame(env, plan, func, args, l)
        } else {
            fast_call(env, plan, func, args, l)
        }
    }
}

/// The fast path of [`rt_direct_call`] for a method bound to the function site `s` cached:
/// the call of that function with the method's `self` first.
///
/// # Safety
/// As [`rt_direct_call`].
unsafe fn call_bound(
    env: *const super::Env,
    s: &DirectSite,
    callable: Obj,
    args: *const Obj,
    n: usize,
) -> Option<Obj> {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        let (func, zelf) = bound_function(c, callable);
        if zelf.is_null() || func as usize != s.func.get() || n + 1 > CONSTRUCT_MAX_ARGS {
            return None;
        }
        let mut full = [std::ptr::null_mut(); CONSTRUCT_MAX_ARGS];
        full[0] = zelf;
        std::ptr::copy_nonoverlapping(args, full.as_mut_ptr().add(1), n);
        // (the bound method, on the caller's stack, holds the function and `self`)
        call_planned(env, s, func, full.as_ptr(), n + 1)
    }
}

/// The few offsets the fast path reads, resolved once.
struct FastLayout {
    func_code: usize,
    func_closure: usize,
    tracefunc: usize,
    profilefunc: usize,
    /// The interpreter state, and its PEP 523 frame evaluator.
    interp: usize,
    eval_frame: Option<usize>,
    eval_default: usize,
    tuple_item: usize,
    cell_ref: usize,
    /// Up to 3.10: what [`fast_call_frame`] reads.
    frames: Option<FrameLayout>,
}

/// The frame-object offsets of [`fast_call_frame`] (up to 3.10).
struct FrameLayout {
    depth: u32,
    func_globals: usize,
    func_builtins: Option<usize>,
    f_builtins: usize,
    localsplus: usize,
    lasti: usize,
    f_executing: Option<usize>,
    f_state: Option<usize>,
    ts_frame: usize,
    f_back: usize,
    /// What resetting a frame for reuse writes (3.x; `None` on 2.7, whose frames remember
    /// their thread).
    reuse: Option<FrameReuse>,
}

/// The fields of a frame object that a call may have changed, which [`recycle_frame`] resets
/// to what `PyFrame_New` makes.
struct FrameReuse {
    ob_refcnt: usize,
    f_code: usize,
    f_globals: usize,
    f_locals: usize,
    f_trace: usize,
    f_gen: usize,
    f_lineno: usize,
    f_iblock: usize,
    f_valuestack: usize,
    /// 3.10 `f_stackdepth` (set to 0), else ≤3.9 `f_stacktop` (set to the value stack).
    f_stackdepth: Option<usize>,
    f_stacktop: Option<usize>,
    /// 3.7+ `f_trace_lines` and `f_trace_opcodes`.
    f_trace_flags: Option<(usize, usize)>,
    /// 3.6 saved exception.
    f_exc: Option<[usize; 3]>,
}

fn fast_layout(c: &CApi) -> &'static FastLayout {
    static L: std::sync::OnceLock<FastLayout> = std::sync::OnceLock::new();
    L.get_or_init(|| {
        let l = &c.descriptor().layout;
        FastLayout {
            func_code: l.function.func_code as usize,
            func_closure: l.function.func_closure as usize,
            tracefunc: l.thread_state.c_tracefunc as usize,
            profilefunc: l.thread_state.c_profilefunc as usize,
            interp: l.thread_state.interp as usize,
            eval_frame: l.interpreter_state.eval_frame.map(|o| o as usize),
            eval_default: if c.has(Api::EvalFrameDefault) {
                c.addr(Api::EvalFrameDefault) as usize
            } else {
                0
            },
            tuple_item: l.tuple.ob_item as usize,
            cell_ref: l.cell.ob_ref as usize,
            frames: (|| {
                let fl = &l.frame_object;
                let u = |o: u32| o as usize;
                if l.interpreter_frame.is_some() {
                    return None;
                }
                Some(FrameLayout {
                    depth: l.thread_state.recursion_depth?,
                    func_globals: u(l.function.func_globals),
                    func_builtins: l.function.func_builtins.map(u),
                    f_builtins: u(fl.f_builtins?),
                    localsplus: u(fl.f_localsplus?),
                    lasti: u(fl.f_lasti?),
                    f_executing: fl.f_executing.map(u),
                    f_state: fl.f_state.map(u),
                    ts_frame: u(l.thread_state.frame?),
                    f_back: u(fl.f_back),
                    reuse: (|| {
                        if l.int.is_some() {
                            return None;
                        }
                        let version = c.descriptor().identity.version;
                        let f_trace_flags = match (fl.f_trace_lines, fl.f_trace_opcodes) {
                            (Some(a), Some(b)) => Some((u(a), u(b))),
                            _ if version >= (3, 7, 0) => return None,
                            _ => None,
                        };
                        let f_exc = match (fl.f_exc_type, fl.f_exc_value, fl.f_exc_traceback) {
                            (Some(a), Some(b), Some(t)) => Some([u(a), u(b), u(t)]),
                            _ => None,
                        };
                        Some(FrameReuse {
                            ob_refcnt: u(l.object.ob_refcnt?),
                            f_code: u(fl.f_code?),
                            f_globals: u(fl.f_globals?),
                            f_locals: u(fl.f_locals?),
                            f_trace: u(fl.f_trace),
                            f_gen: u(fl.f_gen?),
                            f_lineno: u(fl.f_lineno),
                            f_iblock: u(fl.f_iblock?),
                            f_valuestack: u(fl.f_valuestack?),
                            f_stackdepth: fl.f_stackdepth.map(u),
                            f_stacktop: fl.f_stacktop.map(u),
                            f_trace_flags,
                            f_exc,
                        })
                        .filter(|r| r.f_stackdepth.is_some() || r.f_stacktop.is_some())
                    })(),
                })
            })(),
        }
    })
}

/// The fast path of [`rt_direct_call`]: `None` where the generic direct call must make it
/// (a trace or profile function or a frame evaluator set, a function not optimised yet or
/// waiting to be specialised again, no room on the frame data stack, tiers to free).
///
/// # Safety
/// As [`rt_direct_call`]; `plan` alive and `func` a trampoline of its function taking
/// `plan.argc` arguments.
unsafe fn fast_call(
    env: *const super::Env,
    plan: &DirectPlan,
    func: Obj,
    args: *const Obj,
    l: &FastLayout,
) -> Option<Obj> {
    // SAFETY: per the caller; offsets from the descriptor (resolved in the plans).
    unsafe {
        let cf = &*plan.cf;
        let rt = super::rt(env);
        let c = rt.capi;
        let p = frame_plan(c)?;
        let tsb = (*env).ts as *mut u8;
        let word = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        let top_slot = tsb.add(p.top) as *mut *mut Obj;
        let top = *top_slot;
        let limit = *(tsb.add(p.limit) as *const *mut Obj);
        if top.is_null()
            || (limit.offset_from(top) as usize) <= plan.size
            || super::below_stack_limit((*env).stack_limit)
        {
            return None;
        }
        if let Some(r) = fast_gate(env, cf, l) {
            return r;
        }
        if !enter_py_recursion(c, p, tsb) {
            return Some(std::ptr::null_mut());
        }
        let cur = match p.cframe {
            Some(off) => (*(tsb.add(off) as *const *mut u8)).add(p.cur),
            None => tsb.add(p.cur),
        } as *mut *mut u8;
        *top_slot = top.add(plan.size);
        let frame = top as *mut u8;
        let fp = func as *mut u8;
        let int = |base: *mut u8, off: usize| base.add(off) as *mut i32;
        c.incref(func);
        *word(frame, p.f_func) = func;
        c.incref(plan.code);
        *word(frame, p.f_code) = plan.code;
        let globals = *word(fp, p.func_globals);
        let builtins = *word(fp, p.func_builtins);
        *word(frame, p.f_globals) = globals;
        *word(frame, p.f_builtins) = builtins;
        *word(frame, p.f_locals) = std::ptr::null_mut();
        *word(frame, p.frame_obj) = std::ptr::null_mut();
        let previous = *cur;
        *word(frame, p.previous) = previous as Obj;
        *int(frame, p.stacktop) = plan.nlocalsplus as i32;
        *frame.add(p.owner) = 0; // FRAME_OWNED_BY_THREAD
        if let Some(off) = p.is_entry {
            *frame.add(off) = 0;
        }
        if let Some(off) = p.return_offset {
            *(frame.add(off) as *mut u16) = 0;
        }
        *word(frame, p.pos) = plan.pos as Obj;
        let lp = word(frame, p.localsplus);
        let entry = fill_params(c, lp, plan, args, func, l);
        *cur = frame;
        if let Some(h) = DIRECT.get() {
            count(h.native_calls);
        }
        count(&DIRECT_CALLS);
        cf.active.set(cf.active.get() + 1);
        let callee_env = super::Env {
            args: lp,
            lasti_slot: word(frame, p.pos) as *mut c_void,
            lasti_base: plan.code_start as i64,
            // (as `run_in`: the original function's globals)
            globals: *word(cf.func as *mut u8, p.func_globals),
            builtins,
            consts: cf.consts,
            names: cf.names,
            varnames: cf.varnames,
            // (as `run_in`: the original function's closure, not the trampoline's)
            closure: *word(cf.func as *mut u8, l.func_closure),
            rt,
            owner: cf,
            ts: tsb as *mut c_void,
            stack_limit: (*env).stack_limit,
        };
        let r = (cf.entry.get())(&callee_env, std::ptr::null());
        cf.active.set(cf.active.get() - 1);
        if r.is_null() {
            raised_in(c, c.func::<extern "C" fn() -> Obj>(Api::EvalGetFrame)());
        }
        // unlinked first: clearing may run finalizers, which must not see this frame
        *cur = previous;
        if (*word(frame, p.frame_obj)).is_null() {
            let stacktop = *int(frame, p.stacktop) as usize;
            for i in 0..stacktop {
                c.decref(*lp.add(i));
            }
            c.decref(*word(frame, p.f_locals));
            c.decref(func);
            c.decref(plan.code);
        } else {
            clear_interpreter_frame(c, p, frame);
        }
        *top_slot = top;
        leave_py_recursion(p, tsb);
        c.decref(entry);
        Some(r)
    }
}

/// The fast path of [`rt_direct_call`] where frames are objects (up to 3.10): the
/// trampoline's frame made by `PyFrame_New` and filled as [`frame_object_call`] fills it, the
/// native code run in it as [`run_in`] runs it, without the generic direct call's lookups.
/// `None` where that call must make it.
///
/// # Safety
/// As [`fast_call`].
unsafe fn fast_call_frame(
    env: *const super::Env,
    plan: &DirectPlan,
    func: Obj,
    args: *const Obj,
    l: &FastLayout,
) -> Option<Obj> {
    // SAFETY: per the caller; offsets from the descriptor (resolved in the plans).
    unsafe {
        let cf = &*plan.cf;
        let fl = l.frames.as_ref()?;
        let rt = super::rt(env);
        let c = rt.capi;
        let ts = (*env).ts;
        let word = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        if super::below_stack_limit((*env).stack_limit) {
            return None;
        }
        if let Some(r) = fast_gate(env, cf, l) {
            return r;
        }
        if !enter_recursion(c, ts, fl.depth) {
            return Some(std::ptr::null_mut());
        }
        let fp = func as *mut u8;
        let globals = *word(fp, fl.func_globals);
        let ts_slot = word(ts as *mut u8, fl.ts_frame);
        let (frame, lineno) = acquire_frame(c, cf, fl, plan.code, globals, ts);
        if frame.is_null() {
            leave_recursion(c, ts, fl.depth);
            return Some(frame);
        }
        let fr = frame as *mut u8;
        if let Some(fb) = fl.func_builtins {
            // 3.10: a call's frame takes the function's builtins
            let theirs = *word(fp, fb);
            let slot = word(fr, fl.f_builtins);
            if *slot != theirs {
                c.incref(theirs);
                c.decref(std::mem::replace(&mut *slot, theirs));
            }
        }
        let lp = word(fr, fl.localsplus);
        let entry = fill_params(c, lp, plan, args, func, l);
        if let Some(off) = fl.f_executing {
            *fr.add(off) = 1;
        }
        if let Some(off) = fl.f_state {
            // 3.10 `FRAME_EXECUTING`
            *(fr.add(off) as *mut i8) = 0;
        }
        *ts_slot = frame;
        if let Some(h) = DIRECT.get() {
            count(h.native_calls);
        }
        count(&DIRECT_CALLS);
        cf.active.set(cf.active.get() + 1);
        let callee_env = super::Env {
            args: lp,
            lasti_slot: fr.add(fl.lasti) as *mut c_void,
            lasti_base: 0,
            // (as `run_in`: the original function's globals, the frame's builtins)
            globals: *word(cf.func as *mut u8, fl.func_globals),
            builtins: *word(fr, fl.f_builtins),
            consts: cf.consts,
            names: cf.names,
            varnames: cf.varnames,
            // (as `run_in`: the original function's closure, not the trampoline's)
            closure: *word(cf.func as *mut u8, l.func_closure),
            rt,
            owner: cf,
            ts,
            stack_limit: (*env).stack_limit,
        };
        let r = (cf.entry.get())(&callee_env, std::ptr::null());
        cf.active.set(cf.active.get() - 1);
        if r.is_null() {
            raised_in(c, frame);
        }
        super::exc::reset_exc_info_27(c, frame);
        if let Some(off) = fl.f_executing {
            *fr.add(off) = 0;
        }
        if let Some(off) = fl.f_state {
            // 3.10 `FRAME_RETURNED` or `FRAME_RAISED`
            *(fr.add(off) as *mut i8) = if r.is_null() { 3 } else { 1 };
        }
        *ts_slot = *word(fr, fl.f_back);
        // the frame's last reference may run finalizers: still counted
        release_frame(c, cf, fl, frame, plan.nlocalsplus, lineno);
        leave_recursion(c, ts, fl.depth);
        c.decref(entry);
        Some(r)
    }
}

/// `PyFrame_New` of trampoline code `code` with `globals` on thread state `ts` (NULL with
/// an exception set on failure).
///
/// # Safety
/// GIL held; `ts` the running thread state.
unsafe fn new_frame(c: &CApi, code: Obj, globals: Obj, ts: *mut c_void) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        c.func::<extern "C" fn(*mut c_void, Obj, Obj, Obj) -> Obj>(Api::FrameNew)(
            ts,
            code,
            globals,
            std::ptr::null_mut(),
        )
    }
}

/// The frame for a direct call of `cf` through its trampoline code `code` with `globals`
/// (up to 3.10): a spare frame of `cf` when it has one (3.x), else a new one; with the line
/// it starts at, for [`release_frame`]. NULL with an exception set on failure.
///
/// # Safety
/// GIL held; `ts` the running thread state.
unsafe fn acquire_frame(
    c: &CApi,
    cf: &CompiledFunction,
    fl: &FrameLayout,
    code: Obj,
    globals: Obj,
    ts: *mut c_void,
) -> (Obj, i32) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let back = *((ts as *mut u8).add(fl.ts_frame) as *const Obj);
        let spare = match fl.reuse.as_ref() {
            Some(r) => take_spare(c, cf, r, fl, code, globals, back),
            None => std::ptr::null_mut(),
        };
        let frame = if spare.is_null() {
            new_frame(c, code, globals, ts)
        } else {
            spare
        };
        // the line a new frame starts at, which a reused one gets back
        let lineno = match (frame.is_null(), fl.reuse.as_ref()) {
            (false, Some(r)) => *((frame as *const u8).add(r.f_lineno) as *const i32),
            _ => 0,
        };
        (frame, lineno)
    }
}

/// Done with `frame`, which a direct call of `cf` through [`acquire_frame`] has finished with
/// (`nslots` parameters and cell in it, `lineno` its first line): kept as a spare, or
/// released (which may run finalizers).
///
/// # Safety
/// GIL held; `frame` owned, no longer running.
unsafe fn release_frame(
    c: &CApi,
    cf: &CompiledFunction,
    fl: &FrameLayout,
    frame: Obj,
    nslots: usize,
    lineno: i32,
) {
    // SAFETY: per the caller.
    unsafe {
        if !recycle_frame(c, cf, fl, frame, nslots, lineno) {
            c.decref(frame);
        }
    }
}

/// A spare frame of `cf` for a call through `code` with `globals`, linked back to `back` as
/// `PyFrame_New` links a new one (a new reference), or NULL.
///
/// # Safety
/// GIL held; offsets from the descriptor.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn take_spare(
    c: &CApi,
    cf: &CompiledFunction,
    r: &FrameReuse,
    fl: &FrameLayout,
    code: Obj,
    globals: Obj,
    back: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let Ok(mut spares) = cf.spare_frames.try_borrow_mut() else {
            return std::ptr::null_mut();
        };
        let Some(&f) = spares.last() else {
            return std::ptr::null_mut();
        };
        let fr = f as *mut u8;
        let word = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        if *word(fr, r.f_code) != code {
            return std::ptr::null_mut();
        }
        if fl.func_builtins.is_none() {
            // up to 3.9 a new frame takes its caller's builtins when it shares its globals
            // (else it looks them up in the globals: left to `PyFrame_New`)
            if back.is_null() || *word(back as *mut u8, r.f_globals) != globals {
                return std::ptr::null_mut();
            }
            let theirs = *word(back as *mut u8, fl.f_builtins);
            let slot = word(fr, fl.f_builtins);
            if *slot != theirs {
                c.incref(theirs);
                c.decref(std::mem::replace(&mut *slot, theirs));
            }
        }
        spares.pop();
        count(&FRAMES_REUSED);
        if !back.is_null() {
            c.incref(back);
        }
        *word(fr, fl.f_back) = back;
        c.incref(globals);
        *word(fr, r.f_globals) = globals;
        f
    }
}

/// Keeps `frame`, which a direct call has just finished with, as a spare of `cf` when
/// nothing else holds it (no traceback, no `sys._getframe()` result, no trace function):
/// releases what the call left in it (its locals, the frame it linked back to, a locals dict
/// made for it) and resets what a call may change to what `PyFrame_New` makes, `lineno` the
/// line it started at. Returns whether it kept it (else the caller releases it).
///
/// # Safety
/// GIL held; `frame` a frame object of `cf`'s trampoline code, owned, no longer running,
/// holding `nslots` parameters and cell.
#[inline(never)]
unsafe fn recycle_frame(
    c: &CApi,
    cf: &CompiledFunction,
    fl: &FrameLayout,
    frame: Obj,
    nslots: usize,
    lineno: i32,
) -> bool {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let Some(r) = fl.reuse.as_ref() else {
            return false;
        };
        let fr = frame as *mut u8;
        let word = |off: usize| fr.add(off) as *mut Obj;
        let refcnt = |f: *mut u8| *(f.add(r.ob_refcnt) as *const isize);
        if refcnt(fr) != 1
            || !(*word(r.f_trace)).is_null()
            || !(*word(r.f_gen)).is_null()
            || cf
                .spare_frames
                .try_borrow()
                .map_or(true, |s| s.len() >= SPARE_FRAMES)
        {
            return false;
        }
        // what a call leaves: its parameters and cell, the caller's frame, a locals dict, a
        // 3.6 saved exception (each release may run code: the frame is not a spare yet)
        let lp = word(fl.localsplus);
        for k in 0..nslots {
            let o = std::mem::replace(&mut *lp.add(k), std::ptr::null_mut());
            c.decref(o);
        }
        for off in [fl.f_back, r.f_locals] {
            let o = std::mem::replace(&mut *word(off), std::ptr::null_mut());
            c.decref(o);
        }
        if let Some(exc) = r.f_exc {
            for off in exc {
                let o = std::mem::replace(&mut *word(off), std::ptr::null_mut());
                c.decref(o);
            }
        }
        // still only ours, untraced, with nothing put back?
        if refcnt(fr) != 1
            || !(*word(r.f_trace)).is_null()
            || !(*word(fl.f_back)).is_null()
            || !(*word(r.f_locals)).is_null()
        {
            return false;
        }
        *(fr.add(fl.lasti) as *mut i32) = -1;
        *(fr.add(r.f_lineno) as *mut i32) = lineno;
        *(fr.add(r.f_iblock) as *mut i32) = 0;
        if let Some(off) = r.f_stackdepth {
            *(fr.add(off) as *mut i32) = 0;
        }
        if let Some(off) = r.f_stacktop {
            *word(off) = *word(r.f_valuestack);
        }
        if let Some((lines, opcodes)) = r.f_trace_flags {
            *fr.add(lines) = 1;
            *fr.add(opcodes) = 0;
        }
        if let Some(off) = fl.f_state {
            // 3.10 `FRAME_CREATED`
            *(fr.add(off) as *mut i8) = -2;
        }
        let Ok(mut spares) = cf.spare_frames.try_borrow_mut() else {
            return false;
        };
        // a spare holds no globals: they hold the function, which holds its spares (a cycle
        // the garbage collector could not see)
        let globals = std::mem::replace(&mut *word(r.f_globals), std::ptr::null_mut());
        spares.push(frame);
        drop(spares);
        c.decref(globals);
        true
    }
}

/// The checks both fast paths make first: `Some(None)` leaves the call to the generic path (a
/// function not optimised yet, waiting to be specialised again or with tiers to free; a trace
/// or profile function or a frame evaluator set); `Some(NULL)` fails it (a signal handler
/// raised: signals and GIL requests are checked as often as the generic direct call checks
/// them); `None` lets it go on.
///
/// # Safety
/// As [`fast_call`].
unsafe fn fast_gate(
    env: *const super::Env,
    cf: &CompiledFunction,
    l: &FastLayout,
) -> Option<Option<Obj>> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        // (only a call through the generic path while no activation runs can respecialise
        // it or free its earlier tiers: an activation running, as in a recursion, leaves
        // that to the call that started it)
        if cf.calls.get() < TIER_UP_CALLS
            || (cf.active.get() == 0 && (cf.attention.get() || cf.stale.get()))
        {
            return Some(None);
        }
        let tsb = (*env).ts as *mut u8;
        let word = |base: *mut u8, off: usize| base.add(off) as *mut Obj;
        if !(*word(tsb, l.tracefunc)).is_null() || !(*word(tsb, l.profilefunc)).is_null() {
            return Some(None);
        }
        if let Some(off) = l.eval_frame {
            let eval = *word(*(tsb.add(l.interp) as *const *mut u8), off);
            if !eval.is_null() && eval as usize != l.eval_default {
                return Some(None);
            }
        }
        static TICKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        use std::sync::atomic::Ordering::Relaxed;
        let tick = TICKS.load(Relaxed).wrapping_add(1);
        TICKS.store(tick, Relaxed);
        if tick.is_multiple_of(super::PERIODIC_EVERY) && super::rt_periodic(env) != 0 {
            return Some(Some(std::ptr::null_mut()));
        }
        None
    }
}

/// Fills a fast path's frame slots `lp`: the parameters (new references), the trampoline's
/// other locals unbound, then its free variable (its cell). Returns the entry in the cell,
/// with a reference held for the call: it owns the compiled function, and rebinding the cell
/// inside the call must not free running code.
///
/// # Safety
/// As [`fast_call`]; `lp` has room for the plan's `nlocalsplus` slots.
unsafe fn fill_params(
    c: &CApi,
    lp: *mut Obj,
    plan: &DirectPlan,
    args: *const Obj,
    func: Obj,
    l: &FastLayout,
) -> Obj {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        for i in 0..plan.argc {
            let o = *args.add(i);
            c.incref(o);
            *lp.add(i) = o;
        }
        for i in plan.argc..plan.nlocalsplus - 1 {
            *lp.add(i) = std::ptr::null_mut();
        }
        let closure = *((func as *mut u8).add(l.func_closure) as *const Obj);
        let cell = *((closure as *mut u8).add(l.tuple_item) as *const Obj);
        c.incref(cell);
        *lp.add(plan.nlocalsplus - 1) = cell;
        let entry = *((cell as *mut u8).add(l.cell_ref) as *const Obj);
        c.incref(entry);
        entry
    }
}

/// What the optimised code needs to push a compiled callee's interpreter frame and run its
/// native code itself (3.11+), the fast path of [`rt_direct_call`] emitted inline at a call
/// site: the build's offsets, those of the site's cache, of [`DirectPlan`] and of
/// [`CompiledFunction`], and the counters and helpers it uses. `None` where frames are objects
/// (up to 3.10) or the build lacks a piece.
#[derive(Debug, Clone, Copy)]
pub struct InlineCall {
    /// Thread state: `datastack_top`, `datastack_limit`, the trace and profile functions,
    /// the interpreter (and its frame evaluator, with the default's address).
    pub ts_top: u32,
    /// See `ts_top`.
    pub ts_limit: u32,
    /// See `ts_top`.
    pub ts_trace: u32,
    /// See `ts_top`.
    pub ts_profile: u32,
    /// See `ts_top`.
    pub ts_interp: u32,
    /// See `ts_top`.
    pub eval_frame: Option<(u32, u64)>,
    /// `current_frame`: in the thread state (3.13) or in its C frame (`cframe`, 3.11/3.12).
    pub cur: u32,
    /// See `cur`.
    pub cframe: Option<u32>,
    /// 3.11's `recursion_remaining`.
    pub remaining: Option<u32>,
    /// 3.12+'s `py_recursion_remaining` and `c_recursion_remaining`.
    pub py_c: Option<(u32, u32)>,
    /// C stack units a call into native code takes (3.12+).
    pub c_units: i32,
    /// Interpreter frame fields.
    pub f_func: u32,
    /// See `f_func`.
    pub f_code: u32,
    /// See `f_func`.
    pub f_globals: u32,
    /// See `f_func`.
    pub f_builtins: u32,
    /// See `f_func`.
    pub f_locals: u32,
    /// See `f_func`.
    pub frame_obj: u32,
    /// See `f_func`.
    pub previous: u32,
    /// See `f_func`.
    pub stacktop: u32,
    /// See `f_func`.
    pub owner: u32,
    /// See `f_func`.
    pub is_entry: Option<u32>,
    /// See `f_func`.
    pub return_offset: Option<u32>,
    /// See `f_func`.
    pub pos: u32,
    /// See `f_func`.
    pub localsplus: u32,
    /// Function fields.
    pub func_code: u32,
    /// See `func_code`.
    pub func_closure: u32,
    /// See `func_code`.
    pub func_globals: u32,
    /// See `func_code`.
    pub func_builtins: u32,
    /// `PyTupleObject.ob_item`, `PyCellObject.ob_ref`.
    pub tuple_item: u32,
    /// See `tuple_item`.
    pub cell_ref: u32,
    /// [`DirectSite`]: `func`, `closure`, `plan`, `init`.
    pub site_func: u32,
    /// See `site_func`.
    pub site_closure: u32,
    /// See `site_func`.
    pub site_plan: u32,
    /// See `site_func`.
    pub site_init: u32,
    /// [`DirectPlan`]: `alive`, `cf`, `code`, `argc`, `nlocalsplus`, `size` (words), `pos`,
    /// `code_start`.
    pub plan_alive: u32,
    /// See `plan_alive`.
    pub plan_cf: u32,
    /// See `plan_alive`.
    pub plan_code: u32,
    /// See `plan_alive`.
    pub plan_argc: u32,
    /// See `plan_alive`.
    pub plan_nlocalsplus: u32,
    /// See `plan_alive`.
    pub plan_size: u32,
    /// See `plan_alive`.
    pub plan_pos: u32,
    /// See `plan_alive`.
    pub plan_code_start: u32,
    /// [`CompiledFunction`]: `calls`, `attention`, `stale`, `active`, `entry`, `func`,
    /// `consts`, `names`, `varnames`.
    pub cf_calls: u32,
    /// See `cf_calls`.
    pub cf_attention: u32,
    /// See `cf_calls`.
    pub cf_stale: u32,
    /// See `cf_calls`.
    pub cf_active: u32,
    /// See `cf_calls`.
    pub cf_entry: u32,
    /// See `cf_calls`.
    pub cf_func: u32,
    /// See `cf_calls`.
    pub cf_consts: u32,
    /// See `cf_calls`.
    pub cf_names: u32,
    /// See `cf_calls`.
    pub cf_varnames: u32,
    /// The counters a direct call adds one to: native calls, direct calls, and the ticks
    /// after which signals and GIL requests are checked.
    pub native_calls: u64,
    /// See `native_calls`.
    pub direct_calls: u64,
    /// See `native_calls`.
    pub ticks: u64,
    /// [`rt_inline_raised`], [`rt_inline_clear`].
    pub raised: u64,
    /// See `raised`.
    pub clear: u64,
    /// Constructing instances inline, where the build allows it.
    pub construct: Option<InlineConstruct>,
}

/// What the optimised code needs to construct an instance of a class whose `__init__` is
/// compiled itself (see [`construct`]).
#[derive(Debug, Clone, Copy)]
pub struct InlineConstruct {
    /// [`DirectSite`]'s `tag`.
    pub site_tag: u32,
    /// `tp_flags`, `tp_version_tag`, `tp_new`.
    pub tp_flags: u32,
    /// See `tp_flags`.
    pub tp_version_tag: u32,
    /// See `tp_flags`.
    pub tp_new: u32,
    /// `Py_TPFLAGS_VALID_VERSION_TAG`, or 0 where a non-zero tag is valid by itself.
    pub valid_flag: u32,
    /// `object.__new__`'s C function, and `()`.
    pub object_new: u64,
    /// See `object_new`.
    pub empty: u64,
    /// Most arguments (`self` included) of an inline construction.
    pub max_args: u32,
    /// [`rt_call_direct`] (`__init__` when the fast path does not take it) and
    /// [`rt_init_returned`].
    pub call: u64,
    /// See `call`.
    pub returned: u64,
}

/// Calls between two checks for signals and GIL requests on direct calls made inline.
static INLINE_TICKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// This build's [`InlineCall`], if direct calls can be made inline.
pub fn inline_call(c: &CApi) -> Option<InlineCall> {
    use std::mem::offset_of;
    let p = frame_plan(c)?;
    let l = fast_layout(c);
    let h = DIRECT.get()?;
    let u = |o: usize| o as u32;
    Some(InlineCall {
        ts_top: u(p.top),
        ts_limit: u(p.limit),
        ts_trace: u(l.tracefunc),
        ts_profile: u(l.profilefunc),
        ts_interp: u(l.interp),
        eval_frame: l.eval_frame.map(|o| (u(o), l.eval_default as u64)),
        cur: u(p.cur),
        cframe: p.cframe.map(u),
        remaining: p.remaining.map(u),
        py_c: p.py_c_headroom.map(|(py, cr, _)| (u(py), u(cr))),
        c_units: C_STACK_UNITS,
        f_func: u(p.f_func),
        f_code: u(p.f_code),
        f_globals: u(p.f_globals),
        f_builtins: u(p.f_builtins),
        f_locals: u(p.f_locals),
        frame_obj: u(p.frame_obj),
        previous: u(p.previous),
        stacktop: u(p.stacktop),
        owner: u(p.owner),
        is_entry: p.is_entry.map(u),
        return_offset: p.return_offset.map(u),
        pos: u(p.pos),
        localsplus: u(p.localsplus),
        func_code: u(l.func_code),
        func_closure: u(l.func_closure),
        func_globals: u(p.func_globals),
        func_builtins: u(p.func_builtins),
        tuple_item: u(l.tuple_item),
        cell_ref: u(l.cell_ref),
        site_func: u(offset_of!(DirectSite, func)),
        site_closure: u(offset_of!(DirectSite, closure)),
        site_plan: u(offset_of!(DirectSite, plan)),
        site_init: u(offset_of!(DirectSite, init)),
        plan_alive: u(offset_of!(DirectPlan, alive)),
        plan_cf: u(offset_of!(DirectPlan, cf)),
        plan_code: u(offset_of!(DirectPlan, code)),
        plan_argc: u(offset_of!(DirectPlan, argc)),
        plan_nlocalsplus: u(offset_of!(DirectPlan, nlocalsplus)),
        plan_size: u(offset_of!(DirectPlan, size)),
        plan_pos: u(offset_of!(DirectPlan, pos)),
        plan_code_start: u(offset_of!(DirectPlan, code_start)),
        cf_calls: u(offset_of!(CompiledFunction, calls)),
        cf_attention: u(offset_of!(CompiledFunction, attention)),
        cf_stale: u(offset_of!(CompiledFunction, stale)),
        cf_active: u(offset_of!(CompiledFunction, active)),
        cf_entry: u(offset_of!(CompiledFunction, entry)),
        cf_func: u(offset_of!(CompiledFunction, func)),
        cf_consts: u(offset_of!(CompiledFunction, consts)),
        cf_names: u(offset_of!(CompiledFunction, names)),
        cf_varnames: u(offset_of!(CompiledFunction, varnames)),
        native_calls: h.native_calls as *const _ as u64,
        direct_calls: &DIRECT_CALLS as *const _ as u64,
        ticks: &INLINE_TICKS as *const _ as u64,
        raised: rt_inline_raised as *const () as u64,
        clear: rt_inline_clear as *const () as u64,
        construct: construct_consts(c).map(|kc| InlineConstruct {
            site_tag: u(offset_of!(DirectSite, tag)),
            tp_flags: u(kc.tp_flags),
            tp_version_tag: u(kc.tp_version_tag),
            tp_new: u(kc.tp_new),
            valid_flag: kc.valid_tag,
            object_new: kc.object_new as u64,
            empty: kc.empty as u64,
            max_args: CONSTRUCT_MAX_ARGS as u32,
            call: rt_call_direct as *const () as u64,
            returned: rt_init_returned as *const () as u64,
        }),
    })
}

/// An `__init__` called by an inline construction returned `r` (owned), not None: raises the
/// interpreter's TypeError and releases `r`.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_init_returned(env: *const super::Env, r: Obj) {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        init_returned(c, r);
    }
}

/// Raises `__init__() should return None, not '...'` for `r` (owned, released).
///
/// # Safety
/// GIL held; `r` live.
unsafe fn init_returned(c: &CApi, r: Obj) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let tp_name =
            (c.type_of(r) as *const u8).add(c.descriptor().layout.type_object.tp_name as usize);
        let name = std::ffi::CStr::from_ptr(*(tp_name as *const *const std::ffi::c_char));
        let name = name.to_bytes();
        let name = String::from_utf8_lossy(&name[..name.len().min(200)]).into_owned();
        c.set_error(
            c.object(Api::ExcTypeError),
            &format!("__init__() should return None, not '{name}'"),
        );
        c.decref(r);
    }
}

/// A direct call made inline returned NULL: makes sure an exception is set and adds the
/// callee's frame (the running one still) to its traceback, as [`fast_call`] does.
///
/// # Safety
/// Called by compiled code with the GIL held, the callee's frame running.
pub unsafe extern "C" fn rt_inline_raised(env: *const super::Env) {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        raised_in(c, c.func::<extern "C" fn() -> Obj>(Api::EvalGetFrame)());
    }
}

/// A direct call made inline returned, and its frame has a frame object (which outlives the
/// call): clears the frame as [`fast_call`] does.
///
/// # Safety
/// Called by compiled code with the GIL held; `frame` is the unlinked callee frame.
pub unsafe extern "C" fn rt_inline_clear(env: *const super::Env, frame: *mut u8) {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        if let Some(p) = frame_plan(c) {
            clear_interpreter_frame(c, p, frame);
        }
    }
}

/// An activation of compiled code ends with an exception: its locals (`total` native slots at
/// `locals`, owned, taken over here) go into its trampoline's frame, the running frame, as
/// the interpreter's frame keeps its own: tracebacks, post-mortem debuggers and `f_locals`
/// see them, and they live as long as the frame does. A cell's contents go in its place, as
/// the interpreter shows them. The frame's own free variable (the entry, which the
/// trampoline has read already) gives way to an empty cell, so that it does not show either.
/// Where the running frame is not that trampoline's (or it has no such slots), the locals are
/// released, as before.
///
/// # Safety
/// Called by compiled code with the GIL held and an exception set; `locals` holds the
/// function's native slots.
pub unsafe extern "C" fn rt_keep_locals(env: *const super::Env, locals: *mut Obj) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let rt = super::rt(env);
        let c = rt.capi;
        let cf = &*(*env).owner;
        let total = cf.slots.total as usize;
        let values = std::slice::from_raw_parts_mut(locals, total);
        let map = cf.frame_locals.get();
        let frame = match map {
            Some(m) if m.slots.len() == total => {
                running_frame_locals(c, (*env).ts, cf.tramp_code.get())
            }
            _ => None,
        };
        let (Some(m), Some((frame, lp))) = (map, frame) else {
            for v in values.iter_mut() {
                c.decref(std::mem::replace(v, std::ptr::null_mut()));
            }
            return;
        };
        let cell_type = c.object(Api::CellType);
        let cell_ref = c.descriptor().layout.cell.ob_ref;
        // (each release may run code: the frame is filled first)
        let mut released: Vec<Obj> = Vec::with_capacity(total + 1);
        for (v, &(at, cell)) in values.iter_mut().zip(&m.slots) {
            let mut v = std::mem::replace(v, std::ptr::null_mut());
            if cell && !v.is_null() && c.type_of(v) == cell_type {
                let inner: Obj = c.read(v as *const c_void, cell_ref);
                c.incref(inner);
                released.push(v);
                v = inner;
            }
            if at == NO_SLOT || at >= m.free {
                released.push(v);
            } else {
                released.push(std::mem::replace(&mut *lp.add(at as usize), v));
            }
        }
        keeping_exception(c, || {
            // the entry's cell: an empty one in its place (a new one, the frame's own)
            if m.entry_cell {
                let empty = c.func::<extern "C" fn(Obj) -> Obj>(Api::CellNew)(std::ptr::null_mut());
                if empty.is_null() {
                    c.clear_error();
                } else {
                    released.push(std::mem::replace(&mut *lp.add(m.free as usize), empty));
                }
            }
            if let (Some(order), Some(off)) =
                (&m.dict_order, c.descriptor().layout.frame_object.f_locals)
            {
                // (≤3.10) the frame's locals dict, made now in the original's order
                let slot = frame.add(off as usize) as *mut Obj;
                if (*slot).is_null() {
                    let d = c.new_dict();
                    if d.is_null() {
                        c.clear_error();
                    } else {
                        let set = c.func::<extern "C" fn(Obj, Obj, Obj) -> std::ffi::c_int>(
                            Api::DictSetItem,
                        );
                        for &j in order {
                            let at = m.slots[j as usize].0;
                            let v = if at < m.free {
                                *lp.add(at as usize)
                            } else {
                                std::ptr::null_mut()
                            };
                            if !v.is_null() && set(d, c.tuple_item(cf.varnames, j as isize), v) != 0
                            {
                                c.clear_error();
                            }
                        }
                        *slot = d;
                    }
                }
            }
        });
        for o in released {
            c.decref(o);
        }
    }
}

/// The running frame of thread state `ts` (its frame object up to 3.10, its interpreter frame
/// from 3.11) and its local slots, when its code is `code`.
///
/// # Safety
/// GIL held; `ts` the running thread state.
unsafe fn running_frame_locals(
    c: &CApi,
    ts: *mut c_void,
    code: Obj,
) -> Option<(*mut u8, *mut Obj)> {
    if code.is_null() {
        return None;
    }
    let l = &c.descriptor().layout;
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let (frame, f_code, localsplus) = match frame_plan(c) {
            Some(p) => {
                let tsb = ts as *mut u8;
                let cur = match p.cframe {
                    Some(off) => (*(tsb.add(off) as *const *mut u8)).add(p.cur),
                    None => tsb.add(p.cur),
                };
                (*(cur as *const *mut u8), p.f_code, p.localsplus)
            }
            None => {
                let fl = &l.frame_object;
                (
                    read_ptr(ts, l.thread_state.frame?) as *mut u8,
                    fl.f_code? as usize,
                    fl.f_localsplus? as usize,
                )
            }
        };
        if frame.is_null() || *(frame.add(f_code) as *const Obj) != code {
            return None;
        }
        Some((frame, frame.add(localsplus) as *mut Obj))
    }
}

/// Boxes a typed local's value for [`rt_keep_locals`] (`float`: `bits` is a double's), leaving
/// the exception being raised as it is; NULL if boxing fails.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_box_quiet(env: *const super::Env, float: i32, bits: i64) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        keeping_exception(c, || {
            let o = if float != 0 {
                c.new_float(f64::from_bits(bits as u64))
            } else {
                super::guards::box_int(c, bits)
            };
            if o.is_null() {
                c.clear_error();
            }
            o
        })
    }
}

/// Runs `f` with the exception being raised set aside, and puts it back after (whatever `f`
/// raised is cleared by it).
///
/// # Safety
/// GIL held.
unsafe fn keeping_exception<T>(c: &CApi, f: impl FnOnce() -> T) -> T {
    let mut saved = [std::ptr::null_mut(); 3];
    // SAFETY: per the caller.
    unsafe {
        c.func::<extern "C" fn(*mut Obj, *mut Obj, *mut Obj)>(Api::ErrFetch)(
            &mut saved[0],
            &mut saved[1],
            &mut saved[2],
        );
        let r = f();
        c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore)(saved[0], saved[1], saved[2]);
        r
    }
}
