//! 2.7: one-byte opcodes; opcodes at or above `HAVE_ARGUMENT` carry a 2-byte little-endian
//! argument. `EXTENDED_ARG` supplies the upper 16 bits of the next instruction's argument. Jumps
//! count bytes: relative ones from the next instruction, absolute ones from the start.

use super::{resolve_target, DecodeError, Raw};
use anyjit_abi::descriptor::Descriptor;

/// Every instruction of `code`, prefixes folded.
pub fn instructions(desc: &Descriptor, code: &[u8]) -> Result<Vec<Raw>, DecodeError> {
    let ops = &desc.opcodes;
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
        let mut arg = 0u32;
        pos += 1;
        if u16::from(opcode) >= ops.have_argument {
            if pos + 2 > code.len() {
                return Err(DecodeError::Malformed {
                    offset,
                    what: "argument runs past the end".into(),
                });
            }
            arg = u32::from(code[pos]) | u32::from(code[pos + 1]) << 8 | ext << 16;
            pos += 2;
        }
        if op.name == "EXTENDED_ARG" {
            ext = arg;
            start.get_or_insert(offset);
            continue;
        }
        let next = pos as u32;
        out.push(Raw {
            start: start.take().unwrap_or(offset),
            offset,
            opcode,
            name: op.name,
            arg,
            next,
            target: resolve_target(op.jump, next, arg, 1),
        });
        ext = 0;
    }
    Ok(out)
}
