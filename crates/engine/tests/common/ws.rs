//! A workspace in a temporary folder, and imports of small texts into it
//! through the engine's own import.

use std::path::PathBuf;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::{DatasetInfo, Job, Role};

/// A workspace that lives as long as its temporary folder, with an index
/// cache for the analyses run on it (the funnel tests' `Ws`).
pub use super::funnel::Ws as TempWs;

impl TempWs {
    pub fn new() -> TempWs {
        super::funnel::workspace()
    }

    /// A new workspace holding `csv` imported as dataset `name`, with these
    /// role overrides.
    pub fn with_csv(name: &str, csv: &str, map: &[(Role, &str)]) -> TempWs {
        let mut w = TempWs::new();
        let opts = ImportOptions {
            name: Some(name.into()),
            map: map.iter().map(|(r, c)| (*r, c.to_string())).collect(),
            ..Default::default()
        };
        w.import_text(&format!("{name}.csv"), csv, &opts)
            .unwrap_or_else(|e| panic!("import of {name}: {e}"));
        w
    }

    /// Writes `text` to `file` in the temporary folder and imports it with
    /// `opts`.
    pub fn import_text(
        &mut self,
        file: &str,
        text: &str,
        opts: &ImportOptions,
    ) -> stepwise_engine::Result<DatasetInfo> {
        let path = self.write(file, text);
        import_file(&mut self.ws, &path, opts, &mut Job::silent())
    }

    /// Writes a file into the temporary folder.
    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(file);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Default for TempWs {
    fn default() -> Self {
        TempWs::new()
    }
}
