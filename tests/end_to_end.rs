//! ccc-sdk against ccc-emulator over real HTTP: both signatures, STS, the service's errors, and
//! the agent state the emulator keeps.

use ccc_emulator::UserState as EmulatedState;
use ccc_sdk::operation::reset_agent_state::ResetAgentStateError;
use ccc_sdk::types::{UserState, WorkMode};
use ccc_sdk::{Credentials, SdkError, SignatureVersion};
use ccc_tests::{
    STS_ID, STS_SECRET, STS_TOKEN, client, client_with, config, emulator, example_command,
    reset_agent,
};

#[tokio::test]
async fn reset_agent_state_answers_as_the_page_says_with_v3_and_v1() {
    let emu = emulator().await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let c = client_with(config(&emu, version));
        let out = reset_agent(&c, "dev-1")
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(out.code(), Some("OK"));
        assert_eq!(out.http_status_code(), Some(200));
        assert!(out.request_id().is_some_and(|id| !id.is_empty()));
        let data = out.data().expect("Data");
        assert_eq!(data.user_id(), Some("user-test@ccc-test"));
        assert_eq!(data.instance_id(), Some("ccc-test"));
        assert_eq!(data.extension(), Some("80011112"));
        assert_eq!(data.user_state(), Some(&UserState::Offline));
        assert_eq!(data.work_mode(), Some(&WorkMode::OnSite));
        assert_eq!(data.outbound_scenario(), Some(false));
    }
    assert_eq!(emu.requests("ResetAgentState"), 2);
}

#[tokio::test]
async fn http2_with_prior_knowledge_carries_both_signatures_and_sts() {
    let emu = emulator().await;
    let sts = Credentials::new(STS_ID, STS_SECRET).with_security_token(STS_TOKEN);
    let cases = [
        (
            SignatureVersion::V3,
            Credentials::new("testid", "testsecret"),
        ),
        (
            SignatureVersion::V1,
            Credentials::new("testid", "testsecret"),
        ),
        (SignatureVersion::V3, sts.clone()),
        (SignatureVersion::V1, sts),
    ];
    for (version, creds) in cases {
        let c = client_with(
            config(&emu, version)
                .credentials(creds)
                .http2_prior_knowledge(true),
        );
        let out = reset_agent(&c, "dev-h2")
            .await
            .unwrap_or_else(|e| panic!("{version:?} over HTTP/2: {e}"));
        assert_eq!(out.code(), Some("OK"));
    }
    assert_eq!(emu.emulator().http2_requests(), 4);
    // HTTP/1.1 stays the default.
    reset_agent(&client(&emu), "dev-h1").await.unwrap();
    assert_eq!(emu.emulator().http2_requests(), 4);
    assert_eq!(emu.requests("ResetAgentState"), 5);
}

#[tokio::test]
async fn a_signed_in_agent_is_reset_to_ready() {
    let emu = emulator().await;
    assert!(
        emu.state()
            .set_agent_state("ccc-test", "user-test@ccc-test", EmulatedState::Break)
    );
    let out = client(&emu)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("dev-2")
        .user_id("user-test@ccc-test")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.data().and_then(|d| d.user_state()),
        Some(&UserState::Ready)
    );
    let agent = emu.state().agent("ccc-test", "user-test@ccc-test").unwrap();
    assert_eq!(agent.state, EmulatedState::Ready);
    assert_eq!(agent.device_id.as_deref(), Some("dev-2"));
}

#[tokio::test]
async fn sts_credentials_work_with_both_signatures() {
    let emu = emulator().await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let creds = Credentials::new(STS_ID, STS_SECRET).with_security_token(STS_TOKEN);
        let c = client_with(config(&emu, version).credentials(creds));
        let out = reset_agent(&c, "d").await;
        assert!(out.is_ok(), "{version:?}: {out:?}");
    }
}

