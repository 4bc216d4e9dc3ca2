#!/usr/bin/env bash
# Compares two revisions of ccc-sdk in one run: the size of the generated code and the time to
# rebuild the crate alone (dependencies built), debug as a dependency builds it
# (CARGO_INCREMENTAL=0) and release, and the size of its rlib. Runs alternate between the revisions so that a busy machine
# slows both alike; CPU time (user + system) is reported beside wall time, as it moves less with
# the machine's load.
#
#   scripts/build-times.sh <before-rev> [after-rev, default HEAD] [runs, default 3]
#
# Both revisions build into one target directory (target/build-times), so dependencies are
# compiled once; the worktrees are temporary and removed at the end.
set -euo pipefail

before=${1:?usage: scripts/build-times.sh <before-rev> [after-rev] [runs]}
after=${2:-HEAD}
runs=${3:-3}
root=$(git rev-parse --show-toplevel)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/build-times}"
tmp=$(mktemp -d)
cleanup() {
    for side in before after; do
        git -C "$root" worktree remove --force "$tmp/$side" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

git -C "$root" worktree add --quiet --detach "$tmp/before" "$before"
git -C "$root" worktree add --quiet --detach "$tmp/after" "$after"

echo "generated code (ccc-sdk/src/generated):"
printf '%-8s %10s %8s %10s\n' side lines structs rev
for side in before after; do
    dir="$tmp/$side/ccc-sdk/src/generated"
    lines=$(find "$dir" -name '*.rs' -print0 | xargs -0 cat | wc -l)
    structs=$(find "$dir" -name '*.rs' -print0 | xargs -0 cat | grep -c '^pub struct ' || true)
    printf '%-8s %10s %8s %10s\n' "$side" "$lines" "$structs" "$(git -C "$tmp/$side" rev-parse --short HEAD)"
done

# Dependencies first, for both revisions and both profiles (not timed).
for side in before after; do
    (cd "$tmp/$side" && cargo build --quiet -p ccc-sdk && cargo build --quiet --release -p ccc-sdk)
done

rlib_mb() { # side, cargo build arguments...: the size of ccc-sdk's rlib, from cargo's own report
    local side=$1
    shift
    (cd "$tmp/$side" && CARGO_INCREMENTAL=0 cargo build "$@" -p ccc-sdk --message-format=json 2>/dev/null) |
        grep -o '"[^"]*/libccc_sdk[^"/]*\.rlib"' | head -1 | tr -d '"' |
        xargs stat -c %s | awk '{ printf "%.1f MB", $1 / 1e6 }'
}

timed() { # side, label, command...
    local side=$1 label=$2
    shift 2
    touch "$tmp/$side/ccc-sdk/src/lib.rs"
    (cd "$tmp/$side" && /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >/dev/null 2>&1)
    awk -v side="$side" -v label="$label" \
        '{ printf "%-8s %-24s wall %7.1f s   cpu %7.1f s\n", side, label, $1, $2 + $3 }' "$tmp/time"
}

echo
echo "ccc-sdk rebuilt alone ($runs runs, alternating):"
for _ in $(seq "$runs"); do
    for side in before after; do
        timed "$side" "debug, non-incremental" env CARGO_INCREMENTAL=0 cargo build -p ccc-sdk
    done
done
for _ in $(seq "$runs"); do
    for side in before after; do
        timed "$side" "release" cargo build --release -p ccc-sdk
    done
done

echo
echo "rlib of ccc-sdk:"
for side in before after; do
    printf '%-8s debug %s   release %s\n' "$side" "$(rlib_mb "$side")" "$(rlib_mb "$side" --release)"
done
