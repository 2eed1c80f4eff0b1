//! Running an import in three steps, so that the write lock is held only for
//! the inserts:
//!
//! 1. [`parse`] — pure: every file read, every row parsed and validated,
//!    across files too (a tag in two files). No store is touched, so a bad
//!    file never creates or opens one.
//! 2. [`check`] — reads the store without the write lock: what it already has
//!    (a tag, a serial, a code), what each row will do (create, or update
//!    with `--update`), which parents are missing.
//! 3. [`write`] — one `BEGIN IMMEDIATE` transaction: the entities the rows
//!    name that the store lacks, the rows and their journal events. A row
//!    that another writer made impossible since the check (a tag enrolled in
//!    between) fails on the store's own unique checks and rolls everything
//!    back: still all or nothing.

use super::assets::{self, AssetRow};
use super::fields::format_date;
use super::registers::{self, LocationRow, OperatorRow, VendorRow};
use super::table::Table;
use super::{write_assets, ImportError, RowError};
use crate::config::{IdentifyConfig, ImportConfig};
use crate::station::classify::{Classifier, IdentityKind};
use crate::store::{self, journal::NewEvent, Store, StoreError, Tx};
use rusqlite::Connection;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

/// The page cache an import's connection may use (see [`Store::set_cache_mib`]).
const IMPORT_CACHE_MIB: u32 = 256;

/// Which register a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Assets,
    Locations,
    Operators,
    Vendors,
}

impl Register {
    pub fn as_str(self) -> &'static str {
        match self {
            Register::Assets => "assets",
            Register::Locations => "locations",
            Register::Operators => "operators",
            Register::Vendors => "vendors",
        }
    }

    fn columns(self) -> &'static [super::table::Column] {
        match self {
            Register::Assets => assets::COLUMNS,
            Register::Locations => registers::LOCATION_COLUMNS,
            Register::Operators => registers::OPERATOR_COLUMNS,
            Register::Vendors => registers::VENDOR_COLUMNS,
        }
    }
}

/// Who is importing, for the journal.
#[derive(Debug, Clone)]
pub struct Importer<'a> {
    pub station: &'a str,
    pub operator: Option<&'a str>,
    pub training: bool,
    /// The station's classification rules: when given, codes that would not
    /// scan as what they are (a location code that is not a location label,
    /// an asset tag that reads as a badge) are warned about.
    pub identify: Option<&'a IdentifyConfig>,
}

/// How an import treats what the store already has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Assets: a row whose tag the store has updates that asset (the cells it
    /// fills), instead of refusing the import.
    pub update: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows imported (created or updated).
    pub rows: usize,
    /// Of which: assets updated (`--update`), and of those, how many changed.
    pub updated: usize,
    pub changed: usize,
    /// What it created besides the rows, grouped: `"locations" -> ["LOC-A", …]`.
    pub created: BTreeMap<String, Vec<String>>,
    /// Headers it ignored, and other things worth saying (never errors).
    pub warnings: Vec<String>,
    /// The journal range written (first, last seq).
    pub seqs: (i64, i64),
    /// SHA-256 of the (first) file, lower-case hex; every file's is in `files`.
    pub sha256: String,
    /// (file, SHA-256, rows) of each file.
    pub files: Vec<(String, String, usize)>,
    /// How long the write transaction held the store's write lock.
    pub lock_held: Duration,
}

impl ImportReport {
    /// `created 3 locations: LOC-A, LOC-B, LOC-C`, one line per kind.
    pub fn created_lines(&self) -> Vec<String> {
        self.created
            .iter()
            .map(|(what, names)| format!("created {} {what}: {}", names.len(), names.join(", ")))
            .collect()
    }
}

/// The files of one import, parsed and validated on their own (step 1).
pub struct Parsed {
    pub register: Register,
    pub rows: Rows,
    /// (file, SHA-256, rows) in the order given.
    pub files: Vec<(String, String, usize)>,
    pub warnings: Vec<String>,
    /// Each file's table, for naming columns as the file spells them.
    tables: Vec<Table>,
}

/// The rows of every file, in file order (locations: parents first).
pub enum Rows {
    Assets(Vec<(usize, AssetRow)>),
    Locations(Vec<(usize, LocationRow)>),
    Operators(Vec<(usize, OperatorRow)>),
    Vendors(Vec<(usize, VendorRow)>),
}

