//! The default chain: every source, in the official libraries' order, until one works.

use std::fmt;
use std::sync::{Arc, OnceLock};

use super::cli::CliProfileProvider;
use super::ecs::EcsRamRoleProvider;
use super::env::EnvironmentProvider;
use super::ini::ProfileFileProvider;
use super::oidc::OidcRoleArnProvider;
use super::profile::{Ctx, endpoint_setters};
use super::uri::CredentialsUriProvider;
use super::{
    CredentialsError, ENV_CREDENTIALS_URI, ENV_ECS_METADATA_DISABLED, Env, ProvideCredentials,
    ProvideFuture, SharedCredentials,
};
use crate::transport::SharedHttpSettings;

/// One source of the chain: its provider, or why it is left out.
struct Link {
    name: &'static str,
    provider: Result<SharedCredentials, CredentialsError>,
}

/// The credentials of the first source that has them, in the order of Alibaba Cloud's official
/// credential libraries:
///
/// 1. the environment ([`EnvironmentProvider`]),
/// 2. an OIDC role, as ACK RRSA configures it ([`OidcRoleArnProvider::from_env`]),
/// 3. the `aliyun` CLI's profile ([`CliProfileProvider`]),
/// 4. the credentials file ([`ProfileFileProvider`]),
/// 5. the ECS instance's RAM role ([`EcsRamRoleProvider`]),
/// 6. a credentials URI ([`CredentialsUriProvider`]).
///
/// The first source that works is remembered and asked alone from then on (temporary
/// credentials are cached and refreshed by it). When none works, the error lists each source
/// and why. Sources are looked for when credentials are first asked for: call
/// [`Client::check_credentials`](crate::Client::check_credentials) at start to fail early.
pub struct DefaultCredentialsChain {
    links: Vec<Link>,
    chosen: OnceLock<usize>,
    resolving: tokio::sync::Mutex<()>,
    /// The network its providers' HTTP clients are built from.
    network: SharedHttpSettings,
}

impl fmt::Debug for DefaultCredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DefaultCredentialsChain");
        match self.chosen.get() {
            Some(&i) => d.field("using", &self.links[i].provider),
            None => d.field(
                "sources",
                &self.links.iter().map(|l| l.name).collect::<Vec<_>>(),
            ),
        };
        d.finish()
    }
}

impl Default for DefaultCredentialsChain {
    fn default() -> Self {
        Self::builder().build()
    }
}

/// Builder of [`DefaultCredentialsChain`].
#[derive(Clone, Debug)]
pub struct DefaultCredentialsChainBuilder {
    ctx: Ctx,
}

impl DefaultCredentialsChain {
    /// A builder reading the process's environment.
    pub fn builder() -> DefaultCredentialsChainBuilder {
        DefaultCredentialsChainBuilder {
            ctx: Ctx::new(Env::process()),
        }
    }

    /// The name of the source in use, once one has worked: `environment`, `OIDC role`,
    /// `CLI profile`, `credentials file`, `ECS RAM role` or `credentials URI`.
    pub fn source_in_use(&self) -> Option<&'static str> {
        self.chosen.get().map(|&i| self.links[i].name)
    }

    async fn resolve(&self) -> Result<super::Credentials, CredentialsError> {
        // One caller looks; the others wait and take the source it found.
        let _resolving = self.resolving.lock().await;
        if let Some(p) = self.chosen() {
            return p.provide_credentials().await;
        }
        let mut reasons = Vec::with_capacity(self.links.len());
        for (i, link) in self.links.iter().enumerate() {
            let outcome = match &link.provider {
                Ok(p) => p.provide_credentials().await,
                Err(e) => Err(e.clone()),
            };
            match outcome {
                Ok(c) => {
                    let _ = self.chosen.set(i);
                    return Ok(c);
                }
                Err(e) => reasons.push(format!("[{}] {e}", link.name)),
            }
        }
        Err(CredentialsError::new(format!(
            "no credentials found by the default chain: {}",
            reasons.join("; ")
        )))
    }

    fn chosen(&self) -> Option<&SharedCredentials> {
        let &i = self.chosen.get()?;
        self.links[i].provider.as_ref().ok()
    }
}

impl DefaultCredentialsChainBuilder {
    /// Reads this environment instead of the process's (tests, embedding applications).
    pub fn env(mut self, env: Env) -> Self {
        self.ctx.env = env;
        self
    }

    endpoint_setters! {
        sts: "The STS endpoint of every source that assumes a role, over `ALIBABA_CLOUD_STS_ENDPOINT`.",
        metadata: "The metadata server of the ECS RAM role, over `CCC_ECS_METADATA_ENDPOINT`.",
    }

