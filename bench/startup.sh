#!/usr/bin/env sh
# Start-up time to the first /healthz at 110k and 1M environments against the release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench startup "$@"
