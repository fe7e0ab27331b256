//! Checks a descriptor against the live interpreter before anything is compiled.
//!
//! What is checked, each a cheap read of the running interpreter:
//! * `tp_basicsize` and `tp_itemsize` of `int` (and 2.7 `long`), `float`, `tuple`, `list`, `code`,
//!   `function` and `frame`, against the sizes the descriptor's layouts imply;
//! * live objects read through the descriptor's offsets: `ob_type` and `ob_refcnt` of a new
//!   float, `ob_fval`, a tuple's and a list's first item, `ma_used`, a 2.7 int's `ob_ival`, and
//!   the digits (and 3.12+ `lv_tag`) of `2**40`;
//! * the `opcode` module's `opmap` against the opcode table, name by name;
//! * `sys.maxunicode` against the unicode width.
//!
//! `sys.flags` holds nothing that changes layouts or bytecode semantics for the JIT (2.7's `-Qnew`
//! shows in the code objects' own flags), so it is not compared.

use crate::capi::{CApi, Obj};
use crate::descriptor::{Descriptor, Unicode};
use crate::symbols::Api;
use std::ffi::{c_long, c_void};

/// `(type entry, basicsize, itemsize)` the descriptor's layouts imply, following how each type's
/// C definition computes them.
pub fn expected_basicsizes(desc: &Descriptor) -> Vec<(Api, u32, u32)> {
    let l = &desc.layout;
    let ptr = u32::from(desc.identity.pointer_bits / 8);
    let digit = desc.constant("sizeof(digit)").unwrap_or(4) as u32;
    let mut out = vec![
        (Api::FloatType, l.float.size, 0),
        // `sizeof(PyTupleObject) - sizeof(PyObject *)`: the header up to the inline items.
        (Api::TupleType, l.tuple.ob_item, ptr),
        (Api::ListType, l.list.size, 0),
        (Api::LongType, l.long.ob_digit, digit),
        (Api::FunctionType, l.function.size, 0),
    ];
    if let Some(int) = l.int {
        out.push((Api::IntType, int.size, 0));
    }
    match l.code.co_code_adaptive {
        // 3.11+: a variable-size object whose code units follow the header.
        Some(adaptive) => out.push((Api::CodeType, adaptive, 2)),
        None => out.push((Api::CodeType, l.code.size, 0)),
    }
    match (l.frame_object.f_frame_data, l.interpreter_frame) {
        // 3.11+: the frame object embeds an interpreter frame up to its locals.
        (Some(data), Some(iframe)) => out.push((Api::FrameType, data + iframe.localsplus, ptr)),
        _ => out.push((Api::FrameType, l.frame_object.size, ptr)),
    }
    out
}

/// Compares the descriptor with the running interpreter; returns every difference found.
///
/// # Safety
/// Runs inside the interpreter the `capi` table was resolved in, with the GIL held.
pub unsafe fn validate(capi: &CApi) -> Result<(), Vec<String>> {
    let desc = capi.descriptor();
    let mut diffs = Vec::new();
    // SAFETY: per the caller; every object read below is alive and of the type the layout
    // describes.
    // Cheapest and safest first: live objects are only read through the descriptor's offsets
    // once the opcode map, unicode width and type sizes agree.
    unsafe {
        check_opcodes(capi, desc, &mut diffs);
        check_unicode(capi, desc, &mut diffs);
        if diffs.is_empty() {
            check_basicsizes(capi, desc, &mut diffs);
        }
        if diffs.is_empty() {
            check_objects(capi, desc, &mut diffs);
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs)
    }
}

/// # Safety
/// The GIL is held and `capi` was resolved for the running interpreter.
unsafe fn check_basicsizes(capi: &CApi, desc: &Descriptor, diffs: &mut Vec<String>) {
    let t = &desc.layout.type_object;
    for (api, basic, item) in expected_basicsizes(desc) {
        if !capi.has(api) {
            diffs.push(format!("type {} is not exported", api.rust_name()));
            continue;
        }
        // SAFETY: the entry is a static type object.
        let (name, live_basic, live_item) = unsafe {
            let ty = capi.object(api) as *const c_void;
            let name_ptr: *const std::ffi::c_char = capi.read(ty, t.tp_name);
            (
                std::ffi::CStr::from_ptr(name_ptr)
                    .to_string_lossy()
                    .into_owned(),
                capi.read::<isize>(ty, t.tp_basicsize),
                capi.read::<isize>(ty, t.tp_itemsize),
            )
        };
        if live_basic != basic as isize || live_item != item as isize {
            diffs.push(format!(
                "{name}: basicsize/itemsize is {live_basic}/{live_item}, descriptor expects {basic}/{item}"
            ));
        }
    }
}

