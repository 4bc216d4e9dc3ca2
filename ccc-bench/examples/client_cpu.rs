//! The client's CPU per `ResetAgentState` call against an emulator running elsewhere, for three
//! clients that alternate in one process: the SDK, bare reqwest, and a raw-socket floor.
//!
//! ```text
//! scripts/client-cpu.sh                       # builds, starts a pinned emulator, runs this pinned
//! client_cpu 127.0.0.1:18080 [--calls N] [--rounds R] [--concurrency 1,64]
//! ```
//!
//! - `floor`: no HTTP library. A request laid out once; per call only its date, nonce and
//!   signature are written into it, it goes out in one write, and the answer is read to its
//!   `Content-Length`. What any client pays here for a loopback round trip, plus signing.
//! - `reqwest`: a bare `reqwest::Client`, as an application would use it without the SDK: the
//!   same signed headers, `send`, then `bytes`.
//! - `sdk`: `client.reset_agent_state().instance_id(..).device_id(..).send()`.
//!
//! Every client runs on one current-thread tokio runtime and signs each request afresh (V3),
//! because the emulator refuses a nonce it has seen. Each round runs every client once per
//! concurrency, in a rotating order, so that a change in the machine's load falls on all of them;
//! the figures are the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`) over the calls of one
//! block. The ratios are taken within each round, then their median is shown with the range.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const USAGE: &str = "usage: client_cpu ADDRESS [--calls N] [--rounds R] [--concurrency 1,64] \
                     [--clients floor,reqwest,sdk]";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const QUERY: &str = "DeviceId=bench-device&InstanceId=ccc-test";
const SIGNED_HEADERS: &str =
    "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version";
const KEY_ID: &str = "testid";
const KEY_SECRET: &str = "testsecret";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Floor,
    Reqwest,
    Sdk,
}

const KINDS: [Kind; 3] = [Kind::Floor, Kind::Reqwest, Kind::Sdk];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Floor => "floor",
            Kind::Reqwest => "reqwest",
            Kind::Sdk => "sdk",
        }
    }
}

