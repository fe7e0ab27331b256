//! Type speculation for the optimising tier: from the IR and the quick tier's type feedback,
//! which locals and stack values to keep unboxed (machine ints, doubles, truth values, counted
//! `range` loops), which operations to compile for those types, and where the guards go.
//!
//! The result is a [`Plan`], which the code generator follows instruction by instruction in the
//! specialised code of a function; a failing guard resumes the function's generic code
//! (compiled apart, the first time a guard fails) at the guarded instruction, unboxed values
//! boxed on the way.
//!
//! Invariants of a plan ([`plan`] returns why not rather than a plan that breaks one):
//! 1. a typed local holds one machine type ([`Num`]) in the whole function; its boxed slot holds
//!    NULL or a box of the same value, and a flag says whether it is bound;
//! 2. the stack types before each instruction are the join over every path to it: equal types
//!    stay, different ones are boxed ([`Ty::Obj`]);
//! 3. a jump or fall-through that brings an unboxed value to a slot its target holds boxed
//!    boxes it on the edge; exception and unwinding edges (handlers, `continue` through
//!    `finally`, 3.8's `CALL_FINALLY`) never need to;
//! 4. every guard sits before the effects of its instruction, so that the generic code can run
//!    that instruction again from the same state;
//! 5. a typed local is never a cell, never deleted, never cleared by a 3.12 comprehension.

use crate::codegen::feedback as fb;
use crate::ir::{BinOp, Block, CmpOp, Function, KwNames, Op, UnOp};

/// What a stack slot holds in the specialised code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// An object reference (the generic representation).
    Obj,
    /// A machine integer (an exact `int`: 2.7's C long, 3.x's `int` that fits 64 bits).
    Int,
    /// A double (an exact `float`).
    Float,
    /// A truth value (a comparison's result, not yet a `bool` object).
    Bool,
    /// `range(start, stop, step)` not yet made (a call of the builtin just before `iter()`).
    Range,
    /// An iterator over such a range: the next value, the stop, the step.
    RangeIter,
    /// An object reference the stack does not own: the value of a local that still holds it,
    /// or a constant (no reference count changes until something takes it over).
    Borrowed,
    /// An iterator over an exact list: the list (in the generic slot, owned) and the next
    /// index.
    ListIter,
    /// An iterator over an exact tuple, likewise.
    TupleIter,
}

impl Ty {
    /// Whether the slot holds something else than an owned object in the generic
    /// representation (what the generic code needs boxed).
    pub fn unboxed(self) -> bool {
        self != Ty::Obj
    }
}

/// The machine type of a typed local or of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Num {
    /// Machine integer.
    Int,
    /// Double.
    Float,
}

impl Num {
    /// The stack type of a value of this type.
    pub fn ty(self) -> Ty {
        match self {
            Num::Int => Ty::Int,
            Num::Float => Ty::Float,
        }
    }
}

/// How an operand reaches an operation of a machine type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    /// It already has the operation's type.
    Keep,
    /// A boxed value, guarded to be exactly of the operation's type and unboxed.
    Unbox,
    /// A machine integer converted to a double.
    Widen,
    /// A boxed value guarded to be an int, unboxed and converted to a double.
    UnboxWiden,
}

impl Conv {
    /// Whether the operand is guarded.
    pub fn guards(self) -> bool {
        matches!(self, Conv::Unbox | Conv::UnboxWiden)
    }
}

/// A constant of `co_consts`, as the specialised code can use it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Konst {
    /// An exact int that fits the machine integer.
    Int(i64),
    /// An exact float.
    Float(f64),
    /// Anything else.
    Other,
}

/// Where a stack value came from (for votes, and to box a local's value once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// A copy of local `n`, which still holds it.
    Local(u32),
    /// A value that may be a number.
    Maybe,
    /// A value that is not a number (a container just built, a truth value, ...).
    NotNum,
    /// A constant that is not a number (borrowed from `co_consts`).
    Const,
    /// A number constant pushed unboxed by instruction `n` (pushed borrowed instead once
    /// generic code takes it: it would box it at every execution).
    NumConst(u32),
}

/// What the specialised code does for one instruction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// The generic tier's code; the unboxed values it pops are boxed first, what it pushes is
    /// boxed.
    Generic,
    /// Moves or drops values without boxing them (`POP_TOP`, `ROT_*`, `DUP_*`, `COPY`, `SWAP`).
    Shuffle,
    /// Pushes a typed local (a guard when it may be unbound: the generic code raises).
    LoadLocal(Num),
    /// Pushes a boxed local or a constant borrowed (an unbound local raises).
    LoadBorrowed,
    /// A truth test of a borrowed object on top (`TO_BOOL`, conditional jumps).
    TruthObj,
    /// `is` / `is not` with a borrowed operand: the identity of the two, as a truth value.
    Identity {
        /// `is not`.
        invert: bool,
    },
    /// Pops into a typed local; `unbox`: the value is boxed and guarded.
    StoreLocal {
        /// The local's type.
        num: Num,
        /// Whether the value arrives boxed.
        unbox: bool,
    },
    /// Pops a borrowed object into a boxed local (nothing changes when the local holds it
    /// already).
    StoreBorrowed,
    /// Pushes an int or float constant unboxed.
    Const(Konst),
    /// A binary operator on machine values.
    Arith {
        /// The operator.
        op: BinOp,
        /// The type it computes in.
        num: Num,
        /// The left operand.
        a: Conv,
        /// The right operand.
        b: Conv,
    },
    /// A comparison of machine values, giving a truth value.
    Compare {
        /// The operator (`<` to `>=`).
        op: CmpOp,
        /// The type it compares in.
        num: Num,
        /// The left operand.
        a: Conv,
        /// The right operand.
        b: Conv,
    },
    /// A unary operator on the unboxed top (`not` gives a truth value).
    Unary {
        /// The operator.
        op: UnOp,
        /// The operand's type (`None`: a truth value, for `not`).
        num: Option<Num>,
    },
    /// A truth test of the unboxed top (3.13 `TO_BOOL`, conditional jumps).
    Truth,
    /// A call of the builtin `range` (guarded) with int arguments, followed by `iter()`.
    RangeCall {
        /// Arguments (1 to 3).
        argc: u32,
        /// Slots below the arguments.
        slots: u32,
        /// How each argument arrives (`Keep` or `Unbox`).
        conv: [Conv; 3],
    },
    /// `iter()` of a [`Ty::Range`].
    RangeIter,
    /// `iter()` of an exact list or tuple (guarded): iterated by index.
    SeqIter {
        /// A tuple (else a list).
        tuple: bool,
    },
    /// `FOR_ITER` over a [`Ty::ListIter`] or [`Ty::TupleIter`].
    ForSeq {
        /// A tuple (else a list).
        tuple: bool,
        /// The item is pushed borrowed (a `STORE_FAST` takes it next).
        borrow: bool,
    },
    /// `FOR_ITER` over a [`Ty::RangeIter`]: a counted loop.
    ForRange,
    /// `container[i]` for a list or tuple (guarded) and a machine-int index.
    ItemGet {
        /// Whether the feedback saw a tuple (else a list).
        tuple: bool,
    },
    /// `list[i] = v` for a list (guarded) and a machine-int index.
    ItemSet,
}

