//! Finding the component pairs a compiled definition joins, with an index
//! on the `to` side (by key, and by one label for selectors) so the work
//! grows with the components and the matches, not with every pair.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::model::Component;
use crate::registry::{CompiledSelector, Registry, Side, Strategy};

const NAMESPACE: [&str; 3] = ["configuration", "metadata", "namespace"];

/// Where a path ends in a component.
#[derive(Clone, Copy)]
enum Node<'a> {
    Map(&'a Map<String, Value>),
    Val(&'a Value),
    Str(&'a str),
}

impl<'a> Node<'a> {
    fn get(self, step: &str) -> Option<Node<'a>> {
        match self {
            Node::Map(m) => m.get(step).map(Node::Val),
            Node::Val(Value::Object(m)) => m.get(step).map(Node::Val),
            Node::Val(Value::Array(a)) => step.parse::<usize>().ok().and_then(|i| a.get(i)).map(Node::Val),
            _ => None,
        }
    }

    fn children(self) -> Vec<Node<'a>> {
        match self {
            Node::Map(m) | Node::Val(Value::Object(m)) => m.values().map(Node::Val).collect(),
            Node::Val(Value::Array(a)) => a.iter().map(Node::Val).collect(),
            _ => Vec::new(),
        }
    }

    fn same(self, other: Node<'a>) -> bool {
        match (self, other) {
            (Node::Map(a), Node::Map(b)) => std::ptr::eq(a, b),
            (Node::Val(a), Node::Val(b)) => std::ptr::eq(a, b),
            _ => false,
        }
    }

    /// The text an `equal` comparison uses; nothing for empty values, so
    /// an unset name or an empty label set joins nothing.
    fn key(self) -> Option<String> {
        match self {
            Node::Str(s) if !s.is_empty() => Some(s.to_string()),
            Node::Val(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Node::Val(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
            Node::Val(Value::Object(m)) | Node::Map(m) if !m.is_empty() => serde_json::to_string(m).ok(),
            Node::Val(Value::Array(a)) if !a.is_empty() => serde_json::to_string(a).ok(),
            _ => None,
        }
    }

    fn labels(self) -> Option<&'a Map<String, Value>> {
        match self {
            Node::Map(m) | Node::Val(Value::Object(m)) if !m.is_empty() => Some(m),
            _ => None,
        }
    }
}

/// The first step of a path, from the component itself.
fn root<'a>(c: &'a Component, path: &'a [String], namespaced: bool) -> Option<(Node<'a>, &'a [String])> {
    if namespaced && path.len() == 3 && path.iter().zip(NAMESPACE).all(|(a, b)| a == b) {
        let ns = c.configuration.get("metadata").and_then(|m| m.get("namespace")).and_then(Value::as_str);
        return Some((Node::Str(ns.filter(|s| !s.is_empty()).unwrap_or("default")), &[]));
    }
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "configuration" => Some((Node::Map(&c.configuration), rest)),
        "metadata" => Some((Node::Map(&c.metadata), rest)),
        "displayName" => Some((Node::Str(&c.display_name), rest)),
        "id" => Some((Node::Str(&c.id), rest)),
        "component" => match rest.split_first() {
            Some((k, rest)) if k == "kind" => Some((Node::Str(&c.component.kind), rest)),
            Some((v, rest)) if v == "version" => Some((Node::Str(&c.component.version), rest)),
            _ => None,
        },
        _ => None,
    }
}

/// Every tuple of values the paths read, paths under the same `_` walking
/// the same element together. A path that reads nothing yields no tuple.
fn tuples<'a>(c: &'a Component, paths: &'a [Vec<String>], namespaced: bool) -> Vec<Vec<Node<'a>>> {
    let mut state = Vec::with_capacity(paths.len());
    for p in paths {
        match root(c, p, namespaced) {
            Some(s) => state.push(s),
            None => return Vec::new(),
        }
    }
    let mut out = Vec::new();
    expand(state, &mut out);
    out
}

fn expand<'a>(mut state: Vec<(Node<'a>, &'a [String])>, out: &mut Vec<Vec<Node<'a>>>) {
    for (node, rest) in state.iter_mut() {
        while let Some((step, tail)) = rest.split_first() {
            if step == "_" {
                break;
            }
            match node.get(step) {
                Some(n) => (*node, *rest) = (n, tail),
                None => return,
            }
        }
    }
    let Some(first) = state.iter().position(|(_, rest)| !rest.is_empty()) else {
        out.push(state.into_iter().map(|(n, _)| n).collect());
        return;
    };
    let container = state[first].0;
    let group: Vec<bool> = state.iter().map(|(n, rest)| !rest.is_empty() && n.same(container)).collect();
    for child in container.children() {
        let next = state
            .iter()
            .zip(&group)
            .map(|(&(n, rest), &walks)| if walks { (child, &rest[1..]) } else { (n, rest) })
            .collect();
        expand(next, out);
    }
}

/// A tuple split by strategy: the `equal` positions' text and the `subset`
/// positions' maps.
struct Keyed<'a> {
    equal: Vec<String>,
    subset: Vec<&'a Map<String, Value>>,
}

