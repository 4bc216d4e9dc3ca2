//! Limits on what clients may hold: idle connections (HTTP/1.1 and HTTP/2), slow headers and
//! bodies, the connection cap and the memory budget for bodies in flight. Each limit is set short,
//! and every wait is bounded.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ccc_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use common::{V3, closed_within, on_loopback, send_raw};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Far longer than any limit set in these tests, far shorter than the defaults.
const BOUND: Duration = Duration::from_secs(5);

async fn start(builder: EmulatorBuilder) -> RunningEmulator {
    on_loopback(&builder.build()).await
}

fn signed_reset(addr: SocketAddr) -> Vec<u8> {
    V3::new("ResetAgentState")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "dev-1")
        .build(addr)
}

/// The same request without `connection: close`, so the connection stays open after it.
fn keep_alive(request: Vec<u8>) -> Vec<u8> {
    String::from_utf8(request)
        .unwrap()
        .replace("connection: close\r\n", "")
        .into_bytes()
}

/// Reads one HTTP/1.1 response with a `Content-Length`; returns its status and body.
async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + BOUND;
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap());
            if raw.len() >= end + 4 + length {
                let status = head[9..12].parse().unwrap();
                let body = String::from_utf8_lossy(&raw[end + 4..end + 4 + length]).into_owned();
                return (status, body);
            }
        }
        let n = tokio::time::timeout_at(deadline.into(), stream.read(&mut buf))
            .await
            .expect("a response in time")
            .unwrap();
        assert!(
            n > 0,
            "closed mid-response: {}",
            String::from_utf8_lossy(&raw)
        );
        raw.extend_from_slice(&buf[..n]);
    }
}

