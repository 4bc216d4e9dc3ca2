//! One run of `ccc`: find the action, parse and check its flags, configure the SDK, call (or
//! show the request), print, and choose the exit code.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write as _;

use ccc_sdk::credentials::{ENV_PROFILE, Env};
use ccc_sdk::error::ServiceError;
use ccc_sdk::raw::{ByNumber, ByToken, RawPageStyle, RawPageStyleFacts, RawRequest};
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{Client, Config, SdkError, SignatureVersion};
use serde_json::{Map, Value};

use crate::args::{self, Format, Globals};
use crate::output::{self, Query, Rows};
use crate::table::{self, Action};

/// Success.
pub(crate) const OK: u8 = 0;
/// Usage, or a value refused before sending.
pub(crate) const USAGE: u8 = 2;
/// The service answered with an error.
pub(crate) const SERVICE: u8 = 3;
/// Network, TLS, a timeout, or an answer that could not be read.
pub(crate) const NETWORK: u8 = 4;
/// No usable credentials.
pub(crate) const CREDENTIALS: u8 = 5;

/// Runs `ccc` with these arguments (without the program name); the exit code.
pub(crate) fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<String> = match args.into_iter().map(OsString::into_string).collect() {
        Ok(args) => args,
        Err(bad) => return usage(&format!("an argument is not UTF-8: {bad:?}")),
    };
    let Some(at) = action_position(&args) else {
        return top_level(&args);
    };
    let word = args[at].as_str();
    match word {
        "completions" => {
            let rest = &args[at + 1..];
            let [shell] = rest else {
                return usage("usage: ccc completions bash|zsh|fish|powershell|elvish");
            };
            let mut out = std::io::stdout().lock();
            return match crate::complete::write(shell, &mut out) {
                Ok(()) => OK,
                Err(e) => usage(&e),
            };
        }
        "wait" => return crate::wait::main(&args[..at], &args[at + 1..]),
        "help" => {
            let topic = args.get(at + 1).map(String::as_str).unwrap_or_default();
            if let Some(action) = table::find(topic) {
                let _ = args::action_command(action).print_long_help();
                return OK;
            }
            if topic == "wait" {
                let _ = crate::wait::command().print_long_help();
                return OK;
            }
            if let Some(area) = table::AREAS.iter().find(|a| a.name == topic) {
                print!("{}", crate::help::area(area));
                return OK;
            }
            return top_level(&["--help".to_owned()]);
        }
        _ => {}
    }
    let Some(action) = table::find(word) else {
        let near = table::nearest(word, table::ACTIONS.iter().map(|a| a.command));
        let hint = match near.as_slice() {
            [] => "; `ccc --help` lists them".to_owned(),
            [one] => format!("; did you mean `{one}`?"),
            more => format!("; did you mean one of {}?", more.join(", ")),
        };
        return usage(&format!("unknown action `{word}`{hint}"));
    };
    let rest = args[..at].iter().chain(&args[at + 1..]);
    let matches = match args::action_command(action)
        .try_get_matches_from(std::iter::once(action.command.to_owned()).chain(rest.cloned()))
    {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => OK,
                _ => USAGE,
            };
        }
    };
    let globals = match args::globals(&matches) {
        Ok(g) => g,
        Err(e) => return usage(&e),
    };
    let mut flags: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for p in action.params {
        if let Some(values) = matches.get_many::<String>(p.wire) {
            flags.insert(p.wire, values.cloned().collect());
        }
    }
    match prepare(action, &globals, &flags) {
        Ok(prepared) => call(action, &globals, prepared),
        Err(e) => usage(&e),
    }
}

/// Where the action's word is: the first word that is neither a flag nor a global flag's value.
fn action_position(args: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            return (i + 1 < args.len()).then_some(i + 1);
        }
        match a.strip_prefix("--") {
            Some(name) if !name.contains('=') && args::global_takes_value(name) => i += 2,
            Some(_) => i += 1,
            None if a.starts_with('-') && a.len() > 1 => i += 1,
            None => return Some(i),
        }
    }
    None
}

/// `ccc`, `ccc --help`, `ccc --version`: no action named.
fn top_level(args: &[String]) -> u8 {
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("ccc {}", env!("CARGO_PKG_VERSION"));
        return OK;
    }
    let help = crate::help::top();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{help}");
        return OK;
    }
    let _ = write!(std::io::stderr(), "{help}");
    USAGE
}

pub(crate) fn usage(message: &str) -> u8 {
    eprintln!("ccc: {message}");
    USAGE
}

/// What is checked before anything is sent.
pub(crate) struct Prepared {
    client: Client,
    request: RawRequest,
    query: Option<Query>,
}

