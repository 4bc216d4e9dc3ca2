//! Waiters against the emulator, on its virtual clock: the sleeper moves the emulator's clock
//! forward instead of sleeping, so waits of many seconds of the contact centre's time take a few
//! milliseconds, and what the emulator does on its own as time passes (a callee answering,
//! after-call work ending, an unanswered call giving up) ends the waits.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ccc_emulator::Fault;
use ccc_emulator::{Emulator, RunningEmulator};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::types::{ChannelState, UserState};
use ccc_sdk::waiter::{Wait, WaitErrorKind};
use ccc_sdk::{Client, Config, Credentials};

const INSTANCE: &str = "ccc-test";
const ANN: &str = "agent-ann@ccc-test";
const BOB: &str = "agent-bob@ccc-test";
const BOB_EXTENSION: &str = "80011114";
const S: Duration = Duration::from_secs(1);

async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .build()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn client(emu: &RunningEmulator, retry: RetryConfig) -> Client {
    Client::new(
        Config::builder()
            .endpoint_url(emu.endpoint())
            .credentials(Credentials::new("testid", "testsecret"))
            .retry(retry)
            .build()
            .unwrap(),
    )
    .unwrap()
}

/// No test waits more than this in real time.
async fn bounded<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("the test ends within 30 s")
}

/// Pauses a sleeper was asked for.
type Slept = Arc<Mutex<Vec<Duration>>>;

/// A sleeper that moves the emulator's clock forward by each pause instead of sleeping, and
/// records the pauses.
fn virtual_sleeper(
    emu: &RunningEmulator,
) -> (
    impl FnMut(Duration) -> std::future::Ready<()> + Send + 'static,
    Slept,
) {
    let state = emu.state().clone();
    let slept = Slept::default();
    let record = slept.clone();
    let sleeper = move |d| {
        state.advance_clock(d);
        record.lock().unwrap().push(d);
        std::future::ready(())
    };
    (sleeper, slept)
}

fn total(slept: &Slept) -> Duration {
    slept.lock().unwrap().iter().sum()
}

async fn sign_in(c: &Client, user: &str) {
    c.sign_in_group()
        .instance_id(INSTANCE)
        .user_id(user)
        .device_id(format!("ws-{user}"))
        .signed_skill_group_id_list(["skg-sales@ccc-test"])
        .send()
        .await
        .unwrap();
}

async fn state_of(c: &Client, user: &str) -> Option<UserState> {
    c.poll_user_status()
        .instance_id(INSTANCE)
        .user_id(user)
        .send()
        .await
        .unwrap()
        .data()
        .and_then(|d| d.user_context())
        .and_then(|u| u.user_state())
        .cloned()
}

