//! Credentials of the ECS instance's RAM role, from the instance metadata server.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use super::cache::{Cache, provide_through_cache};
use super::http::{self, Answer};
use super::{
    Credentials, CredentialsError, ENV_ECS_METADATA, ENV_ECS_METADATA_DISABLED,
    ENV_ECS_METADATA_ENDPOINT, ENV_IMDSV1_DISABLED, Env,
};
use crate::transport::SharedHttpSettings;

/// The metadata server every ECS instance reaches.
pub(crate) const DEFAULT_METADATA_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLES_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// Lifetime asked of a metadata token, in seconds (six hours, the official libraries' choice).
const TOKEN_TTL_SECONDS: &str = "21600";
/// Short, so that the default chain does not stall off ECS.
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// The RAM role attached to the ECS instance, from its metadata server
/// (`http://100.100.100.200`): a session token first (`PUT /latest/api/token`), falling back to
/// the token-less mode unless that is disabled; the role named in code or by
/// `ALIBABA_CLOUD_ECS_METADATA`, else the one the server lists.
///
/// Timeouts are short (1 s to connect, 1 s to answer) so that a chain run off ECS moves on
/// quickly; `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true` leaves it out of the default chain.
pub struct EcsRamRoleProvider {
    role_name: Option<String>,
    discovered: Mutex<Option<String>>,
    endpoint: String,
    imdsv1_disabled: bool,
    /// Built when first needed: the default chain lays this provider out in every client that
    /// does not name its credentials, and most never reach it.
    http: http::Client,
    cache: Cache,
}

impl fmt::Debug for EcsRamRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRamRoleProvider")
            .field("role_name", &self.role_name)
            .field("metadata_endpoint", &self.endpoint)
            .field("imdsv1_disabled", &self.imdsv1_disabled)
            .finish_non_exhaustive()
    }
}

/// Builder of [`EcsRamRoleProvider`].
#[derive(Clone, Debug)]
pub struct EcsRamRoleProviderBuilder {
    role_name: Option<String>,
    endpoint: Option<String>,
    imdsv1_disabled: bool,
    connect_timeout: Duration,
    read_timeout: Duration,
}

impl EcsRamRoleProvider {
    /// A builder with the defaults: role discovered, `http://100.100.100.200`, v1 fallback on.
    pub fn builder() -> EcsRamRoleProviderBuilder {
        EcsRamRoleProviderBuilder {
            role_name: None,
            endpoint: None,
            imdsv1_disabled: false,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
        }
    }

    /// The provider the environment describes (`ALIBABA_CLOUD_ECS_METADATA`,
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED`, `CCC_ECS_METADATA_ENDPOINT`); `Ok(None)` when
    /// `ALIBABA_CLOUD_ECS_METADATA_DISABLED` is `true`.
    pub fn from_env(env: &Env) -> Result<Option<Self>, CredentialsError> {
        Self::from_env_with(env, None, None)
    }

    pub(crate) fn from_env_with(
        env: &Env,
        role_name: Option<String>,
        endpoint: Option<&str>,
    ) -> Result<Option<Self>, CredentialsError> {
        if env.is_true(ENV_ECS_METADATA_DISABLED) {
            return Ok(None);
        }
        let mut b = Self::builder().disable_imdsv1(env.is_true(ENV_IMDSV1_DISABLED));
        b.role_name = role_name.or_else(|| env.get(ENV_ECS_METADATA));
        b.endpoint = match endpoint {
            Some(e) => Some(e.to_string()),
            None => env.get(ENV_ECS_METADATA_ENDPOINT),
        };
        b.build()
            .map_err(|e| match env.get(ENV_ECS_METADATA_ENDPOINT) {
                Some(_) if endpoint.is_none() => e.context(ENV_ECS_METADATA_ENDPOINT),
                _ => e,
            })
            .map(Some)
    }
}

impl EcsRamRoleProviderBuilder {
    /// The role's name; discovered from the metadata server when not set.
    pub fn role_name(mut self, name: impl Into<String>) -> Self {
        self.role_name = Some(name.into());
        self
    }

    /// The metadata server's URL: `http://100.100.100.200` (the default), a loopback address
    /// (tests), or `https://`.
    pub fn metadata_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoint = Some(url.into());
        self
    }

    /// Refuse the token-less (v1) mode: fail when the server gives no session token.
    pub fn disable_imdsv1(mut self, disabled: bool) -> Self {
        self.imdsv1_disabled = disabled;
        self
    }

    /// Time to connect to the metadata server (default 1 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Time for each answer of the metadata server (default 1 s).
    pub fn read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = d;
        self
    }

    /// Checks the settings; nothing is sent until credentials are first asked for.
    pub fn build(self) -> Result<EcsRamRoleProvider, CredentialsError> {
        let endpoint = self
            .endpoint
            .unwrap_or_else(|| DEFAULT_METADATA_ENDPOINT.to_string());
        let url = http::check_url(&endpoint, true).map_err(|e| e.context("metadata endpoint"))?;
        if url.query().is_some() || url.path() != "/" {
            return Err(CredentialsError::new(format!(
                "metadata endpoint `{}`: only scheme, host and port are allowed",
                http::redact_url(&endpoint)
            )));
        }
        if let Some(name) = &self.role_name {
            check_role_name(name, "the role name")?;
        }
        Ok(EcsRamRoleProvider {
            role_name: self.role_name,
            discovered: Mutex::new(None),
            endpoint: endpoint.trim_end_matches('/').to_string(),
            imdsv1_disabled: self.imdsv1_disabled,
            // The metadata server is reached from the instance itself, never through a proxy.
            http: http::Client::new(
                &endpoint,
                true,
                self.connect_timeout,
                self.connect_timeout + self.read_timeout,
            ),
            cache: Cache::default(),
        })
    }
}

