#!/usr/bin/env sh
# Runs the scheduler stress check (release build); see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p meshcloud-tests --bench scheduler "$@"