#[tokio::test]
async fn idle_http1_connections_are_closed() {
    let emu = start(Emulator::builder().idle_timeout(Duration::from_millis(300))).await;

    // Opened and never used.
    let started = Instant::now();
    let mut silent = TcpStream::connect(emu.addr()).await.unwrap();
    assert!(closed_within(&mut silent, BOUND).await.is_some());
    assert!(started.elapsed() >= Duration::from_millis(250));

    // Kept alive after a request: answered, then closed once idle.
    let mut used = TcpStream::connect(emu.addr()).await.unwrap();
    used.write_all(&keep_alive(signed_reset(emu.addr())))
        .await
        .unwrap();
    let (status, body) = read_response(&mut used).await;
    assert_eq!(status, 200, "{body}");
    let answered = Instant::now();
    let rest = closed_within(&mut used, BOUND)
        .await
        .expect("closed when idle");
    assert!(rest.is_empty());
    assert!(answered.elapsed() >= Duration::from_millis(250));

    // Requests keep a connection open: three, each 150 ms apart, span more than the timeout.
    let mut busy = TcpStream::connect(emu.addr()).await.unwrap();
    for _ in 0..3 {
        busy.write_all(&keep_alive(signed_reset(emu.addr())))
            .await
            .unwrap();
        assert_eq!(read_response(&mut busy).await.0, 200);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// The HTTP/2 connection preface and an empty SETTINGS frame.
const H2_OPENING: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Frame types in a run of HTTP/2 frames.
fn frame_types(mut bytes: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    while bytes.len() >= 9 {
        let len = usize::from(bytes[0]) << 16 | usize::from(bytes[1]) << 8 | usize::from(bytes[2]);
        types.push(bytes[3]);
        bytes = &bytes[(9 + len).min(bytes.len())..];
    }
    types
}

#[tokio::test]
async fn idle_http2_connections_are_closed_on_their_own_timeout() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .http2_idle_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut h2 = TcpStream::connect(emu.addr()).await.unwrap();
    h2.write_all(H2_OPENING).await.unwrap();
    let seen = closed_within(&mut h2, BOUND)
        .await
        .expect("closed when idle");
    const GOAWAY: u8 = 0x7;
    assert!(frame_types(&seen).contains(&GOAWAY), "{seen:?}");

    // HTTP/1.1 keeps its own, longer, timeout.
    let mut h1 = TcpStream::connect(emu.addr()).await.unwrap();
    assert!(
        closed_within(&mut h1, Duration::from_millis(800))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn a_body_dripped_slowly_is_answered_408() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .body_read_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         content-length: 100\r\n\r\nInstanceId=",
        emu.addr()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 50 ms would take 5 s; each byte must not restart the clock.
    let drip = async {
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if stream.write_all(b"x").await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(600), drip).await;
    let (status, body) = read_response(&mut stream).await;
    assert_eq!(status, 408, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["Code"], "RequestTimeout");
    assert!(
        body["Message"].as_str().unwrap().contains("300 ms"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(closed_within(&mut stream, BOUND).await.is_some());
}

#[tokio::test]
async fn headers_sent_slowly_are_cut_off() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .header_read_timeout(Duration::from_millis(300)),
    )
    .await;
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let drip = async {
        for i in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let line = format!("x-h{i}: v\r\n");
            if stream.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(800), drip).await;
    assert!(closed_within(&mut stream, BOUND).await.is_some());
    assert!(started.elapsed() < Duration::from_secs(3));

    // On a kept-alive connection the clock starts at the next head's first byte: idle longer
    // than the timeout between requests is the idle timeout's business.
    let mut kept = TcpStream::connect(emu.addr()).await.unwrap();
    kept.write_all(&keep_alive(signed_reset(emu.addr())))
        .await
        .unwrap();
    assert_eq!(read_response(&mut kept).await.0, 200);
    assert!(
        closed_within(&mut kept, Duration::from_millis(600))
            .await
            .is_none()
    );
    kept.write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let drip = async {
        for i in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let line = format!("x-h{i}: v\r\n");
            if kept.write_all(line.as_bytes()).await.is_err() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_millis(800), drip).await;
    assert!(closed_within(&mut kept, BOUND).await.is_some());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(250) && took < Duration::from_secs(3),
        "{took:?}"
    );
}

#[tokio::test]
async fn connections_past_the_cap_are_answered_503() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .max_connections(3),
    )
    .await;
    // Each held connection has begun a request, so none is idle and none can make room.
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
        stream
            .write_all(b"POST / HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    // Let the emulator accept them and read their first bytes before the next one arrives.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let answer = send_raw(emu.addr(), &signed_reset(emu.addr())).await;
    let body = answer.expect_error(503, "ServiceUnavailable");
    assert!(
        body["Message"].as_str().unwrap().contains("at most 3"),
        "{body}"
    );
    assert_eq!(answer.header("connection"), Some("close"));
    assert!(emu.emulator().refused_connections() >= 1);

    // One closes: a new connection is served again.
    drop(held.pop());
    let deadline = Instant::now() + BOUND;
    loop {
        let answer = send_raw(emu.addr(), &signed_reset(emu.addr())).await;
        if answer.status == Some(200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still refused: {}",
            answer.text()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn at_the_cap_the_connection_idle_longest_makes_room() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .max_connections(3),
    )
    .await;
    let addr = emu.addr();
    // Oldest idle: kept alive after a request.
    let mut oldest = TcpStream::connect(addr).await.unwrap();
    oldest
        .write_all(&keep_alive(signed_reset(addr)))
        .await
        .unwrap();
    assert_eq!(read_response(&mut oldest).await.0, 200);
    // Busy: part of a request's head sent.
    let mut busy = TcpStream::connect(addr).await.unwrap();
    let head = String::from_utf8(keep_alive(signed_reset(addr))).unwrap();
    let (first, rest) = head.split_at(head.find("\r\n").unwrap() + 2);
    busy.write_all(first.as_bytes()).await.unwrap();
    // Idle since more recently.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut recent = TcpStream::connect(addr).await.unwrap();
    recent
        .write_all(&keep_alive(signed_reset(addr)))
        .await
        .unwrap();
    assert_eq!(read_response(&mut recent).await.0, 200);
    tokio::time::sleep(Duration::from_millis(50)).await;

    // A fourth is served, not refused: the connection idle longest is closed to make room.
    let answer = send_raw(addr, &signed_reset(addr)).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(emu.emulator().refused_connections(), 0);
    let rest_of_oldest = closed_within(&mut oldest, BOUND)
        .await
        .expect("the oldest idle connection is closed");
    assert!(rest_of_oldest.is_empty());

    // The others are untouched: the busy one finishes its request, the recent one makes another.
    busy.write_all(rest.as_bytes()).await.unwrap();
    assert_eq!(read_response(&mut busy).await.0, 200);
    recent
        .write_all(&keep_alive(signed_reset(addr)))
        .await
        .unwrap();
    assert_eq!(read_response(&mut recent).await.0, 200);
}

#[tokio::test]
async fn a_connection_is_closed_when_its_first_request_head_does_not_arrive_in_time() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .http2_idle_timeout(Duration::from_secs(60))
            .header_read_timeout(Duration::from_millis(300)),
    )
    .await;
    let addr = emu.addr();
    let started = Instant::now();
    // HTTP/1.1: not a byte sent.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // HTTP/2: the preface and settings, but no request.
    let mut h2 = TcpStream::connect(addr).await.unwrap();
    h2.write_all(H2_OPENING).await.unwrap();
    // A connection whose first request came in time stays open past the timeout.
    let mut used = TcpStream::connect(addr).await.unwrap();
    used.write_all(&keep_alive(signed_reset(addr)))
        .await
        .unwrap();
    assert_eq!(read_response(&mut used).await.0, 200);

    assert!(closed_within(&mut silent, BOUND).await.is_some());
    assert!(started.elapsed() >= Duration::from_millis(250));
    let seen = closed_within(&mut h2, BOUND)
        .await
        .expect("an HTTP/2 connection with no request is closed");
    const GOAWAY: u8 = 0x7;
    assert!(frame_types(&seen).contains(&GOAWAY), "{seen:?}");
    assert!(
        closed_within(&mut used, Duration::from_millis(600))
            .await
            .is_none()
    );
    used.write_all(&keep_alive(signed_reset(addr)))
        .await
        .unwrap();
    assert_eq!(read_response(&mut used).await.0, 200);
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + BOUND;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn form_head(addr: SocketAddr, length: Option<usize>) -> String {
    let length = match length {
        Some(n) => format!("content-length: {n}\r\n"),
        None => "transfer-encoding: chunked\r\n".to_owned(),
    };
    format!(
        "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\n\
         {length}connection: close\r\n\r\n"
    )
}

