//! Self-contained HTML pages (no scripts, inline style) for the few answers
//! a browser reads directly: the sign-in page, sign-in and sign-up errors.

/// Escapes text for an element or a quoted attribute.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f6f8;margin:0}\
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .2rem;font-size:.9rem}\
input{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #bbb;border-radius:4px}\
button{margin-top:1.2rem;width:100%;padding:.6rem;border:0;border-radius:4px;background:#00b39f;color:#fff;font-size:1rem}\
.providers button{background:#3c494f}.error{color:#b00020;margin:.5rem 0}p.small{font-size:.85rem;color:#555}";

/// A whole page around `body`, which the caller has built from escaped values.
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
         content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        esc(title)
    )
}
