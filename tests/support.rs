//! Shared set-up of the end-to-end tests: an emulator on a free loopback port and a client of it.

use std::time::Duration;

use ccc_emulator::{Emulator, RunningEmulator};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, ConfigBuilder, Credentials, SignatureVersion};

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
