//! Direct calls made inline (3.11+): the optimised code pushes a compiled callee's interpreter
//! frame on the thread's data stack and calls its native code itself, what
//! `runtime::entry::fast_call` does in a runtime helper, with the build's offsets as
//! constants. The call site's cache (`runtime::entry::DirectSite`) says which function it
//! called last and that function's plan; every check of the helper's fast path is made here
//! too (the same function, code and closure, optimised and not waiting for anything, no trace
//! or profile function, no frame evaluator, room on the data stack and under the recursion
//! limits), and anything else takes `runtime::entry::rt_direct_call` as before.

use super::{llvm_err, Codegen, R};
use crate::runtime::entry::InlineCall;
use inkwell::values::{IntValue, PointerValue};
use inkwell::AddressSpace;
use inkwell::IntPredicate;

impl<'ctx> Codegen<'_, 'ctx> {
    /// The pointer at byte `off` of `base`.
    fn ld_ptr(&self, base: PointerValue<'ctx>, off: u32) -> R<PointerValue<'ctx>> {
        self.load(self.field_ptr(base, off)?)
    }

    /// Stores pointer `v` at byte `off` of `base`.
    fn st_ptr(&self, base: PointerValue<'ctx>, off: u32, v: PointerValue<'ctx>) -> R<()> {
        self.store(self.field_ptr(base, off)?, v)
    }

    /// Stores the integer `v` (of its own width) at byte `off` of `base`.
    fn st_int(&self, base: PointerValue<'ctx>, off: u32, v: IntValue<'ctx>) -> R<()> {
        let p = self.byte_ptr(base, off, v.get_type().ptr_type(AddressSpace::default()))?;
        self.b.build_store(p, v).map_err(llvm_err)?;
        Ok(())
    }

    /// `a == b` for pointers.
    fn ptr_eq(&self, a: PointerValue<'ctx>, b: PointerValue<'ctx>) -> R<IntValue<'ctx>> {
        self.same_object(a, b, false)
    }

    /// A loop over `i` from 0 to `n` (exclusive) running `body(i)`; the builder is left after it.
    fn count_loop(
        &self,
        n: IntValue<'ctx>,
        name: &str,
        body: &dyn Fn(IntValue<'ctx>) -> R<()>,
    ) -> R<()> {
        let i64t = self.t.i64;
        let head = self.new_block(name);
        let each = self.new_block(name);
        let after = self.new_block(name);
        let pre = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(head).map_err(llvm_err)?;
        self.b.position_at_end(head);
        let i = self.b.build_phi(i64t, "i").map_err(llvm_err)?;
        i.add_incoming(&[(&i64t.const_zero(), pre)]);
        let iv = i.as_basic_value().into_int_value();
        let more = self
            .b
            .build_int_compare(IntPredicate::ULT, iv, n, "")
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(more, each, after)
            .map_err(llvm_err)?;
        self.b.position_at_end(each);
        body(iv)?;
        let next = self
            .b
            .build_int_add(iv, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        let end = self.b.get_insert_block().expect("block");
        i.add_incoming(&[(&next, end)]);
        self.b.build_unconditional_branch(head).map_err(llvm_err)?;
        self.b.position_at_end(after);
        Ok(())
    }

    /// The address of item `i` of the object slots at `base`.
    fn slot_at(&self, base: PointerValue<'ctx>, i: IntValue<'ctx>) -> R<PointerValue<'ctx>> {
        // SAFETY (LLVM): callers index inside the slots they own.
        unsafe { self.b.build_gep(base, &[i], "") }.map_err(llvm_err)
    }

    /// A pointer constant.
    fn addr_const(&self, addr: u64) -> PointerValue<'ctx> {
        self.t
            .i64
            .const_int(addr, false)
            .const_to_pointer(self.t.obj)
    }

    /// All of `conds`.
    fn all(&self, conds: &[IntValue<'ctx>]) -> R<IntValue<'ctx>> {
        let mut acc = conds[0];
        for c in &conds[1..] {
            acc = self.b.build_and(acc, *c, "").map_err(llvm_err)?;
        }
        Ok(acc)
    }

    /// The call `callable(*first[..nargs])` through direct call site `site`: inline where the
    /// site's cache allows (see the module documentation), else `slow` (which makes the call
    /// through the runtime). A new reference or NULL with an exception set. `first` is the
    /// caller's stack slots, and `callable_slot` the one holding `callable`, which the caller
    /// releases after the call: the inline path moves their references into the callee's
    /// frame and leaves NULL there.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn inline_direct_call(
        &self,
        k: &InlineCall,
        site: PointerValue<'ctx>,
        callable: PointerValue<'ctx>,
        callable_slot: PointerValue<'ctx>,
        first: PointerValue<'ctx>,
        nargs: IntValue<'ctx>,
        slow: &dyn Fn() -> R<PointerValue<'ctx>>,
    ) -> R<PointerValue<'ctx>> {
        let i64t = self.t.i64;
        let zero64 = i64t.const_zero();
        self.note_inline("frame_push");
        let done = self.new_block("direct_done");
        let slow_bb = self.new_block("direct_slow");
        let check = self.new_block("direct_check");
        // the site's function, no class or bound method cached there
        let sfunc = self.ld_ptr(site, k.site_func)?;
        let same = self.ptr_eq(sfunc, callable)?;
        let init = self.load_int(site, k.site_init, 64, false)?;
        let no_init = self
            .b
            .build_int_compare(IntPredicate::EQ, init, zero64, "")
            .map_err(llvm_err)?;
        let first_ok = self.all(&[same, no_init])?;
        self.b
            .build_conditional_branch(first_ok, check, slow_bb)
            .map_err(llvm_err)?;
        self.b.position_at_end(check);
        let plan = self.ld_ptr(site, k.site_plan)?;
        let mut incoming = self.frame_call(
            k,
            site,
            plan,
            callable,
            first,
            nargs,
            slow_bb,
            done,
            Some(callable_slot),
        )?;

        self.b.position_at_end(slow_bb);
        let rs = slow()?;
        self.arrive(rs, done, &mut incoming)?;
        self.merge(done, &incoming)
    }

    /// The fast path of a direct call of `func` (`nargs` arguments at `first`) with the plan
    /// `plan` of site `site`: the checks (a failing one branches to `miss`), then the frame
    /// pushed, the native code called and the frame popped. Returns the values and blocks
    /// that branch to `done` (every block it leaves is terminated). With `moved` (the slot
    /// holding `func`), the function and the arguments are references the caller releases
    /// after the call (its stack slots): the frame takes them over and leaves NULL in their
    /// place, as the interpreter moves a call's callable and arguments into the new frame,
    /// instead of taking references of its own.
    #[allow(clippy::too_many_arguments)]
    fn frame_call(
        &self,
        k: &InlineCall,
        site: PointerValue<'ctx>,
        plan: PointerValue<'ctx>,
        callable: PointerValue<'ctx>,
        first: PointerValue<'ctx>,
        nargs: IntValue<'ctx>,
        slow_bb: inkwell::basic_block::BasicBlock<'ctx>,
        done: inkwell::basic_block::BasicBlock<'ctx>,
        moved: Option<PointerValue<'ctx>>,
    ) -> R<Vec<(PointerValue<'ctx>, inkwell::basic_block::BasicBlock<'ctx>)>> {
        let i8t = self.ctx.i8_type();
        let i16t = self.ctx.i16_type();
        let (i32t, i64t) = (self.t.i32, self.t.i64);
        let zero64 = i64t.const_zero();
        let fast = self.new_block("direct_fast");
        let alive = self.load_int(plan, k.plan_alive, 8, false)?;
        let argc = self.load_int(plan, k.plan_argc, 64, false)?;
        let pcode = self.ld_ptr(plan, k.plan_code)?;
        let size = self.load_int(plan, k.plan_size, 64, false)?;
        let cf = self.ld_ptr(plan, k.plan_cf)?;
        let fcode = self.ld_ptr(callable, k.func_code)?;
        let closure = self.ld_ptr(callable, k.func_closure)?;
        let sclosure = self.ld_ptr(site, k.site_closure)?;
        let calls = self.load_int(cf, k.cf_calls, 32, false)?;
        let attention = self.load_int(cf, k.cf_attention, 8, false)?;
        let stale = self.load_int(cf, k.cf_stale, 8, false)?;
        // (only a call through the generic path while no activation runs can respecialise
        // it or free its earlier tiers: an activation running, as in a recursion, leaves
        // that to the call that started it)
        let running = self.load_int(cf, k.cf_active, 32, false)?;
        let waiting = self.b.build_or(attention, stale, "").map_err(llvm_err)?;
        let ts = self.env_field(crate::runtime::env_offsets::TS)?;
        let trace = self.load_int(ts, k.ts_trace, 64, false)?;
        let profile = self.load_int(ts, k.ts_profile, 64, false)?;
        let top = self.ld_ptr(ts, k.ts_top)?;
        let limit = self.ld_ptr(ts, k.ts_limit)?;
        let eq = |a: IntValue<'ctx>, b: IntValue<'ctx>| {
            self.b
                .build_int_compare(IntPredicate::EQ, a, b, "")
                .map_err(llvm_err)
        };
        let topi = self.b.build_ptr_to_int(top, i64t, "").map_err(llvm_err)?;
        let limiti = self.b.build_ptr_to_int(limit, i64t, "").map_err(llvm_err)?;
        let room = self.b.build_int_sub(limiti, topi, "").map_err(llvm_err)?;
        let need = self
            .b
            .build_int_mul(size, i64t.const_int(8, false), "")
            .map_err(llvm_err)?;
        let mut conds = vec![
            self.b
                .build_int_compare(IntPredicate::NE, alive, zero64, "")
                .map_err(llvm_err)?,
            eq(argc, nargs)?,
            self.ptr_eq(pcode, fcode)?,
            self.ptr_eq(closure, sclosure)?,
            self.b
                .build_int_compare(
                    IntPredicate::UGE,
                    calls,
                    i64t.const_int(u64::from(crate::runtime::entry::TIER_UP_CALLS), false),
                    "",
                )
                .map_err(llvm_err)?,
            self.b
                .build_or(
                    eq(waiting, zero64)?,
                    self.b
                        .build_int_compare(IntPredicate::NE, running, zero64, "")
                        .map_err(llvm_err)?,
                    "",
                )
                .map_err(llvm_err)?,
            eq(trace, zero64)?,
            eq(profile, zero64)?,
            self.b
                .build_int_compare(IntPredicate::NE, topi, zero64, "")
                .map_err(llvm_err)?,
            self.b
                .build_int_compare(IntPredicate::UGT, room, need, "")
                .map_err(llvm_err)?,
        ];
        if let Some((off, default)) = k.eval_frame {
            let interp = self.ld_ptr(ts, k.ts_interp)?;
            let ev = self.load_int(interp, off, 64, false)?;
            let none = eq(ev, zero64)?;
            let dflt = eq(ev, i64t.const_int(default, false))?;
            conds.push(self.b.build_or(none, dflt, "").map_err(llvm_err)?);
        }
        // the callee's environment, on this frame (see below); its address tells how much C
        // stack is left: the runtime raises at the thread's limit (`Env::stack_limit`)
        use crate::runtime::env_offsets as eo;
        let words = eo::SIZE.div_ceil(8) as u32;
        let ce_words = self.entry_alloca(self.t.i64.array_type(words).into(), "callee_env")?;
        let sp = self
            .b
            .build_ptr_to_int(ce_words, i64t, "")
            .map_err(llvm_err)?;
        let stack_limit =
            self.load_int(self.env.expect("env"), eo::STACK_LIMIT as u32, 64, false)?;
        conds.push(
            self.b
                .build_int_compare(IntPredicate::UGE, sp, stack_limit, "")
                .map_err(llvm_err)?,
        );
        // under the recursion limits (at the limit, the runtime raises)
        let units = i64t.const_int(k.c_units as u64, true);
        if let Some(off) = k.remaining {
            let left = self.load_int(ts, off, 32, true)?;
            conds.push(
                self.b
                    .build_int_compare(IntPredicate::SGT, left, zero64, "")
                    .map_err(llvm_err)?,
            );
        }
        if let Some((py, cr)) = k.py_c {
            let left = self.load_int(ts, py, 32, true)?;
            conds.push(
                self.b
                    .build_int_compare(IntPredicate::SGT, left, zero64, "")
                    .map_err(llvm_err)?,
            );
            if k.c_units != 0 {
                let c_left = self.load_int(ts, cr, 32, true)?;
                conds.push(
                    self.b
                        .build_int_compare(IntPredicate::SGE, c_left, units, "")
                        .map_err(llvm_err)?,
                );
            }
        }
        let ok = self.all(&conds)?;
        self.b
            .build_conditional_branch(ok, fast, slow_bb)
            .map_err(llvm_err)?;

        // the fast path: signals and GIL requests every so many calls
        self.b.position_at_end(fast);
        let tick = self.add_i32(self.addr_const(k.ticks), 1)?;
        let every = i32t.const_int(u64::from(crate::runtime::PERIODIC_EVERY - 1), false);
        let masked = self.b.build_and(tick, every, "").map_err(llvm_err)?;
        let due = self
            .b
            .build_int_compare(IntPredicate::EQ, masked, i32t.const_zero(), "")
            .map_err(llvm_err)?;
        let periodic = self.new_block("direct_periodic");
        let push = self.new_block("direct_push");
        let failed = self.new_block("direct_signal");
        self.branch_rarely(due, periodic, push)?;
        self.b.position_at_end(periodic);
        let st = self.helper_int(
            crate::runtime::rt_periodic as *const () as usize,
            &[self.env.expect("env").into()],
        )?;
        let raised = self
            .b
            .build_int_compare(IntPredicate::NE, st, i32t.const_zero(), "")
            .map_err(llvm_err)?;
        self.branch_rarely(raised, failed, push)?;
        self.b.position_at_end(failed);
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;

        // enter: recursion counters, the frame, its parameters and cell
        self.b.position_at_end(push);
        let bump = |off: u32, by: i64| -> R<()> {
            self.add_i32(self.field_ptr_obj(ts, off)?, by)?;
            Ok(())
        };
        if let Some(off) = k.remaining {
            bump(off, -1)?;
        }
        if let Some((py, cr)) = k.py_c {
            bump(py, -1)?;
            if k.c_units != 0 {
                bump(cr, -i64::from(k.c_units))?;
            }
        }
        let cur_base = match k.cframe {
            Some(off) => self.ld_ptr(ts, off)?,
            None => ts,
        };
        let cur = self.field_ptr(cur_base, k.cur)?;
        let frame = top;
        let new_top = self.byte_ptr_dyn(top, need)?;
        self.st_ptr(ts, k.ts_top, new_top)?;
        match moved {
            Some(slot) => self.store(slot, self.null())?,
            None => self.incref(callable)?,
        }
        self.st_ptr(frame, k.f_func, callable)?;
        self.incref(pcode)?;
        self.st_ptr(frame, k.f_code, pcode)?;
        let builtins = self.ld_ptr(callable, k.func_builtins)?;
        self.st_ptr(frame, k.f_globals, self.ld_ptr(callable, k.func_globals)?)?;
        self.st_ptr(frame, k.f_builtins, builtins)?;
        self.st_ptr(frame, k.f_locals, self.null())?;
        self.st_ptr(frame, k.frame_obj, self.null())?;
        let previous = self.load(cur)?;
        self.st_ptr(frame, k.previous, previous)?;
        let nlp = self.load_int(plan, k.plan_nlocalsplus, 64, false)?;
        self.st_int(
            frame,
            k.stacktop,
            self.b.build_int_truncate(nlp, i32t, "").map_err(llvm_err)?,
        )?;
        self.st_int(frame, k.owner, i8t.const_zero())?;
        if let Some(off) = k.is_entry {
            self.st_int(frame, off, i8t.const_zero())?;
        }
        if let Some(off) = k.return_offset {
            self.st_int(frame, off, i16t.const_zero())?;
        }
        self.st_ptr(frame, k.pos, self.ld_ptr(plan, k.plan_pos)?)?;
        let lp = self.field_ptr(frame, k.localsplus)?;
        // the parameters (new references, or the caller's moved), then the trampoline's cell
        self.count_loop(nargs, "direct_args", &|i| {
            let from = self.slot_at(first, i)?;
            let a = self.load(from)?;
            if moved.is_some() {
                self.store(from, self.null())?;
            } else {
                self.incref(a)?;
            }
            self.store(self.slot_at(lp, i)?, a)
        })?;
        // the trampoline's other locals unbound, then its free variable (the last slot)
        let last = self
            .b
            .build_int_sub(nlp, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        let unbound = self.b.build_int_sub(last, nargs, "").map_err(llvm_err)?;
        self.count_loop(unbound, "direct_unbound", &|i| {
            let at = self.b.build_int_add(nargs, i, "").map_err(llvm_err)?;
            self.store(self.slot_at(lp, at)?, self.null())
        })?;
        let cell = self.ld_ptr(closure, k.tuple_item)?;
        self.incref(cell)?;
        self.store(self.slot_at(lp, last)?, cell)?;
        // the entry in the cell owns the compiled function: held for the call
        let entry_obj = self.ld_ptr(cell, k.cell_ref)?;
        self.incref(entry_obj)?;
        self.store(cur, frame)?;
        for counter in [k.native_calls, k.direct_calls] {
            let p = self.byte_ptr(
                self.addr_const(counter),
                0,
                i64t.ptr_type(AddressSpace::default()),
            )?;
            let v = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
            let v = self
                .b
                .build_int_add(v, i64t.const_int(1, false), "")
                .map_err(llvm_err)?;
            self.b.build_store(p, v).map_err(llvm_err)?;
        }
        let active = self.load_int(cf, k.cf_active, 32, false)?;
        let up = self
            .b
            .build_int_add(active, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        self.st_int(
            cf,
            k.cf_active,
            self.b.build_int_truncate(up, i32t, "").map_err(llvm_err)?,
        )?;
        // the callee's environment, as `fast_call` builds it
        let ce = self
            .b
            .build_pointer_cast(ce_words, self.t.obj, "")
            .map_err(llvm_err)?;
        let off = |o: usize| o as u32;
        self.st_ptr(ce, off(eo::ARGS), lp_as_obj(self, lp)?)?;
        self.st_ptr(ce, off(eo::LASTI_SLOT), self.field_ptr_obj(frame, k.pos)?)?;
        self.st_int(
            ce,
            off(eo::LASTI_BASE),
            self.load_int(plan, k.plan_code_start, 64, false)?,
        )?;
        let orig = self.ld_ptr(cf, k.cf_func)?;
        self.st_ptr(ce, off(eo::GLOBALS), self.ld_ptr(orig, k.func_globals)?)?;
        self.st_ptr(ce, off(eo::BUILTINS), builtins)?;
        self.st_ptr(ce, off(eo::CONSTS), self.ld_ptr(cf, k.cf_consts)?)?;
        self.st_ptr(ce, off(eo::NAMES), self.ld_ptr(cf, k.cf_names)?)?;
        self.st_ptr(ce, off(eo::VARNAMES), self.ld_ptr(cf, k.cf_varnames)?)?;
        self.st_ptr(ce, off(eo::CLOSURE), self.ld_ptr(orig, k.func_closure)?)?;
        self.st_ptr(ce, off(eo::RT), self.env_field(eo::RT)?)?;
        self.st_ptr(ce, off(eo::OWNER), cf)?;
        self.st_ptr(ce, off(eo::TS), ts)?;
        // (the same thread: the same stack)
        self.st_int(ce, off(eo::STACK_LIMIT), stack_limit)?;
        let entry_fn = self.ld_ptr(cf, k.cf_entry)?;
        let r = self.call_native(entry_fn, &[ce.into(), self.null().into()])?;
        let active = self.load_int(cf, k.cf_active, 32, false)?;
        let down = self
            .b
            .build_int_sub(active, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        self.st_int(
            cf,
            k.cf_active,
            self.b
                .build_int_truncate(down, i32t, "")
                .map_err(llvm_err)?,
        )?;
        let is_null = self.b.build_is_null(r, "").map_err(llvm_err)?;
        let raise = self.new_block("direct_raised");
        let unlink = self.new_block("direct_unlink");
        self.b
            .build_conditional_branch(is_null, raise, unlink)
            .map_err(llvm_err)?;
        self.b.position_at_end(raise);
        self.call_addr(k.raised as usize, None, &[self.env.expect("env").into()])?;
        self.b
            .build_unconditional_branch(unlink)
            .map_err(llvm_err)?;
        // leave: unlinked first (clearing may run finalizers), then cleared
        self.b.position_at_end(unlink);
        self.store(cur, previous)?;
        let fo = self.ld_ptr(frame, k.frame_obj)?;
        let no_obj = self.b.build_is_null(fo, "").map_err(llvm_err)?;
        let plain = self.new_block("direct_clear");
        let with_obj = self.new_block("direct_clear_obj");
        let cleared = self.new_block("direct_cleared");
        self.b
            .build_conditional_branch(no_obj, plain, with_obj)
            .map_err(llvm_err)?;
        self.b.position_at_end(with_obj);
        self.call_addr(
            k.clear as usize,
            None,
            &[self.env.expect("env").into(), frame.into()],
        )?;
        self.b
            .build_unconditional_branch(cleared)
            .map_err(llvm_err)?;
        self.b.position_at_end(plain);
        let stacktop = self.load_int(frame, k.stacktop, 32, false)?;
        self.count_loop(stacktop, "direct_release", &|i| {
            self.decref(self.load(self.slot_at(lp, i)?)?)
        })?;
        let locals = self.ld_ptr(frame, k.f_locals)?;
        self.decref(locals)?;
        self.decref(callable)?;
        self.decref(pcode)?;
        self.b
            .build_unconditional_branch(cleared)
            .map_err(llvm_err)?;
        self.b.position_at_end(cleared);
        self.st_ptr(ts, k.ts_top, top)?;
        if let Some(off) = k.remaining {
            bump(off, 1)?;
        }
        if let Some((py, cr)) = k.py_c {
            bump(py, 1)?;
            if k.c_units != 0 {
                bump(cr, i64::from(k.c_units))?;
            }
        }
        self.decref(entry_obj)?;
        let mut incoming = vec![(self.null(), failed)];
        self.arrive(r, done, &mut incoming)?;
        Ok(incoming)
    }
}

impl<'ctx> Codegen<'_, 'ctx> {
    /// `p` advanced by `off` bytes (a run-time value).
    fn byte_ptr_dyn(&self, p: PointerValue<'ctx>, off: IntValue<'ctx>) -> R<PointerValue<'ctx>> {
        let bytes = self
            .b
            .build_pointer_cast(p, self.ctx.i8_type().ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        // SAFETY (LLVM): callers stay inside the data stack chunk they checked.
        let q = unsafe { self.b.build_gep(bytes, &[off], "") }.map_err(llvm_err)?;
        self.b
            .build_pointer_cast(q, self.t.obj, "")
            .map_err(llvm_err)
    }

    /// The address of byte `off` of `base`, as an object pointer.
    fn field_ptr_obj(&self, base: PointerValue<'ctx>, off: u32) -> R<PointerValue<'ctx>> {
        self.byte_ptr(base, off, self.t.obj)
    }

    /// Calls the function at run-time address `f` (a compiled function's entry, a C function
    /// of the interpreter's read from an object) with `args`; it returns an object.
    pub(super) fn call_native(
        &self,
        f: PointerValue<'ctx>,
        args: &[inkwell::values::BasicMetadataValueEnum<'ctx>],
    ) -> R<PointerValue<'ctx>> {
        let fty = self.fnty(Some(self.t.obj.into()), &self.arg_types(args));
        let fp = self
            .b
            .build_pointer_cast(f, fty.ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        let callable = inkwell::values::CallableValue::try_from(fp)
            .map_err(|_| llvm_err("not a function pointer"))?;
        self.lasti_for_call()?;
        self.forget_globals()?;
        let site = self.b.build_call(callable, args, "").map_err(llvm_err)?;
        Ok(site
            .try_as_basic_value()
            .basic()
            .expect("returns")
            .into_pointer_value())
    }
}

/// `lp` (a pointer to object slots) as an object pointer, for storing.
fn lp_as_obj<'ctx>(g: &Codegen<'_, 'ctx>, lp: PointerValue<'ctx>) -> R<PointerValue<'ctx>> {
    g.b.build_pointer_cast(lp, g.t.obj, "").map_err(llvm_err)
}

impl<'ctx> Codegen<'_, 'ctx> {
    /// Where the instance `o` keeps the value site `site` caches the index of, if the site's
    /// cache answers for `o` (its class, the class's version tag, a [`VALUES`] site, the
    /// instance's values in use, and for a store no dict sharing them): the address of the
    /// value's slot, in the block the builder is left in; otherwise a branch to `miss`. With
    /// `no_dict`, an instance of the site's class whose instances have no dict of any kind
    /// (`tp_dictoffset` 0) branches there once the class and tag are checked.
    ///
    /// [`VALUES`]: crate::runtime::attrs
    #[allow(clippy::too_many_arguments)]
    fn attr_value_slot(
        &self,
        k: &crate::runtime::attrs::InlineAttr,
        site: PointerValue<'ctx>,
        o: PointerValue<'ctx>,
        miss: inkwell::basic_block::BasicBlock<'ctx>,
        store: bool,
        kind: u8,
        no_dict: Option<inkwell::basic_block::BasicBlock<'ctx>>,
    ) -> R<(PointerValue<'ctx>, IntValue<'ctx>)> {
        use anyjit_abi::descriptor::InstanceValues;
        let i64t = self.t.i64;
        let zero = i64t.const_zero();
        let step = |cond: IntValue<'ctx>, name: &str| -> R<()> {
            let next = self.new_block(name);
            self.b
                .build_conditional_branch(cond, next, miss)
                .map_err(llvm_err)?;
            self.b.position_at_end(next);
            Ok(())
        };
        let eq = |a: IntValue<'ctx>, b: IntValue<'ctx>| {
            self.b
                .build_int_compare(IntPredicate::EQ, a, b, "")
                .map_err(llvm_err)
        };
        let t = self.ld_ptr(o, k.ob_type)?;
        let sty = self.ld_ptr(site, k.site_ty)?;
        let site_kind = self.load_int(site, k.site_kind, 8, false)?;
        let stag = self.load_int(site, k.site_tag, 32, false)?;
        let same = self.all(&[
            self.ptr_eq(t, sty)?,
            eq(site_kind, i64t.const_int(u64::from(kind), false))?,
            self.b
                .build_int_compare(IntPredicate::NE, stag, zero, "")
                .map_err(llvm_err)?,
        ])?;
        step(same, "attr_class")?;
        let tag = self.load_int(t, k.tp_version_tag, 32, false)?;
        let mut conds = vec![eq(tag, stag)?];
        if k.valid_flag != 0 {
            let flags = self.load_int(t, k.tp_flags, 32, false)?;
            let valid = i64t.const_int(u64::from(k.valid_flag), false);
            let masked = self.b.build_and(flags, valid, "").map_err(llvm_err)?;
            conds.push(eq(masked, valid)?);
        }
        step(self.all(&conds)?, "attr_tag")?;
        if let Some(no_dict) = no_dict {
            // a class whose instances have no dict of any kind (`tp_dictoffset` 0: no managed
            // dict either, whose offset is negative): nothing of their own to look at
            let off = self.load_int(t, k.tp_dictoffset, 64, false)?;
            let has = self.new_block("attr_dict");
            self.b
                .build_conditional_branch(eq(off, zero)?, no_dict, has)
                .map_err(llvm_err)?;
            self.b.position_at_end(has);
        }
        let array = match k.model {
            InstanceValues::Pointer { offset } => {
                let vpi = self.load_word_at(o, offset)?;
                step(
                    self.b
                        .build_int_compare(IntPredicate::NE, vpi, zero, "")
                        .map_err(llvm_err)?,
                    "attr_values",
                )?;
                vpi
            }
            InstanceValues::Tagged { offset } => {
                let w = self.load_word_at(o, offset)?;
                let low = self
                    .b
                    .build_and(w, i64t.const_int(1, false), "")
                    .map_err(llvm_err)?;
                step(
                    self.b
                        .build_int_compare(IntPredicate::NE, low, zero, "")
                        .map_err(llvm_err)?,
                    "attr_values",
                )?;
                self.b
                    .build_int_add(w, i64t.const_int(1, false), "")
                    .map_err(llvm_err)?
            }
            InstanceValues::Inline { valid, dict_offset } => {
                let size = self.load_int(t, k.tp_basicsize, 64, false)?;
                let oi = self.b.build_ptr_to_int(o, i64t, "").map_err(llvm_err)?;
                let base = self.b.build_int_add(oi, size, "").map_err(llvm_err)?;
                let basep = self
                    .b
                    .build_int_to_ptr(base, self.t.obj, "")
                    .map_err(llvm_err)?;
                let ok = self.load_int(basep, valid, 8, false)?;
                let mut conds = vec![self
                    .b
                    .build_int_compare(IntPredicate::NE, ok, zero, "")
                    .map_err(llvm_err)?];
                if store {
                    let dict = self.load_word_at(o, dict_offset)?;
                    conds.push(eq(dict, zero)?);
                }
                step(self.all(&conds)?, "attr_values")?;
                base
            }
        };
        let index = self.load_int(site, k.site_index, 32, false)?;
        let off = self
            .b
            .build_int_mul(index, i64t.const_int(8, false), "")
            .map_err(llvm_err)?;
        let addr = self
            .b
            .build_int_add(array, i64t.const_int(u64::from(k.array), false), "")
            .map_err(llvm_err)?;
        let addr = self.b.build_int_add(addr, off, "").map_err(llvm_err)?;
        let slot = self
            .b
            .build_int_to_ptr(addr, self.t.objp, "")
            .map_err(llvm_err)?;
        Ok((slot, array))
    }

    /// `LOAD_METHOD` of `o.name` through attribute site `site`: 1 with the class's function
    /// (or builtin method) stored at `out` where the site's cache answers inline (a
    /// [`METHOD`] site, the class and its tag as cached, and instances without any dict, or
    /// the instance's values in use and without a value of that name: its slot empty, or the
    /// class's shared keys still without the name), else `slow` (the
    /// runtime's cached lookup, which stores at `out` itself).
    ///
    /// [`METHOD`]: crate::runtime::attrs
    pub(super) fn inline_load_method(
        &self,
        k: &crate::runtime::attrs::InlineAttr,
        site: PointerValue<'ctx>,
        o: PointerValue<'ctx>,
        out: PointerValue<'ctx>,
        slow: &dyn Fn() -> R<IntValue<'ctx>>,
    ) -> R<IntValue<'ctx>> {
        let i64t = self.t.i64;
        self.note_inline("method_values");
        let miss = self.new_block("method_miss");
        let done = self.new_block("method_done");
        let hit = self.new_block("method_hit");
        let (slot, _) = self.attr_value_slot(k, site, o, miss, true, k.method_kind, Some(hit))?;
        // the name's index known: the instance's slot must be empty; else the class's keys
        // must still have as many entries as when the site looked (they only grow)
        let entries = self.load_int(site, k.site_entries, 64, false)?;
        let by_index = self
            .b
            .build_int_compare(IntPredicate::SLT, entries, i64t.const_zero(), "")
            .map_err(llvm_err)?;
        let check_slot = self.new_block("method_slot");
        let check_keys = self.new_block("method_keys");
        self.b
            .build_conditional_branch(by_index, check_slot, check_keys)
            .map_err(llvm_err)?;
        self.b.position_at_end(check_slot);
        let own = self.load(slot)?;
        let empty = self.b.build_is_null(own, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(empty, hit, miss)
            .map_err(llvm_err)?;
        self.b.position_at_end(check_keys);
        let t = self.ld_ptr(o, self.desc.layout.object.ob_type)?;
        let keys = self.ld_ptr(t, k.ht_cached_keys)?;
        let keys_i = self.b.build_ptr_to_int(keys, i64t, "").map_err(llvm_err)?;
        let has_keys = self
            .b
            .build_int_compare(IntPredicate::NE, keys_i, i64t.const_zero(), "")
            .map_err(llvm_err)?;
        let read_keys = self.new_block("method_nentries");
        self.b
            .build_conditional_branch(has_keys, read_keys, miss)
            .map_err(llvm_err)?;
        self.b.position_at_end(read_keys);
        let n = self.load_int(keys, k.dk_nentries, 64, false)?;
        let same = self
            .b
            .build_int_compare(IntPredicate::EQ, n, entries, "")
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(same, hit, miss)
            .map_err(llvm_err)?;
        self.b.position_at_end(hit);
        let m = self.ld_ptr(site, k.site_method)?;
        self.incref(m)?;
        self.store(out, m)?;
        let hit_end = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(miss);
        let r = slow()?;
        let miss_end = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.t.i32, "method").map_err(llvm_err)?;
        phi.add_incoming(&[(&self.t.i32.const_int(1, false), hit_end), (&r, miss_end)]);
        Ok(phi.as_basic_value().into_int_value())
    }

    /// Appends the index site `site` caches to the insertion order of the attribute values at
    /// `values` (see `anyjit_abi::descriptor::InstanceValues`); branches to `miss` where it
    /// is full (which the interpreter's layout never lets happen).
    fn append_insertion_order(
        &self,
        k: &crate::runtime::attrs::InlineAttr,
        site: PointerValue<'ctx>,
        values: IntValue<'ctx>,
        miss: inkwell::basic_block::BasicBlock<'ctx>,
    ) -> R<()> {
        use anyjit_abi::descriptor::InstanceValues;
        let i64t = self.t.i64;
        let i8t = self.ctx.i8_type();
        let byte_at = |addr: IntValue<'ctx>| -> R<PointerValue<'ctx>> {
            self.b
                .build_int_to_ptr(addr, i8t.ptr_type(AddressSpace::default()), "")
                .map_err(llvm_err)
        };
        let add = |a: IntValue<'ctx>, b: i64| -> R<IntValue<'ctx>> {
            self.b
                .build_int_add(a, i64t.const_int(b as u64, true), "")
                .map_err(llvm_err)
        };
        let load_byte = |p: PointerValue<'ctx>| -> R<IntValue<'ctx>> {
            let x = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
            self.b.build_int_z_extend(x, i64t, "").map_err(llvm_err)
        };
        let index = self.load_int(site, k.site_index, 32, false)?;
        let index8 = self
            .b
            .build_int_truncate(index, i8t, "")
            .map_err(llvm_err)?;
        let room = self.new_block("attr_order");
        match (k.model, k.capacity_used) {
            (InstanceValues::Inline { .. }, Some((capacity, used))) => {
                let cap_p = byte_at(add(values, i64::from(capacity))?)?;
                let used_p = byte_at(add(values, i64::from(used))?)?;
                let cap = load_byte(cap_p)?;
                let size = load_byte(used_p)?;
                let fits = self
                    .b
                    .build_int_compare(IntPredicate::ULT, size, cap, "")
                    .map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(fits, room, miss)
                    .map_err(llvm_err)?;
                self.b.position_at_end(room);
                // the order follows `capacity` values
                let order = self
                    .b
                    .build_int_mul(cap, i64t.const_int(8, false), "")
                    .map_err(llvm_err)?;
                let order = self.b.build_int_add(values, order, "").map_err(llvm_err)?;
                let order = add(order, i64::from(k.array))?;
                let at = self.b.build_int_add(order, size, "").map_err(llvm_err)?;
                self.b.build_store(byte_at(at)?, index8).map_err(llvm_err)?;
                let size1 = add(size, 1)?;
                let size1 = self
                    .b
                    .build_int_truncate(size1, i8t, "")
                    .map_err(llvm_err)?;
                self.b.build_store(used_p, size1).map_err(llvm_err)?;
            }
            (InstanceValues::Pointer { .. } | InstanceValues::Tagged { .. }, _) => {
                // the prefix's size in the byte before the values, the order's length in
                // the one before it, the order running backwards from there
                let size_p = byte_at(add(values, -2)?)?;
                let prefix = load_byte(byte_at(add(values, -1)?)?)?;
                let size = load_byte(size_p)?;
                let fits = self
                    .b
                    .build_int_compare(IntPredicate::ULT, add(size, 2)?, prefix, "")
                    .map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(fits, room, miss)
                    .map_err(llvm_err)?;
                self.b.position_at_end(room);
                let size1 = add(size, 1)?;
                let base = add(values, -2)?;
                let at = self.b.build_int_sub(base, size1, "").map_err(llvm_err)?;
                self.b.build_store(byte_at(at)?, index8).map_err(llvm_err)?;
                let size1 = self
                    .b
                    .build_int_truncate(size1, i8t, "")
                    .map_err(llvm_err)?;
                self.b.build_store(size_p, size1).map_err(llvm_err)?;
            }
            _ => {
                self.b.build_unconditional_branch(miss).map_err(llvm_err)?;
                self.b.position_at_end(room);
            }
        }
        Ok(())
    }

    /// The word at byte offset `offset` (negative for the pre-header) from object `o`.
    fn load_word_at(&self, o: PointerValue<'ctx>, offset: i64) -> R<IntValue<'ctx>> {
        let i64t = self.t.i64;
        let oi = self.b.build_ptr_to_int(o, i64t, "").map_err(llvm_err)?;
        let a = self
            .b
            .build_int_add(oi, i64t.const_int(offset as u64, true), "")
            .map_err(llvm_err)?;
        let p = self
            .b
            .build_int_to_ptr(a, i64t.ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        Ok(self.b.build_load(p, "").map_err(llvm_err)?.into_int_value())
    }

    /// `o.name` through attribute site `site`: the value from the instance's attribute values
    /// where the site's cache answers inline, else `slow` (the runtime's cached lookup).
    pub(super) fn inline_load_attr(
        &self,
        k: &crate::runtime::attrs::InlineAttr,
        site: PointerValue<'ctx>,
        o: PointerValue<'ctx>,
        slow: &dyn Fn() -> R<PointerValue<'ctx>>,
    ) -> R<PointerValue<'ctx>> {
        self.note_inline("attr_values");
        let miss = self.new_block("attr_miss");
        let done = self.new_block("attr_done");
        let (slot, _) = self.attr_value_slot(k, site, o, miss, false, k.values_kind, None)?;
        let v = self.load(slot)?;
        let found = self.new_block("attr_found");
        let is_null = self.b.build_is_null(v, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(is_null, miss, found)
            .map_err(llvm_err)?;
        self.b.position_at_end(found);
        self.incref(v)?;
        let mut incoming = Vec::new();
        self.arrive(v, done, &mut incoming)?;
        self.b.position_at_end(miss);
        let r = slow()?;
        self.arrive(r, done, &mut incoming)?;
        self.merge(done, &incoming)
    }

    /// `o.name = v` (`v` borrowed) through attribute site `site`: replaces the value in the
    /// instance's attribute values where the site's cache answers inline and the instance has
    /// one, else `slow` (the runtime's cached store). 0, or -1 with an exception set.
    pub(super) fn inline_store_attr(
        &self,
        k: &crate::runtime::attrs::InlineAttr,
        site: PointerValue<'ctx>,
        o: PointerValue<'ctx>,
        v: PointerValue<'ctx>,
        slow: &dyn Fn() -> R<IntValue<'ctx>>,
    ) -> R<IntValue<'ctx>> {
        self.note_inline("attr_values");
        let miss = self.new_block("attr_miss");
        let done = self.new_block("attr_done");
        let (slot, values) = self.attr_value_slot(k, site, o, miss, true, k.values_kind, None)?;
        let old = self.load(slot)?;
        let found = self.new_block("attr_found");
        let added = self.new_block("attr_new");
        let is_null = self.b.build_is_null(old, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(is_null, added, found)
            .map_err(llvm_err)?;
        self.b.position_at_end(found);
        self.incref(v)?;
        self.store(slot, v)?;
        self.decref(old)?;
        let hit_end = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        // a value the instance does not have yet: stored, and its index appended to the
        // insertion order, as the interpreter's STORE_ATTR_INSTANCE_VALUE does
        self.b.position_at_end(added);
        self.append_insertion_order(k, site, values, miss)?;
        self.incref(v)?;
        self.store(slot, v)?;
        let new_end = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(miss);
        let r = slow()?;
        let miss_end = self.b.get_insert_block().expect("block");
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        let phi = self.b.build_phi(self.t.i32, "stored").map_err(llvm_err)?;
        let zero = self.t.i32.const_zero();
        phi.add_incoming(&[(&zero, hit_end), (&zero, new_end), (&r, miss_end)]);
        Ok(phi.as_basic_value().into_int_value())
    }
}

impl<'ctx> Codegen<'_, 'ctx> {
    /// The call `cls(*first[..nargs])` through direct call site `site`, where the site cached
    /// the construction of instances of `cls` (see `runtime::entry::construct`): inline while
    /// the class, its version tag and `__new__` are as cached (the instance allocated by
    /// `object.__new__`, the compiled `__init__`'s frame pushed here, its result checked),
    /// else `slow`.
    pub(super) fn inline_construct(
        &self,
        k: &InlineCall,
        site: PointerValue<'ctx>,
        cls: PointerValue<'ctx>,
        first: PointerValue<'ctx>,
        nargs: IntValue<'ctx>,
        slow: &dyn Fn() -> R<PointerValue<'ctx>>,
    ) -> R<PointerValue<'ctx>> {
        let Some(kc) = k.construct else {
            return slow();
        };
        let i64t = self.t.i64;
        let zero = i64t.const_zero();
        let eq = |a: IntValue<'ctx>, b: IntValue<'ctx>| {
            self.b
                .build_int_compare(IntPredicate::EQ, a, b, "")
                .map_err(llvm_err)
        };
        self.note_inline("construct");
        let done = self.new_block("construct_done");
        let slow_bb = self.new_block("construct_slow");
        let tagged = self.new_block("construct_class");
        let alloc = self.new_block("construct_alloc");
        // the site's class, its `__init__` cached
        let sfunc = self.ld_ptr(site, k.site_func)?;
        let init = self.ld_ptr(site, k.site_init)?;
        let init_i = self.b.build_ptr_to_int(init, i64t, "").map_err(llvm_err)?;
        let ok = self.all(&[
            self.ptr_eq(sfunc, cls)?,
            self.b
                .build_int_compare(IntPredicate::NE, init_i, zero, "")
                .map_err(llvm_err)?,
            self.b
                .build_int_compare(
                    IntPredicate::ULT,
                    nargs,
                    i64t.const_int(u64::from(kc.max_args), false),
                    "",
                )
                .map_err(llvm_err)?,
        ])?;
        self.b
            .build_conditional_branch(ok, tagged, slow_bb)
            .map_err(llvm_err)?;
        // as cached: the version tag (so `__init__` too) and `object.__new__`
        self.b.position_at_end(tagged);
        let tag = self.load_int(cls, kc.tp_version_tag, 32, false)?;
        let stag = self.load_int(site, kc.site_tag, 32, false)?;
        let new = self.load_int(cls, kc.tp_new, 64, false)?;
        let mut conds = vec![
            eq(tag, stag)?,
            eq(new, i64t.const_int(kc.object_new, false))?,
        ];
        if kc.valid_flag != 0 {
            let flags = self.load_int(cls, kc.tp_flags, 32, false)?;
            let valid = i64t.const_int(u64::from(kc.valid_flag), false);
            let masked = self.b.build_and(flags, valid, "").map_err(llvm_err)?;
            conds.push(eq(masked, valid)?);
        }
        let ok = self.all(&conds)?;
        self.b
            .build_conditional_branch(ok, alloc, slow_bb)
            .map_err(llvm_err)?;
        // the instance, as `object.__new__(cls)` makes it
        self.b.position_at_end(alloc);
        let obj = self
            .call_addr(
                kc.object_new as usize,
                Some(self.t.obj.into()),
                &[
                    cls.into(),
                    self.addr_const(kc.empty).into(),
                    self.null().into(),
                ],
            )?
            .expect("returns")
            .into_pointer_value();
        let made = self.new_block("construct_made");
        let alloc_failed = self.b.get_insert_block().expect("block");
        let is_null = self.b.build_is_null(obj, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(is_null, done, made)
            .map_err(llvm_err)?;
        self.b.position_at_end(made);
        // `self` and the arguments, for `__init__`
        let buf = self.entry_alloca(self.t.obj.array_type(kc.max_args).into(), "init_args")?;
        let buf = self
            .b
            .build_pointer_cast(buf, self.t.objp, "")
            .map_err(llvm_err)?;
        self.store(buf, obj)?;
        self.count_loop(nargs, "construct_args", &|i| {
            let a = self.load(self.slot_at(first, i)?)?;
            let next = self
                .b
                .build_int_add(i, self.t.i64.const_int(1, false), "")
                .map_err(llvm_err)?;
            self.store(self.slot_at(buf, next)?, a)
        })?;
        let n1 = self
            .b
            .build_int_add(nargs, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        // `__init__` through the inline frame push, or the runtime's direct call
        let plan = self.ld_ptr(site, k.site_plan)?;
        let called = self.new_block("construct_called");
        let generic = self.new_block("construct_generic");
        let mut incoming = self.frame_call(k, site, plan, init, buf, n1, generic, called, None)?;
        self.b.position_at_end(generic);
        let buf_obj = self
            .b
            .build_pointer_cast(buf, self.t.objp, "")
            .map_err(llvm_err)?;
        let rg = self
            .call_addr(
                kc.call as usize,
                Some(self.t.obj.into()),
                &[
                    self.env.expect("env").into(),
                    init.into(),
                    buf_obj.into(),
                    n1.into(),
                ],
            )?
            .expect("returns")
            .into_pointer_value();
        self.arrive(rg, called, &mut incoming)?;
        let r = self.merge(called, &incoming)?;
        // `__init__` raised, returned a value (TypeError), or None
        let none = self.object(anyjit_abi::Api::NoneStruct)?;
        let raised = self.new_block("construct_raised");
        let check_none = self.new_block("construct_result");
        let not_none = self.new_block("construct_not_none");
        let ok_bb = self.new_block("construct_ok");
        let r_null = self.b.build_is_null(r, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(r_null, raised, check_none)
            .map_err(llvm_err)?;
        self.b.position_at_end(check_none);
        let is_none = self.ptr_eq(r, none)?;
        self.b
            .build_conditional_branch(is_none, ok_bb, not_none)
            .map_err(llvm_err)?;
        self.b.position_at_end(not_none);
        self.call_addr(
            kc.returned as usize,
            None,
            &[self.env.expect("env").into(), r.into()],
        )?;
        self.b
            .build_unconditional_branch(raised)
            .map_err(llvm_err)?;
        let mut outcomes = vec![(self.null(), alloc_failed)];
        self.b.position_at_end(raised);
        self.decref(obj)?;
        self.arrive(self.null(), done, &mut outcomes)?;
        self.b.position_at_end(ok_bb);
        self.decref(r)?;
        self.arrive(obj, done, &mut outcomes)?;
        self.b.position_at_end(slow_bb);
        let rs = slow()?;
        self.arrive(rs, done, &mut outcomes)?;
        self.merge(done, &outcomes)
    }
}
