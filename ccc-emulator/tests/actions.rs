//! Answers: the modelled ResetAgentState, spec-built answers of other actions, formats and
//! parameter placement.

mod common;

use std::path::Path;

use ccc_emulator::{Agent, Emulator, SEED_INSTANCE, SEED_USER, UserState, WorkMode};
use common::{V1, V3, on_loopback, send_raw};
use serde_json::json;

fn reset_agent(instance: &str, device: &str) -> V3 {
    V3::new("ResetAgentState")
        .param("InstanceId", instance)
        .param("DeviceId", device)
}

#[tokio::test]
async fn reset_agent_state_answers_like_the_api_page() {
    let emu = on_loopback(&Emulator::default()).await;
    let answer = send_raw(
        emu.addr(),
        &reset_agent("ccc-test", "dev-1").build(emu.addr()),
    )
    .await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = answer.json();
    assert_eq!(
        body["RequestId"].as_str(),
        answer.header("x-acs-request-id")
    );
    assert_eq!(body["RequestId"].as_str().unwrap().len(), 36);
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["HttpStatusCode"], 200);
    assert_eq!(
        body["Data"],
        json!({
            "Extension": "80011112",
            "UserState": "OFFLINE",
            "InstanceId": "ccc-test",
            "UserId": "user-test@ccc-test",
            "DeviceId": "dev-1",
            "OutboundScenario": false,
            "WorkMode": "ON_SITE",
            "SignedSkillGroupIdList": [],
        })
    );
    // Each request gets its own id.
    let again = send_raw(
        emu.addr(),
        &reset_agent("ccc-test", "dev-1").build(emu.addr()),
    )
    .await
    .json();
    assert_ne!(again["RequestId"], body["RequestId"]);
}

#[tokio::test]
async fn reset_agent_state_moves_signed_in_agents_to_ready() {
    let emulator = Emulator::default();
    let emu = on_loopback(&emulator).await;
    let state = emu.state();
    let mut agent = Agent::new("agent2@ccc-test", "80011113");
    agent.state = UserState::Break;
    agent.break_code = Some("lunch".into());
    agent.job_id = Some("job-7".into());
    agent.work_mode = WorkMode::OffSite;
    agent.signed_skill_group_ids = vec!["skg-1".into(), "skg-2".into()];
    state.put_agent(SEED_INSTANCE, agent.clone());

    let before = emulator
        .state()
        .agent(SEED_INSTANCE, "agent2@ccc-test")
        .unwrap();
    assert_eq!(before.break_code.as_deref(), Some("lunch"));
    let mut v3 = reset_agent("ccc-test", "dev-9").param("UserId", "agent2@ccc-test");
    let body = send_raw(emu.addr(), &v3.build(emu.addr())).await.json();
    assert_eq!(body["Data"]["UserState"], "READY");
    assert_eq!(body["Data"]["WorkMode"], "OFF_SITE");
    assert_eq!(body["Data"]["DeviceId"], "dev-9");
    assert_eq!(
        body["Data"]["SignedSkillGroupIdList"],
        json!(["skg-1", "skg-2"])
    );
    assert!(
        body["Data"].get("BreakCode").is_none() && body["Data"].get("JobId").is_none(),
        "{body}"
    );
    let after = state.agent(SEED_INSTANCE, "agent2@ccc-test").unwrap();
    assert_eq!(after.state, UserState::Ready);
    assert_eq!((after.break_code, after.job_id), (None, None));
    assert_eq!(after.device_id.as_deref(), Some("dev-9"));

    for s in [
        UserState::Talking,
        UserState::Working,
        UserState::Dialing,
        UserState::Ringing,
        UserState::Ready,
    ] {
        assert!(state.set_agent_state(SEED_INSTANCE, SEED_USER, s));
        v3 = reset_agent("ccc-test", "dev-1");
        let body = send_raw(emu.addr(), &v3.build(emu.addr())).await.json();
        assert_eq!(body["Data"]["UserState"], "READY", "from {s}");
    }
    state.set_agent_state(SEED_INSTANCE, SEED_USER, UserState::Offline);
    let body = send_raw(
        emu.addr(),
        &reset_agent("ccc-test", "dev-1").build(emu.addr()),
    )
    .await
    .json();
    assert_eq!(body["Data"]["UserState"], "OFFLINE");
    assert_eq!(
        state.agent(SEED_INSTANCE, SEED_USER).unwrap().state,
        UserState::Offline
    );
}

