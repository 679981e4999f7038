//! Import: a file becomes a dataset in one transaction. Format sniffing,
//! type inference and role detection live in the submodules.

pub mod csv;
pub mod infer;
pub mod roles;

use crate::error::{Error, Location, Result};
use crate::job::Job;
use crate::model::{DatasetInfo, Role};
use crate::store::Workspace;
use std::path::Path;

/// What the analyst asked for at import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The dataset's name; default: the file's name without extension.
    pub name: Option<String>,
    /// Role overrides (`--map ROLE=COLUMN`).
    pub map: Vec<(Role, String)>,
    /// The sheet of a workbook to import.
    pub sheet: Option<String>,
}

/// Parses `ROLE=COLUMN` as given to `--map`.
pub fn parse_map(s: &str) -> Result<(Role, String)> {
    let (role, col) = s
        .split_once('=')
        .ok_or_else(|| Error::Invalid(format!("--map takes ROLE=COLUMN, not \"{s}\"")))?;
    let role = Role::parse(role.trim()).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown role \"{}\" in --map; use one of user, session, time, event, page, value, item",
            role.trim()
        ))
    })?;
    Ok((role, col.trim().to_string()))
}

/// Imports `path` into the workspace as a new dataset.
pub fn import_file(
    ws: &mut Workspace,
    path: &Path,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<DatasetInfo> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return Err(Error::bad_input(
            Location::file(path),
            "this is a folder, not a file; choose a data file",
        ));
    }
    let name = match &opts.name {
        Some(n) => n.trim().to_string(),
        None => default_name(path),
    };
    if ws.has_dataset(&name)? {
        return Err(Error::DatasetExists(name));
    }
    csv::import_csv(ws, path, &name, opts, job)
}

/// The file's name without its extension.
pub fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "dataset".to_string())
}
