//! `anyjit bench [--python VER|PATH]... [--kernel NAME]... [--json] [--out DIR]`: the benchmark
//! kernels of
//! `bench/kernels`, each run in the interpreter, in the generic tier and in the specialised
//! tier, side by side in one process per interpreter (`bench/harness.py`), with checksums
//! compared. Prints a table per interpreter with the speedups of every kernel and their
//! geometric means, compile time and memory; writes the results as JSON (`bench.json`) and a
//! plot of the speedups by kernel and interpreter (`speedup.svg`) to `DIR` (default
//! `bench/results`).

use crate::json::Json;
use crate::plot;
use anyjit_abi::discover::{self, Interpreter};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One kernel's measurements in one interpreter.
pub struct Row {
    /// Kernel name.
    pub kernel: String,
    /// Best interpreted time, s.
    pub interp: f64,
    /// Best time in the generic tier, s.
    pub generic: f64,
    /// Best time in the specialised tier, s.
    pub spec: f64,
    /// Generic tier's speedup over the interpreter.
    pub generic_x: f64,
    /// Specialised tier's speedup over the interpreter.
    pub spec_x: f64,
    /// Checksums agreed.
    pub ok: bool,
    /// Quick compilations of the kernel's functions, ms.
    pub compile_ms: f64,
    /// Memory the specialised compilations hold once warmed up, KiB (see `bench/harness.py`).
    pub memory_kib: f64,
    /// Optimising (specialising) compilations, ms.
    pub optimize_ms: f64,
    /// One call on 5N of a freshly compiled function (compilation included) against one
    /// interpreted call.
    pub first_call: f64,
    /// Each function's quick compilation, ms.
    pub compile_each: Vec<f64>,
    /// Guards of the specialised code that failed in the timed rounds.
    pub guard_failures: f64,
    /// The process's peak resident set after the kernel, KiB.
    pub peak_kib: f64,
    /// Why the kernel was not compiled (empty if it was).
    pub note: String,
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

fn run_one(
    interp: &Interpreter,
    harness: &PathBuf,
    folder: &PathBuf,
    kernels: &[String],
) -> Result<Vec<Row>, String> {
    let out = Command::new(&interp.path)
        .arg(harness)
        .args(kernels)
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
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(parse_row)
        .collect())
}

