//! Pattern resources: the Kubernetes resources designs describe, one per
//! component, read from the index the designs' writes keep (see
//! `store::resources`). Saving or deleting a resource changes its design's
//! document through `save_design`, so versioning, permissions and the
//! audit event are the design's.
//!
//! A resource is visible exactly where its design is; changing one needs
//! what changing its design needs (`content.designs.update`).

use meshcloud_kernel::access::Perm;
use meshcloud_kernel::page::{Page, PageRequest};
use meshcloud_kernel::principal::Principal;
use meshcloud_kernel::{AppError, AppResult, validate};
use serde_json::{Map, Value};

use super::Content;
use super::access::Need;
use super::designs::{SaveInput, design_for, parse_document, sees_all_private};
use crate::import::kubernetes_component;
use crate::model::{Component, Design};
use crate::registry::Registry;
use crate::store::designs::DesignRow;
use crate::store::resources::{self, Filter, ResourceRow};

/// The model resources saved through the API belong to.
pub const MODEL: &str = "kubernetes";
const NAME_MAX: usize = 253;

/// What a list asks for beyond paging.
#[derive(Debug, Clone, Default)]
pub struct ListInput {
    pub org: Option<String>,
    pub design: Option<uuid::Uuid>,
    pub kind: Option<String>,
    pub namespace: Option<String>,
}

/// A save: the resource to update (`id`), else a new one in `design`.
#[derive(Debug, Clone, Default)]
pub struct SaveResource {
    pub id: Option<uuid::Uuid>,
    pub design: Option<uuid::Uuid>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub kind: Option<String>,
    pub api_version: Option<String>,
    pub configuration: Option<Value>,
}

/// A resource with its component's configuration (get and save answer it).
#[derive(Debug, Clone)]
pub struct Resource {
    pub row: ResourceRow,
    pub configuration: Option<Map<String, Value>>,
}

fn nonempty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Does `selectors` name component `id` on any side?
fn names_component(selectors: &[Value], id: &str) -> bool {
    selectors.iter().any(|s| {
        ["allow", "deny"].iter().filter_map(|k| s.get(k)).any(|side| {
            ["from", "to"]
                .iter()
                .filter_map(|k| side.get(k).and_then(Value::as_array))
                .flatten()
                .any(|item| item.get("id").and_then(Value::as_str) == Some(id))
        })
    })
}