/// # Safety
/// The GIL is held and `capi` was resolved for the running interpreter.
unsafe fn check_objects(capi: &CApi, desc: &Descriptor, diffs: &mut Vec<String>) {
    let l = &desc.layout;
    let mut check = |what: &str, ok: bool| {
        if !ok {
            diffs.push(format!(
                "live {what} does not match the descriptor's offsets"
            ));
        }
    };
    // SAFETY: every object is created here, alive until the matching decref, and read at
    // offsets of its own type.
    unsafe {
        let f = capi.new_float(1.5);
        if f.is_null() {
            capi.clear_error();
            check("float", false);
            return;
        }
        let fp = f as *const c_void;
        check(
            "float ob_type",
            capi.type_of(f) == capi.object(Api::FloatType),
        );
        check(
            "float ob_fval",
            capi.read::<f64>(fp, l.float.ob_fval) == 1.5,
        );
        if let Some(rc) = l.object.ob_refcnt {
            check("float ob_refcnt", capi.read::<isize>(fp, rc) == 1);
        }

        let item = capi.new_float(2.5);
        capi.incref(item);
        let tuple = capi.new_tuple(&[item]);
        check(
            "tuple ob_item",
            capi.read::<Obj>(tuple as *const c_void, l.tuple.ob_item) == item,
        );
        check(
            "tuple ob_size",
            capi.read::<isize>(tuple as *const c_void, l.var_object.ob_size) == 1,
        );
        let list = capi.new_list();
        capi.list_append(list, item);
        let items: *const Obj = capi.read(list as *const c_void, l.list.ob_item);
        check("list ob_item", !items.is_null() && *items == item);
        let dict = capi.new_dict();
        capi.incref(item);
        capi.dict_set_steal(dict, "a", item);
        check(
            "dict ma_used",
            capi.read::<isize>(dict as *const c_void, l.dict.ma_used) == 1,
        );

        // 2**40 takes two 30-bit digits: 0 and 1 << 10.
        let big = capi.new_long(1 << 40);
        let bp = big as *const c_void;
        check(
            "long ob_type",
            capi.type_of(big) == capi.object(Api::LongType),
        );
        let d0 = capi.read::<u32>(bp, l.long.ob_digit);
        let d1 = capi.read::<u32>(bp, l.long.ob_digit + 4);
        check("long ob_digit", d0 == 0 && d1 == 1 << 10);
        match l.long.lv_tag {
            Some(tag) => check("long lv_tag", capi.read::<usize>(bp, tag) == 2 << 3),
            None => check(
                "long ob_size",
                capi.read::<isize>(bp, l.var_object.ob_size) == 2,
            ),
        }
        if let Some(int) = l.int {
            let i = capi.new_int(-12345);
            check(
                "int ob_ival",
                capi.read::<c_long>(i as *const c_void, int.ob_ival) == -12345,
            );
            capi.decref(i);
        }
        for o in [big, dict, list, tuple, item, f] {
            capi.decref(o);
        }
    }
}

/// # Safety
/// The GIL is held and `capi` was resolved for the running interpreter.
unsafe fn check_opcodes(capi: &CApi, desc: &Descriptor, diffs: &mut Vec<String>) {
    // SAFETY: per the caller; the dict is alive while the module is.
    unsafe {
        let module = capi.import("opcode");
        if module.is_null() {
            capi.clear_error();
            diffs.push("cannot import the opcode module".into());
            return;
        }
        let opmap = capi.getattr(module, "opmap");
        if opmap.is_null() {
            capi.clear_error();
            diffs.push("opcode.opmap is missing".into());
            capi.decref(module);
            return;
        }
        let mut seen = 0;
        for (k, v) in capi.dict_items(opmap) {
            let Some(name) = capi.str_text(k) else {
                continue;
            };
            let number = capi.as_long(v);
            seen += 1;
            match desc.opcodes.by_python_name(&name) {
                Some(op) if c_long::from(op.number) == number => {}
                Some(op) => diffs.push(format!(
                    "opcode {name} is {number} in this interpreter, {} in the descriptor",
                    op.number
                )),
                None => diffs.push(format!("opcode {name} ({number}) is not in the descriptor")),
            }
        }
        if seen == 0 {
            diffs.push("opcode.opmap is empty".into());
        }
        capi.decref(opmap);
        capi.decref(module);
    }
}

/// # Safety
/// The GIL is held and `capi` was resolved for the running interpreter.
unsafe fn check_unicode(capi: &CApi, desc: &Descriptor, diffs: &mut Vec<String>) {
    // SAFETY: per the caller.
    unsafe {
        let o = capi.sys_attr("maxunicode");
        if o.is_null() {
            diffs.push("sys.maxunicode is missing".into());
            return;
        }
        let max = capi.as_long(o);
        let expected = match desc.identity.unicode {
            Unicode::Ucs2 => 0xFFFF,
            Unicode::Ucs4 | Unicode::Pep393 => 0x10FFFF,
        };
        if max != expected {
            diffs.push(format!(
                "sys.maxunicode is {max:#x}, the descriptor's {} build has {expected:#x}",
                desc.identity.unicode.as_str()
            ));
        }
    }
}
