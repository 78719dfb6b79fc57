//! A Meshery model package: a tarball (`.tar`, `.tar.gz`, `.tgz`; Meshery's
//! export and its OCI image are both tarballs) holding, for each model, a
//! directory with `model.json` (or `model.yaml`), `components/*.json|yaml`
//! and `relationships/*.json|yaml`, as Meshery writes them
//! (`<model>/<model.version>/<version>/…`). Other files (icons…) are passed
//! over. A component or relationship file belongs to the model whose
//! directory holds its `components/` or `relationships/` directory.
//!
//! Read in memory within limits, nothing is written to disk: at most
//! [`MAX_ENTRIES`] entries, [`MAX_FILE`] per file and [`MAX_UNPACKED`] in all,
//! so a compressed bomb is refused before it fills anything.

use std::io::Read;

use flate2::read::GzDecoder;
use serde_json::Value;

use super::Model;
use super::source::{self, Result, SourceError, fail};
use crate::import::yaml;

pub const MAX_ENTRIES: usize = 5_000;
pub const MAX_FILE: u64 = 4 * 1024 * 1024;
pub const MAX_UNPACKED: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Model,
    Component,
    Relationship,
}

struct File {
    path: String,
    /// The directory the file's model lives in.
    base: String,
    role: Role,
    value: Value,
}

fn broken(e: impl std::fmt::Display) -> SourceError {
    SourceError(format!("not a readable .tar or .tar.gz model package: {e}"))
}

/// Which part of a model `path` is, and the model's directory.
fn role_of(path: &str) -> Option<(Role, String)> {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let (stem, ext) = name.rsplit_once('.')?;
    if !matches!(ext.to_ascii_lowercase().as_str(), "json" | "yaml" | "yml") || stem.is_empty() {
        return None;
    }
    if stem == "model" {
        return Some((Role::Model, dir.to_string()));
    }
    let (parent, last) = dir.rsplit_once('/').unwrap_or(("", dir));
    match last {
        "components" => Some((Role::Component, parent.to_string())),
        "relationships" => Some((Role::Relationship, parent.to_string())),
        _ => None,
    }
}

fn parse(path: &str, bytes: &[u8]) -> Result<Value> {
    let docs = yaml::documents(bytes).map_err(|e| SourceError(format!("{path}: {e}")))?;
    match <[_; 1]>::try_from(docs) {
        Ok([(_, v)]) => Ok(v),
        Err(_) => fail(format!("{path}: one definition per file")),
    }
}

/// The models of a package (`gzip`: the tarball is gzip-compressed).
pub fn read(bytes: &[u8], gzip: bool) -> Result<Vec<Model>> {
    let reader: Box<dyn Read + '_> = if gzip { Box::new(GzDecoder::new(bytes)) } else { Box::new(bytes) };
    let mut archive = tar::Archive::new(reader);
    let (mut files, mut entries, mut total) = (Vec::new(), 0usize, 0u64);
    for entry in archive.entries().map_err(broken)? {
        let mut entry = entry.map_err(broken)?;
        entries += 1;
        if entries > MAX_ENTRIES {
            return fail(format!("the package holds more than {MAX_ENTRIES} entries"));
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let size = entry.header().size().map_err(broken)?;
        total = total.saturating_add(size);
        if total > MAX_UNPACKED {
            return fail(format!("the package unpacks to more than {} MiB", MAX_UNPACKED / (1024 * 1024)));
        }
        let path = entry.path().map_err(broken)?.to_string_lossy().trim_start_matches("./").to_string();
        let Some((role, base)) = role_of(&path) else { continue };
        if size > MAX_FILE {
            return fail(format!("{path}: larger than {} MiB", MAX_FILE / (1024 * 1024)));
        }
        let mut data = Vec::with_capacity(size as usize);
        entry.by_ref().take(MAX_FILE + 1).read_to_end(&mut data).map_err(broken)?;
        let value = parse(&path, &data)?;
        files.push(File { path, base, role, value });
    }
    assemble(files)
}

fn assemble(files: Vec<File>) -> Result<Vec<Model>> {
    let mut models: Vec<(String, Model)> = Vec::new();
    for f in files.iter().filter(|f| f.role == Role::Model) {
        models.push((f.base.clone(), source::model(f.value.clone(), &f.path)?));
    }
    if models.is_empty() {
        return fail("malformed model package: no model.json (or model.yaml)");
    }
    for f in files.into_iter().filter(|f| f.role != Role::Model) {
        // The model whose directory is the longest prefix of the file's.
        let owner = models
            .iter_mut()
            .filter(|(base, _)| base.is_empty() || f.base == *base || f.base.starts_with(&format!("{base}/")))
            .max_by_key(|(base, _)| base.len());
        let Some((_, model)) = owner else {
            return fail(format!("{}: belongs to no model.json of the package", f.path));
        };
        match f.role {
            Role::Component => model.components.push(source::component(f.value, &f.path)?),
            _ => model.relationships.push(source::relationship(f.value, &f.path)?),
        }
    }
    Ok(models.into_iter().map(|(_, m)| m).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_placed_by_their_directory() {
        assert_eq!(role_of("gizmo/v1.0.0/v1.0.0/model.json"), Some((Role::Model, "gizmo/v1.0.0/v1.0.0".into())));
        assert_eq!(
            role_of("gizmo/v1.0.0/v1.0.0/components/Gizmo.json"),
            Some((Role::Component, "gizmo/v1.0.0/v1.0.0".into()))
        );
        assert_eq!(role_of("relationships/r.yaml"), Some((Role::Relationship, String::new())));
        assert_eq!(role_of("model.json"), Some((Role::Model, String::new())));
        assert_eq!(role_of("gizmo/icons/color/gizmo.svg"), None);
        assert_eq!(role_of("gizmo/components/README"), None);
    }

    /// A `.tar.gz` of `files` (path, size), each of that many spaces.
    fn tarball(files: &[(&str, usize)]) -> Vec<u8> {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (path, size) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(*size as u64);
            header.set_cksum();
            tar.append_data(&mut header, path, std::io::repeat(b' ').take(*size as u64)).expect("appends");
        }
        tar.into_inner().expect("tar").finish().expect("gzip")
    }

    #[test]
    fn a_bomb_is_refused_before_it_is_unpacked() {
        let bomb = tarball(&[("a/icons/big.bin", (MAX_UNPACKED + 1) as usize), ("a/model.json", 2)]);
        assert!(bomb.len() < 1024 * 1024, "it compresses well: {}", bomb.len());
        let err = read(&bomb, true).expect_err("too big").to_string();
        assert!(err.contains("unpacks to more than 32 MiB"), "{err}");
        let err = read(&tarball(&[("a/model.json", (MAX_FILE + 1) as usize)]), true).expect_err("big file").to_string();
        assert!(err.contains("a/model.json: larger than 4 MiB"), "{err}");
        let many: Vec<(String, usize)> = (0..=MAX_ENTRIES).map(|i| (format!("f{i}"), 0)).collect();
        let many: Vec<(&str, usize)> = many.iter().map(|(p, n)| (p.as_str(), *n)).collect();
        let err = read(&tarball(&many), true).expect_err("many").to_string();
        assert!(err.contains("more than 5000 entries"), "{err}");
    }

    #[test]
    fn broken_archives_are_refused() {
        let err = read(&[0x1f, 0x8b, 0, 1, 2, 3], true).expect_err("not gzip").to_string();
        assert!(err.contains("not a readable"), "{err}");
        let err = read(&[0u8; 1024], false).expect_err("empty tar").to_string();
        assert!(err.contains("no model.json"), "{err}");
    }
}
