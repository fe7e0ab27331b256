//! 3.11+: wordcode whose instructions are followed by inline cache units (`_PyOpcode_Caches`,
//! skipped here: `co_code` holds them zeroed). Jumps are relative, in code units, counted from
//! the instruction after the caches; backward jumps subtract. No absolute jumps, no block stack:
//! handlers come from the exception table.

use super::{wordcode, DecodeError, Raw};
use anyjit_abi::descriptor::Descriptor;

/// Every instruction of `code`, prefixes folded and caches skipped.
pub fn instructions(desc: &Descriptor, code: &[u8]) -> Result<Vec<Raw>, DecodeError> {
    wordcode::units(desc, code, |op| u32::from(op.caches))
}
