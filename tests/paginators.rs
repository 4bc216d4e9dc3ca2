//! Paginators against the emulator's real paging (a contact centre of 1,000 users), and against
//! a canned loopback server for paging by token and for a server that lies about its pages.
//! Every test is bounded by a tokio timeout.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ccc_emulator::{Emulator, Fault, RunningEmulator, Scenario};
use ccc_sdk::error::TimeoutKind;
use ccc_sdk::paginator::Stream;
use ccc_sdk::retry::RetryConfig;
use ccc_sdk::{CallOptions, Client, Config, Credentials, SdkError};
use ccc_tests::{client, client_with, config};

const BIG: &str = "ccc-big";
const USERS: usize = 1000;

/// Fails the test instead of hanging it.
async fn bounded<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the test finishes in time")
}

/// An emulator whose instance `ccc-big` has 1,000 users.
async fn big_centre() -> RunningEmulator {
    let users: Vec<_> = (0..USERS)
        .map(|i| {
            serde_json::json!({
                "user_id": format!("agent-{i:04}@{BIG}"),
                "extension": format!("{}", 80_000_000 + i),
                "display_name": format!("Agent {i}"),
            })
        })
        .collect();
    let scenario = serde_json::json!({
        "instances": [{ "id": BIG, "users": users }]
    });
    Emulator::builder()
        .access_key("testid", "testsecret")
        .scenario(Scenario::from_json(&scenario.to_string()).expect("scenario"))
        .build()
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("the emulator starts")
}

#[tokio::test]
async fn every_user_is_read_once_and_none_twice() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut users = c
            .list_users()
            .instance_id(BIG)
            .into_paginator()
            .page_size(100)
            .items();
        let mut seen = HashSet::new();
        while let Some(user) = users.next().await {
            let id = user.unwrap().user_id.expect("a user id");
            assert!(seen.insert(id.clone()), "{id} read twice");
        }
        assert_eq!(seen.len(), USERS);
        // The tenth page brings the count to `TotalCount`: no eleventh request.
        assert_eq!(users.pages_received(), 10);
        assert_eq!(emu.requests("ListUsers"), 10);
        assert!(users.next().await.is_none());
        assert_eq!(emu.requests("ListUsers"), 10);
    })
    .await;
}

#[tokio::test]
async fn pages_are_as_large_as_asked_and_numbered_in_order() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .into_paginator()
            .page_size(7);
        let (mut numbers, mut ids) = (Vec::new(), Vec::new());
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            let data = page.data().unwrap();
            // The emulator says back the page size it was sent.
            assert_eq!(data.page_size(), Some(7));
            assert!(data.list().len() <= 7);
            numbers.push(data.page_number().unwrap());
            ids.extend(data.list().iter().map(|u| u.user_id().unwrap().to_owned()));
        }
        // 1,000 = 142 × 7 + 6.
        assert_eq!(numbers, (1..=143).collect::<Vec<i32>>());
        assert_eq!(ids.len(), USERS);
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), USERS);
        assert_eq!(emu.requests("ListUsers"), 143);

        // The page size of the builder, when the paginator sets none; and its page number, where
        // it starts.
        emu.emulator().reset_request_counts();
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .page_number(9)
            .page_size(100)
            .into_paginator();
        let mut numbers = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            numbers.push(page.data().unwrap().page_number().unwrap());
            assert_eq!(page.data().unwrap().page_size(), Some(100));
        }
        // Pages 9 and 10, then the empty page 11 ends it.
        assert_eq!(numbers, [9, 10, 11]);
    })
    .await;
}

/// The paginator drives the same `Stream` any combinator library would.
#[tokio::test]
async fn the_paginator_is_a_stream() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut items = c
            .list_users()
            .instance_id(BIG)
            .into_paginator()
            .page_size(100)
            .items();
        let mut count = 0;
        while let Some(item) = std::future::poll_fn(|cx| Pin::new(&mut items).poll_next(cx)).await {
            item.unwrap();
            count += 1;
        }
        assert_eq!(count, USERS);
        assert_eq!(items.size_hint(), (0, Some(0)));
    })
    .await;
}

