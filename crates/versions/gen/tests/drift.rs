//! Drift: regenerating from every local interpreter's headers gives exactly the committed files,
//! and every committed local descriptor's interpreter is present (a missing one fails by name).

use anyjit_abi::discover;
use anyjit_gen as generate;

#[test]
fn committed_descriptors_match_the_local_headers() {
    let (found, _) = discover::discover(&[]);
    let (usable, headerless) = generate::with_headers(found);
    let mut problems = Vec::new();
    for i in &headerless {
        eprintln!(
            "note: {} ({}) has no headers; not a descriptor source",
            i.path.display(),
            i.version_string()
        );
    }
    let dir = generate::generated_dir();
    let specs = generate::plan(&usable, true);
    let mut checked = Vec::new();
    for spec in &specs {
        match generate::generate(spec) {
            Ok(g) => {
                let path = dir.join(format!("{}.rs", g.module));
                match std::fs::read_to_string(&path) {
                    Ok(committed) if committed == g.source => checked.push(g.id),
                    Ok(_) => problems.push(format!(
                        "{} drifted from its headers: regenerate with `cargo run --release -p anyjit-gen`",
                        g.id
                    )),
                    Err(_) => problems.push(format!("{} is not committed ({})", g.id, path.display())),
                }
            }
            Err(e) => problems.push(format!("generation failed: {e}")),
        }
    }
    // Nothing committed may be left unchecked: a committed local build whose interpreter is
    // missing fails by name.
    for entry in std::fs::read_dir(&dir).expect("generated folder") {
        let path = entry.expect("entry").path();
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        if module == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("committed descriptor");
        let id = text.split('`').nth(1).unwrap_or(&module).to_string();
        if !checked.iter().any(|c| generate::module_name(c) == module)
            && !problems.iter().any(|p| p.contains(&id))
        {
            if text.contains("provenance: Provenance::Local") {
                problems.push(format!(
                    "required interpreter for {id} is missing (with its headers): cannot check it"
                ));
            } else {
                problems.push(format!("{id} was not regenerated from any local headers"));
            }
        }
    }
    eprintln!(
        "drift: {} descriptors regenerated and identical",
        checked.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
