//! The desktop's own settings, kept beside the data in `DATA_DIR/desktop.json`. Launch at
//! login is not kept here: the OS's autostart entry is the truth for it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Desktop {
    /// Closing the window keeps Hooklens running in the tray.
    pub close_to_tray: bool,
}

impl Default for Desktop {
    fn default() -> Desktop {
        Desktop {
            close_to_tray: true,
        }
    }
}

pub struct Settings {
    path: PathBuf,
    now: Mutex<Desktop>,
}

impl Settings {
    /// Reads the settings; a missing or unreadable file means the defaults.
    pub fn load(data_dir: &Path) -> Settings {
        let path = data_dir.join("desktop.json");
        let now = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
                tracing::warn!("ignoring {}: {e}; using the defaults", path.display());
                Desktop::default()
            }),
            Err(_) => Desktop::default(),
        };
        Settings {
            path,
            now: Mutex::new(now),
        }
    }

    pub fn get(&self) -> Desktop {
        self.now.lock().map(|s| *s).unwrap_or_default()
    }

    /// Changes and saves the settings.
    pub fn update(&self, change: impl FnOnce(&mut Desktop)) -> Result<(), String> {
        let mut now = self
            .now
            .lock()
            .map_err(|_| "settings unavailable".to_string())?;
        change(&mut now);
        let json = serde_json::to_vec_pretty(&*now).map_err(|e| e.to_string())?;
        std::fs::write(&self.path, json)
            .map_err(|e| format!("cannot save {}: {e}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_to_tray_is_on_by_default_and_a_change_survives_a_restart() {
        let dir = tempfile::tempdir().expect("tempdir");
        let settings = Settings::load(dir.path());
        assert!(settings.get().close_to_tray);
        settings.update(|s| s.close_to_tray = false).expect("saved");
        assert!(!Settings::load(dir.path()).get().close_to_tray);
    }

    #[test]
    fn a_damaged_file_means_the_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("desktop.json"), "{not json").expect("write");
        assert_eq!(Settings::load(dir.path()).get(), Desktop::default());
    }
}
