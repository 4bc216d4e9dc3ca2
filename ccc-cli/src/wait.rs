//! `ccc wait WAITER [flags]`: the SDK's named waiters (`ccc_sdk::waiter`) as commands. Each polls
//! `PollUserStatus` until the agent or the call is in the state asked for, and prints the answer
//! that showed it; the timing (`--timeout`, `--interval`, `--max-polls`) is checked before
//! anything is sent.

use std::future::IntoFuture as _;

use ccc_sdk::Client;
use ccc_sdk::operation::poll_user_status::{PollUserStatusError, PollUserStatusOutput};
use ccc_sdk::types::{ChannelState, UserState};
use ccc_sdk::waiter::{DEFAULT_MAX_WAIT, Wait, WaitError, WaitErrorKind, WaitPolicy};
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::args::{self, Globals};
use crate::output::Query;
use crate::run::{NETWORK, OK, USAGE, usage};

/// The wait can no longer succeed: the answer met the waiter's failure condition (for
/// `call-state`, the agent's status no longer shows the call).
pub(crate) const WAIT_FAILED: u8 = 6;

/// What a waiter waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An agent's state (`UserState`).
    Agent,
    /// The state of every channel of a call (`ChannelState`).
    Call,
}

/// One waiter: its command, what it waits for, the states it takes.
struct Waiter {
    command: &'static str,
    kind: Kind,
    about: &'static str,
    long_about: &'static str,
    states: &'static [&'static str],
}

const WAITERS: [Waiter; 2] = [
    Waiter {
        command: "agent-state",
        kind: Kind::Agent,
        about: "Waits until an agent is in a state (READY after signing in, say)",
        long_about: "Waits until an agent is in a state (READY after signing in, say).\n\n\
            Polls PollUserStatus until the agent's state (Data.UserContext.UserState) is the one \
            asked for, then prints that answer.",
        states: UserState::values(),
    },
    Waiter {
        command: "call-state",
        kind: Kind::Call,
        about: "Waits until every channel of a call is in a state (ANSWERED once connected)",
        long_about: "Waits until every channel of a call is in a state (ANSWERED once connected).\n\n\
            Polls PollUserStatus for the agent in the call until every channel of the call \
            (Data.CallContext.ChannelContexts[].ChannelState) is in the state asked for, then \
            prints that answer. Ends with exit code 6 when the agent's status no longer shows \
            the call (it ended, or the agent left it).",
        states: ChannelState::values(),
    },
];

/// The global flags that mean something to a wait (no paging, no dry run, no input JSON).
const GLOBALS: [&str; 10] = [
    "profile",
    "region",
    "endpoint",
    "signature-version",
    "attempt-timeout",
    "retries",
    "output",
    "query",
    "columns",
    "debug",
];

