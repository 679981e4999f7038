//! `stepwise`: the engine from the command line, for automation and tests.
//! Each subcommand is a few lines over `stepwise_engine`.

use clap::{Parser, Subcommand};
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_engine::chart::ChartSize;
use stepwise_engine::compare::{self, CompareSpec};
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use stepwise_engine::impact::{self, ImpactSpec};
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::report::build::{build_report, write_chart_pngs, write_page_pngs};
use stepwise_engine::report::{export_report, ExportFormat, ReportSpec};
use stepwise_engine::segment::{self, SegmentSpec};
use stepwise_engine::stats::{MinimumEffect, SampleSizeInput};
use stepwise_engine::{DatasetInfo, Error, Job, Workspace};

#[derive(Parser)]
#[command(
    name = "stepwise",
    version,
    about = "Offline funnel and micro-conversion analysis for CRO analysts",
    after_help = "The workspace is a SQLite file: --workspace FILE, else $STEPWISE_WORKSPACE, else the app's default."
)]
struct Cli {
    /// The workspace file to use (default: $STEPWISE_WORKSPACE, then the app's own).
    #[arg(long, global = true, value_name = "FILE")]
    workspace: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import a data file (CSV/TSV, XLSX/XLS/ODS, JSON/NDJSON) as a new dataset.
    Import {
        /// The data file, or `-` to read standard input (then --name is required;
        /// the format is sniffed from the content, as for a file).
        file: PathBuf,
        /// The dataset's name (default: the file name without extension).
        #[arg(long)]
        name: Option<String>,
        /// Map a column to a role: ROLE=COLUMN with ROLE one of user, session, time, event, page, value, item. Repeatable.
        #[arg(long = "map", value_name = "ROLE=COLUMN")]
        map: Vec<String>,
        /// The sheet of a workbook to import (default: the largest table).
        #[arg(long)]
        sheet: Option<String>,
        /// Which table of a file with several, 1-based as `stepwise tables FILE` lists them.
        #[arg(long)]
        table: Option<usize>,
        /// Time zone of timestamps written without one: UTC, +02:00, Europe/Amsterdam.
        #[arg(long = "time-zone", value_name = "TZ")]
        time_zone: Option<String>,
        /// Import even if a dataset already holds a file with the same content.
        #[arg(long)]
        allow_duplicate: bool,
        /// Append the file's rows to this existing dataset instead of creating one.
        #[arg(long, value_name = "DATASET", conflicts_with = "name")]
        append: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the sheets of a workbook and the tables of a file.
    Tables {
        /// The data file, or `-` to read standard input.
        file: PathBuf,
        #[arg(long)]
        sheet: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write a realistic generated clickstream CSV (the benchmark's and the sample's data).
    Generate {
        /// Number of events (rows).
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// First day, YYYY-MM-DD.
        #[arg(long, default_value = "2024-09-01")]
        from: String,
        /// Last day, YYYY-MM-DD.
        #[arg(long, default_value = "2024-09-30")]
        to: String,
    },
    /// List the workspace's datasets.
    Datasets {
        #[arg(long)]
        json: bool,
    },
    /// Count a segment's members (JSON spec; see docs/segments.md); --csv writes the audience list.
    Segment {
        spec: PathBuf,
        /// Count sessions instead of users.
        #[arg(long)]
        sessions: bool,
        /// Write every member id to this CSV file (an audience list).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Compare segments or a column's values on a funnel, with statistics.
    Compare {
        spec: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Rank micro-conversions by how much they go with reaching a goal.
    Impact {
        spec: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Build a report from a report spec (JSON; see docs/reports.md) and export it.
    Report {
        spec: PathBuf,
        /// Where to write: .pdf, .png (one file per page), .csv (one per table) or .xlsx.
        #[arg(long)]
        out: PathBuf,
        /// pdf, png, csv or xlsx (default: from --out's extension).
        #[arg(long)]
        format: Option<String>,
        /// PNG only: one file per chart (`STEM-chart-01-....png`) instead of one per page.
        #[arg(long)]
        charts: bool,
        /// With --charts: the chart size, screen (960x540), slide (16:9, 1280x720) or page.
        #[arg(long, default_value = "slide", requires = "charts")]
        size: String,
        /// PNG pixel density: 1 or 2 (default 2).
        #[arg(long, default_value_t = 2.0)]
        scale: f32,
        #[arg(long)]
        json: bool,
    },
    /// Plan an A/B test: users per arm and days needed (see docs/statistics.md).
    Plan {
        /// Today's conversion rate as a fraction, e.g. 0.025.
        #[arg(long)]
        baseline: f64,
        /// The smallest change worth detecting, relative to the baseline (0.1 = +10%).
        #[arg(long, conflicts_with = "mde_points")]
        mde: Option<f64>,
        /// The smallest change worth detecting in rate points (0.005 = +0.5 points).
        #[arg(long = "mde-points")]
        mde_points: Option<f64>,
        #[arg(long, default_value_t = 0.05)]
        alpha: f64,
        #[arg(long, default_value_t = 0.8)]
        power: f64,
        /// Visitors per day entering the test, all arms together.
        #[arg(long)]
        daily: Option<f64>,
        #[arg(long, default_value_t = 2)]
        arms: u32,
        #[arg(long)]
        json: bool,
    },
    /// Run a funnel spec (JSON; see docs/funnel.md) and print its steps;
    /// --dropped STEP lists who dropped there, --csv writes all of them.
    Funnel {
        spec: PathBuf,
        /// List the users (or sessions) who reached the step before STEP but
        /// not STEP, steps numbered from 1 as printed (so 2 or later).
        #[arg(long, value_name = "STEP", value_parser = clap::value_parser!(u64).range(1..))]
        dropped: Option<u64>,
        /// With --dropped: write every one of them to this CSV file.
        #[arg(long, value_name = "OUT", requires = "dropped")]
        csv: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
struct DatasetsOut<'a> {
    datasets: &'a [DatasetInfo],
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Bad input and failed requests exit 1; clap exits 2 on bad usage.
            eprintln!("stepwise: {e}");
            ExitCode::from(1)
        }
    }
}

fn open(cli_ws: &Option<PathBuf>) -> Result<Workspace, Error> {
    Workspace::open(&stepwise_engine::store::resolve_workspace_path(
        cli_ws.as_deref(),
    ))
}

fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Import {
            file,
            name,
            map,
            sheet,
            table,
            time_zone,
            allow_duplicate,
            append,
            json,
        } => {
            let map = match map.iter().map(|m| import::parse_map(m)).collect() {
                Ok(m) => m,
                Err(e) => usage_error(&e.to_string()),
            };
            if table == Some(0) {
                usage_error("--table counts from 1");
            }
            let opts = ImportOptions {
                name,
                map,
                sheet,
                table: table.map(|t| t - 1),
                time_zone,
                allow_duplicate,
                ..Default::default()
            };
            if is_stdin(&file) && opts.name.is_none() && append.is_none() {
                usage_error("importing standard input (-) needs --name (or --append DATASET)");
            }
            let stdin = StdinFile::spool_if_dash(&file)?;
            let file = stdin.as_ref().map(|s| s.path()).unwrap_or(file);
            let mut ws = open(&cli.workspace)?;
            let mut bar = ProgressBar::new(&file);
            let mut job = Job::new(Default::default(), move |p| bar.draw(p));
            let info = match &append {
                Some(target) => {
                    import::append_file(&mut ws, target, &file, &opts, &mut job)?;
                    ws.dataset(target)?.info
                }
                None => import::import_file(&mut ws, &file, &opts, &mut job)?,
            };
            drop(job);
            if json {
                print_json(&DatasetsOut {
                    datasets: std::slice::from_ref(&info),
                });
            } else {
                println!(
                    "{} \"{}\": {} rows, {} columns ({} table).",
                    if append.is_some() {
                        "Appended to"
                    } else {
                        "Imported"
                    },
                    info.name,
                    thousands(info.rows),
                    info.columns.len(),
                    info.kind.as_str()
                );
                print_columns(&info);
            }
        }
        Command::Tables { file, sheet, json } => {
            let stdin = StdinFile::spool_if_dash(&file)?;
            let file = stdin.as_ref().map(|s| s.path()).unwrap_or(file);
            let sheets = import::list_sheets(&file).unwrap_or_default();
            let opts = ImportOptions {
                sheet,
                ..Default::default()
            };
            let tables = import::list_tables(&file, &opts)?;
            if json {
                print_json(&serde_json::json!({ "sheets": sheets, "tables": tables }));
            } else {
                if !sheets.is_empty() {
                    println!("Sheets: {}", sheets.join(", "));
                }
                for (i, t) in tables.iter().enumerate() {
                    println!(
                        "{:>3}. {}",
                        i + 1,
                        serde_json::to_string(t).unwrap_or_default()
                    );
                }
            }
        }
        Command::Generate {
            events,
            out,
            seed,
            from,
            to,
        } => {
            let opts = stepwise_engine::generate::GenOptions {
                events,
                seed,
                ..Default::default()
            }
            .with_range(&from, &to)
            .unwrap_or_else(|e| usage_error(&e));
            let stats = stepwise_engine::generate::write_clickstream_file(&out, &opts).map_err(
                |source| Error::Io {
                    path: out.clone(),
                    source,
                },
            )?;
            print_json(&stats);
        }
        Command::Datasets { json } => {
            let ws = open(&cli.workspace)?;
            let list = ws.datasets()?;
            if json {
                print_json(&DatasetsOut { datasets: &list });
            } else if list.is_empty() {
                println!("No datasets yet. Import one with: stepwise import FILE");
            } else {
                for d in &list {
                    println!(
                        "{:<32} {:>12} rows  {:>3} columns  {}",
                        d.name,
                        thousands(d.rows),
                        d.columns.len(),
                        d.kind.as_str()
                    );
                }
            }
        }
        Command::Segment {
            spec,
            sessions,
            csv,
            json,
        } => {
            let spec: SegmentSpec = parse_spec(&spec)?;
            let ws = open(&cli.workspace)?;
            let unit = if sessions {
                Unit::Sessions
            } else {
                Unit::Users
            };
            let mut cache = IndexCache::new();
            let result = segment::segment_members(&ws, &spec, &mut cache, unit)?;
            if let Some(path) = &csv {
                let io = |source| Error::Io {
                    path: path.clone(),
                    source,
                };
                let mut out = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
                segment::write_audience_csv(&ws, &spec, &mut cache, unit, &mut out)?;
                out.flush().map_err(io)?;
            }
            if json {
                print_json(&result);
            } else {
                println!(
                    "{}: {} of {} {} ({})",
                    result.name,
                    thousands(result.members),
                    thousands(result.total_units),
                    result.unit,
                    pct(result.share)
                );
                if !result.sample.is_empty() {
                    println!("  e.g. {}", result.sample.join(", "));
                }
            }
        }
        Command::Compare { spec, json } => {
            let spec: CompareSpec = parse_spec(&spec)?;
            let ws = open(&cli.workspace)?;
            let result = compare::run_compare(&ws, &spec, &mut IndexCache::new())?;
            if json {
                print_json(&result);
            } else {
                print_compare(&result);
            }
        }
        Command::Impact { spec, json } => {
            let spec: ImpactSpec = parse_spec(&spec)?;
            let ws = open(&cli.workspace)?;
            let result = impact::run_impact(&ws, &spec, &mut IndexCache::new())?;
            if json {
                print_json(&result);
            } else {
                print_impact(&result);
            }
        }
        Command::Report {
            spec,
            out,
            format,
            charts,
            size,
            scale,
            json,
        } => {
            let spec: ReportSpec = parse_spec(&spec)?;
            spec.validate()?;
            let format = match &format {
                Some(f) => ExportFormat::parse(f).unwrap_or_else(|e| usage_error(&e.to_string())),
                None => ExportFormat::from_path(&out)?,
            };
            if scale != 1.0 && scale != 2.0 {
                usage_error("--scale must be 1 or 2");
            }
            let size = match size.as_str() {
                "screen" => ChartSize::Screen,
                "slide" => ChartSize::Slide,
                "page" => ChartSize::Page,
                other => usage_error(&format!(
                    "--size must be screen, slide or page, not \"{other}\""
                )),
            };
            if charts && format != ExportFormat::Png {
                usage_error("--charts writes PNG files: use --out NAME.png");
            }
            let ws = open(&cli.workspace)?;
            let files = if charts {
                let doc = build_report(&ws, &spec, &mut IndexCache::new())?;
                write_chart_pngs(&doc, &out, size, scale)?
            } else if format == ExportFormat::Png && scale != 2.0 {
                let doc = build_report(&ws, &spec, &mut IndexCache::new())?;
                write_page_pngs(&doc, &out, scale)?
            } else {
                export_report(&ws, &spec, &out, format, &mut IndexCache::new())?
            };
            if json {
                print_json(&serde_json::json!({ "files": files }));
            } else {
                for f in &files {
                    println!("{}", f.display());
                }
            }
        }
        Command::Plan {
            baseline,
            mde,
            mde_points,
            alpha,
            power,
            daily,
            arms,
            json,
        } => {
            let minimum_effect = match (mde, mde_points) {
                (Some(r), None) => MinimumEffect::Relative(r),
                (None, Some(a)) => MinimumEffect::Absolute(a),
                _ => usage_error(
                    "give the smallest effect worth detecting: --mde (relative) or --mde-points",
                ),
            };
            let plan = stepwise_engine::stats::sample_size(&SampleSizeInput {
                baseline_rate: baseline,
                minimum_effect,
                alpha,
                power,
                daily_traffic: daily,
                arms,
            })?;
            if json {
                print_json(&plan);
            } else {
                println!(
                    "From {} to {}: {} users per arm ({} arms).",
                    pct(plan.baseline_rate),
                    pct(plan.target_rate),
                    thousands(plan.users_per_arm),
                    arms
                );
                if let Some(days) = plan.days {
                    println!("At {} visitors a day: {} days.", daily.unwrap_or(0.0), days);
                }
            }
        }
        Command::Funnel {
            spec,
            dropped: Some(step),
            csv,
            json,
        } => {
            let spec: FunnelSpec = parse_spec(&spec)?;
            let ws = open(&cli.workspace)?;
            let mut cache = IndexCache::new();
            // printed numbering (from 1) to the engine's (from 0)
            let k = (step - 1) as usize;
            let d = stepwise_engine::dropoff::dropoff(&ws, &spec, &mut cache, k, DROPPED_SHOWN)?;
            if let Some(path) = &csv {
                let io = |source| Error::Io {
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::create(path).map_err(io)?;
                stepwise_engine::dropoff::write_dropoff_csv(
                    &ws,
                    &spec,
                    &mut cache,
                    k,
                    std::io::BufWriter::new(file),
                )?;
            }
            if json {
                let mut v = serde_json::to_value(&d).map_err(|e| Error::Internal(e.to_string()))?;
                if let Some(path) = &csv {
                    v["csv"] = serde_json::json!(path.display().to_string());
                }
                print_json(&v);
            } else {
                println!(
                    "{} {} reached step {} \u{201c}{}\u{201d} but not step {} \u{201c}{}\u{201d}.",
                    thousands(d.count),
                    d.unit,
                    step - 1,
                    d.from_label,
                    step,
                    d.to_label
                );
                match &csv {
                    Some(path) => println!("Wrote them to {}.", path.display()),
                    None => {
                        if !d.rows.is_empty() {
                            println!("  {}", d.header.join(" / "));
                        }
                        for r in &d.rows {
                            println!("  {}", r.join(" / "));
                        }
                        if d.count > d.rows.len() as u64 {
                            println!(
                                "  … and {} more (--csv OUT writes them all)",
                                thousands(d.count - d.rows.len() as u64)
                            );
                        }
                    }
                }
            }
        }
        Command::Funnel { spec, json, .. } => {
            let spec: FunnelSpec = parse_spec(&spec)?;
            // first_ms: open the workspace, build the index, run the query
            // (the first query after opening); query_ms: the same query
            // again on the built index (what the app pays on every edit).
            let started = std::time::Instant::now();
            let ws = open(&cli.workspace)?;
            let mut cache = IndexCache::new();
            let result = run_funnel(&ws, &spec, &mut cache)?;
            let first_ms = started.elapsed().as_secs_f64() * 1e3;
            let again = std::time::Instant::now();
            let _ = run_funnel(&ws, &spec, &mut cache)?;
            let query_ms = again.elapsed().as_secs_f64() * 1e3;
            if json {
                let mut v =
                    serde_json::to_value(&result).map_err(|e| Error::Internal(e.to_string()))?;
                v["timing"] = serde_json::json!({ "first_ms": first_ms, "query_ms": query_ms });
                print_json(&v);
            } else {
                print_funnel(&result);
            }
        }
    }
    Ok(())
}

/// A JSON spec file, parsed; errors name the file, line and column.
fn parse_spec<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, Error> {
    let text = read_spec(path)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::bad_input(
            stepwise_engine::Location::file(path).row(e.line() as u64),
            format!("column {}: {}", e.column(), e),
        )
    })
}

fn print_compare(r: &stepwise_engine::compare::CompareResult) {
    let v = serde_json::to_value(r).unwrap_or_default();
    println!("Baseline: {}", v["baseline"].as_str().unwrap_or(""));
    for s in v["segments"].as_array().into_iter().flatten() {
        let c = &s["conversion"];
        println!(
            "  {:<28} {:>8}  CI {:>7} – {:<7}  lift {:>8}  p {:<10} {}",
            s["name"].as_str().unwrap_or(""),
            c["rate"].as_f64().map(pct).unwrap_or_default(),
            c["ci_low"].as_f64().map(pct).unwrap_or_default(),
            c["ci_high"].as_f64().map(pct).unwrap_or_default(),
            c["lift"]
                .as_f64()
                .map(|x| format!("{:+.1}%", x * 100.0))
                .unwrap_or_else(|| "–".into()),
            c["p_adjusted"]
                .as_f64()
                .map(|p| format!("{p:.4}"))
                .unwrap_or_else(|| "–".into()),
            c["verdict"].as_str().unwrap_or("")
        );
    }
    if let Some(c) = v.get("chi_square").filter(|c| !c.is_null()) {
        println!(
            "Chi-square: {:.3} (df {}), p = {}",
            c["statistic"].as_f64().unwrap_or(f64::NAN),
            c["df"],
            c["p_value"]
                .as_f64()
                .map(|p| format!("{p:.4}"))
                .unwrap_or_default()
        );
    }
}

fn print_impact(r: &stepwise_engine::impact::ImpactResult) {
    let v = serde_json::to_value(r).unwrap_or_default();
    for c in v["candidates"].as_array().into_iter().flatten() {
        let name = c["event"].as_str().or(c["page"].as_str()).unwrap_or("");
        println!(
            "  {:<28} did {:>9} ({:>6})  not {:>9} ({:>6})  lift {:>8}  value/action {}",
            name,
            thousands(c["users_did"].as_u64().unwrap_or(0)),
            c["goal_rate_did"].as_f64().map(pct).unwrap_or_default(),
            thousands(c["users_not"].as_u64().unwrap_or(0)),
            c["goal_rate_not"].as_f64().map(pct).unwrap_or_default(),
            c["lift"]
                .as_f64()
                .map(|x| format!("{:+.1}%", x * 100.0))
                .unwrap_or_else(|| "–".into()),
            c["value_per_action"]
                .as_f64()
                .map(|x| format!("{x:.2}"))
                .unwrap_or_else(|| "–".into()),
        );
    }
    if let Some(n) = v["note"].as_str() {
        println!("\n{n}");
    }
}

/// A spec file's text; `-` reads standard input.
fn read_spec(path: &std::path::Path) -> Result<String, Error> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map_err(io)?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).map_err(io)
    }
}

