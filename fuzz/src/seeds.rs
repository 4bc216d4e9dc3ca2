//! Writes the seed corpus of `decode_response`: every documented example of the spec, as a
//! success in its own format. `cargo run --bin seeds` from `fuzz/`.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("corpus/decode_response");
    std::fs::create_dir_all(&out).expect("corpus folder");
    let mut files: Vec<_> = std::fs::read_dir(root.join("../spec/actions"))
        .expect("spec/actions")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let mut written = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("spec file");
        let spec: serde_json::Value = serde_json::from_str(&text).expect("spec JSON");
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("action");
        // Status byte 0 is 200; content-type byte 1 is JSON, 2 is XML.
        for (key, ct) in [("json", 1u8), ("xml", 2u8)] {
            if let Some(example) = spec["examples"][key].as_str() {
                let mut bytes = vec![0u8, ct];
                bytes.extend_from_slice(example.as_bytes());
                std::fs::write(out.join(format!("{name}-{key}")), bytes).expect("seed");
                written += 1;
            }
        }
    }
    println!("{written} seeds in {}", out.display());
}
