//! API7 Cloud wire conventions: the `{status, error, payload}` envelope on
//! every answer (HTTP 200 for every success, creates included), ids as
//! decimal strings, 1-based `page`/`page_size` lists answered by
//! `{list, count}`, label filters, and PATCH bodies in both forms the SDK
//! sends (a JSON object, or a JSON string holding its base64).

use std::borrow::Cow;

use base64::Engine;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type};
use poem_openapi::{ApiResponse, Object};
use serde_json::{Map, Value};

use crate::AppError;
use crate::page::{Order, PageRequest};

/// The envelope's status of a success.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Status")]
pub struct Status {
    /// 0 on success; see `docs/gateway.md` for the error codes.
    pub code: i64,
    /// `OK` on success, a short reason otherwise.
    pub message: String,
}

impl Status {
    pub fn ok() -> Self {
        Status { code: 0, message: "OK".into() }
    }
}

/// A success with a payload.
#[derive(Debug, Clone, Object)]
pub struct Envelope<T: ParseFromJSON + ToJSON + Send + Sync> {
    pub status: Status,
    /// Empty on success.
    pub error: String,
    pub payload: T,
}

/// A success without a payload (operations whose reference answer has only
/// `status` and `error`).
#[derive(Debug, Clone, Object)]
#[oai(rename = "Api7Done")]
pub struct DoneBody {
    pub status: Status,
    pub error: String,
}

/// The payload of every list.
#[derive(Debug, Clone, Object)]
pub struct List<T: ParseFromJSON + ToJSON + Send + Sync> {
    pub list: Vec<T>,
    /// Items matching the filters, over all pages.
    pub count: u64,
}

/// HTTP 200 with the envelope around `T`.
#[derive(ApiResponse)]
pub enum Ok200<T: ParseFromJSON + ToJSON + Send + Sync> {
    /// Success.
    #[oai(status = 200)]
    Ok(poem_openapi::payload::Json<Envelope<T>>),
}

impl<T: ParseFromJSON + ToJSON + Send + Sync> Ok200<T> {
    pub fn new(payload: T) -> Self {
        Ok200::Ok(poem_openapi::payload::Json(Envelope { status: Status::ok(), error: String::new(), payload }))
    }
}

/// HTTP 200 with the envelope and no payload.
#[derive(ApiResponse)]
pub enum Done200 {
    /// Success.
    #[oai(status = 200)]
    Ok(poem_openapi::payload::Json<DoneBody>),
}

impl Done200 {
    pub fn new() -> Self {
        Done200::Ok(poem_openapi::payload::Json(DoneBody { status: Status::ok(), error: String::new() }))
    }
}

impl Default for Done200 {
    fn default() -> Self {
        Self::new()
    }
}

/// The error codes of the envelope (`status.code`, `status.message`). The
/// reference evidences 4 (not found) and 6 (unauthorized); the rest are
/// meshcloud's numbering, documented in `docs/gateway.md`.
pub fn error_code(status: poem::http::StatusCode, entitlement: bool) -> (i64, &'static str) {
    use poem::http::StatusCode as S;
    if entitlement {
        return (11, "plan limit reached");
    }
    match status {
        S::BAD_REQUEST => (1, "invalid request"),
        S::NOT_FOUND => (4, "not found"),
        S::UNAUTHORIZED => (6, "unauthorized"),
        S::FORBIDDEN => (7, "forbidden"),
        S::CONFLICT => (9, "conflict"),
        S::TOO_MANY_REQUESTS => (10, "too many requests"),
        S::SERVICE_UNAVAILABLE => (14, "unavailable"),
        s if s.is_client_error() => (1, "invalid request"),
        _ => (13, "internal error"),
    }
}

/// An id: a row id, a decimal string on the wire (`"12"`). Bodies may also
/// send it as a JSON number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub i64);

impl Type for Id {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_api7_id".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new("string");
        schema.pattern = Some("^[1-9][0-9]*$".into());
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Id {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => parse_id(&s).map(Id).map_err(|_| ParseError::custom("expected an id (^[1-9][0-9]*$)")),
            Value::Number(n) => match n.as_i64() {
                Some(v) if v > 0 => Ok(Id(v)),
                _ => Err(ParseError::custom("expected an id (^[1-9][0-9]*$)")),
            },
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Id {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.to_string()))
    }
}

impl ParseFromParameter for Id {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        parse_id(value).map(Id).map_err(|_| ParseError::custom("expected an id (^[1-9][0-9]*$)"))
    }
}

