//! The live-reload protocol between the preview server and open pages: the
//! browser script (served at [`SCRIPT_PATH`], injected into served HTML only),
//! the event-stream address, and the JSON each [`Reload`] travels as.

use serde_json::json;

use super::state::Reload;

/// The browser side: listens on [`EVENTS_PATH`] and reloads, swaps
/// stylesheets or shows the error overlay.
pub(crate) const SCRIPT: &str = include_str!("livereload.js");

/// Where the server answers with [`SCRIPT`].
pub(crate) const SCRIPT_PATH: &str = "/__masthead/livereload.js";

/// Where the server streams [`Reload`] messages as Server-Sent Events.
pub(crate) const EVENTS_PATH: &str = "/__masthead/events";

/// The tag the server inserts before `</body>` of every HTML page it serves.
pub(crate) const SCRIPT_TAG: &str = r#"<script src="/__masthead/livereload.js" defer></script>"#;

/// One SSE `data:` payload: `{"type":"pages","paths":[…]}`,
/// `{"type":"styles","paths":[…]}`, `{"type":"error","html":"…"}` or
/// `{"type":"fixed"}`. An empty `paths` list means every page.
pub(crate) fn to_json(reload: &Reload) -> String {
    let value = match reload {
        Reload::Pages(paths) => json!({ "type": "pages", "paths": paths }),
        Reload::Styles(paths) => json!({ "type": "styles", "paths": paths }),
        Reload::Error(html) => json!({ "type": "error", "html": html }),
        Reload::Fixed => json!({ "type": "fixed" }),
    };
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(reload: &Reload) -> serde_json::Value {
        let text = to_json(reload);
        // A newline inside the overlay must not end the SSE `data:` line.
        assert!(!text.contains('\n'), "{text}");
        serde_json::from_str(&text).expect("valid JSON")
    }

    #[test]
    fn every_message_is_one_json_line() {
        let pages = Reload::Pages(vec!["/2026/03/02/".into(), "/".into()]);
        assert_eq!(parsed(&pages), json!({"type": "pages", "paths": ["/2026/03/02/", "/"]}));
        assert_eq!(parsed(&Reload::Pages(vec![])), json!({"type": "pages", "paths": []}));
        let styles = Reload::Styles(vec!["/css/daily.css".into()]);
        assert_eq!(parsed(&styles), json!({"type": "styles", "paths": ["/css/daily.css"]}));
        assert_eq!(parsed(&Reload::Fixed), json!({"type": "fixed"}));
        let error = Reload::Error("<div>\nbad</div>".into());
        assert_eq!(parsed(&error), json!({"type": "error", "html": "<div>\nbad</div>"}));
    }

    #[test]
    fn the_script_tag_points_at_the_script() {
        assert!(SCRIPT_TAG.contains(SCRIPT_PATH));
        assert!(SCRIPT.contains(EVENTS_PATH));
    }
}
