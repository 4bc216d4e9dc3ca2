//! What a call tells `tracing`: one span per call with its outcome, one event per retry, and
//! never a credential, token or signature in any field or message, whatever the outcome and the
//! signature version. A capturing subscriber written here records everything the SDK emits.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, Credentials, SignatureVersion};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// Real-looking STS credentials: none of these texts may appear in anything traced.
const AK_ID: &str = "STS.NUgYrLnoC37mZZCNnAbez2dhd";
const AK_SECRET: &str = "Trace/Secret+Value=9";
const TOKEN: &str = "CAIS+QJ1q6Ft5B2yfSjIr5bSEsj/hOZ9+oWqLQ==";

/// One span or event as recorded: its name and fields.
#[derive(Clone, Debug, Default)]
struct Recorded {
    name: String,
    fields: BTreeMap<String, String>,
}

#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<BTreeMap<u64, Recorded>>>,
    events: Arc<Mutex<Vec<Recorded>>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> tracing_subscriber::Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut r = Recorded {
            name: format!("{}::{}", attrs.metadata().target(), attrs.metadata().name()),
            ..Recorded::default()
        };
        attrs.record(&mut Fields(&mut r.fields));
        self.spans.lock().unwrap().insert(id.into_u64(), r);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        if let Some(r) = self.spans.lock().unwrap().get_mut(&id.into_u64()) {
            values.record(&mut Fields(&mut r.fields));
        }
    }
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut r = Recorded {
            name: event.metadata().target().to_string(),
            ..Recorded::default()
        };
        event.record(&mut Fields(&mut r.fields));
        self.events.lock().unwrap().push(r);
    }
}

impl Capture {
    fn calls(&self) -> Vec<Recorded> {
        self.spans
            .lock()
            .unwrap()
            .values()
            .filter(|s| s.name == "ccc_sdk::call::call")
            .cloned()
            .collect()
    }
    fn retries(&self) -> Vec<Recorded> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.fields.get("message").map(String::as_str) == Some("retrying"))
            .cloned()
            .collect()
    }
    /// Everything recorded, as text.
    fn all_text(&self) -> String {
        let spans = self.spans.lock().unwrap();
        let events = self.events.lock().unwrap();
        format!("{:?} {:?}", spans.values().collect::<Vec<_>>(), *events)
    }
}

/// A canned loopback server: the n-th connection gets `replies[n]`, or the last one.
fn server(replies: Vec<Vec<u8>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let count = AtomicUsize::new(0);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let n = count.fetch_add(1, Ordering::SeqCst);
            let reply = replies[n.min(replies.len() - 1)].clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                // The head, then as much body as a small request has.
                if ccc_tests::read_head(&mut stream).is_none() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
                let _ = stream.write_all(&reply);
                // A reply that is not all there is held open, so that it times out rather than
                // ends early.
                if !reply.is_empty() {
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        }
    });
    addr
}

fn json(status: u16, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nx-acs-request-id: REQ-{status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Runs `f` on a current-thread runtime with the capture as the default subscriber.
fn traced<F: std::future::Future>(f: impl FnOnce() -> F) -> (F::Output, Capture) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let out = tracing::subscriber::with_default(subscriber, || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async { tokio::time::timeout(Duration::from_secs(30), f()).await })
            .expect("bounded")
    });
    (out, capture)
}

