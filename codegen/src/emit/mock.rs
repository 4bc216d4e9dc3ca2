//! What the mock client of the `test-util` feature knows of an action: the `Action` impl of its
//! fluent builder, which types the mock's rules by the action's input, output and error.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::Operation;

/// `impl crate::mock::Action for GetUserFluentBuilder`, compiled with `test-util` only.
pub(super) fn action(op: &Operation<'_>) -> TokenStream {
    let names = &op.names;
    let (input, fluent, output, error) = (&names.input, &names.fluent, &names.output, &names.error);
    let wire = op.wire;
    quote! {
        #[cfg(feature = "test-util")]
        impl crate::mock::Sealed for #fluent {}

        #[cfg(feature = "test-util")]
        impl crate::mock::Action for #fluent {
            type Input = #input;
            type Output = #output;
            type Error = #error;
            const NAME: &'static str = #wire;
        }
    }
}
