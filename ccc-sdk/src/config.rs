//! Client configuration: region or endpoint, credentials, signature, timeouts, retries.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{
    self, DefaultCredentialsChain, Env, ProvideCredentials, SharedCredentials,
};
use crate::endpoint::{self, Endpoint, Network};
pub use crate::error::ConfigError;
use crate::retry::RetryConfig;
use crate::signing::SignatureVersion;
use crate::transport::{self, HttpSettings, ProxyUrl, SharedHttpSettings};

/// Environment variable naming the region, read by [`Config::from_env`].
pub const ENV_REGION: &str = "ALIBABA_CLOUD_REGION_ID";
/// Environment variable holding an endpoint URL, read by [`Config::from_env`] and
/// [`endpoint_from_env`]: `https://host[:port]`, or `http://` to a loopback address (such as the
/// emulator's `http://127.0.0.1:8080`). It wins over the region's endpoint.
pub const ENV_ENDPOINT: &str = "CCC_ENDPOINT";
/// Environment variable whose value is appended to the user agent, as the official SDKs read
/// it: see [`ConfigBuilder::user_agent_suffix`].
pub const ENV_USER_AGENT: &str = "ALIBABA_CLOUD_USER_AGENT";

/// Default time to establish a connection, as in the official SDKs.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time to wait for response data, as in the official SDKs. It restarts with every
/// byte received, so it alone does not bound an attempt: [`DEFAULT_ATTEMPT_TIMEOUT`] does.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on one attempt, from connecting to the last byte of the response.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on a whole call, every attempt and wait included: with the defaults, no call
/// lasts longer than this, whatever the network or the server does.
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest response body read, in bytes (8 MiB). A 100-row page of the widest report
/// (`ListHistoricalAgentReport`, 129 values a row) is about 1 MiB of JSON.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;
/// The largest error body read: an error answer of the API is a few hundred bytes.
pub(crate) const MAX_ERROR_BODY_BYTES: usize = 64 << 10;

/// The settings of a [`Client`](crate::Client). Built with [`Config::builder`].
#[derive(Clone)]
pub struct Config {
    pub(crate) endpoint: Endpoint,
    pub(crate) region: Option<String>,
    pub(crate) credentials: SharedCredentials,
    pub(crate) signature_version: SignatureVersion,
    pub(crate) connect_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) operation_timeout: Duration,
    pub(crate) attempt_timeout: Duration,
    pub(crate) retry: RetryConfig,
    pub(crate) http2_prior_knowledge: bool,
    pub(crate) max_response_bytes: usize,
    /// Proxy, extra roots and user agent: the client's, and the credential provider's.
    pub(crate) http: Arc<HttpSettings>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("endpoint", &self.endpoint.base)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("retry", &self.retry)
            .field("http2_prior_knowledge", &self.http2_prior_knowledge)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxy", &self.http.proxy)
            .field("no_proxy", &self.http.no_proxy)
            .field("root_certificates", &self.http.root_certificates.len())
            .field("user_agent", &self.http.user_agent)
            .finish()
    }
}

