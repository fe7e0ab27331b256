//! Which interpreter is this, and which descriptor serves it.
//!
//! Detection reads only what every CPython from 2.7 on has under the same name: the version
//! banner (`Py_GetVersion`), `sys` attributes (`PySys_GetObject`, `PyLong_AsLong`) and exported
//! symbols. Selection then follows semver: a descriptor generated from `X.Y.Z` headers serves the
//! same `X.Y` line and build flavour; a different patch release is accepted only after
//! [`crate::validate`] confirms the layouts against the live interpreter.

use crate::capi::{Obj, Process};
use crate::descriptor::{Descriptor, Os, Unicode};
use std::ffi::{c_char, c_long, CStr, CString};
use std::fmt;

/// The running build, as detected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// `(major, minor, micro)`.
    pub version: (u8, u8, u8),
    /// Anything after the micro version: `""` for a final release, `"rc1"`, `"a2+"`, `"+"`.
    pub suffix: String,
    /// `Py_DEBUG` (`sys.gettotalrefcount` exists).
    pub debug: bool,
    /// `Py_TRACE_REFS` (`sys.getobjects` exists).
    pub trace_refs: bool,
    /// Unicode representation.
    pub unicode: Unicode,
    /// Pointer width of the process.
    pub pointer_bits: u8,
    /// Free-threaded build (exports `_Py_DecRefShared`).
    pub gil_disabled: bool,
    /// Operating system.
    pub os: Os,
}

impl Detected {
    /// `"3.12.1"` plus suffix.
    pub fn version_string(&self) -> String {
        let (a, b, c) = self.version;
        format!("{a}.{b}.{c}{}", self.suffix)
    }

    /// One-line description: `CPython 3.11.2 (debug, 64-bit, linux)`.
    pub fn describe(&self) -> String {
        let mut flags = vec![if self.debug { "debug" } else { "release" }.to_string()];
        if self.trace_refs {
            flags.push("trace-refs".into());
        }
        if self.unicode != Unicode::Pep393 {
            flags.push(self.unicode.as_str().into());
        }
        if self.gil_disabled {
            flags.push("free-threaded".into());
        }
        flags.push(format!("{}-bit", self.pointer_bits));
        flags.push(match self.os {
            Os::Linux => "linux".into(),
            Os::Windows => "windows".into(),
        });
        format!("CPython {} ({})", self.version_string(), flags.join(", "))
    }
}

/// Why detection or selection failed. Its text becomes the `ImportError` message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DetectError {
    /// The version banner could not be parsed.
    MalformedVersion(String),
    /// A symbol every CPython exports is missing: this is not a CPython process.
    NotCPython(&'static str),
    /// No descriptor for this version line and flavour.
    Unsupported {
        /// The build.
        build: String,
        /// What differs from the nearest descriptors.
        differences: Vec<String>,
        /// Every descriptor compiled in, `id (status)`.
        supported: Vec<String>,
    },
}

/// How to generate a descriptor for a custom build, quoted in every selection error.
pub const HOW_TO_GENERATE: &str =
    "to add a custom build, generate its descriptor from its headers with \
`cargo run -p anyjit-versions --features generate --bin anyjit-gen -- --python /path/to/python` \
(needs libclang) and rebuild anyjit";

impl fmt::Display for DetectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DetectError::MalformedVersion(v) => write!(
                f,
                "anyjit: cannot read the interpreter version from {v:?} (expected `X.Y.Z...`)"
            ),
            DetectError::NotCPython(sym) => write!(
                f,
                "anyjit: this process does not export `{sym}`: anyjit runs only inside CPython"
            ),
            DetectError::Unsupported {
                build,
                differences,
                supported,
            } => {
                write!(f, "anyjit: unsupported interpreter {build}")?;
                if !differences.is_empty() {
                    write!(f, ": {}", differences.join("; "))?;
                }
                write!(
                    f,
                    ". Supported builds: {}. {}",
                    supported.join(", "),
                    HOW_TO_GENERATE
                )
            }
        }
    }
}

