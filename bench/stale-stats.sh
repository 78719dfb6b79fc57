#!/usr/bin/env sh
# The stale-statistics sequence against the release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench stale_stats "$@"