impl Step {
    /// Whether the step guards (may resume the generic code).
    pub fn guards(&self) -> bool {
        match *self {
            Step::LoadLocal(_)
            | Step::RangeCall { .. }
            | Step::ItemGet { .. }
            | Step::ItemSet
            | Step::SeqIter { .. } => true,
            Step::StoreLocal { unbox, .. } => unbox,
            Step::Arith { op, num, a, b } => {
                a.guards()
                    || b.guards()
                    || num == Num::Int
                    || matches!(
                        op,
                        BinOp::TrueDiv
                            | BinOp::ClassicDiv
                            | BinOp::FloorDiv
                            | BinOp::Mod
                            | BinOp::Pow
                    )
            }
            Step::Compare { num, a, b, .. } => a.guards() || b.guards() || num == Num::Int,
            Step::Unary { op, num, .. } => op == UnOp::Neg && num == Some(Num::Int),
            _ => false,
        }
    }
}

/// What [`plan`] needs besides the IR.
pub struct Inputs<'a> {
    /// The function.
    pub func: &'a Function,
    /// Local slots (locals, cells, free variables).
    pub nlocals: u32,
    /// Parameters (the first locals).
    pub nparams: u32,
    /// Local slots never to type (cells, free variables, parameters moved into cells).
    pub excluded: Vec<bool>,
    /// `co_consts`, classified.
    pub consts: &'a [Konst],
    /// The feedback word of instruction `i` (0: the site never ran).
    pub word: &'a dyn Fn(usize) -> usize,
    /// Whether a guard of instruction `i` failed in an earlier compilation (no guard there).
    pub failed: &'a dyn Fn(usize) -> bool,
    /// Addresses of the genuine builtin `range` objects (3.x `range`; 2.7 `range`, `xrange`).
    pub ranges: &'a [usize],
    /// Width of the machine integer (64; 2.7: the C long's).
    pub int_bits: u32,
    /// Whether a global's value can be pushed borrowed from the dict that holds it (2.7,
    /// whose lookups give borrowed values: no mapping path), for a list store that takes it
    /// with no call in between (see [`Analysis::global_for_store`]).
    pub borrow_globals: bool,
}

/// The specialisation of one function.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The type of each local slot (`None`: boxed).
    pub locals: Vec<Option<Num>>,
    /// What to do at each instruction.
    pub steps: Vec<Step>,
    /// Stack types and sources before each instruction (`None`: unreachable).
    pub before: Vec<Option<State>>,
    /// Stack types at each block's entry.
    pub entry: Vec<Option<Vec<Ty>>>,
    /// Stack types a taken jump brings to its target, per instruction.
    pub jumps: Vec<Option<Vec<Ty>>>,
    /// Stack types a block brings to the next one when it falls through.
    pub falls: Vec<Option<Vec<Ty>>>,
    /// Per instruction, the borrowed stack slots to take a reference to first (the local
    /// they borrow is about to change).
    pub own: Vec<Vec<u32>>,
    /// Number constants pushed borrowed (generic code takes them: unboxed, each execution
    /// would box them again).
    pub borrowed_consts: usize,
    /// Per instruction, the pairs of typed locals that hold one object on every path to it
    /// (one copied from the other, `y = x`, neither stored since): boxing either gives the
    /// other the same box, so that they stay one object as in the interpreter (`x is y`, a
    /// NaN found in a list by identity). Empty where the control flow is not plain (see
    /// [`liveness`]).
    pub aliases: Vec<Vec<(u32, u32)>>,
    /// The copies (`y = x` of typed locals, by instruction) that box `x` at once when it has
    /// no box yet, so that `y` shares it: those whose pair the analysis loses where paths
    /// meet (a loop that may run no iteration), or every copy where it cannot follow them.
    pub eager_copies: Vec<bool>,
    /// Whether the plan was made from the type feedback (the specialisation); `false`: from
    /// the code alone, for the optimising tier's generic code (no guards, no unboxed value:
    /// locals and constants pushed borrowed; see [`crate::runtime::guards::plan_for`]).
    pub speculative: bool,
}

impl Plan {
    /// Whether anything is specialised (else the generic code alone is compiled).
    pub fn worthwhile(&self) -> bool {
        self.locals.iter().any(Option::is_some)
            || self
                .steps
                .iter()
                .any(|s| !matches!(s, Step::Generic | Step::Shuffle))
    }

    /// How many instructions guard.
    pub fn guard_count(&self) -> usize {
        self.steps.iter().filter(|s| s.guards()).count()
    }

    /// The stack types before instruction `i`.
    pub fn types(&self, i: usize) -> &[Ty] {
        self.before[i].as_ref().map_or(&[], |s| &s.ty)
    }
}

/// The abstract stack: one type and one source per slot.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct State {
    /// Types, bottom first.
    pub ty: Vec<Ty>,
    /// Sources, bottom first.
    pub src: Vec<Src>,
}

impl State {
    fn push(&mut self, t: Ty, s: Src) {
        self.ty.push(t);
        self.src.push(s);
    }

    fn pop(&mut self) -> (Ty, Src) {
        (
            self.ty.pop().unwrap_or(Ty::Obj),
            self.src.pop().unwrap_or(Src::Maybe),
        )
    }

    fn top(&self, n: u32) -> (Ty, Src) {
        let i = self.ty.len().wrapping_sub(n as usize);
        (
            self.ty.get(i).copied().unwrap_or(Ty::Obj),
            self.src.get(i).copied().unwrap_or(Src::Maybe),
        )
    }

    fn sized(&self, depth: usize) -> State {
        let mut s = self.clone();
        s.ty.resize(depth, Ty::Obj);
        s.src.resize(depth, Src::Maybe);
        s
    }

    fn join(&mut self, other: &State) -> bool {
        let mut changed = false;
        for (k, (a, b)) in self.ty.iter_mut().zip(&other.ty).enumerate() {
            // (borrowed values join only when borrowed from the same place)
            let differ = *a != *b || (*a == Ty::Borrowed && self.src.get(k) != other.src.get(k));
            if differ && *a != Ty::Obj {
                *a = Ty::Obj;
                changed = true;
            }
        }
        for (a, b) in self.src.iter_mut().zip(&other.src) {
            if *a != *b && *a != Src::Maybe {
                *a = Src::Maybe;
                changed = true;
            }
        }
        changed
    }

