//! The SQLite store: opening, migrating, and the one way to write.
//!
//! Why it looks like this:
//! * **A scan is never lost.** Every write goes through [`Store::write`], a
//!   `BEGIN IMMEDIATE` transaction, and [`Tx::commit`] returns only once SQLite
//!   has fsynced the WAL (`synchronous=FULL`). The journal row of a scan is in
//!   the same transaction as whatever state it changed.
//! * **Other processes may write too** (an import while the station runs), so
//!   the journal's chain head is read inside each write transaction, never
//!   cached; `BEGIN IMMEDIATE` takes the write lock up front so two writers
//!   queue (busy timeout 5 s) instead of failing half-way.
//! * **A file we do not understand is left alone.** A file that is not SQLite,
//!   is corrupt, has a schema newer than this binary, or is another
//!   application's SQLite database (schema version 0 with tables in it, another
//!   `application_id`, or a version without our tables) is refused before any
//!   pragma that writes (switching to WAL rewrites the header), byte for byte
//!   untouched. Only an empty (0-byte) or new file becomes a store.
//! * **A store we cannot write is found at start**, not on the first scan: the
//!   file, its directory (SQLite creates the -wal and -shm beside it) and any
//!   existing -wal/-shm must be writable, checked with `access(2)` so that a
//!   read-only mount counts too.
//! * **The store holds personal and financial data**: the file and its -wal and
//!   -shm are created with mode 0600 whatever the umask.
//!
//! The schema is the numbered SQL files in `migrations/` (see [`migrations`]).
//! Each aggregate has a module of plain functions over a `&Connection`: pass
//! [`Store::conn`] to read and [`Tx::conn`] to write.

pub mod assets;
pub mod batches;
pub mod catalog;
pub mod documents;
pub mod identifiers;
pub mod journal;
pub mod label_jobs;
pub mod lifecycle;
mod live;
pub mod locations;
pub mod media;
pub mod migrations;
pub mod operators;
pub mod orders;
pub mod sanitizations;
pub mod station_context;
pub mod stocktake;
pub mod sync_state;
pub mod vendors;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use journal::{EventRef, EventRow, NewEvent, VerifyReport};

/// How long a writer waits for another process's write transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `PRAGMA application_id` of a scanstation store: "SCAN". Stores made before
/// it was set have 0 and are recognised by their tables.
pub const APPLICATION_ID: i32 = 0x5343_414E;

