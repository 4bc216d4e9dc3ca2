//! What a user builds: the input, its builder, the fluent builder that sends it, and the structs
//! a request carries.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::{Shown, derive_debug, encode_impl, field_link, option_struct};
use crate::docs;
use crate::model::{Member, Operation, Param, Setter, Struct, Write};

/// Where a setter puts the value.
#[derive(Clone, Copy)]
enum Target {
    /// An `Option` field of `self` (a builder, a request struct).
    Field,
    /// The builder held in `self.input` (the fluent builder), through its setter of that name.
    Input,
}

/// The docs of a setter pair: the value setter's and `set_x`'s.
struct SetterDocs {
    value: String,
    set: String,
}

/// The value setter (replaces, appends items, or inserts one entry, as the model says) and
/// `set_x`, which sets or clears. `clears`: a field both setters empty when they store into a
/// field (a parameter's raw JSON text, which the typed value replaces).
fn setters(f: &Member, into: Target, doc: &SetterDocs, clears: Option<&Ident>) -> TokenStream {
    let (ident, set, ty) = (&f.ident, &f.set, &f.ty.tokens);
    let value_doc = docs::outer(&doc.value);
    let set_doc = docs::outer(&doc.set);
    let (args, store) = match (&f.ty.setter, into) {
        (Setter::Replace, Target::Field) => (
            quote!(v: impl Into<#ty>),
            quote!(self.#ident = Some(v.into());),
        ),
        (Setter::Replace, Target::Input) => (
            quote!(v: impl Into<#ty>),
            quote!(self.input = self.input.#ident(v);),
        ),
        (Setter::Append { item }, Target::Field) => (
            quote!(item: impl Into<#item>),
            quote!(self.#ident.get_or_insert_with(Vec::new).push(item.into());),
        ),
        (Setter::Append { item }, Target::Input) => (
            quote!(item: impl Into<#item>),
            quote!(self.input = self.input.#ident(item);),
        ),
        (Setter::Extend { item }, Target::Field) => (
            quote!(items: impl IntoIterator<Item = impl Into<#item>>),
            quote! {
                self.#ident
                    .get_or_insert_with(Vec::new)
                    .extend(items.into_iter().map(Into::into));
            },
        ),
        (Setter::Extend { item }, Target::Input) => (
            quote!(items: impl IntoIterator<Item = impl Into<#item>>),
            quote!(self.input = self.input.#ident(items);),
        ),
        (Setter::Insert { value }, Target::Field) => (
            quote!(key: impl Into<String>, value: impl Into<#value>),
            quote! {
                self.#ident
                    .get_or_insert_with(Default::default)
                    .insert(key.into(), value.into());
            },
        ),
        (Setter::Insert { value }, Target::Input) => (
            quote!(key: impl Into<String>, value: impl Into<#value>),
            quote!(self.input = self.input.#ident(key, value);),
        ),
    };
    let set_store = match into {
        Target::Field => quote!(self.#ident = v;),
        Target::Input => quote!(self.input = self.input.#set(v);),
    };
    let clear = match (clears, into) {
        (Some(other), Target::Field) => quote!(self.#other = None;),
        _ => TokenStream::new(),
    };
    quote! {
        #value_doc
        pub fn #ident(mut self, #args) -> Self {
            #clear
            #store
            self
        }

        #set_doc
        pub fn #set(mut self, v: Option<#ty>) -> Self {
            #clear
            #set_store
            self
        }
    }
}

/// `x_json`, the raw-JSON setter of a `json`-style parameter: it stores the text and clears the
/// typed value (on a builder), or passes it on (on the fluent builder).
fn raw_setter(p: &Param, into: Target) -> TokenStream {
    let Some(raw) = &p.raw else {
        return TokenStream::new();
    };
    let (ident, typed) = (&raw.ident, &p.field.ident);
    let doc = docs::outer(&raw.setter_doc);
    let store = match into {
        Target::Field => quote! {
            self.#typed = None;
            self.#ident = Some(text.into());
        },
        Target::Input => quote!(self.input = self.input.#ident(text);),
    };
    quote! {
        #doc
        pub fn #ident(mut self, text: impl Into<String>) -> Self {
            #store
            self
        }
    }
}

/// How `Debug` shows a parameter's raw JSON text: as the parameter (redacted when it is).
fn shown_raw(p: &Param) -> Option<Shown<'_>> {
    p.raw.as_ref().map(|raw| Shown {
        name: &raw.stem,
        ident: &raw.ident,
        sensitive: raw.sensitive,
        optional: true,
    })
}

/// The setters' docs on both builders, which say what the parameter is where the reader stands:
/// the value setter repeats the input field's description, then names the parameter and whether
/// it is required (its type, place and example stay on the field); `set_x` names it with the
/// description's first sentence. A parameter the spec does not describe has nothing to repeat:
/// its value setter links to the field, which holds the wire type and example.
fn builder_setter_docs(op: &Operation<'_>, p: &Param) -> SetterDocs {
    let wire = docs::code(&p.field.wire);
    let sensitive = if p.field.sensitive {
        ", sensitive: redacted in `Debug`"
    } else {
        ""
    };
    let note = format!(
        "{} {wire} ({}{sensitive})",
        p.field.setter_verb(),
        p.required_word(),
    );
    match &p.description {
        Some(d) => SetterDocs {
            value: format!("{d}\n\n{note}."),
            set: format!("Sets or clears {wire}. {}", docs::first_sentence(d)),
        },
        None => SetterDocs {
            value: format!("{note}: see {}.", field_link(&op.names.input, &p.field)),
            set: format!("Sets or clears {wire}."),
        },
    }
}

pub(super) fn input(op: &Operation<'_>) -> TokenStream {
    let (input, builder) = (&op.names.input, &op.names.builder);
    let fields = op.params.iter().map(|p| {
        let (ident, ty) = (&p.field.ident, &p.field.ty.tokens);
        let doc = docs::outer(&p.field.doc);
        let field = if p.required {
            quote!(#doc pub #ident: #ty)
        } else {
            quote!(#doc pub #ident: Option<#ty>)
        };
        match &p.raw {
            Some(raw) => {
                let (raw_ident, raw_doc) = (&raw.ident, docs::outer(&raw.doc));
                quote!(#field, #raw_doc pub #raw_ident: Option<String>)
            }
            None => field,
        }
    });
    let writes = op.params.iter().map(|p| {
        let (ident, wire) = (&p.field.ident, &p.field.wire);
        let loc = match p.location {
            ccc_spec::Location::Query => quote!(Loc::Query),
            ccc_spec::Location::Body => quote!(Loc::Body),
        };
        let write = match p.write {
            Write::Put => quote!(put),
            Write::Flat => quote!(flat),
            Write::Json => quote!(json),
        };
        match (&p.raw, p.required) {
            (Some(raw), true) => {
                let raw = &raw.ident;
                quote! {
                    match &self.#raw {
                        Some(text) => p.put(#loc, #wire, text),
                        None => p.#write(#loc, #wire, &self.#ident),
                    }
                }
            }
            (Some(raw), false) => {
                let raw = &raw.ident;
                quote! {
                    if let Some(text) = &self.#raw {
                        p.put(#loc, #wire, text);
                    } else if let Some(v) = &self.#ident {
                        p.#write(#loc, #wire, v);
                    }
                }
            }
            (None, true) => quote!(p.#write(#loc, #wire, &self.#ident);),
            (None, false) => quote! {
                if let Some(v) = &self.#ident {
                    p.#write(#loc, #wire, v);
                }
            },
        }
    });
    let param = if op.params.is_empty() {
        quote!(_p)
    } else {
        quote!(p)
    };
    let doc = docs::outer(&format!(
        "Input of {}.\n\n{}",
        docs::code(op.wire),
        op.reference
    ));
    let shown: Vec<_> = op
        .params
        .iter()
        .flat_map(|p| {
            let typed = Shown {
                optional: !p.required,
                ..Shown::option(&p.field)
            };
            std::iter::once(typed).chain(shown_raw(p))
        })
        .collect();
    let (derive, debug) = derive_debug(input, &shown, &["Clone", "Debug", "PartialEq"]);
    quote! {
        #doc
        #derive
        #[non_exhaustive]
        pub struct #input {
            #( #fields, )*
        }

        impl #input {
            /// A builder for this input.
            pub fn builder() -> #builder {
                #builder::default()
            }
        }

        impl crate::codec::WriteParams for #input {
            fn write_params<'a>(&'a self, #param: &mut Params<'a>) {
                #( #writes )*
            }
        }

        #debug
    }
}

pub(super) fn builder(op: &Operation<'_>) -> TokenStream {
    let (input, builder) = (&op.names.input, &op.names.builder);
    let fields = op.params.iter().map(|p| {
        let (ident, ty) = (&p.field.ident, &p.field.ty.tokens);
        match &p.raw {
            Some(raw) => {
                let raw = &raw.ident;
                quote!(#ident: Option<#ty>, #raw: Option<String>)
            }
            None => quote!(#ident: Option<#ty>),
        }
    });
    let methods = op.params.iter().map(|p| {
        let (ident, get, ty) = (&p.field.ident, &p.get, &p.field.ty.tokens);
        let clears = p.raw.as_ref().map(|r| &r.ident);
        let setters = setters(&p.field, Target::Field, &builder_setter_docs(op, p), clears);
        let raw = raw_setter(p, Target::Field);
        let get_doc = docs::outer(&format!("{} as set so far.", docs::code(&p.field.wire)));
        quote! {
            #setters

            #raw

            #get_doc
            pub fn #get(&self) -> Option<&#ty> {
                self.#ident.as_ref()
            }
        }
    });
    let builds = op.params.iter().map(|p| {
        let (ident, wire) = (&p.field.ident, &p.field.wire);
        match (&p.raw, p.required) {
            // Raw JSON text stands in for a required value.
            (Some(raw), true) => {
                let raw = &raw.ident;
                quote! {
                    #ident: match (self.#ident, &self.#raw) {
                        (Some(v), _) => v,
                        (None, Some(_)) => Default::default(),
                        (None, None) => return Err(BuildError::missing(#wire)),
                    },
                    #raw: self.#raw
                }
            }
            (Some(raw), false) => {
                let raw = &raw.ident;
                quote!(#ident: self.#ident, #raw: self.#raw)
            }
            // A `match` rather than `ok_or_else(..)?`: no closure and no `?` to compile per
            // required parameter.
            (None, true) => quote! {
                #ident: match self.#ident {
                    Some(v) => v,
                    None => return Err(BuildError::missing(#wire)),
                }
            },
            (None, false) => quote!(#ident: self.#ident),
        }
    });
    // Ranges the service's definition states, checked before anything is sent.
    let checks = op.params.iter().filter_map(|p| {
        let (min, max) = p.enforced_range?;
        let (ident, wire) = (&p.field.ident, &p.field.wire);
        let (min, max) = (
            proc_macro2::Literal::i64_unsuffixed(min),
            proc_macro2::Literal::i64_unsuffixed(max),
        );
        Some(quote! {
            if let Some(v) = self.#ident {
                BuildError::check_range(#wire, i64::from(v), #min, #max)?;
            }
        })
    });
    let doc = docs::outer(&format!("Builder of [`{input}`]."));
    let shown: Vec<_> = op
        .params
        .iter()
        .flat_map(|p| std::iter::once(Shown::option(&p.field)).chain(shown_raw(p)))
        .collect();
    let (derive, debug) =
        derive_debug(builder, &shown, &["Clone", "Debug", "Default", "PartialEq"]);
    // A builder with no fields could be written `X {}` by a user, and a parameter added later
    // (a private field) would break that: it is non-exhaustive, as fields would make it.
    let sealed = op.params.is_empty().then(|| quote!(#[non_exhaustive]));
    quote! {
        #doc
        #derive
        #sealed
        pub struct #builder {
            #( #fields, )*
        }

        impl #builder {
            #( #methods )*

            /// Builds the input; fails naming the first required parameter that is not set.
            pub fn build(self) -> Result<#input, BuildError> {
                #( #checks )*
                Ok(#input {
                    #( #builds, )*
                })
            }
        }

        #debug
    }
}

pub(super) fn fluent(op: &Operation<'_>) -> TokenStream {
    let names = &op.names;
    let (builder, fluent, output, error) =
        (&names.builder, &names.fluent, &names.output, &names.error);
    let methods = op.params.iter().map(|p| {
        let setters = setters(&p.field, Target::Input, &builder_setter_docs(op, p), None);
        let raw = raw_setter(p, Target::Input);
        quote!(#setters #raw)
    });
    let method = &op.method;
    let doc = docs::outer(&format!(
        "Sends {}; made by [`Client::{method}`](crate::Client::{method}).",
        docs::code(op.wire)
    ));
    let deprecated = op.deprecated.then(|| quote!(#[deprecated]));
    let retry_doc = docs::outer(if op.idempotent {
        "Safe to repeat: after a timeout, a lost connection or a cut-off response it is \
         retried under the retry policy."
    } else {
        "Not safe to repeat: it is retried only when the request provably did not reach the \
         service (the connection could not be opened, or the service answered that it did \
         not run it), unless [`CallOptions::idempotent`](crate::CallOptions::idempotent) \
         says otherwise."
    });
    // `send` is no `async fn`: it hands the built input to the generic `Client::send_action`,
    // whose future is compiled where an action is called, not once per action in `ccc-sdk`.
    quote! {
        #doc
        #deprecated
        #[derive(Clone, Debug)]
        #[must_use = "nothing is sent until `send` is awaited"]
        pub struct #fluent {
            pub(crate) client: crate::Client,
            pub(crate) input: #builder,
            pub(crate) options: crate::CallOptions,
        }

        impl #fluent {
            #( #methods )*

            /// The input as set so far.
            pub fn as_input(&self) -> &#builder {
                &self.input
            }

            /// Per-call settings (timeouts, retries) over the client's.
            pub fn options(mut self, options: crate::CallOptions) -> Self {
                self.options = options;
                self
            }

            /// Sends the request; a missing required parameter fails here, before anything is sent.
            ///
            #retry_doc
            pub fn send(
                self,
            ) -> impl std::future::Future<Output = Result<#output, SdkError<#error>>> {
                self.client
                    .send_action(&OPERATION, self.input.build(), self.options)
            }
        }
    }
}

/// A struct users build for a request: chainable setters, `Encode`, `Flat`.
pub(super) fn request_struct(s: &Struct) -> TokenStream {
    let name = &s.name;
    let doc = docs::outer(&s.doc);
    let methods = s.fields.iter().map(|f| {
        let see = format!("see [`{}`](#structfield.{})", f.ident, f.stem);
        let doc = SetterDocs {
            value: format!("{} {}: {see}.", f.setter_verb(), docs::code(&f.wire)),
            set: format!("Sets or clears {}.", docs::code(&f.wire)),
        };
        setters(f, Target::Field, &doc, None)
    });
    let json_fields = s.fields.iter().map(|f| {
        let (ident, wire) = (&f.ident, &f.wire);
        quote!(o.field(#wire, &self.#ident);)
    });
    let json_object = if s.fields.is_empty() {
        quote!(codec::JsonObject::new(out).finish();)
    } else {
        quote! {
            let mut o = codec::JsonObject::new(out);
            #( #json_fields )*
            o.finish();
        }
    };
    let flats = s.fields.iter().map(|f| {
        let (ident, wire) = (&f.ident, &f.wire);
        quote!(codec::flat_field(out, prefix, #wire, &self.#ident);)
    });
    let (prefix, out) = if s.fields.is_empty() {
        (quote!(_prefix), quote!(_out))
    } else {
        (quote!(prefix), quote!(out))
    };
    let body = option_struct(name, &s.fields, quote!(#( #methods )*));
    let encode = encode_impl(name, &s.fields);
    quote! {
        #doc
        #body

        #encode

        impl Flat for #name {
            fn flatten<'a>(&'a self, #prefix: &str, #out: &mut codec::Pairs<'a>) {
                #( #flats )*
            }
        }

        impl codec::JsonText for #name {
            /// Every field, in the spec's order; `JsonObject` writes the present ones in the Java SDK's order.
            fn write_json(&self, out: &mut String) {
                #json_object
            }
        }
    }
}
