//! The code generator of `ccc-sdk`: turns the spec in `spec/` into the files under
//! `ccc-sdk/src/generated/`, and bundles it into `ccc-emulator/spec.json`.
//!
//! [`generate`] is pure: a spec in, files out, printed by `prettyplease`. [`sync`] puts the
//! workspace around it: loading `spec/`, formatting with rustfmt (so that `cargo fmt --check`
//! agrees), and comparing with or writing to the checked-in files. `cargo xtask codegen` and the
//! freshness test both go through [`sync`], so they cannot disagree.

pub mod api_changes;
pub mod cli;
mod docs;
mod emit;
mod error;
mod error_codes;
mod format;
mod model;
mod names;
mod product;
pub mod sync;

use ccc_spec::Spec;

pub use error::Error;

/// Where the generated files live, relative to the workspace root.
pub const GENERATED_DIR: &str = "ccc-sdk/src/generated";
/// Where the spec lives, relative to the workspace root.
pub const SPEC_DIR: &str = "spec";
/// The emulator's copy of the spec (see [`ccc_spec::bundle_dir`]), relative to the workspace
/// root: inside its crate, so that the packaged crate has it.
pub const EMULATOR_SPEC: &str = "ccc-emulator/spec.json";

/// One generated file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the workspace root, `/`-separated, e.g.
    /// `ccc-sdk/src/generated/operation/reset_agent_state.rs`.
    pub path: String,
    /// The file's text, starting with the `@generated` line.
    pub contents: String,
}

