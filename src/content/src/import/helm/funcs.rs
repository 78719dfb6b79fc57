//! The template functions charts use beyond Go's built-ins: the Sprig
//! subset common charts (and `helm create`) call, and Helm's own. A chart
//! calling a function missing here is refused before rendering, naming it.
//! Values are copies: `set`/`unset` answer the changed dict but do not
//! change the caller's (Sprig changes it in place).

use base64::Engine as _;
use gtmpl::{Func, FuncError, Value};
use std::collections::HashMap;

use super::values::{
    at_least, equal, exactly, fail, float, int, is_empty, kind, list_of, map_of, merge_into, string, to_engine, to_json,
};
use super::{render, strings};

/// Every function a chart may call besides Go's built-ins (which `eq`,
/// `ne` and `len` replace: numbers compare by value, maps have a length).
pub static FUNCS: &[(&str, Func)] = &[
    // Helm's own.
    ("include", render::include as Func),
    ("tpl", render::tpl),
    ("required", required),
    ("fail", fail_fn),
    ("lookup", lookup),
    ("toYaml", to_yaml),
    ("fromYaml", from_yaml),
    ("fromYamlArray", from_yaml),
    ("toJson", to_json_fn),
    ("toRawJson", to_json_fn),
    ("toPrettyJson", to_pretty_json),
    ("fromJson", from_json),
    ("fromJsonArray", from_json),
    // Logic and types.
    ("eq", eq),
    ("ne", ne),
    ("len", len),
    ("default", default),
    ("empty", empty),
    ("coalesce", coalesce),
    ("ternary", ternary),
    ("kindOf", kind_of),
    ("kindIs", kind_is),
    ("typeOf", kind_of),
    ("typeIs", kind_is),
    ("deepEqual", deep_equal),
    ("semverCompare", semver_compare),
    // Strings.
    ("quote", quote),
    ("squote", squote),
    ("upper", upper),
    ("lower", lower),
    ("title", title),
    ("trim", trim),
    ("trimAll", trim_all),
    ("trimall", trim_all),
    ("trimPrefix", trim_prefix),
    ("trimSuffix", trim_suffix),
    ("trunc", trunc),
    ("replace", replace),
    ("contains", contains),
    ("hasPrefix", has_prefix),
    ("hasSuffix", has_suffix),
    ("indent", indent),
    ("nindent", nindent),
    ("repeat", repeat),
    ("substr", substr),
    ("nospace", nospace),
    ("cat", cat),
    ("toString", to_string),
    ("toStrings", to_strings),
    ("splitList", split_list),
    ("join", join),
    ("b64enc", b64enc),
    ("b64dec", b64dec),
    ("sha256sum", sha256sum),
    ("split", strings::split),
    ("regexMatch", strings::regex_match),
    ("regexFind", strings::regex_find),
    ("regexFindAll", strings::regex_find_all),
    ("regexReplaceAll", strings::regex_replace_all),
    ("regexReplaceAllLiteral", strings::regex_replace_all_literal),
    ("regexSplit", strings::regex_split),
    ("base", strings::base),
    ("dir", strings::dir),
    ("ext", strings::ext),
    // Numbers.
    ("int", int_fn),
    ("int64", int_fn),
    ("atoi", int_fn),
    ("float64", float_fn),
    ("add", add),
    ("add1", add1),
    ("sub", sub),
    ("mul", mul),
    ("div", div),
    ("mod", modulo),
    ("max", max),
    ("min", min),
    ("until", until),
    // Lists.
    ("list", list),
    ("tuple", list),
    ("first", first),
    ("last", last),
    ("rest", rest),
    ("initial", initial),
    ("append", append),
    ("prepend", prepend),
    ("concat", concat),
    ("uniq", uniq),
    ("has", has),
    ("without", without),
    ("compact", compact),
    ("reverse", reverse),
    ("sortAlpha", sort_alpha),
    // Dicts.
    ("dict", dict),
    ("hasKey", has_key),
    ("get", get),
    ("set", set),
    ("unset", unset),
    ("keys", keys),
    ("values", values),
    ("pick", pick),
    ("omit", omit),
    ("merge", merge),
    ("mergeOverwrite", merge_overwrite),
    ("dig", dig),
    ("deepCopy", deep_copy),
    // The `must…` variants: these already fail instead of answering nothing.
    ("mustToJson", to_json_fn),
    ("mustToRawJson", to_json_fn),
    ("mustToPrettyJson", to_pretty_json),
    ("mustFromJson", from_json),
    ("mustAppend", append),
    ("mustPrepend", prepend),
    ("mustFirst", first),
    ("mustLast", last),
    ("mustRest", rest),
    ("mustInitial", initial),
    ("mustUniq", uniq),
    ("mustHas", has),
    ("mustWithout", without),
    ("mustCompact", compact),
    ("mustReverse", reverse),
    ("mustMerge", merge),
    ("mustMergeOverwrite", merge_overwrite),
    ("mustDeepCopy", deep_copy),
    ("mustRegexMatch", strings::regex_match),
    ("mustRegexFind", strings::regex_find),
    ("mustRegexFindAll", strings::regex_find_all),
    ("mustRegexReplaceAll", strings::regex_replace_all),
    ("mustRegexReplaceAllLiteral", strings::regex_replace_all_literal),
    ("mustRegexSplit", strings::regex_split),
];

