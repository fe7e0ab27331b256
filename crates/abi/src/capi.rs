//! Run-time resolution of the C API, and the one thin layer of raw calls into it.
//!
//! anyjit links no libpython: every entry of [`Api`] is looked up by the name the descriptor gives
//! for the running build, in the running process (`dlopen(NULL)` + `dlsym`). When an embedding
//! host loaded libpython with `RTLD_LOCAL`, the global lookup finds nothing; then the loaded
//! objects are searched for a libpython with `dl_iterate_phdr` and reopened with `RTLD_NOLOAD`.

use crate::descriptor::Descriptor;
use crate::symbols::{Api, SymbolKind};
use std::ffi::{c_char, c_int, c_long, c_void, CStr, CString};

/// An opaque CPython object.
#[repr(C)]
pub struct PyObject {
    _private: [u8; 0],
}

/// Pointer to a CPython object.
pub type Obj = *mut PyObject;

/// A symbol lookup in the running process.
pub struct Process {
    #[cfg(unix)]
    libs: Vec<libloading::os::unix::Library>,
    #[cfg(windows)]
    libs: Vec<libloading::os::windows::Library>,
}

impl Process {
    /// Opens the running process for lookups (and libpython, when it was loaded locally).
    pub fn open() -> Process {
        #[cfg(unix)]
        {
            let mut libs = vec![libloading::os::unix::Library::this()];
            // SAFETY: looking up a symbol by name has no side effect; the pointer is not used.
            let global = unsafe { libs[0].get::<*const c_void>(b"Py_GetVersion\0").is_ok() };
            if !global {
                for path in loaded_objects() {
                    if path.contains("libpython") {
                        const RTLD_NOLOAD: c_int = 4;
                        // SAFETY: RTLD_NOLOAD only returns a handle to an already loaded object;
                        // no initialisers run.
                        if let Ok(lib) = unsafe {
                            libloading::os::unix::Library::open(
                                Some(&path),
                                RTLD_NOLOAD | libloading::os::unix::RTLD_LAZY,
                            )
                        } {
                            libs.push(lib);
                        }
                    }
                }
            }
            Process { libs }
        }
        #[cfg(windows)]
        {
            let mut libs = Vec::new();
            for minor in 0..20 {
                for name in [
                    format!("python3{minor}.dll"),
                    format!("python3{minor}_d.dll"),
                    format!("python2{minor}.dll"),
                ] {
                    if let Ok(lib) = libloading::os::windows::Library::open_already_loaded(&name) {
                        libs.push(lib);
                    }
                }
            }
            Process { libs }
        }
    }

    /// Address of `name`, or `None`.
    pub fn lookup(&self, name: &str) -> Option<*mut c_void> {
        let mut cname = name.as_bytes().to_vec();
        cname.push(0);
        for lib in &self.libs {
            // SAFETY: we only read the address; nothing is called here.
            if let Ok(sym) = unsafe { lib.get::<*mut c_void>(cname.as_slice()) } {
                let addr = *sym;
                if !addr.is_null() {
                    return Some(addr);
                }
            }
        }
        None
    }
}

#[cfg(target_os = "linux")]
fn loaded_objects() -> Vec<String> {
    #[repr(C)]
    struct DlPhdrInfo {
        addr: usize,
        name: *const c_char,
    }
    extern "C" {
        fn dl_iterate_phdr(
            cb: extern "C" fn(*mut DlPhdrInfo, usize, *mut c_void) -> c_int,
            data: *mut c_void,
        ) -> c_int;
    }
    extern "C" fn collect(info: *mut DlPhdrInfo, _size: usize, data: *mut c_void) -> c_int {
        // SAFETY: dl_iterate_phdr passes a valid info record and our own `data` pointer.
        unsafe {
            let out = &mut *(data as *mut Vec<String>);
            let name = (*info).name;
            if !name.is_null() {
                out.push(CStr::from_ptr(name).to_string_lossy().into_owned());
            }
        }
        0
    }
    let mut out: Vec<String> = Vec::new();
    // SAFETY: the callback only reads the records it is given.
    unsafe { dl_iterate_phdr(collect, &mut out as *mut Vec<String> as *mut c_void) };
    out
}

