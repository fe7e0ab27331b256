//! The specialised copy of a function: the steps of a [`crate::spec::Plan`] as machine code.
//!
//! Unboxed values live in shadow slots beside the generic ones (one `alloca` each, which
//! LLVM promotes to registers): an `i64` and a `double` per local and per stack slot, a bound
//! flag per local, a truth value and a range's stop and step per stack slot. The generic slot
//! of an unboxed stack item holds NULL, so that every release and unwinding path of the
//! generic code stays right; the generic slot of a typed local holds NULL or a box of its
//! value (a box made once for the generic code that needs one, or the object it was stored
//! from).
//!
//! A guard that fails branches to the instruction's deopt block, which writes the live unboxed
//! values (typed locals live there, unboxed stack items) to a buffer and calls
//! `runtime::rt_deopt`: it boxes them into their generic slots and runs the function's
//! generic code from the same instruction, which runs it again from the same state, to the
//! end of the call. The generic code is a function of its own, compiled when a guard first
//! fails (most specialised code never needs it); its entry switches to the instruction.

use super::{llvm_err, Codegen, R};
use crate::ir::{BinOp, CallSlot, CmpOp, Cond, Op, UnOp};
use crate::runtime;
use crate::runtime::guards::{DeoptEntry, DeoptSite, DeoptTable, Slot};
use crate::spec::{Conv, Konst, Num, Src, Step, Ty};
use anyjit_abi::Api;
use inkwell::basic_block::BasicBlock;
use inkwell::values::{FloatValue, IntValue, PointerValue};
use inkwell::{FloatPredicate, IntPredicate};

/// The `noted` site of a deopt that is no guard failure: an on-stack replacement whose loop
/// the specialised code cannot take over (its iterator is the interpreter's), which the generic
/// code runs instead.
pub(super) const NOT_A_FAILURE: usize = usize::MAX;

/// The shadow slots of the specialised copy (see the module doc).
pub(super) struct Shadows<'ctx> {
    /// Per local: machine integer.
    pub lint: Vec<PointerValue<'ctx>>,
    /// Per local: double.
    pub lfloat: Vec<PointerValue<'ctx>>,
    /// Per local: bound.
    pub lbound: Vec<PointerValue<'ctx>>,
    /// Per local: its box (a new reference) or NULL. A typed local's generic slot holds NULL
    /// in the specialised code; its box lives here, where LLVM follows it.
    pub lcache: Vec<PointerValue<'ctx>>,
    /// Per stack slot: machine integer (a range's next value).
    pub sint: Vec<PointerValue<'ctx>>,
    /// Per stack slot: double.
    pub sfloat: Vec<PointerValue<'ctx>>,
    /// Per stack slot: truth value.
    pub sbool: Vec<PointerValue<'ctx>>,
    /// Per stack slot: a range's stop.
    pub sstop: Vec<PointerValue<'ctx>>,
    /// Per stack slot: a range's step.
    pub sstep: Vec<PointerValue<'ctx>>,
    /// Per stack slot: a borrowed object.
    pub sptr: Vec<PointerValue<'ctx>>,
    /// The deopt buffer (see [`DeoptEntry`]).
    pub buf: PointerValue<'ctx>,
}

