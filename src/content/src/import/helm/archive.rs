//! Unpacking a chart archive (`.tgz`) in memory, within limits: nothing is
//! written to disk, and a bomb or a hostile path is refused before anything
//! else happens.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;
use std::rc::Rc;

use super::super::ImportError;

/// The most bytes one chart (with its subcharts) unpacks to.
pub const MAX_UNPACKED_BYTES: u64 = 20 * 1024 * 1024;
/// The largest single file in a chart (Helm's own limit is 5 MiB too).
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;
/// The most entries (files, directories, links) one chart holds.
pub const MAX_ENTRIES: usize = 2_000;

/// Whether `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// What is left of the limits, shared by a chart and its packed subcharts.
#[derive(Debug)]
pub struct Budget {
    bytes: u64,
    entries: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget { bytes: MAX_UNPACKED_BYTES, entries: MAX_ENTRIES }
    }
}

fn invalid(msg: impl Into<String>) -> ImportError {
    ImportError::Invalid(msg.into())
}

/// The regular files of a gzip tarball by their path inside it (`/`
/// separated, no `.` parts). Directories and links are skipped; a path that
/// leaves the archive (`..`, absolute) is refused.
pub fn unpack(bytes: &[u8], budget: &mut Budget) -> Result<BTreeMap<String, Vec<u8>>, ImportError> {
    // The whole decompressed stream is capped too: the tar reader keeps
    // long-name and PAX records in memory whatever their size, and they
    // never reach the per-file checks below.
    let overhead = (budget.entries as u64 + 16) * 2 * 512 + STREAM_SLACK;
    let stream =
        Capped { inner: flate2::read::GzDecoder::new(bytes), left: budget.bytes + overhead, hit: Rc::default() };
    let hit = stream.hit.clone();
    let unreadable = |e: std::io::Error| {
        if hit.get() {
            return too_large();
        }
        invalid(format!("not a readable chart archive: {e}"))
    };
    let mut archive = tar::Archive::new(stream);
    let entries = archive.entries().map_err(unreadable)?;
    let mut files = BTreeMap::new();
    for entry in entries {
        let entry = entry.map_err(unreadable)?;
        budget.entries = budget.entries.checked_sub(1).ok_or_else(|| {
            invalid(format!("the chart archive holds more than {MAX_ENTRIES} entries, the limit for an import"))
        })?;
        let raw = entry.path_bytes().into_owned();
        let path = clean_path(&raw)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        // Sizes are counted as bytes arrive: the header's size is not trusted.
        let limit = MAX_FILE_BYTES.min(budget.bytes);
        let mut data = Vec::new();
        entry.take(limit + 1).read_to_end(&mut data).map_err(|e| {
            if hit.get() { too_large() } else { invalid(format!("not a readable chart archive ({path}): {e}")) }
        })?;
        let len = data.len() as u64;
        if len > MAX_FILE_BYTES {
            return Err(invalid(format!(
                "{path} unpacks to more than {} MiB, the limit for one file of a chart",
                MAX_FILE_BYTES / (1024 * 1024)
            )));
        }
        if len > budget.bytes {
            return Err(too_large());
        }
        budget.bytes -= len;
        if !path.is_empty() {
            files.insert(path, data);
        }
    }
    Ok(files)
}

/// Room in the decompressed stream for tar's own records (long names,
/// PAX headers, padding) beyond the file contents.
const STREAM_SLACK: u64 = 1024 * 1024;

fn too_large() -> ImportError {
    invalid(format!(
        "the chart unpacks to more than {} MiB, the limit for an import",
        MAX_UNPACKED_BYTES / (1024 * 1024)
    ))
}

/// A reader that fails once more than `left` bytes came through, and says
/// so in `hit`.
struct Capped<R> {
    inner: R,
    left: u64,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match self.left.checked_sub(n as u64) {
            Some(left) => {
                self.left = left;
                Ok(n)
            }
            None => {
                self.hit.set(true);
                Err(std::io::Error::other("the archive unpacks to more than the import limit"))
            }
        }
    }
}

