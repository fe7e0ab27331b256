//! Attribute loads and stores cached per site against the class's version tag.
//!
//! The optimising tier calls [`rt_load_attr`] and [`rt_store_attr`] for `obj.name` with a
//! cache of its own per site. A site remembers the class it saw last, that class's version
//! tag and where instances of the class keep `name`: in their attribute values at an index of
//! the keys the class shares among its instances (3.11+, see
//! [`anyjit_abi::descriptor::InstanceValues`]), or in their dict at `tp_dictoffset` (up to
//! 3.10, loads only). It does so only where the generic lookup would end there too: the
//! class's `tp_getattro` (`tp_setattro`) is `object`'s and no class in its MRO has a data
//! descriptor of that name. Any change to the class or its bases changes its version tag, and
//! then the site looks again. Whatever the cache cannot answer (the attribute missing from the
//! instance, a dict made for it, another class) takes `PyObject_GetAttr` (`PyObject_SetAttr`),
//! as the quick tier does.

use super::Env;
use anyjit_abi::capi::{CApi, Obj};
use anyjit_abi::descriptor::InstanceValues;
use anyjit_abi::Api;
use std::cell::Cell;
use std::ffi::c_int;

/// A load or store site's cache (see the module documentation).
#[derive(Debug, Default)]
pub struct AttrSite {
    /// The class last planned for (compared, never followed).
    ty: Cell<usize>,
    /// Its version tag then.
    tag: Cell<u32>,
    /// [`NONE`], [`VALUES`] or [`DICT`].
    kind: Cell<u8>,
    /// The index in the attribute values.
    index: Cell<u32>,
    /// [`METHOD`]: the function found on the class (borrowed from it: the version tag holds
    /// while the class keeps it).
    method: Cell<usize>,
    /// [`METHOD`] with attribute values: the class's shared keys held that many entries, none
    /// of them `name` (-1: `index` is `name`'s).
    entries: Cell<isize>,
    /// Plans made, up to [`MAX_PLANS`].
    plans: Cell<u32>,
}

/// The site takes the generic path for its class.
const NONE: u8 = 0;
/// The attribute is at `index` in the instance's attribute values.
const VALUES: u8 = 1;
/// The attribute is in the instance's dict at `tp_dictoffset`.
const DICT: u8 = 2;
/// The attribute is the function `method` of the class, which the instance does not shadow.
const METHOD: u8 = 3;

/// Plans a site makes at most; then it keeps to the generic path (a site that sees many
/// classes, or classes that keep changing).
const MAX_PLANS: u32 = 16;

/// Reads and tests version tags of classes.
pub(crate) struct TypeTags {
    tp_flags: usize,
    tp_version_tag: usize,
    /// `Py_TPFLAGS_VALID_VERSION_TAG`, or 0 where a non-zero tag is valid by itself.
    valid_flag: u32,
}

impl TypeTags {
    /// This build's, or `None` where it lacks the flag.
    pub(crate) fn new(c: &CApi) -> Option<TypeTags> {
        let d = c.descriptor();
        let t = &d.layout.type_object;
        Some(TypeTags {
            tp_flags: t.tp_flags as usize,
            tp_version_tag: t.tp_version_tag as usize,
            valid_flag: if d.version_tag_zeroed_on_change() {
                0
            } else {
                d.constant("Py_TPFLAGS_VALID_VERSION_TAG")? as u32
            },
        })
    }

    /// The flags of class `t` (their low 32 bits).
    ///
    /// # Safety
    /// `t` is a live type object.
    pub(crate) unsafe fn flags(&self, t: Obj) -> u32 {
        // SAFETY: per the caller.
        unsafe { *((t as *const u8).add(self.tp_flags) as *const u32) }
    }

    /// The valid version tag of class `t`, or 0 if it has none now.
    ///
    /// # Safety
    /// `t` is a live type object.
    pub(crate) unsafe fn tag(&self, t: Obj) -> u32 {
        // SAFETY: per the caller.
        unsafe {
            if self.flags(t) & self.valid_flag != self.valid_flag {
                return 0;
            }
            *((t as *const u8).add(self.tp_version_tag) as *const u32)
        }
    }
}

