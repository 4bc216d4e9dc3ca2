//! Benchmarks of `ccc-sdk` live in `benches/`; this crate is empty. It exists so that criterion
//! is a dependency of the benchmarks alone: `cargo run --example quickstart` and every other
//! build of `ccc-sdk` leave it out (a test, `tests/build_graph.rs`, keeps it that way).
