#!/usr/bin/env sh
# 10,000 API7 applications over 10 control planes: list pages, a label filter,
# a search, get, create and the APISIX export (in-process); see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p meshcloud-tests --bench gateway "$@"
