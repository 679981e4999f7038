//! What an import may read: a regular file, and nothing else. A named pipe
//! with no writer would block the first read forever, a device such as
//! /dev/zero never ends, a folder has no bytes to sniff: each is refused
//! before it is opened, with a sentence that names it. (The command line
//! reads standard input as `-` by saving it to a file first.)

use crate::error::{Error, Result};
use std::path::Path;

/// Refuses `path` unless it is a regular file (or a link to one). Only
/// looks at the file's metadata, which never blocks, and never opens it.
pub fn check_regular_file(path: &Path) -> Result<std::fs::Metadata> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(meta);
    }
    let what = if ft.is_dir() {
        "a folder"
    } else {
        special_kind(&ft)
    };
    Err(Error::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(format!(
            "this is {what}, not a regular file, so it cannot be imported; choose a data file saved on disk"
        )),
    })
}

#[cfg(unix)]
fn special_kind(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a named pipe"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a device or another special file"
}

#[cfg(test)]
mod tests {
    use super::check_regular_file;

    #[test]
    fn a_regular_file_passes_and_a_folder_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "a\n1\n").unwrap();
        assert_eq!(check_regular_file(&f).unwrap().len(), 4);
        let e = check_regular_file(dir.path()).unwrap_err().to_string();
        assert!(e.contains("this is a folder, not a regular file"), "{e}");
        assert!(e.starts_with(&dir.path().display().to_string()), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused() {
        let e = check_regular_file(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "/dev/zero: this is a device, not a regular file, so it cannot be imported; choose a data file saved on disk"
        );
    }
}
