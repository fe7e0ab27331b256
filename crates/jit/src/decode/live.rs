//! Reading a live code object (through the C API) into a [`CodeInput`].

use super::CodeInput;
use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::Api;

/// Reads the code object of `obj` (a function, or a code object itself).
///
/// # Safety
/// `obj` is a live object and the GIL is held.
pub unsafe fn read_code(capi: &CApi, obj: Obj) -> Result<CodeInput, String> {
    // SAFETY: per the caller; every new reference is released before returning.
    unsafe {
        let mut code = capi.getattr(obj, "__code__");
        if code.is_null() {
            capi.clear_error();
            capi.incref(obj);
            code = obj;
        }
        let result = read(capi, code);
        capi.decref(code);
        result
    }
}

/// # Safety
/// The GIL is held and `code` is a live code object.
unsafe fn read(capi: &CApi, code: Obj) -> Result<CodeInput, String> {
    // SAFETY: `code` is live (per the caller of read_code).
    unsafe {
        if capi.type_of(code) != capi.object(Api::CodeType) {
            return Err(format!(
                "expected a function or a code object, got {}",
                capi.repr(code)
            ));
        }
        let attr_bytes = |name: &str| -> Result<Vec<u8>, String> {
            let v = capi.getattr(code, name);
            if v.is_null() {
                capi.clear_error();
                return Err(format!("code object has no {name}"));
            }
            let b = capi.bytes(v);
            capi.decref(v);
            b.ok_or_else(|| format!("{name} is not a byte string"))
        };
        let name_obj = capi.getattr(code, "co_name");
        let name = if name_obj.is_null() {
            capi.clear_error();
            String::from("?")
        } else {
            let s = capi.str_text(name_obj).unwrap_or_else(|| "?".into());
            capi.decref(name_obj);
            s
        };
        let exception_table = if capi.descriptor().caps.exception_table {
            attr_bytes("co_exceptiontable")?
        } else {
            Vec::new()
        };
        let code_bytes = attr_bytes("co_code")?;
        let lines = if capi.descriptor().identity.version >= (3, 10, 0) {
            co_lines(capi, code)?
        } else {
            let first = capi
                .getattr_int(code, "co_firstlineno")
                .ok_or("no co_firstlineno")? as u32;
            let signed = capi.descriptor().identity.version.0 >= 3;
            super::lnotab_lines(
                &attr_bytes("co_lnotab")?,
                first,
                code_bytes.len() as u32,
                signed,
            )
        };
        let flags = capi.getattr_int(code, "co_flags").ok_or("no co_flags")?;
        let nparams = capi
            .getattr_int(code, "co_argcount")
            .ok_or("no co_argcount")?
            + capi
                .getattr_int(code, "co_kwonlyargcount")
                .unwrap_or_else(|| {
                    capi.clear_error();
                    0
                })
            + i64::from(flags & 4 != 0)
            + i64::from(flags & 8 != 0);
        Ok(CodeInput {
            name,
            lines,
            nparams: nparams as u32,
            code: code_bytes,
            exception_table,
            nlocals: capi
                .getattr_int(code, "co_nlocals")
                .ok_or("no co_nlocals")? as u32,
            stacksize: capi
                .getattr_int(code, "co_stacksize")
                .ok_or("no co_stacksize")? as u32,
        })
    }
}

/// `list(code.co_lines())` (3.10+), the interpreter's own reading of its line table.
///
/// # Safety
/// The GIL is held and `code` is a live code object.
unsafe fn co_lines(capi: &CApi, code: Obj) -> Result<Vec<(u32, u32, Option<u32>)>, String> {
    // SAFETY: `code` is live; every new reference is released.
    unsafe {
        let method = capi.getattr(code, "co_lines");
        if method.is_null() {
            capi.clear_error();
            return Err("code object has no co_lines".into());
        }
        let result = capi.call0(method);
        capi.decref(method);
        if result.is_null() {
            capi.clear_error();
            return Err("co_lines() failed".into());
        }
        let it = capi.iter(result);
        capi.decref(result);
        if it.is_null() {
            capi.clear_error();
            return Err("co_lines() is not iterable".into());
        }
        let mut out = Vec::new();
        loop {
            let item = capi.next(it);
            if item.is_null() {
                break;
            }
            let field = |i: isize| -> Option<u32> {
                let v = capi.tuple_item(item, i);
                if v.is_null() || capi.is_none(v) {
                    capi.clear_error();
                    return None;
                }
                let n = capi.as_long(v);
                u32::try_from(n).ok()
            };
            let entry = (field(0), field(1), field(2));
            capi.decref(item);
            if let (Some(s), Some(e), line) = entry {
                out.push((s, e, line));
            }
        }
        capi.decref(it);
        if capi.error_occurred() {
            capi.clear_error();
            return Err("co_lines() raised".into());
        }
        Ok(out)
    }
}
