use super::*;

const CSS: &str = "<style>\
    body { margin: 0; } p { color: red; } .story p { margin: 1px; } td > a { color: blue; }\
    p + p { padding: 2px; } li ~ li { padding: 3px; } tr:nth-child(2) td { border: 0; }\
    li:first-child { font-weight: bold; } p:empty { display: none; } div:not(.x) > span { color: green; }\
    h1, h2 { font-family: \"Times New Roman\", serif; } .a.b { color: #fff; } #lead { width: 10px; }\
    @media (max-width: 600px) { p { color: blue !important; } }</style>";

/// The attribute values `html`'s stylesheets leave out of its skeleton.
fn opaque_attributes(html: &str) -> Vec<&'static str> {
    opaque_in(&stylesheets(html))
}

/// `body` inside a full document with the stylesheet `css`.
fn page(css: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>T &amp; co — x</title>\n{css}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
}

/// The shape path gives css-inline's bytes, and did take the shape path.
fn assert_same(html: &str) {
    assert!(Shape::of(html, opaque_attributes(html)).is_some(), "expected a skeleton for:\n{html}");
    let inliner = Inliner::default();
    assert_eq!(inliner.inline(html).unwrap(), inline_direct(html).unwrap(), "for:\n{html}");
}

const BODIES: [&str; 16] = [
    "<p class=\"x\">Hi &amp; bye &lt;b&gt; &quot;q&quot; &#39;s&#x27; &nbsp;\u{a0}&#8204;end</p>",
    "<table class=\"t\"><tr><td><a href=\"https://x.org/?a=1&amp;b=&quot;2&quot;\">link</a></td></tr><tr><td>two</td></tr></table>",
    "<table>stray text<tr><td>cell</td></tr></table>",
    "<b><p>misnested</b> tail</p>",
    "<a href=\"/one\"><div>block in link</div></a><a href=\"/two\">again <a href=\"/three\">nested</a></a>",
    "<div class=\"story\"><p>one</p><p>two</p><p></p><span>s</span></div>",
    "<ul><li>a<li>b</li><li title=\"t\">c</ul>",
    "<pre>\nleading newline</pre><textarea>\n&lt;kept&gt;</textarea>",
    "<!--[if mso]><table><tr><td><![endif]--><P CLASS=\"a b\" ID=lead>Upper</P><!-- a --->",
    "<img class=\"photo\" src=\"https://i.example/a.jpg\" alt=\"A &quot;quoted&quot; alt\" width=560><br/>",
    "<h1 class=\"edition-title\">  spaced   title  </h1>\n\t<h2>x</h2>",
    "<div class=\"x\"><span>not matched</span></div><div><span>matched</span></div>",
    "<p style=\"color: black\">has its own style</p>",
    "<b title=\"a\"><b title=\"a\"><b title=\"a\"><b title=\"a\">ark</b></b></b></b>",
    "<a href=\"x\" href=\"y\">dup</a> AT&amp;T & more &",
    "<select><option>one<option>two</select><p>after</p>",
];

#[test]
fn each_shape_gives_css_inlines_bytes() {
    for body in BODIES {
        assert_same(&page(CSS, body));
    }
    // Text after the document's end moves into the body.
    assert_same(&format!("{}after the end\n", page(CSS, "<p>x</p>")));
}

#[test]
fn random_documents_of_tricky_pieces_give_css_inlines_bytes() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let pieces = [
        "<p>",
        "</p>",
        "<table>",
        "</table>",
        "<tr>",
        "<td>",
        "</td>",
        "<b>",
        "</b>",
        "<a href=\"/u&amp;v\">",
        "</a>",
        "text",
        " ",
        "\n",
        "<div class=\"story\">",
        "</div>",
        "<li>",
        "<span>",
        "</span>",
        "&lt;&amp;",
        "<img src=\"s\" alt=\"\">",
        "<!-- c -->",
        "<h2>",
        "</h2>",
        "<i title=\"t\">",
        "</i>",
        "<br>",
    ];
    for _ in 0..300 {
        let body: String = (0..next(24)).map(|_| pieces[next(pieces.len())]).collect();
        assert_same(&page(CSS, &body));
    }
}

#[test]
fn emails_of_one_shape_share_one_pass() {
    let inliner = Inliner::default();
    for (title, url) in [("One", "/1/"), ("Two &amp; more", "/2/"), ("Three", "/3/?x=&quot;")] {
        let html = page(CSS, &format!("<div class=\"story\"><p><a href=\"{url}\">{title}</a></p></div>"));
        assert_eq!(inliner.inline(&html).unwrap(), inline_direct(&html).unwrap());
    }
    assert_eq!(inliner.stats(), InlineStats { emails: 3, passes: 1 });
}

