use std::fmt;

/// A place in a `.tea` file, 1-based; columns count characters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// Why a `.tea` file was refused: the file, the place and what was not understood.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeaError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

impl TeaError {
    pub(crate) fn new(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        TeaError {
            file: file.to_string(),
            pos,
            message: message.into(),
        }
    }
}

impl fmt::Display for TeaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.col, self.message
        )
    }
}

impl std::error::Error for TeaError {}

/// Every reason an import was refused; nothing was written.
#[derive(Debug)]
pub enum ImportError {
    /// A file could not be read or written.
    Io { path: String, message: String },
    /// `main.tea` is not understood, or does not describe actions consistently.
    Tea(Vec<TeaError>),
    /// `api-info.json` is not understood.
    ApiInfo { path: String, message: String },
    /// The existing spec (product or action files) does not load.
    ExistingSpec(ccc_spec::SpecErrors),
    /// The result would not be a valid spec.
    Invalid(ccc_spec::SpecErrors),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Io { path, message } => write!(f, "{path}: {message}"),
            ImportError::Tea(errors) => ccc_spec::write_lines(f, errors),
            ImportError::ApiInfo { path, message } => write!(f, "{path}: {message}"),
            ImportError::ExistingSpec(e) => write!(f, "the existing spec does not load:\n{e}"),
            ImportError::Invalid(e) => {
                write!(
                    f,
                    "the imported spec would not be valid (nothing written):\n{e}"
                )
            }
        }
    }
}

impl std::error::Error for ImportError {}

impl From<TeaError> for ImportError {
    fn from(e: TeaError) -> Self {
        ImportError::Tea(vec![e])
    }
}