/// What the sites read of this build, found once.
struct AttrConsts {
    tags: TypeTags,
    generic_get: usize,
    generic_set: usize,
    tp_getattro: usize,
    tp_setattro: usize,
    tp_dictoffset: usize,
    tp_basicsize: usize,
    tp_descr_set: usize,
    /// 3.11+: where instances keep their attribute values, with what that needs.
    values: Option<ValuesLayout>,
    /// `PyDict_GetItemWithError`, else 2.7's `PyDict_GetItem`.
    dict_get: Option<(unsafe extern "C" fn(Obj, Obj) -> Obj, bool)>,
    /// `PyFunction_Type`.
    function_type: usize,
    /// 3.x `PyMethodDescr_Type` (a method of a builtin type, `set.add`), 0 where the build
    /// does not export it (2.7, whose attribute calls make bound methods).
    method_descr_type: usize,
}

/// The 3.11+ layout of attribute values and of the keys classes share.
struct ValuesLayout {
    model: InstanceValues,
    managed_dict: u32,
    inline_values: u32,
    /// `PyDictValues.values`.
    array: usize,
    ht_cached_keys: usize,
    dk_nentries: usize,
    dk_log2_index_bytes: usize,
    dk_indices: usize,
    entry_size: usize,
    me_key: usize,
}

fn consts(c: &CApi) -> Option<&'static AttrConsts> {
    static K: std::sync::OnceLock<Option<AttrConsts>> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let d = c.descriptor();
        let l = &d.layout;
        let t = &l.type_object;
        if !c.has(Api::ObjectGenericGetAttr)
            || !c.has(Api::ObjectGenericSetAttr)
            || !c.has(Api::TypeLookup)
        {
            return None;
        }
        let values = (|| {
            let keys = l.dict_keys.as_ref()?;
            let entry = l.dict_unicode_entry.as_ref()?;
            Some(ValuesLayout {
                model: d.instance_values()?,
                managed_dict: d.constant("Py_TPFLAGS_MANAGED_DICT")? as u32,
                inline_values: d.constant("Py_TPFLAGS_INLINE_VALUES").unwrap_or(0) as u32,
                array: l.dict_values.as_ref()?.values as usize,
                ht_cached_keys: l.heap_type.as_ref()?.ht_cached_keys? as usize,
                dk_nentries: keys.dk_nentries as usize,
                dk_log2_index_bytes: keys.dk_log2_index_bytes? as usize,
                dk_indices: keys.dk_indices as usize,
                entry_size: entry.size as usize,
                me_key: entry.me_key as usize,
            })
        })();
        let dict_get = if c.has(Api::DictGetItemWithError) {
            // SAFETY: the entry is `PyDict_GetItemWithError`.
            Some((unsafe { c.func(Api::DictGetItemWithError) }, true))
        } else if c.has(Api::DictGetItem) {
            // SAFETY: the entry is `PyDict_GetItem`.
            Some((unsafe { c.func(Api::DictGetItem) }, false))
        } else {
            None
        };
        Some(AttrConsts {
            tags: TypeTags::new(c)?,
            generic_get: c.addr(Api::ObjectGenericGetAttr) as usize,
            generic_set: c.addr(Api::ObjectGenericSetAttr) as usize,
            tp_getattro: t.tp_getattro as usize,
            tp_setattro: t.tp_setattro as usize,
            tp_dictoffset: t.tp_dictoffset as usize,
            tp_basicsize: t.tp_basicsize as usize,
            tp_descr_set: t.tp_descr_set as usize,
            values,
            dict_get,
            // SAFETY: a static type object.
            function_type: unsafe { c.object(Api::FunctionType) as usize },
            method_descr_type: if c.has(Api::MethodDescrType) {
                // SAFETY: a static type object.
                unsafe { c.object(Api::MethodDescrType) as usize }
            } else {
                0
            },
        })
    })
    .as_ref()
}

