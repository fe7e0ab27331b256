//! The opcode table of a build.
//!
//! Sources, each the build's own:
//! * numbers: every `#define NAME <int>` of `opcode.h` (`opcode_ids.h` from 3.13), evaluated by
//!   clang through the wrapper;
//! * inline caches and de-specialisation (3.11+): the `_PyOpcode_Caches` and `_PyOpcode_Deopt`
//!   initialisers of the internal opcode tables;
//! * argument and jump flags (3.13): `_PyOpcode_opcode_metadata`;
//! * jump kinds before 3.13: `Lib/opcode.py`'s `jrel_op`/`jabs_op` declarations — headers of those
//!   builds carry no jump table (3.11/3.12 have only a bitset that the same file agrees with).

use super::parse::Parsed;
use super::Headers;
use anyjit_abi::descriptor::{JumpKind, JumpUnit};
use anyjit_abi::discover::Interpreter;
use std::collections::BTreeMap;

/// Raw opcode sources read from the build.
#[derive(Debug, Clone, Default)]
pub struct OpcodeSources {
    /// Opcode macro names, in header order.
    pub names: Vec<String>,
    /// `_PyOpcode_Caches` entries (name → units).
    pub caches: BTreeMap<String, u8>,
    /// `_PyOpcode_Deopt` entries (specialised name → base name).
    pub deopt: BTreeMap<String, String>,
    /// 3.13 metadata flags text per name.
    pub metadata: BTreeMap<String, String>,
    /// `Lib/opcode.py` relative jumps.
    pub jrel: Vec<String>,
    /// `Lib/opcode.py` absolute jumps.
    pub jabs: Vec<String>,
}

/// Names defined in opcode headers that are not opcodes.
fn is_opcode_name(name: &str) -> bool {
    const NOT: &[&str] = &[
        "HAVE_ARGUMENT",
        "ENABLE_SPECIALIZATION",
        "ENABLE_SPECIALIZATION_FT",
    ];
    !(NOT.contains(&name)
        || name.starts_with("NB_")
        || name.starts_with("MIN_")
        || name.starts_with("MAX_")
        || name.starts_with("Py_")
        || name.starts_with('_')
        || name.chars().any(|c| c.is_ascii_lowercase()))
}

fn defines(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix('#') else {
            continue;
        };
        let Some(rest) = rest.trim_start().strip_prefix("define") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(name), Some(value)) = (words.next(), words.next()) else {
            continue;
        };
        if name.contains('(') {
            continue;
        }
        out.push((name.to_string(), value.to_string()));
    }
    out
}

/// `[NAME] = VALUE,` entries of the C array initialiser named `array`.
fn initializer(text: &str, array: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // The definition `NAME[N] = {`, not an `extern` declaration.
    let needle = format!("{array}[");
    let Some(start) = text.match_indices(&needle).find_map(|(i, _)| {
        let after = &text[i + needle.len()..];
        let close = after.find(']')?;
        after[close + 1..]
            .trim_start()
            .strip_prefix("= {")
            .map(|_| {
                let eq = i + needle.len() + close + 1;
                eq + text[eq..].find('{').unwrap_or(0) + 1
            })
    }) else {
        return out;
    };
    let body = &text[start..];
    let end = body.find("};").unwrap_or(body.len());
    for entry in body[..end].split("\n") {
        let entry = entry.trim().trim_end_matches(',');
        let Some(rest) = entry.strip_prefix('[') else {
            continue;
        };
        let Some((name, value)) = rest.split_once("] =") else {
            continue;
        };
        out.push((name.trim().to_string(), value.trim().to_string()));
    }
    out
}

/// Reads the opcode sources of a build.
pub fn read_sources(headers: &Headers, base: &Interpreter) -> Result<OpcodeSources, String> {
    let read = |rel: &str| std::fs::read_to_string(headers.main.join(rel)).ok();
    let header = read("opcode_ids.h")
        .or_else(|| read("opcode.h"))
        .ok_or("no opcode.h")?;
    let mut src = OpcodeSources::default();
    for (name, value) in defines(&header) {
        let v = value.trim_matches(|c| c == '(' || c == ')');
        if is_opcode_name(&name) && v.parse::<u32>().is_ok() {
            src.names.push(name);
        }
    }
    for file in [
        "internal/pycore_opcode.h",
        "internal/pycore_opcode_metadata.h",
    ] {
        let Some(text) = read(file) else { continue };
        for (name, value) in initializer(&text, "_PyOpcode_Caches") {
            let units = value
                .parse::<u8>()
                .map_err(|_| format!("cache entry {name} = {value}"))?;
            src.caches.insert(name, units);
        }
        for (name, value) in initializer(&text, "_PyOpcode_Deopt") {
            src.deopt.insert(name, value);
        }
        for (name, value) in initializer(&text, "_PyOpcode_opcode_metadata") {
            src.metadata.insert(name, value);
        }
    }
    if src.metadata.is_empty() {
        let path = base.stdlib.join("opcode.py");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        for line in text.lines() {
            let line = line.trim();
            for (prefix, list) in [("jrel_op(", &mut src.jrel), ("jabs_op(", &mut src.jabs)] {
                if let Some(rest) = line.strip_prefix(prefix) {
                    let name = rest.split(['\'', '"']).nth(1).unwrap_or("");
                    if !name.is_empty() {
                        list.push(name.to_string());
                    }
                }
            }
        }
        if src.jrel.is_empty() {
            return Err(format!("{} declares no jumps", path.display()));
        }
    }
    Ok(src)
}

