//! Measures how many signed `ResetAgentState` calls per second the emulator serves on this machine,
//! with a lean keep-alive client sharing the cores:
//!
//! ```text
//! cargo run --release -p ccc-emulator --example throughput -- [SECONDS] [CONNECTIONS] [ADDRESS]
//! ```
//!
//! Every request is freshly signed (V3), so the emulator does its full work: signature, nonce,
//! state change and a JSON answer.
//!
//! With an `ADDRESS` (`127.0.0.1:18080`), it drives an emulator already running there instead of
//! starting one, and also prints this client's CPU time per call: the floor, on this machine, of
//! what any HTTP client pays per loopback round trip (one write, one read, the wakeups between).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn timestamp() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    ccc_emulator::format_timestamp(secs)
}

fn signed_request(host: &str, nonce: &str, date: &str) -> Vec<u8> {
    let query = "DeviceId=bench-device&InstanceId=ccc-test";
    let canonical = format!(
        "POST\n/\n{query}\nhost:{host}\nx-acs-action:ResetAgentState\nx-acs-content-sha256:{EMPTY_SHA256}\n\
         x-acs-date:{date}\nx-acs-signature-nonce:{nonce}\nx-acs-version:2020-07-01\n\n\
         host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n{EMPTY_SHA256}"
    );
    let to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(b"testsecret").expect("any key length");
    mac.update(to_sign.as_bytes());
    let signature = hex::encode(mac.finalize().into_bytes());
    format!(
        "POST /?{query} HTTP/1.1\r\nhost: {host}\r\nx-acs-action: ResetAgentState\r\nx-acs-version: 2020-07-01\r\n\
         x-acs-date: {date}\r\nx-acs-signature-nonce: {nonce}\r\nx-acs-content-sha256: {EMPTY_SHA256}\r\n\
         authorization: ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;\
         x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={signature}\r\ncontent-length: 0\r\n\r\n"
    )
    .into_bytes()
}

/// This process's CPU time in seconds, user plus system (Linux; `None` elsewhere).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Reads one response; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).unwrap_or_default();
            let status = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
            let length: usize = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                buf.drain(..end + 4 + length);
                return Ok(status);
            }
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn client(
    addr: SocketAddr,
    id: usize,
    stop: Arc<AtomicBool>,
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) {
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        return;
    };
    let _ = stream.set_nodelay(true);
    let host = addr.to_string();
    // Nonces must not repeat across runs against one long-lived emulator.
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut buf = Vec::with_capacity(8192);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let request = signed_request(&host, &format!("bench-{run}-{id}-{n}"), &timestamp());
        if stream.write_all(&request).await.is_err() {
            return;
        }
        match read_response(&mut stream, &mut buf).await {
            Ok(200) => done.fetch_add(1, Ordering::Relaxed),
            Ok(_) => failed.fetch_add(1, Ordering::Relaxed),
            Err(_) => return,
        };
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(16);

    let external: Option<SocketAddr> = match args.next() {
        Some(a) => Some(a.parse().map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("address `{a}`: {e}"),
            )
        })?),
        None => None,
    };
    let server = match external {
        Some(_) => None,
        None => Some(
            ccc_emulator::Emulator::default()
                .start_blocking("127.0.0.1:0".parse().expect("valid address"))?,
        ),
    };
    let addr = external
        .or(server.as_ref().map(|s| s.addr()))
        .expect("one of the two");

    // The client gets one thread of its own; the server's runtime has one per core.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (done, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let stop = Arc::new(AtomicBool::new(false));
    let mut cpu = None;
    let elapsed = runtime.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|id| tokio::spawn(client(addr, id, stop.clone(), done.clone(), failed.clone())))
            .collect();
        // Warm up, then measure.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let start_count = done.load(Ordering::Relaxed);
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        let count = done.load(Ordering::Relaxed) - start_count;
        let elapsed = started.elapsed();
        cpu = cpu_before.zip(cpu_seconds()).map(|(a, b)| b - a);
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        (count, elapsed)
    });
    let (count, elapsed) = elapsed;
    let rate = count as f64 / elapsed.as_secs_f64();
    println!(
        "{count} ResetAgentState calls in {:.2} s over {connections} connections: {rate:.0} calls/s ({} non-200)",
        elapsed.as_secs_f64(),
        failed.load(Ordering::Relaxed)
    );
    // In-process, the emulator's CPU is this process's too: only an external run isolates the
    // client's.
    if let (Some(cpu), true) = (cpu, external.is_some()) {
        println!(
            "client CPU: {:.1} µs per call",
            cpu * 1e6 / count.max(1) as f64
        );
    }
    if let Some(server) = server {
        server.shutdown();
    }
    Ok(())
}
