//! Run-time support of the specialised code (see `codegen::typed`): counting failed guards,
//! making the objects the generic code takes over (a range iterator part-way through a counted
//! loop), and the few operations whose Python semantics are easier to state in Rust than in
//! LLVM IR (integer powers with overflow, float floor division and modulo, C's `pow`).

use super::entry::CompiledFunction;
use super::{rt, Env};
use crate::ir::Op;
use crate::spec::{Konst, Plan, Ty};
use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::Api;
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicU64, Ordering};

/// Guards that failed, in every function: each sent a call from its specialised code to its
/// generic code (`anyjit.stats()['guard_failures']`).
pub static GUARD_FAILURES: AtomicU64 = AtomicU64::new(0);

/// Where a deopt finds what it hands to the generic code (see [`DeoptSite`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A typed local: its value, then flags (1: bound), then its box or 0, in the
    /// buffer.
    Local(u32),
    /// A stack slot holding an unboxed value.
    Stack(u32),
}

/// One unboxed value a deopt boxes: where it goes, its type, and its first word in the
/// buffer the specialised code fills (a double as its bits, a truth value as 0 or 1, a range
/// as start, stop, step).
#[derive(Debug, Clone, Copy)]
pub struct DeoptEntry {
    /// Where the box goes.
    pub slot: Slot,
    /// The value's type.
    pub ty: Ty,
    /// Its first word.
    pub at: u32,
    /// A typed local's: the index of an earlier entry whose local holds the same object here
    /// (see [`crate::spec::Plan::aliases`]), which gets the same box.
    pub same: Option<u32>,
}

/// A deopt point of the specialised code: the instruction the generic code resumes at, the
/// stack depth there, and the unboxed values live there.
#[derive(Debug, Clone)]
pub struct DeoptSite {
    /// The instruction (index into the function's instructions).
    pub instr: usize,
    /// The site counted when it fails: the instruction, or the instruction count plus a
    /// typed local's index for a local found of another type on entry (`usize::MAX`: not
    /// counted, an on-stack replacement the generic code takes).
    pub noted: usize,
    /// The stack depth before it.
    pub depth: u32,
    /// The values to box.
    pub entries: Vec<DeoptEntry>,
}

/// The generic code a specialised tier resumes at its deopt points:
/// `PyObject *resume(env, locals, stack, code)`, `code` being twice the site's index, plus
/// one to raise the exception set at the site's instruction instead of running it.
pub type ResumeFn = unsafe extern "C" fn(*const Env, *mut Obj, *mut Obj, c_int) -> Obj;

/// Compiles the generic code of a function for resuming at the given instructions (see
/// [`set_resumer`]).
pub type Resumer = fn(&CompiledFunction, &[usize]) -> Result<crate::codegen::Compiled, String>;

static RESUMER: std::sync::OnceLock<Resumer> = std::sync::OnceLock::new();

/// Installs the function deopts have the generic code compiled with (once; the extension,
/// which owns the LLVM context, does).
pub fn set_resumer(f: Resumer) {
    let _ = RESUMER.set(f);
}

/// The deopt points of one specialised compilation, and the generic code they resume,
/// compiled when a guard first fails (most specialised code never needs it).
#[derive(Default)]
pub struct DeoptTable {
    /// Its deopt points, by index.
    pub sites: std::cell::RefCell<Vec<DeoptSite>>,
    /// The generic code, once compiled (or why it could not be).
    pub resume: std::cell::OnceCell<Result<crate::codegen::Compiled, String>>,
}

