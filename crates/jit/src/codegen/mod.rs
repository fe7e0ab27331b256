//! The generic tier: IR → LLVM → native code that does what ceval would have done.
//!
//! One [`Codegen`] per function. The value stack and the locals live in stack slots (`alloca`)
//! that LLVM promotes to registers; every stack item is an owned reference, as in ceval. Each
//! fallible operation checks its result and, on failure, records the bytecode offset in the
//! trampoline frame (so the traceback shows the right line), releases exactly the live stack
//! items and the locals, and returns NULL with the exception set. C API functions and runtime
//! helpers are called through their run-time addresses; nothing is linked.
//!
//! Exception handling follows ceval's block stack, resolved statically: up to 3.10 the blocks
//! open at each instruction are known from the bytecode (`SETUP_*`, `POP_BLOCK`, `POP_EXCEPT`),
//! from 3.11 the exception table says where each instruction unwinds to. A failure releases the
//! stack items above the innermost handler's level and enters it with the exception (see
//! [`runtime::exc`]); up to 3.8, `return`, `break` and `continue` run `finally` blocks the same
//! way, with an int standing for the pending action where ceval keeps its `why` codes.
//!
//! Not compiled yet (reported as [`Unsupported`], which makes the wrapper run the interpreter, or
//! raises in strict mode): generators and coroutines, imports, class bodies, 2.7 `print`/`exec`
//! and slicing opcodes, and the other operations listed in [`unsupported_op`].

use crate::ir::{BinOp, CallSlot, CmpOp, Cond, Function, KwNames, NullPush, Op, UnOp};
use crate::runtime::{self, call_mode, env_offsets};
use anyjit_abi::{Api, CApi, Descriptor};
use inkwell::basic_block::BasicBlock;
use inkwell::builder::Builder;
use inkwell::context::Context;
use inkwell::module::Module;
#[allow(deprecated)] // the legacy pass manager is LLVM 14's
use inkwell::passes::PassManager;
use inkwell::types::{
    BasicMetadataTypeEnum, BasicType, BasicTypeEnum, FunctionType, IntType, PointerType,
};
use inkwell::values::{
    BasicMetadataValueEnum, CallableValue, FunctionValue, IntValue, PointerValue,
};
use inkwell::{AddressSpace, IntPredicate, OptimizationLevel};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

mod direct;
pub mod memory;
mod typed;

/// Why a function is not compiled: the construct, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// What is not supported.
    pub construct: String,
    /// Bytecode offset.
    pub offset: u32,
    /// Source line, if known.
    pub line: Option<u32>,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.construct)?;
        if let Some(l) = self.line {
            write!(f, " (line {l})")?;
        }
        Ok(())
    }
}

/// Where a function keeps its cells and free variables.
#[derive(Debug, Clone, Default)]
pub struct Slots {
    /// All local slots: locals, then cells, then free variables.
    pub total: u32,
    /// First free-variable slot (`total` if none).
    pub free_start: u32,
    /// ≤3.10: the cells the frame creates on entry, `(slot, parameter it starts from)`. Empty
    /// from 3.11, where `MAKE_CELL`/`COPY_FREE_VARS` do it.
    pub implicit_cells: Vec<(u32, Option<u32>)>,
    /// ≤3.10: copy the closure into the free slots on entry.
    pub implicit_frees: bool,
}

/// Type feedback: what the quick tier saw at an instruction, one word each. Operand sites
/// (arithmetic, comparisons) OR in the classes of their operands, the first in the low byte
/// and the second in the next ([`feedback::B_SHIFT`]); container sites (subscripts) the class of
/// the container; call sites keep the object called (the address only: it is compared, never
/// followed, since it may be gone; [`feedback::METHOD_DESCR`] for most builtin methods) or
/// [`feedback::MANY`]. A word still 0 never ran, and the
/// optimising tier keeps every path there.
pub mod feedback {
    /// Operand class: an exact int that fits a machine integer (2.7 `int`; 3.x `int` below
    /// 2**60, the two-digit ones).
    pub const C_INT: usize = 1;
    /// Operand class: an exact float.
    pub const C_FLOAT: usize = 2;
    /// Operand class: an exact `str`.
    pub const C_STR: usize = 4;
    /// Operand class: an exact int too big for a machine integer (3.x).
    pub const C_BIGINT: usize = 8;
    /// Operand class: anything else.
    pub const C_OTHER: usize = 16;
    /// One operand's classes.
    pub const CLASS_MASK: usize = 0xff;
    /// Where the second operand's classes start.
    pub const B_SHIFT: u32 = 8;
    /// A list (container sites).
    pub const LIST: usize = 1;
    /// A dict (container sites).
    pub const DICT: usize = 2;
    /// Anything else (container sites).
    pub const OTHER: usize = 4;
    /// A tuple (container sites).
    pub const TUPLE: usize = 8;
    /// More than one object called (call sites).
    pub const MANY: usize = 1;
    /// Call sites: what is kept for a builtin type's method descriptor called there (a
    /// pseudo-address: no object lives at 8), except the known ones the optimising tier
    /// inlines, which keep their address (`list.append`).
    pub const METHOD_DESCR: usize = 8;
    /// A compiled function (or a method bound to one) was called here (call sites; with the
    /// object's address or `MANY`, whose bits it does not share: objects are aligned).
    pub const COMPILED: usize = 2;
    /// With `COMPILED`: the object called was a class constructed through its compiled
    /// `__init__` (objects are aligned to 8 bytes at least).
    pub const CLASS: usize = 4;
    /// The bits of a call site's word that are marks, not the callee's address.
    pub const MARKS: usize = COMPILED | CLASS;
    /// Site kinds for `runtime::rt_feedback`: two operands.
    pub const OPERANDS: u32 = 0;
    /// A container.
    pub const CONTAINER: u32 = 1;
    /// A callable.
    pub const CALLABLE: u32 = 2;

    /// Whether both operands were seen with one of `classes`.
    pub fn both(word: usize, classes: usize) -> bool {
        word & classes != 0 && (word >> B_SHIFT) & classes != 0
    }
}

/// A join block and the values that branches already brought to it (see `Codegen::arrive`).
type Joined<'ctx> = (
    BasicBlock<'ctx>,
    Vec<(PointerValue<'ctx>, BasicBlock<'ctx>)>,
);

/// Which inline paths an operand site gets in the optimising tier: those its feedback saw, or
/// all (but the `str` one) where it has none.
#[derive(Debug, Clone, Copy)]
struct Want {
    ints: bool,
    floats: bool,
    strs: bool,
}

impl Want {
    const ALL: Want = Want {
        ints: true,
        floats: true,
        strs: false,
    };

    fn from_seen(seen: Option<usize>) -> Want {
        match seen {
            None => Want::ALL,
            Some(s) => Want {
                ints: feedback::both(s, feedback::C_INT | feedback::C_BIGINT),
                floats: feedback::both(s, feedback::C_FLOAT),
                strs: feedback::both(s, feedback::C_STR),
            },
        }
    }

    fn wants(self, api: Api) -> bool {
        match api {
            Api::IntType | Api::LongType => self.ints,
            Api::FloatType => self.floats,
            _ => true,
        }
    }
}

/// LLVM instructions (as emitted, before any pass) above which the optimising tier does not
/// compile a function: it keeps its quick tier's code (see `compile_with`).
const LARGE_FUNCTION: usize = 30_000;

/// The same for the generic code resumed after a failed guard: its entry switches into every
/// deopt point, which keeps many values live across the function (register allocation grows
/// fastest there), and it runs only the rest of a call whose guard failed.
const LARGE_RESUMED: usize = 10_000;

/// Optimising compilations made the quick tier's way because the function was large (see
/// [`LARGE_FUNCTION`]).
pub static LARGE_COMPILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The native entry: `PyObject *f(Env *env)`.
pub type NativeFn =
    unsafe extern "C" fn(*const runtime::Env, *const runtime::OsrState) -> anyjit_abi::capi::Obj;

/// A compiled function: its engine (which owns the machine code) and entry point.
pub struct Compiled {
    /// The machine code's pages (unmapped by [`Compiled`]'s `Drop`).
    pub code: std::mem::ManuallyDrop<std::rc::Rc<std::cell::RefCell<memory::CodeMemory>>>,
    /// The entry point.
    pub entry: NativeFn,
    /// The LLVM IR, for `anyjit dump llvm` (empty unless asked for).
    pub llvm_ir: String,
    /// Host assembly, for `anyjit dump asm` (only when asked for: it costs a second codegen).
    pub asm: Option<String>,
    /// How many sites got each kind of inline path: `int`, `float`, `str` (operand class
    /// checks of arithmetic and comparisons), `list_index`, `str()`, `len()`, `append()`,
    /// `builtin_call` (2.7), `compiled_call` (direct calls).
    pub inline_paths: Vec<(&'static str, u32)>,
    /// The specialisation compiled, if any (see [`crate::spec`]).
    pub plan: Option<crate::spec::Plan>,
    /// Its deopt points, and the generic code they resume once compiled (the code refers to
    /// the table by address: it lives as long as the code).
    pub deopt: Option<Box<runtime::guards::DeoptTable>>,
    /// Resume mode: the generic code's entry.
    pub resume: Option<runtime::guards::ResumeFn>,
    /// The caches of its direct call sites (the code refers to them by address, so they are
    /// boxed).
    #[allow(clippy::vec_box)]
    pub sites: Vec<Box<runtime::entry::DirectSite>>,
    /// The caches of its attribute load and store sites (boxed likewise).
    #[allow(clippy::vec_box)]
    pub attr_sites: Vec<Box<runtime::attrs::AttrSite>>,
}

impl Drop for Compiled {
    fn drop(&mut self) {
        if std::env::var_os("ANYJIT_PERF_MAP").is_some() {
            // The perf map cannot take entries back: freed code whose addresses new code
            // reused would show under the old names. With the map, code is never freed.
            return;
        }
        // SAFETY: dropped once, here; nothing runs the code any more (its owner drops it
        // when no activation can).
        unsafe { std::mem::ManuallyDrop::drop(&mut self.code) };
    }
}

/// Why an operation is not compiled yet, or `None` if it is.
pub fn unsupported_op(op: &Op) -> Option<&'static str> {
    Some(match op {
        Op::Nop
        | Op::Resume { .. }
        | Op::PopTop
        | Op::Rot { .. }
        | Op::Dup { .. }
        | Op::Copy { .. }
        | Op::Swap { .. }
        | Op::PushNull
        | Op::LoadConst { .. }
        | Op::LoadFast { .. }
        | Op::StoreFast { .. }
        | Op::DeleteFast { .. }
        | Op::LoadGlobal { .. }
        | Op::LoadAttr { .. }
        | Op::LoadMethod { .. }
        | Op::StoreAttr { .. }
        | Op::ToBool
        | Op::Binary { .. }
        | Op::IsOp { .. }
        | Op::ContainsOp { .. }
        | Op::Subscr
        | Op::StoreSubscr
        | Op::BuildTuple { .. }
        | Op::BuildList { .. }
        | Op::GetIter
        | Op::ForIter { .. }
        | Op::EndFor { .. }
        | Op::Jump { .. }
        | Op::JumpNoInterrupt { .. }
        | Op::PopJumpIf { .. }
        | Op::JumpIfOrPop { .. }
        | Op::Return
        | Op::ReturnConst { .. }
        | Op::PopBlock
        | Op::BuildSet { .. }
        | Op::BuildMap { .. }
        | Op::BuildConstKeyMap { .. }
        | Op::StoreMap
        | Op::BuildSlice { .. }
        | Op::BuildString { .. }
        | Op::UnpackSequence { .. }
        | Op::UnpackEx { .. }
        | Op::DeleteSubscr
        | Op::DeleteAttr { .. }
        | Op::BinarySlice
        | Op::StoreSliceOp
        | Op::StoreGlobal { .. }
        | Op::DeleteGlobal { .. }
        | Op::ListAppend { .. }
        | Op::SetAdd { .. }
        | Op::MapAdd { .. }
        | Op::FormatValue { .. }
        | Op::ConvertValue { .. }
        | Op::FormatSimple
        | Op::FormatWithSpec
        | Op::ImportName { .. }
        | Op::ImportFrom { .. }
        | Op::PrintItem { .. }
        | Op::PrintNewline { .. }
        | Op::LoadBuildClass
        | Op::BuildClass27 => return None,
        Op::Unary { op: UnOp::Convert } => "backquote repr",
        Op::LoadSuperAttr { .. } | Op::CallSuper { .. } => return None,
        Op::Unary { .. } => return None,
        Op::Compare { .. } => return None,
        Op::Call { .. } => return None,
        Op::Call27 { .. } => return None,
        Op::CallEx { .. }
        | Op::ListExtend { .. }
        | Op::SetUpdate { .. }
        | Op::DictUpdate { .. }
        | Op::DictMerge { .. }
        | Op::BuildUnpack { .. }
        | Op::ListToTuple => return None,
        Op::SetupBlock {
            kind:
                crate::ir::BlockKind::Loop
                | crate::ir::BlockKind::Except
                | crate::ir::BlockKind::Finally,
            ..
        }
        | Op::SetupWith { .. }
        | Op::PopExcept { .. }
        | Op::Reraise { .. }
        | Op::PushExcInfo
        | Op::CheckExcMatch
        | Op::JumpIfNotExcMatch { .. }
        | Op::WithExceptStart { .. }
        | Op::BeforeWith
        | Op::LoadFastAndClear { .. } => return None,
        Op::EndFinally { .. }
        | Op::WithCleanupStart
        | Op::WithCleanupFinish
        | Op::WithCleanup27
        | Op::BeginFinally
        | Op::CallFinally { .. }
        | Op::PopFinally { .. } => return None,
        Op::SetupBlock { .. } => "async with",
        // `raise x from y` is n = 2 in 3.x, 2.7's `raise type, value` and bare raise are
        // refused at emission
        Op::Raise { .. } | Op::LoadAssertionError => return None,
        Op::BreakLoop | Op::ContinueLoop { .. } => return None,
        Op::Slice27 { .. } | Op::StoreSlice27 { .. } | Op::DeleteSlice27 { .. } => return None,
        // 3.12+ intrinsics: 5 is unary `+`, 6 is list → tuple.
        Op::CallIntrinsic {
            index: 5 | 6,
            two: false,
        } => return None,
        Op::CallIntrinsic { .. } => "this intrinsic",
        Op::LoadDeref { .. }
        | Op::StoreDeref { .. }
        | Op::DeleteDeref { .. }
        | Op::LoadClosure { .. }
        | Op::MakeCell { .. }
        | Op::CopyFreeVars { .. }
        | Op::MakeFunction { .. }
        | Op::MakeFunction27 { .. }
        | Op::SetFunctionAttribute { .. } => return None,
        Op::LoadClassDeref { .. } => "class bodies",
        Op::Send { .. } => "generators",
        // opcodes the decoder passes through unmodelled: the construct each comes from
        Op::Other { opcode, .. } => match *opcode {
            "EXEC_STMT" => "the exec statement",
            "IMPORT_STAR" => "from ... import *",
            "YIELD_VALUE"
            | "YIELD_FROM"
            | "GET_YIELD_FROM_ITER"
            | "RETURN_GENERATOR"
            | "END_SEND"
            | "CLEANUP_THROW" => "generators",
            "GET_AWAITABLE" | "GET_AITER" | "GET_ANEXT" | "BEFORE_ASYNC_WITH" | "END_ASYNC_FOR" => {
                "coroutines"
            }
            "GET_LEN" | "MATCH_MAPPING" | "MATCH_SEQUENCE" => "match statements",
            "CHECK_EG_MATCH" | "PREP_RERAISE_STAR" => "except*",
            "SETUP_ANNOTATIONS" | "STORE_ANNOTATION" => "annotations of a class or module body",
            "LOAD_LOCALS" | "LOAD_FROM_DICT_OR_DEREF" | "LOAD_FROM_DICT_OR_GLOBALS" => {
                "class bodies"
            }
            "PRINT_EXPR" => "interactive code",
            _ => "this operation",
        },
        _ => "this operation",
    })
}

/// One entry of the static block stack (≤3.10) or the exception-table handler covering an
/// instruction (3.11+): where an exception or a `break` unwinds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Frame {
    kind: FrameKind,
    /// Handler (or loop exit) block.
    target: crate::ir::Block,
    /// Stack level the frame unwinds to.
    level: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    /// ≤3.7 `SETUP_LOOP`: exceptions pass through it, `break` jumps to its target.
    Loop,
    /// An exception handler entered with `items` items above the level (6: 3.x up to 3.10,
    /// 3: 2.7, 1: 3.11+), after the raising instruction's offset when `lasti`.
    Handler {
        items: u32,
        lasti: bool,
        kind: HandlerKind,
    },
    /// 3.x up to 3.10 `EXCEPT_HANDLER`: the running handler, whose level holds the exception
    /// it replaced as the handled one (restored when unwinding through it).
    ExceptHandler,
}

/// What a handler frame is for (up to 3.8 a pending `return`, `break` or `continue` runs
/// `finally` blocks but passes `except` blocks by).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandlerKind {
    /// `SETUP_EXCEPT` (≤3.7).
    Except,
    /// `SETUP_FINALLY` (3.8+: also `except`), and 3.11+ table entries.
    Finally,
    /// `SETUP_WITH`.
    With,
}

/// Why control leaves a protected block other than by falling through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    /// An exception; `fresh`: raised here rather than re-raised.
    Raise { fresh: bool },
    /// `return` (≤3.7 unwinds blocks itself).
    Return,
    /// ≤3.7 `BREAK_LOOP`.
    Break,
    /// ≤3.7 `CONTINUE_LOOP` to the block.
    Continue(crate::ir::Block),
    /// 3.8 `CALL_FINALLY`: resume at the block when the `finally` block ends.
    Resume(crate::ir::Block),
}

/// LLVM types used everywhere.
struct Types<'ctx> {
    obj: PointerType<'ctx>,
    objp: PointerType<'ctx>,
    i32: IntType<'ctx>,
    i64: IntType<'ctx>,
}

/// One function's code generator.
pub struct Codegen<'a, 'ctx> {
    ctx: &'ctx Context,
    module: Module<'ctx>,
    b: Builder<'ctx>,
    t: Types<'ctx>,
    desc: &'static Descriptor,
    capi: &'a CApi,
    func: &'a Function,
    nlocals: u32,
    nparams: u32,
    slots: Slots,
    function: Option<FunctionValue<'ctx>>,
    env: Option<PointerValue<'ctx>>,
    /// The stack slots' memory: in the quick tier where they live; in the optimising tier the
    /// copy that code outside the function reads and writes them through (see
    /// [`Codegen::escape`]), or, resuming, the copy the caller handed over.
    stack: Option<PointerValue<'ctx>>,
    /// In the optimising tier, where each stack slot lives: an `alloca` of its own, which LLVM
    /// promotes to registers (nothing takes its address), so that the NULL the specialised
    /// code leaves in the slot of an unboxed item costs nothing where no path reads it. Empty
    /// in the quick tier (the slots live in `stack`).
    stack_cells: Vec<PointerValue<'ctx>>,
    /// How many stack slots there are.
    stack_len: u32,
    /// Where each local slot lives: in the optimising tier an `alloca` of its own (which LLVM
    /// promotes to registers: nothing takes their address), in the quick tier a slot of one
    /// array.
    locals: Vec<PointerValue<'ctx>>,
    /// Where the locals are handed over to the code that takes them (the generic code resumed
    /// after a deopt, the optimised code entered by on-stack replacement): a contiguous copy.
    handover: Option<PointerValue<'ctx>>,
    unwind: Option<BasicBlock<'ctx>>,
    /// `ladder[k]`: releases stack slots `k-1` down to 0, then unwinds (made on first use;
    /// see [`Codegen::ladder`]).
    ladder: std::cell::RefCell<Vec<Option<BasicBlock<'ctx>>>>,
    /// Counts backward jumps between visits of the periodic helper.
    ticks: Option<PointerValue<'ctx>>,
    /// The offset of the instruction being emitted, while one is (see
    /// [`Codegen::lasti_for_call`]).
    emitting: std::cell::Cell<Option<u32>>,
    /// Where the frame keeps its position, and the base added to it (read at entry).
    lasti: std::cell::Cell<Option<(PointerValue<'ctx>, IntValue<'ctx>)>>,
    /// 3.x: whether the globals and builtins are both exact dicts (read at entry); where not,
    /// LOAD_GLOBAL takes ceval's mapping path (see [`runtime::rt_load_global_mapping`]).
    dicts_exact: std::cell::Cell<Option<IntValue<'ctx>>>,
    /// 2.7's optimising tier: per global name read in a loop, the value found last, while no
    /// call has been made since (see [`Codegen::forget_globals`]).
    global_cells: std::cell::RefCell<std::collections::BTreeMap<u32, PointerValue<'ctx>>>,
    /// Per IR block, the static block stack at its entry (≤3.10).
    stacks: Vec<Option<Vec<Frame>>>,
    /// The frames enclosing the instruction being emitted, innermost last.
    chain: std::cell::RefCell<Vec<Frame>>,
    /// The LLVM block of each IR block.
    llblocks: Vec<BasicBlock<'ctx>>,
    /// Compile for the quick tier (see [`Codegen::quick`]).
    quick: bool,
    /// Type feedback, one word per IR instruction (see [`feedback`]): the quick tier records
    /// into it, the optimising tier reads what was recorded.
    feedback: Option<&'a [AtomicUsize]>,
    /// Loop headers for on-stack replacement, with their entry depth (see
    /// [`Codegen::osr_targets`]).
    osr: Vec<(crate::ir::Block, u32)>,
    /// The optimising tier: the code can be entered at its loop headers by a quick-tier
    /// activation (on-stack replacement); see [`Codegen::osr_entries`].
    osr_entries: bool,
    /// [`runtime::OSR_AFTER`] when compilation began.
    osr_after: u32,
    /// LOAD_GLOBAL caches made so far (for unique names).
    caches: std::cell::Cell<u32>,
    /// Inline paths emitted so far, by kind (see [`Compiled::inline_paths`]).
    inline: std::cell::RefCell<std::collections::BTreeMap<&'static str, u32>>,
    /// The function's globals and builtins are watched (3.12+ dict watchers): LOAD_GLOBAL may
    /// cache against [`runtime::GLOBALS_EPOCH`] where dicts have no version tags.
    watched: bool,
    /// The pending actions a `finally` block may be entered with, numbered by position (the
    /// int compiled code puts on the stack, as ceval puts its `why` codes).
    actions: Vec<Action>,
    /// The specialisation to compile: a specialised copy of the function, whose failing
    /// guards resume the generic copy (see [`typed`]).
    plan: Option<crate::spec::Plan>,
    /// 2.7's builtin `range` (a list-building function), for the length its loops allow.
    range_list: usize,
    /// The addresses of the function's constants (see [`Codegen::constants`]).
    consts: Option<Vec<usize>>,
    /// The addresses of the function's names (see [`Codegen::names`]).
    names: Option<Vec<usize>>,
    /// Emitting the specialised copy.
    typed: std::cell::Cell<bool>,
    /// Its shadow slots.
    shadows: Option<typed::Shadows<'ctx>>,
    /// The instruction being emitted (index into the function's instructions).
    current: std::cell::Cell<usize>,
    /// The specialised copy: the operands of instruction `.0` that its generic code takes
    /// borrowed, by position from the top (bit 0: the top), see [`Codegen::operand_obj`].
    borrowed_operands: std::cell::Cell<(usize, u32)>,
    /// Resume mode: the generic code's entry points, by instruction.
    resume: std::cell::RefCell<std::collections::BTreeMap<usize, BasicBlock<'ctx>>>,
    /// The specialised code's deopt blocks, by instruction.
    deopts: std::cell::RefCell<std::collections::BTreeMap<usize, BasicBlock<'ctx>>>,
    /// Where guards go instead of a deopt block (the entries' unboxing).
    fail_to: std::cell::Cell<Option<BasicBlock<'ctx>>>,
    /// The specialised code's deopt points (moved into [`Compiled::deopt`]).
    deopt_table: Option<Box<runtime::guards::DeoptTable>>,
    /// Resume mode: the instructions the generic code is entered at (see
    /// [`Codegen::resume_at`]).
    resume_sites: Option<Vec<usize>>,
    /// Resume mode: the entry points that raise at an instruction.
    raise_points: std::cell::RefCell<std::collections::BTreeMap<usize, BasicBlock<'ctx>>>,
    /// The direct call sites' caches (moved into [`Compiled::sites`]).
    // (boxed: the code holds their addresses, which a growing vector would move)
    #[allow(clippy::vec_box)]
    direct_sites: std::cell::RefCell<Vec<Box<runtime::entry::DirectSite>>>,
    /// The attribute sites' caches (moved into [`Compiled::attr_sites`]).
    #[allow(clippy::vec_box)]
    attr_sites: std::cell::RefCell<Vec<Box<runtime::attrs::AttrSite>>>,
}

type R<T> = Result<T, Unsupported>;

fn llvm_err(e: impl fmt::Display) -> Unsupported {
    Unsupported {
        construct: format!("LLVM error: {e}"),
        offset: 0,
        line: None,
    }
}

impl<'a, 'ctx> Codegen<'a, 'ctx> {
    /// A generator for `func` (decoded IR) with `nlocals` locals of which `nparams` are bound
    /// parameters.
    pub fn new(
        ctx: &'ctx Context,
        capi: &'a CApi,
        func: &'a Function,
        nlocals: u32,
        nparams: u32,
    ) -> Self {
        Self::with_slots(
            ctx,
            capi,
            func,
            nparams,
            Slots {
                total: nlocals,
                free_start: nlocals,
                ..Slots::default()
            },
        )
    }