#[tokio::test]
async fn reset_agent_state_reports_unknown_instances_and_users() {
    let emu = on_loopback(&Emulator::default()).await;
    let body = send_raw(emu.addr(), &reset_agent("ccc-nope", "d").build(emu.addr()))
        .await
        .expect_error(404, "NotExists.InstanceId");
    assert_eq!(
        body["Message"],
        "The specified instance ccc-nope does not exist."
    );

    let req = reset_agent("ccc-test", "d").param("UserId", "ghost@ccc-test");
    let body = send_raw(emu.addr(), &req.build(emu.addr()))
        .await
        .expect_error(404, "NotExists.UserId");
    assert_eq!(
        body["Message"],
        "The user ghost@ccc-test does not exist in instance ccc-test."
    );

    emu.state().add_instance("ccc-other");
    let body = send_raw(emu.addr(), &reset_agent("ccc-other", "d").build(emu.addr()))
        .await
        .expect_error(404, "NotExists.UserId");
    assert_eq!(
        body["Message"],
        "The user user-test@ccc-test does not exist in instance ccc-other."
    );
}

#[tokio::test]
async fn missing_required_parameters_are_named() {
    let emu = on_loopback(&Emulator::default()).await;
    let req = V3::new("MakeCall").param("InstanceId", "ccc-test");
    let body = send_raw(emu.addr(), &req.build(emu.addr()))
        .await
        .expect_error(400, "MissingParameter");
    assert_eq!(
        body["Message"],
        "The input parameter \"Callee\" that is mandatory for processing this request is not supplied."
    );
    // DeviceId is optional in the service's definition: ResetAgentState needs only InstanceId.
    let v1 = V1::new("ResetAgentState").param("DeviceId", "d");
    let body = send_raw(emu.addr(), &v1.build(emu.addr()))
        .await
        .expect_error(400, "MissingParameter");
    assert!(body["Message"].as_str().unwrap().contains("\"InstanceId\""));
}

#[tokio::test]
async fn v1_answers_json_for_lowercase_format_and_xml_for_xml() {
    let emu = on_loopback(&Emulator::default()).await;
    let v1 = V1::new("ResetAgentState")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d");
    let answer = send_raw(emu.addr(), &v1.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(answer.json()["Data"]["Extension"], "80011112");

    let xml = V1::new("ResetAgentState")
        .set("Format", "XML")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d<&>");
    let answer = send_raw(emu.addr(), &xml.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert!(
        answer
            .header("content-type")
            .unwrap()
            .starts_with("text/xml")
    );
    let text = answer.text();
    let id = answer.header("x-acs-request-id").unwrap();
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ResetAgentStateResponse>"),
        "{text}"
    );
    for part in [
        format!("<RequestId>{id}</RequestId>"),
        "<Code>OK</Code>".to_owned(),
        "<HttpStatusCode>200</HttpStatusCode>".to_owned(),
        "<UserState>OFFLINE</UserState>".to_owned(),
        "<OutboundScenario>false</OutboundScenario>".to_owned(),
        "<DeviceId>d&lt;&amp;&gt;</DeviceId>".to_owned(),
    ] {
        assert!(text.contains(&part), "{part} not in {text}");
    }
    assert!(text.ends_with("</ResetAgentStateResponse>"));
}

#[tokio::test]
async fn parameters_may_travel_in_the_form_body_with_get_or_post() {
    let emu = on_loopback(&Emulator::default()).await;
    let v3 = V3::new("ResetAgentState")
        .body_param("InstanceId", "ccc-test")
        .body_param("DeviceId", "form dev");
    let body = send_raw(emu.addr(), &v3.build(emu.addr())).await.json();
    assert_eq!(body["Data"]["DeviceId"], "form dev");

    let mut v3 = V3::new("ResetAgentState")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "got");
    v3.method = "GET".into();
    assert_eq!(
        send_raw(emu.addr(), &v3.build(emu.addr())).await.json()["Data"]["DeviceId"],
        "got"
    );

    let v1 = V1::new("ResetAgentState")
        .body_param("InstanceId", "ccc-test")
        .body_param("DeviceId", "é ü+*");
    let answer = send_raw(emu.addr(), &v1.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    assert_eq!(answer.json()["Data"]["DeviceId"], "é ü+*");
}

const FIXTURE: &str = r#"{
  "action": "DescribeFixture",
  "method": "POST",
  "idempotent": true,
  "parameters": [
    { "name": "InstanceId", "type": "String", "required": true, "in": "query" },
    { "name": "Enabled", "type": "Boolean", "required": true, "in": "query" },
    { "name": "PageSize", "type": "Integer", "in": "query" },
    { "name": "Tags", "type": "List", "items": { "type": "String" }, "required": true, "in": "query" }
  ],
  "response": [
    { "name": "Code", "type": "String", "example": "OK" },
    { "name": "HttpStatusCode", "type": "Integer", "example": "200" },
    { "name": "Success", "type": "Boolean", "example": "false" },
    { "name": "Message", "type": "String" },
    { "name": "RequestId", "type": "String", "example": "EEEE671A-3E24-4A04-81E6-6C4F5B39DF75" },
    {
      "name": "Data",
      "type": "Struct",
      "fields": [
        { "name": "Count", "type": "Integer", "example": "42" },
        { "name": "Total", "type": "Long", "example": "9007199254740993" },
        { "name": "Ratio", "type": "Double", "example": "0.25" },
        { "name": "Weight", "type": "Float" },
        { "name": "Active", "type": "Boolean", "example": "true" },
        { "name": "State", "type": "String", "enum": "UserState" },
        { "name": "Mode", "type": "String", "enum": "WorkMode", "example": "OFF_SITE" },
        { "name": "Name", "type": "String", "example": "fixture" },
        { "name": "Labels", "type": "Map", "example": "{\"a\":\"b\"}" },
        { "name": "Extra", "type": "Map" },
        { "name": "Anything", "type": "Any", "example": "[1,2]" },
        { "name": "Ids", "type": "List", "items": { "type": "Long" }, "example": "7" },
        {
          "name": "Items",
          "type": "List",
          "items": {
            "type": "Struct",
            "fields": [ { "name": "Key", "type": "String", "example": "k1" } ]
          }
        }
      ]
    }
  ],
  "errors": []
}
"#;

