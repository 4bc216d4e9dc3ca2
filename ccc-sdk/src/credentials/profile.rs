//! What the two profile files (the credentials file and the CLI's `config.json`) share: reading
//! them bounded, re-reading only when they change, and turning a profile into a provider.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::ecs::EcsRamRoleProvider;
use super::sts::StsEndpoint;
use super::{
    Credentials, CredentialsError, ENV_ECS_METADATA_DISABLED, ENV_STS_ENDPOINT, Env,
    ProvideCredentials, ProvideFuture, SharedCredentials,
};
use crate::transport::SharedHttpSettings;

/// The largest profile file read.
const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// How often a loaded file's size and modification time are looked at; it is read again only
/// when they changed.
const RECHECK_EVERY: Duration = Duration::from_secs(5);

/// What the two profile-file providers have alike, over their fields `path` (the file, or why
/// there is none), `profile`, `ctx` and their own `inner()` (the provider the file describes):
/// `new`, `path`, `Default`, a `Debug` that shows the file and the profile only, and
/// `ProvideCredentials` through `inner()`.
macro_rules! profile_file_provider {
    ($provider:ident) => {
        impl std::fmt::Debug for $provider {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($provider))
                    .field("path", &self.path.as_ref().ok())
                    .field("profile", &self.profile)
                    .finish_non_exhaustive()
            }
        }

        impl $provider {
            /// The file and profile the process's environment names.
            pub fn new() -> Self {
                Self::with_env($crate::credentials::Env::process())
            }

            /// Reads this file instead.
            pub fn path(mut self, path: impl Into<std::path::PathBuf>) -> Self {
                self.path = Ok(path.into());
                self
            }

            /// The network the HTTP clients of its profiles' providers are built from.
            pub(crate) fn network(&self) -> &$crate::transport::SharedHttpSettings {
                &self.ctx.network
            }
        }

        impl Default for $provider {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $crate::credentials::ProvideCredentials for $provider {
            fn provide_credentials(&self) -> $crate::credentials::ProvideFuture<'_> {
                match self.inner() {
                    Ok(source) => source.provide(),
                    Err(e) => $crate::credentials::ProvideFuture::ready(Err(e)),
                }
            }

            fn last_refresh_failure(&self) -> Option<$crate::credentials::CredentialsError> {
                self.inner().ok()?.last_refresh_failure()
            }
        }
    };
}
pub(crate) use profile_file_provider;

/// The setters of the endpoints a provider hands on, through its `ctx` field, to the providers
/// it builds; each with its own documentation.
macro_rules! endpoint_setters {
    (sts: $sts_doc:literal, metadata: $metadata_doc:literal $(,)?) => {
        #[doc = $sts_doc]
        pub fn sts_endpoint(mut self, endpoint: $crate::credentials::StsEndpoint) -> Self {
            self.ctx.sts = Some(endpoint);
            self
        }

        #[doc = $metadata_doc]
        pub fn metadata_endpoint(mut self, url: impl Into<String>) -> Self {
            self.ctx.metadata = Some(url.into());
            self
        }
    };
}
pub(crate) use endpoint_setters;

/// Settings every provider built from a profile shares: the environment, and the endpoints set
/// in code.
#[derive(Clone, Debug)]
pub(crate) struct Ctx {
    pub(crate) env: Env,
    pub(crate) sts: Option<StsEndpoint>,
    pub(crate) metadata: Option<String>,
    /// The network the HTTP clients of its providers are built from.
    pub(crate) network: SharedHttpSettings,
}

impl Ctx {
    pub(crate) fn new(env: Env) -> Self {
        Ctx {
            env,
            sts: None,
            metadata: None,
            network: SharedHttpSettings::default(),
        }
    }

    /// The STS endpoint: set in code, else `ALIBABA_CLOUD_STS_ENDPOINT`, else the profile's
    /// region, else the environment's region, else the global one.
    pub(crate) fn sts_endpoint(
        &self,
        profile_region: Option<(&str, bool)>,
    ) -> Result<StsEndpoint, CredentialsError> {
        if let Some(e) = &self.sts {
            return Ok(e.clone());
        }
        if self.env.get(ENV_STS_ENDPOINT).is_none()
            && let Some((region, vpc)) = profile_region
        {
            return StsEndpoint::region(region, vpc);
        }
        StsEndpoint::from_env(&self.env)
    }

