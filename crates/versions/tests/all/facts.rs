//! The committed descriptors agree with facts measured independently of bindgen: `pahole` on
//! objects compiled against each version's headers and `ctypes` reads of live objects, recorded
//! in `shared/reference/cpython-abi-matrix.md` (§4). Columns: 2.7, 3.6 … 3.13.

use crate::desc;

const VERSIONS: [&str; 9] = [
    "2.7.18", "3.6.15", "3.7.16", "3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0",
];

fn local(i: usize) -> &'static anyjit_abi::Descriptor {
    desc(&format!("cpython-{}-x86_64-linux-gnu", VERSIONS[i]))
}

/// Checks one row of the matrix: `f(descriptor)` per version, `None` for `—`.
fn row(what: &str, expected: [Option<u32>; 9], f: impl Fn(&anyjit_abi::Descriptor) -> Option<u32>) {
    for (i, want) in expected.iter().enumerate() {
        let d = local(i);
        assert_eq!(f(d), *want, "{what} of {}", d.id);
    }
}

#[test]
fn type_object_matches_pahole() {
    let s = |v: u32| Some(v);
    row(
        "sizeof(PyTypeObject)",
        [
            s(392),
            s(400),
            s(400),
            s(416),
            s(408),
            s(408),
            s(408),
            s(416),
            s(416),
        ],
        |d| Some(d.layout.type_object.size),
    );
    row("tp_version_tag", [s(384); 9], |d| {
        Some(d.layout.type_object.tp_version_tag)
    });
    row(
        "tp_vectorcall",
        [
            None,
            None,
            None,
            s(400),
            s(400),
            s(400),
            s(400),
            s(400),
            s(400),
        ],
        |d| d.layout.type_object.tp_vectorcall,
    );
    row(
        "tp_print",
        [s(56), s(56), s(56), s(408), None, None, None, None, None],
        |d| d.layout.type_object.tp_print,
    );
}

#[test]
fn code_object_matches_pahole() {
    let s = |v: u32| Some(v);
    row(
        "co_argcount",
        [
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(56),
            s(52),
            s(52),
        ],
        |d| Some(d.layout.code.co_argcount),
    );
    row(
        "co_flags",
        [
            s(28),
            s(32),
            s(32),
            s(36),
            s(36),
            s(36),
            s(48),
            s(48),
            s(48),
        ],
        |d| Some(d.layout.code.co_flags),
    );
    row(
        "co_code",
        [s(32), s(40), s(40), s(48), s(48), s(48), None, None, None],
        |d| d.layout.code.co_code,
    );
    row(
        "co_consts",
        [
            s(40),
            s(48),
            s(48),
            s(56),
            s(56),
            s(56),
            s(24),
            s(24),
            s(24),
        ],
        |d| Some(d.layout.code.co_consts),
    );
    row(
        "co_code_adaptive",
        [None, None, None, None, None, None, s(184), s(192), s(200)],
        |d| d.layout.code.co_code_adaptive,
    );
    row(
        "sizeof(PyCodeObject)",
        [
            s(128),
            s(144),
            s(144),
            s(176),
            s(176),
            s(176),
            s(192),
            s(200),
            s(208),
        ],
        |d| Some(d.layout.code.size),
    );
}

