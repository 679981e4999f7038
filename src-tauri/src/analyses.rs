//! Analyses: funnels, personas, comparisons, impact rankings, the
//! bottleneck across columns, the A/B test planner and its sample-ratio
//! check, each with what the app shows beside it (the engine's charts and
//! its formatted table); and the saved items.

use tauri::State;

use stepwise_engine::bottleneck::Bottleneck;
use stepwise_engine::compare::CompareResult;
use stepwise_engine::dropoff::Dropoff;
use stepwise_engine::funnel::{FunnelResult, FunnelSpec};
use stepwise_engine::impact::ImpactResult;
use stepwise_engine::present::SampleRatioCheck;
use stepwise_engine::saved::SavedItem;
use stepwise_engine::segment::SegmentResult;
use stepwise_engine::session::{self, parse_spec, ChartView, Charted, PlanInput, PlannedTest};

use crate::state::{AppState, CmdResult};

/// Stops every running analysis (the window's Cancel, or Esc while one
/// runs): each rejects with the code "cancelled" and caches nothing.
/// Returns how many were asked to stop. Not `async`: it runs on the main
/// thread at once, even while analyses occupy every worker thread.
#[tauri::command]
pub fn cancel_analyses(state: State<'_, AppState>) -> usize {
    state.session().cancel_analyses()
}

#[tauri::command(async)]
pub fn save_item(
    state: State<'_, AppState>,
    kind: String,
    name: String,
    spec: serde_json::Value,
) -> CmdResult<()> {
    Ok(state.session().ws().save_item(&kind, &name, &spec)?)
}

#[tauri::command(async)]
pub fn list_items(state: State<'_, AppState>, kind: String) -> CmdResult<Vec<SavedItem>> {
    Ok(state.session().ws().list_items(&kind)?)
}

#[tauri::command(async)]
pub fn delete_item(state: State<'_, AppState>, kind: String, name: String) -> CmdResult<bool> {
    Ok(state.session().ws().delete_item(&kind, &name)?)
}

/// Runs a funnel; the first run on a dataset builds its index, later
/// runs reuse it (the builder recomputes on every edit). With `chart`, the
/// engine's charts of the result come along as SVG (funnel, and the trend
/// and time-to-convert when the spec asks for them).
#[tauri::command(async)]
pub fn run_funnel(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
    title: Option<String>,
    engine: Option<String>,
) -> CmdResult<Charted<FunnelResult>> {
    let session = state.session();
    Ok(match engine.as_deref() {
        None | Some("local") => session.funnel(spec, chart.as_ref(), title.as_deref())?,
        Some("clickhouse") => {
            session.funnel_on_clickhouse(spec, chart.as_ref(), title.as_deref())?
        }
        Some(other) => {
            return Err(stepwise_engine::Error::Invalid(format!(
                "no engine \"{other}\": the funnel runs \"local\" or on \"clickhouse\""
            ))
            .into())
        }
    })
}

/// Who dropped at `step` (0-based, >= 1): the count and the first rows.
#[tauri::command(async)]
pub fn funnel_dropoff(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    step: usize,
    limit: usize,
) -> CmdResult<Dropoff> {
    let spec: FunnelSpec = parse_spec("funnel", spec)?;
    Ok(state
        .session()
        .analyse(|ws, cache| stepwise_engine::dropoff::dropoff(ws, &spec, cache, step, limit))?)
}

/// A persona's live member count and a sample of members.
#[tauri::command(async)]
pub fn count_segment(
    state: State<'_, AppState>,
    spec: serde_json::Value,
) -> CmdResult<SegmentResult> {
    Ok(state.session().count_segment(spec)?)
}

/// Funnels of several groups side by side; the spec's `confidence` (0.95
/// when absent) sets the intervals and the tests.
#[tauri::command(async)]
pub fn compare(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
    engine: Option<String>,
) -> CmdResult<Charted<CompareResult>> {
    let session = state.session();
    Ok(match engine.as_deref() {
        None | Some("local") => session.compare(spec, chart.as_ref())?,
        Some("clickhouse") => session.compare_on_clickhouse(spec, chart.as_ref())?,
        Some(other) => {
            return Err(stepwise_engine::Error::Invalid(format!(
                "no engine \"{other}\": the comparison runs \"local\" or on \"clickhouse\""
            ))
            .into())
        }
    })
}

/// Actions linked to a goal; the spec's `confidence` (0.95 when absent)
/// sets the intervals and the significance after Holm's correction.
#[tauri::command(async)]
pub fn impact(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
) -> CmdResult<Charted<ImpactResult>> {
    Ok(state.session().impact(spec, chart.as_ref())?)
}

/// The funnel's bottleneck step and the group where it is worst, looked
/// for across `columns` (every suitable column when empty or absent).
#[tauri::command(async)]
pub fn bottleneck_across(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    columns: Option<Vec<String>>,
    confidence: Option<f64>,
) -> CmdResult<Option<Bottleneck>> {
    Ok(state
        .session()
        .bottleneck_across(spec, &columns.unwrap_or_default(), confidence)?)
}

/// The A/B test planner: users per variant and days, with the engine's
/// text of them (`shown`).
#[tauri::command(async)]
pub fn plan_sample_size(input: PlanInput) -> CmdResult<PlannedTest> {
    Ok(session::plan_test(&input)?)
}

/// The A/B readout's sample-ratio check: units per variant (`observed`)
/// against the planned split (`planned` weights; even when absent).
#[tauri::command(async)]
pub fn sample_ratio_check(
    observed: Vec<u64>,
    planned: Option<Vec<f64>>,
) -> CmdResult<SampleRatioCheck> {
    Ok(stepwise_engine::present::sample_ratio(
        &observed,
        planned.as_deref(),
    )?)
}