fn keyed<'a>(tuple: &[Node<'a>], strategies: &[Strategy]) -> Option<Keyed<'a>> {
    let mut k = Keyed { equal: Vec::new(), subset: Vec::new() };
    for (i, node) in tuple.iter().enumerate() {
        match strategies.get(i).copied().unwrap_or(Strategy::Equal) {
            Strategy::Equal => k.equal.push(node.key()?),
            Strategy::Subset => k.subset.push(node.labels()?),
        }
    }
    Some(k)
}

fn label(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

fn contains(big: &Map<String, Value>, small: &Map<String, Value>) -> bool {
    small.iter().all(|(k, v)| big.get(k) == Some(v))
}

/// The `to` components of one item, indexed for one strategy vector.
#[derive(Default)]
struct Index<'a> {
    entries: Vec<(usize, Keyed<'a>)>,
    by_key: HashMap<Vec<String>, Vec<usize>>,
    /// (equal key, first subset map's label name, label value) → entries.
    by_label: HashMap<(Vec<String>, String, String), Vec<usize>>,
}

impl<'a> Index<'a> {
    fn build(
        components: &'a [Component],
        members: &[usize],
        side: &'a Side,
        strategies: &[Strategy],
        namespaced: bool,
    ) -> Self {
        let mut index = Index::default();
        let subset = strategies.contains(&Strategy::Subset);
        for &ci in members {
            for alt in &side.alternatives {
                for tuple in tuples(&components[ci], &alt.paths, namespaced) {
                    let Some(k) = keyed(&tuple, strategies) else { continue };
                    let e = index.entries.len();
                    if subset {
                        for (name, value) in k.subset[0] {
                            index.by_label.entry((k.equal.clone(), name.clone(), label(value))).or_default().push(e);
                        }
                    } else {
                        index.by_key.entry(k.equal.clone()).or_default().push(e);
                    }
                    index.entries.push((ci, k));
                }
            }
        }
        index
    }

    fn probe(&self, k: &Keyed<'_>, found: &mut BTreeSet<usize>) {
        if k.subset.is_empty() {
            for &e in self.by_key.get(&k.equal).into_iter().flatten() {
                found.insert(self.entries[e].0);
            }
            return;
        }
        // The selector's rarest label narrows the candidates; each is then checked whole.
        let lists =
            k.subset[0].iter().map(|(name, value)| self.by_label.get(&(k.equal.clone(), name.clone(), label(value))));
        let Some(smallest) = lists.map(|l| l.map(Vec::as_slice).unwrap_or_default()).min_by_key(|l| l.len()) else {
            return;
        };
        for &e in smallest {
            let (ci, to) = &self.entries[e];
            if to.equal == k.equal && k.subset.iter().zip(&to.subset).all(|(small, big)| contains(big, small)) {
                found.insert(*ci);
            }
        }
    }
}

/// The components of a design, grouped by (model, kind).
pub struct Members {
    by_kind: HashMap<(String, String), Vec<usize>>,
}

impl Members {
    pub fn new(components: &[Component], registry: &Registry) -> Self {
        let mut by_kind: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, c) in components.iter().enumerate() {
            let named = c.model.get("name").and_then(Value::as_str).unwrap_or_default();
            if let Some(model) = registry.model_of(named, &c.component.kind) {
                by_kind.entry((model.to_string(), c.component.kind.clone())).or_default().push(i);
            }
        }
        Members { by_kind }
    }

    fn of(&self, model: &str, kind: &str) -> &[usize] {
        self.by_kind.get(&(model.to_string(), kind.to_string())).map(Vec::as_slice).unwrap_or_default()
    }
}

/// The (from, to) component positions one selector joins.
pub fn pairs(
    selector: &CompiledSelector,
    model: &str,
    components: &[Component],
    members: &Members,
    registry: &Registry,
    out: &mut BTreeSet<(usize, usize)>,
) {
    if selector.arity == 0 {
        return; // a definition without a match is drawn by hand, never inferred
    }
    let mut indexes: HashMap<(usize, Vec<Strategy>), Index<'_>> = HashMap::new();
    for from in &selector.from {
        let from_model = from.model.as_deref().unwrap_or(model);
        let from_members = members.of(from_model, &from.kind);
        if from_members.is_empty() {
            continue;
        }
        let from_ns = registry.is_namespaced(from_model, &from.kind);
        for (ti, to) in selector.to.iter().enumerate() {
            let to_model = to.model.as_deref().unwrap_or(model);
            let to_members = members.of(to_model, &to.kind);
            if to_members.is_empty() {
                continue;
            }
            let to_ns = registry.is_namespaced(to_model, &to.kind);
            let index = indexes
                .entry((ti, from.strategies.clone()))
                .or_insert_with(|| Index::build(components, to_members, to, &from.strategies, to_ns));
            for &fi in from_members {
                let mut found = BTreeSet::new();
                for alt in &from.alternatives {
                    for tuple in tuples(&components[fi], &alt.paths, from_ns) {
                        if let Some(k) = keyed(&tuple, &from.strategies) {
                            index.probe(&k, &mut found);
                        }
                    }
                }
                out.extend(found.into_iter().filter(|&t| t != fi).map(|t| (fi, t)));
            }
        }
    }
}
