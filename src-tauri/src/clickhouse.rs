//! A dataset's ClickHouse connection (docs/clickhouse.md): read, store,
//! forget. Counting on it is `run_funnel` with `engine: "clickhouse"`.

use crate::state::{AppState, CmdResult};
use stepwise_engine::clickhouse::Connection;
use tauri::State;

/// The dataset's stored connection, or null.
#[tauri::command(async)]
pub fn get_clickhouse(
    state: State<'_, AppState>,
    dataset: String,
) -> CmdResult<Option<Connection>> {
    Ok(state.session().clickhouse(&dataset)?)
}

/// Stores the dataset's connection (checked first), or forgets it (null).
#[tauri::command(async)]
pub fn set_clickhouse(
    state: State<'_, AppState>,
    dataset: String,
    connection: Option<Connection>,
) -> CmdResult<()> {
    Ok(state
        .session()
        .set_clickhouse(&dataset, connection.as_ref())?)
}
