//! `ccc` end to end: the built binary, spawned as a user runs it, against the emulator on a
//! loopback port. Every run is bounded in time.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccc_emulator::{BlockingEmulator, Emulator, Scenario};

/// Credentials that look like real ones: none of them may ever be printed.
const AK_ID: &str = "LTAI5tQk9ZrX2mWv7pYc3NdE";
const AK_SECRET: &str = "q8Xv2LmR5tZy9Wk3Hn7Bf1Cd4Gs6Jp";
const STS_ID: &str = "STS.NTyq3Uv8Kx2Rm5Zw9Hc4Pd7Lb";
const STS_SECRET: &str = "7Fh2Kp9Xw4Rz6Nm3Qv8Tb5Lc1Gd0Sy";
const STS_TOKEN: &str =
    "CAIS9AJ1q6Ft5B2yfSjIr5bSEtTn3Ld4+ZbWa1f1Rm0tf9pZjLfKtDz2IHpKeXlsBOobsv4ymG1Q7Pk=";

/// The result of one run.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// An emulator accepting the credentials above (long-term and STS).
fn emulator() -> BlockingEmulator {
    emulator_from(Emulator::builder())
}

fn emulator_from(b: ccc_emulator::EmulatorBuilder) -> BlockingEmulator {
    b.access_key(AK_ID, AK_SECRET)
        .sts_credentials(STS_ID, STS_SECRET, STS_TOKEN)
        .build()
        .start_blocking("127.0.0.1:0".parse().unwrap())
        .expect("the emulator starts")
}

/// `ccc` with a clean environment: the emulator's endpoint (if any) and the long-term keys.
fn ccc(emu: Option<&BlockingEmulator>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ccc"));
    cmd.env_clear()
        .env("HOME", empty_home())
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", AK_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", AK_SECRET);
    if let Some(emu) = emu {
        cmd.env("CCC_ENDPOINT", emu.endpoint());
    }
    cmd
}