fn s(v: &str) -> Value {
    Value::String(v.to_string())
}

fn str_fn(name: &str, args: &[Value], f: impl Fn(&str) -> String) -> Result<Value, FuncError> {
    let args = exactly(name, args, 1)?;
    Ok(Value::String(f(&string(&args[0]))))
}

// --- Helm's own ---

fn required(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("required", args, 2)?;
    match &args[1] {
        Value::NoValue | Value::Nil => Err(fail(string(&args[0]))),
        Value::String(v) if v.is_empty() => Err(fail(string(&args[0]))),
        v => Ok(v.clone()),
    }
}

fn fail_fn(args: &[Value]) -> Result<Value, FuncError> {
    Err(fail(args.first().map(string).unwrap_or_default()))
}

/// Nothing is looked up: a design is rendered without a cluster, as
/// `helm template` does.
fn lookup(_args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Map(HashMap::new()))
}

fn to_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("toYaml", args, 1)?;
    let text = serde_saphyr::to_string(&to_json(&args[0])).map_err(|e| fail(format!("toYaml: {e}")))?;
    Ok(Value::String(text.trim_end_matches('\n').to_string()))
}

/// Like Helm, a text that does not parse gives a dict with `Error`.
fn from_yaml(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("fromYaml", args, 1)?;
    Ok(match serde_saphyr::from_str::<serde_json::Value>(&string(&args[0])) {
        Ok(v) => to_engine(&v),
        Err(e) => Value::Map([("Error".to_string(), Value::String(e.to_string()))].into()),
    })
}

fn to_json_fn(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("toJson", args, 1)?;
    Ok(Value::String(to_json(&args[0]).to_string()))
}

fn to_pretty_json(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("toPrettyJson", args, 1)?;
    serde_json::to_string_pretty(&to_json(&args[0])).map(Value::String).map_err(|e| fail(e.to_string()))
}

fn from_json(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("fromJson", args, 1)?;
    Ok(match serde_json::from_str::<serde_json::Value>(&string(&args[0])) {
        Ok(v) => to_engine(&v),
        Err(e) => Value::Map([("Error".to_string(), Value::String(e.to_string()))].into()),
    })
}

// --- Logic and types ---

fn eq(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("eq", args, 2)?;
    Ok(Value::Bool(args[1..].iter().any(|b| equal(&args[0], b))))
}

fn ne(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("ne", args, 2)?;
    Ok(Value::Bool(!equal(&args[0], &args[1])))
}

/// Go's `len`, for maps too (the built-in one knows lists and text only).
fn len(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("len", args, 1)?;
    let n = match &args[0] {
        Value::String(s) => s.len(),
        Value::Array(a) => a.len(),
        Value::Map(m) | Value::Object(m) => m.len(),
        Value::NoValue | Value::Nil => 0,
        other => return Err(fail(format!("len of {}", kind(other)))),
    };
    Ok(Value::from(n))
}

