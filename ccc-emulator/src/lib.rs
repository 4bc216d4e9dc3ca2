//! A local emulator of the Alibaba Cloud Contact Center (CCC) API, version 2020-07-01.
//!
//! It listens on loopback, checks request signatures (V3 `ACS3-HMAC-SHA256` and V1 `HMAC-SHA1`)
//! the way the real service does, answers every action of the spec the SDK is generated from, and
//! injects faults on demand. Behind the API it keeps one consistent contact centre, seeded from a
//! [`Scenario`]: users and their agent states, skill groups, numbers, calls and their records, on
//! a virtual clock ([`Emulator::modelled_actions`] lists the actions it models). A control API
//! under `/_emulator/` drives it from any language. On the same port it stands in for the
//! services that issue temporary credentials (STS, the ECS metadata server, a credentials URI):
//! see [`Identity`]. It lets the SDK and its users run end to end without a cloud account.
//!
//! In a test (any tokio runtime):
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use ccc_emulator::{Emulator, Fault, UserState, SEED_INSTANCE, SEED_USER};
//!
//! let emulator = Emulator::builder().access_key("testid", "testsecret").build();
//! let running = emulator.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
//! let endpoint = running.endpoint(); // "http://127.0.0.1:<port>": give it to the client
//!
//! // Seed state, and throttle the next two ResetAgentState calls.
//! running.state().set_agent_state(SEED_INSTANCE, SEED_USER, UserState::Break);
//! running.faults().inject(Fault::throttling().for_action("ResetAgentState").times(2));
//!
//! // ... call the API at `endpoint`; then check what the client did:
//! assert_eq!(running.requests("ResetAgentState"), 0);
//! running.shutdown().await;
//! # });
//! ```
//!
//! From synchronous code, [`Emulator::start_blocking`] serves from a thread of its own:
//!
//! ```
//! let running = ccc_emulator::Emulator::default()
//!     .start_blocking("127.0.0.1:0".parse().unwrap())
//!     .unwrap();
//! println!("{}", running.endpoint());
//! running.shutdown();
//! ```

#![warn(missing_docs)]

mod agent;
mod auth;
mod catalog;
mod control;
mod encoding;
mod exchange;
mod faults;
mod format;
mod handlers;
mod limits;
mod listing;
mod metadata;
mod respond;
mod scenario;
mod server;
mod service;
mod signing;
mod state;
mod sts;
mod util;
mod world;

/// `spec/product.json` and every `spec/actions/*.json`, bundled into this crate by
/// `cargo xtask codegen` (and compared by `--check`), so that the packaged crate has them too.
const EMBEDDED_SPEC: &str = include_str!("../spec.json");

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

pub use agent::{Agent, SEED_EXTENSION, SEED_INSTANCE, SEED_USER, UserState, WorkMode};
pub use ccc_spec::Spec;
pub use faults::{DEFAULT_FAULT_SEED, Fault, FaultId, FaultKind, Faults};
pub use limits::Limits;
pub use listing::DEFAULT_LISTING_ROWS;
pub use metadata::{ROLES_PATH as METADATA_ROLES_PATH, TOKEN_PATH as METADATA_TOKEN_PATH};
pub use scenario::{Scenario, ScenarioError};
pub use state::State;
pub use sts::{CREDENTIALS_URI_PATH, DEFAULT_ECS_ROLE, Identity, IssuedCredentials, STS_VERSION};
pub use util::format_timestamp;

use auth::Credential;
use service::Shared;

/// The access key id the emulator accepts unless told otherwise.
pub const DEFAULT_ACCESS_KEY_ID: &str = "testid";
/// The secret of [`DEFAULT_ACCESS_KEY_ID`].
pub const DEFAULT_ACCESS_KEY_SECRET: &str = "testsecret";

