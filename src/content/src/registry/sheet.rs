//! Meshery's CSV registrant format: a model sheet, a component sheet and a
//! relationship sheet (the columns of Meshery's spreadsheet importer).
//!
//! Each sheet's header is its first row holding a `model` cell (any case),
//! so a title row above it is passed over; columns are found by name (any
//! case), unknown ones are ignored, and empty rows skipped. Read:
//! - model sheet: `model` (the name, required), `modelDisplayName`,
//!   `version` (a meshcloud addition; `v1.0.0` without it), `registrant`,
//!   `category`, `subCategory`, `description`, and into `metadata`:
//!   `isAnnotation`, `primaryColor`, `secondaryColor`, `shape`, `svgColor`,
//!   `svgWhite`, `svgComplete`, `sourceURL`, `website`, `docs`;
//! - component sheet: `model` (a model of the model sheet), `component`
//!   (the kind, required), `version` (its API version), `schema` (JSON),
//!   `description`, `isNamespaced` (a meshcloud addition; `true` without
//!   it), and into `metadata`: `isAnnotation`, `genealogy` and the style
//!   columns above;
//! - relationship sheet (optional): `model` (and `version`, when given,
//!   the model's), `kind`, `type`, `subType`, `selector` (the selectors,
//!   JSON: a list or one), `metadata.description`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::source::{DEFAULT_VERSION, Result, SourceError, fail};
use super::{ComponentDefinition, Model};
use crate::model::Relationship;

const STYLE: &[&str] = &["primaryColor", "secondaryColor", "shape", "svgColor", "svgWhite", "svgComplete"];

/// One sheet: its rows by column name, each with its 1-based line.
struct Sheet {
    name: &'static str,
    columns: HashMap<String, usize>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Sheet {
    fn read(name: &'static str, bytes: &[u8]) -> Result<Sheet> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut columns = None;
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| SourceError(format!("{name}: not CSV: {e}")))?;
            let line = record.position().map_or(0, |p| p.line());
            let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
            match &columns {
                None if cells.iter().any(|c| c.eq_ignore_ascii_case("model")) => {
                    columns = Some(cells.iter().enumerate().map(|(i, c)| (c.to_ascii_lowercase(), i)).collect());
                }
                None => {}
                Some(_) if cells.iter().all(String::is_empty) => {}
                Some(_) => rows.push((line, cells)),
            }
        }
        let Some(columns) = columns else { return fail(format!("{name}: no header row with a `model` column")) };
        Ok(Sheet { name, columns, rows })
    }

    fn get<'a>(&self, row: &'a [String], column: &str) -> &'a str {
        self.columns.get(&column.to_ascii_lowercase()).and_then(|&i| row.get(i)).map_or("", String::as_str)
    }

    fn json(&self, line: u64, row: &[String], column: &str) -> Result<Option<Value>> {
        match self.get(row, column) {
            "" => Ok(None),
            text => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| SourceError(format!("{} line {line}: {column} is not JSON: {e}", self.name))),
        }
    }
}

fn truthy(s: &str) -> bool {
    s.eq_ignore_ascii_case("true") || s == "1" || s.eq_ignore_ascii_case("yes")
}

/// The non-empty cells of `columns` as a metadata map.
fn metadata(sheet: &Sheet, row: &[String], columns: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for c in columns {
        let v = sheet.get(row, c);
        if !v.is_empty() {
            let value = if *c == "isAnnotation" { json!(truthy(v)) } else { json!(v) };
            out.insert((*c).to_string(), value);
        }
    }
    out
}

