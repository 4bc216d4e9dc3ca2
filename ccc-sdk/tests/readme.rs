//! The README's Rust examples are what a reader sees on the repository's page, where rustdoc's
//! hidden `# ` lines show up raw: each must be a whole program, shown in full, and run as a
//! doctest (`src/lib.rs` includes the README under `cfg(doctest)`, so `cargo test --doc` compiles
//! and runs every block; a failing block fails it).

use std::path::Path;

fn read(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fenced block: its info string, its first line's number and its lines.
struct Block {
    info: String,
    line: usize,
    lines: Vec<String>,
}

/// Every fenced block of a Markdown text (fences of three backticks or more).
fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<(String, Block)> = None;
    for (n, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let ticks = trimmed.chars().take_while(|&c| c == '`').count();
        match &mut open {
            Some((fence, block)) => {
                if ticks >= fence.len() && trimmed[ticks..].trim().is_empty() {
                    out.push(open.take().unwrap().1);
                } else {
                    block.lines.push(line.to_owned());
                }
            }
            None if ticks >= 3 => {
                open = Some((
                    "`".repeat(ticks),
                    Block {
                        info: trimmed[ticks..].trim().to_owned(),
                        line: n + 1,
                        lines: Vec::new(),
                    },
                ));
            }
            None => {}
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    out
}

/// Whether rustdoc treats a block as Rust: no info string, or one whose first word is `rust` or
/// one of rustdoc's attributes.
fn is_rust(info: &str) -> bool {
    let first = info.split([',', ' ']).next().unwrap_or_default();
    first.is_empty()
        || first == "rust"
        || [
            "ignore",
            "no_run",
            "should_panic",
            "compile_fail",
            "edition",
        ]
        .iter()
        .any(|a| first.starts_with(a))
}

/// A line rustdoc hides from the rendered docs but GitHub shows: `#` alone or `# ` first.
fn is_hidden(line: &str) -> bool {
    let t = line.trim_start();
    t == "#" || t.starts_with("# ")
}

/// What is wrong with one README Rust block, if anything.
fn faults(block: &Block) -> Vec<String> {
    let mut bad = Vec::new();
    if block.info != "rust" {
        bad.push(format!(
            "fence `{}`: only a plain `rust` block is compiled and run",
            block.info
        ));
    }
    for (i, l) in block.lines.iter().enumerate() {
        if is_hidden(l) {
            bad.push(format!(
                "line {}: hidden from rustdoc only: {l:?}",
                block.line + 1 + i
            ));
        }
    }
    let text = block.lines.join("\n");
    if !text.contains("fn main()") {
        bad.push("not a whole program: no `fn main()`".to_owned());
    }
    bad
}

#[test]
fn readme_rust_examples_are_whole_programs_shown_in_full() {
    let readme = read("../README.md");
    let rust: Vec<Block> = blocks(&readme)
        .into_iter()
        .filter(|b| is_rust(&b.info))
        .collect();
    assert!(rust.len() >= 4, "{} Rust blocks in the README", rust.len());
    let bad: Vec<String> = rust
        .iter()
        .flat_map(|b| {
            faults(b)
                .into_iter()
                .map(move |f| format!("README.md block at line {}: {f}", b.line))
        })
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn the_readme_is_run_as_doctests() {
    let lib = read("src/lib.rs");
    assert!(
        lib.contains("#[cfg(doctest)]\n#[doc = include_str!(\"../../README.md\")]"),
        "src/lib.rs no longer includes README.md as doctests"
    );
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let md = "```rust\n# use a::b;\nfn f() {}\n```\n\n```rust,ignore\n#[tokio::main]\nasync fn main() {}\n```\n\n````sh\n# a comment\n```\n````\n";
    let all = blocks(md);
    assert_eq!(all.len(), 3);
    assert_eq!(
        all.iter().map(|b| b.info.as_str()).collect::<Vec<_>>(),
        ["rust", "rust,ignore", "sh"]
    );
    assert!(!is_rust(&all[2].info));
    let first = faults(&all[0]);
    assert!(first.iter().any(|f| f.contains("hidden")), "{first:?}");
    assert!(
        first.iter().any(|f| f.contains("whole program")),
        "{first:?}"
    );
    let second = faults(&all[1]);
    assert_eq!(second.len(), 1, "{second:?}");
    assert!(second[0].contains("rust,ignore"), "{second:?}");
    assert!(!is_hidden("#[derive(Debug)]") && is_hidden("    # Ok(())") && is_hidden("#"));
}
