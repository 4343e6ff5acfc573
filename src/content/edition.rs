//! Builds editions out of parsed files: groups articles by date, applies the
//! draft and schedule rules, gives every page and file its URL, resolves
//! links and photos, and renders Markdown (in parallel).

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rayon::prelude::*;

use super::article::{Markdown, ParsedArticle, ParsedNote, PhotoMeta, parse_article, parse_note};
use super::cache::LoadCache;
use super::discover::{Source, SourceFile, SourceKind, discover, folder_date, read_source_stamped};
use super::links::{LinkIndex, PageTarget, normalize};
use super::markdown::{self, LinkProblem, Rendered};
use super::photos::{self, Placed};
use super::slug::{alias_output, output_file};
use super::{Article, Asset, Edition, Photo, Site, Skipped, display_date};
use crate::config::permalinks::expand;
use crate::config::{BaseUrl, BuildOptions, Drafts, Future, SiteConfig};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs::{FastMap, FileStamp};
use crate::packed::{Budget, Text};

/// Characters escaped in URL path segments of copied files.
const SEGMENT: &AsciiSet =
    &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'%').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');

pub(super) const SUMMARY_CHARS: usize = 200;

/// A file's parse: the file as data, or every problem found in it.
pub(super) type ParseResult = Result<Parsed, Vec<Diagnostic>>;

#[derive(Debug, Clone)]
pub(super) enum Parsed {
    Article(Box<ParsedArticle>),
    Note(Box<ParsedNote>),
    Asset(SourceFile),
    /// Listed, then removed before it was read: as if it had not been listed.
    Gone,
}

#[derive(Default)]
struct Group {
    articles: Vec<ParsedArticle>,
    note: Option<ParsedNote>,
}

/// A site read and planned ([`plan`]): every file parsed, and for every
/// edition what is published and where, with no Markdown rendered yet.
/// [`Planned::finish`] renders the bodies and makes the [`Site`];
/// [`Planned::front`] first makes what the front page shows.
pub(crate) struct Planned {
    root: std::path::PathBuf,
    config: SiteConfig,
    base: BaseUrl,
    strict: bool,
    skipped: Skipped,
    /// Published editions, oldest first; without the newest once [`Planned::front`] took it.
    plans: Vec<EditionPlan>,
    link_index: LinkIndex,
    assets: Vec<Asset>,
    images: Vec<crate::images::SourceImage>,
    /// The files found, for the cache to forget the others (empty for a cache that keeps nothing).
    files: Vec<SourceFile>,
    diags: Diagnostics,
    /// The newest edition, finished ahead of the others by [`Planned::front`].
    newest: Option<Finished>,
}

/// Reads, parses and plans the site: everything but rendering its bodies.
pub(super) fn plan(
    opts: &BuildOptions,
    config: SiteConfig,
    base: BaseUrl,
    today: Date,
    cache: &mut LoadCache,
) -> Planned {
    let root = opts.source.clone();
    cache.reset(opts.plain_text_bytes);
    let ((files, walk_problems), parsed) = on_reading_threads(|| {
        let found = discover(&root, &opts.output);
        let parsed = parse_files(&found.0, cache);
        (found, parsed)
    });
    let mut diags = Diagnostics(walk_problems);
    let (groups, asset_files, failed) = group(parsed, &mut diags);

    let mut planner = Planner {
        config: &config,
        base: &base,
        today,
        drafts: opts.drafts,
        future: opts.future,
        skipped: Skipped::default(),
        // A link to a file whose own front matter failed is that file's error, not the link's.
        link_index: LinkIndex { failed: failed.into_iter().collect(), ..LinkIndex::default() },
        outputs: FastMap::default(),
        diags,
    };
    let plans: Vec<EditionPlan> = groups.into_iter().filter_map(|(date, group)| planner.plan(date, group)).collect();
    let Planner { skipped, mut link_index, mut outputs, mut diags, .. } = planner;

    let placed = place_assets(&base, &config, &plans, asset_files, &mut link_index, &mut outputs, &mut diags);
    let (assets, images) = photos::place(placed, &config.images, &base, &mut link_index, &mut outputs, &mut diags);
    // Every body is rendered next, and the site holds them all: what is no
    // longer needed goes first (at a million articles, the claimed outputs
    // and the file list are about 0.3 GB). A one-off build's cache keeps
    // nothing, so it needs no list of the files that still exist.
    drop(outputs);
    let files = if cache.keeps() { files } else { Vec::new() };
    let strict = opts.strict || config.strict;
    Planned { root, config, base, strict, skipped, plans, link_index, assets, images, files, diags, newest: None }
}

