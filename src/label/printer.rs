//! Printer transports: where a rendered label's bytes go.
//!
//! Zebra printers take ZPL as raw bytes on TCP port 9100, on a USB printer
//! class device (`/dev/usb/lp0`) or a serial port; a `file:` printer writes
//! each job to a directory (a print spool, a test, a preview). All three sit
//! behind [`Printer`] so that the label worker and the tests (a fake printer
//! on 127.0.0.1) see one interface. [`PrintError::Unavailable`] says "try
//! again later" (a printer switched off, unplugged, out of reach) as opposed
//! to a job the printer will never take.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long to wait for a network printer to accept or take a job.
pub const TCP_TIMEOUT: Duration = Duration::from_secs(5);

/// A `[labels] printer` setting, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterSpec {
    File(PathBuf),
    Lp(PathBuf),
    Tcp(String),
}

impl PrinterSpec {
    pub fn parse(s: &str) -> Result<PrinterSpec, String> {
        let (kind, addr) = s.split_once(':').ok_or_else(|| {
            format!("printer {s:?}: use file:DIR, lp:/dev/usb/lp0 or tcp:HOST:9100")
        })?;
        if addr.is_empty() {
            return Err(format!("printer {s:?}: the address after {kind}: is empty"));
        }
        match kind {
            "file" => Ok(PrinterSpec::File(addr.into())),
            "lp" => Ok(PrinterSpec::Lp(addr.into())),
            "tcp" => {
                let ok = addr
                    .rsplit_once(':')
                    .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
                if ok {
                    Ok(PrinterSpec::Tcp(addr.into()))
                } else {
                    Err(format!("printer {s:?}: use tcp:HOST:PORT (Zebra printers listen on 9100)"))
                }
            }
            _ => Err(format!(
                "printer {s:?}: unknown kind {kind:?}; use file:DIR, lp:/dev/usb/lp0 or tcp:HOST:9100"
            )),
        }
    }

    /// A printer for this setting (nothing is opened until a job is sent).
    pub fn printer(&self) -> Box<dyn Printer + Send> {
        match self {
            PrinterSpec::File(d) => Box::new(FilePrinter { dir: d.clone() }),
            PrinterSpec::Lp(p) => Box::new(DevicePrinter { path: p.clone() }),
            PrinterSpec::Tcp(a) => Box::new(TcpPrinter {
                addr: a.clone(),
                timeout: TCP_TIMEOUT,
            }),
        }
    }
}

/// Why a job was not printed.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    /// The printer is not there now; the job should wait and be sent again.
    #[error("printer {printer} is not available ({source}); the label stays queued")]
    Unavailable {
        printer: String,
        source: std::io::Error,
    },
    /// The job cannot be printed this way (a bad job name, a file in the way).
    #[error("printer {printer}: {detail}")]
    Refused { printer: String, detail: String },
}

/// Something that takes a label's bytes.
pub trait Printer {
    /// Sends one job. `name` names the job (`A-1001.zpl`); printers that
    /// store jobs use it as the file name.
    fn send(&mut self, name: &str, data: &[u8]) -> Result<(), PrintError>;
    /// The printer as configured, for messages.
    fn describe(&self) -> String;
}

/// `file:DIR`: each job is a file in DIR, written whole (temp file + rename).
pub struct FilePrinter {
    pub dir: PathBuf,
}

/// A job name safe as a file name: path separators and control characters
/// become `_`.
pub fn file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    match s.as_str() {
        "" | "." | ".." => "_".to_string(),
        _ => s,
    }
}

impl Printer for FilePrinter {
    fn send(&mut self, name: &str, data: &[u8]) -> Result<(), PrintError> {
        let unavailable = |source| PrintError::Unavailable {
            printer: self.describe(),
            source,
        };
        std::fs::create_dir_all(&self.dir).map_err(unavailable)?;
        let dest = self.dir.join(file_name(name));
        if dest.is_dir() {
            return Err(PrintError::Refused {
                printer: self.describe(),
                detail: format!("{} is a directory, not a label file", dest.display()),
            });
        }
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(unavailable)?;
        tmp.write_all(data).map_err(unavailable)?;
        // A spool is read by other programs: not the temp file's 0600.
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(unavailable)?;
        tmp.as_file().sync_all().map_err(unavailable)?;
        tmp.persist(dest).map_err(|e| unavailable(e.error))?;
        Ok(())
    }
    fn describe(&self) -> String {
        format!("file:{}", self.dir.display())
    }
}