/// Under the help of `ccc wait` and of each waiter.
const EXIT_CODES: &str = "\
Exit codes: 0 the state was reached (the answer that showed it is printed); 2 usage, or a value
refused before sending; 3 the service answered with an error that polling again would not change;
4 the wait timed out (--timeout ran out or --max-polls were made; what the last answer showed is
on stderr), or the network failed; 5 credentials; 6 the wait can no longer succeed (call-state:
the agent's status no longer shows the call).";

/// `ccc wait`, with a subcommand per waiter: for its help, for completions and for parsing.
pub(crate) fn command() -> Command {
    let mut cmd = Command::new("wait")
        .bin_name("ccc wait")
        .about("Waits until an agent or a call is in a state, polling PollUserStatus")
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .subcommand_value_name("WAITER")
        .subcommand_help_heading("Waiters")
        .disable_help_subcommand(true)
        .arg_required_else_help(true)
        .disable_version_flag(true)
        .max_term_width(100);
    for w in &WAITERS {
        cmd = cmd.subcommand(waiter_command(w));
    }
    cmd
}

fn waiter_command(w: &Waiter) -> Command {
    let value = |name: &'static str, value_name: &'static str, help: String| {
        Arg::new(name)
            .long(name)
            .value_name(value_name)
            .num_args(1)
            .action(ArgAction::Set)
            .help(help)
    };
    let mut cmd = Command::new(w.command)
        .bin_name(format!("ccc wait {}", w.command))
        .about(w.about)
        .long_about(w.long_about)
        .after_help(EXIT_CODES)
        .disable_version_flag(true)
        .max_term_width(100)
        .arg(
            value(
                "instance-id",
                "TEXT",
                "Id of the contact centre instance, e.g. ccc-test [required]".into(),
            )
            .required(true),
        )
        .arg(
            value(
                "user-id",
                "TEXT",
                match w.kind {
                    Kind::Agent => "The agent, as username@instance [required]".into(),
                    Kind::Call => "An agent in the call, as username@instance [required]".into(),
                },
            )
            .required(true),
        );
    if w.kind == Kind::Call {
        cmd = cmd.arg(
            value(
                "job-id",
                "TEXT",
                "The call's job id, as MakeCall answers it [required]".into(),
            )
            .required(true),
        );
    }
    cmd.arg(
        value(
            "state",
            "STATE",
            format!(
                "The state to wait for [required; one of {}]",
                w.states.join(", ")
            ),
        )
        .required(true)
        .ignore_case(true)
        .value_parser(PossibleValuesParser::new(w.states.iter().copied())),
    )
    .arg(value(
        "timeout",
        "DURATION",
        format!(
            "How long to wait in all, e.g. 60s or 2m (default {}s; at most 24h)",
            DEFAULT_MAX_WAIT.as_secs()
        ),
    ))
    .arg(value(
        "interval",
        "DURATION",
        "The pause between polls, e.g. 1s or 200ms (at least 10ms; default: 1s, doubling \
         after each poll up to 10s, jittered)"
            .into(),
    ))
    .arg(value(
        "max-polls",
        "N",
        "Stop after N polls (default: no limit but --timeout)".into(),
    ))
    .args(
        args::global_args()
            .into_iter()
            .filter(|a| GLOBALS.contains(&a.get_id().as_str())),
    )
}

/// Runs `ccc wait`: `before` are the global flags given before `wait`, `rest` the words after it.
pub(crate) fn main(before: &[String], rest: &[String]) -> u8 {
    // The global flags given before `wait` go to the waiter, just after its name.
    let split = match rest.first() {
        Some(word) if !word.starts_with('-') => 1,
        _ => 0,
    };
    let argv = std::iter::once("wait")
        .chain(rest[..split].iter().map(String::as_str))
        .chain(before.iter().map(String::as_str))
        .chain(rest[split..].iter().map(String::as_str));
    let matches = match command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => OK,
                _ => USAGE,
            };
        }
    };
    let Some((name, m)) = matches.subcommand() else {
        return usage("usage: ccc wait agent-state|call-state [flags]; `ccc wait --help`");
    };
    let Some(waiter) = WAITERS.iter().find(|w| w.command == name) else {
        return usage(&format!("unknown waiter `{name}`"));
    };
    match prepare(waiter, m) {
        Ok(prepared) => run(waiter, prepared),
        Err(e) => usage(&e),
    }
}

/// A wait checked and ready to start: nothing has been sent.
struct Prepared {
    globals: Globals,
    query: Option<Query>,
    client: Client,
    instance: String,
    user: String,
    job: Option<String>,
    state: String,
    policy: WaitPolicy,
}

fn prepare(waiter: &Waiter, m: &ArgMatches) -> Result<Prepared, String> {
    let globals = args::globals(m)?;
    let text = |id: &str| m.try_get_one::<String>(id).ok().flatten().cloned();
    let query = globals.query.as_deref().map(Query::compile).transpose()?;
    let mut policy = WaitPolicy::builder();
    if let Some(t) = text("timeout") {
        policy = policy.max_wait(args::parse_duration(&t).map_err(|e| format!("--timeout: {e}"))?);
    }
    if let Some(t) = text("interval") {
        let d = args::parse_duration(&t).map_err(|e| format!("--interval: {e}"))?;
        policy = policy.min_delay(d).max_delay(d);
    }
    if let Some(t) = text("max-polls") {
        let n = t
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--max-polls: expected a positive count, e.g. 30; got {t:?}"))?;
        policy = policy.max_polls(n);
    }
    let policy = policy.build().map_err(|e| match e {
        ccc_sdk::waiter::WaitPolicyError::MinDelayUnderFloor { .. } => {
            format!("--interval: {e}; e.g. 200ms")
        }
        other => format!("--timeout/--interval: {other}"),
    })?;
    // The parser took the state in any case; the wire value is the enum's.
    let state = text("state").unwrap_or_default();
    let state = waiter
        .states
        .iter()
        .find(|s| s.eq_ignore_ascii_case(&state))
        .map_or(state, |s| (*s).to_owned());
    if globals.debug {
        crate::run::install_tracing();
    }
    let client = crate::run::client(&globals)?;
    Ok(Prepared {
        query,
        client,
        instance: text("instance-id").unwrap_or_default(),
        user: text("user-id").unwrap_or_default(),
        job: text("job-id"),
        state,
        policy,
        globals,
    })
}

