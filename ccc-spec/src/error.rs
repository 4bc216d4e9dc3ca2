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
        write_lines(f, &self.0)
    }
}

/// Writes each item on a line of its own, with no newline after the last: how a list of errors
/// (the spec's, an importer's) is shown.
pub fn write_lines<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            writeln!(f)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl std::error::Error for SpecErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_errors_is_one_per_line_with_no_trailing_newline() {
        let at = |p: &str| SpecError::at(std::path::Path::new("a.json"), p.into(), "bad".into());
        let errors = SpecErrors(vec![at("/x"), at("")]);
        assert_eq!(
            errors.to_string(),
            "a.json: at /x: bad\na.json: at the top level: bad"
        );
        assert_eq!(SpecErrors(Vec::new()).to_string(), "");
    }
}
