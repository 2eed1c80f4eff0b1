//! Reading a CSV file into rows addressed by column name.
//!
//! Every import has the same needs: headers matched case-insensitively, unknown
//! columns ignored (with a warning), each value reachable by its column with the
//! line the record starts on, so that an error can name `file:line` and the
//! column as the file spells it. This module does that once; the per-register
//! modules only say which columns they know.

use super::RowError;

/// A column an import understands: its canonical (Snipe-IT) name and whether a
/// row must have a value in it.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
}

/// A CSV file read whole, headers resolved.
#[derive(Debug)]
pub struct Table {
    /// The file's name as the user gave it, for messages.
    pub file: String,
    /// For each known column: its index in the file and its header as spelled there.
    found: Vec<Option<(usize, String)>>,
    columns: &'static [Column],
    pub rows: Vec<Row>,
    /// Headers this import does not know (ignored).
    pub ignored: Vec<String>,
}

/// One record: the line it starts on (1-based; the header is line 1) and its fields.
#[derive(Debug)]
pub struct Row {
    pub line: u64,
    fields: Vec<String>,
}

impl Table {
    /// Parses `bytes` as CSV with a header row. Structural problems (a bad
    /// header, a record with the wrong number of fields, bytes that are not
    /// UTF-8) are returned as row errors; the caller refuses the file.
    pub fn read(
        file: &str,
        bytes: &[u8],
        columns: &'static [Column],
    ) -> Result<Table, Vec<RowError>> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut errors = Vec::new();
        let lines = Lines::new(bytes);
        let mut records = reader.byte_records();
        let header = match records.next() {
            None => {
                return Err(vec![RowError::file(
                    file,
                    1,
                    "the file is empty (no header row)",
                )]);
            }
            Some(Err(e)) => return Err(vec![csv_error(file, &lines, &e)]),
            Some(Ok(h)) => h,
        };
        let mut headers = Vec::with_capacity(header.len());
        for (i, h) in header.iter().enumerate() {
            match std::str::from_utf8(h) {
                Ok(s) => headers.push(s.trim().to_string()),
                Err(_) => {
                    errors.push(RowError::file(
                        file,
                        1,
                        format!(
                            "header {} is not valid UTF-8 (save the file as UTF-8)",
                            i + 1
                        ),
                    ));
                    headers.push(String::new());
                }
            }
        }
        let mut found: Vec<Option<(usize, String)>> = vec![None; columns.len()];
        let mut ignored = Vec::new();
        for (i, h) in headers.iter().enumerate() {
            match columns.iter().position(|c| c.name.eq_ignore_ascii_case(h)) {
                Some(k) => {
                    if let Some((_, first)) = &found[k] {
                        errors.push(RowError::file(
                            file,
                            1,
                            format!("column \"{h}\" appears twice (also as \"{first}\")"),
                        ));
                    } else {
                        found[k] = Some((i, h.clone()));
                    }
                }
                None if h.is_empty() => {}
                None => ignored.push(h.clone()),
            }
        }
        for (k, c) in columns.iter().enumerate() {
            if c.required && found[k].is_none() {
                errors.push(RowError::file(
                    file,
                    1,
                    format!("column \"{}\" is missing (required)", c.name),
                ));
            }
        }
        let mut rows = Vec::new();
        for rec in records {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(csv_error(file, &lines, &e));
                    break;
                }
            };
            let line = lines.record_start(rec.position());
            if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
                continue;
            }
            if rec.len() != headers.len() {
                errors.push(RowError::file(
                    file,
                    line,
                    format!(
                        "the record has {} fields, the header has {}",
                        rec.len(),
                        headers.len()
                    ),
                ));
                continue;
            }
            let mut fields = Vec::with_capacity(rec.len());
            for (i, f) in rec.iter().enumerate() {
                match std::str::from_utf8(f) {
                    Ok(s) => fields.push(s.trim().to_string()),
                    Err(_) => {
                        errors.push(RowError::new(
                            file,
                            line,
                            &headers[i],
                            "not valid UTF-8 (save the file as UTF-8)",
                        ));
                        fields.push(String::new());
                    }
                }
            }
            rows.push(Row { line, fields });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Table {
            file: file.to_string(),
            found,
            columns,
            rows,
            ignored,
        })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column's header as the file spells it (else its canonical name).
    pub fn header(&self, name: &str) -> String {
        self.index(name)
            .and_then(|k| self.found[k].as_ref())
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| name.to_string())
    }

    /// Whether the file has this column.
    pub fn has(&self, name: &str) -> bool {
        self.index(name).is_some_and(|k| self.found[k].is_some())
    }

    /// The row's value in column `name`, `None` when the column is absent or the
    /// value is empty. `name` must be one of the import's canonical names.
    pub fn get<'r>(&self, row: &'r Row, name: &str) -> Option<&'r str> {
        let k = self.index(name)?;
        let (i, _) = self.found[k].as_ref()?;
        row.fields
            .get(*i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// An error about `row`'s value in column `name`.
    pub fn err(&self, row: &Row, name: &str, message: impl Into<String>) -> RowError {
        RowError::new(&self.file, row.line, &self.header(name), message)
    }

    /// The value of a required column, or the error saying it is empty.
    pub fn required<'r>(&self, row: &'r Row, name: &str) -> Result<&'r str, RowError> {
        self.get(row, name)
            .ok_or_else(|| self.err(row, name, "empty (required)"))
    }
}