struct Args {
    addr: SocketAddr,
    calls: u64,
    rounds: usize,
    concurrency: Vec<usize>,
    /// Which clients run (all three by default; one alone is for a profiler).
    kinds: Vec<Kind>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut addr = None;
    let mut a = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        calls: 20_000,
        rounds: 5,
        concurrency: vec![1, 64],
        kinds: KINDS.to_vec(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--calls" => a.calls = value()?.parse().map_err(|e| format!("--calls: {e}"))?,
            "--rounds" => a.rounds = value()?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--concurrency" => {
                a.concurrency = value()?
                    .split(',')
                    .map(|c| c.trim().parse().map_err(|e| format!("--concurrency: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--clients" => {
                a.kinds = value()?
                    .split(',')
                    .map(|c| {
                        KINDS
                            .into_iter()
                            .find(|k| k.name() == c.trim())
                            .ok_or(format!("--clients: no client `{c}`"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other if addr.is_none() && !other.starts_with('-') => {
                addr = Some(
                    other
                        .parse()
                        .map_err(|e| format!("address `{other}`: {e}"))?,
                )
            }
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    a.addr = addr.ok_or(format!("no address\n{USAGE}"))?;
    if a.calls == 0 || a.rounds == 0 || a.concurrency.contains(&0) || a.kinds.is_empty() {
        return Err("--calls, --rounds and each concurrency must be at least 1".into());
    }
    Ok(a)
}

/// The CPU time of this process so far, in nanoseconds, every thread included.
fn cpu_ns() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant Linux defines.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    if rc != 0 {
        return 0;
    }
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

/// `YYYY-MM-DDThh:mm:ssZ` for a count of seconds since 1970.
fn iso8601(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    // Days to a civil date in the proleptic Gregorian calendar, counted from 0000-03-01.
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The per-request part of a V3 signature: date, nonce and signature, for the fixed request the
/// bare clients send.
struct Signature {
    date: String,
    nonce: String,
    signature: String,
}

/// Signs the fixed request afresh: a new date and a nonce never used before by this process
/// (nor by an earlier run, through the start time in `run`).
fn sign(host: &str, run: u128, counter: &AtomicU64) -> Signature {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let date = iso8601(secs);
    let nonce = format!("b{run}-{}", counter.fetch_add(1, Ordering::Relaxed));
    let canonical = format!(
        "POST\n/\n{QUERY}\nhost:{host}\nx-acs-action:ResetAgentState\n\
         x-acs-content-sha256:{EMPTY_SHA256}\nx-acs-date:{date}\nx-acs-signature-nonce:{nonce}\n\
         x-acs-version:2020-07-01\n\n{SIGNED_HEADERS}\n{EMPTY_SHA256}"
    );
    let mut to_sign = String::from("ACS3-HMAC-SHA256\n");
    for b in Sha256::digest(canonical.as_bytes()) {
        let _ = write!(to_sign, "{b:02x}");
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY_SECRET.as_bytes()).expect("any key length");
    mac.update(to_sign.as_bytes());
    let mut signature = String::with_capacity(64);
    for b in mac.finalize().into_bytes() {
        let _ = write!(signature, "{b:02x}");
    }
    Signature {
        date,
        nonce,
        signature,
    }
}

fn authorization(signature: &str) -> String {
    format!(
        "ACS3-HMAC-SHA256 Credential={KEY_ID},SignedHeaders={SIGNED_HEADERS},Signature={signature}"
    )
}

/// What the clients share: where they go, the SDK and reqwest clients (built once, so their
/// pools stay warm from block to block), the floor's open connections, and the nonce counter.
struct Clients {
    addr: SocketAddr,
    host: String,
    run: u128,
    counter: AtomicU64,
    sdk: ccc_sdk::Client,
    reqwest: reqwest::Client,
    url: String,
    sockets: std::cell::RefCell<Vec<FloorConnection>>,
}

struct FloorConnection {
    stream: TcpStream,
    request: Vec<u8>,
    buf: Vec<u8>,
}

impl FloorConnection {
    async fn open(addr: SocketAddr) -> std::io::Result<FloorConnection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(FloorConnection {
            stream,
            request: Vec::with_capacity(1024),
            buf: Vec::with_capacity(8192),
        })
    }

    /// One call: the request written whole, the answer read to its `Content-Length`.
    async fn call(&mut self, clients: &Clients) -> std::io::Result<bool> {
        let s = sign(&clients.host, clients.run, &clients.counter);
        self.request.clear();
        let _ = write!(
            Bytes(&mut self.request),
            "POST /?{QUERY} HTTP/1.1\r\nhost: {host}\r\nx-acs-action: ResetAgentState\r\n\
             x-acs-version: 2020-07-01\r\nx-acs-date: {date}\r\nx-acs-signature-nonce: {nonce}\r\n\
             x-acs-content-sha256: {EMPTY_SHA256}\r\nauthorization: {auth}\r\n\
             content-length: 0\r\n\r\n",
            host = clients.host,
            date = s.date,
            nonce = s.nonce,
            auth = authorization(&s.signature),
        );
        self.stream.write_all(&self.request).await?;
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).unwrap_or_default();
                let ok = head.get(9..12) == Some("200");
                let length: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                if self.buf.len() >= end + 4 + length {
                    self.buf.drain(..end + 4 + length);
                    return Ok(ok);
                }
            }
            if self.buf.len() > 1 << 20 {
                return Err(std::io::ErrorKind::InvalidData.into());
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// `fmt::Write` into a byte buffer.
struct Bytes<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

impl Clients {
    async fn call(&self, kind: Kind, floor: Option<&mut FloorConnection>) -> bool {
        match kind {
            Kind::Sdk => self
                .sdk
                .reset_agent_state()
                .instance_id("ccc-test")
                .device_id("bench-device")
                .send()
                .await
                .is_ok(),
            Kind::Reqwest => {
                let s = sign(&self.host, self.run, &self.counter);
                let sent = self
                    .reqwest
                    .post(&self.url)
                    .header("x-acs-action", "ResetAgentState")
                    .header("x-acs-version", "2020-07-01")
                    .header("x-acs-date", s.date)
                    .header("x-acs-signature-nonce", s.nonce)
                    .header("x-acs-content-sha256", EMPTY_SHA256)
                    .header("authorization", authorization(&s.signature))
                    .send()
                    .await;
                match sent {
                    Ok(response) => {
                        let ok = response.status() == reqwest::StatusCode::OK;
                        response.bytes().await.is_ok() && ok
                    }
                    Err(_) => false,
                }
            }
            Kind::Floor => match floor {
                Some(connection) => connection.call(self).await.unwrap_or(false),
                None => false,
            },
        }
    }
}

/// What one block of calls cost.
struct Block {
    cpu_us_per_call: f64,
    calls_per_s: f64,
    failed: u64,
}

/// Runs `calls` calls of one client, `concurrency` in flight.
async fn block(clients: &Rc<Clients>, kind: Kind, concurrency: usize, calls: u64) -> Block {
    if kind == Kind::Floor {
        let missing = concurrency.saturating_sub(clients.sockets.borrow().len());
        for _ in 0..missing {
            match FloorConnection::open(clients.addr).await {
                Ok(c) => clients.sockets.borrow_mut().push(c),
                Err(e) => eprintln!("floor: cannot connect: {e}"),
            }
        }
    }
    let next = Rc::new(AtomicU64::new(0));
    let failed = Rc::new(AtomicU64::new(0));
    let local = tokio::task::LocalSet::new();
    let cpu_before = cpu_ns();
    let started = Instant::now();
    for _ in 0..concurrency {
        let (clients, next, failed) = (clients.clone(), next.clone(), failed.clone());
        local.spawn_local(async move {
            let mut floor = match kind {
                Kind::Floor => clients.sockets.borrow_mut().pop(),
                _ => None,
            };
            while next.fetch_add(1, Ordering::Relaxed) < calls {
                if !clients.call(kind, floor.as_mut()).await {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            if let Some(connection) = floor {
                clients.sockets.borrow_mut().push(connection);
            }
        });
    }
    local.await;
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_ns().saturating_sub(cpu_before) as f64 / 1e3;
    Block {
        cpu_us_per_call: cpu / calls as f64,
        calls_per_s: calls as f64 / wall,
        failed: failed.load(Ordering::Relaxed),
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let host = args.addr.to_string();
    let sdk = ccc_sdk::Client::new(
        ccc_sdk::Config::builder()
            .endpoint_url(format!("http://{host}"))
            .credentials(ccc_sdk::Credentials::new(KEY_ID, KEY_SECRET))
            .build()?,
    )?;
    let reqwest = reqwest::Client::builder().no_proxy().build()?;
    let clients = Rc::new(Clients {
        addr: args.addr,
        url: format!("http://{host}/?{QUERY}"),
        host,
        run: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
        counter: AtomicU64::new(0),
        sdk,
        reqwest,
        sockets: std::cell::RefCell::new(Vec::new()),
    });
    // Warm up: connections opened, caches and the allocator's pools filled.
    for &c in &args.concurrency {
        for &kind in &args.kinds {
            let b = block(&clients, kind, c, (args.calls / 10).max(c as u64)).await;
            if b.failed > 0 {
                return Err(
                    format!("{}: {} calls failed in the warm-up", kind.name(), b.failed).into(),
                );
            }
        }
    }
    println!("round concurrency client cpu_us_per_call calls_per_s");
    // results[concurrency index][kind index] = one figure per round.
    let mut results = vec![vec![Vec::new(); KINDS.len()]; args.concurrency.len()];
    for round in 0..args.rounds {
        for (ci, &c) in args.concurrency.iter().enumerate() {
            for i in 0..args.kinds.len() {
                let kind = args.kinds[(i + round) % args.kinds.len()];
                let k = kind as usize;
                let b = block(&clients, kind, c, args.calls).await;
                println!(
                    "{round} {c} {} {:.1} {:.0}{}",
                    kind.name(),
                    b.cpu_us_per_call,
                    b.calls_per_s,
                    if b.failed > 0 {
                        format!(" ({} failed)", b.failed)
                    } else {
                        String::new()
                    }
                );
                results[ci][k].push(b.cpu_us_per_call);
            }
        }
    }
    if args.kinds != KINDS {
        return Ok(());
    }
    println!();
    println!(
        "| in flight | floor µs | reqwest µs | SDK µs | SDK / reqwest | reqwest / floor | SDK / floor |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (ci, &c) in args.concurrency.iter().enumerate() {
        let r = &results[ci];
        let ratio = |a: usize, b: usize| -> Vec<f64> {
            r[a].iter().zip(&r[b]).map(|(x, y)| x / y).collect()
        };
        let cell = |v: &[f64]| {
            let (lo, hi) = range(v);
            format!("{:.1} ({lo:.1}–{hi:.1})", median(&mut v.to_vec()))
        };
        let ratio_cell = |v: Vec<f64>| {
            let (lo, hi) = range(&v);
            format!("{:.2}× ({lo:.2}–{hi:.2})", median(&mut v.clone()))
        };
        println!(
            "| {c} | {} | {} | {} | {} | {} | {} |",
            cell(&r[0]),
            cell(&r[1]),
            cell(&r[2]),
            ratio_cell(ratio(2, 1)),
            ratio_cell(ratio(1, 0)),
            ratio_cell(ratio(2, 0)),
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    // The bare reqwest client needs a process-wide TLS provider even for plain http; this is a
    // benchmark binary, so installing one is its own business.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
