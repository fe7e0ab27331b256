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
    /// The original function (owned reference).
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
}

impl CompiledFunction {
    /// Number of parameters the trampoline passes.
    pub fn nparams(&self) -> u32 {
        self.argcount + self.kwonly + u32::from(self.varargs) + u32::from(self.varkw)
    }

    /// Releases the owned references.
    ///
    /// # Safety
    /// GIL held; called once.
    pub unsafe fn release(&self, c: &CApi) {
        // SAFETY: per the caller.
        unsafe {
            for o in [self.func, self.consts, self.names, self.varnames] {
                c.decref(o);
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

/// Runs the native code of `cf` with the bound `params`, from within its trampoline's frame;
/// `ts` is the running thread state.
///
/// # Safety
/// GIL held; called from the trampoline, whose frame is the running one.
pub unsafe fn enter(rt: &Runtime, cf: &CompiledFunction, params: &[Obj], ts: *mut c_void) -> Obj {
    let c = rt.capi;
    let d = c.descriptor();
    let l = &d.layout;
    // SAFETY: per the caller; all offsets come from the validated descriptor.
    unsafe {
        let globals = read_ptr(cf.func as *const c_void, l.function.func_globals) as Obj;
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
                    _ => return std::ptr::null_mut(),
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
            closure: read_ptr(cf.func as *const c_void, l.function.func_closure) as Obj,
            rt,
            owner: cf,
        };
        let r = (cf.entry.get())(&env, std::ptr::null());
        if !r.is_null() {
            if d.caps.interpreter_frames {
                std::ptr::write(slot as *mut u64, saved);
            } else {
                std::ptr::write(slot as *mut u32, saved as u32);
            }
        }
        r
    }
}