/// The spec compiled into this crate: `spec/product.json` and every `spec/actions/*.json` of the
/// repository it was built from (without `spec/docs/`, which only the SDK's rustdoc needs).
pub fn embedded_spec() -> Result<Spec, ccc_spec::SpecErrors> {
    ccc_spec::load_bundle(EMBEDDED_SPEC)
}

/// The embedded spec, parsed once per process.
fn shared_embedded_spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| match embedded_spec() {
        Ok(spec) => spec,
        // The same files pass the spec's own validation in CI, and a unit test of this crate loads
        // them, so this is a broken build rather than a bad input.
        Err(errors) => panic!("the spec embedded in ccc-emulator is invalid:\n{errors}"),
    })
}

/// Configures an [`Emulator`].
#[derive(Default)]
pub struct EmulatorBuilder {
    credentials: Vec<Credential>,
    spec: Option<Spec>,
    state: Option<State>,
    fault_seed: Option<u64>,
    limits: Limits,
    listing_rows: Option<usize>,
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("credentials", &self.credentials)
            .field("actions", &self.spec.as_ref().map(|s| s.actions.len()))
            .field("fault_seed", &self.fault_seed)
            .field("limits", &self.limits)
            .field("listing_rows", &self.listing_rows)
            .finish_non_exhaustive()
    }
}

impl EmulatorBuilder {
    /// Accepts this access key. Without any [`access_key`](Self::access_key) or
    /// [`sts_credentials`](Self::sts_credentials) call the emulator accepts
    /// [`DEFAULT_ACCESS_KEY_ID`] / [`DEFAULT_ACCESS_KEY_SECRET`]. May be called several times.
    pub fn access_key(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.credentials.push(Credential {
            id: id.into(),
            secret: secret.into(),
            token: None,
        });
        self
    }

    /// Accepts these STS credentials: requests signed with `id` must carry `security_token`.
    pub fn sts_credentials(
        mut self,
        id: impl Into<String>,
        secret: impl Into<String>,
        security_token: impl Into<String>,
    ) -> Self {
        self.credentials.push(Credential {
            id: id.into(),
            secret: secret.into(),
            token: Some(security_token.into()),
        });
        self
    }

    /// Serves this spec instead of the embedded one (for tests with fixture actions).
    pub fn spec(mut self, spec: Spec) -> Self {
        self.spec = Some(spec);
        self
    }

    /// Starts from this scenario (a contact centre described in JSON or TOML) instead of the
    /// built-in one; [`State::reset`] goes back to it.
    pub fn scenario(mut self, scenario: Scenario) -> Self {
        self.state = Some(State::from_scenario(scenario));
        self
    }

    /// Starts from this state instead of [`State::seeded`]; the handle stays connected.
    pub fn state(mut self, state: State) -> Self {
        self.state = Some(state);
        self
    }

    /// Seeds the RNG behind [`Fault::rate`] (default [`DEFAULT_FAULT_SEED`]).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = Some(seed);
        self
    }

    /// How many rows the listing of an action that pages, but that the world does not model,
    /// holds (default [`DEFAULT_LISTING_ROWS`], more than one page of 100). Each row is a copy
    /// of the first item of the action's example, numbered in its id-like field where it has
    /// one; pages are served as `PageNumber` and `PageSize` (or `NextPageToken`) ask. At most
    /// 2,147,483,647 (`TotalCount` is a 32-bit integer); 0 makes every such listing empty.
    pub fn listing_rows(mut self, rows: usize) -> Self {
        self.listing_rows = Some(rows);
        self
    }

    /// Replaces every limit at once; the methods below change one.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// See [`Limits::idle_timeout`].
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.idle_timeout = timeout;
        self
    }

    /// See [`Limits::http2_idle_timeout`].
    pub fn http2_idle_timeout(mut self, timeout: Duration) -> Self {
        self.limits.http2_idle_timeout = timeout;
        self
    }

    /// See [`Limits::header_read_timeout`].
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// See [`Limits::body_read_timeout`].
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_read_timeout = timeout;
        self
    }

    /// See [`Limits::max_connections`] (at least 1).
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// See [`Limits::max_body_bytes`].
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// See [`Limits::max_body_bytes_in_flight`].
    pub fn max_body_bytes_in_flight(mut self, bytes: usize) -> Self {
        self.limits.max_body_bytes_in_flight = bytes;
        self
    }

    /// Builds the emulator; it does not listen until [`Emulator::start`].
    pub fn build(self) -> Emulator {
        let mut credentials = self.credentials;
        if credentials.is_empty() {
            credentials.push(Credential {
                id: DEFAULT_ACCESS_KEY_ID.to_owned(),
                secret: DEFAULT_ACCESS_KEY_SECRET.to_owned(),
                token: None,
            });
        }
        let spec = match &self.spec {
            Some(spec) => spec,
            None => shared_embedded_spec(),
        };
        let shared = Shared::new(
            spec,
            credentials,
            self.state.unwrap_or_default(),
            Faults::new(self.fault_seed.unwrap_or(DEFAULT_FAULT_SEED)),
            self.limits,
            self.listing_rows
                .unwrap_or(DEFAULT_LISTING_ROWS)
                .min(listing::MAX_LISTING_ROWS),
        );
        Emulator {
            shared: Arc::new(shared),
        }
    }
}

