//! The provider's HTML: the sign-in page and the error page. Self-contained
//! (no scripts, inline style), every value escaped.

use meshcloud_kernel::http::html::{esc, page};

/// An upstream provider offered on the sign-in page.
pub struct ProviderChoice {
    pub id: String,
    pub name: String,
}

pub fn login(
    action: &str,
    state: &str,
    client: &str,
    hint: Option<&str>,
    message: Option<&str>,
    providers: &[ProviderChoice],
) -> String {
    let error = message.map(|m| format!("<p class=\"error\" role=\"alert\">{}</p>", esc(m))).unwrap_or_default();
    let buttons: String = providers
        .iter()
        .map(|p| {
            format!(
                "<button type=\"submit\" name=\"provider\" value=\"{}\">Sign in with {}</button>",
                esc(&p.id),
                esc(&p.name)
            )
        })
        .collect();
    let others = if buttons.is_empty() {
        String::new()
    } else {
        format!(
            "<form method=\"post\" action=\"{a}\" class=\"providers\"><input type=\"hidden\" name=\"state\" value=\"{s}\">{buttons}</form>",
            a = esc(action),
            s = esc(state)
        )
    };
    let body = format!(
        "<h1>Sign in to continue to {client}</h1>{error}\
         <form method=\"post\" action=\"{a}\"><input type=\"hidden\" name=\"state\" value=\"{s}\">\
         <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" value=\"{hint}\" required>\
         <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\
         <p class=\"small\">Leave the password empty if your organization signs you in with its own provider.</p>\
         <button type=\"submit\">Sign in</button></form>{others}",
        client = esc(client),
        a = esc(action),
        s = esc(state),
        hint = esc(hint.unwrap_or("")),
    );
    page("Sign in", &body)
}

pub fn error(message: &str) -> String {
    page("Sign-in error", &format!("<h1>The sign-in cannot continue</h1><p class=\"error\">{}</p>", esc(message)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_escaped() {
        let html = super::login("/x", "s\"><script>", "<b>", Some("a&b"), None, &[]);
        assert!(!html.contains("<script>") && !html.contains("<b>") && html.contains("a&amp;b"));
    }
}
