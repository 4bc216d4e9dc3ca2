//! The credentials file (INI): `~/.alibabacloud/credentials`, one profile per section.
//!
//! ```ini
//! [default]
//! type = access_key            # or sts, ram_role_arn, ecs_ram_role, oidc_role_arn
//! access_key_id = LTAI...
//! access_key_secret = ...
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::oidc::OidcRoleArnProvider;
use super::profile::{self, Ctx, Loaded, Source, endpoint_setters, profile_file_provider};
use super::ram_role::RamRoleArnProvider;
use super::{Credentials, CredentialsError, ENV_CREDENTIALS_FILE, ENV_PROFILE, Env};

const TYPES: &str = "access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn";

/// One `[section]`: its name, the line of its header, and its `key = value` lines.
#[derive(Debug)]
pub(crate) struct Section {
    pub(crate) name: String,
    pub(crate) line: usize,
    pub(crate) entries: Vec<(String, String, usize)>,
}

impl Section {
    /// The last value of `key`, if set and not blank.
    fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn line_of(&self, key: &str) -> usize {
        self.entries
            .iter()
            .rev()
            .find(|(k, _, _)| k == key)
            .map_or(self.line, |(_, _, l)| *l)
    }
}

/// Parses INI text: `[section]` headers, `key = value` lines, comments on lines of their own
/// (`#` or `;`) or after a value (` #`), values optionally in double quotes.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Vec<Section>, CredentialsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line_no = n + 1;
        let fail =
            |why: &str| CredentialsError::new(format!("{}:{line_no}: {why}", path.display()));
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let rest = strip_comment(rest);
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| fail("a section header must end with `]`"))?
                .trim();
            if name.is_empty() {
                return Err(fail("a section needs a name"));
            }
            sections.push(Section {
                name: name.to_string(),
                line: line_no,
                entries: Vec::new(),
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| fail("expected `key = value`"))?;
        let key = key.trim();
        if key.is_empty() {
            return Err(fail("a key is missing before `=`"));
        }
        let value = value.trim();
        let value = match value.strip_prefix('"') {
            Some(quoted) => {
                let (inside, after) = quoted
                    .split_once('"')
                    .ok_or_else(|| fail("a quoted value must end with `\"`"))?;
                let after = after.trim();
                if !(after.is_empty() || after.starts_with('#') || after.starts_with(';')) {
                    return Err(fail("only a comment may follow a quoted value"));
                }
                inside.to_string()
            }
            None => strip_comment(value).to_string(),
        };
        let section = sections
            .last_mut()
            .ok_or_else(|| fail("`key = value` before any `[section]`"))?;
        section.entries.push((key.to_string(), value, line_no));
    }
    Ok(sections)
}

/// The text before an inline comment: a `#` at the start or after white space.
fn strip_comment(s: &str) -> &str {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()) {
            return s[..i].trim_end();
        }
    }
    s.trim_end()
}

