#!/usr/bin/env bash
# Runs the examples of docs/ against a fresh local 3-node devnet: every fenced
# ```sh block of each guide, in order, in one bash per guide (so a block can
# use what an earlier one set), with `set -euo pipefail`. ```console blocks
# (host commands: apt, systemctl, journalctl) are shown, not run.
#
#   scripts/docs_test.sh [--build-dir B] [--keep]
#
# The examples see SUANLI_NODE, SUANLI_KEYSTORE and SUANLI_WALLET_PASSWORD
# (the devnet's demo keystore), DEVNET (the devnet's directory: genesis, node
# configs) and the build's binaries on PATH. Exits non-zero naming the guide
# and the block that failed, and keeps the devnet's logs then.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
keep=0
while (($#)); do
  case $1 in
    --build-dir) build=$(realpath -m "$2"); shift ;;
    --keep) keep=1 ;;
    *) echo "usage: scripts/docs_test.sh [--build-dir B] [--keep]" >&2; exit 2 ;;
  esac
  shift
done
"$root/scripts/setup.sh" curl jq >/dev/null
# The guides in the order a new cluster meets them.
guides=(operator-guide regulator-guide provider-guide buyer-guide rpc-reference configuration)
# A guide with examples that is not in the list would go untested.
for doc in "$root"/docs/*.md; do
  g=$(basename "$doc" .md)
  if grep -q '^```sh[ \t]*$' "$doc" && [[ " ${guides[*]} " != *" $g "* ]]; then
    echo "docs test: docs/$g.md has \`\`\`sh examples but is not in scripts/docs_test.sh's list" >&2
    exit 1
  fi
done

work=$(mktemp -d /tmp/suanli-docs-XXXXXX)
pids=()
guide=
# Ends a guide's process group: the nodes its examples started go with it.
stop_group() {
  kill -- "-$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}
stop() {
  [[ -n $guide ]] && stop_group "$guide"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
}
trap stop EXIT

# A port block nobody listens on: peers on P+1..P+3, JSON-RPC on R+1..R+3, and
# room above both for the nodes the operator guide adds.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 1 50); do
  base=$((21000 + (RANDOM % 400) * 20))
  ok=1
  for o in $(seq 1 19); do port_free $((base + o)) || { ok=0; break; }; done
  ((ok)) && break
done
rpc_base=$((base + 10))
"$build/genesis/suanli-genesis" devnet --nodes 3 --out "$work/devnet" --base-port "$base" \
  --rpc-base-port "$rpc_base" >/dev/null
for config in "$work"/devnet/gz-1.json "$work"/devnet/gz-2.json "$work"/devnet/bj-1.json; do
  name=$(basename "$config" .json)
  "$build/node/suanlid" --config "$config" >>"$work/devnet/$name.log" 2>&1 &
  pids+=($!)
done

export DEVNET=$work/devnet
export SUANLI_NODE=http://127.0.0.1:$((rpc_base + 1))
export SUANLI_KEYSTORE=$DEVNET/keystore
SUANLI_WALLET_PASSWORD=$(cat "$DEVNET/keystore-password.DEMO-ONLY.txt")
export SUANLI_WALLET_PASSWORD
export PATH=$build/node:$build/wallet:$build/genesis:$PATH
export DOCS_PORT_BASE=$base  # free ports base+4.. and base+14.. for added nodes
for _ in $(seq 1 150); do
  if curl -sf "$SUANLI_NODE/healthz" 2>/dev/null | grep -q '"leader_id":"[a-z]'; then break; fi
  sleep 0.2
done

# Extracts the ```sh blocks of a guide as one script; each block starts by
# recording where it is, for the failure message.
extract() {
  awk -v file="$1" '
    /^```sh[ \t]*$/ { inblock = 1; n++; first = ""; print "__block=" n; next }
    /^```/ && inblock { inblock = 0; next }
    inblock {
      if (first == "") { first = $0; gsub(/\047/, "", first); print "__first=\047" first "\047" }
      print
    }' "$2"
}

status=0
started=$(date +%s)
for g in "${guides[@]}"; do
  doc=$root/docs/$g.md
  [[ -f $doc ]] || { echo "docs test: docs/$g.md is missing"; status=1; continue; }
  blocks=$(grep -c '^```sh[ \t]*$' "$doc" || true)
  script=$work/$g.sh
  {
    echo 'set -euo pipefail'
    echo "trap 'echo \"docs test: docs/$g.md, block \$__block (\$__first) failed\" >&2' ERR"
    echo "cd $work"
    extract "$g" "$doc"
  } >"$script"
  # Its own process group, so that nodes an example started go with it.
  setsid bash "$script" >"$work/$g.out" 2>&1 &
  guide=$!
  rc=0
  wait "$guide" || rc=$?
  stop_group "$guide"
  guide=
  if ((rc == 0)); then
    echo "docs test: docs/$g.md ok ($blocks blocks)"
  else
    echo "docs test: docs/$g.md FAILED"
    tail -25 "$work/$g.out"
    status=1
  fi
done
echo "docs test: $(( $(date +%s) - started )) s against the devnet in $work"
stop
trap - EXIT
if ((status == 0 && keep == 0)); then rm -rf "$work"; else echo "kept $work (node logs there)"; fi
exit $status
