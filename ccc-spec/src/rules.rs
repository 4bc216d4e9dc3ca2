//! Rules the importers apply when they first meet an action, so that every importer decides
//! the same way; what a rule decided is then kept in the spec, where a maintainer may override it.

/// Prefixes of actions that only read: asking for them twice changes nothing.
const READ_ONLY_PREFIXES: &[&str] = &["Get", "List", "Describe", "Check", "Query", "Search"];

/// Actions that read only, although their names do not say so.
const READ_ONLY_ACTIONS: &[&str] = &["PollUserStatus", "ExportContactFlow", "PickOutboundNumbers"];

/// Whether an action is safe to repeat: sent twice, it has the effect of sending it once, so a
/// client may retry it after a timeout or a lost connection, when it cannot know whether the
/// first request reached the service.
///
/// Read-only actions are (`Get*`, `List*`, `Describe*`, `Check*`, `Query*`, `Search*`, and a few
/// named ones); every other action places a call, changes state or writes data, and is not.
pub fn safe_to_repeat(action: &str) -> bool {
    READ_ONLY_ACTIONS.contains(&action)
        || READ_ONLY_PREFIXES.iter().any(|p| {
            action
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_safe_to_repeat_and_changes_are_not() {
        for a in [
            "GetUser",
            "ListCallDetailRecordsV2",
            "DescribeX",
            "CheckNumber",
        ] {
            assert!(safe_to_repeat(a), "{a}");
        }
        assert!(safe_to_repeat("PollUserStatus"));
        for a in [
            "MakeCall",
            "BlindTransfer",
            "ResetAgentState",
            "SignInGroup",
            "CreateUser",
            "ReleaseCall",
            // A prefix counts only as a whole word.
            "Listen",
            "Getaway",
        ] {
            assert!(!safe_to_repeat(a), "{a}");
        }
    }
}
