//! The SDK against a hostile server: a canned loopback server answers each request with bytes
//! chosen to hurt (deep nesting, huge or endless bodies, drips, redirects, junk, broken
//! chunking, echoed credentials). Nothing may abort, hang, leak a credential, or run twice.
//! Every test is bounded in time by its own client settings and a tokio timeout.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ccc_sdk::error::{DisplayErrorChain, TimeoutKind};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, ConfigBuilder, Credentials, SdkError, SignatureVersion};

/// Real-looking STS credentials: none of these texts may appear in any error.
const AK_ID: &str = "STS.NUgYrLnoC37mZZCNnAbez2dhd";
const AK_SECRET: &str = "Hostile/Secret+Value=9";
const TOKEN: &str = "CAIS+QJ1q6Ft5B2yfSjIr5bSEsj/hOZ9+oWqLQ==";

/// What the server does on one connection after reading the request.
#[derive(Clone)]
enum Reply {
    /// Writes these bytes and closes.
    Bytes(Vec<u8>),
    /// Writes the head, then one byte of body every `every`, for `bytes` bytes.
    Drip {
        head: Vec<u8>,
        every: Duration,
        bytes: usize,
    },
    /// Writes the head, then `chunks` chunks of `chunk` (chunked encoding), then the end.
    Chunked {
        head: Vec<u8>,
        chunk: Vec<u8>,
        chunks: usize,
    },
}

/// A response with the given status, headers and body.
fn http(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut out = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Bytes(bytes)
}

fn json(status: u16, body: &str) -> Reply {
    http(
        status,
        &[
            ("Content-Type", "application/json"),
            ("x-acs-request-id", "REQ-1"),
        ],
        body.as_bytes(),
    )
}

fn xml(status: u16, body: &str) -> Reply {
    http(status, &[("Content-Type", "text/xml")], body.as_bytes())
}

/// A canned loopback server: the n-th connection gets `replies[n]`, or the last one.
struct Server {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<(Instant, String)>>>,
    connections: Arc<AtomicUsize>,
}

impl Server {
    fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (seen, count) = (requests.clone(), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let n = count.fetch_add(1, Ordering::SeqCst);
                let reply = replies[n.min(replies.len() - 1)].clone();
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, reply, &seen));
            }
        });
        Server {
            addr,
            requests,
            connections,
        }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<(Instant, String)> {
        self.requests.lock().unwrap().clone()
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

fn serve(mut stream: TcpStream, reply: Reply, seen: &Mutex<Vec<(Instant, String)>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    seen.lock().unwrap().push((Instant::now(), request));
    // Writes fail once the client gives up; that ends the connection.
    let _ = match reply {
        Reply::Bytes(bytes) => stream.write_all(&bytes),
        Reply::Drip { head, every, bytes } => (|| {
            stream.write_all(&head)?;
            for _ in 0..bytes {
                std::thread::sleep(every);
                stream.write_all(b" ")?;
            }
            Ok(())
        })(),
        Reply::Chunked {
            head,
            chunk,
            chunks,
        } => (|| {
            stream.write_all(&head)?;
            for _ in 0..chunks {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(&chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")
        })(),
    };
}

/// Reads a request's head and its `Content-Length` body, bounded in size.
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if data.len() >= end + 4 + len {
                return Some(String::from_utf8_lossy(&data).into_owned());
            }
        }
        if data.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
}

fn config(endpoint: &str, version: SignatureVersion) -> ConfigBuilder {
    Config::builder()
        .endpoint_url(endpoint)
        .credentials(Credentials::new(AK_ID, AK_SECRET).with_security_token(TOKEN))
        .signature_version(version)
        .attempt_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(20))
        .retry(
            RetryConfig::standard()
                .with_initial_backoff(Duration::from_millis(2))
                .with_max_backoff(Duration::from_millis(10)),
        )
}

fn client(server: &Server) -> Client {
    client_with(config(&server.endpoint(), SignatureVersion::V3))
}

