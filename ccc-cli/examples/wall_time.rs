//! The wall time of one `ccc` call against a local emulator, from process start to exit: starts
//! the emulator in this process, runs `ccc get-user …` N times one after another, and prints the
//! median, the 90th percentile and the fastest run. `scripts/ccc-wall-time.sh` builds and runs it.
//!
//! ```sh
//! cargo run --release -p ccc-cli --example wall_time -- target/release/ccc 200
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let ccc = args.next().expect("usage: wall_time PATH-TO-CCC [RUNS]");
    let runs: usize = args
        .next()
        .map_or(200, |n| n.parse().expect("RUNS is a count"));
    let emu = ccc_emulator::Emulator::builder()
        .build()
        .start_blocking("127.0.0.1:0".parse().expect("address"))
        .expect("the emulator starts");
    let call = |args: &[&str]| {
        let started = Instant::now();
        let status = Command::new(&ccc)
            .args(args)
            .env_clear()
            .env("CCC_ENDPOINT", emu.endpoint())
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
            .stdout(Stdio::null())
            .status()
            .expect("ccc runs");
        let took = started.elapsed();
        assert!(status.success(), "ccc {args:?} failed");
        took
    };
    let get_user = [
        "get-user",
        "--instance-id",
        "ccc-test",
        "--user-id",
        "agent-ann@ccc-test",
    ];
    let refused = ["get-user", "--instance-id", "ccc-test", "--bogus-flag"];
    for (name, args, expect_ok) in [
        ("one call (get-user)", &get_user[..], true),
        ("--help of one action", &["list-users", "--help"][..], true),
        ("refused before sending", &refused[..], false),
    ] {
        // Warm the page cache and the emulator's connections first.
        for _ in 0..5 {
            if expect_ok {
                call(args);
            }
        }
        let mut times: Vec<Duration> = (0..runs)
            .map(|_| {
                if expect_ok {
                    call(args)
                } else {
                    let started = Instant::now();
                    let _ = Command::new(&ccc)
                        .args(args)
                        .env_clear()
                        .stdout(Stdio::null())
                        .stderr(Stdio::null())
                        .status();
                    started.elapsed()
                }
            })
            .collect();
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name}: median {:.2} ms, p90 {:.2} ms, fastest {:.2} ms ({runs} runs)",
            ms(times[runs / 2]),
            ms(times[runs * 9 / 10]),
            ms(times[0]),
        );
    }
    println!("emulator requests: {}", emu.requests("GetUser"));
}
