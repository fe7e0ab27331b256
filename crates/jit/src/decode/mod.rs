//! Bytecode → IR, for every era.
//!
//! Three encodings, one module each, all reading the *unspecialised* code (`co_code`, which 3.11+
//! returns de-optimised; never the quickened or instrumented bytes):
//! * [`classic`]: 2.7, 1-byte opcodes with an optional 2-byte argument, 16-bit `EXTENDED_ARG`;
//! * [`wordcode`]: 3.6–3.10, 2-byte units, 8-bit `EXTENDED_ARG` chains, block stack;
//! * [`cached`]: 3.11+, wordcode followed by inline cache units, relative jumps only, exception
//!   table ([`exctable`]).
//!
//! Which era applies is read from the descriptor's data (`EXTENDED_ARG` width, inline caches),
//! never from a version list. Each era yields [`Raw`] instructions with prefixes folded and jump
//! targets resolved to byte offsets; [`translate`] maps opcode names to version-neutral
//! [`Op`]s; this module then cuts blocks, rewrites targets to blocks and computes the stack depth
//! before every instruction along all edges (exception edges included).

pub mod cached;
pub mod classic;
pub mod exctable;
pub mod live;
pub mod translate;
pub mod wordcode;

use crate::ir::{Block, BlockData, BlockKind, Function, Handler, Instr, Op};
use anyjit_abi::descriptor::{Descriptor, JumpKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The parts of a code object the decoder reads.
#[derive(Debug, Clone, Default)]
pub struct CodeInput {
    /// `co_name`.
    pub name: String,
    /// `co_code` (unspecialised).
    pub code: Vec<u8>,
    /// 3.11+ `co_exceptiontable` (empty before).
    pub exception_table: Vec<u8>,
    /// Number of plain locals (≤3.10 cell/free indices follow them).
    pub nlocals: u32,
    /// `co_stacksize`.
    pub stacksize: u32,
    /// Parameters (positional, keyword-only, `*args`, `**kwargs`): the first local slots,
    /// bound on entry.
    pub nparams: u32,
    /// Line ranges: `(start, end, line)` in byte offsets, `None` for code with no line (3.10+).
    pub lines: Vec<(u32, u32, Option<u32>)>,
}

/// Line ranges from a 2.7–3.9 `co_lnotab`: pairs of (byte increment, line increment), the line
/// increment unsigned in 2.7 and signed from 3.6.
pub fn lnotab_lines(
    lnotab: &[u8],
    firstlineno: u32,
    code_len: u32,
    signed: bool,
) -> Vec<(u32, u32, Option<u32>)> {
    let mut starts: Vec<(u32, i64)> = vec![(0, i64::from(firstlineno))];
    let (mut addr, mut line) = (0u32, i64::from(firstlineno));
    for pair in lnotab.chunks_exact(2) {
        if pair[0] != 0 {
            addr += u32::from(pair[0]);
            starts.push((addr, line));
        }
        line += if signed {
            i64::from(pair[1] as i8)
        } else {
            i64::from(pair[1])
        };
        if let Some(last) = starts.last_mut() {
            if last.0 == addr {
                last.1 = line;
            } else {
                starts.push((addr, line));
            }
        }
    }
    let mut out = Vec::new();
    for (i, &(start, l)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(code_len, |n| n.0);
        if end > start {
            out.push((start, end, u32::try_from(l).ok()));
        }
    }
    out
}

/// Why a code object could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// An opcode number the descriptor does not know.
    UnknownOpcode {
        /// Byte offset.
        offset: u32,
        /// The number.
        opcode: u8,
    },
    /// An opcode the decoder has no stack model for.
    Unmodelled {
        /// Byte offset.
        offset: u32,
        /// Opcode name.
        name: &'static str,
    },
    /// Truncated or inconsistent bytecode.
    Malformed {
        /// Byte offset.
        offset: u32,
        /// What is wrong.
        what: String,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::UnknownOpcode { offset, opcode } => {
                write!(f, "unknown opcode {opcode} at offset {offset}")
            }
            DecodeError::Unmodelled { offset, name } => {
                // (the construct, where the opcode has one only)
                if name.starts_with("MATCH_") || *name == "COPY_DICT_WITHOUT_KEYS" {
                    write!(f, "match statements: ")?;
                }
                write!(
                    f,
                    "opcode {name} at offset {offset} is not supported by the decoder yet"
                )
            }
            DecodeError::Malformed { offset, what } => {
                write!(f, "malformed bytecode at offset {offset}: {what}")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// One bytecode instruction with its prefixes folded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw {
    /// Offset of the first `EXTENDED_ARG` prefix (jumps land here).
    pub start: u32,
    /// Offset of the opcode itself.
    pub offset: u32,
    /// Opcode number.
    pub opcode: u8,
    /// Name from the descriptor.
    pub name: &'static str,
    /// Folded argument.
    pub arg: u32,
    /// Offset of the next instruction (after inline caches).
    pub next: u32,
    /// Jump target byte offset, for jumps.
    pub target: Option<u32>,
}

/// The encoding era of a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2.7.
    Classic,
    /// 3.6–3.10.
    Wordcode,
    /// 3.11+.
    Cached,
}

impl Era {
    /// The era a descriptor's data describes.
    pub fn of(desc: &Descriptor) -> Era {
        if desc.opcodes.extended_arg_shift == 16 {
            Era::Classic
        } else if desc.caps.inline_caches {
            Era::Cached
        } else {
            Era::Wordcode
        }
    }
}

/// Jump target of a raw instruction for a given jump kind and unit.
pub(crate) fn resolve_target(kind: JumpKind, next: u32, arg: u32, unit: u32) -> Option<u32> {
    match kind {
        JumpKind::None => None,
        JumpKind::Forward => Some(next + arg * unit),
        JumpKind::Backward => next.checked_sub(arg * unit),
        JumpKind::Absolute => Some(arg * unit),
    }
}

/// The raw instruction stream of a code object, one line per instruction (`anyjit dump bytecode`).
pub fn raw_listing(desc: &Descriptor, input: &CodeInput) -> Result<String, DecodeError> {
    use std::fmt::Write;
    let raws = raw_instructions(desc, input)?;
    let mut out = format!(
        "code {}: {} instructions ({:?} era, {})\n",
        input.name,
        raws.len(),
        Era::of(desc),
        desc.id
    );
    for r in &raws {
        let target = r.target.map(|t| format!("  -> {t}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:>5}  {:<28} {:>6}{target}",
            r.offset, r.name, r.arg
        );
    }
    Ok(out)
}

fn raw_instructions(desc: &Descriptor, input: &CodeInput) -> Result<Vec<Raw>, DecodeError> {
    match Era::of(desc) {
        Era::Classic => classic::instructions(desc, &input.code),
        Era::Wordcode => wordcode::instructions(desc, &input.code),
        Era::Cached => cached::instructions(desc, &input.code),
    }
}

/// Decodes a code object into the IR.
pub fn decode(desc: &Descriptor, input: &CodeInput) -> Result<Function, DecodeError> {
    let raws = raw_instructions(desc, input)?;
    let mut instrs = translate::translate(desc, input, &raws)?;
    unchecked_parameters(&mut instrs, input.nparams);
    let handlers_raw = if desc.caps.exception_table {
        exctable::parse(&input.exception_table)
            .map_err(|what| DecodeError::Malformed { offset: 0, what })?
    } else {
        Vec::new()
    };

    // Leaders: the entry, every jump target, every handler, and every instruction after a
    // branch or terminator.
    let starts: BTreeMap<u32, usize> = {
        let mut m = BTreeMap::new();
        for (i, ins) in instrs.iter().enumerate() {
            m.entry(ins.start).or_insert(i);
        }
        m
    };
    let index_of = |offset: u32, at: u32| -> Result<usize, DecodeError> {
        starts.get(&offset).copied().ok_or(DecodeError::Malformed {
            offset: at,
            what: format!("jump or handler target {offset} is not an instruction"),
        })
    };
    let mut leaders: BTreeSet<usize> = BTreeSet::new();
    leaders.insert(0);
    for (i, ins) in instrs.iter().enumerate() {
        if let Some(t) = ins.target_offset {
            leaders.insert(index_of(t, ins.offset)?);
        }
        if (ins.op.target().is_some() || ins.op.is_terminator()) && i + 1 < instrs.len() {
            leaders.insert(i + 1);
        }
    }
    for h in &handlers_raw {
        leaders.insert(index_of(h.target, h.start)?);
    }
    let leaders: Vec<usize> = leaders.into_iter().collect();
    let block_of_index = |i: usize| Block(leaders.binary_search(&i).expect("leader") as u32);
    let mut blocks = Vec::new();
    for (n, &s) in leaders.iter().enumerate() {
        let e = leaders.get(n + 1).copied().unwrap_or(instrs.len());
        blocks.push(BlockData {
            start: s,
            end: e,
            offset: instrs[s].offset,
        });
    }
    for ins in instrs.iter_mut() {
        if let Some(t) = ins.target_offset {
            let b = block_of_index(starts[&t]);
            ins.op.set_target(b);
        }
    }
    let handlers: Vec<Handler> = handlers_raw
        .iter()
        .map(|h| Handler {
            start: h.start,
            end: h.end,
            target: block_of_index(starts[&h.target]),
            depth: h.depth,
            lasti: h.lasti,
        })
        .collect();

    let mut func = Function {
        name: input.name.clone(),
        instrs: instrs
            .into_iter()
            .map(|p| Instr {
                op: p.op,
                offset: p.offset,
                opname: p.name,
                arg: p.arg,
                depth: None,
                line: input
                    .lines
                    .iter()
                    .find(|(s, e, _)| *s <= p.offset && p.offset < *e)
                    .and_then(|l| l.2),
            })
            .collect(),
        blocks,
        handlers,
        stacksize: input.stacksize,
        max_depth: 0,
    };
    compute_depths(&mut func)?;
    Ok(func)
}

/// Reads of a parameter that nothing in the function unbinds (`del`, 3.12's comprehension
/// clearing) need no check for an unbound local: the parameter is bound on entry and stays so
/// on every path (up to 3.11 every `LOAD_FAST` says it may need one).
fn unchecked_parameters(instrs: &mut [Pending], nparams: u32) {
    let killed: BTreeSet<u32> = instrs
        .iter()
        .filter_map(|p| match p.op {
            Op::DeleteFast { local } | Op::LoadFastAndClear { local } => Some(local),
            _ => None,
        })
        .collect();
    for p in instrs.iter_mut() {
        if let Op::LoadFast {
            local,
            checked: true,
        } = p.op
        {
            if local < nparams && !killed.contains(&local) {
                p.op = Op::LoadFast {
                    local,
                    checked: false,
                };
            }
        }
    }
}

/// An instruction before blocks exist.
#[derive(Debug, Clone, Copy)]
pub struct Pending {
    /// The operation (targets are placeholders until blocks exist).
    pub op: Op,
    /// Offset of the first prefix of the bytecode instruction.
    pub start: u32,
    /// Offset of its opcode.
    pub offset: u32,
    /// Opcode name.
    pub name: &'static str,
    /// Folded argument.
    pub arg: u32,
    /// Target byte offset, for branches.
    pub target_offset: Option<u32>,
}

/// Stack depth before every instruction, propagated along fall-through, jump and exception
/// edges. Each block keeps the shallowest and the deepest depth it is entered with: 2.7–3.8
/// `finally` blocks are entered with different depths on different paths (a `None` on the normal
/// path, the exception's items on the exceptional one). The deepest sizes the stack;
/// `END_FINALLY` falls through only on the normal path, so it continues from the shallowest, less
/// the `None`, or from the deepest less the handler's items when only exceptions reach it.
/// (3.6's `except ... as name` even pops the handled exception below the block's level before
/// its finally block; this rule covers it too.) Code that only exceptions reach (a handler, and
/// whatever it jumps to) carries no normal path: its `END_FINALLY` re-raises or finishes a
/// pending return or break and never falls through, so what follows it there is unreachable
/// (3.6 leaves a jump back to the loop after an `except ... as name:` block that returns).
fn compute_depths(func: &mut Function) -> Result<(), DecodeError> {
    let nblocks = func.blocks.len();
    // per block: shallowest and deepest entry depth, and whether only exceptions enter it
    let mut entry: Vec<Option<(u32, u32, bool)>> = vec![None; nblocks];
    // A 3.10 generator starts with the value sent by its first resumption on the stack, which
    // GEN_START pops.
    let first_is_gen_start = matches!(
        func.instrs.first().map(|i| i.op),
        Some(Op::Other {
            opcode: "GEN_START",
            ..
        })
    );
    let d0 = u32::from(first_is_gen_start);
    entry[0] = Some((d0, d0, false));
    // `finally` blocks: reached other than by their handler edge, they are entered normally
    // (with None), even from code only exceptions reach (a try/finally inside an except)
    let mut normal_entry = vec![false; nblocks];
    for ins in &func.instrs {
        if let Op::SetupBlock {
            kind: BlockKind::Finally,
            target,
            ..
        } = ins.op
        {
            normal_entry[target.0 as usize] = true;
        }
    }
    let mut work: Vec<usize> = vec![0];
    let mut max_depth = 0u32;
    let mut visits = 0usize;
    let merge = |t: usize,
                 lo: u32,
                 hi: u32,
                 exc: bool,
                 work: &mut Vec<usize>,
                 entry: &mut Vec<Option<(u32, u32, bool)>>| {
        let new = match entry[t] {
            None => (lo, hi, exc),
            Some((a, b, e)) => (a.min(lo), b.max(hi), e && exc),
        };
        if entry[t] != Some(new) {
            entry[t] = Some(new);
            work.push(t);
        }
    };
    let apply =
        |d: u32, pops: u32, pushes: u32, op: &Op, offset: u32| -> Result<u32, DecodeError> {
            Ok(d.checked_sub(pops).ok_or(DecodeError::Malformed {
                offset,
                what: format!("{} pops {pops} at depth {d}", op.name()),
            })? + pushes)
        };
    while let Some(b) = work.pop() {
        visits += 1;
        if visits > 64 * nblocks + 64 {
            return Err(DecodeError::Malformed {
                offset: func.blocks[b].offset,
                what: "stack depths do not settle".into(),
            });
        }
        let (mut lo, mut hi, exc) = entry[b].expect("queued blocks have a depth");
        let data = func.blocks[b].clone();
        let mut falls_through = true;
        for i in data.start..data.end {
            let ins = &mut func.instrs[i];
            ins.depth = Some(ins.depth.map_or(hi, |d| d.max(hi)));
            max_depth = max_depth.max(hi);
            let offset = ins.offset;
            let op = ins.op;
            if let Some(h) = func
                .handlers
                .iter()
                .find(|h| h.start <= offset && offset < h.end)
                .copied()
            {
                let d = h.entry_depth();
                merge(h.target.0 as usize, d, d, true, &mut work, &mut entry);
            }
            // `continue` inside a try block (≤3.7 CONTINUE_LOOP) unwinds the inner blocks before
            // jumping to the loop head, whose depth the loop's normal entry already gives.
            // A 3.8 `CALL_FINALLY` enters its finally block shallower than the exception does,
            // but comes back to its own return point instead of falling out of the block: the
            // exception edge of the `SETUP_FINALLY` gives the block its depth.
            let unwinds = matches!(op, Op::ContinueLoop { .. } | Op::CallFinally { .. });
            if let (Some(target), Some((jp, jq)), false) = (op.target(), op.jump_effect(), unwinds)
            {
                let (jlo, jhi) = (
                    apply(lo, jp, jq, &op, offset)?,
                    apply(hi, jp, jq, &op, offset)?,
                );
                max_depth = max_depth.max(jhi);
                // an `except` or `finally` handler's own entry is exceptional; a `with`
                // block's cleanup may swallow the exception and fall through, so it never is;
                // any other jump carries the path's own state
                let t = target.0 as usize;
                let exc_edge = match op {
                    Op::SetupBlock {
                        kind: BlockKind::Except | BlockKind::Finally,
                        ..
                    } => true,
                    Op::SetupBlock {
                        kind: BlockKind::With | BlockKind::AsyncWith,
                        ..
                    }
                    | Op::SetupWith { .. } => false,
                    _ => exc && !normal_entry[t],
                };
                merge(t, jlo, jhi, exc_edge, &mut work, &mut entry);
            }
            if let (Op::EndFinally { .. }, true) = (op, exc) {
                falls_through = false;
                break;
            }
            if let Op::EndFinally { items } = op {
                // The normal path carries a None (the shallowest entry less one); the deepest
                // entry less what its handler pushed bounds it when only exceptions get here.
                let d = apply(lo, 1, 0, &op, offset)?.min(apply(hi, items, 0, &op, offset)?);
                (lo, hi) = (d, d);
            } else {
                let (pops, pushes) = op.stack_effect();
                lo = apply(lo, pops, pushes, &op, offset)?;
                hi = apply(hi, pops, pushes, &op, offset)?;
            }
            max_depth = max_depth.max(hi);
            if op.is_terminator() {
                falls_through = false;
                break;
            }
        }
        if falls_through && b + 1 < nblocks {
            merge(
                b + 1,
                lo,
                hi,
                exc && !normal_entry[b + 1],
                &mut work,
                &mut entry,
            );
        }
    }
    func.max_depth = max_depth;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{verifier, Cond};

    fn desc(id: &str) -> &'static Descriptor {
        anyjit_versions::by_id(id).expect("committed descriptor")
    }

    fn op(d: &Descriptor, name: &str) -> u8 {
        d.opcodes
            .by_name(name)
            .unwrap_or_else(|| panic!("{name}"))
            .number as u8
    }

    #[test]
    fn classic_folds_16_bit_extended_args() {
        let d = desc("cpython-2.7.18-x86_64-linux-gnu");
        // EXTENDED_ARG 1; LOAD_CONST 0x1170 -> constant 70000; RETURN_VALUE
        let code = vec![
            op(d, "EXTENDED_ARG"),
            1,
            0,
            op(d, "LOAD_CONST"),
            0x70,
            0x11,
            op(d, "RETURN_VALUE"),
        ];
        let f = decode(
            d,
            &CodeInput {
                code,
                stacksize: 1,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(f.instrs[0].op, Op::LoadConst { index: 70000 });
        assert_eq!((f.instrs[0].offset, f.instrs[1].offset), (3, 6));
        assert!(verifier::verify(&f).is_empty());
    }

    #[test]
    fn wordcode_chains_8_bit_extended_args_and_counts_jumps_in_the_right_unit() {
        for (id, unit) in [
            ("cpython-3.9.18-x86_64-linux-gnu", 1),
            ("cpython-3.10.13-x86_64-linux-gnu", 2),
        ] {
            let d = desc(id);
            // 0: LOAD_FAST 0; 2: POP_JUMP_IF_FALSE -> 8; 4: EXTENDED_ARG 1; 6: LOAD_CONST 0x100;
            // 8: LOAD_CONST 0; 10: RETURN_VALUE   (3.10 counts the absolute target in units)
            let code = vec![
                op(d, "LOAD_FAST"),
                0,
                op(d, "POP_JUMP_IF_FALSE"),
                8 / unit,
                op(d, "EXTENDED_ARG"),
                1,
                op(d, "LOAD_CONST"),
                0,
                op(d, "LOAD_CONST"),
                0,
                op(d, "RETURN_VALUE"),
                0,
            ];
            let f = decode(
                d,
                &CodeInput {
                    code,
                    stacksize: 2,
                    nlocals: 1,
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(f.instrs[2].op, Op::LoadConst { index: 256 }, "{id}");
            let Op::PopJumpIf {
                cond: Cond::False,
                target,
            } = f.instrs[1].op
            else {
                panic!("{id}")
            };
            assert_eq!(f.blocks[target.0 as usize].offset, 8, "{id}");
            assert_eq!(
                f.instrs[3].depth,
                Some(1),
                "{id}: both paths reach 8 with the branch popped"
            );
            assert!(verifier::verify(&f).is_empty(), "{id}");
        }
    }

    #[test]
    fn cached_skips_caches_and_splits_superinstructions() {
        let d = desc("cpython-3.13.0-x86_64-linux-gnu");
        let caches = |n: &str| d.opcodes.by_name(n).unwrap().caches as usize;
        // RESUME 0; LOAD_FAST_LOAD_FAST (0, 1); BINARY_OP + [cache]; RETURN_VALUE
        let nb_add = d.constant("NB_ADD").unwrap() as u8;
        let mut code = vec![
            op(d, "RESUME"),
            0,
            op(d, "LOAD_FAST_LOAD_FAST"),
            0x01,
            op(d, "BINARY_OP"),
            nb_add,
        ];
        code.extend(std::iter::repeat_n(0, 2 * caches("BINARY_OP")));
        code.extend([op(d, "RETURN_VALUE"), 0]);
        let f = decode(
            d,
            &CodeInput {
                code,
                stacksize: 2,
                nlocals: 2,
                ..Default::default()
            },
        )
        .unwrap();
        let ops: Vec<Op> = f.instrs.iter().map(|i| i.op).collect();
        assert_eq!(
            ops,
            vec![
                Op::Resume { kind: 0 },
                Op::LoadFast {
                    local: 0,
                    checked: false
                },
                Op::LoadFast {
                    local: 1,
                    checked: false
                },
                Op::Binary {
                    op: crate::ir::BinOp::Add,
                    inplace: false
                },
                Op::Return,
            ]
        );
        assert_eq!(f.instrs[4].offset, 6 + 2 * caches("BINARY_OP") as u32);
        assert_eq!(f.max_depth, 2);
    }

    #[test]
    fn bad_bytecode_is_an_error_not_a_panic() {
        let d = desc("cpython-3.12.1-x86_64-linux-gnu");
        let odd = CodeInput {
            code: vec![op(d, "NOP")],
            ..Default::default()
        };
        assert!(matches!(
            decode(d, &odd),
            Err(DecodeError::Malformed { .. })
        ));
        let underflow = CodeInput {
            code: vec![op(d, "POP_TOP"), 0],
            ..Default::default()
        };
        assert!(matches!(
            decode(d, &underflow),
            Err(DecodeError::Malformed { .. })
        ));
        let wild = CodeInput {
            code: vec![op(d, "JUMP_FORWARD"), 9, op(d, "NOP"), 0],
            ..Default::default()
        };
        assert!(matches!(
            decode(d, &wild),
            Err(DecodeError::Malformed { .. })
        ));
        let n = (0..=255u8)
            .find(|n| d.opcodes.by_number(*n).is_none())
            .expect("3.12 leaves numbers unused");
        let bad = CodeInput {
            code: vec![n, 0],
            ..Default::default()
        };
        assert!(matches!(
            decode(d, &bad),
            Err(DecodeError::UnknownOpcode { .. })
        ));
    }
}
