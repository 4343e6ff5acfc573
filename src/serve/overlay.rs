//! The error overlay `serve` shows in the browser when a rebuild fails: every
//! diagnostic with its `path:line:col`, message and hint, escaped, over the
//! last good version of the page. It is self-contained (inline styles, no
//! script) so it can be injected into any page.

use crate::diagnostic::{Diagnostic, Diagnostics, Severity};
use crate::render::escape::html_escape;

const BOX_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem 1rem;\
box-sizing:border-box;background:rgba(20,0,0,.6);font:15px/1.5 system-ui,sans-serif;color:#1a1a1a;text-align:left";
const PANEL_STYLE: &str = "max-width:60rem;margin:0 auto;background:#fff;border-radius:6px;overflow:hidden;\
box-shadow:0 8px 32px rgba(0,0,0,.4)";
const HEADER_STYLE: &str =
    "margin:0;padding:.8rem 1.2rem;background:#8b0000;color:#fff;font-size:1.1rem;font-weight:600";
const ITEM_STYLE: &str = "margin:0;padding:.8rem 1.2rem;border-bottom:1px solid #eee;white-space:pre-wrap";
const LOCATION_STYLE: &str = "display:block;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;color:#8b0000";
const HELP_STYLE: &str = "display:block;color:#555";
const HEADER: &str = "masthead: the site could not be rebuilt";
const NOTE: &str =
    "The last good version of the page is shown underneath. This message goes away when the error is fixed.";
const NOTE_STYLE: &str = "margin:0;padding:.6rem 1.2rem;color:#666;font-size:.85rem;background:#fafafa";

/// The overlay for a failed rebuild, as one `<div id="masthead-error-overlay">`.
/// Every piece of text from the diagnostics is HTML-escaped.
pub(crate) fn overlay_html(diags: &Diagnostics) -> String {
    let mut html = format!(r#"<div id="masthead-error-overlay" role="alert" style="{BOX_STYLE}">"#);
    html.push_str(&format!(r#"<div style="{PANEL_STYLE}"><p style="{HEADER_STYLE}">{HEADER}</p>"#));
    html.push_str(r#"<ul style="margin:0;padding:0;list-style:none">"#);
    for diag in diags.iter() {
        html.push_str(&item(diag));
    }
    html.push_str(&format!(r#"</ul><p style="{NOTE_STYLE}">{NOTE}</p></div></div>"#));
    html
}

fn item(diag: &Diagnostic) -> String {
    let label = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let help = match &diag.help {
        Some(help) => format!(r#"<span style="{HELP_STYLE}">help: {}</span>"#, html_escape(help)),
        None => String::new(),
    };
    format!(
        r#"<li style="{ITEM_STYLE}"><code style="{LOCATION_STYLE}">{}</code><strong>{label}:</strong> {}{help}</li>"#,
        html_escape(&diag.location()),
        html_escape(&diag.message),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diags(list: Vec<Diagnostic>) -> Diagnostics {
        Diagnostics(list)
    }

    #[test]
    fn shows_location_message_and_help() {
        let d = Diagnostic::at("content/2026-03-02/ferry.md", 4, Some(7), "unknown key `titel`")
            .help("did you mean `title`?");
        let html = overlay_html(&diags(vec![d]));
        assert!(html.starts_with(r#"<div id="masthead-error-overlay" role="alert""#), "{html}");
        assert!(html.contains("masthead: the site could not be rebuilt"));
        assert!(html.contains("content/2026-03-02/ferry.md:4:7"));
        assert!(html.contains("unknown key `titel`"));
        assert!(html.contains("help: did you mean `title`?"));
        assert!(html.contains("The last good version of the page is shown underneath"));
        assert!(html.ends_with("</div></div>"));
    }

    #[test]
    fn escapes_everything_it_shows() {
        let evil = r#""><script>alert(1)</script>"#;
        let d = Diagnostic::at(format!("content/{evil}.md"), 1, None, evil).help(evil);
        let html = overlay_html(&diags(vec![d, Diagnostic::warning("site.yaml", "<img src=x onerror=alert(1)>")]));
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;&gt;"));
        // Escaping keeps the markup balanced: the overlay is still one element.
        assert_eq!(html.matches("<div").count(), html.matches("</div>").count());
        assert_eq!(html.matches("<li").count(), 2);
    }

    #[test]
    fn a_file_wide_problem_has_no_line() {
        let html = overlay_html(&diags(vec![Diagnostic::error("templates/base.html", "bad template")]));
        assert!(html.contains(">templates/base.html</code>"), "{html}");
    }
}
