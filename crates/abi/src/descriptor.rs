//! The descriptor: everything anyjit knows about one CPython build, as typed data.
//!
//! A [`Descriptor`] is generated from a build's own headers (see the `anyjit-versions` crate) and
//! committed. Code generation asks it by name — `desc.layout.type_object.tp_flags`,
//! `desc.caps.immortal_objects` — and never tests version numbers itself.
//!
//! Struct layouts are declared once with [`layout_struct!`](crate::layout_struct): the same
//! declaration gives the typed struct, the list of C fields the generator must find (with every
//! name a field went by), and the iteration used by the live-object checks.

/// How a build stores `unicode` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unicode {
    /// 2.x narrow build: `Py_UNICODE` is 16 bits, `sys.maxunicode == 0xFFFF`.
    Ucs2,
    /// 2.x wide build: `Py_UNICODE` is 32 bits.
    Ucs4,
    /// 3.3+ flexible string representation (PEP 393).
    Pep393,
}

impl Unicode {
    /// The name `anyjit.info()` reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Unicode::Ucs2 => "ucs2",
            Unicode::Ucs4 => "ucs4",
            Unicode::Pep393 => "pep393",
        }
    }
}

/// Operating system family a descriptor was generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Os {
    /// Linux (ELF, `dlsym`).
    Linux,
    /// Windows (PE, `GetProcAddress` on `pythonXY.dll`).
    Windows,
}

/// Where a descriptor's data was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provenance {
    /// Generated from the headers of an interpreter installed on the generating machine, and
    /// checked against that running interpreter by the test suite.
    Local,
    /// Generated from real headers with a changed configuration or target (narrow unicode,
    /// free-threading, 32-bit, Windows). It exists as data; no interpreter of that build has run it.
    Derived,
}

impl Provenance {
    /// Human-readable status used by `anyjit interpreters` and the README table.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Local => "supported",
            Provenance::Derived => "derived, not run",
        }
    }
}

/// The identity of a build: what detection must match before a descriptor is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    /// `(major, minor, micro)` of the headers the descriptor came from.
    pub version: (u8, u8, u8),
    /// `PY_VERSION_HEX` of those headers.
    pub hexversion: u32,
    /// `Py_DEBUG` build.
    pub debug: bool,
    /// `Py_TRACE_REFS` build (object header carries `_ob_next`/`_ob_prev`).
    pub trace_refs: bool,
    /// Unicode representation.
    pub unicode: Unicode,
    /// Width of a pointer in bits.
    pub pointer_bits: u8,
    /// `Py_GIL_DISABLED` (free-threaded) build.
    pub gil_disabled: bool,
    /// Target triple the headers were evaluated for.
    pub target: &'static str,
    /// Operating system family.
    pub os: Os,
}

/// How jump arguments count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JumpUnit {
    /// Jump arguments are byte offsets (2.7 to 3.9).
    Bytes,
    /// Jump arguments count 2-byte code units (3.10+).
    CodeUnits,
}

/// What kind of jump an opcode performs, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JumpKind {
    /// Not a jump.
    None,
    /// Target is the argument added to the offset of the next instruction (after its caches).
    Forward,
    /// Target is the next instruction's offset minus the argument (3.11+ `*_BACKWARD*`).
    Backward,
    /// Target is the argument itself (2.7 to 3.10 `hasjabs`).
    Absolute,
}

/// One opcode of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opcode {
    /// Name as in the build's `opcode.h`.
    pub name: &'static str,
    /// Number in this build (≥ 256 for 3.12+ compiler-only pseudo opcodes).
    pub number: u16,
    /// Whether the instruction's argument is meaningful.
    pub has_arg: bool,
    /// Inline cache units following the instruction (3.11+; 0 before).
    pub caches: u8,
    /// Jump behaviour.
    pub jump: JumpKind,
}

/// The opcode table of a build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opcodes {
    /// Every opcode the build's header defines, sorted by number.
    pub table: &'static [Opcode],
    /// `HAVE_ARGUMENT` (its rule is only exact before 3.13: use [`Opcode::has_arg`]).
    pub have_argument: u16,
    /// Unit of jump arguments.
    pub jump_unit: JumpUnit,
    /// Bits one `EXTENDED_ARG` prefix shifts the argument by (16 on 2.7, 8 on 3.x).
    pub extended_arg_shift: u8,
    /// Specialised opcode number → base opcode number (3.11+ `_PyOpcode_Deopt`), excluding
    /// identities. Empty before 3.11.
    pub deopt: &'static [(u8, u8)],
}

