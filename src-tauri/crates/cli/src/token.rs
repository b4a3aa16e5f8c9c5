//! The API token: generated once, kept in the data directory, readable by its owner only.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use anyhow::{Context, Result};

pub const TOKEN_FILE: &str = "api-token";

/// Reads the token kept in `data_dir`, creating it (mode 0600) on first use.
pub fn load_or_create(data_dir: &Path) -> Result<String> {
    let path = data_dir.join(TOKEN_FILE);
    let hint = || {
        format!(
            "cannot use data directory {} — pass a writable one with --data-dir",
            data_dir.display()
        )
    };
    std::fs::create_dir_all(data_dir).with_context(hint)?;
    match std::fs::read_to_string(&path) {
        Ok(token) if token.trim().len() >= 16 => {
            let mode = std::fs::metadata(&path)
                .with_context(hint)?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .with_context(hint)?;
                tracing::warn!(path = %path.display(), "the token file was readable by others; made it 0600");
            }
            return Ok(token.trim().to_string());
        }
        Ok(_) => {} // empty or truncated: make a new one
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(hint),
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).context("no randomness for the API token")?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&path)
        .with_context(hint)?;
    file.write_all(token.as_bytes()).with_context(hint)?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = load_or_create(dir.path()).expect("create");
        assert_eq!(first.len(), 48);
        let mode = std::fs::metadata(dir.path().join(TOKEN_FILE))
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create(dir.path()).expect("reuse"), first);
    }

    #[test]
    fn loosened_permissions_are_tightened() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(TOKEN_FILE);
        std::fs::write(&path, "0123456789abcdef0123").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(
            load_or_create(dir.path()).expect("load"),
            "0123456789abcdef0123"
        );
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
