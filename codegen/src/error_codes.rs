//! `ErrorCode`, in `types`: every error code the spec knows (the product's and every action's),
//! one variant each, named by the rule of the actions' error enums, so that one `match` reads a
//! code whichever action returned it.

use std::collections::{BTreeMap, BTreeSet};

use ccc_spec::{ErrorSpec, Spec};
use proc_macro2::TokenStream;
use quote::quote;

use crate::names::Idents;
use crate::{Error, docs};

/// What the spec says of one code, gathered from every file that lists it.
struct Code<'a> {
    /// The HTTP statuses the files give it.
    statuses: BTreeSet<u16>,
    /// The product's description, when the product lists it with one.
    product: Option<&'a str>,
    /// The actions' descriptions, each with how many actions give it, in the order first seen.
    described: Vec<(&'a str, usize)>,
    /// The file that lists it first: the product's, else the first action's in name order.
    first: String,
}

/// Every code of `spec`, sorted by code.
fn gather(spec: &Spec) -> BTreeMap<&str, Code<'_>> {
    let mut codes: BTreeMap<&str, Code<'_>> = BTreeMap::new();
    let product = std::iter::once(("spec/product.json".to_string(), &spec.product.errors, true));
    let actions = spec
        .actions
        .iter()
        .map(|a| (format!("spec/actions/{}.json", a.name), &a.errors, false));
    for (file, errors, is_product) in product.chain(actions) {
        for e in errors.iter() {
            let ErrorSpec {
                code,
                http_status,
                description,
                ..
            } = e;
            let entry = codes.entry(code.as_str()).or_insert_with(|| Code {
                statuses: BTreeSet::new(),
                product: None,
                described: Vec::new(),
                first: file.clone(),
            });
            entry.statuses.insert(*http_status);
            let Some(d) = description.as_deref().filter(|d| !d.trim().is_empty()) else {
                continue;
            };
            if is_product {
                entry.product = Some(d);
            } else if let Some(seen) = entry.described.iter_mut().find(|(t, _)| *t == d) {
                seen.1 += 1;
            } else {
                entry.described.push((d, 1));
            }
        }
    }
    codes
}

impl Code<'_> {
    /// The description a variant shows: the product's, else the one most actions give (the
    /// first seen of equals).
    fn description(&self) -> Option<&str> {
        self.product.or_else(|| {
            let most = self.described.iter().map(|(_, n)| *n).max()?;
            self.described
                .iter()
                .find(|(_, n)| *n == most)
                .map(|(d, _)| *d)
        })
    }

    /// `400`, `400 or 404`, `400, 403 or 404`.
    fn statuses(&self) -> String {
        let all: Vec<String> = self.statuses.iter().map(u16::to_string).collect();
        match all.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => all.join(""),
        }
    }
}

/// A variant's doc: the code, its HTTP statuses and what it means.
fn variant_doc(code: &str, c: &Code<'_>) -> String {
    let meaning = match c.description().map(docs::prose) {
        Some(d) if !d.is_empty() => d,
        _ => "The spec does not describe it further; the error's message says more.".into(),
    };
    format!("{} (HTTP {}): {meaning}", docs::code(code), c.statuses())
}

/// The enum and its `wire_enum!` plumbing (written into `verbatim`, as
/// [`enumeration`](crate::emit::enumeration) does). Two codes that give one variant are an
/// error naming both and where they are listed.
pub(crate) fn error_code_enum(
    spec: &Spec,
    verbatim: &mut Vec<String>,
) -> Result<TokenStream, Error> {
    let codes = gather(spec);
    let mut named: BTreeMap<String, &str> = BTreeMap::new();
    let mut variants = Vec::new();
    let mut variant_docs = Vec::new();
    let mut invocation = String::from("codec::wire_enum!(ErrorCode {\n");
    for (code, c) in &codes {
        let name = ccc_spec::error_variant(code);
        if let Some(other) = named.insert(name.clone(), code) {
            return Err(Error::Generate {
                file: c.first.clone(),
                message: format!(
                    "error codes `{other}` (listed in {}) and `{code}` both become the variant \
                     `ErrorCode::{name}`",
                    codes[other].first
                ),
            });
        }
        let ident = Idents { file: &c.first }.ident(&name)?;
        let wire = proc_macro2::Literal::string(code);
        invocation.push_str(&format!("    {ident} => {wire},\n"));
        variants.push(ident);
        variant_docs.push(docs::outer(&variant_doc(code, c)));
    }
    invocation.push_str("});\n");
    let marker = crate::verbatim_marker(verbatim.len());
    verbatim.push(invocation);
    Ok(quote! {
        /// Every error code the spec knows: those the product lists for any action and those each
        /// action documents, one variant per code, whichever action returns it.
        ///
        /// [`ServiceError::error_code`](crate::error::ServiceError::error_code) (and `error_code`
        /// on `SdkError` and on each action's error enum) gives it, so that one `match` handles a
        /// code across actions. A code the spec does not know is kept in
        /// [`Unknown`](Self::Unknown); [`values`](Self::values) lists the codes it knows.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            #( #variant_docs #variants, )*
            /// A code the spec does not know, kept as the service sent it.
            Unknown(codec::UnknownValue),
        }

        #marker
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: &str, status: u16, description: Option<&str>) -> ErrorSpec {
        ErrorSpec {
            http_status: status,
            code: code.into(),
            message: "m".into(),
            description: description.map(String::from),
        }
    }

    #[test]
    fn statuses_read_as_a_list() {
        let mut c = Code {
            statuses: [404].into(),
            product: None,
            described: Vec::new(),
            first: String::new(),
        };
        assert_eq!(c.statuses(), "404");
        c.statuses.insert(400);
        assert_eq!(c.statuses(), "400 or 404");
        c.statuses.insert(403);
        assert_eq!(c.statuses(), "400, 403 or 404");
    }

    #[test]
    fn the_product_description_wins_then_the_most_given() {
        let mut c = Code {
            statuses: [404].into(),
            product: None,
            described: vec![("a", 1), ("b", 2), ("c", 2)],
            first: String::new(),
        };
        assert_eq!(c.description(), Some("b"));
        c.product = Some("p");
        assert_eq!(c.description(), Some("p"));
        c.product = None;
        c.described.clear();
        assert_eq!(c.description(), None);
        assert!(variant_doc("X.Y", &c).starts_with("`X.Y` (HTTP 404): The spec does not"));
    }

    #[test]
    fn codes_gather_statuses_and_descriptions_across_files() {
        let spec_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
        let mut spec = crate::sync::load(&spec_dir, &spec_dir).unwrap_or_else(|e| panic!("{e}"));
        spec.actions[0]
            .errors
            .push(error("Bad.Input", 422, Some("Said by an action.")));
        let codes = gather(&spec);
        let bad = &codes["Bad.Input"];
        assert_eq!(bad.statuses(), "400 or 422");
        assert_eq!(bad.first, "spec/product.json");
        assert_eq!(bad.description(), Some("Some input could not be used."));
    }
}
