//! ResetAgentState over real HTTP against a canned server: what goes on the wire, and how every
//! kind of answer is read.

mod support;

use std::time::Duration;

use ccc_sdk::error::TimeoutKind;
use ccc_sdk::operation::reset_agent_state::ResetAgentStateError;
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::types::{UserState, WorkMode};
use ccc_sdk::{CallOptions, Client, Config, Credentials, ErrorCode, SdkError, SignatureVersion};
use support::{Reply, Server, json, xml};

/// The page's own examples, as the spec keeps them.
fn page_example(kind: &str) -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../spec/actions/ResetAgentState.json"
    );
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["examples"][kind].as_str().unwrap().to_string()
}

fn client_for(server: &Server, version: SignatureVersion, creds: Credentials) -> Client {
    Client::new(
        Config::builder()
            .endpoint_url(&server.url)
            .credentials(creds)
            .signature_version(version)
            .retry(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn client(server: &Server) -> Client {
    client_for(
        server,
        SignatureVersion::V3,
        Credentials::new("testid", "testsecret"),
    )
}

async fn call(
    c: &Client,
) -> Result<
    ccc_sdk::operation::reset_agent_state::ResetAgentStateOutput,
    SdkError<ResetAgentStateError>,
> {
    c.reset_agent_state()
        .instance_id("ccc-test")
        .device_id("dev-1")
        .user_id("user-test@ccc-test")
        .send()
        .await
}

#[tokio::test]
async fn the_pages_json_example_decodes_with_strings_for_numbers_and_booleans() {
    let server = Server::start(vec![json(200, &page_example("json"))]).await;
    let out = call(&client(&server)).await.unwrap();
    assert_eq!(out.http_status_code(), Some(200));
    assert_eq!(out.code(), Some("OK"));
    assert_eq!(
        out.request_id(),
        Some("EEEE671A-3E24-4A04-81E6-6C4F5B39DF75")
    );
    let data = out.data().unwrap();
    assert_eq!(data.outbound_scenario(), Some(false));
    assert_eq!(data.user_state(), Some(&UserState::Offline));
    assert_eq!(data.work_mode(), Some(&WorkMode::OnSite));
    assert_eq!(data.extension(), Some("80011112"));
    assert!(data.signed_skill_group_id_list().is_empty());
}

#[tokio::test]
async fn the_pages_xml_example_decodes_by_content_type() {
    let server = Server::start(vec![xml(200, &page_example("xml"))]).await;
    let out = call(&client(&server)).await.unwrap();
    assert_eq!(out.http_status_code(), Some(200));
    let data = out.data().unwrap();
    assert_eq!(data.outbound_scenario(), Some(false));
    assert_eq!(data.user_state(), Some(&UserState::Offline));
    assert_eq!(data.user_id(), Some("user-test@ccc-test"));
}

#[tokio::test]
async fn native_types_unknown_fields_and_new_enum_values_decode() {
    let body = r#"{"RequestId":"R","HttpStatusCode":200,"Code":"OK","Brand":"new",
        "Data":{"UserState":"ON_LEAVE","WorkMode":"OFFICE_PHONE","OutboundScenario":true,
        "SignedSkillGroupIdList":["a@ccc","b@ccc"],"Extra":{"x":1}}}"#;
    let server = Server::start(vec![json(200, body)]).await;
    let out = call(&client(&server)).await.unwrap();
    let data = out.data().unwrap();
    let state = data.user_state().unwrap();
    assert!(matches!(state, UserState::Unknown(_)));
    assert_eq!(state.as_str(), "ON_LEAVE");
    assert_eq!(data.work_mode(), Some(&WorkMode::OfficePhone));
    assert_eq!(data.outbound_scenario(), Some(true));
    assert_eq!(data.signed_skill_group_id_list(), ["a@ccc", "b@ccc"]);
    // The unknown value survives a round trip to JSON.
    assert_eq!(out.to_json()["Data"]["UserState"], "ON_LEAVE");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_names_its_field() {
    let body = r#"{"RequestId":"R","Data":{"OutboundScenario":"perhaps"}}"#;
    let server = Server::start(vec![json(200, body)]).await;
    let err = call(&client(&server)).await.unwrap_err();
    let SdkError::Response(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.http_status(), 200);
    assert_eq!(e.request_id(), Some("HDR-200"));
    assert!(
        e.reason()
            .contains("field `Data.OutboundScenario`: expected a Boolean"),
        "{}",
        e.reason()
    );
}

#[tokio::test]
async fn documented_errors_get_their_own_variant() {
    let body = r#"{"RequestId":"REQ-404","HostId":"ccc.aliyuncs.com","Code":"NotExists.UserId","Message":"The user u@x does not exist in instance ccc-test."}"#;
    let server = Server::start(vec![json(404, body)]).await;
    let err = call(&client(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("NotExists.UserId"));
    assert_eq!(err.request_id(), Some("HDR-404"));
    assert_eq!(err.http_status(), Some(404));
    let ResetAgentStateError::NotExistsUserId(e) = err.as_service_error().unwrap() else {
        panic!("{err:?}")
    };
    assert_eq!(
        e.message(),
        "The user u@x does not exist in instance ccc-test."
    );
    let shown = err.to_string();
    assert!(shown.contains("NotExists.UserId"), "{shown}");
    assert!(
        shown.contains("The user u@x does not exist in instance ccc-test."),
        "{shown}"
    );
    assert!(shown.contains("HDR-404"), "{shown}");
    // Not retried: one request only.
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn other_errors_are_kept_whole() {
    let body =
        r#"{"RequestId":"R9","Code":"Forbidden.RAM","Message":"no","Recommend":"https://diag"}"#;
    let server = Server::start(vec![json(403, body)]).await;
    let err = call(&client(&server)).await.unwrap_err();
    let ResetAgentStateError::Unhandled(e) = err.as_service_error().unwrap() else {
        panic!("{err:?}")
    };
    assert_eq!(
        (e.code(), e.message(), e.http_status()),
        ("Forbidden.RAM", "no", 403)
    );
    assert_eq!(e.recommend(), Some("https://diag"));
    assert_eq!(e.common_code().map(|c| c.as_str()), Some("Forbidden.RAM"));
    assert_eq!(e.error_code(), ErrorCode::ForbiddenRam);
    assert_eq!(err.error_code(), Some(ErrorCode::ForbiddenRam));
    assert_eq!(
        err.as_service_error().map(|e| e.error_code()),
        Some(ErrorCode::ForbiddenRam)
    );
}

#[tokio::test]
async fn a_code_no_file_of_the_spec_lists_is_kept_as_sent() {
    let body = r#"{"RequestId":"R10","Code":"Quota.NewKind","Message":"later"}"#;
    let server = Server::start(vec![json(400, body)]).await;
    let err = call(&client(&server)).await.unwrap_err();
    let Some(ErrorCode::Unknown(code)) = err.error_code() else {
        panic!("{err:?}")
    };
    assert_eq!(code.as_str(), "Quota.NewKind");
    let ResetAgentStateError::Unhandled(e) = err.as_service_error().unwrap() else {
        panic!("{err:?}")
    };
    assert_eq!(e.error_code().as_str(), "Quota.NewKind");
    assert_eq!(e.common_code(), None);
}

#[tokio::test]
async fn unreadable_bodies_keep_status_and_first_bytes() {
    for (reply, status, prefix) in [
        (Reply::Http(404, "application/json", Vec::new()), 404, ""),
        (
            json(400, r#"{"RequestId":"R","Co"#),
            400,
            r#"{"RequestId":"R","Co"#,
        ),
        (
            Reply::Http(400, "text/plain", b"Bad Request".to_vec()),
            400,
            "Bad Request",
        ),
    ] {
        let server = Server::start(vec![reply]).await;
        let err = call(&client(&server)).await.unwrap_err();
        let SdkError::Response(e) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(e.http_status(), status);
        assert_eq!(e.body_prefix(), prefix);
        assert!(err.to_string().contains(&format!("HTTP {status}")), "{err}");
    }
}

#[tokio::test]
async fn a_missing_required_parameter_fails_before_sending() {
    let server = Server::start(vec![json(200, "{}")]).await;
    let err = client(&server)
        .reset_agent_state()
        .device_id("d")
        .send()
        .await
        .unwrap_err();
    let SdkError::Build(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.parameter(), "InstanceId");
    assert_eq!(
        err.to_string(),
        "invalid input: missing required parameter `InstanceId`"
    );
    // The chain says it once: the wrapper has no source that repeats it.
    assert!(std::error::Error::source(&err).is_none());
    assert_eq!(err.attempts(), 0);
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn v3_sends_parameters_in_the_query_and_signs_the_sts_token() {
    let server = Server::start(vec![json(200, &page_example("json"))]).await;
    let creds = Credentials::new("stsid", "stssecret").with_security_token("TOKEN-123");
    call(&client_for(&server, SignatureVersion::V3, creds))
        .await
        .unwrap();
    let seen = &server.seen()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.query_param("InstanceId").as_deref(), Some("ccc-test"));
    assert_eq!(seen.query_param("DeviceId").as_deref(), Some("dev-1"));
    assert_eq!(
        seen.query_param("UserId").as_deref(),
        Some("user-test@ccc-test")
    );
    assert_eq!(seen.header("x-acs-action"), Some("ResetAgentState"));
    assert_eq!(seen.header("x-acs-version"), Some("2020-07-01"));
    assert_eq!(seen.header("x-acs-security-token"), Some("TOKEN-123"));
    let auth = seen.header("authorization").unwrap();
    assert!(
        auth.starts_with("ACS3-HMAC-SHA256 Credential=stsid,SignedHeaders=host;"),
        "{auth}"
    );
    assert!(auth.contains("x-acs-security-token"), "{auth}");
    assert_eq!(
        seen.header("host"),
        Some(server.url.trim_start_matches("http://"))
    );
}

#[tokio::test]
async fn v1_sends_the_sts_token_as_a_parameter() {
    let server = Server::start(vec![json(200, &page_example("json"))]).await;
    let creds = Credentials::new("stsid", "stssecret").with_security_token("TOKEN-123");
    call(&client_for(&server, SignatureVersion::V1, creds))
        .await
        .unwrap();
    let seen = &server.seen()[0];
    assert_eq!(
        seen.query_param("SecurityToken").as_deref(),
        Some("TOKEN-123")
    );
    assert_eq!(
        seen.query_param("Action").as_deref(),
        Some("ResetAgentState")
    );
    assert_eq!(seen.query_param("Format").as_deref(), Some("JSON"));
    assert_eq!(
        seen.query_param("SignatureMethod").as_deref(),
        Some("HMAC-SHA1")
    );
    assert!(seen.query_param("Signature").is_some());
    assert!(seen.header("authorization").is_none());
}

#[tokio::test]
async fn each_attempt_is_signed_afresh() {
    // Throttling: the service did not run the request, so even an action that changes state
    // is tried again.
    let busy = json(
        400,
        r#"{"RequestId":"R","Code":"Throttling.User","Message":"busy"}"#,
    );
    let server = Server::start(vec![busy.clone(), busy, json(200, &page_example("json"))]).await;
    call(&client(&server)).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let nonces: Vec<_> = seen
        .iter()
        .map(|s| s.header("x-acs-signature-nonce").unwrap().to_string())
        .collect();
    assert!(
        nonces[0] != nonces[1] && nonces[1] != nonces[2],
        "{nonces:?}"
    );
    let auths: Vec<_> = seen
        .iter()
        .map(|s| s.header("authorization").unwrap().to_string())
        .collect();
    assert!(auths[0] != auths[1], "signatures differ with the nonce");
}

#[tokio::test]
async fn throttling_is_retried_until_attempts_run_out() {
    let throttled = json(
        400,
        r#"{"RequestId":"R","Code":"Throttling.User","Message":"Request was denied due to user flow control."}"#,
    );
    let server = Server::start(vec![throttled]).await;
    let err = call(&client(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(server.seen().len(), 3);
}

#[tokio::test]
async fn retries_can_be_turned_off_per_call() {
    let server = Server::start(vec![json(
        500,
        r#"{"RequestId":"R","Code":"InternalError","Message":"x"}"#,
    )])
    .await;
    let err = client(&server)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .options(CallOptions::new().retry(RetryConfig::disabled()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn a_slow_answer_times_out_per_attempt_and_is_retried_only_when_safe() {
    let slow = Reply::Delayed(
        Duration::from_millis(500),
        Box::new(json(200, &page_example("json"))),
    );
    let server = Server::start(vec![slow]).await;
    let send = |options: CallOptions| {
        client(&server)
            .reset_agent_state()
            .instance_id("ccc-test")
            .device_id("d")
            .options(options.attempt_timeout(Duration::from_millis(50)))
            .send()
    };
    // ResetAgentState changes state: the timed-out request may have run, so it is not sent again.
    let err = send(CallOptions::new()).await.unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Attempt);
    assert_eq!(t.attempts(), 1);
    assert_eq!(server.seen().len(), 1);
    // A caller who knows a repeat is harmless opts in.
    let err = send(CallOptions::new().idempotent(true)).await.unwrap_err();
    assert_eq!(err.attempts(), 3, "{err}");
    assert!(err.to_string().contains("3 attempts"), "{err}");
    assert_eq!(server.seen().len(), 4);
}

#[tokio::test]
async fn a_server_error_is_retried_only_when_safe_to_repeat() {
    let busy = json(
        503,
        r#"{"RequestId":"R","Code":"ServiceUnavailable","Message":"busy"}"#,
    );
    let server = Server::start(vec![busy]).await;
    let err = call(&client(&server)).await.unwrap_err();
    assert_eq!(err.code(), Some("ServiceUnavailable"));
    assert_eq!((err.attempts(), server.seen().len()), (1, 1));
    let err = client(&server)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .options(CallOptions::new().idempotent(true))
        .send()
        .await
        .unwrap_err();
    assert_eq!((err.attempts(), server.seen().len()), (3, 4));
}

#[tokio::test]
async fn the_operation_timeout_bounds_the_whole_call() {
    let slow = Reply::Delayed(Duration::from_secs(5), Box::new(json(200, "{}")));
    let server = Server::start(vec![slow]).await;
    let started = std::time::Instant::now();
    let err = client(&server)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .options(CallOptions::new().operation_timeout(Duration::from_millis(100)))
        .send()
        .await
        .unwrap_err();
    let SdkError::Timeout(t) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(t.kind(), TimeoutKind::Operation);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_dropped_connection_is_retried_only_when_safe_to_repeat() {
    let server = Server::start(vec![Reply::Drop]).await;
    // The server read the request before dropping the connection: it may have run it.
    let err = call(&client(&server)).await.unwrap_err();
    assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
    assert_eq!(server.seen().len(), 1);
    let err = client(&server)
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("d")
        .options(CallOptions::new().idempotent(true))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
    assert_eq!(err.attempts(), 3);
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn debug_output_never_shows_secrets() {
    let config = Config::builder()
        .endpoint_url("http://127.0.0.1:9")
        .credentials(
            Credentials::new("LTAI5tVisibleId", "TopSecretValue").with_security_token("TokenValue"),
        )
        .build()
        .unwrap();
    let client = Client::new(config.clone()).unwrap();
    let shown = format!(
        "{config:?} {client:?} {:?}",
        client.reset_agent_state().instance_id("i")
    );
    for secret in ["TopSecretValue", "TokenValue", "LTAI5tVisibleId"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}
