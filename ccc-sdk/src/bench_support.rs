//! Entry points for the per-call benchmark: the exact code a call runs, minus the network.
//! Not a public API; hidden from the docs and free to change.

use crate::codec::{Params, WriteParams};
use crate::generated::operation::reset_agent_state::{ResetAgentStateInput, ResetAgentStateOutput};
use crate::request::{Method, Operation};
use crate::response;

static RESET_AGENT_STATE: Operation = Operation {
    action: "ResetAgentState",
    method: Method::Post,
    idempotent: false,
};

/// Encodes the input's parameters, signs and lays out the request as an attempt would; returns
/// the request's size in bytes (URL, headers and body) so the work cannot be optimised away.
pub fn prepare_reset_agent_state(
    client: &crate::client::Client,
    input: &ResetAgentStateInput,
) -> usize {
    let mut params = Params::default();
    input.write_params(&mut params);
    // Fixed credentials are ready at once: one poll, no runtime.
    let mut future = std::pin::pin!(client.credentials());
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(Ok(creds)) = future.as_mut().poll(&mut cx) else {
        return 0;
    };
    match client.prepare(&RESET_AGENT_STATE, &params, &creds) {
        Ok(r) => {
            r.url().as_str().len()
                + r.body().and_then(|b| b.as_bytes()).map_or(0, <[u8]>::len)
                + r.headers()
                    .iter()
                    .map(|(k, v)| k.as_str().len() + v.len())
                    .sum::<usize>()
        }
        Err(_) => 0,
    }
}

/// Reads a 200 response body into the output, as a call would.
pub fn decode_reset_agent_state(
    content_type: &str,
    body: &'static [u8],
) -> Option<ResetAgentStateOutput> {
    let head = response::Head {
        status: 200,
        content_type: Some(content_type.to_string()),
        ..response::Head::default()
    };
    let response = response::read_response(head, bytes::Bytes::from_static(body)).ok()?;
    response::decode_success::<ResetAgentStateOutput>(&RESET_AGENT_STATE, response).ok()
}

/// Reads any response as a call would (the head's status and content type, then the body),
/// and decodes a success into the outputs of several actions, re-encoding what decodes; for
/// fuzzing and mutation tests. Returns how many outputs decoded. Never panics, whatever the
/// bytes; that is what the callers check.
pub fn read_any_response(status: u16, content_type: Option<&str>, body: &[u8]) -> usize {
    use crate::generated::operation::{
        get_call_detail_record::GetCallDetailRecordOutput,
        list_historical_agent_report::ListHistoricalAgentReportOutput,
        list_interval_instance_report::ListIntervalInstanceReportOutput,
        list_users::ListUsersOutput, make_call::MakeCallOutput,
    };

    fn decode<O: crate::codec::Decode>(
        op: &Operation,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
        to_json: impl Fn(&O) -> serde_json::Value,
    ) -> usize {
        let head = response::Head {
            status,
            content_type: content_type.map(str::to_string),
            ..response::Head::default()
        };
        let response = match response::read_response(head, bytes::Bytes::copy_from_slice(body)) {
            Ok(r) => r,
            // Errors are built whole, Display and all.
            Err(f) => {
                std::hint::black_box(f.describe());
                return 0;
            }
        };
        match response::decode_success::<O>(op, response) {
            Ok(out) => usize::from(!to_json(&out).is_null()),
            Err(e) => {
                std::hint::black_box(e.to_string());
                0
            }
        }
    }

    decode::<ResetAgentStateOutput>(&RESET_AGENT_STATE, status, content_type, body, |o| {
        o.to_json()
    }) + decode::<ListHistoricalAgentReportOutput>(
        &RESET_AGENT_STATE,
        status,
        content_type,
        body,
        |o| o.to_json(),
    ) + decode::<ListIntervalInstanceReportOutput>(
        &RESET_AGENT_STATE,
        status,
        content_type,
        body,
        |o| o.to_json(),
    ) + decode::<GetCallDetailRecordOutput>(&RESET_AGENT_STATE, status, content_type, body, |o| {
        o.to_json()
    }) + decode::<ListUsersOutput>(&RESET_AGENT_STATE, status, content_type, body, |o| {
        o.to_json()
    }) + decode::<MakeCallOutput>(&RESET_AGENT_STATE, status, content_type, body, |o| {
        o.to_json()
    })
}

/// What tracing adds to a call, as the attempt loop's caller does it: the call's span, the loop
/// run inside it (here a loop that is done at once), and the records of its success. With no
/// subscriber, this is the whole cost of tracing per call. Returns the attempt count.
#[inline(never)]
pub fn traced_call_overhead(
    client: &crate::client::Client,
    creds: &crate::credentials::Credentials,
) -> u32 {
    use tracing::Instrument;
    let span = crate::trace::call_span(RESET_AGENT_STATE.action, client.config().region());
    let started = (!span.is_disabled()).then(std::time::Instant::now);
    let mut attempts = std::pin::pin!(std::future::ready(1u32).instrument(span.clone()));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let std::task::Poll::Ready(n) = attempts.as_mut().poll(&mut cx) else {
        return 0;
    };
    let response = response::Response {
        status: 200,
        request_id: None,
        content_type: None,
        raw: bytes::Bytes::new(),
    };
    crate::trace::finish_ok(&span, started, n, &response, creds);
    n
}
