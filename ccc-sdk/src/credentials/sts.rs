//! Security Token Service (STS, API 2015-04-01): `AssumeRole`, signed with V1 by the source
//! credentials, and `AssumeRoleWithOIDC`, unsigned.

use std::time::{Duration, SystemTime};

use super::http::{self, Answer};
use super::{
    Credentials, CredentialsError, ENV_STS_ENDPOINT, ENV_STS_REGION, ENV_VPC_ENDPOINT_ENABLED, Env,
};
use crate::signing;

/// The STS API version.
const STS_VERSION: &str = "2015-04-01";
/// The global STS endpoint.
const GLOBAL_HOST: &str = "sts.aliyuncs.com";
/// Default lifetime asked of STS, in seconds, as the official libraries ask.
pub(crate) const DEFAULT_DURATION_SECONDS: u32 = 3600;
/// The shortest lifetime STS grants.
pub(crate) const MIN_DURATION_SECONDS: u32 = 900;
/// STS is a remote API: the SDK's own default timeouts.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);

/// Where STS requests go: `https://sts.aliyuncs.com` unless told otherwise.
///
/// In code or by `ALIBABA_CLOUD_STS_ENDPOINT`, as a host name (HTTPS, as the official libraries
/// read it) or a full URL; plain `http://` only to a loopback address, for tests. Else
/// `ALIBABA_CLOUD_STS_REGION` picks `sts.<region>.aliyuncs.com`, or
/// `sts-vpc.<region>.aliyuncs.com` with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StsEndpoint {
    url: String,
}

impl Default for StsEndpoint {
    fn default() -> Self {
        StsEndpoint {
            url: format!("https://{GLOBAL_HOST}"),
        }
    }
}

impl StsEndpoint {
    /// A host name (`sts.cn-shanghai.aliyuncs.com`) or a URL (`http://127.0.0.1:8080`).
    pub fn new(endpoint: &str) -> Result<Self, CredentialsError> {
        let endpoint = endpoint.trim();
        let url = if endpoint.contains("://") {
            endpoint.to_string()
        } else {
            format!("https://{endpoint}")
        };
        let parsed = http::check_url(&url, false).map_err(|e| e.context("STS endpoint"))?;
        if parsed.query().is_some() || parsed.fragment().is_some() || parsed.path() != "/" {
            return Err(CredentialsError::new(format!(
                "STS endpoint `{}`: only scheme, host and port are allowed",
                http::redact_url(&url)
            )));
        }
        Ok(StsEndpoint {
            url: url.trim_end_matches('/').to_string(),
        })
    }

    /// The endpoint of a region, in its VPC or not.
    pub fn region(region: &str, vpc: bool) -> Result<Self, CredentialsError> {
        if region.is_empty()
            || !region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(CredentialsError::new(format!(
                "STS region `{}` is not a region id (lowercase letters, digits and '-')",
                http::printable(region)
            )));
        }
        let prefix = if vpc { "sts-vpc" } else { "sts" };
        Self::new(&format!("{prefix}.{region}.aliyuncs.com"))
    }

    /// `ALIBABA_CLOUD_STS_ENDPOINT`, else `ALIBABA_CLOUD_STS_REGION` (with
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), else the global endpoint.
    pub fn from_env(env: &Env) -> Result<Self, CredentialsError> {
        if let Some(endpoint) = env.get(ENV_STS_ENDPOINT) {
            return Self::new(&endpoint).map_err(|e| e.context(ENV_STS_ENDPOINT));
        }
        match env.get(ENV_STS_REGION) {
            Some(region) => Self::region(&region, env.is_true(ENV_VPC_ENDPOINT_ENABLED)),
            None => Ok(Self::default()),
        }
    }

    /// The URL requests are sent to.
    pub fn url(&self) -> &str {
        &self.url
    }
}

