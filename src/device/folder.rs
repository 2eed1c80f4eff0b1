//! A watched folder of label photos (`folder:/srv/label-photos`): a phone or a
//! bench camera drops pictures in, and every barcode in them becomes a scan.
//!
//! We poll rather than use inotify: it works the same on network shares and
//! synced folders, and a photo is only taken once it is complete — its size
//! unchanged across two polls (a phone uploading over Wi-Fi writes for a
//! while). Each photo is decoded once, on a blocking thread, then moved into
//! `done/` (codes found) or `failed/` (nothing found, or not an image) inside
//! the folder, so that a restart does not scan it twice and an operator can see
//! which photos need retaking. The folder vanishing ends the session with an
//! error, and the supervisor retries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::sync::mpsc::Sender;

use super::spec::{ResolvedSpec, Transport};
use super::{DeviceEvent, ReaderError};
use crate::input::{ReaderErrors, ReaderState, ReaderStatus, Scan, Source};

/// How often the folder is listed.
pub const POLL: Duration = Duration::from_secs(1);
/// Where decoded photos go.
pub const DONE: &str = "done";
/// Where photos with no readable barcode go.
pub const FAILED: &str = "failed";

/// Runs one session on a `folder:` SPEC until the folder goes away (error) or
/// nobody listens any more (Ok).
pub async fn run_session(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let Transport::Folder(dir) = &spec.transport else {
        return Err(ReaderError::Protocol(format!(
            "{} is not a folder SPEC",
            spec.display
        )));
    };
    let dir = PathBuf::from(dir);
    open(&dir).await?;
    let connected = DeviceEvent::Status(ReaderStatus {
        source: spec.display.clone(),
        state: ReaderState::Connected,
        detail: format!("watching {}", dir.display()),
        errors: *errors,
        tags: 0,
        at: SystemTime::now(),
    });
    if tx.send(connected).await.is_err() {
        return Ok(());
    }
    let mut stable = Stability::default();
    let mut ticker = tokio::time::interval(POLL);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = tx.closed() => return Ok(()),
        }
        let listing = list(&dir).await?;
        for path in stable.observe(listing) {
            if !process(&dir, &path, tx).await? {
                return Ok(());
            }
        }
    }
}

