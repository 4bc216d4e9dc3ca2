//! Credentials: an AccessKey pair, optionally with an STS security token, and where to find them.
//!
//! Secrets never appear in `Debug` or `Display`; the access key id is shown masked.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Environment variable holding the AccessKey id.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// Environment variable holding the AccessKey secret.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// Environment variable holding an STS security token.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// Environment variable naming the profile of the credentials file.
pub const ENV_PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// Environment variable naming the credentials file.
pub const ENV_CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";

/// A secret string: compared and used, never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"** redacted **\"")
    }
}

/// An AccessKey pair, with an STS security token when the keys are temporary.
///
/// Cloning is cheap (reference counts, no copies): every request takes the current credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: Arc<str>,
    access_key_secret: Secret,
    security_token: Option<Secret>,
}

impl Credentials {
    /// Long-term AccessKey credentials.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: Arc::from(access_key_id.into()),
            access_key_secret: Secret(Arc::from(access_key_secret.into())),
            security_token: None,
        }
    }

    /// Adds an STS security token (temporary credentials).
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret(Arc::from(token.into())));
        self
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub(crate) fn from_lookup(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, CredentialsError> {
        let get = |k: &'static str| var(k).filter(|v| !v.trim().is_empty());
        let id = get(ENV_ACCESS_KEY_ID).ok_or(CredentialsError::missing(ENV_ACCESS_KEY_ID))?;
        let secret =
            get(ENV_ACCESS_KEY_SECRET).ok_or(CredentialsError::missing(ENV_ACCESS_KEY_SECRET))?;
        let creds = Credentials::new(id, secret);
        Ok(match get(ENV_SECURITY_TOKEN) {
            Some(token) => creds.with_security_token(token),
            None => creds,
        })
    }

    /// Reads a profile of an Alibaba Cloud credentials file (INI): the profile named by
    /// `ALIBABA_CLOUD_PROFILE`, else `default`, of the file named by
    /// `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`.
    /// Profiles of `type = access_key` and `type = sts` are understood.
    pub fn from_profile_file() -> Result<Self, CredentialsError> {
        let path = match std::env::var_os(ENV_CREDENTIALS_FILE) {
            Some(p) => PathBuf::from(p),
            None => default_credentials_file().ok_or_else(|| {
                CredentialsError::new("no home directory to find ~/.alibabacloud/credentials")
            })?,
        };
        let profile = std::env::var(ENV_PROFILE).unwrap_or_else(|_| "default".into());
        let text = std::fs::read_to_string(&path)
            .map_err(|e| CredentialsError::new(format!("cannot read {}: {e}", path.display())))?;
        Self::from_ini(&path, &text, &profile)
    }

    pub(crate) fn from_ini(
        path: &Path,
        text: &str,
        profile: &str,
    ) -> Result<Self, CredentialsError> {
        let file = path.display();
        let mut in_profile = false;
        let mut found = false;
        let (mut kind, mut id, mut secret, mut token) = (None, None, None, None);
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                in_profile = name.trim() == profile;
                found |= in_profile;
                continue;
            }
            if !in_profile {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                return Err(CredentialsError::new(format!(
                    "{file}:{}: expected `key = value` in profile [{profile}]",
                    n + 1
                )));
            };
            let v = v.trim().to_string();
            match k.trim() {
                "type" => kind = Some(v),
                "access_key_id" => id = Some(v),
                "access_key_secret" => secret = Some(v),
                "security_token" => token = Some(v),
                _ => {}
            }
        }
        if !found {
            return Err(CredentialsError::new(format!(
                "{file}: no profile [{profile}]"
            )));
        }
        match kind.as_deref() {
            None | Some("access_key") | Some("sts") => {}
            Some(other) => {
                return Err(CredentialsError::new(format!(
                    "{file}: profile [{profile}] has type `{other}`; this SDK reads `access_key` and `sts`"
                )));
            }
        }
        let need = |v: Option<String>, key: &str| {
            v.filter(|v| !v.is_empty()).ok_or_else(|| {
                CredentialsError::new(format!("{file}: profile [{profile}] has no `{key}`"))
            })
        };
        let creds = Credentials::new(
            need(id, "access_key_id")?,
            need(secret, "access_key_secret")?,
        );
        Ok(match (kind.as_deref(), token) {
            (Some("sts"), token) => creds.with_security_token(need(token, "security_token")?),
            (_, Some(token)) if !token.is_empty() => creds.with_security_token(token),
            _ => creds,
        })
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
}

