#!/usr/bin/env bash
# The client's CPU per ResetAgentState call: the SDK, bare reqwest and a raw-socket floor,
# alternating in one process (ccc-bench/examples/client_cpu.rs), against an emulator in a process
# of its own. With two cores or more, the emulator is pinned to core 1 and the client to core 0,
# so the client's CPU time is its own.
#
#   scripts/client-cpu.sh [--calls N] [--rounds R] [--concurrency 1,64]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p ccc-bench --example client_cpu -p ccc-emulator --bin ccc-emulator
port="${CLIENT_CPU_PORT:-18097}"
pin_server=() pin_client=()
if [[ "$(nproc)" -ge 2 ]] && command -v taskset >/dev/null; then
    pin_server=(taskset -c 1) pin_client=(taskset -c 0)
fi
"${pin_server[@]}" "$target/release/ccc-emulator" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
"${pin_client[@]}" "$target/release/examples/client_cpu" "127.0.0.1:$port" "$@"
