//! Every credentials provider end to end against the emulator's STS, metadata server and
//! credentials URI: the keys they issue sign real calls to its CCC endpoint.
//!
//! No test here touches the process environment (tests run in parallel in one process): each
//! reads an [`Env`] of its own, whose home directory is a fresh temporary one. No test reaches
//! beyond loopback: every environment disables the ECS metadata server unless it points it at
//! the emulator, and every STS endpoint is the emulator's.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ccc_emulator::{CREDENTIALS_URI_PATH, DEFAULT_ECS_ROLE, RunningEmulator};
use ccc_sdk::credentials::{
    CliProfileProvider, CredentialsUriProvider, DefaultCredentialsChain, EcsRamRoleProvider, Env,
    EnvironmentProvider, OidcRoleArnProvider, ProfileFileProvider, RamRoleArnProvider, StsEndpoint,
};
use ccc_sdk::error::SdkError;
use ccc_sdk::{Client, Credentials, ProvideCredentials, SignatureVersion};
use ccc_tests::{
    STS_ID, STS_SECRET, STS_TOKEN, client_with, config, emulator, example_command, reset_agent,
};

const ROLE: &str = "acs:ram::1234567890123456:role/ccc-agent";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/ack-rrsa";

/// A temporary home directory, removed on drop.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir =
            std::env::temp_dir().join(format!("ccc-credentials-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Sandbox { dir }
    }

    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.dir.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(&path, text).expect("write");
        path
    }

    /// HOME here, the metadata server off, and `vars` over that.
    fn env(&self, vars: &[(&str, &str)]) -> Env {
        let home = self.dir.to_str().expect("utf-8 path").to_string();
        let mut all = vec![
            ("HOME".to_string(), home),
            (
                "ALIBABA_CLOUD_ECS_METADATA_DISABLED".to_string(),
                "true".to_string(),
            ),
        ];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(all)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn sts(emu: &RunningEmulator) -> StsEndpoint {
    StsEndpoint::new(&emu.endpoint()).expect("loopback STS endpoint")
}

fn client(emu: &RunningEmulator, provider: impl ProvideCredentials + 'static) -> Client {
    client_with(config(emu, SignatureVersion::V3).credentials(provider))
}

async fn call(c: &Client) -> Result<(), String> {
    reset_agent(c, "desk")
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

async fn must_call(c: &Client) {
    if let Err(e) = call(c).await {
        panic!("the call failed: {e}");
    }
}

/// The credentials a provider gives now.
async fn creds(p: &dyn ProvideCredentials) -> Credentials {
    p.provide_credentials().await.expect("credentials")
}

#[tokio::test]
async fn the_environment_provider_signs_calls() {
    let emu = emulator().await;
    let home = Sandbox::new("environment");
    let env = home.env(&[
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", STS_ID),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", STS_SECRET),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", STS_TOKEN),
    ]);
    must_call(&client(&emu, EnvironmentProvider::with_env(env))).await;
    let err = call(&client(&emu, EnvironmentProvider::with_env(home.env(&[]))))
        .await
        .unwrap_err();
    assert!(
        err.contains("ALIBABA_CLOUD_ACCESS_KEY_ID is not set"),
        "{err}"
    );
}

#[tokio::test]
async fn a_ram_role_is_assumed_once_and_signs_both_signature_versions() {
    let emu = emulator().await;
    let provider = Arc::new(
        RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
            .role_session_name("agent-desk")
            .duration_seconds(1800)
            .policy(r#"{"Version":"1","Statement":[]}"#)
            .external_id("abc-123")
            .sts_endpoint(sts(&emu))
            .build()
            .unwrap(),
    );
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let c = client_with(config(&emu, version).credentials(Arc::clone(&provider)));
        must_call(&c).await;
    }
    let id = emu.identity();
    assert_eq!(id.assume_role_calls(), 1);
    assert_eq!(id.last_sts_parameter("RoleArn").as_deref(), Some(ROLE));
    assert_eq!(
        id.last_sts_parameter("RoleSessionName").as_deref(),
        Some("agent-desk")
    );
    assert_eq!(
        id.last_sts_parameter("DurationSeconds").as_deref(),
        Some("1800")
    );
    assert_eq!(
        id.last_sts_parameter("ExternalId").as_deref(),
        Some("abc-123")
    );
    assert_eq!(
        id.last_sts_parameter("AccessKeyId").as_deref(),
        Some("testid")
    );
    assert!(
        id.last_sts_parameter("Policy")
            .is_some_and(|p| p.contains("Statement"))
    );
    let c = creds(provider.as_ref()).await;
    assert!(c.access_key_id().starts_with("STS.") && c.has_security_token());
    assert!(c.expiration().is_some());
}

#[tokio::test]
async fn roles_chain_through_any_source() {
    let emu = emulator().await;
    let home = Sandbox::new("chained-role");
    let first = RamRoleArnProvider::builder(
        EnvironmentProvider::with_env(home.env(&[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret"),
        ])),
        "acs:ram::1:role/first",
    )
    .sts_endpoint(sts(&emu))
    .build()
    .unwrap();
    // The second role is assumed with the first role's temporary keys (and their token).
    let second = RamRoleArnProvider::builder(first, "acs:ram::1:role/second")
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    must_call(&client(&emu, second)).await;
    assert_eq!(emu.identity().assume_role_calls(), 2);
    assert_eq!(
        emu.identity().last_sts_parameter("RoleArn").as_deref(),
        Some("acs:ram::1:role/second")
    );
    assert!(
        emu.identity()
            .last_sts_parameter("AccessKeyId")
            .is_some_and(|id| id.starts_with("STS."))
    );
}

#[tokio::test]
async fn sts_refusals_are_named_without_secrets() {
    let emu = emulator().await;
    let provider = RamRoleArnProvider::builder(Credentials::new("testid", "not-the-secret"), ROLE)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let err = provider
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "assuming role {ROLE}: STS AssumeRole at {} answered HTTP 400: SignatureDoesNotMatch:",
            emu.endpoint()
        )),
        "{err}"
    );
    assert!(err.contains("(request id "), "{err}");
    assert!(!err.contains("not-the-secret"), "{err}");
    let unknown = RamRoleArnProvider::builder(Credentials::new("nobody", "x"), ROLE)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let err = unknown.provide_credentials().await.unwrap_err().to_string();
    assert!(
        err.contains("HTTP 404: InvalidAccessKeyId.NotFound"),
        "{err}"
    );
    // Through a client, the same reason, as a credentials error.
    let err = reset_agent(&client(&emu, unknown), "d").await.unwrap_err();
    assert!(matches!(err, SdkError::Credentials(_)), "{err:?}");
    assert!(
        err.to_string().contains("InvalidAccessKeyId.NotFound"),
        "{err}"
    );
    assert_eq!(emu.requests("ResetAgentState"), 0);
}

