//! A struct the service sends in several actions is one type: one function reads the agent's
//! context from the answers of AnswerCall, HoldCall and RetrieveCall.

use ccc_sdk::types::{UserContext, UserState};
use ccc_tests::{client, emulator, sign_in_ready};

const INSTANCE: &str = "ccc-test";
const ANN: &str = "agent-ann@ccc-test";
const SALES: &str = "skg-sales@ccc-test";

/// What a supervisor's screen shows of an agent, whichever action answered.
fn shown(u: &UserContext) -> (String, Option<UserState>) {
    (
        u.user_id().unwrap_or_default().to_owned(),
        u.user_state().cloned(),
    )
}

#[tokio::test]
async fn one_function_reads_the_user_context_of_every_call_action() {
    let emu = emulator().await;
    let c = client(&emu);
    sign_in_ready(&c, INSTANCE, ANN, SALES).await;
    let device = format!("ws-{ANN}");
    let job = emu
        .state()
        .ring_agent(INSTANCE, ANN, "13900001111", Some(SALES))
        .unwrap();

    let answered = c
        .answer_call()
        .instance_id(INSTANCE)
        .device_id(&device)
        .user_id(ANN)
        .job_id(&job)
        .send()
        .await
        .unwrap();
    let answered = answered.data().and_then(|d| d.user_context()).unwrap();
    assert_eq!(shown(answered), (ANN.to_owned(), Some(UserState::Talking)));

    let polled = c
        .poll_user_status()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .send()
        .await
        .unwrap();
    let customer = polled
        .data()
        .and_then(|d| d.call_context())
        .unwrap()
        .channel_contexts()
        .iter()
        .find(|ch| ch.user_id().is_none())
        .and_then(|ch| ch.channel_id())
        .unwrap()
        .to_owned();

    let held = c
        .hold_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await
        .unwrap();
    let held = held.data().and_then(|d| d.user_context()).unwrap();
    let retrieved = c
        .retrieve_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .channel_id(&customer)
        .send()
        .await
        .unwrap();
    let retrieved = retrieved.data().and_then(|d| d.user_context()).unwrap();
    // The same type from three actions: collected, compared, encoded alike.
    let contexts: Vec<&UserContext> = vec![answered, held, retrieved];
    for u in &contexts {
        assert_eq!(shown(u).0, ANN);
        assert_eq!(
            serde_json::to_value(u).unwrap()["UserId"],
            serde_json::json!(ANN)
        );
    }
    assert_eq!(shown(held).1, Some(UserState::Talking));
}