/// The emulator: its spec, credentials, state and faults. Cheap to clone; clones share everything,
/// so a test can keep one while another serves.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("version", &self.shared.catalog.version)
            .field("actions", &self.shared.catalog.actions.len())
            .field("keys", self.shared.auth.keys())
            .finish_non_exhaustive()
    }
}

impl Default for Emulator {
    fn default() -> Self {
        Emulator::builder().build()
    }
}

impl Emulator {
    /// A builder with the defaults: the embedded spec, key `testid`/`testsecret`, the built-in
    /// scenario, and [`Limits::for_this_process`].
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            limits: Limits::for_this_process(),
            ..EmulatorBuilder::default()
        }
    }

    /// The modelled state (instances, agents), to seed or inspect.
    pub fn state(&self) -> &State {
        &self.shared.state
    }

    /// The injected faults.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// STS, the ECS metadata server and the credentials URI served beside CCC: their call
    /// counters, and settings to shorten lifetimes or make them fail.
    pub fn identity(&self) -> &Identity {
        &self.shared.identity
    }

    /// How many requests named `action` (wire name), counting every attempt that reached the
    /// emulator, including ones refused for their signature or by a fault.
    pub fn requests(&self, action: &str) -> u64 {
        self.shared.requests(action)
    }

    /// How many requests arrived over HTTP/2 (cleartext, with prior knowledge), of any action.
    pub fn http2_requests(&self) -> u64 {
        self.shared
            .http2_requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every action that received requests, with its count.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.shared.request_counts().into_iter().collect()
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// Connections answered `503` and closed because [`Limits::max_connections`] were open.
    pub fn refused_connections(&self) -> u64 {
        self.shared
            .refused_connections
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Bytes reserved now for request bodies being read (bounded by
    /// [`Limits::max_body_bytes_in_flight`]).
    pub fn body_bytes_in_flight(&self) -> usize {
        self.shared.body_budget.used()
    }

    /// Sets every request count back to zero.
    pub fn reset_request_counts(&self) {
        self.shared.reset_request_counts();
    }

    /// The API version served, e.g. `2020-07-01`.
    pub fn version(&self) -> &str {
        &self.shared.catalog.version
    }

    /// Wire names of the actions answered by the world model (the others answer from the spec's
    /// examples, those that page with a listing of [`listing_rows`](Self::listing_rows) rows),
    /// sorted.
    pub fn modelled_actions(&self) -> Vec<&'static str> {
        let served: std::collections::HashSet<&str> = self.actions().collect();
        handlers::modelled()
            .into_iter()
            .filter(|a| served.contains(a))
            .collect()
    }

    /// How many rows the listing of an unmodelled action that pages holds (see
    /// [`EmulatorBuilder::listing_rows`]).
    pub fn listing_rows(&self) -> usize {
        self.shared.listing_rows
    }

    /// Wire names of the actions served, sorted.
    pub fn actions(&self) -> impl Iterator<Item = &str> {
        self.shared.catalog.actions.iter().map(|a| a.name.as_str())
    }

    /// Listens on `addr` (port 0 picks a free port) and serves on the current tokio runtime until
    /// [`RunningEmulator::shutdown`] or drop.
    pub async fn start(&self, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&self.shared), stopped));
        Ok(RunningEmulator {
            emulator: self.clone(),
            addr,
            stop,
            task: Some(task),
        })
    }

    /// Like [`start`](Self::start), for code without a runtime: serves from a thread of its own
    /// with its own multi-threaded tokio runtime.
    pub fn start_blocking(&self, addr: SocketAddr) -> std::io::Result<BlockingEmulator> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("ccc-emulator")
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(addr))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::clone(&self.shared);
        let thread = std::thread::Builder::new()
            .name("ccc-emulator".to_owned())
            .spawn(move || runtime.block_on(server::serve(listener, shared, stopped)))?;
        Ok(BlockingEmulator {
            emulator: self.clone(),
            addr,
            stop,
            thread: Some(thread),
        })
    }
}

