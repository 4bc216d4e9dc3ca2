//! `ccc`: the command line for Alibaba Cloud Contact Center (CCC, API 2020-07-01).
//!
//! Every action of the API is a command (`ccc reset-agent-state --instance-id … --user-id …`),
//! every parameter a flag; values are checked against the spec before anything is sent, and the
//! call goes through `ccc-sdk` (its signing, credentials chain, retries and timeouts). The
//! action table is generated from `spec/` by `cargo xtask codegen` into `src/generated/`.
//!
//! Exit codes: 0 success; 2 usage, or a value refused before sending; 3 the service answered
//! with an error; 4 network, TLS, timeout or an unreadable answer; 5 credentials. `ccc wait`
//! also exits 4 when the wait times out, and 6 when it can no longer succeed.

#![forbid(unsafe_code)]

mod args;
mod check;
mod complete;
#[path = "generated/actions.rs"]
mod generated;
mod help;
mod output;
mod run;
mod table;
mod wait;

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run::main(std::env::args_os().skip(1).collect()))
}
