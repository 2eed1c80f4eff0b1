//! Writing a validated import: checks against the store and all the inserts
//! inside ONE transaction, so that an import racing the station (or another
//! import) is still all or nothing.

use super::assets::{self, AssetRow};
use super::fields::format_date;
use super::registers::{self, LocationRow, OperatorRow, VendorRow};
use super::table::Table;
use super::{ImportError, RowError};
use crate::config::{IdentifyConfig, ImportConfig};
use crate::station::classify::{Classifier, IdentityKind};
use crate::store::assets::NewAsset;
use crate::store::{self, journal::NewEvent, Store, StoreError, Tx};
use rusqlite::Connection;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

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

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows imported.
    pub rows: usize,
    /// What it created besides the rows, grouped: `"locations" -> ["LOC-A", …]`.
    pub created: BTreeMap<String, Vec<String>>,
    /// Headers it ignored, and other things worth saying (never errors).
    pub warnings: Vec<String>,
    /// The journal range written (first, last seq).
    pub seqs: (i64, i64),
    /// SHA-256 of the file, lower-case hex.
    pub sha256: String,
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

/// Parses and validates every row, then writes all of them in one transaction,
/// or nothing.
pub fn import_bytes(
    store: &mut Store,
    register: Register,
    file: &str,
    bytes: &[u8],
    cfg: &ImportConfig,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    let invalid = |errors: Vec<RowError>| ImportError::Invalid {
        file: file.to_string(),
        errors,
    };
    let columns = match register {
        Register::Assets => assets::COLUMNS,
        Register::Locations => registers::LOCATION_COLUMNS,
        Register::Operators => registers::OPERATOR_COLUMNS,
        Register::Vendors => registers::VENDOR_COLUMNS,
    };
    let table = Table::read(file, bytes, columns).map_err(invalid)?;
    let mut report = ImportReport {
        sha256: hex::encode(Sha256::digest(bytes)),
        warnings: table
            .ignored
            .iter()
            .map(|h| format!("{file}: unknown column \"{h}\" ignored"))
            .collect(),
        ..Default::default()
    };
    let parsed = match register {
        Register::Assets => Parsed::Assets(assets::parse(&table, cfg).map_err(invalid)?),
        Register::Locations => {
            Parsed::Locations(registers::parse_locations(&table).map_err(invalid)?)
        }
        Register::Operators => {
            Parsed::Operators(registers::parse_operators(&table).map_err(invalid)?)
        }
        Register::Vendors => Parsed::Vendors(registers::parse_vendors(&table).map_err(invalid)?),
    };
    if let Some(c) = who.identify.and_then(|i| Classifier::new(i).ok()) {
        report.warnings.extend(scan_warnings(&c, file, &parsed));
    }
    let store_err = |e: StoreError| ImportError::Store(e.to_string());
    let tx = store.write().map_err(store_err)?;
    let errors = check_against_store(tx.conn(), &table, &parsed).map_err(store_err)?;
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let mut j = Writer {
        tx,
        who,
        at: SystemTime::now(),
        first: None,
        last: 0,
    };
    let summary_at = j.append(
        &format!("import.{}", register.as_str()),
        json!({"file": file, "sha256": report.sha256, "rows": table.rows.len()}),
    );
    summary_at.map_err(store_err)?;
    write(&mut j, &parsed, &mut report).map_err(store_err)?;
    report.seqs = (j.first.unwrap_or(0), j.last);
    j.tx.commit().map_err(store_err)?;
    Ok(report)
}

enum Parsed {
    Assets(Vec<AssetRow>),
    Locations(Vec<LocationRow>),
    Operators(Vec<OperatorRow>),
    Vendors(Vec<VendorRow>),
}

struct Writer<'a, 'w> {
    tx: Tx<'a>,
    who: &'w Importer<'w>,
    at: SystemTime,
    first: Option<i64>,
    last: i64,
}

