//! Calls by name, for tools that read the API from a table rather than from types: the `ccc`
//! command line is one. A [`RawAction`] names an action and states its method and whether it
//! is safe to repeat; [`Client::raw_request`](crate::Client::raw_request) gives a
//! [`RawRequest`] that takes wire parameters as text and answers the response body as JSON, with
//! the service's wire names.
//!
//! A raw call goes through the client's one call path, as a typed `send()` does: the same
//! signing, credentials, retries, timeouts, error classes and redaction. What it does not do is
//! what the types do: it checks no parameter (a tool checks values against its own table
//! first) and keeps every field of the answer, known to the spec or not.
//!
//! ```
//! use ccc_sdk::raw::{HttpMethod, ParamLocation, RawAction};
//! # use ccc_sdk::{Client, Config, Credentials};
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = ccc_emulator::Emulator::builder().build().start("127.0.0.1:0".parse()?).await?;
//! # let client = Client::new(Config::builder().endpoint_url(emulator.endpoint())
//! #     .credentials(Credentials::new("testid", "testsecret")).build()?)?;
//! static GET_USER: RawAction = RawAction::new("GetUser", HttpMethod::Post, true);
//!
//! let user = client
//!     .raw_request(&GET_USER)
//!     .param(ParamLocation::Query, "InstanceId", "ccc-test")
//!     .param(ParamLocation::Query, "UserId", "agent-ann@ccc-test")
//!     .send()
//!     .await?;
//! assert_eq!(user["Data"]["UserId"], "agent-ann@ccc-test");
//! # Ok(())
//! # }
//! ```
//!
//! A listing pages through the SDK's own [`Paginator`] (the same rules for where it ends) with
//! [`RawRequest::into_paginator`], given the [`RawPaging`] facts of the action.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde_json::Value;

use crate::client::{Method, Operation};
use crate::codec::Params;
use crate::config::CallOptions;
use crate::error::{SdkError, ServiceError};
use crate::failure::{Failure, Secrets};
use crate::paginator::{Cursor, PageFacts, PageFuture, PageStyle, Paginate, Paginator, Start};

/// The HTTP method an action is sent with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`: every parameter in the query.
    Get,
    /// `POST`.
    Post,
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamLocation {
    /// The URL's query string.
    Query,
    /// The form body.
    Body,
}

/// An action named at run time: its wire name, method and whether it is safe to repeat (which
/// decides, as for a typed call, whether an attempt that may have reached the service is
/// retried). Made in a `static` so that requests can borrow it for as long as they live.
#[derive(Debug)]
pub struct RawAction {
    op: Operation,
}

impl RawAction {
    /// An action: `RawAction::new("ListUsers", HttpMethod::Post, true)`.
    pub const fn new(action: &'static str, method: HttpMethod, idempotent: bool) -> RawAction {
        RawAction {
            op: Operation {
                action,
                method: match method {
                    HttpMethod::Get => Method::Get,
                    HttpMethod::Post => Method::Post,
                },
                idempotent,
            },
        }
    }

    /// The wire name, e.g. `ListUsers`.
    pub fn name(&self) -> &'static str {
        self.op.action
    }

    /// The HTTP method.
    pub fn method(&self) -> HttpMethod {
        match self.op.method {
            Method::Get => HttpMethod::Get,
            Method::Post => HttpMethod::Post,
        }
    }

    /// Whether the action is safe to repeat.
    pub fn idempotent(&self) -> bool {
        self.op.idempotent
    }
}

/// One parameter of a raw request.
#[derive(Clone, PartialEq, Eq)]
struct RawParam {
    location: ParamLocation,
    name: String,
    value: String,
    /// A secret: never shown by `Debug` or a [`DryRun`].
    sensitive: bool,
}

impl fmt::Debug for RawParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &str = if self.sensitive {
            REDACTED
        } else {
            &self.value
        };
        write!(f, "{:?}={value:?} ({:?})", self.name, self.location)
    }
}

