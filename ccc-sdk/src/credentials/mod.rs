//! Credentials: an AccessKey pair, optionally with an STS security token, and the providers that
//! find them where CCC users run: the environment, ACK RRSA (OIDC), RAM role assumption, the
//! `aliyun` CLI's profiles, the credentials file, the ECS instance RAM role and a credentials URI.
//!
//! [`DefaultCredentialsChain`] tries them in the order Alibaba Cloud's official credential
//! libraries use. Temporary credentials are cached and refreshed before they expire, one refresh
//! at a time however many calls wait.
//!
//! Secrets never appear in `Debug`, `Display` or errors; the access key id is shown masked.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use crate::time;
use crate::transport::SharedHttpSettings;

mod cache;
mod chain;
mod cli;
mod ecs;
mod env;
mod http;
mod ini;
mod oidc;
mod profile;
mod ram_role;
mod sts;
mod uri;

pub use chain::{DefaultCredentialsChain, DefaultCredentialsChainBuilder};
pub use cli::CliProfileProvider;
pub use ecs::{EcsRamRoleProvider, EcsRamRoleProviderBuilder};
pub use env::{Env, EnvironmentProvider};
pub use ini::ProfileFileProvider;
pub use oidc::{OidcRoleArnProvider, OidcRoleArnProviderBuilder};
pub use ram_role::{RamRoleArnProvider, RamRoleArnProviderBuilder};
pub use sts::StsEndpoint;
pub use uri::CredentialsUriProvider;

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the profile, of the credentials file and of the CLI's config.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable naming the credentials file.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
/// Environment variable naming the CLI's config file (default `~/.aliyun/config.json`).
pub const ENV_CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// Set to `true` to leave the CLI's profiles out of the default chain.
pub const ENV_CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// Environment variable holding the ARN of the RAM role to assume (OIDC).
pub const ENV_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// Environment variable holding the ARN of the OIDC identity provider.
pub const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// Environment variable naming the file that holds the OIDC token (ACK RRSA mounts it).
pub const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// Environment variable holding the session name of an assumed role.
pub const ENV_ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// Environment variable holding the STS endpoint: a host name (HTTPS) or a full URL.
pub const ENV_STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// Environment variable holding the region whose STS endpoint to use.
pub const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// Set to `true` to use the region's VPC STS endpoint (`sts-vpc.<region>.aliyuncs.com`).
pub const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// Environment variable naming the ECS instance's RAM role (discovered when unset).
pub const ENV_ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// Set to `true` to leave the ECS instance RAM role out of the default chain.
pub const ENV_ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// Set to `true` to refuse the metadata server's token-less (v1) mode.
pub const ENV_IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// Environment variable holding the metadata server's URL (tests and private deployments).
pub const ENV_ECS_METADATA_ENDPOINT: &str = "CCC_ECS_METADATA_ENDPOINT";
/// Environment variable holding a URL that serves credentials as JSON.
pub const ENV_CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(s: impl Into<String>) -> Self {
        Secret(Arc::from(s.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"** redacted **\"")
    }
}

/// An AccessKey pair, with an STS security token and an expiration when the keys are temporary.
///
/// Cloning is cheap (reference counts, no copies): every request takes the current credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: Arc<str>,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    expiration: Option<SystemTime>,
}

impl Credentials {
    /// Long-term AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: Arc::from(access_key_id.into()),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
            expiration: None,
        }
    }

    /// Adds an STS security token (temporary credentials).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    /// Sets when these credentials stop working; providers refresh them before then.
    pub fn with_expiration(mut self, expiration: SystemTime) -> Self {
        self.expiration = Some(expiration);
        self
    }

    /// The AccessKey id.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(crate) fn access_key_secret(&self) -> &str {
        self.access_key_secret.expose()
    }

    pub(crate) fn security_token(&self) -> Option<&str> {
        self.security_token.as_ref().map(Secret::expose)
    }

    /// Whether these are temporary (STS) credentials.
    pub fn has_security_token(&self) -> bool {
        self.security_token.is_some()
    }

    /// When these credentials stop working, if they are temporary and the source said.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.expiration
    }
}

/// The id with all but its first and last three characters hidden.
pub(crate) fn mask(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}***{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Credentials");
        d.field("access_key_id", &mask(&self.access_key_id))
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token);
        if let Some(at) = self.expiration {
            d.field("expiration", &time::format(at));
        }
        d.finish()
    }
}

impl crate::signing::Keys for Credentials {
    fn access_key_id(&self) -> &str {
        Credentials::access_key_id(self)
    }

    fn access_key_secret(&self) -> &str {
        Credentials::access_key_secret(self)
    }

    fn security_token(&self) -> Option<&str> {
        Credentials::security_token(self)
    }
}

type Outcome = Result<Credentials, CredentialsError>;

/// The future a [`ProvideCredentials`] returns: ready at once when the credentials are at hand
/// (no allocation), boxed when they must be fetched.
pub struct ProvideFuture<'a> {
    inner: FutureInner<'a>,
}

enum FutureInner<'a> {
    Ready(Option<Outcome>),
    Pending(Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>),
}

impl<'a> ProvideFuture<'a> {
    /// A future that is already complete.
    pub fn ready(outcome: Result<Credentials, CredentialsError>) -> Self {
        ProvideFuture {
            inner: FutureInner::Ready(Some(outcome)),
        }
    }

    /// Wraps a future that fetches the credentials.
    pub fn new(
        future: impl Future<Output = Result<Credentials, CredentialsError>> + Send + 'a,
    ) -> Self {
        ProvideFuture {
            inner: FutureInner::Pending(Box::pin(future)),
        }
    }
}