/// The setters of the session a role builder asks STS for, over its fields `session_name`,
/// `duration_seconds`, `policy` and `endpoint`; the `set_` ones take what a profile or the
/// environment may leave out.
macro_rules! role_session_setters {
    () => {
        /// The session name (`RoleSessionName`); default `ccc-sdk-rust-<unix seconds>`.
        pub fn role_session_name(mut self, name: impl Into<String>) -> Self {
            self.session_name = Some(name.into());
            self
        }

        /// How long the role's credentials last (`DurationSeconds`): at least 900 seconds,
        /// default 3600.
        pub fn duration_seconds(mut self, seconds: u32) -> Self {
            self.duration_seconds = Some(seconds);
            self
        }

        /// A policy (JSON) that narrows the role's permissions for this session (`Policy`).
        pub fn policy(mut self, policy: impl Into<String>) -> Self {
            self.policy = Some(policy.into());
            self
        }

        /// The STS endpoint (default `https://sts.aliyuncs.com`).
        pub fn sts_endpoint(mut self, endpoint: $crate::credentials::StsEndpoint) -> Self {
            self.endpoint = Some(endpoint);
            self
        }

        pub(crate) fn set_session_name(mut self, name: Option<String>) -> Self {
            self.session_name = name;
            self
        }

        pub(crate) fn set_duration_seconds(mut self, seconds: Option<u32>) -> Self {
            self.duration_seconds = seconds;
            self
        }

        pub(crate) fn set_policy(mut self, policy: Option<String>) -> Self {
            self.policy = policy;
            self
        }
    };
}
pub(crate) use role_session_setters;

/// What both assume-role actions ask for.
#[derive(Clone, Debug)]
pub(crate) struct RoleRequest {
    pub(crate) role_arn: String,
    pub(crate) session_name: String,
    pub(crate) duration_seconds: u32,
    pub(crate) policy: Option<String>,
}

impl RoleRequest {
    pub(crate) fn new(
        role_arn: String,
        session_name: Option<String>,
        duration_seconds: Option<u32>,
        policy: Option<String>,
    ) -> Result<Self, CredentialsError> {
        if role_arn.trim().is_empty() {
            return Err(CredentialsError::new("the role ARN is empty"));
        }
        let duration_seconds = duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
        if duration_seconds < MIN_DURATION_SECONDS {
            return Err(CredentialsError::new(format!(
                "a role session lasts at least {MIN_DURATION_SECONDS} seconds; {duration_seconds} was asked"
            )));
        }
        Ok(RoleRequest {
            role_arn,
            session_name: session_name.unwrap_or_else(default_session_name),
            duration_seconds,
            policy,
        })
    }
}

/// `ccc-sdk-rust-<unix seconds>`, as the official libraries name sessions after themselves.
fn default_session_name() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    format!("ccc-sdk-rust-{secs}")
}

/// An HTTP client with STS's timeouts, through the proxy unless the endpoint is this machine.
pub(crate) fn client(endpoint: &StsEndpoint) -> http::Client {
    http::Client::new(endpoint.url(), false, CONNECT_TIMEOUT, TOTAL_TIMEOUT)
}

/// `AssumeRole`, V1-signed with `source`. Every parameter goes in the form body, so that no
/// URL (which errors and proxies may show) carries a signature or a token.
pub(crate) async fn assume_role(
    http: &reqwest::Client,
    endpoint: &StsEndpoint,
    source: &Credentials,
    role: &RoleRequest,
    external_id: Option<&str>,
) -> Result<Credentials, CredentialsError> {
    let timestamp = signing::timestamp(SystemTime::now());
    let nonce = signing::nonce();
    let duration = role.duration_seconds.to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("AccessKeyId", source.access_key_id()),
        ("Action", "AssumeRole"),
        ("DurationSeconds", &duration),
        ("Format", "JSON"),
        ("RoleArn", &role.role_arn),
        ("RoleSessionName", &role.session_name),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", &nonce),
        ("SignatureVersion", "1.0"),
        ("Timestamp", &timestamp),
        ("Version", STS_VERSION),
    ];
    if let Some(token) = source.security_token() {
        params.push(("SecurityToken", token));
    }
    if let Some(policy) = &role.policy {
        params.push(("Policy", policy));
    }
    if let Some(id) = external_id {
        params.push(("ExternalId", id));
    }
    let canonical = form(params.iter().copied(), true);
    let signature = signing::v1_signature(
        source.access_key_secret(),
        &signing::v1_string_to_sign("POST", &canonical),
    );
    params.push(("Signature", &signature));
    let what = format!("STS AssumeRole at {}", endpoint.url());
    post(http, endpoint, &what, form(params.into_iter(), false)).await
}

