//! Where providers read environment variables and the home directory: the process, or a fixed
//! set given by a test or an embedding application.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::{
    Credentials, CredentialsError, ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_SECURITY_TOKEN,
    ProvideCredentials, ProvideFuture,
};

/// The environment providers read: the process's variables, or a fixed set.
///
/// A fixed set lets tests (which run in parallel, in one process) and applications that keep
/// their settings elsewhere configure every provider without touching the process environment.
/// The home directory comes from `HOME` (or `USERPROFILE`) of the same set.
#[derive(Clone)]
pub struct Env {
    vars: Option<Arc<BTreeMap<String, String>>>,
}

impl Env {
    /// The process's environment, read when a provider needs a variable.
    pub fn process() -> Env {
        Env { vars: None }
    }

    /// Only these variables; every other one counts as unset.
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: Some(Arc::new(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            )),
        }
    }

    /// The variable's value, trimmed; `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        let value = match &self.vars {
            None => std::env::var(name).ok(),
            Some(vars) => vars.get(name).cloned(),
        }?;
        let trimmed = value.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    /// Whether the variable is `true` (in any case).
    pub(crate) fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The home directory.
    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.get("HOME")
            .or_else(|| self.get("USERPROFILE"))
            .map(PathBuf::from)
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.vars {
            None => f.write_str("Env::process"),
            // Names only: values may be secrets.
            Some(vars) => f.debug_tuple("Env::from_vars").field(&vars.keys()).finish(),
        }
    }
}

pub(crate) fn from_env(env: &Env) -> Result<Credentials, CredentialsError> {
    let missing = |var: &str| CredentialsError::new(format!("{var} is not set"));
    let id = env
        .get(ENV_ACCESS_KEY_ID)
        .ok_or_else(|| missing(ENV_ACCESS_KEY_ID))?;
    let secret = env
        .get(ENV_ACCESS_KEY_SECRET)
        .ok_or_else(|| missing(ENV_ACCESS_KEY_SECRET))?;
    let creds = Credentials::new(id, secret);
    Ok(match env.get(ENV_SECURITY_TOKEN) {
        Some(token) => creds.with_security_token(token),
        None => creds,
    })
}

/// Credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and
/// `ALIBABA_CLOUD_SECURITY_TOKEN` (empty counts as unset), read when first asked for and kept, as
/// the official libraries read them once; until they are found, each call looks again.
#[derive(Clone, Debug)]
pub struct EnvironmentProvider {
    env: Env,
    found: OnceLock<Credentials>,
}

impl EnvironmentProvider {
    /// Reads the process's environment.
    pub fn new() -> Self {
        Self::with_env(Env::process())
    }

    /// Reads the given environment.
    pub fn with_env(env: Env) -> Self {
        EnvironmentProvider {
            env,
            found: OnceLock::new(),
        }
    }
}

impl Default for EnvironmentProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        if let Some(c) = self.found.get() {
            return ProvideFuture::ready(Ok(c.clone()));
        }
        ProvideFuture::ready(from_env(&self.env).map(|c| self.found.get_or_init(|| c).clone()))
    }
}

impl Credentials {
    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`, once. Empty values count as unset.
    pub fn from_env() -> Result<Self, CredentialsError> {
        from_env(&Env::process())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_three_and_blank_is_unset() {
        let env = Env::from_vars([
            (ENV_ACCESS_KEY_ID, "id"),
            (ENV_ACCESS_KEY_SECRET, " secret "),
            (ENV_SECURITY_TOKEN, "token"),
        ]);
        let c = from_env(&env).unwrap();
        assert_eq!(
            (c.access_key_id(), c.access_key_secret(), c.security_token()),
            ("id", "secret", Some("token"))
        );
        let env = Env::from_vars([
            (ENV_ACCESS_KEY_ID, "id"),
            (ENV_ACCESS_KEY_SECRET, "secret"),
            (ENV_SECURITY_TOKEN, "  "),
        ]);
        assert_eq!(from_env(&env).unwrap().security_token(), None);
    }

    #[test]
    fn names_the_missing_variable() {
        let err = from_env(&Env::from_vars([(ENV_ACCESS_KEY_ID, "id")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"
        );
        let err = from_env(&Env::from_vars([
            (ENV_ACCESS_KEY_ID, ""),
            (ENV_ACCESS_KEY_SECRET, "s"),
        ]))
        .unwrap_err();
        assert_eq!(err.to_string(), "ALIBABA_CLOUD_ACCESS_KEY_ID is not set");
    }

    #[test]
    fn debug_shows_names_not_values() {
        let env = Env::from_vars([(ENV_ACCESS_KEY_SECRET, "very-secret")]);
        let shown = format!("{env:?} {:?}", EnvironmentProvider::with_env(env.clone()));
        assert!(shown.contains(ENV_ACCESS_KEY_SECRET), "{shown}");
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