    /// The ECS RAM role a profile asks for.
    pub(crate) fn ecs(&self, role: Option<String>) -> Result<SharedCredentials, CredentialsError> {
        match EcsRamRoleProvider::from_env_with(&self.env, role, self.metadata.as_deref())? {
            Some(p) => Ok(Arc::new(p.sharing(&self.network))),
            None => Err(CredentialsError::new(format!(
                "the profile asks for the ECS RAM role, but {ENV_ECS_METADATA_DISABLED} is true"
            ))),
        }
    }
}

/// What a profile gives: keys, ready at once, or a provider to ask.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    Keys(Credentials),
    Provider(SharedCredentials),
}

impl Source {
    pub(crate) fn shared(self) -> SharedCredentials {
        match self {
            Source::Keys(c) => Arc::new(c),
            Source::Provider(p) => p,
        }
    }

    /// The credentials: at once for keys, through a boxed future for a provider.
    pub(crate) fn provide(self) -> ProvideFuture<'static> {
        match self {
            Source::Keys(c) => ProvideFuture::ready(Ok(c)),
            Source::Provider(p) => ProvideFuture::new(async move { p.provide_credentials().await }),
        }
    }

    pub(crate) fn last_refresh_failure(&self) -> Option<CredentialsError> {
        match self {
            Source::Keys(_) => None,
            Source::Provider(p) => p.last_refresh_failure(),
        }
    }
}

/// The file's size and modification time, to tell whether it changed.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Reads a profile file: at most [`MAX_FILE_BYTES`], UTF-8, a byte-order mark dropped.
pub(crate) fn read(path: &Path) -> Result<String, CredentialsError> {
    use std::io::Read;
    let fail = |why: String| CredentialsError::new(format!("{}: {why}", path.display()));
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(fail(format!("larger than {} KiB", MAX_FILE_BYTES / 1024)));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail("not UTF-8".into()))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// The provider a file describes, built when first asked for and again when the file changes.
#[derive(Debug, Default)]
pub(crate) struct Loaded {
    entry: Mutex<Option<Entry>>,
}

#[derive(Debug)]
struct Entry {
    stamp: Stamp,
    checked: Instant,
    source: Source,
}

impl Loaded {
    pub(crate) fn provider(
        &self,
        path: &Path,
        build: impl FnOnce(&str) -> Result<Source, CredentialsError>,
    ) -> Result<Source, CredentialsError> {
        let mut entry = self.entry.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = entry.as_mut() {
            if e.checked.elapsed() < RECHECK_EVERY {
                return Ok(e.source.clone());
            }
            e.checked = Instant::now();
            if stamp(path) == e.stamp {
                return Ok(e.source.clone());
            }
        }
        // Stamped before reading: a change made while reading is seen at the next check.
        let before = stamp(path);
        let source = build(&read(path)?)?;
        *entry = Some(Entry {
            stamp: before,
            checked: Instant::now(),
            source: source.clone(),
        });
        Ok(source)
    }
}

/// `~/<dir>/<name>`, when there is a home directory.
pub(crate) fn in_home(env: &Env, dir: &str, name: &str) -> Option<PathBuf> {
    Some(env.home()?.join(dir).join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_read_again_only_when_they_change() {
        let dir = std::env::temp_dir().join(format!("ccc-sdk-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, "\u{feff}one").unwrap();
        let loaded = Loaded::default();
        let mut reads = Vec::new();
        let load = |reads: &mut Vec<String>| {
            loaded
                .provider(&path, |text| {
                    reads.push(text.to_string());
                    Ok(Source::Keys(Credentials::new("id", "s")))
                })
                .unwrap()
        };
        load(&mut reads);
        load(&mut reads);
        assert_eq!(reads, ["one"]);
        // Changed, and due for a check.
        std::fs::write(&path, "two, longer").unwrap();
        loaded.entry.lock().unwrap().as_mut().unwrap().checked -= RECHECK_EVERY;
        load(&mut reads);
        assert_eq!(reads, ["one", "two, longer"]);
        // Due for a check, but unchanged: not read.
        loaded.entry.lock().unwrap().as_mut().unwrap().checked -= RECHECK_EVERY;
        load(&mut reads);
        assert_eq!(reads.len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn big_or_binary_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("ccc-sdk-profile-big-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .ends_with(": not UTF-8")
        );
        std::fs::write(&path, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(
            read(&path)
                .unwrap_err()
                .to_string()
                .ends_with(": larger than 1024 KiB")
        );
        let err = read(&dir.join("missing")).unwrap_err().to_string();
        assert!(err.contains("missing: cannot read"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