fn prepare(
    action: &'static Action,
    g: &Globals,
    flags: &BTreeMap<&'static str, Vec<String>>,
) -> Result<Prepared, String> {
    if g.all && action.paging.is_none() {
        return Err(format!(
            "{} does not answer page by page: --all and --max-items are for listings",
            action.command
        ));
    }
    let query = g.query.as_deref().map(Query::compile).transpose()?;
    let input = g.input_json.as_deref().map(read_input).transpose()?;
    let params = crate::check::wire_params(action, flags, input.as_ref(), !g.all)?;
    if g.debug {
        install_tracing();
    }
    let client = client(g)?;
    let mut request = client.raw_request(&action.op);
    for p in params {
        request = if p.sensitive {
            request.secret_param(p.location, p.name, p.value)
        } else {
            request.param(p.location, p.name, p.value)
        };
    }
    Ok(Prepared {
        client,
        request,
        query,
    })
}

/// The object of `--input-json`: JSON text or `@file`.
fn read_input(text: &str) -> Result<Map<String, Value>, String> {
    let text = match text.trim_start().strip_prefix('@') {
        Some(path) => {
            let meta = std::fs::metadata(path)
                .map_err(|e| format!("--input-json: cannot read {path}: {e}"))?;
            if meta.len() > 4 << 20 {
                return Err(format!("--input-json: {path} is larger than 4 MiB"));
            }
            std::fs::read_to_string(path)
                .map_err(|e| format!("--input-json: cannot read {path}: {e}"))?
        }
        None => text.to_owned(),
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("--input-json: expected a JSON object of parameters by wire name".into()),
        Err(e) => Err(format!("--input-json: not valid JSON: {e}")),
    }
}

/// The SDK's configuration: the environment and the default credentials chain, then the flags.
pub(crate) fn client(g: &Globals) -> Result<Client, String> {
    let env = match &g.profile {
        Some(profile) => Env::from_vars(
            std::env::vars()
                .filter(|(k, _)| k != ENV_PROFILE)
                .chain([(ENV_PROFILE.to_owned(), profile.clone())]),
        ),
        None => Env::process(),
    };
    let mut b = Config::builder_from_env(&env).map_err(|e| e.to_string())?;
    if let Some(region) = &g.region {
        b = b.region(region);
    }
    if let Some(endpoint) = &g.endpoint {
        b = b.endpoint_url(endpoint);
    }
    if g.signature_v1 {
        b = b.signature_version(SignatureVersion::V1);
    }
    if let Some(t) = g.attempt_timeout {
        b = b.attempt_timeout(t);
    }
    if let Some(n) = g.retries {
        b = b.retry(if n == 0 {
            RetryConfig::disabled()
        } else {
            RetryConfig::standard().with_max_attempts(n + 1)
        });
    }
    let config = b.build().map_err(|e| e.to_string())?;
    Client::new(config).map_err(|e| e.to_string())
}

/// `--debug`: the SDK's spans and events on stderr. The SDK records no secret in them.
pub(crate) fn install_tracing() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let filter =
        tracing_subscriber::filter::Targets::new().with_target("ccc_sdk", tracing::Level::DEBUG);
    let subscriber = tracing_subscriber::registry().with(filter).with(
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE),
    );
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Sends (or shows) the request and prints the answer.
fn call(action: &'static Action, g: &Globals, prepared: Prepared) -> u8 {
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
    let Prepared {
        client,
        request,
        query,
    } = prepared;
    let outcome = runtime.block_on(async {
        if g.dry_run {
            return dry_run(g, &request).await;
        }
        match action.paging.as_ref().filter(|_| g.all) {
            Some(paging) => match paging.style {
                RawPageStyleFacts::Number { .. } => {
                    every_page::<ByNumber>(action, g, request, query.as_ref()).await
                }
                RawPageStyleFacts::Token { .. } => {
                    every_page::<ByToken>(action, g, request, query.as_ref()).await
                }
            },
            None => {
                let answer = request.send().await?;
                Ok(print_answer(action, g, query.as_ref(), &answer))
            }
        }
    });
    drop(client);
    match outcome {
        Ok(code) => code,
        Err(e) => report(g, &e),
    }
}

fn print_answer(action: &Action, g: &Globals, query: Option<&Query>, answer: &Value) -> u8 {
    let listing = action.paging.as_ref().map(|p| (p.page, p.items));
    print_value(g, query, answer, listing)
}

/// Prints `answer` (through `--query` when given) as `--output` says; `listing` names the page
/// object and the list inside it, whose items are a table's rows when no query reshapes it.
pub(crate) fn print_value(
    g: &Globals,
    query: Option<&Query>,
    answer: &Value,
    listing: Option<(&str, &str)>,
) -> u8 {
    let shown = match query.map(|q| q.apply(answer)).transpose() {
        Ok(v) => v,
        Err(e) => {
            eprintln!("ccc: {e}");
            return USAGE;
        }
    };
    let rows = Rows {
        // A query chooses its own shape; the listing's rows are only the default.
        listing: listing.filter(|_| shown.is_none()),
        columns: g.columns.as_deref(),
    };
    write_out(&output::render(
        shown.as_ref().unwrap_or(answer),
        g.format(),
        &rows,
    ))
}

fn write_out(text: &str) -> u8 {
    let mut out = std::io::stdout().lock();
    // A reader that stops early (`| head`) is not an error.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    OK
}

