//! The `aliyun` CLI's profiles: `~/.aliyun/config.json`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::oidc::OidcRoleArnProvider;
use super::profile::{self, Ctx, Loaded, Source, endpoint_setters, profile_file_provider};
use super::ram_role::RamRoleArnProvider;
use super::sts::StsEndpoint;
use super::{
    Credentials, CredentialsError, ENV_CLI_PROFILE_DISABLED, ENV_CONFIG_FILE, ENV_PROFILE, Env,
    SharedCredentials,
};

const MODES: &str = "AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn";
/// How many `source_profile` links a chain of roles may have.
const MAX_CHAIN: usize = 8;

/// A profile of the `aliyun` CLI's configuration: `ALIBABA_CLOUD_CONFIG_FILE`, else
/// `~/.aliyun/config.json`; the profile named by `ALIBABA_CLOUD_PROFILE`, else the file's
/// `current`. Left out of the default chain when `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true`.
///
/// Modes: `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC` and `ChainableRamRoleArn` (a
/// role assumed with the credentials of its `source_profile`); any other mode is an error
/// naming it. The file is read when credentials are first asked for, and again only when it
/// changes.
pub struct CliProfileProvider {
    path: Result<PathBuf, CredentialsError>,
    profile: Option<String>,
    ctx: Ctx,
    loaded: Loaded,
}

impl CliProfileProvider {
    /// The file and profile `env` names.
    pub fn with_env(env: Env) -> Self {
        let path = match env.get(ENV_CONFIG_FILE) {
            Some(p) => Ok(PathBuf::from(p)),
            None => profile::in_home(&env, ".aliyun", "config.json").ok_or_else(|| {
                CredentialsError::new("no home directory (HOME) to find ~/.aliyun/config.json in")
            }),
        };
        CliProfileProvider {
            path,
            profile: env.get(ENV_PROFILE),
            ctx: Ctx::new(env),
            loaded: Loaded::default(),
        }
    }

    /// Uses this profile instead of the file's `current`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    endpoint_setters! {
        sts: "The STS endpoint of role profiles, over the profile's `sts_region`.",
        metadata: "The metadata server of `EcsRamRole` profiles.",
    }

    pub(crate) fn with_ctx(mut self, ctx: Ctx) -> Self {
        self.ctx = ctx;
        self
    }

    /// Why the chain should skip it: disabled, or no file.
    pub(crate) fn skip_reason(&self) -> Option<String> {
        if self.ctx.env.is_true(ENV_CLI_PROFILE_DISABLED) {
            return Some(format!("{ENV_CLI_PROFILE_DISABLED} is true"));
        }
        match &self.path {
            Err(e) => Some(e.to_string()),
            Ok(p) if !p.is_file() => Some(format!("{} does not exist", p.display())),
            Ok(_) => None,
        }
    }

    fn inner(&self) -> Result<Source, CredentialsError> {
        let path = self.path.as_ref().map_err(Clone::clone)?;
        self.loaded.provider(path, |text| {
            let config = Config::parse(path, text)?;
            let name = match &self.profile {
                Some(name) => name.clone(),
                None => config.current.clone().ok_or_else(|| {
                    CredentialsError::new(format!(
                        "{}: no `current` profile, and {ENV_PROFILE} is not set",
                        path.display()
                    ))
                })?,
            };
            config.source(&name, &self.ctx, 0)
        })
    }
}

profile_file_provider!(CliProfileProvider);

/// The parsed `config.json`.
struct Config<'p> {
    path: &'p Path,
    current: Option<String>,
    profiles: Vec<Map<String, Value>>,
}