/// Called by a failing guard of the specialised code at deopt point `site` of `table`, with
/// the live unboxed values in `buf` and the frame's local and stack slots: counts the failure
/// (for the statistics, and for the function, which is specialised again without that guard
/// when its guards keep failing), boxes the values into their slots, and runs the generic
/// code from the guarded instruction to the end of the call; returns what it returns. The
/// slots are the generic code's from then on (it releases them).
///
/// # Safety
/// Called by compiled code with the GIL held, `env` live, `table` the running code's, `buf`,
/// `locals` and `stack` as the site says.
pub unsafe extern "C" fn rt_deopt(
    env: *const Env,
    table: *const DeoptTable,
    site: u32,
    buf: *const u64,
    locals: *mut Obj,
    stack: *mut Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let table = &*table;
        let owner = (*env).owner.as_ref();
        let (noted, depth, entries) = {
            let sites = table.sites.borrow();
            let s = &sites[site as usize];
            (s.noted, s.depth, s.entries.clone())
        };
        if noted != usize::MAX {
            GUARD_FAILURES.fetch_add(1, Ordering::Relaxed);
            if let Some(owner) = owner {
                owner.note_deopt(noted);
            }
        }
        let word = |k: u32| *buf.add(k as usize);
        let mut failed = false;
        // each entry's box, for a local that holds the same object (`same`)
        let mut made: Vec<Obj> = vec![std::ptr::null_mut(); entries.len()];
        for (k, e) in entries.iter().enumerate() {
            let dest = match e.slot {
                Slot::Local(l) => {
                    let p = locals.add(l as usize);
                    let flags = word(e.at + 1);
                    let cache = word(e.at + 2) as usize as Obj;
                    if flags & 1 == 0 {
                        // unbound: its box (if any) is released (a bound local goes on to
                        // the generic code even if it is never read again: the frame shows
                        // it until the call ends, as the interpreter's does)
                        c.decref(cache);
                        continue;
                    }
                    if !cache.is_null() {
                        *p = cache;
                        made[k] = cache;
                        continue;
                    }
                    let shared = e.same.map_or(std::ptr::null_mut(), |m| made[m as usize]);
                    if !shared.is_null() {
                        c.incref(shared);
                        *p = shared;
                        made[k] = shared;
                        continue;
                    }
                    p
                }
                Slot::Stack(j) => stack.add(j as usize),
            };
            let o = match e.ty {
                Ty::Int => box_int(c, word(e.at) as i64),
                Ty::Float => c.new_float(f64::from_bits(word(e.at))),
                Ty::Bool => c.new_bool(word(e.at) != 0),
                Ty::Borrowed => {
                    let o = word(e.at) as usize as Obj;
                    c.incref(o);
                    o
                }
                Ty::Range | Ty::RangeIter => rt_make_range(
                    env,
                    word(e.at) as i64,
                    word(e.at + 1) as i64,
                    word(e.at + 2) as i64,
                    c_int::from(e.ty == Ty::RangeIter),
                ),
                Ty::ListIter | Ty::TupleIter => rt_seq_iter(env, *dest, word(e.at) as i64),
                Ty::Obj => std::ptr::null_mut(),
            };
            failed |= o.is_null();
            *dest = o;
            made[k] = o;
        }
        let resume = match owner {
            Some(owner) => table.resume.get_or_init(|| {
                let instrs: Vec<usize> = table.sites.borrow().iter().map(|s| s.instr).collect();
                match RESUMER.get() {
                    Some(r) => r(owner, &instrs),
                    None => Err("no compiler for the generic code".into()),
                }
            }),
            None => &Err("no compiled function".to_string()),
        };
        match resume.as_ref().map(|r| r.resume) {
            Ok(Some(f)) => f(env, locals, stack, (site * 2 + u32::from(failed)) as c_int),
            other => {
                // nothing can run the rest of the call: release what the slots hold and fail
                let why = match other {
                    Err(e) => e.clone(),
                    _ => "no entry point".into(),
                };
                for j in 0..depth as usize {
                    c.decref(*stack.add(j));
                }
                if let Some(owner) = owner {
                    for l in 0..owner.slots.total as usize {
                        c.decref(*locals.add(l));
                        *locals.add(l) = std::ptr::null_mut();
                    }
                }
                if !failed {
                    c.set_error(
                        c.object(Api::ExcSystemError),
                        &format!("anyjit: the generic code to resume could not be compiled: {why}"),
                    );
                }
                std::ptr::null_mut()
            }
        }
    }
}

