//! The emulator as a contact centre, driven through ccc-sdk: agents' states, calls, the
//! directory and records hang together, and what does not exist is reported as the service does.

use ccc_emulator::UserState as EmulatedState;
use ccc_sdk::error::ServiceError;
use ccc_sdk::{Client, SdkError};
use ccc_tests::{client, emulator};

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
        .signed_skill_group_id_list(format!("[\"{SALES}\"]"))
        .send()
        .await
        .unwrap();
    let data = out.data().unwrap();
    assert_eq!(data.user_state(), Some("READY"));
    assert_eq!(data.signed_skill_group_id_list(), [SALES.to_owned()]);
    assert_eq!(data.device_id(), Some("ws-1"));
    // Additivity adds a group instead of replacing the list.
    let out = c
        .sign_in_group()
        .instance_id(INSTANCE)
        .device_id("ws-1")
        .user_id(ANN)
        .signed_skill_group_id_list(SUPPORT)
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
    assert_eq!(data.user_state(), Some("BREAK"));
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
    assert_eq!(data.user_state(), Some("READY"));
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
    assert_eq!(out.data().unwrap().work_mode(), Some("OFF_SITE"));
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
    assert_eq!(data.user_state(), Some("OFFLINE"));
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
        .signed_skill_group_id_list(SALES)
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
        .signed_skill_group_id_list("skg-ghost@ccc-test")
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
