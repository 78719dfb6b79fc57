#!/usr/bin/env sh
# One run of the billing job renewing 10,000 offline subscriptions due at
# once (in-process, release build): wall and CPU time per subscription, and
# invoice numbers 1..=10000 without gaps; see bench/README.md.
set -eu
cd "$(dirname "$0")/.."
exec cargo bench -p meshcloud-tests --bench renewals "$@"