impl Opcodes {
    /// The opcode with this name.
    pub fn by_name(&self, name: &str) -> Option<&'static Opcode> {
        self.table.iter().find(|op| op.name == name)
    }

    /// The opcode a name from Python's `opcode.opmap` denotes. 2.7's module spells the header's
    /// `SLICE`, `SLICE_1` … as `SLICE+0`, `SLICE+1` … (likewise `STORE_SLICE`, `DELETE_SLICE`).
    pub fn by_python_name(&self, name: &str) -> Option<&'static Opcode> {
        match name.split_once('+') {
            Some((base, "0")) => self.by_name(base),
            Some((base, n)) => self.by_name(&format!("{base}_{n}")),
            None => self.by_name(name),
        }
    }

    /// The opcode with this number (real opcodes only, < 256).
    pub fn by_number(&self, number: u8) -> Option<&'static Opcode> {
        self.table.iter().find(|op| op.number == u16::from(number))
    }

    /// The base opcode of a specialised one (identity for base opcodes).
    pub fn deoptimize(&self, number: u8) -> u8 {
        self.deopt
            .iter()
            .find(|(spec, _)| *spec == number)
            .map_or(number, |(_, base)| *base)
    }
}

/// Build capabilities, asked by name by the code generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capabilities {
    /// 3.11+ exception tables instead of the block stack.
    pub exception_table: bool,
    /// Inline cache units follow instructions (3.11+).
    pub inline_caches: bool,
    /// Immortal objects: `Py_INCREF`/`Py_DECREF` must skip them (3.12+).
    pub immortal_objects: bool,
    /// PEP 590 vectorcall is available (3.8+).
    pub vectorcall: bool,
    /// `_PyInterpreterFrame` is the evaluation record (3.11+).
    pub interpreter_frames: bool,
    /// The `int` type is 2.x's machine `PyIntObject` (with `long` beside it).
    pub int_object: bool,
    /// `PyLongObject` keeps its size and sign in `lv_tag` (3.12+).
    pub long_value_tag: bool,
    /// The current exception is one object (`tstate->current_exception`, 3.12+).
    pub single_exception: bool,
}

/// Integer constants of a build: flags, CO_* bits, compare ops and friends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Constant {
    /// Macro or enumerator name as in the headers.
    pub name: &'static str,
    /// Value as evaluated for the target by the C compiler front end.
    pub value: i64,
}

/// A field the generator must locate: a logical name and every C path it went by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// Name of the Rust field in the layout struct.
    pub name: &'static str,
    /// C field paths (dotted for nested named members) in order of preference.
    pub paths: &'static [&'static str],
    /// Whether every build that has the struct must have the field.
    pub required: bool,
}

