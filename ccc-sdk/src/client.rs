//! The client: one pooled connection set, and the call loop every action goes through
//! (sign → send → read → retry), shared and non-generic so that hundreds of actions stay cheap
//! to compile. The request is laid out in [`request`](crate::request), the answer read in
//! [`response`](crate::response), failures classed in [`failure`](crate::failure), waits chosen
//! in [`retry`](crate::retry), and the HTTP client built in [`transport`](crate::transport).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use crate::codec::{Decode, Params, WriteParams};
use crate::config::{CallOptions, Config, ConfigError};
use crate::credentials::Credentials;
use crate::deadline::{Deadlines, within};
use crate::error::{BuildError, CredentialsError, SdkError, ServiceError, TimeoutKind};
use crate::failure::{Failure, transport_failure};
/// The generated actions name these by this path.
pub(crate) use crate::request::{Method, Operation};
use crate::response::{self, Response, decode_success};
use crate::retry::Policy;
use crate::trace;
use crate::transport::{self, Target, Trust};
use tracing::Instrument;

/// A client of the CCC API. Cheap to clone: clones share one connection pool.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use ccc_sdk::{Client, Config, Credentials};
///
/// let config = Config::builder()
///     .region("cn-shanghai")
///     .credentials(Credentials::from_env()?)
///     .build()?;
/// let client = Client::new(config)?;
/// let out = client
///     .reset_agent_state()
///     .instance_id("ccc-test")
///     .device_id("my-device")
///     .send()
///     .await?;
/// println!("{:?}", out.data().and_then(|d| d.user_state()));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    backend: Backend,
    /// The endpoint, parsed once; each request only sets its query.
    base_url: reqwest::Url,
}

/// Where the signed requests go.
enum Backend {
    /// The network, through this HTTP client.
    Http(reqwest::Client),
    /// The rules of a mock client, which answer in the service's place.
    #[cfg(feature = "test-util")]
    Mock(Arc<crate::mock::Transport>),
}

