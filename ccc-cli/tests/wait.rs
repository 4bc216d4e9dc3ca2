//! `ccc wait`: the built binary, spawned as a user runs it, against the emulator on a loopback
//! port. Each wait is a real one, kept to a few seconds; every run is killed after 30 s.

use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccc_emulator::{BlockingEmulator, Emulator};

const AK_ID: &str = "LTAI5tWaitK9ZrX2mWv7pYc";
const AK_SECRET: &str = "Wq8Xv2LmR5tZy9Wk3Hn7Bf1Cd4Gs6J";
const ANN: &str = "agent-ann@ccc-test";

#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

fn emulator() -> BlockingEmulator {
    Emulator::builder()
        .access_key(AK_ID, AK_SECRET)
        .build()
        .start_blocking("127.0.0.1:0".parse().unwrap())
        .expect("the emulator starts")
}

/// Runs `ccc args` against `emu` with a clean environment, killed after 30 s.
fn run(emu: &BlockingEmulator, args: &[&str]) -> Run {
    let home = std::env::temp_dir().join(format!("ccc-wait-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ccc"))
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET)
        .env("CCC_ENDPOINT", emu.endpoint())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ccc starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            panic!("ccc {args:?} did not finish in 30 s");
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        took: started.elapsed(),
    }
}

fn ok(emu: &BlockingEmulator, args: &[&str]) -> String {
    let r = run(emu, args);
    assert_eq!(r.code, 0, "ccc {args:?}: {r:?}");
    r.stdout
}

const WHO: [&str; 6] = [
    "--instance-id",
    "ccc-test",
    "--user-id",
    ANN,
    "--device-id",
    "ann-ws",
];

/// Ann signs in (the emulator makes her ready, as the service does) and is made ready.
fn sign_in_and_ready(emu: &BlockingEmulator) {
    ok(
        emu,
        &[
            &["sign-in-group"][..],
            &WHO,
            &["--signed-skill-group-id-list", "skg-sales@ccc-test"],
        ]
        .concat(),
    );
    ok(emu, &[&["ready-for-service"][..], &WHO].concat());
}

fn total_requests(emu: &BlockingEmulator) -> u64 {
    emu.emulator().request_counts().values().sum()
}

#[test]
fn an_agent_made_ready_is_waited_for() {
    let emu = emulator();
    sign_in_and_ready(&emu);
    let agent = ["--instance-id", "ccc-test", "--user-id", ANN];
    // The answer that showed it, as JSON with wire names by default.
    let out = ok(
        &emu,
        &[
            &["wait", "agent-state"][..],
            &agent,
            &["--state", "READY", "--timeout", "5s"],
        ]
        .concat(),
    );
    let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(answer["Data"]["UserContext"]["UserState"], "READY", "{out}");
    assert_eq!(emu.requests("PollUserStatus"), 1);
    // The global flags, before `wait` or after the waiter, and the state in any case.
    let out = ok(
        &emu,
        &[
            &["--output", "text", "wait", "agent-state"][..],
            &agent,
            &[
                "--state",
                "ready",
                "--interval",
                "200ms",
                "--query",
                "Data.UserContext.UserState",
            ],
        ]
        .concat(),
    );
    assert_eq!(out.trim(), "READY");
    assert_eq!(emu.requests("PollUserStatus"), 2);
}

