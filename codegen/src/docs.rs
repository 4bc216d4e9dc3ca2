//! Rustdoc for generated items: spec prose made safe for Markdown and doctests.

use proc_macro2::TokenStream;
use quote::quote;

/// Outer doc attributes, one per line; prettyplease prints them as `///` comments.
pub(crate) fn outer(text: &str) -> TokenStream {
    let lines = lines(text);
    quote! { #( #[doc = #lines] )* }
}

/// Inner doc attributes (`//!`), one per line.
pub(crate) fn inner(text: &str) -> TokenStream {
    let lines = lines(text);
    quote! { #( #![doc = #lines] )* }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!(" {l}")
            }
        })
        .collect()
}

/// Prose from the spec, made inert: a line indented by four spaces or a ``` fence would become
/// a doctest, and brackets or angle brackets would become links or HTML.
pub(crate) fn prose(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
            blank = false;
        } else if !out.is_empty() {
            out.push('\n');
        }
        // A fence or heading only starts a line; links and HTML can be anywhere.
        if line.starts_with(['`', '~', '#']) {
            out.push('\\');
        }
        for c in line.chars() {
            if matches!(c, '\\' | '[' | ']' | '<' | '>') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Text as an inline code span, with a fence longer than any backtick run inside it.
pub(crate) fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || text.starts_with(' ') || text.ends_with(' ') {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}

/// ` Example: `x`.` for a one-line example; a multi-line one (a JSON body) as a `text` block.
pub(crate) fn example(example: Option<&str>) -> String {
    match example {
        None => String::new(),
        Some(e) if e.trim().is_empty() => String::new(),
        Some(e) if !e.contains('\n') => format!(" Example: {}.", code(&e.replace('\t', " "))),
        Some(e) => {
            let fence = if e.contains("```") { "~~~~" } else { "```" };
            // Tabs render unevenly in rustdoc (and clippy refuses them in docs).
            let e = e.trim_end().replace('\t', "    ");
            format!("\n\nExample:\n\n{fence}text\n{e}\n{fence}")
        }
    }
}

/// The description paragraph followed by a blank line, or nothing.
pub(crate) fn lead(description: Option<&str>) -> String {
    match description.map(prose) {
        Some(d) if !d.is_empty() => format!("{d}\n\n"),
        _ => String::new(),
    }
}

/// The first sentence of doc prose: its first paragraph up to a full stop that ends a sentence
/// (followed by a space or the end, outside code spans, not the stop of `e.g.` or `i.e.`), on
/// one line.
pub(crate) fn first_sentence(prose: &str) -> String {
    let para = prose
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .replace('\n', " ");
    let mut in_code = false;
    for (i, c) in para.char_indices() {
        match c {
            '`' => in_code = !in_code,
            '.' if !in_code => {
                let head = &para[..i];
                let ends = para[i + 1..].is_empty() || para[i + 1..].starts_with(' ');
                if ends && !head.ends_with("e.g") && !head.ends_with("i.e") {
                    return para[..=i].to_owned();
                }
            }
            _ => {}
        }
    }
    para
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_cannot_make_doctests_or_links() {
        assert_eq!(
            prose("    let x = 1;\n```rust\n[a](b) <b>"),
            "let x = 1;\n\\```rust\n\\[a\\](b) \\<b\\>"
        );
        assert_eq!(prose("a\n\n\n b\n"), "a\n\nb");
    }

    #[test]
    fn first_sentence_stops_at_the_end_of_a_sentence_only() {
        assert_eq!(
            first_sentence("Id of the instance, e.g. `ccc-test`. Sent as is."),
            "Id of the instance, e.g. `ccc-test`."
        );
        assert_eq!(
            first_sentence("The form `a. B`, i.e. two words. More."),
            "The form `a. B`, i.e. two words."
        );
        assert_eq!(first_sentence("No stop at all"), "No stop at all");
        assert_eq!(
            first_sentence("Version 1.2 of\nit.\n\nNext."),
            "Version 1.2 of it."
        );
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("OK"), "`OK`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
