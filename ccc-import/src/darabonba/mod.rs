//! Imports Alibaba Cloud's own machine-readable API definition — a `main.tea` file in the
//! Darabonba language, with its `api-info.json` — into this project's spec files.
//!
//! Only facts are taken (names, wire names, types, nesting, locations, required flags, example
//! values, deprecation, endpoints); descriptions are never copied.
//!
//! ```no_run
//! use std::path::Path;
//! let report = ccc_import::darabonba::import(
//!     Path::new("spec"),
//!     Path::new("main.tea"),
//!     None, // api-info.json beside main.tea, if there is one
//!     &ccc_import::darabonba::ImportOptions::default(),
//! )?;
//! print!("{report}");
//! # Ok::<(), ccc_import::darabonba::ImportError>(())
//! ```
//!
//! The steps are public too: [`parse`] → [`TeaFile`], [`to_actions`] → spec [`ccc_spec::Action`]s,
//! [`merge()`] with an existing action by [`Precedence::UPSTREAM`] (the table is in
//! [`crate::merge`]).

mod api_info;
mod error;
mod import;
mod lexer;
mod map;
mod parser;

pub use crate::merge::{DiffKind, Difference, Precedence, Side};
pub use api_info::ApiInfo;
pub use error::{ImportError, Pos, TeaError};
pub use import::{
    ImportOptions, Report, endpoint_differences, import, import_parsed, read_api_info, read_tea,
};
pub use map::{Mapped, Note, REQUIRED_MARKER, is_sensitive, primitive, to_actions};

/// Folds `upstream` into the `existing` spec of the same action by [`Precedence::UPSTREAM`].
pub fn merge(
    existing: &ccc_spec::Action,
    upstream: &ccc_spec::Action,
) -> (ccc_spec::Action, Vec<Difference>) {
    crate::merge::merge(existing, upstream, &Precedence::UPSTREAM)
}
pub use parser::{
    Facts, Function, Init, Model, ModelField, Param, SendStmt, ShrinkStmt, Target, TeaFile,
    TeaType, parse,
};