fn client_with(b: ConfigBuilder) -> Client {
    Client::new(b.build().expect("config")).expect("client")
}

type ReadResult = Result<
    ccc_sdk::operation::get_instance::GetInstanceOutput,
    SdkError<ccc_sdk::operation::get_instance::GetInstanceError>,
>;
type ActResult = Result<
    ccc_sdk::operation::make_call::MakeCallOutput,
    SdkError<ccc_sdk::operation::make_call::MakeCallError>,
>;

/// A read-only action: safe to repeat.
async fn read(c: &Client) -> ReadResult {
    bounded(c.get_instance().instance_id("ccc-test").send()).await
}

/// An action that places a call: never sent twice unless it provably did not run.
async fn act(c: &Client) -> ActResult {
    bounded(
        c.make_call()
            .instance_id("ccc-test")
            .caller("8001")
            .callee("13900000000")
            .device_id("dev")
            .send(),
    )
    .await
}

/// No test waits more than 30 s, whatever the client does.
async fn bounded<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("the call ended within its bounds")
}

/// Every way an error can be shown, for leak checks; also checks that no level of its chain
/// repeats what the level below says.
fn shown<E: std::error::Error + 'static>(e: &E) -> String {
    let mut level: &dyn std::error::Error = e;
    while let Some(source) = level.source() {
        let (outer, inner) = (level.to_string(), source.to_string());
        assert!(
            !outer.contains(&inner),
            "said twice: `{outer}` then `{inner}`"
        );
        level = source;
    }
    format!("{e} | {e:?} | {:#} | {}", e, DisplayErrorChain(e))
}

fn assert_no_secret(text: &str) {
    for secret in [AK_ID, AK_SECRET, TOKEN] {
        assert!(!text.contains(secret), "`{secret}` shown in: {text}");
        let encoded: String = secret
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        assert!(!text.contains(&encoded), "`{encoded}` shown in: {text}");
    }
}

fn response_error<E: std::fmt::Debug>(err: &SdkError<E>) -> &ccc_sdk::error::ResponseError {
    match err {
        SdkError::Response(e) => e,
        other => panic!("not a response error: {other:?}"),
    }
}

#[tokio::test]
async fn deep_nesting_is_refused_with_its_limit_never_a_crash() {
    let deep_xml = "<a>".repeat(8_000) + &"</a>".repeat(8_000);
    let deep_json = "[".repeat(8_000) + &"]".repeat(8_000);
    let deep_json_object = "{\"a\":".repeat(8_000) + "1" + &"}".repeat(8_000);
    for status in [200, 500] {
        for reply in [
            xml(status, &deep_xml),
            json(status, &deep_json),
            json(status, &deep_json_object),
        ] {
            let server = Server::start(vec![reply]);
            let c = client_with(
                config(&server.endpoint(), SignatureVersion::V3).retry(RetryConfig::disabled()),
            );
            let err = read(&c).await.unwrap_err();
            let e = response_error(&err);
            assert_eq!(e.http_status(), status);
            assert!(
                e.reason().contains("deeper than 128 levels"),
                "{}",
                e.reason()
            );
        }
    }
}

