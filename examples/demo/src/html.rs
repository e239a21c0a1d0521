//! How the demo's pages are put together. Each page's HTML is a file in
//! `pages/`, its scripts and the style sheet are files in `static/`, all
//! compiled in with `include_str!`; [`fill`] puts the values in.
//!
//! Escaping is the caller's, where the value is made, with the crate's own
//! escapers: [`escape_html`] for text and attribute values, [`js_string`]
//! for a string in a script. Markup the demo builds itself (a tag, a
//! banner) goes in as it is.

pub(crate) use require_login::__private::{escape_html, js_string};

use axum::response::Html;

/// `template` with each `{name}` replaced by the value given for `name`, in
/// one pass: a value is put in as it is and never searched for
/// placeholders itself. Any other `{` (a script's or a style's) stays.
///
/// # Panics
/// When the template has a placeholder with no value, or a value has no
/// placeholder: a mistake in the demo, shown the first time the page is
/// rendered (the tests render every page).
pub(crate) fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let extra: usize = values.iter().map(|(_, value)| value.len()).sum();
    let mut out = String::with_capacity(template.len() + extra);
    let mut used = vec![false; values.len()];
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..name_len];
        if name.is_empty() || !after[name_len..].starts_with('}') {
            out.push('{');
            rest = after;
            continue;
        }
        let Some(index) = values.iter().position(|(given, _)| *given == name) else {
            panic!("the template has {{{name}}} but no value was given for it");
        };
        out.push_str(values[index].1);
        used[index] = true;
        rest = &after[name_len + 1..];
    }
    out.push_str(rest);
    if let Some(unused) = used.iter().position(|used| !used) {
        panic!("the template has no {{{}}}", values[unused].0);
    }
    out
}

/// A whole page: `pages/layout.html` (title, style sheet, navigation)
/// around `body`, with `head` (script and meta tags) in its `<head>`.
pub(crate) fn page(title: &str, head: &str, body: &str) -> Html<String> {
    Html(fill(
        include_str!("../pages/layout.html"),
        &[
            ("title", &escape_html(title)),
            ("style", include_str!("../static/demo.css")),
            ("head", head),
            ("body", body),
        ],
    ))
}

/// A red banner saying what is not installed.
pub(crate) fn missing_banner(message: &str) -> String {
    format!(
        "<p class=\"missing\" id=\"missing\">{}</p>",
        escape_html(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_puts_each_value_in_once_and_leaves_other_braces() {
        let filled = fill(
            "<b>{name}</b>{name}<script>if (a) {b();} {}</script>{x_1}",
            &[("name", "{x_1}"), ("x_1", "!")],
        );
        assert_eq!(
            filled,
            "<b>{x_1}</b>{x_1}<script>if (a) {b();} {}</script>!"
        );
    }

    #[test]
    #[should_panic(expected = "no value was given for it")]
    fn fill_refuses_a_placeholder_without_a_value() {
        fill("{title}", &[]);
    }

    #[test]
    #[should_panic(expected = "the template has no {title}")]
    fn fill_refuses_a_value_without_a_placeholder() {
        fill("no placeholder", &[("title", "x")]);
    }
}
