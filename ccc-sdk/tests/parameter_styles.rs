//! Lists and structs in requests travel as the service expects for their style, through the
//! generated code: `json` style as one parameter holding JSON text, in the query or the form body.
//! (`flat` style, `Name.1.Sub`, is checked by the codec's unit tests and the generator's fixture;
//! no CCC action uses it.)

mod support;

use ccc_sdk::operation::add_cases::AddCasesCaseList as CaseList;
use ccc_sdk::types::Property;
use ccc_sdk::{Client, Config, Credentials, SignatureVersion};
use support::{Server, json, pairs};

const OK: &str = r#"{"RequestId":"R","Code":"OK","HttpStatusCode":200}"#;

fn client(server: &Server, version: SignatureVersion) -> Client {
    Client::new(
        Config::builder()
            .endpoint_url(&server.url)
            .credentials(Credentials::new("testid", "testsecret"))
            .signature_version(version)
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn a_list_of_structs_travels_as_json_text_in_the_query() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let server = Server::start(vec![json(200, OK)]).await;
        client(&server, version)
            .add_cases()
            .instance_id("ccc-test")
            .campaign_id("camp-1")
            .case_list([CaseList::default()
                .phone_number("1380000 0000")
                .reference_id("r&1")])
            // A second call appends.
            .case_list([CaseList::default().phone_number("139")])
            .send()
            .await
            .unwrap();
        let seen = &server.seen()[0];
        let list = seen.query_param("CaseList").expect("CaseList in the query");
        let parsed: serde_json::Value = serde_json::from_str(&list).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!([{"PhoneNumber": "1380000 0000", "ReferenceId": "r&1"}, {"PhoneNumber": "139"}]),
            "{version:?}"
        );
        assert!(seen.query_param("CaseList.1.PhoneNumber").is_none());
    }
}

#[tokio::test]
async fn a_struct_travels_as_json_text_in_the_form_body() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let server = Server::start(vec![json(200, OK)]).await;
        client(&server, version)
            .add_schema_property()
            .instance_id("ccc-test")
            .schema_id("s-1")
            .property(Property::default().name("level").data_type("string"))
            .send()
            .await
            .unwrap();
        let seen = &server.seen()[0];
        assert_eq!(
            seen.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        let form = pairs(&seen.body);
        let property = form
            .iter()
            .find(|(k, _)| k == "Property")
            .map(|(_, v)| v.as_str());
        let parsed: serde_json::Value =
            serde_json::from_str(property.expect("Property in the body")).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"Name": "level", "DataType": "string"}),
            "{version:?}"
        );
        assert!(
            form.iter().any(|(k, v)| k == "SchemaId" && v == "s-1"),
            "{form:?}"
        );
        assert!(seen.query_param("Property").is_none());
    }
}
