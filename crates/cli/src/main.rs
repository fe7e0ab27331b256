//! # anyjit: the command-line front end
//!
//! ```text
//! anyjit interpreters [--json] [--python PATH]...   every CPython found, and its descriptor status
//! anyjit descriptors [--json]                       every committed descriptor
//! anyjit pythonpath                                 the folder to put on PYTHONPATH
//! anyjit dump bytecode|ir|llvm|asm FILE:FUNC [--python VER]  each compiler stage of a function
//! anyjit bench [--python VER]... [--kernel NAME]... [--json] [--out DIR]
//!                                                   interpreter, generic and specialised tiers
//!                                                   side by side; JSON and an SVG plot
//! ```
//! The command stays thin: discovery and selection are `anyjit-abi`, data is `anyjit-versions`.

mod bench;
mod dump;
mod json;
mod plot;
mod pythonpath;

use anyjit_abi::descriptor::Provenance;
use anyjit_abi::detect;
use anyjit_abi::discover::{self, Interpreter};
use json::Json;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const USAGE: &str = "usage: anyjit <command>\n\n\
commands:\n  \
interpreters [--json] [--python PATH]...  list the CPython interpreters found and their support\n  \
descriptors [--json]                      list every committed build descriptor\n  \
pythonpath                                print the folder that makes `import anyjit` work\n  \
dump bytecode|ir|llvm|asm FILE:FUNC [--python VER]  show each compiler stage of a function\n  \
bench [--python VER]... [--kernel NAME]... [--json] [--out DIR]\n  \
                                          interpreter, generic and specialised tiers side by\n  \
                                          side, per interpreter; writes DIR/bench.json and\n  \
                                          DIR/speedup.svg (default bench/results)\n";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("interpreters") => interpreters(&args[1..]),
        Some("descriptors") => descriptors(&args[1..]),
        Some("pythonpath") => pythonpath::run(&args[1..]),
        Some("dump") => dump::run(&args[1..], pythonpath::folder()),
        Some("bench") => bench::run(&args[1..], pythonpath::folder()),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some("--version" | "-V") => {
            println!("anyjit {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("anyjit: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Support status of one interpreter.
struct Status {
    /// `supported`, `derived, not run`, `unsupported`.
    word: &'static str,
    /// Descriptor id, if one was chosen.
    descriptor: Option<&'static str>,
    /// Why, for anything but an exact match.
    note: String,
}

fn status_of(interp: &Interpreter) -> Status {
    let detected = interp.detected();
    if detected.gil_disabled {
        return Status {
            word: "unsupported",
            descriptor: None,
            note: "free-threaded builds are data only for now".into(),
        };
    }
    match detect::select(&detected, anyjit_versions::all()) {
        Ok(sel) => {
            let d = sel.descriptor;
            let word = match d.provenance {
                Provenance::Local => "supported",
                Provenance::Derived => "derived, not run",
            };
            let note = if sel.exact {
                String::new()
            } else {
                format!(
                    "nearest patch release {}; validated at import",
                    d.version_string()
                )
            };
            Status {
                word,
                descriptor: Some(d.id),
                note,
            }
        }
        Err(e) => Status {
            word: "unsupported",
            descriptor: None,
            note: match e {
                detect::DetectError::Unsupported { differences, .. } => differences.join("; "),
                other => other.to_string(),
            },
        },
    }
}

/// Tries `import anyjit` in the interpreter; `None` if the extension is not built.
fn try_import(interp: &Interpreter, folder: &Option<PathBuf>) -> Option<Result<(), String>> {
    let folder = folder.as_ref()?;
    let out = Command::new(&interp.path)
        .args(["-c", "import anyjit; anyjit.info()"])
        .env("PYTHONPATH", folder)
        .output()
        .ok()?;
    Some(if out.status.success() {
        Ok(())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err.lines().last().unwrap_or("failed").to_string())
    })
}

fn flags(i: &Interpreter) -> String {
    let mut f = vec![if i.debug { "debug" } else { "release" }.to_string()];
    if i.trace_refs {
        f.push("trace-refs".into());
    }
    f.push(i.unicode().as_str().into());
    f.push(format!("{}-bit", i.pointer_bits));
    if i.gil_disabled {
        f.push("free-threaded".into());
    }
    f.join(", ")
}

fn interpreters(args: &[String]) -> Result<(), String> {
    let mut json = false;
    let mut extra = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--python" => extra.push(PathBuf::from(it.next().ok_or("--python needs a path")?)),
            other => return Err(format!("interpreters: unknown argument `{other}`")),
        }
    }
    let (found, failed) = discover::discover(&extra);
    let folder = pythonpath::folder().ok();
    type Row = (Interpreter, Status, Option<Result<(), String>>);
    let rows: Vec<Row> = found
        .into_iter()
        .map(|i| {
            let s = status_of(&i);
            let imp = try_import(&i, &folder);
            (i, s, imp)
        })
        .collect();
    if json {
        let items = rows
            .iter()
            .map(|(i, s, imp)| {
                Json::object(vec![
                    ("path", Json::str(i.path.display().to_string())),
                    ("executable", Json::str(i.executable.display().to_string())),
                    ("version", Json::str(i.version_string())),
                    ("debug", Json::Bool(i.debug)),
                    ("trace_refs", Json::Bool(i.trace_refs)),
                    ("unicode", Json::str(i.unicode().as_str())),
                    ("pointer_bits", Json::Num(i.pointer_bits.into())),
                    ("gil_disabled", Json::Bool(i.gil_disabled)),
                    ("status", Json::str(s.word)),
                    ("descriptor", s.descriptor.map_or(Json::Null, Json::str)),
                    ("note", Json::str(s.note.clone())),
                    (
                        "imports",
                        match imp {
                            None => Json::Null,
                            Some(Ok(())) => Json::Bool(true),
                            Some(Err(_)) => Json::Bool(false),
                        },
                    ),
                    (
                        "import_error",
                        match imp {
                            Some(Err(e)) => Json::str(e.clone()),
                            _ => Json::Null,
                        },
                    ),
                ])
            })
            .collect();
        let failed = failed
            .iter()
            .map(|f| {
                Json::object(vec![
                    ("path", Json::str(f.path.display().to_string())),
                    ("error", Json::str(f.reason.clone())),
                ])
            })
            .collect();
        println!(
            "{}",
            Json::object(vec![
                ("interpreters", Json::Array(items)),
                ("failed", Json::Array(failed))
            ])
        );
        return Ok(());
    }
    let mut table = vec![[
        "interpreter".to_string(),
        "version".into(),
        "build".into(),
        "status".into(),
        "import".into(),
        "descriptor / why".into(),
    ]];
    for (i, s, imp) in &rows {
        let import = match imp {
            None => "not built".to_string(),
            Some(Ok(())) => "ok".into(),
            Some(Err(_)) => "FAILS".into(),
        };
        let mut why = s.descriptor.unwrap_or("").to_string();
        if !s.note.is_empty() {
            why = if why.is_empty() {
                s.note.clone()
            } else {
                format!("{why} ({})", s.note)
            };
        }
        if let Some(Err(e)) = imp {
            why = format!("{why}: {e}");
        }
        table.push([
            i.path.display().to_string(),
            i.version_string(),
            flags(i),
            s.word.to_string(),
            import,
            why,
        ]);
    }
    print_table(&table);
    for f in &failed {
        println!("{}: cannot be probed: {}", f.path.display(), f.reason);
    }
    if folder.is_none() {
        println!("(the extension is not built: `cargo build --release` to try imports)");
    }
    Ok(())
}

