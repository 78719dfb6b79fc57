//! Wire scalar types with strict parsing and the reference's formatting.
//! poem-openapi's `String` accepts JSON numbers and booleans; a client that
//! sends `{"name": 5}` has a bug we should tell it about, so bodies use `Text`.
//! `Time` renders RFC 3339 in UTC with a `Z`, as the references show.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

macro_rules! string_type {
    ($name:ident, $format:expr) => {
        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                match $format {
                    Some(f) => format!("string_{f}").into(),
                    None => "string".into(),
                }
            }

            fn schema_ref() -> MetaSchemaRef {
                let mut schema = MetaSchema::new("string");
                schema.format = $format;
                MetaSchemaRef::Inline(Box::new(schema))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }
    };
}

/// A JSON string, and only a string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

string_type!(Text, None::<&'static str>);

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Text(s)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Text {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// A UTC timestamp on the wire: `2026-01-02T03:04:05.123456Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Time(pub DateTime<Utc>);

string_type!(Time, Some("date-time"));

impl ParseFromJSON for Time {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => DateTime::parse_from_rfc3339(&s)
                .map(|t| Time(t.with_timezone(&Utc)))
                .map_err(|_| ParseError::custom("expected an RFC 3339 date-time")),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for Time {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)))
    }
}

impl From<DateTime<Utc>> for Time {
    fn from(t: DateTime<Utc>) -> Self {
        Time(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn text_is_strict() {
        assert!(Text::parse_from_json(Some(Value::from(5))).is_err());
        assert!(Text::parse_from_json(Some(Value::Bool(true))).is_err());
        assert_eq!(Text::parse_from_json(Some(Value::from("x"))).ok(), Some(Text("x".into())));
    }

    #[test]
    fn time_renders_with_z() {
        let t = Time(Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).single().unwrap_or_default());
        assert_eq!(t.to_json(), Some(Value::from("0001-01-01T00:00:00Z")));
    }
}