/// The models the sheets describe, in the model sheet's order.
pub fn models(model_csv: &[u8], component_csv: &[u8], relationship_csv: Option<&[u8]>) -> Result<Vec<Model>> {
    let ms = Sheet::read("modelCsv", model_csv)?;
    let mut models: Vec<Model> = Vec::new();
    for (line, row) in &ms.rows {
        let name = ms.get(row, "model");
        if name.is_empty() {
            return fail(format!("modelCsv line {line}: no model name"));
        }
        let mut extra = Map::new();
        for (column, key) in [("category", "category"), ("subCategory", "subCategory"), ("description", "description")]
        {
            let v = ms.get(row, column);
            if !v.is_empty() {
                extra.insert(key.into(), json!(v));
            }
        }
        if !ms.get(row, "registrant").is_empty() {
            extra.insert("registrant".into(), json!(ms.get(row, "registrant")));
        }
        let columns: Vec<&str> =
            ["isAnnotation", "sourceURL", "website", "docs"].iter().chain(STYLE).copied().collect();
        extra.insert("metadata".into(), Value::Object(metadata(&ms, row, &columns)));
        let version = ms.get(row, "version");
        models.push(Model {
            name: name.to_string(),
            display_name: ms.get(row, "modelDisplayName").to_string(),
            version: if version.is_empty() { DEFAULT_VERSION.into() } else { version.into() },
            components: vec![],
            relationships: vec![],
            extra,
        });
    }
    if models.is_empty() {
        return fail("modelCsv: no model rows");
    }
    let index = |sheet: &Sheet, line: u64, row: &[String], models: &[Model]| -> Result<usize> {
        let (name, version) = (sheet.get(row, "model"), sheet.get(row, "version"));
        models
            .iter()
            .position(|m| {
                m.name == name && (version.is_empty() || sheet.name == "componentCsv" || m.version == version)
            })
            .ok_or_else(|| SourceError(format!("{} line {line}: model {name:?} is not in the model sheet", sheet.name)))
    };

    let cs = Sheet::read("componentCsv", component_csv)?;
    for (line, row) in &cs.rows {
        let at = index(&cs, *line, row, &models)?;
        let kind = cs.get(row, "component");
        if kind.is_empty() {
            return fail(format!("componentCsv line {line}: no component (kind)"));
        }
        let mut extra = Map::new();
        extra.insert("displayName".into(), json!(kind));
        extra.insert("description".into(), json!(cs.get(row, "description")));
        if let Some(schema) = cs.json(*line, row, "schema")? {
            extra.insert("schema".into(), json!(schema.to_string()));
        }
        let columns: Vec<&str> = ["isAnnotation", "genealogy"].iter().chain(STYLE).copied().collect();
        extra.insert("metadata".into(), Value::Object(metadata(&cs, row, &columns)));
        let namespaced = cs.get(row, "isNamespaced");
        models[at].components.push(ComponentDefinition {
            kind: kind.into(),
            version: cs.get(row, "version").into(),
            is_namespaced: namespaced.is_empty() || truthy(namespaced),
            extra,
        });
    }

    if let Some(bytes) = relationship_csv.filter(|b| !b.iter().all(u8::is_ascii_whitespace)) {
        let rs = Sheet::read("relationshipCsv", bytes)?;
        for (line, row) in &rs.rows {
            let at = index(&rs, *line, row, &models)?;
            let selectors = match rs.json(*line, row, "selector")? {
                Some(Value::Array(list)) => list,
                Some(one @ Value::Object(_)) => vec![one],
                Some(_) => return fail(format!("relationshipCsv line {line}: selector is not a list or an object")),
                None => vec![],
            };
            let mut def = json!({"kind": rs.get(row, "kind"), "type": rs.get(row, "type"),
                "subType": rs.get(row, "subType"), "selectors": selectors});
            let description = rs.get(row, "metadata.description");
            if !description.is_empty() {
                def["metadata"] = json!({"description": description});
            }
            let def: Relationship =
                serde_json::from_value(def).map_err(|e| SourceError(format!("relationshipCsv line {line}: {e}")))?;
            models[at].relationships.push(def);
        }
    }
    Ok(models)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODELS: &str = include_str!("../../tests/data/models/model.csv");
    const COMPONENTS: &str = include_str!("../../tests/data/models/components.csv");
    const RELATIONSHIPS: &str = include_str!("../../tests/data/models/relationships.csv");

    #[test]
    fn the_sheets_make_models() {
        let models = models(MODELS.as_bytes(), COMPONENTS.as_bytes(), Some(RELATIONSHIPS.as_bytes())).expect("reads");
        assert_eq!(models.len(), 1);
        let m = &models[0];
        assert_eq!((m.name.as_str(), m.display_name.as_str(), m.version.as_str()), ("sprocket", "Sprocket", "v0.2.0"));
        assert_eq!(m.extra["category"], "Tools");
        assert_eq!(m.extra["metadata"]["svgColor"], "<svg/>");
        let kinds: Vec<(&str, &str, bool)> =
            m.components.iter().map(|c| (c.kind.as_str(), c.version.as_str(), c.is_namespaced)).collect();
        assert_eq!(
            kinds,
            [("Sprocket", "sprockets.example.com/v1", true), ("Chain", "sprockets.example.com/v1", false)]
        );
        assert_eq!(m.relationships.len(), 1);
        assert_eq!(m.relationships[0].sub_type, "reference");
    }

    #[test]
    fn rows_must_fit() {
        let err = |m: &str, c: &str| models(m.as_bytes(), c.as_bytes(), None).expect_err("refused").to_string();
        assert!(err("name\nx\n", "model,component\n").contains("no header row"));
        assert!(err("model\n", "model,component\n").contains("no model rows"));
        assert!(err("model\na\n", "model,component\nb,W\n").contains("\"b\" is not in the model sheet"));
        assert!(err("model\na\n", "model,component,schema\na,W,{nope\n").contains("schema is not JSON"));
        assert!(err("model\na\n", "model,component\na,\n").contains("no component"));
    }
}
