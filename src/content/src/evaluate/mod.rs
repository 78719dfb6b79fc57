//! Relationship evaluation: which relationships the registered models'
//! definitions say a design's components have, compared with the ones the
//! design declares. Offline and deterministic: a relationship's id comes
//! from its definition and its two components, pairs are found through
//! indexes, and everything is ordered by the design's own order.
//!
//! A declared relationship of a registered definition (same model, kind,
//! type and subType) is kept when its condition still holds (its status set
//! back to `approved` unless it is `approved` or `ignored`) and deleted when
//! it no longer does; relationships of definitions the registry does not
//! know are left alone. The built-in definitions patch no configuration, so
//! components are never updated.

mod matcher;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap, HashSet};

use meshcloud_kernel::crypto::sha256;
use meshcloud_kernel::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::model::design::bump_patch;
use crate::model::{Component, Design, Relationship};
use crate::registry::Registry;

/// The schema version evaluation responses are written with.
pub const EVALUATION_SCHEMA_VERSION: &str = "evaluation.meshery.io/v1beta1";

/// `POST /evaluate`'s body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationRequest {
    pub design: Design,
    /// `returnDiffOnly`, `enableTrace`: accepted; the complete design is
    /// always answered (which the schema allows).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub options: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EvaluationResponse {
    pub schema_version: String,
    /// The evaluated design; its version is bumped when any action was taken.
    pub design: Design,
    pub actions: Vec<Action>,
    /// SHA-256 (hex) of the evaluated design and the models it was
    /// evaluated against: the same for a re-evaluation that changed nothing.
    pub evaluation_hash: String,
    pub timestamp: String,
}

/// One change: `op` is `add_relationship` (`value.item`),
/// `update_relationship` (`value.id`, `path`, `value`) or
/// `delete_relationship` (`value.id`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub op: String,
    pub value: Value,
}

/// The statuses evaluation leaves as they are on a relationship that holds.
const SETTLED: [&str; 2] = ["approved", "ignored"];

pub fn evaluate(design: &Design, registry: &Registry, now: Timestamp) -> EvaluationResponse {
    let inferred = infer(design, registry);
    let by_key: HashMap<(&str, &str, &str), usize> =
        inferred.iter().enumerate().map(|(i, r)| ((r.def_id, r.from, r.to), i)).collect();
    let definitions: HashMap<(&str, &str, &str, &str), &str> = registry
        .compiled()
        .map(|(def, c)| {
            ((c.model.as_str(), def.kind.as_str(), def.rel_type.as_str(), def.sub_type.as_str()), def.id.as_str())
        })
        .collect();

    // Everything but the relationships is answered as it came.
    let mut out = Design {
        id: design.id.clone(),
        name: design.name.clone(),
        schema_version: design.schema_version.clone(),
        version: design.version.clone(),
        metadata: design.metadata.clone(),
        components: design.components.clone(),
        relationships: Vec::new(),
        extra: design.extra.clone(),
    };
    let mut actions = Vec::new();
    let mut kept = Vec::with_capacity(design.relationships.len() + inferred.len());
    let mut seen = HashSet::new();
    for rel in &design.relationships {
        let key = model_name(&rel.model)
            .and_then(|m| definitions.get(&(m, rel.kind.as_str(), rel.rel_type.as_str(), rel.sub_type.as_str())))
            .map(|def_id| (*def_id, endpoint(rel, "from"), endpoint(rel, "to")));
        let Some(key) = key else {
            kept.push(rel.clone()); // not a definition the registry knows: not ours to judge
            continue;
        };
        match by_key.get(&key) {
            Some(&i) if seen.insert(i) => {
                let mut rel = rel.clone();
                if !rel.status.as_deref().is_some_and(|s| SETTLED.contains(&s)) {
                    rel.status = Some("approved".into());
                    actions.push(Action {
                        op: "update_relationship".into(),
                        value: json!({"id": rel.id, "path": ["status"], "value": "approved"}),
                    });
                }
                kept.push(rel);
            }
            _ => actions.push(Action { op: "delete_relationship".into(), value: json!({"id": rel.id}) }),
        }
    }
    for (i, found) in inferred.iter().enumerate() {
        if seen.contains(&i) {
            continue;
        }
        let rel = instance(found, &design.components);
        actions.push(Action { op: "add_relationship".into(), value: json!({"item": rel}) });
        kept.push(rel);
    }
    out.relationships = kept;
    if !actions.is_empty() {
        out.version = bump_patch(&design.version);
    }
    let evaluation_hash = hash(&out, registry);
    EvaluationResponse {
        schema_version: EVALUATION_SCHEMA_VERSION.into(),
        design: out,
        actions,
        evaluation_hash,
        timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    }
}

