//! The command line's action table: one action's entry from the real spec, as a snapshot, and
//! the rules that name commands and flags.

use std::path::Path;

/// The entry of `command` in the rendered `actions.rs`: from its `Action {` to its closing brace.
fn entry(contents: &str, command: &str) -> String {
    let marker = format!("        command: \"{command}\",\n");
    let at = contents
        .find(&marker)
        .unwrap_or_else(|| panic!("no entry for {command}"));
    let start = contents[..at]
        .rfind("    Action {\n")
        .expect("the entry's start");
    let end = start
        + contents[start..]
            .find("\n    },\n")
            .expect("the entry's end")
        + 7;
    contents[start..end].to_owned()
}

#[test]
fn the_list_users_command_from_the_real_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let spec = codegen::sync::load(&root.join("spec"), &root).unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::cli::render(&spec, Some(&root)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "ccc-cli/src/generated/actions.rs");
    insta::assert_snapshot!("cli_list_users", entry(&files[0].contents, "list-users"));
    // A parameter named like one of the command line's own flags gets `param-`.
    let agents = entry(&files[0].contents, "list-realtime-agent-states");
    assert!(agents.contains("flag: \"param-query\",\n"), "{agents}");
    assert!(agents.contains("wire: \"Query\",\n"), "{agents}");
}
