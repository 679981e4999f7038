//! Imports a file into a workspace and prints the dataset as JSON: the
//! benchmark's stand-in for `stepwise import FILE --name N --json --workspace W`
//! until the CLI has it (same arguments).
//!
//! cargo run --release -p stepwise-engine --example import -- FILE --name N --workspace W [--json]

use std::path::PathBuf;
use std::process::ExitCode;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::{Job, Workspace};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("import: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut file = None;
    let mut ws = None;
    let mut opts = ImportOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--name" => opts.name = Some(args.next().ok_or("--name needs a value")?),
            "--workspace" => {
                ws = Some(PathBuf::from(
                    args.next().ok_or("--workspace needs a value")?,
                ))
            }
            "--json" => {}
            _ if a.starts_with("--") => return Err(format!("unknown option {a}")),
            _ => file = Some(PathBuf::from(a)),
        }
    }
    let file = file.ok_or("give the file to import")?;
    let ws_path = ws.ok_or("--workspace W is required")?;
    let started = std::time::Instant::now();
    let mut ws = Workspace::open(&ws_path).map_err(|e| e.to_string())?;
    let info = import_file(&mut ws, &file, &opts, &mut Job::silent()).map_err(|e| e.to_string())?;
    let mut v = serde_json::to_value(&info).map_err(|e| e.to_string())?;
    v["seconds"] = started.elapsed().as_secs_f64().into();
    println!("{v}");
    Ok(())
}
