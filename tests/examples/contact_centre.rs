//! A day in the emulated contact centre, through ccc-sdk: two agents sign in, take an inbound
//! call and an outbound one with a hold, a blind and an attended transfer, do their after-call
//! work, take a break and sign out; then the records and the agent report tell the same story.
//!
//! ```sh
//! cargo run --example contact_centre
//! ```
//!
//! It starts the emulator in-process on a free loopback port and prints each step.

use std::time::Duration;

use ccc_emulator::{Emulator, RunningEmulator};
use ccc_sdk::{Client, Config, Credentials};

const INSTANCE: &str = "ccc-test";
const ANN: &str = "agent-ann@ccc-test";
const BOB: &str = "agent-bob@ccc-test";

type Error = Box<dyn std::error::Error>;

async fn states(c: &Client) -> Result<String, Error> {
    let mut out = Vec::new();
    for user in [ANN, BOB] {
        let status = c
            .poll_user_status()
            .instance_id(INSTANCE)
            .user_id(user)
            .send()
            .await?;
        let state = status
            .data()
            .and_then(|d| d.user_context())
            .and_then(|u| u.user_state())
            .map_or("?", |s| s.as_str())
            .to_owned();
        out.push(format!(
            "{}={state}",
            user.split('@').next().unwrap_or(user)
        ));
    }
    Ok(out.join(" "))
}

async fn step(c: &Client, what: &str) -> Result<(), Error> {
    println!("{what:<48} {}", states(c).await?);
    Ok(())
}

async fn sign_in(c: &Client, user: &str, group: &str) -> Result<(), Error> {
    c.sign_in_group()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(user)
        .signed_skill_group_id_list([group])
        .send()
        .await?;
    c.ready_for_service()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(user)
        .send()
        .await?;
    Ok(())
}

async fn answer(c: &Client, user: &str, job: &str) -> Result<(), Error> {
    c.answer_call()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(user)
        .job_id(job)
        .send()
        .await?;
    Ok(())
}

async fn release(c: &Client, user: &str, job: &str) -> Result<(), Error> {
    c.release_call()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(user)
        .job_id(job)
        .send()
        .await?;
    Ok(())
}

async fn shift(emu: &RunningEmulator, c: &Client) -> Result<(), Error> {
    let clock = emu.state();
    step(c, "start of the day").await?;
    sign_in(c, ANN, "skg-sales@ccc-test").await?;
    sign_in(c, BOB, "skg-support@ccc-test").await?;
    step(c, "Ann and Bob sign in and are ready").await?;

    let job = clock
        .ring_agent(INSTANCE, ANN, "13900001111", Some("skg-sales@ccc-test"))
        .map_err(|code| format!("cannot ring Ann: {code}"))?;
    step(c, &format!("a customer calls: {job}")).await?;
    answer(c, ANN, &job).await?;
    step(c, "Ann answers").await?;
    c.blind_transfer()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .job_id(&job)
        .transferee(BOB)
        .send()
        .await?;
    step(c, "Ann transfers the customer to Bob").await?;
    answer(c, BOB, &job).await?;
    clock.advance_clock(Duration::from_secs(95));
    release(c, BOB, &job).await?;
    step(c, "Bob talks for 95 s and hangs up").await?;
    clock.advance_clock(Duration::from_secs(11));
    step(c, "after-call work is over").await?;

    let out = c
        .make_call()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(ANN)
        .callee("13800138000")
        .send()
        .await?;
    let outbound = out
        .data()
        .and_then(|d| d.call_context())
        .and_then(|c| c.job_id())
        .unwrap_or_default()
        .to_owned();
    step(c, &format!("Ann dials out: {outbound}")).await?;
    clock.advance_clock(Duration::from_secs(1));
    step(c, "the customer answers").await?;
    c.initiate_attended_transfer()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(ANN)
        .job_id(&outbound)
        .transferee(BOB)
        .send()
        .await?;
    answer(c, BOB, &outbound).await?;
    step(c, "Ann consults Bob, the customer on hold").await?;
    c.complete_attended_transfer()
        .instance_id(INSTANCE)
        .device_id("workstation")
        .user_id(ANN)
        .job_id(&outbound)
        .send()
        .await?;
    step(c, "Ann hands the customer over").await?;
    clock.advance_clock(Duration::from_secs(40));
    release(c, BOB, &outbound).await?;
    clock.advance_clock(Duration::from_secs(11));
    step(c, "Bob finishes; after-call work is over").await?;

    c.take_break()
        .instance_id(INSTANCE)
        .user_id(ANN)
        .code("Lunch")
        .send()
        .await?;
    step(c, "Ann goes to lunch").await?;
    for user in [ANN, BOB] {
        c.sign_out_group()
            .instance_id(INSTANCE)
            .device_id("workstation")
            .user_id(user)
            .send()
            .await?;
    }
    step(c, "both sign out").await?;

    println!("\ncall detail records, newest first:");
    let records = c
        .list_call_detail_records_v2()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .send()
        .await?;
    for r in records.data().map(|d| d.list()).unwrap_or_default() {
        println!(
            "  {} {:<8} {} -> {}  agents {}  talk {} s",
            r.contact_id().unwrap_or_default(),
            r.contact_type().unwrap_or_default(),
            r.calling_number().unwrap_or_default(),
            r.called_number().unwrap_or_default(),
            r.agent_ids().unwrap_or_default(),
            r.talk_time().unwrap_or_default(),
        );
    }
    println!("\nagent report:");
    let report = c
        .list_historical_agent_report()
        .instance_id(INSTANCE)
        .page_number(1)
        .page_size(10)
        .agent_id_list([ANN, BOB])
        .send()
        .await?;
    for a in report.data().map(|d| d.list()).unwrap_or_default() {
        let overall = a.overall();
        println!(
            "  {:<20} calls {}  talk {} s  after-call work {} s  break {} s",
            a.agent_id().unwrap_or_default(),
            overall.and_then(|o| o.total_calls()).unwrap_or_default(),
            overall
                .and_then(|o| o.total_talk_time())
                .unwrap_or_default(),
            overall
                .and_then(|o| o.total_work_time())
                .unwrap_or_default(),
            overall
                .and_then(|o| o.total_break_time())
                .unwrap_or_default(),
        );
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let emu = Emulator::default().start("127.0.0.1:0".parse()?).await?;
    let client = Client::new(
        Config::builder()
            .endpoint_url(emu.endpoint())
            .credentials(Credentials::new("testid", "testsecret"))
            .build()?,
    )?;
    shift(&emu, &client).await
}
