//! Reading YAML (and JSON, its subset) into JSON values with serde-saphyr,
//! within the import limits.

use super::{ImportError, MAX_OBJECTS};
use serde_json::Value;
use serde_saphyr::{Budget, Options, Spanned};

/// How plain scalars are typed: Kubernetes reads YAML 1.1 (`yes` is true,
/// `0644` is octal), Compose reads YAML 1.2 (`yes` is a string).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Yaml11,
    Yaml12,
}

/// The non-empty documents of `bytes` read as Kubernetes does (YAML 1.1).
pub(crate) fn documents(bytes: &[u8]) -> Result<Vec<(u64, Value)>, ImportError> {
    documents_as(bytes, Dialect::Yaml11)
}

/// The non-empty documents of `bytes`, each with the line it starts on.
/// Empty and `null` documents are skipped (as kubectl does).
pub(crate) fn documents_as(bytes: &[u8], dialect: Dialect) -> Result<Vec<(u64, Value)>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotYaml {
        line: Some(line_of_offset(bytes, e.valid_up_to())),
        detail: "the file is not UTF-8 text".into(),
    })?;
    let mut budget = Budget::default();
    // One over the limit, so a file just past it is told apart from a
    // malformed one.
    budget.max_documents = MAX_OBJECTS + 1;
    budget.max_nodes = 2_000_000;
    budget.max_events = 4_000_000;
    let mut options = Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    // Octal file modes (`defaultMode: 0644`) mean the same in both readers.
    options.legacy_octal_numbers = true;
    options.strict_booleans = dialect == Dialect::Yaml12;
    let docs: Vec<Spanned<Value>> = serde_saphyr::from_multiple_with_options(text, options).map_err(yaml_error)?;
    if docs.len() > MAX_OBJECTS {
        return Err(ImportError::TooMany { limit: MAX_OBJECTS });
    }
    Ok(docs.into_iter().map(|d| (d.referenced.line(), d.value)).collect())
}

fn yaml_error(e: serde_saphyr::Error) -> ImportError {
    if let serde_saphyr::Error::Budget { breach: serde_saphyr::budget::BudgetBreach::Documents { .. }, .. } = &e {
        return ImportError::TooMany { limit: MAX_OBJECTS };
    }
    let location = e.location().filter(|l| l.line() > 0);
    let mut detail = e.to_string();
    if let Some(l) = location {
        // The line goes into the error's own field; the developer hint some
        // messages carry means nothing to the sender.
        detail = detail.trim_end_matches(&format!(" at line {}, column {}", l.line(), l.column())).to_string();
        detail = detail.trim_end_matches(", set DuplicateKeyPolicy in Options if acceptable").to_string();
    }
    ImportError::NotYaml { line: location.map(|l| l.line()), detail }
}

fn line_of_offset(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset].iter().filter(|b| **b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_are_typed_as_each_reader_types_them() {
        let text = b"mode: 0644\non: yes\nport: 80\n";
        let k8s = &documents_as(text, Dialect::Yaml11).expect("parses")[0].1;
        assert_eq!(k8s, &json!({"mode": 420, "on": true, "port": 80}));
        let compose = &documents_as(text, Dialect::Yaml12).expect("parses")[0].1;
        assert_eq!(compose["on"], json!("yes"));
    }

    #[test]
    fn documents_come_with_their_lines_and_empty_ones_are_skipped() {
        let docs = documents(b"a: 1\n---\n---\n# only a comment\n---\nb: 2\n").expect("parses");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].1, serde_json::json!({"a": 1}));
        assert_eq!(docs[1].1, serde_json::json!({"b": 2}));
        assert!(docs[1].0 >= 5, "second document starts near line 6, got {}", docs[1].0);
    }

    #[test]
    fn broken_yaml_names_its_line() {
        let err = documents(b"a: 1\nb: [1, 2\nc: 3\n").expect_err("unclosed flow sequence");
        let ImportError::NotYaml { line, .. } = &err else { panic!("{err:?}") };
        assert!(line.is_some(), "{err}");
        assert_eq!(
            documents(b"a: 1\na: 2\n").expect_err("duplicate key").to_string(),
            "not valid YAML (line 2): duplicate mapping key: a"
        );
        let err = documents(b"a: 1\n\xff\xfe\n").expect_err("not UTF-8");
        assert_eq!(err, ImportError::NotYaml { line: Some(2), detail: "the file is not UTF-8 text".into() });
    }

    #[test]
    fn too_many_documents_are_refused() {
        let many = "a: 1\n---\n".repeat(MAX_OBJECTS + 2);
        assert_eq!(documents(many.as_bytes()), Err(ImportError::TooMany { limit: MAX_OBJECTS }));
    }
}
