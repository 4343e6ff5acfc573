//! The command line: one typed struct per command, each with `run`, and
//! `options()` turning flags into [`BuildOptions`]. Output for people goes
//! to stderr; exit codes are 0 (success), 1 (site errors) and 2 (usage).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::build::{self, BuildReport, Failure};
use crate::config::{BuildOptions, Drafts, Future};
use crate::diagnostic::{Diagnostics, printable};

/// masthead: a static site generator for daily editions.
#[derive(Debug, Parser)]
#[command(name = "masthead", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// The site folder (holding site.yaml)
    #[arg(short = 's', long = "source", global = true, default_value = ".", value_name = "DIR")]
    pub(crate) source: PathBuf,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,
    /// Print more about what is done
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// When to use colours
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub(crate) color: ColorWhen,
    /// Pretend it is this moment in the site's time zone (YYYY-MM-DD[THH:MM])
    #[arg(long, global = true, value_parser = parse_clock, value_name = "WHEN")]
    pub(crate) clock: Option<jiff::civil::DateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Build the site into the output folder
    Build(BuildArgs),
    /// Check everything build checks, writing nothing
    Check(CheckArgs),
    /// Serve the site locally, rebuilding on changes with --watch
    Serve(ServeArgs),
    /// Create a new site with a sample edition
    Init(InitArgs),
    /// Write a new article into an edition
    New(NewArgs),
    /// List the editions with their article counts and status
    Editions(EditionsArgs),
    /// Print one edition's newsletter (HTML, plain text or a MIME message)
    Newsletter(NewsletterArgs),
    /// Publish the last build to a target of site.yaml (S3-compatible or a folder)
    #[cfg(feature = "deploy")]
    Deploy(DeployArgs),
}

#[derive(Debug, Args)]
pub(crate) struct DeployArgs {
    /// A target name from `deploy.targets` in site.yaml (default: the first)
    pub(crate) target: Option<String>,
    /// The built site to publish (default: public/ in the site folder)
    #[arg(short, long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
    /// Print what would be sent and deleted; change nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Refuse to delete more objects than this
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub(crate) max_deletes: usize,
    /// List the target instead of trusting its manifest, send everything, delete any number
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Rebuild on every change and reload open pages
    #[arg(short, long)]
    pub(crate) watch: bool,
    /// Port to listen on (the next free one is used if it is busy)
    #[arg(short, long, default_value_t = 1111)]
    pub(crate) port: u16,
    /// Address to listen on; the default keeps drafts on this machine
    #[arg(long, default_value = "127.0.0.1", value_name = "ADDRESS")]
    pub(crate) bind: std::net::IpAddr,
    /// Open the site in the browser
    #[arg(long)]
    pub(crate) open: bool,
    /// Leave drafts out, as build does
    #[arg(long)]
    pub(crate) no_drafts: bool,
    /// Leave scheduled editions out, as build does
    #[arg(long)]
    pub(crate) no_future: bool,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Folder for the new site (default: the current folder)
    pub(crate) dir: Option<PathBuf>,
    /// Name of the site
    #[arg(long, default_value = "The Daily")]
    pub(crate) title: String,
    /// Add the site to a non-empty folder (existing files are kept)
    #[arg(long)]
    pub(crate) force: bool,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The headline
    #[arg(value_parser = crate::scaffold::check_title)]
    pub(crate) title: String,
    /// The edition: today, tomorrow or YYYY-MM-DD (in the site's time zone)
    #[arg(long, default_value = "today", value_name = "DATE")]
    pub(crate) edition: crate::scaffold::EditionDay,
    /// Section, e.g. World
    #[arg(long)]
    pub(crate) section: Option<String>,
    /// Author (repeat for several)
    #[arg(long = "author", value_name = "NAME")]
    pub(crate) authors: Vec<String>,
    /// Mark the article as a draft
    #[arg(long)]
    pub(crate) draft: bool,
}

#[derive(Debug, Args)]
pub(crate) struct EditionsArgs {}

