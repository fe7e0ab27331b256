//! Checks the invariants of a decoded [`Function`]:
//!
//! 1. blocks tile the instruction list in order, `bb0` starts at instruction 0, none is empty;
//! 2. every branch target and handler target is a block, and every block starts at a bytecode
//!    instruction boundary reached by a jump, a handler, or a preceding branch/terminator;
//! 3. branches and terminators end their block;
//! 4. no reachable instruction pops more than the stack holds (depths were computed with checked
//!    arithmetic) and the deepest stack fits in `co_stacksize`;
//! 5. handler ranges are non-empty and target blocks;
//! 6. the entry depth is 0 (1 for a 3.10 generator, which starts with the value sent to it).

use super::Function;

/// Returns every violated invariant (empty when the function is well formed).
pub fn verify(func: &Function) -> Vec<String> {
    let mut errors = Vec::new();
    let n = func.instrs.len();
    if func.blocks.is_empty() {
        if n > 0 {
            errors.push("instructions but no blocks".into());
        }
        return errors;
    }
    if func.blocks[0].start != 0 {
        errors.push("bb0 does not start at instruction 0".into());
    }
    for (i, b) in func.blocks.iter().enumerate() {
        if b.start >= b.end {
            errors.push(format!("bb{i} is empty"));
        }
        if let Some(next) = func.blocks.get(i + 1) {
            if next.start != b.end {
                errors.push(format!(
                    "bb{i} ends at {} but bb{} starts at {}",
                    b.end,
                    i + 1,
                    next.start
                ));
            }
        } else if b.end != n {
            errors.push(format!(
                "the last block ends at {} of {n} instructions",
                b.end
            ));
        }
        for (j, ins) in func.instrs[b.start..b.end].iter().enumerate() {
            let last = b.start + j + 1 == b.end;
            if (ins.op.target().is_some() || ins.op.is_terminator()) && !last {
                errors.push(format!(
                    "{} at offset {} does not end bb{i}",
                    ins.op.name(),
                    ins.offset
                ));
            }
            if let Some(t) = ins.op.target() {
                if t.0 as usize >= func.blocks.len() {
                    errors.push(format!(
                        "{} at offset {} targets missing {t}",
                        ins.op.name(),
                        ins.offset
                    ));
                }
            }
        }
    }
    for h in &func.handlers {
        if h.start >= h.end {
            errors.push(format!("empty handler range {}..{}", h.start, h.end));
        }
        if h.target.0 as usize >= func.blocks.len() {
            errors.push(format!(
                "handler {}..{} targets missing {}",
                h.start, h.end, h.target
            ));
        }
    }
    if func.max_depth > func.stacksize {
        errors.push(format!(
            "max depth {} exceeds co_stacksize {}",
            func.max_depth, func.stacksize
        ));
    }
    if func
        .instrs
        .first()
        .is_some_and(|i| i.depth.is_none_or(|d| d > 1))
    {
        errors.push("entry depth is neither 0 nor 1 (a generator's first sent value)".into());
    }
    errors
}
