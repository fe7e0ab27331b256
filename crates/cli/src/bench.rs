//! `anyjit bench [--python VER|PATH]... [--json]`: the benchmark kernels of `bench/kernels`, each
//! run in the interpreter and compiled, side by side in one process per interpreter
//! (`bench/harness.py`), with checksums compared. Prints a table per interpreter with the
//! speedup of every kernel and their geometric mean, and the compile time.

use crate::json::Json;
use anyjit_abi::discover::{self, Interpreter};
use std::path::PathBuf;
use std::process::Command;

struct Row {
    kernel: String,
    interp: f64,
    jit: f64,
    speedup: f64,
    ok: bool,
    compile_ms: f64,
    memory_kib: f64,
    optimize_ms: f64,
    /// One call on 5N of a freshly compiled function (compilation included) against one
    /// interpreted call.
    first_call: f64,
    /// Each function's quick compilation, ms.
    compile_each: Vec<f64>,
    note: String,
}

fn harness() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/release/anyjit -> repository root, else the working directory
    for base in exe
        .ancestors()
        .skip(1)
        .chain([PathBuf::from(".").as_path()])
    {
        let h = base.join("bench/harness.py");
        if h.is_file() {
            return Ok(h);
        }
    }
    Err("bench/harness.py not found: run from the anyjit checkout".into())
}

fn run_one(interp: &Interpreter, harness: &PathBuf, folder: &PathBuf) -> Result<Vec<Row>, String> {
    let out = Command::new(&interp.path)
        .arg(harness)
        .env("PYTHONPATH", folder)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", interp.path.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{}: {}",
            interp.path.display(),
            String::from_utf8_lossy(&out.stderr).trim_end()
        ));
    }
    let mut rows = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 6 {
            continue;
        }
        let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
        rows.push(Row {
            kernel: f[0].to_string(),
            interp: num(f[1]),
            jit: num(f[2]),
            speedup: num(f[3]),
            ok: f[4] == "True",
            compile_ms: num(f[5]),
            memory_kib: f.get(6).map_or(f64::NAN, |m| num(m)),
            optimize_ms: f.get(7).map_or(f64::NAN, |m| num(m)),
            first_call: f.get(8).map_or(f64::NAN, |m| num(m)),
            compile_each: f
                .get(9)
                .map(|m| m.split(',').map(num).filter(|x| x.is_finite()).collect())
                .unwrap_or_default(),
            note: if f[4] == "unsupported" {
                f[5].to_string()
            } else {
                String::new()
            },
        });
    }
    Ok(rows)
}

