//! The emulator as a contact centre, driven through ccc-sdk: agents' states, calls, the
//! directory and records hang together, and what does not exist is reported as the service does.

use ccc_emulator::UserState as EmulatedState;
use ccc_sdk::error::ServiceError;
use ccc_sdk::operation::add_users_to_skill_group::UserSkillLevel;
use ccc_sdk::types::RealtimeAgentState;
use ccc_sdk::types::SkillLevel;
use ccc_sdk::{Client, SdkError};
use ccc_tests::{client, emulator, sign_in_ready};

const INSTANCE: &str = "ccc-test";
const ANN: &str = "agent-ann@ccc-test";
const SALES: &str = "skg-sales@ccc-test";
const SUPPORT: &str = "skg-support@ccc-test";

/// The error code of a failed call (panics on success).
fn code<T: std::fmt::Debug, E: AsRef<ServiceError> + std::fmt::Debug>(
    result: Result<T, SdkError<E>>,
) -> String {
    match result {
        Ok(out) => panic!("expected an error, got {out:?}"),
        Err(e) => e
            .code()
            .unwrap_or_else(|| panic!("no code: {e:?}"))
            .to_owned(),
    }
}

async fn state_of(c: &Client, user: &str) -> String {
    c.poll_user_status()
        .instance_id(INSTANCE)
        .user_id(user)
        .send()
        .await
        .unwrap()
        .data()
        .and_then(|d| d.user_context())
        .and_then(|u| u.user_state())
        .expect("UserState")
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn an_agent_signs_in_gets_ready_takes_a_break_and_signs_out() {
    let emu = emulator().await;
    let c = client(&emu);
    assert_eq!(state_of(&c, ANN).await, "OFFLINE");

    // Signed out: neither ready nor on a break.
    let ready = c
        .ready_for_service()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .send()
        .await;
    assert_eq!(code(ready), "InvalidOperation.UserState");
    let brk = c
        .take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Lunch")
        .send()
        .await;
    assert_eq!(code(brk), "InvalidOperation.UserState");

    let out = c
        .sign_in_group()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .signed_skill_group_id_list([SALES])
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state().map(|s| s.as_str()), Some("READY"));
    assert_eq!(data.signed_skill_group_id_list(), [SALES.to_owned()]);
    assert_eq!(data.device_id(), Some("ws-1"));
    // Additivity adds a group instead of replacing the list.
    let out = c
        .sign_in_group()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .signed_skill_group_id_list([SUPPORT])
        .additivity(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.data().unwrap().signed_skill_group_id_list(),
        [SALES.to_owned(), SUPPORT.to_owned()]
    );
    assert_eq!(state_of(&c, ANN).await, "READY");

    let out = c
        .take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Lunch")
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state().map(|s| s.as_str()), Some("BREAK"));
    assert_eq!(data.break_code(), Some("Lunch"));
    assert_eq!(state_of(&c, ANN).await, "BREAK");
    let unknown_code = c
        .take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Nap")
        .send()
        .await;
    assert_eq!(code(unknown_code), "Parameter.Invalid");

    let out = c
        .ready_for_service()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .outbound_scenario(true)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state().map(|s| s.as_str()), Some("READY"));
    assert_eq!(data.break_code(), None);
    assert_eq!(data.outbound_scenario(), Some(true));

    let out = c
        .change_work_mode()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .work_mode("OFF_SITE")
        .mobile("13900000000")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.data().unwrap().work_mode().map(|s| s.as_str()),
        Some("OFF_SITE")
    );
    let bad_mode = c
        .change_work_mode()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .work_mode("ON_THE_MOON")
        .send()
        .await;
    assert_eq!(code(bad_mode), "Parameter.Enumeration");

    let out = c
        .sign_out_group()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state().map(|s| s.as_str()), Some("OFFLINE"));
    assert_eq!(data.signed_skill_group_id_list(), [] as [String; 0]);
    assert_eq!(
        emu.state().agent(INSTANCE, ANN).unwrap().state,
        EmulatedState::Offline
    );
}

#[tokio::test]
async fn an_agent_in_a_call_cannot_break_or_sign_out() {
    let emu = emulator().await;
    let c = client(&emu);
    emu.state()
        .update_agent(INSTANCE, ANN, |a| a.state = EmulatedState::Talking);
    let brk = c
        .take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Lunch")
        .send()
        .await;
    assert_eq!(code(brk), "InvalidOperation.UserState");
    let out = c
        .sign_out_group()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .send()
        .await;
    assert_eq!(code(out), "InvalidOperation.UserState");
    assert_eq!(
        emu.state().agent(INSTANCE, ANN).unwrap().state,
        EmulatedState::Talking
    );
}

