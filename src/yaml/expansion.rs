//! The budget for YAML anchors and aliases. An alias (`*a`) stands for the
//! whole value its anchor (`&a`) names, so 600 KB written once and aliased
//! 2,000 times is 1.2 GB of data once read. Before the typed parse, a
//! counting pass walks the YAML as it reads with every alias replaced,
//! holding nothing but a running total, and stops as soon as the total
//! passes the budget: the memory is never spent.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};

use super::FrontMatterError;

/// What every value costs on top of its text, so that many empty values
/// (`[[], [], …]` aliased over and over) are counted too.
pub(crate) const VALUE_COST: usize = 16;

/// The budget never goes below this, so small files may use a few aliases.
pub(crate) const MIN_BUDGET: usize = 64 * 1024;

/// Nor above this: 16 MB of data is far more than any front matter or
/// `site.yaml` holds, and parsing it takes well under a second.
pub(crate) const MAX_BUDGET: usize = 16 * 1024 * 1024;

/// How many times its own size YAML may grow through aliases.
pub(crate) const GROWTH: usize = 64;

/// The expansion budget of YAML of `len` bytes: 64 times its size, at
/// least 64 KB and at most 16 MB. YAML without aliases counts at most
/// about 9 times its size (`[a,a,a]`: 2 bytes written, 17 counted per value).
pub(crate) fn budget(len: usize) -> usize {
    len.saturating_mul(GROWTH).clamp(MIN_BUDGET, MAX_BUDGET)
}

/// Refuses YAML whose aliases expand past [`budget`], at the line of the
/// top-level key whose value passed it. Other YAML problems are left to
/// the typed parse, which reports them in its own words.
pub fn check(yaml: &str, line_offset: usize) -> Result<(), FrontMatterError> {
    // An alias needs both an anchor (`&`) and a use (`*`): without either
    // character nothing can expand, and the file is parsed only once.
    if !yaml.contains('&') || !yaml.contains('*') {
        return Ok(());
    }
    let limit = budget(yaml.len());
    let state = Count { used: Cell::new(0), limit, over: Cell::new(false), key: RefCell::new(None) };
    let result = Counter::document(&state).deserialize(serde_yaml::Deserializer::from_str(yaml));
    if !state.over.get() {
        // Parsed within the budget, or another problem the typed parse names.
        let _ = result;
        return Ok(());
    }
    let key = state.key.borrow().clone();
    let line = key
        .as_deref()
        .and_then(|k| super::key_line(yaml, line_offset, k))
        .or_else(|| result.err().and_then(|e| e.location()).map(|l| line_offset + l.line()))
        .unwrap_or(line_offset + 1);
    let whose = key.map(|k| format!("the value of `{k}`")).unwrap_or_else(|| "the YAML".into());
    Err(FrontMatterError::new(
        line,
        format!(
            "{whose} expands through anchors and aliases (`&name`, `*name`) to more than {}: \
             masthead reads at most 64 times the YAML's own size, and never more than 16 MB",
            megabytes(limit)
        ),
    )
    .with_help("write the values out instead of repeating aliases; long text belongs in the article's body"))
}

fn megabytes(bytes: usize) -> String {
    if bytes >= 1024 * 1024 { format!("{:.1} MB", bytes as f64 / 1_048_576.0) } else { format!("{} KB", bytes / 1024) }
}

/// The running total of one counting pass.
struct Count {
    used: Cell<usize>,
    limit: usize,
    over: Cell<bool>,
    /// The top-level key being read, for the message.
    key: RefCell<Option<String>>,
}

impl Count {
    /// Adds `bytes` of text and one value; an error once past the budget,
    /// which ends the pass at once.
    fn add<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        let used = self.used.get().saturating_add(bytes).saturating_add(VALUE_COST);
        self.used.set(used);
        if used > self.limit {
            self.over.set(true);
            return Err(E::custom("expansion budget exceeded"));
        }
        Ok(())
    }
}

/// What a value is to the counting pass.
#[derive(Clone, Copy)]
enum Role<'k> {
    /// The document: a top-level map is read key by key, so the message
    /// can name the key being read.
    Document,
    /// A top-level key, kept as text when it is a plain string (a key is
    /// short: a long one is counted before it is copied, and past the
    /// budget it is not copied).
    Key(&'k RefCell<Option<String>>),
    /// Any other value.
    Value,
}

/// Counts one value with all it holds, as its `role` says.
#[derive(Clone, Copy)]
struct Counter<'a, 'k> {
    count: &'a Count,
    role: Role<'k>,
}

impl<'a> Counter<'a, '_> {
    fn document(count: &'a Count) -> Self {
        Counter { count, role: Role::Document }
    }

    fn value(&self) -> Self {
        Counter { count: self.count, role: Role::Value }
    }
}