#[tokio::test]
async fn oidc_rereads_its_token_file_on_each_refresh() {
    let emu = emulator().await;
    let home = Sandbox::new("oidc");
    let token_file = home.write("var/run/token", "token-one\n");
    // Shorter than the refresh margin: every call refreshes.
    emu.identity().set_lifetime(Some(Duration::from_secs(120)));
    let provider = Arc::new(
        OidcRoleArnProvider::builder(ROLE, OIDC_PROVIDER, &token_file)
            .role_session_name("pod-7")
            .sts_endpoint(sts(&emu))
            .build()
            .unwrap(),
    );
    let c = client(&emu, Arc::clone(&provider));
    must_call(&c).await;
    assert_eq!(
        emu.identity().last_oidc_token().as_deref(),
        Some("token-one")
    );
    assert_eq!(
        emu.identity()
            .last_sts_parameter("OIDCProviderArn")
            .as_deref(),
        Some(OIDC_PROVIDER)
    );
    assert_eq!(
        emu.identity()
            .last_sts_parameter("RoleSessionName")
            .as_deref(),
        Some("pod-7")
    );
    std::fs::write(&token_file, "token-two").unwrap();
    must_call(&c).await;
    assert_eq!(
        emu.identity().last_oidc_token().as_deref(),
        Some("token-two")
    );
    assert_eq!(emu.identity().assume_role_with_oidc_calls(), 2);
    // A token STS does not trust.
    emu.identity().set_oidc_token(Some("the-right-one"));
    let fresh = OidcRoleArnProvider::builder(ROLE, OIDC_PROVIDER, &token_file)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let err = fresh.provide_credentials().await.unwrap_err().to_string();
    assert!(
        err.contains("AuthenticationFail.OIDCToken.Invalid"),
        "{err}"
    );
    std::fs::remove_file(&token_file).unwrap();
    let err = fresh.provide_credentials().await.unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("OIDC token file {}: ", token_file.display())),
        "{err}"
    );
}