type PollWait = Wait<'static, PollUserStatusOutput, PollUserStatusError>;
type PollWaitError = WaitError<PollUserStatusOutput, PollUserStatusError>;

fn run(waiter: &Waiter, p: Prepared) -> u8 {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ccc: cannot start: {e}");
            return NETWORK;
        }
    };
    let wait: PollWait = match waiter.kind {
        Kind::Agent => p.client.wait_for_agent_state(
            p.instance.as_str(),
            p.user.as_str(),
            UserState::from(p.state.as_str()),
        ),
        Kind::Call => p.client.wait_for_call_state(
            p.instance.as_str(),
            p.user.as_str(),
            p.job.clone().unwrap_or_default(),
            ChannelState::from(p.state.as_str()),
        ),
    };
    match runtime.block_on(wait.policy(p.policy).into_future()) {
        Ok(out) => crate::run::print_value(&p.globals, p.query.as_ref(), &out.to_json(), None),
        Err(e) => ended(waiter, &p, e),
    }
}

/// A wait that ended without success: why on stderr, and the exit code.
fn ended(waiter: &Waiter, p: &Prepared, e: PollWaitError) -> u8 {
    let code = match e.kind() {
        WaitErrorKind::TimedOut { .. } | WaitErrorKind::TooManyPolls { .. } => NETWORK,
        WaitErrorKind::FailureMatched => WAIT_FAILED,
        WaitErrorKind::InvalidPolicy(_) => USAGE,
        WaitErrorKind::ErrorNotRetried => {
            eprintln!(
                "ccc: stopped waiting: poll {} failed, and polling again would not help",
                e.polls()
            );
            return match e.into_last() {
                Some(Err(last)) => crate::run::report(
                    &p.globals,
                    &last.map_service_error(|s| s.service_error().clone()),
                ),
                _ => NETWORK,
            };
        }
        _ => NETWORK,
    };
    eprintln!("ccc: {e}");
    if let Some(out) = e.last_output() {
        eprintln!("ccc: {}", shown(waiter, p, out));
        eprintln!("ccc: the last answer: {}", out.to_json());
    }
    code
}

/// What an answer showed of what was waited for.
fn shown(waiter: &Waiter, p: &Prepared, out: &PollUserStatusOutput) -> String {
    let data = out.data();
    match waiter.kind {
        Kind::Agent => {
            let state = data
                .and_then(|d| d.user_context())
                .and_then(|u| u.user_state())
                .map_or("no state", |s| s.as_str());
            format!(
                "the last answer showed {} in state {state}, not {}",
                p.user, p.state
            )
        }
        Kind::Call => {
            let job = p.job.as_deref().unwrap_or_default();
            let call = data
                .and_then(|d| d.call_context())
                .filter(|c| c.job_id() == Some(job));
            match call {
                None => format!(
                    "the last answer showed {} in no call {job} (it ended, or the agent left it)",
                    p.user
                ),
                Some(call) => {
                    let states: Vec<&str> = call
                        .channel_contexts()
                        .iter()
                        .map(|c| c.channel_state().map_or("no state", |s| s.as_str()))
                        .collect();
                    format!(
                        "the last answer showed the channels of call {job} in [{}], not all {}",
                        states.join(", "),
                        p.state
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_command_is_well_formed_and_lists_its_waiters() {
        let mut cmd = command();
        cmd.clone().debug_assert();
        let help = cmd.render_long_help().to_string();
        for w in &WAITERS {
            assert!(help.contains(w.command), "{help}");
        }
        assert!(help.contains("4 the wait timed out"), "{help}");
    }

    #[test]
    fn a_wait_takes_only_the_global_flags_that_mean_something_to_it() {
        let names: Vec<String> = args::global_args()
            .iter()
            .map(|a| a.get_id().to_string())
            .collect();
        for g in GLOBALS {
            assert!(names.iter().any(|n| n == g), "{g}");
        }
        let cmd = waiter_command(&WAITERS[0]);
        assert!(cmd.get_arguments().any(|a| a.get_id() == "endpoint"));
        assert!(!cmd.get_arguments().any(|a| a.get_id() == "dry-run"));
    }
}
