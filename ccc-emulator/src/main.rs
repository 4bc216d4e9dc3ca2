//! `ccc-emulator`: serves the CCC API emulator on a local address until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ccc_emulator::{
    DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, DEFAULT_LISTING_ROWS, Emulator, Limits,
    Scenario,
};

const USAGE: &str = "\
Usage: ccc-emulator [OPTIONS]

Serves a local emulator of the Alibaba Cloud Contact Center (CCC) API 2020-07-01.

Point any CCC SDK at it, in any language:
  endpoint     http://127.0.0.1:8080 (the --listen address), plain HTTP: in Alibaba's SDKs
               endpoint 127.0.0.1:8080 with protocol HTTP; in ccc-sdk, endpoint_url or
               CCC_ENDPOINT=http://127.0.0.1:8080
  credentials  access key id testid, secret testsecret (unless given below), e.g.
               ALIBABA_CLOUD_ACCESS_KEY_ID=testid ALIBABA_CLOUD_ACCESS_KEY_SECRET=testsecret
  region       any; V3 (ACS3-HMAC-SHA256) and V1 (HMAC-SHA1) signatures are both checked
  control API  http://127.0.0.1:8080/_emulator/, unsigned, for clients on this machine:
               `curl http://127.0.0.1:8080/_emulator/` lists it; GET /_emulator/state shows the
               contact centre, POST /_emulator/reset restores it, POST /_emulator/faults
               injects a fault

Options:
  --listen ADDR                   address to listen on [default: 127.0.0.1:8080; port 0 picks one]
  --access-key-id ID              access key id accepted [default: testid]
  --access-key-secret SECRET      its secret [default: testsecret]
  --sts-access-key-id ID          also accept these STS credentials (needs the two options below)
  --sts-access-key-secret SECRET
  --security-token TOKEN
  --spec DIR                      serve the spec in DIR instead of the one built in
  --scenario FILE                 start from this contact centre (JSON, or TOML if FILE ends in
                                  .toml) instead of the built-in one
  --listing-rows N                rows of the listing an unmodelled action that pages
                                  answers, served page by page [default: 150]
  -h, --help                      print this help

Limits (a DURATION is `250ms`, `30s` or a number of seconds):
  --idle-timeout DURATION         close an HTTP/1.1 connection idle this long [default: 120s]
  --http2-idle-timeout DURATION   close an HTTP/2 connection idle this long [default: 120s]
  --header-read-timeout DURATION  time to send a request's headers (the first request's
                                  from when the connection opens) [default: 30s]
  --body-read-timeout DURATION    time to send a request's body; then 408 [default: 30s]
  --max-connections N             connections served at once; past it the one idle longest
                                  is closed, or if none is idle the new one gets 503
                                  [default: 1024, or fewer to fit the open-file limit]
  --max-body-bytes N              largest request body; larger gets 400 [default: 8388608]
  --max-body-bytes-in-flight N    memory for all bodies being read; past it 503
                                  [default: 67108864]
";

/// No `Debug`: it holds secrets.
struct Options {
    listen: SocketAddr,
    access_key_id: String,
    access_key_secret: String,
    sts: Option<(String, String, String)>,
    spec: Option<PathBuf>,
    scenario: Option<PathBuf>,
    listing_rows: usize,
    limits: Limits,
}

/// `250ms`, `30s`, or a plain number of seconds.
fn parse_duration(flag: &str, text: &str) -> Result<Duration, String> {
    let bad = || format!("`{flag} {text}` is not a duration like 250ms or 30s");
    let (number, millis) = if let Some(n) = text.strip_suffix("ms") {
        (n, true)
    } else {
        (text.strip_suffix('s').unwrap_or(text), false)
    };
    let n: u64 = number.trim().parse().map_err(|_| bad())?;
    let duration = if millis {
        Duration::from_millis(n)
    } else {
        Duration::from_secs(n)
    };
    if duration.is_zero() {
        return Err(format!("`{flag}` must be more than zero"));
    }
    Ok(duration)
}

