//! Exception handling for compiled code: entering a handler, the handled-exception state
//! (`sys.exc_info()`), re-raising, exception matching and `with`.
//!
//! ceval keeps the *handled* exception per thread: in `PyThreadState` itself on 2.7/3.6, in the
//! `_PyErr_StackItem` that `tstate->exc_info` points at from 3.7 (a triple up to 3.10, the value
//! alone from 3.11). Which of these the running build has is read from its descriptor's layouts,
//! never from its version number. Handler entry follows the stack shape the decoder recorded for
//! the handler: 6 items (3.x up to 3.10: the previous handled exception, then the new one), 3
//! items (2.7), or 1 item (3.11+, after an optional `lasti`).
//!
//! Tracebacks: ceval adds the frame to the traceback when an exception is raised in it, but not
//! when one is re-raised (`raise`, `RERAISE`, `END_FINALLY`). Compiled code runs under its
//! trampoline frame, whose own evaluation loop adds the frame once more when the native code
//! returns NULL. So an exception caught in compiled code gets the frame here ([`rt_catch`]), and
//! a re-raise that leaves the function first takes that entry off again ([`rt_reraise_exit`]),
//! pointing the frame at its instruction so that the trampoline adds the same entry back.

use super::{raise_computed, rt, Env};
use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::Api;
use std::ffi::{c_int, c_void};
use std::ptr;

/// [`rt_catch`] flag: the exception was raised here (not re-raised), so the frame joins its
/// traceback.
pub const CATCH_FRESH: u32 = 1;
/// [`rt_catch`] flag: 3.11+ handler that also wants the raising instruction's offset.
pub const CATCH_LASTI: u32 = 2;
/// [`rt_catch`] flag: a 2.7 `finally`, which gets the exception as raised: not normalised,
/// and not made the handled one.
pub const CATCH_RAW: u32 = 4;

/// What a `finally` block was entered with, as [`rt_status_kind`] reports it.
pub mod status {
    /// NULL or None: the block was entered normally.
    pub const NORMAL: i32 = 0;
    /// An int: a pending `return`, `break`, `continue` or return address (compiled code's own
    /// codes).
    pub const ACTION: i32 = 1;
    /// An exception (its class, with the value and traceback below).
    pub const EXCEPTION: i32 = 2;
}

/// Classifies the status item on top of a `finally` block's entry items (borrowed).
///
/// # Safety
/// Called by compiled code with the GIL held; `status` live or NULL.
pub unsafe extern "C" fn rt_status_kind(env: *const Env, status: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        if status.is_null() || c.is_none(status) {
            status::NORMAL
        } else if c.type_of(status) == c.object(Api::LongType) {
            status::ACTION
        } else {
            status::EXCEPTION
        }
    }
}

/// Calls `__exit__` (borrowed) from a `with` block's cleanup: with the exception saved at `top`
/// (traceback, value, type) when `exc`, else with three Nones. Returns its result or NULL.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_exit_call(
    env: *const Env,
    exit: Obj,
    top: *mut Obj,
    exc: c_int,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let items = if exc != 0 {
            [*top.add(2), *top.add(1), *top]
        } else {
            let n = c.object(Api::NoneStruct);
            [n, n, n]
        };
        for o in items {
            c.incref(o);
        }
        c.call(
            exit,
            &[items[0], or_none(c, items[1]), or_none(c, items[2])],
        )
    }
}

/// # Safety
/// `base` points to a live structure with a pointer-sized field at byte `off`.
unsafe fn field(base: *mut c_void, off: u32) -> *mut Obj {
    // SAFETY: callers pass live structures and descriptor offsets.
    unsafe { (base as *mut u8).add(off as usize) as *mut Obj }
}

/// Where the handled exception lives: `(type, value, traceback)` slots, absent ones NULL.
struct Handled {
    t: *mut Obj,
    v: *mut Obj,
    tb: *mut Obj,
}