/// `raw` as a relative path without `.` parts; `..`, absolute and Windows
/// drive paths are refused.
fn clean_path(raw: &[u8]) -> Result<String, ImportError> {
    let text = String::from_utf8_lossy(raw);
    let shown: String = text.chars().take(200).collect();
    let escapes = || invalid(format!("the chart archive holds the path \"{shown}\", which leaves the chart"));
    if text.starts_with('/') || text.starts_with('\\') || text.contains(':') {
        return Err(escapes());
    }
    let mut parts = Vec::new();
    for part in text.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(escapes()),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// The chart's files relative to its directory: the archive's single top
/// directory when `Chart.yaml` is inside it, else its root.
pub fn chart_root(files: BTreeMap<String, Vec<u8>>) -> Result<BTreeMap<String, Vec<u8>>, ImportError> {
    if files.contains_key("Chart.yaml") {
        return Ok(files);
    }
    let top = files.keys().find_map(|k| k.strip_suffix("/Chart.yaml").filter(|d| !d.contains('/')));
    let Some(top) = top.map(|t| format!("{t}/")) else {
        return Err(invalid("the chart archive holds no Chart.yaml (a Helm chart has one at its top)"));
    };
    Ok(files.into_iter().filter_map(|(k, v)| k.strip_prefix(&top).map(|rest| (rest.to_string(), v))).collect())
}

/// A gzip tarball of `files` (path, contents), as `helm package` writes one;
/// for tests and for the fixtures they build.
pub fn pack(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        // The name is written raw (`set_path` refuses `..`), so tests can
        // build hostile archives too; names longer than 100 bytes are cut.
        let name = &mut header.as_old_mut().name;
        let n = path.len().min(name.len());
        name[..n].copy_from_slice(&path.as_bytes()[..n]);
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        let _ = builder.append(&header, *data);
    }
    builder.into_inner().and_then(|gz| gz.finish()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_chart() {
        assert_eq!(clean_path(b"./mychart//templates/a.yaml").ok().as_deref(), Some("mychart/templates/a.yaml"));
        for bad in [&b"../etc/passwd"[..], b"/etc/passwd", b"a/../../b", b"C:\\x", b"a\\..\\..\\b"] {
            assert!(clean_path(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn the_top_directory_is_the_chart() {
        let files: BTreeMap<String, Vec<u8>> =
            [("c/Chart.yaml".to_string(), vec![]), ("c/values.yaml".to_string(), vec![])].into();
        let root = chart_root(files).expect("root");
        assert!(root.contains_key("Chart.yaml") && root.contains_key("values.yaml"));
        let none: BTreeMap<String, Vec<u8>> = [("c/values.yaml".to_string(), vec![])].into();
        assert!(chart_root(none).unwrap_err().to_string().contains("Chart.yaml"));
    }

    #[test]
    fn limits_hold_while_unpacking() {
        let packed = pack(&[("c/Chart.yaml", b"name: c"), ("c/big", &vec![0u8; (MAX_FILE_BYTES + 1) as usize])]);
        let e = unpack(&packed, &mut Budget::default()).unwrap_err();
        assert!(e.to_string().contains("c/big unpacks to more than 5 MiB"), "{e}");
        let mut small = Budget { bytes: 10, entries: 10 };
        let packed = pack(&[("a", b"0123456789"), ("b", b"x")]);
        assert!(unpack(&packed, &mut small).unwrap_err().to_string().contains("20 MiB"));
        let mut few = Budget { bytes: 100, entries: 1 };
        assert!(unpack(&packed, &mut few).unwrap_err().to_string().contains("entries"));
        let files = unpack(&packed, &mut Budget::default()).expect("unpacks");
        assert_eq!(files.get("a").map(Vec::as_slice), Some(&b"0123456789"[..]));
        // A GNU long-name record the tar reader would keep whole in memory.
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let mut builder = tar::Builder::new(gz);
        let mut header = tar::Header::new_gnu();
        header.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        header.set_size(64 * 1024 * 1024);
        header.set_entry_type(tar::EntryType::GNULongName);
        header.set_cksum();
        builder.append(&header, std::io::repeat(b'a').take(64 * 1024 * 1024)).expect("append");
        let bomb = builder.into_inner().and_then(|gz| gz.finish()).expect("gzip");
        let e = unpack(&bomb, &mut Budget::default()).unwrap_err();
        assert!(e.to_string().contains("unpacks to more than 20 MiB"), "{e}");
    }
}