impl Planned {
    /// How many articles the site publishes.
    pub(crate) fn article_count(&self) -> usize {
        let newest = match &self.newest {
            Some(Ok((e, _))) => e.articles.len(),
            _ => 0,
        };
        self.plans.iter().map(|p| p.articles.len()).sum::<usize>() + newest
    }

    /// What the front page shows, as a site of its own: the newest edition
    /// finished (bodies rendered), and every other edition as the front
    /// page lists it (date, title, link), without its articles. `None` when
    /// the load already fails, or the newest edition does. The edition
    /// finished here is the one [`Planned::finish`] publishes: its bodies
    /// are rendered once.
    pub(crate) fn front(&mut self, cache: &LoadCache) -> Option<Site> {
        if self.fails() || self.newest.is_some() {
            return None;
        }
        if let Some(plan) = self.plans.pop() {
            self.newest = Some(finish_edition(plan, &self.config, &self.link_index, cache));
        }
        let newest = match &self.newest {
            Some(Ok((edition, _))) => Some(edition.clone()),
            Some(Err(_)) => return None,
            None => None,
        };
        let editions = self.plans.iter().map(|plan| edition_head(plan, &self.config)).chain(newest).collect();
        Some(Site {
            root: self.root.clone(),
            config: self.config.clone(),
            base: self.base.clone(),
            editions,
            assets: self.assets.clone(),
            images: Vec::new(),
            skipped: Skipped::default(),
            warnings: Diagnostics::new(),
        })
    }

    /// Whether what was found so far already fails the load.
    fn fails(&self) -> bool {
        fails(&self.diags, self.strict)
    }

    /// Renders every body (in parallel) and makes the site; on failure,
    /// every error and warning found.
    pub(crate) fn finish(self, cache: &mut LoadCache) -> Result<Site, Diagnostics> {
        let Planned {
            root,
            config,
            base,
            strict,
            skipped,
            plans,
            link_index,
            assets,
            images,
            files,
            mut diags,
            newest,
        } = self;
        let mut editions: Vec<Finished> =
            plans.into_par_iter().map(|plan| finish_edition(plan, &config, &link_index, cache)).collect();
        editions.extend(newest);
        let live: std::collections::HashSet<&str> = files.iter().map(|f| f.site_rel.as_str()).collect();
        cache.settle(|key| live.contains(key));
        if cache.keeps() {
            cache.link_index = Some(link_index);
        }
        let mut published = Vec::new();
        for e in editions {
            match e {
                Ok((e, warnings)) => {
                    published.push(e);
                    diags.extend(warnings);
                }
                Err(ds) => diags.extend(ds),
            }
        }
        for e in &published {
            diags.extend(photo_warnings(e));
        }
        diags.sort();
        if fails(&diags, strict) {
            if strict {
                diags.make_strict();
            }
            return Err(diags);
        }
        Ok(Site { root, config, base, editions: published, assets, images, skipped, warnings: diags })
    }
}

/// Whether `diags` fail a load: an error, or with `--strict` (or `strict:
/// true` in site.yaml) any warning.
fn fails(diags: &Diagnostics, strict: bool) -> bool {
    diags.has_errors() || (strict && !diags.is_empty())
}

/// How many reading threads per core [`on_reading_threads`] uses.
const READERS_PER_CORE: usize = 4;