#[derive(Debug, Args)]
pub(crate) struct NewsletterArgs {
    /// The edition: YYYY-MM-DD or `latest` (the newest published one)
    #[arg(default_value = "latest", value_name = "DATE|latest")]
    pub(crate) edition: crate::newsletter::Wanted,
    /// What to print: the HTML email, its plain text, or both as an RFC 5322 message
    #[arg(long, value_enum, default_value_t = crate::newsletter::Format::Html)]
    pub(crate) format: crate::newsletter::Format,
    /// Recipient address for the `To` header (eml)
    #[arg(long, value_name = "ADDRESS", value_parser = crate::newsletter::check_address)]
    pub(crate) to: Option<String>,
    /// Sender address for the `From` header (eml; default: `newsletter.from` of site.yaml)
    #[arg(long, value_name = "ADDRESS", value_parser = crate::newsletter::check_address)]
    pub(crate) from: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct BuildArgs {
    /// Output folder (default: public/ in the site folder)
    #[arg(short, long, value_name = "DIR")]
    pub(crate) output: Option<PathBuf>,
    /// Use this base URL instead of site.yaml's
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    pub(crate) base_url: Option<String>,
    /// Include drafts
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Include editions dated after today
    #[arg(long)]
    pub(crate) future: bool,
    /// Treat warnings as errors
    #[arg(long)]
    pub(crate) strict: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Check drafts as published pages (without it, their problems are warnings)
    #[arg(long)]
    pub(crate) drafts: bool,
    /// Check editions dated after today as published (without it, their problems are warnings)
    #[arg(long)]
    pub(crate) future: bool,
    /// Treat warnings as errors
    #[arg(long)]
    pub(crate) strict: bool,
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`.
fn parse_clock(text: &str) -> Result<jiff::civil::DateTime, String> {
    if !text.contains('T')
        && let Ok(d) = text.parse::<jiff::civil::Date>()
    {
        return Ok(d.to_datetime(jiff::civil::Time::midnight()));
    }
    text.parse::<jiff::civil::DateTime>().map_err(|_| format!("`{text}` is not YYYY-MM-DD or YYYY-MM-DDTHH:MM"))
}

/// A full `http://` or `https://` address for `--base-url`.
fn parse_base_url(text: &str) -> Result<String, String> {
    crate::config::BaseUrl::parse(text)
        .map(|_| text.to_string())
        .map_err(|e| format!("{e}; write a full address such as `https://news.example.com/`"))
}

/// Runs a parsed command line and maps the outcome to an exit status.
pub fn run(cli: Cli) -> ExitCode {
    let out = Printer::new(&cli.global);
    let result = match &cli.command {
        Command::Build(args) => args.run(&cli.global, &out),
        Command::Check(args) => args.run(&cli.global, &out),
        Command::Serve(args) => args.run(&cli.global, &out),
        Command::Init(args) => args.run(&cli.global, &out),
        Command::New(args) => args.run(&cli.global, &out),
        Command::Editions(args) => args.run(&cli.global, &out),
        Command::Newsletter(args) => args.run(&cli.global, &out),
        #[cfg(feature = "deploy")]
        Command::Deploy(args) => args.run(&cli.global, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            out.failure(&failure);
            ExitCode::from(exit_code(&failure))
        }
    }
}

/// 2 for usage errors, as clap's own, and 1 for everything else.
fn exit_code(failure: &Failure) -> u8 {
    match failure {
        Failure::Usage(_) => 2,
        Failure::Site(_) | Failure::Other(_) => 1,
    }
}

impl BuildArgs {
    pub(crate) fn options(&self, g: &GlobalArgs) -> BuildOptions {
        let mut opts = BuildOptions::new(&g.source);
        if let Some(output) = &self.output {
            opts.output = output.clone();
        }
        opts.base_url = self.base_url.clone();
        opts.drafts = if self.drafts { Drafts::Include } else { Drafts::Exclude };
        opts.future = if self.future { Future::Include } else { Future::Exclude };
        opts.strict = self.strict;
        opts.clock = g.clock;
        opts
    }

    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let mut opts = self.options(g);
        opts.exit_after = true;
        let bar = out.progress_bar();
        let result = build::build(&opts, bar.as_ref());
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        let report = result?;
        out.report(&report, Outcome::Built);
        if let Err(e) = report.previous.retire() {
            out.line(&format!("warning: {e:#}; the next build removes it"));
        }
        Ok(())
    }
}

impl CheckArgs {
    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let mut opts = BuildOptions::new(&g.source);
        opts.strict = self.strict;
        opts.clock = g.clock;
        opts.drafts = if self.drafts { Drafts::Include } else { Drafts::Exclude };
        opts.future = if self.future { Future::Include } else { Future::Exclude };
        opts.exit_after = true;
        let checked = build::check(&opts);
        // Drafts and scheduled editions are checked too, so their problems are known
        // before they are published; as warnings, since the site as it would be
        // published does not hold them.
        // Only a site that leaves something out needs the second check (a failed
        // check does not say what it left out).
        let left_out = match &checked {
            Ok(report) => !report.skipped.drafts.is_empty() || !report.skipped.scheduled.is_empty(),
            Err(_) => true,
        };
        let unpublished = if (self.drafts && self.future) || !left_out {
            Vec::new()
        } else {
            let mut all = opts.clone();
            all.drafts = Drafts::Include;
            all.future = Future::Include;
            all.strict = false;
            let known = match &checked {
                Err(Failure::Site(d)) => d.0.clone(),
                Ok(report) => report.warnings.0.clone(),
                Err(_) => Vec::new(),
            };
            match build::check(&all) {
                Err(Failure::Site(d)) => unpublished_problems(d, &known),
                _ => Vec::new(),
            }
        };
        match checked {
            Ok(mut report) => {
                report.warnings.extend(unpublished);
                report.warnings.sort();
                if self.strict && !report.warnings.is_empty() {
                    return Err(Failure::Site(report.warnings));
                }
                out.report(&report, Outcome::Checked);
                Ok(())
            }
            Err(Failure::Site(mut d)) => {
                d.extend(unpublished);
                d.sort();
                Err(Failure::Site(d))
            }
            Err(other) => Err(other),
        }
    }
}