#[tokio::test]
async fn a_wrong_sts_token_is_refused() {
    let emu = emulator().await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let creds = Credentials::new(STS_ID, STS_SECRET).with_security_token("not-the-token");
        let c = client_with(config(&emu, version).credentials(creds));
        let err = reset_agent(&c, "d").await.unwrap_err();
        assert!(
            err.code()
                .is_some_and(|c| c.starts_with("InvalidSecurityToken")),
            "{version:?}: {err}"
        );
        assert_eq!(err.http_status(), Some(403));
    }
}

#[tokio::test]
async fn a_wrong_secret_fails_the_signature_check() {
    let emu = emulator().await;
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let c = client_with(config(&emu, version).credentials(Credentials::new("testid", "wrong")));
        let err = reset_agent(&c, "d").await.unwrap_err();
        assert_eq!(
            err.code(),
            Some("SignatureDoesNotMatch"),
            "{version:?}: {err}"
        );
        assert_eq!(err.http_status(), Some(400));
        assert!(err.request_id().is_some());
        // A client error is not retried.
        assert!(matches!(
            err.as_service_error(),
            Some(ResetAgentStateError::Unhandled(_))
        ));
    }
    assert_eq!(emu.requests("ResetAgentState"), 2);
}

#[tokio::test]
async fn an_unknown_access_key_is_refused() {
    let emu = emulator().await;
    let c = client_with(
        config(&emu, SignatureVersion::V3).credentials(Credentials::new("nobody", "x")),
    );
    let err = reset_agent(&c, "d").await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId.NotFound"));
    assert_eq!(err.http_status(), Some(404));
}

#[tokio::test]
async fn an_unknown_instance_is_not_exists_instance_id() {
    let emu = emulator().await;
    let err = client(&emu)
        .reset_agent_state()
        .instance_id("ccc-nope")
        .device_id("d")
        .send()
        .await
        .unwrap_err();
    let Some(ResetAgentStateError::NotExistsInstanceId(e)) = err.as_service_error() else {
        panic!("{err:?}")
    };
    assert_eq!(e.http_status(), 404);
    assert_eq!(
        e.message(),
        "The specified instance ccc-nope does not exist."
    );
    let shown = err.to_string();
    assert!(
        shown.contains("NotExists.InstanceId") && shown.contains(e.request_id().unwrap()),
        "{shown}"
    );
    assert_eq!(emu.requests("ResetAgentState"), 1, "a 404 is not retried");
}

#[tokio::test]
async fn an_unknown_user_is_not_exists_user_id() {
    let emu = emulator().await;
    let err = client(&emu)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .user_id("ghost@ccc-test")
        .send()
        .await
        .unwrap_err();
    let Some(ResetAgentStateError::NotExistsUserId(e)) = err.as_service_error() else {
        panic!("{err:?}")
    };
    assert_eq!(
        e.message(),
        "The user ghost@ccc-test does not exist in instance ccc-test."
    );
}

#[tokio::test]
async fn missing_parameters_never_reach_the_service() {
    let emu = emulator().await;
    let err = client(&emu)
        .make_call()
        .instance_id("ccc-test")
        .send()
        .await
        .unwrap_err();
    let SdkError::Build(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.parameter(), "Callee");
    assert_eq!(emu.requests("MakeCall"), 0);
}

/// The example program of the README, run as a user would.
#[test]
fn the_reset_agent_state_example_prints_json_and_fails_cleanly() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = runtime.block_on(emulator());
    let run = |instance: &str| {
        let args = [
            "--instance-id",
            instance,
            "--device-id",
            "D",
            "--user-id",
            "user-test@ccc-test",
        ];
        example_command(&emu.endpoint(), &args)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
            .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
            .env("CCC_SIGNATURE_VERSION", "v1")
            .output()
            .expect("cargo runs")
    };
    let ok = run("ccc-test");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let printed: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON on stdout");
    assert_eq!(printed["Data"]["UserId"], "user-test@ccc-test");
    assert_eq!(printed["Data"]["UserState"], "OFFLINE");
    let bad = run("ccc-nope");
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("NotExists.InstanceId") && stderr.contains("request id"),
        "{stderr}"
    );
    drop(emu);
}

