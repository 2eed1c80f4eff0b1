//! The command line: clap definitions only. `main.rs` turns these into work.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "scanstation",
    version,
    about = "IT asset management station: receiving, wipe bench and stock-take with scanners and RFID readers"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// The SQLite store (default $XDG_DATA_HOME/scanstation/station.db; env SCANSTATION_DB).
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The config file (default $XDG_CONFIG_HOME/scanstation/scanstation.toml; env SCANSTATION_CONFIG).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// A reader to run, as a device SPEC; replaces the configured readers. Repeatable.
    #[arg(long = "device", global = true, value_name = "SPEC")]
    pub devices: Vec<String>,
    /// Mark every event as training: it is journaled but never synced upstream.
    #[arg(long, global = true)]
    pub training: bool,
    /// Also write logs to stderr (not while the terminal UI runs).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the station (the default).
    Run,
    /// A seeded store in a temporary directory with a simulated scanner.
    Demo(DemoArgs),
    /// Parse scans as a scanner would deliver them; one JSON line per input.
    Parse(ParseArgs),
    /// Import CSV files or nwipe logs (all or nothing across them).
    Import(ImportArgs),
    /// Export the store's assets.
    Export(ExportArgs),
    /// Print the audit trail, one event a line.
    Journal(JournalArgs),
    /// Verify the journal's hash chain.
    Verify(VerifyArgs),
    /// List USB and serial devices and the profile each matches.
    Devices(DevicesArgs),
    /// Run readers without the UI, printing each event as a JSON line.
    Monitor,
    /// Serve a simulated reader on a pseudo-terminal.
    Simulate(SimulateArgs),
    /// Decode every barcode in image files.
    DecodeImage(DecodeImageArgs),
    /// Send scans and reads through the station without a terminal, one JSON
    /// answer per input line (batch handhelds, scripted benches).
    Feed(FeedArgs),
    /// Sync with the upstream (Snipe-IT): run the worker, or status, pull, retry.
    Sync(SyncArgs),
    /// Print a shell completion script, generated from this command line.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write one page per command into a directory.
    Man(ManArgs),
    /// Render asset labels as ZPL or PNG.
    Label(LabelArgs),
    /// Reports from the store.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Stock-takes: start one over a scope, list, close, act on the result.
    #[command(subcommand)]
    Stocktake(StocktakeCommand),
    /// Issue (or render again) an asset's certificate of sanitization (PDF).
    Certificate(CertificateArgs),
    /// Disposal pallets: record the vendor's certificate of recycling or destruction.
    #[command(subcommand)]
    Disposal(DisposalCommand),
    /// Scan generated codes as fast as the store commits, printing each committed
    /// seq (used by the crash test).
    #[command(hide = true)]
    StressScan(StressScanArgs),
}