#[tokio::test]
async fn sixty_four_concurrent_calls_near_expiry_make_one_sts_call() {
    let emu = emulator().await;
    let provider = Arc::new(
        RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
            .sts_endpoint(sts(&emu))
            .build()
            .unwrap(),
    );
    let c = client(&emu, Arc::clone(&provider));
    // 64 concurrent first calls: one AssumeRole.
    let run_64 = |c: Client| async move {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let c = c.clone();
                tokio::spawn(async move { call(&c).await })
            })
            .collect();
        for t in tasks {
            t.await.expect("task").expect("call");
        }
    };
    run_64(c.clone()).await;
    assert_eq!(emu.identity().assume_role_calls(), 1);
    // Keys that expire within the refresh margin (three minutes) are still valid, but refreshed:
    // once, however many calls ask at the same moment.
    emu.identity().set_lifetime(Some(Duration::from_secs(150)));
    let near = RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let near = Arc::new(near);
    let before = creds(near.as_ref()).await;
    assert_eq!(emu.identity().assume_role_calls(), 2);
    run_64(client(&emu, Arc::clone(&near))).await;
    assert_eq!(emu.identity().assume_role_calls(), 3);
    assert!(near.last_refresh_failure().is_none());
    // The old keys still work: they were replaced ahead of their expiry.
    must_call(&client(&emu, before)).await;
    // Far from expiry, nothing is fetched.
    run_64(c).await;
    assert_eq!(emu.identity().assume_role_calls(), 3);
}

/// The chain too: 64 first calls at once look for a source once, and fetch once.
#[tokio::test]
async fn sixty_four_first_calls_through_the_chain_make_one_sts_call() {
    let emu = emulator().await;
    let home = Sandbox::new("chain-64");
    let token = home.write("token", "oidc-token");
    let endpoint = emu.endpoint();
    let chain = DefaultCredentialsChain::builder()
        .env(home.env(&[
            ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
            ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.to_str().unwrap()),
            ("ALIBABA_CLOUD_STS_ENDPOINT", &endpoint),
        ]))
        .build();
    let c = client(&emu, chain);
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { call(&c).await })
        })
        .collect();
    for t in tasks {
        t.await.expect("task").expect("call");
    }
    assert_eq!(emu.identity().assume_role_with_oidc_calls(), 1);
}

#[tokio::test]
async fn a_failed_refresh_keeps_serving_valid_keys_and_says_so() {
    let emu = emulator().await;
    emu.identity().set_lifetime(Some(Duration::from_secs(150)));
    let provider = Arc::new(
        RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
            .sts_endpoint(sts(&emu))
            .build()
            .unwrap(),
    );
    let c = client(&emu, Arc::clone(&provider));
    must_call(&c).await;
    assert!(provider.last_refresh_failure().is_none());
    emu.identity().set_failing(true);
    // Due for a refresh, which fails: the current keys (valid for 150 s more) still sign.
    must_call(&c).await;
    must_call(&c).await;
    let failure = provider
        .last_refresh_failure()
        .expect("the failure is kept")
        .to_string();
    assert!(
        failure.starts_with("refresh failed; serving the current credentials until 20"),
        "{failure}"
    );
    assert!(
        failure.contains("HTTP 503: ServiceUnavailable"),
        "{failure}"
    );
    // The second call did not ask STS again right away.
    assert_eq!(emu.identity().assume_role_calls(), 2);
    // Keys that expired cannot be served: the failure is the call's error.
    emu.identity().set_failing(false);
    emu.identity().set_lifetime(Some(Duration::from_secs(1)));
    let short = RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let short = Arc::new(short);
    let c = client(&emu, Arc::clone(&short));
    let _ = call(&c).await;
    emu.identity().set_failing(true);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let err = call(&c).await.unwrap_err();
    assert!(err.contains("HTTP 503: ServiceUnavailable"), "{err}");
}