/// The errors a check with drafts and scheduled editions found that the
/// check of the published site did not, as warnings saying so.
fn unpublished_problems(
    all: Diagnostics,
    known: &[crate::diagnostic::Diagnostic],
) -> Vec<crate::diagnostic::Diagnostic> {
    let seen = |d: &crate::diagnostic::Diagnostic| {
        known.iter().any(|k| k.path == d.path && k.line == d.line && k.message == d.message)
    };
    all.0
        .into_iter()
        .filter(|d| d.is_error() && !seen(d))
        .map(|mut d| {
            d.severity = crate::diagnostic::Severity::Warning;
            d.message = format!("{} (in a draft or scheduled edition, so a warning until it is published; `check --drafts --future` checks it as published)", d.message);
            d
        })
        .collect()
}

impl ServeArgs {
    pub(crate) fn options(&self, g: &GlobalArgs) -> crate::serve::ServeOptions {
        let mut build = BuildOptions::new(&g.source);
        build.drafts = if self.no_drafts { Drafts::Exclude } else { Drafts::Include };
        build.future = if self.no_future { Future::Exclude } else { Future::Include };
        build.clock = g.clock;
        crate::serve::ServeOptions {
            build,
            bind: self.bind,
            port: self.port,
            watch: if self.watch { crate::serve::Watch::Yes } else { crate::serve::Watch::No },
            open: if self.open { crate::serve::Open::Browser } else { crate::serve::Open::No },
        }
    }

    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        crate::serve::run(self.options(g), out)?;
        Ok(())
    }
}

impl crate::serve::Reporter for Printer {
    fn line(&self, text: &str) {
        if !self.quiet || text.starts_with("error") {
            Printer::line(self, text);
        }
    }

    fn diagnostics(&self, diags: &Diagnostics) {
        Printer::diagnostics(self, diags);
    }
}

impl InitArgs {
    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let dir = self.dir.clone().unwrap_or_else(|| g.source.clone());
        let today = g
            .clock
            .map(|c| c.date())
            .unwrap_or_else(|| jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date());
        let report = crate::scaffold::init(&dir, &self.title, today, self.force)?;
        for kept in &report.kept {
            out.note(&format!("kept the existing `{}`", kept.display()));
        }
        out.note(&format!(
            "Created a site in `{}`; build it with `masthead -s {} build`",
            dir.display(),
            dir.display()
        ));
        Ok(())
    }
}

