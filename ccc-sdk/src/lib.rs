//! Rust SDK for Alibaba Cloud Contact Center (CCC), API version 2020-07-01.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ccc_sdk::Client::new(
//!     ccc_sdk::Config::builder()
//!         .region("cn-shanghai")
//!         .credentials(ccc_sdk::Credentials::from_env()?)
//!         .build()?,
//! )?;
//! let out = client
//!     .reset_agent_state()
//!     .instance_id("ccc-test")
//!     .device_id("my-device")
//!     .send()
//!     .await?;
//! println!("{}", out.to_json());
//! # Ok(()) }
//! ```
//!
//! Layout: [`operation`] holds one module per action (input, builder, output, error), generated
//! from `spec/` by `cargo xtask codegen`; [`types`] the enumerations they share. Everything
//! else (signing, credentials, endpoints, transport, retries, errors) is hand-written.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[doc(hidden)]
#[path = "bench_support.rs"]
pub mod __bench;
mod client;
mod codec;
pub mod config;
pub mod credentials;
mod endpoint;
pub mod error;
mod generated;
pub mod retry;
mod signing;
mod trace;
mod transport;

pub use client::Client;
pub use codec::MAX_DEPTH as MAX_RESPONSE_DEPTH;
pub use config::{CallOptions, Config, ConfigBuilder, ConfigError};
pub use credentials::{Credentials, ProvideCredentials};
pub use error::SdkError;
pub use generated::operation;
pub use signing::SignatureVersion;

/// Enumerations shared by actions, and the product-wide error codes.
pub mod types {
    pub use crate::codec::UnknownValue;
    pub use crate::generated::types::*;
}

/// The Rust examples of the repository's README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
