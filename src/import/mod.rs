//! Importing registers from CSV files: assets (Snipe-IT's export columns),
//! locations, operators and vendors; and exporting assets back.
//!
//! An import of one or more files is all or nothing, in three steps (see
//! [`apply`]). First every row of every file is parsed and validated — against
//! the file itself and the other files (a tag twice) — without touching any
//! store; then against the store (a tag or serial it already has), read
//! without the write lock; every error is collected with `file:line` (the
//! file's physical line, header = 1) and the column as the file names it. Only
//! when no row is bad does one transaction, holding the write lock only for
//! the inserts, write everything: the entities the files name that the store
//! lacks (locations, models, manufacturers, categories, suppliers), the rows
//! themselves, and journal events (`import.<register>` with each file's
//! SHA-256 and row count, then one `<thing>.created` event per created row or
//! entity, `asset.updated` per asset an `--update` changed, `model.updated`
//! when GTINs or Holds Media change a model).
//!
//! Parsing ([`table`], [`fields`], [`assets`], [`registers`]) is pure; [`apply`]
//! touches the store; [`export`] reads it back in the same columns.

pub mod apply;
pub mod assets;
pub mod export;
pub mod fields;
pub mod orders;
pub mod registers;
pub mod table;
mod write_assets;

pub use apply::{import_file, import_sources, ImportReport, Options, Register};

/// One thing wrong with one row (or the header): `file:line: column "X": message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: String,
    /// Where the record starts, 1-based; the header is line 1.
    pub line: u64,
    /// The column as the file's header spells it; `None` for whole-row problems.
    pub column: Option<String>,
    pub message: String,
}

impl RowError {
    pub fn new(file: &str, line: u64, column: &str, message: impl Into<String>) -> RowError {
        RowError {
            file: file.to_string(),
            line,
            column: Some(column.to_string()),
            message: message.into(),
        }
    }

    pub fn file(file: &str, line: u64, message: impl Into<String>) -> RowError {
        RowError {
            file: file.to_string(),
            line,
            column: None,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(
                f,
                "{}:{}: column \"{}\": {}",
                self.file, self.line, c, self.message
            ),
            None => write!(f, "{}:{}: {}", self.file, self.line, self.message),
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Some rows are bad: the file is refused whole. Exit code 1.
    #[error("{} refused, nothing imported: {} error(s)\n{}", .file, .errors.len(), list(.errors))]
    Invalid { file: String, errors: Vec<RowError> },
    /// The file cannot be read. Exit code 2.
    #[error("cannot read {file}: {source}")]
    Unreadable {
        file: String,
        source: std::io::Error,
    },
    /// The store failed while writing; nothing was committed. Exit code 2.
    #[error("store error, nothing imported: {0}")]
    Store(String),
    /// The store cannot be opened (another application's file, read-only …);
    /// it was not changed. Exit code 2.
    #[error("{0}")]
    Open(crate::store::StoreError),
}

fn list(errors: &[RowError]) -> String {
    const SHOWN: usize = 50;
    let mut s: Vec<String> = errors.iter().take(SHOWN).map(|e| e.to_string()).collect();
    if errors.len() > SHOWN {
        s.push(format!("… and {} more", errors.len() - SHOWN));
    }
    s.join("\n")
}

impl ImportError {
    /// The exit code of contracts.md: 1 for bad rows, 2 for the environment.
    pub fn exit_code(&self) -> u8 {
        match self {
            ImportError::Invalid { .. } => 1,
            _ => 2,
        }
    }
}

/// The fuzz target `import_csv`: every register's parser over arbitrary bytes
/// must return rows or errors, never panic. Pure: no store is touched.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let cfg = crate::config::ImportConfig::default();
    if let Ok(t) = table::Table::read("fuzz.csv", data, assets::COLUMNS) {
        let _ = assets::parse(&t, &cfg);
    }
    if let Ok(t) = table::Table::read("fuzz.csv", data, registers::LOCATION_COLUMNS) {
        let _ = registers::parse_locations(&t);
    }
    if let Ok(t) = table::Table::read("fuzz.csv", data, registers::OPERATOR_COLUMNS) {
        let _ = registers::parse_operators(&t);
    }
    if let Ok(t) = table::Table::read("fuzz.csv", data, registers::VENDOR_COLUMNS) {
        let _ = registers::parse_vendors(&t);
    }
    // Several files at once (the checks across files), still pure.
    let _ = apply::parse(
        apply::Register::Assets,
        &[("a.csv", data), ("b.csv", data)],
        &cfg,
        None,
    );
    let _ = apply::parse(
        apply::Register::Locations,
        &[("a.csv", data), ("b.csv", data)],
        &cfg,
        None,
    );
    orders::fuzz_one(data);
    // Cell parsers on the raw text too.
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = fields::parse_date(s);
        let _ = fields::parse_cost(s, 2);
        let _ = fields::parse_months(s);
        let _ = fields::check_gln(s);
        let _ = fields::derive_location_code(s);
        let _ = assets::parse_gtins(s);
        let _ = assets::parse_epc(s);
        let _ = assets::parse_giai(s);
        let _ = assets::parse_yes_no(s);
    }
}

#[cfg(test)]
mod fuzz_tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            super::fuzz_one(&data);
        }

        /// The Snipe-IT sample with bytes overwritten: near-valid files.
        #[test]
        fn mutated_samples_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12)) {
            let mut data = include_bytes!("../../fixtures/csv/snipeit-assets.csv").to_vec();
            for (i, b) in edits {
                let at = i.index(data.len());
                data[at] = b;
            }
            super::fuzz_one(&data);
        }
    }

    #[test]
    fn fuzz_one_survives_noise() {
        super::fuzz_one(b"");
        super::fuzz_one(b"\xff\xfe,\n\"unterminated");
        super::fuzz_one(b"Asset Tag,Purchase Cost,Warranty,Purchase Date\nA,99999999999999999999.99,1200,9999-12-31\n");
        super::fuzz_one(b"Code,Parent Code\nA,B\nB,C\nC,A\n");
        super::fuzz_one("Asset Tag,Location\nA-1,\u{1F600}\n".as_bytes());
    }
}
