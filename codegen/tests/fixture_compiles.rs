//! The fixture's output compiled inside a copy of ccc-sdk, with no clippy warning in it:
//! the snapshots show what is generated, this shows it builds against the runtime.
//!
//! Slow (a cargo build), so ignored by default: `cargo test -p codegen -- --ignored`.

mod common;

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "runs cargo clippy on a copy of ccc-sdk"]
fn zoo_fixture_compiles_in_ccc_sdk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
    let spec = codegen::sync::load(&fixture, &fixture).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::sync::render(&spec, Some(&root)).unwrap_or_else(|e| panic!("{e}"));

    let ws = std::env::temp_dir().join(format!("ccc-fixture-ws-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&ws);
    common::copy_dir(&root.join("ccc-sdk/src"), &ws.join("ccc-sdk/src"));
    // Only the library is built: dev-dependencies and benches (with their paths) are cut.
    let sdk_manifest = std::fs::read_to_string(root.join("ccc-sdk/Cargo.toml")).unwrap();
    let lib_part = sdk_manifest
        .split("\n[dev-dependencies]")
        .next()
        .unwrap_or_default();
    std::fs::write(ws.join("ccc-sdk/Cargo.toml"), lib_part).unwrap();
    std::fs::copy(root.join("Cargo.lock"), ws.join("Cargo.lock")).unwrap();
    // The root manifest with only ccc-sdk as a member; the rest (dependencies) as they are.
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let manifest: String = manifest
        .lines()
        .map(|l| {
            if l.starts_with("members = ") {
                "members = [\"ccc-sdk\"]".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(ws.join("Cargo.toml"), manifest).unwrap();
    // The benchmark hooks call the real spec's ResetAgentState, which the fixture lacks.
    let bench = ws.join("ccc-sdk/src/bench_support.rs");
    if bench.exists() {
        std::fs::write(&bench, "//! Left out: it needs the real spec's actions.\n").unwrap();
    }
    let generated = ws.join(codegen::GENERATED_DIR);
    std::fs::remove_dir_all(&generated).unwrap();
    for f in &files {
        let path = ws.join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.contents).unwrap();
    }

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&ws)
        .env("CARGO_TARGET_DIR", root.join("target/fixture-check"))
        .args([
            "clippy",
            "--offline",
            "--message-format=short",
            "-p",
            "ccc-sdk",
            "--lib",
        ])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&ws);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Lints of the hand-written runtime are not this test's business; any in generated code are.
    let in_generated: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("src/generated/"))
        .collect();
    assert!(
        output.status.success() && in_generated.is_empty(),
        "the zoo fixture's output does not build cleanly:\n{stderr}"
    );
}