fn descriptors(args: &[String]) -> Result<(), String> {
    let json = match args {
        [] => false,
        [a] if a == "--json" => true,
        _ => return Err("descriptors: usage: anyjit descriptors [--json]".into()),
    };
    let mut all: Vec<&anyjit_abi::Descriptor> = anyjit_versions::all().to_vec();
    all.sort_by_key(|d| (d.identity.version, d.id));
    if json {
        let items = all
            .iter()
            .map(|d| {
                Json::object(vec![
                    ("id", Json::str(d.id)),
                    ("version", Json::str(d.version_string())),
                    ("build", Json::str(d.flavour())),
                    ("status", Json::str(d.provenance.as_str())),
                    ("target", Json::str(d.identity.target)),
                ])
            })
            .collect();
        println!("{}", Json::Array(items));
        return Ok(());
    }
    let mut table = vec![[
        "descriptor".to_string(),
        "version".into(),
        "build".into(),
        "status".into(),
    ]];
    for d in &all {
        table.push([
            d.id.to_string(),
            d.version_string(),
            d.flavour(),
            d.provenance.as_str().into(),
        ]);
    }
    print_table(&table);
    Ok(())
}

fn print_table<const N: usize>(rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for (n, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i + 1 == N {
                    cell.clone()
                } else {
                    format!("{cell:<w$}")
                }
            })
            .collect();
        println!("{}", line.join("  ").trim_end());
        if n == 0 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            println!("{}", rule.join("  "));
        }
    }
}
