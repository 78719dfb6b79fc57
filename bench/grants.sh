#!/usr/bin/env sh
# Grant resolution off the request path, against the release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench grants "$@"