/// `--all`: every item of every page; JSON lines as they come, or one table at the end.
async fn every_page<S: RawPageStyle>(
    action: &'static Action,
    g: &Globals,
    request: RawRequest,
    query: Option<&Query>,
) -> Result<u8, SdkError<ServiceError>> {
    let Some(paging) = action.paging.as_ref() else {
        return Ok(USAGE);
    };
    let mut items = request.into_paginator::<S>(paging).items();
    let max = g.max_items.unwrap_or(u64::MAX);
    let mut seen = 0u64;
    let mut rows = Vec::new();
    // Text streams with the columns of the first item (or --columns).
    let mut columns: Option<Vec<String>> = g.columns.clone();
    let mut out = std::io::stdout().lock();
    while seen < max {
        let Some(item) = items.next().await else {
            break;
        };
        let item = item?;
        seen += 1;
        let item = match query.map(|q| q.apply(&item)).transpose() {
            Ok(Some(v)) => v,
            Ok(None) => item,
            Err(e) => {
                eprintln!("ccc: {e}");
                return Ok(USAGE);
            }
        };
        match g.format() {
            Format::Json => {
                let _ = writeln!(out, "{item}");
            }
            Format::Text => {
                let columns = columns
                    .get_or_insert_with(|| output::default_columns(std::slice::from_ref(&item)));
                let line = output::grid(
                    std::slice::from_ref(&item),
                    Format::Text,
                    Some(columns.as_slice()).filter(|c| !c.is_empty()),
                );
                let _ = out.write_all(line.as_bytes());
            }
            Format::Table if rows.len() < MAX_TABLE_ROWS => rows.push(item),
            Format::Table => {
                eprintln!(
                    "ccc: a table holds at most {MAX_TABLE_ROWS} rows; --output text or json streams any number"
                );
                break;
            }
        }
    }
    if g.format() == Format::Table {
        let text = output::grid(&rows, Format::Table, g.columns.as_deref());
        let _ = out.write_all(text.as_bytes());
    }
    let _ = out.flush();
    Ok(OK)
}

/// The most rows `--all --output table` gathers (it must see them all to align the columns).
const MAX_TABLE_ROWS: usize = 100_000;

async fn dry_run(g: &Globals, request: &RawRequest) -> Result<u8, SdkError<ServiceError>> {
    let shown = request.dry_run().await?;
    let text = match g.format() {
        Format::Json => {
            let headers: Map<String, Value> = shown
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let v = serde_json::json!({
                "Method": shown.method,
                "Url": shown.url,
                "Headers": headers,
                "Body": shown.body,
            });
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        Format::Table | Format::Text => {
            let mut s = format!("{} {}\n", shown.method, shown.url);
            for (k, v) in &shown.headers {
                s.push_str(&format!("{k}: {v}\n"));
            }
            if !shown.body.is_empty() {
                s.push('\n');
                s.push_str(&shown.body);
                s.push('\n');
            }
            s
        }
    };
    Ok(write_out(&text))
}

/// The exit code of a failed call, and its report on stderr: the service's code, message and
/// request id (as JSON with `--output json`), or what went wrong before an answer.
pub(crate) fn report(g: &Globals, e: &SdkError<ServiceError>) -> u8 {
    let code = exit_code(e);
    match e {
        SdkError::Service(s) if g.format() == Format::Json => {
            let v = serde_json::json!({
                "Code": s.code(),
                "Message": s.message(),
                "RequestId": s.request_id(),
                "HttpStatus": s.http_status(),
                "Recommend": s.recommend(),
            });
            eprintln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        SdkError::Service(s) => eprintln!(
            "ccc: {}: {} (HTTP {}, request id {})",
            s.code(),
            s.message(),
            s.http_status(),
            s.request_id().unwrap_or("none")
        ),
        other => eprintln!("ccc: {other}"),
    }
    code
}

/// 3 for the service's error, 4 for the network (or an answer that cannot be read), 5 for
/// credentials, 2 for an input the SDK refused.
pub(crate) fn exit_code(e: &SdkError<ServiceError>) -> u8 {
    match e {
        SdkError::Service(_) => SERVICE,
        SdkError::Credentials(_) => CREDENTIALS,
        SdkError::Build(_) => USAGE,
        _ => NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_action_is_the_first_word_that_is_no_global_value() {
        assert_eq!(
            action_position(&words("list-users --instance-id x")),
            Some(0)
        );
        assert_eq!(
            action_position(&words("--region cn-shanghai --debug list-users")),
            Some(3)
        );
        assert_eq!(
            action_position(&words("--output=table list-users")),
            Some(1)
        );
        assert_eq!(action_position(&words("--help")), None);
    }

    #[test]
    fn exit_codes_by_kind_of_failure() {
        let creds = SdkError::<ServiceError>::Credentials(
            ccc_sdk::credentials::CredentialsError::new("none"),
        );
        assert_eq!(exit_code(&creds), CREDENTIALS);
    }
}
