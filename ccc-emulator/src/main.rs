//! `ccc-emulator`: serves the CCC API emulator on a local address until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use ccc_emulator::{DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, Emulator};

const USAGE: &str = "\
Usage: ccc-emulator [OPTIONS]

Serves a local emulator of the Alibaba Cloud Contact Center (CCC) API 2020-07-01.

Options:
  --listen ADDR                   address to listen on [default: 127.0.0.1:8080; port 0 picks one]
  --access-key-id ID              access key id accepted [default: testid]
  --access-key-secret SECRET      its secret [default: testsecret]
  --sts-access-key-id ID          also accept these STS credentials (needs the two options below)
  --sts-access-key-secret SECRET
  --security-token TOKEN
  --spec DIR                      serve the spec in DIR instead of the one built in
  -h, --help                      print this help
";

/// No `Debug`: it holds secrets.
struct Options {
    listen: SocketAddr,
    access_key_id: String,
    access_key_secret: String,
    sts: Option<(String, String, String)>,
    spec: Option<PathBuf>,
}

enum Command {
    Help,
    Run(Options),
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut listen = None;
    let mut access_key_id = None;
    let mut access_key_secret = None;
    let (mut sts_id, mut sts_secret, mut sts_token) = (None, None, None);
    let mut spec = None;
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
        let slot = match flag.as_str() {
            "--listen" => &mut listen,
            "--access-key-id" => &mut access_key_id,
            "--access-key-secret" => &mut access_key_secret,
            "--sts-access-key-id" => &mut sts_id,
            "--sts-access-key-secret" => &mut sts_secret,
            "--security-token" => &mut sts_token,
            "--spec" => &mut spec,
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
    Ok(Command::Run(Options {
        listen,
        access_key_id: access_key_id.unwrap_or_else(|| DEFAULT_ACCESS_KEY_ID.to_owned()),
        access_key_secret: access_key_secret
            .unwrap_or_else(|| DEFAULT_ACCESS_KEY_SECRET.to_owned()),
        sts,
        spec: spec.map(PathBuf::from),
    }))
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
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
    runtime.block_on(run(options))
}

async fn run(options: Options) -> ExitCode {
    let mut builder =
        Emulator::builder().access_key(options.access_key_id, options.access_key_secret);
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
    let emulator = builder.build();
    let running = match emulator.start(options.listen).await {
        Ok(running) => running,
        Err(e) => {
            eprintln!("ccc-emulator: cannot listen on {}: {e}", options.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("ccc-emulator listening on {}", running.endpoint());
    if let Err(e) = stop_signal().await {
        eprintln!("ccc-emulator: cannot wait for signals: {e}");
    }
    running.shutdown().await;
    println!("ccc-emulator stopped");
    ExitCode::SUCCESS
}

/// Resolves on Ctrl-C, or SIGTERM where there is one.
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
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
        assert!(matches!(parse(&["--help"]), Ok(Command::Help)));
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
    }
}
