//! The emitters of an action's module: each prints one kind of output from the
//! [operation model](crate::model), and decides nothing the model could say.
//!
//! - `client`: the action's method on `Client`, printed with every other action's in one file;
//! - `input`: the input, its builder, the fluent builder and the structs a request carries;
//! - `output`: the output and the structs a response carries;
//! - `errors`: the error enum;
//! - `enumeration`: an enumeration, of an action or (in `types`) of the product;
//! - `paginator`: `into_paginator()` and the `Paginate` impl of an action that pages;
//! - `mock`: the `Action` impl that types the mock client's rules (feature `test-util`);
//! - `tests`: the tests that decode the documented examples.

pub(crate) mod client;
mod enumeration;
mod errors;
mod input;
mod mock;
mod output;
mod paginator;
mod tests;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::model::{Member, Operation, Role};
pub(crate) use enumeration::enumeration;

use crate::names::Idents;
use crate::{Error, GeneratedFile, docs, print_file};

/// What `Debug` shows instead of a sensitive value.
const REDACTED: &str = "*** redacted ***";

/// Prints the module of one action, and returns its method on `Client` as tokens in text, for
/// the one file that holds every action's method (text, as tokens cannot leave the thread).
pub(crate) fn action_module(op: &Operation<'_>) -> Result<(GeneratedFile, String), Error> {
    let mut verbatim = Vec::new();
    let tokens = module(op, &mut verbatim)?;
    let file = print_file(op.path.clone(), &op.source, tokens, &verbatim)?;
    Ok((file, client::method(op)?.to_string()))
}

