//! Importers that turn published API documentation into this project's spec files.
//!
//! [`doc`] reads Alibaba Cloud API reference pages (markdown) and writes `spec/actions/*.json`
//! through the canonical writer of `ccc-spec`, so that importing the same pages twice changes
//! nothing.

pub mod doc;