fn default_credentials_file() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(Path::new(&home).join(".alibabacloud").join("credentials"))
}

/// The id with all but its first and last three characters hidden.
fn mask(id: &str) -> String {
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
        f.debug_struct("Credentials")
            .field("access_key_id", &mask(&self.access_key_id))
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .finish()
    }
}

/// Where a client gets its credentials for each attempt.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// The credentials to sign the next attempt with.
    fn credentials(&self) -> Result<Credentials, CredentialsError>;
}

impl ProvideCredentials for Credentials {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.clone())
    }
}

/// The default chain: environment variables, then the credentials file. Read afresh for each
/// attempt, so rotated keys are picked up without rebuilding the client.
#[derive(Clone, Debug, Default)]
pub struct DefaultCredentialsChain {
    _private: (),
}

impl ProvideCredentials for DefaultCredentialsChain {
    fn credentials(&self) -> Result<Credentials, CredentialsError> {
        let env_err = match Credentials::from_env() {
            Ok(c) => return Ok(c),
            Err(e) => e,
        };
        let file_explicit = std::env::var_os(ENV_CREDENTIALS_FILE).is_some();
        match Credentials::from_profile_file() {
            Ok(c) => Ok(c),
            Err(e) if file_explicit => Err(e),
            Err(e) => Err(CredentialsError::new(format!(
                "none found: {env_err}; and {e}"
            ))),
        }
    }
}

/// Shared handle to a credentials provider.
pub(crate) type SharedCredentials = Arc<dyn ProvideCredentials>;

/// Credentials could not be found or read. Never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    message: String,
}

impl CredentialsError {
    /// An error with a message; the message must not contain a secret.
    pub fn new(message: impl Into<String>) -> Self {
        CredentialsError {
            message: message.into(),
        }
    }

    fn missing(var: &str) -> Self {
        Self::new(format!("environment variable {var} is not set"))
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secrets() {
        let c =
            Credentials::new("LTAI5tExampleKeyId", "s3cr3t-VALUE").with_security_token("tok-XYZ");
        let shown = format!("{c:?} {c:#?}");
        assert!(!shown.contains("s3cr3t-VALUE"), "{shown}");
        assert!(!shown.contains("tok-XYZ"), "{shown}");
        assert!(!shown.contains("LTAI5tExampleKeyId"), "{shown}");
        assert!(shown.contains("LTA***yId"), "{shown}");
    }

    #[test]
    fn env_lookup_reads_all_three() {
        let vars = |k: &str| match k {
            ENV_ACCESS_KEY_ID => Some("id".to_string()),
            ENV_ACCESS_KEY_SECRET => Some("secret".to_string()),
            ENV_SECURITY_TOKEN => Some("token".to_string()),
            _ => None,
        };
        let c = Credentials::from_lookup(vars).unwrap();
        assert_eq!(c.access_key_id(), "id");
        assert_eq!(c.access_key_secret(), "secret");
        assert_eq!(c.security_token(), Some("token"));
    }

    #[test]
    fn env_lookup_names_the_missing_variable() {
        let err = Credentials::from_lookup(|k| (k == ENV_ACCESS_KEY_ID).then(|| "id".into()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"
        );
    }

    #[test]
    fn ini_profiles_are_read() {
        let text = "[default]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n\n[temp]\ntype = sts\naccess_key_id = c\naccess_key_secret = d\nsecurity_token = e\n";
        let p = Path::new("creds");
        let d = Credentials::from_ini(p, text, "default").unwrap();
        assert_eq!(
            (d.access_key_id(), d.access_key_secret(), d.security_token()),
            ("a", "b", None)
        );
        let t = Credentials::from_ini(p, text, "temp").unwrap();
        assert_eq!(t.security_token(), Some("e"));
        let err = Credentials::from_ini(p, text, "nope").unwrap_err();
        assert_eq!(err.to_string(), "creds: no profile [nope]");
        let err = Credentials::from_ini(p, "[default]\naccess_key_id = a\nbroken\n", "default")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "creds:3: expected `key = value` in profile [default]"
        );
    }
}
