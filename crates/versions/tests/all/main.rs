//! Tests of the committed descriptors: internal consistency, agreement with independently
//! measured facts (`../shared/reference/cpython-abi-matrix.md`, pahole and ctypes measurements),
//! selection rules, and — with the `generate` feature — drift against the local headers.

mod facts;
mod selection;

use anyjit_abi::descriptor::{JumpKind, Provenance};
use anyjit_abi::Descriptor;

/// The committed descriptor with this id.
pub fn desc(id: &str) -> &'static Descriptor {
    anyjit_versions::by_id(id).unwrap_or_else(|| panic!("no committed descriptor {id}"))
}

#[test]
fn ids_are_unique_and_describe_the_build() {
    let all = anyjit_versions::all();
    assert!(
        all.len() >= 30,
        "expected every local and derived build, got {}",
        all.len()
    );
    let mut ids: Vec<&str> = all.iter().map(|d| d.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "duplicate descriptor ids");
    for d in all {
        let (a, b, c) = d.identity.version;
        assert!(
            d.id.starts_with(&format!("cpython-{a}.{b}.{c}")),
            "{}",
            d.id
        );
        assert_eq!(
            d.id.contains(&format!("{a}.{b}.{c}d")),
            d.identity.debug,
            "{}",
            d.id
        );
        // Windows 2.x builds are always narrow; on Linux the id says so.
        let narrow_linux = d.identity.unicode == anyjit_abi::Unicode::Ucs2
            && d.identity.os == anyjit_abi::Os::Linux;
        assert_eq!(d.id.contains("-ucs2"), narrow_linux, "{}", d.id);
        assert_eq!(
            d.identity.gil_disabled,
            d.id.contains(&format!("{a}.{b}.{c}t")),
            "{}",
            d.id
        );
        assert_eq!(
            d.identity.pointer_bits == 32,
            d.id.contains("i686") || d.id.contains("win32"),
            "{}",
            d.id
        );
        assert_eq!(
            d.identity.hexversion >> 8,
            (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c),
            "{}",
            d.id
        );
        if d.provenance == Provenance::Local {
            assert!(
                d.id.ends_with("x86_64-linux-gnu"),
                "local builds are this machine's: {}",
                d.id
            );
        }
    }
}

#[test]
fn opcode_tables_are_complete() {
    for d in anyjit_versions::all() {
        let ops = &d.opcodes;
        let (major, minor, _) = d.identity.version;
        let mut names: Vec<&str> = ops.table.iter().map(|o| o.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            ops.table.len(),
            "{}: duplicate opcode names",
            d.id
        );
        for name in [
            "EXTENDED_ARG",
            "LOAD_FAST",
            "STORE_FAST",
            "LOAD_CONST",
            "RETURN_VALUE",
            "FOR_ITER",
            "JUMP_FORWARD",
        ] {
            assert!(ops.by_name(name).is_some(), "{}: no {name}", d.id);
        }
        let ext = ops.by_name("EXTENDED_ARG").unwrap();
        assert!(ext.has_arg, "{}", d.id);
        assert_eq!(
            ops.by_name("RETURN_VALUE").unwrap().jump,
            JumpKind::None,
            "{}",
            d.id
        );
        assert_eq!(
            ops.by_name("JUMP_FORWARD").unwrap().jump,
            JumpKind::Forward,
            "{}",
            d.id
        );
        assert_eq!(
            ops.by_name("FOR_ITER").unwrap().jump,
            JumpKind::Forward,
            "{}",
            d.id
        );
        assert!(ops.by_name("LOAD_FAST").unwrap().has_arg, "{}", d.id);
        assert!(!ops.by_name("RETURN_VALUE").unwrap().has_arg, "{}", d.id);
        if (major, minor) >= (3, 11) {
            assert_eq!(
                ops.by_name("JUMP_BACKWARD").unwrap().jump,
                JumpKind::Backward,
                "{}",
                d.id
            );
            assert!(
                !ops.deopt.is_empty(),
                "{}: 3.11+ has specialised opcodes",
                d.id
            );
            assert!(ops.by_name("JUMP_ABSOLUTE").is_none(), "{}", d.id);
            for (spec, base) in ops.deopt {
                let b = ops
                    .by_number(*base)
                    .unwrap_or_else(|| panic!("{}: deopt base {base}", d.id));
                let s = ops
                    .by_number(*spec)
                    .unwrap_or_else(|| panic!("{}: deopt spec {spec}", d.id));
                assert_eq!(s.caches, b.caches, "{}: {} vs {}", d.id, s.name, b.name);
                assert_eq!(ops.deoptimize(*spec), *base);
            }
        } else {
            assert_eq!(
                ops.by_name("JUMP_ABSOLUTE").unwrap().jump,
                JumpKind::Absolute,
                "{}",
                d.id
            );
            assert!(
                ops.deopt.is_empty() && ops.table.iter().all(|o| o.caches == 0),
                "{}",
                d.id
            );
        }
        assert_eq!(
            ops.extended_arg_shift,
            if major == 2 { 16 } else { 8 },
            "{}",
            d.id
        );
    }
}

#[test]
fn symbol_tables_name_one_build_each() {
    use anyjit_abi::Api;
    for d in anyjit_versions::all() {
        assert_eq!(d.symbols.len(), Api::ALL.len(), "{}", d.id);
        let two = d.identity.version.0 == 2;
        assert_eq!(d.symbol(Api::InitModule4).is_some(), two, "{}", d.id);
        assert_eq!(d.symbol(Api::ModuleCreate2).is_some(), !two, "{}", d.id);
        assert_eq!(
            d.symbol(Api::NativeIntFromLong),
            Some(if two {
                "PyInt_FromLong"
            } else {
                "PyLong_FromLong"
            }),
            "{}",
            d.id
        );
        assert_eq!(
            d.symbol(Api::FalseStruct),
            Some(if two {
                "_Py_ZeroStruct"
            } else {
                "_Py_FalseStruct"
            }),
            "{}",
            d.id
        );
        if two {
            let wanted = match d.identity.unicode {
                anyjit_abi::Unicode::Ucs2 => "PyUnicodeUCS2_FromString",
                _ => "PyUnicodeUCS4_FromString",
            };
            assert_eq!(d.symbol(Api::UnicodeFromString), Some(wanted), "{}", d.id);
            // `Py_InitModule4` is renamed `_64` wherever size_t is wider than int
            let init = if d.identity.pointer_bits == 64 {
                "Py_InitModule4_64"
            } else {
                "Py_InitModule4"
            };
            assert_eq!(d.symbol(Api::InitModule4), Some(init), "{}", d.id);
        }
        assert_eq!(
            d.symbol(Api::RefTotal).is_some(),
            d.identity.debug && d.identity.version < (3, 12, 0),
            "{}",
            d.id
        );
        for s in d.skipped {
            assert!(
                !s.reason.is_empty(),
                "{}: {} skipped without a reason",
                d.id,
                s.item
            );
        }
    }
}
