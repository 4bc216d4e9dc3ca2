//! The main job, end to end: reset an agent's state and print it.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `CCC_ENDPOINT` unset it starts the CCC emulator in this process, on a free loopback
//! port, and talks to it with the emulator's test keys. With `CCC_ENDPOINT` set (read and checked
//! by the SDK: `http://127.0.0.1:8080`, `https://…`) it talks to that endpoint with the credentials of `ALIBABA_CLOUD_ACCESS_KEY_ID` /
//! `ALIBABA_CLOUD_ACCESS_KEY_SECRET` (and `ALIBABA_CLOUD_SECURITY_TOKEN`), for the instance and
//! user of `CCC_INSTANCE_ID` / `CCC_USER_ID` (defaults `ccc-test` / `user-test@ccc-test`).
//! `RUST_LOG=ccc_sdk=debug` prints the call's tracing span to stderr.

use std::process::ExitCode;

use ccc_sdk::credentials::Env;
use ccc_sdk::{Client, Config, Credentials};

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end of `run`: dropping it stops the emulator.
    let mut emulator = None;
    let (endpoint, credentials) = match ccc_sdk::config::endpoint_from_env(&Env::process())? {
        Some(endpoint) => (endpoint, Credentials::from_env()?),
        None => {
            let running = ccc_emulator::Emulator::builder()
                .build()
                .start("127.0.0.1:0".parse()?)
                .await?;
            let endpoint = running.endpoint();
            println!("started the CCC emulator at {endpoint}");
            emulator = Some(running);
            (
                endpoint,
                Credentials::new(
                    ccc_emulator::DEFAULT_ACCESS_KEY_ID,
                    ccc_emulator::DEFAULT_ACCESS_KEY_SECRET,
                ),
            )
        }
    };
    let instance = std::env::var("CCC_INSTANCE_ID").unwrap_or_else(|_| "ccc-test".into());
    let user = std::env::var("CCC_USER_ID").unwrap_or_else(|_| "user-test@ccc-test".into());

    let client = Client::new(
        Config::builder()
            .endpoint_url(endpoint)
            .credentials(credentials)
            .build()?,
    )?;
    let out = client
        .reset_agent_state()
        .instance_id(&instance)
        .device_id("quickstart-workstation")
        .user_id(&user)
        .send()
        .await?;

    let data = out.data().ok_or("the response has no Data")?;
    println!(
        "agent {} (extension {}) in instance {} is {}, work mode {}",
        data.user_id().unwrap_or(&user),
        data.extension().unwrap_or("?"),
        data.instance_id().unwrap_or(&instance),
        data.user_state().map_or("?", |s| s.as_str()),
        data.work_mode().map_or("?", |m| m.as_str()),
    );
    println!("request id {}", out.request_id().unwrap_or("?"));
    if let Some(running) = emulator {
        running.shutdown().await;
    }
    Ok(())
}

/// With `RUST_LOG` set (e.g. `RUST_LOG=ccc_sdk=debug`), prints the SDK's spans and events to
/// stderr: one line per retry, and one per call when it ends, with its action, attempts, HTTP
/// status, request id, latency and error code. The SDK itself installs no subscriber.
fn log_to_stderr() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .with_writer(std::io::stderr)
            .init();
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    log_to_stderr();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
