use std::fmt;
use std::path::PathBuf;

use ccc_spec::SpecErrors;

/// Why generation failed.
#[derive(Debug)]
pub enum Error {
    /// The spec does not load: every problem, each with its file and place.
    Spec(SpecErrors),
    /// The spec loads but cannot become Rust (a name that is no identifier, a clash the
    /// validator cannot see).
    Generate {
        /// The spec file at fault.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The generated tokens do not parse: a bug in the generator, not in the spec.
    Syntax {
        /// The generated file.
        file: String,
        /// syn's complaint.
        message: String,
    },
    /// rustfmt is missing or refused the generated code.
    Rustfmt(String),
    /// Reading or writing a file failed.
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Spec(errors) => {
                let n = errors.0.len();
                writeln!(
                    f,
                    "the spec has {n} error{}:",
                    if n == 1 { "" } else { "s" }
                )?;
                write!(f, "{errors}")
            }
            Error::Generate { file, message } => write!(f, "{file}: {message}"),
            Error::Syntax { file, message } => write!(
                f,
                "{file}: the generator produced code that does not parse ({message}); this is a generator bug"
            ),
            Error::Rustfmt(message) => write!(f, "rustfmt: {message}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Spec(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
