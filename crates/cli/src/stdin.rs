//! Standard input as an explicit `-`: spooled to a temporary file so the
//! engine reads it like any file.

use std::path::PathBuf;
use stepwise_engine::Error;

pub fn is_stdin(file: &std::path::Path) -> bool {
    file.as_os_str() == "-"
}

/// Standard input (`-`) saved to a file in a fresh temporary folder, so the
/// engine can read it as any file (it reads twice and sniffs the format
/// from the content); removed on drop.
pub struct StdinFile {
    dir: PathBuf,
}

impl StdinFile {
    pub fn spool_if_dash(file: &std::path::Path) -> Result<Option<StdinFile>, Error> {
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

    pub fn path(&self) -> PathBuf {
        self.dir.join("stdin")
    }
}

impl Drop for StdinFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