    /// Lays out the sources. Settings that cannot work (a malformed endpoint, half an OIDC
    /// configuration) make their source fail with that reason, listed in the chain's error.
    pub fn build(self) -> DefaultCredentialsChain {
        // Each chain its own network: the one of the `Config` it is given to.
        let ctx = Ctx {
            network: SharedHttpSettings::default(),
            ..self.ctx
        };
        let env = &ctx.env;
        let oidc = OidcRoleArnProvider::from_env_with(env, ctx.sts.as_ref()).and_then(|p| {
            p.map(|p| Arc::new(p.sharing(&ctx.network)) as SharedCredentials).ok_or_else(|| {
                CredentialsError::new(
                    "ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set",
                )
            })
        });
        let cli = CliProfileProvider::with_env(env.clone()).with_ctx(ctx.clone());
        let cli = match cli.skip_reason() {
            Some(why) => Err(CredentialsError::new(why)),
            None => Ok(Arc::new(cli) as SharedCredentials),
        };
        let file = ProfileFileProvider::with_env(env.clone()).with_ctx(ctx.clone());
        let file = match file.located() {
            Err(e) => Err(e.clone()),
            Ok(_) => Ok(Arc::new(file) as SharedCredentials),
        };
        let ecs =
            EcsRamRoleProvider::from_env_with(env, None, ctx.metadata.as_deref()).and_then(|p| {
                p.map(|p| Arc::new(p.sharing(&ctx.network)) as SharedCredentials)
                    .ok_or_else(|| {
                        CredentialsError::new(format!("{ENV_ECS_METADATA_DISABLED} is true"))
                    })
            });
        let uri = CredentialsUriProvider::from_env(env).and_then(|p| {
            p.map(|p| Arc::new(p.sharing(&ctx.network)) as SharedCredentials)
                .ok_or_else(|| CredentialsError::new(format!("{ENV_CREDENTIALS_URI} is not set")))
        });
        let links = vec![
            Link {
                name: "environment",
                provider: Ok(Arc::new(EnvironmentProvider::with_env(env.clone()))),
            },
            Link {
                name: "OIDC role",
                provider: oidc,
            },
            Link {
                name: "CLI profile",
                provider: cli,
            },
            Link {
                name: "credentials file",
                provider: file,
            },
            Link {
                name: "ECS RAM role",
                provider: ecs,
            },
            Link {
                name: "credentials URI",
                provider: uri,
            },
        ];
        DefaultCredentialsChain {
            links,
            chosen: OnceLock::new(),
            resolving: tokio::sync::Mutex::new(()),
            network: ctx.network,
        }
    }
}

impl DefaultCredentialsChain {
    /// The network its providers' HTTP clients are built from.
    pub(crate) fn network(&self) -> &SharedHttpSettings {
        &self.network
    }
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        match self.chosen() {
            Some(p) => p.provide_credentials(),
            None => ProvideFuture::new(self.resolve()),
        }
    }

    fn last_refresh_failure(&self) -> Option<CredentialsError> {
        self.chosen()?.last_refresh_failure()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET};
    use std::future::Future;

    #[tokio::test]
    async fn with_nothing_configured_the_error_lists_every_source() {
        let env = Env::from_vars([
            ("HOME", "/nonexistent-home"),
            (ENV_ECS_METADATA_DISABLED, "true"),
        ]);
        let chain = DefaultCredentialsChain::builder().env(env).build();
        let err = chain.provide_credentials().await.unwrap_err().to_string();
        assert_eq!(
            err,
            "no credentials found by the default chain: \
             [environment] ALIBABA_CLOUD_ACCESS_KEY_ID is not set; \
             [OIDC role] ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set; \
             [CLI profile] /nonexistent-home/.aliyun/config.json does not exist; \
             [credentials file] neither /nonexistent-home/.alibabacloud/credentials nor /nonexistent-home/.alibabacloud/credentials.ini exists, and ALIBABA_CLOUD_CREDENTIALS_FILE is not set; \
             [ECS RAM role] ALIBABA_CLOUD_ECS_METADATA_DISABLED is true; \
             [credentials URI] ALIBABA_CLOUD_CREDENTIALS_URI is not set"
        );
        assert_eq!(chain.source_in_use(), None);
    }

    #[tokio::test]
    async fn the_source_that_worked_is_remembered() {
        let env = Env::from_vars([
            (ENV_ACCESS_KEY_ID, "LTAI5tEnvironmentKey"),
            (ENV_ACCESS_KEY_SECRET, "secret"),
            (ENV_ECS_METADATA_DISABLED, "true"),
        ]);
        let chain = DefaultCredentialsChain::builder().env(env).build();
        let c = chain.provide_credentials().await.unwrap();
        assert_eq!(c.access_key_id(), "LTAI5tEnvironmentKey");
        assert_eq!(chain.source_in_use(), Some("environment"));
        // Once chosen, fixed keys come back without a fetch: ready at the first poll.
        let mut future = chain.provide_credentials();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(matches!(
            std::pin::Pin::new(&mut future).poll(&mut cx),
            std::task::Poll::Ready(Ok(_))
        ));
        let shown = format!("{chain:?}");
        assert!(
            shown.contains("EnvironmentProvider") && !shown.contains("\"secret\""),
            "{shown}"
        );
    }
}
