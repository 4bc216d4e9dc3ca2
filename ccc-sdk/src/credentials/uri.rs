//! Credentials served as JSON by a URL of the user's choosing (a sidecar, a vault agent).

use std::fmt;
use std::time::Duration;

use super::cache::{Cache, provide_through_cache};
use super::http;
use super::{Credentials, CredentialsError, ENV_CREDENTIALS_URI, Env};
use crate::transport::SharedHttpSettings;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Credentials from `GET <uri>`, answered with a JSON object holding `AccessKeyId`,
/// `AccessKeySecret`, `SecurityToken` and `Expiration` (and, if present, `Code: "Success"`).
/// In the default chain when `ALIBABA_CLOUD_CREDENTIALS_URI` is set. Cached and refreshed like
/// every temporary credential.
pub struct CredentialsUriProvider {
    url: String,
    http: http::Client,
    cache: Cache,
}

impl fmt::Debug for CredentialsUriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsUriProvider")
            .field("uri", &http::redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

impl CredentialsUriProvider {
    /// A provider reading `uri`: `https://`, or `http://` to a loopback address.
    pub fn new(uri: impl Into<String>) -> Result<Self, CredentialsError> {
        let url = uri.into();
        http::check_url(&url, false).map_err(|e| e.context("credentials URI"))?;
        Ok(CredentialsUriProvider {
            http: http::Client::new(&url, false, CONNECT_TIMEOUT, TOTAL_TIMEOUT),
            url,
            cache: Cache::default(),
        })
    }

    /// The provider of `ALIBABA_CLOUD_CREDENTIALS_URI`, `Ok(None)` when it is unset.
    pub fn from_env(env: &Env) -> Result<Option<Self>, CredentialsError> {
        env.get(ENV_CREDENTIALS_URI)
            .map(|uri| Self::new(uri).map_err(|e| e.context(ENV_CREDENTIALS_URI)))
            .transpose()
    }

    /// Builds its HTTP client from `network`: that of the chain or profile it belongs to.
    pub(crate) fn sharing(mut self, network: &SharedHttpSettings) -> Self {
        self.http.network = network.clone();
        self
    }

    /// The network its HTTP client is built from.
    pub(crate) fn network(&self) -> &SharedHttpSettings {
        &self.http.network
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let what = format!("credentials URI {}", http::redact_url(&self.url));
        let answer = http::send(&what, self.http.get()?.get(&self.url)).await?;
        if answer.status != 200 {
            return Err(CredentialsError::new(format!(
                "{what} answered HTTP {}",
                answer.status
            )));
        }
        http::credentials_answer(&what, &answer)
    }
}

provide_through_cache!(CredentialsUriProvider);