/// The component a save describes, checked against the organization's
/// models: a kind the built-in model or a registered one defines (by
/// `apiVersion`), a name, a namespace only for namespaced kinds.
fn component(input: &SaveResource, current: Option<&Component>, registry: &Registry) -> AppResult<Component> {
    let kind = nonempty(input.kind.as_deref())
        .or(current.map(|c| c.component.kind.as_str()))
        .ok_or_else(|| AppError::validation("kind must not be empty"))?;
    let asked = nonempty(input.api_version.as_deref()).unwrap_or_default();
    let registered = registry.resource_model(asked, kind).map(|(_, def)| def);
    let Some(def) = registered.or_else(|| registry.component(MODEL, kind)) else {
        return Err(AppError::validation(format!(
            "kind: {kind} is not a component of the {MODEL} model or of a model registered in the organization"
        )));
    };
    let api_version = nonempty(input.api_version.as_deref())
        .or(current.filter(|c| c.component.kind == kind).map(|c| c.component.version.as_str()))
        .unwrap_or(def.version.as_str())
        .to_string();
    let mut configuration = match &input.configuration {
        None | Some(Value::Null) => current.map(|c| c.configuration.clone()).unwrap_or_default(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(AppError::validation("configuration must be a JSON object")),
    };
    for field in ["apiVersion", "kind", "status"] {
        configuration.remove(field);
    }
    // The fields win over the configuration's metadata, which a save without
    // a configuration takes from the component it changes.
    let from_meta = |k: &str| configuration.get("metadata")?.get(k)?.as_str().map(String::from);
    let name = nonempty(input.name.as_deref())
        .map(String::from)
        .or_else(|| from_meta("name"))
        .or_else(|| current.map(|c| c.display_name.clone()))
        .unwrap_or_default();
    let name = validate::name("name", &name, NAME_MAX)?;
    let namespace = match input.namespace.as_deref() {
        Some(ns) => validate::optional_name("namespace", ns, NAME_MAX)?,
        None => from_meta("namespace")
            .or_else(|| {
                current.and_then(|c| c.configuration.get("metadata")?.get("namespace")?.as_str().map(String::from))
            })
            .unwrap_or_default(),
    };
    if !namespace.is_empty() && !def.is_namespaced {
        return Err(AppError::validation(format!("namespace: a {kind} is not namespaced")));
    }
    let metadata = configuration.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(metadata) = metadata else {
        return Err(AppError::validation("configuration.metadata must be a JSON object"));
    };
    metadata.insert("name".into(), Value::String(name));
    if namespace.is_empty() {
        metadata.remove("namespace");
    } else {
        metadata.insert("namespace".into(), Value::String(namespace));
    }
    let mut made = kubernetes_component(kind, &api_version, configuration, registry);
    if let Some(c) = current {
        // Kept: the component's id, revision, description, the metadata the
        // model does not decide, and what the family does not type (styles…).
        let mut metadata = c.metadata.clone();
        metadata.extend(std::mem::take(&mut made.metadata));
        made = Component {
            id: c.id.clone(),
            schema_version: c.schema_version.clone(),
            version: c.version.clone(),
            description: c.description.clone(),
            metadata,
            extra: c.extra.clone(),
            ..made
        };
    }
    Ok(made)
}

impl Content {
    /// Resources of the designs of the organization in context that the
    /// caller sees.
    pub async fn list_resources(
        &self,
        p: &Principal,
        header: Option<&str>,
        input: ListInput,
        req: PageRequest,
    ) -> AppResult<Page<ResourceRow>> {
        let scope = self.scope(p, header, input.org.as_deref(), Perm::DesignsRead).await?;
        let all_private = sees_all_private(p, scope.uuid);
        let me = p.user;
        let f = Filter { design: input.design, kind: input.kind, namespace: input.namespace };
        self.db().read(move |c| resources::list(c, scope.id, me, all_private, &f, &req)).await
    }

    pub async fn get_resource(&self, p: &Principal, id: uuid::Uuid) -> AppResult<Resource> {
        let p = p.clone();
        self.db()
            .read(move |c| {
                let row = resources::by_uuid(c, id)?.ok_or(AppError::NotFound)?;
                let d = design_for(c, &p, row.design_uuid, Need::See)?;
                let configuration = document(&d)?
                    .components
                    .into_iter()
                    .find(|comp| comp.id == row.component_id)
                    .map(|comp| comp.configuration);
                Ok(Resource { row, configuration })
            })
            .await
    }

    /// Adds a component to a design, or changes the one the resource `id`
    /// names: a new version of the design, saved as any save.
    pub async fn save_resource(&self, p: &Principal, input: SaveResource) -> AppResult<Resource> {
        let (design, current_id) = match input.id {
            Some(id) => {
                let r = self.get_resource(p, id).await?;
                if input.design.is_some_and(|d| d != r.row.design_uuid) {
                    return Err(AppError::validation("design_id: the resource belongs to another design"));
                }
                (r.row.design_uuid, Some(r.row.component_id))
            }
            None => (input.design.ok_or_else(|| AppError::validation("design_id must not be empty"))?, None),
        };
        let d = self.design_to_change(p, design).await?;
        let mut doc = document(&d)?;
        let at = match &current_id {
            Some(cid) => Some(doc.components.iter().position(|c| &c.id == cid).ok_or(AppError::NotFound)?),
            None => None,
        };
        let registry = self.registry_for(d.org).await?;
        let made = component(&input, at.map(|i| &doc.components[i]), &registry)?;
        let clash = doc.components.iter().enumerate().any(|(i, c)| Some(i) != at && c.id == made.id);
        if clash {
            let ns = made.configuration.get("metadata").and_then(|m| m.get("namespace")).and_then(Value::as_str);
            let what = format!("{}{}", ns.map(|n| format!("{n}/")).unwrap_or_default(), made.display_name);
            return Err(AppError::validation(format!(
                "name: the design already has the {} {what}",
                made.component.kind
            )));
        }
        let cid = made.id.clone();
        let configuration = Some(made.configuration.clone());
        match at {
            Some(i) => doc.components[i] = made,
            None => doc.components.push(made),
        }
        self.save_document(p, &d, doc).await?;
        let row = self.db().read(move |c| resources::by_component(c, design, &cid)).await?;
        Ok(Resource { row, configuration })
    }

    /// Removes the resource's component from its design (a new version),
    /// with the relationships that name it.
    pub async fn delete_resource(&self, p: &Principal, id: uuid::Uuid) -> AppResult<()> {
        let r = self.get_resource(p, id).await?;
        let d = self.design_to_change(p, r.row.design_uuid).await?;
        let mut doc = document(&d)?;
        let cid = r.row.component_id;
        doc.components.retain(|c| c.id != cid);
        doc.relationships.retain(|rel| !names_component(&rel.selectors, &cid));
        self.save_document(p, &d, doc).await
    }

    /// A design the caller sees (else 404) and may change, by key or by an
    /// edit share (else 401).
    async fn design_to_change(&self, p: &Principal, id: uuid::Uuid) -> AppResult<DesignRow> {
        let p = p.clone();
        self.db().read(move |c| design_for(c, &p, id, Need::Edit)).await
    }

    async fn save_document(&self, p: &Principal, d: &DesignRow, doc: Design) -> AppResult<()> {
        let document = Some(serde_json::to_value(doc).map_err(AppError::internal)?);
        let save = SaveInput { id: Some(d.uuid), name: Some(d.name.clone()), document, visibility: None, save: true };
        self.save_design(p, None, save).await.map(|_| ())
    }
}

fn document(d: &DesignRow) -> AppResult<Design> {
    parse_document(d.document.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relationships_naming_a_component_are_found_on_either_side() {
        let s = vec![json!({"allow": {"from": [{"id": "a"}], "to": [{"id": "b"}]}})];
        assert!(names_component(&s, "a") && names_component(&s, "b"));
        assert!(!names_component(&s, "c"));
        assert!(names_component(&[json!({"deny": {"to": [{"id": "c"}]}})], "c"));
    }

    #[test]
    fn saves_are_checked_against_the_model() {
        let input = |kind: &str, ns: &str| SaveResource {
            kind: Some(kind.into()),
            name: Some("x".into()),
            namespace: Some(ns.into()),
            ..SaveResource::default()
        };
        let e = |r: AppResult<Component>| r.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e(component(&input("Nonsense", ""), None, Registry::builtin_ref())).contains("kind"));
        assert!(e(component(&input("ClusterRole", "shop"), None, Registry::builtin_ref())).contains("namespace"));
        let c = component(&input("Deployment", "shop"), None, Registry::builtin_ref()).expect("a deployment");
        assert_eq!((c.component.version.as_str(), c.display_name.as_str()), ("apps/v1", "x"));
        assert_eq!(c.configuration["metadata"], json!({"name": "x", "namespace": "shop"}));
        let nameless = SaveResource { name: None, ..input("Service", "") };
        assert!(e(component(&nameless, None, Registry::builtin_ref())).contains("name"));
    }
}
