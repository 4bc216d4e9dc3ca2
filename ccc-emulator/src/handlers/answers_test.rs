//! Every modelled action's answer, written by its handler on the built-in scenario, rendered
//! against the spec's response tree: a field the tree lacks or a value of the wrong type is a
//! failure, not a silent drop.

use std::collections::BTreeSet;

use crate::catalog::{Catalog, Handler};
use crate::handlers::{Req, modelled};
use crate::respond::shape_answer;
use crate::scenario::Scenario;
use crate::world::World;

const I: &str = "ccc-test";
const ANN: &str = "agent-ann@ccc-test";
const BOB: &str = "agent-bob@ccc-test";
const SUP: &str = "supervisor@ccc-test";
const TEST: &str = "user-test@ccc-test";

/// What a step runs: an action with its parameters (`InstanceId` added), where `$job` is the
/// call of `UserId`'s agent (else Ann's), `$channel` that agent's channel in it, `$record` the
/// newest call record; or a change of the world between steps.
enum Step {
    Call(&'static str, &'static [(&'static str, &'static str)]),
    Ring(&'static str),
    Wait(i64),
}

use Step::{Call, Ring, Wait};

const SCRIPT: &[Step] = &[
    Call("PollUserStatus", &[("UserId", ANN)]),
    Call(
        "SignInGroup",
        &[
            ("UserId", ANN),
            ("DeviceId", "d-ann"),
            ("SignedSkillGroupIdList", "[\"skg-sales@ccc-test\"]"),
        ],
    ),
    Call(
        "SignInGroup",
        &[
            ("UserId", BOB),
            ("DeviceId", "d-bob"),
            ("SignedSkillGroupIdList", "[\"skg-sales@ccc-test\"]"),
        ],
    ),
    Call(
        "SignInGroup",
        &[
            ("UserId", SUP),
            ("DeviceId", "d-sup"),
            ("SignedSkillGroupIdList", "[\"skg-support@ccc-test\"]"),
        ],
    ),
    Call(
        "SignInGroup",
        &[
            ("UserId", TEST),
            ("DeviceId", "d-test"),
            ("SignedSkillGroupIdList", "[\"skg-support@ccc-test\"]"),
        ],
    ),
    Call(
        "ChangeWorkMode",
        &[("UserId", ANN), ("WorkMode", "ON_SITE")],
    ),
    Call("ReadyForService", &[("UserId", ANN)]),
    Call("ReadyForService", &[("UserId", BOB)]),
    Call("ReadyForService", &[("UserId", SUP)]),
    Call("ReadyForService", &[("UserId", TEST)]),
    Call("TakeBreak", &[("UserId", BOB), ("Code", "Lunch")]),
    Call("ReadyForService", &[("UserId", BOB)]),
    Ring(ANN),
    Call("AnswerCall", &[("UserId", ANN), ("JobId", "$job")]),
    Call(
        "HoldCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Call(
        "RetrieveCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Call(
        "MuteCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Call(
        "UnmuteCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Call(
        "SendDtmfSignaling",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
            ("Dtmf", "1"),
        ],
    ),
    Call("MonitorCall", &[("UserId", SUP), ("MonitoredUserId", ANN)]),
    Call(
        "CoachCall",
        &[("UserId", TEST), ("JobId", "$job"), ("CoachedUserId", ANN)],
    ),
    Call(
        "BargeInCall",
        &[("UserId", BOB), ("JobId", "$job"), ("BargedUserId", ANN)],
    ),
    Call(
        "ReleaseCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Wait(600_000),
    Call("ResetAgentState", &[("UserId", ANN), ("DeviceId", "d-ann")]),
    Call("ReadyForService", &[("UserId", ANN)]),
    Call("ResetAgentState", &[("UserId", BOB), ("DeviceId", "d-bob")]),
    Call("ReadyForService", &[("UserId", BOB)]),
    Call("ResetAgentState", &[("UserId", SUP), ("DeviceId", "d-sup")]),
    Call("ReadyForService", &[("UserId", SUP)]),
    Call(
        "ResetAgentState",
        &[("UserId", TEST), ("DeviceId", "d-test")],
    ),
    Call("ReadyForService", &[("UserId", TEST)]),
    Ring(ANN),
    Call("AnswerCall", &[("UserId", ANN), ("JobId", "$job")]),
    Call(
        "InterceptCall",
        &[
            ("UserId", SUP),
            ("JobId", "$job"),
            ("InterceptedUserId", ANN),
        ],
    ),
    Call(
        "ReleaseCall",
        &[
            ("UserId", SUP),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Wait(600_000),
    Call("ResetAgentState", &[("UserId", ANN), ("DeviceId", "d-ann")]),
    Call("ReadyForService", &[("UserId", ANN)]),
    Call("ResetAgentState", &[("UserId", SUP), ("DeviceId", "d-sup")]),
    Call("ReadyForService", &[("UserId", SUP)]),
    Ring(ANN),
    Call("AnswerCall", &[("UserId", ANN), ("JobId", "$job")]),
    Call(
        "InitiateAttendedTransfer",
        &[("UserId", ANN), ("JobId", "$job"), ("Transferee", BOB)],
    ),
    Call(
        "CancelAttendedTransfer",
        &[("UserId", ANN), ("JobId", "$job")],
    ),
    Call(
        "InitiateAttendedTransfer",
        &[("UserId", ANN), ("JobId", "$job"), ("Transferee", BOB)],
    ),
    Call("AnswerCall", &[("UserId", BOB), ("JobId", "$job")]),
    Call(
        "CompleteAttendedTransfer",
        &[("UserId", ANN), ("JobId", "$job")],
    ),
    Call(
        "BlindTransfer",
        &[("UserId", BOB), ("JobId", "$job"), ("Transferee", SUP)],
    ),
    Wait(600_000),
    Call("ResetAgentState", &[("UserId", ANN), ("DeviceId", "d-ann")]),
    Call("ReadyForService", &[("UserId", ANN)]),
    Call("ResetAgentState", &[("UserId", BOB), ("DeviceId", "d-bob")]),
    Call("ReadyForService", &[("UserId", BOB)]),
    Call("ResetAgentState", &[("UserId", SUP), ("DeviceId", "d-sup")]),
    Call("ReadyForService", &[("UserId", SUP)]),
    Call(
        "MakeCall",
        &[
            ("UserId", ANN),
            ("Callee", "13900000001"),
            ("DeviceId", "d-ann"),
        ],
    ),
    Wait(30_000),
    Call(
        "ReleaseCall",
        &[
            ("UserId", ANN),
            ("JobId", "$job"),
            ("ChannelId", "$channel"),
        ],
    ),
    Wait(600_000),
    Call("SignOutGroup", &[("UserId", TEST)]),
    Call(
        "ListRealtimeAgentStates",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call("ListAgentStateLogs", &[("AgentId", ANN)]),
    Call(
        "ListCallDetailRecords",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call(
        "ListCallDetailRecordsV2",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call(
        "ListRecentCallDetailRecords",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call("GetCallDetailRecord", &[("ContactId", "$record")]),
    Call(
        "ListHistoricalAgentReport",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call("GetInstance", &[]),
    Call("ListInstances", &[("PageNumber", "1"), ("PageSize", "10")]),
    Call(
        "ListPhoneNumbers",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call(
        "ListSkillGroups",
        &[("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call("ListUsers", &[("PageNumber", "1"), ("PageSize", "10")]),
    Call("GetUser", &[("UserId", ANN)]),
    Call(
        "ListSkillLevelsOfUser",
        &[("UserId", ANN), ("PageNumber", "1"), ("PageSize", "10")],
    ),
    Call(
        "ListUserLevelsOfSkillGroup",
        &[
            ("SkillGroupId", "skg-sales@ccc-test"),
            ("IsMember", "true"),
            ("PageNumber", "1"),
            ("PageSize", "10"),
        ],
    ),
    Call(
        "ListPhoneNumbersOfSkillGroup",
        &[
            ("SkillGroupId", "skg-sales@ccc-test"),
            ("IsMember", "true"),
            ("PageNumber", "1"),
            ("PageSize", "10"),
        ],
    ),
    Call(
        "CreateSkillGroup",
        &[("Name", "billing"), ("DisplayName", "Billing")],
    ),
    Call(
        "ModifySkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            ("DisplayName", "Bills"),
        ],
    ),
    Call(
        "AddNumbersToSkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            ("NumberList", "02180000001"),
        ],
    ),
    Call(
        "RemovePhoneNumbersFromSkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            ("NumberList", "02180000001"),
        ],
    ),
    Call(
        "AddPhoneNumberToSkillGroups",
        &[
            ("Number", "02180000002"),
            ("SkillGroupIdList", "[\"billing@ccc-test\"]"),
        ],
    ),
    Call(
        "RemovePhoneNumberFromSkillGroups",
        &[
            ("Number", "02180000002"),
            ("SkillGroupIdList", "[\"billing@ccc-test\"]"),
        ],
    ),
    Call(
        "AddUsersToSkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            (
                "UserSkillLevelList",
                "[{\"userId\":\"agent-bob@ccc-test\",\"skillLevel\":3}]",
            ),
        ],
    ),
    Call(
        "ModifyUserLevelsOfSkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            (
                "UserLevelList",
                "[{\"userId\":\"agent-bob@ccc-test\",\"skillLevel\":4}]",
            ),
        ],
    ),
    Call(
        "AddSkillGroupsToUser",
        &[
            ("UserId", ANN),
            (
                "SkillLevelList",
                "[{\"skillGroupId\":\"billing@ccc-test\",\"skillLevel\":2}]",
            ),
        ],
    ),
    Call(
        "ModifySkillLevelsOfUser",
        &[
            ("UserId", ANN),
            (
                "SkillLevelList",
                "[{\"skillGroupId\":\"billing@ccc-test\",\"skillLevel\":5}]",
            ),
        ],
    ),
    Call(
        "RemoveSkillGroupsFromUser",
        &[
            ("UserId", ANN),
            ("SkillGroupIdList", "[\"billing@ccc-test\"]"),
        ],
    ),
    Call(
        "RemoveUsersFromSkillGroup",
        &[
            ("SkillGroupId", "billing@ccc-test"),
            ("UserIdList", "[\"agent-bob@ccc-test\"]"),
        ],
    ),
    Call(
        "CreateUser",
        &[
            ("LoginName", "carl"),
            ("DisplayName", "Carl"),
            ("Email", "carl@example.com"),
            ("RoleId", "Agent"),
            ("WorkMode", "ON_SITE"),
        ],
    ),
    Call(
        "ModifyUser",
        &[
            ("UserId", "carl@ccc-test"),
            ("WorkMode", "OFF_SITE"),
            ("Mobile", "13900000002"),
        ],
    ),
    Call("RemoveUsers", &[("UserIdList", "[\"carl@ccc-test\"]")]),
    Call("DeleteSkillGroup", &[("SkillGroupId", "billing@ccc-test")]),
];

fn resolve(world: &World, params: &[(&str, &str)]) -> Vec<(String, String)> {
    let instance = &world.instances[I];
    let user = params
        .iter()
        .find(|(k, _)| *k == "UserId")
        .map_or(ANN, |(_, v)| *v);
    let job = instance
        .users
        .get(user)
        .and_then(|u| u.agent.job_id.clone())
        .or_else(|| instance.users[ANN].agent.job_id.clone())
        .unwrap_or_default();
    let channel = instance
        .calls
        .get(&job)
        .and_then(|c| {
            c.channels
                .iter()
                .find(|ch| ch.user_id.as_deref() == Some(user))
                .or(c.channels.first())
        })
        .map(|c| c.id.clone())
        .unwrap_or_default();
    let record = instance
        .records
        .last()
        .map(|r| r.contact_id.clone())
        .unwrap_or_default();
    let mut out = vec![("InstanceId".to_owned(), I.to_owned())];
    for (k, v) in params {
        let v = match *v {
            "$job" => job.clone(),
            "$channel" => channel.clone(),
            "$record" => record.clone(),
            v => v.to_owned(),
        };
        out.push(((*k).to_owned(), v));
    }
    out
}

#[test]
fn every_modelled_answer_fits_the_spec_tree() {
    let spec = crate::embedded_spec().unwrap_or_else(|e| panic!("{e}"));
    let catalog = Catalog::new(&spec);
    let mut world = Scenario::default().world();
    let mut covered = BTreeSet::new();
    let mut problems = Vec::new();
    for step in SCRIPT {
        world.tick();
        let (action, params) = match step {
            Call(action, params) => (*action, *params),
            Ring(user) => {
                if let Err(f) = crate::handlers::ring_inbound(
                    &mut world,
                    I,
                    user,
                    "13800000000",
                    Some("skg-sales@ccc-test"),
                ) {
                    problems.push(format!("ringing {user}: {}", f.code));
                }
                continue;
            }
            Wait(ms) => {
                world.clock.advance(*ms);
                continue;
            }
        };
        let entry = catalog
            .find(action)
            .unwrap_or_else(|| panic!("{action} is not in the spec"));
        let Handler::Modelled(handler) = entry.handler else {
            panic!("{action} is not modelled");
        };
        let params = resolve(&world, params);
        match handler(&mut world, &Req { params: &params }) {
            Ok(top) => {
                covered.insert(action);
                let (_, misfits) = shape_answer(&entry.response, "rid", top);
                if !misfits.is_empty() {
                    problems.push(format!("{action}: {}", misfits.join("; ")));
                }
            }
            Err(f) => problems.push(format!("{action} {params:?}: {} {:?}", f.code, f.args)),
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    let missing: Vec<&str> = modelled()
        .into_iter()
        .filter(|a| !covered.contains(a))
        .collect();
    assert!(missing.is_empty(), "no step answers {missing:?}");
}
