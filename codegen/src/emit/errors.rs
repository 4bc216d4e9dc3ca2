//! The error enum of an action: one variant per documented error, then `Unhandled`.

use proc_macro2::TokenStream;
use quote::quote;

use crate::docs;
use crate::model::Operation;

pub(super) fn error_enum(op: &Operation<'_>) -> TokenStream {
    let error = &op.names.error;
    let variants: Vec<_> = op.errors.iter().map(|e| &e.ident).collect();
    let variant_docs = op.errors.iter().map(|e| docs::outer(&e.doc));
    let patterns = variants
        .iter()
        .map(|v| quote!(Self::#v(e)))
        .chain(std::iter::once(quote!(Self::Unhandled(e))));
    let codes = op.errors.iter().map(|e| e.code.as_str());
    let from = if op.errors.is_empty() {
        quote!(Self::Unhandled(e))
    } else {
        quote! {
            match e.code() {
                #( #codes => Self::#variants(e), )*
                _ => Self::Unhandled(e),
            }
        }
    };
    let example = op
        .errors
        .first()
        .map_or("InvalidParameter", |e| e.code.as_str());
    let code_doc = docs::outer(&format!("The error code, e.g. {}.", docs::code(example)));
    let doc = docs::outer(&format!(
        "Errors of {}: one variant per error its reference documents, then\n\
         [`Unhandled`](Self::Unhandled) for any other code (product-wide ones included).\n\n\
         To match a code the same way on every action, use [`error_code`](Self::error_code).",
        docs::code(op.wire)
    ));
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #error {
            #( #variant_docs #variants(ServiceError), )*
            /// Any other error code, kept whole.
            Unhandled(ServiceError),
        }

        impl #error {
            /// The error as the service sent it.
            pub fn service_error(&self) -> &ServiceError {
                match self {
                    #( #patterns )|* => e,
                }
            }

            #code_doc
            pub fn code(&self) -> &str {
                self.service_error().code()
            }

            /// The error code as an [`ErrorCode`](crate::types::ErrorCode): the same variant
            /// whichever action returned it.
            pub fn error_code(&self) -> crate::types::ErrorCode {
                self.service_error().error_code()
            }

            /// The service's message.
            pub fn message(&self) -> &str {
                self.service_error().message()
            }

            /// The request id.
            pub fn request_id(&self) -> Option<&str> {
                self.service_error().request_id()
            }

            /// The HTTP status.
            pub fn http_status(&self) -> u16 {
                self.service_error().http_status()
            }
        }

        impl From<ServiceError> for #error {
            fn from(e: ServiceError) -> Self {
                #from
            }
        }

        impl AsRef<ServiceError> for #error {
            fn as_ref(&self) -> &ServiceError {
                self.service_error()
            }
        }

        impl std::fmt::Display for #error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(self.service_error(), f)
            }
        }

        impl std::error::Error for #error {}
    }
}
