//! Paginators against the emulator's real paging (a contact centre of 1,000 users; every one of
//! the SDK's paginators over listings longer than a page), and against a canned loopback server
//! for paging by token and for a server that lies about its pages.
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

// Every paginator of the SDK, with no page size set, over listings longer than one page of 100.

/// The instance every listing below reads.
const PAGES: &str = "ccc-pages";
/// Its users; each is also in skill group [`GROUP`] and rung once, so there are as many records.
const PAGE_USERS: usize = 150;
/// Its skill groups; user [`MEMBER`] is in every one.
const PAGE_GROUPS: usize = 120;
/// Its numbers, every one in [`GROUP`].
const PAGE_NUMBERS: usize = 130;
/// Instances besides [`PAGES`].
const OTHER_INSTANCES: usize = 110;
const GROUP: &str = "g-000@ccc-pages";
const MEMBER: &str = "u-000@ccc-pages";
/// The window of the logs that need one: the scenario's clock starts at 09:00 on 5 January 2026.
const WINDOW_START_MS: i64 = 1_767_571_200_000;
const WINDOW_END_MS: i64 = WINDOW_START_MS + 86_400_000;

/// A contact centre where every modelled listing is longer than a page of 100: users, skill
/// groups, numbers, members of one group, groups of one user, instances, and (after
/// [`ring_everyone`]) call records.
fn many_of_everything() -> Scenario {
    let groups: Vec<_> = (0..PAGE_GROUPS)
        .map(|i| serde_json::json!({ "id": format!("g-{i:03}@{PAGES}") }))
        .collect();
    let every_group: serde_json::Map<String, serde_json::Value> = (0..PAGE_GROUPS)
        .map(|i| (format!("g-{i:03}@{PAGES}"), serde_json::json!(1)))
        .collect();
    let users: Vec<_> = (0..PAGE_USERS)
        .map(|i| {
            let levels = if i == 0 {
                serde_json::Value::Object(every_group.clone())
            } else {
                serde_json::json!({ GROUP: 5 })
            };
            serde_json::json!({
                "user_id": format!("u-{i:03}@{PAGES}"),
                "extension": format!("{}", 70_000_000 + i),
                "skill_levels": levels,
            })
        })
        .collect();
    let numbers: Vec<_> = (0..PAGE_NUMBERS)
        .map(|i| {
            serde_json::json!({
                "number": format!("0571{:08}", i),
                "skill_groups": [GROUP],
            })
        })
        .collect();
    let mut instances = vec![serde_json::json!({
        "id": PAGES,
        "skill_groups": groups,
        "users": users,
        "numbers": numbers,
    })];
    instances.extend(
        (0..OTHER_INSTANCES).map(|i| serde_json::json!({ "id": format!("ccc-other-{i:03}") })),
    );
    let scenario = serde_json::json!({
        "clock": { "start": "2026-01-05T09:00:00Z", "frozen": true },
        "instances": instances,
    });
    Scenario::from_json(&scenario.to_string()).expect("scenario")
}

/// Rings every agent once and lets each call go unanswered: one record per agent.
fn ring_everyone(emu: &RunningEmulator) {
    let state = emu.state();
    for i in 0..PAGE_USERS {
        let user = format!("u-{i:03}@{PAGES}");
        assert!(state.set_agent_state(PAGES, &user, ccc_emulator::UserState::Ready));
        state
            .ring_agent(PAGES, &user, &format!("1390000{i:04}"), None)
            .expect("the agent rings");
    }
    state.advance_clock(Duration::from_secs(60));
}

/// What one paginator read: its items, how many of them differ, and the pages it asked for.
#[derive(Debug)]
struct Drained {
    items: usize,
    distinct: usize,
    pages: u64,
}