/// Runs `work` (the walk of `content/` and the parse of its files) on more
/// threads than there are cores. When the files are not in the system's
/// cache, reading them waits on the disk: with one thread per core a core
/// would sit idle during each wait; with several, others parse meanwhile
/// (a cold 10k load: 1.0 s on 2 threads, 0.7–0.85 s on 8).
fn on_reading_threads<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads() * READERS_PER_CORE)
            .thread_name(|i| format!("masthead-read-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Reads and parses every file, or takes the cached parse of a file whose
/// [`FileStamp`] (size, modification and change times, inode) is unchanged.
fn parse_files(files: &[SourceFile], cache: &mut LoadCache) -> Vec<ParseResult> {
    let parsed: Vec<(Option<FileStamp>, ParseResult, Option<Arc<ParseResult>>)> = files
        .par_iter()
        .map(|f| {
            // A file parsed before is read again only if its stamp moved; a
            // new one is stamped as it is read (one question less a file).
            let known = cache.files.get(&f.path);
            let stamp = known.and_then(|_| FileStamp::at(&f.path));
            match known {
                Some((old, kept)) if Some(*old) == stamp => (stamp, (**kept).clone(), Some(Arc::clone(kept))),
                _ => {
                    cache.parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let (stamp, parsed) = read_and_parse_stamped(f, &cache.sources);
                    (stamp, parsed, None)
                }
            }
        })
        .collect();
    if cache.keeps() {
        // The cache keeps a copy of each new parse without its bodies' text:
        // the rendered bodies are what later loads reuse.
        let kept = |result: &ParseResult, old: &Option<Arc<ParseResult>>| match old {
            Some(old) => Arc::clone(old),
            None => Arc::new(result.as_ref().map(Parsed::without_body_text).map_err(Clone::clone)),
        };
        cache.files = files
            .iter()
            .zip(&parsed)
            .filter_map(|(f, (stamp, result, old))| stamp.map(|s| (f.path.clone(), (s, kept(result, old)))))
            .collect();
    }
    parsed.into_iter().map(|(_, result, _)| result).collect()
}

/// Groups parsed files by edition date; other files are copied as assets.
/// Groups parsed files by edition date; files that failed to parse are
/// named in the third list (by their path under `content/`).
fn group(parsed: Vec<ParseResult>, diags: &mut Diagnostics) -> (BTreeMap<Date, Group>, Vec<SourceFile>, Vec<String>) {
    let mut groups: BTreeMap<Date, Group> = BTreeMap::new();
    let mut asset_files = Vec::new();
    let mut failed = Vec::new();
    for result in parsed {
        match result {
            Ok(Parsed::Article(a)) => groups.entry(a.date).or_default().articles.push(*a),
            Ok(Parsed::Note(n)) => {
                let n = *n;
                let group = groups.entry(n.date).or_default();
                if let Some(first) = &group.note {
                    diags.push(
                        Diagnostic::error(
                            &n.file.site_rel,
                            format!("a second `_edition.md` for {}; the first is `{}`", n.date, first.file.site_rel),
                        )
                        .help("keep one `_edition.md` per edition"),
                    );
                } else {
                    group.note = Some(n);
                }
            }
            Ok(Parsed::Asset(f)) => asset_files.push(f),
            Ok(Parsed::Gone) => {}
            Err(ds) => {
                failed.extend(ds.iter().find_map(|d| d.path.to_str()?.strip_prefix("content/").map(String::from)));
                diags.extend(ds);
            }
        }
    }
    (groups, asset_files, failed)
}

/// Decides, edition by edition, what is published and where: URLs, the
/// draft and schedule rules, and one owner per output path.
struct Planner<'c> {
    config: &'c SiteConfig,
    base: &'c BaseUrl,
    today: Date,
    drafts: Drafts,
    future: Future,
    skipped: Skipped,
    link_index: LinkIndex,
    /// Output path → the file that writes it.
    outputs: FastMap<String, String>,
    diags: Diagnostics,
}

impl Planner<'_> {
    /// The plan of one edition, or `None` when it is not published.
    fn plan(&mut self, date: Date, group: Group) -> Option<EditionPlan> {
        let edition_path = expand(&self.config.permalinks.edition, date, "");
        let edition_url = with_root(self.base, &edition_path);
        let scheduled = date > self.today;
        let edition_in = !scheduled || self.future == Future::Include;
        let mut included = Vec::new();
        let mut drafts_left_out = 0;
        for a in group.articles {
            let path = expand(&self.config.permalinks.article, date, &a.slug);
            let url = with_root(self.base, &path);
            let left_out = if !edition_in {
                Some(format!("an article of the scheduled {date} edition"))
            } else if a.meta.draft && self.drafts == Drafts::Exclude {
                Some("a draft".to_string())
            } else {
                None
            };
            let target = PageTarget { url: url.clone(), left_out: left_out.clone() };
            self.link_index.pages.insert(a.file.content_rel.clone(), target);
            match left_out {
                Some(_) if edition_in => {
                    drafts_left_out += 1;
                    self.skipped.drafts.push(a.file.site_rel.clone());
                }
                Some(_) => {}
                None => included.push((a, url, output_file(&path))),
            }
        }
        if let Some(note) = &group.note {
            let left_out = (!edition_in).then(|| format!("the scheduled {date} edition"));
            self.link_index
                .pages
                .insert(note.file.content_rel.clone(), PageTarget { url: edition_url.clone(), left_out });
        }
        if !edition_in {
            self.skipped.scheduled.push(date);
            return None;
        }
        if included.is_empty() {
            // An edition of drafts only is named among the skipped drafts.
            if let (Some(note), 0) = (&group.note, drafts_left_out) {
                let message = format!("the {date} edition has no articles and is left out");
                self.diags.push(Diagnostic::warning(&note.file.site_rel, message));
            }
            return None;
        }
        let edition_output = output_file(&edition_path);
        // Edition paths hold the date, so they cannot meet each other; the
        // label names the page in messages about aliases and files.
        let label = group.note.as_ref().map_or_else(|| format!("the {date} edition page"), |n| n.file.site_rel.clone());
        self.outputs.insert(edition_output.clone(), label);
        self.claim_articles(&mut included);
        Some(EditionPlan {
            date,
            scheduled,
            url: edition_url,
            output: edition_output,
            note: group.note,
            articles: included,
        })
    }

    /// Gives each article its page and aliases, refusing paths already taken.
    fn claim_articles(&mut self, included: &mut [(ParsedArticle, String, String)]) {
        for (a, _, out) in included.iter() {
            if let Some(problem) = crate::fs::path_problem(out) {
                self.diags.push(
                    Diagnostic::error(&a.file.site_rel, format!("this article's page cannot be written: {problem}"))
                        .with_place(a.slug_at)
                        .help("set a shorter `slug:`"),
                );
            } else if let Some(other) = self.outputs.get(out) {
                self.diags.push(
                    Diagnostic::error(
                        &a.file.site_rel,
                        format!("this article's page `{out}` is also written by `{other}`"),
                    )
                    .with_place(a.slug_at)
                    .help("give one of them a different `slug:`"),
                );
            } else {
                self.outputs.insert(out.clone(), a.file.site_rel.clone());
            }
        }
        for (a, _, _) in included.iter_mut() {
            claim_aliases(a, &mut self.outputs, &mut self.diags);
        }
    }
}

