//! `anyjit dump bytecode|ir FILE:FUNC [--python VER|PATH]`: each stage of the compiler for a
//! function, as a chosen interpreter sees it.
//!
//! The file is executed as a module (`__name__` is `__anyjit_dump__`) in the chosen interpreter
//! with the extension importable, then `FUNC` (a dotted path: `Class.method`, `outer`) is looked
//! up and handed to the extension's dump functions.

use anyjit_abi::discover::{self, Interpreter};
use std::path::PathBuf;
use std::process::Command;

const SCRIPT: &str = r#"
import sys
path, qual, what = sys.argv[1], sys.argv[2], sys.argv[3]
ns = {'__name__': '__anyjit_dump__', '__file__': path}
with open(path) as fh:
    source = fh.read()
exec(compile(source, path, 'exec'), ns)
obj = ns
for part in qual.split('.'):
    try:
        obj = obj[part] if isinstance(obj, dict) else getattr(obj, part)
    except (KeyError, AttributeError):
        sys.stderr.write('anyjit dump: %s has no %s\n' % (path, qual))
        sys.exit(2)
obj = getattr(obj, '__func__', obj)
import anyjit
try:
    if what == 'bytecode':
        text = anyjit._dump_bytecode(obj)
    elif what == 'ir':
        text = anyjit._dump_ir(obj)
    else:
        text = anyjit._dump_native(obj, what)
except anyjit.UnsupportedError as e:
    sys.stderr.write('anyjit dump: %s\n' % e)
    sys.exit(1)
sys.stdout.write(text)
"#;

const STAGES: &[&str] = &["bytecode", "ir", "llvm", "asm"];

/// Picks the interpreter: a path, or the newest whose version starts with `want` (a trailing `d`
/// asks for a debug build), or the newest release build.
fn choose(want: Option<&str>) -> Result<Interpreter, String> {
    if let Some(w) = want {
        let p = PathBuf::from(w);
        if p.is_file() {
            return discover::probe(&p).map_err(|e| format!("{}: {}", e.path.display(), e.reason));
        }
    }
    let (found, _) = discover::discover(&[]);
    let (prefix, debug) = match want {
        Some(w) => match w.strip_suffix('d') {
            Some(v) => (v.to_string(), true),
            None => (w.to_string(), false),
        },
        None => (String::new(), false),
    };
    found
        .into_iter()
        .filter(|i| {
            i.debug == debug
                && (prefix.is_empty()
                    || i.version_string() == prefix
                    || i.version_string().starts_with(&format!("{prefix}.")))
        })
        .max_by_key(|i| i.version)
        .ok_or_else(|| {
            format!(
                "no interpreter matches `{}` (see `anyjit interpreters`)",
                want.unwrap_or("any")
            )
        })
}

/// Runs the command.
pub fn run(args: &[String], pythonpath: Result<PathBuf, String>) -> Result<(), String> {
    let usage = "usage: anyjit dump bytecode|ir|llvm|asm FILE:FUNC [--python VERSION|PATH]";
    let mut it = args.iter();
    let stage = it.next().ok_or(usage)?.as_str();
    if !STAGES.contains(&stage) {
        return Err(format!("unknown stage `{stage}`\n{usage}"));
    }
    let target = it.next().ok_or(usage)?;
    let mut python = None;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--python" => {
                python = Some(
                    it.next()
                        .ok_or("--python needs a version or a path")?
                        .as_str(),
                )
            }
            other => return Err(format!("unknown argument `{other}`\n{usage}")),
        }
    }
    let (file, func) = target
        .rsplit_once(':')
        .ok_or(format!("expected FILE:FUNC, got `{target}`"))?;
    if !PathBuf::from(file).is_file() {
        return Err(format!("{file}: no such file"));
    }
    let interp = choose(python)?;
    let folder = pythonpath?;
    let out = Command::new(&interp.path)
        .args(["-c", SCRIPT, file, func, stage])
        .env("PYTHONPATH", folder)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", interp.path.display()))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "{} ({}) failed:\n{}",
            interp.path.display(),
            interp.version_string(),
            err.trim_end()
        ));
    }
    Ok(())
}