/// `AssumeRoleWithOIDC`: the OIDC token stands in for a signature.
pub(crate) async fn assume_role_with_oidc(
    http: &reqwest::Client,
    endpoint: &StsEndpoint,
    role: &RoleRequest,
    provider_arn: &str,
    oidc_token: &str,
) -> Result<Credentials, CredentialsError> {
    let timestamp = signing::timestamp(SystemTime::now());
    let duration = role.duration_seconds.to_string();
    let mut params: Vec<(&str, &str)> = vec![
        ("Action", "AssumeRoleWithOIDC"),
        ("DurationSeconds", &duration),
        ("Format", "JSON"),
        ("OIDCProviderArn", provider_arn),
        ("OIDCToken", oidc_token),
        ("RoleArn", &role.role_arn),
        ("RoleSessionName", &role.session_name),
        ("Timestamp", &timestamp),
        ("Version", STS_VERSION),
    ];
    if let Some(policy) = &role.policy {
        params.push(("Policy", policy));
    }
    let what = format!("STS AssumeRoleWithOIDC at {}", endpoint.url());
    post(http, endpoint, &what, form(params.into_iter(), false)).await
}

/// `k=v&k=v`, percent-encoded; sorted when `canonical`.
fn form<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>, canonical: bool) -> String {
    let mut encoded: Vec<(String, String)> = pairs
        .map(|(k, v)| {
            (
                signing::percent_encode(k).into_owned(),
                signing::percent_encode(v).into_owned(),
            )
        })
        .collect();
    if canonical {
        encoded.sort_unstable();
    }
    let mut out = String::new();
    for (k, v) in encoded {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&k);
        out.push('=');
        out.push_str(&v);
    }
    out
}

async fn post(
    http: &reqwest::Client,
    endpoint: &StsEndpoint,
    what: &str,
    body: String,
) -> Result<Credentials, CredentialsError> {
    let request = http
        .post(endpoint.url())
        .header("content-type", signing::FORM_CONTENT_TYPE)
        .header("accept", "application/json")
        .body(body);
    let answer = http::send(what, request).await?;
    read_answer(what, &answer)
}

/// An STS answer: `Credentials` on success, the service's error otherwise.
pub(crate) fn read_answer(what: &str, answer: &Answer) -> Result<Credentials, CredentialsError> {
    if !(200..300).contains(&answer.status) {
        return Err(service_error(what, answer));
    }
    let object = http::json_object(what, answer)?;
    match object.get("Credentials") {
        Some(serde_json::Value::Object(creds)) => {
            http::credentials_from(what, answer.status, creds, "Credentials.")
        }
        None | Some(serde_json::Value::Null) => Err(CredentialsError::new(format!(
            "{what} answered HTTP {} without `Credentials`",
            answer.status
        ))),
        Some(_) => Err(CredentialsError::new(format!(
            "{what} answered HTTP {} with a `Credentials` that is not an object",
            answer.status
        ))),
    }
}

