#!/usr/bin/env bash
# `npm run client:check` (a step of .ci/run): @simple-bank/client as another team gets it.
#   1. `npm pack` the workspace (prepack builds it fresh);
#   2. install only that tarball into a scratch project and measure what it brought (packages, KB);
#   3. typecheck the package's example there against the shipped .d.ts, and check that a wrong body
#      does not compile;
#   4. run the example, compiled, against a live bank (`npm start` on a fresh embedded Postgres);
#   5. the same for @simple-bank/client/grpc in a second scratch project that adds the optional gRPC
#      peers, its example run against the same bank's gRPC port.
# Fails on any step, or past the limits below.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
max_packages=3   # @simple-bank/client, openapi-fetch, openapi-typescript-helpers
max_kb=1024
work=$(mktemp -d)
chmod o+x "$work" # the embedded Postgres (as the OS user postgres, when run as root) enters its DATA_DIR here
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "[client] $*"; }
tsc() { node "$root/node_modules/typescript/bin/tsc" "$@"; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

say "1/5 packing @simple-bank/client"
tgz=$(cd "$root" && npm pack --workspace @simple-bank/client --pack-destination "$work" --silent | tail -n 1)
tar -tzf "$work/$tgz" | sed 's/^/[client]   /'

say "2/5 installing $tgz into a scratch project"
app="$work/payout-service"
mkdir -p "$app"
cd "$app"
printf '{ "name": "payout-service", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --loglevel=error "$work/$tgz"
packages=$(npm ls --all --parseable | tail -n +2 | wc -l)
kb=$(du -sk node_modules | cut -f1)
say "   installed: $packages packages, $kb KB (limits: $max_packages packages, $max_kb KB)"
npm ls --all | sed 's/^/[client]   /'
if [ "$packages" -gt "$max_packages" ] || [ "$kb" -gt "$max_kb" ]; then say "FAILED: the client brings more than it should"; exit 1; fi

say "3/5 typechecking the example against the shipped types"
cp "$root/packages/client/examples/payout-job.ts" .
cat > tsconfig.json <<EOF
{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true,
    "outDir": "build", "types": ["node"], "typeRoots": ["$root/node_modules/@types"] },
  "include": ["*.ts"] }
EOF
tsc -p .
cat > wrong.ts <<'EOF'
import { BankClient } from '@simple-bank/client';
await new BankClient({ baseUrl: 'http://x' }).transfer({ from_account_id: 1, to_account_id: 2, amount: '5', currency: 'EUR' });
EOF
if out=$(tsc -p . --noEmit 2>&1); then say "FAILED: a string amount compiled"; exit 1; fi
echo "$out" | grep -q "wrong.ts.*Type 'string' is not assignable to type 'number'" || { say "FAILED: unexpected compiler output: $out"; exit 1; }
say "   a string amount is refused by the compiler, as it should be"
rm wrong.ts

say "4/5 running the example against a live bank"
port=$(free_port)
grpc_port=$(free_port)
pg_port=$(free_port)
base="http://127.0.0.1:$port"
unset DATABASE_URL # always a fresh embedded bank of its own, in the scratch folder
export DATA_DIR="$work/bank-data" EMBEDDED_PG_PORT="$pg_port"
(cd "$root" && PORT="$port" GRPC_PORT="$grpc_port" METRICS_PORT=0 HOST=127.0.0.1 LOG_LEVEL=warn exec npm start --silent) > "$work/server.log" 2>&1 &
server_pid=$!
for i in $(seq 1 180); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz" || true)" = 200 ]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null || [ "$i" = 180 ]; then say "FAILED: the bank did not become ready"; cat "$work/server.log"; exit 1; fi
  [ $((i % 20)) = 0 ] && say "   waiting for the bank ($((i / 2)) s)"
  sleep 0.5
done
banker="payout_banker_$$"
curl -sf -o /dev/null -H 'content-type: application/json' \
  -d "{\"username\":\"$banker\",\"full_name\":\"Payout Banker\",\"email\":\"banker@example.com\",\"password\":\"payout-banker\"}" "$base/users"
(cd "$root" && npm run --silent cli -- grant-banker "$banker")
out=$(BANK_URL="$base" BANKER="$banker" BANKER_PASSWORD=payout-banker node build/payout-job.js)
echo "$out" | sed 's/^/[client]   /'
echo "$out" | grep -Eq '^payout [0-9]+: 12000 cents, merchant balance now 13000$' || { say "FAILED: no payout line"; exit 1; }
echo "$out" | grep -q '^second payout refused: insufficient_funds$' || { say "FAILED: the overdraft was not refused"; exit 1; }

say "5/5 @simple-bank/client/grpc with its optional peers, against the bank's gRPC port"
gapp="$work/grpc-service"
mkdir -p "$gapp"
cd "$gapp"
printf '{ "name": "grpc-service", "private": true, "type": "module" }\n' > package.json
peers="@bufbuild/protobuf@$(node -p "require('$root/node_modules/@bufbuild/protobuf/package.json').version") @connectrpc/connect@$(node -p "require('$root/node_modules/@connectrpc/connect/package.json').version") @connectrpc/connect-node@$(node -p "require('$root/node_modules/@connectrpc/connect-node/package.json').version")"
npm install --no-audit --no-fund --loglevel=error "$work/$tgz" $peers
gpackages=$(npm ls --all --parseable | tail -n +2 | wc -l)
say "   installed with the gRPC peers: $gpackages packages, $(du -sk node_modules | cut -f1) KB"
cp "$root/packages/client/examples/grpc-payout.ts" .
cp "$app/tsconfig.json" .
tsc -p .
# A missing setting is refused with one sentence naming it (here: the HTTP URL set instead of the gRPC one).
refusal=$(BANK_URL="$base" BANKER="$banker" BANKER_PASSWORD=payout-banker node build/grpc-payout.js 2>&1) && { say "FAILED: grpc-payout ran without BANK_GRPC_URL"; exit 1; }
echo "$refusal" | grep -q 'needs BANK_GRPC_URL.*BANK_URL is the HTTP API' || { say "FAILED: grpc-payout did not name BANK_GRPC_URL: $refusal"; exit 1; }
gout=$(BANK_GRPC_URL="http://127.0.0.1:$grpc_port" BANKER="$banker" BANKER_PASSWORD=payout-banker node build/grpc-payout.js)
echo "$gout" | sed 's/^/[client]   /'
echo "$gout" | grep -Eq '^grpc payout [0-9]+: 12000 cents, merchant balance now 13000$' || { say "FAILED: no gRPC payout line"; exit 1; }
echo "$gout" | grep -q '^second payout refused: insufficient_funds$' || { say "FAILED: the gRPC overdraft was not refused"; exit 1; }
say "ok: packed, installed ($packages packages, $kb KB; with the gRPC peers $gpackages), typechecked and run against a live bank over HTTP and gRPC"