    /// A generator for a function with cells or free variables laid out as `slots`.
    pub fn with_slots(
        ctx: &'ctx Context,
        capi: &'a CApi,
        func: &'a Function,
        nparams: u32,
        slots: Slots,
    ) -> Self {
        let nlocals = slots.total;
        let obj = ctx.i8_type().ptr_type(AddressSpace::default());
        Codegen {
            ctx,
            module: ctx.create_module(&format!("anyjit_{}", func.name)),
            b: ctx.create_builder(),
            t: Types {
                obj,
                objp: obj.ptr_type(AddressSpace::default()),
                i32: ctx.i32_type(),
                i64: ctx.i64_type(),
            },
            desc: capi.descriptor(),
            capi,
            func,
            nlocals,
            nparams,
            slots,
            function: None,
            env: None,
            stack: None,
            stack_cells: Vec::new(),
            stack_len: 0,
            locals: Vec::new(),
            handover: None,
            unwind: None,
            stacks: Vec::new(),
            chain: std::cell::RefCell::new(Vec::new()),
            llblocks: Vec::new(),
            quick: false,
            caches: std::cell::Cell::new(0),
            inline: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            watched: false,
            actions: Vec::new(),
            ticks: None,
            emitting: std::cell::Cell::new(None),
            lasti: std::cell::Cell::new(None),
            global_cells: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            dicts_exact: std::cell::Cell::new(None),
            feedback: None,
            ladder: std::cell::RefCell::new(Vec::new()),
            osr: Vec::new(),
            osr_entries: false,
            osr_after: runtime::OSR_AFTER.load(std::sync::atomic::Ordering::Relaxed),
            plan: None,
            range_list: 0,
            consts: None,
            names: None,
            typed: std::cell::Cell::new(false),
            shadows: None,
            current: std::cell::Cell::new(0),
            borrowed_operands: std::cell::Cell::new((usize::MAX, 0)),
            resume: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            deopts: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            fail_to: std::cell::Cell::new(None),
            deopt_table: None,
            resume_sites: None,
            raise_points: std::cell::RefCell::new(std::collections::BTreeMap::new()),
            direct_sites: std::cell::RefCell::new(Vec::new()),
            attr_sites: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The loop headers an activation may move to the optimised code at (on-stack
    /// replacement): targets of backward jumps whose entry depth is the jump's own, with the
    /// item count the jump leaves. The quick tier offers its state there, the optimising tier
    /// takes it; both read this one list.
    fn osr_targets(func: &Function) -> Vec<(crate::ir::Block, u32)> {
        let mut out: Vec<(crate::ir::Block, u32)> = Vec::new();
        for ins in &func.instrs {
            let Some(d) = ins.depth else { continue };
            let (t, live) = match ins.op {
                Op::Jump { target } => (target, d),
                Op::PopJumpIf { target, .. } => (target, d - 1),
                Op::JumpIfNotExcMatch { target } => (target, d.saturating_sub(2)),
                _ => continue,
            };
            let Some(data) = func.blocks.get(t.0 as usize) else {
                continue;
            };
            let entry = func.instrs[data.start..data.end]
                .first()
                .and_then(|i| i.depth);
            if data.offset <= ins.offset && entry == Some(live) && !out.iter().any(|o| o.0 == t) {
                out.push((t, live));
            }
        }
        out
    }

    /// On a backward jump to block `t`: every `PERIODIC_EVERY` times, run signal handlers and
    /// let other threads take the GIL, as the interpreter's eval breaker does. In the quick
    /// tier, after [`runtime::OSR_AFTER`] of them, move to the optimised code if it can be had
    /// (on-stack replacement): hand it the locals and the stack and return what it returns.
    fn back_edge(&self, off: u32, live: u32, t: crate::ir::Block) -> R<()> {
        if !self.quick {
            // (the optimising tier checks at the loop's header: see `header_check`)
            return Ok(());
        }
        self.periodic(off, live)?;
        let ticks = self.ticks.expect("ticks");
        let n = self
            .b
            .build_load(ticks, "")
            .map_err(llvm_err)?
            .into_int_value();
        self.osr_ask(off, n, t)
    }

    /// The optimising tier's check at the header of a loop (block `n`, whose backward jump
    /// farthest down is at `back`): every `PERIODIC_EVERY` times, as [`Codegen::back_edge`]
    /// does, at the position of that jump and with its handlers, as if made there. Made after
    /// the jump, the values it hands to an unwinding are the loop's own at the header: made
    /// before it, the unwinding path would need the values the iteration just computed (its
    /// counter's next value) besides the ones the loop carries, which cost a tight loop a
    /// register copy per iteration.
    fn header_check(&self, n: usize, back: u32) -> R<()> {
        let live = self.func.instrs[self.func.blocks[n].start]
            .depth
            .unwrap_or(0);
        let saved = self.chain.borrow().clone();
        if !self.func.handlers.is_empty() {
            *self.chain.borrow_mut() = self.handler_chain(back);
        }
        let r = self.periodic(back, live);
        *self.chain.borrow_mut() = saved;
        r
    }

    /// 3.11+: the frames an instruction at `offset` unwinds through, as the exception table
    /// says (its handler, if any).
    fn handler_chain(&self, offset: u32) -> Vec<Frame> {
        self.func
            .handler_for(offset)
            .map(|h| Frame {
                kind: FrameKind::Handler {
                    items: 1,
                    lasti: h.lasti,
                    kind: HandlerKind::Finally,
                },
                target: h.target,
                level: h.depth,
            })
            .into_iter()
            .collect()
    }

    /// Counts a backward jump at `off` (`live` stack items) and every `PERIODIC_EVERY` of them
    /// runs signal handlers and lets other threads take the GIL.
    fn periodic(&self, off: u32, live: u32) -> R<()> {
        let ticks = self.ticks.expect("ticks");
        let n = self
            .b
            .build_load(ticks, "")
            .map_err(llvm_err)?
            .into_int_value();
        let n = self
            .b
            .build_int_add(n, self.t.i32.const_int(1, false), "")
            .map_err(llvm_err)?;
        self.b.build_store(ticks, n).map_err(llvm_err)?;
        let mask = self
            .t
            .i32
            .const_int(u64::from(runtime::PERIODIC_EVERY - 1), false);
        let low = self.b.build_and(n, mask, "").map_err(llvm_err)?;
        let due = self
            .b
            .build_int_compare(IntPredicate::EQ, low, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        let visit = self.new_block("periodic");
        let cont = self.new_block("continue");
        self.branch_rarely(due, visit, cont)?;
        self.b.position_at_end(visit);
        self.set_lasti(off)?;
        let r = self.helper_int(
            runtime::rt_periodic as *const () as usize,
            &[self.env.expect("env").into()],
        )?;
        self.check_neg(r, off, live)?;
        self.b.build_unconditional_branch(cont).map_err(llvm_err)?;
        self.b.position_at_end(cont);
        Ok(())
    }

    /// The quick tier at a backward jump to block `t`, `n` jumps counted: after
    /// [`runtime::OSR_AFTER`] of them, moves to the optimised code if it can be had.
    fn osr_ask(&self, off: u32, n: IntValue<'ctx>, t: crate::ir::Block) -> R<()> {
        if self.quick && self.osr_after > 0 && self.osr.iter().any(|o| o.0 == t) {
            let due = self
                .b
                .build_int_compare(
                    IntPredicate::EQ,
                    n,
                    self.t.i32.const_int(u64::from(self.osr_after), false),
                    "",
                )
                .map_err(llvm_err)?;
            let ask = self.new_block("osr_ask");
            let stay = self.new_block("osr_stay");
            self.b
                .build_conditional_branch(due, ask, stay)
                .map_err(llvm_err)?;
            self.b.position_at_end(ask);
            self.set_lasti(off)?;
            let env = self.env.expect("env");
            let f = self.helper_obj(runtime::rt_osr as *const () as usize, &[env.into()])?;
            let go = self.new_block("osr_go");
            let none = self.b.build_is_null(f, "").map_err(llvm_err)?;
            self.b
                .build_conditional_branch(none, stay, go)
                .map_err(llvm_err)?;
            self.b.position_at_end(go);
            // the state: a pointer-sized word each for the locals, the stack and the block
            let state = self
                .b
                .build_array_alloca(self.t.obj, self.t.i32.const_int(3, false), "osr_state")
                .map_err(llvm_err)?;
            let as_obj = |p: PointerValue<'ctx>| -> R<PointerValue<'ctx>> {
                self.b
                    .build_pointer_cast(p, self.t.obj, "")
                    .map_err(llvm_err)
            };
            let state = as_obj(state)?;
            let field = |off: usize, ty: PointerType<'ctx>| self.byte_ptr(state, off as u32, ty);
            let locals = self.hand_over_locals()?;
            self.escape(0, self.stack_len)?;
            self.store(
                field(runtime::osr_offsets::LOCALS, self.t.objp)?,
                as_obj(locals)?,
            )?;
            self.store(
                field(runtime::osr_offsets::STACK, self.t.objp)?,
                as_obj(self.stack.expect("stack"))?,
            )?;
            let bp = field(
                runtime::osr_offsets::BLOCK,
                self.t.i32.ptr_type(AddressSpace::default()),
            )?;
            self.b
                .build_store(bp, self.t.i32.const_int(u64::from(t.0), false))
                .map_err(llvm_err)?;
            let fty = self
                .t
                .obj
                .fn_type(&[self.t.obj.into(), self.t.obj.into()], false);
            let f = self
                .b
                .build_pointer_cast(f, fty.ptr_type(AddressSpace::default()), "")
                .map_err(llvm_err)?;
            let callable = CallableValue::try_from(f)
                .map_err(|_| llvm_err("an entry point is a function pointer"))?;
            let r = self
                .b
                .build_call(callable, &[env.into(), state.into()], "")
                .map_err(llvm_err)?
                .try_as_basic_value()
                .basic()
                .ok_or_else(|| llvm_err("an entry point returns an object"))?;
            // the optimised code took every reference: return what it returns
            self.b.build_return(Some(&r)).map_err(llvm_err)?;
            self.b.position_at_end(stay);
        }
        Ok(())
    }

    /// How `ins` changes the block stack: frames pushed by a setup, popped by `POP_BLOCK` and
    /// `POP_EXCEPT` (the latter only while an `EXCEPT_HANDLER` is on top: from 3.11 there are
    /// no block-stack frames).
    fn apply(stack: &mut Vec<Frame>, ins: &crate::ir::Instr) {
        let level = ins.depth.unwrap_or(0);
        match ins.op {
            Op::SetupBlock {
                kind: crate::ir::BlockKind::Loop,
                target,
                ..
            } => stack.push(Frame {
                kind: FrameKind::Loop,
                target,
                level,
            }),
            Op::SetupBlock {
                target, handler, ..
            } => stack.push(Frame {
                kind: FrameKind::Handler {
                    items: handler,
                    lasti: false,
                    kind: if let Op::SetupBlock {
                        kind: crate::ir::BlockKind::Except,
                        ..
                    } = ins.op
                    {
                        HandlerKind::Except
                    } else {
                        HandlerKind::Finally
                    },
                },
                target,
                level,
            }),
            // the block's level is above `__exit__`, which replaced the manager
            Op::SetupWith { target, handler } => stack.push(Frame {
                kind: FrameKind::Handler {
                    items: handler,
                    lasti: false,
                    kind: HandlerKind::With,
                },
                target,
                level,
            }),
            Op::PopBlock => {
                stack.pop();
            }
            Op::PopExcept { .. } | Op::EndFinally { .. } | Op::PopFinally { .. }
                if stack
                    .last()
                    .is_some_and(|f| f.kind == FrameKind::ExceptHandler) =>
            {
                stack.pop();
            }
            _ => {}
        }
    }

    /// The static block stack (≤3.10) at each block's entry. A handler is entered with its
    /// frame popped and, on 3.x (6 items), an `EXCEPT_HANDLER` frame at the same level pushed.
    fn block_stacks(func: &Function) -> Vec<Option<Vec<Frame>>> {
        let mut at: Vec<Option<Vec<Frame>>> = vec![None; func.blocks.len()];
        if at.is_empty() {
            return at;
        }
        at[0] = Some(Vec::new());
        let mut work = vec![0usize];
        while let Some(b) = work.pop() {
            let mut stack = at[b].clone().expect("queued");
            let data = &func.blocks[b];
            let mut falls = true;
            let mut edges: Vec<(usize, Vec<Frame>)> = Vec::new();
            for ins in &func.instrs[data.start..data.end] {
                if ins.depth.is_none() {
                    falls = false;
                    break;
                }
                let before = stack.clone();
                Self::apply(&mut stack, ins);
                match ins.op {
                    Op::SetupBlock { .. } | Op::SetupWith { .. } => {
                        let f = *stack.last().expect("pushed");
                        let mut h = before;
                        if let FrameKind::Handler { items: 6, .. } = f.kind {
                            h.push(Frame {
                                kind: FrameKind::ExceptHandler,
                                ..f
                            });
                        }
                        edges.push((f.target.0 as usize, h));
                    }
                    op => {
                        if let Some(t) = op.target() {
                            edges.push((t.0 as usize, stack.clone()));
                        }
                        if op.is_terminator() {
                            falls = false;
                        }
                    }
                }
            }
            if falls && b + 1 < func.blocks.len() {
                edges.push((b + 1, stack));
            }
            for (t, s) in edges {
                if at[t].is_none() {
                    at[t] = Some(s);
                    work.push(t);
                }
            }
        }
        at
    }

    /// The actions a `finally` block may be entered with pending (up to 3.8), in a fixed order.
    fn pending_actions(&self) -> Vec<Action> {
        let mut out = vec![Action::Return, Action::Break];
        for ins in &self.func.instrs {
            let a = match ins.op {
                Op::ContinueLoop { target } => Action::Continue(target),
                Op::CallFinally { .. } => match self.block_after(ins.offset) {
                    Some(b) => Action::Resume(b),
                    None => continue,
                },
                _ => continue,
            };
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    /// The first block after byte offset `offset`.
    fn block_after(&self, offset: u32) -> Option<crate::ir::Block> {
        self.func
            .blocks
            .iter()
            .position(|b| b.offset > offset)
            .map(|n| crate::ir::Block(n as u32))
    }

    /// Falling from block `n` into a `finally` block whose entry the compiler counts deeper
    /// (up to 3.7, `LOAD_CONST None` enters it in place of the exception's items): the status
    /// moves to the top slot, NULL below it, as compiled code lays out every entry.
    fn enter_deeper(&self, bdata: &crate::ir::BlockData, n: usize) -> R<()> {
        let Some(last) = self.func.instrs[bdata.start..bdata.end].last() else {
            return Ok(());
        };
        let (Some(d), Some(next)) = (last.depth, self.func.blocks.get(n + 1)) else {
            return Ok(());
        };
        let (pops, pushes) = last.op.stack_effect();
        let from = d - pops + pushes;
        let Some(to) = self.func.instrs.get(next.start).and_then(|i| i.depth) else {
            return Ok(());
        };
        let handler = self.func.instrs.iter().any(|i| {
            matches!(i.op, Op::SetupBlock { target, .. } | Op::SetupWith { target, .. }
                if target.0 as usize == n + 1)
        });
        if to > from && from > 0 && handler {
            let top = self.sget(from - 1)?;
            for i in from - 1..to - 1 {
                self.sset(i, self.null())?;
            }
            self.sset(to - 1, top)?;
        } else {
            for i in from..to {
                self.sset(i, self.null())?;
            }
        }
        Ok(())
    }

    /// The LLVM block to branch to for IR block `t` from a path that has `from` stack items: the
    /// block itself, or, when the compiler counts the block deeper (a path that carries fewer
    /// items than another, as 3.6's `except ... as` leaves after POP_EXCEPT), a block that first
    /// puts NULL in the missing slots, so that releasing them is harmless.
    fn edge(&self, t: crate::ir::Block, from: u32) -> R<BasicBlock<'ctx>> {
        let dest = self.llblocks[t.0 as usize];
        let data = &self.func.blocks[t.0 as usize];
        let to = self.func.instrs[data.start..data.end]
            .first()
            .and_then(|i| i.depth)
            .unwrap_or(from);
        let dest = if to <= from {
            dest
        } else {
            let here = self.b.get_insert_block().expect("positioned");
            let fill = self.new_block("edge_fill");
            self.b.position_at_end(fill);
            for i in from..to {
                self.sset(i, self.null())?;
            }
            self.b.build_unconditional_branch(dest).map_err(llvm_err)?;
            self.b.position_at_end(here);
            fill
        };
        match self.typed_jump() {
            Some(tys) => self.typed_edge(t, &tys, dest),
            None => Ok(dest),
        }
    }

    /// The types the current jump brings, in the specialised copy.
    fn typed_jump(&self) -> Option<Vec<crate::spec::Ty>> {
        if self.in_typed() {
            self.jump_types()
        } else {
            None
        }
    }

    /// The LLVM block the current block falls through to (boxing on the way what the next
    /// block holds boxed, in the specialised copy).
    fn fall_edge(&self) -> R<BasicBlock<'ctx>> {
        let n = self.func.block_of(self.current.get()).0 as usize;
        let next = self
            .llblocks
            .get(n + 1)
            .copied()
            .ok_or_else(|| llvm_err("falls off the end"))?;
        if !self.in_typed() {
            return Ok(next);
        }
        match self.plan.as_ref().and_then(|p| p.falls[n].clone()) {
            Some(tys) => self.typed_edge(crate::ir::Block(n as u32 + 1), &tys, next),
            None => Ok(next),
        }
    }

    /// Takes the function's constants (`co_consts` items, by address) as constants of the
    /// code: the caller keeps the tuple alive as long as the code.
    pub fn constants(mut self, addrs: Vec<usize>) -> Self {
        self.consts = Some(addrs);
        self
    }

    /// Takes the function's names (`co_names` items, by address) as constants of the code:
    /// the caller keeps the tuple alive as long as the code.
    pub fn names(mut self, addrs: Vec<usize>) -> Self {
        self.names = Some(addrs);
        self
    }

    /// Compiles a specialised copy of the function as `plan` says, beside the generic copy its
    /// failing guards resume (optimising tier). `range_list`: 2.7's builtin `range` function
    /// (0 elsewhere).
    pub fn specialize(mut self, plan: Option<crate::spec::Plan>, range_list: usize) -> Self {
        self.plan = plan.filter(|_| !self.quick);
        self.range_list = range_list;
        self
    }

    /// Compiles the generic code a specialised compilation's deopts resume (optimising tier):
    /// `resume(env, locals, stack, code)` enters it at instruction `sites[code / 2]` with the
    /// frame's slots handed over (or raises the exception set there, for odd codes). See
    /// [`runtime::guards::rt_deopt`].
    pub fn resume_at(mut self, sites: Vec<usize>) -> Self {
        self.resume_sites = Some(sites);
        self.plan = None;
        self
    }

    /// Optimising tier: gives the code entries at its loop headers, through which an
    /// activation of the quick tier's code moves into it (on-stack replacement; see
    /// [`runtime::rt_osr`]). Off by default: each entry merges the quick tier's state into
    /// the loop, which then keeps more values live and tests more (a function's loops ran
    /// up to twice as fast without), so that code made for a replacement is compiled again
    /// without them for later calls.
    pub fn osr_entries(mut self, on: bool) -> Self {
        self.osr_entries = on;
        self
    }

    /// Compiles for the quick tier: a function's first compilation, several times faster to
    /// produce and slower to run (reference counts through calls, no inline paths, no
    /// instcombine, LLVM's fast instruction selection and register allocation). A function
    /// called again is compiled once more without it.
    pub fn quick(mut self, quick: bool) -> Self {
        self.quick = quick;
        self
    }

    /// Type feedback for this function, one word per IR instruction, kept by the caller for
    /// as long as the quick tier's code runs: the quick tier records into it, the optimising
    /// tier compiles the paths it shows (see [`feedback`]).
    pub fn feedback(mut self, words: &'a [AtomicUsize]) -> Self {
        if words.len() == self.func.instrs.len() {
            self.feedback = Some(words);
        }
        self
    }

    /// Lets LOAD_GLOBAL cache against [`runtime::GLOBALS_EPOCH`]: the caller has made sure that
    /// every change to the function's globals and builtins bumps it.
    pub fn watched_globals(mut self, watched: bool) -> Self {
        self.watched = watched;
        self
    }

    /// Checks that every reachable operation is supported.
    pub fn check(func: &Function) -> R<()> {
        for ins in &func.instrs {
            if ins.depth.is_none() {
                continue;
            }
            if let Some(what) = unsupported_op(&ins.op) {
                return Err(Unsupported {
                    construct: format!("{what} ({} {})", ins.opname, ins.op.name()),
                    offset: ins.offset,
                    line: ins.line,
                });
            }
        }
        Ok(())
    }

    fn fnty(
        &self,
        ret: Option<BasicTypeEnum<'ctx>>,
        params: &[BasicMetadataTypeEnum<'ctx>],
    ) -> FunctionType<'ctx> {
        match ret {
            Some(r) => r.fn_type(params, false),
            None => self.ctx.void_type().fn_type(params, false),
        }
    }

    /// Before a call made for the instruction being emitted: the frame's position is that
    /// instruction, so that Python code the call runs (an operator method, a property, a
    /// `__del__`, `__import__`, a metaclass) sees the caller at this line, as in the
    /// interpreter (`warnings.warn(..., stacklevel=2)` names it). A store on the paths that
    /// call out only: inline fast paths pay nothing.
    fn lasti_for_call(&self) -> R<()> {
        match self.emitting.get() {
            Some(off) => self.set_lasti(off),
            None => Ok(()),
        }
    }

    /// `LOAD_GLOBAL` of name `name` (at `off`, `d` items on the stack): a new reference, or
    /// with `borrow` the dict's own (2.7: nothing may run between this and the value's use;
    /// see `spec::Analysis::global_for_store`).
    fn load_global(&self, name: u32, off: u32, d: u32, borrow: bool) -> R<PointerValue<'ctx>> {
        // globals, then builtins. 3.x: lookup errors propagate, as LOAD_GLOBAL's do; 2.7
        // has only PyDict_GetItem, which swallows them as 2.7's LOAD_GLOBAL does too
        let with_error = self.capi.has(Api::DictGetItemWithError);
        let lookup = if with_error {
            Api::DictGetItemWithError
        } else {
            Api::DictGetItem
        };
        // 3.x: globals or builtins that are no exact dicts (a subclass, any mapping)
        // take ceval's mapping path
        let mapping = match self.dicts_exact.get() {
            Some(exact) => {
                let dicts = self.new_block("global_dicts");
                let other = self.new_block("global_mapping");
                self.b
                    .build_conditional_branch(exact, dicts, other)
                    .map_err(llvm_err)?;
                self.b.position_at_end(other);
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let v = self.helper_obj(
                    runtime::rt_load_global_mapping as *const () as usize,
                    &[self.env.expect("env").into(), key.into()],
                )?;
                self.check_null(v, off, d)?;
                let end = self.b.get_insert_block().expect("positioned");
                self.b.position_at_end(dicts);
                Some((v, end))
            }
            None => None,
        };
        // 2.7 in a loop: the value found since the last call (see `make_global_cells`)
        let cell = self.global_cells.borrow().get(&name).copied();
        let remembered = match cell {
            Some(cell) => {
                let known = self.load(cell)?;
                let hit = self.new_block("global_known");
                let miss = self.new_block("global_lookup");
                let isnull = self.b.build_is_null(known, "").map_err(llvm_err)?;
                self.branch_rarely(isnull, miss, hit)?;
                self.b.position_at_end(miss);
                Some((cell, known, hit))
            }
            None => None,
        };
        let names = self.env_field(env_offsets::NAMES)?;
        let key = self.tuple_item(names, name)?;
        let globals = self.env_field(env_offsets::GLOBALS)?;
        let builtins = self.env_field(env_offsets::BUILTINS)?;
        // 3.6–3.12 (optimising tier): the value found last time, while neither dict has
        // changed since (PEP 509 version tags, unique across dicts and mutations)
        let cache = match (self.quick, self.desc.layout.dict.ma_version_tag) {
            (false, Some(tag)) => Some(self.global_cache(Some(tag), globals, builtins)?),
            (false, None) if self.watched => Some(self.global_cache(None, globals, builtins)?),
            _ => None,
        };
        let found = self.new_block("found");
        let mut incoming = Vec::new();
        // 2.7 (optimising tier): each dict's first probe inline
        let probe = if cache.is_none() {
            self.first_probe_key(name)
        } else {
            None
        };
        if let Some((k, hash)) = probe {
            let slow = self.new_block("global_lookup");
            let in_builtins = self.new_block("global_builtins");
            self.probe_dict(globals, k, hash, found, in_builtins, slow, &mut incoming)?;
            self.b.position_at_end(in_builtins);
            // (absent from both: the full lookup raises the NameError)
            self.probe_dict(builtins, k, hash, found, slow, slow, &mut incoming)?;
            self.b.position_at_end(slow);
        }
        for (i, dict) in [globals, builtins].into_iter().enumerate() {
            let v = self.call_api(lookup, &[dict.into(), key.into()])?;
            incoming.push((v, self.b.get_insert_block().expect("positioned")));
            let absent = self.new_block("absent");
            let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
            self.b
                .build_conditional_branch(isnull, absent, found)
                .map_err(llvm_err)?;
            self.b.position_at_end(absent);
            if with_error {
                let err = self.call_api(Api::ErrOccurred, &[])?;
                self.check_null_inverted(err, off, d)?;
            }
            if i == 1 {
                self.raise_name_error(key, off, d)?;
            }
        }
        let mut v = self.merge(found, &incoming)?;
        if let Some((cells, hit_value, hit_block, tag)) = cache {
            // remember it, with the tags as they are now
            let (tg, tb) = self.global_stamps(tag, globals, builtins)?;
            self.b.build_store(cells[0], tg).map_err(llvm_err)?;
            self.b.build_store(cells[1], tb).map_err(llvm_err)?;
            self.b.build_store(cells[2], v).map_err(llvm_err)?;
            let stored = self.b.get_insert_block().expect("positioned");
            let done = self.new_block("global");
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            // the hit path joins here
            let here = self.b.get_insert_block().expect("positioned");
            self.b.position_at_end(hit_block);
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(here);
            self.b.position_at_end(done);
            let joined = self.b.build_phi(self.t.obj, "").map_err(llvm_err)?;
            joined.add_incoming(&[(&v, stored), (&hit_value, hit_block)]);
            v = joined.as_basic_value().into_pointer_value();
        }
        if let Some((cell, known, hit)) = remembered {
            self.b.build_store(cell, v).map_err(llvm_err)?;
            let looked = self.b.get_insert_block().expect("positioned");
            let done = self.new_block("global");
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(hit);
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(done);
            let joined = self.b.build_phi(self.t.obj, "").map_err(llvm_err)?;
            joined.add_incoming(&[(&v, looked), (&known, hit)]);
            v = joined.as_basic_value().into_pointer_value();
        }
        if borrow {
            if mapping.is_some() {
                return Err(llvm_err("a borrowed global where a mapping may hold it"));
            }
            return Ok(v);
        }
        self.incref(v)?;
        if let Some((mv, mend)) = mapping {
            let here = self.b.get_insert_block().expect("positioned");
            let join = self.new_block("global_loaded");
            self.b.build_unconditional_branch(join).map_err(llvm_err)?;
            self.b.position_at_end(mend);
            self.b.build_unconditional_branch(join).map_err(llvm_err)?;
            self.b.position_at_end(join);
            let phi = self.b.build_phi(self.t.obj, "").map_err(llvm_err)?;
            phi.add_incoming(&[(&v, here), (&mv, mend)]);
            v = phi.as_basic_value().into_pointer_value();
        }
        Ok(v)
    }

    /// 2.7's optimising tier (no dict version tags): a cell per global name read inside a
    /// loop, holding the value its last lookup found. Only C code changes a dict, and compiled
    /// code reaches C code only through calls: every call empties the cells, so a value found
    /// since the last call is still the dicts' answer (and alive, the dict holding it).
    fn make_global_cells(&self) -> R<()> {
        if self.quick
            || self.desc.identity.version.0 != 2
            || self.desc.layout.dict.ma_version_tag.is_some()
            || self.watched
        {
            return Ok(());
        }
        let mut in_loop = vec![false; self.func.instrs.len()];
        for (j, ins) in self.func.instrs.iter().enumerate() {
            if let Some(t) = ins.op.target() {
                let start = self.func.blocks[t.0 as usize].start;
                if start <= j {
                    for flag in &mut in_loop[start..=j] {
                        *flag = true;
                    }
                }
            }
        }
        let mut cells = self.global_cells.borrow_mut();
        for (j, ins) in self.func.instrs.iter().enumerate() {
            if let (Op::LoadGlobal { name, .. }, true) = (ins.op, in_loop[j]) {
                if let std::collections::btree_map::Entry::Vacant(e) = cells.entry(name) {
                    let cell = self
                        .b
                        .build_alloca(self.t.obj, "global")
                        .map_err(llvm_err)?;
                    self.b
                        .build_store(cell, self.t.obj.const_null())
                        .map_err(llvm_err)?;
                    e.insert(cell);
                }
            }
        }
        Ok(())
    }

    /// Before any call: the global cells are emptied (see [`Self::make_global_cells`]).
    fn forget_globals(&self) -> R<()> {
        for cell in self.global_cells.borrow().values() {
            self.b
                .build_store(*cell, self.t.obj.const_null())
                .map_err(llvm_err)?;
        }
        Ok(())
    }

    /// Runs `emit` with the calls it emits storing no frame position (when `skip`): see
    /// [`Self::lasti_for_call`].
    fn positionless<T>(&self, skip: bool, emit: impl FnOnce() -> R<T>) -> R<T> {
        if !skip {
            return emit();
        }
        let emitting = self.emitting.replace(None);
        let r = emit();
        self.emitting.set(emitting);
        r
    }

    /// Calls the function at `addr`.
    fn call_addr(
        &self,
        addr: usize,
        ret: Option<BasicTypeEnum<'ctx>>,
        args: &[BasicMetadataValueEnum<'ctx>],
    ) -> R<Option<inkwell::values::BasicValueEnum<'ctx>>> {
        self.lasti_for_call()?;
        self.forget_globals()?;
        let fty = self.fnty(ret, &self.arg_types(args));
        let ptr = self
            .t
            .i64
            .const_int(addr as u64, false)
            .const_to_pointer(fty.ptr_type(AddressSpace::default()));
        let callable =
            CallableValue::try_from(ptr).map_err(|_| llvm_err("not a function pointer"))?;
        let site = self.b.build_call(callable, args, "").map_err(llvm_err)?;
        Ok(site.try_as_basic_value().basic())
    }

    /// The parameter types a call with `args` passes.
    fn arg_types(&self, args: &[BasicMetadataValueEnum<'ctx>]) -> Vec<BasicMetadataTypeEnum<'ctx>> {
        args.iter()
            .map(|a| match a {
                BasicMetadataValueEnum::PointerValue(p) => p.get_type().into(),
                BasicMetadataValueEnum::IntValue(i) => i.get_type().into(),
                BasicMetadataValueEnum::FloatValue(f) => f.get_type().into(),
                other => panic!("unexpected argument {other:?}"),
            })
            .collect()
    }

    /// Adds `by` to the `int` at `p` (a counter of the thread state or the runtime).
    fn add_i32(&self, p: PointerValue<'ctx>, by: i64) -> R<IntValue<'ctx>> {
        let i32t = self.t.i32;
        let p = self
            .b
            .build_pointer_cast(p, i32t.ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        let v = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
        let v = self
            .b
            .build_int_add(v, i32t.const_int(by as u64, true), "")
            .map_err(llvm_err)?;
        self.b.build_store(p, v).map_err(llvm_err)?;
        Ok(v)
    }

    fn api(&self, api: Api) -> R<usize> {
        if !self.capi.has(api) {
            return Err(Unsupported {
                construct: format!("{} is absent in this build", api.rust_name()),
                offset: 0,
                line: None,
            });
        }
        Ok(self.capi.addr(api) as usize)
    }

    fn call_api(&self, api: Api, args: &[BasicMetadataValueEnum<'ctx>]) -> R<PointerValue<'ctx>> {
        let addr = self.api(api)?;
        self.helper_obj(addr, args)
    }

    fn call_api_int(&self, api: Api, args: &[BasicMetadataValueEnum<'ctx>]) -> R<IntValue<'ctx>> {
        let addr = self.api(api)?;
        self.helper_int(addr, args)
    }

    /// Whether reference counts are updated inline: builds with a plain `ob_refcnt`, in the
    /// optimising tier. Debug builds inline them too when they keep their total in the exported
    /// `_Py_RefTotal` (see [`Self::ref_total`]). Builds that trace references (objects on a
    /// list), free-threaded builds and the quick tier (a third of the compile time) call
    /// `Py_IncRef`/`Py_DecRef`.
    fn inline_refcounts(&self) -> bool {
        !self.quick
            && !self.desc.identity.trace_refs
            && self.desc.layout.object.ob_refcnt.is_some()
            && (!self.desc.identity.debug || self.ref_total().is_some())
    }

    /// A debug build's `_Py_RefTotal`, which its `Py_INCREF`/`Py_DECREF` keep in step (3.11 and
    /// earlier; 3.12 keeps the total per interpreter, behind functions). `None` on release
    /// builds, and on debug builds where objects may be immortal.
    fn ref_total(&self) -> Option<PointerValue<'ctx>> {
        if !self.desc.identity.debug
            || self.desc.caps.immortal_objects
            || !self.capi.has(Api::RefTotal)
        {
            return None;
        }
        let word = u32::from(self.desc.identity.pointer_bits);
        Some(
            self.t
                .i64
                .const_int(self.capi.addr(Api::RefTotal) as u64, false)
                .const_to_pointer(self.int_bits(word).ptr_type(AddressSpace::default())),
        )
    }

    /// `_Py_RefTotal += delta` on a debug build that keeps one (see [`Self::ref_total`]).
    fn bump_ref_total(&self, delta: i64) -> R<()> {
        let Some(total) = self.ref_total() else {
            return Ok(());
        };
        let word = u32::from(self.desc.identity.pointer_bits);
        let n = self
            .b
            .build_load(total, "")
            .map_err(llvm_err)?
            .into_int_value();
        let n = self
            .b
            .build_int_add(n, self.int_bits(word).const_int(delta as u64, true), "")
            .map_err(llvm_err)?;
        self.b.build_store(total, n).map_err(llvm_err)?;
        Ok(())
    }

    /// The integer type of `bits` (32 or 64).
    fn int_bits(&self, bits: u32) -> IntType<'ctx> {
        if bits == 32 {
            self.t.i32
        } else {
            self.t.i64
        }
    }

    /// Pointer to `ob_refcnt` of `v` as an integer of `bits`.
    fn refcnt_ptr(&self, v: PointerValue<'ctx>, bits: u32) -> R<PointerValue<'ctx>> {
        let off = self
            .desc
            .layout
            .object
            .ob_refcnt
            .expect("inline refcounts need ob_refcnt");
        self.byte_ptr(
            v,
            off,
            self.int_bits(bits).ptr_type(AddressSpace::default()),
        )
    }

    /// Pointer of type `ty` to byte `off` of `v` (a field of a live object or structure).
    fn byte_ptr(
        &self,
        v: PointerValue<'ctx>,
        off: u32,
        ty: PointerType<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        // SAFETY (LLVM): callers pass the offset of a field of what `v` points to.
        let p = unsafe {
            self.b
                .build_gep(v, &[self.t.i64.const_int(u64::from(off), false)], "")
        }
        .map_err(llvm_err)?;
        self.b.build_pointer_cast(p, ty, "").map_err(llvm_err)
    }

    /// `Py_INCREF(v)` (`v` not NULL), as the build's headers define it.
    fn incref(&self, v: PointerValue<'ctx>) -> R<()> {
        self.positionless(true, || self.incref_inner(v))
    }

    fn incref_inner(&self, v: PointerValue<'ctx>) -> R<()> {
        if !self.inline_refcounts() {
            self.call_addr(self.api(Api::IncRef)?, None, &[v.into()])?;
            return Ok(());
        }
        let word = u32::from(self.desc.identity.pointer_bits);
        if self.desc.caps.immortal_objects && word == 64 {
            // 3.12+: increment the low 32 bits unless the object is immortal (all ones). The
            // count is read and written as the whole word, as `Py_DECREF` reads it: a 32-bit
            // store that a 64-bit load reads soon after cannot be forwarded from the store
            // buffer and stalls the load (a release shortly after an acquisition is common in
            // compiled code). The same count results: the low half is not all ones, so adding
            // one to the word never carries into the high half.
            let p = self.refcnt_ptr(v, 64)?;
            let n = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
            let low = self
                .b
                .build_int_truncate(n, self.t.i32, "")
                .map_err(llvm_err)?;
            let immortal = self
                .b
                .build_int_compare(IntPredicate::EQ, low, self.t.i32.const_all_ones(), "")
                .map_err(llvm_err)?;
            let bump = self.new_block("incref");
            let done = self.new_block("increfd");
            self.b
                .build_conditional_branch(immortal, done, bump)
                .map_err(llvm_err)?;
            self.b.position_at_end(bump);
            let n = self
                .b
                .build_int_add(n, self.t.i64.const_int(1, false), "")
                .map_err(llvm_err)?;
            self.b.build_store(p, n).map_err(llvm_err)?;
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(done);
            return Ok(());
        }
        if self.desc.caps.immortal_objects {
            // 32-bit 3.12+: leave immortal objects alone.
            self.call_addr(self.api(Api::IncRef)?, None, &[v.into()])?;
            return Ok(());
        }
        self.bump_ref_total(1)?;
        let p = self.refcnt_ptr(v, word)?;
        let n = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
        let n = self
            .b
            .build_int_add(n, self.int_bits(word).const_int(1, false), "")
            .map_err(llvm_err)?;
        self.b.build_store(p, n).map_err(llvm_err)?;
        Ok(())
    }

    /// `Py_XINCREF(v)`.
    fn xincref(&self, v: PointerValue<'ctx>) -> R<()> {
        let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
        let inc = self.new_block("xincref");
        let done = self.new_block("xincrefd");
        self.b
            .build_conditional_branch(isnull, done, inc)
            .map_err(llvm_err)?;
        self.b.position_at_end(inc);
        self.incref(v)?;
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// `Py_XDECREF(v)`, as the build's headers define it.
    fn decref(&self, v: PointerValue<'ctx>) -> R<()> {
        // (a `__del__` sees the frame where it was last placed: positions are stored before
        // the calls that matter, not before every release)
        self.positionless(true, || self.decref_inner(v))
    }

    fn decref_inner(&self, v: PointerValue<'ctx>) -> R<()> {
        if !self.inline_refcounts()
            || (self.desc.caps.immortal_objects && self.desc.identity.pointer_bits != 64)
        {
            self.call_addr(self.api(Api::DecRef)?, None, &[v.into()])?;
            return Ok(());
        }
        let word = u32::from(self.desc.identity.pointer_bits);
        let wty = self.int_bits(word);
        let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
        let live = self.new_block("decref");
        let done = self.new_block("decrefd");
        self.b
            .build_conditional_branch(isnull, done, live)
            .map_err(llvm_err)?;
        self.b.position_at_end(live);
        let p = self.refcnt_ptr(v, word)?;
        let n = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
        if self.desc.caps.immortal_objects {
            // 3.12+: immortal objects have a negative low half.
            let low = self
                .b
                .build_int_truncate(n, self.t.i32, "")
                .map_err(llvm_err)?;
            let immortal = self
                .b
                .build_int_compare(IntPredicate::SLT, low, self.t.i32.const_zero(), "")
                .map_err(llvm_err)?;
            let mortal = self.new_block("mortal");
            self.b
                .build_conditional_branch(immortal, done, mortal)
                .map_err(llvm_err)?;
            self.b.position_at_end(mortal);
        }
        let debug = self.ref_total().is_some();
        if debug {
            // a debug build: the last reference, or a count gone wrong, goes through
            // `Py_DecRef`, which deallocates or reports the negative count as its headers do
            let shared = self
                .b
                .build_int_compare(IntPredicate::SGT, n, wty.const_int(1, false), "")
                .map_err(llvm_err)?;
            let drop = self.new_block("decref_shared");
            let last = self.new_block("decref_last");
            self.b
                .build_conditional_branch(shared, drop, last)
                .map_err(llvm_err)?;
            self.b.position_at_end(last);
            self.call_addr(self.api(Api::DecRef)?, None, &[v.into()])?;
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(drop);
            self.bump_ref_total(-1)?;
        }
        let n = self
            .b
            .build_int_sub(n, wty.const_int(1, false), "")
            .map_err(llvm_err)?;
        self.b.build_store(p, n).map_err(llvm_err)?;
        if debug {
            // (the count stays above zero here)
            self.b.build_unconditional_branch(done).map_err(llvm_err)?;
            self.b.position_at_end(done);
            return Ok(());
        }
        let zero = self
            .b
            .build_int_compare(IntPredicate::EQ, n, wty.const_zero(), "")
            .map_err(llvm_err)?;
        let dealloc = self.new_block("dealloc");
        self.branch_rarely(zero, dealloc, done)?;
        self.b.position_at_end(dealloc);
        if self.capi.has(Api::Dealloc) {
            self.call_addr(self.api(Api::Dealloc)?, None, &[v.into()])?;
        } else {
            // 2.7: `Py_TYPE(op)->tp_dealloc(op)`.
            let l = &self.desc.layout;
            // SAFETY (LLVM): ob_type of a live object, then tp_dealloc of its type.
            let tp = unsafe {
                self.b.build_gep(
                    v,
                    &[self.t.i64.const_int(u64::from(l.object.ob_type), false)],
                    "",
                )
            }
            .map_err(llvm_err)?;
            let tp = self
                .b
                .build_pointer_cast(tp, self.t.objp, "")
                .map_err(llvm_err)?;
            let tp = self.load(tp)?;
            let fty = self.ctx.void_type().fn_type(&[self.t.obj.into()], false);
            let slot = unsafe {
                self.b.build_gep(
                    tp,
                    &[self
                        .t
                        .i64
                        .const_int(u64::from(l.type_object.tp_dealloc), false)],
                    "",
                )
            }
            .map_err(llvm_err)?;
            let slot = self
                .b
                .build_pointer_cast(
                    slot,
                    fty.ptr_type(AddressSpace::default())
                        .ptr_type(AddressSpace::default()),
                    "",
                )
                .map_err(llvm_err)?;
            let f = self
                .b
                .build_load(slot, "")
                .map_err(llvm_err)?
                .into_pointer_value();
            let callable = CallableValue::try_from(f)
                .map_err(|_| llvm_err("tp_dealloc is not a function pointer"))?;
            self.forget_globals()?;
            self.lasti_for_call()?;
            self.b
                .build_call(callable, &[v.into()], "")
                .map_err(llvm_err)?;
        }
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        Ok(())
    }

    fn slot(&self, base: PointerValue<'ctx>, i: u32) -> R<PointerValue<'ctx>> {
        // SAFETY (LLVM): in-bounds index into a slot array sized by the analysis.
        unsafe {
            self.b
                .build_gep(base, &[self.t.i32.const_int(u64::from(i), false)], "")
        }
        .map_err(llvm_err)
    }

    fn load(&self, p: PointerValue<'ctx>) -> R<PointerValue<'ctx>> {
        Ok(self
            .b
            .build_load(p, "")
            .map_err(llvm_err)?
            .into_pointer_value())
    }

    fn store(&self, p: PointerValue<'ctx>, v: PointerValue<'ctx>) -> R<()> {
        self.b.build_store(p, v).map_err(llvm_err)?;
        Ok(())
    }

    /// Where stack slot `i` lives, for this function's own loads and stores.
    fn cell(&self, i: u32) -> R<PointerValue<'ctx>> {
        match self.stack_cells.get(i as usize) {
            Some(&c) => Ok(c),
            None if self.stack_cells.is_empty() => self.slot(self.stack.expect("stack"), i),
            None => Err(llvm_err(format!("stack slot {i} out of range"))),
        }
    }

    fn sget(&self, i: u32) -> R<PointerValue<'ctx>> {
        self.load(self.cell(i)?)
    }

    fn sset(&self, i: u32, v: PointerValue<'ctx>) -> R<()> {
        self.store(self.cell(i)?, v)
    }

    /// Before code outside this function (a helper, a callee, inline code given an address)
    /// reads or writes stack slots `from..to` through [`Codegen::slot_addr`]: in the
    /// optimising tier, copies them to the memory it sees. Whatever it may write is copied
    /// back with [`Codegen::unescape`] before this function touches those slots again.
    fn escape(&self, from: u32, to: u32) -> R<()> {
        if !self.stack_cells.is_empty() {
            for i in from..to.min(self.stack_len) {
                let v = self.sget(i)?;
                self.store(self.slot(self.stack.expect("stack"), i)?, v)?;
            }
        }
        Ok(())
    }

    /// After code outside this function wrote stack slots `from..to` through
    /// [`Codegen::slot_addr`] (see [`Codegen::escape`]): takes them back.
    fn unescape(&self, from: u32, to: u32) -> R<()> {
        if !self.stack_cells.is_empty() {
            for i in from..to.min(self.stack_len) {
                let v = self.load(self.slot(self.stack.expect("stack"), i)?)?;
                self.sset(i, v)?;
            }
        }
        Ok(())
    }

    fn env_field(&self, offset: usize) -> R<PointerValue<'ctx>> {
        let env = self.env.expect("env");
        // SAFETY (LLVM): offsets of `Env`'s fields.
        let p = unsafe {
            self.b
                .build_gep(env, &[self.t.i64.const_int(offset as u64, false)], "")
        }
        .map_err(llvm_err)?;
        let p = self
            .b
            .build_pointer_cast(p, self.t.objp, "")
            .map_err(llvm_err)?;
        self.load(p)
    }

    /// Raises UnboundLocalError for local `local` (with `live` stack items) if `v`, its value,
    /// is NULL.
    fn check_bound(&self, v: PointerValue<'ctx>, local: u32, live: u32) -> R<()> {
        let unbound = self.new_block("unbound");
        let ok = self.new_block("bound");
        let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(isnull, unbound, ok)
            .map_err(llvm_err)?;
        self.b.position_at_end(unbound);
        let varnames = self.env_field(env_offsets::VARNAMES)?;
        let name = self.tuple_item(varnames, local)?;
        self.call_addr(
            runtime::rt_unbound_local as *const () as usize,
            None,
            &[self.env.expect("env").into(), name.into()],
        )?;
        self.fail_now(self.func.instrs[self.current.get()].offset, live)?;
        self.b.position_at_end(ok);
        Ok(())
    }

    /// A new attribute site's cache (see [`runtime::attrs`]), as a pointer constant: the
    /// compiled code keeps it.
    fn attr_site(&self) -> PointerValue<'ctx> {
        self.note_inline("attr_cache");
        let site = Box::new(runtime::attrs::AttrSite::default());
        let addr = &*site as *const runtime::attrs::AttrSite as u64;
        self.attr_sites.borrow_mut().push(site);
        self.t
            .i64
            .const_int(addr, false)
            .const_to_pointer(self.t.obj)
    }

    /// A new direct call site's cache (see [`runtime::entry::rt_direct_call`]), as a pointer
    /// constant: the compiled code keeps it.
    fn direct_site(&self) -> PointerValue<'ctx> {
        let site = Box::new(runtime::entry::DirectSite::default());
        let addr = &*site as *const runtime::entry::DirectSite as u64;
        self.direct_sites.borrow_mut().push(site);
        self.t
            .i64
            .const_int(addr, false)
            .const_to_pointer(self.t.obj)
    }

    /// Constant `index` of `co_consts` (borrowed): its address, where the compiler was given
    /// the constants (they live as long as the code), else read from the tuple.
    fn const_item(&self, index: u32) -> R<PointerValue<'ctx>> {
        if let Some(&addr) = self.consts.as_ref().and_then(|c| c.get(index as usize)) {
            return Ok(self
                .t
                .i64
                .const_int(addr as u64, false)
                .const_to_pointer(self.t.obj));
        }
        let consts = self.env_field(env_offsets::CONSTS)?;
        self.tuple_item(consts, index)
    }

    /// Item `i` of a tuple (borrowed), through the descriptor's layout.
    fn tuple_item(&self, tuple: PointerValue<'ctx>, i: u32) -> R<PointerValue<'ctx>> {
        let off = self.desc.layout.tuple.ob_item as u64
            + u64::from(i) * u64::from(self.desc.identity.pointer_bits / 8);
        // SAFETY (LLVM): inside the tuple's item array (index checked by the compiler).
        let p = unsafe {
            self.b
                .build_gep(tuple, &[self.t.i64.const_int(off, false)], "")
        }
        .map_err(llvm_err)?;
        let p = self
            .b
            .build_pointer_cast(p, self.t.objp, "")
            .map_err(llvm_err)?;
        self.load(p)
    }

    fn null(&self) -> PointerValue<'ctx> {
        self.t.obj.const_null()
    }

    /// Ends the current block with a branch to `join`, noting `v` as the value it brings.
    fn arrive(
        &self,
        v: PointerValue<'ctx>,
        join: BasicBlock<'ctx>,
        incoming: &mut Vec<(PointerValue<'ctx>, BasicBlock<'ctx>)>,
    ) -> R<()> {
        incoming.push((v, self.b.get_insert_block().expect("positioned")));
        self.b.build_unconditional_branch(join).map_err(llvm_err)?;
        Ok(())
    }

    /// `api(r)` for a machine integer `r` (an int-making API that returns the interpreter's
    /// cached small ints), with a small `r` taken from the cache inline: a new reference, NULL
    /// with an exception set on failure.
    fn box_int(&self, api: Api, r: IntValue<'ctx>) -> R<PointerValue<'ctx>> {
        // 2.7's longs have no cache: only its ints do
        let cached = api == Api::NativeIntFromLong || self.desc.layout.int.is_none();
        // SAFETY: code is generated with the GIL held.
        let table = if cached {
            unsafe { runtime::small_int_table(self.capi) }
        } else {
            None
        };
        let Some(table) = table else {
            return self.call_api(api, &[r.into()]);
        };
        let ty = r.get_type();
        let k = self
            .b
            .build_int_sub(r, ty.const_int(runtime::SMALL_INT_MIN as u64, true), "")
            .map_err(llvm_err)?;
        let small = self
            .b
            .build_int_compare(
                IntPredicate::ULT,
                k,
                ty.const_int(runtime::SMALL_INTS, false),
                "",
            )
            .map_err(llvm_err)?;
        let hit = self.new_block("small_int");
        let miss = self.new_block("box_int");
        let join = self.new_block("boxed_int");
        self.b
            .build_conditional_branch(small, hit, miss)
            .map_err(llvm_err)?;
        let mut incoming = Vec::new();
        self.b.position_at_end(hit);
        let k = self
            .b
            .build_int_z_extend_or_bit_cast(k, self.t.i64, "")
            .map_err(llvm_err)?;
        let base = self
            .t
            .i64
            .const_int(table as u64, false)
            .const_to_pointer(self.t.objp);
        // SAFETY (LLVM): k < SMALL_INTS, the table's length.
        let p = unsafe { self.b.build_gep(base, &[k], "") }.map_err(llvm_err)?;
        let v = self.load(p)?;
        self.incref(v)?;
        self.arrive(v, join, &mut incoming)?;
        self.b.position_at_end(miss);
        let v = self.call_api(api, &[r.into()])?;
        self.arrive(v, join, &mut incoming)?;
        self.merge(join, &incoming)
    }

    /// Continues at `join` with the value the branches that [`Self::arrive`]d there brought.
    fn merge(
        &self,
        join: BasicBlock<'ctx>,
        incoming: &[(PointerValue<'ctx>, BasicBlock<'ctx>)],
    ) -> R<PointerValue<'ctx>> {
        self.b.position_at_end(join);
        let phi = self.b.build_phi(self.t.obj, "").map_err(llvm_err)?;
        for (v, bb) in incoming {
            phi.add_incoming(&[(v, *bb)]);
        }
        Ok(phi.as_basic_value().into_pointer_value())
    }

    /// The result of a call whose direct path ([`Self::known_call`], [`Self::cfunction_direct`])
    /// went to `direct`'s join block, merged with `r`, the generic call's, just emitted.
    fn join_with(
        &self,
        direct: Option<Joined<'ctx>>,
        r: PointerValue<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        let Some((join, mut incoming)) = direct else {
            return Ok(r);
        };
        self.arrive(r, join, &mut incoming)?;
        self.merge(join, &incoming)
    }

    /// The feedback word of `ins` to record into, as a pointer constant: every site's in the
    /// quick tier; in specialised code and the generic code it resumes, a site's that had
    /// never run when it was planned (see [`Self::record`]).
    fn feedback_word(&self, ins: &crate::ir::Instr) -> Option<PointerValue<'ctx>> {
        let words = self.feedback?;
        let i = self.instr_index(ins)?;
        // (the generic code a deopt resumes records everything, as the quick tier does: what
        // made a guard fail is what the next specialisation must know, at every site at once)
        let resuming = self.resume_sites.is_some();
        if !self.quick
            && !resuming
            && (self.plan.is_none() || words[i].load(Ordering::Relaxed) != 0)
        {
            return None;
        }
        let addr = &words[i] as *const AtomicUsize as u64;
        Some(
            self.t
                .i64
                .const_int(addr, false)
                .const_to_pointer(self.word_type().ptr_type(AddressSpace::default())),
        )
    }

    /// Whether the optimising tier calls through [`runtime::entry::rt_call_direct`] at call
    /// site `ins`: the quick tier saw a compiled function called there (or never ran the site:
    /// the direct call checks its callable, and a recursive function tiers up before reaching
    /// its second call site). The direct call builds the callee's frame: a frame object up to
    /// 3.10, an interpreter frame from 3.11.
    fn calls_compiled(&self, ins: &crate::ir::Instr) -> bool {
        let direct = self.calls_compiled_here(ins);
        if direct {
            self.note_inline("compiled_call");
        }
        direct
    }

    fn calls_compiled_here(&self, ins: &crate::ir::Instr) -> bool {
        !self.quick
            && self
                .feedback
                .is_some_and(|_| self.seen(ins).is_none_or(|s| s & feedback::COMPILED != 0))
            && (self.desc.layout.interpreter_frame.is_some()
                || self.desc.layout.frame_object.f_localsplus.is_some())
    }

    /// What the quick tier recorded at `ins`: `None` without feedback or if it never ran.
    fn seen(&self, ins: &crate::ir::Instr) -> Option<usize> {
        let words = self.feedback.filter(|_| !self.quick)?;
        let v = words[self.instr_index(ins)?].load(Ordering::Relaxed);
        (v != 0).then_some(v)
    }

    fn instr_index(&self, ins: &crate::ir::Instr) -> Option<usize> {
        let base = self.func.instrs.as_ptr() as usize;
        let at = ins as *const crate::ir::Instr as usize;
        let i = at.checked_sub(base)? / std::mem::size_of::<crate::ir::Instr>();
        (i < self.func.instrs.len()).then_some(i)
    }

    /// The host's pointer-sized integer type (feedback words).
    fn word_type(&self) -> IntType<'ctx> {
        self.int_bits(usize::BITS)
    }

    /// Quick tier: records what `kind` of site `ins` saw of `a` and `b` (see
    /// [`runtime::rt_feedback`]); one call, so that recording adds little to compile.
    /// Specialised code records at a site planned without feedback, once (while its word is
    /// still 0), and the function is specialised again for it at its next call (an on-stack
    /// replacement in a first call plans the code after its loop before that code ran). The
    /// generic code a deopt resumes records at every site, as the quick tier does.
    fn record(
        &self,
        ins: &crate::ir::Instr,
        kind: u32,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
    ) -> R<()> {
        let Some(word) = self.feedback_word(ins) else {
            return Ok(());
        };
        // (when to skip the call: the optimised code records a site's first execution only,
        // the generic code resumed after a failed guard every execution whose classes the word
        // lacks, the quick tier every execution)
        let (helper, skip) = if self.quick {
            (runtime::rt_feedback as *const () as usize, None)
        } else if self.resume_sites.is_some() {
            let known = self.feedback_known(word, kind, a, b)?;
            (runtime::rt_feedback_late as *const () as usize, known)
        } else {
            let now = self
                .b
                .build_load(word, "")
                .map_err(llvm_err)?
                .into_int_value();
            let warm = self
                .b
                .build_int_compare(IntPredicate::NE, now, now.get_type().const_zero(), "")
                .map_err(llvm_err)?;
            (runtime::rt_feedback_late as *const () as usize, Some(warm))
        };
        let mut done = None;
        if let Some(skip) = skip {
            let first = self.new_block("feedback_new");
            let after = self.new_block("recorded");
            self.b
                .build_conditional_branch(skip, after, first)
                .map_err(llvm_err)?;
            self.b.position_at_end(first);
            done = Some(after);
        }
        let word = self
            .b
            .build_pointer_cast(word, self.t.obj, "")
            .map_err(llvm_err)?;
        self.call_addr(
            helper,
            None,
            &[
                self.env.expect("env").into(),
                word.into(),
                self.t.i32.const_int(u64::from(kind), false).into(),
                a.into(),
                b.into(),
            ],
        )?;
        if let Some(after) = done {
            self.b.build_unconditional_branch(after).map_err(llvm_err)?;
            self.b.position_at_end(after);
        }
        Ok(())
    }

    /// Whether feedback word `word` of a site of `kind` already holds everything that
    /// `runtime::rt_feedback` would record for `a` and `b`: computed inline exactly as the
    /// helper classifies them (an int's class from its digit count), or `None` where this
    /// build lacks a type it compares with.
    fn feedback_known(
        &self,
        word: PointerValue<'ctx>,
        kind: u32,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
    ) -> R<Option<IntValue<'ctx>>> {
        use feedback as fb;
        let int_api = if self.desc.layout.int.is_some() {
            Api::IntType
        } else {
            Api::LongType
        };
        let apis: &[Api] = match kind {
            fb::OPERANDS => &[int_api, Api::FloatType, Api::StrType],
            fb::CONTAINER => &[Api::ListType, Api::DictType, Api::TupleType],
            _ => &[],
        };
        if apis.iter().any(|&api| !self.capi.has(api)) {
            return Ok(None);
        }
        let now = self
            .b
            .build_load(word, "")
            .map_err(llvm_err)?
            .into_int_value();
        let wt = now.get_type();
        let k = |v: usize| wt.const_int(v as u64, false);
        let select = |c: IntValue<'ctx>, x: IntValue<'ctx>, y: IntValue<'ctx>| {
            self.b
                .build_select(c, x, y, "")
                .map(|v| v.into_int_value())
                .map_err(llvm_err)
        };
        let holds = |bits: IntValue<'ctx>| -> R<IntValue<'ctx>> {
            let have = self.b.build_and(now, bits, "").map_err(llvm_err)?;
            self.b
                .build_int_compare(IntPredicate::EQ, have, bits, "")
                .map_err(llvm_err)
        };
        match kind {
            fb::OPERANDS => {
                let ca = self.operand_class(a, int_api, wt)?;
                let cb = self.operand_class(b, int_api, wt)?;
                let cb = self
                    .b
                    .build_left_shift(cb, wt.const_int(u64::from(fb::B_SHIFT), false), "")
                    .map_err(llvm_err)?;
                let bits = self.b.build_or(ca, cb, "").map_err(llvm_err)?;
                holds(bits).map(Some)
            }
            fb::CONTAINER => {
                let mut bits = k(fb::OTHER);
                for (api, bit) in [
                    (Api::TupleType, fb::TUPLE),
                    (Api::DictType, fb::DICT),
                    (Api::ListType, fb::LIST),
                ] {
                    let is = self.type_is(a, api)?;
                    bits = select(is, k(bit), bits)?;
                }
                holds(bits).map(Some)
            }
            _ => {
                // the callee kept as itself (no method descriptor, which is kept as a mark)
                // or as `MANY`, with its marks: the helper keeps the word as it is
                let seen = self.b.build_and(now, k(!fb::MARKS), "").map_err(llvm_err)?;
                let marks = self.b.build_and(now, k(fb::MARKS), "").map_err(llvm_err)?;
                let ai = self.b.build_ptr_to_int(a, wt, "").map_err(llvm_err)?;
                let same = self
                    .b
                    .build_int_compare(IntPredicate::EQ, seen, ai, "")
                    .map_err(llvm_err)?;
                let many = self
                    .b
                    .build_int_compare(IntPredicate::EQ, seen, k(fb::MANY), "")
                    .map_err(llvm_err)?;
                let marked = self
                    .b
                    .build_int_compare(IntPredicate::NE, marks, k(0), "")
                    .map_err(llvm_err)?;
                let either = self.b.build_or(same, many, "").map_err(llvm_err)?;
                self.b
                    .build_and(either, marked, "")
                    .map(Some)
                    .map_err(llvm_err)
            }
        }
    }

    /// The feedback class of operand `o` (see `runtime::rt_feedback`), as an integer of type
    /// `wt`: an exact int of `int_api` is `C_INT` when it fits a machine integer (2.7's
    /// always; 3.x's up to two digits) else `C_BIGINT`; a float `C_FLOAT`, a str `C_STR`,
    /// anything else `C_OTHER`.
    fn operand_class(
        &self,
        o: PointerValue<'ctx>,
        int_api: Api,
        wt: inkwell::types::IntType<'ctx>,
    ) -> R<IntValue<'ctx>> {
        use feedback as fb;
        let k = |v: usize| wt.const_int(v as u64, false);
        let is_int = self.type_is(o, int_api)?;
        let is_float = self.type_is(o, Api::FloatType)?;
        let is_str = self.type_is(o, Api::StrType)?;
        let other = self
            .b
            .build_select(is_str, k(fb::C_STR), k(fb::C_OTHER), "")
            .map_err(llvm_err)?
            .into_int_value();
        let other = self
            .b
            .build_select(is_float, k(fb::C_FLOAT), other, "")
            .map_err(llvm_err)?
            .into_int_value();
        let l = &self.desc.layout;
        if l.int.is_some() {
            return self
                .b
                .build_select(is_int, k(fb::C_INT), other, "")
                .map(|v| v.into_int_value())
                .map_err(llvm_err);
        }
        // 3.x: the digit count, read only from an int
        let here = self.b.get_insert_block().expect("positioned");
        let int_bb = self.new_block("class_int");
        let join = self.new_block("classified");
        self.b
            .build_conditional_branch(is_int, int_bb, join)
            .map_err(llvm_err)?;
        self.b.position_at_end(int_bb);
        let word = u32::from(self.desc.identity.pointer_bits);
        let i64t = self.t.i64;
        let n = match (self.desc.caps.long_value_tag, l.long.lv_tag) {
            (true, Some(tag_off)) => {
                let nsb = self.desc.constant("_PyLong_NON_SIZE_BITS").unwrap_or(3) as u64;
                let tag = self.load_int(o, tag_off, word, false)?;
                self.b
                    .build_right_shift(tag, i64t.const_int(nsb, false), false, "")
                    .map_err(llvm_err)?
            }
            _ => {
                let size = self.load_int(o, l.var_object.ob_size, word, true)?;
                let neg = self.b.build_int_neg(size, "").map_err(llvm_err)?;
                let negative = self
                    .b
                    .build_int_compare(IntPredicate::SLT, size, i64t.const_zero(), "")
                    .map_err(llvm_err)?;
                self.b
                    .build_select(negative, neg, size, "")
                    .map_err(llvm_err)?
                    .into_int_value()
            }
        };
        let fits = self
            .b
            .build_int_compare(IntPredicate::ULE, n, i64t.const_int(2, false), "")
            .map_err(llvm_err)?;
        let ic = self
            .b
            .build_select(fits, k(fb::C_INT), k(fb::C_BIGINT), "")
            .map_err(llvm_err)?
            .into_int_value();
        let int_end = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(join).map_err(llvm_err)?;
        self.b.position_at_end(join);
        let phi = self.b.build_phi(wt, "").map_err(llvm_err)?;
        phi.add_incoming(&[(&ic, int_end), (&other, here)]);
        Ok(phi.as_basic_value().into_int_value())
    }

    fn object(&self, api: Api) -> R<PointerValue<'ctx>> {
        // SAFETY: the entry exists (checked by `api`) and the interpreter is initialised.
        self.api(api)?;
        let addr = (unsafe { self.capi.object(api) }) as u64;
        Ok(self
            .t
            .i64
            .const_int(addr, false)
            .const_to_pointer(self.t.obj))
    }

    /// A conditional branch to `rare` when `c` holds, else to `usual`, weighted so that LLVM
    /// lays `rare` out of line and keeps the usual path's values in registers (error paths,
    /// deallocations, the periodic visit of a back edge; the optimising tier: the quick
    /// tier's code generation places no blocks by weight).
    pub(crate) fn branch_rarely(
        &self,
        c: IntValue<'ctx>,
        rare: BasicBlock<'ctx>,
        usual: BasicBlock<'ctx>,
    ) -> R<()> {
        let br = self
            .b
            .build_conditional_branch(c, rare, usual)
            .map_err(llvm_err)?;
        if self.quick {
            // (its code generation places no blocks by weight)
            return Ok(());
        }
        let weights = self.ctx.metadata_node(&[
            self.ctx.metadata_string("branch_weights").into(),
            self.t.i32.const_int(1, false).into(),
            self.t.i32.const_int(2000, false).into(),
        ]);
        br.set_metadata(weights, self.ctx.get_kind_id("prof"))
            .map_err(|e| llvm_err(format!("branch weights: {e}")))?;
        Ok(())
    }

    fn new_block(&self, name: &str) -> BasicBlock<'ctx> {
        self.ctx
            .append_basic_block(self.function.expect("function"), name)
    }

