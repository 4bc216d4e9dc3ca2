//! The `webpki-roots` feature: on a host without a certificate store, an https client still
//! builds, trusting Mozilla's roots, and the roots added in code on top of them. Run with
//! `cargo test -p ccc-sdk --features webpki-roots --test bundled_roots`.
#![cfg(feature = "webpki-roots")]

mod private_tls;

use ccc_sdk::{Client, Config, Credentials};

/// Runs one test of this binary in a child process whose certificate store is a missing file.
fn run_without_a_store(test: &str) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--include-ignored"])
        .env("CCC_BUNDLED_ROOTS_CHILD", "1")
        .env("SSL_CERT_FILE", "/nonexistent/ca-certificates.pem")
        .env_remove("SSL_CERT_DIR")
        .output()
        .expect("the child runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_https_client_builds_without_a_certificate_store() {
    run_without_a_store("no_store_child");
}

#[test]
#[ignore = "run by an_https_client_builds_without_a_certificate_store in a child process"]
fn no_store_child() {
    assert!(std::env::var("CCC_BUNDLED_ROOTS_CHILD").is_ok());
    let config = Config::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new("id", "secret"))
        .build()
        .unwrap();
    Client::new(config).expect("Mozilla's roots stand in for the missing store");
}

#[test]
fn a_private_ca_is_trusted_on_top_of_the_bundled_roots() {
    run_without_a_store("private_ca_child");
}

#[tokio::test]
#[ignore = "run by a_private_ca_is_trusted_on_top_of_the_bundled_roots in a child process"]
async fn private_ca_child() {
    let (addr, _) = private_tls::server("BUNDLED");
    let c = private_tls::client(addr, "builds without a store");
    let out = c
        .get_instance()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("the private CA is trusted beside Mozilla's roots");
    assert_eq!(out.request_id(), Some("BUNDLED"));
}