#[tokio::test]
async fn ecs_ram_role_with_session_tokens_discovery_and_v1_fallback() {
    let emu = emulator().await;
    let id = emu.identity();
    let ecs = |b: ccc_sdk::credentials::EcsRamRoleProviderBuilder| {
        b.metadata_endpoint(emu.endpoint()).build().unwrap()
    };
    // Hardened server: a session token is required, and the role is discovered.
    id.require_metadata_token(true);
    let p = Arc::new(ecs(EcsRamRoleProvider::builder()));
    must_call(&client(&emu, Arc::clone(&p))).await;
    assert_eq!(
        (id.metadata_token_calls(), id.metadata_credential_calls()),
        (1, 1)
    );
    must_call(&client(&emu, Arc::clone(&p))).await;
    assert_eq!(id.metadata_credential_calls(), 1, "cached");
    // A server without tokens: v1, unless disabled.
    id.require_metadata_token(false);
    id.refuse_metadata_tokens(true);
    must_call(&client(
        &emu,
        ecs(EcsRamRoleProvider::builder().role_name(DEFAULT_ECS_ROLE)),
    ))
    .await;
    let strict = ecs(EcsRamRoleProvider::builder().disable_imdsv1(true));
    let err = strict.provide_credentials().await.unwrap_err().to_string();
    assert!(
        err.contains("answered HTTP 404 without a usable token, and ALIBABA_CLOUD_IMDSV1_DISABLED forbids going on without one"),
        "{err}"
    );
    id.refuse_metadata_tokens(false);
    // A role that is not the instance's, and an instance without a role.
    let err = ecs(EcsRamRoleProvider::builder().role_name("other"))
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("/latest/meta-data/ram/security-credentials/other) answered HTTP 404"),
        "{err}"
    );
    id.set_ecs_role(None);
    let err = ecs(EcsRamRoleProvider::builder())
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("answered HTTP 404"), "{err}");
    // From the environment.
    id.set_ecs_role(Some("web"));
    let home = Sandbox::new("ecs");
    let env = home.env(&[
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("CCC_ECS_METADATA_ENDPOINT", &emu.endpoint()),
        ("ALIBABA_CLOUD_ECS_METADATA", "web"),
    ]);
    let p = EcsRamRoleProvider::from_env(&env)
        .unwrap()
        .expect("enabled");
    must_call(&client(&emu, p)).await;
    assert!(
        EcsRamRoleProvider::from_env(&home.env(&[]))
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_credentials_uri_serves_keys() {
    let emu = emulator().await;
    let uri = format!("{}{CREDENTIALS_URI_PATH}", emu.endpoint());
    let p = Arc::new(CredentialsUriProvider::new(&uri).unwrap());
    must_call(&client(&emu, Arc::clone(&p))).await;
    must_call(&client(&emu, Arc::clone(&p))).await;
    assert_eq!(emu.identity().credentials_uri_calls(), 1);
    emu.identity().set_failing(true);
    let err = CredentialsUriProvider::new(&uri)
        .unwrap()
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("credentials URI {uri} answered HTTP 503")
    );
    let err = CredentialsUriProvider::new("http://192.0.2.1/creds")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("plain http is allowed only to a loopback address"),
        "{err}"
    );
}

/// The CLI's config with one profile per mode, all pointing at `emu`.
fn cli_config(home: &Sandbox, token_file: &str) -> PathBuf {
    home.write(
        ".aliyun/config.json",
        &format!(
            r#"{{
  "current": "ak",
  "profiles": [
    {{"name": "ak", "mode": "AK", "access_key_id": "testid", "access_key_secret": "testsecret", "region_id": "cn-shanghai"}},
    {{"name": "sts", "mode": "StsToken", "access_key_id": "{STS_ID}", "access_key_secret": "{STS_SECRET}", "sts_token": "{STS_TOKEN}"}},
    {{"name": "role", "mode": "RamRoleArn", "access_key_id": "testid", "access_key_secret": "testsecret", "ram_role_arn": "acs:ram::1:role/cli", "ram_session_name": "cli-session", "expired_seconds": 900}},
    {{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "{DEFAULT_ECS_ROLE}"}},
    {{"name": "oidc", "mode": "OIDC", "ram_role_arn": "acs:ram::1:role/oidc", "oidc_provider_arn": "{OIDC_PROVIDER}", "oidc_token_file": "{token_file}"}},
    {{"name": "chained", "mode": "ChainableRamRoleArn", "source_profile": "role", "ram_role_arn": "acs:ram::1:role/chained"}},
    {{"name": "sso", "mode": "CloudSSO"}}
  ]
}}"#
        ),
    )
}