#[tokio::test]
async fn bodies_in_flight_share_one_memory_budget() {
    let emu = start(
        Emulator::builder()
            .idle_timeout(Duration::from_secs(60))
            .max_body_bytes(64_000)
            .max_body_bytes_in_flight(100_000),
    )
    .await;
    let addr = emu.addr();

    // A declares 60,000 bytes and sends a few: its whole length is reserved.
    let mut a = TcpStream::connect(addr).await.unwrap();
    a.write_all(form_head(addr, Some(60_000)).as_bytes())
        .await
        .unwrap();
    a.write_all(&[b'a'; 1000]).await.unwrap();
    wait_until("A's body is reserved", || {
        emu.emulator().body_bytes_in_flight() >= 60_000
    })
    .await;

    // B's 60,000 bytes do not fit beside it: refused at once.
    let mut b = form_head(addr, Some(60_000)).into_bytes();
    b.extend_from_slice(&[b'b'; 60_000]);
    let answer = send_raw(addr, &b).await;
    let body = answer.expect_error(503, "ServiceUnavailable");
    assert!(
        body["Message"].as_str().unwrap().contains("100000 bytes"),
        "{body}"
    );

    // C sends chunks without a length; refused when it grows past the budget.
    let mut c = TcpStream::connect(addr).await.unwrap();
    c.write_all(form_head(addr, None).as_bytes()).await.unwrap();
    for _ in 0..60 {
        let chunk = format!("3e8\r\n{}\r\n", "c".repeat(1000));
        // Writes may fail once the emulator has answered and closed.
        if c.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let (status, body) = read_response(&mut c).await;
    assert_eq!(status, 503, "{body}");
    assert!(emu.emulator().body_bytes_in_flight() <= 100_000);

    // A finishes and is answered; the budget is given back, and B now fits.
    a.write_all(&[b'a'; 59_000]).await.unwrap();
    let (status, _) = read_response(&mut a).await;
    assert_ne!(status, 503);
    wait_until("the budget is given back", || {
        emu.emulator().body_bytes_in_flight() == 0
    })
    .await;
    let answer = send_raw(addr, &b).await;
    assert_ne!(answer.status, Some(503), "{}", answer.text());
    assert!(answer.status.is_some());
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let emu = start(Emulator::builder().max_body_bytes(1000)).await;
    let mut stream = TcpStream::connect(emu.addr()).await.unwrap();
    stream
        .write_all(form_head(emu.addr(), Some(2000)).as_bytes())
        .await
        .unwrap();
    // Nothing of the body is sent: the declared length alone is enough to refuse.
    let (status, body) = read_response(&mut stream).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("InvalidParameter") && body.contains("Body"),
        "{body}"
    );
    assert_eq!(emu.emulator().body_bytes_in_flight(), 0);
}
