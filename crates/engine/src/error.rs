//! The engine's one error type. Every error says what went wrong and, where it
//! applies, where: the file, the row (1-based, as a spreadsheet shows it) and
//! the column.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in an input something went wrong.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<PathBuf>,
    /// 1-based line or row number in the file, counting the header.
    pub row: Option<u64>,
    pub column: Option<String>,
}

impl Location {
    pub fn file(path: &Path) -> Self {
        Location {
            file: Some(path.to_path_buf()),
            ..Default::default()
        }
    }
    pub fn row(mut self, row: u64) -> Self {
        self.row = Some(row);
        self
    }
    pub fn column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(file) = &self.file {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            parts.push(name);
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(col) = &self.column {
            parts.push(format!("column \"{col}\""));
        }
        write!(f, "{}", parts.join(", "))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input cannot be read as data (bad format, encoding, structure).
    #[error("{location}: {message}")]
    BadInput { location: Location, message: String },
    /// The user asked for something that does not exist or is not allowed.
    #[error("{0}")]
    Invalid(String),
    #[error("no dataset named \"{0}\" in this workspace")]
    NoSuchDataset(String),
    #[error("a dataset named \"{0}\" already exists; choose another name")]
    DatasetExists(String),
    /// The file's content was imported before (content hash).
    #[error("{} has the same content as dataset \"{dataset}\", imported before; import it anyway only if you mean to (allow duplicate)", path.display())]
    Duplicate { dataset: String, path: PathBuf },
    #[error("the import was cancelled; nothing was stored")]
    Cancelled,
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("workspace {}: {source}", path.display())]
    Store {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("workspace {} was written by a newer Stepwise (schema {found}, this build knows {known}); update Stepwise", path.display())]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn bad_input(location: Location, message: impl Into<String>) -> Self {
        Error::BadInput {
            location,
            message: message.into(),
        }
    }

    /// A stable, machine-readable code for the UI and the CLI's JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadInput { .. } => "bad_input",
            Error::Invalid(_) => "invalid",
            Error::NoSuchDataset(_) => "no_such_dataset",
            Error::DatasetExists(_) => "dataset_exists",
            Error::Duplicate { .. } => "duplicate",
            Error::Cancelled => "cancelled",
            Error::Io { .. } => "io",
            Error::Store { .. } => "store",
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::Internal(_) => "internal",
        }
    }

    /// True when the error is the user's input or request, not the machine.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Error::BadInput { .. }
                | Error::Invalid(_)
                | Error::NoSuchDataset(_)
                | Error::DatasetExists(_)
                | Error::Duplicate { .. }
                | Error::Cancelled
                | Error::Io { .. }
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
