//! Entry points for the per-call benchmark: the exact code a call runs, minus the network.
//! Not a public API; hidden from the docs and free to change.

use crate::client::{self, Method, Operation};
use crate::codec::Params;
use crate::operation::reset_agent_state::{ResetAgentStateInput, ResetAgentStateOutput};

static RESET_AGENT_STATE: Operation = Operation {
    action: "ResetAgentState",
    method: Method::Post,
    idempotent: false,
};

/// Encodes the input's parameters, signs and lays out the request as an attempt would; returns
/// the request's size in bytes (URL, headers and body) so the work cannot be optimised away.
pub fn prepare_reset_agent_state(client: &crate::Client, input: &ResetAgentStateInput) -> usize {
    let mut params = Params::default();
    input.write_params(&mut params);
    let Ok(creds) = client.credentials() else {
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
    let head = client::Head {
        status: 200,
        content_type: Some(content_type.to_string()),
        ..client::Head::default()
    };
    let response = client::read_response(head, bytes::Bytes::from_static(body)).ok()?;
    client::decode_success::<ResetAgentStateOutput>(&RESET_AGENT_STATE, response).ok()
}