fn csv_error(file: &str, lines: &Lines<'_>, e: &csv::Error) -> RowError {
    RowError::file(
        file,
        lines.record_start(e.position()),
        format!("not readable as CSV: {e}"),
    )
}

/// Physical line numbers from byte offsets. The csv crate's own line count is
/// not the file's: it misses the blank lines it skips and counts a CRLF's LF
/// as the start of the next record, so a CRLF file (Excel's) was off by one.
/// A byte offset is exact, so the line is the number of LFs before the
/// record's first byte, plus one.
struct Lines<'b> {
    bytes: &'b [u8],
    /// Offsets of every `\n`.
    newlines: Vec<usize>,
}

impl<'b> Lines<'b> {
    fn new(bytes: &'b [u8]) -> Lines<'b> {
        let newlines = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Lines { bytes, newlines }
    }

    /// The 1-based line of the record that the reader placed at `pos`: the
    /// reader's offset may sit on the line ends (blank lines, a CRLF's LF)
    /// before the record, so those are skipped first.
    fn record_start(&self, pos: Option<&csv::Position>) -> u64 {
        let Some(pos) = pos else { return 0 };
        let mut at = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
        while self
            .bytes
            .get(at)
            .is_some_and(|b| *b == b'\n' || *b == b'\r')
        {
            at += 1;
        }
        let at = at.min(self.bytes.len());
        // Number of LFs strictly before `at`.
        let before = self.newlines.partition_point(|&n| n < at);
        before as u64 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[
        Column {
            name: "Asset Tag",
            required: true,
        },
        Column {
            name: "Serial",
            required: false,
        },
    ];

    #[test]
    fn headers_match_case_insensitively_and_lines_count_from_the_header() {
        let t = Table::read(
            "a.csv",
            b"\xEF\xBB\xBFasset tag,SERIAL,Notes\nA-1,S1,x\n\"A-2\nB\",S2,y\n",
            COLS,
        )
        .unwrap();
        assert_eq!(t.ignored, vec!["Notes"]);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].line, 2);
        assert_eq!(t.rows[1].line, 3);
        assert_eq!(t.get(&t.rows[1], "Serial"), Some("S2"));
        assert_eq!(t.header("Asset Tag"), "asset tag");
    }

    #[test]
    fn missing_required_column_names_it() {
        let e = Table::read("a.csv", b"Serial\nS1\n", COLS).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "a.csv:1: column \"Asset Tag\" is missing (required)"
        );
    }

    #[test]
    fn ragged_record_and_bad_utf8_are_errors() {
        let e = Table::read("a.csv", b"Asset Tag,Serial\nA-1\nA-2,\xFF\n", COLS).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "a.csv:2: the record has 1 fields, the header has 2"
        );
        assert_eq!(
            e[1].to_string(),
            "a.csv:3: column \"Serial\": not valid UTF-8 (save the file as UTF-8)"
        );
    }

    /// Lines are the file's physical lines: CRLF endings, blank lines and
    /// quoted newlines (in the record itself or before it) all counted.
    #[test]
    fn lines_are_physical_lines() {
        let lines = |text: &[u8]| -> Vec<u64> {
            Table::read("a.csv", text, COLS)
                .unwrap()
                .rows
                .iter()
                .map(|r| r.line)
                .collect()
        };
        assert_eq!(lines(b"Asset Tag,Serial\n\"A\nB\",S1\nA-2,S2\n"), [2, 4]);
        assert_eq!(
            lines(b"Asset Tag,Serial\nA-1,\"x\ny\nz\"\nA-2,S2\n"),
            [2, 5]
        );
        assert_eq!(lines(b"Asset Tag,Serial\n\nA-1,S1\n\n\nA-2,S2\n"), [3, 6]);
        assert_eq!(lines(b"Asset Tag,Serial\r\nA-1,S1\r\nA-2,S2\r\n"), [2, 3]);
        assert_eq!(
            lines(b"Asset Tag,Serial\r\nA-1,\"x\r\ny\"\r\n\r\nA-2,S2\r\n"),
            [2, 5]
        );
        assert_eq!(lines(b"\xEF\xBB\xBFAsset Tag,Serial\r\nA-1,S1\r\n"), [2]);
        // An error names the line of its record too.
        let e = Table::read("a.csv", b"Asset Tag,Serial\r\nA-1,S1\r\nA-2\r\n", COLS).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "a.csv:3: the record has 1 fields, the header has 2"
        );
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(Table::read("a.csv", b"", COLS).is_err());
    }
}
