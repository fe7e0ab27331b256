//! `anyjit pythonpath`: the folder that makes `import anyjit` work in every interpreter.
//!
//! Cargo builds the extension as `libanyjit.so` next to the `anyjit` executable. Python wants the
//! file named `anyjit.so` (2.x and 3.x both accept a plain `.so` suffix), so the command keeps a
//! `python/` folder beside them holding `anyjit.so` as a symbolic link to the built library:
//! rebuilding updates what every interpreter imports, with nothing to copy.

use std::path::PathBuf;

/// File name cargo gives the extension on this platform.
fn built_name() -> &'static str {
    if cfg!(windows) {
        "anyjit.dll"
    } else if cfg!(target_os = "macos") {
        "libanyjit.dylib"
    } else {
        "libanyjit.so"
    }
}

/// File name Python imports.
fn import_name() -> &'static str {
    if cfg!(windows) {
        "anyjit.pyd"
    } else {
        "anyjit.so"
    }
}

/// Ensures `<exe dir>/python/anyjit.so` points at the built extension and returns the folder.
pub fn folder() -> Result<PathBuf, String> {
    let exe =
        std::env::current_exe().map_err(|e| format!("cannot locate the anyjit executable: {e}"))?;
    let dir = exe
        .parent()
        .ok_or("the anyjit executable has no folder")?
        .to_path_buf();
    let built = dir.join(built_name());
    if !built.is_file() {
        return Err(format!(
            "{} is missing: build the extension with `cargo build --release`",
            built.display()
        ));
    }
    let folder = dir.join("python");
    std::fs::create_dir_all(&folder).map_err(|e| format!("creating {}: {e}", folder.display()))?;
    let target = folder.join(import_name());
    #[cfg(unix)]
    {
        let want = PathBuf::from("..").join(built_name());
        if std::fs::read_link(&target).ok().as_ref() != Some(&want) {
            let _ = std::fs::remove_file(&target);
            std::os::unix::fs::symlink(&want, &target)
                .map_err(|e| format!("linking {}: {e}", target.display()))?;
        }
    }
    #[cfg(not(unix))]
    {
        std::fs::copy(&built, &target)
            .map_err(|e| format!("copying to {}: {e}", target.display()))?;
    }
    Ok(folder)
}

/// Prints the folder.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("pythonpath takes no arguments".into());
    }
    println!("{}", folder()?.display());
    Ok(())
}
