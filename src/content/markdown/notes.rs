//! Heading ids and footnotes, as a pass over pulldown-cmark's events.
//!
//! Every heading gets an id, GitHub's way (lower case, letters, digits, `-`
//! and `_` kept, spaces made `-`, punctuation dropped), unique within the
//! body (`-1`, `-2` … on repeats) unless the writer chose one with `{#id}`.
//! Footnote definitions are taken out of where they are written and listed
//! at the end, numbered in the order they are first referenced, each with a
//! link back to every reference; a definition nobody references is left out
//! with a warning. Only the text of a heading and the definitions are held
//! back, so the pass streams like the renderer.

use std::collections::{HashMap, HashSet, VecDeque};

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// The ids a page's own elements may take: footnotes use `fn-N` and
/// `fnref-N`, so headings never do.
fn reserved(id: &str) -> bool {
    let digits = |rest: &str| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    id.strip_prefix("fnref-").is_some_and(digits) || id.strip_prefix("fn-").is_some_and(digits)
}

/// GitHub's heading anchor for `text`.
pub(crate) fn heading_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == ' ' || c == '-' {
            out.push('-');
        } else if c == '_' {
            out.push('_');
        }
    }
    out
}

/// Event adapter; see the module docs.
pub(crate) struct Notes<'a, I: Iterator<Item = Event<'a>>> {
    inner: I,
    queue: VecDeque<Event<'a>>,
    /// Ids given so far, for uniqueness.
    ids: HashSet<String>,
    /// Footnote label → its number, in order of first reference.
    numbers: HashMap<String, usize>,
    /// Per number: how many references it has had.
    references: Vec<usize>,
    /// Label → the definition's events (between its start and end tags).
    definitions: HashMap<String, Vec<Event<'a>>>,
    /// Labels in the order they are defined, for the warning.
    defined: Vec<String>,
    finished: bool,
    /// Labels defined but never referenced, known once the body ends.
    pub(crate) unreferenced: Vec<String>,
}

impl<'a, I: Iterator<Item = Event<'a>>> Notes<'a, I> {
    pub(crate) fn new(inner: I) -> Self {
        Notes {
            inner,
            queue: VecDeque::new(),
            ids: HashSet::new(),
            numbers: HashMap::new(),
            references: Vec::new(),
            definitions: HashMap::new(),
            defined: Vec::new(),
            finished: false,
            unreferenced: Vec::new(),
        }
    }

    fn unique(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_string() } else { base };
        let mut id = base.clone();
        let mut n = 0;
        while reserved(&id) || !self.ids.insert(id.clone()) {
            n += 1;
            id = format!("{base}-{n}");
        }
        id
    }

    /// Holds back a heading until its end, to name it by its text.
    fn heading(&mut self, start: Event<'a>) {
        let mut held = vec![start];
        let mut text = String::new();
        for event in self.inner.by_ref() {
            match &event {
                Event::Text(t) | Event::Code(t) => text.push_str(t),
                _ => {}
            }
            let end = matches!(event, Event::End(TagEnd::Heading(_)));
            held.push(event);
            if end {
                break;
            }
        }
        if let Event::Start(Tag::Heading { level, id, classes, attrs }) = held.remove(0) {
            let id = match id {
                Some(chosen) => {
                    self.ids.insert(chosen.to_string());
                    chosen
                }
                None => CowStr::from(self.unique(heading_slug(&text))),
            };
            self.queue.push_back(Event::Start(Tag::Heading { level, id: Some(id), classes, attrs }));
        }
        self.queue.extend(held);
    }

    /// Takes a footnote definition out of the stream.
    fn definition(&mut self, label: CowStr<'a>) {
        let mut depth = 0;
        let mut events = Vec::new();
        for event in self.inner.by_ref() {
            match &event {
                Event::Start(Tag::FootnoteDefinition(_)) => depth += 1,
                Event::End(TagEnd::FootnoteDefinition) if depth == 0 => break,
                Event::End(TagEnd::FootnoteDefinition) => depth -= 1,
                _ => {}
            }
            events.push(event);
        }
        let label = label.to_string();
        if !self.definitions.contains_key(&label) {
            self.defined.push(label.clone());
            self.definitions.insert(label, events);
        }
    }

    fn reference(&mut self, label: &str) -> Event<'a> {
        let next = self.numbers.len() + 1;
        let n = *self.numbers.entry(label.to_string()).or_insert(next);
        if n > self.references.len() {
            self.references.push(0);
        }
        self.references[n - 1] += 1;
        let k = self.references[n - 1];
        let id = if k == 1 { format!("fnref-{n}") } else { format!("fnref-{n}-{k}") };
        Event::InlineHtml(format!(r##"<sup class="footnote-ref"><a href="#fn-{n}" id="{id}">{n}</a></sup>"##).into())
    }

    /// The list of footnotes, after the body.
    fn finish(&mut self) {
        self.finished = true;
        let mut order: Vec<(usize, String)> = self.numbers.iter().map(|(l, n)| (*n, l.clone())).collect();
        order.sort_unstable();
        self.unreferenced = self.defined.iter().filter(|l| !self.numbers.contains_key(*l)).cloned().collect();
        let listed: Vec<(usize, Vec<Event<'a>>)> =
            order.into_iter().filter_map(|(n, label)| self.definitions.remove(&label).map(|e| (n, e))).collect();
        if listed.is_empty() {
            return;
        }
        self.queue.push_back(Event::Html("<section class=\"footnotes\" role=\"doc-endnotes\">\n<ol>\n".into()));
        for (n, mut events) in listed {
            let backs: String = (1..=self.references[n - 1])
                .map(|k| {
                    let id = if k == 1 { format!("fnref-{n}") } else { format!("fnref-{n}-{k}") };
                    let mark = if k == 1 { "↩".to_string() } else { format!("↩{k}") };
                    format!(r##" <a href="#{id}" class="footnote-back" role="doc-backlink" aria-label="Back to reference {n}">{mark}</a>"##)
                })
                .collect();
            // Inside the last paragraph when the note ends with one, else after it.
            let at = match events.last() {
                Some(Event::End(TagEnd::Paragraph)) => events.len() - 1,
                _ => events.len(),
            };
            events.insert(at, Event::InlineHtml(backs.into()));
            self.queue.push_back(Event::Html(format!("<li id=\"fn-{n}\">\n").into()));
            self.queue.extend(events);
            self.queue.push_back(Event::Html("</li>\n".into()));
        }
        self.queue.push_back(Event::Html("</ol>\n</section>\n".into()));
    }
}

impl<'a, I: Iterator<Item = Event<'a>>> Iterator for Notes<'a, I> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some(event);
            }
            if self.finished {
                return None;
            }
            match self.inner.next() {
                Some(start @ Event::Start(Tag::Heading { .. })) => self.heading(start),
                Some(Event::Start(Tag::FootnoteDefinition(label))) => self.definition(label),
                Some(Event::FootnoteReference(label)) => return Some(self.reference(&label)),
                Some(other) => return Some(other),
                None => self.finish(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_githubs() {
        assert_eq!(heading_slug("How to use it"), "how-to-use-it");
        assert_eq!(heading_slug("Rust’s 2017 roadmap: what's next?"), "rusts-2017-roadmap-whats-next");
        assert_eq!(heading_slug("  Ünïcödé -- snake_case  "), "ünïcödé----snake_case");
        assert_eq!(heading_slug("C++ & you"), "c--you");
        assert!(reserved("fn-1") && reserved("fnref-2-3") && !reserved("fn-a") && !reserved("fnord"));
    }
}
