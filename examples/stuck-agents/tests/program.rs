//! `reset_stuck_agents` against the emulator as a program, as a CI service or a test in another
//! language would use it: the test starts the `ccc-emulator` binary with the documented flags,
//! reads the address it prints, points the client at it, and arranges and checks the contact
//! centre over the control API (plain JSON over HTTP), not through the library.
//!
//! The binary is `CCC_EMULATOR_BIN` when that is set; otherwise the test builds it with
//! `cargo build -p ccc-emulator --bin ccc-emulator` into this test's own target directory (a
//! no-op when `cargo test --workspace` has already built it).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{ANN, BOB, CY, GROUP, INSTANCE, answer_and_hang_up, client, sign_in};
use serde_json::{Value, json};
use stuck_agents::{STUCK_AFTER, reset_stuck_agents};

/// How long the build of the binary may take, when it is not built yet.
const BUILD_LIMIT: Duration = Duration::from_secs(300);
/// How long the program may take to say where it listens, and a control request to answer.
const WAIT: Duration = Duration::from_secs(5);

/// Waits for `child` to end, killing it after `limit`.
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `ccc-emulator` binary, built if needed.
fn emulator_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("CCC_EMULATOR_BIN") {
        return path.into();
    }
    // This test runs as <target>/<profile>/deps/program-<hash>: the binary goes to <profile>.
    let exe = std::env::current_exe().unwrap();
    let profile = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let target = profile.parent().unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args([
            "build",
            "--quiet",
            "-p",
            "ccc-emulator",
            "--bin",
            "ccc-emulator",
        ])
        .arg("--target-dir")
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if profile.file_name().is_some_and(|name| name == "release") {
        build.arg("--release");
    }
    let status = wait_at_most(&mut build.spawn().unwrap(), BUILD_LIMIT);
    assert!(status.success(), "cargo build -p ccc-emulator: {status}");
    profile.join(format!("ccc-emulator{}", std::env::consts::EXE_SUFFIX))
}

/// The running program, killed when the test ends, however it ends.
struct Program {
    child: Child,
    addr: SocketAddr,
}

impl Program {
    /// Starts `ccc-emulator --listen 127.0.0.1:0 --scenario FILE` and reads the address it
    /// prints: `ccc-emulator listening on http://127.0.0.1:PORT`.
    fn start() -> Program {
        let scenario = common::scenario_path();
        let child = Command::new(emulator_binary())
            .args(["--listen", "127.0.0.1:0", "--scenario"])
            .arg(&scenario)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut program = Program {
            child,
            addr: ([127, 0, 0, 1], 0).into(),
        };
        let stdout = program.child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).take(4096).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(WAIT).expect("the program printed nothing");
        program.addr = line
            .trim()
            .strip_prefix("ccc-emulator listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        program
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// One control request: `method` on `/_emulator/<path>` with a JSON body; its JSON answer,
    /// which must have status 200.
    fn control(&self, method: &str, path: &str, body: &Value) -> Value {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let mut stream = TcpStream::connect_timeout(&self.addr, WAIT).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.set_write_timeout(Some(WAIT)).unwrap();
        let request = format!(
            "{method} /_emulator/{path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.take(1 << 20).read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "{method} {path}: {answer}"
        );
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{method} {path}: {e}: {body}"))
    }

    /// Rings `user` with an inbound call; the call's job id.
    fn ring(&self, user: &str) -> String {
        let body = json!({ "instance_id": INSTANCE, "user_id": user, "caller": "13900000001" });
        let answer = self.control("POST", "calls/inbound", &body);
        answer["job_id"].as_str().unwrap().to_owned()
    }

    fn advance_minutes(&self, minutes: u64) {
        self.control("POST", "clock/advance", &json!({ "seconds": minutes * 60 }));
    }

    /// Each agent's state, as `GET /_emulator/state` gives it.
    fn states(&self, users: &[&str]) -> Vec<String> {
        let state = self.control("GET", "state", &Value::Null);
        let agents = state["instances"][INSTANCE]["users"].as_array().unwrap();
        users
            .iter()
            .map(|user| {
                let agent = agents.iter().find(|a| a["user_id"] == *user).unwrap();
                agent["state"].as_str().unwrap().to_owned()
            })
            .collect()
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn the_program_resets_only_the_agent_stuck_for_over_ten_minutes() {
    let emulator = tokio::task::spawn_blocking(Program::start).await.unwrap();
    let c = client(&emulator.endpoint());
    for agent in [ANN, BOB, CY] {
        sign_in(&c, INSTANCE, agent, &[GROUP]).await;
    }

    // As in tests/emulator.rs, but over the control API: Ann's after-call work starts at 09:00,
    // Bob's at 09:15; at 09:17 only Ann's is over ten minutes, and Cy is READY.
    let job = emulator.ring(ANN);
    answer_and_hang_up(&c, INSTANCE, ANN, &job).await;
    emulator.advance_minutes(15);
    let job = emulator.ring(BOB);
    answer_and_hang_up(&c, INSTANCE, BOB, &job).await;
    emulator.advance_minutes(2);
    assert_eq!(
        emulator.states(&[ANN, BOB, CY]),
        ["WORKING", "WORKING", "READY"]
    );

    let done = reset_stuck_agents(&c, INSTANCE, STUCK_AFTER).await.unwrap();

    assert_eq!(done, [ANN]);
    assert_eq!(
        emulator.states(&[ANN, BOB, CY]),
        ["READY", "WORKING", "READY"]
    );

    // Reset to the scenario between tests: nobody is in after-call work any more.
    emulator.control("POST", "reset", &Value::Null);
    let done = reset_stuck_agents(&c, INSTANCE, STUCK_AFTER).await.unwrap();
    assert!(done.is_empty(), "{done:?}");
}
