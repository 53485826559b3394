#!/usr/bin/env bash
# `npm run proto:check` (a step of .ci/run): the gRPC contract in proto/ is lint-clean (buf lint),
# breaks nothing of the released API (buf breaking against proto/released/simplebank.binpb, the
# image of the last release: refresh it with `npm run proto:release` when a release ships), and
# generated/proto/ and the client's packages/client/src/proto/ are exactly what `buf generate` makes
# of it (commit `npm run proto` otherwise).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/node_modules/.bin:$PATH"
echo "[proto] buf lint"
buf lint
echo "[proto] buf breaking against proto/released/simplebank.binpb"
buf breaking --against proto/released/simplebank.binpb
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "[proto] buf generate (into a scratch folder) and compare with generated/proto/"
buf generate --output "$out"
buf generate --template buf.gen.client.yaml --output "$out"
drift=0
for dir in generated/proto packages/client/src/proto; do
  if ! diff -r "$dir" "$out/$dir"; then
    echo "[proto] DRIFT: $dir/ differs from proto/. Run \`npm run proto\` and commit it."
    drift=1
  fi
done
[ "$drift" = 0 ] || exit 1
echo "[proto] generated/proto/ and packages/client/src/proto/ are up to date"
