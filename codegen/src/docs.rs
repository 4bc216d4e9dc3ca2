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
    fn code_spans_survive_backticks() {
        assert_eq!(code("OK"), "`OK`");
        assert_eq!(code("a`b"), "`` a`b ``");
    }
}