fn pct(x: f64) -> String {
    if x > 0.0 && x < 0.01 {
        format!("{:.2}%", x * 100.0)
    } else {
        format!("{:.1}%", x * 100.0)
    }
}

fn duration(secs: Option<f64>) -> String {
    match secs {
        None => "–".into(),
        Some(s) if s < 60.0 => format!("{s:.0} s"),
        Some(s) if s < 3600.0 => format!("{} min {} s", (s / 60.0) as u64, (s % 60.0) as u64),
        Some(s) if s < 86_400.0 => format!("{:.1} h", s / 3600.0),
        Some(s) => format!("{:.1} days", s / 86_400.0),
    }
}

fn print_steps(steps: &[stepwise_engine::funnel::StepResult]) {
    println!(
        "  {:<4}{:<34} {:>12} {:>9} {:>9} {:>12} {:>14}",
        "#", "step", "count", "of start", "of prev", "dropped", "median time"
    );
    for (k, s) in steps.iter().enumerate() {
        println!(
            "  {:<4}{:<34} {:>12} {:>9} {:>9} {:>12} {:>14}",
            k + 1,
            s.label,
            thousands(s.count),
            pct(s.conversion_from_start),
            pct(s.conversion_from_previous),
            thousands(s.dropped),
            duration(s.median_seconds)
        );
    }
}

