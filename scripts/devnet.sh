#!/usr/bin/env bash
# The main job: a local 3-node suanli devnet and the demo story.
#
#   scripts/devnet.sh [--dir DIR] [--detach]   build, create DIR (default ./devnet),
#                                              start 3 nodes, run the story
#   scripts/devnet.sh stop [--dir DIR]         stop a detached devnet
#
# Installs what is missing (apt-get) and builds first. Without --detach the
# cluster keeps running until Ctrl-C.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/devnet
detach=0
cmd=start
while (($#)); do
  case $1 in
    stop) cmd=stop ;;
    --dir) dir=$(realpath -m "$2"); shift ;;
    --detach) detach=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "devnet.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

stop_nodes() {
  [[ -f $dir/pids ]] || return 0
  while read -r pid; do
    kill "$pid" 2>/dev/null || true
  done <"$dir/pids"
  while read -r pid; do
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done <"$dir/pids"
  rm -f "$dir/pids"
  echo "devnet stopped"
}

if [[ $cmd == stop ]]; then
  stop_nodes
  exit 0
fi

"$root/scripts/setup.sh"
echo "== building (two jobs)"
"$root/scripts/build.sh" >/dev/null
bin=$root/build

if [[ -f $dir/pids ]]; then
  echo "a devnet is already running in $dir (scripts/devnet.sh stop --dir $dir)" >&2
  exit 1
fi
if [[ ! -f $dir/genesis.json ]]; then
  rm -rf "$dir"
  "$bin/genesis/suanli-genesis" devnet --nodes 3 --out "$dir"
fi

echo "== starting 3 nodes (logs in $dir/*.log)"
: >"$dir/pids"
for config in "$dir"/gz-1.json "$dir"/gz-2.json "$dir"/bj-1.json; do
  name=$(basename "$config" .json)
  "$bin/node/suanlid" --config "$config" >>"$dir/$name.log" 2>&1 &
  echo $! >>"$dir/pids"
done
trap 'stop_nodes; exit 130' INT TERM

rpc=$(grep -o '"rpc": *"[^"]*"' "$dir/gz-1.json" | sed 's/.*"\([^"]*\)"$/\1/')
echo "== the demo story (through JSON-RPC at $rpc)"
if ! "$bin/tools/suanli-demo" --devnet "$dir" --node "$rpc"; then
  echo "the demo story failed; node logs are in $dir" >&2
  stop_nodes
  exit 1
fi

cat <<EOT

The devnet is running:
  JSON-RPC     http://$rpc/   (node_status, contract_get, voucher_get, settlement_get, ...)
  explorer     http://$rpc/
  metrics      http://$rpc/metrics
  logs         $dir/*.log
  keys         $dir/keys/ (demo participants), genesis $dir/genesis.json
EOT
if ((detach)); then
  echo "Detached. Stop it with: scripts/devnet.sh stop --dir $dir"
  trap - INT TERM
  exit 0
fi
echo "Ctrl-C stops the devnet."
while true; do sleep 3600; done