#[tokio::test]
async fn many_repeated_names_decode_in_linear_time() {
    // 200,000 distinct names, each twice: a scan per child would take minutes.
    let mut body = String::from("<GetInstanceResponse>");
    for round in 0..2 {
        for i in 0..200_000 {
            body.push_str(&format!("<N{i}>{round}</N{i}>"));
        }
    }
    body.push_str("<RequestId>R</RequestId></GetInstanceResponse>");
    let server = Server::start(vec![xml(200, &body)]);
    let c =
        client_with(config(&server.endpoint(), SignatureVersion::V3).max_response_bytes(64 << 20));
    let started = Instant::now();
    let out = read(&c).await.expect("decodes");
    assert_eq!(out.request_id(), Some("R"));
    // Linear work takes well under a second here; a generous bound that only quadratic misses.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_by_its_length_before_it_is_read() {
    // The head announces 100 MB; the server never sends them.
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\nx-acs-request-id: BIG\r\n\r\n";
    let server = Server::start(vec![Reply::Drip {
        head: head.to_vec(),
        every: Duration::from_secs(1),
        bytes: 10,
    }]);
    let started = Instant::now();
    let err = read(&client(&server)).await.unwrap_err();
    let e = response_error(&err);
    assert!(e.reason().contains("100000000 bytes"), "{}", e.reason());
    assert!(
        e.reason().contains("limit of 8388608 bytes"),
        "{}",
        e.reason()
    );
    assert_eq!(e.request_id(), Some("BIG"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "refused without reading"
    );
    assert_eq!(err.attempts(), 1, "a body too large is not retried");
}

#[tokio::test]
async fn a_body_without_length_stops_being_read_at_the_limit() {
    let head =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    // 64 MiB offered in 64 KiB chunks; the client stops after 1 MiB.
    let server = Server::start(vec![Reply::Chunked {
        head: head.to_vec(),
        chunk: vec![b' '; 64 << 10],
        chunks: 1024,
    }]);
    let c =
        client_with(config(&server.endpoint(), SignatureVersion::V3).max_response_bytes(1 << 20));
    let err = read(&c).await.unwrap_err();
    let e = response_error(&err);
    assert!(
        e.reason().contains("over the limit of 1048576 bytes"),
        "{}",
        e.reason()
    );
}

#[tokio::test]
async fn a_huge_error_body_is_read_only_to_the_error_limit() {
    let head = b"HTTP/1.1 500 Internal\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    let server = Server::start(vec![Reply::Chunked {
        head: head.to_vec(),
        chunk: vec![b'x'; 64 << 10],
        chunks: 1600,
    }]);
    let err = read(&client(&server)).await.unwrap_err();
    let e = response_error(&err);
    assert_eq!(e.http_status(), 500);
    assert!(
        e.reason().contains("limit of 65536 bytes"),
        "{}",
        e.reason()
    );
}

#[tokio::test]
async fn a_dripped_body_ends_at_the_attempt_bound() {
    // One byte every 100 ms restarts a read timeout forever; the attempt bound does not restart.
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    let server = Server::start(vec![Reply::Drip {
        head: head.to_vec(),
        every: Duration::from_millis(100),
        bytes: 1000,
    }]);
    let c = client_with(
        config(&server.endpoint(), SignatureVersion::V3)
            .read_timeout(Duration::from_secs(1))
            .attempt_timeout(Duration::from_millis(700))
            .retry(RetryConfig::disabled()),
    );
    let started = Instant::now();
    let err = read(&c).await.unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Attempt);
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn every_call_is_bounded_under_the_default_config() {
    let config = Config::builder()
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new("id", "secret"))
        .build()
        .unwrap();
    assert_eq!(config.attempt_timeout(), Duration::from_secs(30));
    assert_eq!(config.operation_timeout(), Duration::from_secs(60));
    assert_eq!(config.max_response_bytes(), 8 << 20);
}

