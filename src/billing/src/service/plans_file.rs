//! Plans files: the catalogue of an air-gapped installation, loaded at start
//! (`plans_file`) or with `meshcloud plans load`, both through [`load_file`].
//!
//! `{plans: [{name, cadence, currency, unit, minimum_units, price_per_unit,
//! trial_days, stripe_price_id, default, archived, features: {Feature: n}}]}`
//! in TOML, JSON or YAML (by the file's extension). Each plan replaces the
//! one with its (name, cadence), or is added; plans the file does not name
//! stay as they are.

use std::collections::BTreeMap;
use std::path::Path;

use meshcloud_kernel::db::Db;
use meshcloud_kernel::{AppError, AppResult};
use serde::Deserialize;

use super::plans::{PlanInput, PlanSpec, Upserted, load};
use crate::store::plans::PlanRow;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    plans: Vec<FilePlan>,
}

/// TOML and YAML tell integers from decimals; a price may be either.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    fn value(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePlan {
    name: Option<String>,
    cadence: Option<String>,
    currency: Option<String>,
    unit: Option<String>,
    minimum_units: Option<i64>,
    price_per_unit: Option<Number>,
    trial_days: Option<i64>,
    stripe_price_id: Option<String>,
    default: Option<bool>,
    archived: Option<bool>,
    #[serde(default)]
    features: BTreeMap<String, i64>,
}

/// The plans of a file's text, checked; `format` is the file's extension.
pub fn parse(format: &str, text: &str) -> AppResult<Vec<PlanSpec>> {
    let file: File = match format {
        "toml" => toml::from_str(text).map_err(|e| AppError::validation(e.to_string()))?,
        "json" => serde_json::from_str(text).map_err(|e| AppError::validation(e.to_string()))?,
        "yaml" | "yml" => serde_saphyr::from_str(text).map_err(|e| AppError::validation(e.to_string()))?,
        other => {
            return Err(AppError::validation(format!("a plans file is .toml, .json, .yaml or .yml, not {other:?}")));
        }
    };
    let mut specs = Vec::with_capacity(file.plans.len());
    for (i, p) in file.plans.into_iter().enumerate() {
        let label = format!("plans[{i}]{}", p.name.as_deref().map(|n| format!(" ({n})")).unwrap_or_default());
        let input = PlanInput {
            name: p.name,
            cadence: p.cadence,
            currency: p.currency,
            unit: p.unit,
            minimum_units: p.minimum_units,
            price_per_unit: p.price_per_unit.map(Number::value),
            trial_days: p.trial_days,
            stripe_price_id: p.stripe_price_id,
            default: p.default,
            archived: p.archived,
            features: p.features.into_iter().collect(),
        };
        specs.push(input.check().map_err(|e| AppError::validation(format!("{label}: {}", detail(&e))))?);
    }
    Ok(specs)
}

fn detail(e: &AppError) -> String {
    e.detail().map_or_else(|| e.to_string(), str::to_string)
}

/// Reads and checks the plans file at `path`, then loads it in one write
/// transaction (all or nothing). The error says what is wrong, and where.
pub async fn load_file(db: &Db, path: &Path) -> Result<Vec<(PlanRow, Upserted)>, String> {
    let fail = |e: String| format!("plans file {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    let format = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let specs = parse(&format, &text).map_err(|e| fail(detail(&e)))?;
    db.write(move |c| load(c, &specs, None)).await.map_err(|e| fail(detail(&e)))
}

/// Every plan (archived ones too) in the plans file's own shape, as JSON:
/// what `meshcloud plans list` prints, and `plans load` reads back.
pub async fn dump(db: &Db) -> Result<serde_json::Value, String> {
    let all = db
        .read(|c| Ok((crate::store::plans::list(c, true)?, crate::store::plans::features(c, None)?)))
        .await
        .map_err(|e| e.to_string())?;
    let (plans, features) = all;
    let plans: Vec<serde_json::Value> = plans
        .into_iter()
        .map(|p| {
            let mine: BTreeMap<&str, i64> =
                features.iter().filter(|f| f.plan_id == p.id).map(|f| (f.name.as_str(), f.quantity)).collect();
            serde_json::json!({
                "name": p.name,
                "cadence": p.cadence,
                "currency": p.currency,
                "unit": p.unit,
                "minimum_units": p.minimum_units,
                "price_per_unit": crate::money::to_number(p.price_minor, &p.currency),
                "trial_days": p.trial_days,
                "stripe_price_id": p.stripe_price_id,
                "default": p.is_default,
                "archived": p.archived_at.is_some(),
                "features": mine,
            })
        })
        .collect();
    Ok(serde_json::json!({ "plans": plans }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOML: &str = r#"
[[plans]]
name = "Small"
cadence = "monthly"
price_per_unit = 5
features = { WorkspacesInOrganization = 3 }

[[plans]]
name = "Small"
cadence = "yearly"
price_per_unit = 50.5
"#;

    #[test]
    fn the_three_formats_read_alike() {
        let t = parse("toml", TOML).expect("toml");
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].price_minor, t[1].price_minor), (500, 5050));
        assert_eq!(t[0].features, vec![("WorkspacesInOrganization".to_string(), 3)]);
        let j = parse(
            "json",
            r#"{"plans":[{"name":"Small","cadence":"monthly","price_per_unit":5,"features":{"WorkspacesInOrganization":3}},
                         {"name":"Small","cadence":"yearly","price_per_unit":50.5}]}"#,
        )
        .expect("json");
        assert_eq!(j, t);
        let y = parse(
            "yaml",
            "plans:\n  - name: Small\n    cadence: monthly\n    price_per_unit: 5\n    features:\n      WorkspacesInOrganization: 3\n  - name: Small\n    cadence: yearly\n    price_per_unit: 50.5\n",
        )
        .expect("yaml");
        assert_eq!(y, t);
    }

    #[test]
    fn a_bad_plan_is_named() {
        let e = parse("json", r#"{"plans":[{"name":"X","cadence":"weekly","price_per_unit":1}]}"#).unwrap_err();
        assert!(detail(&e).starts_with("plans[0] (X): cadence"), "{e}");
        let e =
            parse("json", r#"{"plans":[{"name":"X","cadence":"monthly","price_per_unit":1,"features":{"Nope":1}}]}"#)
                .unwrap_err();
        assert!(detail(&e).contains("unknown feature \"Nope\""), "{e}");
        assert!(parse("ini", "").is_err());
        assert!(parse("json", r#"{"plans":[{"name":"X","colour":"red"}]}"#).is_err());
    }
}