struct EditionPlan {
    date: Date,
    scheduled: bool,
    url: String,
    output: String,
    note: Option<ParsedNote>,
    articles: Vec<(ParsedArticle, String, String)>,
}

/// Reads and parses one file; its Markdown body is held packed once the
/// load has spent `plain` (see [`crate::packed::Budget`]).
pub(super) fn read_and_parse(file: &SourceFile, plain: &Budget) -> Result<Parsed, Vec<Diagnostic>> {
    read_and_parse_stamped(file, plain).1
}

/// [`read_and_parse`], with the file's stamp as it was read (`None`: the
/// file could not be read).
fn read_and_parse_stamped(file: &SourceFile, plain: &Budget) -> (Option<FileStamp>, Result<Parsed, Vec<Diagnostic>>) {
    if file.kind == SourceKind::Asset {
        return (FileStamp::at(&file.path), Ok(Parsed::Asset(file.clone())));
    }
    match read_source_stamped(file) {
        Ok(Source::Read(text, stamp)) => (Some(stamp), parse_text(file, text, plain)),
        Ok(Source::Gone(_)) => (None, Ok(Parsed::Gone)),
        Err(d) => (None, Err(vec![d])),
    }
}

fn parse_text(file: &SourceFile, text: String, plain: &Budget) -> Result<Parsed, Vec<Diagnostic>> {
    let hold = |body: &mut Markdown| body.text = body.text.take().map(|text| plain.hold(text));
    match file.kind {
        SourceKind::Article => parse_article(file, text).map(|mut a| {
            hold(&mut a.body);
            Parsed::Article(Box::new(a))
        }),
        _ => parse_note(file, text).map(|mut n| {
            hold(&mut n.body);
            Parsed::Note(Box::new(n))
        }),
    }
}

