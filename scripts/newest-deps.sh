#!/usr/bin/env bash
# Lints ccc-sdk against the newest versions of its dependencies that the manifests allow, as a
# user who adds the crate to a project without our Cargo.lock gets them: a new release that
# deprecates an API the SDK calls (or otherwise warns) shows up here before it shows up there.
#
#   scripts/newest-deps.sh
#
# Copies the workspace (without target/ and .git) to a scratch directory, runs `cargo update`
# there (the committed Cargo.lock is left alone), then runs clippy with warnings as errors, with
# the default features and with `webpki-roots`. Needs the crates registry, through cargo.
#
# Build artefacts go to NEWEST_DEPS_TARGET_DIR when set (CI points it at the workspace's own
# target/, whose dependencies are already checked, so that only what changed is checked again),
# else to a target/ inside the scratch directory, removed with it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ccc-newest-deps.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
start=$(date +%s)

mkdir "$scratch/workspace"
tar -C "$root" --exclude=./target --exclude=./fuzz/target --exclude=./.git -cf - . |
    tar -C "$scratch/workspace" -xf -
cd "$scratch/workspace"
export CARGO_TARGET_DIR="${NEWEST_DEPS_TARGET_DIR:-$scratch/target}"

# Prints each version that differs from the committed lockfile. Bounded: a registry that does
# not answer fails the run instead of holding it.
timeout 600 cargo update

cargo clippy -p ccc-sdk --all-targets -- -D warnings
cargo clippy -p ccc-sdk --all-targets --features webpki-roots -- -D warnings

echo "newest dependencies: ccc-sdk is clippy-clean ($(($(date +%s) - start)) s)"
