//! The per-call work of ResetAgentState without the network: build the input, encode its
//! parameters, sign (V3 and V1, fresh timestamp and nonce), and decode a response (JSON and XML);
//! and what tracing adds to a call with no subscriber; and a whole call on the mock client of the
//! `test-util` feature, beside the prepare-and-decode of a plain one.
//!
//! `cargo bench -p ccc-bench --bench per_call`

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use ccc_sdk::mock::{self, MockClient};
use ccc_sdk::operation::reset_agent_state::{ResetAgentStateInput, ResetAgentStateOutput};
use ccc_sdk::{__bench, Client, Config, Credentials, SignatureVersion};
use criterion::{Criterion, criterion_group, criterion_main};

const JSON: &[u8] = br#"{"RequestId":"EEEE671A-3E24-4A04-81E6-6C4F5B39DF75","HttpStatusCode":"200","Data":{"Extension":"80011112","UserState":"OFFLINE","InstanceId":"ccc-test","UserId":"user-test@ccc-test","OutboundScenario":"false","WorkMode":"ON_SITE","SignedSkillGroupIdList":["skill-group@ccc-test"]},"Code":"OK"}"#;
const XML: &[u8] = b"<ResetAgentStateResponse><RequestId>EEEE671A-3E24-4A04-81E6-6C4F5B39DF75</RequestId><HttpStatusCode>200</HttpStatusCode><Data><Extension>80011112</Extension><UserState>OFFLINE</UserState><InstanceId>ccc-test</InstanceId><UserId>user-test@ccc-test</UserId><OutboundScenario>false</OutboundScenario><WorkMode>ON_SITE</WorkMode></Data><Code>OK</Code></ResetAgentStateResponse>";

fn client(version: SignatureVersion) -> Client {
    let config = Config::builder()
        .endpoint_url("https://ccc.aliyuncs.com")
        .credentials(Credentials::new("LTAI5tBenchKeyId", "bench-secret"))
        .signature_version(version)
        .build()
        .expect("config");
    Client::new(config).expect("client")
}

fn input() -> ResetAgentStateInput {
    ResetAgentStateInput::builder()
        .instance_id("ccc-test")
        .device_id("ACC-YUNBS-1.0.10-b18bp53c1736c2914176a801ei90")
        .user_id("user-test@ccc-test")
        .build()
        .expect("input")
}

/// A plain call's work without the network, as `whole_call_v3_json`: build the input, encode,
/// sign and lay out the request, decode the answer.
#[inline(never)]
fn plain_call(client: &Client) -> (usize, Option<ResetAgentStateOutput>) {
    let input = input();
    let n = __bench::prepare_reset_agent_state(client, &input);
    (
        n,
        __bench::decode_reset_agent_state("application/json", black_box(JSON)),
    )
}

/// A whole call on the mock client: the fluent builder's `send()`, through the call loop (time
/// limits, retry decision, tracing span), the rule (its output made, written as JSON and read
/// back) and the record of the request. Every future involved is ready at once: one poll.
#[inline(never)]
fn mock_call(client: &MockClient) -> Option<ResetAgentStateOutput> {
    let call = client
        .reset_agent_state()
        .instance_id("ccc-test")
        .device_id("ACC-YUNBS-1.0.10-b18bp53c1736c2914176a801ei90")
        .user_id("user-test@ccc-test")
        .send();
    let mut call = std::pin::pin!(call);
    match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out.ok(),
        Poll::Pending => None,
    }
}

fn mock_client(answer: ResetAgentStateOutput) -> MockClient {
    let rule = mock::rule(Client::reset_agent_state).then_output(move || answer.clone());
    MockClient::builder()
        .config(Config::builder().endpoint_url("https://ccc.aliyuncs.com"))
        .rule(rule)
        .build()
}

/// Runs `iters` mock calls, each followed by emptying the record of requests (its cost is
/// counted), so that a long run does not grow it without bound.
fn mock_calls(client: &MockClient, iters: u64) -> Duration {
    let started = Instant::now();
    for _ in 0..iters {
        black_box(mock_call(client));
        drop(client.take_calls());
    }
    started.elapsed()
}

fn per_call(c: &mut Criterion) {
    let v3 = client(SignatureVersion::V3);
    let v1 = client(SignatureVersion::V1);
    // Measure the success path only.
    assert!(__bench::prepare_reset_agent_state(&v3, &input()) > 0);
    let decoded =
        __bench::decode_reset_agent_state("application/json", JSON).expect("JSON decodes");
    assert_eq!(
        decoded.data().and_then(|d| d.outbound_scenario()),
        Some(false)
    );
    assert!(
        __bench::decode_reset_agent_state("text/xml", XML).is_some(),
        "XML decodes"
    );
    let mut g = c.benchmark_group("reset_agent_state");
    g.bench_function("build_input", |b| b.iter(|| black_box(input())));
    g.bench_function("encode_sign_v3", |b| {
        let input = input();
        b.iter(|| __bench::prepare_reset_agent_state(&v3, black_box(&input)))
    });
    g.bench_function("encode_sign_v1", |b| {
        let input = input();
        b.iter(|| __bench::prepare_reset_agent_state(&v1, black_box(&input)))
    });
    // What tracing adds to a call when no subscriber is installed (target: under 0.2 µs).
    let creds = Credentials::new("LTAI5tBenchKeyId", "bench-secret");
    assert_eq!(__bench::traced_call_overhead(&v3, &creds), 1);
    g.bench_function("tracing_no_subscriber", |b| {
        b.iter(|| __bench::traced_call_overhead(black_box(&v3), black_box(&creds)))
    });
    g.bench_function("decode_json", |b| {
        b.iter(|| __bench::decode_reset_agent_state("application/json", black_box(JSON)))
    });
    g.bench_function("decode_xml", |b| {
        b.iter(|| __bench::decode_reset_agent_state("text/xml", black_box(XML)))
    });
    g.bench_function("whole_call_v3_json", |b| {
        b.iter(|| {
            let input = input();
            let n = __bench::prepare_reset_agent_state(&v3, &input);
            (
                n,
                __bench::decode_reset_agent_state("application/json", black_box(JSON)),
            )
        })
    });
    // The mock's per-call cost beside the plain call's prepare-and-decode (issue 19: within 2×).
    let mock = mock_client(decoded.clone());
    assert_eq!(mock_call(&mock), Some(decoded.clone()), "the mock answers");
    assert!(plain_call(&v3).1.is_some());
    g.bench_function("plain_call_v3_json", |b| b.iter(|| plain_call(&v3)));
    g.bench_function("mock_call_v3_json", |b| {
        b.iter_custom(|iters| mock_calls(&mock, iters))
    });
    g.bench_function("whole_call_v1_json", |b| {
        b.iter(|| {
            let input = input();
            let n = __bench::prepare_reset_agent_state(&v1, &input);
            (
                n,
                __bench::decode_reset_agent_state("application/json", black_box(JSON)),
            )
        })
    });
    g.finish();
}

criterion_group!(benches, per_call);
criterion_main!(benches);