/// Reads every item of `items` (at most 10,000).
async fn read_all<Op>(mut items: ccc_sdk::paginator::Items<Op>) -> Result<Drained, String>
where
    Op: ccc_sdk::paginator::Paginate,
    Op::Item: std::fmt::Debug,
    Op::Error: std::fmt::Debug,
{
    let mut seen = Vec::new();
    while let Some(item) = items.next().await {
        seen.push(format!("{:?}", item.map_err(|e| format!("{e:?}"))?));
        if seen.len() > 10_000 {
            return Err("more than 10,000 items".into());
        }
    }
    let distinct = seen.iter().collect::<HashSet<_>>().len();
    Ok(Drained {
        items: seen.len(),
        distinct,
        pages: items.pages_received(),
    })
}

/// One paginator per row: the action's wire name, the builder with the filters the action
/// requires (and no page size), and how many rows the emulator holds for it. Each is read on a
/// task of its own, all at once.
macro_rules! every_listing {
    ($client:expr;
     $( $action:literal: $method:ident $(. $setter:ident ( $($arg:expr),* ))* => $rows:expr ),*
     $(,)?) => {
        vec![ $( {
            let request = $client.$method() $(.$setter($($arg),*))*;
            let rows: usize = $rows;
            ($action, rows, tokio::spawn(read_all(request.into_paginator().items())))
        } ),* ]
    };
}