impl Config {
    /// A builder with the defaults: V3 signatures, the default credentials chain, timeouts of
    /// 5 s to connect, 10 s between bytes, 30 s an attempt and 60 s a call, the standard retry
    /// policy, and responses up to 8 MiB.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// Defaults, configured from the process's environment: the endpoint from `CCC_ENDPOINT`,
    /// the region from `ALIBABA_CLOUD_REGION_ID`, credentials from the default chain
    /// ([`DefaultCredentialsChain`]). See [`Config::builder_from_env`], which reads any [`Env`]
    /// and leaves the other settings to be made.
    ///
    /// ```no_run
    /// // CCC_ENDPOINT=http://127.0.0.1:8080 (the emulator), or ALIBABA_CLOUD_REGION_ID=cn-shanghai
    /// let client = ccc_sdk::Client::new(ccc_sdk::Config::from_env()?)?;
    /// # Ok::<(), ccc_sdk::ConfigError>(())
    /// ```
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::builder_from_env(&Env::process())?.build()
    }

    /// A builder configured from `env`: the process's environment ([`Env::process`]) or a fixed
    /// set of variables ([`Env::from_vars`], for tests and applications that keep their settings
    /// elsewhere).
    ///
    /// - `CCC_ENDPOINT` ([`ENV_ENDPOINT`]): the endpoint URL, checked as
    ///   [`ConfigBuilder::endpoint_url`] checks it; a bad one is an error that names the
    ///   variable.
    /// - `ALIBABA_CLOUD_REGION_ID` ([`ENV_REGION`]): the region, whose endpoint is used when
    ///   `CCC_ENDPOINT` is unset.
    /// - Credentials: the default chain ([`DefaultCredentialsChain`]), reading `env`.
    ///
    /// A blank variable counts as unset. Setters called on the builder afterwards replace what
    /// was read (an explicit endpoint still wins over a region). With neither variable set nor an
    /// endpoint or region set in code, [`build`](ConfigBuilder::build) fails and names both
    /// variables.
    pub fn builder_from_env(env: &Env) -> Result<ConfigBuilder, ConfigError> {
        let mut b = Config::builder()
            .credentials(DefaultCredentialsChain::builder().env(env.clone()).build());
        b.from_env = true;
        if let Some(url) = endpoint_from_env(env)? {
            b = b.endpoint_url(url);
        }
        if let Some(region) = env.get(ENV_REGION) {
            b = b.region(region);
        }
        Ok(b)
    }

    /// The endpoint requests go to, e.g. `https://ccc.aliyuncs.com`.
    pub fn endpoint_url(&self) -> &str {
        &self.endpoint.base
    }

    /// The signature scheme in use.
    pub fn signature_version(&self) -> SignatureVersion {
        self.signature_version
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryConfig {
        &self.retry
    }

    /// The bound on a whole call (default 60 s).
    pub fn operation_timeout(&self) -> Duration {
        self.operation_timeout
    }

    /// The bound on one attempt (default 30 s).
    pub fn attempt_timeout(&self) -> Duration {
        self.attempt_timeout
    }

    /// The largest response body read, in bytes (default 8 MiB).
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// The region, if one was set.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The `User-Agent` every request carries: `ccc-sdk-rust/<version>`, then
    /// `ALIBABA_CLOUD_USER_AGENT`, then [`ConfigBuilder::user_agent_suffix`].
    pub fn user_agent(&self) -> &str {
        &self.http.user_agent
    }
}

/// The endpoint URL of `CCC_ENDPOINT` ([`ENV_ENDPOINT`]) in `env`, checked as
/// [`ConfigBuilder::endpoint_url`] checks it: `None` when the variable is unset or blank, an error
/// naming the variable when it holds no usable URL (a bare `host:port`, for one).
///
/// ```
/// use ccc_sdk::config::endpoint_from_env;
/// use ccc_sdk::credentials::Env;
///
/// let env = Env::from_vars([("CCC_ENDPOINT", "http://127.0.0.1:8080")]);
/// assert_eq!(endpoint_from_env(&env)?.as_deref(), Some("http://127.0.0.1:8080"));
/// assert_eq!(endpoint_from_env(&Env::from_vars([("CCC_ENDPOINT", " ")]))?, None);
/// let bare = Env::from_vars([("CCC_ENDPOINT", "127.0.0.1:8080")]);
/// assert!(endpoint_from_env(&bare).unwrap_err().to_string().contains("`http://127.0.0.1:8080`"));
/// # Ok::<(), ccc_sdk::ConfigError>(())
/// ```
pub fn endpoint_from_env(env: &Env) -> Result<Option<String>, ConfigError> {
    let Some(url) = env.get(ENV_ENDPOINT) else {
        return Ok(None);
    };
    endpoint::check_env_url(&url, ENV_ENDPOINT)?;
    Ok(Some(url))
}