/// The typed input of a call, which the mock transport matches and records; nothing without the
/// `test-util` feature.
#[cfg(feature = "test-util")]
type Typed<'a> = &'a dyn crate::mock::TypedInput;
#[cfg(not(feature = "test-util"))]
type Typed<'a> = std::marker::PhantomData<&'a ()>;

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client with the given configuration.
    ///
    /// A client of a plain-http loopback endpoint (the emulator) needs no certificate store;
    /// one of an https endpoint uses the operating system's, with the roots of
    /// [`ConfigBuilder::add_root_certificate`](crate::ConfigBuilder::add_root_certificate)
    /// added. With the `webpki-roots` feature, a host without a store uses Mozilla's roots,
    /// built into the binary.
    pub fn new(config: Config) -> Result<Client, ConfigError> {
        let endpoint = &config.endpoint;
        let target = Target {
            host: endpoint.host(),
            direct: endpoint.loopback,
            // A plain-http loopback endpoint needs no certificate store.
            trust: if endpoint.base.starts_with("https://") {
                Trust::Roots
            } else {
                Trust::Nothing
            },
            http2_prior_knowledge: config.http2_prior_knowledge,
            connect_timeout: config.connect_timeout,
            // The call loop keeps the read timeout, on the call's one timer (see `deadline`).
            read_timeout: None,
            total_timeout: None,
        };
        let http = transport::http_client(&config.http, &target)?;
        Client::with_backend(config, Backend::Http(http))
    }

    fn with_backend(config: Config, backend: Backend) -> Result<Client, ConfigError> {
        let base_url = reqwest::Url::parse(&config.endpoint.base)
            .map_err(|e| ConfigError::new(format!("endpoint `{}`: {e}", config.endpoint.base)))?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                backend,
                base_url,
            }),
        })
    }

    /// A client whose requests the mock transport answers: no HTTP client is built.
    #[cfg(feature = "test-util")]
    pub(crate) fn with_mock(
        config: Config,
        mock: Arc<crate::mock::Transport>,
    ) -> Result<Client, ConfigError> {
        Client::with_backend(config, Backend::Mock(mock))
    }

    /// A client configured from the environment: see [`Config::from_env`].
    pub fn from_env() -> Result<Client, ConfigError> {
        Client::new(Config::from_env()?)
    }

    /// The configuration of this client.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The body of every generated `send`: the input, once built, laid out as parameters and
    /// sent. Generic, so compiled in the crate that calls an action, once per action it calls;
    /// each action's `send` is only a call to it, and `ccc-sdk` compiles no future per action.
    pub(crate) async fn send_action<I, O, E>(
        self,
        op: &'static Operation,
        input: Result<I, BuildError>,
        options: CallOptions,
    ) -> Result<O, SdkError<E>>
    where
        I: WriteParams + Clone + fmt::Debug + Send + Sync + 'static,
        O: Decode,
        E: From<ServiceError>,
    {
        let input = input.map_err(SdkError::Build)?;
        let mut params = Params::default();
        input.write_params(&mut params);
        self.call(op, &input, params, &options).await
    }

    /// Sends an action's parameters and decodes its output or error. The typed `input` is read
    /// by the mock transport only.
    pub(crate) async fn call<I, O, E>(
        &self,
        op: &'static Operation,
        input: &I,
        params: Params<'_>,
        options: &CallOptions,
    ) -> Result<O, SdkError<E>>
    where
        I: Clone + fmt::Debug + Send + Sync + 'static,
        O: Decode,
        E: From<ServiceError>,
    {
        #[cfg(feature = "test-util")]
        let typed: Typed<'_> = input;
        #[cfg(not(feature = "test-util"))]
        let typed: Typed<'_> = {
            let _ = input;
            std::marker::PhantomData
        };
        let (response, creds, attempts, span) = self
            .invoke(op, &params, typed, options)
            .await
            .map_err(|e| e.map_service_error(E::from))?;
        decode_success(op, response).map_err(|e| {
            let mut failure = Failure::Response(e);
            failure.redact(&creds);
            let e = failure.into_sdk_error(attempts);
            trace::finish_err(&span, None, &e, Some(&creds));
            match e {
                SdkError::Response(e) => SdkError::Response(e),
                // `into_sdk_error` keeps the kind it is given.
                other => other.map_service_error(E::from),
            }
        })
    }

    /// The attempt loop, bounded by the operation timeout. Not generic: compiled once for all
    /// actions. Returns the response with the credentials that signed it and the attempt count.
    async fn invoke(
        &self,
        op: &Operation,
        params: &Params<'_>,
        typed: Typed<'_>,
        options: &CallOptions,
    ) -> Result<(Response, Credentials, u32, tracing::Span), SdkError<ServiceError>> {
        let config = &self.inner.config;
        let policy = Policy {
            retry: options.retry.as_ref().unwrap_or(&config.retry),
            attempt_timeout: options.attempt_timeout.unwrap_or(config.attempt_timeout),
            idempotent: options.idempotent.unwrap_or(op.idempotent),
        };
        let limit = options
            .operation_timeout
            .unwrap_or(config.operation_timeout);
        let span = trace::call_span(op.action, config.region.as_deref());
        // Timed only when someone listens: no clock read otherwise.
        let started = (!span.is_disabled()).then(Instant::now);
        let attempts = AtomicU32::new(0);
        let deadlines = Deadlines::new(limit, config.read_timeout);
        let outcome = self
            .attempts(op, params, typed, &policy, &attempts, &deadlines)
            .instrument(span.clone())
            .await;
        let attempts = attempts.load(Ordering::Relaxed);
        match outcome {
            Ok((response, creds)) => {
                trace::finish_ok(&span, started, attempts, &response, &creds);
                Ok((response, creds, attempts, span))
            }
            Err((failure, creds)) => {
                let e = failure.into_sdk_error(attempts);
                trace::finish_err(&span, started, &e, creds.as_ref());
                Err(e)
            }
        }
    }

    /// The attempts of one call, each bounded by its own deadline and all by the operation's
    /// (one timer keeps them all: see [`deadline`](crate::deadline)).
    async fn attempts(
        &self,
        op: &Operation,
        params: &Params<'_>,
        typed: Typed<'_>,
        policy: &Policy<'_>,
        attempts: &AtomicU32,
        deadlines: &Deadlines,
    ) -> Result<(Response, Credentials), (Failure, Option<Credentials>)> {
        let started = Instant::now();
        let mut timer = std::pin::pin!(None);
        loop {
            let n = attempts.fetch_add(1, Ordering::Relaxed) + 1;
            let creds = match within(timer.as_mut(), deadlines, self.credentials()).await {
                Ok(Ok(creds)) => creds,
                Ok(Err(e)) => return Err((Failure::Credentials(e), None)),
                Err(timeout) => return Err((timeout, None)),
            };
            deadlines.start_attempt(policy.attempt_timeout);
            let attempt = self.attempt(op, params, typed, &creds, deadlines);
            let outcome = within(timer.as_mut(), deadlines, attempt).await;
            deadlines.end_attempt();
            let mut failure = match outcome {
                Ok(Ok(r)) => return Ok((r, creds)),
                Ok(Err(f)) => f,
                // The whole call's time is up: no more attempts.
                Err(f @ Failure::Timeout(TimeoutKind::Operation, _)) => return Err((f, None)),
                Err(f) => f,
            };
            failure.redact(&creds);
            let Some(wait) = policy.next_wait(&failure, n, started) else {
                return Err((failure, Some(creds)));
            };
            trace::retry(n, &failure, wait);
            if let Err(timeout) = within(timer.as_mut(), deadlines, tokio::time::sleep(wait)).await
            {
                return Err((timeout, None));
            }
        }
    }

    /// The credentials for the next attempt, from the configured provider.
    pub(crate) async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.inner.config.credentials.provide_credentials().await
    }

    /// Signs a request afresh and lays it out for the transport: see [`request::prepare`](crate::request::prepare).
    pub(crate) fn prepare(
        &self,
        op: &Operation,
        params: &Params<'_>,
        creds: &Credentials,
    ) -> Result<reqwest::Request, Failure> {
        crate::request::prepare(&self.inner.config, &self.inner.base_url, op, params, creds)
    }

    /// One signed request and its response, read whole (within the size limit).
    #[cfg_attr(not(feature = "test-util"), expect(unused_variables))]
    async fn attempt(
        &self,
        op: &Operation,
        params: &Params<'_>,
        typed: Typed<'_>,
        creds: &Credentials,
        deadlines: &Deadlines,
    ) -> Result<Response, Failure> {
        let request = self.prepare(op, params, creds)?;
        let config = &self.inner.config;
        let response = match &self.inner.backend {
            Backend::Http(http) => http
                .execute(request)
                .await
                .map_err(|e| transport_failure(e, &response::exchange(config)))?,
            #[cfg(feature = "test-util")]
            Backend::Mock(mock) => mock.exchange(op, typed, params, request, config).await?,
        };
        deadlines.progress();
        response::read(response, config, deadlines).await
    }

    /// Asks the configured provider for credentials now, so that a service without usable
    /// credentials fails at start rather than at its first call. With the default chain this
    /// also settles which source the client uses from then on.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = ccc_sdk::Client::new(ccc_sdk::Config::builder().region("cn-shanghai").build()?)?;
    /// client.check_credentials().await?; // e.g. "no credentials found by the default chain: …"
    /// # Ok(()) }
    /// ```
    pub async fn check_credentials(&self) -> Result<(), CredentialsError> {
        self.config()
            .credentials
            .provide_credentials()
            .await
            .map(drop)
    }
}