impl Parsed {
    /// An error about a row of file `f`, the column as that file spells it.
    pub(super) fn err(&self, f: usize, line: u64, col: &str, msg: String) -> RowError {
        let t = &self.tables[f];
        RowError::new(&t.file, line, &t.header(col), msg)
    }

    fn file_names(&self) -> String {
        let names: Vec<&str> = self.files.iter().map(|(n, _, _)| n.as_str()).collect();
        names.join(", ")
    }

    fn invalid(&self, errors: Vec<RowError>) -> ImportError {
        ImportError::Invalid {
            file: self.file_names(),
            errors,
        }
    }
}

/// What each asset row will do, decided by [`check`] (step 2).
pub struct Plan {
    /// For each asset row (same order): the asset it updates, or `None` to create.
    pub targets: Vec<Option<i64>>,
}

/// Reads `path` and imports it; see [`import_bytes`].
pub fn import_file(
    store: &mut Store,
    register: Register,
    path: &Path,
    cfg: &ImportConfig,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ImportError::Unreadable {
        file: name.clone(),
        source,
    })?;
    import_bytes(store, register, &name, &bytes, cfg, who)
}

/// Imports one file, creating only; see [`import_sources`].
pub fn import_bytes(
    store: &mut Store,
    register: Register,
    file: &str,
    bytes: &[u8],
    cfg: &ImportConfig,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    import_sources(
        store,
        register,
        &[(file, bytes)],
        cfg,
        who,
        Options::default(),
    )
}

/// The three steps over several files (name, bytes), all or nothing across them.
pub fn import_sources(
    store: &mut Store,
    register: Register,
    sources: &[(&str, &[u8])],
    cfg: &ImportConfig,
    who: &Importer<'_>,
    opts: Options,
) -> Result<ImportReport, ImportError> {
    let parsed = parse(register, sources, cfg, who.identify)?;
    let plan = check(store.conn(), &parsed, opts)?;
    write(store, &parsed, &plan, who)
}