/// `^[1-9][0-9]*$` within the row id range.
fn parse_id(raw: &str) -> Result<i64, ()> {
    let digits = raw.as_bytes();
    if digits.first().is_none_or(|d| !(b'1'..=b'9').contains(d)) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    raw.parse::<i64>().map_err(|_| ())
}

/// An id from a path: text that does not match `^[1-9][0-9]*$` is a 400
/// naming the parameter (an id that matches but names nothing is a 404).
pub fn path_id(field: &str, raw: &str) -> Result<i64, AppError> {
    parse_id(raw).map_err(|_| AppError::validation(format!("{field} {raw:?} is not an id (^[1-9][0-9]*$)")))
}

/// Items per page when `page_size` is absent.
pub const DEFAULT_PAGE_SIZE: u64 = 10;
/// Larger page sizes are clamped to this.
pub const MAX_PAGE_SIZE: u64 = 500;
/// At most this many labels per resource and per filter.
pub const MAX_LABELS: usize = 32;

/// The query of one list request, checked.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub request: PageRequest,
    /// "Has all of these labels".
    pub labels: Vec<String>,
}

/// The raw list parameters, as the handler received them.
#[derive(Debug, Default)]
pub struct ListParams<'a> {
    pub page: Option<&'a str>,
    pub page_size: Option<&'a str>,
    pub order_by: Option<&'a str>,
    pub direction: Option<&'a str>,
    pub search: Option<&'a str>,
    pub labels: &'a [String],
}

/// Checks a list request. `orders` are the `order_by` values the list
/// knows (the first is not the default: `default_order` is); `page` and
/// `page_size` must be integers of at least 1 (the reference's constraint),
/// a page past the end is an empty list, not an error.
pub fn list_query(p: &ListParams<'_>, orders: &[&str], default_order: &str) -> Result<ListQuery, AppError> {
    let positive = |field: &str, raw: Option<&str>, default: u64| -> Result<u64, AppError> {
        match raw.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 1 => Ok(n as u64),
                // Beyond i64: a page past any end.
                Err(_) if s.bytes().all(|b| b.is_ascii_digit()) => Ok(i64::MAX as u64),
                _ => Err(AppError::validation(format!("{field} must be an integer of at least 1, not {s:?}"))),
            },
        }
    };
    let page = positive("page", p.page, 1)?;
    let page_size = positive("page_size", p.page_size, DEFAULT_PAGE_SIZE)?.min(MAX_PAGE_SIZE);
    let field = match p.order_by.map(str::trim).filter(|s| !s.is_empty()) {
        None => default_order,
        Some(f) if orders.contains(&f) => f,
        Some(f) => {
            return Err(AppError::validation(format!("order_by {f:?} is not one of: {}", orders.join(", "))));
        }
    };
    let descending = match p.direction.map(str::trim).filter(|s| !s.is_empty()) {
        None => true,
        Some(d) if d.eq_ignore_ascii_case("desc") => true,
        Some(d) if d.eq_ignore_ascii_case("asc") => false,
        Some(d) => return Err(AppError::validation(format!("direction {d:?} is not ASC or DESC"))),
    };
    let search = p.search.map(str::trim).filter(|s| !s.is_empty()).map(|s| s.chars().take(200).collect());
    let labels = label_filter(p.labels)?;
    Ok(ListQuery {
        request: PageRequest {
            offset: (page - 1).saturating_mul(page_size),
            limit: page_size,
            search,
            order: Some(Order { field: field.to_string(), descending }),
        },
        labels,
    })
}

/// One label: 1..32 characters of `[0-9a-zA-Z-_]`.
pub fn check_label(field: &str, label: &str) -> Result<(), AppError> {
    let ok =
        (1..=32).contains(&label.len()) && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AppError::validation(format!("{field}: label {label:?} must be 1 to 32 characters of 0-9a-zA-Z-_")))
    }
}

/// A resource's labels as a body sends them: at most 32, unique, each valid.
pub fn check_labels(labels: &[String]) -> Result<Vec<String>, AppError> {
    if labels.len() > MAX_LABELS {
        return Err(AppError::validation(format!("labels: at most {MAX_LABELS} labels")));
    }
    let mut seen = std::collections::BTreeSet::new();
    for l in labels {
        check_label("labels", l)?;
        if !seen.insert(l.as_str()) {
            return Err(AppError::validation(format!("labels: {l:?} is given twice (labels are unique)")));
        }
    }
    Ok(labels.to_vec())
}