fn parse_count(flag: &str, text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{flag} {text}` is not a positive whole number")),
    }
}

enum Command {
    Help,
    Run(Box<Options>),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut access_key_id = None;
    let mut access_key_secret = None;
    let (mut sts_id, mut sts_secret, mut sts_token) = (None, None, None);
    let mut spec = None;
    let mut scenario = None;
    let mut listing_rows = None;
    let mut limits = Limits::for_this_process();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if flag.starts_with("--") && LIMIT_FLAGS.contains(&flag.as_str()) {
            let value = match inline {
                Some(v) => v,
                None => args
                    .next()
                    .ok_or_else(|| format!("`{flag}` needs a value"))?,
            };
            set_limit(&mut limits, &flag, &value)?;
            continue;
        }
        let slot = match flag.as_str() {
            "--listen" => &mut listen,
            "--access-key-id" => &mut access_key_id,
            "--access-key-secret" => &mut access_key_secret,
            "--sts-access-key-id" => &mut sts_id,
            "--sts-access-key-secret" => &mut sts_secret,
            "--security-token" => &mut sts_token,
            "--spec" => &mut spec,
            "--scenario" => &mut scenario,
            "--listing-rows" => &mut listing_rows,
            _ => return Err(format!("unknown argument `{arg}`")),
        };
        let value = match inline {
            Some(v) => v,
            None => args
                .next()
                .ok_or_else(|| format!("`{flag}` needs a value"))?,
        };
        *slot = Some(value);
    }
    let listen = match listen {
        Some(text) => text
            .parse()
            .map_err(|_| format!("`--listen {text}` is not an address like 127.0.0.1:8080"))?,
        None => SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let sts = match (sts_id, sts_secret, sts_token) {
        (Some(id), Some(secret), Some(token)) => Some((id, secret, token)),
        (None, None, None) => None,
        _ => {
            return Err(
                "`--sts-access-key-id`, `--sts-access-key-secret` and `--security-token` go together"
                    .to_owned(),
            );
        }
    };
    let listing_rows = match listing_rows {
        Some(text) => text
            .trim()
            .parse::<usize>()
            .map_err(|_| format!("`--listing-rows {text}` is not a whole number of rows"))?,
        None => DEFAULT_LISTING_ROWS,
    };
    Ok(Command::Run(Box::new(Options {
        listen,
        access_key_id: access_key_id.unwrap_or_else(|| DEFAULT_ACCESS_KEY_ID.to_owned()),
        access_key_secret: access_key_secret
            .unwrap_or_else(|| DEFAULT_ACCESS_KEY_SECRET.to_owned()),
        sts,
        spec: spec.map(PathBuf::from),
        scenario: scenario.map(PathBuf::from),
        listing_rows,
        limits,
    })))
}

const LIMIT_FLAGS: [&str; 7] = [
    "--idle-timeout",
    "--http2-idle-timeout",
    "--header-read-timeout",
    "--body-read-timeout",
    "--max-connections",
    "--max-body-bytes",
    "--max-body-bytes-in-flight",
];

fn set_limit(limits: &mut Limits, flag: &str, value: &str) -> Result<(), String> {
    match flag {
        "--idle-timeout" => limits.idle_timeout = parse_duration(flag, value)?,
        "--http2-idle-timeout" => limits.http2_idle_timeout = parse_duration(flag, value)?,
        "--header-read-timeout" => limits.header_read_timeout = parse_duration(flag, value)?,
        "--body-read-timeout" => limits.body_read_timeout = parse_duration(flag, value)?,
        "--max-connections" => limits.max_connections = parse_count(flag, value)?,
        "--max-body-bytes" => limits.max_body_bytes = parse_count(flag, value)?,
        "--max-body-bytes-in-flight" => {
            limits.max_body_bytes_in_flight = parse_count(flag, value)?;
        }
        _ => return Err(format!("unknown argument `{flag}`")),
    }
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            say(&help());
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(options)) => options,
        Err(message) => {
            eprintln!("ccc-emulator: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ccc-emulator: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(*options))
}

async fn run(options: Options) -> ExitCode {
    let mut builder = Emulator::builder()
        .access_key(options.access_key_id, options.access_key_secret)
        .listing_rows(options.listing_rows)
        .limits(options.limits);
    if let Some((id, secret, token)) = options.sts {
        builder = builder.sts_credentials(id, secret, token);
    }
    if let Some(dir) = &options.spec {
        match ccc_spec::load_dir(dir) {
            Ok(spec) => builder = builder.spec(spec),
            Err(errors) => {
                eprintln!(
                    "ccc-emulator: the spec in {} is invalid:\n{errors}",
                    dir.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(file) = &options.scenario {
        match Scenario::from_file(file) {
            Ok(scenario) => builder = builder.scenario(scenario),
            Err(e) => {
                eprintln!("ccc-emulator: {}: {e}", file.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let emulator = builder.build();
    let running = match emulator.start(options.listen).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("ccc-emulator: cannot listen on {}: {e}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    let signals = StopSignals::install();
    say(&format!("ccc-emulator listening on {}", running.endpoint()));
    match signals {
        Ok(mut signals) => signals.wait().await,
        Err(e) => eprintln!("ccc-emulator: cannot wait for signals: {e}"),
    }
    running.shutdown().await;
    say("ccc-emulator stopped");
    ExitCode::SUCCESS
}

/// The usage text and the actions the contact centre models.
fn help() -> String {
    let mut text = format!(
        "{USAGE}\nActions the contact centre models (the others answer from the spec's examples):\n"
    );
    let mut line = String::from(" ");
    for action in Emulator::default().modelled_actions() {
        if line.len() + action.len() > 96 {
            text.push_str(&line);
            text.push('\n');
            line = String::from(" ");
        }
        line.push(' ');
        line.push_str(action);
    }
    text.push_str(&line);
    text
}

/// Prints a status line; a closed stdout (the reader went away) is not worth a panic.
fn say(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Ctrl-C and SIGTERM, listened for from the moment this exists, so that a signal sent as soon
/// as the address is printed is not missed.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    /// Resolves on the first of them.
    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn parses_flags() {
        let Ok(Command::Run(o)) = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--access-key-id=a",
            "--access-key-secret",
            "s",
        ]) else {
            panic!("should parse");
        };
        assert_eq!(o.listen.port(), 0);
        assert_eq!(
            (o.access_key_id.as_str(), o.access_key_secret.as_str()),
            ("a", "s")
        );
        assert!(o.sts.is_none());
        assert_eq!(o.listing_rows, DEFAULT_LISTING_ROWS);
        assert_eq!(o.limits, Limits::for_this_process());
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
    }

    #[test]
    fn usage_says_how_to_point_an_sdk_at_the_defaults() {
        let defaults = parse(&[]).unwrap_or_else(|e| panic!("{e}"));
        let Command::Run(o) = defaults else {
            panic!("no flags should run");
        };
        let endpoint = format!("http://{}", o.listen);
        assert!(
            USAGE.contains(&format!("endpoint     {endpoint} ")),
            "{endpoint}"
        );
        assert!(USAGE.contains(&format!("{endpoint}/_emulator/")));
        let keys =
            format!("access key id {DEFAULT_ACCESS_KEY_ID}, secret {DEFAULT_ACCESS_KEY_SECRET} ");
        assert!(USAGE.contains(&keys), "{keys}");
        for line in USAGE.lines() {
            assert!(line.len() <= 100, "too long for a terminal: {line}");
        }
    }

    #[test]
    fn usage_names_every_flag() {
        let others = [
            "--listen",
            "--access-key-id",
            "--access-key-secret",
            "--sts-access-key-id",
            "--sts-access-key-secret",
            "--security-token",
            "--spec",
            "--scenario",
            "--listing-rows",
        ];
        for flag in LIMIT_FLAGS.iter().chain(&others) {
            assert!(USAGE.contains(flag), "{flag} missing from the usage text");
            assert!(
                !matches!(parse(&[flag]), Err(e) if e.starts_with("unknown")),
                "{flag}"
            );
        }
    }

    #[test]
    fn parses_limits() {
        let Ok(Command::Run(o)) = parse(&[
            "--idle-timeout",
            "250ms",
            "--http2-idle-timeout=3s",
            "--header-read-timeout",
            "4",
            "--body-read-timeout",
            "5s",
            "--max-connections",
            "7",
            "--max-body-bytes=1000",
            "--max-body-bytes-in-flight",
            "5000",
        ]) else {
            panic!("should parse");
        };
        let l = &o.limits;
        assert_eq!(l.idle_timeout, Duration::from_millis(250));
        assert_eq!(l.http2_idle_timeout, Duration::from_secs(3));
        assert_eq!(l.header_read_timeout, Duration::from_secs(4));
        assert_eq!(l.body_read_timeout, Duration::from_secs(5));
        assert_eq!(l.max_connections, 7);
        assert_eq!((l.max_body_bytes, l.max_body_bytes_in_flight), (1000, 5000));
        assert!(error(&["--idle-timeout", "soon"]).contains("not a duration"));
        assert!(error(&["--idle-timeout", "0s"]).contains("more than zero"));
        assert!(error(&["--max-connections", "0"]).contains("positive whole number"));
        assert!(error(&["--max-body-bytes"]).contains("needs a value"));
    }

    fn error(args: &[&str]) -> String {
        match parse(args) {
            Err(e) => e,
            Ok(_) => panic!("{args:?} should be refused"),
        }
    }

    #[test]
    fn refuses_bad_flags() {
        assert!(error(&["--bogus"]).contains("--bogus"));
        assert!(error(&["--listen"]).contains("needs a value"));
        assert!(error(&["--listen", "nope"]).contains("not an address"));
        assert!(error(&["--sts-access-key-id", "x"]).contains("go together"));
        assert!(error(&["--listing-rows", "-1"]).contains("not a whole number"));
    }

    #[test]
    fn parses_the_listing_rows() {
        for (flag, rows) in [("--listing-rows=0", 0), ("--listing-rows=2500", 2500)] {
            let Ok(Command::Run(o)) = parse(&[flag]) else {
                panic!("{flag} should parse");
            };
            assert_eq!(o.listing_rows, rows);
        }
    }
}