fn fixture_emulator() -> Emulator {
    let mut spec = ccc_emulator::embedded_spec().unwrap();
    let action = ccc_spec::parse_action(Path::new("actions/DescribeFixture.json"), FIXTURE)
        .unwrap_or_else(|e| panic!("{e:?}"));
    spec.actions.push(action);
    spec.actions.sort_by(|a, b| a.name.cmp(&b.name));
    Emulator::builder().spec(spec).build()
}

#[tokio::test]
async fn unmodelled_actions_answer_from_the_spec() {
    let emulator = fixture_emulator();
    assert!(emulator.actions().any(|a| a == "DescribeFixture"));
    let emu = on_loopback(&emulator).await;
    let req = V3::new("DescribeFixture")
        .param("InstanceId", "ccc-test")
        .param("Enabled", "True")
        .param("Tags.1", "a");
    let answer = send_raw(emu.addr(), &req.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    let body = answer.json();
    assert_eq!(
        body["RequestId"].as_str(),
        answer.header("x-acs-request-id")
    );
    assert_ne!(body["RequestId"], "EEEE671A-3E24-4A04-81E6-6C4F5B39DF75");
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["HttpStatusCode"], 200);
    assert_eq!(body["Success"], true);
    assert_eq!(body["Message"], "");
    assert_eq!(
        body["Data"],
        json!({
            "Count": 42,
            "Total": 9007199254740993i64,
            "Ratio": 0.25,
            "Weight": 0.0,
            "Active": true,
            "State": "OFFLINE",
            "Mode": "OFF_SITE",
            "Name": "fixture",
            "Labels": {"a": "b"},
            "Extra": {},
            "Anything": [1, 2],
            "Ids": [7],
            "Items": [{"Key": "k1"}],
        })
    );
    assert_eq!(emu.requests("DescribeFixture"), 1);

    // False in any case, in the form body, is a boolean too.
    let v1 = V1::new("DescribeFixture")
        .body_param("InstanceId", "ccc-test")
        .body_param("Enabled", "FALSE")
        .body_param("Tags.1", "t");
    assert_eq!(
        send_raw(emu.addr(), &v1.build(emu.addr())).await.status,
        Some(200)
    );

    let xml = V1::new("DescribeFixture")
        .set("Format", "XML")
        .param("InstanceId", "ccc-test")
        .param("Enabled", "false")
        .param("Tags.1", "t");
    let text = send_raw(emu.addr(), &xml.build(emu.addr())).await.text();
    assert!(text.contains("<Items><Key>k1</Key></Items>"), "{text}");
    assert!(text.contains("<Ids>7</Ids>"), "{text}");
}