impl std::error::Error for DetectError {}

/// Parses the start of a version banner such as `3.12.1 (main, Oct ...) [GCC 12.2.0]`,
/// `3.13.0rc1`, `2.7.18+` or `3.14.0a1+ experimental`.
pub fn parse_banner(banner: &str) -> Result<((u8, u8, u8), String), DetectError> {
    let bad = || DetectError::MalformedVersion(banner.to_string());
    let word = banner.split_whitespace().next().ok_or_else(bad)?;
    let mut parts = word.splitn(3, '.');
    let major = parts.next().ok_or_else(bad)?;
    let minor = parts.next().ok_or_else(bad)?;
    let rest = parts.next().ok_or_else(bad)?;
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    let (micro, suffix) = rest.split_at(digits);
    let num = |s: &str| -> Result<u8, DetectError> {
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u8>().map_err(|_| bad())
    };
    let version = (num(major)?, num(minor)?, num(micro)?);
    let suffix_ok = suffix
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '+');
    if !suffix_ok {
        return Err(bad());
    }
    Ok((version, suffix.to_string()))
}

/// Detects the running interpreter.
///
/// # Safety
/// Must run inside an initialised CPython with the GIL held (as in a module init function).
pub unsafe fn detect_live(process: &Process) -> Result<Detected, DetectError> {
    let get_version = process
        .lookup("Py_GetVersion")
        .ok_or(DetectError::NotCPython("Py_GetVersion"))?;
    let sys_get = process
        .lookup("PySys_GetObject")
        .ok_or(DetectError::NotCPython("PySys_GetObject"))?;
    let as_long = process
        .lookup("PyLong_AsLong")
        .ok_or(DetectError::NotCPython("PyLong_AsLong"))?;
    let err_clear = process
        .lookup("PyErr_Clear")
        .ok_or(DetectError::NotCPython("PyErr_Clear"))?;
    // SAFETY: these four exist with these signatures in every CPython from 2.7 on.
    unsafe {
        let get_version: extern "C" fn() -> *const c_char = std::mem::transmute(get_version);
        let sys_get: extern "C" fn(*const c_char) -> Obj = std::mem::transmute(sys_get);
        let as_long: extern "C" fn(Obj) -> c_long = std::mem::transmute(as_long);
        let err_clear: extern "C" fn() = std::mem::transmute(err_clear);
        let banner = CStr::from_ptr(get_version()).to_string_lossy().into_owned();
        let (version, suffix) = parse_banner(&banner)?;
        let sys = |name: &str| {
            let c = CString::new(name).expect("no NUL");
            sys_get(c.as_ptr())
        };
        let maxunicode = {
            let o = sys("maxunicode");
            if o.is_null() {
                0
            } else {
                let v = as_long(o);
                if v == -1 {
                    err_clear();
                }
                v
            }
        };
        let unicode = if version.0 >= 3 {
            Unicode::Pep393
        } else if maxunicode == 0xFFFF {
            Unicode::Ucs2
        } else {
            Unicode::Ucs4
        };
        Ok(Detected {
            version,
            suffix,
            debug: !sys("gettotalrefcount").is_null(),
            trace_refs: !sys("getobjects").is_null(),
            unicode,
            pointer_bits: (std::mem::size_of::<usize>() * 8) as u8,
            gil_disabled: process.lookup("_Py_DecRefShared").is_some(),
            os: if cfg!(windows) {
                Os::Windows
            } else {
                Os::Linux
            },
        })
    }
}

/// The chosen descriptor.
#[derive(Debug, Clone, Copy)]
pub struct Selection {
    /// The descriptor.
    pub descriptor: &'static Descriptor,
    /// Generated from exactly this patch release.
    pub exact: bool,
}

