#!/usr/bin/env sh
# Pages and searches of one org grown to 1,000,000 environments, against the
# release binary; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p meshcloud
exec cargo bench -p meshcloud-tests --bench lists "$@"