/// Ann calls `callee`; the call's job id.
async fn call(c: &Client, callee: &str, timeout_seconds: Option<i32>) -> String {
    let mut request = c
        .make_call()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .device_id("ws-ann")
        .callee(callee);
    if let Some(t) = timeout_seconds {
        request = request.timeout_seconds(t);
    }
    let out = request.send().await.unwrap();
    out.data()
        .and_then(|d| d.call_context())
        .and_then(|c| c.job_id())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_call_is_answered_and_after_call_work_ends_on_the_virtual_clock() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        let began = Instant::now();
        sign_in(&c, ANN).await;
        let job = call(&c, "13800138000", None).await;

        // The callee answers a second after the call, on the emulator's clock.
        let (sleeper, slept) = virtual_sleeper(&emu);
        let answered = c
            .wait_for_call_state(INSTANCE, ANN, &job, ChannelState::Answered)
            .min_delay(S / 4)
            .max_delay(S)
            .max_wait(60 * S)
            .sleeper(sleeper)
            .await
            .unwrap();
        let channels = answered
            .data()
            .and_then(|d| d.call_context())
            .map(|c| c.channel_contexts())
            .unwrap();
        assert_eq!(channels.len(), 2);
        assert!(
            channels
                .iter()
                .all(|ch| ch.channel_state() == Some(&ChannelState::Answered))
        );
        assert!(!slept.lock().unwrap().is_empty());
        assert!(total(&slept) <= 2 * S, "{slept:?}");

        c.release_call()
            .instance_id(INSTANCE)
            .user_id(ANN)
            .device_id("ws-ann")
            .job_id(&job)
            .send()
            .await
            .unwrap();
        assert_eq!(state_of(&c, ANN).await, Some(UserState::Working));

        // After-call work lasts 10 s of the emulator's time; the wait sees it end.
        let polls_before = emu.requests("PollUserStatus");
        let (sleeper, slept) = virtual_sleeper(&emu);
        let ready = c
            .wait_for_agent_state(INSTANCE, ANN, UserState::Ready)
            .min_delay(S)
            .max_delay(4 * S)
            .max_wait(60 * S)
            .sleeper(sleeper)
            .await
            .unwrap();
        assert_eq!(
            ready
                .data()
                .and_then(|d| d.user_context())
                .and_then(|u| u.user_state()),
            Some(&UserState::Ready)
        );
        let slept_pauses = slept.lock().unwrap().clone();
        let waited = total(&slept);
        // Real time also runs the emulator's clock, a little.
        assert!(
            waited >= 9 * S && waited < 10 * S + 4 * S,
            "{slept_pauses:?}"
        );
        assert!(slept_pauses.iter().all(|d| *d >= S && *d <= 4 * S));
        let polls = emu.requests("PollUserStatus") - polls_before;
        assert_eq!(polls, slept_pauses.len() as u64 + 1);
        // Seconds of the contact centre's time, without sleeping them.
        assert!(began.elapsed() < 9 * S, "{:?}", began.elapsed());
    })
    .await;
}

#[tokio::test]
async fn a_call_that_gives_up_ends_the_wait_as_a_failure() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        sign_in(&c, ANN).await;
        sign_in(&c, BOB).await;
        // An internal call rings Bob, who never answers; it gives up after 5 s.
        let job = call(&c, BOB_EXTENSION, Some(5)).await;
        assert_eq!(state_of(&c, BOB).await, Some(UserState::Ringing));
        let (sleeper, slept) = virtual_sleeper(&emu);
        let e = c
            .wait_for_call_state(INSTANCE, ANN, &job, ChannelState::Answered)
            .min_delay(S)
            .max_delay(S)
            .max_wait(60 * S)
            .sleeper(sleeper)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::FailureMatched);
        // The answer that ended it: Ann is out of the call.
        let last = e.last_output().unwrap().data().unwrap();
        assert!(last.call_context().is_none());
        let waited = total(&slept);
        assert!(waited >= 4 * S && waited <= 6 * S, "{slept:?}");
        assert!(
            e.to_string()
                .ends_with("the answer met a failure condition"),
            "{e}"
        );
    })
    .await;
}

#[tokio::test]
async fn any_action_can_be_waited_on_a_record_appears() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        sign_in(&c, ANN).await;
        sign_in(&c, BOB).await;
        let job = call(&c, BOB_EXTENSION, Some(3)).await;
        // The record is filed when the call ends: until then the service answers
        // NotExists.ContactId, which this wait polls through.
        let request = c
            .get_call_detail_record()
            .instance_id(INSTANCE)
            .contact_id(&job);
        let (sleeper, slept) = virtual_sleeper(&emu);
        let record = Wait::new(
            || request.clone().send(),
            |out| out.data().is_some_and(|r| r.release_time().is_some()),
        )
        .retry_error(|e| e.is_transient() || e.code() == Some("NotExists.ContactId"))
        .min_delay(S)
        .max_delay(S)
        .max_wait(30 * S)
        .sleeper(sleeper)
        .await
        .unwrap();
        assert_eq!(
            record.data().and_then(|r| r.contact_id()),
            Some(job.as_str())
        );
        assert!(total(&slept) >= 2 * S, "{slept:?}");

        // Without polling through it, the first NotExists ends the wait.
        let e = Wait::new(
            || {
                c.get_call_detail_record()
                    .instance_id(INSTANCE)
                    .contact_id("job-404")
                    .send()
            },
            |_| true,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::ErrorNotRetried);
        assert_eq!(e.polls(), 1);
        assert_eq!(
            e.last_error().and_then(|e| e.code()),
            Some("NotExists.ContactId")
        );
    })
    .await;
}

