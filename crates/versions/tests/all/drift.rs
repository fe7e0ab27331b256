//! Drift: regenerating from every local interpreter's headers gives exactly the committed files,
//! and every committed local descriptor's interpreter is present (a missing one fails by name).

use anyjit_abi::discover;
use anyjit_abi::Provenance;
use anyjit_versions::generate::{self, module_name, GENERATED_DIR};
use std::path::PathBuf;

#[test]
fn committed_descriptors_match_the_local_headers() {
    let (found, _) = discover::discover(&[]);
    let (usable, headerless) = generate::with_headers(found);
    let mut problems = Vec::new();
    for i in &headerless {
        eprintln!("note: {} ({}) has no headers; not a descriptor source", i.path.display(), i.version_string());
    }
    // Every committed local build must be here to be checked.
    for d in anyjit_versions::all().iter().filter(|d| d.provenance == Provenance::Local) {
        let present = usable.iter().any(|i| i.version == d.identity.version && i.debug == d.identity.debug);
        if !present {
            problems.push(format!("required interpreter for {} is missing (with its headers)", d.id));
        }
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(GENERATED_DIR);
    let specs = generate::plan(&usable, true);
    let mut checked = Vec::new();
    for spec in &specs {
        match generate::generate(spec) {
            Ok(g) => {
                let path = dir.join(format!("{}.rs", g.module));
                match std::fs::read_to_string(&path) {
                    Ok(committed) if committed == g.source => checked.push(g.id),
                    Ok(_) => problems.push(format!(
                        "{} drifted from its headers: regenerate with `cargo run -p anyjit-versions --features generate --bin anyjit-gen`",
                        g.id
                    )),
                    Err(_) => problems.push(format!("{} is not committed ({})", g.id, path.display())),
                }
            }
            Err(e) => problems.push(format!("generation failed: {e}")),
        }
    }
    // Nothing committed may be left unchecked.
    for d in anyjit_versions::all() {
        if !checked.iter().any(|id| id == d.id) && !problems.iter().any(|p| p.contains(d.id)) {
            problems.push(format!("{} was not regenerated from any local headers", d.id));
        }
        assert_eq!(module_name(d.id).len(), d.id.len());
    }
    eprintln!("drift: {} descriptors regenerated and identical", checked.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
