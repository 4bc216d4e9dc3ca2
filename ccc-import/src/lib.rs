//! Importers that turn published API documentation into this project's spec files.
//!
//! [`doc`] reads Alibaba Cloud API reference pages (markdown); [`darabonba`] reads Alibaba's own
//! machine-readable definition of the API (`main.tea`, with `api-info.json`). Both write
//! `spec/actions/*.json` through the canonical writer of `ccc-spec`, so that importing the same
//! input twice changes nothing. Both fold what they read into the existing files with one engine,
//! [`merge`], which reports every difference as a [`Difference`]. `cargo xtask import-doc` and
//! `cargo xtask import-tea` run them.

pub mod darabonba;
pub mod doc;
mod files;
pub mod json_params;
pub mod merge;
pub mod shared_structs;
pub mod unify;

pub use merge::{DiffKind, Difference, Precedence, Side, Source};