/// What a [`DryRun`] shows in place of a secret or a signature.
pub const REDACTED: &str = "[redacted]";

/// A request of an action named at run time: see [the module](self).
#[derive(Clone, Debug)]
#[must_use = "nothing is sent until `send` is awaited"]
pub struct RawRequest {
    client: crate::Client,
    action: &'static RawAction,
    params: Vec<RawParam>,
    options: CallOptions,
}

impl crate::Client {
    /// A request of `action`, with no parameter yet: see [`raw`](crate::raw).
    pub fn raw_request(&self, action: &'static RawAction) -> RawRequest {
        RawRequest {
            client: self.clone(),
            action,
            params: Vec::new(),
            options: CallOptions::default(),
        }
    }
}

impl RawRequest {
    /// Sets the parameter `name` (a wire name, e.g. `InstanceId`) to `value`, as the service
    /// reads it: a list or a struct as its JSON text, or flattened by the caller (`Name.1`).
    /// Setting a name again replaces its value.
    pub fn param(
        self,
        location: ParamLocation,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.set(location, name.into(), value.into(), false)
    }

    /// As [`param`](Self::param), for a secret (a password): its value is sent as it is, but
    /// `Debug` and [`dry_run`](Self::dry_run) show it as `[redacted]`.
    pub fn secret_param(
        self,
        location: ParamLocation,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.set(location, name.into(), value.into(), true)
    }

    fn set(
        mut self,
        location: ParamLocation,
        name: String,
        value: String,
        sensitive: bool,
    ) -> Self {
        self.params.retain(|p| p.name != name);
        self.params.push(RawParam {
            location,
            name,
            value,
            sensitive,
        });
        self
    }

    /// The value of the parameter `name`, if set.
    pub fn get_param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// The action this request calls.
    pub fn action(&self) -> &'static RawAction {
        self.action
    }

    /// Per-call settings (timeouts, retries, idempotence) over the client's.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    fn wire_params(&self) -> Params<'_> {
        let mut params = Params::default();
        for p in &self.params {
            let pair = (Cow::Owned(p.name.clone()), Cow::Borrowed(p.value.as_str()));
            match p.location {
                ParamLocation::Query => params.query.push(pair),
                ParamLocation::Body => params.body.push(pair),
            }
        }
        params
    }

    /// Sends the request through the client's call path and answers the response body as JSON
    /// (an XML answer is read into the same tree). A service error is a
    /// [`SdkError::Service`] holding the [`ServiceError`] with its code, message and request id.
    pub async fn send(self) -> Result<Value, SdkError<ServiceError>> {
        let params = self.wire_params();
        self.client
            .call::<(), Value, ServiceError>(&self.action.op, &(), params, &self.options)
            .await
    }

    /// The request as it would be sent now, signed with the client's credentials, without
    /// sending it: method, URL, headers and body, with the AccessKey id, the security token,
    /// the signature and every [`secret_param`](Self::secret_param) shown as `[redacted]`.
    /// Asks the credentials provider (which may fetch temporary credentials); sends nothing to
    /// the service.
    pub async fn dry_run(&self) -> Result<DryRun, SdkError<ServiceError>> {
        let creds = self
            .client
            .credentials()
            .await
            .map_err(|e| Failure::Credentials(e).into_sdk_error(1))?;
        let params = self.wire_params();
        let request = self
            .client
            .prepare(&self.action.op, &params, &creds)
            .map_err(|f| f.into_sdk_error(0))?;
        let secrets = Secrets::of(&creds);
        let redact = |text: &str| {
            let mut text = text.to_owned();
            secrets.redact(&mut text);
            for p in self
                .params
                .iter()
                .filter(|p| p.sensitive && !p.value.is_empty())
            {
                for form in [
                    Cow::Borrowed(p.value.as_str()),
                    crate::signing::percent_encode(&p.value),
                    Cow::Owned(form_encode(&p.value)),
                ] {
                    if text.contains(form.as_ref()) {
                        text = text.replace(form.as_ref(), REDACTED);
                    }
                }
            }
            text
        };
        // The query as sent, with a V1 signature's value hidden.
        let mut url = request.url().clone();
        let query = url.query().map(|query| {
            query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("Signature", _)) => format!("Signature={REDACTED}"),
                    _ => pair.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("&")
        });
        url.set_query(None);
        let url = match query {
            Some(query) => format!("{url}?{query}"),
            None => url.to_string(),
        };
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes());
                let value = if name == "authorization" {
                    redact_authorization(&value)
                } else {
                    value.into_owned()
                };
                (name.as_str().to_owned(), redact(&value))
            })
            .collect();
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .map(|b| redact(&String::from_utf8_lossy(b)))
            .unwrap_or_default();
        Ok(DryRun {
            method: request.method().as_str().to_owned(),
            url: redact(&url),
            headers,
            body,
        })
    }

    /// Every page of the listing, through the SDK's [`Paginator`] (see there for where it
    /// ends), each page this request with the page's number or token, and its size, set as
    /// `paging` says. `S` is [`ByNumber`] or [`ByToken`], as `paging.style` is; a mismatch
    /// gives no page.
    pub fn into_paginator<S: RawPageStyle>(
        self,
        paging: &'static RawPaging,
    ) -> Paginator<RawPages<S>> {
        Paginator::new(RawPages {
            request: self,
            paging,
            style: PhantomData,
        })
    }
}

