//! `anyjit-gen`: regenerates the committed descriptors from the local interpreters' headers.
//!
//! ```text
//! anyjit-gen [--python PATH]... [--only-given] [--no-derived] [--out DIR] [--check]
//! ```
//! Without `--only-given`, every interpreter found (pyenv, PATH) that has its headers installed is
//! used, plus those given with `--python`. `--check` writes nothing and exits 1 if any committed
//! file differs from what the headers give now (drift).

use anyjit_abi::discover;
use anyjit_gen as generate;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut extra = Vec::new();
    let mut only_given = false;
    let mut derived = true;
    let mut check = false;
    let mut out = generate::generated_dir();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--python" => extra.push(PathBuf::from(args.next().expect("--python needs a path"))),
            "--only-given" => only_given = true,
            "--no-derived" => derived = false,
            "--check" => check = true,
            "--out" => out = PathBuf::from(args.next().expect("--out needs a folder")),
            "-h" | "--help" => {
                println!("usage: anyjit-gen [--python PATH]... [--only-given] [--no-derived] [--out DIR] [--check]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("anyjit-gen: unknown argument {other}");
                return ExitCode::from(2);
            }
        }
    }
    let (found, failed) = if only_given {
        let mut found = Vec::new();
        let mut failed = Vec::new();
        for p in &extra {
            match discover::probe(p) {
                Ok(i) => found.push(i),
                Err(e) => failed.push(e),
            }
        }
        (found, failed)
    } else {
        discover::discover(&extra)
    };
    for f in &failed {
        eprintln!("anyjit-gen: {}: {}", f.path.display(), f.reason);
    }
    let (usable, headerless) = generate::with_headers(found);
    for i in &headerless {
        eprintln!(
            "anyjit-gen: {} ({}) has no headers at {}: skipped",
            i.path.display(),
            i.version_string(),
            i.include.display()
        );
    }
    let specs = generate::plan(&usable, derived);
    let mut files = Vec::new();
    let mut errors = 0;
    for spec in &specs {
        match generate::generate(spec) {
            Ok(g) => {
                eprintln!("anyjit-gen: {} ({})", g.id, spec.provenance().as_str());
                files.push(g);
            }
            Err(e) => {
                eprintln!("anyjit-gen: error: {e}");
                errors += 1;
            }
        }
    }
    if check {
        let mut drift = 0;
        for f in &files {
            let path = out.join(format!("{}.rs", f.module));
            match std::fs::read_to_string(&path) {
                Ok(committed) if committed == f.source => {}
                Ok(_) => {
                    eprintln!(
                        "anyjit-gen: DRIFT: {} differs from its headers",
                        path.display()
                    );
                    drift += 1;
                }
                Err(_) => {
                    eprintln!(
                        "anyjit-gen: MISSING: no committed descriptor {}",
                        path.display()
                    );
                    drift += 1;
                }
            }
        }
        println!(
            "{} descriptors checked, {drift} drifted, {errors} failed",
            files.len()
        );
        return if drift + errors == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    if let Err(e) = generate::write_all(&out, &files) {
        eprintln!("anyjit-gen: writing {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    println!(
        "{} descriptors written to {}, {errors} failed",
        files.len(),
        out.display()
    );
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