impl NewArgs {
    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let config = crate::config::SiteConfig::load(&g.source).map_err(Diagnostics)?;
        let mut opts = BuildOptions::new(&g.source);
        opts.clock = g.clock;
        let today = opts.today(&config);
        let edition = self.edition.date(today)?;
        let article = crate::scaffold::NewArticle {
            title: self.title.clone(),
            edition,
            section: self.section.clone(),
            authors: self.authors.clone(),
            draft: self.draft,
        };
        let path = crate::scaffold::new_article(&g.source, &article)?;
        out.stdout(&path.display().to_string());
        Ok(())
    }
}

impl EditionsArgs {
    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let mut opts = BuildOptions::new(&g.source);
        opts.clock = g.clock;
        opts.drafts = Drafts::Include;
        opts.future = Future::Include;
        // A broken draft does not hide the editions: they are listed without the
        // drafts, and the draft's problems are shown as warnings.
        let site = match crate::content::load(&opts) {
            Ok(site) => site,
            Err(with_drafts) => {
                opts.drafts = Drafts::Exclude;
                let site = crate::content::load(&opts)?;
                let warnings = unpublished_problems(with_drafts, &site.warnings.0);
                out.diagnostics(&Diagnostics(warnings));
                site
            }
        };
        for e in site.editions.iter().rev() {
            let drafts = e.articles.iter().filter(|a| a.draft).count();
            let published = e.articles.len() - drafts;
            let status = if e.scheduled {
                "scheduled"
            } else if published == 0 {
                "draft-only"
            } else {
                "published"
            };
            let mut counts = plural(published, "article");
            if drafts > 0 {
                counts.push_str(&format!(", {}", plural(drafts, "draft")));
            }
            out.stdout(&format!("{}  {status:<10}  {counts:<22}  {}", e.date, e.title));
        }
        Ok(())
    }
}

impl NewsletterArgs {
    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let mut opts = BuildOptions::new(&g.source);
        opts.clock = g.clock;
        let request = crate::newsletter::Request {
            edition: self.edition,
            format: self.format,
            to: self.to.clone(),
            from: self.from.clone(),
        };
        let bytes = crate::newsletter::run(&opts, &request)?;
        out.stdout_bytes(&bytes)?;
        Ok(())
    }
}

#[cfg(feature = "deploy")]
impl DeployArgs {
    pub(crate) fn options(&self, g: &GlobalArgs) -> crate::deploy::DeployOptions {
        let output = match &self.output {
            Some(output) => output.clone(),
            None => BuildOptions::new(&g.source).output,
        };
        crate::deploy::DeployOptions {
            source: g.source.clone(),
            output,
            target: self.target.clone(),
            mode: if self.dry_run { crate::deploy::Mode::DryRun } else { crate::deploy::Mode::Publish },
            max_deletes: self.max_deletes,
            force: self.force,
        }
    }

    fn run(&self, g: &GlobalArgs, out: &Printer) -> Result<(), Failure> {
        let opts = self.options(g);
        let reporter = DeployProgress { out, bar: if self.dry_run { None } else { out.progress_bar() } };
        let result = crate::deploy::run(&opts, &reporter);
        if let Some(bar) = &reporter.bar {
            bar.finish_and_clear();
        }
        let r = result?;
        let size = crate::deploy::size;
        if opts.mode == crate::deploy::Mode::DryRun {
            for line in &r.plan {
                out.stdout(line);
            }
            out.note(&format!(
                "Dry run for `{}`: would send {} ({}) and delete {}; {} unchanged. Nothing was changed.",
                r.target,
                plural(r.sent, "file"),
                size(r.bytes),
                plural(r.deleted, "object"),
                grouped(r.unchanged)
            ));
            return Ok(());
        }
        out.note(&format!(
            "Deployed to `{}`: sent {} ({}), deleted {}, {} unchanged in {:.2} s",
            r.target,
            plural(r.sent, "file"),
            size(r.bytes),
            plural(r.deleted, "object"),
            grouped(r.unchanged),
            r.elapsed.as_secs_f64()
        ));
        Ok(())
    }
}

/// Deploy's lines and progress bar.
#[cfg(feature = "deploy")]
struct DeployProgress<'a> {
    out: &'a Printer,
    bar: Option<indicatif::ProgressBar>,
}