/// `application/x-www-form-urlencoded` as the form body carries a value (space as `+`).
fn form_encode(s: &str) -> String {
    reqwest::Url::parse_with_params("x:", [("", s)])
        .ok()
        .and_then(|u| u.query().map(|q| q.trim_start_matches('=').to_owned()))
        .unwrap_or_default()
}

/// The V3 `Authorization` header with its credential and signature hidden:
/// `ACS3-HMAC-SHA256 Credential=[redacted],SignedHeaders=…,Signature=[redacted]`.
fn redact_authorization(value: &str) -> String {
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    let parts: Vec<String> = rest
        .split(',')
        .map(|part| match part.split_once('=') {
            Some((k, _)) if k.trim() == "Credential" || k.trim() == "Signature" => {
                format!("{k}={REDACTED}")
            }
            _ => part.to_owned(),
        })
        .collect();
    format!("{scheme} {}", parts.join(","))
}

/// A request laid out as it would be sent, secrets hidden: made by [`RawRequest::dry_run`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DryRun {
    /// `GET` or `POST`.
    pub method: String,
    /// The URL with its query (a V1 signature's `Signature` hidden).
    pub url: String,
    /// The headers, in order (`authorization` with its credential and signature hidden).
    pub headers: Vec<(String, String)>,
    /// The form body; empty when there is none.
    pub body: String,
}

/// How a listing of an action answers page by page: the facts `ccc_spec::rules::pagination`
/// gives, with wire names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawPaging {
    /// How the next page is asked for.
    pub style: RawPageStyleFacts,
    /// The top-level response field holding the page, e.g. `Data`.
    pub page: &'static str,
    /// The page's list of items, e.g. `List`.
    pub items: &'static str,
    /// The parameter setting a page's size (`PageSize`), when the action has one.
    pub size: Option<&'static str>,
    /// The page size asked for when none is set: the most the action takes.
    pub default_size: Option<i64>,
}

/// How the next page is asked for, with the wire names involved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RawPageStyleFacts {
    /// By number from 1.
    Number {
        /// The request parameter, `PageNumber`.
        parameter: &'static str,
        /// The page's count of all items, `TotalCount`.
        total: &'static str,
        /// The page's own number, when it states one.
        number: Option<&'static str>,
    },
    /// By the token the previous page gave.
    Token {
        /// The request parameter, `NextPageToken`.
        parameter: &'static str,
        /// The page's token of the next page.
        next: &'static str,
    },
}

/// [`ByNumber`] or [`ByToken`]: the paging style of a [`RawPages`], as a type (the paginator
/// knows its style at compile time).
pub trait RawPageStyle: Send + Sync + 'static + private::Sealed {
    /// The style.
    const STYLE: PageStyle;
}