/// The thread's current handled-exception entry (`topmost`: skip a generator's empty entries,
/// as `sys.exc_info()` and a bare `raise` do).
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn handled(c: &CApi, topmost: bool) -> Handled {
    // SAFETY: GIL held; offsets from the descriptor.
    unsafe {
        let d = c.descriptor();
        let ts = c.func::<extern "C" fn() -> *mut c_void>(Api::ThreadStateGet)();
        let tl = &d.layout.thread_state;
        if let (Some(item), Some(il)) = (tl.exc_info, d.layout.exc_stack_item.as_ref()) {
            let mut p = *(field(ts, item) as *mut *mut c_void);
            if topmost {
                loop {
                    let key = *field(p, il.exc_type.unwrap_or(il.exc_value));
                    let prev = *(field(p, il.previous_item) as *mut *mut c_void);
                    if !(key.is_null() || c.is_none(key)) || prev.is_null() {
                        break;
                    }
                    p = prev;
                }
            }
            return Handled {
                t: il.exc_type.map_or(ptr::null_mut(), |o| field(p, o)),
                v: field(p, il.exc_value),
                tb: il.exc_traceback.map_or(ptr::null_mut(), |o| field(p, o)),
            };
        }
        let (Some(t), Some(v), Some(tb)) = (tl.exc_type, tl.exc_value, tl.exc_traceback) else {
            unreachable!("descriptor without a handled-exception layout");
        };
        Handled {
            t: field(ts, t),
            v: field(ts, v),
            tb: field(ts, tb),
        }
    }
}

/// # Safety
/// `p` points to a valid object slot (holding NULL or an owned reference), and the GIL is held.
unsafe fn take(p: *mut Obj) -> Obj {
    if p.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: a live slot.
    unsafe { std::mem::replace(&mut *p, ptr::null_mut()) }
}

/// Stores `(t, v, tb)` (owned, NULL allowed) as the handled exception, releasing the old one.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn set_handled(c: &CApi, t: Obj, v: Obj, tb: Obj) {
    // SAFETY: GIL held.
    unsafe {
        let h = handled(c, false);
        let old = [take(h.t), take(h.v), take(h.tb)];
        for (slot, new) in [(h.t, t), (h.v, v), (h.tb, tb)] {
            if slot.is_null() {
                c.decref(new);
            } else {
                *slot = new;
            }
        }
        for o in old {
            c.decref(o);
        }
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn none(c: &CApi) -> Obj {
    // SAFETY: GIL held.
    unsafe {
        let n = c.object(Api::NoneStruct);
        c.incref(n);
        n
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn or_none(c: &CApi, o: Obj) -> Obj {
    // SAFETY: GIL held; `o` owned or NULL.
    unsafe {
        if o.is_null() {
            none(c)
        } else {
            o
        }
    }
}

/// The running (trampoline) frame, borrowed.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn frame(c: &CApi) -> Obj {
    // SAFETY: GIL held; compiled code always runs under its trampoline frame.
    unsafe { c.func::<extern "C" fn() -> Obj>(Api::EvalGetFrame)() }
}

/// Enters an exception handler: writes the items the handler expects at `out` (`items`: 6, 3
/// or 1, see the module docs) and makes the exception the handled one where ceval does (here
/// for 6 and 3, at `PUSH_EXC_INFO` for 1). `offset` is the raising instruction's byte offset.
///
/// # Safety
/// Called by compiled code with the GIL held and an exception set; `out` has room for the items.
pub unsafe extern "C" fn rt_catch(
    env: *const Env,
    out: *mut Obj,
    items: u32,
    flags: u32,
    offset: u32,
) {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        if flags & CATCH_FRESH != 0 {
            c.func::<extern "C" fn(Obj) -> c_int>(Api::TraceBackHere)(frame(c));
        }
        let (mut t, mut v, mut tb) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        c.func::<extern "C" fn(*mut Obj, *mut Obj, *mut Obj)>(Api::ErrFetch)(
            &mut t, &mut v, &mut tb,
        );
        let raw = flags & CATCH_RAW != 0;
        if !raw {
            c.func::<extern "C" fn(*mut Obj, *mut Obj, *mut Obj)>(Api::ErrNormalizeException)(
                &mut t, &mut v, &mut tb,
            );
        }
        let v = or_none(c, v);
        if c.has(Api::ExceptionSetTraceback) {
            let tbv = if tb.is_null() {
                c.object(Api::NoneStruct)
            } else {
                tb
            };
            c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::ExceptionSetTraceback)(v, tbv);
        }
        let tb = or_none(c, tb);
        match items {
            6 => {
                // the previous handled exception moves onto the stack (type None if unset)
                let h = handled(c, false);
                *out = take(h.tb);
                *out.add(1) = take(h.v);
                *out.add(2) = or_none(c, take(h.t));
                c.incref(t);
                c.incref(v);
                c.incref(tb);
                set_handled(c, t, v, tb);
                *out.add(3) = tb;
                *out.add(4) = v;
                *out.add(5) = t;
            }
            3 => {
                if !raw {
                    set_exc_info_27(c, t, v, tb);
                }
                *out = tb;
                *out.add(1) = v;
                *out.add(2) = t;
            }
            _ => {
                c.decref(t);
                c.decref(tb);
                let mut at = out;
                if flags & CATCH_LASTI != 0 {
                    *at = c.new_long(i64::from(offset / 2) as _);
                    at = at.add(1);
                }
                *at = v;
            }
        }
    }
}