/// The `labels` filter: repeated (`labels=a&labels=b`) or comma-separated
/// (`labels=a,b`), duplicates folded.
fn label_filter(raw: &[String]) -> Result<Vec<String>, AppError> {
    let mut out: Vec<String> = Vec::new();
    for part in raw.iter().flat_map(|r| r.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        check_label("labels", part)?;
        if !out.iter().any(|l| l == part) {
            out.push(part.to_string());
        }
    }
    if out.len() > MAX_LABELS {
        return Err(AppError::validation(format!("labels: at most {MAX_LABELS} labels")));
    }
    Ok(out)
}

/// A PATCH body as a JSON object: either the object itself, or a JSON string
/// holding the base64 of its JSON text (what a Go client sends when it
/// marshals `[]byte`). Anything else is a 400.
pub fn patch_object(body: Value) -> Result<Map<String, Value>, AppError> {
    let value = match body {
        Value::String(s) => {
            let s = s.trim();
            let engines = [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ];
            let bytes = engines
                .iter()
                .find_map(|e| e.decode(s).ok())
                .ok_or_else(|| AppError::validation("the PATCH body is a string that is not base64"))?;
            serde_json::from_slice::<Value>(&bytes)
                .map_err(|e| AppError::validation(format!("the PATCH body's base64 does not hold JSON: {e}")))?
        }
        other => other,
    };
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(AppError::validation("the PATCH body must be a JSON object (or the base64 of one, as a string)")),
    }
}

/// JSON Merge Patch (RFC 7386): `null` removes a member, objects merge
/// recursively, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ids_are_decimal_strings() {
        assert_eq!(Id(12).to_json(), Some(json!("12")));
        assert_eq!(Id::parse_from_json(Some(json!("7"))).ok(), Some(Id(7)));
        assert_eq!(Id::parse_from_json(Some(json!(7))).ok(), Some(Id(7)));
        for bad in [json!("0"), json!("07"), json!(""), json!("1a"), json!("-1"), json!("99999999999999999999")] {
            assert!(Id::parse_from_json(Some(bad.clone())).is_err(), "{bad}");
        }
        assert!(path_id("id", "0").is_err() && path_id("id", "x").is_err());
        assert_eq!(path_id("id", "42").ok(), Some(42));
    }

    #[test]
    fn list_edges() {
        let q = list_query(&ListParams::default(), &["created_at", "updated_at"], "updated_at").unwrap();
        assert_eq!((q.request.offset, q.request.limit), (0, DEFAULT_PAGE_SIZE));
        let order = q.request.order.unwrap();
        assert_eq!((order.field.as_str(), order.descending), ("updated_at", true));
        let p = ListParams { page: Some("3"), page_size: Some("100000"), direction: Some("asc"), ..Default::default() };
        let q = list_query(&p, &["updated_at"], "updated_at").map_err(|e| e.to_string());
        assert_eq!(q.map(|q| (q.request.offset, q.request.limit)), Ok((2 * MAX_PAGE_SIZE, MAX_PAGE_SIZE)));
        for bad in [
            ListParams { page: Some("0"), ..Default::default() },
            ListParams { page_size: Some("-1"), ..Default::default() },
            ListParams { order_by: Some("name"), ..Default::default() },
            ListParams { direction: Some("up"), ..Default::default() },
        ] {
            assert!(list_query(&bad, &["updated_at"], "updated_at").is_err(), "{bad:?}");
        }
        let labels = vec!["a,b".to_string(), "b".to_string(), "c".to_string()];
        let q = list_query(&ListParams { labels: &labels, ..Default::default() }, &["x"], "x").map(|q| q.labels);
        assert_eq!(q.map_err(|e| e.to_string()), Ok(vec!["a".to_string(), "b".into(), "c".into()]));
        let bad = vec!["no space".to_string()];
        assert!(list_query(&ListParams { labels: &bad, ..Default::default() }, &["x"], "x").is_err());
    }

    #[test]
    fn patch_bodies_in_both_forms() {
        let obj = json!({"name": "x", "active": 1});
        let b64 = base64::engine::general_purpose::STANDARD.encode(obj.to_string());
        assert_eq!(patch_object(obj.clone()).ok(), obj.as_object().cloned());
        assert_eq!(patch_object(json!(b64)).ok(), obj.as_object().cloned());
        assert!(patch_object(json!("not base64!")).is_err());
        assert!(patch_object(json!([1])).is_err());
        let not_object = base64::engine::general_purpose::STANDARD.encode("[1]");
        assert!(patch_object(json!(not_object)).is_err());
    }

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut t, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(t, json!({"a": "z", "c": {"d": "e"}}));
        let mut t = json!({"a": [1]});
        merge_patch(&mut t, &json!({"a": [2, 3], "n": {"x": 1}}));
        assert_eq!(t, json!({"a": [2, 3], "n": {"x": 1}}));
    }
}
