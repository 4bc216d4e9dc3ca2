//! Identifiers for generated code. The rules themselves live in `ccc_spec::naming`; this module
//! only turns their strings into tokens, refusing (instead of panicking on) anything that is not
//! an identifier.

use std::cell::RefCell;
use std::collections::HashMap;

use ccc_spec::naming;
use proc_macro2::Ident;

use crate::Error;

/// Builds identifiers, naming `file` when a spec name cannot become one.
#[derive(Clone, Copy)]
pub(crate) struct Idents<'a> {
    pub(crate) file: &'a str,
}

impl Idents<'_> {
    /// An identifier from its Rust spelling; `r#type` becomes a raw identifier.
    pub(crate) fn ident(&self, s: &str) -> Result<Ident, Error> {
        thread_local! {
            // One action names the same field a dozen times; parsing each once is enough.
            static SEEN: RefCell<HashMap<String, Option<Ident>>> = RefCell::new(HashMap::new());
        }
        SEEN.with_borrow_mut(|seen| {
            seen.entry(s.to_string())
                // syn refuses keywords and anything that is not an identifier, where
                // `Ident::new` would panic.
                .or_insert_with(|| syn::parse_str::<Ident>(s).ok())
                .clone()
        })
        .ok_or_else(|| Error::Generate {
            file: self.file.to_string(),
            message: format!("`{s}` is not a valid Rust identifier"),
        })
    }

    /// A field (or accessor, or setter) for a wire name: `Type` → `r#type`.
    pub(crate) fn field(&self, wire: &str) -> Result<Ident, Error> {
        self.ident(&naming::field_ident(wire))
    }

    /// `set_type`, `get_type`: a prefix and the stem of a wire name.
    pub(crate) fn prefixed(&self, prefix: &str, wire: &str) -> Result<Ident, Error> {
        self.ident(&format!("{prefix}{}", naming::field_stem(wire)))
    }
}