/// `lp:/dev/usb/lp0` (or a serial port): the bytes written to the device.
pub struct DevicePrinter {
    pub path: PathBuf,
}

impl Printer for DevicePrinter {
    fn send(&mut self, _name: &str, data: &[u8]) -> Result<(), PrintError> {
        let unavailable = |source| PrintError::Unavailable {
            printer: self.describe(),
            source,
        };
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&self.path)
            .map_err(unavailable)?;
        f.write_all(data).map_err(unavailable)?;
        f.flush().map_err(unavailable)
    }
    fn describe(&self) -> String {
        format!("lp:{}", self.path.display())
    }
}

/// `tcp:HOST:PORT`: one connection per job, the bytes, then close.
pub struct TcpPrinter {
    pub addr: String,
    pub timeout: Duration,
}

impl Printer for TcpPrinter {
    fn send(&mut self, _name: &str, data: &[u8]) -> Result<(), PrintError> {
        let unavailable = |source| PrintError::Unavailable {
            printer: self.describe(),
            source,
        };
        let addrs: Vec<_> = self.addr.to_socket_addrs().map_err(unavailable)?.collect();
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        for a in addrs {
            match TcpStream::connect_timeout(&a, self.timeout) {
                Ok(mut s) => {
                    s.set_write_timeout(Some(self.timeout))
                        .map_err(unavailable)?;
                    s.write_all(data).map_err(unavailable)?;
                    s.flush().map_err(unavailable)?;
                    let _ = s.shutdown(std::net::Shutdown::Write);
                    return Ok(());
                }
                Err(e) => last = e,
            }
        }
        Err(unavailable(last))
    }
    fn describe(&self) -> String {
        format!("tcp:{}", self.addr)
    }
}

/// Writes `name` into `dir` through a [`FilePrinter`] (used by `scanstation label --out`).
pub fn write_file(dir: &Path, name: &str, data: &[u8]) -> Result<(), PrintError> {
    FilePrinter {
        dir: dir.to_path_buf(),
    }
    .send(name, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(
            PrinterSpec::parse("file:/tmp/l").unwrap(),
            PrinterSpec::File("/tmp/l".into())
        );
        assert_eq!(
            PrinterSpec::parse("lp:/dev/usb/lp0").unwrap(),
            PrinterSpec::Lp("/dev/usb/lp0".into())
        );
        assert_eq!(
            PrinterSpec::parse("tcp:10.0.0.5:9100").unwrap(),
            PrinterSpec::Tcp("10.0.0.5:9100".into())
        );
        assert_eq!(
            PrinterSpec::parse("tcp:[::1]:9100").unwrap(),
            PrinterSpec::Tcp("[::1]:9100".into())
        );
        for bad in ["tcp:host", "tcp::9100", "usb:1", "file:", "nothing"] {
            assert!(PrinterSpec::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn file_names_stay_in_the_directory() {
        assert_eq!(file_name("A-1001.zpl"), "A-1001.zpl");
        assert_eq!(file_name("../x"), ".._x");
        assert_eq!(file_name(".."), "_");
        assert_eq!(file_name("a\nb"), "a_b");
    }

    #[test]
    fn file_printer_writes_jobs() {
        let d = tempfile::tempdir().unwrap();
        let mut p = PrinterSpec::File(d.path().join("spool")).printer();
        p.send("A-1.zpl", b"^XA^XZ").unwrap();
        assert_eq!(
            std::fs::read(d.path().join("spool/A-1.zpl")).unwrap(),
            b"^XA^XZ"
        );
        // A directory where the job's file should go: never printable.
        std::fs::create_dir(d.path().join("spool/A-2.zpl")).unwrap();
        assert!(matches!(
            p.send("A-2.zpl", b"^XA^XZ"),
            Err(PrintError::Refused { .. })
        ));
        let mut lp = PrinterSpec::Lp(d.path().join("no/such/lp0")).printer();
        assert!(matches!(
            lp.send("x", b"x"),
            Err(PrintError::Unavailable { .. })
        ));
    }
}