#[tokio::test]
async fn an_empty_listing_is_one_empty_page() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .search_pattern("nobody-by-this-name")
            .into_paginator()
            .page_size(50);
        let page = pages.next().await.unwrap().unwrap();
        assert!(page.data().unwrap().list().is_empty());
        assert_eq!(page.data().unwrap().total_count(), Some(0));
        assert!(pages.next().await.is_none());
        assert!(pages.is_done());
        assert_eq!(emu.requests("ListUsers"), 1);

        let none = c
            .list_users()
            .instance_id(BIG)
            .search_pattern("nobody-by-this-name")
            .into_paginator()
            .page_size(50)
            .items()
            .collect_at_most(10)
            .await
            .unwrap();
        assert!(none.is_empty());
    })
    .await;
}

#[tokio::test]
async fn collect_at_most_reads_only_the_pages_it_needs() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let first = c
            .list_users()
            .instance_id(BIG)
            .into_paginator()
            .page_size(100)
            .items()
            .collect_at_most(250)
            .await
            .unwrap();
        assert_eq!(first.len(), 250);
        assert_eq!(emu.requests("ListUsers"), 3);
    })
    .await;
}

/// A listing needs nothing but its own filters: with no page size set anywhere, the paginator
/// asks for the largest page the action takes (100 users), and reads every user once.
#[tokio::test]
async fn with_no_page_size_pages_are_the_largest_the_action_takes() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut users = c.list_users().instance_id(BIG).into_paginator().items();
        let mut seen = HashSet::new();
        while let Some(user) = users.next().await {
            let id = user.unwrap().user_id.expect("a user id");
            assert!(seen.insert(id.clone()), "{id} read twice");
        }
        assert_eq!(seen.len(), USERS);
        assert_eq!(users.pages_received(), 10);
        assert_eq!(emu.requests("ListUsers"), 10);
        // The plain builder still needs the size: the service requires it.
        let err = c
            .list_users()
            .instance_id(BIG)
            .page_number(1)
            .send()
            .await
            .unwrap_err();
        match err {
            SdkError::Build(e) => assert_eq!(e.parameter(), "PageSize"),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

/// The builder's `CallOptions` apply to each page, not only the first: here its retry policy,
/// where the client's would give up.
#[tokio::test]
async fn call_options_retry_every_page() {
    bounded(async {
        let emu = big_centre().await;
        let c =
            client_with(config(&emu, ccc_sdk::SignatureVersion::V3).retry(RetryConfig::disabled()));
        let retrying = CallOptions::new().retry(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        );
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .options(retrying)
            .into_paginator()
            .page_size(100);
        let mut read = 0;
        for n in 1..=10 {
            // Each page's first attempt is throttled; the options' policy tries again.
            emu.faults()
                .inject(Fault::throttling().for_action("ListUsers").times(1));
            let page = pages.next().await.unwrap().unwrap();
            assert_eq!(page.data().unwrap().page_number(), Some(n));
            read += page.data().unwrap().list().len();
        }
        assert!(pages.next().await.is_none());
        assert_eq!(read, USERS);
        assert_eq!(emu.requests("ListUsers"), 20);

        // Without the options, the client's policy (no retry) meets the first fault.
        emu.faults()
            .inject(Fault::throttling().for_action("ListUsers").times(1));
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .into_paginator()
            .page_size(100);
        let e = pages.next().await.unwrap().unwrap_err();
        assert!(e.as_service_error().is_some(), "{e:?}");
        assert!(pages.next().await.is_none());
    })
    .await;
}

/// And a timeout of the options bounds a later page: the error is yielded, then the end.
#[tokio::test]
async fn call_options_time_out_a_later_page() {
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let mut pages = c
            .list_users()
            .instance_id(BIG)
            .options(
                CallOptions::new()
                    .attempt_timeout(Duration::from_millis(200))
                    .retry(RetryConfig::disabled()),
            )
            .into_paginator()
            .page_size(100);
        assert!(pages.next().await.unwrap().is_ok());
        emu.faults()
            .inject(Fault::delay(Duration::from_secs(2)).for_action("ListUsers"));
        match pages.next().await {
            Some(Err(SdkError::Timeout(t))) => {
                assert_eq!(t.kind(), TimeoutKind::Attempt);
                assert_eq!(t.attempts(), 1);
            }
            other => panic!("{other:?}"),
        }
        assert!(pages.next().await.is_none());
        assert_eq!(pages.pages_received(), 1);
    })
    .await;
}