#[derive(Debug, Args)]
pub struct FeedArgs {
    /// Switch the station to this mode first (lookup, receive, wipe, stocktake, disposal).
    #[arg(long)]
    pub mode: Option<String>,
    /// Sign this badge in first.
    #[arg(long, value_name = "BADGE")]
    pub operator: Option<String>,
    /// The station whose context this continues (default: the configured id + `-feed`).
    #[arg(long, value_name = "ID")]
    pub station: Option<String>,
    /// The feed file; `-` or none for stdin.
    pub file: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Seconds between simulated scans.
    #[arg(long, default_value_t = 3.0)]
    pub every: f64,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Inputs are EPC memory in hex.
    #[arg(long)]
    pub epc: bool,
    /// Scans; stdin lines when none. `\x1D` and `{GS}` stand for the GS byte.
    pub inputs: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ImportKind {
    Assets,
    Locations,
    Operators,
    Vendors,
    /// Purchase orders, one row per order line (all files or none).
    Orders,
    /// nwipe's text log (several files, several runs per file).
    Nwipe,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    pub kind: ImportKind,
    /// One or more CSV files, imported together: all or nothing across them.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Assets only: update the assets whose tags the store has (the cells a
    /// row fills; each change journaled) and create the others.
    #[arg(long)]
    pub update: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportKind {
    Assets,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ExportFormat {
    #[default]
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    pub kind: ExportKind,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Only events with seq greater than SEQ.
    #[arg(long, value_name = "SEQ")]
    pub since: Option<i64>,
    /// JSON lines instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A head written down earlier, `SEQ:HASH`, that must still be in the chain.
    #[arg(long, value_name = "SEQ:HASH")]
    pub head: Option<String>,
}

#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SimProtocol {
    Chafon,
    Tsl,
    Mercury,
    Lines,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum SimMode {
    #[default]
    Answer,
    Active,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    pub protocol: SimProtocol,
    /// Distinct tags (or scans) in the field.
    #[arg(long, default_value_t = 20)]
    pub tags: u32,
    /// Reads (or scans) per second.
    #[arg(long, default_value_t = 10.0)]
    pub rate: f64,
    /// Chafon answer or active mode.
    #[arg(long, value_enum, default_value_t = SimMode::Answer)]
    pub mode: SimMode,
    /// Also create a symlink to the pty here, as udev would.
    #[arg(long, value_name = "PATH")]
    pub link: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DecodeImageArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum LabelFormat {
    #[default]
    Zpl,
    Png,
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// Asset tags to label.
    #[arg(required_unless_present_any = ["queue", "print_queued", "commands"])]
    pub tags: Vec<String>,
    /// Write the command-barcode sheets (PNG, A4 at 203 dpi): the shared
    /// commands and each mode's, with the configured prefix, to
    /// commands-NAME.png in --out DIR.
    #[arg(long, conflicts_with_all = ["tags", "queue", "print_queued"])]
    pub commands: bool,
    /// List the label queue's waiting and failed jobs (JSON lines).
    #[arg(long, conflicts_with_all = ["tags", "print_queued"])]
    pub queue: bool,
    /// Send the queued label jobs once to `[labels] printer` (or to --out DIR).
    #[arg(long, conflicts_with = "tags")]
    pub print_queued: bool,
    /// With --queue / --print-queued: only this station's jobs.
    #[arg(long, value_name = "ID")]
    pub station: Option<String>,
    #[arg(long, value_enum, default_value_t = LabelFormat::Zpl)]
    pub format: LabelFormat,
    /// Write TAG.zpl / TAG.png here (default: stdout for one ZPL label, else
    /// the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StressScanArgs {
    /// Stop after this many scans (default: until killed).
    #[arg(long)]
    pub count: Option<u64>,
    /// Through the station, RFID reads with a barcode every tenth input:
    /// prints `ok SEQ` for a barcode, `rfid SEQ` for a read once its group
    /// committed, `sent N` as reads are handed to the station.
    #[arg(long)]
    pub rfid: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub command: Option<SyncCommand>,
    /// Run until no operation is pending (waiting out backoffs), then exit:
    /// 0, or 1 when some are parked.
    #[arg(long)]
    pub once: bool,
}

#[derive(Debug, Subcommand)]
pub enum SyncCommand {
    /// Counts of operations by state and the parked ones.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Fetch the upstream's reference data and assets into the store.
    Pull,
    /// Unpark operations (their ids from `sync status`).
    Retry {
        #[arg(value_name = "OP_ID", required_unless_present = "all")]
        ids: Vec<i64>,
        /// Every parked operation.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
    /// Serve a fake Snipe-IT on 127.0.0.1 (for checks by hand); on Ctrl-C it
    /// prints what it holds as JSON.
    #[command(hide = true)]
    ServeFake {
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The token it accepts.
        #[arg(long, env = "SCANSTATION_UPSTREAM_TOKEN", hide_env_values = true)]
        token: String,
        /// Fraction of requests answered HTTP 500.
        #[arg(long, default_value_t = 0.0)]
        p_500: f64,
        /// Fraction applied then left unanswered until the client times out.
        #[arg(long, default_value_t = 0.0)]
        p_timeout: f64,
        /// Fraction applied then dropped without an answer.
        #[arg(long, default_value_t = 0.0)]
        p_drop: f64,
        /// Fraction answered HTTP 200 with "status":"error".
        #[arg(long, default_value_t = 0.0)]
        p_error: f64,
        /// Requests per minute before 429 (default: no throttle).
        #[arg(long)]
        throttle: Option<u32>,
    },
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write scanstation.1 and a page per command (scanstation-parse.1 …)
    /// into DIR instead of printing scanstation.1.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CertificateArgs {
    /// The asset's tag.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    pub tag: Option<String>,
    /// A pallet's SSCC instead: one certificate listing every asset on it
    /// and every medium of each.
    #[arg(long, value_name = "SSCC")]
    pub batch: Option<String>,
    /// Where to write the PDF (default: NUMBER.pdf in the current directory).
    #[arg(long, value_name = "FILE.pdf")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One line per medium with its latest NIST SP 800-88 sanitization record.
    Sanitization(SanitizationReportArgs),
    /// Each purchase order: lines received/ordered, discrepancies, assets.
    Receiving(ReceivingReportArgs),
    /// Each vendor: on-time, over, short and damaged rates over its order lines.
    Vendors(VendorsReportArgs),
    /// One line per asset on a disposal pallet: vendor, hand-over, driver, certificate.
    Disposal(DisposalReportArgs),
    /// A stock-take's reconciliation: totals, per location, and the items.
    Stocktake(StocktakeReportArgs),
    /// Stock-take KPIs: accuracy, locations covered, scans per hour per
    /// operator, missing value, and the trend over past stock-takes.
    Kpi(KpiReportArgs),
}

#[derive(Debug, Args)]
pub struct DisposalReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct KpiReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct StocktakeReportArgs {
    /// The stock-take's id (from `stocktake list`).
    pub id: i64,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Subcommand)]
pub enum DisposalCommand {
    /// Record the vendor's certificate for a pallet handed over: its assets become disposed.
    Confirm(DisposalConfirmArgs),
}

#[derive(Debug, Args)]
pub struct DisposalConfirmArgs {
    /// The pallet's SSCC (18 digits).
    pub sscc: String,
    /// The number of the vendor's certificate of recycling or destruction.
    #[arg(long, value_name = "NUMBER")]
    pub certificate: String,
}

#[derive(Debug, Subcommand)]
pub enum StocktakeCommand {
    /// Start counting a scope (the locations and their sub-locations); prints
    /// {"id", "name", "expected"}.
    Start {
        #[arg(long)]
        name: String,
        /// Location codes; their sub-locations are in the scope too.
        #[arg(long, value_name = "LOCATION", num_args = 1.., required = true)]
        scope: Vec<String>,
        /// Who owns the stock-take (a badge or a name).
        #[arg(long)]
        owner: Option<String>,
    },
    /// Every stock-take, one JSON line each, newest first.
    List,
    /// Close a stock-take; with locations not yet counted only after --yes.
    Close {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
    /// Move assets to where the stock-take found them.
    Move {
        id: i64,
        /// The misplaced assets (required: says what is moved).
        #[arg(long, required = true)]
        misplaced: bool,
    },
    /// Mark the missing assets `missing`: lists them, and marks them only with --yes.
    MarkMissing {
        id: i64,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ReportFormat {
    #[default]
    Table,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct ReceivingReportArgs {
    /// Only this purchase order.
    #[arg(long, value_name = "PO")]
    pub po: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct VendorsReportArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct SanitizationReportArgs {
    /// Only this asset's media.
    #[arg(long, value_name = "TAG")]
    pub asset: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,
}