/// `default DEFAULT GIVEN`: GIVEN unless it is empty (or absent).
fn default(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("default", args, 1)?;
    Ok(match args.get(1) {
        Some(given) if !is_empty(given) => given.clone(),
        _ => args[0].clone(),
    })
}

fn empty(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(args.first().is_none_or(is_empty)))
}

fn coalesce(args: &[Value]) -> Result<Value, FuncError> {
    Ok(args.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
}

fn ternary(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("ternary", args, 3)?;
    Ok(if matches!(args[2], Value::Bool(true)) { args[0].clone() } else { args[1].clone() })
}

fn kind_of(args: &[Value]) -> Result<Value, FuncError> {
    Ok(s(kind(exactly("kindOf", args, 1)?.first().unwrap_or(&Value::Nil))))
}

fn kind_is(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("kindIs", args, 2)?;
    Ok(Value::Bool(string(&args[0]) == kind(&args[1])))
}

fn deep_equal(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("deepEqual", args, 2)?;
    Ok(Value::Bool(equal(&args[0], &args[1])))
}

/// `semverCompare CONSTRAINT VERSION`: alternatives joined by `||`, each a
/// comma- or space-separated list of comparators. A `-0` pre-release
/// suffix (which makes Masterminds' constraints admit pre-releases) is
/// dropped, and so is the version's pre-release.
fn semver_compare(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("semverCompare", args, 2)?;
    let (constraint, version) = (string(&args[0]), string(&args[1]));
    let bare = version.trim().trim_start_matches('v');
    let bare = bare.split(['-', '+']).next().unwrap_or_default();
    let mut parts: Vec<&str> = bare.split('.').collect();
    parts.resize(3, "0");
    let version = semver::Version::parse(&parts.join("."))
        .map_err(|e| fail(format!("semverCompare: version \"{version}\": {e}")))?;
    for alternative in constraint.split("||") {
        let comparators: Vec<String> = alternative
            .replace(", ", ",")
            .split([',', ' '])
            .filter(|c| !c.trim().is_empty())
            .map(|c| c.trim().trim_end_matches("-0").replace('v', ""))
            .collect();
        let req = semver::VersionReq::parse(&comparators.join(","))
            .map_err(|e| fail(format!("semverCompare: constraint \"{constraint}\": {e}")))?;
        if req.matches(&version) {
            return Ok(Value::Bool(true));
        }
    }
    Ok(Value::Bool(false))
}

// --- Strings ---

/// Each argument quoted, separated by spaces; no value is left out.
fn quote(args: &[Value]) -> Result<Value, FuncError> {
    let quoted: Vec<String> = args
        .iter()
        .filter(|v| !matches!(v, Value::NoValue | Value::Nil))
        .map(|v| serde_json::Value::String(string(v)).to_string())
        .collect();
    Ok(Value::String(quoted.join(" ")))
}

fn squote(args: &[Value]) -> Result<Value, FuncError> {
    let quoted: Vec<String> =
        args.iter().filter(|v| !matches!(v, Value::NoValue | Value::Nil)).map(|v| format!("'{}'", string(v))).collect();
    Ok(Value::String(quoted.join(" ")))
}

fn upper(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("upper", args, str::to_uppercase)
}

fn lower(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("lower", args, str::to_lowercase)
}

fn title(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("title", args, |t| {
        let mut out = String::with_capacity(t.len());
        let mut start = true;
        for c in t.chars() {
            if start {
                out.extend(c.to_uppercase())
            } else {
                out.push(c)
            }
            start = c.is_whitespace();
        }
        out
    })
}

fn trim(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("trim", args, |t| t.trim().to_string())
}

fn trim_all(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("trimAll", args, 2)?;
    let cut: Vec<char> = string(&args[0]).chars().collect();
    Ok(Value::String(string(&args[1]).trim_matches(cut.as_slice()).to_string()))
}

fn trim_prefix(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("trimPrefix", args, 2)?;
    let (p, t) = (string(&args[0]), string(&args[1]));
    Ok(Value::String(t.strip_prefix(p.as_str()).unwrap_or(&t).to_string()))
}

fn trim_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("trimSuffix", args, 2)?;
    let (p, t) = (string(&args[0]), string(&args[1]));
    Ok(Value::String(t.strip_suffix(p.as_str()).unwrap_or(&t).to_string()))
}