#[test]
fn frames_match_pahole() {
    let s = |v: u32| Some(v);
    row(
        "f_back",
        [
            s(24),
            s(24),
            s(24),
            s(24),
            s(24),
            s(24),
            s(16),
            s(16),
            s(16),
        ],
        |d| Some(d.layout.frame_object.f_back),
    );
    row(
        "f_code",
        [s(32), s(32), s(32), s(32), s(32), s(32), None, None, None],
        |d| d.layout.frame_object.f_code,
    );
    row(
        "f_lasti",
        [
            s(120),
            s(120),
            s(104),
            s(104),
            s(104),
            s(96),
            None,
            None,
            None,
        ],
        |d| d.layout.frame_object.f_lasti,
    );
    row(
        "f_localsplus",
        [
            s(376),
            s(376),
            s(360),
            s(360),
            s(360),
            s(352),
            None,
            None,
            None,
        ],
        |d| d.layout.frame_object.f_localsplus,
    );
    row(
        "sizeof(PyFrameObject)",
        [
            s(384),
            s(384),
            s(368),
            s(368),
            s(368),
            s(360),
            s(56),
            s(56),
            s(72),
        ],
        |d| Some(d.layout.frame_object.size),
    );
    // 3.13's own _PyRuntime.debug_offsets agree: iframe size 80, previous 8, executable 0,
    // instr_ptr 56, localsplus 72, owner 70.
    let f = local(8)
        .layout
        .interpreter_frame
        .expect("3.13 has _PyInterpreterFrame");
    assert_eq!(
        (
            f.size,
            f.previous,
            f.f_code,
            f.instr_ptr,
            f.localsplus,
            f.owner
        ),
        (80, 8, 0, Some(56), 72, Some(70))
    );
    let f = local(6)
        .layout
        .interpreter_frame
        .expect("3.11 has _PyInterpreterFrame");
    assert_eq!(
        (
            f.f_func,
            f.f_globals,
            f.f_code,
            f.previous,
            f.prev_instr,
            f.stacktop,
            f.localsplus
        ),
        (Some(0), 8, 32, 48, Some(56), 64, 72)
    );
    assert!(local(5).layout.interpreter_frame.is_none());
}

#[test]
fn thread_and_interpreter_state_match_pahole() {
    let s = |v: u32| Some(v);
    row(
        "tstate->interp",
        [s(8), s(16), s(16), s(16), s(16), s(16), s(16), s(16), s(16)],
        |d| Some(d.layout.thread_state.interp),
    );
    row(
        "c_tracefunc",
        [
            s(48),
            s(56),
            s(64),
            s(64),
            s(64),
            s(64),
            s(72),
            s(72),
            s(88),
        ],
        |d| Some(d.layout.thread_state.c_tracefunc),
    );
    row(
        "curexc_type",
        [s(72), s(80), s(88), s(88), s(88), s(88), s(96), None, None],
        |d| d.layout.thread_state.curexc_type,
    );
    row(
        "current_exception",
        [None, None, None, None, None, None, None, s(96), s(112)],
        |d| d.layout.thread_state.current_exception,
    );
    row(
        "sizeof(PyThreadState)",
        [
            s(168),
            s(2272),
            s(280),
            s(264),
            s(264),
            s(280),
            s(360),
            s(288),
            s(304),
        ],
        |d| Some(d.layout.thread_state.size),
    );
    row(
        "recursion_depth",
        [s(24), s(32), s(32), s(32), s(32), s(32), None, None, None],
        |d| d.layout.thread_state.recursion_depth,
    );
    row(
        "py_recursion_remaining",
        [None, None, None, None, None, None, None, s(28), s(44)],
        |d| d.layout.thread_state.py_recursion_remaining,
    );
    row(
        "eval_breaker (per thread)",
        [None, None, None, None, None, None, None, None, s(24)],
        |d| d.layout.thread_state.eval_breaker,
    );
    row(
        "current_frame",
        [None, None, None, None, None, None, None, None, s(72)],
        |d| d.layout.thread_state.current_frame,
    );
    row(
        "interp->eval_frame",
        [
            None,
            s(112),
            s(464),
            s(568),
            s(1400),
            s(1368),
            s(1424),
            s(1744),
            s(8472),
        ],
        |d| d.layout.interpreter_state.eval_frame,
    );
}

#[test]
fn objects_match_pahole() {
    let s = |v: u32| Some(v);
    row(
        "func_code",
        [
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(48),
            s(48),
            s(48),
            s(48),
        ],
        |d| Some(d.layout.function.func_code),
    );
    row(
        "sizeof(PyFunctionObject)",
        [
            s(88),
            s(112),
            s(112),
            s(120),
            s(120),
            s(128),
            s(136),
            s(144),
            s(144),
        ],
        |d| Some(d.layout.function.size),
    );
    row(
        "ma_used",
        [
            s(24),
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
            s(16),
        ],
        |d| Some(d.layout.dict.ma_used),
    );
    row(
        "sizeof(PyDictObject)",
        [
            s(248),
            s(48),
            s(48),
            s(48),
            s(48),
            s(48),
            s(48),
            s(48),
            s(48),
        ],
        |d| Some(d.layout.dict.size),
    );
    row(
        "lv_tag",
        [None, None, None, None, None, None, None, s(16), s(16)],
        |d| d.layout.long.lv_tag,
    );
    row("ob_digit", [s(24); 9], |d| Some(d.layout.long.ob_digit));
    row("ob_refcnt", [s(0); 9], |d| d.layout.object.ob_refcnt);
    row(
        "PyIntObject.ob_ival",
        [s(16), None, None, None, None, None, None, None, None],
        |d| d.layout.int.map(|i| i.ob_ival),
    );
}