impl Parsed {
    /// What the preview keeps of a parse between loads: all of it but the
    /// Markdown bodies' text (see [`Markdown`]).
    pub(super) fn without_body_text(&self) -> Parsed {
        match self {
            Parsed::Article(a) => Parsed::Article(Box::new(a.without_body_text())),
            Parsed::Note(n) => Parsed::Note(Box::new(n.without_body_text())),
            Parsed::Asset(f) => Parsed::Asset(f.clone()),
            Parsed::Gone => Parsed::Gone,
        }
    }
}

/// The Markdown body of `file` as it is now, read again for a parse kept
/// without it; `None` when the file no longer parses (the watcher reports
/// the change, and the next load sees it).
pub(super) fn body_text(file: &SourceFile) -> Option<Text> {
    match read_and_parse(file, &Budget::default()) {
        Ok(Parsed::Article(a)) => a.body.text,
        Ok(Parsed::Note(n)) => n.body.text,
        _ => None,
    }
}

fn with_root(base: &BaseUrl, path: &str) -> String {
    format!("{}{}", base.root, path.trim_start_matches('/'))
}

/// Outputs of the site-wide pages, which no alias may take.
fn is_reserved(out: &str) -> bool {
    const FILES: [&str; 6] = ["index.html", "404.html", "feed.xml", "feed.json", "sitemap.xml", "robots.txt"];
    const FOLDERS: [&str; 4] = ["archive/", "sections/", "tags/", "authors/"];
    let sitemap_part = out.starts_with("sitemap-") && out.ends_with(".xml");
    FILES.contains(&out) || sitemap_part || FOLDERS.iter().any(|f| out.starts_with(f))
}

/// Turns an article's `aliases` into output paths, each claimed once.
fn claim_aliases(a: &mut ParsedArticle, outputs: &mut FastMap<String, String>, diags: &mut Diagnostics) {
    let mut placed = Vec::new();
    for alias in &a.meta.aliases {
        match alias_output(alias) {
            Ok(out) if is_reserved(&out) => diags.push(
                Diagnostic::error(
                    &a.file.site_rel,
                    format!("the alias `{alias}` would replace a page masthead writes (`{out}`)"),
                )
                .with_place(a.aliases_at)
                .help("the front page, feeds, sitemap, archive and section, tag and author pages cannot be aliases"),
            ),
            Ok(out) => match outputs.get(&out) {
                Some(other) => diags.push(
                    Diagnostic::error(&a.file.site_rel, format!("the alias `{alias}` is also written by `{other}`"))
                        .with_place(a.aliases_at)
                        .help("remove one of the two"),
                ),
                None => {
                    outputs.insert(out.clone(), a.file.site_rel.clone());
                    placed.push(out);
                }
            },
            Err(msg) => diags.push(Diagnostic::error(&a.file.site_rel, msg).with_place(a.aliases_at)),
        }
    }
    a.meta.aliases = placed;
}

/// Files beside articles go beside their edition's page; files outside any
/// dated folder keep their path. Files of unpublished editions stay home.
fn place_assets(
    base: &BaseUrl,
    config: &SiteConfig,
    plans: &[EditionPlan],
    files: Vec<SourceFile>,
    index: &mut LinkIndex,
    outputs: &mut FastMap<String, String>,
    diags: &mut Diagnostics,
) -> Vec<Placed> {
    let mut assets = Vec::new();
    for file in files {
        let output = match folder_date(&file.content_rel) {
            Some((date, dir)) => {
                if !plans.iter().any(|p| p.date == date) {
                    continue;
                }
                let edition_path = expand(&config.permalinks.edition, date, "");
                let edition_dir = &edition_path[..edition_path.rfind('/').unwrap_or(0) + 1];
                format!("{}{}", edition_dir.trim_start_matches('/'), &file.content_rel[dir.len() + 1..])
            }
            None => file.content_rel.clone(),
        };
        if let Some(other) = outputs.get(&output) {
            diags.push(
                Diagnostic::error(
                    &file.site_rel,
                    format!("this file would be published as `{output}`, which `{other}` also writes"),
                )
                .help("rename the file"),
            );
            continue;
        }
        outputs.insert(output.clone(), file.site_rel.clone());
        index.assets.insert(file.content_rel.clone(), file_url(base, &output));
        assets.push(Placed {
            asset: Asset { source: file.path, output },
            content_rel: file.content_rel,
            site_rel: file.site_rel,
        });
    }
    assets
}

