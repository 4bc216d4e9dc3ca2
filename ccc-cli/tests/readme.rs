//! The command lines of README's section "The `ccc` command", each run by `sh` as a user would
//! type it, with the built `ccc` first on the PATH, against the emulator. Bounded in time.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccc_emulator::Emulator;

/// The lines of the section's second `sh` block (the first is the install line).
fn readme_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let section = readme
        .split("\n## The `ccc` command\n")
        .nth(1)
        .expect("the section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    let block = section
        .split("```sh\n")
        .nth(2)
        .expect("the section's block of command lines")
        .split("```")
        .next()
        .unwrap_or_default();
    block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("export "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_line_of_the_readme_runs_against_the_emulator() {
    let emu = Emulator::builder()
        .access_key("testid", "testsecret")
        .build()
        .start_blocking("127.0.0.1:0".parse().unwrap())
        .expect("the emulator starts");
    let dir = std::env::temp_dir().join(format!("ccc-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_ccc"))
        .parent()
        .unwrap()
        .to_owned();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let lines = readme_lines();
    assert!(lines.len() >= 12, "a dozen lines: {lines:?}");
    for line in &lines {
        assert!(
            line.starts_with("ccc ") || line.starts_with("echo "),
            "{line}"
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(&dir)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", &dir)
            .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
            .env("CCC_ENDPOINT", emu.endpoint())
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sh starts");
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                panic!("{line}: not finished in 30 s");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{line}\n{stdout}\n{stderr}");
        if line.contains("|| echo") {
            // A wait that runs out is a timeout; any other refusal here is the service's.
            let code = if line.starts_with("ccc wait ") { 4 } else { 3 };
            assert!(
                stdout.contains(&format!("exit code {code}")),
                "{line}: {stdout}"
            );
        } else if line.starts_with("ccc wait agent-state") {
            assert_eq!(stdout.trim(), "READY", "{line}");
        }
        if line.contains("--query Data.UserState") {
            assert_eq!(stdout.trim(), "READY", "{line}");
        }
        if line.contains("--query Data.TotalCount") {
            assert_eq!(stdout.trim(), "4", "{line}");
        }
        if line.contains("SkillLevelList") {
            assert!(
                stdout.contains("skg-support@ccc-test\t8"),
                "{line}: {stdout}"
            );
        }
    }
    let users = std::fs::read_to_string(dir.join("users.tsv")).unwrap();
    assert_eq!(users.lines().count(), 4, "{users}");
    let trace = std::fs::read_to_string(dir.join("trace.log")).unwrap();
    assert!(
        trace.contains("ListUsers") && !trace.contains("testsecret"),
        "{trace}"
    );
    assert!(
        std::fs::read_to_string(dir.join("ccc.bash"))
            .unwrap()
            .contains("reset-agent-state")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