#[tokio::test]
async fn what_does_not_exist_is_not_exists() {
    let emu = emulator().await;
    let c = client(&emu);
    // Modelled actions and actions answered from the spec alike.
    let r = c
        .sign_in_group()
        .instance_id("ccc-nope")
        .device_id("d")
        .signed_skill_group_id_list([SALES])
        .send()
        .await;
    assert_eq!(code(r), "NotExists.InstanceId");
    let r = c.get_instance().instance_id("ccc-nope").send().await;
    assert_eq!(code(r), "NotExists.InstanceId");
    let r = c
        .ready_for_service()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id("ghost@ccc-test")
        .send()
        .await;
    assert_eq!(code(r), "NotExists.UserId");
    let r = c
        .sign_in_group()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .signed_skill_group_id_list(["skg-ghost@ccc-test"])
        .send()
        .await;
    assert_eq!(code(r), "NotExists.SkillGroupId");
    let r = c
        .modify_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id("skg-ghost@ccc-test")
        .display_name("x")
        .send()
        .await;
    assert_eq!(code(r), "NotExists.SkillGroupId");
    // Nothing changed on the way.
    assert_eq!(
        emu.state().agent(INSTANCE, ANN).unwrap().state,
        EmulatedState::Offline
    );
}

const BOB: &str = "agent-bob@ccc-test";
const BOB_EXTENSION: &str = "80011114";
const SUE: &str = "supervisor@ccc-test";

async fn answer(c: &Client, user: &str, job: &str) {
    let out = c
        .answer_call()
        .instance_id(INSTANCE)
        .device_id(format!("ws-{user}"))
        .user_id(user)
        .job_id(job)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(
        data.user_context()
            .unwrap()
            .user_state()
            .map(|s| s.as_str()),
        Some("TALKING")
    );
}

/// The customer's channel of a call, as PollUserStatus shows it to `user`.
async fn customer_channel(c: &Client, user: &str) -> (String, String) {
    let out = c
        .poll_user_status()
        .instance_id(INSTANCE)
        .user_id(user)
        .send()
        .await
        .unwrap();
    let call = out.data().unwrap().call_context().expect("in a call");
    let channel = call
        .channel_contexts()
        .iter()
        .find(|ch| ch.user_id().is_none())
        .expect("a customer channel");
    (
        channel.channel_id().unwrap().to_owned(),
        channel.channel_state().unwrap().as_str().to_owned(),
    )
}