/// The URL of a published file, its path segments escaped.
pub(super) fn file_url(base: &BaseUrl, output: &str) -> String {
    let encoded: Vec<String> = output.split('/').map(|s| utf8_percent_encode(s, SEGMENT).to_string()).collect();
    format!("{}{}", base.root, encoded.join("/"))
}

pub(super) fn dir_of(content_rel: &str) -> &str {
    content_rel.rfind('/').map_or("", |i| &content_rel[..i])
}

/// A body as its pages show it, and the summary that goes with it.
pub(super) struct Body {
    /// The HTML with body images sized; `hash` is of that HTML.
    pub(crate) rendered: Rendered,
    pub(crate) summary: String,
}

/// The one pipeline from a file's Markdown body to what pages show, used by
/// the full load and by the preview's refresh of a single file alike, so the
/// two cannot differ: Markdown with links resolved, then body images given
/// their sizes, then the summary (`summary` from the front matter, else the
/// start of the first paragraph).
pub(super) fn render_body(
    cache: &LoadCache,
    index: &LinkIndex,
    smart: bool,
    file: &SourceFile,
    body: &Markdown,
    body_line: usize,
    summary: Option<&str>,
) -> Body {
    let dir = dir_of(&file.content_rel);
    let mut rendered = cache.markdown(file, body, body_line, smart, dir, index);
    if rendered.has_images && !index.images.is_empty() {
        if let Some(html) = photos::size_body_images(&rendered.html.get(), &index.images) {
            rendered.hash = markdown::hash_html(&html);
            rendered.html = cache.bodies.hold(Text::plain(html));
        }
    }
    let summary = match summary {
        Some(s) if smart => markdown::typography::smart_text(s).into_owned(),
        Some(s) => s.to_owned(),
        None => markdown::cut_at_word(&rendered.first_paragraph, SUMMARY_CHARS),
    };
    Body { rendered, summary }
}