/// 2.7's `set_exc_info`: the handled exception becomes `(t, v, tb)` (borrowed here), and the
/// frame saves the one it replaced, which the interpreter restores when the frame returns.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn set_exc_info_27(c: &CApi, t: Obj, v: Obj, tb: Obj) {
    // SAFETY: GIL held; a 2.7 descriptor has these fields.
    unsafe {
        let d = c.descriptor();
        let fl = &d.layout.frame_object;
        let f = frame(c) as *mut c_void;
        let h = handled(c, false);
        if let (Some(ft), Some(fv), Some(ftb)) = (fl.f_exc_type, fl.f_exc_value, fl.f_exc_traceback)
        {
            if (*field(f, ft)).is_null() {
                // first exception handled in this frame: save the thread's
                let (mut ot, ov, otb) = (take(h.t), take(h.v), take(h.tb));
                if ot.is_null() {
                    ot = none(c);
                }
                *field(f, ft) = ot;
                *field(f, fv) = ov;
                *field(f, ftb) = otb;
            }
        }
        c.incref(t);
        c.incref(v);
        c.incref(tb);
        set_handled(c, t, v, tb);
        // and, for compatibility, sys.exc_type, sys.exc_value and sys.exc_traceback
        let set = c.func::<extern "C" fn(*const std::ffi::c_char, Obj) -> c_int>(Api::SysSetObject);
        set(c"exc_type".as_ptr(), t);
        set(c"exc_value".as_ptr(), v);
        set(c"exc_traceback".as_ptr(), tb);
    }
}

/// 2.7's `reset_exc_info`, as a frame `f` returns (normally or not): when it handled an
/// exception, the handled exception becomes again the one [`set_exc_info_27`] saved in it.
/// Nothing on other builds, or when the frame handled none.
///
/// # Safety
/// The GIL is held; `f` is the running thread's current frame.
pub(super) unsafe fn reset_exc_info_27(c: &CApi, f: Obj) {
    // SAFETY: GIL held; a 2.7 descriptor has these fields.
    unsafe {
        let fl = &c.descriptor().layout.frame_object;
        let (Some(ft), Some(fv), Some(ftb)) = (fl.f_exc_type, fl.f_exc_value, fl.f_exc_traceback)
        else {
            return;
        };
        let f = f as *mut c_void;
        if (*field(f, ft)).is_null() {
            return;
        }
        let (t, v, tb) = (take(field(f, ft)), take(field(f, fv)), take(field(f, ftb)));
        let set = c.func::<extern "C" fn(*const std::ffi::c_char, Obj) -> c_int>(Api::SysSetObject);
        set(c"exc_type".as_ptr(), t);
        set(c"exc_value".as_ptr(), v);
        set(c"exc_traceback".as_ptr(), tb);
        // the frame's references move to the thread
        set_handled(c, t, v, tb);
    }
}

/// `POP_EXCEPT` and the unwinding of an `EXCEPT_HANDLER` block: the handled exception becomes
/// the one saved at `top` (`items` 3: traceback, value, type; 1: the value), consumed.
///
/// # Safety
/// Called by compiled code with the GIL held; `top` points at the owned items.
pub unsafe extern "C" fn rt_pop_except(env: *const Env, top: *mut Obj, items: u32) {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        if items == 3 {
            set_handled(c, *top.add(2), *top.add(1), *top);
        } else {
            set_handled(c, ptr::null_mut(), *top, ptr::null_mut());
        }
    }
}