#[tokio::test]
async fn a_full_shift_hangs_together_in_states_and_records() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    sign_in_ready(&c, INSTANCE, BOB, SUPPORT).await;

    // An inbound call rings Ann; she answers, holds the customer and takes them back.
    let job = emu
        .state()
        .ring_agent(INSTANCE, ANN, "13900001111", Some(SALES))
        .unwrap();
    assert!(job.starts_with("job-") && job.len() == 22, "{job}");
    assert_eq!(state_of(&c, ANN).await, "RINGING");
    answer(&c, ANN, &job).await;
    let (customer, state) = customer_channel(&c, ANN).await;
    assert_eq!(state, "ANSWERED");
    assert!(
        customer.starts_with("ch:customer:13900001111->"),
        "{customer}"
    );
    c.hold_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_channel(&c, ANN).await.1, "HELD");
    let again = c
        .hold_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await;
    assert_eq!(code(again), "InvalidOperation.CallState");
    c.retrieve_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_channel(&c, ANN).await.1, "ANSWERED");
    c.mute_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .send()
        .await
        .unwrap();
    c.send_dtmf_signaling()
        .instance_id(INSTANCE)
        .device_id("ws-a")
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .dtmf("12#")
        .send()
        .await
        .unwrap();

    // Blind transfer to Bob by extension: Ann goes to after-call work, Bob rings and answers.
    let out = c
        .blind_transfer()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .transferee(BOB_EXTENSION)
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.data()
            .unwrap()
            .user_context()
            .unwrap()
            .user_state()
            .map(|s| s.as_str()),
        Some("WORKING")
    );
    assert_eq!(state_of(&c, BOB).await, "RINGING");
    answer(&c, BOB, &job).await;
    c.release_call()
        .instance_id(INSTANCE)
        .device_id("ws-b")
        .user_id(BOB)
        .job_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(state_of(&c, BOB).await, "WORKING");
    // Released: the job is gone from calls.
    let gone = c
        .hold_call()
        .instance_id(INSTANCE)
        .user_id(BOB)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await;
    assert_eq!(code(gone), "NotExists.JobId");
    // After-call work ends on the clock.
    emu.state()
        .advance_clock(std::time::Duration::from_secs(11));
    assert_eq!(state_of(&c, ANN).await, "READY");
    assert_eq!(state_of(&c, BOB).await, "READY");

    // Outbound: Ann dials; the customer answers a second later.
    let out = c
        .make_call()
        .instance_id(INSTANCE)
        .device_id("ws-a")
        .user_id(ANN)
        .callee("13800138000")
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(
        data.user_context()
            .unwrap()
            .user_state()
            .map(|s| s.as_str()),
        Some("DIALING")
    );
    let call = data.call_context().unwrap();
    assert_eq!(call.call_type(), Some(&ccc_sdk::types::CallType::Outbound));
    let outbound = call.job_id().unwrap().to_owned();
    assert_ne!(outbound, job);
    emu.state().advance_clock(std::time::Duration::from_secs(1));
    assert_eq!(state_of(&c, ANN).await, "TALKING");

    // The supervisor listens in, then leaves; Ann stays in the call.
    sign_in_ready(&c, INSTANCE, SUE, SALES).await;
    c.monitor_call()
        .instance_id(INSTANCE)
        .device_id("ws-s")
        .user_id(SUE)
        .monitored_user_id(ANN)
        .send()
        .await
        .unwrap();
    assert_eq!(state_of(&c, SUE).await, "TALKING");
    c.release_call()
        .instance_id(INSTANCE)
        .device_id("ws-s")
        .user_id(SUE)
        .job_id(&outbound)
        .send()
        .await
        .unwrap();
    assert_eq!(state_of(&c, ANN).await, "TALKING");

    // Attended transfer to Bob: the customer waits on hold while Ann and Bob talk.
    c.initiate_attended_transfer()
        .instance_id(INSTANCE)
        .device_id("ws-a")
        .user_id(ANN)
        .job_id(&outbound)
        .transferee(BOB)
        .send()
        .await
        .unwrap();
    assert_eq!(customer_channel(&c, ANN).await.1, "HELD");
    answer(&c, BOB, &outbound).await;
    c.complete_attended_transfer()
        .instance_id(INSTANCE)
        .device_id("ws-a")
        .user_id(ANN)
        .job_id(&outbound)
        .send()
        .await
        .unwrap();
    assert_eq!(state_of(&c, ANN).await, "WORKING");
    assert_eq!(customer_channel(&c, BOB).await.1, "ANSWERED");
    c.release_call()
        .instance_id(INSTANCE)
        .device_id("ws-b")
        .user_id(BOB)
        .job_id(&outbound)
        .send()
        .await
        .unwrap();
    emu.state()
        .advance_clock(std::time::Duration::from_secs(11));

    // A break, and the end of the shift.
    c.take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Lunch")
        .send()
        .await
        .unwrap();
    c.sign_out_group()
        .instance_id(INSTANCE)
        .device_id("ws-a")
        .user_id(ANN)
        .send()
        .await
        .unwrap();

    // The records tell the same story.
    let out = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.total_count(), Some(2));
    let list = data.list();
    assert_eq!(
        list[0].contact_id(),
        Some(outbound.as_str()),
        "newest first"
    );
    assert_eq!(list[0].contact_type(), Some("Outbound"));
    assert_eq!(list[0].called_number(), Some("13800138000"));
    assert_eq!(
        list[0].agent_ids(),
        Some(format!("{ANN},{SUE},{BOB}").as_str())
    );
    assert_eq!(list[1].contact_id(), Some(job.as_str()));
    assert_eq!(list[1].contact_type(), Some("Inbound"));
    assert_eq!(list[1].agent_ids(), Some(format!("{ANN},{BOB}").as_str()));
    assert_eq!(list[1].skill_group_ids(), Some(SALES));
    assert!(list[1].talk_time().unwrap_or(-1) >= 0);

    let out = c
        .get_call_detail_record()
        .instance_id(INSTANCE)
        .contact_id(&job)
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().calling_number(), Some("13900001111"));
    let missing = c
        .get_call_detail_record()
        .instance_id(INSTANCE)
        .contact_id("job-1")
        .send()
        .await;
    assert_eq!(code(missing), "NotExists.ContactId");

    let out = c
        .list_agent_state_logs()
        .instance_id(INSTANCE)
        .agent_id(ANN)
        .send()
        .await
        .unwrap();
    let states: Vec<&str> = out
        .data()
        .iter()
        .filter_map(|l| l.state())
        .map(RealtimeAgentState::as_str)
        .collect();
    assert_eq!(
        states,
        [
            "Ready", "Ringing", "Talking", "ACW", "Ready", "Dialing", "Talking", "ACW", "Ready",
            "Break"
        ]
    );

    let out = c
        .list_realtime_agent_states()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .state_list(["Ready"])
        .send()
        .await
        .unwrap();
    let ready: Vec<&str> = out
        .data()
        .unwrap()
        .list()
        .iter()
        .filter_map(|a| a.agent_id())
        .collect();
    assert_eq!(ready, [BOB, SUE]);

    let out = c
        .list_historical_agent_report()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .agent_id_list([ANN])
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.total_count(), Some(1));
    let report = &data.list()[0];
    assert_eq!(report.inbound().unwrap().calls_handled(), Some(1));
    assert_eq!(report.outbound().unwrap().calls_dialed(), Some(1));
    assert_eq!(report.overall().unwrap().total_calls(), Some(2));
}

