//! `ccc completions SHELL`: the whole command tree (every action, its flags and the values of
//! its enumerations) built only here, where start time does not matter.

use clap::Command;
use clap_complete::Shell;

/// The tree of every action, for completions.
pub(crate) fn full_command() -> Command {
    let mut root = Command::new("ccc").disable_version_flag(true).subcommand(
        Command::new("completions")
            .about("Prints a completion script")
            .arg(clap::Arg::new("shell").required(true).value_parser(
                clap::builder::PossibleValuesParser::new([
                    "bash",
                    "zsh",
                    "fish",
                    "powershell",
                    "elvish",
                ]),
            )),
    );
    root = root.subcommand(crate::wait::command());
    for a in &crate::table::ACTIONS {
        root = root.subcommand(crate::args::action_command(a));
    }
    root
}

/// Writes the completion script of `shell` to `out`.
pub(crate) fn write(shell: &str, out: &mut dyn std::io::Write) -> Result<(), String> {
    let shell: Shell = shell.parse().map_err(|_| {
        format!("completions: unknown shell {shell:?}; use bash, zsh, fish, powershell or elvish")
    })?;
    clap_complete::generate(shell, &mut full_command(), "ccc", out);
    Ok(())
}
