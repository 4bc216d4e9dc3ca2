//! Transport settings on the wire: the user agent, proxies (explicit and from the environment,
//! with credentials never shown), private roots of trust, and what a refused certificate says.
//! Every server is on loopback; a test that needs a remote endpoint points a proxy on loopback
//! at it, so nothing leaves this machine.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccc_sdk::error::DisplayErrorChain;
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, ConfigBuilder, Credentials, SdkError};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-acs-request-id: DIRECT\r\nContent-Length: 34\r\nConnection: close\r\n\r\n{\"RequestId\":\"DIRECT\",\"Code\":\"OK\"}";

/// A loopback server that records each request's head and answers every one with `reply`.
struct Server {
    addr: SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(reply: &'static [u8]) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = heads.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let seen = seen.clone();
                std::thread::spawn(move || {
                    if let Some(head) = read_head(&mut stream) {
                        seen.lock().unwrap().push(head);
                        let _ = stream.write_all(reply);
                    }
                });
            }
        });
        Server { addr, heads }
    }

    fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// Reads a request head (and, for these small requests, whatever body came with it), lower-cased.
fn read_head(stream: &mut impl Read) -> Option<String> {
    let data = ccc_tests::read_head(stream)?;
    Some(String::from_utf8_lossy(&data).to_ascii_lowercase())
}

fn config(endpoint: &str) -> ConfigBuilder {
    Config::builder()
        .endpoint_url(endpoint)
        .credentials(Credentials::new("testid", "testsecret"))
        .retry(RetryConfig::disabled())
        .connect_timeout(Duration::from_secs(5))
        .operation_timeout(Duration::from_secs(10))
}

type Read_ = Result<
    ccc_sdk::operation::get_instance::GetInstanceOutput,
    SdkError<ccc_sdk::operation::get_instance::GetInstanceError>,
>;

async fn read(c: &Client) -> Read_ {
    tokio::time::timeout(
        Duration::from_secs(20),
        c.get_instance().instance_id("ccc-test").send(),
    )
    .await
    .expect("the call ended within its bounds")
}

fn user_agent(head: &str) -> &str {
    head.lines()
        .find_map(|l| l.strip_prefix("user-agent: "))
        .unwrap_or_default()
}