#[tokio::test]
async fn calls_check_their_jobs_channels_and_agents() {
    let emu = emulator().await;
    let c = client(&emu);
    let r = c
        .release_call()
        .instance_id(INSTANCE)
        .device_id("d")
        .job_id("job-1")
        .send()
        .await;
    assert_eq!(code(r), "NotExists.JobId");
    // Not signed in: no call.
    let r = c
        .make_call()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .callee("13800138000")
        .send()
        .await;
    assert_eq!(code(r), "InvalidOperation.UserState");
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    // An internal call to an agent who is not ready: busy.
    let r = c
        .make_call()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .callee(BOB_EXTENSION)
        .send()
        .await;
    assert_eq!(code(r), "UserBusy");
    assert_eq!(
        emu.state().ring_agent(INSTANCE, BOB, "139", None),
        Err("UserBusy".to_owned())
    );
    let job = emu.state().ring_agent(INSTANCE, ANN, "139", None).unwrap();
    let r = c
        .hold_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id("ch:nope")
        .send()
        .await;
    assert_eq!(code(r), "NotExists.ChannelId");
    // Bob is not in Ann's call.
    let r = c
        .answer_call()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(BOB)
        .job_id(&job)
        .send()
        .await;
    assert_eq!(code(r), "NotExists.ChannelId");
    // Unanswered, the call gives up after the ring timeout and Ann is free again.
    emu.state()
        .advance_clock(std::time::Duration::from_secs(21));
    assert_eq!(state_of(&c, ANN).await, "READY");
    let out = c
        .list_call_detail_records()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    let list = out.data().unwrap().list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].contact_disposition(), Some("NoAnswer"));
}

#[tokio::test]
async fn paging_time_windows_and_sorting_work_over_a_thousand_records() {
    let scenario = ccc_emulator::Scenario::from_json(
        r#"{
          "clock": { "start": "2026-03-02T08:00:00Z", "frozen": true },
          "behaviour": { "after_call_work_seconds": 0 },
          "instances": [{ "id": "ccc-test", "users": [
            { "user_id": "agent-ann@ccc-test", "extension": "8001" } ] }]
        }"#,
    )
    .unwrap();
    let emu = ccc_emulator::Emulator::builder()
        .scenario(scenario)
        .build()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let c = client(&emu);
    c.sign_in_group()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .signed_skill_group_id_list(Vec::<String>::new())
        .send()
        .await
        .unwrap();
    let start_ms = emu.state().now_ms();
    let mut starts = Vec::new();
    assert_eq!(start_ms, 1_772_438_400_000);
    let mut jobs = Vec::new();
    for i in 0..1000 {
        starts.push(emu.state().now_ms());
        let job = emu
            .state()
            .ring_agent(INSTANCE, ANN, &format!("139{i:08}"), None)
            .unwrap();
        // Every fourth call is missed: it gives up after the ring timeout.
        if i % 4 == 3 {
            emu.state()
                .advance_clock(std::time::Duration::from_secs(21));
        } else {
            answer(&c, ANN, &job).await;
            emu.state()
                .advance_clock(std::time::Duration::from_secs(30));
            c.release_call()
                .instance_id(INSTANCE)
                .device_id("d")
                .user_id(ANN)
                .job_id(&job)
                .send()
                .await
                .unwrap();
        }
        emu.state().advance_clock(std::time::Duration::from_secs(9));
        jobs.push(job);
    }
    let end_ms = emu.state().now_ms();

    // Every page, in order, newest first; the pages together are every record once.
    let page = |n: i32, size: i32, order: Option<&'static str>| {
        let mut b = c
            .list_call_detail_records_v2()
            .instance_id(INSTANCE)
            .page_number(n)
            .page_size(size)
            .start_time(start_ms)
            .end_time(end_ms);
        if let Some(o) = order {
            b = b.sort_order(o);
        }
        b.send()
    };
    let mut seen = Vec::new();
    for n in 1..=10 {
        let out = page(n, 100, None).await.unwrap();
        let data = out.data().unwrap();
        assert_eq!(data.total_count(), Some(1000));
        assert_eq!(data.page_number(), Some(n));
        seen.extend(
            data.list()
                .iter()
                .map(|r| r.contact_id().unwrap().to_owned()),
        );
    }
    let newest_first: Vec<String> = jobs.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);
    // The paginator reads the same records, each once and none twice, one request a page.
    let before = emu.requests("ListCallDetailRecordsV2");
    let records = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .start_time(start_ms)
        .end_time(end_ms)
        .into_paginator()
        .page_size(100)
        .items()
        .collect_at_most(5000)
        .await
        .unwrap();
    let ids: Vec<String> = records
        .iter()
        .map(|r| r.contact_id().unwrap().to_owned())
        .collect();
    assert_eq!(ids, newest_first);
    assert_eq!(emu.requests("ListCallDetailRecordsV2") - before, 10);
    let past_the_end = page(11, 100, None).await.unwrap();
    assert!(past_the_end.data().unwrap().list().is_empty());
    let oldest = page(1, 3, Some("ASC")).await.unwrap();
    let ids: Vec<&str> = oldest
        .data()
        .unwrap()
        .list()
        .iter()
        .filter_map(|r| r.contact_id())
        .collect();
    assert_eq!(
        ids,
        jobs[..3].iter().map(String::as_str).collect::<Vec<_>>()
    );

    // A window of ten minutes from the start.
    let out = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(100)
        .start_time(start_ms)
        .end_time(start_ms + 600_000)
        .send()
        .await
        .unwrap();
    let in_window = out.data().unwrap().total_count().unwrap();
    let expected = starts.iter().filter(|t| **t <= start_ms + 600_000).count();
    assert!(expected > 10 && expected < 100, "{expected}");
    assert_eq!(in_window as usize, expected);
    for r in out.data().unwrap().list() {
        let t = r.start_time().unwrap();
        assert!((start_ms..=start_ms + 600_000).contains(&t));
    }
    let out = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(100)
        .start_time(start_ms)
        .end_time(end_ms)
        .contact_type_list(["Inbound"])
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().total_count(), Some(1000));

    let too_big = page(1, 101, None).await;
    assert_eq!(code(too_big), "Parameter.Maximum");
    let zero = page(0, 10, None).await;
    assert_eq!(code(zero), "Parameter.Minimum");

    let report = c
        .list_historical_agent_report()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .start_time(start_ms)
        .stop_time(end_ms)
        .send()
        .await
        .unwrap();
    let inbound = report.data().unwrap().list()[0].inbound().unwrap().clone();
    assert_eq!(inbound.calls_offered(), Some(1000));
    assert_eq!(inbound.calls_handled(), Some(750));
    assert_eq!(inbound.total_talk_time(), Some(750 * 30));
}