#[test]
fn values_the_css_can_see_stay_in_the_skeleton() {
    // An attribute selector on `href` (or `:link`) makes every link part of the shape.
    for css in ["<style>a[href$=\"/\"] { color: red; }</style>", "<style>a:link { color: red; }</style>"] {
        let inliner = Inliner::default();
        for url in ["/1/", "/2", "/3/"] {
            let html = page(css, &format!("<p><a href=\"{url}\">x</a></p>"));
            assert_eq!(inliner.inline(&html).unwrap(), inline_direct(&html).unwrap(), "{css}");
        }
        assert_eq!(inliner.stats(), InlineStats { emails: 3, passes: 3 }, "{css}");
    }
    // A CSS escape could name any attribute.
    assert!(opaque_attributes(&page("<style>[h\\72 ef] { color: red; }</style>", "")).is_empty());
    assert_eq!(opaque_attributes(&page(CSS, "")), OPAQUE.to_vec());
}

#[test]
fn what_is_not_read_as_html5ever_reads_it_goes_through_css_inline_whole() {
    let odd = [
        "<script>if (a < b) {}</script>",
        "<svg><style>p { color: red; }</style></svg>",
        "<p>1 < 2</p>",
        "<p>&copy; 2026</p>",
        "<p>line\r\nbreak</p>",
        "<p>&#0;</p>",
        "<p>&#32;</p>",
        "<p>\u{F0000}</p>",
        "<a href=\"x\"=y>x</a>",
        "<p>a --!> b</p><!-- x --!>",
        "<noscript><p>x</p></noscript>",
    ];
    for body in odd {
        let html = page(CSS, body);
        if body.starts_with("<p>a --!>") {
            assert!(Shape::of(&format!("<!-- x --!> -->{body}"), Vec::new()).is_none());
            continue;
        }
        assert!(Shape::of(&html, opaque_attributes(&html)).is_none(), "{body}");
        let inliner = Inliner::default();
        assert_eq!(inliner.inline(&html).unwrap(), inline_direct(&html).unwrap(), "{body}");
        assert_eq!(inliner.stats(), InlineStats { emails: 1, passes: 1 });
    }
}

#[test]
fn values_are_escaped_as_the_serializer_escapes_them() {
    let cases = [
        ("a&b<c>\"d\u{a0}", Context::Text, "a&amp;b&lt;c&gt;\"d&nbsp;"),
        ("a&b<c>\"d\u{a0}", Context::Attribute, "a&amp;b<c>&quot;d&nbsp;"),
        ("plain words", Context::Text, "plain words"),
        ("\u{a0}", Context::Text, "&nbsp;"),
        // `à` is `C3 A0`: its second byte is no-break space's, but it is not one.
        ("\u{e0} la\u{a0}carte \u{e0}", Context::Attribute, "\u{e0} la&nbsp;carte \u{e0}"),
        ("\u{e0}<\"", Context::Attribute, "\u{e0}<&quot;"),
    ];
    for (text, context, expected) in cases {
        let mut out = String::new();
        escape_into(&mut out, text, context);
        assert_eq!(out, expected);
    }
}

/// The stylesheets as a search from each `<style` to the next `</style`,
/// anywhere and in any case: what [`stylesheets`] must find.
fn styles_by_search(html: &str) -> String {
    let mut css = String::new();
    let mut rest = html;
    while let Some(start) = find_ignore_case(rest, "<style") {
        rest = &rest[start..];
        let end = find_ignore_case(rest, "</style").unwrap_or(rest.len());
        css.push_str(&rest[..end].to_ascii_lowercase());
        rest = &rest[end.max(1)..];
    }
    css
}

#[test]
fn every_style_counts_wherever_it_is() {
    let docs = [
        page(CSS, "<p>x</p>"),
        page("<STYLE>p { color: red; }</Style >", "<style>a[href] { color: red; }</style>"),
        page("", "<!-- <style>[title] {}</style> --><p title=\"t\">x</p>"),
        page("<style>p {}", "<p alt=\"a\">unterminated <style> [alt] {}</p>"),
        page("<style>img[src] {}</style><style>[alt] {}</style>", ""),
        "<style>".to_string(),
        "no markup".to_string(),
    ];
    for html in &docs {
        let css = styles_by_search(html);
        let expected: Vec<_> = OPAQUE
            .into_iter()
            .filter(|name| !(css.contains(name) || (*name == "href" && css.contains("link"))))
            .collect();
        let expected = if css.contains('\\') { Vec::new() } else { expected };
        assert_eq!(opaque_attributes(html), expected, "{html}");
    }
}

// Regression: the stylesheets are read once for the emails that share them, and an
// email with other stylesheets is never cut by the last email's reading.
#[test]
fn stylesheets_are_read_once_and_never_reused_for_others() {
    let inliner = Inliner::default();
    let by_href = "<style>a[href$=\"/\"] { color: red; }</style>";
    let emails = [(CSS, "/1/"), (CSS, "/2/"), (by_href, "/3/"), (by_href, "/4"), (CSS, "/5/")];
    for (css, url) in emails {
        let html = page(css, &format!("<div class=\"story\"><p><a href=\"{url}\">x</a></p></div>"));
        assert_eq!(inliner.inline(&html).unwrap(), inline_direct(&html).unwrap(), "{css} {url}");
    }
    assert_eq!(inliner.stylesheet_reads.load(Ordering::Relaxed), 3);
    // The two emails of the shared CSS share one pass; those that name `href` have one each.
    assert_eq!(inliner.stats(), InlineStats { emails: 5, passes: 3 });
}