fn print_funnel(r: &FunnelResult) {
    println!("Funnel ({}):", r.unit);
    print_steps(&r.steps);
    for b in &r.breakdown {
        println!("\n{}:", b.value);
        print_steps(&b.steps);
    }
    for w in &r.warnings {
        println!("\nNote: {w}");
    }
}

/// How many of the dropped units `funnel --dropped` prints (--csv writes all).
const DROPPED_SHOWN: usize = 20;

/// Bad usage (a malformed option value) exits 2, as clap does.
fn usage_error(msg: &str) -> ! {
    eprintln!("stepwise: {msg}");
    std::process::exit(2)
}

fn print_json<T: Serialize>(v: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

fn print_columns(info: &DatasetInfo) {
    for c in &info.columns {
        println!(
            "  {:<32} {:<10} {}",
            c.name,
            c.ty.as_str(),
            c.role.map(|r| r.as_str()).unwrap_or("")
        );
    }
}

/// 1234567 -> "1,234,567"
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn is_stdin(file: &std::path::Path) -> bool {
    file.as_os_str() == "-"
}

/// Standard input (`-`) saved to a file in a fresh temporary folder, so the
/// engine can read it as any file (it reads twice and sniffs the format
/// from the content); removed on drop.
struct StdinFile {
    dir: PathBuf,
}

impl StdinFile {
    fn spool_if_dash(file: &std::path::Path) -> Result<Option<StdinFile>, Error> {
        if !is_stdin(file) {
            return Ok(None);
        }
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stepwise-stdin-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let io = |path: &std::path::Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let spooled = StdinFile { dir };
        let path = spooled.path();
        let mut out = std::fs::File::create(&path).map_err(io(&path))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut out).map_err(io(&path))?;
        Ok(Some(spooled))
    }

    fn path(&self) -> PathBuf {
        self.dir.join("stdin")
    }
}

impl Drop for StdinFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A one-line progress bar on a terminal; nothing when stderr is piped.
struct ProgressBar {
    enabled: bool,
    label: String,
    started: std::time::Instant,
}

impl ProgressBar {
    fn new(file: &std::path::Path) -> Self {
        ProgressBar {
            enabled: std::io::stderr().is_terminal(),
            label: file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            started: std::time::Instant::now(),
        }
    }
    fn draw(&mut self, p: &stepwise_engine::Progress) {
        if !self.enabled {
            return;
        }
        let frac = if p.bytes_total > 0 {
            (p.bytes_done as f64 / p.bytes_total as f64).min(1.0)
        } else {
            0.0
        };
        let width = 30;
        let filled = (frac * width as f64) as usize;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{} [{}{}] {:>3.0}%  {} rows  {:.0} rows/s  {}   ",
            self.label,
            "#".repeat(filled),
            " ".repeat(width - filled),
            frac * 100.0,
            thousands(p.rows_done),
            p.rows_done as f64 / secs,
            p.stage
        );
        if p.stage == "done" {
            let _ = writeln!(err);
        }
        let _ = err.flush();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(780928), "780,928");
        assert_eq!(super::thousands(12345678), "12,345,678");
    }
}