/// Builder of [`Config`].
#[derive(Clone, Default)]
pub struct ConfigBuilder {
    /// Made by [`Config::builder_from_env`]: errors name the variables.
    from_env: bool,
    endpoint: Option<String>,
    region: Option<String>,
    credentials: Option<SharedCredentials>,
    /// The network the provider's HTTP clients are built from, when it is one of this crate's.
    credentials_network: Option<SharedHttpSettings>,
    signature_version: SignatureVersion,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    operation_timeout: Option<Duration>,
    attempt_timeout: Option<Duration>,
    retry: Option<RetryConfig>,
    http2_prior_knowledge: bool,
    max_response_bytes: Option<usize>,
    network: Option<String>,
    allow_unknown_region: bool,
    proxy: Option<String>,
    no_proxy: Option<String>,
    root_certificates: Vec<Vec<u8>>,
    user_agent_suffix: Option<String>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("signature_version", &self.signature_version)
            .field("network", &self.network)
            .field(
                "proxy",
                &self
                    .proxy
                    .as_deref()
                    .map(|p| ProxyUrl::parse(p, "ConfigBuilder::proxy")),
            )
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// The region, e.g. `cn-shanghai`; picks the endpoint when none is set explicitly.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// An explicit endpoint URL, `https://host[:port]`, or `http://host[:port]` to a loopback
    /// address (127.0.0.0/8, `::1`, `localhost`: the emulator, a local test double); overrides
    /// the region's endpoint. [`build`](Self::build) refuses a URL without its scheme (a bare
    /// `127.0.0.1:8080`: the error shows both `http://` and `https://` forms), a path, query or
    /// user, an empty or malformed host, and a port outside 1 to 65535.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Fixed credentials, or any [`ProvideCredentials`]; the default is
    /// [`DefaultCredentialsChain`].
    ///
    /// A provider of this crate that makes HTTP requests (the default chain, the profile
    /// providers, STS role assumption, the ECS RAM role, a credentials URI), given here as it is
    /// or in an `Arc`, makes them as the client does: through [`proxy`](Self::proxy) (or the
    /// environment's), trusting [`add_root_certificate`](Self::add_root_certificate)'s roots,
    /// with this configuration's user agent. So do the providers a chain or a profile builds. A
    /// provider given to several configurations takes the first one's settings; one that made a
    /// request before it was given here keeps the environment's.
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials_network = credentials::network_of(&provider);
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// V3 (the default) or V1.
    pub fn signature_version(mut self, v: SignatureVersion) -> Self {
        self.signature_version = v;
        self
    }

