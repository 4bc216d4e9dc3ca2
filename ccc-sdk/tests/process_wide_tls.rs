//! The SDK changes no process-wide TLS state: its clients, the service's and the credential
//! providers', bring their own crypto provider, so an application stays free to install its own.
//!
//! A binary of its own, with one test, so that the process starts with no provider installed
//! and nothing else in it installs one.

mod private_tls;

use std::sync::atomic::Ordering;

use ccc_sdk::credentials::{CredentialsUriProvider, ProvideCredentials};
use private_tls::ring;
use rustls::crypto::CryptoProvider;

#[tokio::test]
async fn https_calls_install_no_process_wide_crypto_provider() {
    assert!(
        CryptoProvider::get_default().is_none(),
        "a fresh process has no provider"
    );
    let (addr, accepted) = private_tls::server("TLS-OK");

    // The service's client: a whole call over TLS, trusting the private CA given in code.
    let client = private_tls::client(addr, "an https client builds without a global provider");
    let out = client
        .get_instance()
        .instance_id("ccc-test")
        .send()
        .await
        .expect("the TLS handshake completes and the call is answered");
    assert_eq!(out.request_id(), Some("TLS-OK"));
    assert_eq!(accepted.load(Ordering::SeqCst), 1);

    // A credential provider's client: it trusts the system's roots alone, so it reaches the
    // server, shakes hands and refuses the private CA's certificate.
    let provider =
        CredentialsUriProvider::new(format!("https://localhost:{}/credentials", addr.port()))
            .expect("the provider's https client builds without a global provider");
    let err = provider
        .provide_credentials()
        .await
        .expect_err("the private CA is not among the system's roots")
        .to_string();
    assert!(
        err.contains("certificate") || err.contains("UnknownIssuer"),
        "{err}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        2,
        "the provider attempted a TLS handshake with the server"
    );

    assert!(
        CryptoProvider::get_default().is_none(),
        "the SDK installed a process-wide crypto provider"
    );
    // And so the application can still install its own.
    assert!(ring().install_default().is_ok());
}
