use std::fmt;
use std::path::PathBuf;

/// Why a spec file was refused: the file, where inside it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub file: PathBuf,
    pub location: ErrorLocation,
    pub message: String,
}

/// Where inside a spec file an error is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ErrorLocation {
    /// The file as a whole (unreadable, misnamed).
    File,
    /// A JSON syntax error, 1-based.
    LineColumn { line: usize, column: usize },
    /// A JSON pointer (RFC 6901) to the offending value, e.g. `/response/0/fields/2/type`.
    Pointer(String),
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match &self.location {
            ErrorLocation::File => write!(f, "{file}: {}", self.message),
            ErrorLocation::LineColumn { line, column } => {
                write!(f, "{file}:{line}:{column}: {}", self.message)
            }
            ErrorLocation::Pointer(p) if p.is_empty() => {
                write!(f, "{file}: at the top level: {}", self.message)
            }
            ErrorLocation::Pointer(p) => write!(f, "{file}: at {p}: {}", self.message),
        }
    }
}

impl std::error::Error for SpecError {}

impl SpecError {
    /// An error at a JSON pointer of `file`.
    pub fn at(file: &std::path::Path, pointer: String, message: String) -> Self {
        Self {
            file: file.to_path_buf(),
            location: ErrorLocation::Pointer(pointer),
            message,
        }
    }
}

/// Every error found in a spec, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecErrors(pub Vec<SpecError>);

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SpecErrors {}
