#!/usr/bin/env bash
# The wall time of one `ccc` call against a local emulator, process start to exit (median of N).
#   scripts/ccc-wall-time.sh [RUNS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
target=${CARGO_TARGET_DIR:-$root/target}
cargo build --quiet --release -p ccc-cli --bin ccc --example wall_time
"$target/release/examples/wall_time" "$target/release/ccc" "${1:-200}"