#[tokio::test]
async fn the_directory_reads_what_it_was_told() {
    let emu = emulator().await;
    let c = client(&emu);

    // A new skill group and a new user in it.
    let out = c
        .create_skill_group()
        .instance_id(INSTANCE)
        .name("billing")
        .display_name("Billing")
        .send()
        .await
        .unwrap();
    let billing = out.data().unwrap().skill_group_id().unwrap().to_owned();
    assert_eq!(billing, "billing@ccc-test");
    let out = c
        .create_user()
        .instance_id(INSTANCE)
        .login_name("carol")
        .display_name("Carol")
        .email("carol@example.com")
        .role_id("Agent@ccc-test")
        .work_mode("ON_SITE")
        .skill_level_list([SkillLevel::default()
            .skill_group_id(&billing)
            .skill_level(6)])
        .send()
        .await
        .unwrap();
    let carol = out.data().unwrap();
    assert_eq!(carol.user_id(), Some("carol@ccc-test"));
    let extension = carol.extension().unwrap().to_owned();
    let again = c
        .create_user()
        .instance_id(INSTANCE)
        .login_name("carol")
        .display_name("Carol")
        .email("carol@example.com")
        .role_id("Agent@ccc-test")
        .work_mode("ON_SITE")
        .send()
        .await;
    assert_eq!(code(again), "AlreadyExists.User");

    let out = c
        .get_user()
        .instance_id(INSTANCE)
        .extension(&extension)
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().display_name(), Some("Carol"));
    let out = c
        .list_users()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .skill_group_id(&billing)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.total_count(), Some(1));
    assert_eq!(data.list()[0].skill_level_list()[0].skill_level(), Some(6));

    // Ann joins billing; levels read back from the group's side.
    c.add_users_to_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .user_skill_level_list([UserSkillLevel::default().user_id(ANN).skill_level(9)])
        .send()
        .await
        .unwrap();
    let out = c
        .list_user_levels_of_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .is_member(true)
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    let members: Vec<(String, i32)> = out
        .data()
        .unwrap()
        .list()
        .iter()
        .map(|u| (u.user_id().unwrap().to_owned(), u.skill_level().unwrap()))
        .collect();
    assert_eq!(
        members,
        [(ANN.to_owned(), 9), ("carol@ccc-test".to_owned(), 6)]
    );
    let out = c
        .list_skill_groups()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .search_pattern("bill")
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().list()[0].user_count(), Some(2));

    // A number bound to billing, then unbound.
    c.add_numbers_to_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .number_list(["02180000001"])
        .send()
        .await
        .unwrap();
    let out = c
        .list_phone_numbers_of_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .is_member(true)
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().total_count(), Some(1));
    let unknown = c
        .add_numbers_to_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .number_list(["000"])
        .send()
        .await;
    assert_eq!(code(unknown), "NotExists.Number");
    c.remove_phone_numbers_from_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .number_list(["02180000001"])
        .send()
        .await
        .unwrap();

    // Changes and removals show everywhere.
    c.modify_user()
        .instance_id(INSTANCE)
        .user_id("carol@ccc-test")
        .work_mode("OFFICE_PHONE")
        .display_name("Carol B.")
        .send()
        .await
        .unwrap();
    let out = c
        .get_user()
        .instance_id(INSTANCE)
        .user_id("carol@ccc-test")
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().display_name(), Some("Carol B."));
    assert_eq!(
        out.data().unwrap().work_mode().map(|s| s.as_str()),
        Some("OFFICE_PHONE")
    );
    c.remove_users()
        .instance_id(INSTANCE)
        .user_id_list(["carol@ccc-test"])
        .send()
        .await
        .unwrap();
    let gone = c
        .get_user()
        .instance_id(INSTANCE)
        .user_id("carol@ccc-test")
        .send()
        .await;
    assert_eq!(code(gone), "NotExists.UserId");
    c.delete_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .send()
        .await
        .unwrap();
    let gone = c
        .modify_skill_group()
        .instance_id(INSTANCE)
        .skill_group_id(&billing)
        .display_name("x")
        .send()
        .await;
    assert_eq!(code(gone), "NotExists.SkillGroupId");

    let out = c.get_instance().instance_id(INSTANCE).send().await.unwrap();
    let instance = out.data().unwrap();
    assert_eq!(instance.id(), Some(INSTANCE));
    assert_eq!(instance.number_list().len(), 3);
    assert_eq!(instance.admin_list()[0].user_id(), Some(SUE));
    let out = c
        .list_instances()
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    assert_eq!(out.data().unwrap().total_count(), Some(1));
}

