//! The host LLVM target: initialised once per process, described for diagnostics.

use inkwell::targets::{InitializationConfig, Target, TargetMachine};
use std::sync::OnceLock;

/// What LLVM will generate code for in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTarget {
    /// Target triple, e.g. `x86_64-pc-linux-gnu`.
    pub triple: String,
    /// Host CPU name, e.g. `znver3`.
    pub cpu: String,
    /// Major version of the LLVM linked in.
    pub llvm_major: u32,
}

/// The LLVM major version anyjit is built against (inkwell's `llvm14-0` feature; LLVM 14 has no
/// run-time version query).
pub const LLVM_MAJOR: u32 = 14;

static HOST: OnceLock<Result<HostTarget, String>> = OnceLock::new();

/// Initialises LLVM's native target (once) and describes it.
pub fn host() -> Result<&'static HostTarget, &'static str> {
    HOST.get_or_init(|| {
        Target::initialize_native(&InitializationConfig::default())?;
        let triple = TargetMachine::get_default_triple();
        Target::from_triple(&triple).map_err(|e| e.to_string())?;
        Ok(HostTarget {
            triple: triple.as_str().to_string_lossy().into_owned(),
            cpu: TargetMachine::get_host_cpu_name().to_string(),
            llvm_major: LLVM_MAJOR,
        })
    })
    .as_ref()
    .map_err(String::as_str)
}

#[cfg(test)]
mod tests {
    #[test]
    fn host_target_initialises() {
        let h = super::host().expect("LLVM native target");
        assert!(
            h.triple.contains("x86_64")
                || h.triple.contains("i686")
                || h.triple.contains("aarch64")
        );
    }
}
