#!/usr/bin/env bash
# What ccc-sdk adds to a release binary: builds three small programs in a scratch crate that
# depends on this checkout's ccc-sdk, and prints their stripped sizes.
#   scripts/binary-size.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${TMPDIR:-/tmp}/ccc-sdk-binary-size
mkdir -p "$scratch/src/bin"
cat > "$scratch/Cargo.toml" <<TOML
[package]
name = "ccc-sdk-binary-size"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
ccc-sdk = { path = "$root/ccc-sdk" }
tokio = { version = "1", features = ["rt", "macros"] }

[profile.release]
strip = true
TOML
cat > "$scratch/src/bin/baseline.rs" <<'RS'
#[tokio::main(flavor = "current_thread")]
async fn main() {
    println!("{}", std::env::args().count());
}
RS
cat > "$scratch/src/bin/one_action.rs" <<'RS'
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = ccc_sdk::Client::from_env().expect("config");
    let out = client.reset_agent_state().instance_id("ccc-test").device_id("d").send().await;
    println!("{:?}", out.map(|o| o.request_id().map(str::to_string)));
}
RS
cat > "$scratch/src/bin/three_actions.rs" <<'RS'
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let client = ccc_sdk::Client::from_env().expect("config");
    let a = client.reset_agent_state().instance_id("ccc-test").device_id("d").send().await.is_ok();
    let b = client.make_call().instance_id("ccc-test").device_id("d").callee("1").send().await.is_ok();
    let c = client.list_historical_agent_report().instance_id("ccc-test").send().await.is_ok();
    println!("{a} {b} {c}");
}
RS
(cd "$scratch" && cargo build --quiet --release)
for bin in baseline one_action three_actions; do
    printf '%-14s %8d KiB\n' "$bin" $(( $(stat -c %s "$scratch/target/release/$bin") / 1024 ))
done
