//! One action's module: input and builder, fluent builder and client method, output, the structs
//! and enumerations they use, and the error enum.

use std::collections::{BTreeSet, HashMap};

use ccc_spec::{Action, EnumSpec, Field, Location, Parameter, Scalar, Spec, Style, Type, naming};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

use crate::names::Idents;
use crate::{Error, GENERATED_DIR, GeneratedFile, docs, print_file, product};

/// What `Debug` shows instead of a sensitive value.
const REDACTED: &str = "*** redacted ***";

/// Names the generated module imports or that Rust's prelude holds; a struct may not take them.
const TAKEN_TYPE_NAMES: &[&str] = &[
    "Params",
    "Loc",
    "Map",
    "Value",
    "Decode",
    "Encode",
    "Flat",
    "BuildError",
    "SdkError",
    "ServiceError",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Self",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "From",
    "Into",
    "Iterator",
    "ToString",
    "PartialEq",
    "Eq",
];

/// Whether a struct is sent (built by users, flattened or encoded into parameters) or received
/// (decoded, read through accessors). The two get different impls, so they never share a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Request,
    Response,
}

struct StructDef<'a> {
    /// The name before any collision prefix: `typeName` or the field's wire name.
    base: String,
    name: String,
    /// Wire name of the field that first holds it.
    wire: &'a str,
    description: Option<&'a str>,
    ty: &'a Type,
    fields: &'a [Field],
    role: Role,
}

/// The names of an action's own items.
struct ActionNames {
    input: Ident,
    builder: Ident,
    fluent: Ident,
    output: Ident,
    error: Ident,
}

struct Gen<'a> {
    spec: &'a Spec,
    action: &'a Action,
    idents: Idents<'a>,
    names: ActionNames,
    doc_url: String,
    structs: Vec<StructDef<'a>>,
    /// A `Type::Struct` node of the spec → its entry in `structs`.
    by_node: HashMap<*const Type, usize>,
}

/// How an accessor hands a response field out.
enum Access {
    /// `Option<&str>`.
    Str,
    /// `Option<T>` for `Copy` scalars.
    Copy,
    /// `Option<&T>`.
    Ref,
    /// `&[T]`, empty when absent.
    Slice,
}

/// Generates `generated/operation/<module>.rs` for one action.
pub(crate) fn generate(spec: &Spec, action: &Action) -> Result<GeneratedFile, Error> {
    let source = format!("spec/actions/{}.json", action.name);
    let idents = Idents { file: &source };
    let prefix = naming::type_ident(&action.name);
    let names = ActionNames {
        input: idents.ident(&format!("{prefix}Input"))?,
        builder: idents.ident(&format!("{prefix}InputBuilder"))?,
        fluent: idents.ident(&format!("{prefix}FluentBuilder"))?,
        output: idents.ident(&format!("{prefix}Output"))?,
        error: idents.ident(&format!("{prefix}Error"))?,
    };
    let mut g = Gen {
        spec,
        action,
        idents,
        names,
        doc_url: spec.product.doc_url_of(&action.name),
        structs: Vec::new(),
        by_node: HashMap::new(),
    };
    g.collect_structs()?;
    let mut verbatim = Vec::new();
    let tokens = g.module(&mut verbatim)?;
    let path = format!(
        "{GENERATED_DIR}/operation/{}.rs",
        naming::module_ident(&action.name)
    );
    print_file(path, &source, tokens, &verbatim)
}

fn node(ty: &Type) -> *const Type {
    std::ptr::from_ref(ty)
}

impl<'a> Gen<'a> {
    fn err(&self, message: String) -> Error {
        Error::Generate {
            file: self.idents.file.to_string(),
            message,
        }
    }

    // ----- names -----------------------------------------------------------------------------

    /// Names every struct of the action, depth first, parameters before the response; a name
    /// already taken gets its parent's name in front.
    fn collect_structs(&mut self) -> Result<(), Error> {
        let mut taken: BTreeSet<String> = TAKEN_TYPE_NAMES.iter().map(|s| s.to_string()).collect();
        for n in [
            &self.names.input,
            &self.names.builder,
            &self.names.fluent,
            &self.names.output,
            &self.names.error,
        ] {
            taken.insert(n.to_string());
        }
        for e in &self.action.enums {
            if !taken.insert(e.name.clone()) {
                return Err(self.err(format!(
                    "enumeration `{}` has the name of a type the generator needs",
                    e.name
                )));
            }
        }
        let action = self.action;
        let input = self.names.input.to_string();
        for p in &action.parameters {
            self.collect(
                &mut taken,
                &p.ty,
                &p.name,
                p.description.as_deref(),
                &input,
                Role::Request,
            );
        }
        let output = self.names.output.to_string();
        for f in &action.response {
            self.collect(
                &mut taken,
                &f.ty,
                &f.name,
                f.description.as_deref(),
                &output,
                Role::Response,
            );
        }
        Ok(())
    }