    /// Time to establish a connection (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Time to wait for response data (default 10 s).
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = Some(d);
        self
    }

    /// Bound on a whole call, retries and backoff included (default 60 s). With it, a call
    /// ends within this time whatever the network or the server does.
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.operation_timeout = Some(d);
        self
    }

    /// Bound on each attempt, from connecting to the last byte of the response (default 30 s).
    /// Unlike the read timeout, it does not restart when a byte arrives, so a server that
    /// drips its answer cannot hold a call.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }

    /// The largest response body the client reads, in bytes (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 8 MiB). A response whose `Content-Length` exceeds it
    /// is refused before its body is read; one without stops being read once it passes the
    /// limit. Either way the call fails with a response error naming the limit, and is not
    /// retried. Error answers (HTTP 4xx and 5xx) are read up to 64 KiB at most.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// The retry policy (default [`RetryConfig::standard`]).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Speak HTTP/2 from the first byte, without negotiating it (h2c "prior knowledge"), for
    /// cleartext endpoints that serve it, such as `ccc-emulator`: all calls then share one
    /// connection. Meant for `http://` endpoints: over `https://`, HTTP/2 is negotiated during
    /// the TLS handshake whenever the endpoint offers it, so leave this off there. Off by
    /// default: an endpoint that only speaks HTTP/1.1 refuses such connections.
    pub fn http2_prior_knowledge(mut self, on: bool) -> Self {
        self.http2_prior_knowledge = on;
        self
    }

    /// The network the service is reached over: `"public"` (the default) or `"vpc"`, where a
    /// region's endpoint is `ccc-vpc.<region>.aliyuncs.com`, as the official SDKs' endpoint
    /// rule has it. An explicit [`endpoint_url`](Self::endpoint_url) overrides it.
    pub fn network(mut self, network: impl Into<String>) -> Self {
        self.network = Some(network.into());
        self
    }

    /// Takes a region this SDK knows no endpoint for at `ccc.<region>.aliyuncs.com` (or its VPC
    /// host) instead of refusing it. Off by default: a mistyped region is an error that lists
    /// the known ones, rather than a host that does not exist.
    pub fn allow_unknown_region(mut self, allow: bool) -> Self {
        self.allow_unknown_region = allow;
        self
    }

    /// Sends requests through this proxy: `http://[user:password@]host:port` (`https://` for a
    /// proxy spoken to over TLS). A user and password in the URL are sent to the proxy as basic
    /// credentials and never shown (`Debug` and errors print the host alone). Without it, the
    /// proxy is read from `HTTPS_PROXY` (then `https_proxy`, `ALL_PROXY`, `all_proxy`). A
    /// loopback endpoint is never reached through a proxy.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// Hosts reached without the proxy, as a `NO_PROXY` list: comma-separated host names (which
    /// cover their subdomains; a leading `.` or `*.` is the same), IP addresses, IP ranges such
    /// as `10.0.0.0/8`, or `*` for all. Without it, `NO_PROXY` (then `no_proxy`) is read.
    pub fn no_proxy(mut self, list: impl Into<String>) -> Self {
        self.no_proxy = Some(list.into());
        self
    }

    /// Trusts the certificates of this PEM text (one or more `BEGIN CERTIFICATE` blocks) as
    /// roots, besides the operating system's: for an endpoint or proxy behind a private CA. Can
    /// be called more than once. A text without a certificate fails [`build`](Self::build).
    pub fn add_root_certificate(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.root_certificates.push(pem.as_ref().to_vec());
        self
    }

    /// Text appended, after a space, to the `User-Agent` of every request
    /// (`ccc-sdk-rust/<version>`, then `ALIBABA_CLOUD_USER_AGENT` when set, then this), so that
    /// the service's logs can tell one application from another.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Whether credentials and a place to send to (endpoint or region) were set: the mock client
    /// fills in what was not.
    #[cfg(feature = "test-util")]
    pub(crate) fn has_credentials_and_target(&self) -> (bool, bool) {
        (
            self.credentials.is_some(),
            self.endpoint.is_some() || self.region.is_some(),
        )
    }

    /// Checks the settings and resolves the endpoint. Reads `HTTPS_PROXY`, `NO_PROXY` and
    /// `ALIBABA_CLOUD_USER_AGENT` (and their variants) for what was not set in code.
    pub fn build(self) -> Result<Config, ConfigError> {
        if self.from_env && self.endpoint.is_none() && self.region.is_none() {
            return Err(ConfigError::new(format!(
                "no endpoint and no region: set {ENV_ENDPOINT} (e.g. http://127.0.0.1:8080) or \
                 {ENV_REGION} (e.g. cn-shanghai)"
            )));
        }
        let endpoint = endpoint::resolve(endpoint::Rule {
            explicit: self.endpoint.as_deref(),
            region: self.region.as_deref(),
            network: Network::parse(self.network.as_deref().unwrap_or_default())?,
            allow_unknown_region: self.allow_unknown_region,
        })?;
        let proxy = match self.proxy {
            Some(url) => Some(ProxyUrl::parse(&url, "ConfigBuilder::proxy")?),
            None => transport::env_proxy()?,
        };
        let no_proxy = self.no_proxy.or_else(transport::env_no_proxy);
        let mut root_certificates = Vec::new();
        for pem in &self.root_certificates {
            root_certificates.extend(transport::parse_pem_certificates(pem)?);
        }
        let mut user_agent = transport::BASE_USER_AGENT.to_string();
        let env_suffix = transport::env_var(&[ENV_USER_AGENT]).map(|(_, v)| v);
        for suffix in [env_suffix.as_deref(), self.user_agent_suffix.as_deref()]
            .into_iter()
            .flatten()
        {
            let suffix = suffix.trim();
            if suffix.is_empty() {
                continue;
            }
            if !suffix.bytes().all(|b| (b' '..=b'~').contains(&b)) {
                return Err(ConfigError::new(
                    "user agent suffix: only visible ASCII characters and spaces are allowed",
                ));
            }
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let network = Arc::new(HttpSettings {
            proxy,
            no_proxy,
            root_certificates,
            user_agent,
        });
        let credentials = match self.credentials {
            Some(provider) => {
                if let Some(slot) = &self.credentials_network {
                    slot.adopt(network.clone());
                }
                provider
            }
            None => {
                let chain = DefaultCredentialsChain::default();
                chain.network().adopt(network.clone());
                Arc::new(chain)
            }
        };
        Ok(Config {
            endpoint,
            region: self.region,
            credentials,
            signature_version: self.signature_version,
            connect_timeout: self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT),
            operation_timeout: self.operation_timeout.unwrap_or(DEFAULT_OPERATION_TIMEOUT),
            attempt_timeout: self.attempt_timeout.unwrap_or(DEFAULT_ATTEMPT_TIMEOUT),
            retry: self.retry.unwrap_or_default(),
            http2_prior_knowledge: self.http2_prior_knowledge,
            max_response_bytes: self
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            http: network,
        })
    }
}

