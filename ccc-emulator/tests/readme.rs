//! The repository README's shell lines for the emulator as a program: the binary started with the
//! documented flags prints what the README says, accepts the documented keys with either
//! signature, and answers every `curl` line of the README's control API blocks, in order.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ccc_emulator::{DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET};

const BIN: &str = env!("CARGO_BIN_EXE_ccc-emulator");
const SECTION: &str = "### With the emulator as a program";

fn readme() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of each ```sh block of `markdown`.
fn sh_blocks(markdown: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut open: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match &mut open {
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                open = None;
            }
            Some(block) => block.push(line),
            None if line.trim() == "```sh" => open = Some(Vec::new()),
            None => {}
        }
    }
    blocks
}

/// The README from `SECTION` to the next heading of its level or above.
fn section(readme: &str) -> &str {
    let start = readme
        .find(SECTION)
        .unwrap_or_else(|| panic!("the README has no section {SECTION:?}"));
    let rest = &readme[start + SECTION.len()..];
    let end = rest
        .find("\n## ")
        .into_iter()
        .chain(rest.find("\n### "))
        .min()
        .unwrap_or(rest.len());
    &rest[..end]
}

/// A shell line's words, quotes removed, up to a `#` comment.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    assert!(quote.is_none(), "unbalanced quotes in {line:?}");
    words.extend(word);
    words
}

/// A `curl` line as method, path and body; `$E` is `e`, whose host the caller replaces.
fn curl(line: &str, e: &str) -> (String, String, String) {
    let words = words(line);
    assert_eq!(words.first().map(String::as_str), Some("curl"), "{line}");
    let (mut method, mut url, mut body) = (None, None, None);
    let mut it = words[1..].iter();
    while let Some(word) = it.next() {
        match word.as_str() {
            "-s" => {}
            "-X" => method = it.next().cloned(),
            "-d" => body = it.next().cloned(),
            other if url.is_none() => url = Some(other.replace("$E", e)),
            other => panic!("unexpected `{other}` in {line:?}"),
        }
    }
    let url = url.unwrap_or_else(|| panic!("no URL in {line:?}"));
    let path = url
        .strip_prefix("http://127.0.0.1:8080")
        .unwrap_or_else(|| panic!("{url} is not on the documented address"))
        .to_owned();
    let method = method.unwrap_or_else(|| if body.is_some() { "POST" } else { "GET" }.into());
    (method, path, body.unwrap_or_default())
}

/// The emulator process, killed if a test fails before it is stopped.
struct Running(Child);

/// Starts the binary with `args` and reads the address it prints.
fn start(args: &[String]) -> (Running, SocketAddr) {
    let mut child = Running(
        Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("ccc-emulator listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (child, addr)
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_emulator_as_a_program_works_as_the_readme_says() {
    let readme = readme();
    let blocks = sh_blocks(section(&readme));
    let install = blocks
        .iter()
        .flatten()
        .find(|l| l.starts_with("cargo install "))
        .expect("no `cargo install` line");
    assert_eq!(
        words(install),
        ["cargo", "install", env!("CARGO_PKG_NAME")],
        "{install}"
    );
    let run = blocks
        .iter()
        .flatten()
        .find(|l| l.starts_with("ccc-emulator "))
        .expect("no `ccc-emulator` line");
    let mut args = words(run);
    args.remove(0);
    assert_eq!(args, ["--listen", "127.0.0.1:8080"], "{run}");
    // The documented address, on a free port: tests run side by side.
    args[1] = "127.0.0.1:0".into();
    let printed = "\"ccc-emulator listening on http://127.0.0.1:8080\"";
    assert!(run.contains(printed), "{run}");

    // The table gives the default keys.
    let access_key = section(&readme)
        .lines()
        .find(|l| l.starts_with("| access key |"))
        .expect("no access key row");
    assert!(
        access_key.contains(&format!(
            "id `{DEFAULT_ACCESS_KEY_ID}`, secret `{DEFAULT_ACCESS_KEY_SECRET}`"
        )),
        "{access_key}"
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let signed_calls_pass = |addr: SocketAddr| {
        let v3 = common::V3::new("GetUser")
            .key(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .param("InstanceId", "ccc-test")
            .param("UserId", "agent-ann@ccc-test")
            .build(addr);
        let answer = rt.block_on(common::send_raw(addr, &v3));
        assert_eq!(answer.status, Some(200), "V3: {}", answer.text());
        let mut v1 = common::V1::new("GetUser")
            .set("AccessKeyId", DEFAULT_ACCESS_KEY_ID)
            .param("InstanceId", "ccc-test")
            .param("UserId", "agent-ann@ccc-test");
        v1.secret = DEFAULT_ACCESS_KEY_SECRET.into();
        let answer = rt.block_on(common::send_raw(addr, &v1.build(addr)));
        assert_eq!(answer.status, Some(200), "V1: {}", answer.text());
    };

    // Every block of the README that sets `E` to the control API, its curl lines in order,
    // each block against an emulator of its own, as the README's reader would start it. This
    // section's lines are a script for a test and must all succeed; elsewhere a block is a
    // reference, whose calls may find the world in another state (an agent ringing an agent
    // that is not READY gets 409), but each must be a request the control API understands.
    let own: Vec<&str> = sh_blocks(section(&readme)).into_iter().flatten().collect();
    let mut curls = 0;
    for block in sh_blocks(&readme) {
        let Some(e) = block.iter().find_map(|l| l.strip_prefix("E=")) else {
            continue;
        };
        let (_child, addr) = start(&args);
        for line in block.iter().filter(|l| l.starts_with("curl ")) {
            let (method, path, body) = curl(line, e);
            let host = vec![("host".to_owned(), addr.to_string())];
            let request = common::raw_request(&method, &path, &host, body.as_bytes());
            let answer = rt.block_on(common::send_raw(addr, &request));
            let expected: &[u16] = if own.contains(line) {
                &[200]
            } else {
                &[200, 409]
            };
            assert!(
                answer.status.is_some_and(|s| expected.contains(&s)),
                "{line}: {:?} {}",
                answer.status,
                answer.text()
            );
            assert!(answer.json().is_object(), "{line}: {}", answer.text());
            curls += 1;
        }
        // The block leaves no fault behind it: signed calls pass.
        signed_calls_pass(addr);
    }
    assert!(curls >= 4, "{curls} curl lines found");

    // Signed calls with either signature, and a clean stop on SIGTERM.
    let (mut child, addr) = start(&args);
    signed_calls_pass(addr);
    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &child.0.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "running 10 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{status:?}");
    }
}

#[test]
fn the_shell_helpers_read_what_they_are_given() {
    assert_eq!(
        words(r#"curl -s -X POST $E/faults -d '{"a": 1}'   # note"#),
        ["curl", "-s", "-X", "POST", "$E/faults", "-d", r#"{"a": 1}"#]
    );
    assert_eq!(words("x '' # y"), ["x", ""]);
    let (method, path, body) = curl(
        "curl -s $E/calls -d '{\"b\": 2}'",
        "http://127.0.0.1:8080/_emulator",
    );
    assert_eq!(
        (method.as_str(), path.as_str(), body.as_str()),
        ("POST", "/_emulator/calls", "{\"b\": 2}")
    );
    let md = "a\n```sh\none\ntwo\n```\n```rust\nno\n```\n```sh\nthree\n```\n";
    assert_eq!(sh_blocks(md), [vec!["one", "two"], vec!["three"]]);
}