#[cfg(feature = "deploy")]
impl crate::deploy::Reporter for DeployProgress<'_> {
    fn line(&self, text: &str) {
        let print = || {
            if !self.out.quiet || text.starts_with("error") {
                self.out.line(text);
            }
        };
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn total(&self, n: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(n);
        }
    }

    fn verbose(&self) -> bool {
        self.out.verbose
    }
}

/// Which command a [`BuildReport`] comes from: `check` writes nothing, so it
/// has no output folder, swap, photos or kept pages to tell about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Built,
    Checked,
}

impl Outcome {
    /// The word the summary line starts with.
    fn verb(self) -> &'static str {
        match self {
            Outcome::Built => "Built",
            Outcome::Checked => "Checked",
        }
    }

    /// Whether the command wrote an output folder, and so has its path,
    /// swap time, photos and unchanged files to tell about.
    fn wrote_output(self) -> bool {
        match self {
            Outcome::Built => true,
            Outcome::Checked => false,
        }
    }
}

/// Prints for people on stderr, with colour when wanted.
struct Printer {
    quiet: bool,
    verbose: bool,
    color: bool,
    terminal: bool,
}

impl Printer {
    fn new(g: &GlobalArgs) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let color = match g.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
        };
        Printer { quiet: g.quiet, verbose: g.verbose, color, terminal }
    }

    /// A line for people; what it quotes from the site (titles, paths)
    /// cannot send control sequences to the terminal.
    fn line(&self, text: &str) {
        self.raw_line(&printable(text));
    }

    /// A line already made printable, with this program's own colour codes.
    #[allow(clippy::print_stderr)]
    fn raw_line(&self, text: &str) {
        eprintln!("{text}");
    }

    /// Results meant for other programs (paths, listings) go to stdout,
    /// escaped as [`Printer::line`] is.
    #[allow(clippy::print_stdout)]
    fn stdout(&self, text: &str) {
        println!("{}", printable(text));
    }

    /// Bytes for other programs (a newsletter for `sendmail`), as they are.
    fn stdout_bytes(&self, bytes: &[u8]) -> anyhow::Result<()> {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(bytes)
            .and_then(|()| stdout.flush())
            .map_err(|e| anyhow::anyhow!("cannot write to stdout: {e}"))
    }

    fn note(&self, text: &str) {
        if !self.quiet {
            self.line(text);
        }
    }

    fn diagnostics(&self, ds: &Diagnostics) {
        for d in ds.iter() {
            if d.is_error() || !self.quiet {
                self.raw_line(&d.render(self.color));
            }
        }
    }

    fn progress_bar(&self) -> Option<indicatif::ProgressBar> {
        if self.quiet || !self.terminal {
            return None;
        }
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        Some(bar)
    }

    fn report(&self, r: &BuildReport, outcome: Outcome) {
        self.diagnostics(&r.warnings);
        if self.quiet {
            return;
        }
        let mut line = format!(
            "{} {} in {} in {:.2} s",
            outcome.verb(),
            plural(r.articles, "article"),
            plural(r.editions, "edition"),
            r.elapsed.as_secs_f64()
        );
        if outcome.wrote_output() {
            let shown = r.output.strip_prefix(".").unwrap_or(&r.output);
            line.push_str(&format!(" → {}/", shown.display()));
        }
        self.line(&line);
        if self.verbose {
            let w = &r.work;
            self.line(&format!(
                "Loaded {}, rendered {} and {} through templates",
                plural(w.files_parsed, "content file"),
                plural(w.markdown_rendered, "Markdown text"),
                plural(w.templates_rendered, "page"),
            ));
            let p = &r.phases;
            let secs = |d: std::time::Duration| format!("{:.2} s", d.as_secs_f64());
            let mut took = format!(
                "Took {} to load, {} to list the pages, {} to render",
                secs(p.load),
                secs(p.plan),
                secs(p.render)
            );
            if outcome.wrote_output() {
                took.push_str(&format!(" and write, {} to swap the site in", secs(p.swap)));
            }
            self.line(&took);
            if w.inlined.emails > 0 {
                // One css-inline pass per shape of email, not one per edition.
                self.line(&format!(
                    "Inlined the CSS of {} in {}",
                    plural(w.inlined.emails, "newsletter"),
                    if w.inlined.passes == 1 {
                        "1 pass".to_string()
                    } else {
                        format!("{} passes", grouped(w.inlined.passes))
                    }
                ));
            }
            if outcome.wrote_output() {
                self.line(&format!("photos: {} encoded, {} from cache", w.photos.encoded, w.photos.cached));
                self.line(&format!(
                    "{} of {} already held their bytes and were left alone",
                    grouped(w.unchanged),
                    plural(r.files, "output file"),
                ));
                if w.kept > 0 {
                    self.line(&format!(
                        "{} had not changed since this folder was last built and were not rendered",
                        plural(w.kept, "page"),
                    ));
                }
                if w.search.bundles > 0 {
                    self.line(&format!(
                        "search: {} of {} indexed ({}), the others unchanged",
                        grouped(w.search.indexed),
                        plural(w.search.bundles, "bundle"),
                        plural(w.search.articles_indexed, "article"),
                    ));
                }
            }
        }
        if !r.skipped.drafts.is_empty() {
            self.line(&format!(
                "Left out {} (use --drafts to include): {}",
                plural(r.skipped.drafts.len(), "draft"),
                r.skipped.drafts.join(", ")
            ));
        }
        if !r.skipped.scheduled.is_empty() {
            let dates: Vec<String> = r.skipped.scheduled.iter().map(|d| d.to_string()).collect();
            self.line(&format!(
                "Left out {} (use --future to include): {}",
                plural(dates.len(), "scheduled edition"),
                dates.join(", ")
            ));
        }
    }

    fn failure(&self, failure: &Failure) {
        match failure {
            Failure::Site(ds) => {
                self.diagnostics(ds);
                let errors = ds.error_count();
                self.raw_line(&self.paint_error(&format!(
                    "{} in {}; nothing was written",
                    plural(errors, "error"),
                    plural(ds.files_with_errors(), "file")
                )));
            }
            Failure::Usage(message) => {
                self.raw_line(&self.paint_error(message));
                self.raw_line("\nFor more information, try '--help'.");
            }
            Failure::Other(e) => self.raw_line(&self.paint_error(&format!("{e:#}"))),
        }
    }

    /// `error: <text>`, with `text` made printable.
    fn paint_error(&self, text: &str) -> String {
        let text = printable(text);
        if self.color { format!("\x1b[1;31merror\x1b[0m: {text}") } else { format!("error: {text}") }
    }
}