/// `trunc N TEXT`: the first N characters, or the last -N when N < 0.
fn trunc(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("trunc", args, 2)?;
    let (n, chars) = (int(&args[0]), string(&args[1]).chars().collect::<Vec<_>>());
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    let kept: String = if n >= 0 && len > n {
        chars[..usize::try_from(n).unwrap_or_default()].iter().collect()
    } else if n < 0 && len + n > 0 {
        chars[usize::try_from(len + n).unwrap_or_default()..].iter().collect()
    } else {
        chars.iter().collect()
    };
    Ok(Value::String(kept))
}

fn replace(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("replace", args, 3)?;
    Ok(Value::String(string(&args[2]).replace(&string(&args[0]), &string(&args[1]))))
}

fn contains(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("contains", args, 2)?;
    Ok(Value::Bool(string(&args[1]).contains(&string(&args[0]))))
}

fn has_prefix(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("hasPrefix", args, 2)?;
    Ok(Value::Bool(string(&args[1]).starts_with(&string(&args[0]))))
}

fn has_suffix(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("hasSuffix", args, 2)?;
    Ok(Value::Bool(string(&args[1]).ends_with(&string(&args[0]))))
}

fn indented(name: &str, args: &[Value]) -> Result<String, FuncError> {
    let args = exactly(name, args, 2)?;
    let pad = " ".repeat(usize::try_from(int(&args[0])).unwrap_or_default().min(1024));
    Ok(format!("{pad}{}", string(&args[1]).replace('\n', &format!("\n{pad}"))))
}

fn indent(args: &[Value]) -> Result<Value, FuncError> {
    indented("indent", args).map(Value::String)
}

fn nindent(args: &[Value]) -> Result<Value, FuncError> {
    indented("nindent", args).map(|t| Value::String(format!("\n{t}")))
}

fn repeat(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("repeat", args, 2)?;
    let (n, t) = (usize::try_from(int(&args[0])).unwrap_or_default(), string(&args[1]));
    if n.saturating_mul(t.len()) > 1024 * 1024 {
        return Err(fail("repeat: the result would be larger than 1 MiB"));
    }
    Ok(Value::String(t.repeat(n)))
}

fn substr(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("substr", args, 3)?;
    let chars: Vec<char> = string(&args[2]).chars().collect();
    let clamp = |v: &Value| usize::try_from(int(v)).unwrap_or_default().min(chars.len());
    let (from, to) = (clamp(&args[0]), if int(&args[1]) < 0 { chars.len() } else { clamp(&args[1]) });
    Ok(Value::String(chars[from.min(to)..to].iter().collect()))
}

fn nospace(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("nospace", args, |t| t.chars().filter(|c| !c.is_whitespace()).collect())
}

fn cat(args: &[Value]) -> Result<Value, FuncError> {
    let parts: Vec<String> = args.iter().filter(|v| !matches!(v, Value::NoValue | Value::Nil)).map(string).collect();
    Ok(Value::String(parts.join(" ")))
}

fn to_string(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("toString", args, str::to_string)
}

fn to_strings(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("toStrings", args, 1)?;
    Ok(Value::Array(list_of("toStrings", &args[0])?.iter().map(|v| Value::String(string(v))).collect()))
}

fn split_list(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("splitList", args, 2)?;
    let (sep, t) = (string(&args[0]), string(&args[1]));
    Ok(Value::Array(t.split(sep.as_str()).map(s).collect()))
}

fn join(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("join", args, 2)?;
    let items: Vec<String> = list_of("join", &args[1])?.iter().map(string).collect();
    Ok(Value::String(items.join(&string(&args[0]))))
}

fn b64enc(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("b64enc", args, |t| base64::engine::general_purpose::STANDARD.encode(t))
}

fn b64dec(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("b64dec", args, 1)?;
    let bytes = base64::engine::general_purpose::STANDARD.decode(string(&args[0]).trim());
    Ok(Value::String(bytes.map_or_else(|e| e.to_string(), |b| String::from_utf8_lossy(&b).into_owned())))
}

