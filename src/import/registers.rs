//! The small registers: locations, operators, vendors. Parsed and checked
//! against the file itself; checks against the store happen in `apply`.

use super::fields::{self, parse_date};
use super::table::{Column, Table};
use super::RowError;
use std::collections::HashMap;
use time::Date;

pub const LOCATION_COLUMNS: &[Column] = &[
    Column {
        name: "Code",
        required: true,
    },
    Column {
        name: "Name",
        required: false,
    },
    Column {
        name: "Parent Code",
        required: false,
    },
    Column {
        name: "GLN",
        required: false,
    },
];

pub const OPERATOR_COLUMNS: &[Column] = &[
    Column {
        name: "Badge",
        required: true,
    },
    Column {
        name: "Name",
        required: false,
    },
    Column {
        name: "Role",
        required: false,
    },
];

pub const VENDOR_COLUMNS: &[Column] = &[
    Column {
        name: "Name",
        required: true,
    },
    Column {
        name: "Kind",
        required: false,
    },
    Column {
        name: "Certification",
        required: false,
    },
    Column {
        name: "Certification Expires",
        required: false,
    },
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    pub line: u64,
    pub code: String,
    /// The code when the row gives no name.
    pub name: String,
    pub parent: Option<String>,
    pub gln: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorRow {
    pub line: u64,
    pub badge: String,
    /// The badge when the row gives no name.
    pub name: String,
    /// `operator` or `supervisor`.
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorRow {
    pub line: u64,
    pub name: String,
    /// `supplier` or `disposal`.
    pub kind: String,
    /// Each certification with its expiry: a vendor holding several is one
    /// row per certification, the name repeated (the rows merge into one).
    pub certifications: Vec<(String, Option<Date>)>,
}

/// Locations, in an order where every parent comes before its children (a
/// parent may appear later in the file). Parents must be in the file or in the
/// store (checked in `apply`); cycles are refused here.
pub fn parse_locations(table: &Table) -> Result<Vec<LocationRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut rows: Vec<LocationRow> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        let mut ok = true;
        let code = match table.required(row, "Code") {
            Ok(c) => c.to_string(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if let Err(m) = fields::check_code(&code, 64) {
            errors.push(table.err(row, "Code", m));
            ok = false;
        }
        if let Some(first) = seen.get(&code) {
            errors.push(table.err(
                row,
                "Code",
                format!("\"{code}\" appears twice in the file (first on line {first})"),
            ));
            ok = false;
        } else {
            seen.insert(code.clone(), row.line);
        }
        let parent = table.get(row, "Parent Code").map(str::to_string);
        if parent.as_deref() == Some(code.as_str()) {
            errors.push(table.err(row, "Parent Code", "a location cannot be its own parent"));
            ok = false;
        }
        let gln = table.get(row, "GLN").map(str::to_string);
        if let Some(g) = &gln {
            if let Err(m) = fields::check_gln(g) {
                errors.push(table.err(row, "GLN", m));
                ok = false;
            }
        }
        if ok {
            rows.push(LocationRow {
                line: row.line,
                name: table.get(row, "Name").unwrap_or(&code).to_string(),
                code,
                parent,
                gln,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Order parents first; whatever cannot be placed is in a cycle.
    let mut placed: Vec<LocationRow> = Vec::with_capacity(rows.len());
    let mut done: std::collections::HashSet<String> = Default::default();
    let in_file: std::collections::HashSet<String> = rows.iter().map(|r| r.code.clone()).collect();
    let mut pending = rows;
    loop {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|r| match &r.parent {
            Some(p) if in_file.contains(p) => done.contains(p),
            _ => true,
        });
        for r in ready {
            done.insert(r.code.clone());
            placed.push(r);
        }
        pending = rest;
        if pending.is_empty() {
            break;
        }
        if pending.len() == before {
            for r in &pending {
                errors.push(RowError::new(
                    &table.file,
                    r.line,
                    &table.header("Parent Code"),
                    format!(
                        "\"{}\" makes a cycle of parents",
                        r.parent.as_deref().unwrap_or_default()
                    ),
                ));
            }
            return Err(errors);
        }
    }
    Ok(placed)
}

pub fn parse_operators(table: &Table) -> Result<Vec<OperatorRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for row in &table.rows {
        let badge = match table.required(row, "Badge") {
            Ok(b) => b.to_string(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut ok = true;
        if let Err(m) = fields::check_code(&badge, 64) {
            errors.push(table.err(row, "Badge", m));
            ok = false;
        }
        if let Some(first) = seen.insert(badge.clone(), row.line) {
            errors.push(table.err(
                row,
                "Badge",
                format!("\"{badge}\" appears twice in the file (first on line {first})"),
            ));
            seen.insert(badge.clone(), first);
            ok = false;
        }
        let role = match table.get(row, "Role").map(str::to_ascii_lowercase) {
            None => "operator".to_string(),
            Some(r) if r == "operator" || r == "supervisor" => r,
            Some(r) => {
                errors.push(table.err(
                    row,
                    "Role",
                    format!("\"{r}\" is not a role (operator or supervisor)"),
                ));
                ok = false;
                r
            }
        };
        if ok {
            rows.push(OperatorRow {
                line: row.line,
                name: table.get(row, "Name").unwrap_or(&badge).to_string(),
                badge,
                role,
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

pub fn parse_vendors(table: &Table) -> Result<Vec<VendorRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut rows: Vec<VendorRow> = Vec::new();
    // Name (lower case) → index in rows.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in &table.rows {
        let name = match table.required(row, "Name") {
            Ok(n) => n.to_string(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut ok = true;
        let kind = match table.get(row, "Kind").map(str::to_ascii_lowercase) {
            None => "supplier".to_string(),
            Some(k) if k == "supplier" || k == "disposal" => k,
            Some(k) => {
                errors.push(table.err(
                    row,
                    "Kind",
                    format!("\"{k}\" is not a vendor kind (supplier or disposal)"),
                ));
                ok = false;
                k
            }
        };
        let certification_expires = match table.get(row, "Certification Expires").map(parse_date) {
            Some(Ok(d)) => Some(d),
            Some(Err(m)) => {
                errors.push(table.err(row, "Certification Expires", m));
                ok = false;
                None
            }
            None => None,
        };
        let certification = table.get(row, "Certification").map(str::to_string);
        if certification_expires.is_some() && certification.is_none() {
            errors.push(table.err(
                row,
                "Certification Expires",
                "is given but Certification is empty",
            ));
            ok = false;
        }
        let key = name.to_lowercase();
        if let Some(&i) = seen.get(&key) {
            // The name repeated: another certification of the same vendor.
            let first = &rows[i];
            let again = certification.as_ref().is_some_and(|c| {
                first
                    .certifications
                    .iter()
                    .any(|(x, _)| x.eq_ignore_ascii_case(c))
            });
            let problem = if first.kind != kind {
                Some(format!(
                    "\"{name}\" is a {} on line {}: one vendor, one kind",
                    first.kind, first.line
                ))
            } else if certification.is_none() {
                Some(format!(
                    "\"{name}\" appears twice in the file (first on line {}): a repeated name carries another certification",
                    first.line
                ))
            } else if again {
                Some(format!(
                    "\"{name}\" lists {} twice (first on line {})",
                    certification.as_deref().unwrap_or_default(),
                    first.line
                ))
            } else {
                None
            };
            if let Some(m) = problem {
                errors.push(table.err(row, "Name", m));
            } else if ok {
                if let Some(c) = certification {
                    rows[i].certifications.push((c, certification_expires));
                }
            }
            continue;
        }
        if ok {
            seen.insert(key, rows.len());
            rows.push(VendorRow {
                line: row.line,
                name,
                kind,
                certifications: certification
                    .map(|c| (c, certification_expires))
                    .into_iter()
                    .collect(),
            });
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_even_when_later_in_the_file() {
        let t = Table::read(
            "l.csv",
            b"Code,Name,Parent Code\nLOC-R1,Room 1,LOC-B1\nLOC-B1,Building 1,LOC-S\nLOC-S,Site,\n",
            LOCATION_COLUMNS,
        )
        .unwrap();
        let rows = parse_locations(&t).unwrap();
        let codes: Vec<&str> = rows.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["LOC-S", "LOC-B1", "LOC-R1"]);
    }

    #[test]
    fn cycles_and_bad_gln_are_refused() {
        let t = Table::read(
            "l.csv",
            b"Code,Parent Code,GLN\nA,B,\nB,A,\nC,,0614141000013\n",
            LOCATION_COLUMNS,
        )
        .unwrap();
        let e = parse_locations(&t).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(
            e[0].to_string().starts_with("l.csv:4: column \"GLN\""),
            "{}",
            e[0]
        );
    }

    #[test]
    fn operators_roles() {
        let t = Table::read(
            "o.csv",
            b"badge,name,role\nB0001,Ann,Supervisor\nB0002,Bo,boss\n",
            OPERATOR_COLUMNS,
        )
        .unwrap();
        let e = parse_operators(&t).unwrap_err();
        assert_eq!(
            e[0].to_string(),
            "o.csv:3: column \"role\": \"boss\" is not a role (operator or supervisor)"
        );
    }

    #[test]
    fn a_vendor_named_again_brings_another_certification() {
        let t = Table::read(
            "v.csv",
            b"Name,Kind,Certification,Certification Expires\n\
              Acme,disposal,R2v3,2027-01-31\n\
              acme,disposal,NAID AAA,2026-06-30\n\
              Bolt,supplier,,\n",
            VENDOR_COLUMNS,
        )
        .unwrap();
        let rows = parse_vendors(&t).unwrap();
        assert_eq!(rows.len(), 2);
        let certs: Vec<&str> = rows[0]
            .certifications
            .iter()
            .map(|c| c.0.as_str())
            .collect();
        assert_eq!(certs, ["R2v3", "NAID AAA"]);
        assert!(rows[1].certifications.is_empty());

        let t = Table::read(
            "v.csv",
            b"Name,Kind,Certification\nAcme,disposal,R2v3\nAcme,supplier,NAID AAA\n\
              Acme,disposal,r2v3\nAcme,disposal,\n",
            VENDOR_COLUMNS,
        )
        .unwrap();
        let e: Vec<String> = parse_vendors(&t)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].contains("one vendor, one kind"), "{}", e[0]);
        assert!(e[1].contains("lists r2v3 twice"), "{}", e[1]);
        assert!(e[2].contains("appears twice"), "{}", e[2]);
    }
}