/// An edition and its warnings, or every error that keeps it out.
type Finished = Result<(Edition, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Renders Markdown, resolves photos and fills in defaults for one edition;
/// the edition comes with its warnings.
fn finish_edition(plan: EditionPlan, config: &SiteConfig, index: &LinkIndex, cache: &LoadCache) -> Finished {
    let smart = config.markdown.smart_punctuation;
    let head = edition_head(&plan, config);
    let mut problems = Vec::new();
    let mut articles: Vec<Article> = plan
        .articles
        .into_iter()
        .filter_map(|(a, url, output)| {
            let dir = dir_of(&a.file.content_rel);
            let Body { rendered, summary } =
                render_body(cache, index, smart, &a.file, &a.body, a.body_line, a.meta.summary.as_deref());
            problems.extend(link_diagnostics(&a.file.site_rel, &rendered.problems));
            let photo = match a.meta.photo.as_ref().map(|p| resolve_photo(p, dir, index, a.photo_at)) {
                Some(Err(msg)) => {
                    problems.push(Diagnostic::error(&a.file.site_rel, msg).with_place(a.photo_at));
                    return None;
                }
                Some(Ok(p)) => Some(p),
                None => None,
            };
            let photo = photo.map(|p| shown(p, smart));
            let updated = a.meta.updated.as_deref().and_then(super::article::parse_updated);
            let meta = a.meta;
            Some(Article {
                source: a.file.site_rel,
                date: plan.date,
                title: if smart { markdown::typography::smart_text(&meta.title).into_owned() } else { meta.title },
                slug: a.slug,
                summary,
                summary_written: meta.summary.is_some(),
                byline: super::byline(meta.author.clone().map(|x| x.into_vec()).as_deref().unwrap_or_default()),
                authors: meta.author.map(|x| x.into_vec()).unwrap_or_default(),
                section: meta.section,
                tags: meta.tags,
                photo,
                order: meta.order,
                draft: meta.draft,
                updated,
                aliases: meta.aliases,
                extra: meta.extra,
                body_hash: rendered.hash,
                body_html: rendered.html,
                url,
                output,
            })
        })
        .collect();
    // Collected in place, the list keeps the plan's buffer, sized for the
    // larger parsed articles and grown by pushes: twice the room its five
    // articles need (4.9 KB, not 2.4), for as long as the site lives.
    articles.shrink_to_fit();
    articles.sort_by(|a, b| (a.order.is_none(), a.order, &a.source).cmp(&(b.order.is_none(), b.order, &b.source)));

    let mut edition = head;
    edition.articles = articles;
    if let Some(note) = plan.note {
        let dir = dir_of(&note.file.content_rel);
        let Body { rendered, summary } =
            render_body(cache, index, smart, &note.file, &note.body, note.body_line, note.meta.summary.as_deref());
        problems.extend(link_diagnostics(&note.file.site_rel, &rendered.problems));
        match note.meta.photo.as_ref().map(|p| resolve_photo(p, dir, index, note.photo_at)) {
            Some(Err(msg)) => problems.push(Diagnostic::error(&note.file.site_rel, msg).with_place(note.photo_at)),
            Some(Ok(p)) => edition.photo = Some(shown(p, smart)),
            None => {}
        }
        edition.summary = summary;
        edition.note_html = rendered.html.get().into_owned();
        edition.source = Some(note.file.site_rel);
        edition.extra = note.meta.extra;
    }
    // Warnings (an image without alt text, a footnote never referenced) go with the edition.
    if problems.iter().any(Diagnostic::is_error) { Err(problems) } else { Ok((edition, problems)) }
}

/// An edition as far as its plan alone tells: date, title (the note's, or
/// the publication's with the date), URL and output, without articles,
/// summary, note or photo. What lists of editions show of it.
fn edition_head(plan: &EditionPlan, config: &SiteConfig) -> Edition {
    let title = match plan.note.as_ref().and_then(|n| n.meta.title.as_deref()) {
        Some(title) if config.markdown.smart_punctuation => markdown::typography::smart_text(title).into_owned(),
        Some(title) => title.to_string(),
        None => format!("{} — {}", config.publication(), display_date(&config.date_format, plan.date)),
    };
    Edition {
        date: plan.date,
        title,
        summary: String::new(),
        note_html: String::new(),
        photo: None,
        url: plan.url.clone(),
        output: plan.output.clone(),
        scheduled: plan.scheduled,
        articles: Vec::new(),
        source: None,
        extra: serde_json::Map::new(),
    }
}

/// A photo with its caption and credit curled as the body is (`alt` is an
/// attribute, read by machines and screen readers: left as written).
fn shown(mut photo: Photo, smart: bool) -> Photo {
    if smart {
        for text in [&mut photo.caption, &mut photo.credit].into_iter().flatten() {
            if let std::borrow::Cow::Owned(curled) = markdown::typography::smart_text(text) {
                *text = curled;
            }
        }
    }
    photo
}

fn link_diagnostics(site_rel: &str, problems: &[LinkProblem]) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| {
            let d = Diagnostic::at(site_rel, p.line, Some(p.col), p.message.clone());
            if p.is_error {
                d.help("link to an existing `.md` file, relative to this file or as `@/<edition>/<file>.md`")
            } else {
                Diagnostic { severity: crate::diagnostic::Severity::Warning, ..d }
            }
        })
        .collect()
}

/// A photo's `src`: an http(s) URL as is, otherwise a file of the site
/// relative to the article (or `@/` from `content/`).
fn resolve_photo(
    meta: &PhotoMeta,
    dir: &str,
    index: &LinkIndex,
    place: Option<(usize, usize)>,
) -> Result<Photo, String> {
    let src = meta.src.trim();
    let url = if src.starts_with("https://") || src.starts_with("http://") {
        src.to_string()
    } else {
        let (base, path) = match src.strip_prefix("@/") {
            Some(rest) => ("", rest),
            None => (dir, src),
        };
        if path.starts_with('/') || path.contains(':') {
            return Err(format!("the photo `{src}` must be a path relative to the article or an http(s) URL"));
        }
        let target =
            normalize(base, path).ok_or_else(|| format!("the photo `{src}` points outside the content folder"))?;
        index.assets.get(&target).cloned().ok_or_else(|| {
            format!("the photo `{src}` was not found (looked for `content/{target}`){}", index.case_hint(&target))
        })?
    };
    Ok(Photo {
        alt: meta.alt.clone().unwrap_or_default(),
        credit: meta.credit.clone(),
        caption: meta.caption.clone(),
        size: index.images.get(&url).cloned(),
        src: url,
        place,
    })
}