#[cfg(all(unix, not(target_os = "linux")))]
fn loaded_objects() -> Vec<String> {
    Vec::new()
}

/// The C API of the running interpreter, resolved for one descriptor.
pub struct CApi {
    desc: &'static Descriptor,
    addrs: Vec<*mut c_void>,
    /// How reference counts are changed on this build (decided once, from the descriptor).
    refs: Refs,
    /// Byte offset of `ob_refcnt`.
    refcnt_off: usize,
}

/// How [`CApi::incref`] and [`CApi::decref`] change a reference count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refs {
    /// In place, a `Py_ssize_t` count.
    Plain,
    /// In place, 64-bit 3.12+: the low 32 bits, left alone when immortal.
    Immortal64,
    /// In place, keeping a debug build's exported `_Py_RefTotal` in step.
    Debug,
    /// Through `Py_IncRef`/`Py_DecRef` (trace-refs builds, 32-bit immortal objects, debug
    /// builds without an exported total).
    Api,
}

// SAFETY: the table holds addresses of process-global symbols; they never change.
unsafe impl Send for CApi {}
// SAFETY: as above, read-only after construction.
unsafe impl Sync for CApi {}

/// A C API entry the descriptor names but the running process does not export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingSymbol {
    /// Logical entry.
    pub api: Api,
    /// The name looked up.
    pub name: &'static str,
}

impl CApi {
    /// Resolves every entry the descriptor names. Entries the build's headers do not declare are
    /// left null and must not be used (callers ask [`CApi::has`]).
    pub fn resolve(
        process: &Process,
        desc: &'static Descriptor,
    ) -> Result<CApi, Vec<MissingSymbol>> {
        let mut addrs = vec![std::ptr::null_mut(); Api::ALL.len()];
        let mut missing = Vec::new();
        for (i, api) in Api::ALL.iter().enumerate() {
            if let Some(name) = desc.symbol(*api) {
                match process.lookup(name) {
                    Some(addr) => addrs[i] = addr,
                    // an internal function a build may declare without exporting it
                    None if api.optional() => {}
                    None => missing.push(MissingSymbol { api: *api, name }),
                }
            }
        }
        if missing.is_empty() {
            let d = desc;
            let total = d.identity.debug
                && !d.caps.immortal_objects
                && !addrs[Api::RefTotal as usize].is_null();
            let refs = match d.layout.object.ob_refcnt {
                None => Refs::Api,
                // 3.12+ split counts are laid out for little-endian hosts here
                Some(_) if d.caps.immortal_objects && cfg!(target_endian = "big") => Refs::Api,
                Some(_) if d.identity.trace_refs => Refs::Api,
                Some(_) if d.identity.debug => {
                    if total {
                        Refs::Debug
                    } else {
                        Refs::Api
                    }
                }
                Some(_) if d.caps.immortal_objects => {
                    if d.identity.pointer_bits == 64 {
                        Refs::Immortal64
                    } else {
                        Refs::Api
                    }
                }
                Some(_) => Refs::Plain,
            };
            let refcnt_off = d.layout.object.ob_refcnt.unwrap_or(0) as usize;
            Ok(CApi {
                desc,
                addrs,
                refs,
                refcnt_off,
            })
        } else {
            Err(missing)
        }
    }