#[tokio::test]
async fn every_cli_profile_mode_works() {
    let emu = emulator().await;
    let home = Sandbox::new("cli");
    let token = home.write("token", "oidc-token");
    let path = cli_config(&home, token.to_str().unwrap());
    let env = home.env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false")]);
    let provider = |profile: Option<&str>| {
        let p = CliProfileProvider::with_env(env.clone())
            .sts_endpoint(sts(&emu))
            .metadata_endpoint(emu.endpoint());
        match profile {
            Some(name) => p.profile(name),
            None => p,
        }
    };
    for profile in ["ak", "sts", "role", "ecs", "oidc", "chained"] {
        if let Err(e) = call(&client(&emu, provider(Some(profile)))).await {
            panic!("profile {profile}: {e}");
        }
    }
    let id = emu.identity();
    // role once, chained twice (its source is `role`), OIDC once; ECS from the metadata server.
    assert_eq!(
        (id.assume_role_calls(), id.assume_role_with_oidc_calls()),
        (3, 1)
    );
    assert_eq!(id.metadata_credential_calls(), 1);
    assert_eq!(
        id.last_sts_parameter("RoleArn").as_deref(),
        Some("acs:ram::1:role/chained")
    );
    // `current`, or ALIBABA_CLOUD_PROFILE.
    assert_eq!(creds(&provider(None)).await.access_key_id(), "testid");
    let by_env = CliProfileProvider::with_env(home.env(&[("ALIBABA_CLOUD_PROFILE", "sts")]));
    assert_eq!(creds(&by_env).await.access_key_id(), STS_ID);
    let err = provider(Some("sso"))
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}: profile `sso`: mode `CloudSSO` is not supported by this SDK (supported: AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ChainableRamRoleArn)",
            path.display()
        )
    );
    let err = provider(Some("nope"))
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(err, format!("{}: no profile `nope`", path.display()));
}

#[tokio::test]
async fn every_credentials_file_type_works() {
    let emu = emulator().await;
    let home = Sandbox::new("ini");
    let token = home.write("token", "oidc-token");
    let text = format!(
        "\u{feff}# written by hand\n\
         [default]\n\
         type = access_key   # the long-term key\n\
         access_key_id = testid\n\
         access_key_secret = testsecret\n\
         \n\
         [sts]\n\
         type = sts\n\
         access_key_id = {STS_ID}\n\
         access_key_secret = {STS_SECRET}\n\
         security_token = {STS_TOKEN}\n\
         \n\
         [role]\n\
         type = ram_role_arn\n\
         access_key_id = testid\n\
         access_key_secret = testsecret\n\
         role_arn = acs:ram::1:role/ini\n\
         role_session_name = ini-session\n\
         \n\
         [ecs]\n\
         type = ecs_ram_role\n\
         role_name = {DEFAULT_ECS_ROLE}\n\
         \n\
         [oidc]\n\
         type = oidc_role_arn\n\
         role_arn = acs:ram::1:role/ini-oidc\n\
         oidc_provider_arn = {OIDC_PROVIDER}\n\
         oidc_token_file_path = {}\n\
         \n\
         [bad]\n\
         type = bearer\n",
        token.display()
    );
    let path = home.write(".alibabacloud/credentials", &text);
    let env = home.env(&[("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false")]);
    let provider = |profile: &str| {
        ProfileFileProvider::with_env(env.clone())
            .profile(profile)
            .sts_endpoint(sts(&emu))
            .metadata_endpoint(emu.endpoint())
    };
    for profile in ["default", "sts", "role", "ecs", "oidc"] {
        if let Err(e) = call(&client(&emu, provider(profile))).await {
            panic!("profile {profile}: {e}");
        }
        if profile == "role" {
            assert_eq!(
                emu.identity()
                    .last_sts_parameter("RoleSessionName")
                    .as_deref(),
                Some("ini-session")
            );
        }
    }
    assert_eq!(emu.identity().assume_role_with_oidc_calls(), 1);
    assert_eq!(emu.identity().metadata_credential_calls(), 1);
    let err = provider("bad")
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}:31: profile [bad]: type `bearer` is not supported (supported: access_key, sts, ram_role_arn, ecs_ram_role, oidc_role_arn)",
            path.display()
        )
    );
    // ALIBABA_CLOUD_PROFILE and ALIBABA_CLOUD_CREDENTIALS_FILE.
    let elsewhere = home.write(
        "elsewhere.ini",
        "[x]\naccess_key_id = from-elsewhere\naccess_key_secret = s\n",
    );
    let p = ProfileFileProvider::with_env(home.env(&[
        (
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            elsewhere.to_str().unwrap(),
        ),
        ("ALIBABA_CLOUD_PROFILE", "x"),
    ]));
    assert_eq!(creds(&p).await.access_key_id(), "from-elsewhere");
    let broken = home.write("broken.ini", "[x]\naccess_key_id = a\nno equals sign\n");
    let err = ProfileFileProvider::with_env(home.env(&[]))
        .path(&broken)
        .profile("x")
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}:3: expected `key = value`", broken.display())
    );
}

