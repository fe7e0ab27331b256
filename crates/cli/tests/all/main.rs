//! The matrix: every interpreter found imports the one extension file, reports itself correctly,
//! agrees with its descriptor at every offset, and refuses a wrong descriptor with an
//! `ImportError` (never a crash). Required interpreters (one per committed local descriptor) that
//! are missing fail the run by name.
//!
//! Needs the release extension: `cargo build --release` first (the README's test command does).

use anyjit_abi::discover::{self, Interpreter};
use anyjit_abi::{detect, Provenance};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

fn anyjit() -> Command {
    Command::new(env!("CARGO_BIN_EXE_anyjit"))
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn pythonpath() -> &'static str {
    static PP: OnceLock<String> = OnceLock::new();
    PP.get_or_init(|| {
        let out = anyjit().arg("pythonpath").output().expect("run anyjit");
        assert!(
            out.status.success(),
            "anyjit pythonpath failed (build the extension with `cargo build --release` first): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    })
}

/// Every interpreter found, after checking that each required one is there.
fn interpreters() -> &'static [Interpreter] {
    static ALL: OnceLock<Vec<Interpreter>> = OnceLock::new();
    ALL.get_or_init(|| {
        let (found, _) = discover::discover(&[]);
        let mut missing = Vec::new();
        for d in anyjit_versions::all()
            .iter()
            .filter(|d| d.provenance == Provenance::Local)
        {
            if !found
                .iter()
                .any(|i| i.version == d.identity.version && i.debug == d.identity.debug)
            {
                missing.push(d.id);
            }
        }
        eprintln!(
            "interpreters: {}",
            found
                .iter()
                .map(|i| format!("{} ({})", i.path.display(), i.version_string()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        assert!(
            missing.is_empty(),
            "required interpreters missing: {}",
            missing.join(", ")
        );
        found
    })
}

fn python(interp: &Interpreter, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(&interp.path);
    cmd.args(args)
        .env("PYTHONPATH", pythonpath())
        .env_remove("ANYJIT_DESCRIPTOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run python")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn expected_descriptor(interp: &Interpreter) -> &'static str {
    detect::select(&interp.detected(), anyjit_versions::all())
        .expect("selectable")
        .descriptor
        .id
}

#[test]
fn every_interpreter_imports_the_same_file_and_reports_itself() {
    let script = repo().join("tests/python/check_import.py");
    let mut files = Vec::new();
    let mut failures = Vec::new();
    for interp in interpreters() {
        let out = python(
            interp,
            &[script.to_str().unwrap(), expected_descriptor(interp)],
            &[],
        );
        if out.status.success() {
            files.push(
                String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_string(),
            );
        } else {
            failures.push(format!("{}: {}", interp.path.display(), text(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    files.dedup();
    assert_eq!(
        files.len(),
        1,
        "one extension file for every interpreter, got {files:?}"
    );
    println!("import matrix: {} passed, 0 failed", interpreters().len());
}

#[test]
fn every_descriptor_offset_matches_live_objects() {
    let script = repo().join("tests/python/check_layout.py");
    let mut failures = Vec::new();
    for interp in interpreters() {
        let out = python(interp, &[script.to_str().unwrap()], &[]);
        eprintln!(
            "{}",
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("")
        );
        if !out.status.success() {
            failures.push(format!("{}: {}", interp.path.display(), text(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_decoder_agrees_with_dis_in_every_interpreter() {
    let script = repo().join("tests/python/check_decode.py");
    let mut failures = Vec::new();
    for interp in interpreters() {
        let out = python(interp, &[script.to_str().unwrap()], &[]);
        eprintln!(
            "{}",
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("")
        );
        let skipped = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with("skipped"))
            .count();
        if !out.status.success() || skipped > 0 {
            failures.push(format!("{}: {}", interp.path.display(), text(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn compiled_functions_behave_like_the_interpreter_in_every_interpreter() {
    matrix_script("tests/python/run_cases.py");
}

#[test]
fn wrappers_behave_like_functions_in_every_interpreter() {
    matrix_script("tests/python/check_wrapper.py");
}

/// CPython's own tests of pure-Python standard library modules pass with those modules'
/// functions compiled (strict), in every interpreter (the interpreter's `test` package is
/// required: Debian's python3.11 gets it from libpython3.11-testsuite).
#[test]
fn stdlib_suites_pass_with_their_modules_compiled_in_every_interpreter() {
    matrix_script("tests/python/check_stdlib.py");
}

/// Runs a Python check script in every interpreter; each must exit 0.
fn matrix_script(rel: &str) {
    let script = repo().join(rel);
    let mut failures = Vec::new();
    for interp in interpreters() {
        let out = python(interp, &[script.to_str().unwrap()], &[]);
        eprintln!(
            "{}",
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .last()
                .unwrap_or("")
        );
        if !out.status.success() {
            failures.push(format!("{}: {}", interp.path.display(), text(&out)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Golden IR per build: `tests/golden/ir/<descriptor>/<function>.ir`; `ANYJIT_BLESS=1` rewrites.
#[test]
fn ir_dumps_match_the_golden_files() {
    let bless = std::env::var_os("ANYJIT_BLESS").is_some();
    let cases = repo().join("tests/golden/cases.py");
    let mut failures = Vec::new();
    for interp in interpreters() {
        let dir = repo()
            .join("tests/golden/ir")
            .join(expected_descriptor(interp));
        for func in ["loop", "handlers", "calls"] {
            let out = anyjit()
                .args([
                    "dump",
                    "ir",
                    &format!("{}:{func}", cases.display()),
                    "--python",
                ])
                .arg(&interp.path)
                .output()
                .expect("run anyjit dump");
            if !out.status.success() {
                failures.push(format!("{} {func}: {}", interp.path.display(), text(&out)));
                continue;
            }
            let got = String::from_utf8_lossy(&out.stdout).to_string();
            let path = dir.join(format!("{func}.ir"));
            if bless {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &got).unwrap();
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(want) if want == got => {}
                    Ok(want) => failures.push(format!("{} differs (ANYJIT_BLESS=1 to accept):\n--- golden\n{want}\n+++ now\n{got}", path.display())),
                    Err(_) => failures.push(format!("{} is missing (ANYJIT_BLESS=1 to create it)", path.display())),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs `import anyjit` with a forced descriptor and returns (exit ok, output).
fn forced(interp: &Interpreter, id: &str) -> (bool, String) {
    let out = python(
        interp,
        &["-c", "import anyjit; print(anyjit.info()['descriptor'])"],
        &[("ANYJIT_DESCRIPTOR", id)],
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            None,
            "{} crashed with {id}: {}",
            interp.path.display(),
            text(&out)
        );
    }
    (out.status.success(), text(&out))
}

fn find(version: (u8, u8, u8), debug: bool) -> &'static Interpreter {
    interpreters()
        .iter()
        .find(|i| i.version == version && i.debug == debug)
        .expect("required interpreter")
}

#[test]
fn a_wrong_descriptor_is_an_import_error_never_a_crash() {
    let cases = [
        // other minor version: the opcode map and sizes differ
        (
            find((3, 11, 7), false),
            "cpython-3.10.13-x86_64-linux-gnu",
            "does not match the running interpreter",
        ),
        (
            find((3, 13, 0), false),
            "cpython-3.12.1-x86_64-linux-gnu",
            "does not match the running interpreter",
        ),
        (
            find((3, 6, 15), false),
            "cpython-3.7.16-x86_64-linux-gnu",
            "does not match the running interpreter",
        ),
        // Python 2 data in Python 3 and back
        (
            find((3, 12, 1), false),
            "cpython-2.7.18-x86_64-linux-gnu",
            "unicode is pep393",
        ),
        (
            find((2, 7, 18), false),
            "cpython-3.8.18-x86_64-linux-gnu",
            "unicode is ucs4",
        ),
        // wrong flavour
        (
            find((3, 11, 2), true),
            "cpython-3.11.2-x86_64-linux-gnu",
            "debug is true",
        ),
        (
            find((2, 7, 18), false),
            "cpython-2.7.18-ucs2-x86_64-linux-gnu",
            "unicode is ucs4",
        ),
        (
            find((3, 12, 1), false),
            "cpython-3.12.1-i686-linux-gnu",
            "pointer width is 64",
        ),
        // no such descriptor
        (
            find((3, 9, 18), false),
            "cpython-9.9.9-nowhere",
            "names no descriptor",
        ),
    ];
    for (interp, id, needle) in cases {
        let (ok, out) = forced(interp, id);
        assert!(!ok, "{} imported with {id}: {out}", interp.path.display());
        assert!(
            out.contains("ImportError") && out.contains(needle),
            "{} with {id}: expected {needle:?} in\n{out}",
            interp.path.display()
        );
    }
}

#[test]
fn a_nearby_patch_release_serves_after_validation() {
    // Debian's 3.11.2 served by the 3.11.7 descriptor: same line and flavour, checked live.
    let interp = find((3, 11, 2), false);
    let (ok, out) = forced(interp, "cpython-3.11.7-x86_64-linux-gnu");
    assert!(
        ok && out.contains("cpython-3.11.7-x86_64-linux-gnu"),
        "{out}"
    );
    let out = python(
        interp,
        &[
            "-c",
            "import anyjit; print(anyjit.info()['descriptor_exact'])",
        ],
        &[("ANYJIT_DESCRIPTOR", "cpython-3.11.7-x86_64-linux-gnu")],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "False");
}

#[test]
fn interpreters_command_reports_every_build() {
    let out = anyjit()
        .args(["interpreters", "--json"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out));
    // Parse with a Python of the matrix: every required build supported and importing.
    let checker = "import json, sys\nd = json.load(sys.stdin)\nfor i in d['interpreters']:\n    print('%s %s %s %s %s' % (i['version'], i['debug'], i['status'], i['imports'], i['descriptor']))\n";
    let py = find((3, 12, 1), false);
    let mut child = Command::new(&py.path)
        .args(["-c", checker])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let parsed = child.wait_with_output().unwrap();
    let lines = String::from_utf8_lossy(&parsed.stdout).to_string();
    assert!(
        parsed.status.success(),
        "invalid JSON: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for d in anyjit_versions::all()
        .iter()
        .filter(|d| d.provenance == Provenance::Local)
    {
        let line = format!(
            "{} {} supported True {}",
            d.version_string(),
            if d.identity.debug { "True" } else { "False" },
            d.id
        );
        assert!(lines.lines().any(|l| l == line), "no `{line}` in\n{lines}");
    }
    let table = anyjit().arg("interpreters").output().unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.lines().next().unwrap().starts_with("interpreter"),
        "{table}"
    );
    assert!(
        table.contains("python3.11-dbg") && table.contains("debug"),
        "{table}"
    );
}

#[test]
fn bench_runs_a_kernel_three_ways_and_writes_its_results() {
    // the command, not the speed: one kernel in one interpreter, checksums agreeing, the JSON
    // and the plot written
    let interp = find((3, 12, 1), false);
    let dir = std::env::temp_dir().join(format!("anyjit-bench-{}", std::process::id()));
    let out = anyjit()
        .args(["bench", "--python"])
        .arg(&interp.path)
        .args(["--kernel", "int_loop", "--out"])
        .arg(&dir)
        .env("PYTHONPATH", pythonpath())
        .output()
        .unwrap();
    let stdout = text(&out);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("int_loop") && stdout.contains(" ok "),
        "{stdout}"
    );
    let json = std::fs::read_to_string(dir.join("bench.json")).unwrap();
    assert!(
        json.contains("\"specialized_speedup\"") && json.contains("\"checksum_ok\": true"),
        "{json}"
    );
    let svg = std::fs::read_to_string(dir.join("speedup.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("int_loop"), "{svg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn pythonpath_is_stable_and_holds_the_extension() {
    let first = pythonpath().to_string();
    let again = anyjit().arg("pythonpath").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), first);
    assert!(PathBuf::from(&first).join("anyjit.so").exists());
    assert!(
        anyjit()
            .arg("pythonpath")
            .arg("extra")
            .output()
            .unwrap()
            .status
            .code()
            == Some(2)
    );
    let bad = anyjit().arg("no-such-command").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown command"));
}