/// 3.11+ `PUSH_EXC_INFO`: the exception at `slot[0]` becomes the handled one; `slot[0]` gets
/// the previously handled one (None if unset) and `slot[1]` the exception.
///
/// # Safety
/// Called by compiled code with the GIL held; `slot` has room for two items.
pub unsafe extern "C" fn rt_push_exc_info(env: *const Env, slot: *mut Obj) {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let value = *slot;
        let h = handled(c, false);
        *slot = or_none(c, take(h.v));
        c.incref(value);
        *h.v = value;
        *slot.add(1) = value;
    }
}

/// Sets the exception saved at `top` (`items` 3: traceback, value, type; 1: the value),
/// consumed, as the current one: `RERAISE`, `END_FINALLY`.
///
/// # Safety
/// Called by compiled code with the GIL held; `top` points at the owned items.
pub unsafe extern "C" fn rt_restore(env: *const Env, top: *mut Obj, items: u32) {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let restore = c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore);
        if items == 3 {
            restore(*top.add(2), *top.add(1), *top);
        } else {
            let v = *top;
            let t = c.type_of(v);
            c.incref(t);
            let tb = c.func::<extern "C" fn(Obj) -> Obj>(Api::ExceptionGetTraceback)(v);
            restore(t, v, tb);
        }
    }
}

/// Before a re-raised exception leaves compiled code: takes off the traceback entry for this
/// frame that [`rt_catch`] added and points the frame at its instruction, so that the
/// trampoline's own entry replaces it.
///
/// # Safety
/// Called by compiled code with the GIL held and an exception set.
pub unsafe extern "C" fn rt_reraise_exit(env: *const Env) {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let here = frame(c);
        if let Some(lasti) = drop_leading_entries(c, 1, |f| f == here) {
            super::set_lasti(env, lasti as u32);
        }
    }
}

/// Takes up to `max` leading entries off the current exception's traceback while `ours` holds
/// for their frame (borrowed); returns the `tb_lasti` of the last one taken.
///
/// # Safety
/// GIL held, an exception set.
pub(super) unsafe fn drop_leading_entries(
    c: &CApi,
    max: usize,
    ours: impl Fn(Obj) -> bool,
) -> Option<i64> {
    // SAFETY: per the caller.
    unsafe {
        let (mut t, mut v, mut tb) = (ptr::null_mut(), ptr::null_mut(), ptr::null_mut());
        c.func::<extern "C" fn(*mut Obj, *mut Obj, *mut Obj)>(Api::ErrFetch)(
            &mut t, &mut v, &mut tb,
        );
        let mut lasti = None;
        let mut taken = 0;
        while !tb.is_null() && taken < max {
            let f = c.getattr(tb, "tb_frame");
            let take = !f.is_null() && ours(f);
            c.decref(f);
            c.clear_error();
            if !take {
                break;
            }
            let (at, next) = (c.getattr_int(tb, "tb_lasti"), c.getattr(tb, "tb_next"));
            if next.is_null() {
                c.clear_error();
                break;
            }
            lasti = at;
            taken += 1;
            c.decref(tb);
            tb = if c.is_none(next) {
                c.decref(next);
                ptr::null_mut()
            } else {
                next
            };
        }
        // up to 3.11 the exception keeps its own reference to the traceback
        if taken > 0
            && !v.is_null()
            && c.has(Api::ExceptionSetTraceback)
            && super::is_exc_instance(c, v)
        {
            let tbv = if tb.is_null() {
                c.object(Api::NoneStruct)
            } else {
                tb
            };
            c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::ExceptionSetTraceback)(v, tbv);
        }
        c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore)(t, v, tb);
        lasti
    }
}

