//! An enumeration as `types` and the action modules print it.

use ccc_spec::{EnumSpec, naming};
use proc_macro2::TokenStream;
use quote::quote;

use crate::names::Idents;
use crate::{Error, docs};

/// An enumeration: the enum with an `Unknown` variant, and its plumbing through `wire_enum!`.
/// Used for product enumerations in `types` and action enumerations in their modules.
///
/// The `wire_enum!` invocation is written as text into `verbatim` (see `print_file`).
pub(crate) fn enumeration(
    idents: Idents<'_>,
    e: &EnumSpec,
    verbatim: &mut Vec<String>,
) -> Result<TokenStream, Error> {
    let name = idents.ident(&e.name)?;
    let mut text = match e.description.as_deref().map(docs::prose) {
        Some(d) if !d.is_empty() => d,
        _ => format!("Values of `{}`.", e.name),
    };
    text.push_str("\n\nA value this SDK does not know is kept in [`Unknown`](Self::Unknown).");
    let doc = docs::outer(&text);
    let mut variants = Vec::new();
    for v in &e.values {
        variants.push(idents.ident(&naming::variant_ident(&v.value))?);
    }
    let variant_docs = e.values.iter().map(|v| {
        let text = match v.description.as_deref().map(docs::prose) {
            Some(d) if !d.is_empty() => format!("{}: {d}", docs::code(&v.value)),
            _ => format!("{}.", docs::code(&v.value)),
        };
        docs::outer(&text)
    });
    let mut invocation = format!("codec::wire_enum!({name} {{\n");
    for (variant, v) in variants.iter().zip(&e.values) {
        let wire = proc_macro2::Literal::string(&v.value);
        invocation.push_str(&format!("    {variant} => {wire},\n"));
    }
    invocation.push_str("});\n");
    let marker = crate::verbatim_marker(verbatim.len());
    verbatim.push(invocation);
    Ok(quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the SDK does not know, kept as received.
            Unknown(codec::UnknownValue),
        }

        #marker
    })
}