/// README's `cargo run --example contact_centre`: the shift runs to its end, and the records
/// and report it prints agree with it.
#[test]
fn the_contact_centre_example_runs_a_shift() {
    let out = std::process::Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "-p",
            "ccc-tests",
            "--example",
            "contact_centre",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "agent-ann=RINGING agent-bob=READY",
        "agent-ann=WORKING agent-bob=RINGING",
        "agent-ann=DIALING",
        "agent-ann=BREAK",
        "both sign out",
        "Inbound  13900001111 -> 02180000001",
        "talk 95 s",
        // The report counts each agent's own time in the calls.
        "agent-bob@ccc-test   calls 2  talk 135 s",
    ] {
        assert!(stdout.contains(line), "`{line}` missing from:\n{stdout}");
    }
}

/// README and `--help` list the modelled actions; README's list must not drift from the code.
#[test]
fn readme_lists_every_modelled_action() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let start = readme
        .find("Actions the world models")
        .expect("the list in README");
    let list = &readme[start..start + readme[start..].find("\n\n").unwrap()];
    let named: Vec<&str> = list
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 3 && w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .collect();
    let modelled = ccc_emulator::Emulator::default().modelled_actions();
    for action in &modelled {
        assert!(named.contains(action), "README does not list {action}");
    }
    let spec = ccc_emulator::embedded_spec().unwrap();
    for word in named {
        if spec.action(word).is_some() {
            assert!(
                modelled.contains(&word),
                "README lists {word}, which is not modelled"
            );
        }
    }
}

/// The same scenario and the same calls give the same answers: ids, times and records.
#[tokio::test]
async fn the_same_scenario_and_calls_give_the_same_answers() {
    let scenario = r#"{
      "clock": { "start": "2026-06-01T09:00:00Z", "frozen": true },
      "instances": [{ "id": "ccc-test", "skill_groups": [{ "id": "skg-sales@ccc-test" }],
        "users": [ { "user_id": "agent-ann@ccc-test", "extension": "8001" } ] }]
    }"#;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let emu = ccc_emulator::Emulator::builder()
            .scenario(ccc_emulator::Scenario::from_json(scenario).unwrap())
            .build()
            .start("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let c = client(&emu);
        sign_in_ready(&c, INSTANCE, ANN, SALES).await;
        let mut seen = Vec::new();
        for n in 0..3 {
            let job = emu
                .state()
                .ring_agent(INSTANCE, ANN, &format!("1390000000{n}"), Some(SALES))
                .unwrap();
            answer(&c, ANN, &job).await;
            emu.state()
                .advance_clock(std::time::Duration::from_secs(60));
            c.release_call()
                .instance_id(INSTANCE)
                .device_id("d")
                .user_id(ANN)
                .job_id(&job)
                .send()
                .await
                .unwrap();
            emu.state()
                .advance_clock(std::time::Duration::from_secs(15));
            seen.push(job);
        }
        let out = c
            .list_call_detail_records_v2()
            .instance_id(INSTANCE)
            .page_number(1)
            .page_size(10)
            .send()
            .await
            .unwrap();
        for r in out.data().unwrap().list() {
            seen.push(format!(
                "{:?} {:?} {:?} {:?} {:?}",
                r.contact_id(),
                r.start_time(),
                r.established_time(),
                r.release_time(),
                r.talk_time()
            ));
        }
        let logs = c
            .list_agent_state_logs()
            .instance_id(INSTANCE)
            .agent_id(ANN)
            .start_time(0)
            .send()
            .await
            .unwrap();
        for l in logs.data() {
            seen.push(format!(
                "{:?} {:?} {:?}",
                l.state(),
                l.start_time(),
                l.duration()
            ));
        }
        runs.push(seen);
    }
    // Three jobs, three records, and READY then RINGING, TALKING, ACW, READY per call.
    assert_eq!(runs[0].len(), 3 + 3 + 1 + 3 * 4);
    assert_eq!(runs[0], runs[1]);
}