/// The profile named `profile` of the parsed file, as a provider.
pub(crate) fn provider(
    path: &Path,
    text: &str,
    profile: &str,
    ctx: &Ctx,
) -> Result<Source, CredentialsError> {
    let file = path.display();
    let sections = parse(path, text)?;
    let section = sections
        .iter()
        .rev()
        .find(|s| s.name == profile)
        .ok_or_else(|| CredentialsError::new(format!("{file}: no profile [{profile}]")))?;
    let at = |key: &str| format!("{file}:{}: profile [{profile}]", section.line_of(key));
    let need = |key: &str| {
        section.get(key).map(str::to_string).ok_or_else(|| {
            CredentialsError::new(format!(
                "{file}:{}: profile [{profile}] has no `{key}`",
                section.line
            ))
        })
    };
    let kind = section.get("type").unwrap_or("access_key");
    let in_profile = |e: CredentialsError| e.context(at("type"));
    Ok(match kind {
        "access_key" | "sts" => {
            let creds = Credentials::new(need("access_key_id")?, need("access_key_secret")?);
            Source::Keys(match (kind, section.get("security_token")) {
                ("sts", _) => creds.with_security_token(need("security_token")?),
                (_, Some(token)) => creds.with_security_token(token),
                _ => creds,
            })
        }
        "ram_role_arn" => {
            let source = Credentials::new(need("access_key_id")?, need("access_key_secret")?);
            let duration = duration(section, &at)?;
            Source::Provider(Arc::new(
                RamRoleArnProvider::builder(source, need("role_arn")?)
                    .set_session_name(section.get("role_session_name").map(str::to_string))
                    .set_duration_seconds(duration)
                    .set_policy(section.get("policy").map(str::to_string))
                    .set_external_id(section.get("external_id").map(str::to_string))
                    .sts_endpoint(ctx.sts_endpoint(None).map_err(in_profile)?)
                    .build()
                    .map_err(in_profile)?
                    .sharing(&ctx.network),
            ))
        }
        "ecs_ram_role" => Source::Provider(
            ctx.ecs(section.get("role_name").map(str::to_string))
                .map_err(in_profile)?,
        ),
        "oidc_role_arn" => {
            let duration = duration(section, &at)?;
            Source::Provider(Arc::new(
                OidcRoleArnProvider::builder(
                    need("role_arn")?,
                    need("oidc_provider_arn")?,
                    need("oidc_token_file_path")?,
                )
                .set_session_name(section.get("role_session_name").map(str::to_string))
                .set_duration_seconds(duration)
                .set_policy(section.get("policy").map(str::to_string))
                .sts_endpoint(ctx.sts_endpoint(None).map_err(in_profile)?)
                .build()
                .map_err(in_profile)?
                .sharing(&ctx.network),
            ))
        }
        other => {
            return Err(CredentialsError::new(format!(
                "{}: type `{other}` is not supported (supported: {TYPES})",
                at("type")
            )));
        }
    })
}

fn duration(
    section: &Section,
    at: &dyn Fn(&str) -> String,
) -> Result<Option<u32>, CredentialsError> {
    section
        .get("duration_seconds")
        .map(|v| {
            v.parse::<u32>().map_err(|_| {
                CredentialsError::new(format!(
                    "{}: `duration_seconds` is not a number of seconds",
                    at("duration_seconds")
                ))
            })
        })
        .transpose()
}

/// The credentials file's path: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
/// `~/.alibabacloud/credentials`, else `~/.alibabacloud/credentials.ini`; `None` when the
/// variable is unset and neither default file exists (the second field says where it looked).
pub(crate) fn locate(env: &Env) -> Result<PathBuf, CredentialsError> {
    if let Some(p) = env.get(ENV_CREDENTIALS_FILE) {
        return Ok(PathBuf::from(p));
    }
    let plain = profile::in_home(env, ".alibabacloud", "credentials").ok_or_else(|| {
        CredentialsError::new("no home directory (HOME) to find ~/.alibabacloud/credentials in")
    })?;
    if plain.is_file() {
        return Ok(plain);
    }
    let ini = plain.with_extension("ini");
    if ini.is_file() {
        return Ok(ini);
    }
    Err(CredentialsError::new(format!(
        "neither {} nor {} exists, and {ENV_CREDENTIALS_FILE} is not set",
        plain.display(),
        ini.display()
    )))
}

/// A profile of the credentials file: the one named by `ALIBABA_CLOUD_PROFILE`, else
/// `default`, of the file named by `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
/// `~/.alibabacloud/credentials`, else `~/.alibabacloud/credentials.ini`.
///
/// Profile types: `access_key` (`access_key_id`, `access_key_secret`), `sts` (and
/// `security_token`), `ram_role_arn` (keys, `role_arn`, `role_session_name`, `policy`,
/// `duration_seconds`), `ecs_ram_role` (`role_name`), `oidc_role_arn` (`role_arn`,
/// `oidc_provider_arn`, `oidc_token_file_path`, `role_session_name`). The file is read when
/// credentials are first asked for, and again only when it changes; errors name the file and
/// line.
pub struct ProfileFileProvider {
    path: Result<PathBuf, CredentialsError>,
    profile: String,
    ctx: Ctx,
    loaded: Loaded,
}

