//! # anyjit-gen: bindgen over a CPython build's headers → a committed descriptor
//!
//! It depends on `anyjit-abi` only (never on the committed data), so it builds even while the
//! committed files are stale. Supported: CPython 2.7 and 3.6+ header sets, Linux x86_64 builds
//! and their derived variants (narrow unicode, free-threaded, i686, Windows x64/x86).
//!
//! For each build the generator
//! 1. prepares the header set (the local interpreter's own headers, or a copy with a changed
//!    `pyconfig.h` for a derived build: narrow unicode, free-threading, 32-bit, Windows);
//! 2. writes a wrapper that includes the public headers and, from 3.8 on, the internal ones
//!    (`Py_BUILD_CORE`) that define frames, interpreter state, dict keys and code caches, plus one
//!    `static const long long` per wanted constant so that clang evaluates every macro for the
//!    target (casts and `sizeof` included);
//! 3. runs bindgen (libclang) with layout tests on, and reads sizes and offsets from those tests
//!    and declared C API names from the `extern` blocks ([`parse`]);
//! 4. reads the opcode table from `opcode.h` / `opcode_ids.h`, inline caches, de-specialisation
//!    and (3.13) argument and jump flags from the internal opcode tables, and jump kinds before
//!    3.13 from the build's `Lib/opcode.py`, the only place those builds record them ([`opcodes`]);
//! 5. renders the descriptor as Rust ([`render`]).

pub mod builds;
pub mod opcodes;
pub mod parse;
pub mod render;

use anyjit_abi::descriptor::{Os, Provenance, Unicode};
use anyjit_abi::discover::Interpreter;
use std::fmt;
use std::path::{Path, PathBuf};

/// How a derived build differs from the local build whose headers it starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The local build itself.
    Native,
    /// 2.x narrow unicode (`Py_UNICODE_SIZE 2`).
    Ucs2,
    /// 3.13+ free-threaded (`Py_GIL_DISABLED`).
    FreeThreaded,
    /// 32-bit x86 Linux.
    Linux32,
    /// 64-bit Windows.
    Windows64,
    /// 32-bit Windows.
    Windows32,
}

impl Variant {
    /// Suffix of the descriptor id.
    pub fn tag(self) -> &'static str {
        match self {
            Variant::Native => "",
            Variant::Ucs2 => "-ucs2",
            Variant::FreeThreaded => "t",
            Variant::Linux32 => "",
            Variant::Windows64 => "",
            Variant::Windows32 => "",
        }
    }

    /// clang target triple.
    pub fn target(self) -> &'static str {
        match self {
            Variant::Native | Variant::Ucs2 | Variant::FreeThreaded => "x86_64-unknown-linux-gnu",
            Variant::Linux32 => "i686-unknown-linux-gnu",
            Variant::Windows64 => "x86_64-w64-windows-gnu",
            Variant::Windows32 => "i686-w64-windows-gnu",
        }
    }

    /// Operating system.
    pub fn os(self) -> Os {
        match self {
            Variant::Windows64 | Variant::Windows32 => Os::Windows,
            _ => Os::Linux,
        }
    }
}

/// One build to generate.
#[derive(Debug, Clone)]
pub struct BuildSpec {
    /// The local interpreter whose headers and standard library are used.
    pub base: Interpreter,
    /// How the generated build differs from it.
    pub variant: Variant,
}

impl BuildSpec {
    /// Whether a live interpreter of exactly this build exists here.
    pub fn provenance(&self) -> Provenance {
        if self.variant == Variant::Native {
            Provenance::Local
        } else {
            Provenance::Derived
        }
    }
}

/// A generation failure, with the build it concerns.
#[derive(Debug)]
pub struct GenError {
    /// Build id or header folder.
    pub build: String,
    /// What failed.
    pub message: String,
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.build, self.message)
    }
}

impl std::error::Error for GenError {}

/// Result of one build's generation.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Descriptor id (also the module name, with `-` and `.` as `_`).
    pub id: String,
    /// Rust module name.
    pub module: String,
    /// File contents.
    pub source: String,
}

/// The descriptor id of a build: `cpython-3.12.1-x86_64-linux-gnu`, `cpython-3.11.2d-…`,
/// `cpython-2.7.18-ucs2-…`, `cpython-3.13.0t-…`, `cpython-3.8.18-i686-windows`.
pub fn build_id(version: (u8, u8, u8), debug: bool, variant: Variant) -> String {
    let (a, b, c) = version;
    let arch = match variant {
        Variant::Native | Variant::Ucs2 | Variant::FreeThreaded => "x86_64-linux-gnu",
        Variant::Linux32 => "i686-linux-gnu",
        Variant::Windows64 => "amd64-windows",
        Variant::Windows32 => "win32-windows",
    };
    let d = if debug { "d" } else { "" };
    format!("cpython-{a}.{b}.{c}{d}{}-{arch}", variant.tag())
}

