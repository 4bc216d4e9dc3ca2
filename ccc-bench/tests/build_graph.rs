//! The README's first command builds the SDK's examples; what that pulls in is what a new user
//! waits for. Benchmark-only crates must stay out of it.

use std::process::Command;

/// Every package `cargo run -p ccc-sdk --example …` builds: ccc-sdk's normal, build and dev
/// dependencies, transitively.
fn packages_built_with_the_examples() -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--quiet",
            "-p",
            "ccc-sdk",
            "-e",
            "normal,build,dev",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn the_quickstart_does_not_build_criterion() {
    let packages = packages_built_with_the_examples();
    assert!(packages.iter().any(|p| p == "ccc-emulator"), "{packages:?}");
    for benchmark_only in ["criterion", "ccc-bench"] {
        assert!(
            !packages.iter().any(|p| p == benchmark_only),
            "{benchmark_only} is built with ccc-sdk's examples"
        );
    }
}