#[test]
fn a_wait_that_cannot_succeed_in_time_exits_4_and_says_what_it_last_saw() {
    let emu = emulator();
    let agent = ["--instance-id", "ccc-test", "--user-id", ANN];
    // Ann never signed in: she stays OFFLINE.
    let r = run(
        &emu,
        &[
            &["wait", "agent-state"][..],
            &agent,
            &["--state", "READY", "--timeout", "2s", "--interval", "200ms"],
        ]
        .concat(),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stdout.is_empty(), "{r:?}");
    assert!(
        r.stderr.contains("the maximum wait of 2s ran out")
            && r.stderr
                .contains("the last answer showed agent-ann@ccc-test in state OFFLINE, not READY"),
        "{}",
        r.stderr
    );
    let polls = emu.requests("PollUserStatus");
    assert!(
        (5..=11).contains(&polls),
        "a poll every 200 ms for 2 s: {polls}"
    );
    assert!(
        r.took >= Duration::from_millis(1800) && r.took < Duration::from_secs(5),
        "{:?}",
        r.took
    );

    // Too many polls: the same code, and exactly that many polls.
    let r = run(
        &emu,
        &[
            &["wait", "agent-state"][..],
            &agent,
            &[
                "--state",
                "TALKING",
                "--interval",
                "100ms",
                "--max-polls",
                "3",
            ],
        ]
        .concat(),
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(
        r.stderr.contains("the most the waiter makes (3)") && r.stderr.contains("state OFFLINE"),
        "{}",
        r.stderr
    );
    assert_eq!(emu.requests("PollUserStatus"), polls + 3);
}

#[test]
fn bad_values_exit_2_and_nothing_is_sent() {
    let emu = emulator();
    let agent = ["--instance-id", "ccc-test", "--user-id", ANN];
    let cases: [(Vec<&str>, &str); 8] = [
        (
            [&["wait", "agent-state"][..], &agent, &["--state", "REDY"]].concat(),
            "[possible values: OFFLINE, READY, BREAK, TALKING, WORKING, DIALING, RINGING]",
        ),
        (
            [
                &["wait", "call-state"][..],
                &agent,
                &["--job-id", "job-1", "--state", "TALKING"],
            ]
            .concat(),
            "[possible values: NONE, CREATED, ANSWERED]",
        ),
        (
            [
                &["wait", "agent-state"][..],
                &agent,
                &["--state", "READY", "--timeout", "soon"],
            ]
            .concat(),
            "--timeout: unknown unit in \"soon\"; use ms, s or m, e.g. 5s",
        ),
        (
            [
                &["wait", "agent-state"][..],
                &agent,
                &["--state", "READY", "--timeout", "0s"],
            ]
            .concat(),
            "--timeout: expected a duration such as 5s or 500ms; got \"0s\"",
        ),
        (
            [
                &["wait", "agent-state"][..],
                &agent,
                &["--state", "READY", "--interval", "1ms"],
            ]
            .concat(),
            "--interval: the minimum delay of 1ms is under 10ms",
        ),
        (
            [
                &["wait", "agent-state"][..],
                &agent,
                &["--state", "READY", "--max-polls", "0"],
            ]
            .concat(),
            "--max-polls: expected a positive count",
        ),
        (
            vec![
                "wait",
                "call-state",
                "--instance-id",
                "ccc-test",
                "--state",
                "ANSWERED",
            ],
            "--user-id <TEXT>",
        ),
        (
            [&["wait", "agent-stat"][..], &agent, &["--state", "READY"]].concat(),
            "a similar subcommand exists: 'agent-state'",
        ),
    ];
    for (args, says) in cases {
        let r = run(&emu, &args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    // A flag that means nothing to a wait.
    let r = run(
        &emu,
        &[
            &["wait", "agent-state"][..],
            &agent,
            &["--state", "READY", "--dry-run"],
        ]
        .concat(),
    );
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(total_requests(&emu), 0);
}

#[test]
fn a_call_is_waited_for_until_answered_and_a_call_gone_exits_6() {
    let emu = emulator();
    sign_in_and_ready(&emu);
    let job = ok(
        &emu,
        &[
            &["make-call"][..],
            &WHO,
            &[
                "--callee",
                "13800138000",
                "--query",
                "Data.CallContext.JobId",
                "--output",
                "text",
            ],
        ]
        .concat(),
    );
    let job = job.trim().to_owned();
    assert!(!job.is_empty() && job != "null", "a job id: {job:?}");
    let call = [
        "--instance-id",
        "ccc-test",
        "--user-id",
        ANN,
        "--job-id",
        job.as_str(),
    ];
    // The callee answers after a second of the emulator's (real) clock.
    let r = run(
        &emu,
        &[
            &["wait", "call-state"][..],
            &call,
            &[
                "--state",
                "ANSWERED",
                "--timeout",
                "5s",
                "--interval",
                "200ms",
                "--query",
                "Data.CallContext.ChannelContexts[].ChannelState",
                "--output",
                "json",
            ],
        ]
        .concat(),
    );
    assert_eq!(r.code, 0, "{r:?}");
    let states: Vec<String> = serde_json::from_str(&r.stdout).expect("a JSON list");
    assert!(
        !states.is_empty() && states.iter().all(|s| s == "ANSWERED"),
        "{states:?}"
    );
    assert!(emu.requests("PollUserStatus") >= 2, "polled until answered");
    assert!(r.took < Duration::from_secs(5), "{:?}", r.took);

    // The call released: the wait can no longer succeed.
    ok(
        &emu,
        &[&["release-call"][..], &WHO, &["--job-id", job.as_str()]].concat(),
    );
    let r = run(
        &emu,
        &[
            &["wait", "call-state"][..],
            &call,
            &["--state", "ANSWERED", "--timeout", "3s"],
        ]
        .concat(),
    );
    assert_eq!(r.code, 6, "{r:?}");
    assert!(
        r.stderr.contains("met a failure condition") && r.stderr.contains("in no call"),
        "{}",
        r.stderr
    );
    assert!(r.took < Duration::from_secs(2), "at once: {:?}", r.took);
}

#[test]
fn a_service_error_ends_the_wait_with_3() {
    let emu = emulator();
    let r = run(
        &emu,
        &[
            "wait",
            "agent-state",
            "--instance-id",
            "ccc-nowhere",
            "--user-id",
            ANN,
            "--state",
            "READY",
            "--timeout",
            "5s",
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("\"Code\""), "as JSON: {}", r.stderr);
    assert_eq!(emu.requests("PollUserStatus"), 1, "not polled through");
}

#[test]
fn help_and_completions_know_the_waiters() {
    let emu = emulator();
    let r = run(&emu, &["wait", "--help"]);
    assert_eq!(r.code, 0, "{r:?}");
    for says in [
        "agent-state",
        "call-state",
        "4 the wait timed out",
        "6 the wait",
    ] {
        assert!(r.stdout.contains(says), "{says}: {}", r.stdout);
    }
    let r = run(&emu, &["help", "wait"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("call-state"), "{}", r.stdout);
    let r = run(&emu, &["wait", "call-state", "--help"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("--job-id") && r.stdout.contains("--endpoint"),
        "{}",
        r.stdout
    );
    let r = run(&emu, &["--help"]);
    assert!(
        r.stdout.contains("ccc wait agent-state|call-state"),
        "{}",
        r.stdout
    );
    let r = run(&emu, &["wait"]);
    assert_eq!(r.code, 2, "{r:?}");
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&emu, &["completions", shell]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.contains("agent-state") && r.stdout.contains("call-state"),
            "{shell}"
        );
    }
    let zsh = run(&emu, &["completions", "zsh"]);
    assert!(zsh.stdout.contains("ANSWERED") && zsh.stdout.contains("RINGING"));
    assert_eq!(total_requests(&emu), 0);
}
