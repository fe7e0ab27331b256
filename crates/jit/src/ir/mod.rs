//! The version-neutral IR: a stack machine in basic blocks.
//!
//! Entities are typed indices ([`Block`] printed `bb3`); instruction data ([`Op`], declared once
//! in [`op`]) is separate from layout ([`BlockData`] ranges over [`Function::instrs`]). Every
//! instruction keeps the bytecode offset it came from and the stack depth before it: together
//! they are the frame state needed to resume the interpreter's view (tracebacks, guards, errors).
//! [`printer`] writes the text form, [`verifier`] checks the invariants.

pub mod op;
pub mod printer;
pub mod verifier;

pub use op::{BinOp, BlockKind, CallSlot, CmpOp, Cond, KwNames, NullPush, Op, UnOp};

use std::fmt;

/// A basic block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block(pub u32);

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bb{}", self.0)
    }
}

/// One IR instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instr {
    /// The operation.
    pub op: Op,
    /// Byte offset in `co_code` of the bytecode instruction it came from (a superinstruction
    /// gives several IR instructions with one offset).
    pub offset: u32,
    /// Bytecode opcode name it came from (for dumps and diagnostics).
    pub opname: &'static str,
    /// Folded bytecode argument.
    pub arg: u32,
    /// Stack depth before the instruction (`None` if unreachable).
    pub depth: Option<u32>,
    /// Source line (`None` where the code has none, as 3.10+ artificial instructions).
    pub line: Option<u32>,
}

/// Layout of one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockData {
    /// Range of [`Function::instrs`].
    pub start: usize,
    /// One past the last instruction.
    pub end: usize,
    /// Byte offset of its first instruction.
    pub offset: u32,
}

/// An exception handler range (3.11+ exception table; ≤3.10 `SETUP_*` blocks are ops).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    /// First covered byte offset.
    pub start: u32,
    /// One past the last covered byte offset.
    pub end: u32,
    /// Handler block.
    pub target: Block,
    /// Stack depth to unwind to.
    pub depth: u32,
    /// Whether the offset of the raising instruction is pushed before the exception.
    pub lasti: bool,
}

impl Handler {
    /// Stack depth at the handler's entry (depth, optional lasti, the exception).
    pub fn entry_depth(&self) -> u32 {
        self.depth + u32::from(self.lasti) + 1
    }
}

/// A decoded function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// `co_name`.
    pub name: String,
    /// Instructions in bytecode order.
    pub instrs: Vec<Instr>,
    /// Blocks in bytecode order; `bb0` is the entry.
    pub blocks: Vec<BlockData>,
    /// Exception table (empty before 3.11).
    pub handlers: Vec<Handler>,
    /// `co_stacksize`.
    pub stacksize: u32,
    /// Deepest stack reached on any path.
    pub max_depth: u32,
}

impl Function {
    /// The block starting at instruction index `i`, if one does.
    pub fn block_at(&self, i: usize) -> Option<Block> {
        self.blocks
            .iter()
            .position(|b| b.start == i)
            .map(|n| Block(n as u32))
    }

    /// The block containing instruction index `i`.
    pub fn block_of(&self, i: usize) -> Block {
        let n = self.blocks.iter().rposition(|b| b.start <= i).unwrap_or(0);
        Block(n as u32)
    }

    /// The handler covering byte offset `offset` (innermost = first match, as CPython searches).
    pub fn handler_for(&self, offset: u32) -> Option<&Handler> {
        self.handlers
            .iter()
            .find(|h| h.start <= offset && offset < h.end)
    }
}

impl Op {
    /// The jump target, for branches.
    pub fn target(&self) -> Option<Block> {
        match *self {
            Op::ForIter { target }
            | Op::Jump { target }
            | Op::JumpNoInterrupt { target }
            | Op::PopJumpIf { target, .. }
            | Op::JumpIfOrPop { target, .. }
            | Op::JumpIfNotExcMatch { target }
            | Op::SetupBlock { target, .. }
            | Op::SetupWith { target, .. }
            | Op::CallFinally { target }
            | Op::Send { target, .. }
            | Op::ContinueLoop { target } => Some(target),
            _ => None,
        }
    }

    /// Rewrites the jump target.
    pub fn set_target(&mut self, new: Block) {
        match self {
            Op::ForIter { target }
            | Op::Jump { target }
            | Op::JumpNoInterrupt { target }
            | Op::PopJumpIf { target, .. }
            | Op::JumpIfOrPop { target, .. }
            | Op::JumpIfNotExcMatch { target }
            | Op::SetupBlock { target, .. }
            | Op::SetupWith { target, .. }
            | Op::CallFinally { target }
            | Op::Send { target, .. }
            | Op::ContinueLoop { target } => *target = new,
            _ => {}
        }
    }
}