impl ProfileFileProvider {
    /// The file and profile `env` names.
    pub fn with_env(env: Env) -> Self {
        ProfileFileProvider {
            path: locate(&env),
            profile: env.get(ENV_PROFILE).unwrap_or_else(|| "default".into()),
            ctx: Ctx::new(env),
            loaded: Loaded::default(),
        }
    }

    /// Uses this profile instead.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = name.into();
        self
    }

    endpoint_setters! {
        sts: "The STS endpoint of `ram_role_arn` and `oidc_role_arn` profiles.",
        metadata: "The metadata server of `ecs_ram_role` profiles.",
    }

    pub(crate) fn with_ctx(mut self, ctx: Ctx) -> Self {
        self.ctx = ctx;
        self
    }

    /// Whether the file exists, for the chain to skip it quietly when it does not.
    pub(crate) fn located(&self) -> Result<&Path, &CredentialsError> {
        self.path.as_deref()
    }

    fn inner(&self) -> Result<Source, CredentialsError> {
        let path = self.path.as_ref().map_err(Clone::clone)?;
        self.loaded
            .provider(path, |text| provider(path, text, &self.profile, &self.ctx))
    }
}

profile_file_provider!(ProfileFileProvider);

/// `Credentials::from_profile_file`: a profile that holds keys, read now.
pub(crate) fn static_from_env(env: &Env) -> Result<Credentials, CredentialsError> {
    let p = ProfileFileProvider::with_env(env.clone());
    let path = p.path.clone()?;
    let text = profile::read(&path)?;
    let sections = parse(&path, &text)?;
    let kind = sections
        .iter()
        .rev()
        .find(|s| s.name == p.profile)
        .and_then(|s| s.get("type"))
        .unwrap_or("access_key");
    if kind != "access_key" && kind != "sts" {
        return Err(CredentialsError::new(format!(
            "{}: profile [{}] has type `{kind}`, which needs a provider: use ProfileFileProvider",
            path.display(),
            p.profile
        )));
    }
    match provider(&path, &text, &p.profile, &p.ctx)? {
        Source::Keys(c) => Ok(c),
        Source::Provider(_) => Err(CredentialsError::new("keys were expected")),
    }
}

impl Credentials {
    /// Reads the credentials file once: see [`ProfileFileProvider`]. Only profiles that hold
    /// keys (`access_key`, `sts`) can be read this way; the others need a provider.
    pub fn from_profile_file() -> Result<Self, CredentialsError> {
        static_from_env(&Env::process())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx::new(Env::from_vars::<&str, &str>([]))
    }

    fn keys(text: &str, profile: &str) -> Result<Credentials, CredentialsError> {
        match provider(Path::new("creds"), text, profile, &ctx())? {
            Source::Keys(c) => Ok(c),
            Source::Provider(p) => panic!("keys expected, got {p:?}"),
        }
    }