#[tokio::test]
async fn a_reset_takes_the_agent_out_of_its_call() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    let job = emu.state().ring_agent(INSTANCE, ANN, "139", None).unwrap();
    answer(&c, ANN, &job).await;
    let out = c
        .reset_agent_state()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state().map(|s| s.as_str()), Some("READY"));
    assert_eq!(data.job_id(), None);
    // The call ended and left its record.
    let out = c
        .list_call_detail_records()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .send()
        .await
        .unwrap();
    let list = out.data().unwrap().list();
    assert_eq!(list[0].contact_id(), Some(job.as_str()));
    assert_eq!(list[0].release_reason(), Some("AgentReset"));
    // And Ann can be rung again at once.
    emu.state().ring_agent(INSTANCE, ANN, "139", None).unwrap();
}

/// Extreme numbers from a client are answered, never a crash: windows at the ends of time,
/// huge page numbers.
#[tokio::test]
async fn extreme_windows_and_pages_are_answered() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    for (start, end) in [
        (i64::MIN, i64::MIN),
        (i64::MIN, i64::MAX),
        (i64::MAX, i64::MAX),
    ] {
        let out = c
            .list_historical_agent_report()
            .instance_id(INSTANCE)
            .page_number(1)
            .page_size(100)
            .start_time(start)
            .stop_time(end)
            .send()
            .await
            .unwrap();
        assert!(out.data().unwrap().total_count().unwrap() >= 4);
        c.list_agent_state_logs()
            .instance_id(INSTANCE)
            .agent_id(ANN)
            .start_time(start)
            .end_time(end)
            .send()
            .await
            .unwrap();
        c.list_call_detail_records_v2()
            .instance_id(INSTANCE)
            .page_number(i32::MAX)
            .page_size(100)
            .start_time(start)
            .end_time(end)
            .send()
            .await
            .unwrap();
    }
    let backwards = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .start_time(10)
        .end_time(5)
        .send()
        .await;
    assert_eq!(code(backwards), "Parameter.Invalid");
}

/// A call queued in a skill group goes to its ready agent with the highest level, then the next.
#[tokio::test]
async fn queued_calls_are_routed_by_skill_level() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await; // level 5 in sales
    sign_in_ready(&c, INSTANCE, SUE, SALES).await; // level 10
    sign_in_ready(&c, INSTANCE, BOB, SUPPORT).await; // not in sales
    let (_, first) = emu
        .state()
        .ring_skill_group(INSTANCE, SALES, "139")
        .unwrap();
    assert_eq!(first, SUE);
    let (job, second) = emu
        .state()
        .ring_skill_group(INSTANCE, SALES, "139")
        .unwrap();
    assert_eq!(second, ANN);
    assert_eq!(state_of(&c, ANN).await, "RINGING");
    assert_eq!(
        emu.state().ring_skill_group(INSTANCE, SALES, "139"),
        Err("UserBusy".to_owned())
    );
    assert_eq!(state_of(&c, BOB).await, "READY");
    // The record says which group the call came through.
    answer(&c, ANN, &job).await;
    c.release_call()
        .instance_id(INSTANCE)
        .device_id("d")
        .user_id(ANN)
        .job_id(&job)
        .send()
        .await
        .unwrap();
    for (group, expected) in [(SALES, 1), (SUPPORT, 0)] {
        let out = c
            .list_call_detail_records_v2()
            .instance_id(INSTANCE)
            .page_number(1)
            .page_size(10)
            .skill_group_id_list([group])
            .send()
            .await
            .unwrap();
        assert_eq!(out.data().unwrap().total_count(), Some(expected), "{group}");
    }
}