/// A value of one stack slot in registers.
#[derive(Clone, Copy)]
enum Val<'ctx> {
    Obj(PointerValue<'ctx>),
    Borrowed(PointerValue<'ctx>),
    /// An iterator over a list or tuple: the sequence (owned, in the generic slot), the next
    /// index.
    SeqIter(PointerValue<'ctx>, IntValue<'ctx>),
    Int(IntValue<'ctx>),
    Float(FloatValue<'ctx>),
    Bool(IntValue<'ctx>),
    Range(IntValue<'ctx>, IntValue<'ctx>, IntValue<'ctx>),
}

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// Allocates the shadow slots (in the entry block) for `nlocals` locals and `depth` stack
    /// slots.
    pub(super) fn make_shadows(&mut self, depth: u32) -> R<()> {
        let i64t = self.t.i64;
        let f64t = self.ctx.f64_type();
        let i1 = self.ctx.bool_type();
        // three words per local (value, flags, box), three per stack slot (a range)
        let words = 3 * u64::from(self.nlocals) + 3 * u64::from(depth) + 1;
        let buf = self
            .b
            .build_array_alloca(i64t, self.t.i32.const_int(words, false), "deopt_buf")
            .map_err(llvm_err)?;
        let mut sh = Shadows {
            buf,
            lint: Vec::new(),
            lfloat: Vec::new(),
            lbound: Vec::new(),
            lcache: Vec::new(),
            sint: Vec::new(),
            sfloat: Vec::new(),
            sbool: Vec::new(),
            sstop: Vec::new(),
            sstep: Vec::new(),
            sptr: Vec::new(),
        };
        let plan = self.plan.as_ref().expect("plan");
        for l in 0..self.nlocals as usize {
            let typed = plan.locals.get(l).copied().flatten();
            // (untyped locals get a dummy of each, never used: mem2reg drops them)
            let a = self.b.build_alloca(i64t, "lint").map_err(llvm_err)?;
            let f = self.b.build_alloca(f64t, "lfloat").map_err(llvm_err)?;
            let bnd = self.b.build_alloca(i1, "lbound").map_err(llvm_err)?;
            self.b.build_store(a, i64t.const_zero()).map_err(llvm_err)?;
            self.b.build_store(f, f64t.const_zero()).map_err(llvm_err)?;
            let bound = u64::from(typed.is_some() && (l as u32) < self.nparams);
            self.b
                .build_store(bnd, i1.const_int(bound, false))
                .map_err(llvm_err)?;
            let cache = self
                .b
                .build_alloca(self.t.obj, "lcache")
                .map_err(llvm_err)?;
            self.b
                .build_store(cache, self.t.obj.const_null())
                .map_err(llvm_err)?;
            sh.lint.push(a);
            sh.lfloat.push(f);
            sh.lbound.push(bnd);
            sh.lcache.push(cache);
        }
        for _ in 0..depth {
            for (v, ty) in [
                (&mut sh.sint, i64t.into()),
                (&mut sh.sstop, i64t.into()),
                (&mut sh.sstep, i64t.into()),
                (&mut sh.sfloat, inkwell::types::BasicTypeEnum::from(f64t)),
                (&mut sh.sbool, i1.into()),
                (&mut sh.sptr, self.t.obj.into()),
            ] {
                let p = self.b.build_alloca(ty, "shadow").map_err(llvm_err)?;
                v.push(p);
            }
        }
        self.shadows = Some(sh);
        Ok(())
    }

    fn sh(&self) -> &Shadows<'ctx> {
        self.shadows.as_ref().expect("shadows")
    }

    fn plan_ref(&self) -> &crate::spec::Plan {
        self.plan.as_ref().expect("plan")
    }

    fn ld_int(&self, p: PointerValue<'ctx>) -> R<IntValue<'ctx>> {
        Ok(self.b.build_load(p, "").map_err(llvm_err)?.into_int_value())
    }

    fn ld_float(&self, p: PointerValue<'ctx>) -> R<FloatValue<'ctx>> {
        Ok(self
            .b
            .build_load(p, "")
            .map_err(llvm_err)?
            .into_float_value())
    }

    /// Reads stack slot `j` holding a value of type `ty`.
    fn get_val(&self, j: u32, ty: Ty) -> R<Val<'ctx>> {
        let j_ = j as usize;
        Ok(match ty {
            Ty::Obj => Val::Obj(self.sget(j)?),
            Ty::Borrowed => Val::Borrowed(self.load(self.sh().sptr[j_])?),
            Ty::ListIter | Ty::TupleIter => {
                Val::SeqIter(self.sget(j)?, self.ld_int(self.sh().sint[j_])?)
            }
            Ty::Int => Val::Int(self.ld_int(self.sh().sint[j_])?),
            Ty::Float => Val::Float(self.ld_float(self.sh().sfloat[j_])?),
            Ty::Bool => Val::Bool(self.ld_int(self.sh().sbool[j_])?),
            Ty::Range | Ty::RangeIter => Val::Range(
                self.ld_int(self.sh().sint[j_])?,
                self.ld_int(self.sh().sstop[j_])?,
                self.ld_int(self.sh().sstep[j_])?,
            ),
        })
    }

    /// Writes `v` to stack slot `j` (an unboxed value leaves NULL in the generic slot).
    fn put_val(&self, j: u32, v: Val<'ctx>) -> R<()> {
        let j_ = j as usize;
        let st = |p: PointerValue<'ctx>, x: inkwell::values::BasicValueEnum<'ctx>| -> R<()> {
            self.b.build_store(p, x).map_err(llvm_err)?;
            Ok(())
        };
        match v {
            Val::Obj(o) => return self.sset(j, o),
            Val::SeqIter(o, k) => {
                st(self.sh().sint[j_], k.into())?;
                return self.sset(j, o);
            }
            Val::Borrowed(o) => st(self.sh().sptr[j_], o.into())?,
            Val::Int(x) => st(self.sh().sint[j_], x.into())?,
            Val::Float(x) => st(self.sh().sfloat[j_], x.into())?,
            Val::Bool(x) => st(self.sh().sbool[j_], x.into())?,
            Val::Range(a, b, c) => {
                st(self.sh().sint[j_], a.into())?;
                st(self.sh().sstop[j_], b.into())?;
                st(self.sh().sstep[j_], c.into())?;
            }
        }
        self.sset(j, self.null())
    }

    /// Boxes a machine value into a new reference (NULL with an exception set on failure).
    fn box_val(&self, v: Val<'ctx>) -> R<PointerValue<'ctx>> {
        match v {
            Val::Obj(o) => Ok(o),
            Val::Borrowed(o) => {
                self.incref(o)?;
                Ok(o)
            }
            // (takes the sequence's reference over)
            Val::SeqIter(o, k) => self.helper_obj(
                runtime::rt_seq_iter as *const () as usize,
                &[self.env.expect("env").into(), o.into(), k.into()],
            ),
            Val::Int(x) => {
                if self.desc.layout.int.is_some() {
                    // 2.7: its own int (a C long; a narrower long keeps the value, checked by
                    // the arithmetic)
                    let lty = self.int_bits(self.long_bits());
                    let x = self
                        .b
                        .build_int_truncate_or_bit_cast(x, lty, "")
                        .map_err(llvm_err)?;
                    self.box_int(Api::NativeIntFromLong, x)
                } else {
                    self.box_int(Api::LongFromLongLong, x)
                }
            }
            Val::Float(x) => self.call_api(Api::FloatFromDouble, &[x.into()]),
            Val::Bool(x) => {
                let o = self.bool_obj(x)?;
                Ok(o)
            }
            Val::Range(a, b, c) => self.make_range(a, b, c, false),
        }
    }

    /// `range(start, stop, step)` (`iter` false) or an iterator over it, new reference.
    fn make_range(
        &self,
        start: IntValue<'ctx>,
        stop: IntValue<'ctx>,
        step: IntValue<'ctx>,
        iter: bool,
    ) -> R<PointerValue<'ctx>> {
        self.helper_obj(
            runtime::rt_make_range as *const () as usize,
            &[
                self.env.expect("env").into(),
                start.into(),
                stop.into(),
                step.into(),
                self.t.i32.const_int(u64::from(iter), false).into(),
            ],
        )
    }

    /// The box of typed local `l` (bound), made and kept in its generic slot if it has none;
    /// borrowed. Raises (at the current instruction, `live` items) if boxing fails.
    fn local_box(&self, l: u32, num: Num, live: u32) -> R<PointerValue<'ctx>> {
        let slot = self.sh().lcache[l as usize];
        let cached = self.load(slot)?;
        let have = self.b.get_insert_block().expect("positioned");
        let make = self.new_block("box_local");
        let done = self.new_block("boxed_local");
        let missing = self.b.build_is_null(cached, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(missing, make, done)
            .map_err(llvm_err)?;
        self.b.position_at_end(make);
        let v = self.local_val(l, num)?;
        let o = self.box_val(v)?;
        self.check_null(o, self.cur_offset(), live)?;
        self.store(slot, o)?;
        // the locals that hold the same object here get the same box (theirs is NULL too:
        // copies share their boxes)
        let i = self.current.get();
        let pairs = self.plan_ref().aliases.get(i).cloned().unwrap_or_default();
        for (a, b) in pairs {
            let other = match (a == l, b == l) {
                (true, _) => b,
                (_, true) => a,
                _ => continue,
            };
            self.incref(o)?;
            self.store(self.sh().lcache[other as usize], o)?;
        }
        let made = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.t.obj, "").map_err(llvm_err)?;
        phi.add_incoming(&[(&cached, have), (&o, made)]);
        Ok(phi.as_basic_value().into_pointer_value())
    }

    fn local_val(&self, l: u32, num: Num) -> R<Val<'ctx>> {
        Ok(match num {
            Num::Int => Val::Int(self.ld_int(self.sh().lint[l as usize])?),
            Num::Float => Val::Float(self.ld_float(self.sh().lfloat[l as usize])?),
        })
    }

    fn cur_offset(&self) -> u32 {
        self.func.instrs[self.current.get()].offset
    }

    /// Boxes unboxed stack slot `j` (of type `ty`, which came from `src`) in place; raises
    /// with `live` items if boxing fails.
    fn box_slot(&self, j: u32, ty: Ty, src: Src, live: u32) -> R<()> {
        if !ty.unboxed() {
            return Ok(());
        }
        let plan = self.plan_ref();
        let o = match (src, ty) {
            (Src::Local(l), Ty::Int | Ty::Float)
                if plan.locals.get(l as usize).copied().flatten().map(Num::ty) == Some(ty) =>
            {
                let num = if ty == Ty::Int { Num::Int } else { Num::Float };
                let o = self.local_box(l, num, live)?;
                self.incref(o)?;
                o
            }
            _ => {
                let v = self.get_val(j, ty)?;
                let o = match (ty, v) {
                    (Ty::RangeIter, Val::Range(a, b, c)) => self.make_range(a, b, c, true)?,
                    _ => self.box_val(v)?,
                };
                self.check_null(o, self.cur_offset(), live)?;
                o
            }
        };
        self.sset(j, o)
    }

    /// Guard-unboxes `v` (borrowed) as `num`: the value, or a branch to the deopt block.
    fn unbox(&self, v: PointerValue<'ctx>, num: Num) -> R<Val<'ctx>> {
        match num {
            Num::Float => {
                let ok = self.type_is(v, Api::FloatType)?;
                self.guard(ok)?;
                Ok(Val::Float(self.float_value(v)?))
            }
            Num::Int => {
                let x = self.unbox_int(v)?;
                Ok(Val::Int(x))
            }
        }
    }

    /// Guard-unboxes an exact int into a machine integer: 2.7's C long; 3.x's digits (two
    /// inline, more through `PyLong_AsLongLongAndOverflow`, which says whether it fits).
    fn unbox_int(&self, v: PointerValue<'ctx>) -> R<IntValue<'ctx>> {
        let l = &self.desc.layout;
        if let Some(il) = l.int {
            let ok = self.type_is(v, Api::IntType)?;
            self.guard(ok)?;
            return self.load_int(v, il.ob_ival, self.long_bits(), true);
        }
        let ok = self.type_is(v, Api::LongType)?;
        self.guard(ok)?;
        let word = u32::from(self.desc.identity.pointer_bits);
        let shift = self.desc.constant("PyLong_SHIFT").unwrap_or(30) as u64;
        let dbits = if shift > 16 { 32 } else { 16 };
        let i64t = self.t.i64;
        // digit count and sign
        let (n, neg) = if let (true, Some(tag_off)) = (self.desc.caps.long_value_tag, l.long.lv_tag)
        {
            let nsb = self.desc.constant("_PyLong_NON_SIZE_BITS").unwrap_or(3) as u64;
            let tag = self.load_int(v, tag_off, word, false)?;
            let n = self
                .b
                .build_right_shift(tag, i64t.const_int(nsb, false), false, "")
                .map_err(llvm_err)?;
            let sign = self
                .b
                .build_and(tag, i64t.const_int(3, false), "")
                .map_err(llvm_err)?;
            let neg = self
                .b
                .build_int_compare(IntPredicate::EQ, sign, i64t.const_int(2, false), "")
                .map_err(llvm_err)?;
            (n, neg)
        } else {
            let size = self.load_int(v, l.var_object.ob_size, word, true)?;
            let neg = self
                .b
                .build_int_compare(IntPredicate::SLT, size, i64t.const_zero(), "")
                .map_err(llvm_err)?;
            let minus = self.b.build_int_neg(size, "").map_err(llvm_err)?;
            let n = self
                .b
                .build_select(neg, minus, size, "")
                .map_err(llvm_err)?
                .into_int_value();
            (n, neg)
        };
        let small = self.new_block("unbox_small");
        let two = self.new_block("unbox_two");
        let big = self.new_block("unbox_big");
        let done = self.new_block("unboxed");
        let le1 = self
            .b
            .build_int_compare(IntPredicate::ULE, n, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        let is2 = self
            .b
            .build_int_compare(IntPredicate::EQ, n, i64t.const_int(2, false), "")
            .map_err(llvm_err)?;
        let not_small = self.new_block("unbox_more");
        self.b
            .build_conditional_branch(le1, small, not_small)
            .map_err(llvm_err)?;
        self.b.position_at_end(not_small);
        self.b
            .build_conditional_branch(is2, two, big)
            .map_err(llvm_err)?;
        // 0 or 1 digit (a zero has a digit 0 stored, or none read: multiplied by n)
        self.b.position_at_end(small);
        let d0 = self.load_int(v, l.long.ob_digit, dbits, false)?;
        let m0 = self.b.build_int_mul(d0, n, "").map_err(llvm_err)?;
        let small_end = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(two);
        let d0b = self.load_int(v, l.long.ob_digit, dbits, false)?;
        let d1 = self.load_int(v, l.long.ob_digit + dbits / 8, dbits, false)?;
        let hi = self
            .b
            .build_left_shift(d1, i64t.const_int(shift, false), "")
            .map_err(llvm_err)?;
        let m2 = self.b.build_or(hi, d0b, "").map_err(llvm_err)?;
        let two_end = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(big);
        let ovf = self.entry_alloca(self.t.i32.into(), "ovf")?;
        let x = self
            .call_addr(
                self.api(Api::LongAsLongLongAndOverflow)?,
                Some(i64t.into()),
                &[v.into(), ovf.into()],
            )?
            .expect("returns")
            .into_int_value();
        let o = self.ld_int(ovf)?;
        let fits = self
            .b
            .build_int_compare(IntPredicate::EQ, o, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        self.guard(fits)?;
        let big_end = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        let mag = self.b.build_phi(i64t, "").map_err(llvm_err)?;
        mag.add_incoming(&[(&m0, small_end), (&m2, two_end), (&x, big_end)]);
        let signed = self
            .b
            .build_phi(self.ctx.bool_type(), "")
            .map_err(llvm_err)?;
        let f = self.ctx.bool_type().const_zero();
        signed.add_incoming(&[(&neg, small_end), (&neg, two_end), (&f, big_end)]);
        let mag = mag.as_basic_value().into_int_value();
        let minus = self.b.build_int_neg(mag, "").map_err(llvm_err)?;
        Ok(self
            .b
            .build_select(signed.as_basic_value().into_int_value(), minus, mag, "")
            .map_err(llvm_err)?
            .into_int_value())
    }

    /// Continues only if `ok`; else resumes the generic code at the current instruction (or
    /// goes where [`Self::unbox_or`] says).
    fn guard(&self, ok: IntValue<'ctx>) -> R<()> {
        let deopt = match self.fail_to.get() {
            Some(b) => b,
            None => self.deopt_block()?,
        };
        let cont = self.new_block("guarded");
        let ok = self.expect_true(ok)?;
        self.b
            .build_conditional_branch(ok, cont, deopt)
            .map_err(llvm_err)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// `llvm.expect(c, true)`: guards hold, so that their failing paths are laid out cold.
    fn expect_true(&self, c: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        let i1 = self.ctx.bool_type();
        let f = inkwell::intrinsics::Intrinsic::find("llvm.expect")
            .and_then(|i| i.get_declaration(&self.module, &[i1.into()]))
            .ok_or_else(|| llvm_err("no llvm.expect"))?;
        Ok(self
            .b
            .build_call(f, &[c.into(), i1.const_int(1, false).into()], "")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| llvm_err("llvm.expect"))?
            .into_int_value())
    }

    /// The current instruction's deopt block (made on first use): its live unboxed values
    /// written to the deopt buffer, then [`runtime::rt_deopt`] boxes them into their slots and
    /// runs the generic code from this instruction to the end of the call, and the function
    /// returns what it returns.
    fn deopt_block(&self) -> R<BasicBlock<'ctx>> {
        let i = self.current.get();
        if let Some(b) = self.deopts.borrow().get(&i) {
            return Ok(*b);
        }
        let here = self.b.get_insert_block().expect("positioned");
        let block = self.new_block("deopt");
        self.deopts.borrow_mut().insert(i, block);
        self.b.position_at_end(block);
        let plan = self.plan_ref();
        let state = plan.before[i].clone().unwrap_or_default();
        let mut entries = Vec::new();
        let mut at = 0u32;
        // every typed local: its value, whether it is bound, its box (the generic code gets
        // the bound ones, live or not: the frame shows them until the call ends)
        for (l, t) in plan.locals.iter().enumerate() {
            let Some(num) = *t else {
                continue;
            };
            let l = l as u32;
            let v = self.local_val(l, num)?;
            self.put_words(at, v)?;
            let bound = self.ld_int(self.sh().lbound[l as usize])?;
            let bound = self
                .b
                .build_int_z_extend(bound, self.t.i64, "")
                .map_err(llvm_err)?;
            self.put_word(at + 1, bound)?;
            let cache = self.load(self.sh().lcache[l as usize])?;
            let cache = self
                .b
                .build_ptr_to_int(cache, self.t.i64, "")
                .map_err(llvm_err)?;
            self.put_word(at + 2, cache)?;
            // (a local holding the same object as one before it gets the same box)
            let same = plan.aliases.get(i).and_then(|pairs| {
                entries.iter().position(|e: &DeoptEntry| {
                    matches!(e.slot, Slot::Local(m)
                        if pairs.contains(&(m.min(l), m.max(l))))
                })
            });
            entries.push(DeoptEntry {
                slot: Slot::Local(l),
                ty: num.ty(),
                at,
                same: same.map(|k| k as u32),
            });
            at += 3;
        }
        for (j, &ty) in state.ty.iter().enumerate() {
            if !ty.unboxed() {
                continue;
            }
            let v = self.get_val(j as u32, ty)?;
            let n = self.put_words(at, v)?;
            entries.push(DeoptEntry {
                slot: Slot::Stack(j as u32),
                ty,
                at,
                same: None,
            });
            at += n;
        }
        self.deopt_call(DeoptSite {
            instr: i,
            noted: i,
            depth: state.ty.len() as u32,
            entries,
        })?;
        self.b.position_at_end(here);
        Ok(block)
    }

    /// A deopt block that resumes at instruction `i` with nothing to box (the entries: no
    /// value is unboxed yet, every local still in its generic slot), counted as site `noted`.
    fn plain_deopt(&self, i: usize, noted: usize) -> R<BasicBlock<'ctx>> {
        let here = self.b.get_insert_block().expect("positioned");
        let block = self.new_block("deopt_entry");
        self.b.position_at_end(block);
        let depth = self.func.instrs[i].depth.unwrap_or(0);
        self.deopt_call(DeoptSite {
            instr: i,
            noted,
            depth,
            entries: Vec::new(),
        })?;
        self.b.position_at_end(here);
        Ok(block)
    }

    /// Registers `site` in the deopt table and calls [`runtime::rt_deopt`] for it; returns
    /// what the generic code returns.
    fn deopt_call(&self, site: DeoptSite) -> R<()> {
        let table = self.deopt_table.as_ref().expect("deopt table");
        let k = {
            let mut sites = table.sites.borrow_mut();
            sites.push(site);
            sites.len() - 1
        };
        let addr = &**table as *const DeoptTable as u64;
        let locals = self.hand_over_locals()?;
        self.escape(0, self.stack_len)?;
        let r = self.helper_obj(
            runtime::rt_deopt as *const () as usize,
            &[
                self.env.expect("env").into(),
                self.t
                    .i64
                    .const_int(addr, false)
                    .const_to_pointer(self.t.obj)
                    .into(),
                self.t.i32.const_int(k as u64, false).into(),
                self.sh().buf.into(),
                locals.into(),
                self.stack.expect("stack").into(),
            ],
        )?;
        // the generic code took the slots over
        self.b.build_return(Some(&r)).map_err(llvm_err)?;
        Ok(())
    }

    /// Writes one word of the deopt buffer.
    fn put_word(&self, at: u32, w: IntValue<'ctx>) -> R<()> {
        // SAFETY (LLVM): the buffer holds every deopt's words (sized by make_shadows).
        let p = unsafe {
            self.b.build_gep(
                self.sh().buf,
                &[self.t.i32.const_int(u64::from(at), false)],
                "",
            )
        }
        .map_err(llvm_err)?;
        self.b.build_store(p, w).map_err(llvm_err)?;
        Ok(())
    }

    /// Writes a machine value to the deopt buffer at word `at`; returns the words written.
    fn put_words(&self, at: u32, v: Val<'ctx>) -> R<u32> {
        let i64t = self.t.i64;
        Ok(match v {
            Val::Int(x) => {
                self.put_word(at, x)?;
                1
            }
            Val::Float(x) => {
                let w = self
                    .b
                    .build_bit_cast(x, i64t, "")
                    .map_err(llvm_err)?
                    .into_int_value();
                self.put_word(at, w)?;
                1
            }
            Val::Bool(x) => {
                let w = self.b.build_int_z_extend(x, i64t, "").map_err(llvm_err)?;
                self.put_word(at, w)?;
                1
            }
            Val::Range(a, b, c) => {
                self.put_word(at, a)?;
                self.put_word(at + 1, b)?;
                self.put_word(at + 2, c)?;
                3
            }
            Val::Borrowed(p) => {
                let w = self.b.build_ptr_to_int(p, i64t, "").map_err(llvm_err)?;
                self.put_word(at, w)?;
                1
            }
            // (the sequence stays in the generic slot)
            Val::SeqIter(_, k) => {
                self.put_word(at, k)?;
                1
            }
            Val::Obj(_) => return Err(llvm_err("a deopt of a boxed value")),
        })
    }

    /// Guard-unboxes the typed parameters at entry: a parameter of another type runs the
    /// whole call in the generic code (counted against that parameter).
    pub(super) fn unbox_params(&self) -> R<()> {
        let n = self.func.instrs.len();
        let typed: Vec<(u32, Num)> = self
            .plan_ref()
            .locals
            .iter()
            .enumerate()
            .take(self.nparams as usize)
            .filter_map(|(l, t)| t.map(|x| (l as u32, x)))
            .collect();
        for &(p, num) in &typed {
            let v = self.load(self.local(p)?)?;
            let fail = self.plain_deopt(0, n + p as usize)?;
            let ok = self.unbox_or(v, num, fail)?;
            self.store_local_val(p, ok)?;
        }
        // every guard passed: the arguments become the typed locals' boxes
        for &(p, _) in &typed {
            self.take_box(p)?;
        }
        Ok(())
    }

    /// Moves typed local `l`'s object from its generic slot to its box slot.
    fn take_box(&self, l: u32) -> R<()> {
        let slot = self.local(l)?;
        let v = self.load(slot)?;
        self.store(self.sh().lcache[l as usize], v)?;
        self.store(slot, self.null())
    }

    /// Unboxes `v` as `num`, branching to `fail` if it is not one (for entries, which go to
    /// the generic copy's blocks rather than an instruction's deopt block).
    fn unbox_or(&self, v: PointerValue<'ctx>, num: Num, fail: BasicBlock<'ctx>) -> R<Val<'ctx>> {
        let saved = self.fail_to.replace(Some(fail));
        let r = self.unbox(v, num);
        self.fail_to.set(saved);
        r
    }

    fn store_local_val(&self, l: u32, v: Val<'ctx>) -> R<()> {
        let sh = self.sh();
        match v {
            Val::Int(x) => {
                self.b
                    .build_store(sh.lint[l as usize], x)
                    .map_err(llvm_err)?;
            }
            Val::Float(x) => {
                self.b
                    .build_store(sh.lfloat[l as usize], x)
                    .map_err(llvm_err)?;
            }
            _ => return Err(llvm_err("a typed local holds a number")),
        }
        self.b
            .build_store(
                sh.lbound[l as usize],
                self.ctx.bool_type().const_int(1, false),
            )
            .map_err(llvm_err)?;
        Ok(())
    }

    /// Before a generic instruction in the specialised copy: boxes the unboxed items it pops.
    pub(super) fn box_popped(&self, ins: &crate::ir::Instr, d: u32) -> R<()> {
        let i = self.current.get();
        self.borrowed_operands.set((i, 0));
        let Some(state) = self.plan_ref().before[i].clone() else {
            return Ok(());
        };
        let (pops, _) = ins.op.stack_effect();
        let takes = borrowable_operands(ins.op);
        let mut borrowed = 0u32;
        for j in d.saturating_sub(pops)..d {
            let ty = state.ty[j as usize];
            let k = d - 1 - j;
            if ty == Ty::Borrowed && k < 32 && takes & (1 << k) != 0 {
                // (the generic code reads it from its shadow slot and leaves it)
                borrowed |= 1 << k;
                continue;
            }
            self.box_slot(j, ty, state.src[j as usize], d)?;
        }
        self.borrowed_operands.set((i, borrowed));
        Ok(())
    }

    /// Whether operand slot `j` of the instruction being emitted at depth `d` is taken
    /// borrowed by its generic code (see [`borrowable_operands`]).
    pub(super) fn operand_borrowed(&self, j: u32, d: u32) -> bool {
        let (i, mask) = self.borrowed_operands.get();
        self.in_typed()
            && i == self.current.get()
            && j < d
            && d - 1 - j < 32
            && mask & (1 << (d - 1 - j)) != 0
    }

    /// Operand slot `j` of the instruction being emitted at depth `d`, for its generic code:
    /// the object the slot owns, or the one it borrows (a local's value, a constant) where
    /// that code takes it borrowed.
    pub(super) fn operand_obj(&self, j: u32, d: u32) -> R<PointerValue<'ctx>> {
        if self.operand_borrowed(j, d) {
            self.load(self.sh().sptr[j as usize])
        } else {
            self.sget(j)
        }
    }

    /// Releases operand `o` of slot `j` (depth `d`) once the generic code is done with it,
    /// unless it was taken borrowed.
    pub(super) fn release_operand(&self, j: u32, d: u32, o: PointerValue<'ctx>) -> R<()> {
        if self.operand_borrowed(j, d) {
            Ok(())
        } else {
            self.decref(o)
        }
    }

    /// The LLVM block a jump of the specialised copy to IR block `t` goes to, arriving with
    /// stack types `from`: the block itself, or one that first boxes what the target holds
    /// boxed.
    pub(super) fn typed_edge(
        &self,
        t: crate::ir::Block,
        from: &[Ty],
        dest: BasicBlock<'ctx>,
    ) -> R<BasicBlock<'ctx>> {
        let Some(Some(to)) = self.plan_ref().entry.get(t.0 as usize).cloned() else {
            return Ok(dest);
        };
        let boxes: Vec<(u32, Ty)> = from
            .iter()
            .zip(&to)
            .enumerate()
            .filter(|(_, (a, b))| a.unboxed() && **b == Ty::Obj)
            .map(|(j, (a, _))| (j as u32, *a))
            .collect();
        if boxes.is_empty() {
            return Ok(dest);
        }
        let here = self.b.get_insert_block().expect("positioned");
        let conv = self.new_block("edge_box");
        self.b.position_at_end(conv);
        for (j, ty) in boxes {
            self.box_slot(j, ty, Src::Maybe, from.len() as u32)?;
        }
        self.b.build_unconditional_branch(dest).map_err(llvm_err)?;
        self.b.position_at_end(here);
        Ok(conv)
    }

    /// Emits instruction `ins` (index `i`, depth `d`) of the specialised copy when its plan
    /// step is not [`Step::Generic`]; returns whether it ended the block, or `None` for a
    /// generic step (its unboxed operands boxed, for the generic code to follow).
    pub(super) fn emit_typed(
        &self,
        ins: &crate::ir::Instr,
        d: u32,
        next: Option<BasicBlock<'ctx>>,
    ) -> R<Option<bool>> {
        let i = self.current.get();
        let plan = self.plan_ref();
        let step = plan.steps[i];
        let tys: Vec<Ty> = plan.types(i).to_vec();
        let ty = |k: u32| tys[(d - k) as usize];
        // borrowed values of a local about to change get references first
        for &j in &plan.own[i] {
            self.box_slot(j, Ty::Borrowed, Src::Maybe, d)?;
        }
        match step {
            Step::LoadBorrowed => {
                let v = match ins.op {
                    Op::LoadConst { index } => self.const_item(index)?,
                    Op::LoadFast { local, checked } => {
                        let v = self.load(self.local(local)?)?;
                        if checked {
                            self.check_bound(v, local, d)?;
                        }
                        v
                    }
                    // (2.7: the dict's reference, for a list store right after)
                    Op::LoadGlobal {
                        name,
                        null: crate::ir::NullPush::No,
                    } => self.load_global(name, ins.offset, d, true)?,
                    _ => return Err(llvm_err("LoadBorrowed of another op")),
                };
                self.put_val(d, Val::Borrowed(v))?;
            }
            Step::TruthObj => {
                let v = self.obj_of(d - 1, Ty::Borrowed)?;
                match ins.op {
                    Op::ToBool => {
                        let t = self.truth(v, ins.offset, d - 1, false)?;
                        self.put_val(d - 1, Val::Bool(t))?;
                    }
                    Op::PopJumpIf { cond, target } => {
                        let taken = match cond {
                            Cond::True => self.truth(v, ins.offset, d - 1, false)?,
                            Cond::False => {
                                let t = self.truth(v, ins.offset, d - 1, false)?;
                                self.b.build_not(t, "").map_err(llvm_err)?
                            }
                            Cond::None | Cond::NotNone => {
                                let none = self.object(Api::NoneStruct)?;
                                self.same_object(v, none, cond == Cond::NotNone)?
                            }
                        };
                        self.branch_checked(taken, target, ins.offset, d - 1, &[], next)?;
                        return Ok(Some(true));
                    }
                    Op::JumpIfOrPop { when, target } => {
                        let t = self.truth(v, ins.offset, d, false)?;
                        self.jump_if_or_pop(t, when, target, d)?;
                    }
                    _ => return Err(llvm_err("a truth test of another op")),
                }
            }
            Step::Identity { invert } => {
                let a = self.obj_of(d - 2, ty(2))?;
                let b = self.obj_of(d - 1, ty(1))?;
                let r = self.same_object(a, b, invert)?;
                self.drop_obj(d - 2, ty(2))?;
                self.drop_obj(d - 1, ty(1))?;
                self.put_val(d - 2, Val::Bool(r))?;
            }
            Step::Generic => {
                self.box_popped(ins, d)?;
                return Ok(None);
            }
            Step::Shuffle => self.shuffle(ins.op, d, &tys)?,
            Step::Const(k) => {
                let v = match k {
                    Konst::Int(x) => Val::Int(self.t.i64.const_int(x as u64, true)),
                    Konst::Float(x) => Val::Float(self.ctx.f64_type().const_float(x)),
                    Konst::Other => return Err(llvm_err("a typed constant")),
                };
                self.put_val(d, v)?;
            }
            Step::LoadLocal(num) => {
                let Op::LoadFast { local, .. } = ins.op else {
                    return Err(llvm_err("LoadLocal of another op"));
                };
                let bound = self.ld_int(self.sh().lbound[local as usize])?;
                self.guard(bound)?;
                let v = self.local_val(local, num)?;
                self.put_val(d, v)?;
            }
            Step::StoreBorrowed => {
                let Op::StoreFast { local } = ins.op else {
                    return Err(llvm_err("StoreBorrowed of another op"));
                };
                let v = self.obj_of(d - 1, Ty::Borrowed)?;
                self.store_unless_same(self.local(local)?, v)?;
            }
            Step::StoreLocal { num, unbox } => {
                let Op::StoreFast { local } = ins.op else {
                    return Err(llvm_err("StoreLocal of another op"));
                };
                let slot = self.sh().lcache[local as usize];
                let src = plan.before[i].as_ref().and_then(|s| s.src.last().copied());
                if !unbox && src == Some(Src::Local(local)) {
                    // `a = a`: the same object, its box kept
                    let v = self.get_val(d - 1, num.ty())?;
                    self.store_local_val(local, v)?;
                    return Ok(Some(false));
                }
                // a copy of another typed local (`y = x`) is the same object: it shares that
                // local's box, made now where the analysis would lose the pair, else when one
                // is made (see `Plan::aliases`)
                let copied = match plan.before[i].as_ref().and_then(|s| s.src.last()) {
                    Some(&Src::Local(x))
                        if !unbox
                            && x != local
                            && plan.locals.get(x as usize) == Some(&Some(num)) =>
                    {
                        Some(if plan.eager_copies.get(i) == Some(&true) {
                            self.local_box(x, num, d - 1)?
                        } else {
                            self.load(self.sh().lcache[x as usize])?
                        })
                    }
                    _ => None,
                };
                let old = self.load(slot)?;
                if unbox {
                    let o = self.obj_of(d - 1, ty(1))?;
                    let v = self.unbox(o, num)?;
                    self.store_local_val(local, v)?;
                    // the object is the local's box now
                    if ty(1) == Ty::Borrowed {
                        self.incref(o)?;
                    }
                    self.store(slot, o)?;
                } else {
                    let v = self.get_val(d - 1, num.ty())?;
                    self.store_local_val(local, v)?;
                    let box_of = match copied {
                        Some(b) => {
                            self.xincref(b)?;
                            b
                        }
                        None => self.null(),
                    };
                    self.store(slot, box_of)?;
                }
                self.decref(old)?;
            }
            Step::Arith { op, num, a, b } => {
                let va = self.operand(d - 2, ty(2), a, num)?;
                let vb = self.operand(d - 1, ty(1), b, num)?;
                let r = match num {
                    Num::Int => self.int_arith(op, va.0, vb.0)?,
                    Num::Float => self.float_arith(op, va.0, vb.0)?,
                };
                self.release_unboxed(d - 2, ty(2), a)?;
                self.release_unboxed(d - 1, ty(1), b)?;
                self.put_val(d - 2, r)?;
            }
            Step::Compare { op, num, a, b } => {
                let (va, wa) = self.operand(d - 2, ty(2), a, num)?;
                let (vb, wb) = self.operand(d - 1, ty(1), b, num)?;
                let r = match num {
                    Num::Int => {
                        let (Val::Int(x), Val::Int(y)) = (va, vb) else {
                            return Err(llvm_err("int compare"));
                        };
                        let pred = match op {
                            CmpOp::Lt => IntPredicate::SLT,
                            CmpOp::Le => IntPredicate::SLE,
                            CmpOp::Eq => IntPredicate::EQ,
                            CmpOp::Ne => IntPredicate::NE,
                            CmpOp::Gt => IntPredicate::SGT,
                            _ => IntPredicate::SGE,
                        };
                        self.b.build_int_compare(pred, x, y, "").map_err(llvm_err)?
                    }
                    Num::Float => {
                        // an int compares with a float exactly: widened only while exact
                        for w in [wa, wb].into_iter().flatten() {
                            self.guard_exact_double(w)?;
                        }
                        let (Val::Float(x), Val::Float(y)) = (va, vb) else {
                            return Err(llvm_err("float compare"));
                        };
                        let pred = match op {
                            CmpOp::Lt => FloatPredicate::OLT,
                            CmpOp::Le => FloatPredicate::OLE,
                            CmpOp::Eq => FloatPredicate::OEQ,
                            CmpOp::Ne => FloatPredicate::UNE,
                            CmpOp::Gt => FloatPredicate::OGT,
                            _ => FloatPredicate::OGE,
                        };
                        self.b
                            .build_float_compare(pred, x, y, "")
                            .map_err(llvm_err)?
                    }
                };
                self.release_unboxed(d - 2, ty(2), a)?;
                self.release_unboxed(d - 1, ty(1), b)?;
                self.put_val(d - 2, Val::Bool(r))?;
            }
            Step::Unary { op, num } => {
                let v = self.get_val(d - 1, ty(1))?;
                let r = match (op, v) {
                    (UnOp::Not, _) => {
                        Val::Bool(self.b.build_not(self.truth_val(v)?, "").map_err(llvm_err)?)
                    }
                    (UnOp::Pos, v) => v,
                    (UnOp::Neg, Val::Int(x)) => {
                        let min = self.int_min();
                        let ok = self
                            .b
                            .build_int_compare(IntPredicate::NE, x, min, "")
                            .map_err(llvm_err)?;
                        self.guard(ok)?;
                        Val::Int(self.b.build_int_neg(x, "").map_err(llvm_err)?)
                    }
                    (UnOp::Neg, Val::Float(x)) => {
                        Val::Float(self.b.build_float_neg(x, "").map_err(llvm_err)?)
                    }
                    (UnOp::Invert, Val::Int(x)) => {
                        Val::Int(self.b.build_not(x, "").map_err(llvm_err)?)
                    }
                    _ => return Err(llvm_err(format!("unary {op:?} of {num:?}"))),
                };
                self.put_val(d - 1, r)?;
            }
            Step::Truth => {
                let v = self.get_val(d - 1, ty(1))?;
                let t = self.truth_val(v)?;
                match ins.op {
                    Op::ToBool => self.put_val(d - 1, Val::Bool(t))?,
                    Op::PopJumpIf { cond, target } => {
                        let taken = match cond {
                            Cond::True => t,
                            Cond::False => self.b.build_not(t, "").map_err(llvm_err)?,
                            // a machine value is never None
                            Cond::None => self.ctx.bool_type().const_zero(),
                            Cond::NotNone => self.ctx.bool_type().const_int(1, false),
                        };
                        self.branch_checked(taken, target, ins.offset, d - 1, &[], next)?;
                        return Ok(Some(true));
                    }
                    Op::JumpIfOrPop { when, target } => self.jump_if_or_pop(t, when, target, d)?,
                    _ => return Err(llvm_err("a truth test of another op")),
                }
            }
            Step::RangeCall { argc, slots, conv } => self.range_call(ins, d, argc, slots, conv)?,
            Step::RangeIter => {}
            Step::SeqIter { tuple } => {
                let o = self.obj_of(d - 1, ty(1))?;
                let is = self.type_is(o, if tuple { Api::TupleType } else { Api::ListType })?;
                self.guard(is)?;
                if ty(1) == Ty::Borrowed {
                    // the iterator owns its sequence
                    self.incref(o)?;
                }
                self.put_val(d - 1, Val::SeqIter(o, self.t.i64.const_zero()))?;
            }
            Step::ForSeq { tuple, borrow } => {
                let Op::ForIter { target } = ins.op else {
                    return Err(llvm_err("ForSeq of another op"));
                };
                let Val::SeqIter(seq, k) = self.get_val(d - 1, ty(1))? else {
                    return Err(llvm_err("sequence iterator"));
                };
                let l = &self.desc.layout;
                let word = u32::from(self.desc.identity.pointer_bits);
                // (a list's length is read at every step, as its iterator does)
                let n = self.load_int(seq, l.var_object.ob_size, word, true)?;
                let more = self
                    .b
                    .build_int_compare(IntPredicate::SLT, k, n, "")
                    .map_err(llvm_err)?;
                let body = self.new_block("seq_next");
                let done = self.new_block("seq_done");
                self.b
                    .build_conditional_branch(more, body, done)
                    .map_err(llvm_err)?;
                // exhausted: the iterator (its sequence) is released and popped
                self.b.position_at_end(done);
                self.decref(seq)?;
                self.sset(d - 1, self.null())?;
                let dest = self.edge(target, d - 1)?;
                self.b.build_unconditional_branch(dest).map_err(llvm_err)?;
                self.b.position_at_end(body);
                let p = self.item_at(seq, k, tuple)?;
                let item = self.load(p)?;
                let next_k = self
                    .b
                    .build_int_add(k, self.t.i64.const_int(1, false), "")
                    .map_err(llvm_err)?;
                self.put_val(d - 1, Val::SeqIter(seq, next_k))?;
                if borrow {
                    self.put_val(d, Val::Borrowed(item))?;
                } else {
                    self.incref(item)?;
                    self.sset(d, item)?;
                }
            }

            Step::ForRange => {
                let Op::ForIter { target } = ins.op else {
                    return Err(llvm_err("ForRange of another op"));
                };
                let Val::Range(cur, stop, step) = self.get_val(d - 1, Ty::RangeIter)? else {
                    return Err(llvm_err("range iterator"));
                };
                let zero = self.t.i64.const_zero();
                let up = self
                    .b
                    .build_int_compare(IntPredicate::SGT, step, zero, "")
                    .map_err(llvm_err)?;
                let below = self
                    .b
                    .build_int_compare(IntPredicate::SLT, cur, stop, "")
                    .map_err(llvm_err)?;
                let above = self
                    .b
                    .build_int_compare(IntPredicate::SGT, cur, stop, "")
                    .map_err(llvm_err)?;
                let more = self
                    .b
                    .build_select(up, below, above, "")
                    .map_err(llvm_err)?
                    .into_int_value();
                let dest = self.edge(target, d - 1)?;
                let body = self.new_block("range_next");
                self.b
                    .build_conditional_branch(more, body, dest)
                    .map_err(llvm_err)?;
                self.b.position_at_end(body);
                // the next value; past the machine range the loop is over (stop is inside it)
                let (n, over) = self.overflowing(BinOp::Add, cur, step, 64)?;
                let n = self
                    .b
                    .build_select(over, stop, n, "")
                    .map_err(llvm_err)?
                    .into_int_value();
                self.put_val(d - 1, Val::Range(n, stop, step))?;
                self.put_val(d, Val::Int(cur))?;
            }
            Step::ItemGet { tuple } => {
                let c = self.obj_of(d - 2, ty(2))?;
                let Val::Int(k) = self.get_val(d - 1, Ty::Int)? else {
                    return Err(llvm_err("index"));
                };
                let p = self.item_ptr(c, k, tuple)?;
                let v = self.load(p)?;
                self.incref(v)?;
                self.drop_obj(d - 2, ty(2))?;
                self.sset(d - 1, self.null())?;
                self.sset(d - 2, v)?;
            }
            Step::ItemSet => {
                let c = self.obj_of(d - 2, ty(2))?;
                let Val::Int(k) = self.get_val(d - 1, Ty::Int)? else {
                    return Err(llvm_err("index"));
                };
                let p = self.item_ptr(c, k, false)?;
                if ty(3) == Ty::Borrowed {
                    // a borrowed value (a constant, a local's object): see `store_unless_same`
                    // (a flag written again: no store-to-load chain through its count)
                    self.store_unless_same(p, self.obj_of(d - 3, Ty::Borrowed)?)?;
                } else {
                    // the value, boxed if it is not yet (after the guards: nothing is undone)
                    self.box_slot(
                        d - 3,
                        ty(3),
                        plan.before[i]
                            .as_ref()
                            .map_or(Src::Maybe, |s| s.src[(d - 3) as usize]),
                        d,
                    )?;
                    let v = self.sget(d - 3)?;
                    let old = self.load(p)?;
                    self.store(p, v)?;
                    self.decref(old)?;
                }
                self.drop_obj(d - 2, ty(2))?;
                for j in d - 3..d {
                    self.sset(j, self.null())?;
                }
            }
        }
        Ok(Some(false))
    }

    /// `JUMP_IF_TRUE_OR_POP` / `JUMP_IF_FALSE_OR_POP` (`when`) of an unboxed or borrowed top
    /// whose truth is `t`: the jump keeps it, the fall-through drops it (its generic slot
    /// holds NULL: nothing to release).
    fn jump_if_or_pop(
        &self,
        t: IntValue<'ctx>,
        when: bool,
        target: crate::ir::Block,
        d: u32,
    ) -> R<()> {
        let taken = if when {
            t
        } else {
            self.b.build_not(t, "").map_err(llvm_err)?
        };
        let dest = self.edge(target, d)?;
        let pop = self.new_block("pop");
        self.b
            .build_conditional_branch(taken, dest, pop)
            .map_err(llvm_err)?;
        self.b.position_at_end(pop);
        self.sset(d - 1, self.null())
    }

    /// Moves stack items for `POP_TOP`, `ROT_*`, `DUP_*`, `COPY` and `SWAP` with their types.
    fn shuffle(&self, op: Op, d: u32, tys: &[Ty]) -> R<()> {
        match op {
            Op::PopTop => {
                // (nothing to release but an iterator's sequence: other slots hold NULL)
                if matches!(tys[(d - 1) as usize], Ty::ListIter | Ty::TupleIter) {
                    let o = self.sget(d - 1)?;
                    self.decref(o)?;
                }
                self.sset(d - 1, self.null())
            }
            Op::Rot { n } | Op::Swap { n } | Op::Copy { n } | Op::Dup { n } => {
                let base = d - n;
                let vals: Vec<(Val<'ctx>, Ty)> = (0..n)
                    .map(|k| {
                        let t = tys[(base + k) as usize];
                        Ok((self.get_val(base + k, t)?, t))
                    })
                    .collect::<R<_>>()?;
                let n_ = n as usize;
                let order: Vec<(Val<'ctx>, Ty)> = match op {
                    Op::Rot { .. } => std::iter::once(vals[n_ - 1])
                        .chain(vals[..n_ - 1].iter().copied())
                        .collect(),
                    Op::Swap { .. } => {
                        let mut v = vals.clone();
                        v.swap(0, n_ - 1);
                        v
                    }
                    Op::Copy { .. } => {
                        let mut v = vals.clone();
                        v.push(vals[0]);
                        v
                    }
                    _ => vals.iter().chain(vals.iter()).copied().collect(),
                };
                if matches!(op, Op::Copy { .. } | Op::Dup { .. }) {
                    // the copies of objects are new references
                    let copies: &[(Val<'ctx>, Ty)] = if matches!(op, Op::Copy { .. }) {
                        &vals[..1]
                    } else {
                        &vals
                    };
                    for (v, _) in copies {
                        if let Val::Obj(o) = v {
                            self.incref(*o)?;
                        }
                    }
                }
                for (k, (v, _)) in order.into_iter().enumerate() {
                    self.put_val(base + k as u32, v)?;
                }
                Ok(())
            }
            _ => Err(llvm_err("shuffle of another op")),
        }
    }

    /// An operand of a typed operation: from slot `j` of type `ty`, converted by `conv` to
    /// `num`; also the machine integer it was widened from, if it was.
    fn operand(
        &self,
        j: u32,
        ty: Ty,
        conv: Conv,
        num: Num,
    ) -> R<(Val<'ctx>, Option<IntValue<'ctx>>)> {
        let raw = match conv {
            Conv::Keep | Conv::Widen => self.get_val(j, ty)?,
            Conv::Unbox => self.unbox(self.obj_of(j, ty)?, num)?,
            Conv::UnboxWiden => self.unbox(self.obj_of(j, ty)?, Num::Int)?,
        };
        match (conv, raw) {
            (Conv::Widen | Conv::UnboxWiden, Val::Int(x)) => {
                let f = self
                    .b
                    .build_signed_int_to_float(x, self.ctx.f64_type(), "")
                    .map_err(llvm_err)?;
                Ok((Val::Float(f), Some(x)))
            }
            (_, v) => Ok((v, None)),
        }
    }

    /// After a typed operation: releases an operand that arrived boxed (its value unboxed),
    /// unless it was borrowed.
    fn release_unboxed(&self, j: u32, ty: Ty, conv: Conv) -> R<()> {
        if conv.guards() {
            self.drop_obj(j, ty)?;
        }
        Ok(())
    }

    /// The object in stack slot `j`, owned (`ty` Obj) or borrowed.
    fn obj_of(&self, j: u32, ty: Ty) -> R<PointerValue<'ctx>> {
        if ty == Ty::Borrowed {
            self.load(self.sh().sptr[j as usize])
        } else {
            self.sget(j)
        }
    }

    /// Stores borrowed object `v` into `slot` (a local's, a list item's), which takes a
    /// reference to it and releases the one it held (NULL or an object) after the store.
    /// When the slot holds that very object already nothing changes, not even a reference
    /// count.
    fn store_unless_same(&self, slot: PointerValue<'ctx>, v: PointerValue<'ctx>) -> R<()> {
        let old = self.load(slot)?;
        let same = self.same_object(old, v, false)?;
        let change = self.new_block("store_change");
        let done = self.new_block("stored");
        self.b
            .build_conditional_branch(same, done, change)
            .map_err(llvm_err)?;
        self.b.position_at_end(change);
        self.incref(v)?;
        self.store(slot, v)?;
        self.decref(old)?;
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// Done with the object in stack slot `j`: released if owned.
    fn drop_obj(&self, j: u32, ty: Ty) -> R<()> {
        if ty != Ty::Borrowed {
            let o = self.sget(j)?;
            self.decref(o)?;
            self.sset(j, self.null())?;
        }
        Ok(())
    }

    /// Guards that machine integer `x` converts to a double exactly (|x| <= 2**53).
    fn guard_exact_double(&self, x: IntValue<'ctx>) -> R<()> {
        let lim = 1u64 << 53;
        let biased = self
            .b
            .build_int_add(x, self.t.i64.const_int(lim, false), "")
            .map_err(llvm_err)?;
        let ok = self
            .b
            .build_int_compare(
                IntPredicate::ULE,
                biased,
                self.t.i64.const_int(2 * lim, false),
                "",
            )
            .map_err(llvm_err)?;
        self.guard(ok)
    }

    /// The truth of a machine value.
    fn truth_val(&self, v: Val<'ctx>) -> R<IntValue<'ctx>> {
        match v {
            Val::Bool(b) => Ok(b),
            Val::Int(x) => self
                .b
                .build_int_compare(IntPredicate::NE, x, self.t.i64.const_zero(), "")
                .map_err(llvm_err),
            Val::Float(x) => self
                .b
                .build_float_compare(FloatPredicate::UNE, x, self.ctx.f64_type().const_zero(), "")
                .map_err(llvm_err),
            _ => Err(llvm_err("the truth of an object or range")),
        }
    }

    /// The machine integer's width: 64, or 2.7's C long.
    fn ibits(&self) -> u32 {
        if self.desc.layout.int.is_some() {
            self.long_bits()
        } else {
            64
        }
    }

    /// The smallest machine integer, as an i64.
    fn int_min(&self) -> IntValue<'ctx> {
        let bits = self.ibits();
        self.t
            .i64
            .const_int((-(1i128 << (bits - 1))) as i64 as u64, true)
    }

    /// `a op b` (`+ - *`) in the operands' own integer type, with whether it overflowed
    /// (LLVM's `llvm.s{add,sub,mul}.with.overflow`).
    pub(super) fn with_overflow(
        &self,
        op: BinOp,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        let name = match op {
            BinOp::Add => "llvm.sadd.with.overflow",
            BinOp::Sub => "llvm.ssub.with.overflow",
            _ => "llvm.smul.with.overflow",
        };
        let f = inkwell::intrinsics::Intrinsic::find(name)
            .and_then(|i| i.get_declaration(&self.module, &[a.get_type().into()]))
            .ok_or_else(|| llvm_err(format!("no {name}")))?;
        let pair = self
            .b
            .build_call(f, &[a.into(), b.into()], "")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| llvm_err("overflow intrinsic"))?
            .into_struct_value();
        let r = self
            .b
            .build_extract_value(pair, 0, "")
            .map_err(llvm_err)?
            .into_int_value();
        let over = self
            .b
            .build_extract_value(pair, 1, "")
            .map_err(llvm_err)?
            .into_int_value();
        Ok((r, over))
    }

    /// `a op b` (`+ - *`) in `bits`, with whether it overflowed.
    fn overflowing(
        &self,
        op: BinOp,
        a: IntValue<'ctx>,
        b: IntValue<'ctx>,
        bits: u32,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        let ty = self.int_bits(bits);
        let a = self
            .b
            .build_int_truncate_or_bit_cast(a, ty, "")
            .map_err(llvm_err)?;
        let b = self
            .b
            .build_int_truncate_or_bit_cast(b, ty, "")
            .map_err(llvm_err)?;
        let (r, over) = self.with_overflow(op, a, b)?;
        let r = self
            .b
            .build_int_s_extend_or_bit_cast(r, self.t.i64, "")
            .map_err(llvm_err)?;
        Ok((r, over))
    }

    /// `a op b` on machine integers, as Python computes it on ints; a result the machine
    /// integer cannot hold (or an error: a zero divisor, a negative shift) resumes the
    /// generic code, which computes it with Python ints.
    fn int_arith(&self, op: BinOp, a: Val<'ctx>, b: Val<'ctx>) -> R<Val<'ctx>> {
        let (Val::Int(a), Val::Int(b)) = (a, b) else {
            return Err(llvm_err("int operands"));
        };
        let bits = self.ibits();
        let i64t = self.t.i64;
        let zero = i64t.const_zero();
        let ne = |x: IntValue<'ctx>, y: IntValue<'ctx>| {
            self.b
                .build_int_compare(IntPredicate::NE, x, y, "")
                .map_err(llvm_err)
        };
        Ok(match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                let (r, over) = self.overflowing(op, a, b, bits)?;
                self.guard(self.b.build_not(over, "").map_err(llvm_err)?)?;
                Val::Int(r)
            }
            BinOp::FloorDiv | BinOp::Mod | BinOp::ClassicDiv => {
                // a zero divisor raises; MIN // -1 overflows
                self.guard(ne(b, zero)?)?;
                let not_min = ne(a, self.int_min())?;
                let not_m1 = ne(b, i64t.const_all_ones())?;
                let ok = self.b.build_or(not_min, not_m1, "").map_err(llvm_err)?;
                self.guard(ok)?;
                let fop = if op == BinOp::Mod {
                    BinOp::Mod
                } else {
                    BinOp::FloorDiv
                };
                Val::Int(self.floor_divmod(fop, a, b)?)
            }
            BinOp::And => Val::Int(self.b.build_and(a, b, "").map_err(llvm_err)?),
            BinOp::Or => Val::Int(self.b.build_or(a, b, "").map_err(llvm_err)?),
            BinOp::Xor => Val::Int(self.b.build_xor(a, b, "").map_err(llvm_err)?),
            BinOp::LShift => {
                // 0 <= b < bits, and no bit lost
                let ok = self
                    .b
                    .build_int_compare(
                        IntPredicate::ULT,
                        b,
                        i64t.const_int(u64::from(bits), false),
                        "",
                    )
                    .map_err(llvm_err)?;
                self.guard(ok)?;
                let r = self.b.build_left_shift(a, b, "").map_err(llvm_err)?;
                let r = self.narrow(r, bits)?;
                let back = self.b.build_right_shift(r, b, true, "").map_err(llvm_err)?;
                let kept = self
                    .b
                    .build_int_compare(IntPredicate::EQ, back, a, "")
                    .map_err(llvm_err)?;
                self.guard(kept)?;
                Val::Int(r)
            }
            BinOp::RShift => {
                let nonneg = self
                    .b
                    .build_int_compare(IntPredicate::SGE, b, zero, "")
                    .map_err(llvm_err)?;
                self.guard(nonneg)?;
                // a shift by 64 or more leaves the sign
                let capped = self
                    .b
                    .build_select(
                        self.b
                            .build_int_compare(IntPredicate::UGT, b, i64t.const_int(63, false), "")
                            .map_err(llvm_err)?,
                        i64t.const_int(63, false),
                        b,
                        "",
                    )
                    .map_err(llvm_err)?
                    .into_int_value();
                Val::Int(
                    self.b
                        .build_right_shift(a, capped, true, "")
                        .map_err(llvm_err)?,
                )
            }
            BinOp::Pow => {
                let out = self.entry_alloca(i64t.into(), "pow")?;
                let ok = self.helper_int(
                    runtime::rt_int_pow as *const () as usize,
                    &[
                        a.into(),
                        b.into(),
                        self.t.i32.const_int(u64::from(bits), false).into(),
                        out.into(),
                    ],
                )?;
                let ok = ne(
                    self.b.build_int_z_extend(ok, i64t, "").map_err(llvm_err)?,
                    zero,
                )?;
                self.guard(ok)?;
                Val::Int(self.ld_int(out)?)
            }
            BinOp::TrueDiv => {
                // exact operands divide as doubles, as the int type's own fast path does
                self.guard(ne(b, zero)?)?;
                self.guard_exact_double(a)?;
                self.guard_exact_double(b)?;
                let f64t = self.ctx.f64_type();
                let x = self
                    .b
                    .build_signed_int_to_float(a, f64t, "")
                    .map_err(llvm_err)?;
                let y = self
                    .b
                    .build_signed_int_to_float(b, f64t, "")
                    .map_err(llvm_err)?;
                Val::Float(self.b.build_float_div(x, y, "").map_err(llvm_err)?)
            }
            BinOp::MatMul => return Err(llvm_err("int @")),
        })
    }

    /// `x` sign-extended from its low `bits`.
    fn narrow(&self, x: IntValue<'ctx>, bits: u32) -> R<IntValue<'ctx>> {
        if bits == 64 {
            return Ok(x);
        }
        let t = self
            .b
            .build_int_truncate(x, self.int_bits(bits), "")
            .map_err(llvm_err)?;
        self.b
            .build_int_s_extend(t, self.t.i64, "")
            .map_err(llvm_err)
    }

    /// `a op b` on doubles, as Python's float computes it (a zero divisor, and a power it
    /// would raise for or compute specially, resume the generic code).
    fn float_arith(&self, op: BinOp, a: Val<'ctx>, b: Val<'ctx>) -> R<Val<'ctx>> {
        let (Val::Float(x), Val::Float(y)) = (a, b) else {
            return Err(llvm_err("float operands"));
        };
        let f64t = self.ctx.f64_type();
        let zero = f64t.const_zero();
        let nonzero = |v: FloatValue<'ctx>| {
            self.b
                .build_float_compare(FloatPredicate::UNE, v, zero, "")
                .map_err(llvm_err)
        };
        let lib2 = |f: usize, p: FloatValue<'ctx>, q: FloatValue<'ctx>| -> R<FloatValue<'ctx>> {
            Ok(self
                .call_addr(f, Some(f64t.into()), &[p.into(), q.into()])?
                .expect("returns")
                .into_float_value())
        };
        Ok(Val::Float(match op {
            BinOp::Add => self.b.build_float_add(x, y, "").map_err(llvm_err)?,
            BinOp::Sub => self.b.build_float_sub(x, y, "").map_err(llvm_err)?,
            BinOp::Mul => self.b.build_float_mul(x, y, "").map_err(llvm_err)?,
            BinOp::TrueDiv | BinOp::ClassicDiv => {
                self.guard(nonzero(y)?)?;
                self.b.build_float_div(x, y, "").map_err(llvm_err)?
            }
            BinOp::Mod | BinOp::FloorDiv => {
                self.guard(nonzero(y)?)?;
                let r = lib2(runtime::rt_float_mod as *const () as usize, x, y)?;
                if op == BinOp::Mod {
                    r
                } else {
                    lib2(runtime::rt_float_floordiv as *const () as usize, x, y)?
                }
            }
            BinOp::Pow => {
                // a finite positive base and a finite exponent: C's pow, as float_pow calls
                // it; an infinite result (overflow) resumes the generic code, which raises
                let pos = self
                    .b
                    .build_float_compare(FloatPredicate::OGT, x, zero, "")
                    .map_err(llvm_err)?;
                let inf = f64t.const_float(f64::INFINITY);
                let xf = self
                    .b
                    .build_float_compare(FloatPredicate::OLT, x, inf, "")
                    .map_err(llvm_err)?;
                let ay = self.fabs(y)?;
                let yf = self
                    .b
                    .build_float_compare(FloatPredicate::OLT, ay, inf, "")
                    .map_err(llvm_err)?;
                let ok = self.b.build_and(pos, xf, "").map_err(llvm_err)?;
                let ok = self.b.build_and(ok, yf, "").map_err(llvm_err)?;
                self.guard(ok)?;
                let r = lib2(runtime::rt_float_pow as *const () as usize, x, y)?;
                let ar = self.fabs(r)?;
                let fin = self
                    .b
                    .build_float_compare(FloatPredicate::OLT, ar, inf, "")
                    .map_err(llvm_err)?;
                self.guard(fin)?;
                r
            }
            _ => return Err(llvm_err(format!("float {op:?}"))),
        }))
    }

    fn fabs(&self, x: FloatValue<'ctx>) -> R<FloatValue<'ctx>> {
        let f64t = self.ctx.f64_type();
        let f = inkwell::intrinsics::Intrinsic::find("llvm.fabs")
            .and_then(|i| i.get_declaration(&self.module, &[f64t.into()]))
            .ok_or_else(|| llvm_err("no llvm.fabs"))?;
        Ok(self
            .b
            .build_call(f, &[x.into()], "")
            .map_err(llvm_err)?
            .try_as_basic_value()
            .basic()
            .ok_or_else(|| llvm_err("llvm.fabs"))?
            .into_float_value())
    }

    /// The address of item `k` of list (or tuple) `c`, guarded: `c` is exactly one, `k` in
    /// range after Python's negative-index adjustment.
    fn item_ptr(
        &self,
        c: PointerValue<'ctx>,
        k: IntValue<'ctx>,
        tuple: bool,
    ) -> R<PointerValue<'ctx>> {
        let is = self.type_is(c, if tuple { Api::TupleType } else { Api::ListType })?;
        self.guard(is)?;
        let k = self.index_in(c, k, &|inside| self.guard(inside))?;
        self.item_at(c, k, tuple)
    }

    /// The address of item `k` of list (or tuple) `c`, `k` checked already.
    fn item_at(
        &self,
        c: PointerValue<'ctx>,
        k: IntValue<'ctx>,
        tuple: bool,
    ) -> R<PointerValue<'ctx>> {
        let l = &self.desc.layout;
        let items = if tuple {
            self.byte_ptr(c, l.tuple.ob_item, self.t.obj)?
        } else {
            self.load(self.field_ptr(c, l.list.ob_item)?)?
        };
        let items = self
            .b
            .build_pointer_cast(items, self.t.objp, "")
            .map_err(llvm_err)?;
        // SAFETY (LLVM): the callers checked the index against the size.
        unsafe { self.b.build_gep(items, &[k], "") }.map_err(llvm_err)
    }

    /// A call of the builtin `range` with int arguments: the callable guarded, the range kept
    /// as three machine integers.
    fn range_call(
        &self,
        ins: &crate::ir::Instr,
        d: u32,
        argc: u32,
        slots: u32,
        conv: [Conv; 3],
    ) -> R<()> {
        let i = self.current.get();
        let b0 = d - slots - argc;
        let seen = self
            .feedback
            .map(|w| w[i].load(std::sync::atomic::Ordering::Relaxed))
            .unwrap_or(0)
            & !crate::codegen::feedback::MARKS;
        let slot = match ins.op {
            Op::Call { slot, .. } => slot,
            _ => CallSlot::Single,
        };
        let (callable, plain) = self.call_target(slot, b0)?;
        let addr = self
            .t
            .i64
            .const_int(seen as u64, false)
            .const_to_pointer(self.t.obj);
        let x = self
            .b
            .build_ptr_to_int(callable, self.t.i64, "")
            .map_err(llvm_err)?;
        let y = self
            .b
            .build_ptr_to_int(addr, self.t.i64, "")
            .map_err(llvm_err)?;
        let mut ok = self
            .b
            .build_int_compare(IntPredicate::EQ, x, y, "")
            .map_err(llvm_err)?;
        if let Some(p) = plain {
            ok = self.b.build_and(ok, p, "").map_err(llvm_err)?;
        }
        self.guard(ok)?;
        let tys = self.plan_ref().types(i).to_vec();
        let mut args = Vec::new();
        for k in 0..argc {
            let j = b0 + slots + k;
            let v = match conv[k as usize] {
                Conv::Unbox => self.unbox(self.obj_of(j, tys[j as usize])?, Num::Int)?,
                _ => self.get_val(j, tys[j as usize])?,
            };
            let Val::Int(v) = v else {
                return Err(llvm_err("range argument"));
            };
            args.push(v);
        }
        let i64t = self.t.i64;
        let (start, stop, step) = match argc {
            1 => (i64t.const_zero(), args[0], i64t.const_int(1, false)),
            2 => (args[0], args[1], i64t.const_int(1, false)),
            _ => (args[0], args[1], args[2]),
        };
        // a zero step raises
        let nz = self
            .b
            .build_int_compare(IntPredicate::NE, step, i64t.const_zero(), "")
            .map_err(llvm_err)?;
        self.guard(nz)?;
        if self.range_list != 0 && seen == self.range_list {
            // 2.7's range() builds a list, of at most INT_MAX items: longer ones raise
            let len = self.helper_int(
                runtime::rt_range_fits_list as *const () as usize,
                &[start.into(), stop.into(), step.into()],
            )?;
            let fits = self
                .b
                .build_int_compare(IntPredicate::NE, len, self.t.i32.const_zero(), "")
                .map_err(llvm_err)?;
            self.guard(fits)?;
        }
        // the callable's slots and the boxed arguments are released
        self.release(b0, b0 + slots)?;
        for k in 0..argc {
            if conv[k as usize] == Conv::Unbox {
                let j = b0 + slots + k;
                self.drop_obj(j, tys[j as usize])?;
            }
        }
        for j in b0..d {
            self.sset(j, self.null())?;
        }
        self.put_val(b0, Val::Range(start, stop, step))
    }

    /// The OSR entry into the specialised copy at loop header instruction `at`: unboxes the
    /// typed locals handed over; one that is unbound or not of its type sends the activation
    /// to the generic code at the header instead.
    pub(super) fn osr_typed(&self, at: usize) -> R<()> {
        let n = self.func.instrs.len();
        let typed: Vec<(u32, Num)> = self
            .plan_ref()
            .locals
            .iter()
            .enumerate()
            .filter_map(|(l, t)| t.map(|n| (l as u32, n)))
            .collect();
        let generic = self.plain_deopt(at, NOT_A_FAILURE)?;
        for (l, num) in typed {
            // an unbound typed local goes to the generic code too: the specialised loop then
            // knows its locals bound wherever they are bound on entry
            let v = self.load(self.local(l)?)?;
            let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
            let some = self.new_block("osr_local");
            self.b
                .build_conditional_branch(isnull, generic, some)
                .map_err(llvm_err)?;
            self.b.position_at_end(some);
            let fail = self.plain_deopt(at, n + l as usize)?;
            let val = self.unbox_or(v, num, fail)?;
            self.store_local_val(l, val)?;
        }
        for l in 0..self.nlocals {
            if self.plan_ref().locals[l as usize].is_some() {
                self.take_box(l)?;
            }
        }
        Ok(())
    }

    /// The OSR entry at loop header instruction `at` whose stack the specialised code holds
    /// unboxed: the generic code, from the header.
    pub(super) fn osr_generic(&self, at: usize) -> R<BasicBlock<'ctx>> {
        self.plain_deopt(at, NOT_A_FAILURE)
    }

    /// Releases the typed locals' boxes (on the way out of the specialised code).
    pub(super) fn release_boxes(&self) -> R<()> {
        let Some(sh) = self.shadows.as_ref() else {
            return Ok(());
        };
        for (l, t) in self.plan_ref().locals.iter().enumerate() {
            if t.is_some() {
                let v = self.load(sh.lcache[l])?;
                self.decref(v)?;
            }
        }
        Ok(())
    }

    /// On the way out with an exception: puts the value of each typed local into `arr` (the
    /// locals handed to `runtime::entry::rt_keep_locals`, where a typed local's generic slot
    /// is NULL): its box, taken over from the box slot, or a box made of its unboxed value
    /// if it is bound.
    pub(super) fn box_typed_locals(&self, arr: PointerValue<'ctx>) -> R<()> {
        let Some(sh) = self.shadows.as_ref() else {
            return Ok(());
        };
        let env = self.env.expect("env");
        for (l, t) in self.plan_ref().locals.iter().enumerate() {
            let Some(num) = *t else {
                continue;
            };
            let l = l as u32;
            let to = self.slot(arr, l)?;
            let have = self.load(to)?;
            let cache = self.load(sh.lcache[l as usize])?;
            let bound = self.ld_int(sh.lbound[l as usize])?;
            let bound = self
                .b
                .build_int_compare(IntPredicate::NE, bound, bound.get_type().const_zero(), "")
                .map_err(llvm_err)?;
            let take = self.new_block("keep_box");
            let make = self.new_block("keep_unboxed");
            let check = self.new_block("keep_bound");
            let done = self.new_block("kept");
            let generic = self.b.build_is_null(have, "").map_err(llvm_err)?;
            self.b
                .build_conditional_branch(generic, check, done)
                .map_err(llvm_err)?;
            self.b.position_at_end(check);
            let boxed = self.b.build_is_not_null(cache, "").map_err(llvm_err)?;
            let unboxed = self.new_block("keep_value");
            self.b
                .build_conditional_branch(boxed, take, unboxed)
                .map_err(llvm_err)?;
            self.b.position_at_end(unboxed);
            self.b
                .build_conditional_branch(bound, make, done)
                .map_err(llvm_err)?;
            self.b.position_at_end(take);
            self.store(to, cache)?;
            self.store(sh.lcache[l as usize], self.null())?;
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(make);
            let (float, bits) = match num {
                Num::Int => (0, self.ld_int(sh.lint[l as usize])?),
                Num::Float => {
                    let x = self.ld_float(sh.lfloat[l as usize])?;
                    let bits = self
                        .b
                        .build_bit_cast(x, self.t.i64, "")
                        .map_err(llvm_err)?
                        .into_int_value();
                    (1, bits)
                }
            };
            let o = self.helper_obj(
                runtime::entry::rt_box_quiet as *const () as usize,
                &[
                    env.into(),
                    self.t.i32.const_int(float, false).into(),
                    bits.into(),
                ],
            )?;
            self.store(to, o)?;
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(done);
        }
        Ok(())
    }

    /// Whether the specialised copy is being emitted.
    pub(super) fn in_typed(&self) -> bool {
        self.typed.get()
    }

    /// The types a jump of the current instruction brings to its target (specialised copy).
    pub(super) fn jump_types(&self) -> Option<Vec<Ty>> {
        self.plan_ref().jumps[self.current.get()].clone()
    }
}

/// The operands (bit `k`: the `k`-th from the top) that the generic code of `op` can take
/// borrowed in the specialised copy: operations that only read them while they run (no
/// reference taken over, no object reused in place because the stack held its last
/// reference) and release them after. A borrowed value stays valid while they run: it is a
/// constant, or a local's value (code the operation runs cannot rebind the function's
/// locals; a store into that local takes a reference first, see [`crate::spec::Plan::own`]).
fn borrowable_operands(op: Op) -> u32 {
    match op {
        // the owner
        Op::LoadAttr { .. } => 0b1,
        // the owner and the value (a store into the instance takes its own reference)
        Op::StoreAttr { .. } => 0b11,
        // both operands of a rich comparison, and of a subscript
        Op::Compare {
            op: CmpOp::Lt | CmpOp::Le | CmpOp::Eq | CmpOp::Ne | CmpOp::Gt | CmpOp::Ge,
            ..
        }
        | Op::Subscr => 0b11,
        _ => 0,
    }
}