/// A word of `base` at byte offset `off`.
///
/// # Safety
/// The word is readable.
unsafe fn word(base: *const u8, off: usize) -> usize {
    // SAFETY: per the caller.
    unsafe { *(base.add(off) as *const usize) }
}

/// Where `o` (of class `t`, which has a managed dict) keeps its attribute values now; with
/// `store`, only if no dict shares them. NULL if a dict holds its attributes.
///
/// # Safety
/// GIL held; `o` live, of class `t`, whose flags say it has a managed dict.
unsafe fn values_of(k: &AttrConsts, v: &ValuesLayout, o: Obj, t: Obj, store: bool) -> *mut Obj {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let ob = o as *const u8;
        let base = match v.model {
            InstanceValues::Pointer { offset } => *(ob.offset(offset as isize) as *const usize),
            InstanceValues::Tagged { offset } => {
                let w = *(ob.offset(offset as isize) as *const usize);
                if w & 1 == 0 {
                    return std::ptr::null_mut();
                }
                w + 1
            }
            InstanceValues::Inline { valid, dict_offset } => {
                let values =
                    ob.add(*((t as *const u8).add(k.tp_basicsize) as *const isize) as usize);
                if *values.add(valid as usize) == 0
                    || (store && *(ob.offset(dict_offset as isize) as *const usize) != 0)
                {
                    return std::ptr::null_mut();
                }
                values as usize
            }
        };
        if base == 0 {
            return std::ptr::null_mut();
        }
        (base + v.array) as *mut Obj
    }
}

/// What a site does with the attribute.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Load,
    Store,
    /// `LOAD_METHOD`: a function of the class is wanted unbound.
    Method,
}

/// Where the class's shared keys hold `name`: `Ok(index)`, or `Err(entries)` if none of its
/// entries is `name`; `None` without shared keys.
///
/// # Safety
/// GIL held; `t` a live class with a managed dict.
unsafe fn shared_index(v: &ValuesLayout, t: Obj, name: Obj) -> Option<Result<u32, isize>> {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let keys = word(t as *const u8, v.ht_cached_keys) as *const u8;
        if keys.is_null() {
            return None;
        }
        let n = *(keys.add(v.dk_nentries) as *const isize);
        let entries = keys.add(v.dk_indices + (1usize << *keys.add(v.dk_log2_index_bytes)));
        for i in 0..n.max(0) as usize {
            if word(entries, i * v.entry_size + v.me_key) == name as usize {
                return Some(Ok(i as u32));
            }
        }
        Some(Err(n))
    }
}

/// Plans `site` for an access to `name` on `o`: where the cache finds it, if anywhere.
///
/// # Safety
/// GIL held; `o` and `name` live.
unsafe fn plan(c: &CApi, k: &AttrConsts, site: &AttrSite, o: Obj, name: Obj, access: Access) {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        let plans = site.plans.get();
        if plans >= MAX_PLANS {
            return;
        }
        site.plans.set(plans + 1);
        let t = c.type_of(o);
        let tb = t as *const u8;
        site.ty.set(t as usize);
        site.kind.set(NONE);
        let (slot, generic) = if access == Access::Store {
            (k.tp_setattro, k.generic_set)
        } else {
            (k.tp_getattro, k.generic_get)
        };
        // (the lookup also gives the class a version tag if it can have one)
        let found = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::TypeLookup)(t, name);
        if found.is_null() && c.error_occurred() {
            c.clear_error();
        }
        let tag = k.tags.tag(t);
        site.tag.set(tag);
        if tag == 0 || word(tb, slot) != generic {
            return;
        }
        let method = access == Access::Method;
        if method {
            // (a plain function or a builtin type's method: the method descriptors every
            // `_PyObject_GetMethod` from 3.7 on returns unbound; 3.8+ would take any type
            // flagged `Py_TPFLAGS_METHOD_DESCRIPTOR`, which those two are)
            let ft = if found.is_null() {
                0
            } else {
                c.type_of(found) as usize
            };
            if ft == 0 || (ft != k.function_type && ft != k.method_descr_type) {
                return;
            }
            site.method.set(found as usize);
        } else if !found.is_null() && word(c.type_of(found) as *const u8, k.tp_descr_set) != 0 {
            return;
        }
        let flags = k.tags.flags(t);
        let dictoffset = *(tb.add(k.tp_dictoffset) as *const isize);
        if let Some(v) = k.values.as_ref().filter(|v| flags & v.managed_dict != 0) {
            if matches!(v.model, InstanceValues::Inline { .. }) && flags & v.inline_values == 0 {
                return;
            }
            match shared_index(v, t, name) {
                Some(Ok(i)) => {
                    site.index.set(i);
                    site.entries.set(-1);
                    site.kind.set(if method { METHOD } else { VALUES });
                }
                Some(Err(n)) if method => {
                    site.entries.set(n);
                    site.kind.set(METHOD);
                }
                _ => {}
            }
            return;
        }
        if method && (dictoffset == 0 || (dictoffset > 0 && k.dict_get.is_some())) {
            site.kind.set(METHOD);
        } else if access == Access::Load && k.dict_get.is_some() && dictoffset > 0 {
            site.kind.set(DICT);
        }
    }
}

