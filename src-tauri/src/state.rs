//! The app's state (the engine's session, shared with worker threads) and
//! the error every command returns: the engine's [`ErrorInfo`] with the
//! app's own hint where the engine leaves one to the shell.

use std::sync::Arc;

use serde::Serialize;
use stepwise_engine::session::Session;
use stepwise_engine::{Error, ErrorCode, ErrorInfo, Role};

/// The open workspace, its indexes and the running job (the engine's
/// session); an `Arc` so that imports can run on a worker thread.
pub struct AppState(pub Arc<Session>);

impl AppState {
    pub fn session(&self) -> &Session {
        &self.0
    }
}

/// A command's error as the window receives it: `{code, message,
/// missing_role?}` (the engine's `ErrorInfo`), the message in the app's
/// words.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct AppError(pub ErrorInfo);

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        let mut info = ErrorInfo::from(e);
        if let Some(role) = info.missing_role {
            info.message = format!("{}. {}", info.message, app_hint(role));
        }
        AppError(info)
    }
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError(ErrorInfo::new(code, message))
    }
}

/// How a column gets a role in the app: on the dataset's mapping screen.
pub fn app_hint(role: Role) -> String {
    format!(
        "Give a column the \u{201c}{}\u{201d} role on the dataset\u{2019}s \u{201c}Check the import\u{201d} screen",
        role.as_str()
    )
}

pub type CmdResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_role_gets_the_apps_hint_not_the_clis() {
        let e = Error::missing_role(Role::Page, "dataset \"shop\" has no page column");
        let AppError(info) = AppError::from(e);
        assert_eq!(info.code, ErrorCode::Invalid);
        assert!(
            info.message.starts_with(
                "dataset \"shop\" has no page column. Give a column the \u{201c}page\u{201d} role"
            ),
            "{}",
            info.message
        );
        assert!(!info.message.contains("--map"), "{}", info.message);
        let json = serde_json::to_value(AppError::from(Error::Cancelled)).unwrap();
        assert_eq!(json["code"], "cancelled");
    }
}