fn module(op: &Operation<'_>, verbatim: &mut Vec<String>) -> Result<TokenStream, Error> {
    let mut text = match &op.summary {
        Some(s) => format!("{}: {s}", docs::code(op.wire)),
        None => format!("{}.", docs::code(op.wire)),
    };
    if op.deprecated {
        text.push_str("\n\n**Deprecated** by the service.");
    }
    if let Some(d) = &op.description {
        text.push_str("\n\n");
        text.push_str(d);
    }
    text.push_str("\n\n");
    text.push_str(&op.reference);
    let doc = docs::inner(&text);
    // Uses of the deprecated builder inside its own module are not the user's concern.
    let allow = op.deprecated.then(|| quote!(#![allow(deprecated)]));
    let imports = op.imports.iter().map(|(path, items)| {
        let path: syn::Path = syn::parse_str(path).expect("an import path of the generator");
        let items = items.iter().map(|i| Ident::new(i, Span::call_site()));
        quote!(use #path::{#(#items),*};)
    });

    let wire = op.wire;
    let method = match op.http_method {
        ccc_spec::Method::Get => quote!(Get),
        ccc_spec::Method::Post => quote!(Post),
    };
    let idempotent = op.idempotent;
    let input = input::input(op);
    let builder = input::builder(op);
    let fluent = input::fluent(op);
    let paginator = paginator::paginator(op);
    let mock = mock::action(op);
    let output = output::output(op);
    let structs = op.structs.iter().map(|s| match s.role {
        Role::Request => input::request_struct(s),
        Role::Response => output::response_struct(s),
    });
    let idents = Idents { file: &op.source };
    let mut enums = Vec::new();
    for e in op.enums {
        enums.push(enumeration(idents, e, verbatim)?);
    }
    let serialized = std::iter::once(&op.names.output).chain(op.structs.iter().map(|s| &s.name));
    let error = errors::error_enum(op);
    let example_tests = tests::examples(op);

    Ok(quote! {
        #doc
        #allow

        #( #imports )*

        static OPERATION: crate::client::Operation = crate::client::Operation {
            action: #wire,
            method: crate::client::Method::#method,
            idempotent: #idempotent,
        };

        #input
        #builder
        #fluent
        #paginator
        #mock
        #output
        #( #structs )*
        #( #enums )*

        codec::serialize_via_encode!(#(#serialized),*);

        #error
        #example_tests
    })
}

/// The product's shared structs, for `types`: each as a request or response struct of an action
/// is printed, with the `use` lines they need and their `Serialize`.
pub(crate) fn shared_structs(structs: &[crate::model::Struct]) -> TokenStream {
    if structs.is_empty() {
        return TokenStream::new();
    }
    let printed = structs.iter().map(|s| match s.role {
        Role::Request => input::request_struct(s),
        Role::Response => output::response_struct(s),
    });
    let names = structs.iter().map(|s| &s.name);
    let traits = match structs.iter().any(|s| s.role == Role::Request) {
        true => quote!(Decode, Encode, Flat),
        false => quote!(Decode, Encode),
    };
    quote! {
        use crate::codec::{#traits};
        use serde_json::{Map, Value};

        #( #printed )*

        codec::serialize_via_encode!(#(#names),*);
    }
}

/// Public `Option` fields with their docs.
fn option_fields(fields: &[Member]) -> Vec<TokenStream> {
    fields
        .iter()
        .map(|f| {
            let Member { ident, .. } = f;
            let ty = &f.ty.tokens;
            let doc = docs::outer(&f.doc);
            quote!(#doc pub #ident: Option<#ty>)
        })
        .collect()
}

/// A struct of public `Option` fields (non-exhaustive, `Default`), its inherent `methods` if
/// there are any, and its `Debug`. Request structs and response structs differ only in their
/// methods and trait impls.
fn option_struct(name: &Ident, fields: &[Member], methods: TokenStream) -> TokenStream {
    let defs = option_fields(fields);
    let shown: Vec<_> = fields.iter().map(Shown::option).collect();
    let (derive, debug) = derive_debug(name, &shown, &["Clone", "Debug", "Default", "PartialEq"]);
    let inherent = (!methods.is_empty()).then(|| {
        quote! {
            impl #name {
                #methods
            }
        }
    });
    quote! {
        #derive
        #[non_exhaustive]
        pub struct #name {
            #( #defs, )*
        }

        #inherent

        #debug
    }
}

/// `impl Encode`: the fields under their wire names.
fn encode_impl(name: &Ident, fields: &[Member]) -> TokenStream {
    let body = if fields.is_empty() {
        quote!(Value::Object(Map::new()))
    } else {
        let puts = fields.iter().map(|f| {
            let ident = &f.ident;
            let wire = &f.wire;
            quote!(codec::put(&mut o, #wire, &self.#ident);)
        });
        quote! {
            let mut o = Map::new();
            #( #puts )*
            Value::Object(o)
        }
    };
    quote! {
        impl Encode for #name {
            fn encode(&self) -> Value {
                #body
            }
        }
    }
}

/// A field as `Debug` shows it.
struct Shown<'a> {
    name: &'a str,
    ident: &'a Ident,
    sensitive: bool,
    optional: bool,
}

impl<'a> Shown<'a> {
    fn option(f: &'a Member) -> Self {
        Shown {
            name: &f.stem,
            ident: &f.ident,
            sensitive: f.sensitive,
            optional: true,
        }
    }
}

/// The derive attribute of a struct, with `Debug` derived when nothing in it is sensitive; else
/// a hand-written `Debug` that shows a sensitive value only as present or absent.
fn derive_debug(
    name: &Ident,
    fields: &[Shown<'_>],
    derives: &[&str],
) -> (TokenStream, TokenStream) {
    let sensitive = fields.iter().any(|f| f.sensitive);
    let derives = derives
        .iter()
        .filter(|d| !(sensitive && **d == "Debug"))
        .map(|d| Ident::new(d, Span::call_site()));
    let derive = quote!(#[derive(#(#derives),*)]);
    if !sensitive {
        return (derive, TokenStream::new());
    }
    let entries = fields.iter().map(|f| {
        let (shown, ident) = (f.name, f.ident);
        match (f.sensitive, f.optional) {
            (false, _) => quote!(.field(#shown, &self.#ident)),
            (true, false) => quote!(.field(#shown, &#REDACTED)),
            (true, true) => quote!(.field(#shown, &self.#ident.as_ref().map(|_| #REDACTED))),
        }
    });
    let shown_name = name.to_string();
    (
        derive,
        quote! {
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#shown_name)
                        #( #entries )*
                        .finish()
                }
            }
        },
    )
}

/// A link to a field of a generated struct; intra-doc links cannot name raw identifiers, so those
/// link to the HTML anchor.
fn field_link(ty: &Ident, field: &Member) -> String {
    let ident = &field.ident;
    if ident.to_string().starts_with("r#") {
        format!(
            "[`{ty}::{ident}`](struct.{ty}.html#structfield.{})",
            field.stem
        )
    } else {
        format!("[`{ty}::{ident}`]")
    }
}