#[tokio::test]
async fn redirects_are_not_followed_and_name_only_the_host() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let elsewhere = Server::start(vec![json(200, r#"{"RequestId":"ELSEWHERE","Code":"OK"}"#)]);
        let location = format!(
            "http://{}/?SecurityToken={TOKEN}&AccessKeyId={AK_ID}",
            elsewhere.addr
        );
        let server = Server::start(vec![http(307, &[("Location", &location)], b"")]);
        let c = client_with(config(&server.endpoint(), version));
        let err = read(&c).await.unwrap_err();
        let e = response_error(&err);
        assert_eq!(e.http_status(), 307);
        assert!(
            e.reason()
                .contains(&format!("to host `{}`", elsewhere.addr)),
            "{}",
            e.reason()
        );
        assert_no_secret(&shown(&err));
        assert_eq!(
            elsewhere.connections(),
            0,
            "{version:?}: nothing reached the other host"
        );
        let sent = &server.requests()[0].1;
        assert!(!sent.contains("referer"), "{sent}");
    }
}

#[tokio::test]
async fn junk_with_status_200_is_not_a_success() {
    for (ct, body) in [
        ("application/json", "null"),
        ("application/json", "\"\""),
        ("application/json", "[]"),
        ("application/json", "[{\"RequestId\":\"R\"}]"),
        ("text/html", "<html><body>Welcome to nginx!</body></html>"),
        (
            "application/xhtml+xml",
            "<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
        ),
        (
            "text/xml",
            "<?xml version='1.0'?><html><body>portal</body></html>",
        ),
        ("text/plain", "OK"),
    ] {
        let server = Server::start(vec![http(
            200,
            &[("Content-Type", ct), ("x-acs-request-id", "JUNK")],
            body.as_bytes(),
        )]);
        let err = read(&client(&server)).await.unwrap_err();
        let e = response_error(&err);
        assert_eq!(
            (e.http_status(), e.request_id()),
            (200, Some("JUNK")),
            "{body}"
        );
        assert!(!e.body_prefix().is_empty(), "{body}");
    }
}

#[tokio::test]
async fn broken_chunking_is_a_dispatch_error() {
    let reply = Reply::Bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n".to_vec(),
    );
    let server = Server::start(vec![reply]);
    let err = read(&client(&server)).await.unwrap_err();
    assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
    // A read is safe to repeat: all three attempts were made.
    assert_eq!((err.attempts(), server.requests().len()), (3, 3));
}

#[tokio::test]
async fn an_action_is_not_sent_again_after_it_may_have_run() {
    let truncated = Reply::Bytes(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Req"
            .to_vec(),
    );
    for reply in [
        truncated,
        json(503, r#"{"Code":"ServiceUnavailable","Message":"busy"}"#),
        Reply::Bytes(Vec::new()),
    ] {
        let server = Server::start(vec![reply]);
        let err = act(&client(&server)).await.unwrap_err();
        assert_eq!(err.attempts(), 1, "{err}");
        assert_eq!(server.requests().len(), 1, "MakeCall was sent once: {err}");
    }
}

#[tokio::test]
async fn an_action_is_retried_when_it_provably_did_not_run() {
    // Nothing listens: the connection cannot be opened.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let c = client_with(config(&format!("http://{closed}"), SignatureVersion::V3));
    let err = act(&c).await.unwrap_err();
    let SdkError::Dispatch(d) = &err else {
        panic!("{err:?}")
    };
    assert!(d.is_connect());
    assert_eq!(err.attempts(), 3);
    // Throttled: the service says it did not run it, and when to come back.
    let throttled = http(
        400,
        &[
            ("Content-Type", "application/json"),
            ("x-acs-retry-after", "300"),
        ],
        br#"{"Code":"Throttling.User","Message":"slow down"}"#,
    );
    let server = Server::start(vec![
        throttled.clone(),
        throttled,
        json(200, r#"{"RequestId":"R","Code":"OK"}"#),
    ]);
    act(&client(&server))
        .await
        .expect("the third attempt succeeds");
    let times: Vec<Instant> = server.requests().iter().map(|(t, _)| *t).collect();
    assert_eq!(times.len(), 3);
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(300),
            "x-acs-retry-after is honoured"
        );
    }
}