fn empty_home() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ccc-cli-home-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd` with `args`, killed after 30 s.
fn run(mut cmd: Command, args: &[&str]) -> Run {
    let mut child = cmd
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ccc starts");
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).unwrap();
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let started = Instant::now();
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
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Runs and expects success.
fn ok(emu: &BlockingEmulator, args: &[&str]) -> String {
    let r = run(ccc(Some(emu)), args);
    assert_eq!(r.code, 0, "ccc {args:?}: {r:?}");
    r.stdout
}

fn total_requests(emu: &BlockingEmulator) -> u64 {
    emu.emulator().request_counts().values().sum()
}

const ANN: &str = "agent-ann@ccc-test";

#[test]
fn a_shift_driven_only_by_ccc_commands() {
    let emu = emulator();
    let who = [
        "--instance-id",
        "ccc-test",
        "--user-id",
        ANN,
        "--device-id",
        "ann-ws",
    ];
    let state = |out: String| out.trim().to_owned();
    let text_state = ["--query", "Data.UserState", "--output", "text"];

    let signed_in = ok(
        &emu,
        &[
            &["sign-in-group"][..],
            &who,
            &["--signed-skill-group-id-list", "skg-sales@ccc-test"],
            &text_state,
        ]
        .concat(),
    );
    // The emulator, as the service, makes an agent who signs in on the workbench ready.
    assert_eq!(state(signed_in), "READY");
    let ready = ok(
        &emu,
        &[&["ready-for-service"][..], &who, &text_state].concat(),
    );
    assert_eq!(state(ready), "READY");

    let job = ok(
        &emu,
        &[
            &["make-call"][..],
            &who,
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
    let job = job.trim();
    assert!(!job.is_empty() && job != "null", "a job id: {job:?}");
    let released = ok(
        &emu,
        &[
            &["release-call"][..],
            &who,
            &[
                "--job-id",
                job,
                "--query",
                "Data.UserContext.UserState",
                "--output",
                "text",
            ],
        ]
        .concat(),
    );
    // After-call work, or ready again at once, as the instance's settings say.
    assert!(matches!(state(released).as_str(), "WORKING" | "READY"));

    let out = ok(&emu, &[&["sign-out-group"][..], &who, &text_state].concat());
    assert_eq!(state(out), "OFFLINE");
    for action in [
        "SignInGroup",
        "ReadyForService",
        "MakeCall",
        "ReleaseCall",
        "SignOutGroup",
    ] {
        assert_eq!(emu.requests(action), 1, "{action}");
    }
}

/// An emulator whose instance `ccc-big` has 1,000 users.
fn big_centre() -> BlockingEmulator {
    let users: Vec<_> = (0..1000)
        .map(|i| {
            serde_json::json!({
                "user_id": format!("agent-{i:04}@ccc-big"),
                "extension": format!("{}", 80_000_000 + i),
                "display_name": format!("Agent {i}"),
            })
        })
        .collect();
    let scenario = serde_json::json!({ "instances": [{ "id": "ccc-big", "users": users }] });
    emulator_from(Emulator::builder().scenario(Scenario::from_json(&scenario.to_string()).unwrap()))
}

#[test]
fn all_reads_every_one_of_a_thousand_users_once() {
    let emu = big_centre();
    let out = ok(&emu, &["list-users", "--instance-id", "ccc-big", "--all"]);
    let ids: Vec<String> = out
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("one JSON item a line");
            v["UserId"].as_str().unwrap().to_owned()
        })
        .collect();
    let unique: std::collections::BTreeSet<_> = ids.iter().collect();
    // The emulator's own count, read through a single call.
    let total = ok(
        &emu,
        &[
            "list-users",
            "--instance-id",
            "ccc-big",
            "--query",
            "Data.TotalCount",
            "--output",
            "text",
        ],
    );
    assert_eq!(ids.len(), 1000);
    assert_eq!(unique.len(), 1000);
    assert_eq!(total.trim(), "1000");
    // Ten pages of 100 (the most ListUsers takes), and the single call.
    assert_eq!(emu.requests("ListUsers"), 11);

    let some = ok(
        &emu,
        &[
            "list-users",
            "--instance-id",
            "ccc-big",
            "--max-items",
            "150",
            "--output",
            "text",
            "--columns",
            "UserId",
        ],
    );
    assert_eq!(some.lines().count(), 150);
    assert_eq!(some.lines().next(), Some(ids[0].as_str()));
    assert_eq!(emu.requests("ListUsers"), 13, "two pages for 150 items");
}

#[test]
fn exit_codes_say_what_went_wrong() {
    let emu = emulator();
    // 0: success.
    let r = run(
        ccc(Some(&emu)),
        &["get-user", "--instance-id", "ccc-test", "--user-id", ANN],
    );
    assert_eq!(r.code, 0, "{r:?}");

    // 2: refused before sending, and nothing was sent.
    let before = total_requests(&emu);
    for (args, says) in [
        (
            &[
                "list-users",
                "--instance-id",
                "ccc-test",
                "--page-size",
                "ten",
            ][..],
            "--page-size: expected an integer, e.g. 10; got \"ten\"",
        ),
        (
            &["list-user", "--instance-id", "ccc-test"][..],
            "did you mean one of list-users,",
        ),
        (
            &["list-users", "--instance-idd", "ccc-test"][..],
            "a similar argument exists: '--instance-id'",
        ),
        (
            &["list-users"][..],
            "list-users needs a flag: --instance-id",
        ),
        (
            &[
                "list-users",
                "--instance-id",
                "ccc-test",
                "--query",
                "Data.[",
            ][..],
            "--query: not a JMESPath expression",
        ),
        (
            &[
                "change-work-mode",
                "--instance-id",
                "ccc-test",
                "--work-mode",
                "AWAY",
            ][..],
            "[possible values: ON_SITE, OFF_SITE, OFFICE_PHONE]",
        ),
        (
            &["get-user", "--instance-id", "ccc-test", "--all"][..],
            "--all and --max-items are for listings",
        ),
    ] {
        let r = run(ccc(Some(&emu)), args);
        assert_eq!(r.code, 2, "{args:?}: {r:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    assert_eq!(total_requests(&emu), before, "nothing is sent");

    // 3: the service's error, as JSON on stderr by default, as a line otherwise.
    let r = run(
        ccc(Some(&emu)),
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            "nobody@ccc-test",
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    let e: serde_json::Value = serde_json::from_str(&r.stderr).expect("JSON on stderr");
    assert_eq!(e["Code"], "NotExists.UserId");
    assert!(e["RequestId"].as_str().is_some_and(|id| !id.is_empty()));
    assert!(r.stdout.is_empty());
    let r = run(
        ccc(Some(&emu)),
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            "nobody@ccc-test",
            "--output",
            "text",
        ],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.starts_with("ccc: NotExists.UserId: "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("request id "), "{}", r.stderr);

    // 4: nothing listens at the endpoint.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let r = run(
        ccc(None),
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            ANN,
            "--endpoint",
            &endpoint,
            "--retries",
            "0",
        ],
    );
    assert_eq!(r.code, 4, "{r:?}");

    // 5: no credentials anywhere the default chain looks.
    let mut bare = ccc(Some(&emu));
    bare.env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
        .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
    let r = run(
        bare,
        &["get-user", "--instance-id", "ccc-test", "--user-id", ANN],
    );
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("no credentials found"), "{}", r.stderr);

    // 5: keys the service does not know are the service's answer, not a credentials failure.
    let mut wrong = ccc(Some(&emu));
    wrong.env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret");
    let r = run(
        wrong,
        &["get-user", "--instance-id", "ccc-test", "--user-id", ANN],
    );
    assert_eq!(r.code, 3, "{r:?}");
}

/// Every form a secret could take in the output.
fn secrets() -> Vec<String> {
    let mut out = Vec::new();
    for s in [
        AK_ID,
        AK_SECRET,
        STS_ID,
        STS_SECRET,
        STS_TOKEN,
        "s3cret-Passw0rd!",
    ] {
        out.push(s.to_owned());
        let encoded: String = s
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        out.push(encoded);
    }
    out
}

#[test]
fn dry_run_shows_the_request_and_no_secret_and_sends_nothing() {
    let emu = emulator();
    let sts = |cmd: &mut Command| {
        cmd.env("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", STS_SECRET)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN);
    };
    for version in ["v3", "v1"] {
        for output in ["json", "text"] {
            let mut cmd = ccc(Some(&emu));
            sts(&mut cmd);
            let r = run(
                cmd,
                &[
                    "reset-user-password",
                    "--instance-id",
                    "ccc-test",
                    "--user-id",
                    ANN,
                    "--password",
                    "s3cret-Passw0rd!",
                    "--dry-run",
                    "--signature-version",
                    version,
                    "--output",
                    output,
                ],
            );
            assert_eq!(r.code, 0, "{r:?}");
            let shown = format!("{}{}", r.stdout, r.stderr);
            for secret in secrets() {
                assert!(
                    !shown.contains(&secret),
                    "{version} {output} shows {secret}:\n{shown}"
                );
            }
            assert!(shown.contains("ResetUserPassword"), "{shown}");
            assert!(shown.contains("UserId=agent-ann%40ccc-test"), "{shown}");
            assert!(shown.contains("Password=[redacted]"), "{shown}");
            match version {
                "v3" => assert!(
                    shown.contains("Credential=[redacted],")
                        && shown.contains("Signature=[redacted]"),
                    "{shown}"
                ),
                _ => assert!(
                    shown.contains("&Signature=[redacted]")
                        || shown.contains("?Signature=[redacted]"),
                    "{shown}"
                ),
            }
            // No hex signature of 64 digits (V3) nor a base64 one of 28 characters (V1) is left.
            assert!(
                !shown.contains("Signature=")
                    || !shown
                        .split("Signature=")
                        .skip(1)
                        .any(|s| !s.starts_with("[redacted]")),
                "{shown}"
            );
        }
    }
    assert_eq!(total_requests(&emu), 0, "a dry run sends nothing");

    // The same call for real is accepted: the request shown is the one that would be sent.
    let mut cmd = ccc(Some(&emu));
    sts(&mut cmd);
    let r = run(
        cmd,
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            ANN,
            "--signature-version",
            "v1",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn debug_prints_the_sdk_tracing_and_no_secret() {
    let emu = emulator();
    let r = run(
        ccc(Some(&emu)),
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            ANN,
            "--debug",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("ccc_sdk::call"), "{}", r.stderr);
    assert!(r.stderr.contains("GetUser"), "{}", r.stderr);
    for secret in secrets() {
        assert!(!r.stderr.contains(&secret), "{secret} in {}", r.stderr);
    }
    let quiet = run(
        ccc(Some(&emu)),
        &["get-user", "--instance-id", "ccc-test", "--user-id", ANN],
    );
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
}

#[test]
fn input_json_and_files_give_parameters() {
    let emu = emulator();
    let dir = std::env::temp_dir().join(format!("ccc-cli-input-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("input.json");
    std::fs::write(
        &input,
        r#"{"InstanceId": "ccc-test", "UserId": "agent-bob@ccc-test"}"#,
    )
    .unwrap();
    let at = format!("@{}", input.display());
    let out = ok(
        &emu,
        &[
            "get-user",
            "--input-json",
            &at,
            "--query",
            "Data.UserId",
            "--output",
            "text",
        ],
    );
    assert_eq!(out.trim(), "agent-bob@ccc-test");
    // A flag wins over the file.
    let out = ok(
        &emu,
        &[
            "get-user",
            "--input-json",
            &at,
            "--user-id",
            ANN,
            "--query",
            "Data.UserId",
            "--output",
            "text",
        ],
    );
    assert_eq!(out.trim(), ANN);
    // A JSON-shaped parameter from a file.
    let levels = dir.join("levels.json");
    std::fs::write(
        &levels,
        r#"[{"userId": "agent-bob@ccc-test", "skillLevel": 7}]"#,
    )
    .unwrap();
    ok(
        &emu,
        &[
            "add-users-to-skill-group",
            "--instance-id",
            "ccc-test",
            "--skill-group-id",
            "skg-support@ccc-test",
            "--user-skill-level-list",
            &format!("@{}", levels.display()),
        ],
    );
    let level = ok(
        &emu,
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--user-id",
            "agent-bob@ccc-test",
            "--query",
            "Data.SkillLevelList[?SkillGroupId=='skg-support@ccc-test'].SkillLevel | [0]",
            "--output",
            "text",
        ],
    );
    assert_eq!(level.trim(), "7");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_lists_actions_by_area_and_each_action_shows_its_flags() {
    let top = run(ccc(None), &["--help"]);
    assert_eq!(top.code, 0);
    assert!(
        top.stdout.contains("Agents (`ccc help agents`)"),
        "{}",
        top.stdout
    );
    assert!(top.stdout.contains("  reset-agent-state "));
    let bare = run(ccc(None), &[]);
    assert_eq!(bare.code, 2);
    assert!(bare.stderr.contains("Usage: ccc"));

    // One snapshot per area: the help of its first action.
    let spec = spec();
    assert_eq!(spec.areas.len(), 15);
    for area in &spec.areas {
        let command = kebab(&area.actions[0]);
        let r = run(ccc(None), &[&command, "--help"]);
        assert_eq!(r.code, 0, "{command}: {r:?}");
        insta::assert_snapshot!(format!("help_{}", area.name), r.stdout);
    }
}

/// The workspace's spec, areas included.
fn spec() -> ccc_spec::Spec {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    ccc_spec::load_dir(&dir).expect("the spec loads")
}

/// `ResetAgentState` → `reset-agent-state`, as the generator names commands.
fn kebab(action: &str) -> String {
    ccc_spec::naming::snake(action).replace('_', "-")
}

#[test]
fn every_action_has_a_command_whose_help_renders() {
    let spec = spec();
    let mut seen = BTreeMap::new();
    for a in &spec.actions {
        let command = kebab(&a.name);
        let r = run(ccc(None), &[&command, "--help"]);
        assert_eq!(r.code, 0, "{command}: {r:?}");
        assert!(r.stdout.contains(&a.name), "{command}");
        assert!(r.stdout.contains("API reference: "), "{command}");
        for p in &a.parameters {
            let flag = kebab(&p.name);
            assert!(r.stdout.contains(&flag), "{command} --{flag}");
        }
        seen.insert(command, ());
    }
    assert_eq!(seen.len(), spec.actions.len());
}

#[test]
fn completions_know_every_action_and_the_values_of_enumerations() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(ccc(None), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("reset-agent-state"), "{shell}");
        assert!(r.stdout.contains("instance-id"), "{shell}");
    }
    let zsh = run(ccc(None), &["completions", "zsh"]);
    assert!(
        zsh.stdout.contains("ON_SITE"),
        "the work modes are completed"
    );
    let r = run(ccc(None), &["completions", "nushell"]);
    assert_eq!(r.code, 2);
}

#[test]
fn a_profile_of_the_credentials_file_and_the_region_flags_are_the_sdks() {
    let emu = emulator();
    let home = std::env::temp_dir().join(format!("ccc-cli-profile-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".alibabacloud")).unwrap();
    std::fs::write(
        home.join(".alibabacloud/credentials"),
        format!(
            "[default]\ntype = access_key\naccess_key_id = wrong\naccess_key_secret = wrong\n\n\
             [prod]\ntype = access_key\naccess_key_id = {AK_ID}\naccess_key_secret = {AK_SECRET}\n"
        ),
    )
    .unwrap();
    let bare = || {
        let mut cmd = ccc(None);
        cmd.env_remove("ALIBABA_CLOUD_ACCESS_KEY_ID")
            .env_remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
            .env("HOME", &home);
        cmd
    };
    let endpoint = emu.endpoint();
    let args = [
        "get-user",
        "--instance-id",
        "ccc-test",
        "--user-id",
        ANN,
        "--endpoint",
        &endpoint,
    ];
    let r = run(bare(), &[&args[..], &["--profile", "prod"]].concat());
    assert_eq!(r.code, 0, "{r:?}");
    // The default profile's keys are not the emulator's.
    let r = run(bare(), &args);
    assert_eq!(r.code, 3, "{r:?}");
    // Neither a region nor an endpoint: a usage error that says what to set.
    let r = run(bare(), &["get-user", "--instance-id", "ccc-test"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("ALIBABA_CLOUD_REGION_ID"), "{}", r.stderr);
    // A region: its endpoint, shown by a dry run.
    let r = run(
        bare(),
        &[
            "get-user",
            "--instance-id",
            "ccc-test",
            "--profile",
            "prod",
            "--region",
            "cn-shanghai",
            "--dry-run",
            "--output",
            "text",
        ],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout
            .starts_with("POST https://ccc.cn-shanghai.aliyuncs.com/?"),
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn all_as_a_table_is_one_table_of_every_item() {
    let emu = big_centre();
    let table = ok(
        &emu,
        &[
            "list-users",
            "--instance-id",
            "ccc-big",
            "--all",
            "--output",
            "table",
            "--columns",
            "UserId,Extension",
        ],
    );
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1002, "a header, a rule and 1,000 rows");
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["UserId", "Extension"]
    );
    assert!(
        lines[2].starts_with("agent-0000@ccc-big  80000000"),
        "{}",
        lines[2]
    );
}