/// Every source of the chain configured, each with keys of its own; removed one by one, the
/// next in the official order takes over.
#[tokio::test]
async fn the_default_chain_follows_the_official_order() {
    let emu = emulator().await;
    let home = Sandbox::new("chain");
    let token = home.write("token", "oidc-token");
    home.write(
        ".aliyun/config.json",
        r#"{"current": "main", "profiles": [{"name": "main", "mode": "AK", "access_key_id": "testid", "access_key_secret": "testsecret"}]}"#,
    );
    home.write(
        ".alibabacloud/credentials",
        &format!("[default]\ntype = sts\naccess_key_id = {STS_ID}\naccess_key_secret = {STS_SECRET}\nsecurity_token = {STS_TOKEN}\n"),
    );
    let endpoint = emu.endpoint();
    let uri = format!("{endpoint}{CREDENTIALS_URI_PATH}");
    let token = token.to_str().unwrap().to_string();
    let all: Vec<(&str, &str)> = vec![
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", "testid"),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "testsecret"),
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &token),
        ("ALIBABA_CLOUD_STS_ENDPOINT", &endpoint),
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("CCC_ECS_METADATA_ENDPOINT", &endpoint),
        ("ALIBABA_CLOUD_CREDENTIALS_URI", &uri),
    ];
    let steps: [(&str, &[&str]); 6] = [
        ("environment", &[]),
        ("OIDC role", &["ALIBABA_CLOUD_ACCESS_KEY_ID"]),
        ("CLI profile", &["ALIBABA_CLOUD_ROLE_ARN"]),
        ("credentials file", &["ALIBABA_CLOUD_CLI_PROFILE_DISABLED"]),
        ("ECS RAM role", &["ALIBABA_CLOUD_CREDENTIALS_FILE"]),
        ("credentials URI", &["ALIBABA_CLOUD_ECS_METADATA_DISABLED"]),
    ];
    let mut removed: Vec<&str> = Vec::new();
    for (expected, remove) in steps {
        removed.extend_from_slice(remove);
        let mut vars: Vec<(&str, &str)> = all
            .iter()
            .copied()
            .filter(|(k, _)| !removed.contains(k))
            .collect();
        // Switches rather than removals: the CLI's and the file's defaults live in HOME.
        if removed.contains(&"ALIBABA_CLOUD_CLI_PROFILE_DISABLED") {
            vars.push(("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true"));
        }
        if removed.contains(&"ALIBABA_CLOUD_CREDENTIALS_FILE") {
            vars.push(("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/credentials"));
        }
        if removed.contains(&"ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
            vars.push(("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true"));
        }
        let chain = Arc::new(
            DefaultCredentialsChain::builder()
                .env(home.env(&vars))
                .build(),
        );
        let c = client(&emu, Arc::clone(&chain));
        if let Err(e) = call(&c).await {
            panic!("{expected}: {e}");
        }
        assert_eq!(chain.source_in_use(), Some(expected));
        // Remembered: the next call asks that source alone.
        must_call(&c).await;
        assert_eq!(chain.source_in_use(), Some(expected));
    }
}

#[tokio::test]
async fn with_no_source_the_chain_lists_each_and_why() {
    let emu = emulator().await;
    let home = Sandbox::new("nothing");
    let chain = DefaultCredentialsChain::builder()
        .env(home.env(&[]))
        .build();
    let c = client(&emu, chain);
    let err = c.check_credentials().await.unwrap_err().to_string();
    let home_dir = home.dir.display();
    assert_eq!(
        err,
        format!(
            "no credentials found by the default chain: \
             [environment] ALIBABA_CLOUD_ACCESS_KEY_ID is not set; \
             [OIDC role] ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE are not set; \
             [CLI profile] {home_dir}/.aliyun/config.json does not exist; \
             [credentials file] neither {home_dir}/.alibabacloud/credentials nor {home_dir}/.alibabacloud/credentials.ini exists, and ALIBABA_CLOUD_CREDENTIALS_FILE is not set; \
             [ECS RAM role] ALIBABA_CLOUD_ECS_METADATA_DISABLED is true; \
             [credentials URI] ALIBABA_CLOUD_CREDENTIALS_URI is not set"
        )
    );
    let call_err = call(&c).await.unwrap_err();
    assert!(
        call_err.contains("no credentials found by the default chain"),
        "{call_err}"
    );
    assert_eq!(emu.requests("ResetAgentState"), 0);
}

