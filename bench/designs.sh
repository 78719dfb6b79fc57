#!/usr/bin/env sh
# One org of 10,000 designs (pages, searches, get, save, pattern resources)
# and the import of a 500-object manifest, against the release binary; see
# bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench designs "$@"