/// `o.name` through `site` (see the module documentation): a new reference, or NULL with an
/// exception set, as `PyObject_GetAttr`.
///
/// # Safety
/// Called by compiled code with the GIL held; `o` and `name` live, `site` the site's.
pub unsafe extern "C" fn rt_load_attr(
    env: *const Env,
    site: *const AttrSite,
    o: Obj,
    name: Obj,
) -> Obj {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        let s = &*site;
        if let Some(k) = consts(c) {
            let t = c.type_of(o);
            if t as usize == s.ty.get() && s.tag.get() != 0 && k.tags.tag(t) == s.tag.get() {
                match s.kind.get() {
                    VALUES => {
                        let v = k.values.as_ref().expect("planned with values");
                        let values = values_of(k, v, o, t, false);
                        if !values.is_null() {
                            let r = *values.add(s.index.get() as usize);
                            if !r.is_null() {
                                c.incref(r);
                                return r;
                            }
                        }
                    }
                    DICT => {
                        let (get, with_error) = k.dict_get.expect("planned with dicts");
                        let dict = word(o as *const u8, word(t as *const u8, k.tp_dictoffset));
                        if dict != 0 {
                            // (held, as the generic lookup holds it: comparing keys may run
                            // code)
                            let dict = dict as Obj;
                            c.incref(dict);
                            let r = get(dict, name);
                            if !r.is_null() {
                                c.incref(r);
                                c.decref(dict);
                                return r;
                            }
                            c.decref(dict);
                            if with_error && c.error_occurred() {
                                return r;
                            }
                        }
                    }
                    _ => {}
                }
            } else {
                plan(c, k, s, o, name, Access::Load);
            }
        }
        c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetAttr)(o, name)
    }
}

/// `o.name = v` through `site` (see the module documentation), `v` borrowed: 0, or -1 with
/// an exception set, as `PyObject_SetAttr`. The cache replaces a value the instance has; a
/// new attribute takes the generic path.
///
/// # Safety
/// Called by compiled code with the GIL held; the objects live, `site` the site's.
pub unsafe extern "C" fn rt_store_attr(
    env: *const Env,
    site: *const AttrSite,
    o: Obj,
    name: Obj,
    v: Obj,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        let s = &*site;
        if let Some(k) = consts(c) {
            let t = c.type_of(o);
            if t as usize == s.ty.get() && s.tag.get() != 0 && k.tags.tag(t) == s.tag.get() {
                if s.kind.get() == VALUES {
                    let layout = k.values.as_ref().expect("planned with values");
                    let values = values_of(k, layout, o, t, true);
                    if !values.is_null() {
                        let slot = values.add(s.index.get() as usize);
                        let old = *slot;
                        if !old.is_null() {
                            c.incref(v);
                            *slot = v;
                            c.decref(old);
                            return 0;
                        }
                    }
                }
            } else {
                plan(c, k, s, o, name, Access::Store);
            }
        }
        c.func::<extern "C" fn(Obj, Obj, Obj) -> c_int>(Api::ObjectSetAttr)(o, name, v)
    }
}

