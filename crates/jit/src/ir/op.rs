//! Every IR operation, declared once.
//!
//! The IR is a version-neutral stack machine: each bytecode era's decoder maps its opcodes onto
//! these operations (2.7's `BINARY_ADD` and 3.11's `BINARY_OP 0` are both [`Op::Binary`]), folds
//! prefixes and caches away, and resolves jump targets to [`Block`]s. The table below gives, per
//! operation, its fields, its stack effect on the fall-through path (`pops`, `pushes`) and, for
//! branches, on the taken path (`jump`), and its flags:
//! * `fails`: may raise (the code generator emits an error path);
//! * `term`: ends its block (no fall-through).
//!
//! Everything else (printer, verifier, stack-depth analysis) matches on it exhaustively.

use super::Block;
use std::fmt;

/// Binary operators (`BINARY_*`, `INPLACE_*`, 3.11+ `BINARY_OP`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `@`
    MatMul,
    /// `/` with true division (3.x, or 2.7 with `from __future__ import division`).
    TrueDiv,
    /// 2.7 classic `/`.
    ClassicDiv,
    /// `//`
    FloorDiv,
    /// `%`
    Mod,
    /// `**`
    Pow,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `&`
    And,
    /// `|`
    Or,
    /// `^`
    Xor,
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `+x`
    Pos,
    /// `-x`
    Neg,
    /// `~x`
    Invert,
    /// `not x`
    Not,
    /// 2.7 backticks: `repr(x)`.
    Convert,
}

/// Comparison operators of `COMPARE_OP` (2.7 to 3.8 also carry `in`, `is` and exception match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `not in`
    NotIn,
    /// `is`
    Is,
    /// `is not`
    IsNot,
    /// `except` clause match (≤3.8 `COMPARE_OP 10`).
    ExcMatch,
}

/// Condition of a conditional jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cond {
    /// Jump if true.
    True,
    /// Jump if false.
    False,
    /// Jump if `None`.
    None,
    /// Jump if not `None`.
    NotNone,
}

/// Where a call finds its callable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallSlot {
    /// `callable, args…` (2.7, 3.6–3.10 `CALL_FUNCTION*`).
    Single,
    /// `meth|NULL, self|callable, args…` (3.7–3.10 `CALL_METHOD`, 3.11/3.12 `CALL`).
    NullBelow,
    /// `callable|meth, NULL|self, args…` (3.13 `CALL`).
    NullAbove,
}

impl CallSlot {
    /// Stack slots below the arguments.
    pub fn slots(self) -> u32 {
        match self {
            CallSlot::Single => 1,
            CallSlot::NullBelow | CallSlot::NullAbove => 2,
        }
    }
}

/// Where a call's keyword names come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KwNames {
    /// No keyword arguments.
    None,
    /// A tuple of names on top of the stack (3.6–3.10 `CALL_FUNCTION_KW`, 3.13 `CALL_KW`).
    Stack,
    /// A constant tuple (3.11/3.12 `KW_NAMES ci` before `CALL`).
    Const(u32),
}

impl KwNames {
    fn slots(self) -> u32 {
        u32::from(self == KwNames::Stack)
    }
}

/// Where `LOAD_GLOBAL`/`LOAD_ATTR` put the extra NULL of a 3.11+ call sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NullPush {
    /// No NULL.
    No,
    /// NULL below the value (3.11/3.12).
    Below,
    /// NULL above the value (3.13).
    Above,
}

impl NullPush {
    fn slots(self) -> u32 {
        u32::from(self != NullPush::No)
    }
}

/// Block kinds of the 2.7–3.10 block stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BlockKind {
    /// `SETUP_LOOP` (≤3.7).
    Loop,
    /// `SETUP_EXCEPT` (≤3.7).
    Except,
    /// `SETUP_FINALLY` (3.8+: also `except`).
    Finally,
    /// `SETUP_WITH`.
    With,
    /// `SETUP_ASYNC_WITH`.
    AsyncWith,
}