// Deprecated actions page too.
#[allow(deprecated)]
#[tokio::test]
async fn every_paginator_reads_every_row_without_a_page_size() {
    bounded(async {
        let emu = Emulator::builder()
            .access_key("testid", "testsecret")
            .scenario(many_of_everything())
            .build()
            .start("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("the emulator starts");
        ring_everyone(&emu);
        let c = client(&emu);
        // Each unmodelled listing: the emulator's rows, copies of the example's item.
        let rows = emu.emulator().listing_rows();
        assert!(rows > 100);
        let instances = OTHER_INSTANCES + 1;
        let (users, groups, numbers) = (PAGE_USERS, PAGE_GROUPS, PAGE_NUMBERS);
        let reads = every_listing![c;
            "ListAgentStates": list_agent_states.instance_id(PAGES) => rows,
            "ListAgentSummaryReportsSinceMidnight":
                list_agent_summary_reports_since_midnight.instance_id(PAGES) => rows,
            "ListAttempts": list_attempts.instance_id(PAGES)
                .campaign_id("campaign").case_id("case") => rows,
            "ListAudioFiles": list_audio_files.instance_id(PAGES) => rows,
            "ListBriefSkillGroups": list_brief_skill_groups.instance_id(PAGES) => rows,
            "ListCallDetailRecords": list_call_detail_records.instance_id(PAGES) => users,
            "ListCallDetailRecordsV2": list_call_detail_records_v2.instance_id(PAGES) => users,
            "ListCallTags": list_call_tags.instance_id(PAGES) => rows,
            "ListCampaigns": list_campaigns.instance_id(PAGES) => rows,
            "ListCases": list_cases.instance_id(PAGES).campaign_id("campaign") => rows,
            "ListContactFlows": list_contact_flows.instance_id(PAGES) => rows,
            "ListCustomCallTagging": list_custom_call_tagging.instance_id(PAGES) => rows,
            "ListDoNotCallNumbers": list_do_not_call_numbers.instance_id(PAGES) => rows,
            "ListDocuments": list_documents.instance_id(PAGES).schema_id("profile") => rows,
            "ListFlashSmsApplications": list_flash_sms_applications.instance_id(PAGES) => rows,
            "ListFlashSmsSettings": list_flash_sms_settings.instance_id(PAGES) => rows,
            "ListGroupChatMessages": list_group_chat_messages.instance_id(PAGES) => rows,
            "ListHistoricalAgentReport": list_historical_agent_report.instance_id(PAGES) => users,
            "ListHistoricalAgentSkillGroupReport":
                list_historical_agent_skill_group_report.instance_id(PAGES) => rows,
            "ListHistoricalSkillGroupReport":
                list_historical_skill_group_report.instance_id(PAGES) => rows,
            "ListInstances": list_instances => instances,
            "ListInstancesOfUser": list_instances_of_user => rows,
            "ListIvrTrackingDetails": list_ivr_tracking_details.instance_id(PAGES)
                .contact_id("job-1") => rows,
            "ListLegacyAgentEventLogs": list_legacy_agent_event_logs.instance_id(PAGES)
                .start_time(WINDOW_START_MS).end_time(WINDOW_END_MS) => rows,
            "ListLegacyAgentStatusLogs": list_legacy_agent_status_logs.instance_id(PAGES)
                .start_time(WINDOW_START_MS).end_time(WINDOW_END_MS) => rows,
            "ListLegacyAppraiseLogs": list_legacy_appraise_logs.instance_id(PAGES)
                .start_time(WINDOW_START_MS).end_time(WINDOW_END_MS) => rows,
            "ListLegacyQueueEventLogs": list_legacy_queue_event_logs.instance_id(PAGES)
                .start_time(WINDOW_START_MS).end_time(WINDOW_END_MS) => rows,
            "ListOutboundNumbersOfUser": list_outbound_numbers_of_user.instance_id(PAGES) => rows,
            "ListPersonalNumbersOfUser": list_personal_numbers_of_user.instance_id(PAGES)
                .is_member(true).user_id(MEMBER) => rows,
            "ListPhoneNumbers": list_phone_numbers.instance_id(PAGES) => numbers,
            "ListPhoneNumbersOfSkillGroup": list_phone_numbers_of_skill_group.instance_id(PAGES)
                .is_member(true).skill_group_id(GROUP) => numbers,
            "ListRamUsers": list_ram_users.instance_id(PAGES) => rows,
            "ListRealtimeAgentStates": list_realtime_agent_states.instance_id(PAGES) => users,
            "ListRealtimeSkillGroupStates":
                list_realtime_skill_group_states.instance_id(PAGES) => rows,
            "ListRecentCallDetailRecords":
                list_recent_call_detail_records.instance_id(PAGES) => users,
            "ListSkillGroupStates": list_skill_group_states.instance_id(PAGES) => rows,
            "ListSkillGroupSummaryReportsSinceMidnight":
                list_skill_group_summary_reports_since_midnight.instance_id(PAGES) => rows,
            "ListSkillGroups": list_skill_groups.instance_id(PAGES) => groups,
            "ListSkillLevelsOfUser": list_skill_levels_of_user.instance_id(PAGES)
                .user_id(MEMBER) => groups,
            "ListSmsMetadata": list_sms_metadata.instance_id(PAGES) => rows,
            "ListTicketTemplates": list_ticket_templates.instance_id(PAGES) => rows,
            "ListTickets": list_tickets.instance_id(PAGES) => rows,
            "ListUnassignedNumbers": list_unassigned_numbers => rows,
            "ListUserLevelsOfSkillGroup": list_user_levels_of_skill_group.instance_id(PAGES)
                .is_member(true).skill_group_id(GROUP) => users,
            "ListUsers": list_users.instance_id(PAGES) => users,
            "ListVisitorChatMessages": list_visitor_chat_messages.instance_id(PAGES) => rows,
            "ListVoicemails": list_voicemails.instance_id(PAGES) => rows,
        ];

        // The table names exactly the actions that page, by the rule the SDK is generated by.
        let spec = ccc_emulator::embedded_spec().expect("the embedded spec");
        let paging: Vec<&str> = spec
            .actions
            .iter()
            .filter(|a| ccc_spec::rules::pagination(a).is_some())
            .map(|a| a.name.as_str())
            .collect();
        let table: Vec<&str> = reads.iter().map(|(action, _, _)| *action).collect();
        assert_eq!(table, paging);
        assert_eq!(table.len(), 47);

        let mut failures = Vec::new();
        for (action, rows, read) in reads {
            let read = match read.await.expect("the task ends") {
                Ok(read) => read,
                Err(e) => {
                    failures.push(format!("{action}: {e}"));
                    continue;
                }
            };
            // Documents are maps with no example: the emulator's rows are identical copies.
            let distinct = if action == "ListDocuments" { 1 } else { rows };
            let asked = emu.requests(action);
            // Every row once, over more than one page, and no request beyond the pages.
            let whole = read.items == rows && read.distinct == distinct;
            if !whole || read.pages < 2 || asked != read.pages {
                failures.push(format!("{action}: {rows} rows, {read:?}, {asked} requests"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    })
    .await;
}
