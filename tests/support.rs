//! Shared set-up of the end-to-end tests: an emulator on a free loopback port and a client of it.

use std::time::Duration;

use ccc_emulator::{Emulator, RunningEmulator};
use ccc_sdk::operation::reset_agent_state::{ResetAgentStateError, ResetAgentStateOutput};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, ConfigBuilder, Credentials, SdkError, SignatureVersion};

/// STS credentials the test emulator accepts.
pub const STS_ID: &str = "STS.testid";
/// Secret of [`STS_ID`].
pub const STS_SECRET: &str = "stssecret";
/// Token of [`STS_ID`].
pub const STS_TOKEN: &str = "sts-token-value";

/// Starts an emulator accepting `testid`/`testsecret` and the STS credentials above.
pub async fn emulator() -> RunningEmulator {
    Emulator::builder()
        .access_key("testid", "testsecret")
        .sts_credentials(STS_ID, STS_SECRET, STS_TOKEN)
        .build()
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("the emulator starts")
}

/// A config for `emu` with quick retries, so retry tests do not sleep for long.
pub fn config(emu: &RunningEmulator, version: SignatureVersion) -> ConfigBuilder {
    Config::builder()
        .endpoint_url(emu.endpoint())
        .credentials(Credentials::new("testid", "testsecret"))
        .signature_version(version)
        .retry(
            RetryConfig::standard()
                .with_initial_backoff(Duration::from_millis(2))
                .with_max_backoff(Duration::from_millis(20)),
        )
}

/// A V3 client of `emu`.
pub fn client(emu: &RunningEmulator) -> Client {
    Client::new(config(emu, SignatureVersion::V3).build().expect("config")).expect("client")
}

/// A client of `emu` built from `b`.
pub fn client_with(b: ConfigBuilder) -> Client {
    Client::new(b.build().expect("config")).expect("client")
}

/// ResetAgentState of `device` on the `ccc-test` instance: the call the end-to-end tests make
/// when any signed call will do.
pub async fn reset_agent(
    c: &Client,
    device: &str,
) -> Result<ResetAgentStateOutput, SdkError<ResetAgentStateError>> {
    c.reset_agent_state()
        .instance_id("ccc-test")
        .device_id(device)
        .send()
        .await
}

/// `cargo run` of the SDK's `reset_agent_state` example with `CCC_ENDPOINT` set to `endpoint`
/// and these arguments after `--`; the caller adds the credentials the run should find, and runs
/// it.
pub fn example_command(endpoint: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO"));
    command
        .args([
            "run",
            "--quiet",
            "-p",
            "ccc-sdk",
            "--example",
            "reset_agent_state",
        ])
        .arg("--")
        .args(args)
        .env("CCC_ENDPOINT", endpoint)
        // The example uses the default chain: the instance's metadata service is never asked.
        .env("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    command
}

/// Reads a request head from `stream` of a canned loopback server: the bytes up to the blank
/// line and whatever came with them, at most 64 KiB; `None` when the peer closes, goes quiet past
/// the stream's read timeout, or sends more without ending the head.
pub fn read_head(stream: &mut impl std::io::Read) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !data.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || data.len() > 1 << 16 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    Some(data)
}

/// A body a hostile server sends back: the credentials as the request carried them, raw and with
/// the token percent-encoded, for tests that no error, log or trace repeats them.
pub fn echo_of_credentials(id: &str, secret: &str, token: &str) -> String {
    let encoded = token
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    format!("echo AccessKeyId={id} SecurityToken={token} secret {secret} {encoded}")
}

/// A rustls server configuration presenting the certificate chain of `cert` with the key of
/// `key`, both PEM files in `tests/fixtures/`.
pub fn tls_config(cert: &str, key: &str) -> rustls::ServerConfig {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let certs = CertificateDer::pem_file_iter(dir.join(cert))
        .expect("certificate file")
        .collect::<Result<Vec<_>, _>>()
        .expect("certificates");
    let key = PrivateKeyDer::from_pem_file(dir.join(key)).expect("key file");
    // Deprecated since rustls 0.23.48 (no post-quantum key exchange); the SDK uses ring.
    #[allow(deprecated)]
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("certificate and key match")
}

/// Signs `user` of `instance` in to `group` on the device `ws-<user>`, then makes it ready.
pub async fn sign_in_ready(c: &Client, instance: &str, user: &str, group: &str) {
    let device = format!("ws-{user}");
    c.sign_in_group()
        .instance_id(instance)
        .device_id(&device)
        .user_id(user)
        .signed_skill_group_id_list([group])
        .send()
        .await
        .unwrap();
    c.ready_for_service()
        .instance_id(instance)
        .device_id(&device)
        .user_id(user)
        .send()
        .await
        .unwrap();
}