/// Check the folder is there and make `done/` and `failed/`.
async fn open(dir: &Path) -> Result<(), ReaderError> {
    let meta = tokio::fs::metadata(dir)
        .await
        .map_err(|source| ReaderError::Open {
            what: dir.display().to_string(),
            source,
        })?;
    if !meta.is_dir() {
        return Err(ReaderError::Open {
            what: dir.display().to_string(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        });
    }
    for sub in [DONE, FAILED] {
        tokio::fs::create_dir_all(dir.join(sub))
            .await
            .map_err(|source| ReaderError::Io {
                what: format!("creating {}", dir.join(sub).display()),
                source,
            })?;
    }
    Ok(())
}

/// The photos in `dir` now, with their sizes.
async fn list(dir: &Path) -> Result<Vec<(PathBuf, u64)>, ReaderError> {
    let io = |source| ReaderError::Io {
        what: format!("listing {}", dir.display()),
        source,
    };
    let mut entries = tokio::fs::read_dir(dir).await.map_err(io)?;
    let mut out = Vec::new();
    while let Some(entry) = entries.next_entry().await.map_err(io)? {
        let path = entry.path();
        if !is_photo(&path) {
            continue;
        }
        // A file that disappears between listing and stat is simply skipped.
        if let Ok(meta) = entry.metadata().await {
            if meta.is_file() {
                out.push((path, meta.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `.png`, `.jpg`, `.jpeg` (any case), not hidden (sync tools write `.name.jpg` first).
pub fn is_photo(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_none_or(|n| n.starts_with('.'));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    !hidden && matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg"))
}

/// Decode one photo, send its codes, file it. Ok(false) when the receiver is gone.
async fn process(dir: &Path, path: &Path, tx: &Sender<DeviceEvent>) -> Result<bool, ReaderError> {
    let owned = path.to_owned();
    let decoded = tokio::task::spawn_blocking(move || super::image::decode_file(&owned)).await;
    let codes = match decoded {
        Ok(Ok(codes)) => codes,
        Ok(Err(e)) => {
            tracing::warn!("{e}");
            Vec::new()
        }
        Err(e) => {
            tracing::error!("decoding {} failed: {e}", path.display());
            Vec::new()
        }
    };
    let source = Source::Image(path.display().to_string());
    let now = SystemTime::now();
    let found = !codes.is_empty();
    for code in codes {
        let scan = Scan::new(source.clone(), code.raw, now);
        if tx.send(DeviceEvent::Scan(scan)).await.is_err() {
            // Leave the photo where it is: nobody received its codes.
            return Ok(false);
        }
    }
    file_away(dir, path, if found { DONE } else { FAILED }).await?;
    Ok(true)
}

/// Move `path` into `dir/sub/`, adding `-1`, `-2` … to the stem if the name is taken.
async fn file_away(dir: &Path, path: &Path, sub: &str) -> Result<PathBuf, ReaderError> {
    let name = path.file_name().map(PathBuf::from).unwrap_or_default();
    let target_dir = dir.join(sub);
    let mut target = target_dir.join(&name);
    let stem = name
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = name
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    let mut n = 1;
    while tokio::fs::try_exists(&target).await.unwrap_or(false) {
        target = target_dir.join(format!("{stem}-{n}{ext}"));
        n += 1;
    }
    tokio::fs::rename(path, &target)
        .await
        .map_err(|source| ReaderError::Io {
            what: format!("moving {} to {}", path.display(), target.display()),
            source,
        })?;
    Ok(target)
}

/// Which files are complete: a file is ready when it was seen at the previous
/// poll with the same, non-zero size. Pure, so that it is tested without clocks.
#[derive(Debug, Default)]
pub struct Stability {
    last: HashMap<PathBuf, u64>,
}

impl Stability {
    /// Record this poll's listing; returns the files that are ready, in order.
    pub fn observe(&mut self, listing: Vec<(PathBuf, u64)>) -> Vec<PathBuf> {
        let mut ready = Vec::new();
        let mut next = HashMap::with_capacity(listing.len());
        for (path, size) in listing {
            if size > 0 && self.last.get(&path) == Some(&size) {
                ready.push(path);
            } else {
                next.insert(path, size);
            }
        }
        self.last = next;
        ready
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[test]
    fn a_file_is_ready_when_its_size_holds_for_two_polls() {
        let mut s = Stability::default();
        assert!(s.observe(vec![(p("a.jpg"), 100)]).is_empty());
        // Still growing.
        assert!(s.observe(vec![(p("a.jpg"), 200)]).is_empty());
        assert_eq!(s.observe(vec![(p("a.jpg"), 200)]), vec![p("a.jpg")]);
        // Once handed out it is forgotten (the caller moves it away).
        assert!(s.observe(vec![(p("a.jpg"), 200)]).is_empty());
    }

    #[test]
    fn empty_files_are_never_ready() {
        let mut s = Stability::default();
        s.observe(vec![(p("a.png"), 0)]);
        assert!(s.observe(vec![(p("a.png"), 0)]).is_empty());
    }

    #[test]
    fn photos_by_extension_not_hidden() {
        assert!(is_photo(Path::new("/x/IMG_001.JPG")));
        assert!(is_photo(Path::new("/x/label.jpeg")));
        assert!(is_photo(Path::new("/x/label.png")));
        assert!(!is_photo(Path::new("/x/.label.png")));
        assert!(!is_photo(Path::new("/x/label.png.part")));
        assert!(!is_photo(Path::new("/x/notes.txt")));
    }
}