#[tokio::test]
async fn each_misconfiguration_says_what_is_wrong() {
    let home = Sandbox::new("misconfigured");
    let token = home.write("token", "t");
    let token = token.to_str().unwrap();
    let chain_error = |vars: &[(&str, &str)]| {
        let chain = DefaultCredentialsChain::builder()
            .env(home.env(vars))
            .build();
        async move { chain.provide_credentials().await.unwrap_err().to_string() }
    };
    // Half an OIDC configuration.
    let err = chain_error(&[("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token)]).await;
    assert!(
        err.contains("[OIDC role] ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN not set"),
        "{err}"
    );
    // An STS endpoint over plain http off loopback.
    let err = chain_error(&[
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER),
        ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token),
        ("ALIBABA_CLOUD_STS_ENDPOINT", "http://sts.aliyuncs.com"),
    ])
    .await;
    assert!(
        err.contains("[OIDC role] ALIBABA_CLOUD_STS_ENDPOINT: STS endpoint: URL `http://sts.aliyuncs.com`: plain http is allowed only to a loopback address"),
        "{err}"
    );
    // A metadata endpoint that is neither loopback nor the metadata server.
    let err = chain_error(&[
        ("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "false"),
        ("CCC_ECS_METADATA_ENDPOINT", "http://169.254.169.254"),
    ])
    .await;
    assert!(
        err.contains("[ECS RAM role] CCC_ECS_METADATA_ENDPOINT: metadata endpoint: URL"),
        "{err}"
    );
    // A credentials URI off loopback over http.
    let err = chain_error(&[(
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        "http://192.0.2.7/creds?token=abc",
    )])
    .await;
    assert!(err.contains("[credentials URI] ALIBABA_CLOUD_CREDENTIALS_URI: credentials URI: URL `http://192.0.2.7/creds`"), "{err}");
    assert!(!err.contains("token=abc"), "{err}");
    // A named credentials file that does not exist.
    let err = chain_error(&[("ALIBABA_CLOUD_CREDENTIALS_FILE", "/nonexistent/creds")]).await;
    assert!(
        err.contains("[credentials file] /nonexistent/creds: cannot read:"),
        "{err}"
    );
    // A CLI config that is not JSON, and a profile it lacks.
    home.write(".aliyun/config.json", "{ not json");
    let err = chain_error(&[]).await;
    assert!(
        err.contains("/.aliyun/config.json: not JSON (line 1, column 3)"),
        "{err}"
    );
    home.write(
        ".aliyun/config.json",
        r#"{"current": "gone", "profiles": []}"#,
    );
    let err = chain_error(&[]).await;
    assert!(
        err.contains("[CLI profile] ") && err.contains("config.json: no profile `gone`"),
        "{err}"
    );
    // Settings refused when built.
    let err = RamRoleArnProvider::builder(Credentials::new("a", "b"), ROLE)
        .duration_seconds(600)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a role session lasts at least 900 seconds; 600 was asked"
    );
    let err = StsEndpoint::new("ftp://sts").unwrap_err();
    assert!(err.to_string().contains("scheme must be https"), "{err}");
}

/// Real-looking keys and tokens, as STS issues them, never show in `Debug`, `Display` or errors.
#[tokio::test]
async fn secrets_never_show() {
    let emu = emulator().await;
    let provider = Arc::new(
        RamRoleArnProvider::builder(Credentials::new("testid", "testsecret"), ROLE)
            .sts_endpoint(sts(&emu))
            .build()
            .unwrap(),
    );
    let issued = creds(provider.as_ref()).await;
    let token = format!("{issued:?}");
    let real = emu.identity().issue(Duration::from_secs(3600));
    let c = client(&emu, Arc::clone(&provider));
    must_call(&c).await;
    // A call refused for a wrong token, with the issued key id.
    let wrong = Credentials::new(real.access_key_id.clone(), real.access_key_secret.clone())
        .with_security_token(format!("{}x", real.security_token));
    let err = reset_agent(&client(&emu, wrong.clone()), "d")
        .await
        .unwrap_err();
    let mut shown = format!("{token} {provider:?} {c:?} {wrong:?} {wrong:#?} {err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    emu.identity().set_failing(true);
    let failing = RamRoleArnProvider::builder(wrong, ROLE)
        .sts_endpoint(sts(&emu))
        .build()
        .unwrap();
    let refused = failing.provide_credentials().await.unwrap_err();
    shown.push_str(&format!(" {refused} {refused:?} {failing:?}"));
    for secret in [
        real.access_key_secret.as_str(),
        real.security_token.as_str(),
        &real.security_token[..40],
        real.access_key_id.as_str(),
        "testsecret",
    ] {
        assert!(!shown.contains(secret), "`{secret}` shown in: {shown}");
    }
    assert!(shown.contains("STS***"), "ids are shown masked: {shown}");
}

/// The command-line example uses the default chain: here, a credentials URI, from a shell.
#[test]
fn the_example_finds_credentials_through_the_default_chain() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emu = runtime.block_on(emulator());
    // The user's own files and variables are kept out: only the URI can answer.
    let mut command = example_command(
        &emu.endpoint(),
        &["--instance-id", "ccc-test", "--device-id", "D"],
    );
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ALIBABA_CLOUD_") {
            command.env_remove(name);
        }
    }
    let out = command
        .env("ALIBABA_CLOUD_CLI_PROFILE_DISABLED", "true")
        .env(
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            "/nonexistent/ccc-credentials",
        )
        .env(
            "ALIBABA_CLOUD_CREDENTIALS_URI",
            format!("{}{CREDENTIALS_URI_PATH}", emu.endpoint()),
        )
        // A proxy that answers nothing: loopback traffic must not go through it.
        .env("HTTP_PROXY", "http://127.0.0.1:9")
        .env("http_proxy", "http://127.0.0.1:9")
        .env("ALL_PROXY", "http://127.0.0.1:9")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(emu.identity().credentials_uri_calls(), 1);
    drop(emu);
}

