//! Which store files this process has open, by device and inode.
//!
//! [`super::Store::open`] reads a file's first bytes through an ordinary
//! descriptor before SQLite sees it, to refuse what is not a store without
//! letting SQLite touch it. Closing any descriptor of a file drops every POSIX
//! lock the process holds on it, SQLite's included; another process closing
//! its connection then takes the store for unused and deletes the `-wal`, with
//! the commits in it. So once this process has a store open, every further
//! connection to the same file is opened by SQLite alone (which shares its
//! locks per process), whoever asks for it: the sync and label workers, a
//! command run inside the station.

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Arc, Mutex, Weak};

#[derive(Debug, PartialEq, Eq)]
struct Key {
    dev: u64,
    ino: u64,
}

/// Held by every [`super::Store`]: the file stays "open in this process"
/// while one is alive.
#[derive(Debug, Clone)]
pub(super) struct Live(#[allow(dead_code)] Option<Arc<Key>>); // held, never read: its count is the point

static OPEN: Mutex<Vec<Weak<Key>>> = Mutex::new(Vec::new());

fn key(path: &Path) -> Option<Key> {
    // stat, not open: no descriptor to close.
    let m = std::fs::metadata(path).ok()?;
    Some(Key {
        dev: m.dev(),
        ino: m.ino(),
    })
}

impl Live {
    /// The file at `path` if a store in this process has it open.
    pub(super) fn existing(path: &Path) -> Option<Live> {
        let k = key(path)?;
        let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|w| w.strong_count() > 0);
        open.iter()
            .filter_map(Weak::upgrade)
            .find(|a| **a == k)
            .map(|a| Live(Some(a)))
    }

    /// Marks the file at `path` open in this process.
    pub(super) fn register(path: &Path) -> Live {
        if let Some(l) = Live::existing(path) {
            return l;
        }
        let Some(k) = key(path) else {
            return Live(None);
        };
        let a = Arc::new(k);
        OPEN.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::downgrade(&a));
        Live(Some(a))
    }

    /// Not a file (an in-memory store).
    pub(super) fn none() -> Live {
        Live(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_live_while_one_holder_is() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.db");
        std::fs::write(&p, b"").unwrap();
        assert!(Live::existing(&p).is_none());
        let a = Live::register(&p);
        let b = Live::existing(&p).expect("live");
        drop(a);
        assert!(Live::existing(&p).is_some(), "b still holds it");
        drop(b);
        assert!(Live::existing(&p).is_none());
    }
}