    fn collect(
        &mut self,
        taken: &mut BTreeSet<String>,
        ty: &'a Type,
        wire: &'a str,
        description: Option<&'a str>,
        parent: &str,
        role: Role,
    ) {
        match ty {
            Type::Scalar { .. } => {}
            Type::List { items } => self.collect(taken, items, wire, description, parent, role),
            Type::Map { values } => self.collect(taken, values, wire, description, parent, role),
            Type::Struct { type_name, fields } => {
                let base = type_name
                    .clone()
                    .unwrap_or_else(|| naming::type_ident(wire));
                // The same struct written twice (same name, same fields) is one type.
                if let Some(i) = self
                    .structs
                    .iter()
                    .position(|s| s.base == base && s.role == role && s.ty == ty)
                {
                    self.by_node.insert(node(ty), i);
                    return;
                }
                let mut name = base.clone();
                if taken.contains(&name) {
                    name = format!("{parent}{base}");
                    let mut n = 2;
                    while taken.contains(&name) {
                        name = format!("{parent}{base}{n}");
                        n += 1;
                    }
                }
                taken.insert(name.clone());
                self.by_node.insert(node(ty), self.structs.len());
                self.structs.push(StructDef {
                    base,
                    name: name.clone(),
                    wire,
                    description,
                    ty,
                    fields,
                    role,
                });
                for f in fields {
                    self.collect(taken, &f.ty, &f.name, f.description.as_deref(), &name, role);
                }
            }
        }
    }

    fn struct_name(&self, ty: &Type) -> Result<String, Error> {
        self.by_node
            .get(&node(ty))
            .map(|&i| self.structs[i].name.clone())
            .ok_or_else(|| self.err("internal: a struct was not named".into()))
    }

    fn find_enum(&self, name: &str) -> Result<(&'a EnumSpec, bool), Error> {
        if let Some(e) = self.action.enums.iter().find(|e| e.name == name) {
            return Ok((e, true));
        }
        match self.spec.product.enums.iter().find(|e| e.name == name) {
            Some(e) => Ok((e, false)),
            None => Err(self.err(format!("unknown enumeration `{name}`"))),
        }
    }

    // ----- types -----------------------------------------------------------------------------