    #[test]
    fn key_profiles_are_read() {
        let text = "\u{feff}; made by hand\n[default]\ntype = access_key\naccess_key_id = a   # the id\naccess_key_secret = b#c\n\n[temp]\ntype = sts\naccess_key_id = \"c d\" # quoted\naccess_key_secret = d\nsecurity_token = e\n";
        let d = keys(text, "default").unwrap();
        assert_eq!(
            (d.access_key_id(), d.access_key_secret(), d.security_token()),
            ("a", "b#c", None)
        );
        let t = keys(text, "temp").unwrap();
        assert_eq!((t.access_key_id(), t.security_token()), ("c d", Some("e")));
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = |text: &str, profile: &str| keys(text, profile).unwrap_err().to_string();
        assert_eq!(
            err("[default]\naccess_key_id = a\nbroken\n", "default"),
            "creds:3: expected `key = value`"
        );
        assert_eq!(
            err("[default\n", "default"),
            "creds:1: a section header must end with `]`"
        );
        assert_eq!(
            err("a = b\n", "default"),
            "creds:1: `key = value` before any `[section]`"
        );
        assert_eq!(
            err("[x]\na = \"b\n", "x"),
            "creds:2: a quoted value must end with `\"`"
        );
        assert_eq!(err("[default]\n", "nope"), "creds: no profile [nope]");
        assert_eq!(
            err("\n[default]\naccess_key_id = a\n", "default"),
            "creds:2: profile [default] has no `access_key_secret`"
        );
        assert_eq!(
            err(
                "[default]\ntype = sts\naccess_key_id = a\naccess_key_secret = b\n",
                "default"
            ),
            "creds:1: profile [default] has no `security_token`"
        );
        assert_eq!(
            err("[default]\n\ntype = rsa_key_pair\n", "default"),
            "creds:3: profile [default]: type `rsa_key_pair` is not supported (supported: access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn)"
        );
        assert_eq!(
            err(
                "[r]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\nrole_arn = acs:ram::1:role/x\nduration_seconds = 10\n",
                "r"
            ),
            "creds:2: profile [r]: a role session lasts at least 900 seconds; 10 was asked"
        );
        assert_eq!(
            err(
                "[r]\ntype = oidc_role_arn\nduration_seconds = soon\nrole_arn = x\noidc_provider_arn = y\noidc_token_file_path = z\n",
                "r"
            ),
            "creds:3: profile [r]: `duration_seconds` is not a number of seconds"
        );
    }

    #[test]
    fn role_profiles_become_providers() {
        let text = "[r]\ntype = ram_role_arn\naccess_key_id = a\naccess_key_secret = b\nrole_arn = acs:ram::1:role/x\nrole_session_name = s\n\n[e]\ntype = ecs_ram_role\nrole_name = web\n\n[o]\ntype = oidc_role_arn\nrole_arn = x\noidc_provider_arn = y\noidc_token_file_path = /t\n";
        let shown = |p: &str| format!("{:?}", provider(Path::new("f"), text, p, &ctx()).unwrap());
        assert!(
            shown("r").starts_with("Provider(RamRoleArnProvider"),
            "{}",
            shown("r")
        );
        assert!(!shown("r").contains("\"b\""), "{}", shown("r"));
        assert!(
            shown("e").contains("role_name: Some(\"web\")"),
            "{}",
            shown("e")
        );
        assert!(
            shown("o").starts_with("Provider(OidcRoleArnProvider"),
            "{}",
            shown("o")
        );
        let disabled = Ctx::new(Env::from_vars([(
            super::super::ENV_ECS_METADATA_DISABLED,
            "true",
        )]));
        let err = provider(Path::new("f"), text, "e", &disabled)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "f:9: profile [e]: the profile asks for the ECS RAM role, but ALIBABA_CLOUD_ECS_METADATA_DISABLED is true"
        );
    }

    #[test]
    fn the_file_is_found_in_the_documented_order() {
        let dir = std::env::temp_dir().join(format!("ccc-sdk-ini-{}", std::process::id()));
        let home = dir.join("home");
        std::fs::create_dir_all(home.join(".alibabacloud")).unwrap();
        let env = Env::from_vars([("HOME", home.to_str().unwrap())]);
        let err = locate(&env).unwrap_err().to_string();
        assert!(
            err.contains("credentials.ini exists, and ALIBABA_CLOUD_CREDENTIALS_FILE is not set"),
            "{err}"
        );
        std::fs::write(
            home.join(".alibabacloud/credentials.ini"),
            "[default]\naccess_key_id = i\naccess_key_secret = s\n",
        )
        .unwrap();
        assert!(locate(&env).unwrap().ends_with("credentials.ini"));
        assert_eq!(static_from_env(&env).unwrap().access_key_id(), "i");
        std::fs::write(
            home.join(".alibabacloud/credentials"),
            "[default]\naccess_key_id = j\naccess_key_secret = s\n",
        )
        .unwrap();
        assert!(locate(&env).unwrap().ends_with("credentials"));
        let env = Env::from_vars([
            ("HOME", home.to_str().unwrap()),
            (ENV_CREDENTIALS_FILE, "/elsewhere"),
        ]);
        assert_eq!(locate(&env).unwrap(), Path::new("/elsewhere"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