/// The accessors both serving handles share: where they listen and what they serve.
macro_rules! serving_accessors {
    ($handle:ty) => {
        impl $handle {
            /// The address listened on.
            pub fn addr(&self) -> SocketAddr {
                self.addr
            }

            /// The endpoint to give a client, e.g. `http://127.0.0.1:49152`.
            pub fn endpoint(&self) -> String {
                format!("http://{}", self.addr)
            }

            /// The emulator served.
            pub fn emulator(&self) -> &Emulator {
                &self.emulator
            }

            /// Shorthand for [`Emulator::state`].
            pub fn state(&self) -> &State {
                self.emulator.state()
            }

            /// Shorthand for [`Emulator::faults`].
            pub fn faults(&self) -> &Faults {
                self.emulator.faults()
            }

            /// Shorthand for [`Emulator::requests`].
            pub fn requests(&self, action: &str) -> u64 {
                self.emulator.requests(action)
            }

            /// Shorthand for [`Emulator::identity`].
            pub fn identity(&self) -> &Identity {
                self.emulator.identity()
            }
        }
    };
}

serving_accessors!(RunningEmulator);
serving_accessors!(BlockingEmulator);

/// An emulator serving on a tokio runtime. Dropping it stops the server too, without waiting.
#[derive(Debug)]
pub struct RunningEmulator {
    emulator: Emulator,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningEmulator {
    /// Stops accepting, lets requests in flight finish (for up to two seconds), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// An emulator serving from its own thread and runtime. Dropping it stops the server and waits.
#[derive(Debug)]
pub struct BlockingEmulator {
    emulator: Emulator,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BlockingEmulator {
    /// Stops the server and waits for its thread.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for BlockingEmulator {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

/// The crate README's example, run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_spec_loads_and_serves_every_action() {
        let spec = embedded_spec().unwrap_or_else(|e| panic!("{e}"));
        assert!(spec.action("ResetAgentState").is_some());
        let emulator = Emulator::default();
        assert_eq!(emulator.version(), spec.product.version);
        assert_eq!(emulator.actions().count(), spec.actions.len());
    }

    #[test]
    fn debug_hides_secrets() {
        let builder =
            Emulator::builder().sts_credentials("STS.id", "sts-secret-value", "token-value");
        let text = format!("{builder:?}");
        assert!(text.contains("STS.id"));
        assert!(
            !text.contains("sts-secret-value") && !text.contains("token-value"),
            "{text}"
        );
        let text = format!("{:?}", builder.build());
        assert!(
            !text.contains("sts-secret-value") && !text.contains("token-value"),
            "{text}"
        );
    }
}