#[tokio::test]
async fn no_error_kind_shows_a_credential() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let mut texts = Vec::new();
        // Build: nothing sent.
        let c = client_with(config("http://127.0.0.1:9", version));
        let err = bounded(c.get_instance().send()).await.unwrap_err();
        assert!(matches!(err, SdkError::Build(_)));
        texts.push(shown(&err));
        // Credentials: a token no header can carry.
        let bad = client_with(config("http://127.0.0.1:9", version).credentials(
            Credentials::new(AK_ID, AK_SECRET).with_security_token(format!("{TOKEN}\n")),
        ));
        if let Err(err) = read(&bad).await {
            texts.push(shown(&err));
        }
        // Dispatch: connection refused.
        let closed = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let err = read(&client_with(config(&format!("http://{closed}"), version)))
            .await
            .unwrap_err();
        assert!(matches!(err, SdkError::Dispatch(_)));
        texts.push(shown(&err));
        // Dispatch: the connection dropped after the request; the body cut off.
        for reply in [
            Reply::Bytes(Vec::new()),
            Reply::Bytes(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{".to_vec()),
        ] {
            let server = Server::start(vec![reply]);
            let err = read(&client_with(config(&server.endpoint(), version)))
                .await
                .unwrap_err();
            assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
            texts.push(shown(&err));
        }
        // Timeout.
        let head = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
        let server = Server::start(vec![Reply::Drip {
            head: head.to_vec(),
            every: Duration::from_millis(300),
            bytes: 10,
        }]);
        let c = client_with(
            config(&server.endpoint(), version)
                .attempt_timeout(Duration::from_millis(100))
                .retry(RetryConfig::disabled()),
        );
        let err = read(&c).await.unwrap_err();
        assert!(matches!(err, SdkError::Timeout(_)));
        texts.push(shown(&err));
        // Response and service errors whose bodies echo the request, raw and encoded.
        let echo = ccc_tests::echo_of_credentials(AK_ID, AK_SECRET, TOKEN);
        for reply in [
            http(200, &[("Content-Type", "text/plain")], echo.as_bytes()),
            http(502, &[("Content-Type", "text/html")], echo.as_bytes()),
            json(
                403,
                &format!(
                    r#"{{"Code":"InvalidAccessKeyId.NotFound","Message":"{echo}","RequestId":"{TOKEN}"}}"#
                ),
            ),
        ] {
            let server = Server::start(vec![reply]);
            let c = client_with(config(&server.endpoint(), version).retry(RetryConfig::disabled()));
            let err = read(&c).await.unwrap_err();
            texts.push(shown(&err));
        }
        for text in &texts {
            assert_no_secret(text);
        }
        assert!(texts.iter().any(|t| t.contains("[redacted]")));
    }
}

/// A TLS server whose certificate no store trusts (self-signed, for `localhost`); counts
/// handshakes.
fn untrusted_tls_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let tls = Arc::new(ccc_tests::tls_config(
        "untrusted-cert.pem",
        "untrusted-key.pem",
    ));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let count = handshakes.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let Ok(mut conn) = rustls::ServerConnection::new(tls.clone()) else {
                return;
            };
            // The client refuses the certificate and closes; the handshake ends in an error.
            let _ = conn.complete_io(&mut stream);
        }
    });
    (addr, handshakes)
}

#[tokio::test]
async fn a_certificate_refused_is_not_retried() {
    let (addr, handshakes) = untrusted_tls_server();
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let endpoint = format!("https://localhost:{}", addr.port());
        let Ok(c) = Client::new(config(&endpoint, version).build().unwrap()) else {
            // A host without any certificate store cannot build an https client at all.
            return;
        };
        let before = handshakes.load(Ordering::SeqCst);
        // A read is safe to repeat, yet a refused certificate is not worth another attempt.
        let err = read(&c).await.unwrap_err();
        let SdkError::Dispatch(d) = &err else {
            panic!("{err:?}")
        };
        assert!(d.is_certificate() && d.is_connect(), "{err:?}");
        assert_eq!(err.attempts(), 1);
        assert_eq!(handshakes.load(Ordering::SeqCst) - before, 1);
        let chain = DisplayErrorChain(&err).to_string();
        assert!(chain.contains("certificate"), "{chain}");
        assert_no_secret(&shown(&err));
    }
}

