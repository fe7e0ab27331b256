//! Descriptor selection: exact builds, patch releases, flavours, unknown versions.

use anyjit_abi::detect::{select, DetectError, Detected, HOW_TO_GENERATE};
use anyjit_abi::{Os, Unicode};

fn build(version: (u8, u8, u8)) -> Detected {
    Detected {
        version,
        suffix: String::new(),
        debug: false,
        trace_refs: false,
        unicode: if version.0 == 2 {
            Unicode::Ucs4
        } else {
            Unicode::Pep393
        },
        pointer_bits: 64,
        gil_disabled: false,
        os: Os::Linux,
    }
}

#[test]
fn exact_release_builds_select_their_own_descriptor() {
    for v in [
        (2, 7, 18),
        (3, 6, 15),
        (3, 7, 16),
        (3, 8, 18),
        (3, 9, 18),
        (3, 10, 13),
        (3, 11, 7),
        (3, 12, 1),
        (3, 13, 0),
    ] {
        let s = select(&build(v), anyjit_versions::all()).expect("supported");
        assert!(s.exact);
        assert_eq!(s.descriptor.identity.version, v);
        assert!(!s.descriptor.identity.debug);
    }
}

#[test]
fn patch_releases_use_the_nearest_descriptor_of_their_line() {
    let s = select(&build((3, 12, 5)), anyjit_versions::all()).expect("3.12.x is served by 3.12.1");
    assert!(!s.exact);
    assert_eq!(s.descriptor.id, "cpython-3.12.1-x86_64-linux-gnu");
    let s = select(&build((3, 11, 9)), anyjit_versions::all()).unwrap();
    assert_eq!(s.descriptor.id, "cpython-3.11.7-x86_64-linux-gnu");
    let s = select(&build((3, 11, 3)), anyjit_versions::all()).unwrap();
    assert_eq!(s.descriptor.id, "cpython-3.11.2-x86_64-linux-gnu");
}

#[test]
fn flavours_select_their_own_descriptors() {
    let mut d = build((3, 11, 2));
    d.debug = true;
    assert_eq!(
        select(&d, anyjit_versions::all()).unwrap().descriptor.id,
        "cpython-3.11.2d-x86_64-linux-gnu"
    );
    let mut d = build((2, 7, 18));
    d.unicode = Unicode::Ucs2;
    let s = select(&d, anyjit_versions::all()).unwrap();
    assert_eq!(s.descriptor.id, "cpython-2.7.18-ucs2-x86_64-linux-gnu");
    assert_eq!(s.descriptor.provenance, anyjit_abi::Provenance::Derived);
    let mut d = build((3, 12, 1));
    d.pointer_bits = 32;
    assert_eq!(
        select(&d, anyjit_versions::all()).unwrap().descriptor.id,
        "cpython-3.12.1-i686-linux-gnu"
    );
}

#[test]
fn unknown_lines_and_flavours_explain_themselves() {
    let err = select(&build((3, 14, 0)), anyjit_versions::all()).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, DetectError::Unsupported { .. }));
    for needle in [
        "CPython 3.14.0 (release, 64-bit, linux)",
        "no descriptor for the 3.14 line",
        "cpython-3.13.0-x86_64-linux-gnu (supported)",
        "cpython-3.13.0t-x86_64-linux-gnu (derived, not run)",
        HOW_TO_GENERATE,
    ] {
        assert!(text.contains(needle), "{needle:?} missing from: {text}");
    }
    let mut d = build((3, 9, 18));
    d.debug = true;
    let text = select(&d, anyjit_versions::all()).unwrap_err().to_string();
    assert!(
        text.contains("debug is true, cpython-3.9.18-x86_64-linux-gnu has false"),
        "{text}"
    );
    let mut d = build((3, 6, 15));
    d.trace_refs = true;
    let text = select(&d, anyjit_versions::all()).unwrap_err().to_string();
    assert!(text.contains("trace-refs"), "{text}");
    let text = select(&build((2, 6, 9)), anyjit_versions::all())
        .unwrap_err()
        .to_string();
    assert!(text.contains("no descriptor for the 2.6 line"), "{text}");
}