fn sha256sum(args: &[Value]) -> Result<Value, FuncError> {
    str_fn("sha256sum", args, |t| {
        meshcloud_kernel::crypto::sha256(t.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    })
}

// --- Numbers ---

fn int_fn(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::from(int(exactly("int", args, 1)?.first().unwrap_or(&Value::Nil))))
}

fn float_fn(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::from(float(exactly("float64", args, 1)?.first().unwrap_or(&Value::Nil))))
}

fn fold(name: &str, args: &[Value], f: fn(i64, i64) -> Option<i64>) -> Result<Value, FuncError> {
    let args = at_least(name, args, 1)?;
    let mut acc = int(&args[0]);
    for v in &args[1..] {
        acc = f(acc, int(v)).ok_or_else(|| fail(format!("{name}: out of range or division by zero")))?;
    }
    Ok(Value::from(acc))
}

fn add(args: &[Value]) -> Result<Value, FuncError> {
    fold("add", args, i64::checked_add)
}

fn add1(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("add1", args, 1)?;
    int(&args[0]).checked_add(1).map(Value::from).ok_or_else(|| fail("add1: out of range"))
}

fn sub(args: &[Value]) -> Result<Value, FuncError> {
    fold("sub", exactly("sub", args, 2)?, i64::checked_sub)
}

fn mul(args: &[Value]) -> Result<Value, FuncError> {
    fold("mul", args, i64::checked_mul)
}

fn div(args: &[Value]) -> Result<Value, FuncError> {
    fold("div", exactly("div", args, 2)?, i64::checked_div)
}

fn modulo(args: &[Value]) -> Result<Value, FuncError> {
    fold("mod", exactly("mod", args, 2)?, i64::checked_rem)
}

fn max(args: &[Value]) -> Result<Value, FuncError> {
    fold("max", args, |a, b| Some(a.max(b)))
}

fn min(args: &[Value]) -> Result<Value, FuncError> {
    fold("min", args, |a, b| Some(a.min(b)))
}

/// `until N`: 0 … N-1, at most 10,000 of them.
fn until(args: &[Value]) -> Result<Value, FuncError> {
    let n = int(exactly("until", args, 1)?.first().unwrap_or(&Value::Nil));
    if n > 10_000 {
        return Err(fail("until: more than 10000 items"));
    }
    Ok(Value::Array((0..n.max(0)).map(Value::from).collect()))
}

// --- Lists ---

fn list(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Array(args.to_vec()))
}

fn one_list(name: &str, args: &[Value]) -> Result<Vec<Value>, FuncError> {
    list_of(name, exactly(name, args, 1)?.first().unwrap_or(&Value::Nil))
}

fn first(args: &[Value]) -> Result<Value, FuncError> {
    Ok(one_list("first", args)?.first().cloned().unwrap_or(Value::Nil))
}

fn last(args: &[Value]) -> Result<Value, FuncError> {
    Ok(one_list("last", args)?.last().cloned().unwrap_or(Value::Nil))
}

fn rest(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Array(one_list("rest", args)?.into_iter().skip(1).collect()))
}

fn initial(args: &[Value]) -> Result<Value, FuncError> {
    let mut items = one_list("initial", args)?;
    items.pop();
    Ok(Value::Array(items))
}

fn append(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("append", args, 2)?;
    let mut items = list_of("append", &args[0])?;
    items.push(args[1].clone());
    Ok(Value::Array(items))
}

fn prepend(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("prepend", args, 2)?;
    let mut items = list_of("prepend", &args[0])?;
    items.insert(0, args[1].clone());
    Ok(Value::Array(items))
}

fn concat(args: &[Value]) -> Result<Value, FuncError> {
    let mut out = Vec::new();
    for a in args {
        out.extend(list_of("concat", a)?);
    }
    Ok(Value::Array(out))
}

