//! The method on `Client` that starts a call.

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs;
use crate::model::Operation;

/// `impl Client { pub fn reset_agent_state(&self) -> ResetAgentStateFluentBuilder }`.
pub(super) fn method(op: &Operation<'_>) -> TokenStream {
    let (input, fluent, method) = (&op.names.input, &op.names.fluent, &op.method);
    let required: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| {
            let m = &p.field.ident;
            if m.to_string().starts_with("r#") {
                // Intra-doc links cannot name raw identifiers; the HTML anchor can.
                format!("[`{m}`](struct.{fluent}.html#method.{})", p.field.stem)
            } else {
                format!("[`{m}`]({fluent}::{m})")
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
    let doc = docs::outer(&format!("{title}\n\n{required}\n\n{}", op.reference));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    quote! {
        impl crate::Client {
            #doc
            #deprecated
            pub fn #method(&self) -> #fluent {
                #fluent {
                    client: self.clone(),
                    input: #input::builder(),
                    options: crate::CallOptions::default(),
                }
            }
        }
    }
}
