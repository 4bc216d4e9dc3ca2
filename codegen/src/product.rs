//! The files that come from the product as a whole: the module tree, shared enumerations and
//! error codes, and endpoints.

use ccc_spec::{Spec, naming};
use quote::quote;

use crate::names::Idents;
use crate::{Error, GENERATED_DIR, GeneratedFile, docs, print_file};

const PRODUCT_SOURCE: &str = "spec/product.json";

/// `generated/mod.rs`.
pub(crate) fn root_module(_spec: &Spec) -> Result<GeneratedFile, Error> {
    let doc = docs::inner("Code generated from `spec/` by `cargo xtask codegen`.");
    let tokens = quote! {
        #doc
        mod client_methods;
        pub(crate) mod endpoints;
        pub mod operation;
        pub mod types;
    };
    print_file(format!("{GENERATED_DIR}/mod.rs"), "spec/", tokens, &[])
}

/// `generated/operation/mod.rs`: one module per action, and a table of them in its docs.
pub(crate) fn operation_module(spec: &Spec) -> Result<GeneratedFile, Error> {
    let mut text = String::from(
        "One module per action: its input and builder, output, error enum and fluent builder.\n\n\
         | Action | Client method |\n|---|---|\n",
    );
    let mut mods = Vec::new();
    for action in &spec.actions {
        let file = format!("spec/actions/{}.json", action.name);
        let idents = Idents { file: &file };
        let module = naming::module_ident(&action.name);
        let method = naming::method_ident(&action.name);
        let note = if action.deprecated {
            " (deprecated)"
        } else {
            ""
        };
        text.push_str(&format!(
            "| [`{name}`]({module}){note} | [`Client::{method}`](crate::Client::{method}) |\n",
            name = action.name,
        ));
        mods.push(idents.ident(&module)?);
    }
    let doc = docs::inner(&text);
    let tokens = quote! {
        #doc
        #( pub mod #mods; )*
    };
    print_file(
        format!("{GENERATED_DIR}/operation/mod.rs"),
        "spec/actions/",
        tokens,
        &[],
    )
}

/// `generated/types.rs`: the product's enumerations, its shared structs, `ErrorCode` and
/// `CommonErrorCode`.
pub(crate) fn types(spec: &Spec) -> Result<GeneratedFile, Error> {
    let idents = Idents {
        file: PRODUCT_SOURCE,
    };
    let doc = docs::inner(
        "Enumerations and structs shared by actions, and the error codes: `ErrorCode`, every\n\
         code the spec knows, and `CommonErrorCode`, those the product lists for any action.",
    );
    let shared = crate::emit::shared_structs(&crate::model::lower_shared(spec, PRODUCT_SOURCE)?);
    let mut enums = Vec::new();
    let mut verbatim = Vec::new();
    for e in &spec.product.enums {
        enums.push(crate::emit::enumeration(idents, e, &mut verbatim)?);
    }

    let error_code = crate::error_codes::error_code_enum(spec, &mut verbatim)?;

    let errors = &spec.product.errors;
    let mut variants = Vec::new();
    for e in errors {
        variants.push(idents.ident(&ccc_spec::error_variant(&e.code))?);
    }
    let variant_docs = errors
        .iter()
        .map(|e| docs::outer(&crate::model::error_doc(e)));
    let codes = errors.iter().map(|e| e.code.as_str());
    let codes2 = codes.clone();
    let statuses = errors
        .iter()
        .map(|e| proc_macro2::Literal::u16_unsuffixed(e.http_status));
    // An enum without variants cannot be matched on a string; keep the function total.
    let from_code = if errors.is_empty() {
        quote! {
            let _ = code;
            None
        }
    } else {
        quote! {
            match code {
                #( #codes2 => Some(Self::#variants), )*
                _ => None,
            }
        }
    };
    let tokens = quote! {
        #doc
        use crate::codec;
        #shared
        #( #enums )*
        #error_code

        /// Error codes any action can return, as `spec/product.json` lists them.
        ///
        /// See [`ServiceError::common_code`](crate::error::ServiceError::common_code). To match
        /// a code, [`ErrorCode`] covers these and every code an action documents.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum CommonErrorCode {
            #( #variant_docs #variants, )*
        }

        impl CommonErrorCode {
            /// The code as the service sends it.
            pub fn as_str(self) -> &'static str {
                match self {
                    #( Self::#variants => #codes, )*
                }
            }

            /// The HTTP status the service documents for it.
            pub fn http_status(self) -> u16 {
                match self {
                    #( Self::#variants => #statuses, )*
                }
            }

            /// The common error with this code, if it is one.
            pub fn from_code(code: &str) -> Option<Self> {
                #from_code
            }
        }
    };
    print_file(
        format!("{GENERATED_DIR}/types.rs"),
        PRODUCT_SOURCE,
        tokens,
        &verbatim,
    )
}