/// Tables every scanstation store has had since its first migration.
const OUR_TABLES: &[&str] = &["assets", "identifiers", "journal"];

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Everything that can go wrong in the store, phrased for the person at the bench.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("there is no store at {path}")]
    Missing { path: PathBuf },
    #[error("{path} is not a SQLite database (wrong header); it was left untouched")]
    NotSqlite { path: PathBuf },
    #[error("{path} is damaged ({detail}); it was left untouched: restore it from a backup")]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{path} has schema version {found}, newer than this scanstation understands \
         ({supported}); it was left untouched: upgrade scanstation"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error(
        "{path} is a SQLite database of another application ({detail}); it was left untouched: \
         give scanstation a store of its own (--db PATH, a new file)"
    )]
    NotAStore { path: PathBuf, detail: String },
    #[error(
        "the store {path} cannot be written ({detail}); scans could not be saved: \
         make it writable for this user, or give another store with --db PATH"
    )]
    ReadOnly { path: PathBuf, detail: String },
    #[error("{kind} {value:?} already belongs to asset {owner}")]
    IdentifierTaken {
        kind: String,
        value: String,
        /// The owner's asset tag, or `#id` when it has none.
        owner: String,
    },
    #[error("{what} {value:?} already exists")]
    Duplicate { what: &'static str, value: String },
    #[error("no {what} {value}")]
    NotFound { what: &'static str, value: String },
    #[error("invalid {what}: {detail}")]
    Invalid { what: &'static str, detail: String },
    #[error("journal row {seq} has a payload that is not JSON: {source}")]
    BadPayload { seq: i64, source: serde_json::Error },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open store: one SQLite connection.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    _live: live::Live,
}

impl Store {
    /// Opens the store at `path`, creating it (and its directory) if needed,
    /// and brings its schema up to date. Refuses, leaving the file untouched, a
    /// file that is not SQLite, is corrupt, or is newer than this binary.
    pub fn open(path: &Path) -> Result<Store> {
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        // This process has it open already (checked, migrated): a second
        // connection must not read the header through a descriptor of its own
        // (see [`Store::another`]).
        if let Some(live) = live::Live::existing(path) {
            return Store::connect(path, live);
        }
        // Create the file ourselves with 0600 so the umask cannot widen it;
        // SQLite gives -wal and -shm the mode of the main file.
        let created = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                check_header(path)?;
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                return Err(StoreError::ReadOnly {
                    path: path.to_path_buf(),
                    detail: format!("cannot create it: {e}"),
                })
            }
            Err(e) => return Err(io(e)),
        };
        match Store::open_created(path) {
            Ok(s) => Ok(s),
            Err(e) => {
                if created {
                    // Leave nothing behind that we made for a store we refused.
                    for p in [
                        path.to_path_buf(),
                        sidecar(path, "-wal"),
                        sidecar(path, "-shm"),
                    ] {
                        let _ = std::fs::remove_file(p);
                    }
                }
                Err(e)
            }
        }
    }

    /// [`Store::open`] once the file exists.
    fn open_created(path: &Path) -> Result<Store> {
        // Before SQLite reads: reading a WAL store already needs its -shm.
        check_writable(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Nothing has written yet: check before anything does.
        let version = read_version(&conn, path)?;
        if version > migrations::LATEST {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: migrations::LATEST,
            });
        }
        check_ours(&conn, path, version)?;
        if conn.is_readonly(rusqlite::MAIN_DB)? {
            return Err(StoreError::ReadOnly {
                path: path.to_path_buf(),
                detail: "SQLite opened it read-only".into(),
            });
        }
        // Pragmas outside any transaction (journal_mode cannot change inside one).
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| classify(path, e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Invalid {
                what: "journal mode",
                detail: format!("SQLite kept {mode} instead of WAL for {}", path.display()),
            });
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        stable_plans(&conn)?;
        if version < migrations::LATEST {
            migrations::migrate(&mut conn, path)?;
        }
        restrict_sidecars(path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _live: live::Live::register(path),
        })
    }

    /// A second connection to this store, for another thread of the same
    /// process (the sync worker beside the station). Use this, never
    /// [`Store::open`], while this process has the store open: `open` reads the
    /// file's header through an ordinary file descriptor, and closing any
    /// descriptor of a file drops every POSIX lock the process holds on it —
    /// SQLite's too — after which another process that closes its connection
    /// takes the store for unused and deletes the `-wal`, commits and all.
    /// Only SQLite opens the file here (it shares its locks per process).
    pub fn another(&self) -> Result<Store> {
        Store::connect(&self.path, self._live.clone())
    }

    /// A connection to a store this process already has open: only SQLite
    /// touches the file.
    fn connect(path: &Path, live: live::Live) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        stable_plans(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _live: live,
        })
    }

    /// Opens an existing store for reading only (journal, verify, export): never
    /// creates, migrates or writes. Refuses a schema newer than this binary.
    pub fn open_readonly(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let live = match live::Live::existing(path) {
            Some(l) => l,
            None => {
                check_header(path)?;
                live::Live::register(path)
            }
        };
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| classify(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version = read_version(&conn, path)?;
        if version > migrations::LATEST {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: version,
                supported: migrations::LATEST,
            });
        }
        check_ours(&conn, path, version)?;
        if version == 0 {
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
                detail: "schema version 0: not initialised by scanstation".into(),
            });
        }
        stable_plans(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            _live: live,
        })
    }

    /// A private in-memory store with the full schema, for tests of code
    /// built on the store (no WAL, no durability).
    pub fn open_in_memory() -> Result<Store> {
        let mut conn = Connection::open_in_memory()?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        stable_plans(&conn)?;
        migrations::apply(&mut conn, migrations::LATEST)?;
        Ok(Store {
            conn,
            path: PathBuf::from(":memory:"),
            _live: live::Live::none(),
        })
    }

    /// The connection, for reads.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// How long a write waits for another process's write transaction
    /// before failing with "database is locked" ([`BUSY_TIMEOUT`] by default).
    pub fn set_busy_timeout(&self, d: Duration) -> Result<()> {
        self.conn.busy_timeout(d)?;
        Ok(())
    }

    /// Where the store lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lets this connection's page cache grow to `mib` MiB (SQLite's default is
    /// 2 MiB). A bulk write (an import of 100,000 rows) otherwise spills its
    /// pages to the WAL and reads them back while it holds the write lock.
    pub fn set_cache_mib(&self, mib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -(i64::from(mib) * 1024))?;
        Ok(())
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: the write lock is taken
    /// now, waiting up to [`BUSY_TIMEOUT`] for another writer).
    pub fn write(&mut self) -> Result<Tx<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        Ok(Tx { tx })
    }
}

/// Turns on SQLite's query planner stability guarantee. Without it, a bundled
/// SQLite (built with STAT4) marks a statement whose plan might depend on a
/// bound value — `LIMIT ?`, a `LIKE ?` — and re-prepares it every time that
/// parameter is bound again, even to the same value: the asset card's history
/// query was re-parsed on every scan, 40% of `Station::handle`'s instructions.
/// We never run ANALYZE, so the plans do not depend on values anyway.
fn stable_plans(conn: &Connection) -> Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(())
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    tx: rusqlite::Transaction<'a>,
}