impl<'p> Config<'p> {
    fn parse(path: &'p Path, text: &str) -> Result<Self, CredentialsError> {
        let fail = |why: String| CredentialsError::new(format!("{}: {why}", path.display()));
        let value: Value = serde_json::from_str(text).map_err(|e| {
            fail(format!(
                "not JSON (line {}, column {})",
                e.line(),
                e.column()
            ))
        })?;
        let Value::Object(mut top) = value else {
            return Err(fail("not a JSON object".into()));
        };
        let current = match top.remove("current") {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
            _ => None,
        };
        let profiles = match top.remove("profiles") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .into_iter()
                .enumerate()
                .map(|(i, p)| match p {
                    Value::Object(p) => Ok(p),
                    _ => Err(fail(format!("`profiles[{i}]` is not an object"))),
                })
                .collect::<Result<_, _>>()?,
            Some(_) => return Err(fail("`profiles` is not a list".into())),
        };
        Ok(Config {
            path,
            current,
            profiles,
        })
    }

    fn source(&self, name: &str, ctx: &Ctx, depth: usize) -> Result<Source, CredentialsError> {
        let file = self.path.display();
        let profile = self
            .profiles
            .iter()
            .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
            .ok_or_else(|| CredentialsError::new(format!("{file}: no profile `{name}`")))?;
        let at = format!("{file}: profile `{name}`");
        let text = |key: &str| -> Result<Option<String>, CredentialsError> {
            match profile.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
                Some(_) => Err(CredentialsError::new(format!(
                    "{at}: `{key}` is not a string"
                ))),
            }
        };
        let need = |key: &str| {
            text(key)?.ok_or_else(|| CredentialsError::new(format!("{at}: `{key}` is not set")))
        };
        let duration = || -> Result<Option<u32>, CredentialsError> {
            match profile.get("expired_seconds") {
                None | Some(Value::Null) => Ok(None),
                Some(v) => match v.as_u64() {
                    Some(0) => Ok(None),
                    Some(n) => Ok(Some(u32::try_from(n).unwrap_or(u32::MAX))),
                    None => Err(CredentialsError::new(format!(
                        "{at}: `expired_seconds` is not a number of seconds"
                    ))),
                },
            }
        };
        let sts = || -> Result<StsEndpoint, CredentialsError> {
            let region = text("sts_region")?;
            let vpc = profile
                .get("enable_vpc")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            ctx.sts_endpoint(region.as_deref().map(|r| (r, vpc)))
        };
        let in_profile = |e: CredentialsError| e.context(&at);
        let mode = need("mode")?;
        Ok(match mode.as_str() {
            "AK" => Source::Keys(Credentials::new(
                need("access_key_id")?,
                need("access_key_secret")?,
            )),
            "StsToken" => Source::Keys(
                Credentials::new(need("access_key_id")?, need("access_key_secret")?)
                    .with_security_token(need("sts_token")?),
            ),
            "RamRoleArn" | "ChainableRamRoleArn" => {
                let source: SharedCredentials = if mode == "RamRoleArn" {
                    Arc::new(Credentials::new(
                        need("access_key_id")?,
                        need("access_key_secret")?,
                    ))
                } else {
                    let from = need("source_profile")?;
                    if depth >= MAX_CHAIN {
                        return Err(CredentialsError::new(format!(
                            "{at}: more than {MAX_CHAIN} `source_profile` links (a loop?)"
                        )));
                    }
                    self.source(&from, ctx, depth + 1)?.shared()
                };
                Source::Provider(Arc::new(
                    RamRoleArnProvider::builder_shared(source, need("ram_role_arn")?)
                        .set_session_name(text("ram_session_name")?)
                        .set_duration_seconds(duration()?)
                        .set_external_id(text("external_id")?)
                        .sts_endpoint(sts().map_err(in_profile)?)
                        .build()
                        .map_err(in_profile)?
                        .sharing(&ctx.network),
                ))
            }
            "EcsRamRole" => Source::Provider(ctx.ecs(text("ram_role_name")?).map_err(in_profile)?),
            "OIDC" => Source::Provider(Arc::new(
                OidcRoleArnProvider::builder(
                    need("ram_role_arn")?,
                    need("oidc_provider_arn")?,
                    need("oidc_token_file")?,
                )
                .set_session_name(text("ram_session_name")?)
                .set_duration_seconds(duration()?)
                .sts_endpoint(sts().map_err(in_profile)?)
                .build()
                .map_err(in_profile)?
                .sharing(&ctx.network),
            )),
            other => {
                return Err(CredentialsError::new(format!(
                    "{at}: mode `{}` is not supported by this SDK (supported: {MODES})",
                    super::http::printable(other)
                )));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str, name: &str) -> Result<Source, CredentialsError> {
        let ctx = Ctx::new(Env::from_vars::<&str, &str>([]));
        Config::parse(Path::new("config.json"), text)?.source(name, &ctx, 0)
    }

    fn err(text: &str, name: &str) -> String {
        source(text, name).unwrap_err().to_string()
    }

    #[test]
    fn key_modes_are_read() {
        let text = r#"{"current": "a", "profiles": [
            {"name": "a", "mode": "AK", "access_key_id": "id", "access_key_secret": "s"},
            {"name": "t", "mode": "StsToken", "access_key_id": "id", "access_key_secret": "s", "sts_token": "tok"}]}"#;
        match source(text, "t").unwrap() {
            Source::Keys(c) => assert_eq!(c.security_token(), Some("tok")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(source(text, "a").unwrap(), Source::Keys(_)));
    }

    #[test]
    fn misconfigurations_are_named() {
        assert_eq!(err("[", "a"), "config.json: not JSON (line 1, column 1)");
        assert_eq!(
            err(r#"{"profiles": 3}"#, "a"),
            "config.json: `profiles` is not a list"
        );
        assert_eq!(
            err(r#"{"profiles": []}"#, "a"),
            "config.json: no profile `a`"
        );
        assert_eq!(
            err(r#"{"profiles": [{"name": "a", "mode": "CloudSSO"}]}"#, "a"),
            "config.json: profile `a`: mode `CloudSSO` is not supported by this SDK (supported: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn)"
        );
        assert_eq!(
            err(
                r#"{"profiles": [{"name": "a", "mode": "AK", "access_key_id": "i"}]}"#,
                "a"
            ),
            "config.json: profile `a`: `access_key_secret` is not set"
        );
        assert_eq!(
            err(
                r#"{"profiles": [{"name": "a", "mode": "AK", "access_key_id": 1}]}"#,
                "a"
            ),
            "config.json: profile `a`: `access_key_id` is not a string"
        );
        assert_eq!(
            err(
                r#"{"profiles": [{"name": "a", "mode": "ChainableRamRoleArn", "source_profile": "a", "ram_role_arn": "r"}]}"#,
                "a"
            ),
            "config.json: profile `a`: more than 8 `source_profile` links (a loop?)"
        );
        assert_eq!(
            err(
                r#"{"profiles": [{"name": "a", "mode": "RamRoleArn", "access_key_id": "i", "access_key_secret": "s", "ram_role_arn": "r", "expired_seconds": 60}]}"#,
                "a"
            ),
            "config.json: profile `a`: a role session lasts at least 900 seconds; 60 was asked"
        );
    }

    #[test]
    fn role_modes_become_providers() {
        let text = r#"{"profiles": [
            {"name": "base", "mode": "AK", "access_key_id": "id", "access_key_secret": "s"},
            {"name": "r", "mode": "RamRoleArn", "access_key_id": "id", "access_key_secret": "s", "ram_role_arn": "acs:ram::1:role/a", "sts_region": "cn-hangzhou"},
            {"name": "c", "mode": "ChainableRamRoleArn", "source_profile": "r", "ram_role_arn": "acs:ram::1:role/b"},
            {"name": "e", "mode": "EcsRamRole", "ram_role_name": "web"},
            {"name": "o", "mode": "OIDC", "ram_role_arn": "r", "oidc_provider_arn": "p", "oidc_token_file": "/t"}]}"#;
        let shown = |name: &str| format!("{:?}", source(text, name).unwrap());
        assert!(
            shown("r").contains("sts.cn-hangzhou.aliyuncs.com"),
            "{}",
            shown("r")
        );
        // The chained role's source is the first role.
        assert!(
            shown("c").contains("role/b") && shown("c").contains("role/a"),
            "{}",
            shown("c")
        );
        assert!(shown("e").contains("EcsRamRoleProvider"), "{}", shown("e"));
        assert!(shown("o").contains("OidcRoleArnProvider"), "{}", shown("o"));
    }
}