/// `generated/endpoints.rs`: the API version and where each region is served.
pub(crate) fn endpoints(spec: &Spec) -> Result<GeneratedFile, Error> {
    let p = &spec.product;
    let version = &p.version;
    let regional = &p.regional_endpoint;
    let regions = p.endpoints.keys();
    let hosts = p.endpoints.values();
    let regional_only = &p.regional_only;
    let doc = docs::inner("Product facts: API version, endpoints.");
    let tokens = quote! {
        #doc
        /// The API version every request names.
        pub(crate) const API_VERSION: &str = #version;
        /// Host of a region absent from [`REGION_ENDPOINTS`]; `{region}` is replaced.
        pub(crate) const REGIONAL_ENDPOINT: &str = #regional;
        /// Region id → endpoint host, sorted by region id.
        pub(crate) const REGION_ENDPOINTS: &[(&str, &str)] = &[
            #( (#regions, #hosts), )*
        ];
        /// Regions served at [`REGIONAL_ENDPOINT`] although [`REGION_ENDPOINTS`] does not list them.
        pub(crate) const REGIONAL_ONLY: &[&str] = &[#( #regional_only ),*];
    };
    print_file(
        format!("{GENERATED_DIR}/endpoints.rs"),
        PRODUCT_SOURCE,
        tokens,
        &[],
    )
}

/// `generated/actions_by_area.md`: the crate docs' list of every action, grouped by the areas of
/// `spec/areas.json` (one list of all actions when the spec has none), one line each with the
/// action's summary and a link to its `Client` method.
pub(crate) fn actions_by_area(spec: &Spec) -> GeneratedFile {
    let mut text = String::from(
        "<!-- @generated by `cargo xtask codegen` from spec/areas.json; do not edit. -->\n\n\
         # Actions by area\n\n",
    );
    let line = |text: &mut String, name: &str| {
        let Some(action) = spec.action(name) else {
            return;
        };
        let method = naming::method_ident(name);
        let summary = action
            .summary
            .as_deref()
            .map(|s| docs::prose(s).replace('\n', " "))
            .unwrap_or_default();
        let deprecated = if action.deprecated {
            " (deprecated)"
        } else {
            ""
        };
        let summary = if summary.is_empty() {
            String::new()
        } else {
            format!(": {summary}")
        };
        text.push_str(&format!(
            "- [`{method}`](crate::Client::{method}){deprecated}{summary}\n"
        ));
    };
    if spec.areas.is_empty() {
        text.push_str("Every action of the API, each a method on [`Client`](crate::Client).\n\n");
        for action in &spec.actions {
            line(&mut text, &action.name);
        }
        return GeneratedFile {
            path: format!("{GENERATED_DIR}/actions_by_area.md"),
            contents: text,
        };
    }
    text.push_str(&format!(
        "The {} actions of the API, each a method on [`Client`](crate::Client), grouped by what \
         they are about. Each links to its method, whose page links to the action's module in \
         [`operation`](crate::operation).\n\n",
        spec.actions.len()
    ));
    let contents: Vec<String> = spec
        .areas
        .iter()
        .map(|a| format!("[{}](#{})", docs::prose(&a.title), anchor(&a.title)))
        .collect();
    text.push_str(&format!("Areas: {}.\n", contents.join(" · ")));
    for area in &spec.areas {
        text.push_str(&format!(
            "\n## {}\n\n{}\n\n",
            docs::prose(&area.title),
            docs::prose(&area.summary)
        ));
        for name in &area.actions {
            line(&mut text, name);
        }
    }
    GeneratedFile {
        path: format!("{GENERATED_DIR}/actions_by_area.md"),
        contents: text,
    }
}

/// The id rustdoc gives a heading: lower case, runs of anything but letters and digits as one
/// `-`.
fn anchor(title: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}