fn plural(n: usize, word: &str) -> String {
    let grouped = grouped(n);
    if n == 1 { format!("{grouped} {word}") } else { format!("{grouped} {word}s") }
}

/// `n` with thousands separated: 18,840.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    grouped
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn clock_accepts_dates_and_times() {
        assert_eq!(parse_clock("2023-09-05").unwrap().to_string(), "2023-09-05T00:00:00");
        assert_eq!(parse_clock("2023-09-05T14:30").unwrap().to_string(), "2023-09-05T14:30:00");
        assert!(parse_clock("2023-02-30").is_err());
    }

    #[test]
    fn usage_errors_exit_2_and_site_errors_1() {
        assert_eq!(exit_code(&Failure::Usage("x".into())), 2);
        assert_eq!(exit_code(&Failure::Site(Diagnostics::default())), 1);
        assert_eq!(exit_code(&Failure::Other(anyhow::anyhow!("disk full"))), 1);
    }

    #[test]
    fn base_url_flag_is_checked_when_parsed() {
        assert_eq!(parse_base_url("https://x.org/daily").as_deref(), Ok("https://x.org/daily"));
        assert!(parse_base_url("x.org").unwrap_err().contains("https://news.example.com/"));
    }

    #[test]
    fn only_a_build_tells_about_its_output() {
        assert_eq!((Outcome::Built.verb(), Outcome::Built.wrote_output()), ("Built", true));
        assert_eq!((Outcome::Checked.verb(), Outcome::Checked.wrote_output()), ("Checked", false));
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(plural(1, "article"), "1 article");
        assert_eq!(plural(10000, "article"), "10,000 articles");
    }
}