impl<'de> DeserializeSeed<'de> for Counter<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counter<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.count.add(v.len())?;
        if let Role::Key(text) = self.role {
            *text.borrow_mut() = Some(v.chars().take(64).collect());
        }
        Ok(())
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.count.add(v.len())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.count.add(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        self.value().deserialize(de)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        self.value().deserialize(de)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.count.add(0)?;
        while seq.next_element_seed(self.value())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.count.add(0)?;
        loop {
            let more = match self.role {
                Role::Document => {
                    let text = RefCell::new(None);
                    let more = map.next_key_seed(Counter { count: self.count, role: Role::Key(&text) })?.is_some();
                    *self.count.key.borrow_mut() = text.into_inner();
                    more
                }
                Role::Key(_) | Role::Value => map.next_key_seed(self.value())?.is_some(),
            };
            if !more {
                return Ok(());
            }
            map.next_value_seed(self.value())?;
        }
    }
    /// A value with a tag of its own (`!name value`): the tag and the value.
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        let ((), variant) = data.variant_seed(self.value())?;
        variant.newtype_variant_seed(self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aliases(anchor_bytes: usize, uses: usize) -> String {
        let uses = vec!["*a"; uses].join(", ");
        format!("title: A\nsummary: &a {}\ntags: [{uses}]\n", "x".repeat(anchor_bytes))
    }

    #[test]
    fn the_budget_grows_with_the_file_between_bounds() {
        assert_eq!(budget(0), MIN_BUDGET);
        assert_eq!(budget(10_000), 640_000);
        assert_eq!(budget(2 * 1024 * 1024), MAX_BUDGET);
        assert_eq!(budget(usize::MAX), MAX_BUDGET);
    }

    #[test]
    fn files_without_many_aliases_pass() {
        let ok = [
            "title: A\n",
            "title: a*b & c\n",
            "title: A\ntags: [a, b]\nextra: {k: &x v, j: *x}\n",
            "title: A\nextra:\n  base: &b {a: 1, b: [x, y]}\n  one: *b\n  two: *b\n",
            // Broken YAML is the typed parse's to report.
            "title: A\nk: *missing &\n",
            "title: [A\n&*",
        ];
        for yaml in ok {
            assert_eq!(check(yaml, 1), Ok(()), "{yaml}");
        }
        // Without aliases, even the densest YAML stays under the budget.
        let dense = format!("title: A\nk: [{}]\n", vec!["a"; 200_000].join(","));
        assert_eq!(check(&format!("&z {dense}*z"), 1).map_err(|e| e.message), Ok(()));
        assert_eq!(check(&aliases(1_000, 60), 1), Ok(()));
    }

    #[test]
    fn many_aliases_are_refused_at_the_key_that_uses_them() {
        // Regression: 600 KB aliased 2,000 times took 49.6 s and 15.7 GB.
        let e = check(&aliases(600_000, 2_000), 1).unwrap_err();
        assert_eq!(e.line, Some(4), "{e:?}");
        assert!(e.message.starts_with("the value of `tags` expands"), "{}", e.message);
        assert!(e.message.contains("more than 16.0 MB"), "{}", e.message);
        // Each use counts the whole anchored value: 2 KB × 200 uses in a 3 KB file.
        assert!(check(&aliases(2_000, 200), 1).is_err());
    }

    #[test]
    fn nested_aliases_multiply() {
        // Nine levels of nine: 387 million values, from 400 bytes.
        let mut bomb = "title: A\nextra:\n  a: &a [x, x, x, x, x, x, x, x, x]\n".to_string();
        for (prev, name) in
            ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            bomb.push_str(&format!("  {name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        let e = check(&bomb, 1).unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.starts_with("the value of `extra` expands"), "{}", e.message);
        // Empty values count too.
        let empties = format!("a: &a [{}]\nb: [{}]\n", vec!["[]"; 100].join(","), vec!["*a"; 100].join(","));
        assert_eq!(check(&empties, 0).unwrap_err().line, Some(2));
    }

    #[test]
    fn tagged_values_and_keys_are_counted() {
        let tagged = format!("a: &a !t {}\nb: [{}]\n", "x".repeat(10_000), vec!["*a"; 100].join(", "));
        assert!(check(&tagged, 0).is_err());
        let keys = format!("a: &a {}\nb:\n{}", "x".repeat(10_000), "  *a : 1\n".repeat(100));
        assert_eq!(check(&keys, 0).unwrap_err().line, Some(2));
        let as_key = format!("a: &a {}\n*a : 1\n", "k".repeat(100_000));
        assert!(check(&as_key, 0).is_ok());
    }
}
