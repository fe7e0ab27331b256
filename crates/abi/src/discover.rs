//! Finding CPython interpreters on this machine and asking them what they are.
//!
//! Sources, in order: pyenv's `versions/` folders (`$PYENV_ROOT`, else `~/.pyenv`), every
//! `python*` on `PATH`, and paths given explicitly. Each candidate is run once with a small
//! probe (Python 2 and 3 compatible) that prints its version, build flags and folders; the same
//! interpreter reached twice (a symlink, a shim) is listed once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What an interpreter says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpreter {
    /// Path it was found at.
    pub path: PathBuf,
    /// `sys.executable` (resolved).
    pub executable: PathBuf,
    /// `(major, minor, micro)`.
    pub version: (u8, u8, u8),
    /// `sys.version` first word (`3.13.0`, `3.11.2`...).
    pub version_text: String,
    /// `sys.hexversion`.
    pub hexversion: u32,
    /// `Py_DEBUG` (`sys.gettotalrefcount` exists).
    pub debug: bool,
    /// `Py_TRACE_REFS` (`sys.getobjects` exists).
    pub trace_refs: bool,
    /// `sys.maxunicode`.
    pub maxunicode: u32,
    /// Pointer width in bits.
    pub pointer_bits: u8,
    /// Free-threaded (`Py_GIL_DISABLED`).
    pub gil_disabled: bool,
    /// Header folder (`sysconfig` `include`).
    pub include: PathBuf,
    /// Platform header folder (`platinclude`, where `pyconfig.h` lives).
    pub platinclude: PathBuf,
    /// Standard library folder.
    pub stdlib: PathBuf,
}

impl Interpreter {
    /// `"3.12.1"`-style version.
    pub fn version_string(&self) -> String {
        let (a, b, c) = self.version;
        format!("{a}.{b}.{c}")
    }

    /// Unicode representation name.
    pub fn unicode(&self) -> crate::Unicode {
        if self.version.0 >= 3 {
            crate::Unicode::Pep393
        } else if self.maxunicode == 0xFFFF {
            crate::Unicode::Ucs2
        } else {
            crate::Unicode::Ucs4
        }
    }

    /// The detection record this interpreter would produce when importing anyjit.
    pub fn detected(&self) -> crate::detect::Detected {
        crate::detect::Detected {
            version: self.version,
            suffix: String::new(),
            debug: self.debug,
            trace_refs: self.trace_refs,
            unicode: self.unicode(),
            pointer_bits: self.pointer_bits,
            gil_disabled: self.gil_disabled,
            os: if cfg!(windows) {
                crate::Os::Windows
            } else {
                crate::Os::Linux
            },
        }
    }
}

/// Python source of the probe: prints `key<TAB>value` lines.
pub const PROBE: &str = r#"
import sys, struct
try:
    import sysconfig
    paths = sysconfig.get_paths()
    cv = sysconfig.get_config_var
except Exception:
    from distutils import sysconfig as dsc
    paths = {'include': dsc.get_python_inc(), 'platinclude': dsc.get_python_inc(plat_specific=True), 'stdlib': dsc.get_python_lib(standard_lib=True)}
    cv = dsc.get_config_var
import os
out = [
    ('executable', os.path.realpath(sys.executable)),
    ('version', '.'.join(str(x) for x in sys.version_info[:3])),
    ('version_text', sys.version.split()[0]),
    ('hexversion', sys.hexversion),
    ('debug', int(hasattr(sys, 'gettotalrefcount'))),
    ('trace_refs', int(hasattr(sys, 'getobjects'))),
    ('maxunicode', sys.maxunicode),
    ('pointer_bits', struct.calcsize('P') * 8),
    ('gil_disabled', int(bool(cv('Py_GIL_DISABLED')))),
    ('include', paths.get('include')),
    ('platinclude', paths.get('platinclude')),
    ('stdlib', paths.get('stdlib')),
]
for k, v in out:
    sys.stdout.write('%s\t%s\n' % (k, v))
"#;

/// Why a candidate could not be probed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeError {
    /// The candidate.
    pub path: PathBuf,
    /// What went wrong.
    pub reason: String,
}