#[tokio::test]
async fn the_user_agent_suffix_is_on_the_wire() {
    let server = Server::start(OK);
    let c = Client::new(
        config(&format!("http://{}", server.addr))
            .user_agent_suffix("Billing-Service/2.1")
            .build()
            .unwrap(),
    )
    .unwrap();
    read(&c).await.expect("answered");
    let heads = server.heads();
    let expected = format!(
        "ccc-sdk-rust/{} billing-service/2.1",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(user_agent(&heads[0]), expected);
    assert!(
        Config::builder()
            .endpoint_url("http://127.0.0.1:9")
            .user_agent_suffix("bad\nsuffix")
            .build()
            .is_err()
    );
}

/// Runs one test of this binary in a child process with the given environment (an empty value
/// removes the variable).
fn run_child(test: &str, env: &[(&str, &str)]) {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--nocapture", "--include-ignored"])
        .env("CCC_TRANSPORT_CHILD", "1");
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALIBABA_CLOUD_USER_AGENT",
    ] {
        cmd.env_remove(name);
    }
    for (k, v) in env {
        if v.is_empty() {
            cmd.env_remove(k);
        } else {
            cmd.env(k, v);
        }
    }
    let out = cmd.output().expect("the child runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn alibaba_cloud_user_agent_is_on_the_wire() {
    run_child(
        "user_agent_child",
        &[("ALIBABA_CLOUD_USER_AGENT", "AlibabaCloud-Agent/7")],
    );
}

#[tokio::test]
#[ignore = "run by alibaba_cloud_user_agent_is_on_the_wire in a child process"]
async fn user_agent_child() {
    assert!(std::env::var("CCC_TRANSPORT_CHILD").is_ok());
    let server = Server::start(OK);
    let config = config(&format!("http://{}", server.addr))
        .user_agent_suffix("app/1")
        .build()
        .unwrap();
    let expected = format!(
        "ccc-sdk-rust/{} AlibabaCloud-Agent/7 app/1",
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(config.user_agent(), expected);
    read(&Client::new(config).unwrap()).await.expect("answered");
    assert_eq!(
        user_agent(&server.heads()[0]),
        expected.to_ascii_lowercase()
    );
}

const PROXY_PASSWORD: &str = "Pr0xy-S3cret";

/// A proxy that refuses every tunnel: it records the `CONNECT` and answers 403.
fn refusing_proxy() -> Server {
    Server::start(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

/// Calls a remote endpoint through `proxy`: the proxy, on loopback, is the only thing reached.
async fn through_proxy(b: ConfigBuilder, proxy: &Server) {
    let config = b.build().unwrap();
    let shown = format!("{config:?}");
    assert!(
        !shown.contains(PROXY_PASSWORD) && !shown.contains("alice:"),
        "{shown}"
    );
    let Ok(c) = Client::new(config) else {
        // A host without any certificate store cannot build an https client at all.
        return;
    };
    let err = read(&c).await.unwrap_err();
    let text = format!("{err} | {err:?} | {}", DisplayErrorChain(&err));
    assert!(!text.contains(PROXY_PASSWORD), "{text}");
    let heads = proxy.heads();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with("connect ccc.cn-shanghai.aliyuncs.com:443 http/1.1"),
        "{}",
        heads[0]
    );
    // alice:Pr0xy-S3cret, as basic credentials.
    assert!(
        heads[0].contains("proxy-authorization: basic ywxpy2u6uhiwehktuznjcmv0"),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn an_explicit_proxy_carries_its_credentials_and_never_shows_them() {
    let proxy = refusing_proxy();
    let url = format!("http://alice:{PROXY_PASSWORD}@{}", proxy.addr);
    through_proxy(
        config("https://ccc.cn-shanghai.aliyuncs.com")
            .proxy(url)
            .no_proxy("example.com"),
        &proxy,
    )
    .await;
}

#[tokio::test]
async fn a_loopback_endpoint_ignores_an_explicit_proxy() {
    let proxy = refusing_proxy();
    let server = Server::start(OK);
    let c = Client::new(
        config(&format!("http://{}", server.addr))
            .proxy(format!("http://{}", proxy.addr))
            .build()
            .unwrap(),
    )
    .unwrap();
    read(&c).await.expect("answered directly");
    assert!(proxy.heads().is_empty());
}

#[test]
fn https_proxy_from_the_environment_is_used_and_not_shown() {
    let proxy = refusing_proxy();
    let url = format!("http://alice:{PROXY_PASSWORD}@{}", proxy.addr);
    run_child(
        "env_proxy_child",
        &[
            ("HTTPS_PROXY", &url),
            ("NO_PROXY", "localhost,127.0.0.1"),
            ("CCC_TEST_PROXY", &proxy.addr.to_string()),
        ],
    );
    assert_eq!(proxy.heads().len(), 1, "the child went through the proxy");
}

#[tokio::test]
#[ignore = "run by https_proxy_from_the_environment_is_used_and_not_shown in a child process"]
async fn env_proxy_child() {
    assert!(std::env::var("CCC_TRANSPORT_CHILD").is_ok());
    let config = config("https://ccc.cn-shanghai.aliyuncs.com")
        .build()
        .unwrap();
    let shown = format!("{config:?}");
    assert!(shown.contains("(from HTTPS_PROXY)"), "{shown}");
    assert!(!shown.contains(PROXY_PASSWORD), "{shown}");
    let Ok(c) = Client::new(config) else { return };
    let err = read(&c).await.unwrap_err();
    let text = format!("{err} | {err:?} | {}", DisplayErrorChain(&err));
    assert!(!text.contains(PROXY_PASSWORD), "{text}");
}

#[test]
fn no_proxy_is_read_from_the_environment() {
    // Which hosts the list covers is tested beside the matching (`transport::tests`): a direct
    // call to a remote host is not something a test may make.
    let proxy = refusing_proxy();
    let url = format!("http://{}", proxy.addr);
    run_child(
        "no_proxy_child",
        &[("HTTPS_PROXY", &url), ("NO_PROXY", ".aliyuncs.com")],
    );
}

#[tokio::test]
#[ignore = "run by no_proxy_is_read_from_the_environment in a child process"]
async fn no_proxy_child() {
    let config = config("https://ccc.cn-shanghai.aliyuncs.com")
        .build()
        .unwrap();
    let shown = format!("{config:?}");
    assert!(
        shown.contains("no_proxy: Some(\".aliyuncs.com\")"),
        "{shown}"
    );
}

// ---- TLS -------------------------------------------------------------------------------------

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A TLS server on loopback presenting `cert` (with the private leaf key), answering each
/// request with a success.
fn tls_server(cert: &str) -> SocketAddr {
    let mut tls = ccc_tests::tls_config(cert, "private-leaf-key.pem");
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let tls = Arc::new(tls);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let tls = tls.clone();
            std::thread::spawn(move || serve_tls(stream, tls));
        }
    });
    addr
}

fn serve_tls(stream: TcpStream, tls: Arc<rustls::ServerConfig>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(conn) = rustls::ServerConnection::new(tls) else {
        return;
    };
    let mut stream = rustls::StreamOwned::new(conn, stream);
    if read_head(&mut stream).is_some() {
        let _ = stream.write_all(OK);
        let _ = stream.flush();
        stream.conn.send_close_notify();
        let _ = stream.flush();
    }
}

fn ca_pem() -> Vec<u8> {
    std::fs::read(fixture("private-ca.pem")).unwrap()
}

/// The refusal of a certificate, as a caller prints it.
async fn refusal(endpoint: &str, trust_ca: bool) -> Option<String> {
    let mut b = config(endpoint);
    if trust_ca {
        b = b.add_root_certificate(ca_pem());
    }
    let c = Client::new(b.build().unwrap()).ok()?;
    let err = read(&c).await.unwrap_err();
    let SdkError::Dispatch(d) = &err else {
        panic!("{err:?}")
    };
    assert!(d.is_certificate(), "{err:?}");
    assert_eq!(err.attempts(), 1);
    Some(DisplayErrorChain(&err).to_string())
}

#[tokio::test]
async fn a_private_ca_is_refused_until_added_then_trusted() {
    let addr = tls_server("private-leaf-cert.pem");
    let endpoint = format!("https://localhost:{}", addr.port());
    if let Some(chain) = refusal(&endpoint, false).await {
        assert!(
            chain.contains(
                "the endpoint's TLS certificate was refused: the certificate presented for \
                 `localhost` is not signed by any trusted root (unknown issuer)"
            ),
            "{chain}"
        );
    }
    let c = Client::new(
        config(&endpoint)
            .add_root_certificate(ca_pem())
            .build()
            .unwrap(),
    )
    .expect("a client trusting the private CA");
    let out = read(&c).await.expect("the private CA is trusted");
    assert_eq!(out.request_id(), Some("DIRECT"));
    // A PEM text that holds no readable certificate is refused when the config is built.
    let err = Config::builder()
        .endpoint_url(&endpoint)
        .add_root_certificate(
            b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
        )
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("add_root_certificate"), "{err}");
}

#[tokio::test]
async fn an_expired_certificate_says_so() {
    let addr = tls_server("private-leaf-expired-cert.pem");
    let chain = refusal(&format!("https://localhost:{}", addr.port()), true)
        .await
        .expect("a client trusting the private CA");
    assert!(
        chain.contains("the certificate presented for `localhost` has expired (expired"),
        "{chain}"
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_says_so() {
    let addr = tls_server("private-leaf-cert.pem");
    // The certificate names `localhost` only.
    let chain = refusal(&format!("https://127.0.0.1:{}", addr.port()), true)
        .await
        .expect("a client trusting the private CA");
    assert!(
        chain.contains(
            "the certificate presented for `127.0.0.1` does not name this host (name mismatch"
        ),
        "{chain}"
    );
}

#[tokio::test]
async fn a_ca_certificate_presented_by_a_server_is_refused_and_named() {
    // `untrusted-cert.pem` is self-signed and a CA.
    let addr = {
        let tls = Arc::new(ccc_tests::tls_config(
            "untrusted-cert.pem",
            "untrusted-key.pem",
        ));
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let tls = tls.clone();
                std::thread::spawn(move || serve_tls(stream, tls));
            }
        });
        addr
    };
    let endpoint = format!("https://localhost:{}", addr.port());
    if let Some(chain) = refusal(&endpoint, false).await {
        assert!(chain.contains("(CA used as end entity)"), "{chain}");
    }
    // Added as a root, it is known, but a CA certificate cannot be a server's own: refused still,
    // and the reason is named (the private CA and leaf fixtures are the trusted case).
    let pem = std::fs::read(fixture("untrusted-cert.pem")).unwrap();
    let c = Client::new(config(&endpoint).add_root_certificate(pem).build().unwrap()).unwrap();
    let err = read(&c).await.unwrap_err();
    let chain = DisplayErrorChain(&err).to_string();
    assert!(
        chain.contains("`localhost` is a CA certificate, which a server cannot present as its own (CA used as end entity)"),
        "{chain}"
    );
}

