//! Opcode names → version-neutral operations.
//!
//! Names are the descriptor's (header spelling). Where one name changed meaning without changing
//! spelling, the difference is decided here and documented at the arm: argument packing of
//! `LOAD_GLOBAL`/`LOAD_ATTR`/`COMPARE_OP` (3.11, 3.12, 3.13), where calls keep the NULL slot
//! (3.13 swapped it), `MAP_ADD` operand order (3.8), cell indices (3.11 counts from the first
//! local), and the compiler's stack accounting of the 2.7–3.10 block-stack opcodes.

use super::{CodeInput, DecodeError, Era, Pending, Raw};
use crate::ir::{BinOp, Block, BlockKind, CallSlot, CmpOp, Cond, KwNames, NullPush, Op, UnOp};
use anyjit_abi::descriptor::Descriptor;
use std::collections::HashMap;

fn bin_op(name: &str) -> Option<BinOp> {
    Some(match name {
        "ADD" => BinOp::Add,
        "SUBTRACT" => BinOp::Sub,
        "MULTIPLY" => BinOp::Mul,
        "MATRIX_MULTIPLY" => BinOp::MatMul,
        "TRUE_DIVIDE" => BinOp::TrueDiv,
        "DIVIDE" => BinOp::ClassicDiv,
        "FLOOR_DIVIDE" => BinOp::FloorDiv,
        "MODULO" | "REMAINDER" => BinOp::Mod,
        "POWER" => BinOp::Pow,
        "LSHIFT" => BinOp::LShift,
        "RSHIFT" => BinOp::RShift,
        "AND" => BinOp::And,
        "OR" => BinOp::Or,
        "XOR" => BinOp::Xor,
        _ => return None,
    })
}

fn cmp_op(index: u32) -> Option<CmpOp> {
    Some(match index {
        0 => CmpOp::Lt,
        1 => CmpOp::Le,
        2 => CmpOp::Eq,
        3 => CmpOp::Ne,
        4 => CmpOp::Gt,
        5 => CmpOp::Ge,
        6 => CmpOp::In,
        7 => CmpOp::NotIn,
        8 => CmpOp::Is,
        9 => CmpOp::IsNot,
        10 => CmpOp::ExcMatch,
        _ => return None,
    })
}

/// Stack model of operations the IR does not name yet (generators, class bodies, printing...).
fn other_effect(name: &str, v: (u8, u8)) -> Option<(u32, u32)> {
    Some(match name {
        "GEN_START" => (1, 0),
        "YIELD_VALUE" => (1, 1),
        "YIELD_FROM" => (2, 1),
        "GET_YIELD_FROM_ITER" | "GET_AWAITABLE" | "GET_AITER" => (1, 1),
        "GET_ANEXT" | "BEFORE_ASYNC_WITH" => (1, 2),
        "END_ASYNC_FOR" if v < (3, 11) => (7, 0),
        "END_ASYNC_FOR" => (2, 0),
        // The generator resumes with the value sent to it on the stack (3.11/3.12's compiler
        // counts it at the POP_TOP that follows instead).
        "RETURN_GENERATOR" => (0, 1),
        "END_SEND" => (2, 1),
        "CLEANUP_THROW" => (3, 2),
        "PRINT_EXPR" | "PRINT_ITEM" | "PRINT_NEWLINE_TO" | "IMPORT_STAR" | "STORE_ANNOTATION"
        | "EXIT_INIT_CHECK" => (1, 0),
        "PRINT_NEWLINE" | "SETUP_ANNOTATIONS" => (0, 0),
        "PRINT_ITEM_TO" => (2, 0),
        "EXEC_STMT" => (3, 0),
        "BUILD_CLASS" => (3, 1),
        "LOAD_LOCALS" | "LOAD_BUILD_CLASS" => (0, 1),
        "GET_LEN" | "MATCH_MAPPING" | "MATCH_SEQUENCE" => (1, 2),
        "LOAD_FROM_DICT_OR_DEREF" | "LOAD_FROM_DICT_OR_GLOBALS" => (1, 1),
        "CHECK_EG_MATCH" => (2, 2),
        "PREP_RERAISE_STAR" => (2, 1),
        _ => return None,
    })
}

fn push(out: &mut Vec<Pending>, raw: &Raw, op: Op, target: Option<u32>) {
    out.push(Pending {
        op,
        start: raw.start,
        offset: raw.offset,
        name: raw.name,
        arg: raw.arg,
        target_offset: target,
    });
}