/// A harness line (see `bench/harness.py`).
fn parse_row(line: &str) -> Option<Row> {
    let f: Vec<&str> = line.split('\t').collect();
    if f.len() < 8 {
        return None;
    }
    let num = |i: usize| {
        f.get(i)
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    Some(Row {
        kernel: f[0].to_string(),
        interp: num(1),
        generic: num(2),
        spec: num(3),
        generic_x: num(4),
        spec_x: num(5),
        ok: f[6] == "True",
        compile_ms: num(7),
        memory_kib: num(8),
        optimize_ms: num(9),
        first_call: num(10),
        compile_each: f
            .get(11)
            .map(|m| m.split(',').filter_map(|x| x.parse::<f64>().ok()).collect())
            .unwrap_or_default(),
        guard_failures: num(12),
        peak_kib: num(13),
        note: if f[6] == "unsupported" {
            f[7].to_string()
        } else {
            String::new()
        },
    })
}

/// The geometric mean of `v` over `rows`.
fn geomean(rows: &[&Row], v: impl Fn(&Row) -> f64) -> f64 {
    (rows.iter().map(|r| v(r).ln()).sum::<f64>() / rows.len() as f64).exp()
}

/// Runs the command.
pub fn run(args: &[String], folder: Result<PathBuf, String>) -> Result<(), String> {
    let mut json = false;
    let mut out_dir: Option<PathBuf> = None;
    let mut wanted: Vec<String> = Vec::new();
    let mut kernels: Vec<String> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json = true,
            "--python" => wanted.push(
                it.next()
                    .ok_or("--python needs a version or a path")?
                    .clone(),
            ),
            "--out" => out_dir = Some(PathBuf::from(it.next().ok_or("--out needs a folder")?)),
            "--kernel" => kernels.push(it.next().ok_or("--kernel needs a name")?.clone()),
            other => return Err(format!("bench: unknown argument `{other}`")),
        }
    }
    let folder = folder?;
    let harness = harness()?;
    let out_dir = out_dir.unwrap_or_else(|| {
        harness
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            .join("results")
    });
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
    let mut all: Vec<(Interpreter, Vec<Row>)> = Vec::new();
    let mut failed = false;
    for interp in &chosen {
        match run_one(interp, &harness, &folder, &kernels) {
            Ok(rows) => {
                if !json {
                    print_table(interp, &rows);
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
    let doc = to_json(&all);
    if json {
        println!("{doc}");
    }
    if !all.is_empty() {
        std::fs::create_dir_all(&out_dir)
            .map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
        let jpath = out_dir.join("bench.json");
        std::fs::write(&jpath, format!("{doc}\n"))
            .map_err(|e| format!("cannot write {}: {e}", jpath.display()))?;
        let spath = out_dir.join("speedup.svg");
        std::fs::write(&spath, plot::speedups(&all))
            .map_err(|e| format!("cannot write {}: {e}", spath.display()))?;
        let say = format!("wrote {} and {}", jpath.display(), spath.display());
        if json {
            eprintln!("{say}");
        } else {
            println!("{say}");
        }
    }
    if failed {
        return Err("a checksum differed or an interpreter failed".into());
    }
    Ok(())
}

/// The label of an interpreter in tables and plots.
pub fn label(i: &Interpreter) -> String {
    format!(
        "{}{}",
        i.version_string(),
        if i.debug { " debug" } else { "" }
    )
}

fn print_table(interp: &Interpreter, rows: &[Row]) {
    println!(
        "{} {} ({})",
        interp.version_string(),
        if interp.debug { "debug" } else { "release" },
        interp.path.display()
    );
    println!(
        "  {:<14} {:>9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>10} {:>8} {:>8} {:>8} {:>7}",
        "kernel",
        "interp s",
        "generic",
        "special",
        "generic",
        "special",
        "checksum",
        "compile ms",
        "opt ms",
        "KiB/fn",
        "1st call",
        "guards"
    );
    for r in rows {
        if !r.note.is_empty() {
            println!("  {:<14} not compiled: {}", r.kernel, r.note);
            continue;
        }
        println!(
            "  {:<14} {:>9.4} {:>9.4} {:>9.4} {:>7.2}x {:>7.2}x {:>8} {:>10.1} {:>8.1} {:>8.0} {:>7.2}x {:>7.0}",
            r.kernel,
            r.interp,
            r.generic,
            r.spec,
            r.generic_x,
            r.spec_x,
            if r.ok { "ok" } else { "WRONG" },
            r.compile_ms,
            r.optimize_ms,
            r.memory_kib / r.compile_each.len().max(1) as f64,
            r.first_call,
            r.guard_failures
        );
    }
    let done: Vec<&Row> = rows.iter().filter(|r| r.note.is_empty()).collect();
    if done.is_empty() {
        return;
    }
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
    let p95 = ct[(((ct.len() as f64) * 0.95).ceil() as usize).clamp(1, ct.len()) - 1];
    let mut ot: Vec<f64> = done.iter().map(|r| r.optimize_ms).collect();
    ot.sort_by(|a, b| a.total_cmp(b));
    let peak = done.iter().map(|r| r.peak_kib).fold(0.0, f64::max);
    // memory per compiled function, a kernel's average each
    let mut mem: Vec<f64> = done
        .iter()
        .map(|r| r.memory_kib / r.compile_each.len().max(1) as f64)
        .collect();
    mem.sort_by(|a, b| a.total_cmp(b));
    println!(
        "  geometric mean over {} kernels: specialised {:.2}x, generic {:.2}x (one long call, compilation included: {:.2}x)",
        done.len(),
        geomean(&done, |r| r.spec_x),
        geomean(&done, |r| r.generic_x),
        geomean(&done, |r| r.first_call)
    );
    println!(
        "  compile time per function: median {median:.1} ms, 95th percentile {p95:.1} ms over {} functions; optimising compilations per kernel: median {:.1} ms",
        ct.len(),
        ot[ot.len() / 2],
    );
    println!(
        "  memory per compiled function, optimised: median {:.0} KiB, at most {:.0} KiB (per kernel); peak memory {:.0} MiB\n",
        mem[mem.len() / 2],
        mem[mem.len() - 1],
        peak / 1024.0
    );
}

fn to_json(all: &[(Interpreter, Vec<Row>)]) -> Json {
    Json::Array(
        all.iter()
            .map(|(i, rows)| {
                let done: Vec<&Row> = rows.iter().filter(|r| r.note.is_empty()).collect();
                let mean = |v: &dyn Fn(&Row) -> f64| {
                    if done.is_empty() {
                        Json::Null
                    } else {
                        Json::Float(geomean(&done, v))
                    }
                };
                Json::object(vec![
                    ("interpreter", Json::str(i.path.display().to_string())),
                    ("version", Json::str(i.version_string())),
                    ("debug", Json::Bool(i.debug)),
                    ("geomean_specialized", mean(&|r| r.spec_x)),
                    ("geomean_generic", mean(&|r| r.generic_x)),
                    (
                        "kernels",
                        Json::Array(
                            rows.iter()
                                .map(|r| {
                                    Json::object(vec![
                                        ("kernel", Json::str(r.kernel.clone())),
                                        ("interp_s", Json::Float(r.interp)),
                                        ("generic_s", Json::Float(r.generic)),
                                        ("specialized_s", Json::Float(r.spec)),
                                        ("generic_speedup", Json::Float(r.generic_x)),
                                        ("specialized_speedup", Json::Float(r.spec_x)),
                                        ("checksum_ok", Json::Bool(r.ok)),
                                        ("compile_ms", Json::Float(r.compile_ms)),
                                        ("optimize_ms", Json::Float(r.optimize_ms)),
                                        ("memory_kib", Json::Float(r.memory_kib)),
                                        (
                                            "memory_per_function_kib",
                                            Json::Float(
                                                r.memory_kib / r.compile_each.len().max(1) as f64,
                                            ),
                                        ),
                                        ("peak_kib", Json::Float(r.peak_kib)),
                                        ("first_call", Json::Float(r.first_call)),
                                        ("guard_failures", Json::Float(r.guard_failures)),
                                        ("not_compiled", Json::str(r.note.clone())),
                                    ])
                                })
                                .collect(),
                        ),
                    ),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harness_lines_parse() {
        let r = parse_row(
            "int_loop\t0.1\t0.05\t0.004\t2.00\t25.00\tTrue\t3.5\t700\t40.0\t0.80\t1.20,2.30\t0\t51200",
        )
        .expect("a row");
        assert_eq!(r.kernel, "int_loop");
        assert!((r.spec_x - 25.0).abs() < 1e-9);
        assert!(r.ok);
        assert_eq!(r.compile_each, vec![1.2, 2.3]);
        assert!((r.peak_kib - 51200.0).abs() < 1e-9);
        let u = parse_row("oo\t-\t-\t-\t-\t-\tunsupported\tclass bodies").expect("a row");
        assert_eq!(u.note, "class bodies");
        assert!(parse_row("garbage").is_none());
    }

    #[test]
    fn geometric_means() {
        let mk = |x: f64| Row {
            kernel: String::new(),
            interp: 1.0,
            generic: 1.0,
            spec: 1.0,
            generic_x: x,
            spec_x: x,
            ok: true,
            compile_ms: 0.0,
            memory_kib: 0.0,
            optimize_ms: 0.0,
            first_call: 1.0,
            compile_each: Vec::new(),
            guard_failures: 0.0,
            peak_kib: 0.0,
            note: String::new(),
        };
        let (a, b) = (mk(2.0), mk(8.0));
        assert!((geomean(&[&a, &b], |r| r.spec_x) - 4.0).abs() < 1e-9);
    }
}
