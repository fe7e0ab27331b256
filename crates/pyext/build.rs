//! Link-time proof that the extension needs no libpython: with `-z defs` every symbol must be
//! resolved at link time, so a single `Py*` reference would fail the build (the C API is looked
//! up at run time instead).

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,defs");
    }
}
