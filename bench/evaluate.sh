#!/usr/bin/env sh
# Runs the relationship-evaluation benchmark (release build); see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p meshcloud-content --bench evaluate "$@"
