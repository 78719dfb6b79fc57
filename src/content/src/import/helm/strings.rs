//! Text functions of chart templates beyond the common ones: `split`, the
//! regular expressions (Go's RE2 syntax, which the `regex` crate shares;
//! replacements expand `$1`/`${name}` as Go does) and the path helpers.

use gtmpl::{FuncError, Value};
use std::collections::HashMap;

use super::values::{exactly, fail, int, string};

/// A pattern compiled with a bound on its size, so a chart cannot make the
/// engine build a huge automaton.
fn compile(name: &str, pattern: &Value) -> Result<regex::Regex, FuncError> {
    regex::RegexBuilder::new(&string(pattern)).size_limit(1 << 20).build().map_err(|e| fail(format!("{name}: {e}")))
}

/// `split SEP TEXT`: a dict `_0`, `_1`, … of the parts (Sprig's shape).
pub fn split(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("split", args, 2)?;
    let (sep, text) = (string(&args[0]), string(&args[1]));
    let parts: HashMap<String, Value> =
        text.split(sep.as_str()).enumerate().map(|(i, p)| (format!("_{i}"), Value::from(p))).collect();
    Ok(Value::Map(parts))
}

pub fn regex_match(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexMatch", args, 2)?;
    Ok(Value::Bool(compile("regexMatch", &args[0])?.is_match(&string(&args[1]))))
}

pub fn regex_find(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexFind", args, 2)?;
    let text = string(&args[1]);
    Ok(Value::from(compile("regexFind", &args[0])?.find(&text).map_or("", |m| m.as_str())))
}

/// `regexFindAll REGEX TEXT N`: at most N matches (all when N < 0).
pub fn regex_find_all(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexFindAll", args, 3)?;
    let text = string(&args[1]);
    let n = usize::try_from(int(&args[2])).unwrap_or(usize::MAX);
    let found = compile("regexFindAll", &args[0])?.find_iter(&text).take(n).map(|m| Value::from(m.as_str())).collect();
    Ok(Value::Array(found))
}

/// `regexReplaceAll REGEX TEXT REPLACEMENT`.
pub fn regex_replace_all(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexReplaceAll", args, 3)?;
    let re = compile("regexReplaceAll", &args[0])?;
    Ok(Value::String(re.replace_all(&string(&args[1]), string(&args[2]).as_str()).into_owned()))
}

pub fn regex_replace_all_literal(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexReplaceAllLiteral", args, 3)?;
    let re = compile("regexReplaceAllLiteral", &args[0])?;
    let with = string(&args[2]);
    Ok(Value::String(re.replace_all(&string(&args[1]), regex::NoExpand(&with)).into_owned()))
}

/// `regexSplit REGEX TEXT N`: at most N parts (all when N < 0).
pub fn regex_split(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("regexSplit", args, 3)?;
    let re = compile("regexSplit", &args[0])?;
    let text = string(&args[1]);
    let parts: Vec<Value> = match usize::try_from(int(&args[2])) {
        Ok(n) => re.splitn(&text, n).map(Value::from).collect(),
        Err(_) => re.split(&text).map(Value::from).collect(),
    };
    Ok(Value::Array(parts))
}

/// Go's `path.Base`.
pub fn base(args: &[Value]) -> Result<Value, FuncError> {
    let path = string(&exactly("base", args, 1)?[0]);
    let trimmed = path.trim_end_matches('/');
    Ok(Value::from(match trimmed {
        "" if path.is_empty() => ".",
        "" => "/",
        t => t.rsplit('/').next().unwrap_or(t),
    }))
}

/// Go's `path.Dir` (without cleaning `..`).
pub fn dir(args: &[Value]) -> Result<Value, FuncError> {
    let path = string(&exactly("dir", args, 1)?[0]);
    Ok(Value::from(match path.rsplit_once('/') {
        Some(("", _)) => "/",
        Some((d, _)) => d,
        None => ".",
    }))
}

/// Go's `path.Ext`: from the last dot of the last element.
pub fn ext(args: &[Value]) -> Result<Value, FuncError> {
    let path = string(&exactly("ext", args, 1)?[0]);
    let last = path.rsplit('/').next().unwrap_or_default();
    Ok(Value::from(last.rfind('.').map_or("", |i| &last[i..])))
}
