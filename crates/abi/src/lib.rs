//! # anyjit-abi: what a CPython build looks like, and how to reach it at run time
//!
//! This crate owns three things and nothing else:
//!
//! * the **descriptor types** ([`Descriptor`], [`Layout`], [`Opcodes`], …): typed data for one
//!   CPython build — identity, opcode table, struct layouts, constants and C API names. The data
//!   itself is generated and lives in `anyjit-versions`;
//! * **detection** ([`detect`]): parsing the running interpreter's version banner and build flags,
//!   choosing a descriptor with semver rules, and explaining in words why none fits;
//! * the **C API symbol table** ([`symbols`], [`capi`]): every C API entry anyjit calls, with every
//!   name it went by, resolved at run time with `libloading` — anyjit never links libpython — and
//!   the one thin layer of `unsafe` calls into it.
//!
//! It does not decode bytecode or generate code (that is `anyjit-jit`), and it holds no
//! per-version numbers in code: versions differ only in data.
//!
//! Supported builds: CPython 2.7 and 3.6 to 3.13, release and debug, UCS2/UCS4 2.x, 32/64-bit,
//! Linux (Windows as data, see the README's support table).

#![deny(unsafe_op_in_unsafe_fn)]

pub mod capi;
pub mod constants;
pub mod descriptor;
pub mod detect;
pub mod discover;
pub mod layouts;
pub mod symbols;
pub mod validate;

pub use capi::CApi;
pub use descriptor::{
    Capabilities, Constant, Descriptor, Identity, JumpKind, JumpUnit, Opcode, Opcodes, Os,
    Provenance, Skipped, SymbolName, Unicode,
};
pub use layouts::Layout;
pub use symbols::{Api, SymbolKind};