macro_rules! ops {
    (
        $(
            $(#[doc = $doc:literal])*
            $name:ident $({ $($f:ident : $t:ty),* $(,)? })?
                = [$pops:expr, $pushes:expr]
                $(jump [$jpops:expr, $jpushes:expr])?
                $(| $($flag:ident)*)? ;
        )*
    ) => {
        /// A version-neutral IR operation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Op {
            $( $(#[doc = $doc])* $name $({ $( #[allow(missing_docs)] $f: $t ),* })?, )*
        }

        impl Op {
            /// Name as printed.
            pub fn name(&self) -> &'static str {
                match self { $( Op::$name { .. } => stringify!($name), )* }
            }

            /// One-line description.
            pub fn doc(&self) -> &'static str {
                match self { $( Op::$name { .. } => concat!($($doc),*).trim_start(), )* }
            }

            /// `(pops, pushes)` on the fall-through path.
            #[allow(unused_variables)]
            pub fn stack_effect(&self) -> (u32, u32) {
                match *self { $( Op::$name $({ $($f),* })? => ($pops, $pushes), )* }
            }

            /// `(pops, pushes)` when the branch is taken, for branches.
            #[allow(unused_variables)]
            pub fn jump_effect(&self) -> Option<(u32, u32)> {
                match *self { $( Op::$name $({ $($f),* })? => ops!(@jump $($jpops, $jpushes)?), )* }
            }

            /// Whether it may raise.
            pub fn can_fail(&self) -> bool {
                match self { $( Op::$name { .. } => ops!(@flag fails; $($($flag)*)?), )* }
            }

            /// Whether it ends its block with no fall-through.
            pub fn is_terminator(&self) -> bool {
                match self { $( Op::$name { .. } => ops!(@flag term; $($($flag)*)?), )* }
            }
        }
    };
    (@jump) => { None };
    (@jump $p:expr, $q:expr) => { Some(($p, $q)) };
    (@flag $want:ident;) => { false };
    (@flag fails; fails $($rest:ident)*) => { true };
    (@flag term; term $($rest:ident)*) => { true };
    (@flag $want:ident; $other:ident $($rest:ident)*) => { ops!(@flag $want; $($rest)*) };
}

