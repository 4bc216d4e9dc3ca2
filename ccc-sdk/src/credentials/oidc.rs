//! Credentials of a RAM role assumed with an OIDC token: ACK's RAM Roles for Service Accounts
//! (RRSA) mounts the token in the pod and names it in the environment.

use std::fmt;
use std::path::PathBuf;

use super::cache::{Cache, provide_through_cache};
use super::http;
use super::sts::{self, RoleRequest, StsEndpoint, role_session_setters};
use super::{
    CredentialsError, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE, ENV_ROLE_ARN,
    ENV_ROLE_SESSION_NAME, Env,
};
use crate::transport::SharedHttpSettings;

/// The largest OIDC token file read; service account tokens are a few KiB.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Assumes a RAM role with STS `AssumeRoleWithOIDC`, presenting the token of a file that is read
/// afresh for each refresh (ACK rotates it).
///
/// In the default chain when `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are all set; `ALIBABA_CLOUD_ROLE_SESSION_NAME` names the
/// session, and the STS endpoint follows [`StsEndpoint::from_env`].
pub struct OidcRoleArnProvider {
    role: RoleRequest,
    provider_arn: String,
    token_file: PathBuf,
    endpoint: StsEndpoint,
    http: http::Client,
    cache: Cache,
}

impl fmt::Debug for OidcRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleArnProvider")
            .field("role_arn", &self.role.role_arn)
            .field("oidc_provider_arn", &self.provider_arn)
            .field("oidc_token_file", &self.token_file)
            .field("role_session_name", &self.role.session_name)
            .field("sts_endpoint", &self.endpoint.url())
            .finish_non_exhaustive()
    }
}

/// Builder of [`OidcRoleArnProvider`].
#[derive(Clone, Debug)]
pub struct OidcRoleArnProviderBuilder {
    role_arn: String,
    provider_arn: String,
    token_file: PathBuf,
    session_name: Option<String>,
    duration_seconds: Option<u32>,
    policy: Option<String>,
    endpoint: Option<StsEndpoint>,
}

impl OidcRoleArnProvider {
    /// A builder assuming `role_arn`, trusting the identity provider `oidc_provider_arn`
    /// (`acs:ram::<account>:oidc-provider/<name>`), with the token in `oidc_token_file`.
    pub fn builder(
        role_arn: impl Into<String>,
        oidc_provider_arn: impl Into<String>,
        oidc_token_file: impl Into<PathBuf>,
    ) -> OidcRoleArnProviderBuilder {
        OidcRoleArnProviderBuilder {
            role_arn: role_arn.into(),
            provider_arn: oidc_provider_arn.into(),
            token_file: oidc_token_file.into(),
            session_name: None,
            duration_seconds: None,
            policy: None,
            endpoint: None,
        }
    }

    /// The provider the environment describes; `Ok(None)` when none of the three variables is
    /// set, an error naming the missing ones when only some are.
    pub fn from_env(env: &Env) -> Result<Option<Self>, CredentialsError> {
        Self::from_env_with(env, None)
    }

    pub(crate) fn from_env_with(
        env: &Env,
        endpoint: Option<&StsEndpoint>,
    ) -> Result<Option<Self>, CredentialsError> {
        let vars = [ENV_ROLE_ARN, ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE];
        let values: Vec<Option<String>> = vars.iter().map(|v| env.get(v)).collect();
        let missing: Vec<&str> = vars
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .collect();
        if missing.len() == vars.len() {
            return Ok(None);
        }
        let [Some(role), Some(provider), Some(file)] =
            <[Option<String>; 3]>::try_from(values).unwrap_or_default()
        else {
            return Err(CredentialsError::new(format!(
                "{} not set",
                missing.join(", ")
            )));
        };
        let endpoint = match endpoint {
            Some(e) => e.clone(),
            None => StsEndpoint::from_env(env)?,
        };
        Self::builder(role, provider, file)
            .set_session_name(env.get(ENV_ROLE_SESSION_NAME))
            .sts_endpoint(endpoint)
            .build()
            .map(Some)
    }
}

impl OidcRoleArnProviderBuilder {
    role_session_setters!();

    /// Checks the settings; the token file is read when credentials are first asked for.
    pub fn build(self) -> Result<OidcRoleArnProvider, CredentialsError> {
        if self.provider_arn.trim().is_empty() {
            return Err(CredentialsError::new("the OIDC provider ARN is empty"));
        }
        let endpoint = self.endpoint.unwrap_or_default();
        Ok(OidcRoleArnProvider {
            role: RoleRequest::new(
                self.role_arn,
                self.session_name,
                self.duration_seconds,
                self.policy,
            )?,
            provider_arn: self.provider_arn,
            token_file: self.token_file,
            http: sts::client(&endpoint),
            endpoint,
            cache: Cache::default(),
        })
    }
}

impl OidcRoleArnProvider {
    fn read_token(&self) -> Result<String, CredentialsError> {
        use std::io::Read;
        let file = self.token_file.display();
        let fail = |why: String| CredentialsError::new(format!("OIDC token file {file}: {why}"));
        let mut text = String::new();
        std::fs::File::open(&self.token_file)
            .and_then(|f| f.take(MAX_TOKEN_BYTES + 1).read_to_string(&mut text))
            .map_err(|e| fail(e.to_string()))?;
        if text.len() as u64 > MAX_TOKEN_BYTES {
            return Err(fail(format!("larger than {} KiB", MAX_TOKEN_BYTES / 1024)));
        }
        let token = text.trim();
        if token.is_empty() {
            return Err(fail("empty".into()));
        }
        Ok(token.to_string())
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

    async fn fetch(&self) -> Result<super::Credentials, CredentialsError> {
        let token = self.read_token()?;
        sts::assume_role_with_oidc(
            self.http.get()?,
            &self.endpoint,
            &self.role,
            &self.provider_arn,
            &token,
        )
        .await
        .map_err(|e| e.context(format_args!("assuming role {}", self.role.role_arn)))
    }
}

provide_through_cache!(OidcRoleArnProvider);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_configures_it_or_says_what_is_missing() {
        assert!(
            OidcRoleArnProvider::from_env(&Env::from_vars::<&str, &str>([]))
                .unwrap()
                .is_none()
        );
        let err = OidcRoleArnProvider::from_env(&Env::from_vars([(ENV_OIDC_TOKEN_FILE, "/t")]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN not set"
        );
        let p = OidcRoleArnProvider::from_env(&Env::from_vars([
            (ENV_ROLE_ARN, "acs:ram::1:role/r"),
            (ENV_OIDC_PROVIDER_ARN, "acs:ram::1:oidc-provider/p"),
            (ENV_OIDC_TOKEN_FILE, "/var/run/token"),
            (ENV_ROLE_SESSION_NAME, "pod-1"),
            (super::super::ENV_STS_REGION, "cn-beijing"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(p.role.session_name, "pod-1");
        assert_eq!(p.endpoint.url(), "https://sts.cn-beijing.aliyuncs.com");
        let err = p.read_token().unwrap_err().to_string();
        assert!(err.starts_with("OIDC token file /var/run/token: "), "{err}");
    }
}