/// `LOAD_METHOD`'s lookup of `name` on `o` through `site` (see the module documentation), as
/// `_PyObject_GetMethod`: 1 with the class's function in `*out` (the call passes `o` as its
/// first argument), 0 with the attribute in `*out`, or 0 with `*out` NULL and an exception set.
///
/// # Safety
/// Called by compiled code with the GIL held; `o` and `name` live, `site` the site's, `out`
/// writable.
pub unsafe extern "C" fn rt_load_method(
    env: *const Env,
    site: *const AttrSite,
    o: Obj,
    name: Obj,
    out: *mut Obj,
) -> c_int {
    // SAFETY: per the caller.
    unsafe {
        let c = super::rt(env).capi;
        let s = &*site;
        if let Some(k) = consts(c) {
            let t = c.type_of(o);
            if t as usize == s.ty.get() && s.tag.get() != 0 && k.tags.tag(t) == s.tag.get() {
                if s.kind.get() == METHOD {
                    match own_attribute(c, k, s, o, t, name) {
                        Own::Nothing => {
                            let m = s.method.get() as Obj;
                            c.incref(m);
                            *out = m;
                            return 1;
                        }
                        Own::Attribute(r) => {
                            *out = r;
                            return 0;
                        }
                        Own::Unknown => {}
                    }
                }
            } else {
                plan(c, k, s, o, name, Access::Method);
            }
        }
        if c.has(Api::ObjectGetMethod) {
            return c.func::<extern "C" fn(Obj, Obj, *mut Obj) -> c_int>(Api::ObjectGetMethod)(
                o, name, out,
            );
        }
        // (3.7 and 3.8 do not export `_PyObject_GetMethod`: the attribute, a bound method for
        // a function, as the quick tier's `LOAD_METHOD` gets it there)
        *out = c.func::<extern "C" fn(Obj, Obj) -> Obj>(Api::ObjectGetAttr)(o, name);
        0
    }
}

/// What an instance holds of a name its class has a function for.
enum Own {
    /// Nothing: the class's function is the answer.
    Nothing,
    /// An attribute of its own (a new reference), which is the answer.
    Attribute(Obj),
    /// The cache cannot tell: the generic lookup answers.
    Unknown,
}

/// What instance `o` of the site's class holds of `name` (see [`Own`]).
///
/// # Safety
/// GIL held; `o` live, of the site's class `t`, planned for [`METHOD`].
unsafe fn own_attribute(c: &CApi, k: &AttrConsts, s: &AttrSite, o: Obj, t: Obj, name: Obj) -> Own {
    // SAFETY: per the caller; offsets from the descriptor.
    unsafe {
        if let Some(v) = k
            .values
            .as_ref()
            .filter(|v| k.tags.flags(t) & v.managed_dict != 0)
        {
            // (with no dict: one made from the values may have keys of its own)
            let values = values_of(k, v, o, t, true);
            if values.is_null() {
                return Own::Unknown;
            }
            let n = s.entries.get();
            if n < 0 {
                let r = *values.add(s.index.get() as usize);
                if r.is_null() {
                    return Own::Nothing;
                }
                c.incref(r);
                return Own::Attribute(r);
            }
            // the shared keys only grow: as many entries as then, still without `name`
            let keys = word(t as *const u8, v.ht_cached_keys) as *const u8;
            if keys.is_null() || *(keys.add(v.dk_nentries) as *const isize) != n {
                return Own::Unknown;
            }
            return Own::Nothing;
        }
        let off = *((t as *const u8).add(k.tp_dictoffset) as *const isize);
        if off == 0 {
            return Own::Nothing;
        }
        let (Some((get, _)), true) = (k.dict_get, off > 0) else {
            return Own::Unknown;
        };
        let dict = word(o as *const u8, off as usize);
        if dict == 0 {
            return Own::Nothing;
        }
        let dict = dict as Obj;
        c.incref(dict);
        let r = get(dict, name);
        if !r.is_null() {
            c.incref(r);
        }
        c.decref(dict);
        if !r.is_null() {
            return Own::Attribute(r);
        }
        if c.error_occurred() {
            // (only keys of other types than `str` can raise; the generic lookup decides)
            c.clear_error();
            return Own::Unknown;
        }
        Own::Nothing
    }
}