fn client(endpoint: &str, version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .endpoint_url(endpoint)
            .region("cn-shanghai")
            .credentials(Credentials::new(AK_ID, AK_SECRET).with_security_token(TOKEN))
            .signature_version(version)
            .attempt_timeout(Duration::from_millis(500))
            .retry(
                RetryConfig::standard()
                    .with_initial_backoff(Duration::from_millis(2))
                    .with_max_backoff(Duration::from_millis(5)),
            )
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn assert_no_secret(text: &str) {
    for secret in [AK_ID, AK_SECRET, TOKEN, "NUgYrLnoC37", "CAIS+QJ1"] {
        assert!(!text.contains(secret), "`{secret}` traced in: {text}");
        let encoded = secret
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        assert!(!text.contains(&encoded), "`{encoded}` traced in: {text}");
    }
    for signed in ["ACS3-HMAC-SHA256", "Signature", "Credential="] {
        assert!(!text.contains(signed), "`{signed}` traced in: {text}");
    }
}

async fn get_instance(c: &Client) -> Result<(), String> {
    c.get_instance()
        .instance_id("ccc-test")
        .send()
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

#[test]
fn a_success_after_retries_is_one_span_with_its_outcome_and_an_event_per_retry() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let throttled = json(400, r#"{"Code":"Throttling.User","Message":"slow down"}"#);
        let addr = server(vec![
            throttled.clone(),
            throttled,
            json(200, r#"{"RequestId":"REQ-200","Code":"OK"}"#),
        ]);
        let c = client(&format!("http://{addr}"), version);
        let (out, capture) = traced(|| async move { get_instance(&c).await });
        out.expect("the third attempt succeeds");
        let calls = capture.calls();
        assert_eq!(calls.len(), 1, "{calls:?}");
        let f = &calls[0].fields;
        assert_eq!(f["action"], "GetInstance");
        assert_eq!(f["region"], "cn-shanghai");
        assert_eq!(f["attempts"], "3");
        assert_eq!(f["http_status"], "200");
        assert_eq!(f["request_id"], "REQ-200");
        assert!(f["latency_ms"].parse::<f64>().unwrap() > 0.0, "{f:?}");
        assert!(!f.contains_key("error_code"), "{f:?}");
        let retries = capture.retries();
        assert_eq!(retries.len(), 2, "{retries:?}");
        assert_eq!(retries[0].fields["attempt"], "1");
        assert_eq!(retries[0].fields["reason"], "HTTP 400 Throttling.User");
        assert!(retries[1].fields["wait_ms"].parse::<u64>().is_ok());
        assert_no_secret(&capture.all_text());
    }
}

#[test]
fn every_error_kind_is_traced_without_a_secret() {
    let echo = ccc_tests::echo_of_credentials(AK_ID, AK_SECRET, TOKEN);
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        // (endpoint, expected error code)
        let mut cases: Vec<(String, &str)> = vec![
            (format!("http://{closed}"), "Dispatch.Connect"),
            (format!("http://{}", server(vec![Vec::new()])), "Dispatch."),
            (
                format!(
                    "http://{}",
                    server(vec![json(
                        403,
                        &format!(
                            r#"{{"Code":"InvalidAccessKeyId.NotFound {AK_ID}","Message":"{echo}","RequestId":"{TOKEN}"}}"#
                        )
                    )])
                ),
                "InvalidAccessKeyId.NotFound [redacted]",
            ),
            (
                format!(
                    "http://{}",
                    server(vec![format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nx-acs-request-id: {TOKEN}\r\nContent-Length: {}\r\n\r\n{echo}",
                        echo.len()
                    )
                    .into_bytes()])
                ),
                "Response",
            ),
            (
                format!(
                    "http://{}",
                    server(vec![
                        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".to_vec()
                    ])
                ),
                "Timeout.Attempt",
            ),
        ];
        cases.push((format!("http://{closed}"), "Credentials"));
        for (i, (endpoint, code)) in cases.into_iter().enumerate() {
            let c = if code == "Credentials" {
                Client::new(
                    Config::builder()
                        .endpoint_url(&endpoint)
                        .credentials(
                            ccc_sdk::credentials::CredentialsUriProvider::new(format!(
                                "{endpoint}/creds?token={TOKEN}"
                            ))
                            .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
                .unwrap()
            } else {
                client(&endpoint, version)
            };
            let (out, capture) = traced(|| async move { get_instance(&c).await });
            let err = out.expect_err("fails");
            let calls = capture.calls();
            assert_eq!(calls.len(), 1, "case {i}: {calls:?}");
            let f = &calls[0].fields;
            assert!(
                f.get("error_code").is_some_and(|c| c.starts_with(code)),
                "case {i} ({err}): {f:?}"
            );
            assert!(f.contains_key("attempts"), "case {i}: {f:?}");
            assert_no_secret(&capture.all_text());
        }
    }
}
