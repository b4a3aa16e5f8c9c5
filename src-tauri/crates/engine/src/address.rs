//! `DATA_DIR/api-address`: where the running engine's control API listens, written once the
//! listeners are bound and removed at shutdown, so tools on this machine (`hooklens mcp`)
//! find the Hooklens that owns a data directory without being told its port. A crash
//! leaves it behind; a reader then finds nothing listening there and says so.

use std::io::Write;
use std::path::Path;

/// The file's name in the data directory. It holds the API's origin, e.g.
/// `http://127.0.0.1:4781`, and a line break.
pub const ADDRESS_FILE: &str = "api-address";

/// Writes `url` through a temporary file and a rename, so a reader never sees half of it.
pub(crate) fn publish(data_dir: &Path, url: &str) {
    let path = data_dir.join(ADDRESS_FILE);
    let temp = data_dir.join(format!(".{ADDRESS_FILE}.{}", std::process::id()));
    let written = std::fs::File::create(&temp)
        .and_then(|mut file| file.write_all(format!("{url}\n").as_bytes()))
        .and_then(|()| std::fs::rename(&temp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        tracing::warn!(path = %path.display(), error = %e, "cannot record the API address; `hooklens mcp` will need --api");
    }
}

/// Removes the file if it still names `url` (another engine may have taken it over).
pub(crate) fn withdraw(data_dir: &Path, url: &str) {
    let path = data_dir.join(ADDRESS_FILE);
    if std::fs::read_to_string(&path).is_ok_and(|text| text.trim() == url) {
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_then_withdrawn_only_by_its_owner() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(ADDRESS_FILE);
        publish(dir.path(), "http://127.0.0.1:1");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            "http://127.0.0.1:1\n"
        );
        publish(dir.path(), "http://127.0.0.1:2");
        withdraw(dir.path(), "http://127.0.0.1:1");
        assert!(path.exists(), "another engine's address stays");
        withdraw(dir.path(), "http://127.0.0.1:2");
        assert!(!path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }
}
