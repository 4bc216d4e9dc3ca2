#!/usr/bin/env bash
# User-space instructions per ResetAgentState call of each client of examples/client_cpu.rs (the
# SDK, bare reqwest, the raw-socket floor), counted by callgrind against an emulator in a process
# of its own. Unlike CPU time, the counts hardly move with the load of a shared machine. Each
# figure is the difference of two runs (1,000 and 3,000 calls, each after a warm-up of a tenth),
# so start-up and warm-up cancel out. The kernel's share of a round trip is not counted.
#
#   scripts/client-instructions.sh [path/to/client_cpu]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p ccc-bench --example client_cpu -p ccc-emulator --bin ccc-emulator
bin="${1:-$target/release/examples/client_cpu}"
port="${CLIENT_CPU_PORT:-18096}"
"$target/release/ccc-emulator" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
out="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
count() { # client, in flight, calls
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bin" "127.0.0.1:$port" \
        --clients "$1" --concurrency "$2" --calls "$3" --rounds 1 >/dev/null 2>&1
    awk '/^(summary|totals):/ { print $2; exit }' "$out/cg"
}
echo "client in_flight instructions_per_call"
for in_flight in 1 64; do
    for client in floor reqwest sdk; do
        a="$(count "$client" "$in_flight" 1000)"
        b="$(count "$client" "$in_flight" 3000)"
        echo "$client $in_flight $(( (b - a) * 10 / 22000 ))"
    done
done
