//! The text form of a [`Function`]: one block per paragraph, one instruction per line with its
//! bytecode offset, the stack depth before it, the operation, and the bytecode it came from.
//!
//! ```text
//! function f: 9 instructions, 3 blocks, max depth 2 (co_stacksize 2)
//! bb0:
//!      0   0  LoadFast local=0 checked=true            ; LOAD_FAST 0 (line 2)
//!      2   1  PopJumpIf cond=False target=bb2          ; POP_JUMP_IF_FALSE 8 (line 2)
//! ```

use super::Function;
use std::fmt::Write;

/// Renders a function.
pub fn print(func: &Function) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "function {}: {} instructions, {} blocks, max depth {} (co_stacksize {})",
        func.name,
        func.instrs.len(),
        func.blocks.len(),
        func.max_depth,
        func.stacksize
    );
    for (n, block) in func.blocks.iter().enumerate() {
        let _ = writeln!(out, "bb{n}:");
        for ins in &func.instrs[block.start..block.end] {
            let depth = ins.depth.map_or("-".to_string(), |d| d.to_string());
            let op = ins.op.to_string();
            let line = ins.line.map_or("-".to_string(), |l| l.to_string());
            let _ = writeln!(
                out,
                "  {:>5} {:>3}  {:<44} ; {} {} (line {line})",
                ins.offset, depth, op, ins.opname, ins.arg
            );
        }
    }
    if !func.handlers.is_empty() {
        let _ = writeln!(out, "handlers:");
        for h in &func.handlers {
            let _ = writeln!(
                out,
                "  {}..{} -> {} depth {}{}",
                h.start,
                h.end,
                h.target,
                h.depth,
                if h.lasti { " lasti" } else { "" }
            );
        }
    }
    out
}
