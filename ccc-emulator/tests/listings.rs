//! Listings of the actions the world does not model: rows made from the example's first item,
//! served page by page by number or by token, in JSON and XML.

mod common;

use std::collections::HashSet;

use ccc_emulator::{DEFAULT_LISTING_ROWS, Emulator, RunningEmulator, SEED_INSTANCE};
use ccc_spec::rules::{PageStyle, pagination};
use common::{V1, V3, on_loopback, send_raw};
use serde_json::Value;

async fn page(emu: &RunningEmulator, req: V3) -> Value {
    let answer = send_raw(emu.addr(), &req.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    answer.json()
}

fn audio_files(number: &str, size: &str) -> V3 {
    V3::new("ListAudioFiles")
        .param("InstanceId", SEED_INSTANCE)
        .param("PageNumber", number)
        .param("PageSize", size)
}

fn ids(list: &Value, field: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|row| row[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_by_number_from_the_first_to_past_the_last() {
    let emu = on_loopback(&Emulator::default()).await;
    assert_eq!(emu.emulator().listing_rows(), DEFAULT_LISTING_ROWS);
    assert_eq!(DEFAULT_LISTING_ROWS, 150);

    let first = page(&emu, audio_files("1", "100")).await;
    assert_ne!(first["RequestId"], "BA03159C-E808-4FF1-B27E-A61B6E888D7F");
    assert_eq!(first["Code"], "OK");
    let data = &first["Data"];
    assert_eq!(data["TotalCount"], 150);
    assert_eq!(data["PageNumber"], 1);
    assert_eq!(data["PageSize"], 100);
    let rows = data["List"].as_array().unwrap();
    assert_eq!(rows.len(), 100);
    // Each row is the example's item, its id numbered from 1; the rest is the example's.
    let example = rows[0]["AudioResourceId"].as_str().unwrap();
    assert!(example.ends_with("-1"), "{example}");
    let stem = example.strip_suffix("-1").unwrap();
    let first_ids = ids(&data["List"], "AudioResourceId");
    let expected: Vec<String> = (1..=100).map(|n| format!("{stem}-{n}")).collect();
    assert_eq!(first_ids, expected);
    for row in rows {
        assert_eq!(row["AudioFileName"], "test-file.wav");
        assert_eq!(row["InstanceId"], "ccc-test");
    }

    let last = page(&emu, audio_files("2", "100")).await;
    let data = &last["Data"];
    assert_eq!(
        (&data["TotalCount"], &data["PageNumber"]),
        (&Value::from(150), &Value::from(2))
    );
    let expected: Vec<String> = (101..=150).map(|n| format!("{stem}-{n}")).collect();
    assert_eq!(ids(&data["List"], "AudioResourceId"), expected);

    // Past the end: an empty page that still counts every row.
    let past = page(&emu, audio_files("3", "100")).await;
    assert_eq!(past["Data"]["List"], Value::Array(Vec::new()));
    assert_eq!(past["Data"]["TotalCount"], 150);
    let far = page(&emu, audio_files("2147483647", "1000")).await;
    assert_eq!(far["Data"]["List"], Value::Array(Vec::new()));

    // Pages of 7: the ids run on from page to page.
    let third = page(&emu, audio_files("3", "7")).await;
    let expected: Vec<String> = (15..=21).map(|n| format!("{stem}-{n}")).collect();
    assert_eq!(ids(&third["Data"]["List"], "AudioResourceId"), expected);
}

#[tokio::test]
async fn page_sizes_are_bounded_and_default_to_the_example() {
    let emulator = Emulator::builder().listing_rows(5000).build();
    let emu = on_loopback(&emulator).await;
    // Asked for more than the cap, a page holds the cap and says so.
    let big = page(&emu, audio_files("1", "100000")).await;
    assert_eq!(big["Data"]["List"].as_array().unwrap().len(), 1000);
    assert_eq!(big["Data"]["PageSize"], 1000);
    assert_eq!(big["Data"]["TotalCount"], 5000);
    // Without a size (where the action takes none), the example's: 10 here.
    let summary = page(
        &emu,
        V3::new("ListAgentSummaryReportsSinceMidnight").param("InstanceId", SEED_INSTANCE),
    )
    .await;
    let paged = &summary["PagedAgentSummaryReport"];
    assert_eq!(paged["List"].as_array().unwrap().len(), 10);
    assert_eq!(
        (&paged["PageSize"], &paged["PageNumber"]),
        (&10.into(), &1.into())
    );
    // The agent id is numbered before its domain.
    assert_eq!(paged["List"][2]["AgentId"], "agent-3@ccc-test");

    for (number, size, name) in [("0", "10", "PageNumber"), ("1", "0", "PageSize")] {
        let answer = send_raw(emu.addr(), &audio_files(number, size).build(emu.addr())).await;
        let body = answer.expect_error(400, "Parameter.Minimum");
        assert!(body["Message"].as_str().unwrap().contains(name), "{body}");
    }
}

#[tokio::test]
async fn tokens_lead_through_the_listing_and_unknown_ones_are_refused() {
    let emu = on_loopback(&Emulator::default()).await;
    let messages = |token: Option<&str>| {
        let req = V3::new("ListGroupChatMessages").param("PageSize", "60");
        match token {
            Some(t) => req.param("NextPageToken", t),
            None => req,
        }
    };
    let mut seen = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let body = page(&emu, messages(token.as_deref())).await;
        pages += 1;
        let data = &body["Data"];
        seen.extend(ids(&data["Messages"], "JobId"));
        match data["NextPageToken"].as_str() {
            Some(next) => token = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "the tokens go round");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 150);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 150);

    for bad in ["rows-0", "rows-96", "nonsense", "rows-ffffffffffffffffff"] {
        let answer = send_raw(emu.addr(), &messages(Some(bad)).build(emu.addr())).await;
        let body = answer.expect_error(400, "InvalidParameter");
        assert!(
            body["Message"].as_str().unwrap().contains("NextPageToken"),
            "{body}"
        );
    }

    // Documents are maps with no example: identical rows, counted all the same.
    let docs = page(
        &emu,
        V3::new("ListDocuments")
            .param("InstanceId", SEED_INSTANCE)
            .param("SchemaId", "profile")
            .param("PageSize", "100"),
    )
    .await;
    let data = &docs["Data"];
    assert_eq!(data["Documents"].as_array().unwrap().len(), 100);
    assert_eq!(data["TotalCount"], 150);
    assert_eq!(data["Schema"]["Id"], "profile");
    assert!(data["NextPageToken"].is_string());
}

#[tokio::test]
async fn listings_are_written_in_xml_too() {
    let emu = on_loopback(&Emulator::builder().listing_rows(12).build()).await;
    let req = V1::new("ListAudioFiles")
        .set("Format", "XML")
        .param("InstanceId", SEED_INSTANCE)
        .param("PageNumber", "2")
        .param("PageSize", "5");
    let answer = send_raw(emu.addr(), &req.build(emu.addr())).await;
    assert_eq!(answer.status, Some(200), "{}", answer.text());
    let text = answer.text();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(text.contains("<TotalCount>12</TotalCount>"), "{text}");
    assert!(text.contains("<PageNumber>2</PageNumber>"), "{text}");
    assert!(text.contains("<PageSize>5</PageSize>"), "{text}");
    assert_eq!(text.matches("<List>").count(), 5, "{text}");
    assert!(text.contains("-6</AudioResourceId>"), "{text}");
    assert!(text.contains("-10</AudioResourceId>"), "{text}");
    assert!(!text.contains("-11</AudioResourceId>"), "{text}");

    let by_token = |token: Option<&str>| {
        let req = V1::new("ListVisitorChatMessages")
            .set("Format", "XML")
            .param("PageSize", "10");
        match token {
            Some(t) => req.param("NextPageToken", t),
            None => req,
        }
    };
    let first = send_raw(emu.addr(), &by_token(None).build(emu.addr()))
        .await
        .text();
    assert_eq!(first.matches("<Messages>").count(), 10, "{first}");
    let token = first
        .split("<NextPageToken>")
        .nth(1)
        .and_then(|rest| rest.split("</NextPageToken>").next())
        .unwrap_or_else(|| panic!("no token in {first}"));
    let last = send_raw(emu.addr(), &by_token(Some(token)).build(emu.addr()))
        .await
        .text();
    assert_eq!(last.matches("<Messages>").count(), 2, "{last}");
    assert!(!last.contains("<NextPageToken>"), "{last}");
}

#[tokio::test]
async fn an_empty_listing_is_one_empty_page() {
    let emu = on_loopback(&Emulator::builder().listing_rows(0).build()).await;
    let body = page(&emu, audio_files("1", "100")).await;
    assert_eq!(body["Data"]["List"], Value::Array(Vec::new()));
    assert_eq!(body["Data"]["TotalCount"], 0);
}

/// Every unmodelled action that pages answers a listing: a full first page of distinct rows
/// (except documents, maps with no example to number), then the rest.
#[tokio::test]
async fn every_unmodelled_listing_pages() {
    let spec = ccc_emulator::embedded_spec().unwrap();
    let emulator = Emulator::builder().listing_rows(130).build();
    let modelled = emulator.modelled_actions();
    let emu = on_loopback(&emulator).await;
    let mut checked = 0;
    for action in &spec.actions {
        let Some(paging) = pagination(action) else {
            continue;
        };
        if modelled.contains(&action.name.as_str()) {
            continue;
        }
        let mut rows = Vec::new();
        let mut token: Option<String> = None;
        for number in 1..=2 {
            let mut req = V3::new(&action.name).param("PageSize", "100");
            for p in action.parameters.iter().filter(|p| p.required) {
                let value = match (p.name.as_str(), &p.ty) {
                    ("PageSize" | "PageNumber", _) => continue,
                    ("InstanceId", _) => SEED_INSTANCE.to_owned(),
                    ("UserId", _) => ccc_emulator::SEED_USER.to_owned(),
                    (_, ccc_spec::Type::Scalar { scalar, .. }) => match scalar {
                        ccc_spec::Scalar::Boolean => "true".to_owned(),
                        ccc_spec::Scalar::Integer | ccc_spec::Scalar::Long => "1".to_owned(),
                        _ => p.example.clone().unwrap_or_else(|| "x".to_owned()),
                    },
                    _ => panic!(
                        "{}: a required {} that is not a scalar",
                        action.name, p.name
                    ),
                };
                req = req.param(&p.name, &value);
            }
            req = match (&paging.style, &token) {
                (PageStyle::Number { .. }, _) => req.param("PageNumber", &number.to_string()),
                (PageStyle::Token { .. }, Some(t)) => req.param("NextPageToken", t),
                (PageStyle::Token { .. }, None) => req,
            };
            let body = page(&emu, req).await;
            let data = &body[&paging.page];
            let list = data[&paging.items]
                .as_array()
                .unwrap_or_else(|| panic!("{}: no list in {body}", action.name));
            assert_eq!(
                list.len(),
                if number == 1 { 100 } else { 30 },
                "{} page {number}",
                action.name
            );
            if let PageStyle::Number { total, .. } = &paging.style {
                assert_eq!(data[total], 130, "{}", action.name);
            }
            token = data["NextPageToken"].as_str().map(str::to_owned);
            rows.extend(list.iter().map(Value::to_string));
        }
        assert!(
            token.is_none(),
            "{}: a token after the last page",
            action.name
        );
        let distinct = rows.iter().collect::<HashSet<_>>().len();
        if action.name == "ListDocuments" {
            assert_eq!(distinct, 1);
        } else {
            assert_eq!(distinct, 130, "{}: rows repeat", action.name);
        }
        checked += 1;
    }
    assert_eq!(checked, 35);
}