    /// The descriptor this table was resolved for.
    #[inline]
    pub fn descriptor(&self) -> &'static Descriptor {
        self.desc
    }

    /// Whether the running build has this entry.
    #[inline]
    pub fn has(&self, api: Api) -> bool {
        !self.addrs[api as usize].is_null()
    }

    /// Raw address of an entry (null if absent).
    #[inline]
    pub fn addr(&self, api: Api) -> *mut c_void {
        self.addrs[api as usize]
    }

    /// The object an [`SymbolKind::Object`] or [`SymbolKind::ObjectPointer`] entry denotes.
    ///
    /// # Safety
    /// The entry must exist in this build and the interpreter must be initialised.
    #[inline]
    pub unsafe fn object(&self, api: Api) -> Obj {
        let addr = self.addr(api);
        debug_assert!(!addr.is_null(), "{api:?} is absent in this build");
        match api.kind() {
            SymbolKind::Object => addr as Obj,
            // SAFETY: the caller guarantees the variable exists; it holds an object pointer.
            SymbolKind::ObjectPointer => unsafe { *(addr as *const Obj) },
            SymbolKind::Function => panic!("{api:?} is a function"),
        }
    }

    /// The entry point of a function entry, as the function pointer type `F`.
    ///
    /// # Safety
    /// `api` must be a function entry of type `F` present in this build.
    #[inline]
    pub unsafe fn func<F: Copy>(&self, api: Api) -> F {
        let addr = self.addr(api);
        assert!(
            !addr.is_null(),
            "C API entry {api:?} is absent in this build"
        );
        debug_assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
        // SAFETY: the caller names the right signature; function pointers are address-sized.
        unsafe { std::mem::transmute_copy(&addr) }
    }

    /// `Py_GetVersion()`.
    ///
    /// # Safety
    /// The interpreter must be initialised.
    pub unsafe fn version_banner(&self) -> String {
        // SAFETY: `Py_GetVersion` takes nothing and returns a static C string.
        unsafe {
            let f: extern "C" fn() -> *const c_char = self.func(Api::GetVersion);
            CStr::from_ptr(f()).to_string_lossy().into_owned()
        }
    }

    /// `Py_IncRef(o)`.
    ///
    /// # Safety
    /// `o` is NULL or a live object, and the GIL is held.
    #[inline(always)]
    pub unsafe fn incref(&self, o: Obj) {
        // SAFETY: per the caller; the mode was chosen from the descriptor.
        unsafe {
            if o.is_null() {
                return;
            }
            let p = (o as *mut u8).add(self.refcnt_off);
            match self.refs {
                Refs::Plain => *(p as *mut isize) += 1,
                Refs::Immortal64 => {
                    // 3.12+ (64-bit): the low half, unless immortal (all ones)
                    let low = p as *mut u32;
                    let new = (*low).wrapping_add(1);
                    if new != 0 {
                        *low = new;
                    }
                }
                Refs::Debug => {
                    *(self.addr(Api::RefTotal) as *mut isize) += 1;
                    *(p as *mut isize) += 1;
                }
                Refs::Api => self.func::<extern "C" fn(Obj)>(Api::IncRef)(o),
            }
        }
    }

    /// `Py_DecRef(o)`.
    ///
    /// # Safety
    /// `o` is NULL or a live object the caller owns a reference to, and the GIL is held.
    #[inline(always)]
    pub unsafe fn decref(&self, o: Obj) {
        // SAFETY: per the caller; the mode was chosen from the descriptor.
        unsafe {
            if o.is_null() {
                return;
            }
            let p = (o as *mut u8).add(self.refcnt_off) as *mut isize;
            match self.refs {
                Refs::Plain => {
                    if *p > 1 {
                        *p -= 1;
                    } else {
                        self.release_last(o, p);
                    }
                }
                Refs::Immortal64 => {
                    if *(p as *const i32) < 0 {
                        return; // immortal
                    }
                    if *p > 1 {
                        *p -= 1;
                    } else {
                        self.release_last(o, p);
                    }
                }
                Refs::Debug => {
                    // the last reference (or a count gone wrong) goes through `Py_DecRef`,
                    // which deallocates or reports as the headers do
                    if *p > 1 {
                        *(self.addr(Api::RefTotal) as *mut isize) -= 1;
                        *p -= 1;
                    } else {
                        self.func::<extern "C" fn(Obj)>(Api::DecRef)(o)
                    }
                }
                Refs::Api => self.func::<extern "C" fn(Obj)>(Api::DecRef)(o),
            }
        }
    }

    /// Drops the last reference to `o` (count at `p`): the type's `tp_dealloc`, as
    /// `_Py_Dealloc` calls it.
    ///
    /// # Safety
    /// `o` is live, the caller owns its last reference, the GIL is held.
    #[cold]
    unsafe fn release_last(&self, o: Obj, p: *mut isize) {
        // SAFETY: per the caller.
        unsafe {
            *p -= 1;
            if *p != 0 {
                return;
            }
            let l = &self.desc.layout;
            let t: *const u8 = self.read(o as *const c_void, l.object.ob_type);
            let dealloc: extern "C" fn(Obj) =
                self.read(t as *const c_void, l.type_object.tp_dealloc);
            dealloc(o);
        }
    }

    /// Sets the current exception: `PyErr_SetString(exc, msg)`.
    ///
    /// # Safety
    /// `exc` is an exception class and the GIL is held.
    pub unsafe fn set_error(&self, exc: Obj, msg: &str) {
        let msg = CString::new(msg.replace('\0', "?")).expect("no NUL left");
        // SAFETY: per the caller; the message is copied by CPython.
        unsafe {
            self.func::<extern "C" fn(Obj, *const c_char)>(Api::ErrSetString)(exc, msg.as_ptr())
        }
    }

    /// `PyErr_Occurred() != NULL`.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn error_occurred(&self) -> bool {
        // SAFETY: per the caller.
        unsafe { !self.func::<extern "C" fn() -> Obj>(Api::ErrOccurred)().is_null() }
    }

    /// Whether the exception set matches `exc` (`PyErr_ExceptionMatches`).
    ///
    /// # Safety
    /// The GIL is held and `exc` is live.
    pub unsafe fn error_matches(&self, exc: Obj) -> bool {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj) -> c_int>(Api::ErrExceptionMatches)(exc) != 0 }
    }

    /// `PyErr_Clear()`.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn clear_error(&self) {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn()>(Api::ErrClear)() }
    }

    /// A new native `int` (2.7 `int`, 3.x `int`).
    ///
    /// # Safety
    /// The GIL is held. Returns NULL with an exception set on failure.
    pub unsafe fn new_int(&self, v: c_long) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(c_long) -> Obj>(Api::NativeIntFromLong)(v) }
    }

    /// A new `long` (3.x `int`).
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_long(&self, v: c_long) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(c_long) -> Obj>(Api::LongFromLong)(v) }
    }

    /// `PyLong_AsLong` (accepts 2.7 `int` too); `-1` with an exception on failure.
    ///
    /// # Safety
    /// `o` is a live object and the GIL is held.
    pub unsafe fn as_long(&self, o: Obj) -> c_long {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj) -> c_long>(Api::LongAsLong)(o) }
    }

    /// A new `float`.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_float(&self, v: f64) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(f64) -> Obj>(Api::FloatFromDouble)(v) }
    }

    /// `True` or `False`, new reference.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_bool(&self, v: bool) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(c_long) -> Obj>(Api::BoolFromLong)(c_long::from(v)) }
    }

    /// A new native `str` (2.7 bytes `str`, 3.x unicode `str`) from ASCII/UTF-8 text.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_str(&self, s: &str) -> Obj {
        let c = CString::new(s.replace('\0', "?")).expect("no NUL left");
        // SAFETY: per the caller; CPython copies the text.
        unsafe {
            self.func::<extern "C" fn(*const c_char) -> Obj>(Api::NativeStrFromString)(c.as_ptr())
        }
    }

    /// The text of a native `str`, or `None` (exception cleared) if it is not one.
    ///
    /// # Safety
    /// `o` is a live object and the GIL is held.
    pub unsafe fn str_text(&self, o: Obj) -> Option<String> {
        // SAFETY: per the caller; the buffer belongs to `o` and is copied at once.
        unsafe {
            let p = self.func::<extern "C" fn(Obj) -> *const c_char>(Api::NativeStrAsString)(o);
            if p.is_null() {
                self.clear_error();
                None
            } else {
                Some(CStr::from_ptr(p).to_string_lossy().into_owned())
            }
        }
    }

    /// The bytes of a native byte string (2.7 `str`, 3.x `bytes`), or `None` (exception cleared).
    ///
    /// # Safety
    /// `o` is a live object and the GIL is held.
    pub unsafe fn bytes(&self, o: Obj) -> Option<Vec<u8>> {
        let mut p: *const c_char = std::ptr::null();
        let mut n: isize = 0;
        // SAFETY: per the caller; the buffer belongs to `o` and is copied at once.
        unsafe {
            let f = self.func::<extern "C" fn(Obj, *mut *const c_char, *mut isize) -> c_int>(
                Api::BytesAsStringAndSize,
            );
            if f(o, &mut p, &mut n) != 0 {
                self.clear_error();
                return None;
            }
            Some(std::slice::from_raw_parts(p as *const u8, n as usize).to_vec())
        }
    }

    /// `getattr(o, name)` as an integer, or `None` (exception cleared).
    ///
    /// # Safety
    /// `o` is live and the GIL is held.
    pub unsafe fn getattr_int(&self, o: Obj, name: &str) -> Option<i64> {
        // SAFETY: per the caller.
        unsafe {
            let v = self.getattr(o, name);
            if v.is_null() {
                self.clear_error();
                return None;
            }
            let n = self.as_long(v);
            let failed = n == -1 && self.error_occurred();
            self.decref(v);
            if failed {
                self.clear_error();
                None
            } else {
                #[allow(clippy::unnecessary_cast)] // c_long is 32 bits on Windows
                Some(n as i64)
            }
        }
    }

    /// A new exception class `module.name` deriving from `base`.
    ///
    /// # Safety
    /// The GIL is held; `base` is an exception class.
    pub unsafe fn new_exception(&self, qualified: &CStr, base: Obj) -> Obj {
        // SAFETY: per the caller.
        unsafe {
            self.func::<extern "C" fn(*const c_char, Obj, Obj) -> Obj>(Api::ErrNewException)(
                qualified.as_ptr(),
                base,
                std::ptr::null_mut(),
            )
        }
    }

    /// `PyModule_AddObject(module, name, value)`, stealing `value` on success.
    ///
    /// # Safety
    /// The GIL is held; `module` is a module.
    pub unsafe fn module_add(&self, module: Obj, name: &CStr, value: Obj) -> bool {
        // SAFETY: per the caller.
        unsafe {
            self.func::<extern "C" fn(Obj, *const c_char, Obj) -> c_int>(Api::ModuleAddObject)(
                module,
                name.as_ptr(),
                value,
            ) == 0
        }
    }

    /// A new tuple holding `items` (references are stolen, also on failure).
    ///
    /// # Safety
    /// Every item is a new reference (or NULL after an error) and the GIL is held.
    pub unsafe fn new_tuple(&self, items: &[Obj]) -> Obj {
        // SAFETY: per the caller; PyTuple_SetItem steals each reference.
        unsafe {
            if items.iter().any(|o| o.is_null()) {
                for o in items {
                    self.decref(*o);
                }
                return std::ptr::null_mut();
            }
            let t = self.func::<extern "C" fn(isize) -> Obj>(Api::TupleNew)(items.len() as isize);
            if t.is_null() {
                for o in items {
                    self.decref(*o);
                }
                return t;
            }
            let set = self.func::<extern "C" fn(Obj, isize, Obj) -> c_int>(Api::TupleSetItem);
            for (i, o) in items.iter().enumerate() {
                set(t, i as isize, *o);
            }
            t
        }
    }

    /// Item `i` of a tuple, borrowed (NULL with an exception if out of range).
    ///
    /// # Safety
    /// `t` is a tuple and the GIL is held.
    pub unsafe fn tuple_item(&self, t: Obj, i: isize) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj, isize) -> Obj>(Api::TupleGetItem)(t, i) }
    }

    /// `iter(o)`, new reference or NULL with an exception.
    ///
    /// # Safety
    /// `o` is live and the GIL is held.
    pub unsafe fn iter(&self, o: Obj) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj) -> Obj>(Api::ObjectGetIter)(o) }
    }

    /// `next(it)`, new reference, or NULL at the end (or with an exception).
    ///
    /// # Safety
    /// `it` is an iterator and the GIL is held.
    pub unsafe fn next(&self, it: Obj) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj) -> Obj>(Api::IterNext)(it) }
    }

    /// Whether `o` is `None`.
    ///
    /// # Safety
    /// The interpreter is initialised.
    pub unsafe fn is_none(&self, o: Obj) -> bool {
        // SAFETY: per the caller.
        o == unsafe { self.object(Api::NoneStruct) }
    }

    /// A new empty list.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_list(&self) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(isize) -> Obj>(Api::ListNew)(0) }
    }

    /// `PyList_Append(list, item)` (does not steal).
    ///
    /// # Safety
    /// Both are live, `list` is a list, the GIL is held.
    pub unsafe fn list_append(&self, list: Obj, item: Obj) -> bool {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(Obj, Obj) -> c_int>(Api::ListAppend)(list, item) == 0 }
    }

    /// A new empty dict.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn new_dict(&self) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn() -> Obj>(Api::DictNew)() }
    }

    /// `d[key] = value`, stealing `value` (also on failure). Returns false with an exception set.
    ///
    /// # Safety
    /// `d` is a dict, `value` a new reference or NULL (after an error), the GIL is held.
    pub unsafe fn dict_set_steal(&self, d: Obj, key: &str, value: Obj) -> bool {
        if value.is_null() {
            return false;
        }
        let k = CString::new(key).expect("keys have no NUL");
        // SAFETY: per the caller.
        unsafe {
            let ok =
                self.func::<extern "C" fn(Obj, *const c_char, Obj) -> c_int>(
                    Api::DictSetItemString,
                )(d, k.as_ptr(), value)
                    == 0;
            self.decref(value);
            ok
        }
    }

    /// `d[key]` as a borrowed reference, or NULL (no exception) if absent.
    ///
    /// # Safety
    /// `d` is a dict and the GIL is held.
    pub unsafe fn dict_get(&self, d: Obj, key: &str) -> Obj {
        let k = CString::new(key).expect("keys have no NUL");
        // SAFETY: per the caller.
        unsafe {
            self.func::<extern "C" fn(Obj, *const c_char) -> Obj>(Api::DictGetItemString)(
                d,
                k.as_ptr(),
            )
        }
    }

    /// Every `(key, value)` of a dict, borrowed.
    ///
    /// # Safety
    /// `d` is a dict not mutated during the call, the GIL is held.
    pub unsafe fn dict_items(&self, d: Obj) -> Vec<(Obj, Obj)> {
        let mut out = Vec::new();
        let mut pos: isize = 0;
        let mut k: Obj = std::ptr::null_mut();
        let mut v: Obj = std::ptr::null_mut();
        // SAFETY: per the caller; PyDict_Next hands out borrowed references.
        unsafe {
            let next = self
                .func::<extern "C" fn(Obj, *mut isize, *mut Obj, *mut Obj) -> c_int>(Api::DictNext);
            while next(d, &mut pos, &mut k, &mut v) != 0 {
                out.push((k, v));
            }
        }
        out
    }

    /// `sys.<name>`, borrowed, or NULL.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn sys_attr(&self, name: &str) -> Obj {
        let c = CString::new(name).expect("no NUL");
        // SAFETY: per the caller; PySys_GetObject takes `char*` on 2.7 and `const char*` on 3.x.
        unsafe { self.func::<extern "C" fn(*const c_char) -> Obj>(Api::SysGetObject)(c.as_ptr()) }
    }

    /// `import name`, new reference or NULL with an exception.
    ///
    /// # Safety
    /// The GIL is held.
    pub unsafe fn import(&self, name: &str) -> Obj {
        let c = CString::new(name).expect("no NUL");
        // SAFETY: per the caller.
        unsafe { self.func::<extern "C" fn(*const c_char) -> Obj>(Api::ImportModule)(c.as_ptr()) }
    }

    /// `getattr(o, name)`, new reference or NULL with an exception.
    ///
    /// # Safety
    /// `o` is live and the GIL is held.
    pub unsafe fn getattr(&self, o: Obj, name: &str) -> Obj {
        let c = CString::new(name).expect("no NUL");
        // SAFETY: per the caller.
        unsafe {
            self.func::<extern "C" fn(Obj, *const c_char) -> Obj>(Api::ObjectGetAttrString)(
                o,
                c.as_ptr(),
            )
        }
    }

    /// `f(*items)`: the items are stolen (as by [`Self::new_tuple`]); returns the new
    /// result, or NULL with an exception.
    ///
    /// # Safety
    /// `f` is live, the items are owned references or NULL, and the GIL is held.
    pub unsafe fn call(&self, f: Obj, items: &[Obj]) -> Obj {
        // SAFETY: per the caller.
        unsafe {
            let args = self.new_tuple(items);
            if args.is_null() {
                return args;
            }
            let r = self.func::<extern "C" fn(Obj, Obj, Obj) -> Obj>(Api::ObjectCall)(
                f,
                args,
                std::ptr::null_mut(),
            );
            self.decref(args);
            r
        }
    }

    /// `callable()`, new reference or NULL with an exception.
    ///
    /// # Safety
    /// `f` is live and the GIL is held.
    pub unsafe fn call0(&self, f: Obj) -> Obj {
        // SAFETY: per the caller.
        unsafe {
            self.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectCallObject)(
                f,
                std::ptr::null_mut(),
            )
        }
    }

    /// `repr(o)` as Rust text (best effort).
    ///
    /// # Safety
    /// `o` is live and the GIL is held.
    pub unsafe fn repr(&self, o: Obj) -> String {
        // SAFETY: per the caller.
        unsafe {
            let r = self.func::<extern "C" fn(Obj) -> Obj>(Api::ObjectRepr)(o);
            if r.is_null() {
                self.clear_error();
                return "<repr failed>".into();
            }
            let s = self.str_text(r).unwrap_or_default();
            self.decref(r);
            s
        }
    }

    /// Reads a `T` at `offset` bytes into `o`.
    ///
    /// # Safety
    /// `o` points to a live object whose layout has a `T` at `offset`.
    #[inline]
    pub unsafe fn read<T: Copy>(&self, o: *const c_void, offset: u32) -> T {
        // SAFETY: per the caller.
        unsafe { std::ptr::read_unaligned((o as *const u8).add(offset as usize) as *const T) }
    }

    /// `Py_TYPE(o)`, read through the descriptor's layout.
    ///
    /// # Safety
    /// `o` is a live object.
    #[inline]
    pub unsafe fn type_of(&self, o: Obj) -> Obj {
        // SAFETY: per the caller.
        unsafe { self.read::<Obj>(o as *const c_void, self.desc.layout.object.ob_type) }
    }
}