/// Runs one test of this binary in a child process with the given environment.
fn run_child(test: &str, env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--include-ignored"])
        .env("CCC_HOSTILE_CHILD", "1");
    for (k, v) in env {
        // An empty value removes the variable.
        if v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    cmd.output().expect("the child runs")
}

#[test]
fn proxy_variables_do_not_take_loopback_traffic() {
    let proxy = Server::start(vec![json(200, r#"{"RequestId":"PROXY","Code":"OK"}"#)]);
    let proxy_url = format!("http://{}", proxy.addr);
    let out = run_child(
        "proxy_child",
        &[
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("HTTPS_PROXY", &proxy_url),
            ("ALL_PROXY", &proxy_url),
            ("NO_PROXY", ""),
            ("no_proxy", ""),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(proxy.connections(), 0, "the proxy saw the call");
}

#[tokio::test]
#[ignore = "run by proxy_variables_do_not_take_loopback_traffic in a child process"]
async fn proxy_child() {
    assert!(std::env::var("CCC_HOSTILE_CHILD").is_ok());
    let server = Server::start(vec![json(200, r#"{"RequestId":"DIRECT","Code":"OK"}"#)]);
    let out = read(&client(&server)).await.expect("answered directly");
    assert_eq!(out.request_id(), Some("DIRECT"));
}

#[test]
fn a_loopback_client_needs_no_certificate_store() {
    // With SSL_CERT_FILE naming a missing file, the system store reads as empty.
    let out = run_child(
        "no_roots_child",
        &[
            ("SSL_CERT_FILE", "/nonexistent/ca-certificates.pem"),
            ("SSL_CERT_DIR", ""),
        ],
    );
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
#[ignore = "run by a_loopback_client_needs_no_certificate_store in a child process"]
async fn no_roots_child() {
    assert!(std::env::var("CCC_HOSTILE_CHILD").is_ok());
    let server = Server::start(vec![json(200, r#"{"RequestId":"R","Code":"OK"}"#)]);
    read(&client(&server))
        .await
        .expect("a plain-http loopback client needs no roots");
    // An https client cannot work without roots, and says why, keeping the cause.
    let config = config("https://ccc.cn-shanghai.aliyuncs.com", SignatureVersion::V3)
        .build()
        .unwrap();
    let e = Client::new(config).expect_err("no roots, no https client");
    let chain = DisplayErrorChain(&e).to_string();
    assert!(
        chain.starts_with("invalid configuration: cannot build the HTTP client: "),
        "{chain}"
    );
    assert!(chain.contains("No CA certificates"), "{chain}");
}

/// Gives credentials once, then fails: a refresh that breaks between two attempts.
#[derive(Debug, Default)]
struct OnceThenFail(AtomicUsize);

impl ccc_sdk::credentials::ProvideCredentials for OnceThenFail {
    fn provide_credentials(&self) -> ccc_sdk::credentials::ProvideFuture<'_> {
        ccc_sdk::credentials::ProvideFuture::ready(if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            Ok(Credentials::new(AK_ID, AK_SECRET).with_security_token(TOKEN))
        } else {
            Err(ccc_sdk::credentials::CredentialsError::new(
                "the STS endpoint answered 503",
            ))
        })
    }
}

#[tokio::test]
async fn credentials_failing_before_a_retry_count_the_request_already_sent() {
    let throttled = json(400, r#"{"Code":"Throttling.User","Message":"slow down"}"#);
    let server = Server::start(vec![throttled]);
    let c = client_with(
        config(&server.endpoint(), SignatureVersion::V3).credentials(OnceThenFail::default()),
    );
    let err = read(&c).await.unwrap_err();
    let SdkError::Credentials(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!((e.attempts(), err.attempts()), (1, 1));
    assert_eq!(server.requests().len(), 1);
    assert!(err.to_string().contains("(after 1 attempt)"), "{err}");
    assert_no_secret(&shown(&err));
}