/// A machine integer boxed as the build's int (2.7: its C-long `int`).
///
/// # Safety
/// GIL held.
pub(crate) unsafe fn box_int(c: &CApi, v: i64) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        if c.descriptor().layout.int.is_some() {
            c.new_int(v as std::ffi::c_long)
        } else {
            c.func::<extern "C" fn(i64) -> Obj>(Api::LongFromLongLong)(v)
        }
    }
}

/// `range(start, stop, step)`, or with `iter` an iterator over it: what the generic code takes
/// over from a counted loop (3.x `range`, 2.7 `xrange`, whose iteration 2.7's `range` list
/// would give too). A new reference, or NULL with an exception set.
///
/// # Safety
/// Called by compiled code with the GIL held, `env` live.
pub unsafe extern "C" fn rt_make_range(
    env: *const Env,
    start: i64,
    stop: i64,
    step: i64,
    iter: c_int,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = rt(env).capi;
        let r = c.call(
            c.object(Api::RangeType),
            &[box_int(c, start), box_int(c, stop), box_int(c, step)],
        );
        if r.is_null() || iter == 0 {
            return r;
        }
        let it = c.iter(r);
        c.decref(r);
        it
    }
}

/// An iterator over exact list or tuple `seq` (whose reference it takes over) from index `i`,
/// as their own iterators go: what a loop over one that the specialised code iterates by
/// index becomes when the generic code takes over. The sequence's own iterator (3.x: moved to
/// `i` by its `__setstate__`), which the generic code iterates at its speed; where that
/// cannot stand for it (2.7 part-way, an index past the end, which `__setstate__` would
/// clamp), `helpers.SeqIter`. A new reference, or NULL with an exception set.
///
/// # Safety
/// Called by compiled code with the GIL held, `env` live, `seq` an owned reference.
pub unsafe extern "C" fn rt_seq_iter(env: *const Env, seq: Obj, i: i64) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let r = rt(env);
        let c = r.capi;
        let d = c.descriptor();
        let len = c.read::<isize>(seq as *const std::ffi::c_void, d.layout.var_object.ob_size);
        let own = i == 0 || (d.identity.version.0 >= 3 && i <= len as i64);
        if own {
            let it = c.iter(seq);
            if it.is_null() || i == 0 {
                c.decref(seq);
                return it;
            }
            let set = c.getattr(it, "__setstate__");
            let done = if set.is_null() {
                std::ptr::null_mut()
            } else {
                let v = c.call(set, &[box_int(c, i)]);
                c.decref(set);
                v
            };
            if !done.is_null() {
                c.decref(done);
                c.decref(seq);
                return it;
            }
            c.clear_error();
            c.decref(it);
        }
        c.call(r.seq_iter, &[seq, box_int(c, i)])
    }
}

/// Whether 2.7's `range(start, stop, step)` (`step` not 0) builds its list, which it does up to
/// INT_MAX items (more raise OverflowError, left to the generic code).
pub extern "C" fn rt_range_fits_list(start: i64, stop: i64, step: i64) -> c_int {
    let (lo, hi, step) = if step > 0 {
        (start, stop, step as u64)
    } else {
        (stop, start, step.unsigned_abs())
    };
    let len = if lo < hi {
        (hi.wrapping_sub(lo) as u64 - 1) / step + 1
    } else {
        0
    };
    c_int::from(len <= i32::MAX as u64)
}