/// `PyMethodDef`, identical in every build from 2.7 on (checked against the descriptor by
/// [`CApi::create_module`]).
#[repr(C)]
pub struct MethodDef {
    /// Name.
    pub name: *const c_char,
    /// C function (`PyCFunction`).
    pub meth: *const c_void,
    /// `METH_*` flags.
    pub flags: c_int,
    /// Docstring.
    pub doc: *const c_char,
}

// SAFETY: method tables are immutable static data handed to CPython.
unsafe impl Sync for MethodDef {}

/// A `PyCFunction` taking no arguments (`METH_NOARGS`).
pub type NoArgs = unsafe extern "C" fn(Obj, Obj) -> Obj;

impl CApi {
    /// Creates the extension module: `Py_InitModule4` on 2.x, `PyModule_Create2` with a
    /// `PyModuleDef` laid out from the descriptor on 3.x. Returns a new reference on 3.x and a
    /// borrowed one on 2.x (CPython's own conventions), or NULL with an exception set.
    ///
    /// # Safety
    /// Called once from the module init function with the GIL held; `methods` is a static table
    /// ending with a zeroed entry.
    pub unsafe fn create_module(
        &self,
        name: &'static CStr,
        doc: &'static CStr,
        methods: &'static [MethodDef],
    ) -> Obj {
        let desc = self.desc;
        let md = desc.layout.method_def;
        let ptr = std::mem::size_of::<*const c_void>() as u32;
        if md.size != std::mem::size_of::<MethodDef>() as u32
            || md.ml_meth != ptr
            || md.ml_flags != 2 * ptr
            || md.ml_doc != 3 * ptr
        {
            // SAFETY: per the caller.
            unsafe {
                self.set_error(
                    self.object(crate::Api::ExcImportError),
                    &format!(
                        "anyjit: PyMethodDef of {} is laid out unlike anyjit's",
                        desc.id
                    ),
                )
            };
            return std::ptr::null_mut();
        }
        let api_version = desc.constant("PYTHON_API_VERSION").unwrap_or(1013) as c_int;
        if self.has(crate::Api::InitModule4) {
            // SAFETY: Py_InitModule4(_64) signature in every 2.x build.
            return unsafe {
                let f: extern "C" fn(
                    *const c_char,
                    *const MethodDef,
                    *const c_char,
                    Obj,
                    c_int,
                ) -> Obj = self.func(crate::Api::InitModule4);
                f(
                    name.as_ptr(),
                    methods.as_ptr(),
                    doc.as_ptr(),
                    std::ptr::null_mut(),
                    api_version,
                )
            };
        }
        let Some(def) = desc.layout.module_def else {
            // SAFETY: per the caller.
            unsafe {
                self.set_error(
                    self.object(crate::Api::ExcImportError),
                    &format!(
                        "anyjit: {} has neither Py_InitModule4 nor PyModuleDef",
                        desc.id
                    ),
                )
            };
            return std::ptr::null_mut();
        };
        // The definition must outlive the module: it is leaked on purpose (once per process).
        let buf: &'static mut [u64] =
            Box::leak(vec![0u64; (def.size as usize).div_ceil(8)].into_boxed_slice());
        let base = buf.as_mut_ptr() as *mut u8;
        // SAFETY: all writes are inside the zeroed buffer of the descriptor's PyModuleDef size, at
        // the descriptor's offsets.
        unsafe {
            let put = |off: u32, v: usize| {
                std::ptr::write_unaligned(base.add(off as usize) as *mut usize, v)
            };
            if let Some(rc) = desc.layout.object.ob_refcnt {
                let refcnt = desc.constant("_Py_IMMORTAL_REFCNT").unwrap_or(1) as usize;
                put(def.m_base + rc, refcnt);
            }
            put(def.m_name, name.as_ptr() as usize);
            put(def.m_doc, doc.as_ptr() as usize);
            put(def.m_size, usize::MAX); // -1: no per-module state, no sub-interpreter support
            put(def.m_methods, methods.as_ptr() as usize);
            let f: extern "C" fn(*mut u8, c_int) -> Obj = self.func(crate::Api::ModuleCreate2);
            f(base, api_version)
        }
    }
}