/// Settings for one call, over the client's: see the `options` method of every fluent builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) retry: Option<RetryConfig>,
    pub(crate) idempotent: Option<bool>,
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bound on this whole call, retries included.
    pub fn operation_timeout(mut self, d: Duration) -> Self {
        self.operation_timeout = Some(d);
        self
    }

    /// Bound on each attempt of this call.
    pub fn attempt_timeout(mut self, d: Duration) -> Self {
        self.attempt_timeout = Some(d);
        self
    }

    /// The retry policy of this call.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Whether this call is safe to repeat, over what the action's spec says.
    ///
    /// An action that places a call or changes data (`MakeCall`, `BlindTransfer`, …) is retried
    /// only when its request provably did not reach the service: sent twice, it could act twice.
    /// `idempotent(true)` lets this call be retried after a timeout, a lost connection or a
    /// cut-off response too, for a caller who knows that a repeat is harmless (it deduplicates,
    /// or the action sets a state it can set again). `idempotent(false)` keeps a read-only
    /// action from being retried when unsure.
    pub fn idempotent(mut self, safe_to_repeat: bool) -> Self {
        self.idempotent = Some(safe_to_repeat);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET};

    fn from(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::builder_from_env(&Env::from_vars(vars.iter().copied()))?.build()
    }

    #[test]
    fn the_endpoint_comes_from_ccc_endpoint_and_wins_over_the_region() {
        let c = from(&[(ENV_ENDPOINT, " http://127.0.0.1:38699 ")]).unwrap();
        assert_eq!(c.endpoint_url(), "http://127.0.0.1:38699");
        assert_eq!(c.region(), None);
        let c = from(&[
            (ENV_ENDPOINT, "https://ccc.example.com:8443"),
            (ENV_REGION, "cn-shanghai"),
        ])
        .unwrap();
        assert_eq!(c.endpoint_url(), "https://ccc.example.com:8443");
        assert_eq!(c.region(), Some("cn-shanghai"));
        let c = from(&[(ENV_ENDPOINT, "  "), (ENV_REGION, "cn-shanghai")]).unwrap();
        assert_eq!(c.endpoint_url(), "https://ccc.cn-shanghai.aliyuncs.com");
    }

    #[test]
    fn a_provider_of_this_crate_takes_the_network_of_the_first_config_it_is_given_to() {
        use crate::credentials::CredentialsUriProvider;
        let network = |p: &dyn std::any::Any| credentials::network_of(p).unwrap().get().unwrap();
        let build = |b: ConfigBuilder, suffix: &str| {
            b.endpoint_url("https://ccc.example.com")
                .proxy("http://proxy.example:3128")
                .user_agent_suffix(suffix)
                .build()
                .unwrap()
        };
        let uri = || CredentialsUriProvider::new("https://creds.example.com/c").unwrap();
        // As it is, in an `Arc`, and inside the default chain.
        let given = Arc::new(uri());
        build(Config::builder().credentials(given.clone()), "first/1");
        build(Config::builder().credentials(given.clone()), "second/2");
        let seen = network(&given);
        assert!(seen.user_agent.ends_with(" first/1"), "{seen:?}");
        assert!(
            format!("{seen:?}").contains("proxy.example:3128"),
            "{seen:?}"
        );
        let chain = DefaultCredentialsChain::default();
        let seen = chain.network().clone();
        build(Config::builder().credentials(chain), "chain/3");
        assert!(seen.get().unwrap().user_agent.ends_with(" chain/3"));
        // Fixed keys make no request: nothing to share.
        assert!(credentials::network_of(&crate::Credentials::new("a", "b")).is_none());
        // Given to no configuration, a provider reads the environment alone.
        let alone = uri();
        assert!(network(&alone).user_agent.starts_with("ccc-sdk-rust/"));
        assert!(!network(&alone).user_agent.contains(' '));
    }

    #[test]
    fn settings_made_in_code_replace_the_environment() {
        let env = Env::from_vars([
            (ENV_ENDPOINT, "http://127.0.0.1:1"),
            (ENV_REGION, "cn-beijing"),
        ]);
        let c = Config::builder_from_env(&env)
            .unwrap()
            .endpoint_url("http://localhost:2")
            .region("cn-shanghai")
            .build()
            .unwrap();
        assert_eq!(c.endpoint_url(), "http://localhost:2");
        assert_eq!(c.region(), Some("cn-shanghai"));
    }

    #[test]
    fn a_bad_ccc_endpoint_is_refused_naming_the_variable() {
        let err = from(&[(ENV_ENDPOINT, "127.0.0.1:38699")])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid configuration: CCC_ENDPOINT `127.0.0.1:38699`: no scheme; write \
             `http://127.0.0.1:38699` for plain http or `https://127.0.0.1:38699` for TLS"
        );
        for bad in [
            "http://ccc.aliyuncs.com",
            "https://",
            "https://host/path",
            "ftp://h",
        ] {
            let err = endpoint_from_env(&Env::from_vars([(ENV_ENDPOINT, bad)]))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with("invalid configuration: CCC_ENDPOINT `"),
                "{bad}: {err}"
            );
        }
        // The region does not hide a bad endpoint.
        assert!(from(&[(ENV_ENDPOINT, "localhost:1"), (ENV_REGION, "cn-shanghai")]).is_err());
    }

    #[test]
    fn without_endpoint_or_region_both_variables_are_named() {
        let err = from(&[]).unwrap_err().to_string();
        assert!(
            err.contains("set CCC_ENDPOINT") && err.contains("or ALIBABA_CLOUD_REGION_ID"),
            "{err}"
        );
        // Set in code, they need no variable.
        let c = Config::builder_from_env(&Env::from_vars([("UNRELATED", "x")]))
            .unwrap()
            .region("cn-shanghai")
            .build()
            .unwrap();
        assert_eq!(c.region(), Some("cn-shanghai"));
    }

    #[tokio::test]
    async fn credentials_come_from_the_same_environment() {
        let c = from(&[
            (ENV_ENDPOINT, "http://127.0.0.1:1"),
            (ENV_ACCESS_KEY_ID, "id-from-env"),
            (ENV_ACCESS_KEY_SECRET, "secret-from-env"),
            ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"),
            ("HOME", "/nonexistent"),
        ])
        .unwrap();
        let creds = c.credentials.provide_credentials().await.unwrap();
        assert_eq!(creds.access_key_id(), "id-from-env");
        assert_eq!(creds.access_key_secret(), "secret-from-env");
    }
}