/// Step 1: parses every file; pure. All errors of all files, or the rows.
pub fn parse(
    register: Register,
    sources: &[(&str, &[u8])],
    cfg: &ImportConfig,
    identify: Option<&IdentifyConfig>,
) -> Result<Parsed, ImportError> {
    let mut errors = Vec::new();
    let mut tables = Vec::new();
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    for (name, bytes) in sources {
        match Table::read(name, bytes, register.columns()) {
            Ok(t) => {
                warnings.extend(
                    t.ignored
                        .iter()
                        .map(|h| format!("{name}: unknown column \"{h}\" ignored")),
                );
                files.push((
                    name.to_string(),
                    hex::encode(Sha256::digest(bytes)),
                    t.rows.len(),
                ));
                tables.push(t);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    let all_names = || {
        sources
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !errors.is_empty() {
        return Err(ImportError::Invalid {
            file: all_names(),
            errors,
        });
    }
    fn each<T>(
        tables: &[Table],
        errors: &mut Vec<RowError>,
        f: impl Fn(&Table) -> Result<Vec<T>, Vec<RowError>>,
    ) -> Vec<(usize, T)> {
        let mut out = Vec::new();
        for (i, t) in tables.iter().enumerate() {
            match f(t) {
                Ok(rows) => out.extend(rows.into_iter().map(|r| (i, r))),
                Err(mut e) => errors.append(&mut e),
            }
        }
        out
    }
    let rows = match register {
        Register::Assets => Rows::Assets(each(&tables, &mut errors, |t| assets::parse(t, cfg))),
        Register::Locations => {
            Rows::Locations(each(&tables, &mut errors, registers::parse_locations))
        }
        Register::Operators => {
            Rows::Operators(each(&tables, &mut errors, registers::parse_operators))
        }
        Register::Vendors => Rows::Vendors(each(&tables, &mut errors, registers::parse_vendors)),
    };
    let mut parsed = Parsed {
        register,
        rows,
        files,
        warnings,
        tables,
    };
    if errors.is_empty() && sources.len() > 1 {
        errors = across_files(&mut parsed);
    }
    if !errors.is_empty() {
        return Err(ImportError::Invalid {
            file: all_names(),
            errors,
        });
    }
    if let Some(c) = identify.and_then(|i| Classifier::new(i).ok()) {
        let w = scan_warnings(&c, &parsed);
        parsed.warnings.extend(w);
    }
    Ok(parsed)
}

/// The checks each file made on its own, across files: a key twice; and
/// locations ordered parents first over all files.
fn across_files(p: &mut Parsed) -> Vec<RowError> {
    let mut errors = Vec::new();
    let mut seen: HashMap<(&'static str, String), (usize, u64)> = HashMap::new();
    let mut keys: Vec<(usize, u64, &'static str, String)> = Vec::new();
    match &p.rows {
        Rows::Assets(rows) => {
            for (f, r) in rows {
                keys.push((*f, r.line, "Asset Tag", r.tag.clone()));
                for (col, v) in [("Serial", &r.serial), ("EPC", &r.epc), ("GIAI", &r.giai)] {
                    if let Some(v) = v {
                        keys.push((*f, r.line, col, v.clone()));
                    }
                }
            }
        }
        Rows::Locations(rows) => {
            for (f, r) in rows {
                keys.push((*f, r.line, "Code", r.code.clone()));
            }
        }
        Rows::Operators(rows) => {
            for (f, r) in rows {
                keys.push((*f, r.line, "Badge", r.badge.clone()));
            }
        }
        Rows::Vendors(rows) => {
            for (f, r) in rows {
                keys.push((*f, r.line, "Name", r.name.to_lowercase()));
            }
        }
    }
    for (f, line, col, v) in keys {
        match seen.get(&(col, v.clone())) {
            Some((ff, fl)) => errors.push(p.err(
                f,
                line,
                col,
                format!("\"{v}\" is also in {} (line {fl})", p.tables[*ff].file),
            )),
            None => {
                seen.insert((col, v), (f, line));
            }
        }
    }
    if let Rows::Locations(rows) = &mut p.rows {
        let all = std::mem::take(rows);
        let in_files: HashSet<String> = all.iter().map(|(_, r)| r.code.clone()).collect();
        let mut done: HashSet<String> = HashSet::new();
        let mut pending = all;
        while !pending.is_empty() {
            let before = pending.len();
            let (ready, rest): (Vec<_>, Vec<_>) =
                pending.into_iter().partition(|(_, r)| match &r.parent {
                    Some(par) if in_files.contains(par) => done.contains(par),
                    _ => true,
                });
            for (f, r) in ready {
                done.insert(r.code.clone());
                rows.push((f, r));
            }
            pending = rest;
            if pending.len() == before {
                for (f, r) in &pending {
                    errors.push(p.err(
                        *f,
                        r.line,
                        "Parent Code",
                        format!(
                            "\"{}\" makes a cycle of parents",
                            r.parent.as_deref().unwrap_or_default()
                        ),
                    ));
                }
                break;
            }
        }
    }
    errors
}

/// Step 2: the checks that need the store, read without the write lock:
/// codes, badges, names, tags and identifiers it already has (an asset's own
/// when updating), parents it lacks.
pub fn check(conn: &Connection, p: &Parsed, opts: Options) -> Result<Plan, ImportError> {
    let store_err = |e: StoreError| ImportError::Store(e.to_string());
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    match &p.rows {
        Rows::Assets(rows) => {
            for (f, r) in rows {
                let existing =
                    store::identifiers::owner(conn, "asset_tag", &r.tag).map_err(store_err)?;
                if existing.is_some() && !opts.update {
                    errors.push(p.err(
                        *f,
                        r.line,
                        "Asset Tag",
                        format!(
                            "\"{}\" is already in the store (import assets --update updates it)",
                            r.tag
                        ),
                    ));
                }
                for (col, kind, v) in [
                    ("Serial", "serial", &r.serial),
                    ("EPC", "epc", &r.epc),
                    ("GIAI", "giai", &r.giai),
                ] {
                    let Some(v) = v else { continue };
                    let owner = store::identifiers::owner(conn, kind, v).map_err(store_err)?;
                    if owner.is_some() && owner != existing {
                        errors.push(p.err(
                            *f,
                            r.line,
                            col,
                            format!("\"{v}\" is already in the store"),
                        ));
                    }
                }
                if r.model.is_none() && (r.manufacturer.is_some() || r.category.is_some()) {
                    let col = if r.manufacturer.is_some() {
                        "Manufacturer"
                    } else {
                        "Category"
                    };
                    errors.push(p.err(
                        *f,
                        r.line,
                        col,
                        "is given but Model is empty (an asset's manufacturer and category are its model's)".into(),
                    ));
                }
                for g in &r.gtins {
                    let owner = store::catalog::model_by_gtin(conn, g).map_err(store_err)?;
                    if let Some(other) = owner {
                        let m = store::catalog::get_model(conn, other).map_err(store_err)?;
                        if let Some(m) = m.filter(|m| Some(&m.name) != r.model.as_ref()) {
                            errors.push(p.err(
                                *f,
                                r.line,
                                "GTIN",
                                format!("\"{g}\" is already the GTIN of model \"{}\"", m.name),
                            ));
                        }
                    }
                }
                targets.push(existing);
            }
        }
        Rows::Locations(rows) => {
            let in_file: HashSet<&str> = rows.iter().map(|(_, r)| r.code.as_str()).collect();
            for (f, r) in rows {
                if store::locations::by_code(conn, &r.code)
                    .map_err(store_err)?
                    .is_some()
                {
                    errors.push(p.err(
                        *f,
                        r.line,
                        "Code",
                        format!("\"{}\" is already in the store", r.code),
                    ));
                }
                if let Some(par) = &r.parent {
                    if !in_file.contains(par.as_str())
                        && store::locations::by_code(conn, par)
                            .map_err(store_err)?
                            .is_none()
                    {
                        errors.push(p.err(
                            *f,
                            r.line,
                            "Parent Code",
                            format!("\"{par}\" is neither in the file nor in the store"),
                        ));
                    }
                }
                if let Some(g) = &r.gln {
                    if store::locations::by_gln(conn, g)
                        .map_err(store_err)?
                        .is_some()
                    {
                        errors.push(p.err(
                            *f,
                            r.line,
                            "GLN",
                            format!("\"{g}\" is already in the store"),
                        ));
                    }
                }
            }
        }
        Rows::Operators(rows) => {
            for (f, r) in rows {
                if store::operators::by_badge(conn, &r.badge)
                    .map_err(store_err)?
                    .is_some()
                {
                    errors.push(p.err(
                        *f,
                        r.line,
                        "Badge",
                        format!("\"{}\" is already in the store", r.badge),
                    ));
                }
            }
        }
        Rows::Vendors(rows) => {
            for (f, r) in rows {
                if store::vendors::by_name(conn, &r.name)
                    .map_err(store_err)?
                    .is_some()
                {
                    errors.push(p.err(
                        *f,
                        r.line,
                        "Name",
                        format!("\"{}\" is already in the store", r.name),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(Plan { targets })
    } else {
        Err(p.invalid(errors))
    }
}

/// Step 3: one write transaction with everything, or nothing.
pub fn write(
    store: &mut Store,
    p: &Parsed,
    plan: &Plan,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    let store_err = |e: StoreError| ImportError::Store(e.to_string());
    let mut report = ImportReport {
        warnings: p.warnings.clone(),
        files: p.files.clone(),
        sha256: p.files.first().map(|f| f.1.clone()).unwrap_or_default(),
        ..Default::default()
    };
    // Room for the whole import's pages, so that the write does not spill.
    store.set_cache_mib(IMPORT_CACHE_MIB).map_err(store_err)?;
    let started = Instant::now();
    let tx = store.write().map_err(store_err)?;
    let mut j = Writer {
        tx,
        who,
        at: SystemTime::now(),
        first: None,
        last: 0,
    };
    for (file, sha, rows) in &p.files {
        j.append(
            &format!("import.{}", p.register.as_str()),
            json!({"file": file, "sha256": sha, "rows": rows}),
        )
        .map_err(store_err)?;
    }
    write_rows(&mut j, p, plan, &mut report).map_err(|e| match e {
        // Another writer got there between the check and the lock.
        StoreError::IdentifierTaken { .. } | StoreError::Duplicate { .. } => ImportError::Invalid {
            file: p.file_names(),
            errors: vec![RowError {
                file: p.file_names(),
                line: 0,
                column: None,
                message: format!(
                    "{e} (written since the files were checked; nothing imported, try again)"
                ),
            }],
        },
        other => store_err(other),
    })?;
    report.seqs = (j.first.unwrap_or(0), j.last);
    j.tx.commit().map_err(store_err)?;
    report.lock_held = started.elapsed();
    Ok(report)
}

pub(super) struct Writer<'a, 'w> {
    pub(super) tx: Tx<'a>,
    who: &'w Importer<'w>,
    at: SystemTime,
    first: Option<i64>,
    last: i64,
}

impl Writer<'_, '_> {
    pub(super) fn conn(&self) -> &Connection {
        self.tx.conn()
    }
    pub(super) fn append(&mut self, kind: &str, payload: Value) -> Result<i64, StoreError> {
        let r = self.tx.append_event(&NewEvent {
            at: self.at,
            station: self.who.station,
            operator: self.who.operator,
            kind,
            training: self.who.training,
            payload,
        })?;
        self.first.get_or_insert(r.seq);
        self.last = r.seq;
        Ok(r.seq)
    }
}

pub(super) fn note(report: &mut ImportReport, what: &str, name: &str) {
    report
        .created
        .entry(what.to_string())
        .or_default()
        .push(name.to_string());
}

fn write_rows(
    j: &mut Writer<'_, '_>,
    p: &Parsed,
    plan: &Plan,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    match &p.rows {
        Rows::Assets(rows) => write_assets::write(j, p, rows, &plan.targets, report)?,
        Rows::Locations(rows) => {
            for (_, r) in rows {
                let parent = match &r.parent {
                    Some(par) => store::locations::by_code(j.conn(), par)?.map(|l| l.id),
                    None => None,
                };
                let id =
                    store::locations::create(j.conn(), &r.code, &r.name, parent, r.gln.as_deref())?;
                j.append(
                    "location.created",
                    json!({"location_id": id, "code": r.code, "name": r.name, "parent": r.parent, "gln": r.gln, "via": "import"}),
                )?;
            }
            report.rows = rows.len();
        }
        Rows::Operators(rows) => {
            for (_, r) in rows {
                let id = store::operators::create(j.conn(), &r.badge, &r.name, &r.role)?;
                j.append(
                    "operator.created",
                    json!({"operator_id": id, "badge": r.badge, "name": r.name, "role": r.role, "via": "import"}),
                )?;
            }
            report.rows = rows.len();
        }
        Rows::Vendors(rows) => {
            for (_, r) in rows {
                let certs: Vec<(String, Option<String>)> = r
                    .certifications
                    .iter()
                    .map(|(c, e)| (c.clone(), e.map(format_date)))
                    .collect();
                let id = store::vendors::create(j.conn(), &r.name, &r.kind, None, None)?;
                for (c, e) in &certs {
                    store::vendors::add_certification(j.conn(), id, c, e.as_deref())?;
                }
                let first = certs.first();
                j.append(
                    "vendor.created",
                    json!({"vendor_id": id, "name": r.name, "kind": r.kind,
                           "certification": first.map(|c| &c.0),
                           "certification_expires": first.and_then(|c| c.1.as_ref()),
                           "certifications": certs.iter()
                               .map(|(c, e)| json!({"certification": c, "expires": e}))
                               .collect::<Vec<_>>(),
                           "via": "import"}),
                )?;
            }
            report.rows = rows.len();
        }
    }
    Ok(())
}

/// Codes that the station would not take for what they are when scanned.
fn scan_warnings(c: &Classifier, p: &Parsed) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |f: usize, line: u64, what: &str, code: &str, want: &[IdentityKind]| {
        let kind = c.classify(code.as_bytes()).kind;
        if !want.contains(&kind) {
            out.push(format!(
                "{}:{line}: {what} \"{code}\" scans as {}, not as a {what} (see [identify] in the config)",
                p.tables[f].file,
                kind.as_str()
            ));
        }
    };
    let asset_kinds = [
        IdentityKind::AssetTag,
        IdentityKind::Serial,
        IdentityKind::Unknown,
        IdentityKind::GtinSerial,
        IdentityKind::Giai,
    ];
    match &p.rows {
        Rows::Assets(rows) => {
            for (f, r) in rows {
                check(*f, r.line, "asset tag", &r.tag, &asset_kinds);
                if let Some(l) = r.location.as_ref().filter(|l| !l.derived) {
                    check(
                        *f,
                        r.line,
                        "location code",
                        &l.code,
                        &[IdentityKind::Location],
                    );
                }
            }
        }
        Rows::Locations(rows) => {
            for (f, r) in rows {
                check(
                    *f,
                    r.line,
                    "location code",
                    &r.code,
                    &[IdentityKind::Location],
                );
            }
        }
        Rows::Operators(rows) => {
            for (f, r) in rows {
                check(*f, r.line, "badge", &r.badge, &[IdentityKind::Operator]);
            }
        }
        Rows::Vendors(_) => {}
    }
    out
}