/// How a descriptor's build flavour differs from the detected build (empty if it fits).
pub fn flavour_differences(d: &Detected, desc: &Descriptor) -> Vec<String> {
    let id = &desc.identity;
    let mut out = Vec::new();
    let mut cmp = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            out.push(format!("{what} is {ours}, {} has {theirs}", desc.id));
        }
    };
    cmp("debug", d.debug.to_string(), id.debug.to_string());
    cmp(
        "trace-refs",
        d.trace_refs.to_string(),
        id.trace_refs.to_string(),
    );
    cmp(
        "unicode",
        d.unicode.as_str().into(),
        id.unicode.as_str().into(),
    );
    cmp(
        "pointer width",
        d.pointer_bits.to_string(),
        id.pointer_bits.to_string(),
    );
    cmp(
        "gil-disabled",
        d.gil_disabled.to_string(),
        id.gil_disabled.to_string(),
    );
    cmp("os", format!("{:?}", d.os), format!("{:?}", id.os));
    out
}

/// Chooses the descriptor for a detected build among `all`.
///
/// Same `major.minor` and flavour is required; among those an exact patch match wins, otherwise
/// the nearest patch release (the caller must then validate before use).
pub fn select(d: &Detected, all: &[&'static Descriptor]) -> Result<Selection, DetectError> {
    let same_line: Vec<&'static Descriptor> = all
        .iter()
        .copied()
        .filter(|desc| {
            let (a, b, _) = desc.identity.version;
            (a, b) == (d.version.0, d.version.1)
        })
        .collect();
    let mut fitting: Vec<&'static Descriptor> = same_line
        .iter()
        .copied()
        .filter(|desc| flavour_differences(d, desc).is_empty())
        .collect();
    fitting.sort_by_key(|desc| (desc.identity.version.2 as i32 - d.version.2 as i32).abs());
    if let Some(best) = fitting.first() {
        return Ok(Selection {
            descriptor: best,
            exact: best.identity.version == d.version,
        });
    }
    let differences = if same_line.is_empty() {
        vec![format!(
            "no descriptor for the {}.{} line",
            d.version.0, d.version.1
        )]
    } else {
        same_line
            .iter()
            .flat_map(|desc| flavour_differences(d, desc))
            .collect()
    };
    Err(DetectError::Unsupported {
        build: d.describe(),
        differences,
        supported: all
            .iter()
            .map(|desc| format!("{} ({})", desc.id, desc.provenance.as_str()))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_release_and_prerelease_banners() {
        let cases = [
            (
                "3.12.1 (main, Oct  7 2026, 12:35:07) [GCC 12.2.0]",
                (3, 12, 1),
                "",
            ),
            (
                "2.7.18 (default, Nov 24 2026, 20:00:00) \n[GCC 12.2.0]",
                (2, 7, 18),
                "",
            ),
            ("3.13.0rc1 (main) [Clang]", (3, 13, 0), "rc1"),
            ("3.14.0a1+ experimental", (3, 14, 0), "a1+"),
            ("2.7.18+", (2, 7, 18), "+"),
            ("3.11.2", (3, 11, 2), ""),
        ];
        for (banner, version, suffix) in cases {
            let (v, s) = parse_banner(banner).unwrap_or_else(|e| panic!("{banner:?}: {e}"));
            assert_eq!((v, s.as_str()), (version, suffix), "{banner:?}");
        }
    }

    #[test]
    fn rejects_malformed_banners() {
        for banner in [
            "",
            "   ",
            "python",
            "3",
            "3.12",
            "3.x.1",
            "3..1",
            "3.12.",
            "-3.12.1",
            "3.12.1-dirty",
            "300.1.1",
            "3.256.0",
            "3.12.99999",
            "３.12.1",
            "3.12.1.4.5",
        ] {
            match parse_banner(banner) {
                Err(DetectError::MalformedVersion(v)) => assert_eq!(v, banner),
                other => panic!("{banner:?} should be malformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn malformed_banner_message_names_the_text() {
        let e = parse_banner("garbage").unwrap_err();
        assert!(e.to_string().contains("\"garbage\""), "{e}");
    }
}