ops! {
    /// Does nothing.
    Nop = [0, 0];
    /// Function entry / resume point (3.11+ `RESUME`): checks the eval breaker.
    Resume { kind: u32 } = [0, 0] | fails;
    /// Pops and discards the top of the stack.
    PopTop = [1, 0];
    /// Rotates the top `n` items: the top moves down to position `n`.
    Rot { n: u32 } = [n, n];
    /// Duplicates the top `n` items (`DUP_TOP`, `DUP_TOP_TWO`, 2.7 `DUP_TOPX n`).
    Dup { n: u32 } = [n, 2 * n];
    /// Pushes a copy of the `n`-th item (1 = top).
    Copy { n: u32 } = [n, n + 1];
    /// Swaps the top with the `n`-th item.
    Swap { n: u32 } = [n, n];
    /// Pushes NULL (3.11+ call sequences).
    PushNull = [0, 1];
    /// Pushes constant `index`.
    LoadConst { index: u32 } = [0, 1];
    /// Pushes local `local`; `checked` raises `UnboundLocalError` if it is unbound.
    LoadFast { local: u32, checked: bool } = [0, 1] | fails;
    /// Pushes local `local` (or NULL) and unbinds it (3.12+ inlined comprehensions).
    LoadFastAndClear { local: u32 } = [0, 1];
    /// Pops into local `local`.
    StoreFast { local: u32 } = [1, 0];
    /// Unbinds local `local`.
    DeleteFast { local: u32 } = [0, 0] | fails;
    /// Pushes the contents of cell/free slot `slot` (index into locals+cells+frees).
    LoadDeref { slot: u32 } = [0, 1] | fails;
    /// Pops into cell/free slot `slot`.
    StoreDeref { slot: u32 } = [1, 0];
    /// Empties cell `slot`.
    DeleteDeref { slot: u32 } = [0, 0] | fails;
    /// Pushes the cell object in slot `slot`.
    LoadClosure { slot: u32 } = [0, 1];
    /// Class body: name from the class namespace, else the cell `slot`.
    LoadClassDeref { slot: u32 } = [0, 1] | fails;
    /// 3.11+: turns local `slot` into a cell.
    MakeCell { slot: u32 } = [0, 0] | fails;
    /// 3.11+: copies `n` free variables from the closure into the frame.
    CopyFreeVars { n: u32 } = [0, 0];
    /// Pushes global or builtin `name` (and a NULL for a following call).
    LoadGlobal { name: u32, null: NullPush } = [0, 1 + null.slots()] | fails;
    /// Pops into global `name`.
    StoreGlobal { name: u32 } = [1, 0] | fails;
    /// Deletes global `name`.
    DeleteGlobal { name: u32 } = [0, 0] | fails;
    /// Pushes `name` from locals, globals or builtins (module and class bodies).
    LoadName { name: u32 } = [0, 1] | fails;
    /// Pops into local namespace `name`.
    StoreName { name: u32 } = [1, 0] | fails;
    /// Deletes `name` from the local namespace.
    DeleteName { name: u32 } = [0, 0] | fails;
    /// Replaces the top with its attribute `name`.
    LoadAttr { name: u32 } = [1, 1] | fails;
    /// Replaces the top with a method pair for a call (`LOAD_METHOD`, 3.12+ `LOAD_ATTR` bit 0).
    LoadMethod { name: u32, slot: CallSlot } = [1, 2] | fails;
    /// 3.12+ `super().name` and `super(class, self).name` (`two_args`): pops `super, class,
    /// self`, pushes the attribute, or with `method` a method pair laid out as `slot`.
    /// `no_args`: the function takes no positional argument (a zero-argument `super()` there
    /// raises).
    LoadSuperAttr {
        name: u32,
        method: bool,
        two_args: bool,
        slot: CallSlot,
        no_args: bool,
    } = [3, 1 + u32::from(method)] | fails;
    /// `top.name = second`.
    StoreAttr { name: u32 } = [2, 0] | fails;
    /// `del top.name`.
    DeleteAttr { name: u32 } = [1, 0] | fails;
    /// Unary operator.
    Unary { op: UnOp } = [1, 1] | fails;
    /// 3.13 `TO_BOOL`: replaces the top with its truth value.
    ToBool = [1, 1] | fails;
    /// Binary operator (`inplace` for augmented assignment).
    Binary { op: BinOp, inplace: bool } = [2, 1] | fails;
    /// Comparison; `to_bool` (3.13) converts the result to a bool.
    Compare { op: CmpOp, to_bool: bool } = [2, 1] | fails;
    /// `is` / `is not`.
    IsOp { invert: bool } = [2, 1];
    /// `in` / `not in`.
    ContainsOp { invert: bool } = [2, 1] | fails;
    /// `second[top]`.
    Subscr = [2, 1] | fails;
    /// `second[top] = third`.
    StoreSubscr = [3, 0] | fails;
    /// `del second[top]`.
    DeleteSubscr = [2, 0] | fails;
    /// 3.12+ `container[start:stop]`.
    BinarySlice = [3, 1] | fails;
    /// 3.12+ `container[start:stop] = value`.
    StoreSliceOp = [4, 0] | fails;
    /// 2.7 `SLICE+k`: bit 0 has a start, bit 1 a stop.
    Slice27 { kind: u32 } = [1 + (kind & 1) + (kind >> 1 & 1), 1] | fails;
    /// 2.7 `STORE_SLICE+k`.
    StoreSlice27 { kind: u32 } = [2 + (kind & 1) + (kind >> 1 & 1), 0] | fails;
    /// 2.7 `DELETE_SLICE+k`.
    DeleteSlice27 { kind: u32 } = [1 + (kind & 1) + (kind >> 1 & 1), 0] | fails;
    /// Builds a slice object of `n` (2 or 3) items.
    BuildSlice { n: u32 } = [n, 1] | fails;
    /// Builds a tuple of `n` items.
    BuildTuple { n: u32 } = [n, 1] | fails;
    /// Builds a list of `n` items.
    BuildList { n: u32 } = [n, 1] | fails;
    /// Builds a set of `n` items.
    BuildSet { n: u32 } = [n, 1] | fails;
    /// Builds a dict of `pairs` key/value pairs (2.7's `BUILD_MAP` size hint becomes 0 pairs).
    BuildMap { pairs: u32 } = [2 * pairs, 1] | fails;
    /// 2.7 `STORE_MAP`: `map, value, key` → `map`.
    StoreMap = [3, 1] | fails;
    /// Dict from `n` values and a constant key tuple on top.
    BuildConstKeyMap { n: u32 } = [n + 1, 1] | fails;
    /// Concatenates `n` strings.
    BuildString { n: u32 } = [n, 1] | fails;
    /// Builds a tuple/list/set/dict from `n` iterables (3.6–3.8 `BUILD_*_UNPACK`).
    BuildUnpack { kind: u32, n: u32 } = [n, 1] | fails;
    /// Appends the top to the list `depth` below (comprehensions).
    ListAppend { depth: u32 } = [1, 0] | fails;
    /// Adds the top to the set `depth` below.
    SetAdd { depth: u32 } = [1, 0] | fails;
    /// Stores a key/value pair into the dict `depth` below; `key_on_top` before 3.8.
    MapAdd { depth: u32, key_on_top: bool } = [2, 0] | fails;
    /// Extends the list `depth` below with the top.
    ListExtend { depth: u32 } = [1, 0] | fails;
    /// Updates the set `depth` below with the top.
    SetUpdate { depth: u32 } = [1, 0] | fails;
    /// Updates the dict `depth` below with the top.
    DictUpdate { depth: u32 } = [1, 0] | fails;
    /// Merges the top into the dict `depth` below, rejecting duplicate keys (the `**` operands
    /// of a call); the callable, named in errors, is `callee` slots from the top.
    DictMerge { depth: u32, callee: u32 } = [1, 0] | fails;
    /// Converts the list on top to a tuple.
    ListToTuple = [1, 1] | fails;
    /// Unpacks the top into `n` items.
    UnpackSequence { n: u32 } = [1, n] | fails;
    /// Unpacks with a starred target: `before` items, a list, `after` items.
    UnpackEx { before: u32, after: u32 } = [1, before + after + 1] | fails;
    /// Replaces the top with `iter(top)`.
    GetIter = [1, 1] | fails;
    /// Next item of the iterator on top; when exhausted, pops the iterator and jumps.
    ForIter { target: Block } = [1, 2] jump [1, 0] | fails;
    /// 3.12+ `END_FOR` (only reached when the interpreter is instrumented).
    EndFor { pops: u32 } = [pops, 0];
    /// Unconditional jump; backward jumps also check the eval breaker (signals, thread switches).
    Jump { target: Block } = [0, 0] jump [0, 0] | term fails;
    /// Jump that never checks the eval breaker (3.11+ `JUMP_BACKWARD_NO_INTERRUPT`).
    JumpNoInterrupt { target: Block } = [0, 0] jump [0, 0] | term;
    /// Pops the top and jumps if it satisfies `cond`.
    PopJumpIf { cond: Cond, target: Block } = [1, 0] jump [1, 0] | fails;
    /// Jumps keeping the top if its truth is `when`; otherwise pops it.
    JumpIfOrPop { when: bool, target: Block } = [1, 0] jump [0, 0] | fails;
    /// 3.9/3.10: pops exception and class; jumps if the exception does not match.
    JumpIfNotExcMatch { target: Block } = [2, 0] jump [2, 0] | fails;
    /// Returns the top.
    Return = [1, 0] | term;
    /// Returns constant `index` (3.12+ `RETURN_CONST`).
    ReturnConst { index: u32 } = [0, 0] | term;
    /// Calls with `argc` arguments (keyword values included) below the keyword names.
    Call { argc: u32, kw: KwNames, slot: CallSlot } = [argc + kw.slots() + slot.slots(), 1] | fails;
    /// 3.x: the call `super()` without arguments, in a function with a `__class__` cell (a
    /// `Call` with no argument of the global `super`, marked by the compiler's caller, which
    /// knows the names; 3.12+ compile `super().name` to [`Op::LoadSuperAttr`] instead). The builtin `super` gets the class in local slot `class_slot`
    /// (a cell) and the first argument in local slot `self_slot` (a cell if `self_cell`), as
    /// the interpreter finds them in the calling frame; anything else bound to the name is
    /// called without arguments. `no_args`: the function takes no positional argument.
    CallSuper {
        slot: CallSlot,
        class_slot: u32,
        self_slot: u32,
        self_cell: bool,
        no_args: bool,
    } = [slot.slots(), 1] | fails;
    /// 2.7 call: `npos` positional, `nkw` name/value pairs, optional `*args` and `**kwargs`.
    Call27 { npos: u32, nkw: u32, var: bool, kwargs: bool } = [1 + npos + 2 * nkw + u32::from(var) + u32::from(kwargs), 1] | fails;
    /// `callable(*args, **kwargs)`.
    CallEx { kwargs: bool, slot: CallSlot } = [1 + u32::from(kwargs) + slot.slots(), 1] | fails;
    /// 3.12+ intrinsic function `index` of one (`two` false) or two arguments.
    CallIntrinsic { index: u32, two: bool } = [1 + u32::from(two), 1] | fails;
    /// Makes a function: 3.x `flags` (defaults 1, kwdefaults 2, annotations 4, closure 8),
    /// `qualname` on the stack before 3.11.
    MakeFunction { flags: u32, qualname: bool } = [1 + u32::from(qualname) + (flags & 15).count_ones(), 1] | fails;
    /// 2.7 `MAKE_FUNCTION`/`MAKE_CLOSURE`: code, `ndefaults` defaults, optional closure.
    MakeFunction27 { ndefaults: u32, closure: bool } = [1 + ndefaults + u32::from(closure), 1] | fails;
    /// 3.13 `SET_FUNCTION_ATTRIBUTE flag`.
    SetFunctionAttribute { flag: u32 } = [2, 1];
    /// f-string conversion (`conv`: 0 none, 1 str, 2 repr, 3 ascii) and formatting with a spec.
    FormatValue { conv: u32, spec: bool } = [1 + u32::from(spec), 1] | fails;
    /// 3.13 `CONVERT_VALUE`.
    ConvertValue { conv: u32 } = [1, 1] | fails;
    /// 3.13 `FORMAT_SIMPLE`.
    FormatSimple = [1, 1] | fails;
    /// 3.13 `FORMAT_WITH_SPEC`.
    FormatWithSpec = [2, 1] | fails;
    /// `raise` with `n` operands (0: re-raise).
    Raise { n: u32 } = [n, 0] | term fails;
    /// Re-raises the exception on top (3.9+ `RERAISE`; pops `items` stack slots).
    Reraise { items: u32 } = [items, 0] | term fails;
    /// Pushes `AssertionError`.
    LoadAssertionError = [0, 1];
    /// Block stack (≤3.10): pushes a block whose handler is `target`, entered with `handler`
    /// more items than the block's level (the exception: 3 in 2.7, 6 in 3.x; 0 for loops).
    SetupBlock { kind: BlockKind, target: Block, handler: u32 } = [0, 0] jump [0, handler];
    /// `SETUP_WITH`: enters the context manager, pushes `__exit__` and a `With` block.
    SetupWith { target: Block, handler: u32 } = [1, 2] jump [1, 1 + handler] | fails;
    /// Pops the innermost block.
    PopBlock = [0, 0];
    /// ≤3.10 `POP_EXCEPT` (3 slots from 3.7, handled elsewhere in 3.6) / 3.11+ (1 slot).
    PopExcept { items: u32 } = [items, 0];
    /// ≤3.8 `END_FINALLY`: resumes what the finally block interrupted (pops `items` as the
    /// compiler counts them: 3 in 2.7, 6 in 3.x).
    EndFinally { items: u32 } = [items, 0] | fails;
    /// 3.8 `BEGIN_FINALLY`: enters the finally block with no exception (6 NULL slots).
    BeginFinally = [0, 6];
    /// 3.8 `CALL_FINALLY`: pushes the return address and jumps.
    CallFinally { target: Block } = [0, 0] jump [0, 1];
    /// 3.8 `POP_FINALLY`: leaves a finally block early (6 slots), keeping the top if asked.
    PopFinally { preserve_tos: bool } = [6 + u32::from(preserve_tos), u32::from(preserve_tos)] | fails;
    /// 3.6–3.8 `WITH_CLEANUP_START`: calls `__exit__`.
    WithCleanupStart = [1, 3] | fails;
    /// 3.6–3.8 `WITH_CLEANUP_FINISH`: decides whether `__exit__` swallowed the exception.
    WithCleanupFinish = [3, 0] | fails;
    /// 2.7 `WITH_CLEANUP`: calls `__exit__` and decides whether to swallow the exception.
    WithCleanup27 = [1, 0] | fails;
    /// 3.9+ `WITH_EXCEPT_START`: calls `__exit__`, `exit` items below the top, with the
    /// exception in the top `items` (3: traceback, value, type up to 3.10; 1: the value).
    WithExceptStart { exit: u32, items: u32 } = [0, 1] | fails;
    /// 3.11+ `BEFORE_WITH`: pushes `__exit__` and the result of `__enter__`.
    BeforeWith = [1, 2] | fails;
    /// ≤3.7 `BREAK_LOOP`.
    BreakLoop = [0, 0] | term;
    /// ≤3.7 `CONTINUE_LOOP`.
    ContinueLoop { target: Block } = [0, 0] jump [0, 0] | term;
    /// 3.11+ `PUSH_EXC_INFO`: makes the exception on top current, below it the previous one.
    PushExcInfo = [1, 2];
    /// 3.11+ `CHECK_EXC_MATCH`: pushes whether the exception below matches the class on top.
    CheckExcMatch = [2, 2] | fails;
    /// Imports module `name` (pops fromlist and level).
    ImportName { name: u32 } = [2, 1] | fails;
    /// Pushes attribute `name` of the module on top.
    ImportFrom { name: u32 } = [1, 2] | fails;
    /// 3.x `LOAD_BUILD_CLASS`: pushes the builtins' `__build_class__`.
    LoadBuildClass = [0, 1] | fails;
    /// 2.7 `BUILD_CLASS`: makes a class from the name, the bases and the body's namespace.
    BuildClass27 = [3, 1] | fails;
    /// 2.7 `PRINT_ITEM` (`to` 0) and `PRINT_ITEM_TO` (`to` 1, the stream on top): writes the
    /// value with the `print` statement's soft-space rules.
    PrintItem { to: u32 } = [1 + to, 0] | fails;
    /// 2.7 `PRINT_NEWLINE` (`to` 0) and `PRINT_NEWLINE_TO` (`to` 1, the stream on top).
    PrintNewline { to: u32 } = [to, 0] | fails;
    /// 3.11+ `SEND`: sends the top into the sub-iterator below; jumps when it is exhausted
    /// (3.11 also pops the iterator on that path).
    Send { target: Block, exit_pops: u32 } = [2, 2] jump [2, 2 - exit_pops] | fails;
    /// Generator and coroutine operations, class bodies, printing and the like: compiled later.
    Other { opcode: &'static str, arg: u32, pops: u32, pushes: u32 } = [pops, pushes] | fails;
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = format!("{self:?}");
        // `Binary { op: Add, inplace: false }` → `Binary op=Add inplace=false`
        let mut s = s
            .replacen(" {", "", 1)
            .replace(" }", "")
            .replace(": ", "=")
            .replace(", ", " ");
        // `target=Block(3)` → `target=bb3`
        while let Some(i) = s.find("Block(") {
            let close = s[i..].find(')').map_or(s.len(), |c| i + c);
            let n = s[i + 6..close].to_string();
            s.replace_range(i..=close.min(s.len() - 1), &format!("bb{n}"));
        }
        f.write_str(&s)
    }
}
