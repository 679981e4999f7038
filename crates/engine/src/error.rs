//! The engine's one error type. Every error says what went wrong and, where it
//! applies, where: the file, the row (1-based, as a spreadsheet shows it) and
//! the column.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Role;

/// Every error code an engine call or a shell command can return, declared
/// once (exported to TypeScript as a string union).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// A file cannot be read as data (format, encoding, structure).
    BadInput,
    /// The request is not allowed or does not make sense (a spec that does
    /// not parse, a column the dataset lacks).
    Invalid,
    NoSuchDataset,
    DatasetExists,
    /// The file was imported before (same content).
    Duplicate,
    Cancelled,
    /// A file could not be read or written.
    Io,
    /// The workspace database failed.
    Store,
    SchemaTooNew,
    Internal,
    /// Another import is running.
    Busy,
    /// A file that should be new exists already.
    Exists,
    /// A file or workspace that should exist does not.
    NotFound,
    /// The system clipboard refused.
    Clipboard,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadInput => "bad_input",
            ErrorCode::Invalid => "invalid",
            ErrorCode::NoSuchDataset => "no_such_dataset",
            ErrorCode::DatasetExists => "dataset_exists",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Io => "io",
            ErrorCode::Store => "store",
            ErrorCode::SchemaTooNew => "schema_too_new",
            ErrorCode::Internal => "internal",
            ErrorCode::Busy => "busy",
            ErrorCode::Exists => "exists",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Clipboard => "clipboard",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error shape at the Tauri boundary and in the CLI's `--json` errors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ErrorInfo {
    pub code: ErrorCode,
    /// A sentence for the analyst, without the shell's own hint.
    pub message: String,
    /// The role a column must be mapped to for the request to work (the
    /// dataset lacks it); each shell says in its own words how to map one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub missing_role: Option<Role>,
}

impl ErrorInfo {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ErrorInfo {
        ErrorInfo {
            code,
            message: message.into(),
            missing_role: None,
        }
    }
}

impl From<&Error> for ErrorInfo {
    fn from(e: &Error) -> Self {
        ErrorInfo {
            code: e.error_code(),
            message: e.to_string(),
            missing_role: e.needed_role(),
        }
    }
}

impl From<Error> for ErrorInfo {
    fn from(e: Error) -> Self {
        ErrorInfo::from(&e)
    }
}

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
    #[error("cancelled before it finished; nothing was changed")]
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
    /// The dataset has no column with a role the request needs. The message
    /// says what is missing; how to map one is the shell's to say.
    #[error("{message}")]
    MissingRole { role: Role, message: String },
    /// Another long job (an import) is running.
    #[error("{0}")]
    Busy(String),
    /// A file or workspace that should be new exists already.
    #[error("{0}")]
    Exists(String),
    /// A file or workspace that should exist does not.
    #[error("{0}")]
    NotFound(String),
}

impl Error {
    pub fn bad_input(location: Location, message: impl Into<String>) -> Self {
        Error::BadInput {
            location,
            message: message.into(),
        }
    }

    /// A request the dataset cannot serve without a column of `role`.
    pub fn missing_role(role: Role, message: impl Into<String>) -> Self {
        Error::MissingRole {
            role,
            message: message.into(),
        }
    }

    /// The stable, machine-readable code for the UI and the CLI's JSON.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::BadInput { .. } => ErrorCode::BadInput,
            Error::Invalid(_) | Error::MissingRole { .. } => ErrorCode::Invalid,
            Error::NoSuchDataset(_) => ErrorCode::NoSuchDataset,
            Error::DatasetExists(_) => ErrorCode::DatasetExists,
            Error::Duplicate { .. } => ErrorCode::Duplicate,
            Error::Cancelled => ErrorCode::Cancelled,
            Error::Io { .. } => ErrorCode::Io,
            Error::Store { .. } => ErrorCode::Store,
            Error::SchemaTooNew { .. } => ErrorCode::SchemaTooNew,
            Error::Internal(_) => ErrorCode::Internal,
            Error::Busy(_) => ErrorCode::Busy,
            Error::Exists(_) => ErrorCode::Exists,
            Error::NotFound(_) => ErrorCode::NotFound,
        }
    }

    /// [`Error::error_code`] as text.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The role the request needed and the dataset lacks, if that is the
    /// error (each shell adds its own way to map one).
    pub fn needed_role(&self) -> Option<Role> {
        match self {
            Error::MissingRole { role, .. } => Some(*role),
            _ => None,
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
                | Error::MissingRole { .. }
                | Error::Busy(_)
                | Error::Exists(_)
                | Error::NotFound(_)
        )
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_text() {
        for c in [
            ErrorCode::BadInput,
            ErrorCode::NoSuchDataset,
            ErrorCode::SchemaTooNew,
            ErrorCode::NotFound,
        ] {
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::Value::String(c.as_str().into())
            );
        }
        let e = Error::missing_role(Role::Page, "dataset \"x\" has no page column");
        let info = ErrorInfo::from(&e);
        assert_eq!(info.code, ErrorCode::Invalid);
        assert_eq!(info.missing_role, Some(Role::Page));
        assert_eq!(info.message, "dataset \"x\" has no page column");
        assert_eq!(
            serde_json::to_string(&ErrorInfo::from(Error::Cancelled)).unwrap(),
            r#"{"code":"cancelled","message":"cancelled before it finished; nothing was changed"}"#
        );
    }
}
