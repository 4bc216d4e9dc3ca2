//! `Client`'s methods that start a call: one `impl Client` block for every action, in
//! `generated/client_methods.rs`. One block rather than one per action module: the compiler checks the
//! inherent impls of a type against each other, and rustdoc lists one block as one.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Operation;
use crate::names::Idents;
use crate::{Error, docs};

/// `pub fn reset_agent_state(&self) -> reset_agent_state::ResetAgentStateFluentBuilder`, its
/// types named by their path from `operation` (which [`client_impl`] imports from) and, in its
/// docs, from the crate root.
pub(crate) fn method(op: &Operation<'_>) -> Result<TokenStream, Error> {
    let module = Idents { file: &op.source }.ident(&ccc_spec::naming::module_ident(op.wire))?;
    let (input, fluent, method) = (&op.names.input, &op.names.fluent, &op.method);
    let required: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let m = &p.field.ident;
            if m.to_string().starts_with("r#") {
                // Intra-doc links cannot name raw identifiers; the HTML anchor can, relative to
                // the page of `Client`, at the crate root.
                format!(
                    "[`{m}`](operation/{module}/struct.{fluent}.html#method.{})",
                    p.field.stem
                )
            } else {
                format!("[`{m}`](crate::operation::{module}::{fluent}::{m})")
            }
        })
        .collect();
    let required = if required.is_empty() {
        "No parameter is required.".to_string()
    } else {
        format!("Required: {}.", required.join(",\n"))
    };
    let title = match &op.summary {
        Some(s) => format!("Calls {}: {s}", docs::code(op.wire)),
        None => format!("Calls {}.", docs::code(op.wire)),
    };
    let doc = docs::outer(&format!(
        "{title}\n\n{required}\n\nIn [`operation::{module}`](crate::operation::{module}). {}",
        op.reference
    ));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    Ok(quote! {
        #doc
        #deprecated
        pub fn #method(&self) -> #module::#fluent {
            #module::#fluent {
                client: self.clone(),
                input: #module::#input::builder(),
                options: crate::CallOptions::default(),
            }
        }
    })
}

/// The file: every action's method in one `impl Client`.
pub(crate) fn client_impl(methods: &[TokenStream]) -> TokenStream {
    let doc = docs::inner("The methods of `Client` that start a call, one per action.");
    quote! {
        #doc
        #![allow(deprecated)]

        use super::operation::*;

        impl crate::Client {
            #( #methods )*
        }
    }
}
