#!/usr/bin/env sh
# Point-read CPU and size on disk against the release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench footprint "$@"