impl Tx<'_> {
    /// The connection inside the transaction: pass it to the aggregate functions.
    pub fn conn(&self) -> &Connection {
        &self.tx
    }

    /// Appends an event to the journal, chained onto the head as it is inside
    /// this transaction.
    pub fn append_event(&mut self, ev: &NewEvent) -> Result<EventRef> {
        journal::append(&self.tx, ev)
    }

    /// Commits. When this returns Ok the transaction is on disk.
    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }
}

/// Refuses a non-empty file that does not start with SQLite's header, without
/// letting SQLite touch it.
fn check_header(path: &Path) -> Result<()> {
    let io = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut f = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::with_capacity(16);
    f.by_ref().take(16).read_to_end(&mut head).map_err(io)?;
    if head.is_empty() || head.as_slice() == SQLITE_MAGIC {
        Ok(())
    } else {
        Err(StoreError::NotSqlite {
            path: path.to_path_buf(),
        })
    }
}

/// Reads `user_version` and loads the schema, which is where a damaged file
/// shows itself; neither writes.
fn read_version(conn: &Connection, path: &Path) -> Result<u32> {
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| classify(path, e))?;
    u32::try_from(version).map_err(|_| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: format!("schema version {version} is out of range"),
    })
}

/// Refuses a SQLite file that is not ours, without writing: another
/// application id, schema version 0 with anything in it, or a version but not
/// our tables (another application that also counts in `user_version`).
fn check_ours(conn: &Connection, path: &Path, version: u32) -> Result<()> {
    let refuse = |detail: String| {
        Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            detail,
        })
    };
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| classify(path, e))?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return refuse(format!("application id {app_id:#010x}"));
    }
    let mut st = conn
        .prepare("SELECT name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
        .map_err(|e| classify(path, e))?;
    let names = st
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
        .map_err(|e| classify(path, e))?;
    if version == 0 && !names.is_empty() {
        let mut shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        if names.len() > 5 {
            shown.push("…");
        }
        return refuse(format!(
            "schema version 0, with tables of its own: {}",
            shown.join(", ")
        ));
    }
    if version > 0 {
        if let Some(missing) = OUR_TABLES.iter().find(|t| !names.iter().any(|n| n == *t)) {
            return refuse(format!(
                "schema version {version} but no table \"{missing}\""
            ));
        }
    }
    Ok(())
}

/// Refuses a store this process cannot write: the file, its directory (for
/// the -wal and -shm SQLite creates and deletes) and existing sidecars.
/// `access(2)` answers for this user and for read-only mounts; SQLite's own
/// view (it opens a write-protected file read-only) is checked after opening.
fn check_writable(path: &Path) -> Result<()> {
    use nix::unistd::{access, AccessFlags};
    let refuse = |detail: String| {
        Err(StoreError::ReadOnly {
            path: path.to_path_buf(),
            detail,
        })
    };
    if let Err(e) = access(path, AccessFlags::W_OK) {
        return refuse(format!("the file is not writable: {}", e.desc()));
    }
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(d) => d,
        None => Path::new("."),
    };
    if let Err(e) = access(dir, AccessFlags::W_OK | AccessFlags::X_OK) {
        return refuse(format!(
            "its directory {} is not writable ({}); SQLite keeps the -wal and -shm files there",
            dir.display(),
            e.desc()
        ));
    }
    for suffix in ["-wal", "-shm"] {
        let p = sidecar(path, suffix);
        if p.exists() {
            if let Err(e) = access(&p, AccessFlags::W_OK) {
                return refuse(format!("{} is not writable: {}", p.display(), e.desc()));
            }
        }
    }
    Ok(())
}

/// `path` with `suffix` appended (`station.db-wal`).
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// Turns SQLite's "not a database" and "malformed" into our clear variants.
fn classify(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::NotSqlite {
            path: path.to_path_buf(),
        },
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        },
        Some(ErrorCode::CannotOpen) | Some(ErrorCode::PermissionDenied) => StoreError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        },
        _ => StoreError::Sqlite(e),
    }
}

/// The -wal and -shm files: 0600, whatever created them.
fn restrict_sidecars(path: &Path) -> Result<()> {
    for suffix in ["-wal", "-shm"] {
        let p = sidecar(path, suffix);
        match std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(StoreError::Io { path: p, source }),
        }
    }
    Ok(())
}

/// True when `e` is a UNIQUE constraint failing.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Maps a UNIQUE failure to [`StoreError::Duplicate`], anything else through.
pub(crate) fn dup<'v>(
    what: &'static str,
    value: &'v str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'v {
    move |e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate {
                what,
                value: value.to_string(),
            }
        } else {
            StoreError::Sqlite(e)
        }
    }
}

/// Rejects an empty or blank name/code with a clear message.
pub(crate) fn non_empty<'s>(what: &'static str, value: &'s str) -> Result<&'s str> {
    let v = value.trim();
    if v.is_empty() {
        Err(StoreError::Invalid {
            what,
            detail: "must not be empty".into(),
        })
    } else {
        Ok(v)
    }
}
