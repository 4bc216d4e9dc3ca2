#!/usr/bin/env bash
# Instructions per call of the per-call benchmark's entry points, counted by callgrind: unlike
# wall-clock figures, the counts do not move with the load of a shared machine, so two builds
# (before and after a change) compare exactly.
#
#   scripts/per-call-instructions.sh [path/to/per_call-bench-binary]
#
# Without an argument it builds the benchmark and uses the newest binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-}"
if [[ -z "$bin" ]]; then
    cargo bench -p ccc-bench --bench per_call --no-run >/dev/null 2>&1
    bin="$(ls -t target/release/deps/per_call-* | grep -v '\.d$' | head -1)"
fi
out="$(mktemp -d)"
for bench in whole_call_v3_json whole_call_v1_json decode_json decode_xml plain_call_v3_json mock_call_v3_json; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$bench.out" \
        "$bin" --bench "$bench" --profile-time 1 >/dev/null 2>&1
done
python3 scripts/callgrind_per_call.py "$out"