impl Writer<'_, '_> {
    fn conn(&self) -> &Connection {
        self.tx.conn()
    }
    fn append(&mut self, kind: &str, payload: Value) -> Result<i64, StoreError> {
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

/// The checks that need the store: codes, badges, names, tags and serials it
/// already has; parents it lacks.
fn check_against_store(
    conn: &Connection,
    table: &Table,
    parsed: &Parsed,
) -> Result<Vec<RowError>, StoreError> {
    let mut errors = Vec::new();
    let err = |line: u64, col: &str, msg: String| {
        RowError::new(&table.file, line, &table.header(col), msg)
    };
    match parsed {
        Parsed::Assets(rows) => {
            for r in rows {
                if store::identifiers::owner(conn, "asset_tag", &r.tag)?.is_some() {
                    errors.push(err(
                        r.line,
                        "Asset Tag",
                        format!("\"{}\" is already in the store", r.tag),
                    ));
                }
                if let Some(s) = &r.serial {
                    if store::identifiers::owner(conn, "serial", s)?.is_some() {
                        errors.push(err(
                            r.line,
                            "Serial",
                            format!("\"{s}\" is already in the store"),
                        ));
                    }
                }
                if r.model.is_none() && (r.manufacturer.is_some() || r.category.is_some()) {
                    let col = if r.manufacturer.is_some() {
                        "Manufacturer"
                    } else {
                        "Category"
                    };
                    errors.push(err(
                        r.line,
                        col,
                        "is given but Model is empty (an asset's manufacturer and category are its model's)".into(),
                    ));
                }
            }
        }
        Parsed::Locations(rows) => {
            let in_file: std::collections::HashSet<&str> =
                rows.iter().map(|r| r.code.as_str()).collect();
            for r in rows {
                if store::locations::by_code(conn, &r.code)?.is_some() {
                    errors.push(err(
                        r.line,
                        "Code",
                        format!("\"{}\" is already in the store", r.code),
                    ));
                }
                if let Some(p) = &r.parent {
                    if !in_file.contains(p.as_str())
                        && store::locations::by_code(conn, p)?.is_none()
                    {
                        errors.push(err(
                            r.line,
                            "Parent Code",
                            format!("\"{p}\" is neither in the file nor in the store"),
                        ));
                    }
                }
                if let Some(g) = &r.gln {
                    if store::locations::by_gln(conn, g)?.is_some() {
                        errors.push(err(
                            r.line,
                            "GLN",
                            format!("\"{g}\" is already in the store"),
                        ));
                    }
                }
            }
        }
        Parsed::Operators(rows) => {
            for r in rows {
                if store::operators::by_badge(conn, &r.badge)?.is_some() {
                    errors.push(err(
                        r.line,
                        "Badge",
                        format!("\"{}\" is already in the store", r.badge),
                    ));
                }
            }
        }
        Parsed::Vendors(rows) => {
            for r in rows {
                if store::vendors::by_name(conn, &r.name)?.is_some() {
                    errors.push(err(
                        r.line,
                        "Name",
                        format!("\"{}\" is already in the store", r.name),
                    ));
                }
            }
        }
    }
    Ok(errors)
}

fn note(report: &mut ImportReport, what: &str, name: &str) {
    report
        .created
        .entry(what.to_string())
        .or_default()
        .push(name.to_string());
}

fn write(
    j: &mut Writer<'_, '_>,
    parsed: &Parsed,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    match parsed {
        Parsed::Assets(rows) => {
            for r in rows {
                write_asset(j, r, report)?;
            }
            report.rows = rows.len();
        }
        Parsed::Locations(rows) => {
            for r in rows {
                let parent = match &r.parent {
                    Some(p) => store::locations::by_code(j.conn(), p)?.map(|l| l.id),
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
        Parsed::Operators(rows) => {
            for r in rows {
                let id = store::operators::create(j.conn(), &r.badge, &r.name, &r.role)?;
                j.append(
                    "operator.created",
                    json!({"operator_id": id, "badge": r.badge, "name": r.name, "role": r.role, "via": "import"}),
                )?;
            }
            report.rows = rows.len();
        }
        Parsed::Vendors(rows) => {
            for r in rows {
                let expires = r.certification_expires.map(format_date);
                let id = store::vendors::create(
                    j.conn(),
                    &r.name,
                    &r.kind,
                    r.certification.as_deref(),
                    expires.as_deref(),
                )?;
                j.append(
                    "vendor.created",
                    json!({"vendor_id": id, "name": r.name, "kind": r.kind, "certification": r.certification, "certification_expires": expires, "via": "import"}),
                )?;
            }
            report.rows = rows.len();
        }
    }
    Ok(())
}

/// The location an asset row names. With a Location Code: that code, else
/// created. With only a name: the location of that name, else one created
/// under the derived code (`-2`, `-3` … appended when another location
/// already has it). Each one created is journaled as `location.created`.
fn location_for(
    j: &mut Writer<'_, '_>,
    loc: &assets::LocationRef,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let mut code = loc.code.clone();
    if loc.derived {
        if let Some(name) = &loc.name {
            if let Some(id) = location_by_name(j.conn(), name)? {
                return Ok(id);
            }
        }
        let mut n = 1;
        while store::locations::by_code(j.conn(), &code)?.is_some() {
            n += 1;
            code = format!("{}-{n}", loc.code);
        }
    } else if let Some(l) = store::locations::by_code(j.conn(), &code)? {
        return Ok(l.id);
    }
    let name = loc.name.as_deref().unwrap_or(&code);
    let id = store::locations::create(j.conn(), &code, name, None, None)?;
    j.append(
        "location.created",
        json!({"location_id": id, "code": code, "name": name, "via": "import"}),
    )?;
    note(report, "locations", &code);
    Ok(id)
}

/// The first location of this name, compared case-insensitively (as people
/// type names in spreadsheets).
fn location_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    use rusqlite::OptionalExtension as _;
    Ok(conn
        .prepare_cached(
            "SELECT id FROM locations WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1",
        )?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

fn write_asset(
    j: &mut Writer<'_, '_>,
    r: &AssetRow,
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let location_id = match &r.location {
        Some(loc) => Some(location_for(j, loc, report)?),
        None => None,
    };
    let model_id = match &r.model {
        Some(m) => {
            let (id, created) = store::catalog::get_or_create_model(
                j.conn(),
                m,
                r.manufacturer.as_deref(),
                r.category.as_deref(),
            )?;
            for c in created {
                // "manufacturer Dell" -> ("manufacturers", "Dell")
                let (what, name) = c.split_once(' ').unwrap_or(("entities", c.as_str()));
                let what = match what {
                    "category" => "categories".to_string(),
                    w => format!("{w}s"),
                };
                note(report, &what, name);
            }
            Some(id)
        }
        None => None,
    };
    let supplier_id = match &r.supplier {
        Some(s) => {
            let (id, created) = store::vendors::get_or_create_supplier(j.conn(), s)?;
            if created {
                note(report, "suppliers", s);
            }
            Some(id)
        }
        None => None,
    };
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = &r.serial {
        extra.push(("serial", s.as_str()));
    }
    let new = NewAsset {
        tag: r.tag.clone(),
        status: r.status.clone(),
        model_id,
        location_id,
        supplier_id,
        order_number: r.order_number.clone(),
        cost_minor: r.cost.as_ref().map(|c| c.0),
        currency: r.cost.as_ref().map(|c| c.1.clone()),
        purchase_date: r.purchase_date.map(format_date),
        warranty_end: r.warranty_end.map(format_date),
        ..Default::default()
    };
    let id = store::assets::insert(j.conn(), &new, &extra)?;
    j.append(
        "asset.created",
        store::assets::created_payload(id, &new, &extra, "import", json!({"line": r.line})),
    )?;
    Ok(())
}

/// Codes that the station would not take for what they are when scanned.
fn scan_warnings(c: &Classifier, file: &str, parsed: &Parsed) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |line: u64, what: &str, code: &str, want: &[IdentityKind]| {
        let kind = c.classify(code.as_bytes()).kind;
        if !want.contains(&kind) {
            out.push(format!(
                "{file}:{line}: {what} \"{code}\" scans as {}, not as a {what} (see [identify] in the config)",
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
    match parsed {
        Parsed::Assets(rows) => {
            for r in rows {
                check(r.line, "asset tag", &r.tag, &asset_kinds);
                if let Some(l) = r.location.as_ref().filter(|l| !l.derived) {
                    check(r.line, "location code", &l.code, &[IdentityKind::Location]);
                }
            }
        }
        Parsed::Locations(rows) => {
            for r in rows {
                check(r.line, "location code", &r.code, &[IdentityKind::Location]);
            }
        }
        Parsed::Operators(rows) => {
            for r in rows {
                check(r.line, "badge", &r.badge, &[IdentityKind::Operator]);
            }
        }
        Parsed::Vendors(_) => {}
    }
    out
}