/// The existence checks also guard actions the world does not model.
#[tokio::test]
async fn unmodelled_actions_check_jobs_too() {
    let emu = emulator().await;
    let c = client(&emu);
    let r = c
        .launch_survey()
        .instance_id(INSTANCE)
        .job_id("job-1")
        .device_id("d")
        .send()
        .await;
    assert_eq!(code(r), "NotExists.JobId");
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    let job = emu.state().ring_agent(INSTANCE, ANN, "139", None).unwrap();
    c.launch_survey()
        .instance_id(INSTANCE)
        .job_id(&job)
        .device_id("d")
        .send()
        .await
        .unwrap();
}

/// `StateTime` of the realtime states is how long the agent has been in its state, in seconds.
#[tokio::test]
async fn realtime_state_time_is_seconds_in_the_state() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    emu.state()
        .advance_clock(std::time::Duration::from_secs(42));
    let out = c
        .list_realtime_agent_states()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .agent_id_list([ANN])
        .send()
        .await
        .unwrap();
    let ann = &out.data().unwrap().list()[0];
    assert_eq!(ann.agent_id(), Some(ANN));
    // The clock also runs in real time: a slow machine may add a second.
    let secs = ann.state_time().expect("StateTime");
    assert!((42..=44).contains(&secs), "StateTime {secs}");
}

/// `ListRealtimeAgentStates` filters by and answers with the typed realtime state: each agent's
/// `State` is matched as an enumeration, and `StateList` takes enumeration values, one the SDK
/// does not know included.
#[tokio::test]
async fn realtime_states_are_filtered_and_read_as_typed_values() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    sign_in_ready(&c, INSTANCE, BOB, SUPPORT).await;
    sign_in_ready(&c, INSTANCE, SUE, SALES).await;
    c.take_break()
        .instance_id(INSTANCE)
        .user_id(BOB)
        .code("Lunch")
        .send()
        .await
        .unwrap();
    // Sue takes a call and hangs up: after-call work.
    let job = emu.state().ring_agent(INSTANCE, SUE, "139", None).unwrap();
    answer(&c, SUE, &job).await;
    c.release_call()
        .instance_id(INSTANCE)
        .device_id(format!("ws-{SUE}"))
        .user_id(SUE)
        .job_id(&job)
        .send()
        .await
        .unwrap();
    // Ann is being rung; the default user never signed in.
    emu.state().ring_agent(INSTANCE, ANN, "138", None).unwrap();

    let list = |states: Vec<RealtimeAgentState>| {
        let c = c.clone();
        async move {
            let out = c
                .list_realtime_agent_states()
                .instance_id(INSTANCE)
                .page_number(1)
                .page_size(10)
                .state_list(states)
                .send()
                .await
                .unwrap();
            let mut agents: Vec<(String, String)> = out
                .data()
                .unwrap()
                .list()
                .iter()
                .map(|a| {
                    let what = match a.state() {
                        Some(RealtimeAgentState::Offline) => "signed out".to_owned(),
                        Some(RealtimeAgentState::Ready) => "free".to_owned(),
                        Some(RealtimeAgentState::Break) => {
                            format!("on a break: {}", a.state_code().unwrap_or_default())
                        }
                        Some(RealtimeAgentState::Ringing) => "being rung".to_owned(),
                        Some(RealtimeAgentState::Dialing) => "dialling".to_owned(),
                        Some(RealtimeAgentState::Talking) => "talking".to_owned(),
                        Some(RealtimeAgentState::Acw) => "wrapping up".to_owned(),
                        other => panic!("unexpected state {other:?}"),
                    };
                    (a.agent_id().unwrap().to_owned(), what)
                })
                .collect();
            agents.sort();
            agents
        }
    };
    let pair = |agent: &str, what: &str| (agent.to_owned(), what.to_owned());

    // Everyone, each in a state of their own.
    assert_eq!(
        list(Vec::new()).await,
        [
            pair(ANN, "being rung"),
            pair(BOB, "on a break: Lunch"),
            pair(SUE, "wrapping up"),
            pair("user-test@ccc-test", "signed out"),
        ]
    );
    // Only the states asked for.
    assert_eq!(
        list(vec![RealtimeAgentState::Ringing, RealtimeAgentState::Acw]).await,
        [pair(ANN, "being rung"), pair(SUE, "wrapping up")]
    );
    assert_eq!(
        list(vec![RealtimeAgentState::Break]).await,
        [pair(BOB, "on a break: Lunch")]
    );
    // Wire values parse to the enumeration; a value the SDK does not know is sent as it is and
    // here matches no agent.
    assert_eq!(
        "ACW".parse::<RealtimeAgentState>().unwrap(),
        RealtimeAgentState::Acw
    );
    let unknown = RealtimeAgentState::from("Away");
    assert_eq!(unknown.as_str(), "Away");
    assert_eq!(list(vec![unknown]).await, []);
}
