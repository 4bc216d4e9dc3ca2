//! Calls ResetAgentState once and prints the response as JSON.
//!
//! ```text
//! cargo run -p ccc-sdk --example reset_agent_state -- --instance-id ccc-test [--device-id D] [--user-id U]
//! ```
//!
//! Takes its configuration from the environment with `Config::builder_from_env`: the endpoint
//! from `CCC_ENDPOINT` (e.g. `http://127.0.0.1:8080`; without it, the region from
//! `ALIBABA_CLOUD_REGION_ID`), credentials from the default chain (the environment's
//! `ALIBABA_CLOUD_ACCESS_KEY_ID` and `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, an ACK RRSA role, the CLI's
//! profile, the credentials file, the ECS RAM role or a credentials URI: see the README's
//! "Credentials" section), checked before the call, and the signature version from `CCC_SIGNATURE_VERSION` (`v3`, the default, or `v1`).
//! `RUST_LOG=ccc_sdk=debug` prints the call's tracing span and retries to stderr.
//! On an error it prints the code, message and request id and exits with status 1; on bad
//! arguments, with status 2.

use std::process::ExitCode;

use ccc_sdk::credentials::Env;
use ccc_sdk::{Client, Config, SignatureVersion};

const USAGE: &str = "usage: reset_agent_state --instance-id ID [--device-id ID] [--user-id ID]";

struct Args {
    instance_id: String,
    device_id: Option<String>,
    user_id: Option<String>,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut instance_id, mut device_id, mut user_id) = (None, None, None);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--instance-id" => &mut instance_id,
            "--device-id" => &mut device_id,
            "--user-id" => &mut user_id,
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        };
        *slot = Some(
            args.next()
                .ok_or(format!("{flag} needs a value\n{USAGE}"))?,
        );
    }
    Ok(Args {
        instance_id: instance_id.ok_or(format!("--instance-id is required\n{USAGE}"))?,
        device_id,
        user_id,
    })
}

fn config() -> Result<Config, Box<dyn std::error::Error>> {
    // CCC_ENDPOINT, ALIBABA_CLOUD_REGION_ID and the default credentials chain.
    let mut b = Config::builder_from_env(&Env::process())?;
    if let Ok(v) = std::env::var("CCC_SIGNATURE_VERSION") {
        b = b.signature_version(v.parse::<SignatureVersion>()?);
    }
    Ok(b.build()?)
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
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let client = match config().and_then(|c| Ok(Client::new(c)?)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // Fail with the chain's reasons, before any call, when no source has credentials.
    if let Err(e) = client.check_credentials().await {
        eprintln!("error: {e}");
        return ExitCode::from(2);
    }
    let result = client
        .reset_agent_state()
        .instance_id(args.instance_id)
        .set_device_id(args.device_id)
        .set_user_id(args.user_id)
        .send()
        .await;
    match result {
        Ok(out) => {
            println!("{}", out.to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            // Display carries code, message and request id for service errors.
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
