//! Reading a relationship definition's selectors into the form evaluation
//! walks (see the module comment of `registry` for what they mean).

use serde_json::Value;

use crate::model::Relationship;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Strategy {
    Equal,
    Subset,
}

/// One way to read a component's key: paths into it, compared position by
/// position with the other side's.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    pub paths: Vec<Vec<String>>,
}

/// One `allow.from` or `allow.to` item.
#[derive(Debug, Clone, PartialEq)]
pub struct Side {
    pub kind: String,
    /// The model the item is restricted to (`model.name`), if it names one.
    pub model: Option<String>,
    pub alternatives: Vec<Alternative>,
    /// Per path position; only a `from` item's are read.
    pub strategies: Vec<Strategy>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompiledSelector {
    pub from: Vec<Side>,
    pub to: Vec<Side>,
    /// The number of paths every alternative of this selector has.
    pub arity: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CompiledDefinition {
    pub model: String,
    pub selectors: Vec<CompiledSelector>,
}

impl CompiledDefinition {
    pub fn names_kind(&self, kind: &str) -> bool {
        self.selectors.iter().any(|s| s.from.iter().chain(&s.to).any(|side| side.kind == kind))
    }
}

pub fn definition(model: &str, def: &Relationship) -> Result<CompiledDefinition, String> {
    let name = format!("{}/{}/{}", def.kind, def.rel_type, def.sub_type);
    if !matches!(def.kind.as_str(), "hierarchical" | "edge" | "sibling") {
        return Err(format!("relationship {name}: kind must be hierarchical, edge or sibling"));
    }
    let mut selectors = Vec::with_capacity(def.selectors.len());
    for (i, raw) in def.selectors.iter().enumerate() {
        let at = |what: &str| format!("relationship {name}, selector {i}: {what}");
        let allow = raw.get("allow").ok_or_else(|| at("no allow"))?;
        let from = sides(allow.get("from"), "from", "mutatedRef").map_err(|e| at(&e))?;
        let to = sides(allow.get("to"), "to", "mutatorRef").map_err(|e| at(&e))?;
        let arities: Vec<usize> =
            from.iter().chain(&to).flat_map(|s| s.alternatives.iter().map(|a| a.paths.len())).collect();
        let arity = arities.first().copied().unwrap_or(0);
        if arities.iter().any(|&n| n != arity) {
            return Err(at("every match alternative needs the same number of paths"));
        }
        if from.iter().chain(&to).any(|s| s.alternatives.is_empty()) && arity > 0 {
            return Err(at("a match on one item needs a match on every item"));
        }
        if from.iter().any(|s| s.strategies.len() > arity) {
            return Err(at("match_strategy_matrix has more rows than paths"));
        }
        selectors.push(CompiledSelector { from, to, arity });
    }
    Ok(CompiledDefinition { model: model.to_string(), selectors })
}

fn sides(items: Option<&Value>, side: &str, preferred: &str) -> Result<Vec<Side>, String> {
    let items = items.and_then(Value::as_array).ok_or_else(|| format!("allow.{side} is not a list"))?;
    items
        .iter()
        .map(|item| {
            let kind = item.get("kind").and_then(Value::as_str).unwrap_or_default();
            if kind.is_empty() {
                return Err(format!("an allow.{side} item has no kind"));
            }
            let model = match item.get("model") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(m) => m.get("name").and_then(Value::as_str).map(str::to_string),
                None => None,
            };
            let mut alternatives = Vec::new();
            for alt in item.pointer(&format!("/match/{side}")).and_then(Value::as_array).into_iter().flatten() {
                let refs = alt.get(preferred).or_else(|| alt.get("mutatorRef")).or_else(|| alt.get("mutatedRef"));
                let paths =
                    refs.and_then(Value::as_array).ok_or_else(|| format!("a match.{side} entry has no paths"))?;
                let paths = paths
                    .iter()
                    .map(|p| {
                        let steps = p.as_array().filter(|s| !s.is_empty()).ok_or("a path is not a list of steps")?;
                        steps
                            .iter()
                            .map(|s| s.as_str().map(str::to_string).ok_or("a path step is not a string"))
                            .collect()
                    })
                    .collect::<Result<Vec<Vec<String>>, &str>>()?;
                alternatives.push(Alternative { paths });
            }
            let strategies = item
                .get("match_strategy_matrix")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|row| match row.get(0).and_then(Value::as_str).unwrap_or("equal") {
                    "equal" => Ok(Strategy::Equal),
                    "subset" => Ok(Strategy::Subset),
                    other => Err(format!("unknown match strategy {other:?}")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Side { kind: kind.to_string(), model, alternatives, strategies })
        })
        .collect()
}
