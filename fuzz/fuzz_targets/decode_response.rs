//! Reads arbitrary bytes as a CCC response: the first byte picks the HTTP status, the second
//! the Content-Type, the rest is the body. Any panic or abort is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 8] = [200, 200, 200, 204, 307, 400, 404, 500];
const TYPES: [Option<&str>; 5] = [
    None,
    Some("application/json"),
    Some("text/xml"),
    Some("application/xml;charset=utf-8"),
    Some("text/html"),
];

fuzz_target!(|data: &[u8]| {
    if let [status, ct, body @ ..] = data {
        let status = STATUSES[usize::from(*status) % STATUSES.len()];
        let ct = TYPES[usize::from(*ct) % TYPES.len()];
        ccc_sdk::__bench::read_any_response(status, ct, body);
    }
});
