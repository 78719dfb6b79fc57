#!/usr/bin/env sh
# Resident memory at start, after a sign-in burst and after idling, against the release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench memory "$@"