    /// Branches to a failure path for an instruction at `offset` with `live` stack items when
    /// `failed` holds.
    fn check_fail(&self, failed: IntValue<'ctx>, offset: u32, live: u32) -> R<()> {
        let fail = self.new_block("fail");
        let ok = self.new_block("ok");
        self.branch_rarely(failed, fail, ok)?;
        self.b.position_at_end(fail);
        self.raise_here(offset, live, true)?;
        self.b.position_at_end(ok);
        Ok(())
    }

    /// 1 when `ins` (END_FINALLY or POP_FINALLY) directly follows a `with` block's cleanup
    /// (WITH_CLEANUP_FINISH, 2.7's WITH_CLEANUP): the compiler counts `__exit__` among the
    /// items it pops, so they sit one slot higher than the depth says. Else 0.
    fn with_shift(&self, ins: &crate::ir::Instr) -> u32 {
        let at = self
            .func
            .instrs
            .iter()
            .position(|x| std::ptr::eq(x, ins))
            .unwrap_or(0);
        let prev = at.checked_sub(1).map(|p| self.func.instrs[p].op);
        u32::from(matches!(
            prev,
            Some(Op::WithCleanupFinish | Op::WithCleanup27)
        ))
    }

    /// After a raise helper returned `r` (non-zero: a re-raise), unwinds with `live` items.
    fn raise_split(&self, r: IntValue<'ctx>, off: u32, live: u32) -> R<()> {
        let again = self
            .b
            .build_int_compare(IntPredicate::NE, r, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        let reraise = self.new_block("reraise");
        let fresh = self.new_block("raise");
        self.b
            .build_conditional_branch(again, reraise, fresh)
            .map_err(llvm_err)?;
        self.b.position_at_end(reraise);
        self.raise_here(off, live, false)?;
        self.b.position_at_end(fresh);
        self.raise_here(off, live, true)
    }

    /// The end of a `with` block's cleanup up to 3.8: `res` (consumed) is what `__exit__`
    /// returned; when the block was left by exception (`is_exc`) and `res` is true, the
    /// exception is swallowed: the handler's items at `base` (`items` of them) are dropped,
    /// restoring the handled exception they saved (3.x), and the status left says "normal".
    /// `live` items are owned on failure.
    fn with_silence(
        &self,
        is_exc: IntValue<'ctx>,
        res: PointerValue<'ctx>,
        off: u32,
        live: u32,
        base: u32,
        items: u32,
    ) -> R<()> {
        let test = self.new_block("exit_test");
        let keep = self.new_block("exit_keep");
        let silence = self.new_block("exit_silence");
        let done = self.new_block("exit_done");
        self.b
            .build_conditional_branch(is_exc, test, keep)
            .map_err(llvm_err)?;
        self.b.position_at_end(keep);
        self.decref(res)?;
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(test);
        let t = self.call_api_int(Api::ObjectIsTrue, &[res.into()])?;
        self.decref(res)?;
        self.check_neg(t, off, live)?;
        let yes = self
            .b
            .build_int_compare(IntPredicate::SGT, t, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(yes, silence, done)
            .map_err(llvm_err)?;
        self.b.position_at_end(silence);
        if items == 6 {
            self.finish_handled(base)?;
        } else {
            self.release(base, base + items)?;
        }
        for j in 0..items {
            self.sset(base + j, self.null())?;
        }
        if items == 3 {
            // 2.7 leaves None as the status
            let none = self.object(Api::NoneStruct)?;
            self.incref(none)?;
            self.sset(base + 2, none)?;
        }
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// Releases stack slots `from..to`.
    fn release(&self, from: u32, to: u32) -> R<()> {
        for i in from..to {
            let v = self.sget(i)?;
            self.decref(v)?;
        }
        Ok(())
    }

    /// Address of stack slot `i` for code outside this function, between
    /// [`Codegen::escape`] and [`Codegen::unescape`].
    fn slot_addr(&self, i: u32) -> R<PointerValue<'ctx>> {
        self.slot(self.stack.expect("stack"), i)
    }

    /// With an exception set at `offset` and `live` stack items owned, unwinds as ceval does:
    /// through the enclosing frames to the innermost handler (entered with the exception), or
    /// out of the function. `fresh`: raised here, not re-raised (it decides whether this frame
    /// joins the traceback). Ends the current LLVM block.
    fn raise_here(&self, offset: u32, live: u32, fresh: bool) -> R<()> {
        let chain = self.chain.borrow().clone();
        self.unwind(Action::Raise { fresh }, offset, live, None, &chain)
    }

    /// Leaves through the frames of `chain` for `action` with `live` stack items owned (and
    /// `retval` for a return), as ceval's block unwinding does: loops are left or continued,
    /// running `except` handlers restore the exception they replaced, `finally` and `with`
    /// blocks are entered with the action pending (up to 3.8), and an exception enters the
    /// innermost handler. Ends the current LLVM block.
    fn unwind(
        &self,
        action: Action,
        offset: u32,
        live: u32,
        retval: Option<PointerValue<'ctx>>,
        chain: &[Frame],
    ) -> R<()> {
        // (a raise stores its position once, below)
        let raising = matches!(action, Action::Raise { .. });
        self.positionless(raising, || {
            self.unwind_inner(action, offset, live, retval, chain)
        })
    }

    fn unwind_inner(
        &self,
        action: Action,
        offset: u32,
        mut live: u32,
        retval: Option<PointerValue<'ctx>>,
        chain: &[Frame],
    ) -> R<()> {
        let env = self.env.expect("env");
        let raising = matches!(action, Action::Raise { .. });
        if raising {
            self.set_lasti(offset)?;
        }
        // from 3.11 only exceptions use the table; returns and jumps are explicit code
        let frames: &[Frame] = if raising || self.func.handlers.is_empty() {
            chain
        } else {
            &[]
        };
        for f in frames.iter().rev() {
            match (f.kind, action) {
                (FrameKind::Loop, Action::Break) => {
                    self.release(f.level, live)?;
                    self.b
                        .build_unconditional_branch(self.llblocks[f.target.0 as usize])
                        .map_err(llvm_err)?;
                    return Ok(());
                }
                (FrameKind::Loop, Action::Continue(t)) => {
                    self.b
                        .build_unconditional_branch(self.llblocks[t.0 as usize])
                        .map_err(llvm_err)?;
                    return Ok(());
                }
                (FrameKind::ExceptHandler, _) => {
                    self.unwind_except_handler(f.level, live)?;
                    live = live.min(f.level);
                }
                (FrameKind::Handler { items, lasti, kind }, Action::Raise { fresh }) => {
                    self.release(f.level, live)?;
                    let raw = items == 3 && kind == HandlerKind::Finally;
                    let flags = u32::from(fresh) * runtime::exc::CATCH_FRESH
                        + u32::from(lasti) * runtime::exc::CATCH_LASTI
                        + u32::from(raw) * runtime::exc::CATCH_RAW;
                    self.call_addr(
                        runtime::exc::rt_catch as *const () as usize,
                        None,
                        &[
                            env.into(),
                            self.slot_addr(f.level)?.into(),
                            self.t.i32.const_int(u64::from(items), false).into(),
                            self.t.i32.const_int(u64::from(flags), false).into(),
                            self.t.i32.const_int(u64::from(offset), false).into(),
                        ],
                    )?;
                    // (a `lasti` item below the exception's)
                    self.unescape(f.level, f.level + items + u32::from(lasti))?;
                    self.b
                        .build_unconditional_branch(self.llblocks[f.target.0 as usize])
                        .map_err(llvm_err)?;
                    return Ok(());
                }
                (
                    FrameKind::Handler {
                        items,
                        kind: HandlerKind::Finally | HandlerKind::With,
                        ..
                    },
                    _,
                ) => {
                    // enter the `finally` block with the action pending (its own code on top,
                    // the return value below it)
                    self.release(f.level, live)?;
                    for j in 0..items {
                        self.sset(f.level + j, self.null())?;
                    }
                    if let Some(r) = retval.filter(|_| action == Action::Return) {
                        self.sset(f.level + items - 2, r)?;
                    }
                    let code = self.action_code(action)?;
                    self.sset(f.level + items - 1, code)?;
                    self.b
                        .build_unconditional_branch(self.llblocks[f.target.0 as usize])
                        .map_err(llvm_err)?;
                    return Ok(());
                }
                _ => {
                    // a loop or an `except` block passed by
                    self.release(f.level, live)?;
                    live = live.min(f.level);
                }
            }
        }
        match action {
            Action::Raise { fresh: true } => {
                // the common way out: every failure site of this depth shares one release path
                let out = self.ladder(live)?;
                self.b.build_unconditional_branch(out).map_err(llvm_err)?;
            }
            Action::Raise { fresh } => {
                self.release(0, live)?;
                if !fresh {
                    self.call_addr(
                        runtime::exc::rt_reraise_exit as *const () as usize,
                        None,
                        &[env.into()],
                    )?;
                }
                self.b
                    .build_unconditional_branch(self.unwind.expect("unwind"))
                    .map_err(llvm_err)?;
            }
            Action::Return => {
                self.release(0, live)?;
                self.release_locals()?;
                let r = retval.ok_or_else(|| llvm_err("return without a value"))?;
                self.b.build_return(Some(&r)).map_err(llvm_err)?;
            }
            Action::Break | Action::Continue(_) | Action::Resume(_) => {
                return Err(Unsupported {
                    construct: "break or continue outside a loop block".into(),
                    offset,
                    line: None,
                });
            }
        }
        Ok(())
    }

    /// The block that releases stack slots `k-1` down to 0 and leaves by the unwind block:
    /// one chain per function that every raising site with nothing to unwind through enters at
    /// its depth, so that no site carries a release sequence of its own. Cold code: the
    /// releases are `Py_DecRef` calls.
    fn ladder(&self, k: u32) -> R<BasicBlock<'ctx>> {
        if let Some(Some(b)) = self.ladder.borrow().get(k as usize) {
            return Ok(*b);
        }
        let here = self.b.get_insert_block();
        let block = self.new_block(&format!("release{k}"));
        {
            let mut l = self.ladder.borrow_mut();
            if l.len() <= k as usize {
                l.resize(k as usize + 1, None);
            }
            l[k as usize] = Some(block);
        }
        let next = if k == 0 {
            self.unwind.expect("unwind")
        } else {
            self.ladder(k - 1)?
        };
        self.b.position_at_end(block);
        if k > 0 {
            let v = self.sget(k - 1)?;
            // (shared by every failing site: the position stays the failing one's)
            self.positionless(true, || {
                self.call_addr(self.api(Api::DecRef)?, None, &[v.into()])
            })?;
        }
        self.b.build_unconditional_branch(next).map_err(llvm_err)?;
        if let Some(h) = here {
            self.b.position_at_end(h);
        }
        Ok(block)
    }

    /// Raises the NameError the interpreter raises for global `name` and fails with `live`
    /// stack items.
    fn raise_name_error(&self, name: PointerValue<'ctx>, offset: u32, live: u32) -> R<()> {
        self.call_addr(
            runtime::rt_name_error as *const () as usize,
            None,
            &[self.env.expect("env").into(), name.into()],
        )?;
        self.fail_now(offset, live)
    }

    /// Whether a `finally` block's status slot holds an exception (rather than a pending
    /// action or the normal path's marker).
    fn status_is_exception(&self, status: PointerValue<'ctx>) -> R<IntValue<'ctx>> {
        let kind = self.helper_int(
            runtime::exc::rt_status_kind as *const () as usize,
            &[self.env.expect("env").into(), status.into()],
        )?;
        self.b
            .build_int_compare(
                IntPredicate::EQ,
                kind,
                self.t
                    .i32
                    .const_int(runtime::exc::status::EXCEPTION as u64, false),
                "",
            )
            .map_err(llvm_err)
    }

    /// Up to 3.8, the six items a caught exception enters its handler with, from stack slot
    /// `base`: releases the exception (the top three) and restores the handled exception the
    /// bottom three saved, as POP_EXCEPT does.
    fn finish_handled(&self, base: u32) -> R<()> {
        self.release(base + 3, base + 6)?;
        self.escape(base, base + 3)?;
        self.call_addr(
            runtime::exc::rt_pop_except as *const () as usize,
            None,
            &[
                self.env.expect("env").into(),
                self.slot_addr(base)?.into(),
                self.t.i32.const_int(3, false).into(),
            ],
        )?;
        self.unescape(base, base + 3)?;
        Ok(())
    }

    /// The int standing for a pending `action` in a `finally` block's status slot.
    fn action_code(&self, action: Action) -> R<PointerValue<'ctx>> {
        let n = self
            .actions
            .iter()
            .position(|a| *a == action)
            .ok_or_else(|| llvm_err(format!("unregistered action {action:?}")))?;
        if n > 250 {
            return Err(llvm_err("too many pending actions for finally blocks"));
        }
        self.helper_obj(
            runtime::exc::rt_action as *const () as usize,
            &[
                self.env.expect("env").into(),
                self.t.i32.const_int(n as u64, false).into(),
            ],
        )
    }

    /// Unwinds through a running `except` handler's `EXCEPT_HANDLER` block (3.x up to 3.10) at
    /// `level`: restores the handled exception it saved and releases what is above. Up to 3.8
    /// the same code may also run a `finally` block that was entered without an exception, and
    /// so without that block: the saved type, never NULL when saved, tells them apart.
    fn unwind_except_handler(&self, level: u32, live: u32) -> R<()> {
        if live < level + 3 {
            return self.release(level, live);
        }
        let saved = self.sget(level + 2)?;
        let isnull = self.b.build_is_null(saved, "").map_err(llvm_err)?;
        let restore = self.new_block("unwind_handler");
        let plain = self.new_block("unwind_plain");
        let done = self.new_block("unwound");
        self.b
            .build_conditional_branch(isnull, plain, restore)
            .map_err(llvm_err)?;
        self.b.position_at_end(restore);
        self.release(level + 3, live)?;
        self.escape(level, level + 3)?;
        self.call_addr(
            runtime::exc::rt_pop_except as *const () as usize,
            None,
            &[
                self.env.expect("env").into(),
                self.slot_addr(level)?.into(),
                self.t.i32.const_int(3, false).into(),
            ],
        )?;
        self.unescape(level, level + 3)?;
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(plain);
        self.release(level, live)?;
        self.b.build_unconditional_branch(done).map_err(llvm_err)?;
        self.b.position_at_end(done);
        Ok(())
    }

    /// Fails here, unconditionally: records the offset, releases `live` stack items and unwinds.
    /// The builder is left in a fresh, unreachable block for the caller to reposition.
    fn fail_now(&self, offset: u32, live: u32) -> R<()> {
        self.raise_here(offset, live, true)
    }

    /// Calls runtime helper `f` (returning an object or NULL).
    fn helper_obj(&self, f: usize, args: &[BasicMetadataValueEnum<'ctx>]) -> R<PointerValue<'ctx>> {
        Ok(self
            .call_addr(f, Some(self.t.obj.into()), args)?
            .expect("returns")
            .into_pointer_value())
    }

    /// Calls runtime helper `f` (returning a C int, negative on error).
    fn helper_int(&self, f: usize, args: &[BasicMetadataValueEnum<'ctx>]) -> R<IntValue<'ctx>> {
        Ok(self
            .call_addr(f, Some(self.t.i32.into()), args)?
            .expect("returns")
            .into_int_value())
    }

    fn check_null(&self, v: PointerValue<'ctx>, offset: u32, live: u32) -> R<()> {
        let failed = self.b.build_is_null(v, "").map_err(llvm_err)?;
        self.check_fail(failed, offset, live)
    }

    fn check_neg(&self, v: IntValue<'ctx>, offset: u32, live: u32) -> R<()> {
        let failed = self
            .b
            .build_int_compare(IntPredicate::SLT, v, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        self.check_fail(failed, offset, live)
    }

    /// Points the trampoline frame at bytecode `offset`.
    fn set_lasti(&self, offset: u32) -> R<()> {
        let (slot, base) = self.lasti.get().ok_or_else(|| llvm_err("no lasti slot"))?;
        if self.desc.caps.interpreter_frames {
            // 3.11+: a pointer to the instruction in the code's inline bytecode.
            let v = self
                .b
                .build_int_add(base, self.t.i64.const_int(u64::from(offset), false), "")
                .map_err(llvm_err)?;
            self.b.build_store(slot, v).map_err(llvm_err)?;
        } else {
            // ≤3.10: `int f_lasti`, in bytes up to 3.9 and code units in 3.10.
            let scaled = match self.desc.opcodes.jump_unit {
                anyjit_abi::JumpUnit::Bytes => offset,
                anyjit_abi::JumpUnit::CodeUnits => offset / 2,
            };
            let p = self
                .b
                .build_pointer_cast(slot, self.t.i32.ptr_type(AddressSpace::default()), "")
                .map_err(llvm_err)?;
            self.b
                .build_store(p, self.t.i32.const_int(u64::from(scaled), false))
                .map_err(llvm_err)?;
        }
        Ok(())
    }

    /// Reads where the frame keeps its position and the base added to it (once, at entry:
    /// both are fixed for the activation).
    fn load_lasti(&self) -> R<()> {
        let slot = self.env_field(env_offsets::LASTI_SLOT)?;
        let slot = self
            .b
            .build_pointer_cast(slot, self.t.i64.ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        let env = self.env.expect("env");
        // SAFETY (LLVM): field of Env.
        let bp = unsafe {
            self.b.build_gep(
                env,
                &[self.t.i64.const_int(env_offsets::LASTI_BASE as u64, false)],
                "",
            )
        }
        .map_err(llvm_err)?;
        let bp = self
            .b
            .build_pointer_cast(bp, self.t.i64.ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)?;
        let base = self
            .b
            .build_load(bp, "")
            .map_err(llvm_err)?
            .into_int_value();
        self.lasti.set(Some((slot, base)));
        Ok(())
    }

    fn bool_obj(&self, cond: IntValue<'ctx>) -> R<PointerValue<'ctx>> {
        let t = self.object(Api::TrueStruct)?;
        let f = self.object(Api::FalseStruct)?;
        let v = self
            .b
            .build_select(cond, t, f, "")
            .map_err(llvm_err)?
            .into_pointer_value();
        self.incref(v)?;
        Ok(v)
    }

    /// The int type's own slot for binary operator `op` (its `PyNumberMethods` entry, read
    /// from the live type: what `PyNumber_Add` and the rest call for two exact ints, and an int
    /// never answers another int `NotImplemented`); `None` for operators without one here.
    fn int_slot(&self, op: BinOp) -> Option<usize> {
        let nm = &self.desc.layout.number_methods;
        let field = match op {
            BinOp::Add => nm.nb_add,
            BinOp::Sub => nm.nb_subtract,
            BinOp::Mul => nm.nb_multiply,
            BinOp::Mod => nm.nb_remainder,
            BinOp::LShift => nm.nb_lshift,
            BinOp::RShift => nm.nb_rshift,
            BinOp::And => nm.nb_and,
            BinOp::Xor => nm.nb_xor,
            BinOp::Or => nm.nb_or,
            BinOp::FloorDiv => nm.nb_floor_divide,
            BinOp::TrueDiv => nm.nb_true_divide,
            _ => return None,
        };
        if !self.capi.has(Api::LongType) {
            return None;
        }
        // SAFETY: the int type is a static object of the running interpreter; its number
        // table and the table's slots are set once, at start-up (the offsets are the
        // descriptor's, checked live).
        unsafe {
            let tp = self.capi.object(Api::LongType) as *const u8;
            let table =
                *(tp.add(self.desc.layout.type_object.tp_as_number as usize) as *const *const u8);
            if table.is_null() {
                return None;
            }
            let slot = *(table.add(field as usize) as *const usize);
            (slot != 0).then_some(slot)
        }
    }

    /// `a <op> b` through the int type's slot when both are exact ints (see
    /// [`Self::int_slot`]), else through the C API: the new result, or NULL with an exception
    /// set. Branches from the current block; `a` and `b` are borrowed.
    fn int_slot_or_api(
        &self,
        op: BinOp,
        inplace: bool,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        want: Want,
    ) -> R<PointerValue<'ctx>> {
        let api = Self::binary_api(op, inplace);
        let Some(slot) = self.int_slot(op).filter(|_| want.ints) else {
            return self.call_api(api, &[a.into(), b.into()]);
        };
        self.note_inline("int_slot");
        let ints = self.new_block("int_slot");
        let other = self.new_block("int_slot_other");
        let join = self.new_block("int_slot_done");
        let mut incoming = Vec::new();
        self.both_are(want, a, b, Api::LongType, ints, other)?;
        self.b.position_at_end(ints);
        let r = self.helper_obj(slot, &[a.into(), b.into()])?;
        self.arrive(r, join, &mut incoming)?;
        self.b.position_at_end(other);
        let r = self.call_api(api, &[a.into(), b.into()])?;
        self.arrive(r, join, &mut incoming)?;
        self.merge(join, &incoming)
    }

    fn binary_api(op: BinOp, inplace: bool) -> Api {
        use BinOp::*;
        match (op, inplace) {
            (Add, false) => Api::NumberAdd,
            (Sub, false) => Api::NumberSubtract,
            (Mul, false) => Api::NumberMultiply,
            (MatMul, false) => Api::NumberMatrixMultiply,
            (TrueDiv, false) => Api::NumberTrueDivide,
            (ClassicDiv, false) => Api::NumberDivide,
            (FloorDiv, false) => Api::NumberFloorDivide,
            (Mod, false) => Api::NumberRemainder,
            (Pow, false) => Api::NumberPower,
            (LShift, false) => Api::NumberLshift,
            (RShift, false) => Api::NumberRshift,
            (And, false) => Api::NumberAnd,
            (Or, false) => Api::NumberOr,
            (Xor, false) => Api::NumberXor,
            (Add, true) => Api::NumberInPlaceAdd,
            (Sub, true) => Api::NumberInPlaceSubtract,
            (Mul, true) => Api::NumberInPlaceMultiply,
            (MatMul, true) => Api::NumberInPlaceMatrixMultiply,
            (TrueDiv, true) => Api::NumberInPlaceTrueDivide,
            (ClassicDiv, true) => Api::NumberInPlaceDivide,
            (FloorDiv, true) => Api::NumberInPlaceFloorDivide,
            (Mod, true) => Api::NumberInPlaceRemainder,
            (Pow, true) => Api::NumberInPlacePower,
            (LShift, true) => Api::NumberInPlaceLshift,
            (RShift, true) => Api::NumberInPlaceRshift,
            (And, true) => Api::NumberInPlaceAnd,
            (Or, true) => Api::NumberInPlaceOr,
            (Xor, true) => Api::NumberInPlaceXor,
        }
    }

    /// `PyObject_IsTrue(v)` as an i1, releasing `v` (a failure jumps to the error path).
    fn truth(
        &self,
        v: PointerValue<'ctx>,
        offset: u32,
        live: u32,
        release: bool,
    ) -> R<IntValue<'ctx>> {
        // True, False and None answer without a call
        let is = |o: PointerValue<'ctx>| -> R<IntValue<'ctx>> {
            let x = self
                .b
                .build_ptr_to_int(v, self.t.i64, "")
                .map_err(llvm_err)?;
            let y = self
                .b
                .build_ptr_to_int(o, self.t.i64, "")
                .map_err(llvm_err)?;
            self.b
                .build_int_compare(IntPredicate::EQ, x, y, "")
                .map_err(llvm_err)
        };
        let t = is(self.object(Api::TrueStruct)?)?;
        let f = is(self.object(Api::FalseStruct)?)?;
        let n = is(self.object(Api::NoneStruct)?)?;
        let known = self.b.build_or(t, f, "").map_err(llvm_err)?;
        let known = self.b.build_or(known, n, "").map_err(llvm_err)?;
        let fast = self.b.get_insert_block().expect("positioned");
        let slow = self.new_block("truth_call");
        let join = self.new_block("truth");
        self.b
            .build_conditional_branch(known, join, slow)
            .map_err(llvm_err)?;
        self.b.position_at_end(slow);
        let r = self.call_api_int(Api::ObjectIsTrue, &[v.into()])?;
        if release {
            self.decref(v)?;
        }
        self.check_neg(r, offset, live)?;
        let called = self
            .b
            .build_int_compare(IntPredicate::NE, r, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        let slow_end = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(join).map_err(llvm_err)?;
        self.b.position_at_end(join);
        let phi = self
            .b
            .build_phi(self.ctx.bool_type(), "")
            .map_err(llvm_err)?;
        phi.add_incoming(&[(&t, fast), (&called, slow_end)]);
        let truth = phi.as_basic_value().into_int_value();
        if release {
            // (the called path has released it already; True, False and None need no release
            // on 3.12+, but do before)
            let was_known = self.new_block("truth_release");
            let after = self.new_block("truth_done");
            let from_fast = self
                .b
                .build_phi(self.ctx.bool_type(), "")
                .map_err(llvm_err)?;
            from_fast.add_incoming(&[
                (&self.ctx.bool_type().const_int(1, false), fast),
                (&self.ctx.bool_type().const_zero(), slow_end),
            ]);
            self.b
                .build_conditional_branch(
                    from_fast.as_basic_value().into_int_value(),
                    was_known,
                    after,
                )
                .map_err(llvm_err)?;
            self.b.position_at_end(was_known);
            self.decref(v)?;
            self.b.build_unconditional_branch(after).map_err(llvm_err)?;
            self.b.position_at_end(after);
        }
        Ok(truth)
    }

    /// `a is b` (`a is not b` with `invert`), as a truth value.
    fn same_object(
        &self,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        invert: bool,
    ) -> R<IntValue<'ctx>> {
        let x = self
            .b
            .build_ptr_to_int(a, self.t.i64, "")
            .map_err(llvm_err)?;
        let y = self
            .b
            .build_ptr_to_int(b, self.t.i64, "")
            .map_err(llvm_err)?;
        let pred = if invert {
            IntPredicate::NE
        } else {
            IntPredicate::EQ
        };
        self.b.build_int_compare(pred, x, y, "").map_err(llvm_err)
    }

    /// `v`'s type is exactly the type object `api`.
    fn type_is(&self, v: PointerValue<'ctx>, api: Api) -> R<IntValue<'ctx>> {
        let t = self.field_ptr(v, self.desc.layout.object.ob_type)?;
        let t = self.load(t)?;
        let x = self
            .b
            .build_ptr_to_int(t, self.t.i64, "")
            .map_err(llvm_err)?;
        let y = self
            .b
            .build_ptr_to_int(self.object(api)?, self.t.i64, "")
            .map_err(llvm_err)?;
        self.b
            .build_int_compare(IntPredicate::EQ, x, y, "")
            .map_err(llvm_err)
    }

    /// Pointer to the pointer-sized field at byte `off` of `v`.
    fn field_ptr(&self, v: PointerValue<'ctx>, off: u32) -> R<PointerValue<'ctx>> {
        self.byte_ptr(v, off, self.t.objp)
    }

    /// Loads an integer of `bits` at byte `off` of `v`, extended to 64 bits.
    fn load_int(
        &self,
        v: PointerValue<'ctx>,
        off: u32,
        bits: u32,
        signed: bool,
    ) -> R<IntValue<'ctx>> {
        let ty = match bits {
            8 => self.ctx.i8_type(),
            16 => self.ctx.i16_type(),
            32 => self.t.i32,
            _ => self.t.i64,
        };
        let p = self.byte_ptr(v, off, ty.ptr_type(AddressSpace::default()))?;
        let x = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
        if bits == 64 {
            return Ok(x);
        }
        if signed {
            self.b
                .build_int_s_extend(x, self.t.i64, "")
                .map_err(llvm_err)
        } else {
            self.b
                .build_int_z_extend(x, self.t.i64, "")
                .map_err(llvm_err)
        }
    }

    /// For an exact int `v`: whether it has at most one digit, and then its value. Reads the
    /// build's layout: 3.12+ `lv_tag` (digit count and sign), before that the signed `ob_size`.
    fn small_int(&self, v: PointerValue<'ctx>) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        let l = &self.desc.layout;
        let word = u32::from(self.desc.identity.pointer_bits);
        let shift = self.desc.constant("PyLong_SHIFT").unwrap_or(30);
        let digit = self.load_int(v, l.long.ob_digit, if shift > 16 { 32 } else { 16 }, false)?;
        let one = self.t.i64.const_int(1, false);
        if let (true, Some(tag_off)) = (self.desc.caps.long_value_tag, l.long.lv_tag) {
            let nsb = self.desc.constant("_PyLong_NON_SIZE_BITS").unwrap_or(3) as u64;
            let tag = self.load_int(v, tag_off, word, false)?;
            let small = self
                .b
                .build_int_compare(
                    IntPredicate::ULT,
                    tag,
                    self.t.i64.const_int(2 << nsb, false),
                    "",
                )
                .map_err(llvm_err)?;
            // sign bits: 0 positive, 1 zero, 2 negative
            let bits = self
                .b
                .build_and(tag, self.t.i64.const_int(3, false), "")
                .map_err(llvm_err)?;
            let sign = self.b.build_int_sub(one, bits, "").map_err(llvm_err)?;
            let value = self.b.build_int_mul(sign, digit, "").map_err(llvm_err)?;
            Ok((small, value))
        } else {
            let size = self.load_int(v, l.var_object.ob_size, word, true)?;
            let biased = self.b.build_int_add(size, one, "").map_err(llvm_err)?;
            let small = self
                .b
                .build_int_compare(
                    IntPredicate::ULE,
                    biased,
                    self.t.i64.const_int(2, false),
                    "",
                )
                .map_err(llvm_err)?;
            let value = self.b.build_int_mul(size, digit, "").map_err(llvm_err)?;
            Ok((small, value))
        }
    }

    /// A LOAD_GLOBAL cache (three module globals: both dicts' version tags and the value) and its
    /// test: on a hit, branches to a block that loads the value and is left open (its end and the
    /// value are returned, for the caller to join); on a miss, continues in a new block.
    /// What a LOAD_GLOBAL cache compares: both dicts' version tags (at byte `tag`), or, for
    /// watched dicts, the epoch (twice).
    fn global_stamps(
        &self,
        tag: Option<u32>,
        globals: PointerValue<'ctx>,
        builtins: PointerValue<'ctx>,
    ) -> R<(IntValue<'ctx>, IntValue<'ctx>)> {
        Ok(match tag {
            Some(t) => (
                self.load_int(globals, t, 64, false)?,
                self.load_int(builtins, t, 64, false)?,
            ),
            None => {
                let addr = &runtime::GLOBALS_EPOCH as *const _ as u64;
                let p = self
                    .t
                    .i64
                    .const_int(addr, false)
                    .const_to_pointer(self.t.i64.ptr_type(AddressSpace::default()));
                let e = self.b.build_load(p, "").map_err(llvm_err)?.into_int_value();
                (e, e)
            }
        })
    }

    #[allow(clippy::type_complexity)]
    fn global_cache(
        &self,
        tag: Option<u32>,
        globals: PointerValue<'ctx>,
        builtins: PointerValue<'ctx>,
    ) -> R<(
        [PointerValue<'ctx>; 3],
        PointerValue<'ctx>,
        BasicBlock<'ctx>,
        Option<u32>,
    )> {
        let n = self.caches.get();
        self.caches.set(n + 1);
        let cell = |name: &str, ty: BasicTypeEnum<'ctx>| -> PointerValue<'ctx> {
            let g = self.module.add_global(ty, None, &format!("{name}{n}"));
            match ty {
                BasicTypeEnum::IntType(t) => g.set_initializer(&t.const_zero()),
                _ => g.set_initializer(&self.t.obj.const_null()),
            }
            g.as_pointer_value()
        };
        let cells = [
            cell("global_tag_g", self.t.i64.into()),
            cell("global_tag_b", self.t.i64.into()),
            cell("global_value", self.t.obj.into()),
        ];
        let (tg, tb) = self.global_stamps(tag, globals, builtins)?;
        let cg = self
            .b
            .build_load(cells[0], "")
            .map_err(llvm_err)?
            .into_int_value();
        let cb = self
            .b
            .build_load(cells[1], "")
            .map_err(llvm_err)?
            .into_int_value();
        let same_g = self
            .b
            .build_int_compare(IntPredicate::EQ, tg, cg, "")
            .map_err(llvm_err)?;
        let same_b = self
            .b
            .build_int_compare(IntPredicate::EQ, tb, cb, "")
            .map_err(llvm_err)?;
        let filled = self
            .b
            .build_int_compare(IntPredicate::NE, cg, self.t.i64.const_zero(), "")
            .map_err(llvm_err)?;
        let hit = self.b.build_and(same_g, same_b, "").map_err(llvm_err)?;
        let hit = self.b.build_and(hit, filled, "").map_err(llvm_err)?;
        let hit_block = self.new_block("global_cached");
        let miss = self.new_block("global_lookup");
        let stale = self.b.build_not(hit, "").map_err(llvm_err)?;
        self.branch_rarely(stale, miss, hit_block)?;
        self.b.position_at_end(hit_block);
        let v = self.load(cells[2])?;
        self.b.position_at_end(miss);
        Ok((cells, v, hit_block, tag))
    }

    /// 2.7, optimising tier: the name `name` as a constant and its hash, for [`Self::probe_dict`]
    /// (`None`: no such layout, or the hash failed).
    fn first_probe_key(&self, name: u32) -> Option<(PointerValue<'ctx>, i64)> {
        let l = &self.desc.layout;
        if self.quick || l.dict.ma_table.is_none() || l.dict.ma_mask.is_none() {
            return None;
        }
        l.dict_entry.as_ref()?;
        let addr = *self.names.as_ref()?.get(name as usize)?;
        if !self.capi.has(Api::ObjectHash) {
            return None;
        }
        // SAFETY: the GIL is held while compiling; the name lives as long as the code (the
        // caller keeps `co_names`); `PyObject_Hash` of a str caches and returns its hash.
        let hash = unsafe {
            let f = self
                .capi
                .func::<extern "C" fn(*mut std::ffi::c_void) -> isize>(Api::ObjectHash);
            let h = f(addr as *mut std::ffi::c_void);
            if h == -1 {
                self.capi.clear_error();
                return None;
            }
            h as i64
        };
        let k = self
            .t
            .i64
            .const_int(addr as u64, false)
            .const_to_pointer(self.t.obj);
        Some((k, hash))
    }

    /// 2.7: looks name `k` (of hash `hash`) up in `dict` inline, as `lookdict` would, along the
    /// first slots its probe sequence visits: a slot holding `k` itself gives its value (to
    /// `found`, the value added to `incoming`); a slot never used (a NULL key) means it is
    /// absent (an insertion would have taken that slot); a slot holding another key of another
    /// hash is passed over. Anything else (a key of the same hash, which might equal `k`, or a
    /// longer chain) goes to `slow`, the full lookup.
    #[allow(clippy::too_many_arguments)]
    fn probe_dict(
        &self,
        dict: PointerValue<'ctx>,
        k: PointerValue<'ctx>,
        hash: i64,
        found: BasicBlock<'ctx>,
        absent: BasicBlock<'ctx>,
        slow: BasicBlock<'ctx>,
        incoming: &mut Vec<(PointerValue<'ctx>, BasicBlock<'ctx>)>,
    ) -> R<()> {
        let l = &self.desc.layout;
        let (Some(mask_off), Some(table_off), Some(e)) =
            (l.dict.ma_mask, l.dict.ma_table, l.dict_entry.as_ref())
        else {
            return Err(llvm_err("no 2.7 dict layout"));
        };
        let word = u32::from(self.desc.identity.pointer_bits);
        self.note_inline("global_probe");
        let i64t = self.t.i64;
        let mask = self.load_int(dict, mask_off, word, false)?;
        let table = self.load(self.field_ptr(dict, table_off)?)?;
        // the hash as the unsigned size_t the probe arithmetic uses
        let unsigned = if word == 64 {
            hash as u64
        } else {
            u64::from(hash as u32)
        };
        let i0 = self
            .b
            .build_and(mask, i64t.const_int(unsigned, false), "")
            .map_err(llvm_err)?;
        let before = self.b.get_insert_block().expect("positioned");
        let head = self.new_block("probe");
        self.b.build_unconditional_branch(head).map_err(llvm_err)?;
        self.b.position_at_end(head);
        let i_phi = self.b.build_phi(i64t, "").map_err(llvm_err)?;
        let perturb_phi = self.b.build_phi(i64t, "").map_err(llvm_err)?;
        let count_phi = self.b.build_phi(self.t.i32, "").map_err(llvm_err)?;
        let i = i_phi.as_basic_value().into_int_value();
        let perturb = perturb_phi.as_basic_value().into_int_value();
        let count = count_phi.as_basic_value().into_int_value();
        let slot = self.b.build_and(i, mask, "").map_err(llvm_err)?;
        let at = self
            .b
            .build_int_mul(slot, i64t.const_int(u64::from(e.size), false), "")
            .map_err(llvm_err)?;
        // SAFETY (LLVM): the slot is within the table (masked by its size - 1).
        let entry = unsafe { self.b.build_gep(table, &[at], "") }.map_err(llvm_err)?;
        let key = self.load(self.field_ptr(entry, e.me_key)?)?;
        let hit = self.same_object(key, k, false)?;
        let take = self.new_block("probe_hit");
        let other = self.new_block("probe_other");
        self.b
            .build_conditional_branch(hit, take, other)
            .map_err(llvm_err)?;
        self.b.position_at_end(take);
        let value = self.load(self.field_ptr(entry, e.me_value)?)?;
        self.arrive(value, found, incoming)?;
        self.b.position_at_end(other);
        let unused = self.b.build_is_null(key, "").map_err(llvm_err)?;
        let used = self.new_block("probe_used");
        self.b
            .build_conditional_branch(unused, absent, used)
            .map_err(llvm_err)?;
        self.b.position_at_end(used);
        let h = self.load_int(entry, e.me_hash, word, true)?;
        let same_hash = self
            .b
            .build_int_compare(IntPredicate::EQ, h, i64t.const_int(hash as u64, true), "")
            .map_err(llvm_err)?;
        let next = self.new_block("probe_next");
        self.b
            .build_conditional_branch(same_hash, slow, next)
            .map_err(llvm_err)?;
        self.b.position_at_end(next);
        // i = (i << 2) + i + perturb + 1; perturb >>= 5 (size_t arithmetic: only the low
        // bits the mask keeps matter, and the hash is the size_t's)
        let five = self
            .b
            .build_int_mul(i, i64t.const_int(5, false), "")
            .map_err(llvm_err)?;
        let plus = self.b.build_int_add(five, perturb, "").map_err(llvm_err)?;
        let i_next = self
            .b
            .build_int_add(plus, i64t.const_int(1, false), "")
            .map_err(llvm_err)?;
        let perturb_next = self
            .b
            .build_right_shift(perturb, i64t.const_int(5, false), false, "")
            .map_err(llvm_err)?;
        let count_next = self
            .b
            .build_int_add(count, self.t.i32.const_int(1, false), "")
            .map_err(llvm_err)?;
        // (a chain longer than that: the full lookup)
        let more = self
            .b
            .build_int_compare(
                IntPredicate::ULT,
                count_next,
                self.t.i32.const_int(16, false),
                "",
            )
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(more, head, slow)
            .map_err(llvm_err)?;
        i_phi.add_incoming(&[(&i0, before), (&i_next, next)]);
        perturb_phi.add_incoming(&[
            (&i64t.const_int(unsigned, false), before),
            (&perturb_next, next),
        ]);
        count_phi.add_incoming(&[(&self.t.i32.const_zero(), before), (&count_next, next)]);
        Ok(())
    }

    /// Branches to `fast` when `c` is exactly a list and `k` an exact int (2.7: a machine int)
    /// indexing an item of it (negative from the end), else to `slow`; returns, for `fast`, the
    /// address of the item's slot in the list.
    fn list_item(
        &self,
        c: PointerValue<'ctx>,
        k: PointerValue<'ctx>,
        fast: BasicBlock<'ctx>,
        slow: BasicBlock<'ctx>,
    ) -> R<PointerValue<'ctx>> {
        let l = &self.desc.layout;
        self.note_inline("list_index");
        let is_list = self.type_is(c, Api::ListType)?;
        let index = self.new_block("list_index");
        let (kind_api, machine) = match l.int {
            Some(il) => (Api::IntType, Some(il.ob_ival)),
            None => (Api::LongType, None),
        };
        let is_int = self.type_is(k, kind_api)?;
        let both = self.b.build_and(is_list, is_int, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(both, index, slow)
            .map_err(llvm_err)?;
        self.b.position_at_end(index);
        let (ok, i) = match machine {
            Some(off) => {
                let bits = self.long_bits();
                (
                    self.ctx.bool_type().const_int(1, false),
                    self.load_int(k, off, bits, true)?,
                )
            }
            None => self.small_int(k)?,
        };
        let exit_unless = |go: IntValue<'ctx>| -> R<()> {
            let on = self.new_block("list_index_ok");
            self.b
                .build_conditional_branch(go, on, slow)
                .map_err(llvm_err)?;
            self.b.position_at_end(on);
            Ok(())
        };
        exit_unless(ok)?;
        let i = self.index_in(c, i, &exit_unless)?;
        let items = self.load(self.field_ptr(c, l.list.ob_item)?)?;
        let items = self
            .b
            .build_pointer_cast(items, self.t.objp, "")
            .map_err(llvm_err)?;
        // SAFETY (LLVM): the index was checked on the way here.
        let p = unsafe { self.b.build_gep(items, &[i], "") }.map_err(llvm_err)?;
        self.b.build_unconditional_branch(fast).map_err(llvm_err)?;
        Ok(p)
    }

    /// Index `k` of sequence `c` (a list or tuple) adjusted as Python adjusts a negative one;
    /// `exit_unless(inside)` leaves when it is outside (0 <= k < len fails) and goes on
    /// positioned where it is inside. An index inside as it is (one unsigned comparison: a
    /// negative one is not) goes on at once; a negative one is adjusted out of line, so that
    /// the usual index costs a compare and a branch.
    fn index_in(
        &self,
        c: PointerValue<'ctx>,
        k: IntValue<'ctx>,
        exit_unless: &dyn Fn(IntValue<'ctx>) -> R<()>,
    ) -> R<IntValue<'ctx>> {
        let word = u32::from(self.desc.identity.pointer_bits);
        let n = self.load_int(c, self.desc.layout.var_object.ob_size, word, true)?;
        let direct = self
            .b
            .build_int_compare(IntPredicate::ULT, k, n, "")
            .map_err(llvm_err)?;
        let here = self.b.get_insert_block().expect("positioned");
        let adjust = self.new_block("index_adjust");
        let join = self.new_block("indexed");
        let outside = self.b.build_not(direct, "").map_err(llvm_err)?;
        self.branch_rarely(outside, adjust, join)?;
        self.b.position_at_end(adjust);
        let neg = self
            .b
            .build_int_compare(IntPredicate::SLT, k, self.t.i64.const_zero(), "")
            .map_err(llvm_err)?;
        let wrapped = self.b.build_int_add(k, n, "").map_err(llvm_err)?;
        let fits = self
            .b
            .build_int_compare(IntPredicate::ULT, wrapped, n, "")
            .map_err(llvm_err)?;
        let fits = self.b.build_and(neg, fits, "").map_err(llvm_err)?;
        exit_unless(fits)?;
        let adjusted = self.b.get_insert_block().expect("positioned");
        self.b.build_unconditional_branch(join).map_err(llvm_err)?;
        self.b.position_at_end(join);
        let kp = self.b.build_phi(self.t.i64, "").map_err(llvm_err)?;
        kp.add_incoming(&[(&k, here), (&wrapped, adjusted)]);
        Ok(kp.as_basic_value().into_int_value())
    }

    /// Address of the C double of an exact float.
    fn float_field(&self, v: PointerValue<'ctx>) -> R<PointerValue<'ctx>> {
        // SAFETY (LLVM): the value field of a live float.
        let p = unsafe {
            self.b.build_gep(
                v,
                &[self
                    .t
                    .i64
                    .const_int(u64::from(self.desc.layout.float.ob_fval), false)],
                "",
            )
        }
        .map_err(llvm_err)?;
        self.b
            .build_pointer_cast(p, self.ctx.f64_type().ptr_type(AddressSpace::default()), "")
            .map_err(llvm_err)
    }

    /// Bits of the build's C `long` (2.7's machine int).
    fn long_bits(&self) -> u32 {
        (self.desc.constant("SIZEOF_LONG").unwrap_or(8) * 8) as u32
    }

    /// Loads the C double of an exact float.
    fn float_value(&self, v: PointerValue<'ctx>) -> R<inkwell::values::FloatValue<'ctx>> {
        let p = self.float_field(v)?;
        Ok(self
            .b
            .build_load(p, "")
            .map_err(llvm_err)?
            .into_float_value())
    }

    /// Counts an inline path of `kind` emitted (see [`Compiled::inline_paths`]; the unboxed
    /// operations of specialised code are in its plan).
    /// A slot of type `ty` in the function's entry block, where LLVM keeps it in a register or
    /// one stack slot: an `alloca` elsewhere takes new stack each time it runs, which a loop
    /// would grow without bound.
    fn entry_alloca(&self, ty: BasicTypeEnum<'ctx>, name: &str) -> R<PointerValue<'ctx>> {
        let here = self.b.get_insert_block().expect("positioned");
        let entry = self
            .function
            .expect("function")
            .get_first_basic_block()
            .expect("entry block");
        match entry.get_first_instruction() {
            Some(i) => self.b.position_before(&i),
            None => self.b.position_at_end(entry),
        }
        let a = self.b.build_alloca(ty, name).map_err(llvm_err);
        self.b.position_at_end(here);
        a
    }

    fn note_inline(&self, kind: &'static str) {
        *self.inline.borrow_mut().entry(kind).or_insert(0) += 1;
    }

    /// Branches to `yes` when `a` and `b` are both exactly of type `api`, else to `no`; straight
    /// to `no` when the site's feedback (`want`) never saw that pair.
    fn both_are(
        &self,
        want: Want,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        api: Api,
        yes: BasicBlock<'ctx>,
        no: BasicBlock<'ctx>,
    ) -> R<()> {
        if !want.wants(api) {
            // type feedback never saw this pair here: the path is left out (its blocks,
            // unreachable, go at the next CFG simplification)
            self.b.build_unconditional_branch(no).map_err(llvm_err)?;
            return Ok(());
        }
        self.note_inline(match api {
            Api::FloatType => "float",
            Api::StrType => "str",
            _ => "int",
        });
        let x = self.type_is(a, api)?;
        let y = self.type_is(b, api)?;
        let both = self.b.build_and(x, y, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(both, yes, no)
            .map_err(llvm_err)?;
        Ok(())
    }

    /// A call site whose feedback saw one builtin of [`runtime::KnownCallables`] called with
    /// one argument: that builtin's work done directly when the callable is it (`str(x)`,
    /// `len(x)`, `l.append(x)`), as the interpreter's own specialised calls do. Leaves the
    /// builder where any other call goes, and returns the join block with the direct result
    /// and its block (see [`Self::cfunction_direct`]); `None` for other sites. The stack
    /// items stay owned by the caller, which releases them after either path.
    fn known_call(
        &self,
        ins: &crate::ir::Instr,
        callable: PointerValue<'ctx>,
        plain: Option<IntValue<'ctx>>,
        b0: u32,
        nslots: u32,
        argc: u32,
    ) -> R<Option<Joined<'ctx>>> {
        let Some(seen) = self.seen(ins).filter(|&s| s != feedback::MANY) else {
            return Ok(None);
        };
        if argc != 1 || seen == 0 {
            return Ok(None);
        }
        // SAFETY: GIL held while compiling.
        let known = unsafe { runtime::known_callables(self.capi) };
        #[derive(PartialEq)]
        enum Kind {
            Str,
            Len,
            Append,
        }
        let kind = if seen == known.str_type && self.capi.has(Api::ObjectStr) {
            Kind::Str
        } else if seen == known.len && self.capi.has(Api::ObjectSize) {
            Kind::Len
        } else if seen == known.list_append && plain.is_some() && self.capi.has(Api::ListAppend) {
            Kind::Append
        } else {
            return Ok(None);
        };
        let word = self.word_type();
        let is = self
            .b
            .build_int_compare(
                IntPredicate::EQ,
                self.b
                    .build_ptr_to_int(callable, word, "")
                    .map_err(llvm_err)?,
                word.const_int(seen as u64, false),
                "",
            )
            .map_err(llvm_err)?;
        // a plain call for str and len, a method call (self below the argument) for append
        let form = match (plain, kind == Kind::Append) {
            (Some(p), false) => Some(p),
            (Some(p), true) => Some(self.b.build_not(p, "").map_err(llvm_err)?),
            (None, _) => None,
        };
        let is = match form {
            Some(f) => self.b.build_and(is, f, "").map_err(llvm_err)?,
            None => is,
        };
        self.note_inline(match kind {
            Kind::Str => "str()",
            Kind::Len => "len()",
            Kind::Append => "append()",
        });
        let direct = self.new_block("known_call");
        let generic = self.new_block("call_generic");
        let join = self.new_block("called");
        self.b
            .build_conditional_branch(is, direct, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(direct);
        let r = match kind {
            Kind::Str => {
                let arg = self.sget(b0 + nslots)?;
                self.call_api(Api::ObjectStr, &[arg.into()])?
            }
            Kind::Len => {
                let arg = self.sget(b0 + nslots)?;
                let ssize = self.int_bits(u32::from(self.desc.identity.pointer_bits));
                let n = self
                    .call_addr(
                        self.api(Api::ObjectSize)?,
                        Some(ssize.into()),
                        &[arg.into()],
                    )?
                    .expect("returns")
                    .into_int_value();
                let neg = self
                    .b
                    .build_int_compare(IntPredicate::SLT, n, n.get_type().const_zero(), "")
                    .map_err(llvm_err)?;
                let ok = self.new_block("len_ok");
                let done = self.new_block("len_done");
                let mut incoming =
                    vec![(self.null(), self.b.get_insert_block().expect("positioned"))];
                self.b
                    .build_conditional_branch(neg, done, ok)
                    .map_err(llvm_err)?;
                self.b.position_at_end(ok);
                let v = self.box_int(Api::LongFromSsizeT, n)?;
                self.arrive(v, done, &mut incoming)?;
                self.merge(done, &incoming)?
            }
            Kind::Append => {
                let zelf = self.sget(b0 + 1)?;
                let arg = self.sget(b0 + 2)?;
                let st = self.call_api_int(Api::ListAppend, &[zelf.into(), arg.into()])?;
                let failed = self
                    .b
                    .build_int_compare(IntPredicate::NE, st, st.get_type().const_zero(), "")
                    .map_err(llvm_err)?;
                let none = self.object(Api::NoneStruct)?;
                let ok = self.new_block("append_ok");
                let done = self.new_block("append_done");
                let mut incoming =
                    vec![(self.null(), self.b.get_insert_block().expect("positioned"))];
                self.b
                    .build_conditional_branch(failed, done, ok)
                    .map_err(llvm_err)?;
                self.b.position_at_end(ok);
                self.incref(none)?;
                self.arrive(none, done, &mut incoming)?;
                self.merge(done, &incoming)?
            }
        };
        let mut incoming = Vec::new();
        self.arrive(r, join, &mut incoming)?;
        self.b.position_at_end(generic);
        Ok(Some((join, incoming)))
    }

    /// What a call whose slots start at stack slot `b0` calls: the callable, or the method
    /// below its self; with, for the two-slot layouts, whether it is a plain call (NULL in the
    /// other slot: below, `[NULL, callable]`; above, `[callable, NULL]`) rather than
    /// `[method, self]`.
    fn call_target(
        &self,
        slot: CallSlot,
        b0: u32,
    ) -> R<(PointerValue<'ctx>, Option<IntValue<'ctx>>)> {
        let s0 = self.sget(b0)?;
        if slot == CallSlot::Single {
            return Ok((s0, None));
        }
        let s1 = self.sget(b0 + 1)?;
        let probe = if slot == CallSlot::NullBelow { s0 } else { s1 };
        let plain = self.b.build_is_null(probe, "").map_err(llvm_err)?;
        let callable = if slot == CallSlot::NullBelow {
            self.b
                .build_select(plain, s1, s0, "")
                .map_err(llvm_err)?
                .into_pointer_value()
        } else {
            s0
        };
        Ok((callable, Some(plain)))
    }

    /// 2.7: a call of a builtin taking one argument (`METH_O`) or none (`METH_NOARGS`) with
    /// `npos` positional arguments from stack slot `b0` (the callable, then the argument),
    /// made inline as 2.7's `call_function` makes it: the C function called with the
    /// builtin's self. Leaves the builder where any other callable goes (the generic call, to
    /// be emitted by the caller, which then branches to the returned join block) and returns
    /// the join block with the direct call's result and block; `None` where the build has no
    /// such layout.
    fn cfunction_direct(&self, b0: u32, npos: u32) -> R<Option<Joined<'ctx>>> {
        let (Some(cl), true) = (
            self.desc.layout.cfunction,
            self.capi.has(Api::CFunctionType),
        ) else {
            return Ok(None);
        };
        let md = self.desc.layout.method_def;
        let flag = if npos == 1 {
            self.desc.constant("METH_O").unwrap_or(8)
        } else {
            self.desc.constant("METH_NOARGS").unwrap_or(4)
        };
        let func = self.sget(b0)?;
        let arg = if npos == 1 {
            self.sget(b0 + 1)?
        } else {
            self.null()
        };
        let cf = self.new_block("cfunction");
        let direct = self.new_block("cfunction_direct");
        let generic = self.new_block("call_generic");
        let join = self.new_block("called");
        self.note_inline("builtin_call");
        let is = self.type_is(func, Api::CFunctionType)?;
        self.b
            .build_conditional_branch(is, cf, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(cf);
        let ml = self.load(self.field_ptr(func, cl.m_ml)?)?;
        let flags = self.load_int(ml, md.ml_flags, 32, false)?;
        let has = self
            .b
            .build_and(flags, flags.get_type().const_int(flag as u64, false), "")
            .map_err(llvm_err)?;
        let has = self
            .b
            .build_int_compare(IntPredicate::NE, has, flags.get_type().const_zero(), "")
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(has, direct, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(direct);
        let meth = self.load(self.field_ptr(ml, md.ml_meth)?)?;
        let zelf = self.load(self.field_ptr(func, cl.m_self)?)?;
        let r = self.call_native(meth, &[zelf.into(), arg.into()])?;
        self.decref(func)?;
        self.decref(arg)?;
        let mut incoming = Vec::new();
        self.arrive(r, join, &mut incoming)?;
        self.b.position_at_end(generic);
        Ok(Some((join, incoming)))
    }

    /// 3.11+: a method call of a builtin type's method (`cols.add(c)`: `[method, self,
    /// args...]` from stack slot `b0`, `plain` false) made as the interpreter's specialised
    /// `CALL` makes it: where the callable is a method descriptor, `self` of exactly its type,
    /// and its `ml_flags` exactly `METH_NOARGS` (no argument), `METH_O` (one),
    /// `METH_FASTCALL` or `METH_FASTCALL | METH_KEYWORDS`, its C function called with `self`
    /// and the arguments, inside the thread's C recursion budget (a call with none left takes
    /// the generic call, which raises as the interpreter does). Leaves the builder where any
    /// other call goes (the generic call, which the caller emits and then joins); `None` where
    /// the build has no such layout.
    fn method_descr_direct(
        &self,
        plain: IntValue<'ctx>,
        callable: PointerValue<'ctx>,
        b0: u32,
        argc: u32,
    ) -> R<Option<Joined<'ctx>>> {
        let l = &self.desc.layout;
        let budget = l
            .thread_state
            .c_recursion_remaining
            .or(l.thread_state.recursion_remaining);
        let (Some(md), Some(budget), true) = (
            l.method_descr.filter(|m| m.vectorcall.is_some()),
            budget.filter(|_| l.interpreter_frame.is_some()),
            self.capi.has(Api::MethodDescrType),
        ) else {
            return Ok(None);
        };
        let flag = |name: &str, default: i64| self.desc.constant(name).unwrap_or(default) as u64;
        let (noargs, one, fast, kw) = (
            flag("METH_NOARGS", 4),
            flag("METH_O", 8),
            flag("METH_FASTCALL", 0x80),
            flag("METH_KEYWORDS", 2),
        );
        let i32t = self.t.i32;
        let word = self.int_bits(u32::from(self.desc.identity.pointer_bits));
        self.note_inline("method_descr_call");
        let is_descr = self.new_block("mdescr");
        let same_type = self.new_block("mdescr_self");
        let has_budget = self.new_block("mdescr_budget");
        let generic = self.new_block("call_generic");
        let join = self.new_block("called");
        let method = self.b.build_not(plain, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(method, is_descr, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(is_descr);
        let is = self.type_is(callable, Api::MethodDescrType)?;
        self.b
            .build_conditional_branch(is, same_type, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(same_type);
        let zelf = self.sget(b0 + 1)?;
        let d_type = self.load(self.field_ptr(callable, md.d_type)?)?;
        let t = self.load(self.field_ptr(zelf, l.object.ob_type)?)?;
        let exact = self
            .b
            .build_int_compare(
                IntPredicate::EQ,
                self.b
                    .build_ptr_to_int(d_type, self.t.i64, "")
                    .map_err(llvm_err)?,
                self.b
                    .build_ptr_to_int(t, self.t.i64, "")
                    .map_err(llvm_err)?,
                "",
            )
            .map_err(llvm_err)?;
        self.b
            .build_conditional_branch(exact, has_budget, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(has_budget);
        let ts = self.env_field(runtime::env_offsets::TS)?;
        let left_p = self.byte_ptr(ts, budget, i32t.ptr_type(AddressSpace::default()))?;
        let left = self
            .b
            .build_load(left_p, "")
            .map_err(llvm_err)?
            .into_int_value();
        let some = self
            .b
            .build_int_compare(IntPredicate::SGT, left, i32t.const_zero(), "")
            .map_err(llvm_err)?;
        let dispatch = self.new_block("mdescr_flags");
        self.b
            .build_conditional_branch(some, dispatch, generic)
            .map_err(llvm_err)?;
        self.b.position_at_end(dispatch);
        let ml = self.load(self.field_ptr(callable, md.d_method)?)?;
        let flags = self.load_int(ml, l.method_def.ml_flags, 32, false)?;
        let meth = self.load(self.field_ptr(ml, l.method_def.ml_meth)?)?;
        let args = self.slot_addr(b0 + 2)?;
        let nargs = word.const_int(u64::from(argc), false);
        // (flags, the C function's arguments)
        let mut kinds: Vec<(u64, Vec<BasicMetadataValueEnum<'ctx>>)> = Vec::new();
        match argc {
            0 => kinds.push((noargs, vec![zelf.into(), self.null().into()])),
            1 => kinds.push((one, vec![zelf.into(), self.sget(b0 + 2)?.into()])),
            _ => {}
        }
        kinds.push((fast, vec![zelf.into(), args.into(), nargs.into()]));
        kinds.push((
            fast | kw,
            vec![zelf.into(), args.into(), nargs.into(), self.null().into()],
        ));
        let mut cases = Vec::new();
        let mut incoming = Vec::new();
        let here = self.b.get_insert_block().expect("positioned");
        for (f, values) in kinds {
            let bb = self.new_block("mdescr_call");
            cases.push((self.t.i64.const_int(f, false), bb));
            self.b.position_at_end(bb);
            // the interpreter's `_Py_EnterRecursiveCallTstate` and `_Py_LeaveRecursiveCallTstate`
            self.add_i32(left_p, -1)?;
            let r = self.call_native(meth, &values)?;
            self.add_i32(left_p, 1)?;
            self.arrive(r, join, &mut incoming)?;
        }
        self.b.position_at_end(here);
        self.b
            .build_switch(flags, generic, &cases)
            .map_err(llvm_err)?;
        self.b.position_at_end(generic);
        Ok(Some((join, incoming)))
    }

    /// Python's `a // b` (`FloorDiv`, 2.7's `ClassicDiv` of ints) or `a % b` (`Mod`) of two
    /// machine integers, `b` not zero and the quotient not overflowing: the C quotient and
    /// remainder, moved toward negative infinity when the remainder's sign differs from the
    /// divisor's, as Python's int division does.
    fn floor_divmod(&self, op: BinOp, va: IntValue<'ctx>, vb: IntValue<'ctx>) -> R<IntValue<'ctx>> {
        let ty = va.get_type();
        let q = self.b.build_int_signed_div(va, vb, "").map_err(llvm_err)?;
        let r = self.b.build_int_signed_rem(va, vb, "").map_err(llvm_err)?;
        let nonzero = self
            .b
            .build_int_compare(IntPredicate::NE, r, ty.const_zero(), "")
            .map_err(llvm_err)?;
        let x = self.b.build_xor(r, vb, "").map_err(llvm_err)?;
        let differ = self
            .b
            .build_int_compare(IntPredicate::SLT, x, ty.const_zero(), "")
            .map_err(llvm_err)?;
        let adjust = self.b.build_and(nonzero, differ, "").map_err(llvm_err)?;
        Ok(if op == BinOp::Mod {
            let moved = self.b.build_int_add(r, vb, "").map_err(llvm_err)?;
            self.b
                .build_select(adjust, moved, r, "")
                .map_err(llvm_err)?
                .into_int_value()
        } else {
            let moved = self
                .b
                .build_int_sub(q, ty.const_int(1, false), "")
                .map_err(llvm_err)?;
            self.b
                .build_select(adjust, moved, q, "")
                .map_err(llvm_err)?
                .into_int_value()
        })
    }

    /// `a + b` for two exact `str` on 3.x, as the interpreter's own str concatenation does
    /// (`PyUnicode_Concat`, which `PyNumber_Add` reaches after trying the number slots that
    /// `str` lacks); anything else through [`Self::arith_fast`]'s other paths. `None` where
    /// the build has no such path (2.7's `str` is bytes).
    fn concat_fast(
        &self,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        inplace: bool,
        want: Want,
    ) -> R<Option<PointerValue<'ctx>>> {
        if self.desc.layout.int.is_some() || !self.capi.has(Api::UnicodeConcat) {
            return Ok(None);
        }
        let strs = self.new_block("concat");
        let other = self.new_block("concat_other");
        let join = self.new_block("concat_done");
        let mut incoming = Vec::new();
        self.both_are(want, a, b, Api::StrType, strs, other)?;
        self.b.position_at_end(strs);
        let r = self.call_api(Api::UnicodeConcat, &[a.into(), b.into()])?;
        self.arrive(r, join, &mut incoming)?;
        self.b.position_at_end(other);
        let want = Want {
            strs: false,
            ..want
        };
        let g = self.arith_fast(BinOp::Add, inplace, a, b, want)?;
        self.arrive(g, join, &mut incoming)?;
        self.merge(join, &incoming).map(Some)
    }

    /// `a <op> b` for `+ - * /`: inline for two one-digit ints (`+ -`, and `*` on 64-bit
    /// builds, where the product fits a machine word) and two floats (`/` unless dividing by
    /// zero), exactly as the int and float types compute them; anything else through the C
    /// API. Returns the new result or NULL with an exception set; `a` and `b` are borrowed.
    fn arith_fast(
        &self,
        op: BinOp,
        inplace: bool,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        want: Want,
    ) -> R<PointerValue<'ctx>> {
        if want.strs && op == BinOp::Add {
            if let Some(r) = self.concat_fast(a, b, inplace, want)? {
                return Ok(r);
            }
        }
        let word = u32::from(self.desc.identity.pointer_bits);
        let join = self.new_block("arith_done");
        let slow = self.new_block("arith_generic");
        let floats = self.new_block("arith_floats");
        let mut incoming: Vec<(PointerValue<'ctx>, BasicBlock<'ctx>)> = Vec::new();
        let ints_ok = match op {
            BinOp::Add | BinOp::Sub | BinOp::FloorDiv | BinOp::Mod => true,
            BinOp::Mul => word == 64,
            _ => false,
        };
        let divides = matches!(op, BinOp::FloorDiv | BinOp::Mod | BinOp::ClassicDiv);
        if let Some(ival) = self.desc.layout.int.map(|l| l.ob_ival) {
            // 2.7: machine ints, as ceval's own inline `+`/`-` (and `*`), promoted to long
            // through the C API when the result overflows a C long
            let ints = self.new_block("arith_ints");
            let done = self.new_block("arith_int");
            self.both_are(want, a, b, Api::IntType, ints, floats)?;
            self.b.position_at_end(ints);
            let bits = self.long_bits();
            let lty = self.int_bits(bits);
            let va = self.load_int(a, ival, bits, true)?;
            let vb = self.load_int(b, ival, bits, true)?;
            let va = self
                .b
                .build_int_truncate_or_bit_cast(va, lty, "")
                .map_err(llvm_err)?;
            let vb = self
                .b
                .build_int_truncate_or_bit_cast(vb, lty, "")
                .map_err(llvm_err)?;
            if divides {
                // floor division and modulo (2.7's classic `/` of ints floors too); a zero
                // divisor and the one overflowing quotient, LONG_MIN // -1, go the slow way
                let zero = self
                    .b
                    .build_int_compare(IntPredicate::EQ, vb, lty.const_zero(), "")
                    .map_err(llvm_err)?;
                let min = self
                    .b
                    .build_int_compare(
                        IntPredicate::EQ,
                        va,
                        lty.const_int(1u64 << (bits - 1), false),
                        "",
                    )
                    .map_err(llvm_err)?;
                let minus_one = self
                    .b
                    .build_int_compare(IntPredicate::EQ, vb, lty.const_all_ones(), "")
                    .map_err(llvm_err)?;
                let over = self.b.build_and(min, minus_one, "").map_err(llvm_err)?;
                let bad = self.b.build_or(zero, over, "").map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(bad, slow, done)
                    .map_err(llvm_err)?;
                self.b.position_at_end(done);
                let r = self.floor_divmod(op, va, vb)?;
                let res = self.box_int(Api::NativeIntFromLong, r)?;
                self.arrive(res, join, &mut incoming)?;
            } else if op != BinOp::TrueDiv {
                let (r, over) = self.with_overflow(op, va, vb)?;
                self.b
                    .build_conditional_branch(over, slow, done)
                    .map_err(llvm_err)?;
                self.b.position_at_end(done);
                let res = self.box_int(Api::NativeIntFromLong, r)?;
                self.arrive(res, join, &mut incoming)?;
            } else {
                self.b.build_unconditional_branch(slow).map_err(llvm_err)?;
                self.b.position_at_end(done);
                self.b.build_unreachable().map_err(llvm_err)?;
            }
        } else if ints_ok && self.capi.has(Api::LongFromLongLong) {
            let ints = self.new_block("arith_ints");
            let small = self.new_block("arith_small");
            self.both_are(want, a, b, Api::LongType, ints, floats)?;
            self.b.position_at_end(ints);
            let (sa, va) = self.small_int(a)?;
            let (sb, vb) = self.small_int(b)?;
            let ok = self.b.build_and(sa, sb, "").map_err(llvm_err)?;
            // two exact ints, one of them big: the int type's own slot
            let big = match self.int_slot(op).filter(|_| want.ints) {
                Some(slot) => {
                    self.note_inline("int_slot");
                    let big = self.new_block("arith_big");
                    let here = self.b.get_insert_block().expect("positioned");
                    self.b.position_at_end(big);
                    let r = self.helper_obj(slot, &[a.into(), b.into()])?;
                    self.arrive(r, join, &mut incoming)?;
                    self.b.position_at_end(here);
                    big
                }
                None => slow,
            };
            self.b
                .build_conditional_branch(ok, small, big)
                .map_err(llvm_err)?;
            self.b.position_at_end(small);
            let r = if divides {
                // one-digit operands: no quotient overflows; a zero divisor goes the slow way
                let nz = self
                    .b
                    .build_int_compare(IntPredicate::NE, vb, vb.get_type().const_zero(), "")
                    .map_err(llvm_err)?;
                let div = self.new_block("arith_divmod");
                self.b
                    .build_conditional_branch(nz, div, slow)
                    .map_err(llvm_err)?;
                self.b.position_at_end(div);
                self.floor_divmod(op, va, vb)?
            } else {
                match op {
                    BinOp::Add => self.b.build_int_add(va, vb, ""),
                    BinOp::Sub => self.b.build_int_sub(va, vb, ""),
                    _ => self.b.build_int_mul(va, vb, ""),
                }
                .map_err(llvm_err)?
            };
            // (boxed from 64 bits on every host, where a product of two digits fits: from
            // 3.11 `PyLong_FromLongLong` also makes a one-digit int without `_PyLong_New`,
            // which `PyLong_FromSsize_t` calls)
            let res = self.box_int(Api::LongFromLongLong, r)?;
            self.arrive(res, join, &mut incoming)?;
        } else {
            self.b
                .build_unconditional_branch(floats)
                .map_err(llvm_err)?;
        }
        self.b.position_at_end(floats);
        let fl = self.new_block("arith_float");
        if matches!(op, BinOp::FloorDiv | BinOp::Mod) {
            // float floor division and modulo (signs, -0.0) are left to the float type
            self.b.build_unconditional_branch(slow).map_err(llvm_err)?;
        } else {
            self.both_are(want, a, b, Api::FloatType, fl, slow)?;
        }
        self.b.position_at_end(fl);
        let fa = self.float_value(a)?;
        let fb = self.float_value(b)?;
        if matches!(op, BinOp::TrueDiv | BinOp::ClassicDiv) {
            let nz = self
                .b
                .build_float_compare(
                    inkwell::FloatPredicate::ONE,
                    fb,
                    self.ctx.f64_type().const_zero(),
                    "",
                )
                .map_err(llvm_err)?;
            let div = self.new_block("arith_div");
            self.b
                .build_conditional_branch(nz, div, slow)
                .map_err(llvm_err)?;
            self.b.position_at_end(div);
        }
        let r = match op {
            BinOp::Add => self.b.build_float_add(fa, fb, ""),
            BinOp::Sub => self.b.build_float_sub(fa, fb, ""),
            BinOp::Mul => self.b.build_float_mul(fa, fb, ""),
            _ => self.b.build_float_div(fa, fb, ""),
        }
        .map_err(llvm_err)?;
        if self.inline_refcounts() && !self.desc.caps.immortal_objects
            || self.inline_refcounts() && word == 64
        {
            // an operand only the stack holds is about to be released: the result takes its
            // place, as the interpreter's own float operations do
            for v in [a, b] {
                let rc = self.refcnt_ptr(v, word)?;
                let rc = self
                    .b
                    .build_load(rc, "")
                    .map_err(llvm_err)?
                    .into_int_value();
                let unique = self
                    .b
                    .build_int_compare(
                        IntPredicate::EQ,
                        rc,
                        self.int_bits(word).const_int(1, false),
                        "",
                    )
                    .map_err(llvm_err)?;
                let reuse = self.new_block("float_reuse");
                let other = self.new_block("float_next");
                self.b
                    .build_conditional_branch(unique, reuse, other)
                    .map_err(llvm_err)?;
                self.b.position_at_end(reuse);
                let p = self.float_field(v)?;
                self.b.build_store(p, r).map_err(llvm_err)?;
                self.incref(v)?;
                self.arrive(v, join, &mut incoming)?;
                self.b.position_at_end(other);
            }
        }
        let res = self.call_api(Api::FloatFromDouble, &[r.into()])?;
        self.arrive(res, join, &mut incoming)?;
        self.b.position_at_end(slow);
        let res = self.call_api(Self::binary_api(op, inplace), &[a.into(), b.into()])?;
        self.arrive(res, join, &mut incoming)?;
        self.merge(join, &incoming)
    }

    /// Rich comparison `code` (0 `<` … 5 `>=`) of borrowed `a` and `b`: inline for two
    /// one-digit ints and two floats (IEEE comparisons, as float's own), else through the C API.
    /// Returns the new result or NULL with an exception set.
    fn compare_fast(
        &self,
        op: CmpOp,
        code: u64,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        want: Want,
    ) -> R<PointerValue<'ctx>> {
        let join = self.new_block("cmp_done");
        let slow = self.new_block("cmp_generic");
        let floats = self.new_block("cmp_floats");
        let ints = self.new_block("cmp_ints");
        let small = self.new_block("cmp_small");
        let mut incoming: Vec<(PointerValue<'ctx>, BasicBlock<'ctx>)> = Vec::new();
        let machine = self.desc.layout.int.map(|l| l.ob_ival);
        let int_api = if machine.is_some() {
            Api::IntType
        } else {
            Api::LongType
        };
        self.both_are(want, a, b, int_api, ints, floats)?;
        self.b.position_at_end(ints);
        let ((sa, va), (sb, vb)) = match machine {
            Some(off) => {
                // 2.7 machine ints: every value compares inline
                let bits = self.long_bits();
                let yes = self.ctx.bool_type().const_int(1, false);
                (
                    (yes, self.load_int(a, off, bits, true)?),
                    (yes, self.load_int(b, off, bits, true)?),
                )
            }
            None => (self.small_int(a)?, self.small_int(b)?),
        };
        let ok = self.b.build_and(sa, sb, "").map_err(llvm_err)?;
        self.b
            .build_conditional_branch(ok, small, slow)
            .map_err(llvm_err)?;
        self.b.position_at_end(small);
        let ipred = match op {
            CmpOp::Lt => IntPredicate::SLT,
            CmpOp::Le => IntPredicate::SLE,
            CmpOp::Eq => IntPredicate::EQ,
            CmpOp::Ne => IntPredicate::NE,
            CmpOp::Gt => IntPredicate::SGT,
            _ => IntPredicate::SGE,
        };
        let c = self
            .b
            .build_int_compare(ipred, va, vb, "")
            .map_err(llvm_err)?;
        let res = self.bool_obj(c)?;
        self.arrive(res, join, &mut incoming)?;
        self.b.position_at_end(floats);
        let fl = self.new_block("cmp_float");
        self.both_are(want, a, b, Api::FloatType, fl, slow)?;
        self.b.position_at_end(fl);
        let fa = self.float_value(a)?;
        let fb = self.float_value(b)?;
        let fpred = match op {
            CmpOp::Lt => inkwell::FloatPredicate::OLT,
            CmpOp::Le => inkwell::FloatPredicate::OLE,
            CmpOp::Eq => inkwell::FloatPredicate::OEQ,
            CmpOp::Ne => inkwell::FloatPredicate::UNE,
            CmpOp::Gt => inkwell::FloatPredicate::OGT,
            _ => inkwell::FloatPredicate::OGE,
        };
        let c = self
            .b
            .build_float_compare(fpred, fa, fb, "")
            .map_err(llvm_err)?;
        let res = self.bool_obj(c)?;
        self.arrive(res, join, &mut incoming)?;
        self.b.position_at_end(slow);
        let res = self.call_api(
            Api::ObjectRichCompare,
            &[a.into(), b.into(), self.t.i32.const_int(code, false).into()],
        )?;
        self.arrive(res, join, &mut incoming)?;
        self.merge(join, &incoming)
    }

    /// Generates the whole function and JIT-compiles it.
    pub fn compile(self) -> R<Compiled> {
        self.compile_with(false)
    }

    /// Like [`Codegen::compile`], also rendering the LLVM IR and host assembly when `asm` is set.
    pub fn compile_with(mut self, asm: bool) -> R<Compiled> {
        Self::check(self.func)?;
        self.stacks = Self::block_stacks(self.func);
        self.actions = self.pending_actions();
        self.osr = Self::osr_targets(self.func);
        if !self.quick && !self.osr_entries {
            // (an entry at a loop header merges the quick tier's state into the loop's:
            // values the loop keeps in registers, a box it never makes, become unknowns)
            self.osr.clear();
        }
        let resuming = self.resume_sites.is_some();
        let fty = if resuming {
            // resume(env, locals, stack, code): the slots of the specialised code's frame
            self.t.obj.fn_type(
                &[
                    self.t.obj.into(),
                    self.t.objp.into(),
                    self.t.objp.into(),
                    self.t.i32.into(),
                ],
                false,
            )
        } else {
            self.t
                .obj
                .fn_type(&[self.t.obj.into(), self.t.obj.into()], false)
        };
        let function = self.module.add_function(
            if resuming {
                "anyjit_resume"
            } else {
                "anyjit_entry"
            },
            fty,
            None,
        );
        self.function = Some(function);
        let entry = self.ctx.append_basic_block(function, "entry");
        self.b.position_at_end(entry);
        self.env = Some(function.get_nth_param(0).expect("env").into_pointer_value());
        self.load_lasti()?;
        if self.desc.identity.version.0 >= 3 {
            let globals = self.env_field(env_offsets::GLOBALS)?;
            let builtins = self.env_field(env_offsets::BUILTINS)?;
            let g = self.type_is(globals, Api::DictType)?;
            let b = self.type_is(builtins, Api::DictType)?;
            let both = self.b.build_and(g, b, "dicts").map_err(llvm_err)?;
            self.dicts_exact.set(Some(both));
        }
        let stacksize = self.func.stacksize.max(self.func.max_depth).max(1);
        let (stack, from_locals) = if resuming {
            let p = |n: u32| {
                function
                    .get_nth_param(n)
                    .expect("slots")
                    .into_pointer_value()
            };
            (p(2), Some(p(1)))
        } else {
            let stack = self
                .b
                .build_array_alloca(
                    self.t.obj,
                    self.t.i32.const_int(u64::from(stacksize), false),
                    "stack",
                )
                .map_err(llvm_err)?;
            (stack, None)
        };
        self.stack = Some(stack);
        self.stack_len = stacksize;
        if !self.quick {
            for i in 0..stacksize {
                let c = self.b.build_alloca(self.t.obj, "slot").map_err(llvm_err)?;
                if resuming {
                    // the generic code resumed: it takes the stack over from the caller's copy
                    let v = self.load(self.slot(stack, i)?)?;
                    self.store(c, v)?;
                }
                self.stack_cells.push(c);
            }
        }
        let mut locals = Vec::with_capacity(self.nlocals as usize);
        if self.quick {
            // (the quick tier keeps them in memory: promoting them costs compile time that a
            // first call does not win back)
            let array = self
                .b
                .build_array_alloca(
                    self.t.obj,
                    self.t.i32.const_int(u64::from(self.nlocals.max(1)), false),
                    "locals",
                )
                .map_err(llvm_err)?;
            for i in 0..self.nlocals {
                locals.push(self.slot(array, i)?);
            }
        } else {
            for _ in 0..self.nlocals {
                locals.push(self.b.build_alloca(self.t.obj, "local").map_err(llvm_err)?);
            }
        }
        self.handover = Some(
            self.b
                .build_array_alloca(
                    self.t.obj,
                    self.t.i32.const_int(u64::from(self.nlocals.max(1)), false),
                    "handover",
                )
                .map_err(llvm_err)?,
        );
        if let Some(from) = from_locals {
            // the generic code resumed: it takes the locals over from the caller's copy
            for (i, &l) in locals.iter().enumerate() {
                let v = self.load(self.slot(from, i as u32)?)?;
                self.store(l, v)?;
            }
        }
        self.locals = locals;
        let ticks = self.b.build_alloca(self.t.i32, "ticks").map_err(llvm_err)?;
        self.b
            .build_store(ticks, self.t.i32.const_zero())
            .map_err(llvm_err)?;
        self.ticks = Some(ticks);
        self.make_global_cells()?;
        if self.plan.is_some() {
            self.make_shadows(stacksize)?;
            self.deopt_table = Some(Box::default());
            self.typed.set(true);
        }
        // The unwind block releases the locals and returns NULL.
        let unwind = self.ctx.append_basic_block(function, "unwind");
        self.unwind = Some(unwind);
        let blocks: Vec<BasicBlock<'ctx>> = (0..self.func.blocks.len())
            .map(|i| self.ctx.append_basic_block(function, &format!("bb{i}")))
            .collect();
        self.llblocks = blocks.clone();
        if let Some(sites) = self.resume_sites.clone() {
            // the generic code resumed at a deopt point, or raising there (a box failed)
            let code = function.get_nth_param(3).expect("code").into_int_value();
            let mut cases = Vec::new();
            for (k, &i) in sites.iter().enumerate() {
                let go = self.resume_block(i);
                let raise = self.raise_block(i);
                cases.push((self.t.i32.const_int(2 * k as u64, false), go));
                cases.push((self.t.i32.const_int(2 * k as u64 + 1, false), raise));
            }
            let bad = self.new_block("resume_bad");
            self.b.build_switch(code, bad, &cases).map_err(llvm_err)?;
            self.b.position_at_end(bad);
            self.b.build_unreachable().map_err(llvm_err)?;
        } else {
            // the optimising tier may be entered at a loop header by a quick-tier activation
            let osr_entry = (!self.quick && !self.osr.is_empty()).then(|| {
                let osr = function.get_nth_param(1).expect("osr").into_pointer_value();
                (osr, self.new_block("osr_entry"))
            });
            if let Some((osr, at)) = osr_entry {
                let init = self.new_block("init");
                let normal = self.b.build_is_null(osr, "").map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(normal, init, at)
                    .map_err(llvm_err)?;
                self.b.position_at_end(init);
            }
            self.init_frame()?;
            if self.plan.is_some() {
                self.unbox_params()?;
            }
            self.b
                .build_unconditional_branch(blocks[0])
                .map_err(llvm_err)?;
            if let Some((osr, at)) = osr_entry {
                self.osr_entry(osr, at)?;
            }
        }
        self.b.position_at_end(unwind);
        self.keep_locals()?;
        self.b.build_return(Some(&self.null())).map_err(llvm_err)?;
        self.emit_blocks()?;
        if !function.verify(false) {
            return Err(llvm_err(format!(
                "invalid LLVM function:\n{}",
                self.module.print_to_string().to_string()
            )));
        }
        // Instcombine, instruction selection and register allocation grow faster than
        // linearly with a function's size (its many error paths, the slots they share): a
        // large function gets the quick tier's passes and code generation, so that no
        // compilation stalls the program for seconds.
        let size: usize = self
            .module
            .get_functions()
            .flat_map(|f| f.get_basic_blocks())
            .map(|b| b.get_instructions().count())
            .sum();
        let light = self.quick
            || size > LARGE_FUNCTION
            || (self.resume_sites.is_some() && size > LARGE_RESUMED);
        if !self.quick && light {
            LARGE_COMPILES.fetch_add(1, Ordering::Relaxed);
        }
        if !self.quick && self.resume_sites.is_none() && size > LARGE_FUNCTION {
            // The quick tier's code generation gives every value live across blocks a stack
            // slot of its own: the optimised code of such a function has frames of tens of KB
            // (39 KB for plistlib's `_read_object` on 3.13), and a recursion through it ran out
            // of the C stack at 185 levels where the interpreter goes to the recursion limit.
            // It keeps its quick tier's code (7 KB frames there), which is native too.
            return Err(Unsupported {
                construct: format!(
                    "the optimising tier for a function this large ({size} LLVM instructions, \
                     above {LARGE_FUNCTION}): it keeps its quick tier's code"
                ),
                offset: 0,
                line: None,
            });
        }
        let debug_size = std::env::var_os("ANYJIT_DEBUG_SIZE").is_some();
        let started = std::time::Instant::now();
        #[allow(deprecated)]
        let fpm = PassManager::create(());
        // The quick tier (first compilation) keeps to the passes that pay for themselves
        // within a call; the optimising tier (a function called again) adds instcombine and
        // full instruction selection and register allocation. (GVN costs a quarter of the
        // compile time for no measured gain over early CSE.)
        // (guards' `llvm.expect` becomes branch weights first, so that constant conditions
        // fold)
        fpm.add_lower_expect_intrinsic_pass();
        fpm.add_promote_memory_to_register_pass();
        if !light {
            fpm.add_instruction_combining_pass();
        }
        fpm.add_cfg_simplification_pass();
        fpm.add_early_cse_pass();
        fpm.add_cfg_simplification_pass();
        if !light {
            fpm.add_dead_store_elimination_pass();
        }
        fpm.run_on(&self.module);
        // (a diagnostic: the optimised code exists only once a function ran; the generic
        // code of the optimising tier, where nothing was specialised, as `NAME.generic`)
        if let (Some(dir), false) = (std::env::var_os("ANYJIT_DEBUG_DUMP"), self.quick) {
            let name = match (&self.plan, self.resume_sites.is_some()) {
                (Some(p), _) if p.speculative => self.func.name.clone(),
                (_, true) => format!("{}.resume", self.func.name),
                (_, false) => format!("{}.generic", self.func.name),
            };
            let _ = std::fs::write(
                std::path::Path::new(&dir).join(format!("{name}.ll")),
                self.module.print_to_string().to_string(),
            );
            let _ = std::fs::write(
                std::path::Path::new(&dir).join(format!("{name}.s")),
                self.assembly().unwrap_or_default(),
            );
        }
        let (llvm_ir, asm) = if asm {
            (
                self.module.print_to_string().to_string(),
                Some(self.assembly()?),
            )
        } else {
            (String::new(), None)
        };
        // (the sections go into pages of ours, which outlive the engine: see `memory`)
        let code = std::rc::Rc::new(std::cell::RefCell::new(memory::CodeMemory::default()));
        let engine = self
            .module
            .create_mcjit_execution_engine_with_memory_manager(
                memory::Sections::new(code.clone()),
                if light {
                    OptimizationLevel::None
                } else {
                    OptimizationLevel::Default
                },
                inkwell::targets::CodeModel::JITDefault,
                false,
                false,
            )
            .map_err(llvm_err)?;
        let entry_name = if self.resume_sites.is_some() {
            "anyjit_resume"
        } else {
            "anyjit_entry"
        };
        let addr = engine.get_function_address(entry_name).map_err(llvm_err)?;
        if debug_size {
            let tier = match (self.quick, &self.plan, self.resume_sites.is_some()) {
                (true, ..) => "quick",
                (_, _, true) => "generic resumed",
                (_, Some(p), _) if p.speculative => "specialised",
                _ => "optimised",
            };
            eprintln!(
                "anyjit: {} ({tier}): {size} instructions, {:.1} ms in LLVM",
                self.func.name,
                started.elapsed().as_secs_f64() * 1e3
            );
        }
        if std::env::var_os("ANYJIT_PERF_MAP").is_some() {
            self.perf_map(addr, entry_name);
        }
        // The machine code is made and linked (getting an address finalises it): neither the
        // IR nor the engine is needed any more. The module, taken back from the engine, is
        // freed with this code generator, the engine now; the code's pages stay with
        // `Compiled`, as long as the code may run.
        engine.remove_module(&self.module).map_err(llvm_err)?;
        drop(engine);
        // SAFETY: the function was generated with this signature.
        let entry: NativeFn = unsafe { std::mem::transmute::<usize, NativeFn>(addr) };
        Ok(Compiled {
            code: std::mem::ManuallyDrop::new(code),
            entry,
            llvm_ir,
            asm,
            inline_paths: self.inline.take().into_iter().collect(),
            plan: self.plan.take(),
            deopt: self.deopt_table.take(),
            sites: self.direct_sites.take(),
            attr_sites: self.attr_sites.take(),
            resume: self.resume_sites.is_some().then(|| {
                // SAFETY: resume mode generated this signature.
                unsafe { std::mem::transmute::<usize, runtime::guards::ResumeFn>(addr) }
            }),
        })
    }

    /// Fills the frame's local slots on entry: the parameters (new references), the cells of
    /// ≤3.10 (a parameter moves into its cell) and the free variables.
    fn init_frame(&self) -> R<()> {
        let args = self.env_field(env_offsets::ARGS)?;
        let args = self
            .b
            .build_pointer_cast(args, self.t.objp, "")
            .map_err(llvm_err)?;
        for i in 0..self.nlocals {
            let v = if i < self.nparams {
                let a = self.load(self.slot(args, i)?)?;
                self.incref(a)?;
                a
            } else {
                self.null()
            };
            self.store(self.local(i)?, v)?;
        }
        for &(slot, arg) in &self.slots.implicit_cells {
            let init = match arg {
                Some(a) => self.load(self.local(a)?)?,
                None => self.null(),
            };
            let cell = self.call_api(Api::CellNew, &[init.into()])?;
            if let Some(a) = arg {
                self.decref(init)?;
                self.store(self.local(a)?, self.null())?;
            }
            self.store(self.local(slot)?, cell)?;
        }
        if self.slots.implicit_frees {
            let closure = self.env_field(env_offsets::CLOSURE)?;
            for j in 0..(self.slots.total - self.slots.free_start) {
                let cell = self.tuple_item(closure, j)?;
                self.incref(cell)?;
                self.store(self.local(self.slots.free_start + j)?, cell)?;
            }
        }
        Ok(())
    }

    /// The generic code's entry point at instruction `i` (resume mode; made on first use,
    /// placed by [`Self::emit_blocks`]).
    fn resume_block(&self, i: usize) -> BasicBlock<'ctx> {
        if let Some(b) = self.resume.borrow().get(&i) {
            return *b;
        }
        let b = self.new_block(&format!("resume{i}"));
        self.resume.borrow_mut().insert(i, b);
        b
    }

    /// The generic code's entry point that raises the exception set at instruction `i`
    /// (resume mode: a value could not be boxed there).
    fn raise_block(&self, i: usize) -> BasicBlock<'ctx> {
        if let Some(b) = self.raise_points.borrow().get(&i) {
            return *b;
        }
        let b = self.new_block(&format!("raise{i}"));
        self.raise_points.borrow_mut().insert(i, b);
        b
    }

    /// Emits every block of the function into `self.llblocks`: generic code, or specialised
    /// code while [`Self::in_typed`]. Resuming generic code places the entry points of the
    /// deopts it resumes.
    fn emit_blocks(&self) -> R<()> {
        let blocks = &self.llblocks;
        // loop headers (the optimising tier checks for signals there), with the backward
        // jump to each that lies farthest down
        let mut headers: std::collections::BTreeMap<usize, u32> = Default::default();
        if !self.quick {
            for ins in &self.func.instrs {
                if let (Some(t), Some(_)) = (ins.op.target(), ins.depth) {
                    let t = t.0 as usize;
                    let backward = self
                        .func
                        .blocks
                        .get(t)
                        .is_some_and(|b| b.offset <= ins.offset);
                    if backward {
                        let e = headers.entry(t).or_insert(ins.offset);
                        *e = (*e).max(ins.offset);
                    }
                }
            }
        }
        for (n, bdata) in self.func.blocks.iter().enumerate() {
            self.b.position_at_end(blocks[n]);
            let mut terminated = false;
            *self.chain.borrow_mut() = self.stacks[n].clone().unwrap_or_default();
            for (k, ins) in self.func.instrs[bdata.start..bdata.end].iter().enumerate() {
                let i = bdata.start + k;
                self.current.set(i);
                let Some(depth) = ins.depth else {
                    self.b.build_unreachable().map_err(llvm_err)?;
                    terminated = true;
                    break;
                };
                if !self.func.handlers.is_empty() {
                    // 3.11+: the exception table says where each instruction unwinds to
                    *self.chain.borrow_mut() = self.handler_chain(ins.offset);
                }
                if k == 0 {
                    if let Some(&back) = headers.get(&n) {
                        self.header_check(n, back)?;
                    }
                }
                if let Some(&r) = self.resume.borrow().get(&i) {
                    self.b.build_unconditional_branch(r).map_err(llvm_err)?;
                    self.b.position_at_end(r);
                }
                if let Some(&r) = self.raise_points.borrow().get(&i) {
                    let here = self.b.get_insert_block().expect("positioned");
                    self.b.position_at_end(r);
                    self.raise_here(ins.offset, depth, true)?;
                    self.b.position_at_end(here);
                }
                self.emitting.set(Some(ins.offset));
                let emitted = self.emit(ins, depth, blocks, blocks.get(n + 1).copied());
                self.emitting.set(None);
                terminated = emitted?;
                Self::apply(&mut self.chain.borrow_mut(), ins);
                if terminated {
                    break;
                }
            }
            if !terminated {
                self.enter_deeper(bdata, n)?;
                let next = self.fall_edge()?;
                self.b.build_unconditional_branch(next).map_err(llvm_err)?;
            }
        }
        Ok(())
    }

    /// Host assembly of the optimised module.
    fn assembly(&self) -> R<String> {
        use inkwell::targets::FileType;
        let buf = self
            .host_machine()?
            .write_to_memory_buffer(&self.module, FileType::Assembly)
            .map_err(llvm_err)?;
        Ok(String::from_utf8_lossy(buf.as_slice()).into_owned())
    }

    /// A diagnostic (`ANYJIT_PERF_MAP` set): adds the native code of entry `entry`, at
    /// `addr`, to `/tmp/perf-PID.map`, where `perf report` finds the names of JIT code. The
    /// size comes from compiling a copy of the module to an object file once more.
    fn perf_map(&self, addr: usize, entry: &str) {
        use inkwell::targets::FileType;
        use std::io::Write;
        let size = (|| -> Option<u64> {
            let copy = self.module.clone();
            let buf = self
                .host_machine()
                .ok()?
                .write_to_memory_buffer(&copy, FileType::Object)
                .ok()?;
            let bin = buf.create_binary_file(None).ok()?;
            let mut symbols = bin.get_symbols()?;
            while let Some(sym) = symbols.next_symbol() {
                if sym.get_name().and_then(|n| n.to_str().ok()) == Some(entry) {
                    return Some(sym.get_size());
                }
            }
            None
        })();
        let tier = if self.quick {
            "quick"
        } else if self.resume_sites.is_some() {
            "resume"
        } else if self.plan.as_ref().is_some_and(|p| p.speculative) {
            "specialised"
        } else {
            "optimised"
        };
        let path = format!("/tmp/perf-{}.map", std::process::id());
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(
                f,
                "{addr:x} {:x} anyjit:{} [{tier}]",
                size.unwrap_or(4096),
                self.func.name
            );
        }
    }

    /// A target machine for the host, as the JIT's.
    fn host_machine(&self) -> R<inkwell::targets::TargetMachine> {
        use inkwell::targets::{CodeModel, RelocMode, Target, TargetMachine};
        crate::native::host().map_err(llvm_err)?;
        let triple = TargetMachine::get_default_triple();
        let target = Target::from_triple(&triple).map_err(llvm_err)?;
        let cpu = TargetMachine::get_host_cpu_name().to_string();
        let features = TargetMachine::get_host_cpu_features().to_string();
        let tm = target
            .create_target_machine(
                &triple,
                &cpu,
                &features,
                OptimizationLevel::Default,
                RelocMode::Default,
                CodeModel::JITDefault,
            )
            .ok_or_else(|| llvm_err("no target machine for the host"))?;
        Ok(tm)
    }

    /// The optimising tier's entry for on-stack replacement, at `at`: takes the locals and the
    /// stack of the quick tier's activation from `osr` (an [`runtime::OsrState`]) and resumes
    /// at the loop header it names.
    fn osr_entry(&self, osr: PointerValue<'ctx>, at: BasicBlock<'ctx>) -> R<()> {
        self.b.position_at_end(at);
        let ptr_at = |off: usize| -> R<PointerValue<'ctx>> {
            let p = self.load(self.byte_ptr(osr, off as u32, self.t.objp)?)?;
            self.b
                .build_pointer_cast(p, self.t.objp, "")
                .map_err(llvm_err)
        };
        let from_locals = ptr_at(runtime::osr_offsets::LOCALS)?;
        let from_stack = ptr_at(runtime::osr_offsets::STACK)?;
        for i in 0..self.nlocals {
            let v = self.load(self.slot(from_locals, i)?)?;
            self.store(self.local(i)?, v)?;
        }
        let bp = self.byte_ptr(
            osr,
            runtime::osr_offsets::BLOCK as u32,
            self.t.i32.ptr_type(AddressSpace::default()),
        )?;
        let block = self
            .b
            .build_load(bp, "")
            .map_err(llvm_err)?
            .into_int_value();
        let bad = self.new_block("osr_bad");
        let mut cases = Vec::new();
        for &(t, depth) in &self.osr {
            let case = self.new_block("osr_case");
            self.b.position_at_end(case);
            for i in 0..depth {
                let v = self.load(self.slot(from_stack, i)?)?;
                self.sset(i, v)?;
            }
            let header = self.llblocks[t.0 as usize];
            if self.plan.is_some() {
                // the specialised code: its typed locals unboxed (one of another type, or a
                // header that holds unboxed stack items, resumes the generic code there)
                let at = self.func.blocks[t.0 as usize].start;
                let boxed_stack = self.plan.as_ref().is_some_and(|p| {
                    p.entry[t.0 as usize]
                        .as_ref()
                        .is_some_and(|e| e.iter().all(|ty| !ty.unboxed()))
                });
                if boxed_stack {
                    self.osr_typed(at)?;
                    self.b
                        .build_unconditional_branch(header)
                        .map_err(llvm_err)?;
                } else {
                    let go = self.osr_generic(at)?;
                    self.b.build_unconditional_branch(go).map_err(llvm_err)?;
                }
            } else {
                self.b
                    .build_unconditional_branch(header)
                    .map_err(llvm_err)?;
            }
            cases.push((self.t.i32.const_int(u64::from(t.0), false), case));
        }
        self.b.position_at_end(at);
        self.b.build_switch(block, bad, &cases).map_err(llvm_err)?;
        self.b.position_at_end(bad);
        self.b.build_unreachable().map_err(llvm_err)?;
        Ok(())
    }

    fn release_locals(&self) -> R<()> {
        for i in 0..self.nlocals {
            let v = self.load(self.local(i)?)?;
            self.decref(v)?;
        }
        self.release_boxes()
    }

    /// On the way out with an exception: the locals go into the trampoline's frame, as the
    /// interpreter's frame keeps its own (see `runtime::entry::rt_keep_locals`, which takes
    /// them over).
    fn keep_locals(&self) -> R<()> {
        self.positionless(true, || {
            let arr = self.hand_over_locals()?;
            self.box_typed_locals(arr)?;
            self.call_addr(
                runtime::entry::rt_keep_locals as *const () as usize,
                None,
                &[self.env.expect("env").into(), arr.into()],
            )?;
            self.release_boxes()
        })
    }

    fn local(&self, i: u32) -> R<PointerValue<'ctx>> {
        self.locals
            .get(i as usize)
            .copied()
            .ok_or_else(|| llvm_err(format!("local {i} out of range")))
    }

    /// Copies the local slots to the handover array, for code that takes them over; returns
    /// the array.
    fn hand_over_locals(&self) -> R<PointerValue<'ctx>> {
        let to = self.handover.expect("handover");
        for i in 0..self.nlocals {
            let v = self.load(self.local(i)?)?;
            self.store(self.slot(to, i)?, v)?;
        }
        Ok(to)
    }

    /// Emits one instruction at stack depth `d`; returns whether it ended the block.
    fn emit(
        &self,
        ins: &crate::ir::Instr,
        d: u32,
        blocks: &[BasicBlock<'ctx>],
        next: Option<BasicBlock<'ctx>>,
    ) -> R<bool> {
        if self.in_typed() {
            if let Some(done) = self.emit_typed(ins, d, next)? {
                return Ok(done);
            }
        }
        let off = ins.offset;
        // the depth a taken branch leaves (blocks the compiler counts deeper get NULLs)
        let jump_depth = ins.op.jump_effect().map_or(d, |(p, q)| d - p + q);
        let target = |b: crate::ir::Block| self.edge(b, jump_depth);
        match ins.op {
            Op::Nop | Op::Resume { .. } | Op::PopBlock | Op::SetupBlock { .. } => {}
            Op::EndFor { .. } => {
                self.b.build_unreachable().map_err(llvm_err)?;
                return Ok(true);
            }
            Op::PopTop => {
                let v = self.sget(d - 1)?;
                self.decref(v)?;
            }
            Op::Rot { n } => {
                let top = self.sget(d - 1)?;
                // shift each item up one slot, from the top down, then drop the top in at n
                for i in 1..n {
                    let v = self.sget(d - 1 - i)?;
                    self.sset(d - i, v)?;
                }
                self.sset(d - n, top)?;
            }
            Op::Dup { n } => {
                for i in 0..n {
                    let v = self.sget(d - n + i)?;
                    self.incref(v)?;
                    self.sset(d + i, v)?;
                }
            }
            Op::Copy { n } => {
                let v = self.sget(d - n)?;
                self.incref(v)?;
                self.sset(d, v)?;
            }
            Op::Swap { n } => {
                let a = self.sget(d - 1)?;
                let b = self.sget(d - n)?;
                self.sset(d - 1, b)?;
                self.sset(d - n, a)?;
            }
            Op::PushNull => self.sset(d, self.null())?,
            Op::LoadConst { index } => {
                let v = self.const_item(index)?;
                self.incref(v)?;
                self.sset(d, v)?;
            }
            Op::LoadFast { local, checked } => {
                let v = self.load(self.local(local)?)?;
                if checked {
                    self.check_bound(v, local, d)?;
                }
                self.incref(v)?;
                self.sset(d, v)?;
            }
            Op::StoreFast { local } => {
                let slot = self.local(local)?;
                let old = self.load(slot)?;
                let v = self.sget(d - 1)?;
                self.store(slot, v)?;
                self.decref(old)?;
            }
            Op::DeleteFast { local } => {
                let slot = self.local(local)?;
                let old = self.load(slot)?;
                let unbound = self.new_block("unbound");
                let ok = self.new_block("bound");
                let isnull = self.b.build_is_null(old, "").map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(isnull, unbound, ok)
                    .map_err(llvm_err)?;
                self.b.position_at_end(unbound);
                let varnames = self.env_field(env_offsets::VARNAMES)?;
                let name = self.tuple_item(varnames, local)?;
                self.call_addr(
                    runtime::rt_unbound_local as *const () as usize,
                    None,
                    &[self.env.expect("env").into(), name.into()],
                )?;
                self.fail_now(off, d)?;
                self.b.position_at_end(ok);
                self.store(slot, self.null())?;
                self.decref(old)?;
            }
            Op::LoadGlobal { name, null } => {
                let v = self.load_global(name, off, d, false)?;
                match null {
                    NullPush::No => self.sset(d, v)?,
                    NullPush::Below => {
                        self.sset(d, self.null())?;
                        self.sset(d + 1, v)?;
                    }
                    NullPush::Above => {
                        self.sset(d, v)?;
                        self.sset(d + 1, self.null())?;
                    }
                }
            }
            Op::LoadAttr { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let o = self.operand_obj(d - 1, d)?;
                let v = if self.quick {
                    self.call_api(Api::ObjectGetAttr, &[o.into(), key.into()])?
                } else {
                    let site = self.attr_site();
                    let slow = || {
                        self.helper_obj(
                            runtime::attrs::rt_load_attr as *const () as usize,
                            &[
                                self.env.expect("env").into(),
                                site.into(),
                                o.into(),
                                key.into(),
                            ],
                        )
                    };
                    match runtime::attrs::inline_attr(self.capi) {
                        Some(k) => self.inline_load_attr(&k, site, o, &slow)?,
                        None => slow()?,
                    }
                };
                self.release_operand(d - 1, d, o)?;
                self.check_null(v, off, d - 1)?;
                self.sset(d - 1, v)?;
            }
            Op::LoadMethod { name, slot } if self.capi.has(Api::ObjectGetMethod) || !self.quick => {
                // as LOAD_METHOD does: a method found on the type is pushed unbound, followed
                // by `self`, so that no bound method is created
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let o = self.sget(d - 1)?;
                // (it leaves the result untouched on some errors)
                self.sset(d, self.null())?;
                self.escape(d, d + 1)?;
                let r = if self.quick {
                    self.call_api_int(
                        Api::ObjectGetMethod,
                        &[o.into(), key.into(), self.slot_addr(d)?.into()],
                    )?
                } else {
                    let site = self.attr_site();
                    let out = self.slot_addr(d)?;
                    let slow = || {
                        self.helper_int(
                            runtime::attrs::rt_load_method as *const () as usize,
                            &[
                                self.env.expect("env").into(),
                                site.into(),
                                o.into(),
                                key.into(),
                                out.into(),
                            ],
                        )
                    };
                    match runtime::attrs::inline_attr(self.capi) {
                        Some(k) => self.inline_load_method(&k, site, o, out, &slow)?,
                        None => slow()?,
                    }
                };
                self.unescape(d, d + 1)?;
                let m = self.sget(d)?;
                self.check_null(m, off, d)?;
                let found = self
                    .b
                    .build_int_compare(IntPredicate::NE, r, self.t.i32.const_zero(), "")
                    .map_err(llvm_err)?;
                let unbound = self.new_block("method");
                let attr = self.new_block("attribute");
                let done = self.new_block("loaded");
                self.b
                    .build_conditional_branch(found, unbound, attr)
                    .map_err(llvm_err)?;
                self.b.position_at_end(unbound);
                self.sset(d - 1, m)?;
                self.sset(d, o)?;
                self.b.build_unconditional_branch(done).map_err(llvm_err)?;
                self.b.position_at_end(attr);
                self.decref(o)?;
                match slot {
                    CallSlot::NullAbove => {
                        self.sset(d - 1, m)?;
                        self.sset(d, self.null())?;
                    }
                    _ => {
                        self.sset(d - 1, self.null())?;
                        self.sset(d, m)?;
                    }
                }
                self.b.build_unconditional_branch(done).map_err(llvm_err)?;
                self.b.position_at_end(done);
            }
            Op::LoadMethod { name, slot } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let o = self.sget(d - 1)?;
                let v = self.call_api(Api::ObjectGetAttr, &[o.into(), key.into()])?;
                self.decref(o)?;
                self.check_null(v, off, d - 1)?;
                // A plain attribute in the pair: the call sees no `self`.
                match slot {
                    CallSlot::NullAbove => {
                        self.sset(d - 1, v)?;
                        self.sset(d, self.null())?;
                    }
                    _ => {
                        self.sset(d - 1, self.null())?;
                        self.sset(d, v)?;
                    }
                }
            }
            Op::LoadSuperAttr {
                name,
                method,
                two_args,
                slot,
                no_args,
            } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let callee = self.sget(d - 3)?;
                let class = self.sget(d - 2)?;
                let first = self.sget(d - 1)?;
                use runtime::super_flags as sf;
                let flags =
                    if two_args { sf::TWO_ARGS } else { 0 } | if no_args { sf::NO_ARGS } else { 0 };
                self.set_lasti(off)?;
                let v = self.helper_obj(
                    runtime::rt_load_super_attr as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        callee.into(),
                        class.into(),
                        first.into(),
                        key.into(),
                        self.t.i32.const_int(u64::from(flags), false).into(),
                    ],
                )?;
                self.decref(callee)?;
                self.decref(class)?;
                self.decref(first)?;
                self.check_null(v, off, d - 3)?;
                match (method, slot) {
                    (false, _) => self.sset(d - 3, v)?,
                    // (an attribute in the method pair: the call sees no `self`)
                    (true, CallSlot::NullAbove) => {
                        self.sset(d - 3, v)?;
                        self.sset(d - 2, self.null())?;
                    }
                    (true, _) => {
                        self.sset(d - 3, self.null())?;
                        self.sset(d - 2, v)?;
                    }
                }
            }
            Op::CallSuper {
                slot,
                class_slot,
                self_slot,
                self_cell,
                no_args,
            } => {
                let b0 = d - slot.slots();
                let (callable, _) = self.call_target(slot, b0)?;
                let class = self.load(self.local(class_slot)?)?;
                let first = self.load(self.local(self_slot)?)?;
                use runtime::super_flags as sf;
                let flags = sf::CLASS_CELL
                    | if self_cell { sf::FIRST_CELL } else { 0 }
                    | if no_args { sf::NO_ARGS } else { 0 };
                self.set_lasti(off)?;
                let r = self.helper_obj(
                    runtime::rt_super as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        callable.into(),
                        class.into(),
                        first.into(),
                        self.t.i32.const_int(u64::from(flags), false).into(),
                    ],
                )?;
                self.release(b0, d)?;
                self.check_null(r, off, b0)?;
                self.sset(b0, r)?;
            }
            Op::StoreAttr { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let o = self.operand_obj(d - 1, d)?;
                let v = self.operand_obj(d - 2, d)?;
                let r = if self.quick {
                    self.call_api_int(Api::ObjectSetAttr, &[o.into(), key.into(), v.into()])?
                } else {
                    let site = self.attr_site();
                    let slow = || {
                        self.helper_int(
                            runtime::attrs::rt_store_attr as *const () as usize,
                            &[
                                self.env.expect("env").into(),
                                site.into(),
                                o.into(),
                                key.into(),
                                v.into(),
                            ],
                        )
                    };
                    match runtime::attrs::inline_attr(self.capi) {
                        Some(k) => self.inline_store_attr(&k, site, o, v, &slow)?,
                        None => slow()?,
                    }
                };
                self.release_operand(d - 1, d, o)?;
                self.release_operand(d - 2, d, v)?;
                self.check_neg(r, off, d - 2)?;
            }
            Op::Unary { op } => {
                let v = self.sget(d - 1)?;
                let r = match op {
                    UnOp::Not => {
                        let t = self.truth(v, off, d - 1, true)?;
                        let f = self.b.build_not(t, "").map_err(llvm_err)?;
                        self.bool_obj(f)?
                    }
                    _ => {
                        let api = match op {
                            UnOp::Pos => Api::NumberPositive,
                            UnOp::Neg => Api::NumberNegative,
                            _ => Api::NumberInvert,
                        };
                        let r = self.call_api(api, &[v.into()])?;
                        self.decref(v)?;
                        self.check_null(r, off, d - 1)?;
                        r
                    }
                };
                self.sset(d - 1, r)?;
            }
            Op::ToBool => {
                let v = self.sget(d - 1)?;
                let t = self.truth(v, off, d - 1, true)?;
                let r = self.bool_obj(t)?;
                self.sset(d - 1, r)?;
            }
            Op::Binary { op, inplace } => {
                let a = self.sget(d - 2)?;
                let b = self.sget(d - 1)?;
                // (the quick tier keeps to the C API, less code to compile, and records the
                // operands' classes for the optimising tier)
                self.record(ins, feedback::OPERANDS, a, b)?;
                let r = if !self.quick
                    && matches!(
                        op,
                        BinOp::Add
                            | BinOp::Sub
                            | BinOp::Mul
                            | BinOp::TrueDiv
                            | BinOp::ClassicDiv
                            | BinOp::FloorDiv
                            | BinOp::Mod
                    ) {
                    self.arith_fast(op, inplace, a, b, Want::from_seen(self.seen(ins)))?
                } else if op == BinOp::Pow {
                    let none = self.object(Api::NoneStruct)?;
                    self.call_api(
                        Self::binary_api(op, inplace),
                        &[a.into(), b.into(), none.into()],
                    )?
                } else if !self.quick && op != BinOp::MatMul {
                    // (the ints' own slot for two exact ints: no dispatch)
                    self.int_slot_or_api(op, inplace, a, b, Want::from_seen(self.seen(ins)))?
                } else {
                    self.call_api(Self::binary_api(op, inplace), &[a.into(), b.into()])?
                };
                self.decref(a)?;
                self.decref(b)?;
                self.check_null(r, off, d - 2)?;
                self.sset(d - 2, r)?;
            }
            Op::Compare {
                op: CmpOp::ExcMatch,
                ..
            } => {
                let a = self.sget(d - 2)?;
                let b = self.sget(d - 1)?;
                let r = self.helper_int(
                    runtime::exc::rt_exc_match as *const () as usize,
                    &[self.env.expect("env").into(), a.into(), b.into()],
                )?;
                self.decref(a)?;
                self.decref(b)?;
                self.check_neg(r, off, d - 2)?;
                let matched = self
                    .b
                    .build_int_compare(IntPredicate::SGT, r, self.t.i32.const_zero(), "")
                    .map_err(llvm_err)?;
                let v = self.bool_obj(matched)?;
                self.sset(d - 2, v)?;
            }
            Op::Slice27 { kind } | Op::StoreSlice27 { kind } | Op::DeleteSlice27 { kind } => {
                // operands: [t] u [v] [w], w on top
                let (op, with_t) = match ins.op {
                    Op::Slice27 { .. } => (0u64, 0),
                    Op::StoreSlice27 { .. } => (1, 1),
                    _ => (2, 0),
                };
                let nb = (kind & 1) + (kind >> 1 & 1);
                let base = d - nb - 1 - with_t;
                let mut at = base;
                let mut next_item = |present: bool| -> R<PointerValue<'ctx>> {
                    if present {
                        at += 1;
                        self.sget(at - 1)
                    } else {
                        Ok(self.null())
                    }
                };
                let t = next_item(with_t == 1)?;
                let u = next_item(true)?;
                let v = next_item(kind & 1 != 0)?;
                let w = next_item(kind & 2 != 0)?;
                let res = self.helper_obj(
                    runtime::rt_slice27 as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        self.t.i32.const_int(op, false).into(),
                        self.t.i32.const_int(u64::from(kind), false).into(),
                        t.into(),
                        u.into(),
                        v.into(),
                        w.into(),
                    ],
                )?;
                for o in [t, u, v, w] {
                    self.decref(o)?;
                }
                self.check_null(res, off, base)?;
                if op == 0 {
                    self.sset(base, res)?;
                } else {
                    self.decref(res)?;
                }
            }
            Op::BreakLoop | Op::ContinueLoop { .. } => {
                let action = match ins.op {
                    Op::ContinueLoop { target } => Action::Continue(target),
                    _ => Action::Break,
                };
                let chain = self.chain.borrow().clone();
                self.unwind(action, off, d, None, &chain)?;
                return Ok(true);
            }
            Op::Compare { op, to_bool } => {
                let a = self.operand_obj(d - 2, d)?;
                let b = self.operand_obj(d - 1, d)?;
                let r = match op {
                    CmpOp::Is | CmpOp::IsNot => self.identity(a, b, op == CmpOp::IsNot)?,
                    CmpOp::In | CmpOp::NotIn => {
                        self.contains(a, b, op == CmpOp::NotIn, off, d - 2)?
                    }
                    _ => {
                        let code = match op {
                            CmpOp::Lt => 0,
                            CmpOp::Le => 1,
                            CmpOp::Eq => 2,
                            CmpOp::Ne => 3,
                            CmpOp::Gt => 4,
                            _ => 5,
                        };
                        self.record(ins, feedback::OPERANDS, a, b)?;
                        let r = if self.quick {
                            self.call_api(
                                Api::ObjectRichCompare,
                                &[a.into(), b.into(), self.t.i32.const_int(code, false).into()],
                            )?
                        } else {
                            self.compare_fast(op, code, a, b, Want::from_seen(self.seen(ins)))?
                        };
                        self.release_operand(d - 2, d, a)?;
                        self.release_operand(d - 1, d, b)?;
                        self.check_null(r, off, d - 2)?;
                        if to_bool {
                            let t = self.truth(r, off, d - 2, true)?;
                            self.bool_obj(t)?
                        } else {
                            r
                        }
                    }
                };
                self.sset(d - 2, r)?;
            }
            Op::IsOp { invert } => {
                let a = self.sget(d - 2)?;
                let b = self.sget(d - 1)?;
                let r = self.identity(a, b, invert)?;
                self.sset(d - 2, r)?;
            }
            Op::ContainsOp { invert } => {
                let a = self.sget(d - 2)?;
                let b = self.sget(d - 1)?;
                let r = self.contains(a, b, invert, off, d - 2)?;
                self.sset(d - 2, r)?;
            }
            Op::Subscr => {
                // list[int] inline (optimising tier); everything else through PyObject_GetItem
                let c = self.operand_obj(d - 2, d)?;
                let k = self.operand_obj(d - 1, d)?;
                self.record(ins, feedback::CONTAINER, c, self.null())?;
                let get = || self.call_api(Api::ObjectGetItem, &[c.into(), k.into()]);
                let r = if self.quick {
                    get()?
                } else {
                    let fast = self.new_block("list_get");
                    let slow = self.new_block("getitem");
                    let join = self.new_block("got");
                    let item = self.list_item(c, k, fast, slow)?;
                    let mut incoming = Vec::new();
                    self.b.position_at_end(fast);
                    let v = self.load(item)?;
                    self.incref(v)?;
                    self.arrive(v, join, &mut incoming)?;
                    self.b.position_at_end(slow);
                    let g = get()?;
                    self.arrive(g, join, &mut incoming)?;
                    self.merge(join, &incoming)?
                };
                self.release_operand(d - 2, d, c)?;
                self.release_operand(d - 1, d, k)?;
                self.check_null(r, off, d - 2)?;
                self.sset(d - 2, r)?;
            }
            Op::StoreSubscr => {
                let v = self.sget(d - 3)?;
                let c = self.sget(d - 2)?;
                let k = self.sget(d - 1)?;
                self.record(ins, feedback::CONTAINER, c, self.null())?;
                let set = || -> R<IntValue<'ctx>> {
                    let r =
                        self.call_api_int(Api::ObjectSetItem, &[c.into(), k.into(), v.into()])?;
                    self.decref(v)?;
                    Ok(r)
                };
                let r = if self.quick {
                    set()?
                } else {
                    let fast = self.new_block("list_set");
                    let slow = self.new_block("setitem");
                    let join = self.new_block("set");
                    let item = self.list_item(c, k, fast, slow)?;
                    self.b.position_at_end(fast);
                    // the list takes the value's reference; the old item goes after the store
                    let old = self.load(item)?;
                    self.store(item, v)?;
                    self.decref(old)?;
                    let fast_end = self.b.get_insert_block().expect("positioned");
                    self.b.build_unconditional_branch(join).map_err(llvm_err)?;
                    self.b.position_at_end(slow);
                    let r = set()?;
                    let slow_end = self.b.get_insert_block().expect("positioned");
                    self.b.build_unconditional_branch(join).map_err(llvm_err)?;
                    self.b.position_at_end(join);
                    let phi = self.b.build_phi(self.t.i32, "").map_err(llvm_err)?;
                    phi.add_incoming(&[(&self.t.i32.const_zero(), fast_end), (&r, slow_end)]);
                    phi.as_basic_value().into_int_value()
                };
                self.decref(c)?;
                self.decref(k)?;
                self.check_neg(r, off, d - 3)?;
            }
            Op::BuildTuple { n } | Op::BuildList { n } => {
                let kind = u64::from(matches!(ins.op, Op::BuildList { .. }));
                self.escape(d - n, d)?;
                let base = self.slot_addr(d - n)?;
                let r = self.helper_obj(
                    runtime::rt_build as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(n), false).into(),
                        self.t.i32.const_int(kind, false).into(),
                    ],
                )?;
                self.check_null(r, off, d - n)?;
                self.sset(d - n, r)?;
            }
            Op::GetIter => {
                let v = self.sget(d - 1)?;
                self.record(ins, feedback::CONTAINER, v, self.null())?;
                let r = self.call_api(Api::ObjectGetIter, &[v.into()])?;
                self.decref(v)?;
                self.check_null(r, off, d - 1)?;
                self.sset(d - 1, r)?;
            }
            Op::ForIter { target: t } => {
                let it = self.sget(d - 1)?;
                // the iterator's own `tp_iternext`, as ceval calls it (`PyIter_Next` is one
                // more call, and it looks for an exception only at the end too)
                let ty = self.load(self.field_ptr(it, self.desc.layout.object.ob_type)?)?;
                let next =
                    self.load(self.field_ptr(ty, self.desc.layout.type_object.tp_iternext)?)?;
                let v = self.call_native(next, &[it.into()])?;
                let got = self.new_block("item");
                let end = self.new_block("exhausted");
                let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(isnull, end, got)
                    .map_err(llvm_err)?;
                self.b.position_at_end(end);
                let err = self.helper_obj(
                    runtime::rt_iter_end as *const () as usize,
                    &[self.env.expect("env").into()],
                )?;
                self.check_null_inverted(err, off, d)?;
                self.decref(it)?;
                self.b
                    .build_unconditional_branch(target(t)?)
                    .map_err(llvm_err)?;
                self.b.position_at_end(got);
                self.sset(d, v)?;
            }
            Op::Jump { target: t } => {
                if self
                    .func
                    .blocks
                    .get(t.0 as usize)
                    .is_some_and(|dest| dest.offset <= off)
                {
                    self.back_edge(off, d, t)?;
                }
                self.b
                    .build_unconditional_branch(target(t)?)
                    .map_err(llvm_err)?;
                return Ok(true);
            }
            Op::JumpNoInterrupt { target: t } => {
                self.b
                    .build_unconditional_branch(target(t)?)
                    .map_err(llvm_err)?;
                return Ok(true);
            }
            Op::PopJumpIf { cond, target: t } => {
                let v = self.sget(d - 1)?;
                let taken = match cond {
                    Cond::True | Cond::False => {
                        let truth = self.truth(v, off, d - 1, true)?;
                        if cond == Cond::True {
                            truth
                        } else {
                            self.b.build_not(truth, "").map_err(llvm_err)?
                        }
                    }
                    Cond::None | Cond::NotNone => {
                        let none = self.object(Api::NoneStruct)?;
                        let c = self.same_object(v, none, cond == Cond::NotNone)?;
                        self.decref(v)?;
                        c
                    }
                };
                self.branch_checked(taken, t, off, d - 1, blocks, next)?;
                return Ok(true);
            }
            Op::JumpIfOrPop { when, target: t } => {
                let v = self.sget(d - 1)?;
                let truth = self.truth(v, off, d, false)?;
                let taken = if when {
                    truth
                } else {
                    self.b.build_not(truth, "").map_err(llvm_err)?
                };
                let pop = self.new_block("pop");
                self.b
                    .build_conditional_branch(taken, target(t)?, pop)
                    .map_err(llvm_err)?;
                self.b.position_at_end(pop);
                self.decref(v)?;
                return Ok(false);
            }
            Op::Return if !self.chain.borrow().is_empty() && self.func.handlers.is_empty() => {
                // up to 3.7 a return unwinds the block stack itself
                let r = self.sget(d - 1)?;
                let chain = self.chain.borrow().clone();
                self.unwind(Action::Return, off, d - 1, Some(r), &chain)?;
                return Ok(true);
            }
            Op::Return | Op::ReturnConst { .. } => {
                let (r, below) = if let Op::ReturnConst { index } = ins.op {
                    let v = self.const_item(index)?;
                    self.incref(v)?;
                    (v, d)
                } else {
                    (self.sget(d - 1)?, d - 1)
                };
                for i in 0..below {
                    let v = self.sget(i)?;
                    self.decref(v)?;
                }
                self.release_locals()?;
                self.b.build_return(Some(&r)).map_err(llvm_err)?;
                return Ok(true);
            }
            Op::Call {
                argc,
                kw: KwNames::None,
                slot,
            } if !self.quick
                && (self.capi.has(Api::ObjectVectorcall)
                    || self.capi.has(Api::ObjectVectorcallDict)) =>
            {
                // positional-only call, straight from the stack: PyObject_Vectorcall with the
                // slot before the arguments ours to borrow, as CALL does (3.6-3.10, which do
                // not export it: PyObject_VectorcallDict or _PyObject_FastCallDict without
                // keywords, the same call)
                let nslots = if slot == CallSlot::Single { 1 } else { 2 };
                let b0 = d - nslots - argc;
                let word = u32::from(self.desc.identity.pointer_bits);
                let wty = self.int_bits(word);
                let (callable, plain_call) = self.call_target(slot, b0)?;
                // (a direct call moves the references out of the slots, leaving NULL)
                self.escape(b0, d)?;
                let (first, nargs) = match plain_call {
                    None => (
                        self.slot_addr(b0 + 1)?,
                        wty.const_int(u64::from(argc), false),
                    ),
                    Some(plain) => {
                        // a plain call's arguments follow its two slots; a method's self is
                        // its first argument
                        let first = self
                            .b
                            .build_select(
                                plain,
                                self.slot_addr(b0 + 2)?,
                                self.slot_addr(b0 + 1)?,
                                "",
                            )
                            .map_err(llvm_err)?
                            .into_pointer_value();
                        let nargs = self
                            .b
                            .build_select(
                                plain,
                                wty.const_int(u64::from(argc), false),
                                wty.const_int(u64::from(argc) + 1, false),
                                "",
                            )
                            .map_err(llvm_err)?
                            .into_int_value();
                        (first, nargs)
                    }
                };
                let flag = self
                    .desc
                    .constant("PY_VECTORCALL_ARGUMENTS_OFFSET")
                    .unwrap_or(0) as u64;
                let nargsf = self
                    .b
                    .build_or(nargs, wty.const_int(flag, false), "")
                    .map_err(llvm_err)?;
                self.set_lasti(off)?;
                let known = self.known_call(ins, callable, plain_call, b0, nslots, argc)?;
                let direct = self.calls_compiled(ins);
                // (where builtin methods were called, or the site never ran or called several
                // things: a site that never ran may call either kind, the descriptor's check
                // comes first)
                let descr = match (plain_call, self.seen(ins).map(|s| s & !feedback::MARKS)) {
                    (Some(plain), None | Some(feedback::METHOD_DESCR | feedback::MANY)) => {
                        self.method_descr_direct(plain, callable, b0, argc)?
                    }
                    _ => None,
                };
                let r = if direct {
                    let site = self.direct_site();
                    let slow = || {
                        self.helper_obj(
                            runtime::entry::rt_direct_call as *const () as usize,
                            &[
                                self.env.expect("env").into(),
                                site.into(),
                                callable.into(),
                                first.into(),
                                nargsf.into(),
                            ],
                        )
                    };
                    match runtime::entry::inline_call(self.capi) {
                        // (a class seen called: its construction inline; else a function)
                        Some(k) if self.seen(ins).is_some_and(|s| s & feedback::CLASS != 0) => {
                            self.inline_construct(&k, site, callable, first, nargs, &slow)?
                        }
                        Some(k) => {
                            // (the slot holding the callable: `[NULL, callable]` below)
                            let callable_slot = match (slot, plain_call) {
                                (CallSlot::NullBelow, Some(plain)) => self
                                    .b
                                    .build_select(
                                        plain,
                                        self.slot_addr(b0 + 1)?,
                                        self.slot_addr(b0)?,
                                        "",
                                    )
                                    .map_err(llvm_err)?
                                    .into_pointer_value(),
                                _ => self.slot_addr(b0)?,
                            };
                            self.inline_direct_call(
                                &k,
                                site,
                                callable,
                                callable_slot,
                                first,
                                nargs,
                                &slow,
                            )?
                        }
                        None => slow()?,
                    }
                } else {
                    let api = if self.capi.has(Api::ObjectVectorcall) {
                        Api::ObjectVectorcall
                    } else {
                        Api::ObjectVectorcallDict
                    };
                    self.call_api(
                        api,
                        &[
                            callable.into(),
                            first.into(),
                            nargsf.into(),
                            self.null().into(),
                        ],
                    )?
                };
                let r = self.join_with(descr, r)?;
                let r = self.join_with(known, r)?;
                self.unescape(b0, d)?;
                self.release(b0, d)?;
                self.check_null(r, off, b0)?;
                self.sset(b0, r)?;
            }
            Op::Call { argc, kw, slot } => {
                let (mode, nslots) = match slot {
                    CallSlot::Single => (call_mode::SINGLE, 1),
                    CallSlot::NullBelow => (call_mode::NULL_BELOW, 2),
                    CallSlot::NullAbove => (call_mode::NULL_ABOVE, 2),
                };
                let (names, on_stack) = match kw {
                    KwNames::None => (self.null(), 0),
                    KwNames::Stack => (self.null(), 1),
                    KwNames::Const(ci) => (self.const_item(ci)?, 0),
                };
                let consumed = nslots + argc + on_stack;
                self.escape(d - consumed, d)?;
                let base = self.slot_addr(d - consumed)?;
                if self.feedback_word(ins).is_some() {
                    let (callable, _) = self.call_target(slot, d - consumed)?;
                    self.record(ins, feedback::CALLABLE, callable, self.null())?;
                }
                self.set_lasti(off)?;
                let r = self.helper_obj(
                    runtime::rt_call as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(argc), false).into(),
                        self.t.i32.const_int(u64::from(mode), false).into(),
                        names.into(),
                        self.t.i32.const_int(u64::from(on_stack), false).into(),
                    ],
                )?;
                self.check_null(r, off, d - consumed)?;
                self.sset(d - consumed, r)?;
            }
            Op::Call27 {
                npos,
                nkw,
                var,
                kwargs,
            } => {
                let consumed = 1 + npos + 2 * nkw + u32::from(var) + u32::from(kwargs);
                self.escape(d - consumed, d)?;
                let base = self.slot_addr(d - consumed)?;
                let positional = nkw == 0 && !var && !kwargs;
                if positional && self.feedback_word(ins).is_some() {
                    let callable = self.sget(d - consumed)?;
                    self.record(ins, feedback::CALLABLE, callable, self.null())?;
                }
                self.set_lasti(off)?;
                if positional && self.calls_compiled(ins) {
                    // the arguments stay the stack's, released after the call
                    let site = self.direct_site();
                    let r = self.helper_obj(
                        runtime::entry::rt_direct_call as *const () as usize,
                        &[
                            self.env.expect("env").into(),
                            site.into(),
                            self.sget(d - consumed)?.into(),
                            self.slot_addr(d - consumed + 1)?.into(),
                            self.word_type().const_int(u64::from(npos), false).into(),
                        ],
                    )?;
                    self.release(d - consumed, d)?;
                    self.check_null(r, off, d - consumed)?;
                    self.sset(d - consumed, r)?;
                    return Ok(false);
                }
                let direct = (!self.quick && positional && npos <= 1)
                    .then(|| self.cfunction_direct(d - consumed, npos))
                    .transpose()?
                    .flatten();
                let r = self.helper_obj(
                    runtime::rt_call27 as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(npos), false).into(),
                        self.t.i32.const_int(u64::from(nkw), false).into(),
                        self.t
                            .i32
                            .const_int(u64::from(var) | u64::from(kwargs) << 1, false)
                            .into(),
                    ],
                )?;
                let r = self.join_with(direct, r)?;
                self.check_null(r, off, d - consumed)?;
                self.sset(d - consumed, r)?;
            }
            Op::BuildSlice { n } => {
                // PySlice_New takes its own references to the bounds
                let start = self.sget(d - n)?;
                let stop = self.sget(d - n + 1)?;
                let step = if n == 3 {
                    self.sget(d - 1)?
                } else {
                    self.null()
                };
                let r = self.call_api(Api::SliceNew, &[start.into(), stop.into(), step.into()])?;
                self.decref(start)?;
                self.decref(stop)?;
                if n == 3 {
                    self.decref(step)?;
                }
                self.check_null(r, off, d - n)?;
                self.sset(d - n, r)?;
            }
            Op::BuildSet { n }
            | Op::BuildMap { pairs: n }
            | Op::BuildConstKeyMap { n }
            | Op::BuildString { n } => {
                let (kind, consumed) = match ins.op {
                    Op::BuildSet { .. } => (0, n),
                    Op::BuildMap { .. } => (1, 2 * n),
                    Op::BuildConstKeyMap { .. } => (2, n + 1),
                    _ => (4, n),
                };
                self.escape(d - consumed, d)?;
                let base = self.slot_addr(d - consumed)?;
                let r = self.helper_obj(
                    runtime::rt_build_other as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(n), false).into(),
                        self.t.i32.const_int(kind, false).into(),
                    ],
                )?;
                self.check_null(r, off, d - consumed)?;
                self.sset(d - consumed, r)?;
            }
            Op::StoreMap => {
                // 2.7: map, value, key -> map
                let map = self.sget(d - 3)?;
                let v = self.sget(d - 2)?;
                let k = self.sget(d - 1)?;
                let r = self.call_api_int(Api::DictSetItem, &[map.into(), k.into(), v.into()])?;
                self.decref(v)?;
                self.decref(k)?;
                self.check_neg(r, off, d - 2)?;
            }
            Op::UnpackSequence { n } => {
                let seq = self.sget(d - 1)?;
                let out = self.slot_addr(d - 1)?;
                let r = self.helper_int(
                    runtime::rt_unpack as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        seq.into(),
                        self.t.i32.const_int(u64::from(n), false).into(),
                        out.into(),
                    ],
                )?;
                self.check_neg(r, off, d - 1)?;
                self.unescape(d - 1, d - 1 + n)?;
            }
            Op::UnpackEx { before, after } => {
                let seq = self.sget(d - 1)?;
                let out = self.slot_addr(d - 1)?;
                let r = self.helper_int(
                    runtime::rt_unpack_ex as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        seq.into(),
                        self.t.i32.const_int(u64::from(before), false).into(),
                        self.t.i32.const_int(u64::from(after), false).into(),
                        out.into(),
                    ],
                )?;
                self.check_neg(r, off, d - 1)?;
                self.unescape(d - 1, d + before + after)?;
            }
            Op::DeleteSubscr => {
                let c = self.sget(d - 2)?;
                let k = self.sget(d - 1)?;
                let r = self.call_api_int(Api::ObjectDelItem, &[c.into(), k.into()])?;
                self.decref(c)?;
                self.decref(k)?;
                self.check_neg(r, off, d - 2)?;
            }
            Op::DeleteAttr { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let o = self.sget(d - 1)?;
                let r = self.call_api_int(
                    Api::ObjectSetAttr,
                    &[o.into(), key.into(), self.null().into()],
                )?;
                self.decref(o)?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::BinarySlice | Op::StoreSliceOp => {
                // container[start:stop] (= value): a slice object, as 3.12's interpreter builds
                let (base, store) = if let Op::StoreSliceOp = ins.op {
                    (d - 4, true)
                } else {
                    (d - 3, false)
                };
                let value = if store { Some(self.sget(base)?) } else { None };
                let container = self.sget(d - 3)?;
                let start = self.sget(d - 2)?;
                let stop = self.sget(d - 1)?;
                let slice = self.call_api(
                    Api::SliceNew,
                    &[start.into(), stop.into(), self.null().into()],
                )?;
                self.decref(start)?;
                self.decref(stop)?;
                let fail_live = base;
                let failed = self.b.build_is_null(slice, "").map_err(llvm_err)?;
                let bad = self.new_block("badslice");
                let good = self.new_block("slice");
                self.b
                    .build_conditional_branch(failed, bad, good)
                    .map_err(llvm_err)?;
                self.b.position_at_end(bad);
                self.decref(container)?;
                if let Some(v) = value {
                    self.decref(v)?;
                }
                self.fail_now(off, fail_live)?;
                self.b.position_at_end(good);
                if let Some(v) = value {
                    let r = self.call_api_int(
                        Api::ObjectSetItem,
                        &[container.into(), slice.into(), v.into()],
                    )?;
                    self.decref(v)?;
                    self.decref(container)?;
                    self.decref(slice)?;
                    self.check_neg(r, off, base)?;
                } else {
                    let r = self.call_api(Api::ObjectGetItem, &[container.into(), slice.into()])?;
                    self.decref(container)?;
                    self.decref(slice)?;
                    self.check_null(r, off, base)?;
                    self.sset(base, r)?;
                }
            }
            Op::StoreGlobal { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let globals = self.env_field(env_offsets::GLOBALS)?;
                let v = self.sget(d - 1)?;
                let r =
                    self.call_api_int(Api::DictSetItem, &[globals.into(), key.into(), v.into()])?;
                self.decref(v)?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::LoadBuildClass => {
                let r = self.helper_obj(
                    runtime::rt_load_build_class as *const () as usize,
                    &[self.env.expect("env").into()],
                )?;
                self.check_null(r, off, d)?;
                self.sset(d, r)?;
            }
            Op::BuildClass27 => {
                // name, bases, namespace (on top)
                let name = self.sget(d - 3)?;
                let bases = self.sget(d - 2)?;
                let methods = self.sget(d - 1)?;
                let r = self.helper_obj(
                    runtime::rt_build_class27 as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        methods.into(),
                        bases.into(),
                        name.into(),
                    ],
                )?;
                for o in [name, bases, methods] {
                    self.decref(o)?;
                }
                self.check_null(r, off, d - 3)?;
                self.sset(d - 3, r)?;
            }
            Op::PrintItem { to } | Op::PrintNewline { to } => {
                let newline = matches!(ins.op, Op::PrintNewline { .. });
                let base = d - to - u32::from(!newline);
                let stream = if to == 1 {
                    self.sget(d - 1)?
                } else {
                    self.null()
                };
                let v = if newline {
                    self.null()
                } else {
                    self.sget(base)?
                };
                let r = self
                    .call_addr(
                        runtime::rt_print27 as *const () as usize,
                        Some(self.t.i32.into()),
                        &[
                            self.env.expect("env").into(),
                            self.t.i32.const_int(u64::from(newline), false).into(),
                            v.into(),
                            stream.into(),
                        ],
                    )?
                    .expect("returns")
                    .into_int_value();
                if to == 1 {
                    self.decref(stream)?;
                }
                if !newline {
                    self.decref(v)?;
                }
                self.check_neg(r, off, base)?;
            }
            Op::ImportName { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let level = self.sget(d - 2)?;
                let fromlist = self.sget(d - 1)?;
                let r = self.helper_obj(
                    runtime::rt_import_name as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        key.into(),
                        fromlist.into(),
                        level.into(),
                    ],
                )?;
                self.decref(level)?;
                self.decref(fromlist)?;
                self.check_null(r, off, d - 2)?;
                self.sset(d - 2, r)?;
            }
            Op::ImportFrom { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let module = self.sget(d - 1)?;
                let r = self.helper_obj(
                    runtime::rt_import_from as *const () as usize,
                    &[self.env.expect("env").into(), module.into(), key.into()],
                )?;
                self.check_null(r, off, d)?;
                self.sset(d, r)?;
            }
            Op::DeleteGlobal { name } => {
                let names = self.env_field(env_offsets::NAMES)?;
                let key = self.tuple_item(names, name)?;
                let globals = self.env_field(env_offsets::GLOBALS)?;
                let r = self.call_api_int(Api::DictDelItem, &[globals.into(), key.into()])?;
                let missing = self.new_block("missing");
                let ok = self.new_block("deleted");
                let failed = self
                    .b
                    .build_int_compare(IntPredicate::SLT, r, self.t.i32.const_zero(), "")
                    .map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(failed, missing, ok)
                    .map_err(llvm_err)?;
                self.b.position_at_end(missing);
                // the interpreter turns the KeyError into its NameError
                self.call_addr(self.api(Api::ErrClear)?, None, &[])?;
                self.raise_name_error(key, off, d)?;
                self.b.position_at_end(ok);
            }
            Op::ListAppend { depth } | Op::SetAdd { depth } => {
                let v = self.sget(d - 1)?;
                let container = self.sget(d - 1 - depth)?;
                let api = if let Op::ListAppend { .. } = ins.op {
                    Api::ListAppend
                } else {
                    Api::SetAdd
                };
                let r = self.call_api_int(api, &[container.into(), v.into()])?;
                self.decref(v)?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::MapAdd { depth, key_on_top } => {
                let (k, v) = if key_on_top {
                    (self.sget(d - 1)?, self.sget(d - 2)?)
                } else {
                    (self.sget(d - 2)?, self.sget(d - 1)?)
                };
                let map = self.sget(d - 2 - depth)?;
                let r = self.call_api_int(Api::DictSetItem, &[map.into(), k.into(), v.into()])?;
                self.decref(k)?;
                self.decref(v)?;
                self.check_neg(r, off, d - 2)?;
            }
            Op::FormatValue { conv, spec } => {
                let (vi, spec_v) = if spec {
                    (d - 2, Some(self.sget(d - 1)?))
                } else {
                    (d - 1, None)
                };
                let v = self.sget(vi)?;
                let v = self.convert(v, conv, off, vi, spec_v)?;
                let r = self.call_api(
                    Api::ObjectFormat,
                    &[v.into(), spec_v.unwrap_or_else(|| self.null()).into()],
                )?;
                self.decref(v)?;
                if let Some(s) = spec_v {
                    self.decref(s)?;
                }
                self.check_null(r, off, vi)?;
                self.sset(vi, r)?;
            }
            Op::ConvertValue { conv } => {
                let v = self.sget(d - 1)?;
                let r = self.convert(v, conv, off, d - 1, None)?;
                self.sset(d - 1, r)?;
            }
            Op::FormatSimple | Op::FormatWithSpec => {
                let (vi, spec_v) = if let Op::FormatWithSpec = ins.op {
                    (d - 2, Some(self.sget(d - 1)?))
                } else {
                    (d - 1, None)
                };
                let v = self.sget(vi)?;
                let r = self.call_api(
                    Api::ObjectFormat,
                    &[v.into(), spec_v.unwrap_or_else(|| self.null()).into()],
                )?;
                self.decref(v)?;
                if let Some(s) = spec_v {
                    self.decref(s)?;
                }
                self.check_null(r, off, vi)?;
                self.sset(vi, r)?;
            }
            Op::Raise { n } if self.desc.identity.version.0 == 2 => {
                // 2.7: the interpreter's do_raise decides (classic classes, tuples, a
                // traceback operand, which makes it a re-raise)
                let mut opnds = [self.null(); 3];
                for (i, o) in opnds.iter_mut().enumerate().take(n as usize) {
                    *o = self.sget(d - n + i as u32)?;
                }
                let r = self.helper_int(
                    runtime::exc::rt_raise27 as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        self.t.i32.const_int(u64::from(n), false).into(),
                        opnds[0].into(),
                        opnds[1].into(),
                        opnds[2].into(),
                    ],
                )?;
                self.raise_split(r, off, d - n)?;
                return Ok(true);
            }
            Op::EndFinally { items } => {
                let shift = self.with_shift(ins);
                let base = d + shift - items;
                let status = self.sget(base + items - 1)?;
                let env = self.env.expect("env");
                let kind = self.helper_int(
                    runtime::exc::rt_status_kind as *const () as usize,
                    &[env.into(), status.into()],
                )?;
                let normal = self.new_block("finally_normal");
                let action = self.new_block("finally_action");
                let exc = self.new_block("finally_exc");
                let after = self.new_block("finally_done");
                self.b
                    .build_switch(
                        kind,
                        exc,
                        &[
                            (
                                self.t
                                    .i32
                                    .const_int(runtime::exc::status::NORMAL as u64, false),
                                normal,
                            ),
                            (
                                self.t
                                    .i32
                                    .const_int(runtime::exc::status::ACTION as u64, false),
                                action,
                            ),
                        ],
                    )
                    .map_err(llvm_err)?;
                let chain = self.chain.borrow().clone();
                self.b.position_at_end(normal);
                self.decref(status)?;
                self.b.build_unconditional_branch(after).map_err(llvm_err)?;
                // an exception: re-raised, as it came
                self.b.position_at_end(exc);
                self.escape(base + items - 3, base + items)?;
                self.call_addr(
                    runtime::exc::rt_restore as *const () as usize,
                    None,
                    &[
                        env.into(),
                        self.slot_addr(base + items - 3)?.into(),
                        self.t.i32.const_int(3, false).into(),
                    ],
                )?;
                self.unescape(base + items - 3, base + items)?;
                self.unwind(
                    Action::Raise { fresh: false },
                    off,
                    base + items - 3,
                    None,
                    &chain,
                )?;
                // a pending action resumes
                self.b.position_at_end(action);
                let code = self.helper_int(
                    runtime::exc::rt_action_of as *const () as usize,
                    &[env.into(), status.into()],
                )?;
                self.decref(status)?;
                let tail = self.b.get_insert_block().expect("block");
                let mut cases = Vec::new();
                let in_loop = chain.iter().any(|f| f.kind == FrameKind::Loop);
                for (i, a) in self.actions.iter().enumerate() {
                    if matches!(a, Action::Break | Action::Continue(_)) && !in_loop {
                        // never pending here: no loop encloses this block
                        continue;
                    }
                    let bb = self.new_block("resume");
                    cases.push((self.t.i32.const_int(i as u64, false), bb));
                    self.b.position_at_end(bb);
                    match *a {
                        Action::Resume(t) => {
                            self.b
                                .build_unconditional_branch(target(t)?)
                                .map_err(llvm_err)?;
                        }
                        Action::Return => {
                            let r = self.sget(base + items - 2)?;
                            self.unwind(*a, off, base - shift, Some(r), &chain)?;
                        }
                        _ => self.unwind(*a, off, base - shift, None, &chain)?,
                    }
                }
                self.b.position_at_end(tail);
                self.b.build_switch(code, after, &cases).map_err(llvm_err)?;
                self.b.position_at_end(after);
            }
            Op::BeginFinally => {
                for j in 0..6 {
                    self.sset(d + j, self.null())?;
                }
            }
            Op::CallFinally { target: t } => {
                let to = self.func.blocks[t.0 as usize].start;
                let level = self.func.instrs[to]
                    .depth
                    .and_then(|x| x.checked_sub(6))
                    // (an `except ... as` body's POP_EXCEPT may have popped below the level)
                    .filter(|l| d <= *l + 5)
                    .ok_or_else(|| Unsupported {
                        construct: "CALL_FINALLY into a block of another depth".into(),
                        offset: off,
                        line: ins.line,
                    })?;
                for j in d..level + 5 {
                    self.sset(j, self.null())?;
                }
                let back = self
                    .block_after(off)
                    .ok_or_else(|| llvm_err("CALL_FINALLY at the end"))?;
                let code = self.action_code(Action::Resume(back))?;
                self.sset(level + 5, code)?;
                self.b
                    .build_unconditional_branch(self.llblocks[t.0 as usize])
                    .map_err(llvm_err)?;
                return Ok(true);
            }
            Op::PopFinally { preserve_tos } => {
                let p = u32::from(preserve_tos);
                let shift = self.with_shift(ins);
                let base = d + shift - 6 - p;
                let res = if preserve_tos {
                    Some(self.sget(d - 1)?)
                } else {
                    None
                };
                let is_exc = self.status_is_exception(self.sget(base + 5)?)?;
                let exc = self.new_block("popfinally_exc");
                let plain = self.new_block("popfinally_plain");
                let done = self.new_block("popfinally_done");
                self.b
                    .build_conditional_branch(is_exc, exc, plain)
                    .map_err(llvm_err)?;
                self.b.position_at_end(exc);
                self.finish_handled(base)?;
                self.b.build_unconditional_branch(done).map_err(llvm_err)?;
                self.b.position_at_end(plain);
                self.release(base, base + 6)?;
                self.b.build_unconditional_branch(done).map_err(llvm_err)?;
                self.b.position_at_end(done);
                if let Some(r) = res {
                    self.sset(d - 7, r)?;
                }
            }
            Op::WithCleanupStart | Op::WithCleanup27 => {
                let items = if let Op::WithCleanup27 = ins.op { 3 } else { 6 };
                let base = d - items;
                let env = self.env.expect("env");
                let status = self.sget(base + items - 1)?;
                let is_exc = self.status_is_exception(status)?;
                let exc_arg = self
                    .b
                    .build_int_z_extend(is_exc, self.t.i32, "")
                    .map_err(llvm_err)?;
                let exit = self.sget(base - 1)?;
                self.escape(base + items - 3, base + items)?;
                let res = self.helper_obj(
                    runtime::exc::rt_exit_call as *const () as usize,
                    &[
                        env.into(),
                        exit.into(),
                        self.slot_addr(base + items - 3)?.into(),
                        exc_arg.into(),
                    ],
                )?;
                self.decref(exit)?;
                self.sset(base - 1, self.null())?;
                self.check_null(res, off, d)?;
                if items == 6 {
                    // 3.x: the exception (or None) and the result go on for WITH_CLEANUP_FINISH
                    let none = self.object(Api::NoneStruct)?;
                    let dup = self
                        .b
                        .build_select(is_exc, status, none, "")
                        .map_err(llvm_err)?
                        .into_pointer_value();
                    self.incref(dup)?;
                    self.sset(d, dup)?;
                    self.sset(d + 1, res)?;
                } else {
                    // 2.7 decides here
                    self.with_silence(is_exc, res, off, d, base, items)?;
                }
            }
            Op::WithCleanupFinish => {
                let res = self.sget(d - 1)?;
                let dup = self.sget(d - 2)?;
                let none = self.object(Api::NoneStruct)?;
                let ai = self
                    .b
                    .build_ptr_to_int(dup, self.t.i64, "")
                    .map_err(llvm_err)?;
                let ni = self
                    .b
                    .build_ptr_to_int(none, self.t.i64, "")
                    .map_err(llvm_err)?;
                let is_exc = self
                    .b
                    .build_int_compare(IntPredicate::NE, ai, ni, "")
                    .map_err(llvm_err)?;
                self.decref(dup)?;
                self.with_silence(is_exc, res, off, d - 2, d - 8, 6)?;
            }
            Op::Raise { n: 0 } => {
                let env = self.env.expect("env");
                let r = self.helper_int(
                    runtime::exc::rt_bare_raise as *const () as usize,
                    &[env.into()],
                )?;
                self.raise_split(r, off, d)?;
                return Ok(true);
            }
            Op::Reraise { items } => {
                self.escape(d - items, d)?;
                self.call_addr(
                    runtime::exc::rt_restore as *const () as usize,
                    None,
                    &[
                        self.env.expect("env").into(),
                        self.slot_addr(d - items)?.into(),
                        self.t.i32.const_int(u64::from(items), false).into(),
                    ],
                )?;
                self.unescape(d - items, d)?;
                self.raise_here(off, d - items, false)?;
                return Ok(true);
            }
            Op::PopExcept { items } => {
                if let Some(f) = self.chain.borrow().last() {
                    // ceval pops the top three, which a `return` may have rotated one up
                    if f.kind == FrameKind::ExceptHandler
                        && !(f.level + items..=f.level + items + 1).contains(&d)
                    {
                        return Err(Unsupported {
                            construct: "POP_EXCEPT above its handler's items".into(),
                            offset: off,
                            line: ins.line,
                        });
                    }
                }
                self.escape(d - items, d)?;
                self.call_addr(
                    runtime::exc::rt_pop_except as *const () as usize,
                    None,
                    &[
                        self.env.expect("env").into(),
                        self.slot_addr(d - items)?.into(),
                        self.t.i32.const_int(u64::from(items), false).into(),
                    ],
                )?;
                self.unescape(d - items, d)?;
            }
            Op::PushExcInfo => {
                self.escape(d - 1, d)?;
                self.call_addr(
                    runtime::exc::rt_push_exc_info as *const () as usize,
                    None,
                    &[self.env.expect("env").into(), self.slot_addr(d - 1)?.into()],
                )?;
                self.unescape(d - 1, d + 1)?;
            }
            Op::CheckExcMatch | Op::JumpIfNotExcMatch { .. } => {
                let left = self.sget(d - 2)?;
                let right = self.sget(d - 1)?;
                let r = self.helper_int(
                    runtime::exc::rt_exc_match as *const () as usize,
                    &[self.env.expect("env").into(), left.into(), right.into()],
                )?;
                self.decref(right)?;
                let matched = self
                    .b
                    .build_int_compare(IntPredicate::SGT, r, self.t.i32.const_zero(), "")
                    .map_err(llvm_err)?;
                if let Op::JumpIfNotExcMatch { target: t } = ins.op {
                    self.decref(left)?;
                    self.check_neg(r, off, d - 2)?;
                    let missed = self.b.build_not(matched, "").map_err(llvm_err)?;
                    self.branch_checked(missed, t, off, d - 2, blocks, next)?;
                    return Ok(true);
                }
                self.check_neg(r, off, d - 1)?;
                let v = self.bool_obj(matched)?;
                self.sset(d - 1, v)?;
            }
            Op::SetupWith { .. } | Op::BeforeWith => {
                // 2.7 (whose handlers take 3 items) looks up __exit__ first
                let exit_first = matches!(ins.op, Op::SetupWith { handler: 3, .. });
                let mgr = self.sget(d - 1)?;
                self.escape(d - 1, d)?;
                let r = self.helper_int(
                    runtime::exc::rt_with_enter as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        mgr.into(),
                        self.slot_addr(d - 1)?.into(),
                        self.t.i32.const_int(u64::from(exit_first), false).into(),
                    ],
                )?;
                self.unescape(d - 1, d + 1)?;
                for (code, live) in [(-1i64, d - 1), (-2, d)] {
                    let failed = self
                        .b
                        .build_int_compare(
                            IntPredicate::EQ,
                            r,
                            self.t.i32.const_int(code as u64, true),
                            "",
                        )
                        .map_err(llvm_err)?;
                    self.check_fail(failed, off, live)?;
                }
            }
            Op::WithExceptStart { exit, items } => {
                let f = self.sget(d - exit)?;
                self.escape(d - items, d)?;
                let res = self.helper_obj(
                    runtime::exc::rt_with_exit as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        f.into(),
                        self.slot_addr(d - items)?.into(),
                        self.t.i32.const_int(u64::from(items), false).into(),
                    ],
                )?;
                self.check_null(res, off, d)?;
                self.sset(d, res)?;
            }
            Op::LoadFastAndClear { local } => {
                let p = self.local(local)?;
                let v = self.load(p)?;
                self.sset(d, v)?;
                self.store(p, self.null())?;
            }
            Op::Raise { n } => {
                if n == 2 && self.desc.identity.version.0 == 2 {
                    return Err(Unsupported {
                        construct: "2.7 raise type, value".into(),
                        offset: off,
                        line: ins.line,
                    });
                }
                let exc = self.sget(d - n)?;
                let cause = if n == 2 {
                    self.sget(d - 1)?
                } else {
                    self.null()
                };
                self.call_addr(
                    runtime::rt_raise as *const () as usize,
                    None,
                    &[self.env.expect("env").into(), exc.into(), cause.into()],
                )?;
                self.fail_now(off, d - n)?;
                return Ok(true);
            }
            Op::LoadAssertionError => {
                // the class itself: the object behind the PyExc_AssertionError variable
                let v = self.object(Api::ExcAssertionError)?;
                self.incref(v)?;
                self.sset(d, v)?;
            }
            Op::LoadDeref { slot } | Op::DeleteDeref { slot } => {
                let cell = self.load(self.local(slot)?)?;
                let v = self.cell_contents(cell)?;
                let empty = self.new_block("emptycell");
                let full = self.new_block("fullcell");
                let isnull = self.b.build_is_null(v, "").map_err(llvm_err)?;
                self.b
                    .build_conditional_branch(isnull, empty, full)
                    .map_err(llvm_err)?;
                self.b.position_at_end(empty);
                let varnames = self.env_field(env_offsets::VARNAMES)?;
                let name = self.tuple_item(varnames, slot)?;
                let free = u64::from(slot >= self.slots.free_start);
                self.call_addr(
                    runtime::rt_deref_error as *const () as usize,
                    None,
                    &[
                        self.env.expect("env").into(),
                        name.into(),
                        self.t.i32.const_int(free, false).into(),
                    ],
                )?;
                self.fail_now(off, d)?;
                self.b.position_at_end(full);
                if let Op::LoadDeref { .. } = ins.op {
                    self.incref(v)?;
                    self.sset(d, v)?;
                } else {
                    let r = self.call_api_int(Api::CellSet, &[cell.into(), self.null().into()])?;
                    self.check_neg(r, off, d)?;
                }
            }
            Op::StoreDeref { slot } => {
                let cell = self.load(self.local(slot)?)?;
                let v = self.sget(d - 1)?;
                let r = self.call_api_int(Api::CellSet, &[cell.into(), v.into()])?;
                self.decref(v)?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::LoadClosure { slot } => {
                let cell = self.load(self.local(slot)?)?;
                self.incref(cell)?;
                self.sset(d, cell)?;
            }
            Op::MakeCell { slot } => {
                let v = self.load(self.local(slot)?)?;
                let cell = self.call_api(Api::CellNew, &[v.into()])?;
                self.check_null(cell, off, d)?;
                self.decref(v)?;
                self.store(self.local(slot)?, cell)?;
            }
            Op::CopyFreeVars { n } => {
                let closure = self.env_field(env_offsets::CLOSURE)?;
                let first = self.slots.total - n;
                for j in 0..n {
                    let cell = self.tuple_item(closure, j)?;
                    self.incref(cell)?;
                    self.store(self.local(first + j)?, cell)?;
                }
            }
            Op::MakeFunction { flags, qualname }
            | Op::MakeFunction27 {
                ndefaults: flags,
                closure: qualname,
            } => {
                let (count, fl, qn, nd) = match ins.op {
                    Op::MakeFunction { .. } => (
                        1 + u32::from(qualname) + (flags & 15).count_ones(),
                        flags,
                        u32::from(qualname),
                        0,
                    ),
                    _ => (
                        1 + flags + u32::from(qualname),
                        16 | if qualname { 8 } else { 0 },
                        0,
                        flags,
                    ),
                };
                self.escape(d - count, d)?;
                let base = self.slot_addr(d - count)?;
                let r = self.helper_obj(
                    runtime::rt_make_function as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(count), false).into(),
                        self.t.i32.const_int(u64::from(fl), false).into(),
                        self.t.i32.const_int(u64::from(qn), false).into(),
                        self.t.i32.const_int(u64::from(nd), false).into(),
                    ],
                )?;
                self.check_null(r, off, d - count)?;
                self.sset(d - count, r)?;
            }
            Op::SetFunctionAttribute { flag } => {
                let v = self.sget(d - 2)?;
                let f = self.sget(d - 1)?;
                let r = self.helper_int(
                    runtime::rt_set_function_attribute as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        f.into(),
                        v.into(),
                        self.t.i32.const_int(u64::from(flag), false).into(),
                    ],
                )?;
                let failed = self
                    .b
                    .build_int_compare(IntPredicate::SLT, r, self.t.i32.const_zero(), "")
                    .map_err(llvm_err)?;
                let bad = self.new_block("badattr");
                let good = self.new_block("attrset");
                self.b
                    .build_conditional_branch(failed, bad, good)
                    .map_err(llvm_err)?;
                self.b.position_at_end(bad);
                self.decref(f)?;
                self.fail_now(off, d - 2)?;
                self.b.position_at_end(good);
                self.sset(d - 2, f)?;
            }
            Op::ListExtend { depth } | Op::SetUpdate { depth } | Op::DictUpdate { depth } => {
                let kind = match ins.op {
                    Op::ListExtend { .. } => 0,
                    Op::SetUpdate { .. } => 1,
                    _ => 2,
                };
                let v = self.sget(d - 1)?;
                let container = self.sget(d - 1 - depth)?;
                let r = self.helper_int(
                    runtime::rt_update as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        container.into(),
                        v.into(),
                        self.t.i32.const_int(kind, false).into(),
                    ],
                )?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::BuildUnpack { kind, n } => {
                self.escape(d - n, d)?;
                let base = self.slot_addr(d - n)?;
                // the callable named in errors: below the iterables (`*`), or below the
                // positional tuple and the mappings (`**`)
                let func = match kind {
                    1 => self.sget(d - n - 1)?,
                    5 => self.sget(d - n - 2)?,
                    _ => self.null(),
                };
                self.set_lasti(off)?;
                let r = self.helper_obj(
                    runtime::rt_build_unpack as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        base.into(),
                        self.t.i32.const_int(u64::from(n), false).into(),
                        self.t.i32.const_int(u64::from(kind), false).into(),
                        func.into(),
                    ],
                )?;
                for i in (d - n)..d {
                    let v = self.sget(i)?;
                    self.decref(v)?;
                }
                self.check_null(r, off, d - n)?;
                self.sset(d - n, r)?;
            }
            Op::DictMerge { depth, callee } => {
                let v = self.sget(d - 1)?;
                let dict = self.sget(d - 1 - depth)?;
                let func = self.sget(d - callee - 1)?;
                self.set_lasti(off)?;
                let r = self.helper_int(
                    runtime::rt_dict_merge as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        dict.into(),
                        v.into(),
                        func.into(),
                    ],
                )?;
                self.check_neg(r, off, d - 1)?;
            }
            Op::CallEx { kwargs, slot } => {
                let nk = u32::from(kwargs);
                let kw = if kwargs {
                    self.sget(d - 1)?
                } else {
                    self.null()
                };
                let args = self.sget(d - 1 - nk)?;
                let below = d - 1 - nk;
                let (callable, consumed) = match slot {
                    CallSlot::Single => (self.sget(below - 1)?, 1 + 1 + nk),
                    // 3.11/3.12: NULL, callable; 3.13: callable, NULL
                    CallSlot::NullBelow => (self.sget(below - 1)?, 2 + 1 + nk),
                    CallSlot::NullAbove => (self.sget(below - 2)?, 2 + 1 + nk),
                };
                self.set_lasti(off)?;
                let r = self.helper_obj(
                    runtime::rt_call_ex as *const () as usize,
                    &[
                        self.env.expect("env").into(),
                        callable.into(),
                        args.into(),
                        kw.into(),
                    ],
                )?;
                // the callable slot(s): the callable and, in the pair layouts, a NULL
                for i in (d - consumed)..below {
                    let v = self.sget(i)?;
                    self.decref(v)?;
                }
                self.check_null(r, off, d - consumed)?;
                self.sset(d - consumed, r)?;
            }
            Op::CallIntrinsic { .. } | Op::ListToTuple => {
                let v = self.sget(d - 1)?;
                let api = if matches!(ins.op, Op::CallIntrinsic { index: 5, .. }) {
                    Api::NumberPositive
                } else {
                    Api::ListAsTuple
                };
                let r = self.call_api(api, &[v.into()])?;
                self.decref(v)?;
                self.check_null(r, off, d - 1)?;
                self.sset(d - 1, r)?;
            }
            other => {
                return Err(Unsupported {
                    construct: format!("{} is not compiled yet", other.name()),
                    offset: off,
                    line: ins.line,
                });
            }
        }
        Ok(false)
    }

    /// `a is b` (`a is not b` when `invert`) as a new bool, consuming both.
    fn identity(
        &self,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        invert: bool,
    ) -> R<PointerValue<'ctx>> {
        let c = self.same_object(a, b, invert)?;
        self.decref(a)?;
        self.decref(b)?;
        self.bool_obj(c)
    }

    /// `a in b` (`a not in b` when `invert`) as a new bool, consuming both; on error, leaves
    /// through the handler with `depth` slots live.
    fn contains(
        &self,
        a: PointerValue<'ctx>,
        b: PointerValue<'ctx>,
        invert: bool,
        off: u32,
        depth: u32,
    ) -> R<PointerValue<'ctx>> {
        let r = self.call_api_int(Api::SequenceContains, &[b.into(), a.into()])?;
        self.decref(a)?;
        self.decref(b)?;
        self.check_neg(r, off, depth)?;
        let pred = if invert {
            IntPredicate::EQ
        } else {
            IntPredicate::NE
        };
        let c = self
            .b
            .build_int_compare(pred, r, self.t.i32.const_zero(), "")
            .map_err(llvm_err)?;
        self.bool_obj(c)
    }

    /// The object a cell refers to (borrowed, NULL if empty), through the descriptor's layout.
    fn cell_contents(&self, cell: PointerValue<'ctx>) -> R<PointerValue<'ctx>> {
        let off = self.desc.layout.cell.ob_ref;
        // SAFETY (LLVM): the reference field of a live cell.
        let p = unsafe {
            self.b
                .build_gep(cell, &[self.t.i64.const_int(u64::from(off), false)], "")
        }
        .map_err(llvm_err)?;
        let p = self
            .b
            .build_pointer_cast(p, self.t.objp, "")
            .map_err(llvm_err)?;
        self.load(p)
    }

    /// f-string conversion `conv` (1 str, 2 repr, 3 ascii) of `v`, consuming it; on failure
    /// releases `pending` too and fails with `live` items.
    fn convert(
        &self,
        v: PointerValue<'ctx>,
        conv: u32,
        off: u32,
        live: u32,
        pending: Option<PointerValue<'ctx>>,
    ) -> R<PointerValue<'ctx>> {
        let api = match conv {
            1 => Api::ObjectStr,
            2 => Api::ObjectRepr,
            3 => Api::ObjectAscii,
            _ => return Ok(v),
        };
        let r = self.call_api(api, &[v.into()])?;
        self.decref(v)?;
        let failed = self.b.build_is_null(r, "").map_err(llvm_err)?;
        let bad = self.new_block("badconv");
        let good = self.new_block("converted");
        self.b
            .build_conditional_branch(failed, bad, good)
            .map_err(llvm_err)?;
        self.b.position_at_end(bad);
        if let Some(p) = pending {
            self.decref(p)?;
        }
        self.fail_now(off, live)?;
        self.b.position_at_end(good);
        Ok(r)
    }

    /// `BREAK_LOOP`: leaves the innermost loop block open at this point of block `n`.
    /// Fails when `err` (a `PyErr_Occurred()` result) is not NULL.
    fn check_null_inverted(&self, err: PointerValue<'ctx>, offset: u32, live: u32) -> R<()> {
        let ok = self.b.build_is_null(err, "").map_err(llvm_err)?;
        let failed = self.b.build_not(ok, "").map_err(llvm_err)?;
        self.check_fail(failed, offset, live)
    }

    fn branch_checked(
        &self,
        taken: IntValue<'ctx>,
        t: crate::ir::Block,
        off: u32,
        live: u32,
        blocks: &[BasicBlock<'ctx>],
        next: Option<BasicBlock<'ctx>>,
    ) -> R<()> {
        let _ = blocks;
        let dest = self.edge(t, live)?;
        let fall = self.new_block("fall");
        let backward = self
            .func
            .blocks
            .get(t.0 as usize)
            .is_some_and(|b| b.offset <= off);
        if backward {
            let back = self.new_block("back");
            self.b
                .build_conditional_branch(taken, back, fall)
                .map_err(llvm_err)?;
            self.b.position_at_end(back);
            self.back_edge(off, live, t)?;
            self.b.build_unconditional_branch(dest).map_err(llvm_err)?;
        } else {
            self.b
                .build_conditional_branch(taken, dest, fall)
                .map_err(llvm_err)?;
        }
        self.b.position_at_end(fall);
        // the fall-through continues in the next block
        next.ok_or_else(|| llvm_err("branch falls off the end"))?;
        let next = self.fall_edge()?;
        self.b.build_unconditional_branch(next).map_err(llvm_err)?;
        Ok(())
    }
}