/// Pages by number.
#[derive(Clone, Copy, Debug)]
pub enum ByNumber {}

/// Pages by token.
#[derive(Clone, Copy, Debug)]
pub enum ByToken {}

mod private {
    pub trait Sealed {}
    impl Sealed for super::ByNumber {}
    impl Sealed for super::ByToken {}
}

impl RawPageStyle for ByNumber {
    const STYLE: PageStyle = PageStyle::Number;
}

impl RawPageStyle for ByToken {
    const STYLE: PageStyle = PageStyle::Token;
}

/// A raw request that pages: what [`RawRequest::into_paginator`] hands the [`Paginator`].
#[derive(Debug)]
pub struct RawPages<S> {
    request: RawRequest,
    paging: &'static RawPaging,
    style: PhantomData<fn() -> S>,
}

impl<S> Clone for RawPages<S> {
    fn clone(&self) -> Self {
        RawPages {
            request: self.request.clone(),
            paging: self.paging,
            style: PhantomData,
        }
    }
}

impl<S: RawPageStyle> crate::paginator::Sealed for RawPages<S> {}

/// An integer as a page carries it: a JSON number, or its text.
fn integer(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl<S: RawPageStyle> RawPages<S> {
    /// Where the request already sends `name` (the query when it does not send it yet).
    fn location(&self, name: &str) -> ParamLocation {
        self.request
            .params
            .iter()
            .find(|p| p.name == name)
            .map_or(ParamLocation::Query, |p| p.location)
    }
}

/// One page of a raw listing: the response body, read with the listing's [`RawPaging`].
#[derive(Clone, Debug, PartialEq)]
pub struct RawPage {
    body: Value,
    paging: &'static RawPaging,
}

impl RawPage {
    /// The response body.
    pub fn body(&self) -> &Value {
        &self.body
    }

    /// The response body, taken out.
    pub fn into_body(self) -> Value {
        self.body
    }

    /// The page's list of items (an XML answer holds a one-item list as the item itself).
    fn items(&self) -> &[Value] {
        match self
            .body
            .get(self.paging.page)
            .and_then(|p| p.get(self.paging.items))
        {
            Some(Value::Array(items)) => items,
            Some(one @ Value::Object(_)) => std::slice::from_ref(one),
            _ => &[],
        }
    }
}

impl<S: RawPageStyle> Paginate for RawPages<S> {
    type Page = RawPage;
    type Item = Value;
    type Error = ServiceError;
    const STYLE: PageStyle = S::STYLE;

    fn start(&self) -> Start {
        let (number, token) = match self.paging.style {
            RawPageStyleFacts::Number { parameter, .. } => (
                self.request
                    .get_param(parameter)
                    .and_then(|v| v.trim().parse().ok()),
                None,
            ),
            RawPageStyleFacts::Token { parameter, .. } => {
                (None, self.request.get_param(parameter).map(str::to_owned))
            }
        };
        let size = self
            .paging
            .size
            .and_then(|p| self.request.get_param(p))
            .and_then(|v| v.trim().parse().ok())
            .or(self.paging.default_size);
        Start {
            number,
            token,
            size,
        }
    }

    fn at(mut self, cursor: Cursor<'_>) -> Option<Self> {
        match (self.paging.style, S::STYLE) {
            (RawPageStyleFacts::Number { parameter, .. }, PageStyle::Number) => {
                if let Some(n) = cursor.number {
                    let at = self.location(parameter);
                    self.request = self.request.param(at, parameter, n.to_string());
                }
            }
            (RawPageStyleFacts::Token { parameter, .. }, PageStyle::Token) => {
                if let Some(token) = cursor.token {
                    let at = self.location(parameter);
                    self.request = self.request.param(at, parameter, token);
                }
            }
            // The style named by the type is not the listing's: no page.
            _ => return None,
        }
        if let (Some(size), Some(parameter)) = (cursor.size, self.paging.size) {
            let at = self.location(parameter);
            self.request = self.request.param(at, parameter, size.to_string());
        }
        Some(self)
    }

    fn send_page(self) -> PageFuture<RawPage, ServiceError> {
        let paging = self.paging;
        Box::pin(async move {
            let body = self.request.send().await?;
            Ok(RawPage { body, paging })
        })
    }

    fn facts(page: &RawPage) -> PageFacts<'_> {
        let Some(p) = page.body.get(page.paging.page) else {
            return PageFacts::default();
        };
        let items = page.items().len();
        match page.paging.style {
            RawPageStyleFacts::Number { total, number, .. } => PageFacts {
                items,
                total: integer(p.get(total)),
                number: number.and_then(|n| integer(p.get(n))),
                ..Default::default()
            },
            RawPageStyleFacts::Token { next, .. } => PageFacts {
                items,
                next_token: p.get(next).and_then(Value::as_str),
                ..Default::default()
            },
        }
    }

    fn into_items(page: RawPage) -> Vec<Value> {
        let RawPage { mut body, paging } = page;
        match body
            .get_mut(paging.page)
            .and_then(|p| p.get_mut(paging.items))
            .map(Value::take)
        {
            Some(Value::Array(items)) => items,
            Some(one @ Value::Object(_)) => vec![one],
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Client, Config, Credentials};

    static GET_USER: RawAction = RawAction::new("GetUser", HttpMethod::Post, true);
    static LIST_USERS: RawAction = RawAction::new("ListUsers", HttpMethod::Post, true);
    static RESET_PASSWORD: RawAction = RawAction::new("ResetUserPassword", HttpMethod::Post, false);
    static LIST_GROUP_CHAT: RawAction =
        RawAction::new("ListGroupChatMessages", HttpMethod::Post, true);
    static USERS: RawPaging = RawPaging {
        style: RawPageStyleFacts::Number {
            parameter: "PageNumber",
            total: "TotalCount",
            number: Some("PageNumber"),
        },
        page: "Data",
        items: "List",
        size: Some("PageSize"),
        default_size: Some(100),
    };
    static CHAT: RawPaging = RawPaging {
        style: RawPageStyleFacts::Token {
            parameter: "NextPageToken",
            next: "NextPageToken",
        },
        page: "Data",
        items: "Messages",
        size: Some("PageSize"),
        default_size: Some(100),
    };

    const ID: &str = "STS.NTyq3Uv8Kx2Rm5Zw9Hc4Pd7Lb";
    const SECRET: &str = "7Fh2Kp9Xw4Rz6Nm3Qv8Tb5Lc1Gd0Sy";
    const TOKEN: &str = "CAIS9AJ1q6Ft5B2yfSjIr5bSEtTn3Ld4+ZbWa1f1Rm0tf9pZjLfKtDz2IHpKeXlsBOobsv4=";

    async fn with_emulator<F: std::future::Future<Output = ()>>(
        rows: usize,
        test: impl FnOnce(Client, ccc_emulator::RunningEmulator) -> F,
    ) {
        let emu = ccc_emulator::Emulator::builder()
            .access_key("testid", "testsecret")
            .sts_credentials(ID, SECRET, TOKEN)
            .listing_rows(rows)
            .build()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let client = Client::new(
            Config::builder()
                .endpoint_url(emu.endpoint())
                .credentials(Credentials::new("testid", "testsecret"))
                .build()
                .unwrap(),
        )
        .unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(30), test(client, emu))
            .await
            .expect("the test finishes in time");
    }

    #[tokio::test]
    async fn a_raw_call_answers_what_the_typed_call_does() {
        with_emulator(0, |c, emu| async move {
            let _serving = &emu;
            let raw = c
                .raw_request(&GET_USER)
                .param(ParamLocation::Query, "InstanceId", "ccc-test")
                .param(ParamLocation::Query, "UserId", "agent-ann@ccc-test")
                .send()
                .await
                .unwrap();
            let typed = c
                .get_user()
                .instance_id("ccc-test")
                .user_id("agent-ann@ccc-test")
                .send()
                .await
                .unwrap()
                .to_json();
            assert_eq!(raw["Data"], typed["Data"]);
            let e = c
                .raw_request(&GET_USER)
                .param(ParamLocation::Query, "InstanceId", "ccc-test")
                .param(ParamLocation::Query, "UserId", "nobody@ccc-test")
                .send()
                .await
                .unwrap_err();
            assert_eq!(e.code(), Some("NotExists.UserId"));
            assert!(e.request_id().is_some());
        })
        .await;
    }

    #[tokio::test]
    async fn a_raw_listing_pages_by_number_and_by_token_through_the_paginator() {
        with_emulator(250, |c, emu| async move {
            let mut users = c
                .raw_request(&LIST_USERS)
                .param(ParamLocation::Query, "InstanceId", "ccc-test")
                .into_paginator::<ByNumber>(&USERS)
                .page_size(2)
                .items();
            let mut n = 0;
            while let Some(user) = users.next().await {
                assert!(user.unwrap()["UserId"].is_string());
                n += 1;
            }
            assert_eq!(n, 4, "the seeded centre's users");
            assert_eq!(emu.requests("ListUsers"), 2);

            let messages = c
                .raw_request(&LIST_GROUP_CHAT)
                .param(ParamLocation::Query, "InstanceId", "ccc-test")
                .into_paginator::<ByToken>(&CHAT)
                .items()
                .collect_at_most(1000)
                .await
                .unwrap();
            assert_eq!(messages.len(), 250);
            assert_eq!(emu.requests("ListGroupChatMessages"), 3);

            // The style of the type must be the listing's: no page otherwise.
            let mut wrong = c
                .raw_request(&LIST_USERS)
                .param(ParamLocation::Query, "InstanceId", "ccc-test")
                .into_paginator::<ByToken>(&USERS);
            assert!(wrong.next().await.is_none());
        })
        .await;
    }

    #[tokio::test]
    async fn a_dry_run_hides_credentials_signature_and_secrets_and_sends_nothing() {
        with_emulator(0, |_, emu| async move {
            for version in [crate::SignatureVersion::V3, crate::SignatureVersion::V1] {
                let c = Client::new(
                    Config::builder()
                        .endpoint_url(emu.endpoint())
                        .credentials(Credentials::new(ID, SECRET).with_security_token(TOKEN))
                        .signature_version(version)
                        .build()
                        .unwrap(),
                )
                .unwrap();
                let request = c
                    .raw_request(&RESET_PASSWORD)
                    .param(ParamLocation::Query, "InstanceId", "ccc-test")
                    .param(ParamLocation::Query, "UserId", "agent-ann@ccc-test")
                    .secret_param(ParamLocation::Query, "Password", "p@ss word+1");
                assert!(!format!("{request:?}").contains("p@ss"));
                let shown = request.dry_run().await.unwrap();
                let text = format!("{shown:?}");
                for secret in [ID, SECRET, TOKEN, "p@ss", "p%40ss"] {
                    assert!(!text.contains(secret), "{version:?} shows {secret}: {text}");
                }
                assert!(text.contains("Password=[redacted]"), "{text}");
                assert!(text.contains("UserId=agent-ann%40ccc-test"), "{text}");
                match version {
                    crate::SignatureVersion::V3 => {
                        let auth = &shown
                            .headers
                            .iter()
                            .find(|(k, _)| k == "authorization")
                            .unwrap()
                            .1;
                        assert!(
                            auth.starts_with(
                                "ACS3-HMAC-SHA256 Credential=[redacted],SignedHeaders="
                            ),
                            "{auth}"
                        );
                        assert!(auth.ends_with(",Signature=[redacted]"), "{auth}");
                    }
                    _ => assert!(shown.url.contains("Signature=[redacted]"), "{}", shown.url),
                }
            }
            assert_eq!(emu.emulator().request_counts().values().sum::<u64>(), 0);
        })
        .await;
    }
}
