//! The output of an action and the structs a response carries: accessors, `Decode`, `Encode`.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{encode_impl, option_struct};
use crate::docs;
use crate::model::{Access, Member, Operation, Struct};

pub(super) fn output(op: &Operation<'_>) -> TokenStream {
    let output = &op.names.output;
    let doc = docs::outer(&format!(
        "Output of {}.\n\n{}",
        docs::code(op.wire),
        op.reference
    ));
    let to_json = quote! {
        /// The output as JSON, with the service's wire names.
        pub fn to_json(&self) -> Value {
            self.encode()
        }
    };
    let body = received(output, &op.output, to_json);
    quote! {
        #doc
        #body
    }
}

pub(super) fn response_struct(s: &Struct) -> TokenStream {
    let doc = docs::outer(&s.doc);
    let body = received(&s.name, &s.fields, TokenStream::new());
    quote! {
        #doc
        #body
    }
}

/// A struct the service sends (or the output); `extra` are more methods for its inherent impl.
fn received(name: &Ident, fields: &[Member], extra: TokenStream) -> TokenStream {
    let accessors = fields.iter().map(accessor);
    let decodes = fields.iter().map(|f| {
        let (ident, wire) = (&f.ident, &f.wire);
        quote!(#wire => codec::set(&mut out.#ident, name, v),)
    });
    // One walk over the fields received, each stored in its slot by name: no code per field
    // beyond one call, and nothing generic per struct.
    let decode = if fields.is_empty() {
        quote! {
            codec::fields(v, &mut |_, _| Ok(()))?;
            Ok(Self {})
        }
    } else {
        quote! {
            let mut out = Self::default();
            codec::fields(v, &mut |name, v| match name {
                #( #decodes )*
                _ => Ok(()),
            })?;
            Ok(out)
        }
    };
    let body = option_struct(name, fields, quote!(#( #accessors )* #extra));
    let encode = encode_impl(name, fields);
    quote! {
        #body

        impl Decode for #name {
            fn decode(v: codec::Node<'_>) -> Result<Self, codec::DecodeError> {
                #decode
            }
        }

        #encode
    }
}

fn accessor(f: &Member) -> TokenStream {
    let (ident, ty) = (&f.ident, &f.ty.tokens);
    let see = format!(
        "{}: see the field [`{ident}`](#structfield.{})",
        docs::code(&f.wire),
        f.stem
    );
    match &f.ty.access {
        Access::Str => {
            let doc = docs::outer(&format!("{see}."));
            quote! {
                #doc
                pub fn #ident(&self) -> Option<&str> {
                    self.#ident.as_deref()
                }
            }
        }
        Access::Copy => {
            let doc = docs::outer(&format!("{see}."));
            quote! {
                #doc
                pub fn #ident(&self) -> Option<#ty> {
                    self.#ident
                }
            }
        }
        Access::Ref => {
            let doc = docs::outer(&format!("{see}."));
            quote! {
                #doc
                pub fn #ident(&self) -> Option<&#ty> {
                    self.#ident.as_ref()
                }
            }
        }
        Access::Slice { item } => {
            let doc = docs::outer(&format!("{see}; empty when absent."));
            quote! {
                #doc
                pub fn #ident(&self) -> &[#item] {
                    self.#ident.as_deref().unwrap_or_default()
                }
            }
        }
    }
}