fn uniq(args: &[Value]) -> Result<Value, FuncError> {
    let mut out: Vec<Value> = Vec::new();
    for v in one_list("uniq", args)? {
        if !out.iter().any(|o| equal(o, &v)) {
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

fn has(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("has", args, 2)?;
    Ok(Value::Bool(list_of("has", &args[1])?.iter().any(|v| equal(v, &args[0]))))
}

fn without(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("without", args, 1)?;
    let items = list_of("without", &args[0])?;
    Ok(Value::Array(items.into_iter().filter(|v| !args[1..].iter().any(|w| equal(v, w))).collect()))
}

fn compact(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Array(one_list("compact", args)?.into_iter().filter(|v| !is_empty(v)).collect()))
}

fn reverse(args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Array(one_list("reverse", args)?.into_iter().rev().collect()))
}

fn sort_alpha(args: &[Value]) -> Result<Value, FuncError> {
    let mut items: Vec<String> = one_list("sortAlpha", args)?.iter().map(string).collect();
    items.sort();
    Ok(Value::Array(items.into_iter().map(Value::String).collect()))
}

// --- Dicts ---

fn dict(args: &[Value]) -> Result<Value, FuncError> {
    let mut m = HashMap::new();
    for pair in args.chunks(2) {
        m.insert(string(&pair[0]), pair.get(1).cloned().unwrap_or(Value::String(String::new())));
    }
    Ok(Value::Map(m))
}

fn has_key(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("hasKey", args, 2)?;
    Ok(Value::Bool(map_of("hasKey", &args[0])?.contains_key(&string(&args[1]))))
}

fn get(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("get", args, 2)?;
    Ok(map_of("get", &args[0])?.get(&string(&args[1])).cloned().unwrap_or(Value::String(String::new())))
}

fn set(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("set", args, 3)?;
    let mut m = map_of("set", &args[0])?.clone();
    m.insert(string(&args[1]), args[2].clone());
    Ok(Value::Map(m))
}

fn unset(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("unset", args, 2)?;
    let mut m = map_of("unset", &args[0])?.clone();
    m.remove(&string(&args[1]));
    Ok(Value::Map(m))
}

fn keys(args: &[Value]) -> Result<Value, FuncError> {
    let mut out = Vec::new();
    for a in args {
        out.extend(map_of("keys", a)?.keys().cloned().map(Value::String));
    }
    Ok(Value::Array(out))
}

fn values(args: &[Value]) -> Result<Value, FuncError> {
    let args = exactly("values", args, 1)?;
    Ok(Value::Array(map_of("values", &args[0])?.values().cloned().collect()))
}

fn pick(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("pick", args, 1)?;
    let names: Vec<String> = args[1..].iter().map(string).collect();
    let m = map_of("pick", &args[0])?;
    Ok(Value::Map(m.iter().filter(|(k, _)| names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()))
}

fn omit(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("omit", args, 1)?;
    let names: Vec<String> = args[1..].iter().map(string).collect();
    let m = map_of("omit", &args[0])?;
    Ok(Value::Map(m.iter().filter(|(k, _)| !names.contains(k)).map(|(k, v)| (k.clone(), v.clone())).collect()))
}

fn merged(name: &str, args: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    let args = at_least(name, args, 1)?;
    let mut dst = map_of(name, &args[0])?.clone();
    for src in &args[1..] {
        merge_into(&mut dst, map_of(name, src)?, overwrite);
    }
    Ok(Value::Map(dst))
}

fn merge(args: &[Value]) -> Result<Value, FuncError> {
    merged("merge", args, false)
}

fn merge_overwrite(args: &[Value]) -> Result<Value, FuncError> {
    merged("mergeOverwrite", args, true)
}

/// `dig KEY… DEFAULT DICT`.
fn dig(args: &[Value]) -> Result<Value, FuncError> {
    let args = at_least("dig", args, 3)?;
    let (path, default, mut at) = (&args[..args.len() - 2], &args[args.len() - 2], &args[args.len() - 1]);
    for key in path {
        match at {
            Value::Map(m) | Value::Object(m) => match m.get(&string(key)) {
                Some(v) => at = v,
                None => return Ok(default.clone()),
            },
            _ => return Ok(default.clone()),
        }
    }
    Ok(at.clone())
}

fn deep_copy(args: &[Value]) -> Result<Value, FuncError> {
    Ok(exactly("deepCopy", args, 1)?[0].clone())
}

#[cfg(test)]
#[path = "funcs_tests.rs"]
mod tests;
