//! The provider's HTML: the sign-in page and the error page. Self-contained
//! (no scripts, inline style), every value escaped.

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}\
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-size:.9rem}\
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;border-radius:4px}\
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#00b39f;color:#fff;font-size:1rem}\
.providers button{background:#3c494f}.error{color:#b00020;margin:.5rem 0}p.small{font-size:.85rem;color:#555}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        esc(title)
    )
}

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