    /// Local `n` is about to change: values borrowed from it are taken over (their slots,
    /// returned, get references), and no value is its copy any more.
    fn forget_local(&mut self, n: u32) -> Vec<u32> {
        let mut own = Vec::new();
        for (k, s) in self.src.iter_mut().enumerate() {
            if *s == Src::Local(n) {
                if self.ty[k] == Ty::Borrowed {
                    self.ty[k] = Ty::Obj;
                    own.push(k as u32);
                }
                *s = Src::Maybe;
            }
        }
        own
    }
}

/// What a local's uses and stores say about its type.
#[derive(Debug, Clone, Copy, Default)]
struct Votes {
    int: bool,
    float: bool,
    other: bool,
}

/// One operand's classes as the feedback word of an operand site records them.
fn classes(word: usize, second: bool) -> usize {
    if second {
        (word >> fb::B_SHIFT) & fb::CLASS_MASK
    } else {
        word & fb::CLASS_MASK
    }
}

/// Whether the top two items are objects, one of them borrowed: an identity test of them
/// needs no reference counts.
fn identity_operands(st: &State) -> bool {
    let pair = [st.top(1).0, st.top(2).0];
    pair.contains(&Ty::Borrowed) && pair.iter().all(|t| matches!(t, Ty::Obj | Ty::Borrowed))
}

/// An edge out of an instruction: target, arriving state, whether it may box on the way.
struct Edge {
    to: Block,
    state: State,
    strict: bool,
}

struct Analysis<'a> {
    inp: &'a Inputs<'a>,
    locals: Vec<Option<Num>>,
    votes: Vec<Votes>,
    /// The borrowed slots the last step takes references to first.
    own: Vec<u32>,
    /// Which iterators stay objects (no counted loop, no list iterated by index): 0 none; 1
    /// those of 3.12+ inlined comprehensions, which move their iterator under a handler's
    /// stack where another path brings an object (the second try when the first could not
    /// be planned); 2 all (the third).
    no_iters: u8,
    /// Per instruction: a number constant generic code takes, pushed borrowed.
    boxed_consts: Vec<bool>,
    /// Whether the last run found such a constant pushed unboxed (so that it runs again).
    new_boxed: bool,
    /// Whether runs look for such constants (once the locals' types have settled: before, a
    /// store into a local not typed yet would box a constant it then votes for).
    marking: bool,
}

/// A failed analysis, and why: the function is compiled without specialisation.
#[derive(Debug)]
struct Bail(String);

fn bail<T>(why: impl Into<String>) -> Result<T, Bail> {
    Err(Bail(why.into()))
}