/// Runs the probe in `path`.
pub fn probe(path: &Path) -> Result<Interpreter, ProbeError> {
    let err = |reason: String| ProbeError {
        path: path.to_path_buf(),
        reason,
    };
    let out = Command::new(path)
        .arg("-S")
        .arg("-c")
        .arg(PROBE)
        .env_remove("PYTHONPATH")
        .env_remove("PYTHONHOME")
        .output()
        .map_err(|e| err(format!("cannot run: {e}")))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        let last = msg.lines().last().unwrap_or("").to_string();
        return Err(err(format!("probe failed: {last}")));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let get = |key: &str| -> Result<String, ProbeError> {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('\t')))
            .map(str::to_string)
            .ok_or_else(|| err(format!("probe printed no {key}")))
    };
    let num = |key: &str| -> Result<u64, ProbeError> {
        get(key)?
            .trim()
            .parse::<u64>()
            .map_err(|_| err(format!("bad {key}")))
    };
    let (version, _) =
        crate::detect::parse_banner(&get("version")?).map_err(|e| err(e.to_string()))?;
    Ok(Interpreter {
        path: path.to_path_buf(),
        executable: PathBuf::from(get("executable")?),
        version,
        version_text: get("version_text")?,
        hexversion: num("hexversion")? as u32,
        debug: num("debug")? != 0,
        trace_refs: num("trace_refs")? != 0,
        maxunicode: num("maxunicode")? as u32,
        pointer_bits: num("pointer_bits")? as u8,
        gil_disabled: num("gil_disabled")? != 0,
        include: PathBuf::from(get("include")?),
        platinclude: PathBuf::from(get("platinclude")?),
        stdlib: PathBuf::from(get("stdlib")?),
    })
}

/// pyenv's root folder.
pub fn pyenv_root() -> Option<PathBuf> {
    if let Some(root) = std::env::var_os("PYENV_ROOT") {
        return Some(PathBuf::from(root));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv"))
}

/// Candidate executables: pyenv versions, `python*` on PATH, then `extra`.
pub fn candidates(extra: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(root) = pyenv_root() {
        if let Ok(entries) = std::fs::read_dir(root.join("versions")) {
            let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            dirs.sort();
            for dir in dirs {
                for name in ["python", "python3", "python2"] {
                    let exe = dir.join("bin").join(name);
                    if exe.is_file() {
                        out.push(exe);
                        break;
                    }
                }
            }
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.to_string_lossy().contains("/shims") {
                continue; // pyenv shims re-dispatch to the versions already listed
            }
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut names: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    is_python_name(n)
                })
                .collect();
            names.sort();
            out.extend(names);
        }
    }
    out.extend(extra.iter().cloned());
    out
}

fn is_python_name(n: &str) -> bool {
    let Some(rest) = n.strip_prefix("python") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    // python3, python3.11, python3.11-dbg, python3.11d; not python3-config
    let rest = rest.strip_suffix("-dbg").unwrap_or(rest);
    let rest = rest.strip_suffix('d').unwrap_or(rest);
    !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Every distinct interpreter found, and the candidates that failed to probe.
pub fn discover(extra: &[PathBuf]) -> (Vec<Interpreter>, Vec<ProbeError>) {
    let mut seen = BTreeSet::new();
    let mut found = Vec::new();
    let mut failed = Vec::new();
    for cand in candidates(extra) {
        let real = std::fs::canonicalize(&cand).unwrap_or(cand.clone());
        if !seen.insert(real) {
            continue;
        }
        match probe(&cand) {
            Ok(interp) => {
                let key = (interp.executable.clone(), interp.debug);
                if found
                    .iter()
                    .any(|i: &Interpreter| (i.executable.clone(), i.debug) == key)
                {
                    continue;
                }
                found.push(interp);
            }
            Err(e) => {
                if extra.contains(&cand) {
                    failed.push(e);
                }
            }
        }
    }
    found.sort_by(|a, b| (a.version, a.debug, &a.path).cmp(&(b.version, b.debug, &b.path)));
    (found, failed)
}