#[tokio::test]
async fn spec_types_of_parameters_are_checked() {
    let emu = on_loopback(&fixture_emulator()).await;
    let bad_bool = V3::new("DescribeFixture")
        .param("InstanceId", "ccc-test")
        .param("Enabled", "yes")
        .param("Tags.1", "a");
    let body = send_raw(emu.addr(), &bad_bool.build(emu.addr()))
        .await
        .expect_error(400, "InvalidParameter");
    assert!(body["Message"].as_str().unwrap().contains("\"Enabled\""));
    let bad_int = V3::new("DescribeFixture")
        .param("InstanceId", "ccc-test")
        .param("Enabled", "true")
        .param("PageSize", "many")
        .param("Tags.1", "a");
    send_raw(emu.addr(), &bad_int.build(emu.addr()))
        .await
        .expect_error(400, "InvalidParameter");
    // A required flat list is present once any of its items is.
    let no_tags = V3::new("DescribeFixture")
        .param("InstanceId", "ccc-test")
        .param("Enabled", "true");
    let body = send_raw(emu.addr(), &no_tags.build(emu.addr()))
        .await
        .expect_error(400, "MissingParameter");
    assert!(body["Message"].as_str().unwrap().contains("\"Tags\""));
}

#[test]
fn starts_from_synchronous_code() {
    let emulator = Emulator::default();
    let running = emulator
        .start_blocking("127.0.0.1:0".parse().unwrap())
        .unwrap();
    assert!(running.endpoint().starts_with("http://127.0.0.1:"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let answer = rt.block_on(send_raw(
        running.addr(),
        &reset_agent("ccc-test", "d").build(running.addr()),
    ));
    assert_eq!(answer.status, Some(200));
    assert_eq!(running.requests("ResetAgentState"), 1);
    let addr = running.addr();
    running.shutdown();
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still listening after shutdown"
    );
}

/// Guards the promise that every action of the committed spec answers, as actions are added:
/// with a success, or with an error of the service (never a 5xx), whether or not the world
/// models it. Requests name the built-in scenario's instance, user and skill group.
#[tokio::test]
async fn every_embedded_action_answers() {
    let spec = ccc_emulator::embedded_spec().unwrap();
    let emu = on_loopback(&Emulator::default()).await;
    let mut succeeded = 0;
    for action in &spec.actions {
        let mut req = V3::new(&action.name);
        for p in action.parameters.iter().filter(|p| p.required) {
            let (name, value) = match &p.ty {
                ccc_spec::Type::Scalar { scalar, .. } => {
                    let value = match scalar {
                        ccc_spec::Scalar::Integer | ccc_spec::Scalar::Long => "1".to_owned(),
                        ccc_spec::Scalar::Float | ccc_spec::Scalar::Double => "1.5".to_owned(),
                        ccc_spec::Scalar::Boolean => "true".to_owned(),
                        _ => match p.name.as_str() {
                            "InstanceId" => "ccc-test".to_owned(),
                            "UserId" => "user-test@ccc-test".to_owned(),
                            "SkillGroupId" => "skg-sales@ccc-test".to_owned(),
                            _ => p.example.clone().unwrap_or_else(|| "x".to_owned()),
                        },
                    };
                    (p.name.clone(), value)
                }
                _ if p.style == Some(ccc_spec::Style::Json) => (p.name.clone(), "[]".to_owned()),
                _ => (format!("{}.1", p.name), "x".to_owned()),
            };
            req = req.param(&name, &value);
        }
        let answer = send_raw(emu.addr(), &req.build(emu.addr())).await;
        let status = answer.status.unwrap_or(0);
        assert!(
            status == 200 || (400..500).contains(&status),
            "{}: {}",
            action.name,
            answer.text()
        );
        let body = answer.json();
        assert_eq!(
            body["RequestId"].as_str(),
            answer.header("x-acs-request-id")
        );
        if status == 200 {
            succeeded += 1;
            continue;
        }
        let code = body["Code"].as_str().unwrap_or_default();
        let documented = action.errors.iter().any(|e| e.code == code)
            || spec.product.errors.iter().any(|e| e.code == code)
            || [
                "NotExists.",
                "InvalidOperation.",
                "Parameter.",
                "MissingParameter",
                "UserBusy",
            ]
            .iter()
            .any(|prefix| code.starts_with(prefix));
        assert!(documented, "{}: undocumented error {body}", action.name);
    }
    // Most actions need nothing the scenario lacks.
    assert!(
        succeeded * 10 >= spec.actions.len() * 8,
        "{succeeded} of {}",
        spec.actions.len()
    );
}

#[tokio::test]
async fn a_scenario_replaces_the_built_in_centre() {
    let scenario = ccc_emulator::Scenario::from_json(
        r#"{"instances": [{"id": "centre-b", "default_user": "b1@centre-b",
            "users": [{"user_id": "b1@centre-b", "extension": "7001"}]}]}"#,
    )
    .unwrap();
    let emulator = Emulator::builder().scenario(scenario).build();
    let emu = on_loopback(&emulator).await;
    let body = send_raw(emu.addr(), &reset_agent("centre-b", "d").build(emu.addr()))
        .await
        .json();
    assert_eq!(body["Data"]["UserId"], "b1@centre-b");
    assert_eq!(body["Data"]["Extension"], "7001");
    send_raw(emu.addr(), &reset_agent("ccc-test", "d").build(emu.addr()))
        .await
        .expect_error(404, "NotExists.InstanceId");
}