impl Analysis<'_> {
    fn vote(&mut self, src: Src, v: Option<Num>) {
        if let Src::Local(n) = src {
            if let Some(vote) = self.votes.get_mut(n as usize) {
                match v {
                    Some(Num::Int) => vote.int = true,
                    Some(Num::Float) => vote.float = true,
                    None => vote.other = true,
                }
            }
        }
    }

    /// The type an operand of site `i` is speculated to have: from its static type, else from
    /// the feedback of the site (one class only, the guard never failed).
    fn operand(&self, i: usize, ty: Ty, src: Src, second: bool) -> Option<(Num, bool)> {
        if (self.inp.failed)(i) {
            // its guards failed before: the site stays generic
            return None;
        }
        if let Src::Local(l) = src {
            // a local left boxed because its guard failed: its sites saw only one type, but
            // another came since
            if !matches!(ty, Ty::Int | Ty::Float)
                && self.inp.excluded.get(l as usize).copied().unwrap_or(false)
            {
                return None;
            }
        }
        match ty {
            Ty::Int => Some((Num::Int, false)),
            Ty::Float => Some((Num::Float, false)),
            Ty::Obj | Ty::Borrowed => {
                let w = (self.inp.word)(i);
                if w == 0 {
                    return None;
                }
                match classes(w, second) {
                    fb::C_INT => Some((Num::Int, true)),
                    fb::C_FLOAT => Some((Num::Float, true)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Records what site `i` says of its operands' sources.
    fn vote_operands(&mut self, i: usize, a: Src, b: Option<Src>) {
        let w = (self.inp.word)(i);
        if w == 0 {
            return;
        }
        let failed = (self.inp.failed)(i);
        let class = |c: usize| match c {
            _ if failed => None,
            fb::C_INT => Some(Num::Int),
            fb::C_FLOAT => Some(Num::Float),
            _ => None,
        };
        self.vote(a, class(classes(w, false)));
        if let Some(b) = b {
            self.vote(b, class(classes(w, true)));
        }
    }

    fn typed_local(&self, n: u32) -> Option<Num> {
        self.locals.get(n as usize).copied().flatten()
    }

    /// Applies instruction `i` to `st`; returns its step and the edges it jumps along.
    fn step(&mut self, i: usize, st: &mut State) -> Result<(Step, Vec<Edge>), Bail> {
        let func = self.inp.func;
        let ins = &func.instrs[i];
        let Some(d) = ins.depth.map(|d| d as usize) else {
            return bail("an unreachable instruction analysed");
        };
        if st.ty.len() != d {
            return bail(format!(
                "stack depth {} where the decoder says {d} (offset {})",
                st.ty.len(),
                ins.offset
            ));
        }
        let before = st.clone();
        let mut edges = Vec::new();
        self.own.clear();
        let strict_to = |to: Block, s: &State| Edge {
            to,
            state: s.clone(),
            strict: true,
        };
        // 3.11+: a failing instruction unwinds to its handler with the stack cut to its depth
        if ins.op.can_fail() {
            if let Some(h) = func.handler_for(ins.offset) {
                let mut s = before.sized(h.depth as usize);
                for _ in 0..h.entry_depth() - h.depth {
                    s.push(Ty::Obj, Src::Maybe);
                }
                edges.push(strict_to(h.target, &s));
            }
        }
        let step = match ins.op {
            Op::PopTop if st.top(1).0.unboxed() => {
                st.pop();
                Step::Shuffle
            }
            Op::Copy { n } | Op::Dup { n }
                if (1..=n).any(|k| matches!(st.top(k).0, Ty::ListIter | Ty::TupleIter)) =>
            {
                return bail("an iterator copied");
            }
            Op::Rot { n } | Op::Swap { n } | Op::Copy { n } | Op::Dup { n }
                if (1..=n).any(|k| st.top(k).0.unboxed()) =>
            {
                let top: Vec<(Ty, Src)> = (1..=n).rev().map(|k| st.top(k)).collect();
                for _ in 0..n {
                    st.pop();
                }
                let n = n as usize;
                let order: Vec<(Ty, Src)> = match ins.op {
                    // the top moves down to position n
                    Op::Rot { .. } => std::iter::once(top[n - 1])
                        .chain(top[..n - 1].iter().copied())
                        .collect(),
                    Op::Swap { .. } => {
                        let mut v = top.clone();
                        v.swap(0, n - 1);
                        v
                    }
                    Op::Copy { .. } => {
                        let mut v = top.clone();
                        v.push(top[0]);
                        v
                    }
                    _ => top.iter().chain(top.iter()).copied().collect(),
                };
                for (t, s) in order {
                    st.push(t, s);
                }
                Step::Shuffle
            }
            Op::LoadGlobal {
                null: crate::ir::NullPush::No,
                ..
            } if self.global_for_store(i) => {
                st.push(Ty::Borrowed, Src::Maybe);
                Step::LoadBorrowed
            }
            Op::LoadConst { index } => match self.inp.consts.get(index as usize) {
                Some(&k @ Konst::Int(_)) if !self.boxed_consts[i] => {
                    st.push(Ty::Int, Src::NumConst(i as u32));
                    Step::Const(k)
                }
                Some(&k @ Konst::Float(_)) if !self.boxed_consts[i] => {
                    st.push(Ty::Float, Src::NumConst(i as u32));
                    Step::Const(k)
                }
                _ => {
                    st.push(Ty::Borrowed, Src::Const);
                    Step::LoadBorrowed
                }
            },
            Op::LoadFast { local, .. } => {
                if (self.inp.failed)(i) {
                    // (read unbound: left boxed the next time)
                    self.vote(Src::Local(local), None);
                }
                match self.typed_local(local) {
                    Some(t) => {
                        st.push(t.ty(), Src::Local(local));
                        Step::LoadLocal(t)
                    }
                    None => {
                        st.push(Ty::Borrowed, Src::Local(local));
                        Step::LoadBorrowed
                    }
                }
            }
            Op::StoreFast { local } => {
                let (t, s) = st.pop();
                self.own = st.forget_local(local);
                match t {
                    // a store whose guard failed before: the value was of another type
                    _ if (self.inp.failed)(i) => self.vote(Src::Local(local), None),
                    Ty::Int => self.vote(Src::Local(local), Some(Num::Int)),
                    Ty::Float => self.vote(Src::Local(local), Some(Num::Float)),
                    Ty::Obj | Ty::Borrowed if matches!(s, Src::NotNum | Src::Const) => {
                        self.vote(Src::Local(local), None)
                    }
                    Ty::Obj | Ty::Borrowed => {}
                    _ => self.vote(Src::Local(local), None),
                }
                match (self.typed_local(local), t) {
                    (None, Ty::Borrowed) => Step::StoreBorrowed,
                    (None, _) => Step::Generic,
                    (Some(n), Ty::Obj | Ty::Borrowed) => Step::StoreLocal {
                        num: n,
                        unbox: true,
                    },
                    (Some(n), t) if t == n.ty() => Step::StoreLocal {
                        num: n,
                        unbox: false,
                    },
                    // (a store the votes did not foresee: the local is boxed after all)
                    (Some(_), t) => {
                        return bail(format!(
                            "a {t:?} stored into a typed local (offset {})",
                            ins.offset
                        ))
                    }
                }
            }
            Op::DeleteFast { local } | Op::LoadFastAndClear { local } => {
                if self.typed_local(local).is_some() {
                    return bail("a typed local deleted");
                }
                self.own = st.forget_local(local);
                self.generic(st, ins.op)
            }
            Op::Binary { op, .. } => {
                let (tb, sb) = st.top(1);
                let (ta, sa) = st.top(2);
                self.vote_operands(i, sa, Some(sb));
                let ka = self.operand(i, ta, sa, false);
                let kb = self.operand(i, tb, sb, true);
                match (ka, kb) {
                    (Some(a), Some(b)) => match self.arith(op, a, b) {
                        Some((step, result)) => {
                            st.pop();
                            st.pop();
                            st.push(result, Src::Maybe);
                            step
                        }
                        None => self.generic(st, ins.op),
                    },
                    _ => self.generic(st, ins.op),
                }
            }
            Op::Compare { op, .. }
                if matches!(
                    op,
                    CmpOp::Lt | CmpOp::Le | CmpOp::Eq | CmpOp::Ne | CmpOp::Gt | CmpOp::Ge
                ) =>
            {
                let (tb, sb) = st.top(1);
                let (ta, sa) = st.top(2);
                self.vote_operands(i, sa, Some(sb));
                match (
                    self.operand(i, ta, sa, false),
                    self.operand(i, tb, sb, true),
                ) {
                    (Some(a), Some(b)) => {
                        let (num, a, b) = Self::domain(a, b);
                        st.pop();
                        st.pop();
                        st.push(Ty::Bool, Src::NotNum);
                        Step::Compare { op, num, a, b }
                    }
                    _ => self.generic(st, ins.op),
                }
            }
            Op::Unary { op } if !(self.inp.failed)(i) => {
                let (t, _) = st.top(1);
                let num = match t {
                    Ty::Int => Some(Num::Int),
                    Ty::Float => Some(Num::Float),
                    _ => None,
                };
                let result = match (op, t) {
                    (UnOp::Not, Ty::Int | Ty::Float | Ty::Bool) => Some(Ty::Bool),
                    (UnOp::Neg | UnOp::Pos, Ty::Int | Ty::Float) => Some(t),
                    (UnOp::Invert, Ty::Int) => Some(Ty::Int),
                    _ => None,
                };
                match result {
                    Some(r) => {
                        st.pop();
                        st.push(
                            r,
                            if r == Ty::Bool {
                                Src::NotNum
                            } else {
                                Src::Maybe
                            },
                        );
                        Step::Unary { op, num }
                    }
                    None => self.generic(st, ins.op),
                }
            }
            Op::ToBool if matches!(st.top(1).0, Ty::Int | Ty::Float | Ty::Bool) => {
                st.pop();
                st.push(Ty::Bool, Src::NotNum);
                Step::Truth
            }
            Op::ToBool if st.top(1).0 == Ty::Borrowed => {
                st.pop();
                st.push(Ty::Bool, Src::NotNum);
                Step::TruthObj
            }
            Op::PopJumpIf { target, .. } if st.top(1).0 == Ty::Borrowed => {
                st.pop();
                edges.push(Edge {
                    to: target,
                    state: st.clone(),
                    strict: false,
                });
                Step::TruthObj
            }
            Op::JumpIfOrPop { target, .. } if st.top(1).0 == Ty::Borrowed => {
                edges.push(Edge {
                    to: target,
                    state: st.clone(),
                    strict: false,
                });
                st.pop();
                Step::TruthObj
            }
            Op::IsOp { invert } if identity_operands(st) => {
                st.pop();
                st.pop();
                st.push(Ty::Bool, Src::NotNum);
                Step::Identity { invert }
            }
            Op::Compare {
                op: op @ (CmpOp::Is | CmpOp::IsNot),
                to_bool,
            } if !to_bool && identity_operands(st) => {
                st.pop();
                st.pop();
                st.push(Ty::Bool, Src::NotNum);
                Step::Identity {
                    invert: op == CmpOp::IsNot,
                }
            }
            Op::PopJumpIf { target, cond }
                if matches!(st.top(1).0, Ty::Int | Ty::Float | Ty::Bool) =>
            {
                let _ = cond;
                st.pop();
                edges.push(Edge {
                    to: target,
                    state: st.clone(),
                    strict: false,
                });
                Step::Truth
            }
            Op::JumpIfOrPop { target, .. }
                if matches!(st.top(1).0, Ty::Int | Ty::Float | Ty::Bool) =>
            {
                edges.push(Edge {
                    to: target,
                    state: st.clone(),
                    strict: false,
                });
                st.pop();
                Step::Truth
            }
            Op::Call {
                argc,
                kw: KwNames::None,
                slot,
            } if self.range_call(i, argc) => {
                let slots = slot.slots();
                self.range_args(st, argc, slots, ins.op)?
            }
            Op::Call27 {
                npos,
                nkw: 0,
                var: false,
                kwargs: false,
            } if self.range_call(i, npos) => self.range_args(st, npos, 1, ins.op)?,
            Op::GetIter if st.top(1).0 == Ty::Range => {
                st.pop();
                st.push(Ty::RangeIter, Src::NotNum);
                Step::RangeIter
            }
            Op::GetIter
                if !self.iter_blocked(i)
                    && self.iterated_here(i)
                    && matches!(st.top(1).0, Ty::Obj | Ty::Borrowed)
                    && self.container(i).is_some() =>
            {
                let tuple = self.container(i) == Some(true);
                st.pop();
                st.push(
                    if tuple { Ty::TupleIter } else { Ty::ListIter },
                    Src::NotNum,
                );
                Step::SeqIter { tuple }
            }
            Op::ForIter { target }
                if matches!(st.top(1).0, Ty::RangeIter | Ty::ListIter | Ty::TupleIter) =>
            {
                // a counted loop, or a list or tuple iterated by index
                let it = st.top(1).0;
                let mut exhausted = st.clone();
                exhausted.pop();
                edges.push(Edge {
                    to: target,
                    state: exhausted,
                    strict: false,
                });
                if it == Ty::RangeIter {
                    st.push(Ty::Int, Src::Maybe);
                    Step::ForRange
                } else {
                    // an item stored straight into a local is borrowed from the sequence
                    // until then (nothing runs between the two): the store takes it over, or
                    // changes nothing when the local holds that object already
                    let func = self.inp.func;
                    let borrow = matches!(
                        func.instrs.get(i + 1).map(|n| n.op),
                        Some(Op::StoreFast { .. })
                    ) && func.block_at(i + 1).is_none_or(|b| {
                        !func.instrs.iter().any(|n| n.op.target() == Some(b))
                            && !func.handlers.iter().any(|h| h.target == b)
                    });
                    st.push(if borrow { Ty::Borrowed } else { Ty::Obj }, Src::Maybe);
                    Step::ForSeq {
                        tuple: it == Ty::TupleIter,
                        borrow,
                    }
                }
            }
            Op::Subscr
                if st.top(1).0 == Ty::Int && matches!(st.top(2).0, Ty::Obj | Ty::Borrowed) =>
            {
                match self.container(i) {
                    Some(tuple) => {
                        st.pop();
                        st.pop();
                        st.push(Ty::Obj, Src::Maybe);
                        Step::ItemGet { tuple }
                    }
                    None => self.generic(st, ins.op),
                }
            }
            Op::StoreSubscr
                if st.top(1).0 == Ty::Int
                    && matches!(st.top(2).0, Ty::Obj | Ty::Borrowed)
                    && self.container(i) == Some(false) =>
            {
                st.pop();
                st.pop();
                st.pop();
                Step::ItemSet
            }
            op => {
                // ops that read slots below what they pop need them boxed (with exception
                // items, which are objects anyway)
                let deep: Vec<u32> = match op {
                    Op::ListAppend { depth }
                    | Op::SetAdd { depth }
                    | Op::ListExtend { depth }
                    | Op::SetUpdate { depth }
                    | Op::DictUpdate { depth } => vec![depth + 1],
                    Op::MapAdd { depth, .. } => vec![depth + 2],
                    Op::DictMerge { depth, callee } => vec![depth + 1, callee + 1],
                    Op::WithExceptStart { exit, items } => {
                        std::iter::once(exit).chain(1..=items).collect()
                    }
                    _ => Vec::new(),
                };
                if deep.iter().any(|&k| st.top(k).0.unboxed()) {
                    return bail(format!("{} reads an unboxed slot", op.name()));
                }
                self.generic(st, op)
            }
        };
        // jumps of the generic code and the block-stack edges
        match (ins.op, step) {
            (_, Step::Truth | Step::ForRange) => {}
            (Op::SetupBlock { target, .. } | Op::SetupWith { target, .. }, _) => {
                let (p, q) = ins.op.jump_effect().unwrap_or((0, 0));
                let mut s = before.sized(d - p as usize);
                for _ in 0..q {
                    s.push(Ty::Obj, Src::Maybe);
                }
                edges.push(strict_to(target, &s));
            }
            (Op::ContinueLoop { target }, _) => edges.push(strict_to(target, &before)),
            (Op::CallFinally { target }, _) => {
                edges.push(strict_to(target, &before));
                if let Some(next) = func
                    .blocks
                    .iter()
                    .position(|b| b.offset > ins.offset)
                    .map(|n| Block(n as u32))
                {
                    edges.push(strict_to(next, &before));
                }
            }
            (op, _) => {
                if let (Some(t), Some((p, q))) = (op.target(), op.jump_effect()) {
                    let mut s = before.sized(d - p as usize);
                    for _ in 0..q {
                        s.push(Ty::Obj, Src::Maybe);
                    }
                    // (the generic code boxed what it popped; the rest keeps its types)
                    edges.push(Edge {
                        to: t,
                        state: s,
                        strict: !matches!(
                            op,
                            Op::Jump { .. }
                                | Op::JumpNoInterrupt { .. }
                                | Op::PopJumpIf { .. }
                                | Op::JumpIfOrPop { .. }
                                | Op::ForIter { .. }
                                | Op::JumpIfNotExcMatch { .. }
                                | Op::Send { .. }
                        ),
                    });
                }
            }
        }
        if step == Step::Generic && self.marking {
            // number constants the generic code boxes: borrowed from `co_consts` next time
            let pops = ins.op.stack_effect().0 as usize;
            let d = before.ty.len();
            for k in d.saturating_sub(pops)..d {
                if let (Ty::Int | Ty::Float, Src::NumConst(c)) = (before.ty[k], before.src[k]) {
                    if !self.boxed_consts[c as usize] {
                        self.boxed_consts[c as usize] = true;
                        self.new_boxed = true;
                    }
                }
            }
        }
        Ok((step, edges))
    }

    /// A generic instruction: pops boxed, pushes boxed.
    /// Whether the global instruction `i` pushes is the value of a subscript store that
    /// follows with only locals and constants pushed in between, in the same block
    /// (`flags[j] = False` on 2.7, where `False` is a global): nothing can run code that
    /// rebinds the global before the store takes the value (which takes a reference where
    /// the item changes), so the value is pushed borrowed (where borrowing is allowed). A
    /// store planned generic, or a guard failing on the way, takes its reference first.
    fn global_for_store(&self, i: usize) -> bool {
        let f = self.inp.func;
        let starts = |j: usize| f.blocks.iter().any(|b| b.start == j);
        self.inp.borrow_globals
            && matches!(
                f.instrs
                    .get(i + 1..i + 4)
                    .map(|w| [w[0].op, w[1].op, w[2].op]),
                Some([
                    Op::LoadFast { .. } | Op::LoadConst { .. },
                    Op::LoadFast { .. } | Op::LoadConst { .. },
                    Op::StoreSubscr
                ])
            )
            && !(i + 1..i + 4).any(starts)
    }

    fn generic(&self, st: &mut State, op: Op) -> Step {
        let (pops, pushes) = op.stack_effect();
        for _ in 0..pops {
            st.pop();
        }
        let src = match op {
            Op::BuildTuple { .. }
            | Op::BuildList { .. }
            | Op::BuildSet { .. }
            | Op::BuildMap { .. }
            | Op::BuildConstKeyMap { .. }
            | Op::BuildString { .. }
            | Op::MakeFunction { .. }
            | Op::MakeFunction27 { .. }
            | Op::IsOp { .. }
            | Op::ContainsOp { .. }
            | Op::Compare { .. }
            | Op::FormatValue { .. }
            | Op::FormatSimple
            | Op::FormatWithSpec => Src::NotNum,
            _ => Src::Maybe,
        };
        for _ in 0..pushes {
            st.push(Ty::Obj, src);
        }
        Step::Generic
    }

    /// The common type of a binary operation on `a` and `b` and how each gets there.
    fn domain(a: (Num, bool), b: (Num, bool)) -> (Num, Conv, Conv) {
        let conv = |(n, guarded): (Num, bool), to: Num| match (n, to, guarded) {
            (Num::Int, Num::Float, false) => Conv::Widen,
            (Num::Int, Num::Float, true) => Conv::UnboxWiden,
            (_, _, false) => Conv::Keep,
            (_, _, true) => Conv::Unbox,
        };
        let num = if a.0 == Num::Float || b.0 == Num::Float {
            Num::Float
        } else {
            Num::Int
        };
        (num, conv(a, num), conv(b, num))
    }

    /// The step and result type of binary `op` on machine operands, if compiled for them.
    fn arith(&self, op: BinOp, a: (Num, bool), b: (Num, bool)) -> Option<(Step, Ty)> {
        let (num, ca, cb) = Self::domain(a, b);
        let result = match (num, op) {
            (
                Num::Int,
                BinOp::Add
                | BinOp::Sub
                | BinOp::Mul
                | BinOp::FloorDiv
                | BinOp::Mod
                | BinOp::ClassicDiv
                | BinOp::LShift
                | BinOp::RShift
                | BinOp::And
                | BinOp::Or
                | BinOp::Xor
                | BinOp::Pow,
            ) => Ty::Int,
            (Num::Int, BinOp::TrueDiv) => Ty::Float,
            (
                Num::Float,
                BinOp::Add
                | BinOp::Sub
                | BinOp::Mul
                | BinOp::TrueDiv
                | BinOp::ClassicDiv
                | BinOp::FloorDiv
                | BinOp::Mod
                | BinOp::Pow,
            ) => Ty::Float,
            _ => return None,
        };
        Some((
            Step::Arith {
                op,
                num,
                a: ca,
                b: cb,
            },
            result,
        ))
    }

    /// Whether the iterator `GET_ITER` at `i` makes stays an object (see [`Self::no_iters`]).
    fn iter_blocked(&self, i: usize) -> bool {
        match self.no_iters {
            0 => false,
            1 => matches!(
                self.inp.func.instrs.get(i + 1).map(|x| x.op),
                Some(Op::LoadFastAndClear { .. })
            ),
            _ => true,
        }
    }

    /// Whether the iterator `GET_ITER` at `i` makes goes straight to a loop of this function
    /// (`FOR_ITER`, or the variable a 3.12+ inlined comprehension saves first). One that goes
    /// elsewhere stays the interpreter's own iterator: up to 3.11 a comprehension's function
    /// takes it as its argument, and iterates it at the speed of its own iterator type.
    fn iterated_here(&self, i: usize) -> bool {
        matches!(
            self.inp.func.instrs.get(i + 1).map(|x| x.op),
            Some(Op::ForIter { .. } | Op::LoadFastAndClear { .. })
        )
    }

    /// Whether call site `i` calls the genuine `range` with `argc` positional arguments and
    /// feeds `iter()` at once.
    fn range_call(&self, i: usize, argc: u32) -> bool {
        let w = (self.inp.word)(i);
        let callee = w & !fb::MARKS;
        !self.iter_blocked(i + 1)
            && (1..=3).contains(&argc)
            && callee != 0
            && callee != fb::MANY
            && self.inp.ranges.contains(&callee)
            && !(self.inp.failed)(i)
            && matches!(
                self.inp.func.instrs.get(i + 1).map(|x| x.op),
                Some(Op::GetIter)
            )
    }

    fn range_args(&mut self, st: &mut State, argc: u32, slots: u32, op: Op) -> Result<Step, Bail> {
        let mut conv = [Conv::Keep; 3];
        for k in 0..argc {
            conv[k as usize] = match st.top(argc - k).0 {
                Ty::Int => Conv::Keep,
                Ty::Obj | Ty::Borrowed => Conv::Unbox,
                _ => return Ok(self.generic(st, op)),
            };
        }
        for _ in 0..argc + slots {
            st.pop();
        }
        st.push(Ty::Range, Src::NotNum);
        Ok(Step::RangeCall { argc, slots, conv })
    }

    /// What container site `i` saw: `Some(true)` only tuples, `Some(false)` only lists.
    fn container(&self, i: usize) -> Option<bool> {
        if (self.inp.failed)(i) {
            return None;
        }
        match (self.inp.word)(i) {
            fb::LIST => Some(false),
            fb::TUPLE => Some(true),
            _ => None,
        }
    }

    /// Runs the dataflow to a fixpoint; returns the plan (with the current local types).
    fn run(&mut self) -> Result<Plan, Bail> {
        let func = self.inp.func;
        let nb = func.blocks.len();
        let mut entry: Vec<Option<State>> = vec![None; nb];
        if nb == 0 {
            return bail("no blocks");
        }
        let depth0 = func.instrs.first().and_then(|i| i.depth).unwrap_or(0) as usize;
        entry[0] = Some(State::default().sized(depth0));
        let mut work: Vec<usize> = vec![0];
        let mut rounds = 0usize;
        while let Some(b) = work.pop() {
            rounds += 1;
            if rounds > 64 * nb + 64 {
                return bail("the types did not settle");
            }
            let Some(mut st) = entry[b].clone() else {
                return bail("a block queued without a state");
            };
            let data = &func.blocks[b];
            let mut falls = true;
            let mut out: Vec<(Block, State)> = Vec::new();
            for i in data.start..data.end {
                let ins = &func.instrs[i];
                if ins.depth.is_none() {
                    falls = false;
                    break;
                }
                let (_, edges) = self.step(i, &mut st)?;
                out.extend(edges.into_iter().map(|e| (e.to, e.state)));
                if ins.op.is_terminator() {
                    falls = false;
                }
            }
            if falls && b + 1 < nb {
                out.push((Block(b as u32 + 1), st));
            }
            for (t, s) in out {
                let t = t.0 as usize;
                let Some(data) = func.blocks.get(t) else {
                    return bail("a jump to a missing block");
                };
                let Some(depth) = func.instrs[data.start].depth else {
                    continue;
                };
                let s = s.sized(depth as usize);
                match &mut entry[t] {
                    Some(e) => {
                        if e.join(&s) && !work.contains(&t) {
                            work.push(t);
                        }
                    }
                    e @ None => {
                        *e = Some(s);
                        work.push(t);
                    }
                }
            }
        }
        // the final pass: steps, states, edges checked
        let n = func.instrs.len();
        let mut steps = vec![Step::Generic; n];
        let mut before: Vec<Option<State>> = vec![None; n];
        let mut jumps: Vec<Option<Vec<Ty>>> = vec![None; n];
        let mut falls_out: Vec<Option<Vec<Ty>>> = vec![None; nb];
        let mut own: Vec<Vec<u32>> = vec![Vec::new(); n];
        for votes in &mut self.votes {
            *votes = Votes::default();
        }
        for (b, data) in func.blocks.iter().enumerate() {
            let Some(mut st) = entry[b].clone() else {
                continue;
            };
            let mut falls = true;
            for i in data.start..data.end {
                let ins = &func.instrs[i];
                if ins.depth.is_none() {
                    falls = false;
                    break;
                }
                before[i] = Some(st.clone());
                let (step, edges) = self.step(i, &mut st)?;
                steps[i] = step;
                own[i] = std::mem::take(&mut self.own);
                for e in edges {
                    let t = e.to.0 as usize;
                    let Some(Some(target)) = entry.get(t) else {
                        continue;
                    };
                    let arriving = e.state.sized(target.ty.len());
                    if e.strict {
                        if arriving.ty != target.ty {
                            return bail(format!(
                                "{} at offset {} reaches bb{t} with stack {:?}, which holds {:?}",
                                ins.op.name(),
                                ins.offset,
                                arriving.ty,
                                target.ty
                            ));
                        }
                    } else if ins.op.target() == Some(e.to) {
                        jumps[i] = Some(arriving.ty);
                    }
                }
                if ins.op.is_terminator() {
                    falls = false;
                }
            }
            if falls {
                falls_out[b] = Some(st.ty);
            }
        }
        Ok(Plan {
            locals: self.locals.clone(),
            steps,
            before,
            entry: entry.into_iter().map(|e| e.map(|s| s.ty)).collect(),
            jumps,
            falls: falls_out,
            own,
            borrowed_consts: 0,
            aliases: Vec::new(),
            eager_copies: Vec::new(),
            speculative: true,
        })
    }
}

/// Whether control reaches each block only by jumps and fall-through: no exception handler,
/// and no unwinding of `break`, `continue` or `finally`, which reach blocks from everywhere in
/// their ranges (the analyses below then give up).
fn plain_flow(func: &Function) -> bool {
    func.handlers.is_empty()
        && !func.instrs.iter().any(|i| {
            matches!(
                i.op,
                Op::SetupBlock { kind, .. } if kind != crate::ir::BlockKind::Loop
            ) || matches!(
                i.op,
                Op::SetupWith { .. }
                    | Op::BreakLoop
                    | Op::ContinueLoop { .. }
                    | Op::CallFinally { .. }
                    | Op::EndFinally { .. }
                    | Op::PopFinally { .. }
                    | Op::BeginFinally
            )
        })
}

/// The blocks block `b` jumps or falls through to.
fn successors(func: &Function, b: usize) -> Vec<usize> {
    let data = &func.blocks[b];
    let mut out = Vec::new();
    let mut falls = true;
    for ins in &func.instrs[data.start..data.end] {
        if let Some(t) = ins.op.target() {
            out.push(t.0 as usize);
        }
        if ins.op.is_terminator() || ins.depth.is_none() {
            falls = false;
        }
    }
    if falls && b + 1 < func.blocks.len() {
        out.push(b + 1);
    }
    out
}

/// The pairs of typed locals that hold one object before each instruction (see
/// [`Plan::aliases`]): a forward analysis, intersected where paths meet (an under-estimate is
/// safe: a pair left out is boxed twice, as before; a pair wrongly kept would share a box
/// between different values, which cannot happen: a store into either ends the pair).
fn aliases(func: &Function, p: &Plan) -> (Vec<Vec<(u32, u32)>>, Vec<bool>) {
    use std::collections::BTreeSet;
    let n = func.instrs.len();
    let nb = func.blocks.len();
    let plain = plain_flow(func);
    // the copies: instruction -> (stored local, the typed local it copies)
    let copy = |i: usize| -> Option<(u32, u32)> {
        let Op::StoreFast { local: y } = func.instrs[i].op else {
            return None;
        };
        let Step::StoreLocal { unbox: false, num } = p.steps[i] else {
            return None;
        };
        let st = p.before[i].as_ref()?;
        match st.src.last() {
            Some(&Src::Local(x)) if x != y && p.locals.get(x as usize) == Some(&Some(num)) => {
                Some((y, x))
            }
            _ => None,
        }
    };
    let copies: Vec<bool> = (0..n).map(|i| copy(i).is_some()).collect();
    if !copies.contains(&true) {
        return (vec![Vec::new(); n], vec![false; n]);
    }
    if !plain || nb == 0 {
        return (vec![Vec::new(); n], copies);
    }
    type Set = BTreeSet<(u32, u32)>;
    let pair = |a: u32, b: u32| if a < b { (a, b) } else { (b, a) };
    // `a = a` of a typed local: nothing changes
    let self_store = |i: usize| -> bool {
        matches!(func.instrs[i].op, Op::StoreFast { local }
            if matches!(p.steps[i], Step::StoreLocal { unbox: false, .. })
                && p.before[i].as_ref().and_then(|s| s.src.last()) == Some(&Src::Local(local)))
    };
    let transfer = |i: usize, set: &mut Set| match func.instrs[i].op {
        Op::StoreFast { .. } if self_store(i) => {}
        Op::StoreFast { local } | Op::DeleteFast { local } => {
            set.retain(|&(a, b)| a != local && b != local);
            if let Some((y, x)) = copy(i) {
                let with_x: Vec<u32> = set
                    .iter()
                    .filter_map(|&(a, b)| (a == x).then_some(b).or_else(|| (b == x).then_some(a)))
                    .collect();
                set.insert(pair(x, y));
                for z in with_x {
                    set.insert(pair(y, z));
                }
            }
        }
        _ => {}
    };
    let succs = |b: usize| successors(func, b);
    let mut entry: Vec<Option<Set>> = vec![None; nb];
    entry[0] = Some(Set::new());
    let mut work = vec![0usize];
    let mut rounds = 0;
    // pairs lost where paths meet
    let mut dropped = Set::new();
    while let Some(b) = work.pop() {
        rounds += 1;
        if rounds > 64 * nb + 64 {
            return (vec![Vec::new(); n], copies);
        }
        let Some(mut set) = entry[b].clone() else {
            continue;
        };
        let data = &func.blocks[b];
        for i in data.start..data.end {
            transfer(i, &mut set);
        }
        for t in succs(b) {
            let merged: Set = match &entry[t] {
                Some(e) => e.intersection(&set).copied().collect(),
                None => set.clone(),
            };
            dropped.extend(set.difference(&merged).copied());
            if let Some(e) = &entry[t] {
                dropped.extend(e.difference(&merged).copied());
            }
            if entry[t].as_ref() != Some(&merged) {
                entry[t] = Some(merged);
                if !work.contains(&t) {
                    work.push(t);
                }
            }
        }
    }
    let mut out = vec![Vec::new(); n];
    for (b, data) in func.blocks.iter().enumerate() {
        let Some(mut set) = entry[b].clone() else {
            continue;
        };
        for (i, slot) in out.iter_mut().enumerate().take(data.end).skip(data.start) {
            *slot = set.iter().copied().collect();
            transfer(i, &mut set);
        }
    }
    // a copy whose local is in a lost pair boxes at once
    let eager = (0..n)
        .map(|i| {
            copy(i).is_some_and(|(y, x)| {
                dropped
                    .iter()
                    .any(|&(a, b)| a == y || b == y || a == x || b == x)
            })
        })
        .collect();
    (out, eager)
}

/// Plans the specialisation of `inp.func`: `Err` says why there is none (nothing worth
/// specialising, or an analysis that cannot vouch for a plan); the function is then compiled
/// generic only.
pub fn plan(inp: &Inputs<'_>) -> Result<Plan, String> {
    let first = plan_with(inp, 0);
    let Err(why) = first else { return first };
    if why.starts_with(NOTHING) {
        return Err(why);
    }
    plan_with(inp, 1)
        .or_else(|_| plan_with(inp, 2))
        .map_err(|_| why)
}

/// Why a plan is not made when no site specialises.
const NOTHING: &str = "nothing to specialise";

/// [`plan`], with the iterators `no_iters` says left objects (see [`Analysis::no_iters`]).
fn plan_with(inp: &Inputs<'_>, no_iters: u8) -> Result<Plan, String> {
    let n = inp.nlocals as usize;
    let mut a = Analysis {
        inp,
        locals: vec![None; n],
        votes: vec![Votes::default(); n],
        own: Vec::new(),
        no_iters,
        boxed_consts: vec![false; inp.func.instrs.len()],
        new_boxed: false,
        marking: false,
    };
    // Votes with every local boxed, then again with the types they gave (a typed local makes
    // the values computed from it typed, whose stores vote in turn), until they settle. If a
    // typing cannot be planned, the locals are left boxed.
    let worth = |mut p: Plan| {
        if p.worthwhile() {
            (p.aliases, p.eager_copies) = aliases(inp.func, &p);
            p.borrowed_consts = (0..p.steps.len())
                .filter(|&i| {
                    p.steps[i] == Step::LoadBorrowed
                        && matches!(inp.func.instrs[i].op, Op::LoadConst { index }
                            if matches!(inp.consts.get(index as usize), Some(Konst::Int(_) | Konst::Float(_))))
                })
                .count();
            Ok(p)
        } else {
            Err(format!("{NOTHING}: no site saw only ints or floats"))
        }
    };
    let mut why = String::new();
    for _ in 0..8 {
        let plan = a.run();
        // (constants found boxed: the types of what they flow into change, run again)
        let fresh = std::mem::take(&mut a.new_boxed);
        let marked = a.marking;
        let decided: Vec<Option<Num>> = (0..n)
            .map(|l| {
                let v = a.votes[l];
                if inp.excluded.get(l).copied().unwrap_or(true) || v.other {
                    None
                } else {
                    match (v.int, v.float) {
                        (true, false) => Some(Num::Int),
                        (false, true) => Some(Num::Float),
                        _ => None,
                    }
                }
            })
            .collect();
        let settled = decided == a.locals;
        match plan {
            Ok(p) if settled && marked && !fresh => return worth(p),
            Ok(_) => {}
            Err(Bail(w)) => why = w,
        }
        if settled {
            if marked && !fresh {
                break;
            }
            // settled: once more, looking for constants the generic code boxes
            a.marking = true;
        }
        a.locals = decided;
    }
    a.locals = vec![None; n];
    match a.run() {
        Ok(p) => worth(p),
        Err(Bail(w)) => Err(if why.is_empty() { w } else { why }),
    }
}
