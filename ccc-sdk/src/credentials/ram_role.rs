//! Credentials of a RAM role, assumed with STS `AssumeRole` by any other provider's credentials.

use std::fmt;
use std::sync::Arc;

use super::cache::{Cache, provide_through_cache};
use super::http;
use super::sts::{self, RoleRequest, StsEndpoint, role_session_setters};
use super::{CredentialsError, ProvideCredentials, SharedCredentials};
use crate::transport::SharedHttpSettings;

/// Assumes a RAM role with STS `AssumeRole`, signing the request (V1) with the credentials of a
/// source provider: fixed keys, the environment, another role (chains), anything.
///
/// The role's credentials are cached and refreshed when less than three minutes remain.
///
/// ```no_run
/// # fn run() -> Result<(), ccc_sdk::credentials::CredentialsError> {
/// use ccc_sdk::credentials::{RamRoleArnProvider, EnvironmentProvider};
///
/// let provider = RamRoleArnProvider::builder(EnvironmentProvider::new(), "acs:ram::123456789012:role/ccc-agent")
///     .role_session_name("agent-desk")
///     .duration_seconds(3600)
///     .build()?;
/// # Ok(()) }
/// ```
pub struct RamRoleArnProvider {
    source: SharedCredentials,
    role: RoleRequest,
    external_id: Option<String>,
    endpoint: StsEndpoint,
    http: http::Client,
    cache: Cache,
}

impl fmt::Debug for RamRoleArnProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RamRoleArnProvider")
            .field("source", &self.source)
            .field("role_arn", &self.role.role_arn)
            .field("role_session_name", &self.role.session_name)
            .field("duration_seconds", &self.role.duration_seconds)
            .field("sts_endpoint", &self.endpoint.url())
            .finish_non_exhaustive()
    }
}

/// Builder of [`RamRoleArnProvider`].
#[derive(Debug)]
pub struct RamRoleArnProviderBuilder {
    source: SharedCredentials,
    role_arn: String,
    session_name: Option<String>,
    duration_seconds: Option<u32>,
    policy: Option<String>,
    external_id: Option<String>,
    endpoint: Option<StsEndpoint>,
}

impl RamRoleArnProvider {
    /// A builder assuming `role_arn` (`acs:ram::<account>:role/<name>`) with `source`'s
    /// credentials.
    pub fn builder(
        source: impl ProvideCredentials + 'static,
        role_arn: impl Into<String>,
    ) -> RamRoleArnProviderBuilder {
        Self::builder_shared(Arc::new(source), role_arn.into())
    }

    pub(crate) fn builder_shared(
        source: SharedCredentials,
        role_arn: String,
    ) -> RamRoleArnProviderBuilder {
        RamRoleArnProviderBuilder {
            source,
            role_arn,
            session_name: None,
            duration_seconds: None,
            policy: None,
            external_id: None,
            endpoint: None,
        }
    }
}

impl RamRoleArnProviderBuilder {
    role_session_setters!();

    /// The external id the role's trust policy asks for (`ExternalId`).
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    pub(crate) fn set_external_id(mut self, id: Option<String>) -> Self {
        self.external_id = id;
        self
    }

    /// Checks the settings; nothing is sent until credentials are first asked for.
    pub fn build(self) -> Result<RamRoleArnProvider, CredentialsError> {
        let endpoint = self.endpoint.unwrap_or_default();
        Ok(RamRoleArnProvider {
            source: self.source,
            role: RoleRequest::new(
                self.role_arn,
                self.session_name,
                self.duration_seconds,
                self.policy,
            )?,
            external_id: self.external_id,
            http: sts::client(&endpoint),
            endpoint,
            cache: Cache::default(),
        })
    }
}

impl RamRoleArnProvider {
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
        let source = self
            .source
            .provide_credentials()
            .await
            .map_err(|e| e.context("the source credentials"))?;
        sts::assume_role(
            self.http.get()?,
            &self.endpoint,
            &source,
            &self.role,
            self.external_id.as_deref(),
        )
        .await
        .map_err(|e| e.context(format_args!("assuming role {}", self.role.role_arn)))
    }
}

provide_through_cache!(RamRoleArnProvider);