impl Future for ProvideFuture<'_> {
    type Output = Result<Credentials, CredentialsError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            FutureInner::Ready(outcome) => Poll::Ready(outcome.take().unwrap_or_else(|| {
                Err(CredentialsError::new(
                    "credentials future polled after it completed",
                ))
            })),
            FutureInner::Pending(future) => future.as_mut().poll(cx),
        }
    }
}

impl fmt::Debug for ProvideFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.inner {
            FutureInner::Ready(_) => "ProvideFuture::Ready",
            FutureInner::Pending(_) => "ProvideFuture::Pending",
        })
    }
}

/// Where a client gets its credentials for each attempt.
///
/// Object safe: a client holds its provider as `Arc<dyn ProvideCredentials>`, and an
/// `Arc<P>` is itself a provider, so one provider can serve several clients. A provider that
/// has the credentials at hand answers [`ProvideFuture::ready`]; one that must fetch them
/// answers [`ProvideFuture::new`], and should cache what it fetched, since it is asked before
/// every attempt.
///
/// ```
/// use ccc_sdk::credentials::{CredentialsError, ProvideCredentials, ProvideFuture};
/// use ccc_sdk::Credentials;
///
/// /// Keys kept by a secrets manager of the application's own.
/// #[derive(Debug)]
/// struct Vault;
///
/// impl Vault {
///     async fn fetch(&self) -> Result<Credentials, CredentialsError> {
///         Ok(Credentials::new("LTAI5tExampleKeyId", "example-secret"))
///     }
/// }
///
/// impl ProvideCredentials for Vault {
///     fn provide_credentials(&self) -> ProvideFuture<'_> {
///         ProvideFuture::new(self.fetch())
///     }
/// }
///
/// let config = ccc_sdk::Config::builder().region("cn-shanghai").credentials(Vault).build();
/// assert!(config.is_ok());
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to sign the next attempt with.
    fn provide_credentials(&self) -> ProvideFuture<'_>;

    /// Why the last refresh failed, while the provider still serves credentials that have not
    /// expired yet; `None` when the last refresh worked or nothing needed refreshing.
    fn last_refresh_failure(&self) -> Option<CredentialsError> {
        None
    }
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        ProvideFuture::ready(Ok(self.clone()))
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn last_refresh_failure(&self) -> Option<CredentialsError> {
        (**self).last_refresh_failure()
    }
}

/// Shared handle to a credentials provider.
pub(crate) type SharedCredentials = Arc<dyn ProvideCredentials>;

/// The network a provider of this crate builds its HTTP clients from, for the `Config` it is
/// given to to set; `None` for a provider that makes no HTTP request, or one from elsewhere. A
/// provider is found as it is or in an `Arc`.
pub(crate) fn network_of(provider: &dyn std::any::Any) -> Option<SharedHttpSettings> {
    macro_rules! find {
        ($($kind:ty),*) => {
            $(
                if let Some(p) = provider.downcast_ref::<$kind>() {
                    return Some(p.network().clone());
                }
                if let Some(p) = provider.downcast_ref::<Arc<$kind>>() {
                    return Some(p.network().clone());
                }
            )*
        };
    }
    find!(
        DefaultCredentialsChain,
        ProfileFileProvider,
        CliProfileProvider,
        RamRoleArnProvider,
        OidcRoleArnProvider,
        EcsRamRoleProvider,
        CredentialsUriProvider
    );
    None
}

/// Credentials could not be found, read or fetched. Never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
    /// Requests the call had sent before credentials failed (a later attempt's).
    pub(crate) attempts: u32,
}

impl CredentialsError {
    /// An error with a message; the message must not contain a secret.
    pub fn new(message: impl Into<String>) -> Self {
        CredentialsError {
            message: message.into(),
            attempts: 0,
        }
    }

    /// How many requests the call had sent before credentials failed to load: 0 when they
    /// failed for the first attempt, more when a refresh failed before a retry.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The same error, with what was being done in front: `context: message`.
    pub(crate) fn context(self, context: impl fmt::Display) -> Self {
        CredentialsError::new(format!("{context}: {}", self.message))
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.attempts > 0 {
            let s = if self.attempts == 1 { "" } else { "s" };
            write!(f, " (after {} attempt{s})", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for CredentialsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::new("LTAI5tExampleKeyId", "s3cr3t-VALUE")
            .with_security_token("tok-XYZ")
            .with_expiration(SystemTime::UNIX_EPOCH);
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("s3cr3t-VALUE"), "{shown}");
        assert!(!shown.contains("tok-XYZ"), "{shown}");
        assert!(!shown.contains("LTAI5tExampleKeyId"), "{shown}");
        assert!(shown.contains("LTA***yId"), "{shown}");
        assert!(shown.contains("1970-01-01T00:00:00Z"), "{shown}");
    }

    #[test]
    fn ready_futures_complete_without_a_runtime() {
        let c = Credentials::new("id", "secret");
        let shared: SharedCredentials = Arc::new(Arc::new(c.clone()));
        let mut future = shared.provide_credentials();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        match Pin::new(&mut future).poll(&mut cx) {
            Poll::Ready(Ok(got)) => assert_eq!(got, c),
            other => panic!("{other:?}"),
        }
        // A second poll is an error, not a panic.
        assert!(matches!(
            Pin::new(&mut future).poll(&mut cx),
            Poll::Ready(Err(_))
        ));
        assert!(shared.last_refresh_failure().is_none());
    }
}
