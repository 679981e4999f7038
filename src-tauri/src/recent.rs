//! The recent workspaces list (File > Open Recent), kept in the app's
//! config folder (or `STEPWISE_CONFIG_DIR`).

use std::path::{Path, PathBuf};

use tauri::Manager;

/// How many recent workspaces are remembered.
pub const RECENT_MAX: usize = 8;

/// `path` first, then the others, without duplicates, at most [`RECENT_MAX`].
pub fn push_recent(list: Vec<String>, path: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    out.extend(list.into_iter().filter(|p| p != path));
    out.truncate(RECENT_MAX);
    out
}

fn recent_file(app: &tauri::AppHandle) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("STEPWISE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("recent-workspaces.json"));
    }
    app.path()
        .app_config_dir()
        .ok()
        .map(|d| d.join("recent-workspaces.json"))
}

fn read_recent(app: &tauri::AppHandle) -> Vec<String> {
    recent_file(app)
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Puts `path` first in the list (failing to save it is not an error: the
/// list is a convenience).
pub fn remember(app: &tauri::AppHandle, path: &Path) {
    let Some(file) = recent_file(app) else {
        return;
    };
    let list = push_recent(read_recent(app), &path.display().to_string());
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string_pretty(&list) {
        let _ = std::fs::write(file, text);
    }
}

/// The recent workspaces, most recent first (the open one included).
#[tauri::command(async)]
pub fn recent_workspaces(app: tauri::AppHandle) -> Vec<String> {
    read_recent(&app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_workspaces_keep_the_last_eight_without_duplicates() {
        let mut list = Vec::new();
        for i in 0..10 {
            list = push_recent(list, &format!("/w/{i}.stepwise"));
        }
        assert_eq!(list.len(), RECENT_MAX);
        assert_eq!(list[0], "/w/9.stepwise");
        assert_eq!(list[7], "/w/2.stepwise");
        let list = push_recent(list, "/w/5.stepwise");
        assert_eq!(list.len(), RECENT_MAX);
        assert_eq!(list[0], "/w/5.stepwise");
        assert_eq!(list.iter().filter(|p| *p == "/w/5.stepwise").count(), 1);
    }
}