/// What a credentials URI provider, reached over `https`, answers `check_credentials` with.
async fn credentials_error(config: Config) -> Option<String> {
    let c = Client::new(config).ok()?;
    let err = tokio::time::timeout(Duration::from_secs(20), c.check_credentials())
        .await
        .expect("bounded")
        .unwrap_err()
        .to_string();
    // A host without any certificate store cannot build an https client at all.
    (!err.contains("cannot build")).then_some(err)
}

#[tokio::test]
async fn the_proxy_and_user_agent_of_the_config_reach_the_credential_providers() {
    use ccc_sdk::credentials::{
        CredentialsUriProvider, DefaultCredentialsChain, ENV_CLI_PROFILE_DISABLED,
        ENV_CREDENTIALS_URI, ENV_ECS_METADATA_DISABLED, Env,
    };
    let uri = "https://creds.example.com/credentials";
    let given = CredentialsUriProvider::new(uri).unwrap();
    let chain = DefaultCredentialsChain::builder()
        .env(Env::from_vars([
            (ENV_CREDENTIALS_URI, uri),
            (ENV_ECS_METADATA_DISABLED, "true"),
            (ENV_CLI_PROFILE_DISABLED, "true"),
        ]))
        .build();
    for provider in [
        Box::new(move |b: ConfigBuilder| b.credentials(given))
            as Box<dyn FnOnce(ConfigBuilder) -> ConfigBuilder>,
        Box::new(move |b: ConfigBuilder| b.credentials(chain)),
    ] {
        let proxy = refusing_proxy();
        let b = config("https://ccc.cn-shanghai.aliyuncs.com")
            .proxy(format!("http://{}", proxy.addr))
            .user_agent_suffix("probe/7");
        let Some(err) = credentials_error(provider(b).build().unwrap()).await else {
            return;
        };
        let heads = proxy.heads();
        assert_eq!(heads.len(), 1, "{err}: {heads:?}");
        assert!(
            heads[0].starts_with("connect creds.example.com:443 http/1.1"),
            "{}",
            heads[0]
        );
        assert!(user_agent(&heads[0]).ends_with(" probe/7"), "{}", heads[0]);
    }
}

#[tokio::test]
async fn the_roots_of_the_config_reach_the_credential_providers() {
    use ccc_sdk::credentials::CredentialsUriProvider;
    let addr = tls_server("private-leaf-cert.pem");
    let uri = format!("https://localhost:{}/credentials", addr.port());
    let mut errors = Vec::new();
    for trust_ca in [false, true] {
        let mut b = config("https://ccc.cn-shanghai.aliyuncs.com")
            .credentials(CredentialsUriProvider::new(&uri).unwrap());
        if trust_ca {
            b = b.add_root_certificate(ca_pem());
        }
        let Some(err) = credentials_error(b.build().unwrap()).await else {
            return;
        };
        errors.push(err);
    }
    // Refused without the private CA; with it, the connection is made and its answer (a CCC
    // success, no credentials) read.
    assert!(
        errors[0].contains("cannot connect") && errors[0].contains("UnknownIssuer"),
        "{}",
        errors[0]
    );
    assert!(
        !errors[1].contains("cannot connect") && !errors[1].contains("certificate"),
        "{}",
        errors[1]
    );
}