#[tokio::test]
async fn modelled_answers_are_written_in_xml_too() {
    let emu = on_loopback(&Emulator::default()).await;
    let sign_in = V1::new("SignInGroup")
        .set("Format", "XML")
        .param("InstanceId", "ccc-test")
        .param("DeviceId", "d")
        .param("UserId", "agent-ann@ccc-test")
        .param(
            "SignedSkillGroupIdList",
            "[\"skg-sales@ccc-test\",\"skg-support@ccc-test\"]",
        );
    let answer = send_raw(emu.addr(), &sign_in.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    let text = answer.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<UserState>READY</UserState>"), "{text}");
    assert!(
        text.contains(
            "<SignedSkillGroupIdList>skg-sales@ccc-test</SignedSkillGroupIdList>\
             <SignedSkillGroupIdList>skg-support@ccc-test</SignedSkillGroupIdList>"
        ),
        "{text}"
    );
    let unknown = V1::new("SignInGroup")
        .set("Format", "XML")
        .param("InstanceId", "ccc-nope")
        .param("DeviceId", "d")
        .param("SignedSkillGroupIdList", "[]");
    let text = send_raw(emu.addr(), &unknown.build(emu.addr()))
        .await
        .text();
    assert!(text.contains("<Code>NotExists.InstanceId</Code>"), "{text}");
}

/// Every modelled action, with every one of its parameters set to the same odd value, answers a
/// success or the service's 4xx error: never a 5xx, never a dropped connection.
#[tokio::test]
async fn modelled_actions_survive_odd_values() {
    let spec = ccc_emulator::embedded_spec().unwrap();
    let emulator = Emulator::default();
    let emu = on_loopback(&emulator).await;
    let long = "x".repeat(5000);
    let values = [
        "",
        "0",
        "-1",
        "-9223372036854775808",
        "9223372036854775807",
        "[",
        "[{}]",
        "[{\"userId\":1,\"skillLevel\":\"x\"}]",
        "{\"a\":[[[[[]]]]]}",
        "ccc-test",
        "agent-ann@ccc-test",
        long.as_str(),
    ];
    for name in emulator.modelled_actions() {
        let action = spec.action(name).unwrap();
        for value in values {
            let mut req = V3::new(name);
            for p in &action.parameters {
                // Keep the instance real half the time, so checks past it run too.
                let real = p.name == "InstanceId" && value.len() % 2 == 0;
                req = req.param(&p.name, if real { "ccc-test" } else { value });
            }
            let answer = send_raw(emu.addr(), &req.build(emu.addr())).await;
            let status = answer.status.unwrap_or(0);
            assert!(
                status == 200 || (400..500).contains(&status),
                "{name} with {:?}: {status} {}",
                &value[..value.len().min(40)],
                answer.text()
            );
        }
    }
}
