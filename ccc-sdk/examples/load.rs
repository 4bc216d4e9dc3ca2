//! Calls ResetAgentState many times, some in flight at once, and prints one JSON line:
//! `{"calls":…, "ok":…, "errors":…, "wall_s":…, "calls_per_s":…, "runtime":…,
//! "signature_version":…, "http2":…, "allocations_per_call":…, "cpu_s":…, "cpu_us_per_call":…}`.
//!
//! ```text
//! cargo run --release -p ccc-sdk --example load -- --calls 10000 --concurrency 64
//! ```
//!
//! Against `CCC_ENDPOINT` (read and checked by the SDK, with credentials from the default chain)
//! when set, else against an emulator started in this process. `cpu_s` is this process's CPU
//! time (user + system, from `/proc/self/stat`; absent elsewhere): with an external endpoint it
//! is the client's alone.
//!
//! `--threads 1` (the default) runs on tokio's current-thread runtime; more threads use the
//! multi-thread runtime with that many workers. `--http2` speaks HTTP/2 with prior knowledge,
//! for an endpoint that serves it over cleartext, as the emulator does.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ccc_sdk::credentials::{DefaultCredentialsChain, Env, ProvideCredentials};
use ccc_sdk::{Client, Config, Credentials, SignatureVersion};

/// Counts heap allocations, to report how many a call costs.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; only a counter is added.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { std::alloc::System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { std::alloc::System.realloc(ptr, layout, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const USAGE: &str =
    "usage: load [--calls N] [--concurrency C] [--threads T] [--signature-version v3|v1] [--http2]";

struct Args {
    calls: u64,
    concurrency: u64,
    /// Runtime worker threads; 1 runs everything on the main thread (current-thread runtime).
    threads: usize,
    signature: SignatureVersion,
    /// HTTP/2 with prior knowledge (for a cleartext endpoint that serves it, like the emulator).
    http2: bool,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        calls: 10_000,
        concurrency: 64,
        threads: 1,
        signature: SignatureVersion::V3,
        http2: false,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--calls" => a.calls = value()?.parse().map_err(|e| format!("--calls: {e}"))?,
            "--concurrency" => {
                a.concurrency = value()?
                    .parse()
                    .map_err(|e| format!("--concurrency: {e}"))?
            }
            "--threads" => a.threads = value()?.parse().map_err(|e| format!("--threads: {e}"))?,
            "--signature-version" => a.signature = value()?.parse()?,
            "--http2" => a.http2 = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    if a.concurrency == 0 || a.threads == 0 {
        return Err("--concurrency and --threads must be at least 1".into());
    }
    Ok(a)
}

/// This process's CPU time in seconds, user plus system.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Linux reports clock ticks of 1/100 s on every architecture it runs this on.
    Some((utime + stime) / 100.0)
}

async fn run(args: Args) -> Result<String, Box<dyn std::error::Error>> {
    let mut emulator = None;
    let (endpoint, credentials): (String, Arc<dyn ProvideCredentials>) =
        match ccc_sdk::config::endpoint_from_env(&Env::process())? {
            Some(endpoint) => (endpoint, Arc::new(DefaultCredentialsChain::default())),
            None => {
                let running = ccc_emulator::Emulator::builder()
                    .build()
                    .start("127.0.0.1:0".parse()?)
                    .await?;
                let endpoint = running.endpoint();
                emulator = Some(running);
                (endpoint, Arc::new(Credentials::new("testid", "testsecret")))
            }
        };
    let client = Client::new(
        Config::builder()
            .endpoint_url(endpoint)
            .credentials(credentials)
            .signature_version(args.signature)
            .http2_prior_knowledge(args.http2)
            .build()?,
    )?;
    client.check_credentials().await?;
    let next = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_seconds();
    let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
    let started = Instant::now();
    let workers: Vec<_> = (0..args.concurrency.min(args.calls.max(1)))
        .map(|_| {
            let (client, next, ok) = (client.clone(), next.clone(), ok.clone());
            let calls = args.calls;
            tokio::spawn(async move {
                while next.fetch_add(1, Ordering::Relaxed) < calls {
                    let out = client
                        .reset_agent_state()
                        .instance_id("ccc-test")
                        .device_id("load")
                        .send()
                        .await;
                    if out.is_ok() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let wall = started.elapsed().as_secs_f64();
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
    let cpu = cpu_before.zip(cpu_seconds()).map(|(a, b)| b - a);
    let ok = ok.load(Ordering::Relaxed);
    if let Some(running) = emulator {
        running.shutdown().await;
    }
    let mut line = format!(
        "{{\"calls\":{},\"ok\":{ok},\"errors\":{},\"wall_s\":{wall:.3},\"calls_per_s\":{:.0}",
        args.calls,
        args.calls - ok,
        args.calls as f64 / wall
    );
    let runtime = match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::CurrentThread => "current_thread",
        _ => "multi_thread",
    };
    line.push_str(&format!(
        ",\"runtime\":\"{runtime}\",\"signature_version\":\"{:?}\",\"http2\":{}",
        args.signature, args.http2
    ));
    line.push_str(&format!(
        ",\"allocations_per_call\":{:.0}",
        allocations as f64 / args.calls.max(1) as f64
    ));
    if let Some(cpu) = cpu {
        line.push_str(&format!(
            ",\"cpu_s\":{cpu:.3},\"cpu_us_per_call\":{:.1}",
            cpu * 1e6 / args.calls.max(1) as f64
        ));
    }
    line.push('}');
    Ok(line)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let mut builder = if args.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(args.threads);
        b
    };
    let runtime = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