/// A loopback server answering each connection with the next canned bytes (or holding it open
/// without a word when there are none), to play a hostile credentials source.
fn canned(answers: Vec<Vec<u8>>) -> String {
    use std::io::Write;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut answers = answers.into_iter();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let answer = answers.next();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                if ccc_tests::read_head(&mut stream).is_none() {
                    return;
                }
                match answer {
                    Some(bytes) => {
                        let _ = stream.write_all(&bytes);
                    }
                    // Silent: the client's timeout has to end it.
                    None => std::thread::sleep(Duration::from_secs(5)),
                }
            });
        }
    });
    format!("http://{addr}")
}

fn answer(status: &str, extra: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}connection: close\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Answers from a credentials source are hostile input: bounded, never followed elsewhere,
/// named by field and status, never quoted.
#[tokio::test]
async fn hostile_answers_are_refused_with_their_reason() {
    let big = vec![b' '; 100 * 1024];
    let leaked = br#"{"AccessKeyId": 7, "AccessKeySecret": "LEAKED-SECRET"}"#;
    let past = br#"{"AccessKeyId": "STS.x", "AccessKeySecret": "s", "SecurityToken": "t", "Expiration": "2001-01-01T00:00:00Z"}"#;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            answer(
                "200 OK",
                &format!("content-length: {}\r\n", big.len()),
                &big,
            ),
            "answered HTTP 200 with more than 64 KiB",
        ),
        // No length: read until the limit, then stopped.
        (
            answer("200 OK", "", &big),
            "answered HTTP 200 with more than 64 KiB",
        ),
        (
            answer(
                "302 Found",
                "location: http://192.0.2.1/steal\r\ncontent-length: 0\r\n",
                b"",
            ),
            "answered HTTP 302",
        ),
        (
            answer(
                "200 OK",
                &format!("content-length: {}\r\n", leaked.len()),
                leaked,
            ),
            "answered HTTP 200 with a non-string `AccessKeyId`",
        ),
        (
            answer(
                "200 OK",
                &format!("content-length: {}\r\n", past.len()),
                past,
            ),
            "answered HTTP 200 with credentials that expired at 2001-01-01T00:00:00Z",
        ),
        (
            answer("200 OK", "content-length: 5\r\n", b"<html"),
            "with a body that is not JSON",
        ),
    ];
    let (answers, reasons): (Vec<_>, Vec<_>) = cases.into_iter().unzip();
    let base = canned(answers);
    for reason in reasons {
        let p = CredentialsUriProvider::new(format!("{base}/creds")).unwrap();
        let err = tokio::time::timeout(Duration::from_secs(20), p.provide_credentials())
            .await
            .expect("bounded")
            .unwrap_err()
            .to_string();
        assert!(err.contains(reason), "expected `{reason}` in: {err}");
        assert!(
            !err.contains("LEAKED-SECRET") && !err.contains("192.0.2.1"),
            "{err}"
        );
    }
}

/// Off ECS the metadata server does not answer: the provider gives up within its short bounds.
#[tokio::test]
async fn a_silent_metadata_server_is_given_up_on_quickly() {
    let silent = canned(Vec::new());
    let p = EcsRamRoleProvider::builder()
        .metadata_endpoint(silent)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = p.provide_credentials().await.unwrap_err().to_string();
    assert!(err.contains("/latest/api/token): timed out"), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}