/// `answered HTTP 403: NoPermission: message (request id R)`, from Alibaba's error body.
pub(crate) fn service_error(what: &str, answer: &Answer) -> CredentialsError {
    let object = serde_json::from_slice::<serde_json::Value>(&answer.body).ok();
    let text = |name: &str| {
        object
            .as_ref()
            .and_then(|o| o.get(name))
            .and_then(|v| v.as_str())
            .map(http::printable)
    };
    let mut message = format!("{what} answered HTTP {}", answer.status);
    match (text("Code"), text("Message")) {
        (Some(code), Some(m)) => message.push_str(&format!(": {code}: {m}")),
        (Some(code), None) => message.push_str(&format!(": {code}")),
        _ if answer.body.is_empty() => message.push_str(" with an empty body"),
        _ => message.push_str(" with a body that is not Alibaba Cloud's error"),
    }
    if let Some(id) = text("RequestId") {
        message.push_str(&format!(" (request id {id})"));
    }
    CredentialsError::new(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_from_code_and_environment() {
        assert_eq!(StsEndpoint::default().url(), "https://sts.aliyuncs.com");
        assert_eq!(
            StsEndpoint::new("sts.cn-hangzhou.aliyuncs.com")
                .unwrap()
                .url(),
            "https://sts.cn-hangzhou.aliyuncs.com"
        );
        assert_eq!(
            StsEndpoint::new("http://127.0.0.1:9").unwrap().url(),
            "http://127.0.0.1:9"
        );
        let err = StsEndpoint::new("http://sts.aliyuncs.com")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("STS endpoint: URL `http://sts.aliyuncs.com`: plain http"),
            "{err}"
        );
        let env =
            |vars: &[(&str, &str)]| StsEndpoint::from_env(&Env::from_vars(vars.iter().copied()));
        assert_eq!(env(&[]).unwrap().url(), "https://sts.aliyuncs.com");
        assert_eq!(
            env(&[(ENV_STS_REGION, "cn-shanghai")]).unwrap().url(),
            "https://sts.cn-shanghai.aliyuncs.com"
        );
        assert_eq!(
            env(&[
                (ENV_STS_REGION, "cn-shanghai"),
                (ENV_VPC_ENDPOINT_ENABLED, "true")
            ])
            .unwrap()
            .url(),
            "https://sts-vpc.cn-shanghai.aliyuncs.com"
        );
        assert_eq!(
            env(&[
                (ENV_STS_ENDPOINT, "sts.example.com"),
                (ENV_STS_REGION, "cn-shanghai")
            ])
            .unwrap()
            .url(),
            "https://sts.example.com"
        );
        let err = env(&[(ENV_STS_ENDPOINT, "http://10.1.1.1")])
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("ALIBABA_CLOUD_STS_ENDPOINT: STS endpoint:"),
            "{err}"
        );
        assert!(
            env(&[(ENV_STS_REGION, "cn/../x")])
                .unwrap_err()
                .to_string()
                .contains("not a region id")
        );
    }

    #[test]
    fn durations_below_the_minimum_are_refused() {
        let err = RoleRequest::new("acs:ram::1:role/r".into(), None, Some(899), None).unwrap_err();
        assert!(err.to_string().contains("at least 900 seconds"), "{err}");
        let ok = RoleRequest::new("acs:ram::1:role/r".into(), None, None, None).unwrap();
        assert_eq!(ok.duration_seconds, 3600);
        assert!(ok.session_name.starts_with("ccc-sdk-rust-"));
        assert!(RoleRequest::new(" ".into(), None, None, None).is_err());
    }

    #[test]
    fn error_answers_show_code_message_and_request_id() {
        let refused = |what: &str, status: u16, body: &[u8]| {
            let answer = Answer {
                status,
                body: body.to_vec(),
            };
            read_answer(what, &answer).unwrap_err().to_string()
        };
        assert_eq!(
            refused(
                "STS AssumeRole",
                403,
                br#"{"RequestId":"R-1","Code":"NoPermission","Message":"You are not authorized.\n"}"#
            ),
            "STS AssumeRole answered HTTP 403: NoPermission: You are not authorized. (request id R-1)"
        );
        assert_eq!(
            refused("STS", 502, b"<html>"),
            "STS answered HTTP 502 with a body that is not Alibaba Cloud's error"
        );
        assert_eq!(
            refused("STS", 200, br#"{"RequestId":"x"}"#),
            "STS answered HTTP 200 without `Credentials`"
        );
        assert!(refused("STS", 200, br#"{"Credentials":"x"}"#).contains("not an object"));
    }

    #[test]
    fn canonical_form_is_sorted_and_encoded() {
        assert_eq!(
            form([("b", "x y"), ("a", "1/2")].into_iter(), true),
            "a=1%2F2&b=x%20y"
        );
        assert_eq!(form([("b", "1"), ("a", "2")].into_iter(), false), "b=1&a=2");
    }
}