/// The example of the README, as it is shown there.
async fn readme_example(client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let mut users = client
        .list_users()
        .instance_id("ccc-test")
        .into_paginator()
        .page_size(100)
        .items();
    while let Some(user) = users.next().await {
        let user = user?;
        println!("{}", user.display_name().unwrap_or_default());
    }
    Ok(())
}

#[tokio::test]
async fn the_readme_example_runs() {
    bounded(async {
        let emu = ccc_tests::emulator().await;
        readme_example(&client(&emu)).await.unwrap();
        // The built-in centre's four users fit one page.
        assert_eq!(emu.requests("ListUsers"), 1);
    })
    .await;
}

/// Paginators can move to another task.
#[tokio::test]
async fn paginators_are_send() {
    fn send<T: Send + 'static>(t: T) -> T {
        t
    }
    bounded(async {
        let emu = big_centre().await;
        let c = client(&emu);
        let items = send(
            c.list_users()
                .instance_id(BIG)
                .into_paginator()
                .page_size(100)
                .items(),
        );
        let all = tokio::spawn(items.collect_at_most(usize::MAX))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(all.len(), USERS);
        let by_token = send(c.list_group_chat_messages().into_paginator());
        assert!(!by_token.is_done());
    })
    .await;
}

// A canned server: answers each request with a JSON body chosen from its parameters.

type Params = HashMap<String, String>;

struct Canned {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Params>>>,
}

impl Canned {
    /// Serves on loopback until the test ends; `answer` gives the `Data` of each response.
    fn start(answer: impl Fn(&Params) -> serde_json::Value + Send + Sync + 'static) -> Canned {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let answer = Arc::new(answer);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let Some(params) = read_params(&mut stream) else {
                    continue;
                };
                let body = serde_json::json!({
                    "RequestId": "canned",
                    "Code": "OK",
                    "HttpStatusCode": 200,
                    "Data": answer(&params),
                })
                .to_string();
                log.lock().unwrap().push(params);
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Canned { addr, requests }
    }

    fn client(&self) -> Client {
        let config = Config::builder()
            .endpoint_url(format!("http://{}", self.addr))
            .credentials(Credentials::new("testid", "testsecret"))
            .retry(RetryConfig::disabled())
            .build()
            .expect("config");
        Client::new(config).expect("client")
    }

    fn requests(&self) -> Vec<Params> {
        self.requests.lock().unwrap().clone()
    }
}

/// The parameters of one request: its query string and form body.
fn read_params(stream: &mut std::net::TcpStream) -> Option<Params> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let target = line.split(' ').nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let query = target.split_once('?').map_or("", |(_, q)| q).to_owned();
    let body = String::from_utf8(body).ok()?;
    Some(
        query
            .split('&')
            .chain(body.split('&'))
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect(),
    )
}

/// Percent-decoding of a form value.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
                continue;
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn messages(ids: &[&str], next: Option<&str>) -> serde_json::Value {
    let list: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({ "JobId": id, "Content": format!("message {id}") }))
        .collect();
    serde_json::json!({ "Messages": list, "NextPageToken": next })
}