fn photo_warnings(e: &Edition) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in &e.articles {
        if let Some(p) = &a.photo {
            if p.credit.as_deref().is_none_or(|c| c.trim().is_empty()) {
                out.push(
                    Diagnostic::warning(&a.source, "the photo has no `credit`")
                        .with_place(p.place)
                        .help("add `credit:` under `photo:` (who took it, which agency)"),
                );
            }
            if p.alt.trim().is_empty() {
                out.push(
                    Diagnostic::warning(&a.source, "the photo has no `alt` text")
                        .with_place(p.place)
                        .help("add `alt:` under `photo:`, describing the picture for readers who cannot see it"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::BuildOptions;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("site.yaml"), "title: T\nbase_url: https://x.org/\n").unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    // Regression: a file removed between the listing of its folder and its
    // read (a preview rebuild started in the middle of an `rm -r`) failed the
    // load with "cannot read the file", and the preview stayed on that error
    // when the removal's own event had come before the rebuild.
    #[test]
    fn a_file_removed_after_it_was_listed_is_not_there_rather_than_an_error() {
        let dir = site(&[
            ("content/2023-09-05/a.md", "---\ntitle: A\n---\nA.\n"),
            ("content/2023-09-05/b.md", "---\ntitle: B\n---\nB.\n"),
        ]);
        let (files, problems) = super::discover(dir.path(), &dir.path().join("public"));
        assert!(problems.is_empty() && files.len() == 2, "{files:?} {problems:?}");
        std::fs::remove_file(dir.path().join("content/2023-09-05/b.md")).unwrap();
        let mut cache = super::LoadCache::persistent();
        let parsed = super::parse_files(&files, &mut cache);
        assert!(matches!(parsed[1], Ok(super::Parsed::Gone)), "{:?}", parsed[1]);
        let mut diags = crate::diagnostic::Diagnostics::new();
        let (groups, _, _) = super::group(parsed, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(groups.values().map(|g| g.articles.len()).sum::<usize>(), 1);
        assert_eq!(cache.files.len(), 1, "a file gone is not remembered");
    }

    // Regression: each edition's list of articles kept the buffer of its
    // plan (parsed articles, grown by pushes), twice the room it needs, for
    // the whole build: about 0.5 GB at a million articles.
    #[test]
    fn an_editions_articles_take_no_more_room_than_they_need() {
        let files: Vec<(String, String)> = (0..5)
            .map(|i| (format!("content/2023-09-05/a{i}.md"), format!("---\ntitle: A{i}\n---\nText.\n")))
            .collect();
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let dir = site(&files);
        let site = crate::content::load(&BuildOptions::new(dir.path())).unwrap();
        let articles = &site.editions[0].articles;
        assert_eq!((articles.len(), articles.capacity()), (5, 5));
    }

    #[test]
    fn an_edition_note_without_articles_is_a_warning_but_drafts_only_is_not() {
        let dir = site(&[
            ("content/2023-09-05/_edition.md", "---\ntitle: Empty\n---\n"),
            ("content/2023-09-06/_edition.md", "---\ntitle: Drafts\n---\n"),
            ("content/2023-09-06/d.md", "---\ntitle: D\ndraft: true\n---\n"),
            ("content/2023-09-07/a.md", "---\ntitle: A\n---\n"),
        ]);
        let site = crate::content::load(&BuildOptions::new(dir.path())).unwrap();
        let warnings: Vec<String> = site.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            warnings,
            vec!["warning: content/2023-09-05/_edition.md: the 2023-09-05 edition has no articles and is left out"]
        );
        assert_eq!(site.skipped.drafts, vec!["content/2023-09-06/d.md"]);
        assert_eq!(site.editions.len(), 1);
    }
}