/// 3.x bare `raise`: re-raises the handled exception (returns 1), or sets the interpreter's
/// RuntimeError when there is none (returns 0: a new exception, raised here).
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_bare_raise(env: *const Env) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let h = handled(c, true);
        let (t, v, tb) = if h.t.is_null() {
            // 3.11+: the value alone
            let v = *h.v;
            if v.is_null() || c.is_none(v) {
                (ptr::null_mut(), v, ptr::null_mut())
            } else {
                let tb = c.func::<extern "C" fn(Obj) -> Obj>(Api::ExceptionGetTraceback)(v);
                c.incref(v);
                let t = c.type_of(v);
                c.incref(t);
                (t, v, tb)
            }
        } else {
            let t = *h.t;
            if t.is_null() || c.is_none(t) {
                (ptr::null_mut(), ptr::null_mut(), ptr::null_mut())
            } else {
                let (v, tb) = (*h.v, *h.tb);
                c.incref(t);
                c.incref(v);
                c.incref(tb);
                (t, v, tb)
            }
        };
        if t.is_null() {
            c.set_error(
                c.object(Api::ExcRuntimeError),
                "No active exception to reraise",
            );
            return 0;
        }
        c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore)(t, v, tb);
        1
    }
}

/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn is_exc_class(c: &CApi, o: Obj) -> bool {
    // SAFETY: GIL held.
    unsafe { super::is_exc_class(c, o) }
}

/// `except cls:` matching the exception `exc` (borrowed): 1 if it matches, 0 if not, -1 with
/// the interpreter's TypeError if `cls` is not an exception class or a tuple of them.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_exc_match(env: *const Env, exc: Obj, cls: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let matches = c.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::ErrGivenExceptionMatches);
        if c.has(Api::InstanceType) {
            // builds with classic classes accept any class (2.7 only warns under -3), and
            // warn about strings
            let is_str = |o: Obj| super::has_type_flag(c, o, "Py_TPFLAGS_STRING_SUBCLASS", 1 << 27);
            let strings = if super::has_type_flag(c, cls, "Py_TPFLAGS_TUPLE_SUBCLASS", 1 << 26) {
                let n = c.read::<isize>(
                    cls as *const c_void,
                    c.descriptor().layout.var_object.ob_size,
                );
                (0..n).any(|i| is_str(c.tuple_item(cls, i)))
            } else {
                is_str(cls)
            };
            if strings
                && c.func::<extern "C" fn(Obj, *const std::ffi::c_char, isize) -> c_int>(
                    Api::ErrWarnEx,
                )(
                    c.object(Api::ExcDeprecationWarning),
                    c"catching of string exceptions is deprecated".as_ptr(),
                    1,
                ) < 0
            {
                return -1;
            }
            return matches(exc, cls);
        }
        let valid = if super::has_type_flag(c, cls, "Py_TPFLAGS_TUPLE_SUBCLASS", 1 << 26) {
            let n = c.read::<isize>(
                cls as *const c_void,
                c.descriptor().layout.var_object.ob_size,
            );
            (0..n).all(|i| is_exc_class(c, c.tuple_item(cls, i)))
        } else {
            is_exc_class(c, cls)
        };
        if !valid {
            c.set_error(
                c.object(Api::ExcTypeError),
                "catching classes that do not inherit from BaseException is not allowed",
            );
            return -1;
        }
        matches(exc, cls)
    }
}

/// Special-method lookup (`_PyObject_LookupSpecial`): the attribute found on the type, bound to
/// `o`. NULL without an exception when missing.
///
/// # Safety
/// The GIL is held and every object argument is live (or NULL where the description allows).
unsafe fn lookup_special(c: &CApi, o: Obj, name: Obj) -> Obj {
    // SAFETY: GIL held.
    unsafe {
        let t = c.type_of(o);
        if c.has(Api::InstanceType) && t == c.object(Api::InstanceType) {
            // 2.7 old-style instance: ordinary attribute lookup
            let r = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetAttr)(o, name);
            if r.is_null() {
                c.clear_error();
            }
            return r;
        }
        let res = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::TypeLookup)(t, name);
        if res.is_null() {
            return res;
        }
        let get_off = c.descriptor().layout.type_object.tp_descr_get;
        let get: *const c_void = c.read(c.type_of(res) as *const c_void, get_off);
        if get.is_null() {
            c.incref(res);
            res
        } else {
            let get: extern "C" fn(Obj, Obj, Obj) -> Obj = std::mem::transmute(get);
            get(res, o, t)
        }
    }
}