/// Runs the command.
pub fn run(args: &[String], folder: Result<PathBuf, String>) -> Result<(), String> {
    let mut json = false;
    let mut wanted: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--python" => wanted.push(
                it.next()
                    .ok_or("--python needs a version or a path")?
                    .clone(),
            ),
            other => return Err(format!("bench: unknown argument `{other}`")),
        }
    }
    let folder = folder?;
    let harness = harness()?;
    let (found, _) = discover::discover(&[]);
    let chosen: Vec<Interpreter> = if wanted.is_empty() {
        found
    } else {
        let mut v = Vec::new();
        for w in &wanted {
            let m = found
                .iter()
                .find(|i| {
                    i.path.to_string_lossy() == w.as_str()
                        || i.version_string() == *w
                        || i.version_string().starts_with(&format!("{w}."))
                })
                .ok_or(format!("no interpreter matches `{w}`"))?;
            v.push(m.clone());
        }
        v
    };
    let mut all = Vec::new();
    let mut failed = false;
    for interp in &chosen {
        let label = format!(
            "{} {}",
            interp.version_string(),
            if interp.debug { "debug" } else { "release" }
        );
        match run_one(interp, &harness, &folder) {
            Ok(rows) => {
                if !json {
                    println!("{label} ({})", interp.path.display());
                    println!(
                        "  {:<12} {:>10} {:>10} {:>8} {:>9} {:>11} {:>9} {:>9} {:>9}",
                        "kernel",
                        "interp s",
                        "jit s",
                        "speedup",
                        "checksum",
                        "compile ms",
                        "mem KiB",
                        "opt ms",
                        "1st call"
                    );
                    for r in &rows {
                        if !r.note.is_empty() {
                            println!("  {:<12} not compiled: {}", r.kernel, r.note);
                            continue;
                        }
                        println!(
                            "  {:<12} {:>10.4} {:>10.4} {:>7.2}x {:>9} {:>11.1} {:>9.0} {:>9.1} {:>8.2}x",
                            r.kernel,
                            r.interp,
                            r.jit,
                            r.speedup,
                            if r.ok { "ok" } else { "WRONG" },
                            r.compile_ms,
                            r.memory_kib,
                            r.optimize_ms,
                            r.first_call
                        );
                    }
                    let done: Vec<&Row> = rows.iter().filter(|r| r.note.is_empty()).collect();
                    if !done.is_empty() {
                        let geomean = |v: &dyn Fn(&Row) -> f64| {
                            (done.iter().map(|r| v(r).ln()).sum::<f64>() / done.len() as f64).exp()
                        };
                        let geo = geomean(&|r| r.speedup);
                        let once = geomean(&|r| r.first_call);
                        // compile time per function, over every function of every kernel
                        let mut ct: Vec<f64> = done
                            .iter()
                            .flat_map(|r| {
                                if r.compile_each.is_empty() {
                                    vec![r.compile_ms]
                                } else {
                                    r.compile_each.clone()
                                }
                            })
                            .collect();
                        ct.sort_by(|a, b| a.total_cmp(b));
                        let median = ct[ct.len() / 2];
                        let p95 =
                            ct[(((ct.len() as f64) * 0.95).ceil() as usize).clamp(1, ct.len()) - 1];
                        let mut ot: Vec<f64> = done.iter().map(|r| r.optimize_ms).collect();
                        ot.sort_by(|a, b| a.total_cmp(b));
                        println!(
                            "  geometric mean speedup {geo:.2}x over {} kernels (one long call, compilation included: {once:.2}x); compile time per function median {median:.1} ms, 95th percentile {p95:.1} ms over {} functions (optimising tier per kernel: median {:.1} ms)\n",
                            done.len(),
                            ct.len(),
                            ot[ot.len() / 2]
                        );
                    }
                }
                failed |= rows.iter().any(|r| r.note.is_empty() && !r.ok);
                all.push((interp.clone(), rows));
            }
            Err(e) => {
                eprintln!("anyjit bench: {e}");
                failed = true;
            }
        }
    }
    if json {
        let items = all
            .iter()
            .map(|(i, rows)| {
                Json::object(vec![
                    ("interpreter", Json::str(i.path.display().to_string())),
                    ("version", Json::str(i.version_string())),
                    ("debug", Json::Bool(i.debug)),
                    (
                        "kernels",
                        Json::Array(
                            rows.iter()
                                .map(|r| {
                                    Json::object(vec![
                                        ("kernel", Json::str(r.kernel.clone())),
                                        ("interp_s", Json::str(format!("{:.6}", r.interp))),
                                        ("jit_s", Json::str(format!("{:.6}", r.jit))),
                                        ("speedup", Json::str(format!("{:.3}", r.speedup))),
                                        ("checksum_ok", Json::Bool(r.ok)),
                                        ("compile_ms", Json::str(format!("{:.2}", r.compile_ms))),
                                        ("memory_kib", Json::str(format!("{:.0}", r.memory_kib))),
                                        ("optimize_ms", Json::str(format!("{:.2}", r.optimize_ms))),
                                        ("first_call", Json::str(format!("{:.3}", r.first_call))),
                                        ("not_compiled", Json::str(r.note.clone())),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
            })
            .collect();
        println!("{}", Json::Array(items));
    }
    if failed {
        return Err("a checksum differed or an interpreter failed".into());
    }
    Ok(())
}