/// `a ** b` of machine integers of `bits` bits into `*out`: 1, or 0 where Python's answer is
/// not such an integer (a negative exponent gives a float; an overflow a bigger int).
///
/// # Safety
/// `out` is writable.
pub unsafe extern "C" fn rt_int_pow(a: i64, b: i64, bits: c_int, out: *mut i64) -> c_int {
    if b < 0 {
        return 0;
    }
    let (mut base, mut e, mut acc) = (a, b as u64, 1i64);
    let fits = |v: i64| bits >= 64 || (v >= -(1i64 << (bits - 1)) && v < (1i64 << (bits - 1)));
    while e > 0 {
        if e & 1 == 1 {
            match acc.checked_mul(base) {
                Some(v) if fits(v) => acc = v,
                _ => return 0,
            }
        }
        e >>= 1;
        if e > 0 {
            match base.checked_mul(base) {
                Some(v) if fits(v) => base = v,
                _ => return 0,
            }
        }
    }
    // SAFETY: per the caller.
    unsafe { *out = acc };
    1
}

/// `x % y` of floats (`y` not 0) as Python computes it: C's `fmod`, moved to the divisor's
/// sign; a zero result takes the divisor's sign.
pub extern "C" fn rt_float_mod(x: f64, y: f64) -> f64 {
    let m = x % y;
    if m != 0.0 {
        if (y < 0.0) != (m < 0.0) {
            m + y
        } else {
            m
        }
    } else {
        0.0f64.copysign(y)
    }
}

