//! # anyjit-jit: from CPython bytecode to native code
//!
//! This crate will own the compiler proper: one bytecode decoder per era (2.7, wordcode 3.6-3.10,
//! cached 3.11+) into a version-neutral IR, type feedback, and LLVM code generation driven by a
//! [`anyjit_abi::Descriptor`]. It does not detect interpreters or hold per-build data (that is
//! `anyjit-abi` and `anyjit-versions`), and it never calls the C API except through
//! `anyjit_abi::CApi`.
//!
//! Today it holds the LLVM host set-up shared by every later stage: [`native`].

#![deny(unsafe_op_in_unsafe_fn)]

pub mod native;