/// Enters context manager `mgr` (consumed): `out[0]` gets the bound `__exit__`, `out[1]` the
/// result of `__enter__()`. Returns 0, or -1 with an exception if a lookup failed (nothing
/// stored), or -2 if `__enter__` raised (`out[0]` stored). `exit_first`: 2.7's lookup order.
///
/// # Safety
/// Called by compiled code with the GIL held; `out` has room for two items.
pub unsafe extern "C" fn rt_with_enter(
    env: *const Env,
    mgr: Obj,
    out: *mut Obj,
    exit_first: c_int,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let (enter, exit) = if exit_first != 0 {
            let exit = lookup_special(c, mgr, r.exit_name);
            let enter = if exit.is_null() {
                exit
            } else {
                lookup_special(c, mgr, r.enter_name)
            };
            (enter, exit)
        } else {
            let enter = lookup_special(c, mgr, r.enter_name);
            let exit = if enter.is_null() {
                enter
            } else {
                lookup_special(c, mgr, r.exit_name)
            };
            (enter, exit)
        };
        if enter.is_null() || exit.is_null() {
            c.decref(enter);
            c.decref(exit);
            if !c.error_occurred() {
                // the interpreter's own error (its wording varies by version)
                c.incref(mgr);
                raise_computed(c, r.with_error, c.new_tuple(&[mgr]));
            }
            c.decref(mgr);
            return -1;
        }
        c.decref(mgr);
        *out = exit;
        let res = c.call0(enter);
        c.decref(enter);
        if res.is_null() {
            return -2;
        }
        *out.add(1) = res;
        0
    }
}

/// Calls `__exit__` (borrowed) with the exception saved at `top` (`items` 3: traceback,
/// value, type; 1: the value), borrowed. Returns its result or NULL.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_with_exit(
    env: *const Env,
    exit: Obj,
    top: *mut Obj,
    items: u32,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let (t, v, tb) = if items == 3 {
            let (t, v, tb) = (*top.add(2), *top.add(1), *top);
            c.incref(t);
            c.incref(v);
            c.incref(tb);
            (t, v, tb)
        } else {
            let v = *top;
            let t = c.type_of(v);
            c.incref(t);
            c.incref(v);
            let tb = c.func::<extern "C" fn(Obj) -> Obj>(Api::ExceptionGetTraceback)(v);
            (t, v, or_none(c, tb))
        };
        c.call(exit, &[t, or_none(c, v), or_none(c, tb)])
    }
}

/// 2.7 `raise` with `n` operands (0: re-raise), consumed (NULL where absent), done by the
/// interpreter's `do_raise`. Returns 1 when that is a re-raise (the exception keeps a traceback,
/// so the raising frame is not added to it), 0 for a new exception; the exception is set.
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_raise27(env: *const Env, n: u32, a: Obj, b: Obj, cc: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let res = c.call(
            r.raise27,
            &[
                c.new_int(n as _),
                or_none(c, a),
                or_none(c, b),
                or_none(c, cc),
            ],
        );
        if res.is_null() {
            return 0;
        }
        let item = |i| {
            let o = c.tuple_item(res, i);
            c.incref(o);
            o
        };
        let (t, v, tb) = (item(0), item(1), item(2));
        let reraised = c.tuple_item(res, 3) == c.object(Api::TrueStruct);
        c.decref(res);
        let tb = if c.is_none(tb) {
            c.decref(tb);
            ptr::null_mut()
        } else {
            tb
        };
        c.func::<extern "C" fn(Obj, Obj, Obj)>(Api::ErrRestore)(t, v, tb);
        c_int::from(reraised)
    }
}

/// The int compiled code puts in a `finally` block's status slot for pending action `n` (small:
/// the interpreter's cached ints, so this does not fail).
///
/// # Safety
/// Called by compiled code with the GIL held.
pub unsafe extern "C" fn rt_action(env: *const Env, n: u32) -> Obj {
    // SAFETY: per the caller.
    unsafe { rt(env).capi.new_long(n as _) }
}

/// The pending action number in status int `status` (borrowed).
///
/// # Safety
/// Called by compiled code with the GIL held; `status` an int from [`rt_action`].
pub unsafe extern "C" fn rt_action_of(env: *const Env, status: Obj) -> c_int {
    // SAFETY: per the caller.
    unsafe { rt(env).capi.as_long(status) as c_int }
}