    fn rust_type(&self, ty: &Type) -> Result<TokenStream, Error> {
        Ok(match ty {
            Type::Scalar {
                enumeration: Some(name),
                ..
            } => {
                let (e, local) = self.find_enum(name)?;
                let ident = self.idents.ident(&e.name)?;
                if local {
                    quote!(#ident)
                } else {
                    quote!(crate::types::#ident)
                }
            }
            Type::Scalar { scalar, .. } => match scalar {
                Scalar::String => quote!(String),
                Scalar::Integer => quote!(i32),
                Scalar::Long => quote!(i64),
                Scalar::Boolean => quote!(bool),
                Scalar::Float => quote!(f32),
                Scalar::Double => quote!(f64),
                Scalar::Any => quote!(Value),
            },
            Type::Struct { .. } => {
                let ident = self.idents.ident(&self.struct_name(ty)?)?;
                quote!(#ident)
            }
            Type::List { items } => {
                let t = self.rust_type(items)?;
                quote!(Vec<#t>)
            }
            Type::Map { values } => {
                let t = self.rust_type(values)?;
                quote!(std::collections::HashMap<String, #t>)
            }
        })
    }

    /// The type as the docs name it: `List of String`, `String, one of [`UserState`](..)`.
    fn type_doc(&self, ty: &Type) -> Result<String, Error> {
        Ok(match ty {
            Type::Scalar {
                enumeration: Some(name),
                scalar,
            } => {
                let (e, local) = self.find_enum(name)?;
                if local {
                    format!("{}, one of [`{}`]", scalar.as_str(), e.name)
                } else {
                    format!(
                        "{}, one of [`{}`](crate::types::{})",
                        scalar.as_str(),
                        e.name,
                        e.name
                    )
                }
            }
            Type::Scalar { scalar, .. } => scalar.as_str().to_string(),
            Type::Struct { .. } => format!("Struct [`{}`]", self.struct_name(ty)?),
            Type::List { items } => format!("List of {}", self.type_doc(items)?),
            Type::Map { values } => format!("Map of String to {}", self.type_doc(values)?),
        })
    }

    fn access(ty: &Type) -> Access {
        match ty {
            Type::Scalar {
                enumeration: Some(_),
                ..
            } => Access::Ref,
            Type::Scalar { scalar, .. } => match scalar {
                Scalar::String => Access::Str,
                Scalar::Any => Access::Ref,
                Scalar::Integer
                | Scalar::Long
                | Scalar::Boolean
                | Scalar::Float
                | Scalar::Double => Access::Copy,
            },
            Type::Struct { .. } | Type::Map { .. } => Access::Ref,
            Type::List { .. } => Access::Slice,
        }
    }

    // ----- docs ------------------------------------------------------------------------------

    fn param_doc(&self, p: &Parameter) -> Result<String, Error> {
        let mut text = docs::lead(p.description.as_deref());
        let place = match p.location {
            Location::Query => "in the query",
            Location::Body => "in the body",
        };
        let style = match (&p.ty, p.style) {
            (Type::Scalar { .. }, _) => "",
            (_, Some(Style::Json)) => ", as one JSON text",
            (_, _) => ", flattened",
        };
        text.push_str(&format!(
            "Wire name {}, {}, {}, {place}{style}{}.{}",
            docs::code(&p.name),
            self.type_doc(&p.ty)?,
            if p.required { "required" } else { "optional" },
            sensitive_note(p.sensitive),
            docs::example(p.example.as_deref()),
        ));
        Ok(text)
    }

    fn field_doc(&self, f: &Field) -> Result<String, Error> {
        let mut text = docs::lead(f.description.as_deref());
        text.push_str(&format!(
            "Wire name {}, {}{}.{}",
            docs::code(&f.name),
            self.type_doc(&f.ty)?,
            sensitive_note(f.sensitive),
            docs::example(f.example.as_deref()),
        ));
        Ok(text)
    }

    fn title(&self) -> String {
        match self.action.summary.as_deref().map(docs::prose) {
            Some(s) if !s.is_empty() => format!("{}: {s}", docs::code(&self.action.name)),
            _ => format!("{}.", docs::code(&self.action.name)),
        }
    }

    fn reference(&self) -> String {
        format!("[API reference]({})", self.doc_url)
    }

    // ----- the module ------------------------------------------------------------------------

    fn module(&self, verbatim: &mut Vec<String>) -> Result<TokenStream, Error> {
        let a = self.action;
        let mut text = self.title();
        if a.deprecated {
            text.push_str("\n\n**Deprecated** by the service.");
        }
        if let Some(d) = a.description.as_deref().map(docs::prose)
            && !d.is_empty()
        {
            text.push_str("\n\n");
            text.push_str(&d);
        }
        text.push_str("\n\n");
        text.push_str(&self.reference());
        let doc = docs::inner(&text);
        // Uses of the deprecated builder inside its own module are not the user's concern.
        let allow = a.deprecated.then(|| quote!(#![allow(deprecated)]));

        let has_request_structs = self.structs.iter().any(|s| s.role == Role::Request);
        let mut codec_items = vec![quote!(self), quote!(Decode), quote!(Encode)];
        if has_request_structs {
            codec_items.push(quote!(Flat));
        }
        if !a.parameters.is_empty() {
            codec_items.push(quote!(Loc));
        }
        codec_items.push(quote!(Params));

        let wire = &a.name;
        let method = match a.method {
            ccc_spec::Method::Get => quote!(Get),
            ccc_spec::Method::Post => quote!(Post),
        };
        let idempotent = a.idempotent;
        let client = self.client_method()?;
        let input = self.input()?;
        let builder = self.builder()?;
        let fluent = self.fluent()?;
        let output = self.output()?;
        let mut structs = Vec::new();
        for s in &self.structs {
            structs.push(self.struct_def(s)?);
        }
        let mut enums = Vec::new();
        for e in &a.enums {
            enums.push(product::enumeration(self.idents, e, verbatim)?);
        }
        let mut serialized = vec![self.names.output.clone()];
        for s in &self.structs {
            serialized.push(self.idents.ident(&s.name)?);
        }
        let error = self.error_enum()?;
        let example_tests = self.example_tests();

        Ok(quote! {
            #doc
            #allow

            use crate::codec::{#(#codec_items),*};
            use crate::error::{BuildError, SdkError, ServiceError};
            use serde_json::{Map, Value};

            static OPERATION: crate::client::Operation = crate::client::Operation {
                action: #wire,
                method: crate::client::Method::#method,
                idempotent: #idempotent,
            };

            #client
            #input
            #builder
            #fluent
            #output
            #( #structs )*
            #( #enums )*

            codec::serialize_via_encode!(#(#serialized),*);

            #error
            #example_tests
        })
    }

    /// Tests that the action's documented example responses decode without losing a value.
    fn example_tests(&self) -> TokenStream {
        let examples = &self.action.examples;
        if examples.json.is_none() && examples.xml.is_none() {
            return TokenStream::new();
        }
        let mut known = Vec::new();
        known_paths(&self.action.response, "", &mut known);
        let output = &self.names.output;
        let mut tests = Vec::new();
        for (text, content_type, name, what) in [
            (
                &examples.json,
                "application/json",
                "decodes_the_json_example",
                "JSON",
            ),
            (&examples.xml, "text/xml", "decodes_the_xml_example", "XML"),
        ] {
            let Some(text) = text else { continue };
            let name = Ident::new(name, proc_macro2::Span::call_site());
            let doc =
                format!(" The reference's {what} example decodes, and every value comes back out.");
            tests.push(quote! {
                #[doc = #doc]
                #[test]
                fn #name() {
                    crate::codec::check_example::<super::#output>(#content_type, #text, KNOWN);
                }
            });
        }
        quote! {
            #[cfg(test)]
            mod tests {
                /// Every field path of the response, lists flattened.
                const KNOWN: &[&str] = &[#(#known),*];
                #(#tests)*
            }
        }
    }

    fn client_method(&self) -> Result<TokenStream, Error> {
        let a = self.action;
        let ActionNames { input, fluent, .. } = &self.names;
        let method = self.idents.ident(&naming::method_ident(&a.name))?;
        let required: Vec<String> = a
            .parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| {
                let m = naming::field_ident(&p.name);
                match m.strip_prefix("r#") {
                    // Intra-doc links cannot name raw identifiers; the HTML anchor can.
                    Some(stem) => format!("[`{m}`](struct.{fluent}.html#method.{stem})"),
                    None => format!("[`{m}`]({fluent}::{m})"),
                }
            })
            .collect();
        let required = if required.is_empty() {
            "No parameter is required.".to_string()
        } else {
            format!("Required: {}.", required.join(",\n"))
        };
        let title = match a.summary.as_deref().map(docs::prose) {
            Some(s) if !s.is_empty() => format!("Calls {}: {s}", docs::code(&a.name)),
            _ => format!("Calls {}.", docs::code(&a.name)),
        };
        let doc = docs::outer(&format!("{title}\n\n{required}\n\n{}", self.reference()));
        let deprecated = a.deprecated.then(|| quote!(#[deprecated]));
        Ok(quote! {
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
        })
    }

    fn input(&self) -> Result<TokenStream, Error> {
        let ActionNames { input, builder, .. } = &self.names;
        let params = &self.action.parameters;
        let mut fields = Vec::new();
        let mut writes = Vec::new();
        let mut debug_fields = Vec::new();
        for p in params {
            let ident = self.idents.field(&p.name)?;
            let ty = self.rust_type(&p.ty)?;
            let doc = docs::outer(&self.param_doc(p)?);
            fields.push(if p.required {
                quote!(#doc pub #ident: #ty)
            } else {
                quote!(#doc pub #ident: Option<#ty>)
            });
            let loc = match p.location {
                Location::Query => quote!(Loc::Query),
                Location::Body => quote!(Loc::Body),
            };
            let wire = &p.name;
            let write = match (&p.ty, p.style) {
                (Type::Scalar { .. }, _) => quote!(put),
                (_, Some(Style::Json)) => quote!(json),
                (_, _) => quote!(flat),
            };
            writes.push(if p.required {
                quote!(p.#write(#loc, #wire, &self.#ident);)
            } else {
                quote! {
                    if let Some(v) = &self.#ident {
                        p.#write(#loc, #wire, v);
                    }
                }
            });
            debug_fields.push((naming::field_stem(&p.name), ident, p.sensitive, !p.required));
        }
        let param = if params.is_empty() {
            quote!(_p)
        } else {
            quote!(p)
        };
        let doc = docs::outer(&format!(
            "Input of {}.\n\n{}",
            docs::code(&self.action.name),
            self.reference()
        ));
        let (derive, debug) = derive_debug(input, &debug_fields, &["Clone", "Debug", "PartialEq"]);
        Ok(quote! {
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

                /// Adds this input's parameters to a request.
                pub(crate) fn write_params<'a>(&'a self, #param: &mut Params<'a>) {
                    #( #writes )*
                }
            }

            #debug
        })
    }

    fn builder(&self) -> Result<TokenStream, Error> {
        let ActionNames { input, builder, .. } = &self.names;
        let mut fields = Vec::new();
        let mut methods = Vec::new();
        let mut builds = Vec::new();
        let mut debug_fields = Vec::new();
        for p in &self.action.parameters {
            let ident = self.idents.field(&p.name)?;
            let set = self.idents.prefixed("set_", &p.name)?;
            let get = self.idents.prefixed("get_", &p.name)?;
            let ty = self.rust_type(&p.ty)?;
            fields.push(quote!(#ident: Option<#ty>));
            let wire = docs::code(&p.name);
            let req = if p.required { "required" } else { "optional" };
            let see = format!("see {}", field_link(input, &ident));
            let setter = self.setter(&p.ty, &ident, &format!("{wire} ({req})"), &see)?;
            let set_doc = docs::outer(&format!("Sets or clears {wire}."));
            let get_doc = docs::outer(&format!("{wire} as set so far."));
            methods.push(quote! {
                #setter

                #set_doc
                pub fn #set(mut self, v: Option<#ty>) -> Self {
                    self.#ident = v;
                    self
                }

                #get_doc
                pub fn #get(&self) -> Option<&#ty> {
                    self.#ident.as_ref()
                }
            });
            let wire = &p.name;
            builds.push(if p.required {
                quote!(#ident: self.#ident.ok_or_else(|| BuildError::missing(#wire))?)
            } else {
                quote!(#ident: self.#ident)
            });
            debug_fields.push((naming::field_stem(&p.name), ident, p.sensitive, true));
        }
        let doc = docs::outer(&format!("Builder of [`{input}`]."));
        let (derive, debug) = derive_debug(
            builder,
            &debug_fields,
            &["Clone", "Debug", "Default", "PartialEq"],
        );
        Ok(quote! {
            #doc
            #derive
            pub struct #builder {
                #( #fields, )*
            }

            impl #builder {
                #( #methods )*

                /// Builds the input; fails naming the first required parameter that is not set.
                pub fn build(self) -> Result<#input, BuildError> {
                    Ok(#input {
                        #( #builds, )*
                    })
                }
            }

            #debug
        })
    }

    /// The value setter of a builder or request struct whose fields are all `Option`: lists
    /// append one item, maps insert one entry, anything else replaces.
    fn setter(
        &self,
        ty: &Type,
        ident: &Ident,
        what: &str,
        see: &str,
    ) -> Result<TokenStream, Error> {
        Ok(match ty {
            Type::List { items } => {
                let item = self.rust_type(items)?;
                let doc = docs::outer(&format!("Appends one item to {what}: {see}."));
                quote! {
                    #doc
                    pub fn #ident(mut self, item: impl Into<#item>) -> Self {
                        self.#ident.get_or_insert_with(Vec::new).push(item.into());
                        self
                    }
                }
            }
            Type::Map { values } => {
                let value = self.rust_type(values)?;
                let doc = docs::outer(&format!("Inserts one entry into {what}: {see}."));
                quote! {
                    #doc
                    pub fn #ident(mut self, key: impl Into<String>, value: impl Into<#value>) -> Self {
                        self.#ident
                            .get_or_insert_with(Default::default)
                            .insert(key.into(), value.into());
                        self
                    }
                }
            }
            _ => {
                let ty = self.rust_type(ty)?;
                let doc = docs::outer(&format!("Sets {what}: {see}."));
                quote! {
                    #doc
                    pub fn #ident(mut self, v: impl Into<#ty>) -> Self {
                        self.#ident = Some(v.into());
                        self
                    }
                }
            }
        })
    }

    fn fluent(&self) -> Result<TokenStream, Error> {
        let a = self.action;
        let ActionNames {
            input,
            builder,
            fluent,
            output,
            error,
        } = &self.names;
        let method = naming::method_ident(&a.name);
        let mut methods = Vec::new();
        for p in &a.parameters {
            let ident = self.idents.field(&p.name)?;
            let set = self.idents.prefixed("set_", &p.name)?;
            let ty = self.rust_type(&p.ty)?;
            let wire = docs::code(&p.name);
            let req = if p.required { "required" } else { "optional" };
            let see = format!("see {}", field_link(input, &ident));
            let set_doc = docs::outer(&format!("Sets or clears {wire}."));
            let setter = match &p.ty {
                Type::List { items } => {
                    let item = self.rust_type(items)?;
                    let doc = docs::outer(&format!("Appends one item to {wire} ({req}): {see}."));
                    quote! {
                        #doc
                        pub fn #ident(mut self, item: impl Into<#item>) -> Self {
                            self.input = self.input.#ident(item);
                            self
                        }
                    }
                }
                Type::Map { values } => {
                    let value = self.rust_type(values)?;
                    let doc =
                        docs::outer(&format!("Inserts one entry into {wire} ({req}): {see}."));
                    quote! {
                        #doc
                        pub fn #ident(mut self, key: impl Into<String>, value: impl Into<#value>) -> Self {
                            self.input = self.input.#ident(key, value);
                            self
                        }
                    }
                }
                _ => {
                    let doc = docs::outer(&format!("Sets {wire} ({req}): {see}."));
                    quote! {
                        #doc
                        pub fn #ident(mut self, v: impl Into<#ty>) -> Self {
                            self.input = self.input.#ident(v);
                            self
                        }
                    }
                }
            };
            methods.push(quote! {
                #setter

                #set_doc
                pub fn #set(mut self, v: Option<#ty>) -> Self {
                    self.input = self.input.#set(v);
                    self
                }
            });
        }
        let doc = docs::outer(&format!(
            "Sends {}; made by [`Client::{method}`](crate::Client::{method}).",
            docs::code(&a.name)
        ));
        let deprecated = a.deprecated.then(|| quote!(#[deprecated]));
        let retry_doc = docs::outer(if a.idempotent {
            "Safe to repeat: after a timeout, a lost connection or a cut-off response it is \
             retried under the retry policy."
        } else {
            "Not safe to repeat: it is retried only when the request provably did not reach the \
             service (the connection could not be opened, or the service answered that it did \
             not run it), unless [`CallOptions::idempotent`](crate::CallOptions::idempotent) \
             says otherwise."
        });
        Ok(quote! {
            #doc
            #deprecated
            #[derive(Clone, Debug)]
            #[must_use = "nothing is sent until `send` is awaited"]
            pub struct #fluent {
                client: crate::Client,
                input: #builder,
                options: crate::CallOptions,
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
                pub async fn send(self) -> Result<#output, SdkError<#error>> {
                    let input = self.input.build().map_err(SdkError::Build)?;
                    let mut params = Params::default();
                    input.write_params(&mut params);
                    self.client.call(&OPERATION, params, &self.options).await
                }
            }
        })
    }

    fn output(&self) -> Result<TokenStream, Error> {
        let output = &self.names.output;
        let doc = docs::outer(&format!(
            "Output of {}.\n\n{}",
            docs::code(&self.action.name),
            self.reference()
        ));
        let to_json = quote! {
            /// The output as JSON, with the service's wire names.
            pub fn to_json(&self) -> Value {
                self.encode()
            }
        };
        let body = self.response_struct(output, &self.action.response, to_json)?;
        Ok(quote! {
            #doc
            #body
        })
    }

    fn struct_def(&self, s: &StructDef<'_>) -> Result<TokenStream, Error> {
        let name = self.idents.ident(&s.name)?;
        let part = match s.role {
            Role::Request => format!(
                "Part of the input of {}; build one with `{}::default()` and its setters.",
                docs::code(&self.action.name),
                s.name
            ),
            Role::Response => format!("Part of the output of {}.", docs::code(&self.action.name)),
        };
        let doc = docs::outer(&format!(
            "{}Wire name {}. {part}",
            docs::lead(s.description),
            docs::code(s.wire),
        ));
        let body = match s.role {
            Role::Request => self.request_struct(&name, s.fields)?,
            Role::Response => self.response_struct(&name, s.fields, TokenStream::new())?,
        };
        Ok(quote! {
            #doc
            #body
        })
    }

    /// Public `Option` fields with their docs, and what `Debug` needs to know of them.
    #[allow(clippy::type_complexity)]
    fn fields(
        &self,
        fields: &[Field],
    ) -> Result<(Vec<TokenStream>, Vec<(String, Ident, bool, bool)>), Error> {
        let mut defs = Vec::new();
        let mut debug = Vec::new();
        for f in fields {
            let ident = self.idents.field(&f.name)?;
            let ty = self.rust_type(&f.ty)?;
            let doc = docs::outer(&self.field_doc(f)?);
            defs.push(quote!(#doc pub #ident: Option<#ty>));
            debug.push((naming::field_stem(&f.name), ident, f.sensitive, true));
        }
        Ok((defs, debug))
    }

    /// A struct the service sends (or the output): accessors, `Decode`, `Encode`.
    /// `extra` are more methods for its inherent impl.
    fn response_struct(
        &self,
        name: &Ident,
        fields: &[Field],
        extra: TokenStream,
    ) -> Result<TokenStream, Error> {
        let (defs, debug_fields) = self.fields(fields)?;
        let mut accessors = Vec::new();
        let mut decodes = Vec::new();
        for f in fields {
            let ident = self.idents.field(&f.name)?;
            let ty = self.rust_type(&f.ty)?;
            let stem = naming::field_stem(&f.name);
            let wire = &f.name;
            let see = format!(
                "{}: see the field [`{ident}`](#structfield.{stem})",
                docs::code(wire)
            );
            accessors.push(match Self::access(&f.ty) {
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
                Access::Slice => {
                    let Type::List { items } = &f.ty else {
                        return Err(self.err("internal: a slice accessor for a non-list".into()));
                    };
                    let item = self.rust_type(items)?;
                    let doc = docs::outer(&format!("{see}; empty when absent."));
                    quote! {
                        #doc
                        pub fn #ident(&self) -> &[#item] {
                            self.#ident.as_deref().unwrap_or_default()
                        }
                    }
                }
            });
            decodes.push(quote!(#ident: codec::field(o, #wire)?));
        }
        let decode = if fields.is_empty() {
            quote!(codec::decode_struct(v, |_| Ok(Self {})))
        } else {
            quote! {
                codec::decode_struct(v, |o| {
                    Ok(Self {
                        #( #decodes, )*
                    })
                })
            }
        };
        let encode = self.encode_impl(name, fields)?;
        let (derive, debug) = derive_debug(
            name,
            &debug_fields,
            &["Clone", "Debug", "Default", "PartialEq"],
        );
        let inherent = (!accessors.is_empty() || !extra.is_empty()).then(|| {
            quote! {
                impl #name {
                    #( #accessors )*
                    #extra
                }
            }
        });
        Ok(quote! {
            #derive
            #[non_exhaustive]
            pub struct #name {
                #( #defs, )*
            }

            #inherent

            #debug

            impl Decode for #name {
                fn decode(v: codec::Node<'_>) -> Result<Self, codec::DecodeError> {
                    #decode
                }
            }

            #encode
        })
    }

    /// A struct users build for a request: chainable setters, `Encode`, `Flat`.
    fn request_struct(&self, name: &Ident, fields: &[Field]) -> Result<TokenStream, Error> {
        let (defs, debug_fields) = self.fields(fields)?;
        let mut setters = Vec::new();
        let mut flats = Vec::new();
        for f in fields {
            let ident = self.idents.field(&f.name)?;
            let set = self.idents.prefixed("set_", &f.name)?;
            let ty = self.rust_type(&f.ty)?;
            let stem = naming::field_stem(&f.name);
            let wire = docs::code(&f.name);
            let see = format!("see [`{ident}`](#structfield.{stem})");
            let setter = self.setter(&f.ty, &ident, &wire, &see)?;
            let set_doc = docs::outer(&format!("Sets or clears {wire}."));
            setters.push(quote! {
                #setter

                #set_doc
                pub fn #set(mut self, v: Option<#ty>) -> Self {
                    self.#ident = v;
                    self
                }
            });
            let wire = &f.name;
            flats.push(quote!(codec::flat_field(out, prefix, #wire, &self.#ident);));
        }
        let (prefix, out) = if fields.is_empty() {
            (quote!(_prefix), quote!(_out))
        } else {
            (quote!(prefix), quote!(out))
        };
        let encode = self.encode_impl(name, fields)?;
        let (derive, debug) = derive_debug(
            name,
            &debug_fields,
            &["Clone", "Debug", "Default", "PartialEq"],
        );
        let inherent = (!setters.is_empty()).then(|| {
            quote! {
                impl #name {
                    #( #setters )*
                }
            }
        });
        Ok(quote! {
            #derive
            #[non_exhaustive]
            pub struct #name {
                #( #defs, )*
            }

            #inherent

            #debug

            #encode

            impl Flat for #name {
                fn flatten<'a>(&'a self, #prefix: &str, #out: &mut codec::Pairs<'a>) {
                    #( #flats )*
                }
            }
        })
    }

    fn encode_impl(&self, name: &Ident, fields: &[Field]) -> Result<TokenStream, Error> {
        let body = if fields.is_empty() {
            quote!(Value::Object(Map::new()))
        } else {
            let mut puts = Vec::new();
            for f in fields {
                let ident = self.idents.field(&f.name)?;
                let wire = &f.name;
                puts.push(quote!(codec::put(&mut o, #wire, &self.#ident);));
            }
            quote! {
                let mut o = Map::new();
                #( #puts )*
                Value::Object(o)
            }
        };
        Ok(quote! {
            impl Encode for #name {
                fn encode(&self) -> Value {
                    #body
                }
            }
        })
    }

    fn error_enum(&self) -> Result<TokenStream, Error> {
        let a = self.action;
        let error = &self.names.error;
        let mut variants = Vec::new();
        for e in &a.errors {
            variants.push(self.idents.ident(&ccc_spec::error_variant(&e.code))?);
        }
        let variant_docs = a.errors.iter().map(|e| {
            let mut text = format!(
                "{} (HTTP {}): {}",
                docs::code(&e.code),
                e.http_status,
                docs::prose(&e.message)
            );
            if let Some(d) = e.description.as_deref().map(docs::prose)
                && !d.is_empty()
            {
                text.push_str("\n\n");
                text.push_str(&d);
            }
            docs::outer(&text)
        });
        let patterns = variants
            .iter()
            .map(|v| quote!(Self::#v(e)))
            .chain(std::iter::once(quote!(Self::Unhandled(e))));
        let codes = a.errors.iter().map(|e| e.code.as_str());
        let from = if a.errors.is_empty() {
            quote!(Self::Unhandled(e))
        } else {
            quote! {
                match e.code() {
                    #( #codes => Self::#variants(e), )*
                    _ => Self::Unhandled(e),
                }
            }
        };
        let example = a
            .errors
            .first()
            .map_or("InvalidParameter", |e| e.code.as_str());
        let code_doc = docs::outer(&format!("The error code, e.g. {}.", docs::code(example)));
        let doc = docs::outer(&format!(
            "Errors of {}: one variant per error its reference documents, then\n\
             [`Unhandled`](Self::Unhandled) for any other code (product-wide ones included).",
            docs::code(&a.name)
        ));
        Ok(quote! {
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
        })
    }
}

fn sensitive_note(sensitive: bool) -> &'static str {
    if sensitive {
        ", sensitive (redacted in `Debug`)"
    } else {
        ""
    }
}

/// The derive attribute of a struct, with `Debug` derived when nothing in it is sensitive; else
/// a hand-written `Debug` that shows a sensitive value only as present or absent.
///
/// `fields` are (name shown, field, sensitive, is an `Option`); `derives` are fixed names.
fn derive_debug(
    name: &Ident,
    fields: &[(String, Ident, bool, bool)],
    derives: &[&str],
) -> (TokenStream, TokenStream) {
    let sensitive = fields.iter().any(|f| f.2);
    let derives = derives
        .iter()
        .filter(|d| !(sensitive && **d == "Debug"))
        .map(|d| Ident::new(d, proc_macro2::Span::call_site()));
    let derive = quote!(#[derive(#(#derives),*)]);
    if !sensitive {
        return (derive, TokenStream::new());
    }
    let entries =
        fields.iter().map(
            |(shown, ident, sensitive, optional)| match (sensitive, optional) {
                (false, _) => quote!(.field(#shown, &self.#ident)),
                (true, false) => quote!(.field(#shown, &#REDACTED)),
                (true, true) => quote!(.field(#shown, &self.#ident.as_ref().map(|_| #REDACTED))),
            },
        );
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

/// Dotted wire paths of every field, lists and maps flattened: `Data.List.Name`.
fn known_paths(fields: &[Field], prefix: &str, out: &mut Vec<String>) {
    for f in fields {
        let path = if prefix.is_empty() {
            f.name.clone()
        } else {
            format!("{prefix}.{}", f.name)
        };
        let mut ty = &f.ty;
        while let Type::List { items } = ty {
            ty = items;
        }
        match ty {
            Type::Struct { fields, .. } => known_paths(fields, &path, out),
            // A map's keys are data, not fields: any path below it is known.
            Type::Map { .. } | Type::Scalar { .. } => out.push(path),
            Type::List { .. } => {}
        }
    }
}

/// A link to a field of a generated struct; intra-doc links cannot name raw identifiers, so those
/// link to the HTML anchor.
fn field_link(ty: &Ident, field: &Ident) -> String {
    let field = field.to_string();
    match field.strip_prefix("r#") {
        Some(stem) => format!("[`{ty}::{field}`](struct.{ty}.html#structfield.{stem})"),
        None => format!("[`{ty}::{field}`]"),
    }
}
