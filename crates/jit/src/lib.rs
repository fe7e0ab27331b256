//! # anyjit-jit: from CPython bytecode to native code
//!
//! This crate owns the compiler proper: one bytecode decoder per era ([`decode`]: 2.7, wordcode
//! 3.6–3.10, cached 3.11+) into a version-neutral IR ([`ir`]), type speculation from the
//! feedback the first compiled code records ([`spec`]), and LLVM code generation driven by an
//! [`anyjit_abi::Descriptor`] ([`codegen`]: generic and specialised code), with the run-time
//! support compiled code calls ([`runtime`]). It does not detect
//! interpreters or hold per-build data (that is `anyjit-abi` and `anyjit-versions`), and it never
//! calls the C API except through `anyjit_abi::CApi`.
//!
//! Supported bytecode: CPython 2.7 and 3.6 to 3.13.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod codegen;
pub mod decode;
pub mod ir;
pub mod native;
pub mod runtime;
pub mod spec;