#[tokio::test]
async fn tokens_lead_from_page_to_page() {
    bounded(async {
        let server = Canned::start(|p| match p.get("NextPageToken").map(String::as_str) {
            None => messages(&["m1", "m2"], Some("t/1")),
            Some("t/1") => messages(&["m3", "m4"], Some("t 2")),
            Some("t 2") => messages(&["m5"], Some("")),
            Some(other) => panic!("asked for token {other}"),
        });
        let c = server.client();
        let jobs: Vec<String> = c
            .list_group_chat_messages()
            .instance_id("ccc-test")
            .job_id("chat-1")
            .into_paginator()
            .page_size(2)
            .items()
            .collect_at_most(100)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.job_id.unwrap())
            .collect();
        assert_eq!(jobs, ["m1", "m2", "m3", "m4", "m5"]);
        let asked: Vec<(Option<String>, Option<String>, Option<String>)> = server
            .requests()
            .into_iter()
            .map(|mut p| {
                (
                    p.remove("NextPageToken"),
                    p.remove("PageSize"),
                    p.remove("JobId"),
                )
            })
            .collect();
        let some = |s: &str| Some(s.to_owned());
        assert_eq!(
            asked,
            [
                (None, some("2"), some("chat-1")),
                (some("t/1"), some("2"), some("chat-1")),
                (some("t 2"), some("2"), some("chat-1")),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_repeating_token_does_not_loop() {
    bounded(async {
        // Every page names the same next page.
        let server = Canned::start(|_| messages(&["again"], Some("same")));
        let c = server.client();
        let mut pages = c.list_visitor_chat_messages().into_paginator().page_size(1);
        let mut count = 0;
        while let Some(page) = pages.next().await {
            page.unwrap();
            count += 1;
        }
        // The first page, then the page of `same`, which names `same` again: the end.
        assert_eq!(count, 2);
        assert_eq!(server.requests().len(), 2);

        // A circle through two tokens ends too, each token used once.
        let server = Canned::start(|p| {
            let (doc, next) = match p.get("NextPageToken").map(String::as_str) {
                Some("a") => ("x", "b"),
                Some("b") => ("y", "a"),
                _ => ("w", "a"),
            };
            serde_json::json!({ "Documents": [{ "Id": doc }], "NextPageToken": next })
        });
        let c = server.client();
        let documents = c
            .list_documents()
            .instance_id("ccc-test")
            .schema_id("profile")
            .into_paginator()
            .items()
            .collect_at_most(1000)
            .await
            .unwrap();
        let ids: Vec<_> = documents
            .iter()
            .map(|d| d["Id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["w", "x", "y"]);
        let asked: Vec<_> = server
            .requests()
            .into_iter()
            .map(|mut p| p.remove("NextPageToken"))
            .collect();
        assert_eq!(asked, [None, Some("a".into()), Some("b".into())]);
    })
    .await;
}

fn users_page(number: i64, total: i64, ids: &[&str]) -> serde_json::Value {
    let list: Vec<_> = ids
        .iter()
        .map(|id| serde_json::json!({ "UserId": id }))
        .collect();
    serde_json::json!({
        "List": list, "PageNumber": number, "PageSize": 100, "TotalCount": total,
    })
}

#[tokio::test]
async fn a_total_that_lies_does_not_keep_the_paginator_going() {
    bounded(async {
        // A huge total, and nothing on any page.
        let server = Canned::start(|p| {
            let n = p["PageNumber"].parse().unwrap();
            users_page(n, i64::from(i32::MAX), &[])
        });
        let c = server.client();
        let mut pages = c
            .list_users()
            .instance_id("ccc-test")
            .into_paginator()
            .page_size(100);
        assert!(pages.next().await.unwrap().is_ok());
        assert!(pages.next().await.is_none());
        assert_eq!(server.requests().len(), 1);

        // A huge total, and page 1 whatever is asked: the repeat is not read twice.
        let server = Canned::start(|_| users_page(1, i64::from(i32::MAX), &["a@x", "b@x"]));
        let c = server.client();
        let ids: Vec<String> = c
            .list_users()
            .instance_id("ccc-test")
            .into_paginator()
            .page_size(100)
            .items()
            .collect_at_most(1000)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.user_id.unwrap())
            .collect();
        assert_eq!(ids, ["a@x", "b@x"]);
        let asked: Vec<String> = server
            .requests()
            .iter()
            .map(|p| p["PageNumber"].clone())
            .collect();
        assert_eq!(asked, ["1", "2"]);
    })
    .await;
}