/// Module name for an id.
pub fn module_name(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Generates one build's descriptor source.
pub fn generate(spec: &BuildSpec) -> Result<Generated, GenError> {
    let id = build_id(spec.base.version, spec.base.debug, spec.variant);
    let err = |message: String| GenError {
        build: id.clone(),
        message,
    };
    let headers = builds::prepare_headers(spec).map_err(err)?;
    let opcode_src = opcodes::read_sources(&headers, &spec.base).map_err(err)?;
    let wrapper = builds::wrapper(spec, &headers, &opcode_src);
    let out = builds::run_bindgen(spec, &headers, &wrapper).map_err(err)?;
    let parsed = parse::Parsed::from_source(&out).map_err(err)?;
    let constants = parse::constants(&parsed);
    let identity = render::identity(spec, &constants).map_err(err)?;
    let opcodes = opcodes::table(&opcode_src, &parsed, spec.base.version).map_err(err)?;
    let desc = render::Desc {
        id: id.clone(),
        provenance: spec.provenance(),
        identity,
        constants,
        opcodes,
        parsed: &parsed,
        version: spec.base.version,
    };
    let source = render::render(&desc).map_err(err)?;
    Ok(Generated {
        module: module_name(&id),
        id,
        source,
    })
}

/// The header folders a build compiles against.
#[derive(Debug, Clone)]
pub struct Headers {
    /// `-I` folders, in order.
    pub include: Vec<PathBuf>,
    /// Folder holding `Python.h`.
    pub main: PathBuf,
    /// Extra `-isystem` folders (a C library for a foreign target).
    pub system: Vec<PathBuf>,
    /// Temporary copy to delete afterwards, if any.
    pub temp: Option<PathBuf>,
}

impl Drop for Headers {
    fn drop(&mut self) {
        if let Some(t) = &self.temp {
            let _ = std::fs::remove_dir_all(t);
        }
    }
}

/// The unicode width a build reports.
pub fn unicode_of(version: (u8, u8, u8), unicode_size: Option<i64>) -> Unicode {
    if version.0 >= 3 {
        Unicode::Pep393
    } else if unicode_size == Some(2) {
        Unicode::Ucs2
    } else {
        Unicode::Ucs4
    }
}

/// Where the committed descriptors live, relative to the workspace root.
pub const GENERATED_DIR: &str = "crates/versions/src/generated";

/// The committed descriptor folder of this checkout.
pub fn generated_dir() -> std::path::PathBuf {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    std::fs::canonicalize(&root)
        .unwrap_or(root)
        .join(GENERATED_DIR)
}

/// Writes the generated files into `dir` and rebuilds the index from every module there.
pub fn write_all(dir: &Path, files: &[Generated]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for f in files {
        std::fs::write(dir.join(format!("{}.rs", f.module)), &f.source)?;
    }
    let mut modules = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(m) = name.strip_suffix(".rs") {
            if m != "mod" {
                modules.push(m.to_string());
            }
        }
    }
    std::fs::write(dir.join("mod.rs"), render::index(&modules))?;
    Ok(())
}

/// The builds generated from a set of local interpreters: each one itself, and from the release
/// builds the derived ones that cannot run here.
pub fn plan(interpreters: &[Interpreter], derived: bool) -> Vec<BuildSpec> {
    let mut out = Vec::new();
    for i in interpreters {
        out.push(BuildSpec {
            base: i.clone(),
            variant: Variant::Native,
        });
        if !derived || i.debug || i.gil_disabled {
            continue;
        }
        let (major, minor, _) = i.version;
        let mut variants = Vec::new();
        if major == 2 && i.maxunicode != 0xFFFF {
            variants.push(Variant::Ucs2);
        }
        if (major, minor) == (2, 7) || (major, minor) == (3, 8) || (major, minor) == (3, 12) {
            variants.push(Variant::Linux32);
        }
        if (major, minor) >= (3, 13) {
            variants.push(Variant::FreeThreaded);
        }
        variants.push(Variant::Windows64);
        variants.push(Variant::Windows32);
        for v in variants {
            out.push(BuildSpec {
                base: i.clone(),
                variant: v,
            });
        }
    }
    out
}

/// Local interpreters whose headers are installed (the ones descriptors can be generated from).
pub fn with_headers(interpreters: Vec<Interpreter>) -> (Vec<Interpreter>, Vec<Interpreter>) {
    interpreters
        .into_iter()
        .partition(|i| i.include.join("Python.h").is_file())
}