/// What the optimised code needs to answer a load or store from a site's cache itself
/// (3.11+, [`VALUES`] sites), without calling [`rt_load_attr`] or [`rt_store_attr`]: the
/// offsets of the site's fields, the class's flags and tag, and where instances keep their
/// values. Anything else those checks do not allow calls the helper, which answers it.
#[derive(Debug, Clone, Copy)]
pub struct InlineAttr {
    /// [`AttrSite`]'s `ty`, `tag`, `kind` and `index`.
    pub site_ty: u32,
    /// See `site_ty`.
    pub site_tag: u32,
    /// See `site_ty`.
    pub site_kind: u32,
    /// See `site_ty`.
    pub site_index: u32,
    /// The kind of sites answered inline.
    pub values_kind: u8,
    /// `ob_type`, `tp_flags`, `tp_version_tag`, `tp_basicsize`.
    pub ob_type: u32,
    /// See `ob_type`.
    pub tp_flags: u32,
    /// See `ob_type`.
    pub tp_version_tag: u32,
    /// See `ob_type`.
    pub tp_basicsize: u32,
    /// See `ob_type`.
    pub tp_dictoffset: u32,
    /// `Py_TPFLAGS_VALID_VERSION_TAG`, or 0 where a non-zero tag is valid by itself.
    pub valid_flag: u32,
    /// Where instances keep their values.
    pub model: InstanceValues,
    /// `PyDictValues.values`.
    pub array: u32,
    /// 3.13: `PyDictValues.capacity` and `size` (see [`InstanceValues`] for the insertion
    /// order).
    pub capacity_used: Option<(u32, u32)>,
    /// [`METHOD`] sites: the kind, the site's `method` and `entries`, and the class's shared
    /// keys (`ht_cached_keys`) and their `dk_nentries`.
    pub method_kind: u8,
    /// See `method_kind`.
    pub site_method: u32,
    /// See `method_kind`.
    pub site_entries: u32,
    /// See `method_kind`.
    pub ht_cached_keys: u32,
    /// See `method_kind`.
    pub dk_nentries: u32,
}

/// This build's [`InlineAttr`], if its instances keep attribute values.
pub fn inline_attr(c: &CApi) -> Option<InlineAttr> {
    use std::mem::offset_of;
    let k = consts(c)?;
    let v = k.values.as_ref()?;
    let d = c.descriptor();
    Some(InlineAttr {
        site_ty: offset_of!(AttrSite, ty) as u32,
        site_tag: offset_of!(AttrSite, tag) as u32,
        site_kind: offset_of!(AttrSite, kind) as u32,
        site_index: offset_of!(AttrSite, index) as u32,
        values_kind: VALUES,
        ob_type: d.layout.object.ob_type,
        tp_flags: k.tags.tp_flags as u32,
        tp_version_tag: k.tags.tp_version_tag as u32,
        tp_basicsize: k.tp_basicsize as u32,
        tp_dictoffset: k.tp_dictoffset as u32,
        valid_flag: k.tags.valid_flag,
        model: v.model,
        array: v.array as u32,
        capacity_used: d
            .layout
            .dict_values
            .as_ref()
            .and_then(|dv| Some((dv.capacity?, dv.used?))),
        method_kind: METHOD,
        site_method: offset_of!(AttrSite, method) as u32,
        site_entries: offset_of!(AttrSite, entries) as u32,
        ht_cached_keys: v.ht_cached_keys as u32,
        dk_nentries: v.dk_nentries as u32,
    })
}
