//! What the analyst keeps about a dataset besides its rows: its ClickHouse
//! connection (docs/clickhouse.md; counting on it is `run_funnel` with
//! `engine: "clickhouse"`) and its events tagged micro or macro conversions
//! (docs/impact.md).

use crate::state::{AppState, CmdResult};
use stepwise_engine::clickhouse::Connection;
use stepwise_engine::model::{EventTag, TaggedEvent};
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

/// The dataset's tagged events.
#[tauri::command(async)]
pub fn event_tags(state: State<'_, AppState>, dataset: String) -> CmdResult<Vec<TaggedEvent>> {
    Ok(state.session().event_tags(&dataset)?)
}

/// Tags `event` micro or macro, or (null) removes its tag.
#[tauri::command(async)]
pub fn set_event_tag(
    state: State<'_, AppState>,
    dataset: String,
    event: String,
    tag: Option<EventTag>,
) -> CmdResult<()> {
    Ok(state.session().set_event_tag(&dataset, &event, tag)?)
}