/// `x // y` of floats (`y` not 0) as Python computes it (float_divmod's quotient).
pub extern "C" fn rt_float_floordiv(x: f64, y: f64) -> f64 {
    let m = x % y;
    let mut div = (x - m) / y;
    if m != 0.0 && (y < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div != 0.0 {
        let mut q = div.floor();
        if div - q > 0.5 {
            q += 1.0;
        }
        q
    } else {
        0.0f64.copysign(x / y)
    }
}

/// C's `pow(x, y)`, as the float type calls it (for a finite positive base and a finite
/// exponent, where it has no special cases of its own).
pub extern "C" fn rt_float_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// The specialisation of `cf` for its recorded type feedback, leaving out the guards that
/// failed before; `Err` says why there is none (nothing worth specialising, or an analysis
/// that cannot vouch for a plan).
///
/// Without `speculate`, the plan is made from the code alone, as if no site had run and no
/// constant were a number: it has no guard and no unboxed value, and only saves reference
/// counts (a local's value or a constant pushed borrowed, where what takes it does not keep
/// it). The optimising tier compiles its generic code with such a plan where nothing is
/// specialised.
///
/// # Safety
/// GIL held; `cf` is live.
pub unsafe fn plan_for(c: &CApi, cf: &CompiledFunction, speculate: bool) -> Result<Plan, String> {
    // SAFETY: per the caller.
    unsafe {
        let consts = if speculate {
            classify_consts(c, cf.consts)
        } else {
            vec![Konst::Other; classify_consts(c, cf.consts).len()]
        };
        let known = super::known_callables(c);
        let ranges: Vec<usize> = [known.range_type, known.range_list]
            .into_iter()
            .filter(|&a| a != 0 && speculate)
            .collect();
        let n = cf.slots.total as usize;
        let mut excluded = vec![!speculate; n];
        for e in excluded.iter_mut().skip(cf.slots.free_start as usize) {
            *e = true;
        }
        for &(slot, param) in &cf.slots.implicit_cells {
            for x in std::iter::once(slot).chain(param) {
                if let Some(e) = excluded.get_mut(x as usize) {
                    *e = true;
                }
            }
        }
        for ins in &cf.ir.instrs {
            if let Op::LoadDeref { slot }
            | Op::StoreDeref { slot }
            | Op::DeleteDeref { slot }
            | Op::LoadClosure { slot }
            | Op::LoadClassDeref { slot }
            | Op::MakeCell { slot } = ins.op
            {
                if let Some(e) = excluded.get_mut(slot as usize) {
                    *e = true;
                }
            }
            // (`super()` reads the first argument from its slot, as the interpreter from the
            // frame: a boxed value)
            if let Op::CallSuper { self_slot, .. } = ins.op {
                if let Some(e) = excluded.get_mut(self_slot as usize) {
                    *e = true;
                }
            }
        }
        let failed: Vec<usize> = cf.spec.borrow().failed.keys().copied().collect();
        let ninstrs = cf.ir.instrs.len();
        for &f in &failed {
            // a local whose guard at entry failed stays boxed
            if let Some(e) = f.checked_sub(ninstrs).and_then(|l| excluded.get_mut(l)) {
                *e = true;
            }
        }
        let word = |i: usize| {
            if !speculate {
                return 0;
            }
            cf.feedback
                .get(i)
                .map_or(0, |w| w.load(std::sync::atomic::Ordering::Relaxed))
        };
        let failed_at = |i: usize| failed.binary_search(&i).is_ok();
        let d = c.descriptor();
        let int_bits = if d.layout.int.is_some() {
            (d.constant("SIZEOF_LONG").unwrap_or(8) * 8) as u32
        } else {
            64
        };
        let mut plan = crate::spec::plan(&crate::spec::Inputs {
            func: &cf.ir,
            nlocals: cf.slots.total,
            nparams: cf.nparams(),
            excluded,
            consts: &consts,
            word: &word,
            failed: &failed_at,
            ranges: &ranges,
            int_bits,
            borrow_globals: d.identity.version.0 == 2,
        });
        if let Ok(p) = &mut plan {
            p.speculative = speculate;
        }
        plan
    }
}

/// `co_consts` as the specialised code can use them: ints that fit its machine integer and
/// floats, by value.
///
/// # Safety
/// GIL held; `consts` is a tuple (or NULL).
unsafe fn classify_consts(c: &CApi, consts: Obj) -> Vec<Konst> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        if consts.is_null() {
            return Vec::new();
        }
        let d = c.descriptor();
        let l = &d.layout;
        let n = c.func::<extern "C" fn(Obj) -> isize>(Api::TupleSize)(consts);
        (0..n.max(0))
            .map(|i| {
                let o = c.tuple_item(consts, i);
                if o.is_null() {
                    c.clear_error();
                    return Konst::Other;
                }
                let t = c.type_of(o);
                if let Some(il) = l.int {
                    if t == c.object(Api::IntType) {
                        let bits = d.constant("SIZEOF_LONG").unwrap_or(8) * 8;
                        let v: i64 = if bits == 32 {
                            i64::from(c.read::<i32>(o as *const c_void, il.ob_ival))
                        } else {
                            c.read::<i64>(o as *const c_void, il.ob_ival)
                        };
                        return Konst::Int(v);
                    }
                } else if t == c.object(Api::LongType) && c.has(Api::LongAsLongLongAndOverflow) {
                    let mut ovf: c_int = 0;
                    let v = c.func::<extern "C" fn(Obj, *mut c_int) -> i64>(
                        Api::LongAsLongLongAndOverflow,
                    )(o, &mut ovf);
                    if ovf == 0 && !(v == -1 && c.error_occurred()) {
                        return Konst::Int(v);
                    }
                    c.clear_error();
                    return Konst::Other;
                }
                if t == c.object(Api::FloatType) {
                    return Konst::Float(c.read::<f64>(o as *const c_void, l.float.ob_fval));
                }
                Konst::Other
            })
            .collect()
    }
}

/// The addresses of the items of `co_consts` (for [`crate::codegen::Codegen::constants`]).
///
/// # Safety
/// GIL held; `consts` is a tuple (or NULL).
pub unsafe fn const_addrs(c: &CApi, consts: Obj) -> Vec<usize> {
    // SAFETY: per the caller.
    unsafe {
        if consts.is_null() {
            return Vec::new();
        }
        let n = c.func::<extern "C" fn(Obj) -> isize>(Api::TupleSize)(consts);
        (0..n.max(0))
            .map(|i| c.tuple_item(consts, i) as usize)
            .collect()
    }
}
