//! Reading bindgen's output: struct fields, layout tests, constants and declared C API names.
//!
//! bindgen's layout tests (`["Offset of field: T::f"][offset_of!(T, f) - N]`) are libclang's own
//! answer for the target; they are the single source of sizes and offsets. Fields nested in
//! anonymous unions or structs (`__bindgen_anon_N`) and dotted paths through named members are
//! resolved by walking the field types.

use std::collections::{BTreeMap, BTreeSet};
use syn::{Expr, Item, Lit, Type};

/// What one bindgen run declared.
#[derive(Debug, Default)]
pub struct Parsed {
    /// `pub type A = B;` aliases.
    pub aliases: BTreeMap<String, String>,
    /// Struct and union fields in order: (field, type name if a path type).
    pub fields: BTreeMap<String, Vec<(String, Option<String>)>>,
    /// `sizeof` per struct/union.
    pub sizes: BTreeMap<String, u64>,
    /// `(struct, field)` → offset.
    pub offsets: BTreeMap<(String, String), u64>,
    /// Integer constants (`pub const X: T = v;`).
    pub consts: BTreeMap<String, i64>,
    /// Declared functions and statics.
    pub declared: BTreeSet<String>,
}

fn lit_int(e: &Expr) -> Option<i128> {
    match e {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse::<i128>().ok(),
            _ => None,
        },
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => lit_int(&u.expr).map(|v| -v),
        Expr::Paren(p) => lit_int(&p.expr),
        Expr::Cast(c) => lit_int(&c.expr),
        _ => None,
    }
}

fn type_name(t: &Type) -> Option<String> {
    match t {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `["label"][expr - N]` statements of a layout-test block.
fn layout_assertion(e: &Expr) -> Option<(String, u64)> {
    let Expr::Index(ix) = e else { return None };
    let Expr::Array(arr) = &*ix.expr else {
        return None;
    };
    let Some(Expr::Lit(label)) = arr.elems.first() else {
        return None;
    };
    let Lit::Str(label) = &label.lit else {
        return None;
    };
    let Expr::Binary(bin) = &*ix.index else {
        return None;
    };
    let n = lit_int(&bin.right)?;
    Some((label.value(), n as u64))
}

impl Parsed {
    /// Parses bindgen's Rust output.
    pub fn from_source(src: &str) -> Result<Parsed, String> {
        let file = syn::parse_file(src).map_err(|e| format!("cannot parse bindgen output: {e}"))?;
        let mut p = Parsed::default();
        for item in &file.items {
            p.item(item);
        }
        Ok(p)
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Type(t) => {
                if let Some(target) = type_name(&t.ty) {
                    self.aliases.insert(t.ident.to_string(), target);
                }
            }
            Item::Struct(s) => {
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|f| f.ident.as_ref().map(|i| (i.to_string(), type_name(&f.ty))))
                    .collect();
                self.fields.insert(s.ident.to_string(), fields);
            }
            Item::Union(u) => {
                let fields = u
                    .fields
                    .named
                    .iter()
                    .filter_map(|f| f.ident.as_ref().map(|i| (i.to_string(), type_name(&f.ty))))
                    .collect();
                self.fields.insert(u.ident.to_string(), fields);
            }
            Item::Const(c) => {
                if c.ident == "_" {
                    if let Expr::Block(b) = &*c.expr {
                        for stmt in &b.block.stmts {
                            if let syn::Stmt::Expr(e, _) = stmt {
                                self.assertion(e);
                            }
                        }
                    }
                } else if let Some(v) = lit_int(&c.expr) {
                    self.consts.insert(c.ident.to_string(), v as i64);
                }
            }
            Item::ForeignMod(m) => {
                for fi in &m.items {
                    match fi {
                        syn::ForeignItem::Fn(f) => {
                            self.declared.insert(f.sig.ident.to_string());
                        }
                        syn::ForeignItem::Static(s) => {
                            self.declared.insert(s.ident.to_string());
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    fn assertion(&mut self, e: &Expr) {
        let Some((label, n)) = layout_assertion(e) else {
            return;
        };
        if let Some(t) = label.strip_prefix("Size of ") {
            self.sizes.insert(t.to_string(), n);
        } else if let Some(tf) = label.strip_prefix("Offset of field: ") {
            if let Some((t, f)) = tf.split_once("::") {
                self.offsets.insert((t.to_string(), f.to_string()), n);
            }
        }
    }

    /// Follows type aliases to the struct or union name.
    pub fn resolve_type(&self, name: &str) -> Option<String> {
        let mut cur = name.to_string();
        for _ in 0..8 {
            if self.fields.contains_key(&cur) || self.sizes.contains_key(&cur) {
                return Some(cur);
            }
            cur = self.aliases.get(&cur)?.clone();
        }
        None
    }

    /// Size of a C type.
    pub fn size_of(&self, c_type: &str) -> Option<u64> {
        self.sizes.get(&self.resolve_type(c_type)?).copied()
    }

    /// Offset of a (possibly dotted) field path in a C type, looking through anonymous members.
    pub fn offset_of(&self, c_type: &str, path: &str) -> Option<u64> {
        let ty = self.resolve_type(c_type)?;
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, Some(r)),
            None => (path, None),
        };
        let fields = self.fields.get(&ty)?;
        for (name, fty) in fields {
            if name == head {
                let off = *self.offsets.get(&(ty.clone(), name.clone()))?;
                return match rest {
                    None => Some(off),
                    Some(r) => Some(off + self.offset_of(fty.as_ref()?, r)?),
                };
            }
        }
        for (i, (name, fty)) in fields.iter().enumerate() {
            if name.starts_with("__bindgen_anon_") {
                if let Some(inner) = fty.as_ref().and_then(|t| self.offset_of(t, path)) {
                    // bindgen writes no offset test for anonymous members; the first member of
                    // a struct is at 0 by the C standard, others must have a test.
                    let base = match self.offsets.get(&(ty.clone(), name.clone())) {
                        Some(o) => *o,
                        None if i == 0 => 0,
                        None => return None,
                    };
                    return Some(base + inner);
                }
            }
        }
        None
    }
}

/// Every constant of `anyjit_abi::constants::NAMES` the build defines.
pub fn constants(parsed: &Parsed) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for (i, name) in anyjit_abi::constants::NAMES.iter().enumerate() {
        let v = parsed
            .consts
            .get(&super::builds::const_var(i))
            .or_else(|| parsed.consts.get(*name));
        if let Some(v) = v {
            out.push((name.to_string(), *v));
        }
    }
    out
}