/// Translates raw instructions into IR operations (targets as byte offsets).
pub fn translate(
    desc: &Descriptor,
    input: &CodeInput,
    raws: &[Raw],
) -> Result<Vec<Pending>, DecodeError> {
    let era = Era::of(desc);
    let (major, minor, _) = desc.identity.version;
    let v = (major, minor);
    // 3.13 swapped the NULL of call sequences above the callable.
    let null_pos = if v >= (3, 13) {
        NullPush::Above
    } else {
        NullPush::Below
    };
    let call_slot = if v >= (3, 13) {
        CallSlot::NullAbove
    } else {
        CallSlot::NullBelow
    };
    // ≤3.10 cell and free indices count from the first cell; 3.11+ from the first local.
    let deref = |a: u32| {
        if era == Era::Cached {
            a
        } else {
            input.nlocals + a
        }
    };
    // The handler of a 2.7 block is entered with the exception's 3 items, 3.x adds the 3 of the
    // exception it replaces.
    let handler_items = if era == Era::Classic { 3 } else { 6 };
    let by_start: HashMap<u32, usize> =
        raws.iter().enumerate().map(|(i, r)| (r.start, i)).collect();
    let nb: HashMap<i64, &str> = desc
        .constants
        .iter()
        .filter_map(|c| c.name.strip_prefix("NB_").map(|n| (c.value, n)))
        .collect();
    let mut out = Vec::with_capacity(raws.len());
    let mut kw_names: Option<u32> = None;
    let p = |b: Block| b; // targets are placeholders until blocks exist
    let t0 = p(Block(0));
    for raw in raws {
        let a = raw.arg;
        let t = raw.target;
        let name = raw.name;
        let unmodelled = || DecodeError::Unmodelled {
            offset: raw.offset,
            name,
        };
        let op = match name {
            "NOP" | "PRECALL" | "CACHE" => Op::Nop,
            "KW_NAMES" => {
                kw_names = Some(a);
                Op::Nop
            }
            "RESUME" => Op::Resume { kind: a },
            "POP_TOP" => Op::PopTop,
            "ROT_TWO" => Op::Rot { n: 2 },
            "ROT_THREE" => Op::Rot { n: 3 },
            "ROT_FOUR" => Op::Rot { n: 4 },
            "ROT_N" => Op::Rot { n: a },
            "DUP_TOP" => Op::Dup { n: 1 },
            "DUP_TOP_TWO" => Op::Dup { n: 2 },
            "DUP_TOPX" => Op::Dup { n: a },
            "COPY" => Op::Copy { n: a },
            "SWAP" => Op::Swap { n: a },
            "PUSH_NULL" => Op::PushNull,
            "LOAD_CONST" => Op::LoadConst { index: a },
            "RETURN_CONST" => Op::ReturnConst { index: a },
            // 3.12+ `LOAD_FAST` is emitted only where the compiler proved the local bound.
            "LOAD_FAST" => Op::LoadFast {
                local: a,
                checked: v < (3, 12),
            },
            "LOAD_FAST_CHECK" => Op::LoadFast {
                local: a,
                checked: true,
            },
            "LOAD_FAST_AND_CLEAR" => Op::LoadFastAndClear { local: a },
            "LOAD_FAST_LOAD_FAST" => {
                push(
                    &mut out,
                    raw,
                    Op::LoadFast {
                        local: a >> 4,
                        checked: false,
                    },
                    None,
                );
                Op::LoadFast {
                    local: a & 15,
                    checked: false,
                }
            }
            "STORE_FAST" | "STORE_FAST_MAYBE_NULL" => Op::StoreFast { local: a },
            "STORE_FAST_LOAD_FAST" => {
                push(&mut out, raw, Op::StoreFast { local: a >> 4 }, None);
                Op::LoadFast {
                    local: a & 15,
                    checked: false,
                }
            }
            "STORE_FAST_STORE_FAST" => {
                push(&mut out, raw, Op::StoreFast { local: a >> 4 }, None);
                Op::StoreFast { local: a & 15 }
            }
            "DELETE_FAST" => Op::DeleteFast { local: a },
            "LOAD_DEREF" => Op::LoadDeref { slot: deref(a) },
            "STORE_DEREF" => Op::StoreDeref { slot: deref(a) },
            "DELETE_DEREF" => Op::DeleteDeref { slot: deref(a) },
            "LOAD_CLOSURE" => Op::LoadClosure { slot: deref(a) },
            "LOAD_CLASSDEREF" => Op::LoadClassDeref { slot: deref(a) },
            "MAKE_CELL" => Op::MakeCell { slot: a },
            "COPY_FREE_VARS" => Op::CopyFreeVars { n: a },
            // 3.11+: bit 0 asks for a NULL with the global.
            "LOAD_GLOBAL" if era == Era::Cached => Op::LoadGlobal {
                name: a >> 1,
                null: if a & 1 == 1 { null_pos } else { NullPush::No },
            },
            "LOAD_GLOBAL" => Op::LoadGlobal {
                name: a,
                null: NullPush::No,
            },
            "STORE_GLOBAL" => Op::StoreGlobal { name: a },
            "DELETE_GLOBAL" => Op::DeleteGlobal { name: a },
            "LOAD_NAME" => Op::LoadName { name: a },
            "STORE_NAME" => Op::StoreName { name: a },
            "DELETE_NAME" => Op::DeleteName { name: a },
            // 3.12+: bit 0 of LOAD_ATTR is a method load.
            "LOAD_ATTR" if v >= (3, 12) => {
                if a & 1 == 1 {
                    Op::LoadMethod {
                        name: a >> 1,
                        slot: call_slot,
                    }
                } else {
                    Op::LoadAttr { name: a >> 1 }
                }
            }
            "LOAD_ATTR" => Op::LoadAttr { name: a },
            "LOAD_METHOD" => Op::LoadMethod {
                name: a,
                slot: CallSlot::NullBelow,
            },
            "LOAD_SUPER_ATTR" => Op::LoadSuperAttr {
                name: a >> 2,
                method: a & 1 == 1,
                two_args: a & 2 == 2,
                slot: call_slot,
                no_args: false,
            },
            "STORE_ATTR" => Op::StoreAttr { name: a },
            "DELETE_ATTR" => Op::DeleteAttr { name: a },
            "UNARY_POSITIVE" => Op::Unary { op: UnOp::Pos },
            "UNARY_NEGATIVE" => Op::Unary { op: UnOp::Neg },
            "UNARY_INVERT" => Op::Unary { op: UnOp::Invert },
            "UNARY_NOT" => Op::Unary { op: UnOp::Not },
            "UNARY_CONVERT" => Op::Unary { op: UnOp::Convert },
            "TO_BOOL" => Op::ToBool,
            "BINARY_SUBSCR" => Op::Subscr,
            "STORE_SUBSCR" => Op::StoreSubscr,
            "DELETE_SUBSCR" => Op::DeleteSubscr,
            "BINARY_SLICE" => Op::BinarySlice,
            "STORE_SLICE" if era == Era::Cached => Op::StoreSliceOp,
            // 2.7 `SLICE+k` is spelled SLICE, SLICE_1, SLICE_2, SLICE_3 in the header.
            "SLICE" => Op::Slice27 { kind: 0 },
            "SLICE_1" | "SLICE_2" | "SLICE_3" => Op::Slice27 {
                kind: u32::from(name.as_bytes()[6] - b'0'),
            },
            "STORE_SLICE" => Op::StoreSlice27 { kind: 0 },
            "STORE_SLICE_1" | "STORE_SLICE_2" | "STORE_SLICE_3" => Op::StoreSlice27 {
                kind: u32::from(name.as_bytes()[12] - b'0'),
            },
            "DELETE_SLICE" => Op::DeleteSlice27 { kind: 0 },
            "DELETE_SLICE_1" | "DELETE_SLICE_2" | "DELETE_SLICE_3" => Op::DeleteSlice27 {
                kind: u32::from(name.as_bytes()[13] - b'0'),
            },
            "BINARY_OP" => {
                let nb_name = nb.get(&i64::from(a)).ok_or_else(unmodelled)?;
                let (inplace, base) = match nb_name.strip_prefix("INPLACE_") {
                    Some(b) => (true, b),
                    None => (false, *nb_name),
                };
                Op::Binary {
                    op: bin_op(base).ok_or_else(unmodelled)?,
                    inplace,
                }
            }
            _ if name.starts_with("BINARY_") || name.starts_with("INPLACE_") => {
                let (inplace, base) = match name.strip_prefix("INPLACE_") {
                    Some(b) => (true, b),
                    None => (false, &name["BINARY_".len()..]),
                };
                Op::Binary {
                    op: bin_op(base).ok_or_else(unmodelled)?,
                    inplace,
                }
            }
            // COMPARE_OP packs the operator: plain ≤3.11, `<< 4` in 3.12, `<< 5` with a to-bool
            // bit in 3.13.
            "COMPARE_OP" => {
                let (index, to_bool) = if v >= (3, 13) {
                    (a >> 5, a & 16 != 0)
                } else if v >= (3, 12) {
                    (a >> 4, false)
                } else {
                    (a, false)
                };
                Op::Compare {
                    op: cmp_op(index).ok_or_else(unmodelled)?,
                    to_bool,
                }
            }
            "IS_OP" => Op::IsOp { invert: a != 0 },
            "CONTAINS_OP" => Op::ContainsOp { invert: a != 0 },
            "BUILD_SLICE" => Op::BuildSlice { n: a },
            "BUILD_TUPLE" => Op::BuildTuple { n: a },
            "BUILD_LIST" => Op::BuildList { n: a },
            "BUILD_SET" => Op::BuildSet { n: a },
            // 2.7's argument is only a size hint; items come with STORE_MAP.
            "BUILD_MAP" if era == Era::Classic => Op::BuildMap { pairs: 0 },
            "BUILD_MAP" => Op::BuildMap { pairs: a },
            "STORE_MAP" => Op::StoreMap,
            "BUILD_CONST_KEY_MAP" => Op::BuildConstKeyMap { n: a },
            "BUILD_STRING" => Op::BuildString { n: a },
            "BUILD_TUPLE_UNPACK" => Op::BuildUnpack { kind: 0, n: a },
            "BUILD_TUPLE_UNPACK_WITH_CALL" => Op::BuildUnpack { kind: 1, n: a },
            "BUILD_LIST_UNPACK" => Op::BuildUnpack { kind: 2, n: a },
            "BUILD_SET_UNPACK" => Op::BuildUnpack { kind: 3, n: a },
            "BUILD_MAP_UNPACK" => Op::BuildUnpack { kind: 4, n: a },
            "BUILD_MAP_UNPACK_WITH_CALL" => Op::BuildUnpack {
                kind: 5,
                n: a & 0xff,
            },
            "LIST_APPEND" => Op::ListAppend { depth: a },
            "SET_ADD" => Op::SetAdd { depth: a },
            // 3.8 made dict comprehensions evaluate the key first: before, the key is on top.
            "MAP_ADD" => Op::MapAdd {
                depth: a,
                key_on_top: v < (3, 8),
            },
            "LIST_EXTEND" => Op::ListExtend { depth: a },
            "SET_UPDATE" => Op::SetUpdate { depth: a },
            "DICT_UPDATE" => Op::DictUpdate { depth: a },
            // top to bottom: the mapping, the dict (`a` deep), the `*` tuple, then the callable,
            // with 3.13's NULL between the tuple and the callable
            "DICT_MERGE" => Op::DictMerge {
                depth: a,
                callee: a + 2 + u32::from(call_slot == CallSlot::NullAbove),
            },
            "LIST_TO_TUPLE" => Op::ListToTuple,
            "UNPACK_SEQUENCE" => Op::UnpackSequence { n: a },
            "UNPACK_EX" => Op::UnpackEx {
                before: a & 0xff,
                after: a >> 8,
            },
            "GET_ITER" => Op::GetIter,
            // 3.12+ FOR_ITER targets END_FOR (3.13: END_FOR, POP_TOP), which the interpreter
            // skips when the iterator is exhausted: the IR jumps past them, the iterator popped.
            "FOR_ITER" => {
                let mut target = t.ok_or_else(unmodelled)?;
                if let Some(&i) = by_start.get(&target) {
                    if raws[i].name == "END_FOR" {
                        target = raws[i].next;
                        if v >= (3, 13) {
                            if let Some(nx) = raws.get(i + 1).filter(|r| r.name == "POP_TOP") {
                                target = nx.next;
                            }
                        }
                    }
                }
                push(&mut out, raw, Op::ForIter { target: t0 }, Some(target));
                continue;
            }
            "END_FOR" => Op::EndFor {
                pops: if v >= (3, 13) { 1 } else { 2 },
            },
            "JUMP_FORWARD" | "JUMP_ABSOLUTE" | "JUMP_BACKWARD" | "JUMP" => Op::Jump { target: t0 },
            "JUMP_BACKWARD_NO_INTERRUPT" | "JUMP_NO_INTERRUPT" => {
                Op::JumpNoInterrupt { target: t0 }
            }
            "POP_JUMP_IF_FALSE" | "POP_JUMP_FORWARD_IF_FALSE" | "POP_JUMP_BACKWARD_IF_FALSE" => {
                Op::PopJumpIf {
                    cond: Cond::False,
                    target: t0,
                }
            }
            "POP_JUMP_IF_TRUE" | "POP_JUMP_FORWARD_IF_TRUE" | "POP_JUMP_BACKWARD_IF_TRUE" => {
                Op::PopJumpIf {
                    cond: Cond::True,
                    target: t0,
                }
            }
            "POP_JUMP_IF_NONE" | "POP_JUMP_FORWARD_IF_NONE" | "POP_JUMP_BACKWARD_IF_NONE" => {
                Op::PopJumpIf {
                    cond: Cond::None,
                    target: t0,
                }
            }
            "POP_JUMP_IF_NOT_NONE"
            | "POP_JUMP_FORWARD_IF_NOT_NONE"
            | "POP_JUMP_BACKWARD_IF_NOT_NONE" => Op::PopJumpIf {
                cond: Cond::NotNone,
                target: t0,
            },
            "JUMP_IF_FALSE_OR_POP" => Op::JumpIfOrPop {
                when: false,
                target: t0,
            },
            "JUMP_IF_TRUE_OR_POP" => Op::JumpIfOrPop {
                when: true,
                target: t0,
            },
            "JUMP_IF_NOT_EXC_MATCH" => Op::JumpIfNotExcMatch { target: t0 },
            "RETURN_VALUE" => Op::Return,
            // 2.7 packs positional and keyword counts; the _VAR/_KW variants add *args/**kwargs.
            "CALL_FUNCTION" if era == Era::Classic => Op::Call27 {
                npos: a & 0xff,
                nkw: (a >> 8) & 0xff,
                var: false,
                kwargs: false,
            },
            "CALL_FUNCTION_VAR" => Op::Call27 {
                npos: a & 0xff,
                nkw: (a >> 8) & 0xff,
                var: true,
                kwargs: false,
            },
            "CALL_FUNCTION_KW" if era == Era::Classic => Op::Call27 {
                npos: a & 0xff,
                nkw: (a >> 8) & 0xff,
                var: false,
                kwargs: true,
            },
            "CALL_FUNCTION_VAR_KW" => Op::Call27 {
                npos: a & 0xff,
                nkw: (a >> 8) & 0xff,
                var: true,
                kwargs: true,
            },
            "CALL_FUNCTION" => Op::Call {
                argc: a,
                kw: KwNames::None,
                slot: CallSlot::Single,
            },
            "CALL_FUNCTION_KW" => Op::Call {
                argc: a,
                kw: KwNames::Stack,
                slot: CallSlot::Single,
            },
            "CALL_METHOD" => Op::Call {
                argc: a,
                kw: KwNames::None,
                slot: CallSlot::NullBelow,
            },
            "CALL" => Op::Call {
                argc: a,
                kw: kw_names.take().map_or(KwNames::None, KwNames::Const),
                slot: call_slot,
            },
            "CALL_KW" => Op::Call {
                argc: a,
                kw: KwNames::Stack,
                slot: call_slot,
            },
            "CALL_FUNCTION_EX" => Op::CallEx {
                kwargs: a & 1 == 1,
                slot: if era == Era::Cached {
                    call_slot
                } else {
                    CallSlot::Single
                },
            },
            "CALL_INTRINSIC_1" => Op::CallIntrinsic {
                index: a,
                two: false,
            },
            "CALL_INTRINSIC_2" => Op::CallIntrinsic {
                index: a,
                two: true,
            },
            // 2.7: the argument counts defaults; 3.6–3.10 also pop the qualified name; 3.13 moved
            // the flags to SET_FUNCTION_ATTRIBUTE.
            "MAKE_FUNCTION" if era == Era::Classic => Op::MakeFunction27 {
                ndefaults: a,
                closure: false,
            },
            "MAKE_CLOSURE" => Op::MakeFunction27 {
                ndefaults: a,
                closure: true,
            },
            "MAKE_FUNCTION" if v >= (3, 13) => Op::MakeFunction {
                flags: 0,
                qualname: false,
            },
            "MAKE_FUNCTION" => Op::MakeFunction {
                flags: a,
                qualname: v < (3, 11),
            },
            "SET_FUNCTION_ATTRIBUTE" => Op::SetFunctionAttribute { flag: a },
            "FORMAT_VALUE" => Op::FormatValue {
                conv: a & 3,
                spec: a & 4 != 0,
            },
            "CONVERT_VALUE" => Op::ConvertValue { conv: a },
            "FORMAT_SIMPLE" => Op::FormatSimple,
            "FORMAT_WITH_SPEC" => Op::FormatWithSpec,
            "RAISE_VARARGS" => Op::Raise { n: a },
            "RERAISE" => Op::Reraise {
                items: if v < (3, 11) { 3 } else { 1 },
            },
            "LOAD_ASSERTION_ERROR" => Op::LoadAssertionError,
            "SETUP_LOOP" => Op::SetupBlock {
                kind: BlockKind::Loop,
                target: t0,
                handler: 0,
            },
            "SETUP_EXCEPT" => Op::SetupBlock {
                kind: BlockKind::Except,
                target: t0,
                handler: handler_items,
            },
            "SETUP_FINALLY" => Op::SetupBlock {
                kind: BlockKind::Finally,
                target: t0,
                handler: handler_items,
            },
            "SETUP_ASYNC_WITH" => Op::SetupBlock {
                kind: BlockKind::AsyncWith,
                target: t0,
                handler: 5,
            },
            "SETUP_WITH" => Op::SetupWith {
                target: t0,
                handler: handler_items,
            },
            "POP_BLOCK" => Op::PopBlock,
            // The handled exception's items: 3 up to 3.10, 1 from 3.11.
            "POP_EXCEPT" => Op::PopExcept {
                items: if v < (3, 11) { 3 } else { 1 },
            },
            // Counted as the handler's entry pushed them (the deepest path into the block), so
            // that every path leaves at the block's level.
            "END_FINALLY" => Op::EndFinally {
                items: handler_items,
            },
            "BEGIN_FINALLY" => Op::BeginFinally,
            "CALL_FINALLY" => Op::CallFinally { target: t0 },
            "POP_FINALLY" => Op::PopFinally {
                preserve_tos: a != 0,
            },
            // 3.6's compiler under-counts these (its stack size is still an upper bound); the
            // 3.7 accounting is exact for both.
            "WITH_CLEANUP_START" => Op::WithCleanupStart,
            "WITH_CLEANUP_FINISH" => Op::WithCleanupFinish,
            "WITH_CLEANUP" => Op::WithCleanup27,
            // up to 3.10: exc, value, traceback on top, then the saved exception (3), then
            // `__exit__`; from 3.11: the exception, the saved one, lasti, then `__exit__`
            "WITH_EXCEPT_START" => {
                if v < (3, 11) {
                    Op::WithExceptStart { exit: 7, items: 3 }
                } else {
                    Op::WithExceptStart { exit: 4, items: 1 }
                }
            }
            "BEFORE_WITH" => Op::BeforeWith,
            "BREAK_LOOP" => Op::BreakLoop,
            "CONTINUE_LOOP" => Op::ContinueLoop { target: t0 },
            "PUSH_EXC_INFO" => Op::PushExcInfo,
            "CHECK_EXC_MATCH" => Op::CheckExcMatch,
            "SEND" => Op::Send {
                target: t0,
                exit_pops: u32::from(v == (3, 11)),
            },
            "IMPORT_NAME" => Op::ImportName { name: a },
            "IMPORT_FROM" => Op::ImportFrom { name: a },
            "LOAD_BUILD_CLASS" => Op::LoadBuildClass,
            "BUILD_CLASS" => Op::BuildClass27,
            "PRINT_ITEM" => Op::PrintItem { to: 0 },
            "PRINT_ITEM_TO" => Op::PrintItem { to: 1 },
            "PRINT_NEWLINE" => Op::PrintNewline { to: 0 },
            "PRINT_NEWLINE_TO" => Op::PrintNewline { to: 1 },
            _ => match other_effect(name, v) {
                Some((pops, pushes)) => Op::Other {
                    opcode: name,
                    arg: a,
                    pops,
                    pushes,
                },
                None => return Err(unmodelled()),
            },
        };
        let target = if op.target().is_some() {
            Some(t.ok_or_else(unmodelled)?)
        } else {
            None
        };
        push(&mut out, raw, op, target);
    }
    Ok(out)
}
