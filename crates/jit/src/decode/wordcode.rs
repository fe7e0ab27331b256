//! 3.6–3.10: every instruction is two bytes, opcode then argument. Each `EXTENDED_ARG` shifts the
//! accumulated argument left by 8 bits. Jumps count bytes up to 3.9 and 2-byte code units from
//! 3.10 (the descriptor's `jump_unit`); relative jumps count from the next instruction.

use super::{resolve_target, DecodeError, Raw};
use anyjit_abi::descriptor::{Descriptor, JumpUnit};

/// Every instruction of `code`, prefixes folded.
pub fn instructions(desc: &Descriptor, code: &[u8]) -> Result<Vec<Raw>, DecodeError> {
    units(desc, code, |_| 0)
}

/// Shared by the wordcode and cached eras: walks 2-byte units, folding `EXTENDED_ARG`, and skips
/// `caches(op)` inline cache units after each instruction.
pub(crate) fn units(
    desc: &Descriptor,
    code: &[u8],
    caches: impl Fn(&anyjit_abi::Opcode) -> u32,
) -> Result<Vec<Raw>, DecodeError> {
    let ops = &desc.opcodes;
    let unit = match ops.jump_unit {
        JumpUnit::Bytes => 1,
        JumpUnit::CodeUnits => 2,
    };
    if !code.len().is_multiple_of(2) {
        return Err(DecodeError::Malformed {
            offset: code.len() as u32,
            what: "odd code length".into(),
        });
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut ext: u32 = 0;
    let mut start: Option<u32> = None;
    while pos < code.len() {
        let offset = pos as u32;
        let opcode = code[pos];
        let op = ops
            .by_number(opcode)
            .ok_or(DecodeError::UnknownOpcode { offset, opcode })?;
        // Opcodes without an argument may carry a stale argument byte (3.10's optimiser leaves
        // them behind); like `dis`, read it as 0.
        let arg = if op.has_arg || op.name == "EXTENDED_ARG" {
            (ext << 8) | u32::from(code[pos + 1])
        } else {
            0
        };
        pos += 2;
        if op.name == "EXTENDED_ARG" {
            ext = arg;
            start.get_or_insert(offset);
            continue;
        }
        pos += 2 * caches(op) as usize;
        let next = pos as u32;
        out.push(Raw {
            start: start.take().unwrap_or(offset),
            offset,
            opcode,
            name: op.name,
            arg,
            next,
            target: resolve_target(op.jump, next, arg, unit),
        });
        ext = 0;
    }
    Ok(out)
}
