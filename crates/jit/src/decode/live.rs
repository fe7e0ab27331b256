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
        Ok(CodeInput {
            name,
            code: attr_bytes("co_code")?,
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