/// Declares a typed struct layout: its size, required field offsets (`u32`) and optional ones
/// (`Option<u32>`), with the C type and field names they come from.
#[macro_export]
macro_rules! layout_struct {
    (
        $(#[$meta:meta])*
        pub struct $name:ident = [$($cty:literal),+] {
            $( $(#[$fmeta:meta])* $field:ident = $($path:literal)|+ ; )*
        }
        optional {
            $( $(#[$ometa:meta])* $ofield:ident = $($opath:literal)|+ ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name {
            /// `sizeof` the C struct.
            pub size: u32,
            $( $(#[$fmeta])* pub $field: u32, )*
            $( $(#[$ometa])* pub $ofield: Option<u32>, )*
        }

        impl $name {
            /// C type names this layout is read from, in order of preference.
            pub const C_TYPES: &'static [&'static str] = &[$($cty),+];
            /// Every field, required first.
            pub const FIELDS: &'static [$crate::descriptor::FieldSpec] = &[
                $( $crate::descriptor::FieldSpec { name: stringify!($field), paths: &[$($path),+], required: true }, )*
                $( $crate::descriptor::FieldSpec { name: stringify!($ofield), paths: &[$($opath),+], required: false }, )*
            ];

            /// `(field name, offset)` for every field, `None` where this build lacks it.
            pub fn offsets(&self) -> Vec<(&'static str, Option<u32>)> {
                vec![
                    $( (stringify!($field), Some(self.$field)), )*
                    $( (stringify!($ofield), self.$ofield), )*
                ]
            }
        }
    };
}

pub use crate::layouts::Layout;

/// What the generator skipped for a build, and why (pyo3-ffi's `// skipped` habit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skipped {
    /// The struct, field or symbol.
    pub item: &'static str,
    /// Why it is absent from this descriptor.
    pub reason: &'static str,
}

/// The symbol a logical C API entry has in one build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolName {
    /// The logical entry.
    pub api: crate::symbols::Api,
    /// Name declared by the build's headers, or `None` if no candidate is declared.
    pub name: Option<&'static str>,
}

/// Everything known about one CPython build.
#[derive(Debug, Clone, Copy)]
pub struct Descriptor {
    /// Stable identifier, e.g. `cpython-3.12.1-x86_64-linux-gnu` or `cpython-3.11.2d-…`.
    pub id: &'static str,
    /// Whether a live interpreter checked it.
    pub provenance: Provenance,
    /// Build identity.
    pub identity: Identity,
    /// Capabilities asked by name.
    pub caps: Capabilities,
    /// Opcode table.
    pub opcodes: Opcodes,
    /// Struct layouts.
    pub layout: Layout,
    /// Integer constants (flags, CO_* bits, compare ops...).
    pub constants: &'static [Constant],
    /// C API names in this build, one per [`crate::symbols::Api`] entry.
    pub symbols: &'static [SymbolName],
    /// What the generator left out, with reasons.
    pub skipped: &'static [Skipped],
}

/// Where an instance of a class with a managed dict (3.11+) keeps its attribute values: an
/// array indexed as the keys its class shares among its instances (`ht_cached_keys`), until a
/// dict is made for it. The values' insertion order (a byte per value set) is kept before the
/// values on 3.11 and 3.12 (`_PyDictValues_AddToInsertionOrder`: the byte before the values
/// holds the size of that prefix, the one before it the order's length, and the order runs
/// backwards from there), after `capacity` values on 3.13 (`size`, here `used`, its length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstanceValues {
    /// 3.11: the pre-header word at `offset` from the object points to the values (NULL once a
    /// dict was made): `_PyObject_ValuesPointer`, the word before the managed dict's.
    Pointer {
        /// From the object, in bytes (negative).
        offset: i64,
    },
    /// 3.12: the pre-header word at `offset` holds the values' address minus one (odd) or a
    /// dict: `_PyObject_DictOrValuesPointer`, three words before the object.
    Tagged {
        /// From the object, in bytes (negative).
        offset: i64,
    },
    /// 3.13: the values follow the object's `tp_basicsize` bytes where the class has
    /// `Py_TPFLAGS_INLINE_VALUES`, in use while their `valid` byte is non-zero; the managed
    /// dict (at `dict_offset`), once made, shares them.
    Inline {
        /// Offset of the `valid` byte in `PyDictValues`.
        valid: u32,
        /// `MANAGED_DICT_OFFSET`.
        dict_offset: i64,
    },
}

impl Descriptor {
    /// Where instances of classes with a managed dict keep their attribute values; `None`
    /// before 3.11 (instances have a dict at `tp_dictoffset`).
    pub fn instance_values(&self) -> Option<InstanceValues> {
        let l = &self.layout;
        let word = i64::from(self.identity.pointer_bits / 8);
        let values = l.dict_values.as_ref()?;
        if let Some(valid) = values.valid {
            return Some(InstanceValues::Inline {
                valid,
                dict_offset: self.constant("MANAGED_DICT_OFFSET")?,
            });
        }
        if l.dict_or_values.is_some() {
            return Some(InstanceValues::Tagged { offset: -3 * word });
        }
        let dict = self.constant("MANAGED_DICT_OFFSET")?;
        Some(InstanceValues::Pointer {
            offset: dict - word,
        })
    }

    /// The value of a constant, if the build defines it.
    pub fn constant(&self, name: &str) -> Option<i64> {
        self.constants
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.value)
    }

    /// The name of a C API entry in this build.
    pub fn symbol(&self, api: crate::symbols::Api) -> Option<&'static str> {
        self.symbols
            .iter()
            .find(|s| s.api == api)
            .and_then(|s| s.name)
    }

    /// Whether a class's version tag is valid by itself once non-zero: from 3.12 a change to
    /// the class sets `tp_version_tag` to 0 (3.13 no longer maintains
    /// `Py_TPFLAGS_VALID_VERSION_TAG`); up to 3.11 a change only clears that flag and the old
    /// tag stays.
    pub fn version_tag_zeroed_on_change(&self) -> bool {
        self.identity.hexversion >= 0x030c_0000
    }

    /// `"3.12.1"`-style version text.
    pub fn version_string(&self) -> String {
        let (a, b, c) = self.identity.version;
        format!("{a}.{b}.{c}")
    }

    /// Short human description of the build flavour: `debug`, `ucs2`, `free-threaded`, `32-bit`…
    pub fn flavour(&self) -> String {
        let id = &self.identity;
        let mut parts = Vec::new();
        if id.debug {
            parts.push("debug".to_string());
        } else {
            parts.push("release".to_string());
        }
        if id.trace_refs {
            parts.push("trace-refs".to_string());
        }
        if id.unicode != Unicode::Pep393 {
            parts.push(id.unicode.as_str().to_string());
        }
        if id.gil_disabled {
            parts.push("free-threaded".to_string());
        }
        parts.push(format!("{}-bit", id.pointer_bits));
        parts.push(
            match id.os {
                Os::Linux => "linux",
                Os::Windows => "windows",
            }
            .to_string(),
        );
        parts.join(", ")
    }
}