/// A role name goes into a URL path: letters, digits and `-_.@` only.
fn check_role_name(name: &str, what: &str) -> Result<(), CredentialsError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(CredentialsError::new(format!(
            "{what} `{}` is not a RAM role name (letters, digits, '-', '_', '.', '@')",
            http::printable(name)
        )))
    }
}

impl EcsRamRoleProvider {
    fn http(&self) -> Result<&reqwest::Client, CredentialsError> {
        self.http.get()
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

    fn what(&self) -> String {
        format!("ECS metadata server at {}", self.endpoint)
    }

    /// A session token, or `None` to go on without one (v1).
    async fn session_token(&self) -> Result<Option<String>, CredentialsError> {
        let what = format!("{} ({TOKEN_PATH})", self.what());
        let request = self
            .http()?
            .put(format!("{}{TOKEN_PATH}", self.endpoint))
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS);
        // A server that cannot be reached will not answer without a token either.
        let answer = http::send(&what, request).await?;
        let token = String::from_utf8(answer.body).unwrap_or_default();
        let token = token.trim();
        let usable = answer.status == 200
            && !token.is_empty()
            && token.bytes().all(|b| (b'!'..=b'~').contains(&b));
        match (usable, self.imdsv1_disabled) {
            (true, _) => Ok(Some(token.to_string())),
            (false, false) => Ok(None),
            (false, true) => Err(CredentialsError::new(format!(
                "{what} answered HTTP {} without a usable token, and {ENV_IMDSV1_DISABLED} forbids going on without one",
                answer.status
            ))),
        }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Result<Answer, CredentialsError> {
        let what = format!("{} ({path})", self.what());
        let mut request = self.http()?.get(format!("{}{path}", self.endpoint));
        if let Some(token) = token {
            request = request.header(TOKEN_HEADER, token);
        }
        let answer = http::send(&what, request).await?;
        if answer.status != 200 {
            return Err(CredentialsError::new(format!(
                "{what} answered HTTP {}",
                answer.status
            )));
        }
        Ok(answer)
    }

    async fn role(&self, token: Option<&str>) -> Result<String, CredentialsError> {
        if let Some(name) = &self.role_name {
            return Ok(name.clone());
        }
        if let Some(name) = self
            .discovered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Ok(name);
        }
        let answer = self.get(ROLES_PATH, token).await?;
        let text = String::from_utf8_lossy(&answer.body);
        let name = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| {
                CredentialsError::new(format!(
                    "{} lists no RAM role: is one attached to the instance?",
                    self.what()
                ))
            })?;
        check_role_name(name, &format!("{} lists a role, but", self.what()))?;
        *self.discovered.lock().unwrap_or_else(|p| p.into_inner()) = Some(name.to_string());
        Ok(name.to_string())
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = self.session_token().await?;
        let role = self.role(token.as_deref()).await?;
        let path = format!("{ROLES_PATH}{role}");
        let answer = self.get(&path, token.as_deref()).await?;
        let what = format!("{} ({path})", self.what());
        http::credentials_answer(&what, &answer)
    }
}

provide_through_cache!(EcsRamRoleProvider);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let p = EcsRamRoleProvider::builder().build().unwrap();
        assert_eq!(p.endpoint, "http://100.100.100.200");
        let err = EcsRamRoleProvider::builder()
            .metadata_endpoint("http://169.254.169.254")
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("only to a loopback address or to 100.100.100.200"),
            "{err}"
        );
        assert!(
            EcsRamRoleProvider::builder()
                .metadata_endpoint("http://127.0.0.1:1/x")
                .build()
                .is_err()
        );
        let err = EcsRamRoleProvider::builder()
            .role_name("../admin")
            .build()
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a RAM role name"), "{err}");
    }

    #[test]
    fn the_environment_disables_or_configures_it() {
        let env = Env::from_vars([(ENV_ECS_METADATA_DISABLED, "TRUE")]);
        assert!(EcsRamRoleProvider::from_env(&env).unwrap().is_none());
        let env = Env::from_vars([
            (ENV_ECS_METADATA, "my-role"),
            (ENV_IMDSV1_DISABLED, "true"),
            (ENV_ECS_METADATA_ENDPOINT, "http://127.0.0.1:9/"),
        ]);
        let p = EcsRamRoleProvider::from_env(&env).unwrap().unwrap();
        assert_eq!(p.role_name.as_deref(), Some("my-role"));
        assert!(p.imdsv1_disabled);
        assert_eq!(p.endpoint, "http://127.0.0.1:9");
        let env = Env::from_vars([(ENV_ECS_METADATA_ENDPOINT, "http://10.0.0.1")]);
        let err = EcsRamRoleProvider::from_env(&env).unwrap_err().to_string();
        assert!(
            err.starts_with("CCC_ECS_METADATA_ENDPOINT: metadata endpoint"),
            "{err}"
        );
    }
}
