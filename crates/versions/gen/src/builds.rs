//! Header sets, the wrapper header, and the bindgen run.

use super::opcodes::OpcodeSources;
use super::{BuildSpec, Headers, Variant};
use anyjit_abi::layouts::Layout;
use anyjit_abi::symbols::Api;
use std::path::{Path, PathBuf};

/// Lines appended to a copy of `pyconfig.h` for each derived Linux variant.
fn pyconfig_overrides(variant: Variant) -> &'static str {
    match variant {
        Variant::Native | Variant::Windows64 | Variant::Windows32 => "",
        Variant::Ucs2 => {
            "#undef Py_UNICODE_SIZE\n#define Py_UNICODE_SIZE 2\n#undef Py_UNICODE_WIDE\n\
             #undef PY_UNICODE_TYPE\n#define PY_UNICODE_TYPE unsigned short\n"
        }
        Variant::FreeThreaded => "#ifndef Py_GIL_DISABLED\n#define Py_GIL_DISABLED 1\n#endif\n",
        Variant::Linux32 => {
            "#undef SIZEOF_LONG\n#define SIZEOF_LONG 4\n#undef SIZEOF_VOID_P\n#define SIZEOF_VOID_P 4\n\
             #undef SIZEOF_SIZE_T\n#define SIZEOF_SIZE_T 4\n#undef SIZEOF_TIME_T\n#define SIZEOF_TIME_T 4\n\
             #undef SIZEOF_UINTPTR_T\n#define SIZEOF_UINTPTR_T 4\n#undef SIZEOF_PTHREAD_T\n#define SIZEOF_PTHREAD_T 4\n\
             #undef SIZEOF_LONG_DOUBLE\n#define SIZEOF_LONG_DOUBLE 12\n#undef SIZEOF_FPOS_T\n#define SIZEOF_FPOS_T 12\n\
             #undef ALIGNOF_SIZE_T\n#define ALIGNOF_SIZE_T 4\n#undef ALIGNOF_LONG\n#define ALIGNOF_LONG 4\n\
             #undef HAVE_GCC_ASM_FOR_X64\n#define HAVE_GCC_ASM_FOR_X87 1\n"
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let meta = std::fs::metadata(entry.path())?;
        if meta.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Finds the real `pyconfig.h` of a build (Debian's multiarch wrapper points elsewhere).
fn real_pyconfig(spec: &BuildSpec) -> PathBuf {
    let plat = spec.base.platinclude.join("pyconfig.h");
    if let Ok(text) = std::fs::read_to_string(&plat) {
        if text.contains("x86_64-linux-gnu/") {
            let leaf = spec.base.platinclude.file_name().unwrap_or_default();
            let multi = PathBuf::from("/usr/include/x86_64-linux-gnu")
                .join(leaf)
                .join("pyconfig.h");
            if multi.is_file() {
                return multi;
            }
        }
    }
    plat
}

/// Prepares the header folders for a build.
pub fn prepare_headers(spec: &BuildSpec) -> Result<Headers, String> {
    let main = spec.base.include.clone();
    if !main.join("Python.h").is_file() {
        return Err(format!("no Python.h in {}", main.display()));
    }
    if spec.variant == Variant::Native {
        let mut include = vec![main.clone()];
        if spec.base.platinclude != main {
            include.push(spec.base.platinclude.clone());
        }
        return Ok(Headers {
            include,
            main,
            system: Vec::new(),
            temp: None,
        });
    }
    let temp = std::env::temp_dir().join(format!(
        "anyjit-gen-{}-{}",
        std::process::id(),
        super::module_name(&super::build_id(
            spec.base.version,
            spec.base.debug,
            spec.variant
        ))
    ));
    let _ = std::fs::remove_dir_all(&temp);
    copy_tree(&main, &temp).map_err(|e| format!("copying headers: {e}"))?;
    let config = match spec.variant {
        Variant::Windows64 | Variant::Windows32 => super::render::windows_pyconfig(spec),
        _ => {
            let original = std::fs::read_to_string(real_pyconfig(spec))
                .map_err(|e| format!("reading pyconfig.h: {e}"))?;
            format!(
                "{original}\n/* anyjit derived build: {:?} */\n{}",
                spec.variant,
                pyconfig_overrides(spec.variant)
            )
        }
    };
    std::fs::write(temp.join("pyconfig.h"), config).map_err(|e| format!("pyconfig.h: {e}"))?;
    let system = match spec.variant {
        Variant::Linux32 => Vec::new(),
        Variant::Windows64 => vec![PathBuf::from("/usr/x86_64-w64-mingw32/include")],
        Variant::Windows32 => vec![PathBuf::from("/usr/i686-w64-mingw32/include")],
        _ => Vec::new(),
    };
    for dir in &system {
        if !dir.is_dir() {
            return Err(format!(
                "{} is missing: install mingw-w64 headers (apt-get install mingw-w64-x86-64-dev mingw-w64-i686-dev)",
                dir.display()
            ));
        }
    }
    Ok(Headers {
        include: vec![temp.clone()],
        main: temp.clone(),
        system,
        temp: Some(temp),
    })
}

/// Name of the wrapper constant holding constant number `i`.
pub fn const_var(i: usize) -> String {
    format!("anyjit_c_{i}")
}

/// Name of the wrapper constant holding opcode `name`.
pub fn opcode_var(name: &str) -> String {
    format!("anyjit_op_{name}")
}

/// The wrapper header for a build.
pub fn wrapper(spec: &BuildSpec, headers: &Headers, ops: &OpcodeSources) -> String {
    let (major, minor, _) = spec.base.version;
    let has = |rel: &str| headers.main.join(rel).is_file();
    let mut w = String::from("/* anyjit descriptor wrapper */\n#define PY_SSIZE_T_CLEAN\n");
    let internal = (major, minor) >= (3, 8);
    if internal {
        w.push_str("#define Py_BUILD_CORE 1\n");
    }
    w.push_str("#include \"Python.h\"\n");
    for h in [
        "frameobject.h",
        "code.h",
        "longintrepr.h",
        "opcode.h",
        "intobject.h",
        "structmember.h",
    ] {
        if has(h) {
            w.push_str(&format!("#include \"{h}\"\n"));
        }
    }
    if internal {
        for h in [
            "internal/pycore_pystate.h",
            "internal/pycore_interp.h",
            "internal/pycore_frame.h",
            "internal/pycore_dict.h",
            "internal/pycore_object.h",
            "internal/pycore_code.h",
            "internal/pycore_long.h",
            "internal/pycore_ceval.h",
        ] {
            // 3.8's pycore_pystate.h holds `struct _is`; later versions split it out.
            if has(h) && !(h.ends_with("pycore_long.h") && (major, minor) < (3, 12)) {
                w.push_str(&format!("#include \"{h}\"\n"));
            }
        }
    }
    for (i, name) in anyjit_abi::constants::NAMES.iter().enumerate() {
        let var = const_var(i);
        if name.contains('(') {
            w.push_str(&format!(
                "static const long long {var} = (long long)({name});\n"
            ));
        } else {
            w.push_str(&format!(
                "#ifdef {name}\nstatic const long long {var} = (long long)({name} + 0);\n#endif\n"
            ));
        }
    }
    for name in ops
        .names
        .iter()
        .map(String::as_str)
        .chain(["HAVE_ARGUMENT"])
    {
        w.push_str(&format!(
            "#ifdef {name}\nstatic const long long {} = (long long)({name});\n#endif\n",
            opcode_var(name)
        ));
    }
    w
}

/// Runs bindgen over the wrapper and returns the generated Rust source.
pub fn run_bindgen(spec: &BuildSpec, headers: &Headers, wrapper: &str) -> Result<String, String> {
    let mut args = vec![format!("--target={}", spec.variant.target())];
    for dir in &headers.include {
        args.push(format!("-I{}", dir.display()));
    }
    for dir in &headers.system {
        args.push(format!("-isystem{}", dir.display()));
    }
    if matches!(spec.variant, Variant::Windows64 | Variant::Windows32) {
        args.push("-fms-extensions".into());
        // The compiler's own headers (`mm_malloc.h`, `stddef.h`) for the foreign target.
        if let Some(dir) = clang_resource_include() {
            args.push(format!("-isystem{}", dir.display()));
        }
    }
    let mut builder = bindgen::Builder::default()
        .header_contents("anyjit_wrapper.h", wrapper)
        .clang_args(&args)
        .layout_tests(true)
        .derive_debug(false)
        .derive_default(false)
        .derive_copy(false)
        .generate_comments(false)
        .prepend_enum_name(false)
        .formatter(bindgen::Formatter::None)
        .allowlist_var("anyjit_.*")
        .allowlist_type("cmp_op")
        .allowlist_var("PyCmp_.*");
    for s in Layout::STRUCTS {
        for t in s.c_types {
            builder = builder.allowlist_type(t);
        }
    }
    for api in Api::ALL {
        for name in api.candidates() {
            builder = builder.allowlist_item(format!("^{name}$"));
        }
    }
    let bindings = builder
        .generate()
        .map_err(|e| format!("bindgen failed ({}): {e}", args.join(" ")))?;
    let text = bindings.to_string();
    if let Some(dir) = std::env::var_os("ANYJIT_GEN_DUMP") {
        let name = super::module_name(&super::build_id(
            spec.base.version,
            spec.base.debug,
            spec.variant,
        ));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(
            PathBuf::from(&dir).join(format!("{name}.bindgen.rs")),
            &text,
        );
        let _ = std::fs::write(
            PathBuf::from(&dir).join(format!("{name}.wrapper.h")),
            wrapper,
        );
    }
    Ok(text)
}

/// libclang's resource headers (`/usr/lib/llvm-14/lib/clang/<version>/include`).
fn clang_resource_include() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib")
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("llvm-"))
        })
        .flat_map(|llvm| {
            std::fs::read_dir(llvm.join("lib/clang"))
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|e| e.path().join("include"))
        .filter(|p| p.join("stddef.h").is_file())
        .collect();
    found.sort();
    found.pop()
}