/// `CCC_ENDPOINT` without its scheme stops the example before any call, with an error that names
/// the variable and spells out both URLs it could have meant.
#[test]
fn the_reset_agent_state_example_refuses_an_endpoint_without_a_scheme() {
    let out = example_command(
        "127.0.0.1:38699",
        &["--instance-id", "ccc-test", "--device-id", "D"],
    )
    .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid")
    .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret")
    .output()
    .expect("cargo runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("CCC_ENDPOINT `127.0.0.1:38699`: no scheme")
            && stderr.contains("`http://127.0.0.1:38699`")
            && stderr.contains("`https://127.0.0.1:38699`"),
        "{stderr}"
    );
}

/// The README's load command, small: every call succeeds and the line is the promised JSON.
#[test]
fn the_load_example_prints_one_json_line() {
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO"))
            .args(["run", "--quiet", "-p", "ccc-sdk", "--example", "load", "--"])
            .args(args)
            .env_remove("CCC_ENDPOINT")
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON line");
        line
    };
    let line = run(&["--calls", "300", "--concurrency", "8", "--threads", "2"]);
    assert_eq!(line["calls"], 300);
    assert_eq!(line["ok"], 300);
    assert_eq!(line["errors"], 0);
    assert!(
        line["calls_per_s"].as_f64().is_some_and(|r| r > 0.0),
        "{line}"
    );
    assert!(line["wall_s"].as_f64().is_some(), "{line}");
    assert_eq!(line["runtime"], "multi_thread", "{line}");
    assert_eq!(line["signature_version"], "V3", "{line}");
    assert_eq!(line["http2"], false, "{line}");
    // The defaults: one thread, on tokio's current-thread runtime.
    let line = run(&["--calls", "50", "--http2", "--signature-version", "v1"]);
    assert_eq!(line["ok"], 50, "{line}");
    assert_eq!(line["runtime"], "current_thread", "{line}");
    assert_eq!(line["signature_version"], "V1", "{line}");
    assert_eq!(line["http2"], true, "{line}");
}

/// `DeviceId` and `UserId` are optional where the service's definition says so (the reference
/// lists them as required): an agent-facing app acts for the agent behind its own keys with
/// nothing but the instance, and the SDK sends neither parameter.
#[tokio::test]
async fn agent_actions_need_neither_a_device_nor_a_user() {
    use ccc_sdk::operation::reset_agent_state::ResetAgentStateInput;

    let input = ResetAgentStateInput::builder()
        .instance_id("ccc-test")
        .build()
        .expect("only InstanceId is required");
    assert_eq!(input.device_id, None);
    assert_eq!(input.user_id, None);

    let emu = emulator().await;
    let c = client(&emu);
    let out = c
        .reset_agent_state()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("ResetAgentState with the instance alone");
    let data = out.data().expect("Data");
    assert_eq!(data.user_id(), Some("user-test@ccc-test"));
    assert_eq!(data.user_state(), Some(&UserState::Offline));

    c.sign_in_group()
        .instance_id("ccc-test")
        .device_id("dev-1")
        .signed_skill_group_id_list(["skg-sales@ccc-test"])
        .send()
        .await
        .expect("SignInGroup for the caller's own agent");
    let out = c
        .ready_for_service()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("ReadyForService with the instance alone");
    assert_eq!(
        out.data().and_then(|d| d.user_state()),
        Some(&UserState::Ready)
    );
    c.sign_out_group()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("SignOutGroup with the instance alone");
    let agent = emu
        .state()
        .agent("ccc-test", "user-test@ccc-test")
        .expect("the seed agent");
    assert_eq!(agent.state, EmulatedState::Offline);
}
