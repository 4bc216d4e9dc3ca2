//! Tests that the action's documented example responses decode without losing a value.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Operation;

pub(super) fn examples(op: &Operation<'_>) -> TokenStream {
    if op.examples.is_empty() {
        return TokenStream::new();
    }
    let output = &op.names.output;
    let known = &op.known_paths;
    let tests = op.examples.iter().map(|e| {
        let (doc, name, content_type, text) = (&e.doc, &e.test, e.content_type, &e.text);
        quote! {
            #[doc = #doc]
            #[test]
            fn #name() {
                crate::codec::check_example::<super::#output>(#content_type, #text, KNOWN);
            }
        }
    });
    quote! {
        #[cfg(test)]
        mod tests {
            /// Every field path of the response, lists flattened.
            const KNOWN: &[&str] = &[#(#known),*];
            #(#tests)*
        }
    }
}
