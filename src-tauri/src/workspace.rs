//! The open workspace: what it holds, and switching to another.

use tauri::State;

use stepwise_engine::WorkspaceInfo;

use crate::recent::remember;
use crate::state::{AppState, CmdResult};

#[tauri::command(async)]
pub fn workspace_info(state: State<'_, AppState>) -> CmdResult<WorkspaceInfo> {
    Ok(state.session().info()?)
}

/// Opens another workspace (`create`: a new one, which must not exist yet)
/// and makes it the app's; the window then reloads its lists.
#[tauri::command(async)]
pub fn open_workspace(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    path: String,
    create: bool,
) -> CmdResult<WorkspaceInfo> {
    let p = state.session().open_workspace(&path, create)?;
    remember(&app, &p);
    Ok(state.session().info()?)
}