#[tokio::test]
async fn a_state_never_reached_times_out_with_the_last_answer() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        sign_in(&c, ANN).await;
        c.take_break()
            .instance_id(INSTANCE)
            .user_id(ANN)
            .device_id("ws-ann")
            .code("Lunch")
            .send()
            .await
            .unwrap();
        let (sleeper, slept) = virtual_sleeper(&emu);
        let clock_before = emu.state().now_ms();
        let e = c
            .wait_for_agent_state(INSTANCE, ANN, UserState::Ready)
            .min_delay(5 * S)
            .max_delay(5 * S)
            .max_wait(30 * S)
            .sleeper(sleeper)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::TimedOut { max_wait: 30 * S });
        // Polls at 0, 5, 10, 15, 20 and 25 s; then less than the minimum delay is left.
        assert_eq!(e.polls(), 6);
        assert_eq!(*slept.lock().unwrap(), vec![5 * S; 5]);
        assert!(e.elapsed() >= 25 * S && e.elapsed() < 30 * S);
        let moved = emu.state().now_ms() - clock_before;
        assert!((25_000..30_000).contains(&moved), "{moved} ms");
        let last = e.last_output().and_then(|o| o.data()).unwrap();
        assert_eq!(
            last.user_context().and_then(|u| u.user_state()),
            Some(&UserState::Break)
        );

        // The same with a cap on polls.
        let (sleeper, slept) = virtual_sleeper(&emu);
        let e = c
            .wait_for_agent_state(INSTANCE, ANN, UserState::Ready)
            .max_polls(3)
            .sleeper(sleeper)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::TooManyPolls { max_polls: 3 });
        assert_eq!(slept.lock().unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn an_unknown_agent_ends_the_wait_at_once() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        let (sleeper, slept) = virtual_sleeper(&emu);
        let e = c
            .wait_for_agent_state(INSTANCE, "nobody@ccc-test", UserState::Ready)
            .sleeper(sleeper)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), &WaitErrorKind::ErrorNotRetried);
        assert_eq!(e.polls(), 1);
        assert!(slept.lock().unwrap().is_empty());
        assert_eq!(
            e.last_error().and_then(|e| e.code()),
            Some("NotExists.UserId")
        );
        assert!(e.to_string().contains("NotExists.UserId"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn throttling_is_polled_through_no_faster_than_the_minimum_delay() {
    bounded(async {
        let emu = emulator().await;
        // No retries of its own: every throttled answer reaches the waiter.
        let c = client(&emu, RetryConfig::disabled());
        sign_in(&c, ANN).await;
        emu.faults()
            .inject(Fault::throttling().for_action("PollUserStatus").times(3));
        let (sleeper, slept) = virtual_sleeper(&emu);
        c.wait_for_agent_state(INSTANCE, ANN, UserState::Ready)
            .min_delay(S / 2)
            .max_delay(S / 2)
            .sleeper(sleeper)
            .await
            .unwrap();
        assert_eq!(emu.requests("PollUserStatus"), 4);
        // The emulator's throttled answers ask for no pause of their own: the minimum delay it is.
        assert_eq!(*slept.lock().unwrap(), vec![S / 2; 3]);
    })
    .await;
}

#[tokio::test]
async fn the_default_sleeper_really_sleeps() {
    bounded(async {
        let emu = emulator().await;
        let c = client(&emu, RetryConfig::standard());
        sign_in(&c, ANN).await;
        c.take_break()
            .instance_id(INSTANCE)
            .user_id(ANN)
            .device_id("ws-ann")
            .code("Meeting")
            .send()
            .await
            .unwrap();
        let began = Instant::now();
        let e = c
            .wait_for_agent_state(INSTANCE, ANN, UserState::Ready)
            .min_delay(Duration::from_millis(50))
            .max_delay(Duration::from_millis(50))
            .max_polls(3)
            .await
            .unwrap_err();
        assert_eq!(e.polls(), 3);
        assert!(began.elapsed() >= Duration::from_millis(100));
    })
    .await;
}
