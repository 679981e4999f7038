//! `stepwise tables FILE`: the sheets of a workbook and the tables of a file.

use crate::util::print_json;
use std::path::PathBuf;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::Error;

#[derive(clap::Args)]
pub struct Args {
    /// The data file, or `-` to read standard input.
    file: PathBuf,
    #[arg(long)]
    sheet: Option<String>,
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> Result<(), Error> {
    let Args { file, sheet, json } = args;
    let stdin = crate::stdin::StdinFile::spool_if_dash(&file)?;
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
    Ok(())
}
