//! Values between JSON (how the import reads YAML) and the template engine,
//! their deep merge, and the conversions the template functions share.

use gtmpl::{FuncError, Value};
use serde_json::Value as Json;
use std::collections::HashMap;

/// A JSON value as the engine sees it: objects become maps (a missing key
/// reads as "no value", as in Helm).
pub fn to_engine(v: &Json) -> Value {
    match v {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(u) = n.as_u64() {
                Value::from(u)
            } else if let Some(i) = n.as_i64() {
                Value::from(i)
            } else {
                Value::from(n.as_f64().unwrap_or_default())
            }
        }
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_engine).collect()),
        Json::Object(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), to_engine(v))).collect()),
    }
}

/// The engine's value as JSON (keys sorted, as Helm's `toYaml` writes them).
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::NoValue | Value::Nil | Value::Function(_) => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::String(s) => Json::String(s.clone()),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                Json::from(u)
            } else if let Some(i) = n.as_i64() {
                Json::from(i)
            } else {
                serde_json::Number::from_f64(n.as_f64().unwrap_or_default()).map_or(Json::Null, Json::Number)
            }
        }
        Value::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(m) | Value::Object(m) => Json::Object(m.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
    }
}

/// `over` merged into `base`, recursively for maps; `over` wins elsewhere
/// (how Helm merges `--values` into a chart's `values.yaml`). A `null` in
/// `over` removes the key, as in Helm.
pub fn deep_merge(base: &mut Json, over: Json) {
    match (base, over) {
        (Json::Object(b), Json::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(&k);
                } else if let Some(slot) = b.get_mut(&k) {
                    deep_merge(slot, v);
                } else {
                    b.insert(k, v);
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// Keys of `src` missing in `dst` are added, recursively for maps; `dst`
/// wins everywhere else (sprig's `merge`). `overwrite`: `src` wins
/// (`mergeOverwrite`).
pub fn merge_into(dst: &mut HashMap<String, Value>, src: &HashMap<String, Value>, overwrite: bool) {
    for (k, v) in src {
        match (dst.get_mut(k), v) {
            (Some(Value::Map(d) | Value::Object(d)), Value::Map(s) | Value::Object(s)) => merge_into(d, s, overwrite),
            (Some(slot), v) if overwrite && !matches!(v, Value::NoValue | Value::Nil) => *slot = v.clone(),
            (Some(_), _) => {}
            (None, v) => {
                dst.insert(k.clone(), v.clone());
            }
        }
    }
}

/// Whether Helm (sprig) counts `v` as empty: no value, false, 0, "" or an
/// empty list or map.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::NoValue | Value::Nil => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Map(m) | Value::Object(m) => m.is_empty(),
        Value::Number(_) => float(v) == 0.0,
        Value::Function(_) => false,
    }
}

/// `v` as Go's `%v` prints it, "" for no value (sprig's `toString`).
pub fn string(v: &Value) -> String {
    match v {
        Value::NoValue | Value::Nil => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(string).collect::<Vec<_>>().join(" ")),
        Value::Map(m) | Value::Object(m) => {
            let mut keys: Vec<_> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys.iter().map(|k| format!("{k}:{}", string(&m[*k]))).collect();
            format!("map[{}]", parts.join(" "))
        }
        other => other.to_string(),
    }
}

pub fn float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n
            .as_f64()
            .or_else(|| n.as_i64().map(|i| i as f64))
            .or_else(|| n.as_u64().map(|u| u as f64))
            .unwrap_or_default(),
        Value::String(s) => s.trim().parse().unwrap_or_default(),
        Value::Bool(b) => f64::from(u8::from(*b)),
        _ => 0.0,
    }
}

/// `v` as a whole number (sprig's `int`): floats are cut, text is parsed,
/// anything else is 0.
pub fn int(v: &Value) -> i64 {
    match v {
        Value::Number(n) => n.as_i64().unwrap_or_else(|| float(v) as i64),
        Value::String(s) => {
            s.trim().parse::<i64>().unwrap_or_else(|_| s.trim().parse::<f64>().unwrap_or_default() as i64)
        }
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

/// Equality as Go templates compare: numbers by value whatever their
/// representation, no value equal to nil.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => float(a) == float(b) && int(a) == int(b),
        (Value::NoValue | Value::Nil, Value::NoValue | Value::Nil) => true,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (Value::Map(x) | Value::Object(x), Value::Map(y) | Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

pub fn fail(msg: impl Into<String>) -> FuncError {
    FuncError::Generic(msg.into())
}

/// The arguments, checked to be exactly `n`.
pub fn exactly<'a>(name: &str, args: &'a [Value], n: usize) -> Result<&'a [Value], FuncError> {
    if args.len() == n { Ok(args) } else { Err(FuncError::ExactlyXArgs(name.into(), n)) }
}

pub fn at_least<'a>(name: &str, args: &'a [Value], n: usize) -> Result<&'a [Value], FuncError> {
    if args.len() >= n { Ok(args) } else { Err(FuncError::AtLeastXArgs(name.into(), n)) }
}

pub fn map_of<'a>(name: &str, v: &'a Value) -> Result<&'a HashMap<String, Value>, FuncError> {
    match v {
        Value::Map(m) | Value::Object(m) => Ok(m),
        other => Err(fail(format!("{name}: expected a dict, got {}", kind(other)))),
    }
}

/// A list argument; no value counts as an empty list.
pub fn list_of(name: &str, v: &Value) -> Result<Vec<Value>, FuncError> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::NoValue | Value::Nil => Ok(Vec::new()),
        other => Err(fail(format!("{name}: expected a list, got {}", kind(other)))),
    }
}

/// The Go kind sprig's `kindOf` names.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::NoValue | Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::String(_) => "string",
        Value::Number(n) if n.as_f64().is_some() => "float64",
        Value::Number(_) => "int64",
        Value::Array(_) => "slice",
        Value::Map(_) | Value::Object(_) => "map",
        Value::Function(_) => "func",
    }
}
