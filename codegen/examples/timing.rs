//! Where the generator's time goes, for a spec directory:
//! `cargo run --release -p codegen --example timing -- spec`.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: timing <spec dir>");
        std::process::exit(2);
    };
    let t = Instant::now();
    let spec = match codegen::sync::load(&dir, &dir) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("load:     {:?}", t.elapsed());
    let t = Instant::now();
    let files = codegen::generate(&spec).unwrap_or_else(|e| panic!("{e}"));
    let generate = t.elapsed();
    println!("generate: {generate:?}");
    let t = Instant::now();
    codegen::sync::render(&spec, None).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "rustfmt:  {:?} (render minus generate)",
        t.elapsed().saturating_sub(generate)
    );
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    println!("{} files, {lines} lines, {bytes} bytes", files.len());
}
