//! A bounded mutation test of response reading: every documented example (JSON and XML),
//! mutated in ways a broken or hostile server would (bytes flipped, cut, repeated, spliced, nested
//! deep), read with success and error statuses. Nothing may panic or abort; the run is bounded in
//! count. `cargo fuzz` (see README) runs the same entry point without a bound.

use std::time::Instant;

use ccc_sdk::__bench::read_any_response;

/// The documented examples of every action in the spec.
fn seeds() -> Vec<(Option<&'static str>, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/actions");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for path in files {
        let spec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for (key, ct) in [("json", "application/json"), ("xml", "text/xml")] {
            if let Some(text) = spec["examples"][key].as_str() {
                out.push((Some(ct), text.as_bytes().to_vec()));
            }
        }
    }
    out
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SNIPPETS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b":",
    b",",
    b"null",
    b"<",
    b">",
    b"</",
    b"/>",
    b"<a>",
    b"&amp;",
    b"&#x0;",
    b"&bogus;",
    b"<![CDATA[",
    b"\\u0000",
    b"\\ud800",
    b"1e999",
    b"-0",
    b"\xff\xfe",
    b"\xe4\xb8",
    b"<?xml version='1.0'?>",
    b"<html>",
];

fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(b.len() + 1);
        match rng.below(8) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => b.truncate(at),
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                let s = SNIPPETS[rng.below(SNIPPETS.len())];
                b.splice(at..at, s.iter().copied());
            }
            4 => {
                // A run of nesting, deeper than any limit.
                let open: &[u8] = [&b"["[..], b"{\"a\":", b"<a>"][rng.below(3)];
                let n = rng.below(3000);
                let run: Vec<u8> = open.iter().copied().cycle().take(open.len() * n).collect();
                b.splice(at..at, run);
            }
            5 => {
                let end = (at + rng.below(256)).min(b.len());
                let piece = b[at..end].to_vec();
                for _ in 0..rng.below(8) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
            6 if !other.is_empty() => {
                let from = rng.below(other.len());
                let end = (from + rng.below(512)).min(other.len());
                b.splice(at..at, other[from..end].iter().copied());
            }
            _ => b.insert(at.min(b.len()), rng.next() as u8),
        }
    }
    b
}

#[test]
fn mutated_examples_never_panic() {
    let seeds = seeds();
    assert!(seeds.len() > 50, "the spec's examples are the seeds");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let statuses = [200, 200, 200, 400, 404, 500, 503];
    let types = [
        None,
        Some("application/json"),
        Some("text/xml"),
        Some("text/html"),
    ];
    let started = Instant::now();
    let mut inputs = 0u64;
    let mut decoded = 0usize;
    // Each seed read as it is, then mutated; bounded in count (about 12,000 inputs).
    for (ct, seed) in &seeds {
        decoded += read_any_response(200, *ct, seed);
        inputs += 1;
    }
    for _ in 0..12_000 {
        let (ct, seed) = &seeds[rng.below(seeds.len())];
        let (_, other) = &seeds[rng.below(seeds.len())];
        let body = mutate(&mut rng, seed, other);
        let ct = if rng.below(4) == 0 {
            types[rng.below(types.len())]
        } else {
            *ct
        };
        decoded += read_any_response(statuses[rng.below(statuses.len())], ct, &body);
        inputs += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{inputs} inputs in {secs:.2} s ({:.0} inputs/s), {decoded} decodes succeeded",
        inputs as f64 / secs
    );
    // The unmutated examples decode: the mutation test exercises real decoding, not only errors.
    assert!(decoded > seeds.len() / 2, "{decoded}");
}