/// A relationship the definitions say holds.
struct Inferred<'a> {
    def: &'a Relationship,
    def_id: &'a str,
    from: &'a str,
    to: &'a str,
    from_at: usize,
    to_at: usize,
}

/// Every relationship the registered definitions infer, ordered by model,
/// definition, then the design's order of the `from` and `to` components.
fn infer<'a>(design: &'a Design, registry: &'a Registry) -> Vec<Inferred<'a>> {
    let components = &design.components;
    let members = matcher::Members::new(components, registry);
    let mut out = Vec::new();
    for (def, compiled) in registry.compiled() {
        let mut pairs = BTreeSet::new();
        for selector in &compiled.selectors {
            matcher::pairs(selector, &compiled.model, components, &members, registry, &mut pairs);
        }
        for (f, t) in pairs {
            let (from, to) = (components[f].id.as_str(), components[t].id.as_str());
            // Siblings are one relationship per pair, from the smaller id.
            if def.kind == "sibling" && from >= to {
                continue;
            }
            out.push(Inferred { def, def_id: &def.id, from, to, from_at: f, to_at: t });
        }
    }
    out
}

fn instance(found: &Inferred<'_>, components: &[Component]) -> Relationship {
    let def = found.def;
    let side = |c: &Component| {
        let mut s = json!({"id": c.id, "kind": c.component.kind});
        if let Some(name) = c.model.get("name") {
            s["model"] = json!({"name": name});
        }
        s
    };
    let seed = format!("{}\0{}\0{}", found.def_id, found.from, found.to);
    Relationship {
        id: uuid_from(seed.as_bytes()),
        schema_version: def.schema_version.clone(),
        version: def.version.clone(),
        kind: def.kind.clone(),
        rel_type: def.rel_type.clone(),
        sub_type: def.sub_type.clone(),
        status: Some("approved".into()),
        selectors: vec![
            json!({"allow": {"from": [side(&components[found.from_at])], "to": [side(&components[found.to_at])]}}),
        ],
        model: def.model.clone(),
        metadata: def.metadata.clone(),
        extra: Map::new(),
    }
}

fn model_name(model: &Map<String, Value>) -> Option<&str> {
    model.get("name").and_then(Value::as_str)
}

/// The component id of a declared relationship's first `from` or `to`.
fn endpoint<'a>(rel: &'a Relationship, side: &str) -> &'a str {
    rel.selectors
        .first()
        .and_then(|s| s.get("allow")?.get(side)?.get(0)?.get("id"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// A UUID (version 8, RFC 9562's custom layout) made of the first bytes of
/// the SHA-256 of `seed`: the same seed always gives the same id.
pub fn uuid_from(seed: &[u8]) -> String {
    let digest = sha256(seed);
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid().to_string()
}

fn hash(design: &Design, registry: &Registry) -> String {
    let mut input = serde_json::to_vec(design).unwrap_or_default();
    for model in registry.models() {
        input.extend_from_slice(format!("\0{}\0{}", model.name, model.version).as_bytes());
        for def in &model.relationships {
            input.extend_from_slice(def.id.as_bytes());
        }
    }
    sha256(&input).iter().map(|b| format!("{b:02x}")).collect()
}
