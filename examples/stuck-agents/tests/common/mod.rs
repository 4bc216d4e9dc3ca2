//! What both emulator tests do through the API, as the agents' workstations would: sign in,
//! answer a call, hang up (which starts after-call work).

use std::path::PathBuf;

use ccc_sdk::{Client, Config, Credentials};

pub const INSTANCE: &str = "acme";
pub const ANN: &str = "ann@acme";
pub const BOB: &str = "bob@acme";
pub const CY: &str = "cy@acme";
pub const GROUP: &str = "support@acme";
const DEVICE: &str = "workstation";

/// The contact centre of these tests: three agents, after-call work of up to an hour, a frozen
/// clock.
pub fn scenario_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenario.toml")
}

/// A client of the emulator at `endpoint`, with its default test keys.
pub fn client(endpoint: &str) -> Client {
    let config = Config::builder()
        .endpoint_url(endpoint)
        .credentials(Credentials::new("testid", "testsecret"))
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

/// The agent signs into `groups`: READY.
pub async fn sign_in(client: &Client, instance: &str, user: &str, groups: &[&str]) {
    client
        .sign_in_group()
        .instance_id(instance)
        .user_id(user)
        .device_id(DEVICE)
        .signed_skill_group_id_list(groups.iter().copied())
        .send()
        .await
        .unwrap();
}

/// The agent answers the call ringing it, then hangs up: after-call work (WORKING) starts.
pub async fn answer_and_hang_up(client: &Client, instance: &str, user: &str, job: &str) {
    client
        .answer_call()
        .instance_id(instance)
        .user_id(user)
        .device_id(DEVICE)
        .job_id(job)
        .send()
        .await
        .unwrap();
    client
        .release_call()
        .instance_id(instance)
        .user_id(user)
        .device_id(DEVICE)
        .job_id(job)
        .send()
        .await
        .unwrap();
}