/// One resolved opcode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Op {
    /// Name.
    pub name: String,
    /// Number.
    pub number: u16,
    /// Takes an argument.
    pub has_arg: bool,
    /// Inline cache units.
    pub caches: u8,
    /// Jump kind.
    pub jump: JumpKind,
}

/// The resolved table.
#[derive(Debug, Clone)]
pub struct Table {
    /// Every opcode, by number.
    pub ops: Vec<Op>,
    /// `HAVE_ARGUMENT`.
    pub have_argument: u16,
    /// Jump unit.
    pub jump_unit: JumpUnit,
    /// Bits per `EXTENDED_ARG`.
    pub extended_arg_shift: u8,
    /// Specialised → base numbers.
    pub deopt: Vec<(u8, u8)>,
}

/// Builds the table from the sources and clang's evaluated numbers.
pub fn table(src: &OpcodeSources, parsed: &Parsed, version: (u8, u8, u8)) -> Result<Table, String> {
    let mut numbers: BTreeMap<String, u16> = BTreeMap::new();
    for name in &src.names {
        let var = super::builds::opcode_var(name);
        let v = parsed
            .consts
            .get(&var)
            .ok_or_else(|| format!("clang did not evaluate opcode {name}"))?;
        numbers.insert(
            name.clone(),
            u16::try_from(*v).map_err(|_| format!("opcode {name} = {v}"))?,
        );
    }
    let have_argument = *parsed
        .consts
        .get(&super::builds::opcode_var("HAVE_ARGUMENT"))
        .ok_or("the opcode header defines no HAVE_ARGUMENT")? as u16;
    let number = |name: &str| numbers.get(name).copied();
    let mut deopt = Vec::new();
    let mut base_of: BTreeMap<String, String> = BTreeMap::new();
    for (spec, base) in &src.deopt {
        if spec != base {
            let (Some(s), Some(b)) = (number(spec), number(base)) else {
                return Err(format!(
                    "deopt entry {spec} -> {base} names an unknown opcode"
                ));
            };
            deopt.push((s as u8, b as u8));
            base_of.insert(spec.clone(), base.clone());
        }
    }
    deopt.sort();
    let modern = version >= (3, 11, 0);
    let mut ops = Vec::new();
    for (name, &num) in &numbers {
        let base = base_of
            .get(name)
            .cloned()
            .or_else(|| {
                name.strip_prefix("INSTRUMENTED_")
                    .filter(|b| numbers.contains_key(*b))
                    .map(str::to_string)
            })
            .unwrap_or_else(|| name.clone());
        let base_num = numbers[&base];
        let has_arg = if !src.metadata.is_empty() {
            src.metadata
                .get(&base)
                .is_some_and(|m| m.contains("HAS_ARG_FLAG"))
        } else {
            base_num >= have_argument && base_num < 256
        };
        let caches = *src.caches.get(&base).unwrap_or(&0);
        let is_jump = if !src.metadata.is_empty() {
            src.metadata
                .get(&base)
                .is_some_and(|m| m.contains("HAS_JUMP_FLAG"))
        } else {
            src.jrel.contains(&base) || src.jabs.contains(&base)
        };
        let jump = if !is_jump {
            JumpKind::None
        } else if src.jabs.contains(&base) {
            JumpKind::Absolute
        } else if modern && base.contains("BACKWARD") {
            JumpKind::Backward
        } else {
            JumpKind::Forward
        };
        ops.push(Op {
            name: name.clone(),
            number: num,
            has_arg,
            caches,
            jump,
        });
    }
    ops.sort_by(|a, b| (a.number, &a.name).cmp(&(b.number, &b.name)));
    Ok(Table {
        ops,
        have_argument,
        jump_unit: if version >= (3, 10, 0) {
            JumpUnit::CodeUnits
        } else {
            JumpUnit::Bytes
        },
        extended_arg_shift: if version.0 == 2 { 16 } else { 8 },
        deopt,
    })
}