/// Generates every file of `ccc-sdk/src/generated/` for `spec`, sorted by path.
///
/// The output is printed by `prettyplease`; [`sync::render`] additionally runs rustfmt over it.
pub fn generate(spec: &Spec) -> Result<Vec<GeneratedFile>, Error> {
    model::check_struct_names(spec)?;
    let mut files = vec![
        product::root_module(spec)?,
        product::operation_module(spec)?,
        product::types(spec)?,
        product::endpoints(spec)?,
        product::actions_by_area(spec),
    ];
    let (modules, methods): (Vec<_>, Vec<_>) = actions_in_parallel(spec)?.into_iter().unzip();
    files.extend(modules);
    files.push(client_methods(&methods)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// An action's module, and its method on `Client` as tokens in text.
type ActionOutput = (GeneratedFile, String);

/// The action modules, generated on every core: each is independent of the others, and parsing
/// and printing them is most of the generator's time. The first error in action order wins, so
/// the result does not depend on scheduling.
fn actions_in_parallel(spec: &Spec) -> Result<Vec<ActionOutput>, Error> {
    let threads = format::workers(spec.actions.len());
    if threads <= 1 {
        return spec
            .actions
            .iter()
            .map(|a| generate_action(spec, a))
            .collect();
    }
    let mut results: Vec<(usize, Result<ActionOutput, Error>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    spec.actions
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, a)| (i, generate_action(spec, a)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                // A panic in a worker is a generator bug; let it surface as one.
                h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// One action's module and its method on `Client`: the action lowered into the operation
/// model, then printed.
fn generate_action(spec: &Spec, action: &ccc_spec::Action) -> Result<ActionOutput, Error> {
    emit::action_module(&model::lower(spec, action)?)
}

/// `generated/client_methods.rs`: the methods of every action (as [`generate_action`] printed them) in
/// one `impl Client`.
fn client_methods(methods: &[String]) -> Result<GeneratedFile, Error> {
    let path = format!("{GENERATED_DIR}/client_methods.rs");
    let mut tokens = Vec::with_capacity(methods.len());
    for m in methods {
        tokens.push(
            m.parse()
                .map_err(|e: proc_macro2::LexError| Error::Syntax {
                    file: path.clone(),
                    message: e.to_string(),
                })?,
        );
    }
    print_file(
        path,
        "spec/actions/",
        emit::client::client_impl(&tokens),
        &[],
    )
}

/// Prints a token stream as a file: parsed by `syn`, printed by `prettyplease`, with the
/// `@generated` line on top naming the spec file it comes from.
///
/// `verbatim[i]` replaces the line `__codegen_verbatim_i!();`: for macro invocations, whose
/// bodies neither prettyplease nor rustfmt lay out readably.
fn print_file(
    path: String,
    source: &str,
    tokens: proc_macro2::TokenStream,
    verbatim: &[String],
) -> Result<GeneratedFile, Error> {
    let mut file: syn::File = syn::parse2(tokens).map_err(|e| Error::Syntax {
        file: path.clone(),
        message: e.to_string(),
    })?;
    inline_methods(&mut file.items);
    space_items(&mut file.items, !file.attrs.is_empty());
    let mut body = String::new();
    for line in prettyplease::unparse(&file).lines() {
        if line.trim_start() != BLANK_LINE {
            body.push_str(line);
        }
        body.push('\n');
    }
    for (i, text) in verbatim.iter().enumerate() {
        body = body.replace(&format!("{}\n", verbatim_marker_text(i)), text);
    }
    Ok(GeneratedFile {
        path,
        contents: format!(
            "// @generated by `cargo xtask codegen` from {source}; do not edit.\n{body}"
        ),
    })
}

/// Marks every method of the generated impls `#[inline]` unless it is generic (compiled where it
/// is used anyway) or `async`. An `#[inline]` function is compiled in the crate that calls it,
/// not in `ccc-sdk`: a service that calls five actions compiles the builders, accessors and
/// decoders of those five, rather than every crate that depends on the SDK compiling all 253.
/// The runtime they call into is hand-written, not generic, and compiled once in `ccc-sdk`.
fn inline_methods(items: &mut [syn::Item]) {
    for item in items {
        match item {
            syn::Item::Impl(imp) => {
                for item in &mut imp.items {
                    if let syn::ImplItem::Fn(f) = item
                        && f.sig.asyncness.is_none()
                        && f.sig.generics.type_params().next().is_none()
                        && !f.sig.inputs.iter().any(|arg| {
                            matches!(arg, syn::FnArg::Typed(t) if matches!(*t.ty, syn::Type::ImplTrait(_)))
                        })
                        && !f.attrs.iter().any(|a| a.path().is_ident("inline"))
                    {
                        f.attrs.push(syn::parse_quote!(#[inline]));
                    }
                }
            }
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                ..
            }) => inline_methods(inner),
            _ => {}
        }
    }
}

/// The placeholder item for `verbatim[i]` of [`print_file`].
fn verbatim_marker(i: usize) -> proc_macro2::TokenStream {
    let name = proc_macro2::Ident::new(
        &format!("__codegen_verbatim_{i}"),
        proc_macro2::Span::call_site(),
    );
    quote::quote!(#name!();)
}

fn verbatim_marker_text(i: usize) -> String {
    format!("__codegen_verbatim_{i}!();")
}

/// The line [`space_items`] puts where a blank line goes.
const BLANK_LINE: &str = "__codegen_blank_line!();";

/// Puts a blank line between items, and between the members of an `impl`, in inline modules too
/// (prettyplease prints them back to back; rustfmt keeps blank lines but never adds them). A run
/// of `use` or `mod` declarations stays together. `after_attrs`: the items follow inner
/// attributes, and a blank line separates them.
fn space_items(items: &mut Vec<syn::Item>, after_attrs: bool) {
    let mut spaced = Vec::with_capacity(items.len() * 2);
    for mut item in std::mem::take(items) {
        let separate = match spaced.last() {
            Some(prev) => !(is_declaration(prev) && is_declaration(&item)),
            None => after_attrs,
        };
        if separate {
            spaced.push(syn::Item::Macro(syn::ItemMacro {
                attrs: Vec::new(),
                ident: None,
                mac: blank_line(),
                semi_token: Some(Default::default()),
            }));
        }
        match &mut item {
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, inner)),
                attrs,
                ..
            }) => space_items(
                inner,
                attrs
                    .iter()
                    .any(|a| matches!(a.style, syn::AttrStyle::Inner(_))),
            ),
            syn::Item::Impl(imp) => {
                let members = std::mem::take(&mut imp.items);
                for (i, member) in members.into_iter().enumerate() {
                    if i > 0 {
                        imp.items.push(syn::ImplItem::Macro(syn::ImplItemMacro {
                            attrs: Vec::new(),
                            mac: blank_line(),
                            semi_token: Some(Default::default()),
                        }));
                    }
                    imp.items.push(member);
                }
            }
            _ => {}
        }
        spaced.push(item);
    }
    *items = spaced;
}

/// `__codegen_blank_line!()`, which prints as [`BLANK_LINE`].
fn blank_line() -> syn::Macro {
    syn::Macro {
        path: proc_macro2::Ident::new("__codegen_blank_line", proc_macro2::Span::call_site())
            .into(),
        bang_token: Default::default(),
        delimiter: syn::MacroDelimiter::Paren(Default::default()),
        tokens: proc_macro2::TokenStream::new(),
    }
}

/// A `use` or a `mod` without a body: a run of them stays together.
fn is_declaration(item: &syn::Item) -> bool {
    matches!(
        item,
        syn::Item::Use(_) | syn::Item::Mod(syn::ItemMod { content: None, .. })
    )
}

#[cfg(test)]
mod tests {
    use quote::quote;

    #[test]
    fn items_and_impl_members_are_spaced_but_doc_text_and_declarations_are_not() {
        let tokens = quote! {
            #![doc = " Module."]
            use a::b;
            use c::d;
            mod e;
            #[doc = " {"]
            #[doc = " }"]
            #[doc = " text after a brace"]
            pub struct S {}
            impl S {
                fn f() {}
                fn g() {}
            }
            mod tests {
                const K: u8 = 1;
                fn t() {}
            }
        };
        let file = super::print_file("x.rs".into(), "spec/", tokens, &[]).unwrap();
        let expected = "\
// @generated by `cargo xtask codegen` from spec/; do not edit.
//! Module.

use a::b;
use c::d;
mod e;

/// {
/// }
/// text after a brace
pub struct S {}

impl S {
    #[inline]
    fn f() {}

    #[inline]
    fn g() {}
}

mod tests {
    const K: u8 = 1;

    fn t() {}
}
";
        assert_eq!(file.contents, expected);
    }

    #[test]
    fn only_methods_that_are_neither_generic_nor_async_are_inline() {
        let tokens = quote::quote! {
            impl S {
                fn plain(&self) -> u8 { 0 }
                fn lifetime<'a>(&'a self, p: &mut P<'a>) {}
                fn generic<T>(t: T) {}
                fn into(self, v: impl Into<u8>) -> Self { self }
                async fn send(self) {}
                #[inline]
                fn already() {}
            }
            fn free() {}
            mod m {
                impl T for S {
                    fn nested(&self) {}
                }
            }
        };
        let file = super::print_file("x.rs".into(), "spec/", tokens, &[]).unwrap();
        let inline_before = |name: &str| {
            let at = file.contents.find(&format!("fn {name}")).unwrap();
            file.contents[..at].trim_end().ends_with("#[inline]")
        };
        for name in ["plain", "lifetime", "nested", "already"] {
            assert!(inline_before(name), "{name}:\n{}", file.contents);
        }
        for name in ["generic", "into", "send", "free"] {
            assert!(!inline_before(name), "{name}:\n{}", file.contents);
        }
        assert_eq!(file.contents.matches("#[inline]").count(), 4);
    }
}
