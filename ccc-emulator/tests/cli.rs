//! The `ccc-emulator` binary: flags, the printed address, and a clean stop on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_ccc-emulator");

#[test]
fn help_and_bad_flags() {
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    // Every flag's line in the usage text is checked by the binary's own unit test.
    assert!(help.contains("--listen"), "{help}");
    // How to point an SDK at it: the endpoint, the test keys, the control API.
    for needed in [
        "endpoint     http://127.0.0.1:8080",
        "access key id testid, secret testsecret",
        "http://127.0.0.1:8080/_emulator/",
    ] {
        assert!(help.contains(needed), "{needed} missing from --help");
    }
    for action in ccc_emulator::Emulator::default().modelled_actions() {
        assert!(
            help.contains(action),
            "modelled {action} missing from --help"
        );
    }

    let bad = Command::new(BIN).arg("--frobnicate").output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown argument `--frobnicate`"));
}

/// `ccc-emulator --help | head -3` is not a panic: the reader may go away before the text is
/// written (here it is gone before the process starts writing, as a rule).
#[test]
fn help_into_a_closed_pipe_is_not_a_panic() {
    let mut child = Command::new(BIN)
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_bad_scenario_is_refused_with_its_place() {
    let dir = std::env::temp_dir().join(format!("ccc-emulator-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[[instances]]\nid = \"x\"\nusers = 3\n").unwrap();
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--scenario"])
        .arg(&file)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/instances/0/users") && stderr.contains("must be a list"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn serves_until_sigterm() {
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--access-key-id",
            "cli-id",
            "--access-key-secret",
            "cli-secret",
            "--listing-rows",
            "3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("ccc-emulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request = common::V3::new("ResetAgentState")
        .key("cli-id", "cli-secret")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d")
        .build(addr);
    let answer = rt.block_on(common::send_raw(addr, &request));
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    // An unmodelled listing holds the rows the flag asked for.
    let request = common::V3::new("ListAudioFiles")
        .key("cli-id", "cli-secret")
        .param("InstanceId", "ccc-test")
        .param("PageNumber", "1")
        .param("PageSize", "100")
        .build(addr);
    let answer = rt.block_on(common::send_raw(addr, &request));
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    let data = &answer.json()["Data"];
    assert_eq!(data["TotalCount"], 3);
    assert_eq!(data["List"].as_array().map(Vec::len), Some(3));

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
}

/// With few file descriptors, sockets that never send a byte cannot lock signed calls out: the
/// cap fits the open-file limit, a silent connection is closed at the header-read timeout from
/// when it was accepted, and at the cap the connection idle longest makes room for a new one.
#[cfg(target_os = "linux")]
#[test]
fn silent_sockets_cannot_lock_out_a_process_with_few_file_descriptors() {
    const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(2);
    const SILENT: usize = 375;
    let child = Command::new("sh")
        .args([
            "-c",
            &format!(
                "ulimit -n 256 && exec {BIN} --listen 127.0.0.1:0 --header-read-timeout {}s",
                HEADER_READ_TIMEOUT.as_secs()
            ),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Stopped even when an assertion below fails.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = KillOnDrop(child);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr: SocketAddr = line
        .trim()
        .strip_prefix("ccc-emulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use tokio::io::AsyncReadExt;
        let mut silent = Vec::new();
        for _ in 0..SILENT {
            silent.push(tokio::net::TcpStream::connect(addr).await.unwrap());
        }
        let opened = std::time::Instant::now();
        let deadline = opened + HEADER_READ_TIMEOUT + Duration::from_secs(5);
        // Let the emulator accept them all before the call.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut seen = Vec::new();
        loop {
            let request = common::V3::new("ResetAgentState")
                .param("InstanceId", "ccc-test")
                .param("DeviceId", "d")
                .build(addr);
            let answer = common::send_raw(addr, &request).await;
            seen.push(answer.status);
            if answer.status == Some(200) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no signed call answered in time: {seen:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // And none of the silent sockets is still held: each has been closed by the emulator.
        for (i, stream) in silent.iter_mut().enumerate() {
            let mut buf = [0u8; 1024];
            loop {
                let read = tokio::time::timeout_at(deadline.into(), stream.read(&mut buf)).await;
                match read {
                    Ok(Ok(0) | Err(_)) => break,
                    Ok(Ok(_)) => {}
                    Err(_) => panic!("silent socket {i} still open after {:?}", opened.elapsed()),
                }
            }
        }
    });
}

/// Its reader gone, the emulator still stops cleanly (no panic on the closed stdout).
#[cfg(unix)]
#[test]
fn stops_cleanly_when_stdout_is_closed() {
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    drop(stdout);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}
