//! Rust SDK for Alibaba Cloud Contact Center (CCC), API version 2020-07-01.
//!
//! Every action of the API is a method on [`Client`] that returns a builder: set the parameters,
//! then `send().await`. Each action's page (under [`operation`]) says what it does, and each
//! parameter and response field says what it holds, in which unit and format. An action that
//! answers page by page (`ListUsers`, `ListCallDetailRecordsV2`, …) also has `into_paginator()`
//! on its builder: every page, or every item, without writing the loop (see [`paginator`]).
//! A [waiter](waiter) polls an action until its answer says the wait is over: an agent `READY`
//! ([`Client::wait_for_agent_state`]), a call answered ([`Client::wait_for_call_state`]), or any
//! condition on any action's answer.
//! [Actions by area](#actions-by-area), at the end of this page, lists every action with one
//! line on what it does, grouped as agents, calls, users, numbers, records, reports, campaigns,
//! tickets and so on.
//!
//! # An agent's shift
//!
//! An agent (`agent-ann@ccc-test`: users are named `username@instance`) works from a device, her
//! workbench. Over a shift she:
//!
//! 1. signs in to her skill groups with [`Client::sign_in_group`], then becomes ready for calls
//!    with [`Client::ready_for_service`] (her state goes from `OFFLINE` to `READY`);
//! 2. calls a customer with [`Client::make_call`], whose answer holds the call's id
//!    ([`CallContext::job_id`](types::CallContext::job_id)) and her new state;
//! 3. hangs up with [`Client::release_call`], which starts her after-call work (`WORKING`);
//! 4. reads the records of the calls she took part in with [`Client::list_call_detail_records`]:
//!    times are milliseconds since the Unix epoch, the call's length is in seconds
//!    ([`ListCallDetailRecordsItem`](operation::list_call_detail_records::ListCallDetailRecordsItem));
//! 5. goes on a break with [`Client::take_break`], or signs out with [`Client::sign_out_group`].
//!    If her workbench and the service ever disagree about her,
//!    [`Client::reset_agent_state`] puts things right.
//!
//! Here against the crate's emulator, which behaves like the service on loopback:
//!
//! ```
//! use ccc_sdk::{Client, Config, Credentials};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = ccc_emulator::Emulator::builder().build().start("127.0.0.1:0".parse()?).await?;
//! # let endpoint = emulator.endpoint();
//! let client = Client::new(
//!     Config::builder()
//!         .endpoint_url(endpoint) // or .region("cn-shanghai")
//!         .credentials(Credentials::new("testid", "testsecret")) // or Credentials::from_env()?
//!         .build()?,
//! )?;
//! let (instance, agent, device) = ("ccc-test", "agent-ann@ccc-test", "ann-workbench");
//!
//! // 1. Sign in to a skill group, then be ready for calls.
//! client
//!     .sign_in_group()
//!     .instance_id(instance)
//!     .user_id(agent)
//!     .device_id(device)
//!     .signed_skill_group_id_list(["skg-sales@ccc-test"]) // sent as the JSON text ["skg-sales@ccc-test"]
//!     .send()
//!     .await?;
//! let ready = client
//!     .ready_for_service()
//!     .instance_id(instance)
//!     .user_id(agent)
//!     .device_id(device)
//!     .send()
//!     .await?;
//! println!("Ann is {:?}", ready.data().and_then(|d| d.user_state()));
//!
//! // 2. Call a customer.
//! let call = client
//!     .make_call()
//!     .instance_id(instance)
//!     .user_id(agent)
//!     .device_id(device)
//!     .callee("13800138000")
//!     .send()
//!     .await?;
//! let job = call
//!     .data()
//!     .and_then(|d| d.call_context())
//!     .and_then(|c| c.job_id())
//!     .unwrap_or_default()
//!     .to_owned();
//!
//! // 3. Hang up.
//! client
//!     .release_call()
//!     .instance_id(instance)
//!     .user_id(agent)
//!     .device_id(device)
//!     .job_id(&job)
//!     .send()
//!     .await?;
//!
//! // 4. Read the records of today's calls, one page.
//! let records = client
//!     .list_call_detail_records()
//!     .instance_id(instance)
//!     .agent_id(agent)
//!     .page_number(1)
//!     .page_size(20)
//!     .send()
//!     .await?;
//! for r in records.data().map(|d| d.list()).unwrap_or_default() {
//!     println!(
//!         "{} to {}, started at {} ms",
//!         r.contact_id().unwrap_or_default(),
//!         r.called_number().unwrap_or_default(),
//!         r.start_time().unwrap_or_default(),
//!     );
//! }
//!
//! // 5. End of the shift.
//! client
//!     .sign_out_group()
//!     .instance_id(instance)
//!     .user_id(agent)
//!     .device_id(device)
//!     .send()
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Parameters that carry JSON
//!
//! Many parameters travel as one JSON text (a list of ids, a list of skill levels, a settings
//! object). Their setters take typed values and write the JSON themselves, byte for byte as
//! Alibaba's official SDKs do: a list setter takes any iterable and appends its items (an empty
//! one sends `[]`), a struct is built with its own setters. Each also has a `<name>_json` setter
//! taking the JSON text as the caller wrote it, sent as it is, for a shape the spec does not know;
//! of the two, the last one set is sent.
//!
//! ```
//! use ccc_sdk::operation::add_users_to_skill_group::UserSkillLevel;
//! # use ccc_sdk::{Client, Config, Credentials};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = ccc_emulator::Emulator::builder().build().start("127.0.0.1:0".parse()?).await?;
//! # let client = Client::new(Config::builder().endpoint_url(emulator.endpoint())
//! #     .credentials(Credentials::new("testid", "testsecret")).build()?)?;
//! // Sends UserSkillLevelList=[{"userId":"agent-ann@ccc-test","skillLevel":9}]
//! client
//!     .add_users_to_skill_group()
//!     .instance_id("ccc-test")
//!     .skill_group_id("skg-sales@ccc-test")
//!     .user_skill_level_list([UserSkillLevel::default()
//!         .user_id("agent-ann@ccc-test")
//!         .skill_level(9)])
//!     .send()
//!     .await?;
//! // The same parameter as JSON text written by hand.
//! client
//!     .add_users_to_skill_group()
//!     .instance_id("ccc-test")
//!     .skill_group_id("skg-sales@ccc-test")
//!     .user_skill_level_list_json(r#"[{"userId":"agent-ann@ccc-test","skillLevel":5}]"#)
//!     .send()
//!     .await?;
//! # Ok(())
//! # }
//! ```
//!
//! ## Error codes: one action's list, or one match for every action
//!
//! A call fails with an [`SdkError`] whose service error (when the service answered with one) is
//! the action's own enum, e.g.
//! [`ResetAgentStateError`](operation::reset_agent_state::ResetAgentStateError). That enum has a
//! variant for each code the action's reference lists and keeps every other code in `Unhandled`:
//! its variants are the whole of what that one action documents, so a match on it reads as the
//! action's list of failures.
//!
//! The same code can come back from actions that do not list it (GetUser answers an unknown user
//! with `NotExists.UserId` without documenting it), and there it lands in `Unhandled`. To handle
//! a code the same way wherever it comes from, match on [`ErrorCode`] instead: one enum of every
//! code the spec knows, the product-wide ones and each action's, given by `error_code()` on
//! [`SdkError`], on each action's enum and on [`ServiceError`](error::ServiceError). A code is the
//! same variant on every action; a code the spec does not know is
//! [`ErrorCode::Unknown`], which keeps its text. Reading it compares the code with the known ones
//! and copies nothing unless the code is unknown.
//!
//! ```
//! use ccc_sdk::error::ServiceError;
//! use ccc_sdk::operation::reset_agent_state::ResetAgentStateError;
//! use ccc_sdk::{ErrorCode, SdkError};
//! # use ccc_sdk::{Client, Config, Credentials};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = ccc_emulator::Emulator::builder().build().start("127.0.0.1:0".parse()?).await?;
//! # let client = Client::new(Config::builder().endpoint_url(emulator.endpoint())
//! #     .credentials(Credentials::new("testid", "testsecret")).build()?)?;
//!
//! /// One helper for every action: was the user unknown?
//! fn no_such_user<E: AsRef<ServiceError>>(err: &SdkError<E>) -> bool {
//!     err.error_code() == Some(ErrorCode::NotExistsUserId)
//! }
//!
//! let (instance, stranger) = ("ccc-test", "nobody@ccc-test");
//! let reset = client
//!     .reset_agent_state()
//!     .instance_id(instance)
//!     .device_id("ws-1")
//!     .user_id(stranger)
//!     .send()
//!     .await
//!     .unwrap_err();
//! let lookup = client
//!     .get_user()
//!     .instance_id(instance)
//!     .user_id(stranger)
//!     .send()
//!     .await
//!     .unwrap_err();
//! assert!(no_such_user(&reset) && no_such_user(&lookup));
//!
//! // The action's own enum: the codes ResetAgentState documents, each by name.
//! match reset.as_service_error() {
//!     Some(ResetAgentStateError::NotExistsUserId(e)) => println!("no such agent: {}", e.message()),
//!     Some(ResetAgentStateError::NotExistsInstanceId(_)) => println!("no such instance"),
//!     Some(other) => println!("another service error: {other}"),
//!     None => println!("no answer from the service: {reset}"),
//! }
//!
//! // A code no file of the spec lists keeps its text.
//! assert_eq!(ErrorCode::from("Some.NewCode").as_str(), "Some.NewCode");
//! assert!(matches!(ErrorCode::from("Some.NewCode"), ErrorCode::Unknown(_)));
//! # Ok(())
//! # }
//! ```
//!
//! Layout: [`operation`] holds one module per action (input, builder, output, error), generated
//! from `spec/` by `cargo xtask codegen`; [`types`] the enumerations they share. Everything
//! else (signing, credentials, endpoints, transport, retries, errors) is hand-written.
//!
#![doc = include_str!("generated/actions_by_area.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

#[doc(hidden)]
#[path = "bench_support.rs"]
pub mod __bench;
mod client;
mod codec;
pub mod config;
pub mod credentials;
mod deadline;
mod endpoint;
pub mod error;
mod failure;
mod generated;
#[cfg(feature = "test-util")]
pub mod mock;
pub mod paginator;
pub mod raw;
mod request;
mod response;
pub mod retry;
mod signing;
mod time;
mod trace;
mod transport;
pub mod waiter;

pub use client::Client;
pub use codec::MAX_DEPTH as MAX_RESPONSE_DEPTH;
pub use config::{CallOptions, Config, ConfigBuilder, ConfigError};
pub use credentials::{Credentials, ProvideCredentials};
pub use error::SdkError;
pub use generated::operation;
pub use generated::types::ErrorCode;
pub use paginator::{Items, Paginator};
pub use signing::SignatureVersion;

/// Enumerations shared by actions, and the error codes ([`ErrorCode`] is here too).
pub mod types {
    pub use crate::codec::UnknownValue;
    pub use crate::generated::types::*;
}

/// The Rust examples of the repository's README, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