#[test]
fn inline_caches_match_the_opcode_module() {
    // opcode._inline_cache_entries, measured (matrix §1.3).
    let caches = |i: usize, name: &str| local(i).opcodes.by_name(name).map(|o| o.caches);
    assert_eq!(caches(6, "LOAD_GLOBAL"), Some(5));
    assert_eq!(caches(6, "CALL"), Some(4));
    assert_eq!(caches(6, "LOAD_METHOD"), Some(10));
    assert_eq!(caches(7, "LOAD_ATTR"), Some(9));
    assert_eq!(caches(7, "BINARY_SUBSCR"), Some(1));
    assert_eq!(caches(8, "TO_BOOL"), Some(3));
    assert_eq!(caches(8, "JUMP_BACKWARD"), Some(1));
    assert_eq!(caches(8, "POP_JUMP_IF_FALSE"), Some(1));
    for i in 6..9 {
        let n = local(i)
            .opcodes
            .table
            .iter()
            .filter(|o| {
                o.caches > 0
                    && local(i).opcodes.deoptimize(o.number as u8) == o.number as u8
                    && o.number < 256
                    && !o.name.starts_with("INSTRUMENTED_")
            })
            .count();
        assert_eq!(
            n,
            [11, 12, 19][i - 6],
            "{} opcodes with caches",
            local(i).id
        );
    }
    // 3.13 renumbered everything; EXTENDED_ARG moved from 144 to 71, HAVE_ARGUMENT to 44.
    assert_eq!(
        local(8).opcodes.by_name("EXTENDED_ARG").map(|o| o.number),
        Some(71)
    );
    assert_eq!(local(8).opcodes.have_argument, 44);
    assert_eq!(
        local(0).opcodes.by_name("EXTENDED_ARG").map(|o| o.number),
        Some(145)
    );
    // 3.13's HAVE_ARGUMENT rule is wrong for WITH_EXCEPT_START (44 takes no argument).
    assert_eq!(
        local(8)
            .opcodes
            .by_name("WITH_EXCEPT_START")
            .map(|o| (o.number, o.has_arg)),
        Some((44, false))
    );
}

#[test]
fn derived_builds_match_their_configuration() {
    let i686 = desc("cpython-3.8.18-i686-linux-gnu");
    assert_eq!(
        (i686.layout.object.size, i686.layout.type_object.size),
        (8, 208)
    );
    let ft = desc("cpython-3.13.0t-x86_64-linux-gnu");
    assert!(ft.identity.gil_disabled && ft.layout.object.ob_refcnt.is_none());
    assert_eq!(
        (ft.layout.object.ob_tid, ft.layout.object.ob_type),
        (Some(0), 24)
    );
    let ucs2 = desc("cpython-2.7.18-ucs2-x86_64-linux-gnu");
    assert_eq!(ucs2.constant("Py_UNICODE_SIZE"), Some(2));
    let win = desc("cpython-3.12.1-amd64-windows");
    assert_eq!(
        (win.constant("SIZEOF_LONG"), win.identity.pointer_bits),
        (Some(4), 64)
    );
    let dbg = desc("cpython-3.11.2d-x86_64-linux-gnu");
    assert!(dbg.identity.debug && !dbg.identity.trace_refs);
    for d in anyjit_versions::all() {
        assert_eq!(
            d.provenance == anyjit_abi::Provenance::Local,
            d.identity.target == "x86_64-unknown-linux-gnu"
                && !d.identity.gil_disabled
                && d.identity.unicode != anyjit_abi::Unicode::Ucs2,
            "{}",
            d.id
        );
    }
}
