#!/usr/bin/env bash
# The main job: a local 3-node suanli devnet and the demo story, told through
# suanli-wallet commands.
#
#   scripts/devnet.sh [--dir DIR] [--detach]   install what is missing, build, create DIR
#                                              (default ./devnet), start 3 nodes, run the
#                                              story, keep running until Ctrl-C
#   scripts/devnet.sh stop [--dir DIR]         stop a detached devnet
#   scripts/devnet.sh --ci --build-dir B --dir DIR [--base-port P --rpc-base-port R]
#                                              CI: no install or build; a fresh DIR; run the
#                                              story, check its figures, stop, exit 0/1
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$root/devnet
bin=$root/build
detach=0 ci=0 cmd=start base_port=7600 rpc_base_port=8644
while (($#)); do
  case $1 in
    stop) cmd=stop ;;
    --dir) dir=$(realpath -m "$2"); shift ;;
    --build-dir) bin=$(realpath -m "$2"); shift ;;
    --base-port) base_port=$2; shift ;;
    --rpc-base-port) rpc_base_port=$2; shift ;;
    --detach) detach=1 ;;
    --ci) ci=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "devnet.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

stop_nodes() {
  [[ -f $dir/pids ]] || return 0
  while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$dir/pids"
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

if ((ci)); then
  rm -rf "$dir"
else
  "$root/scripts/setup.sh"
  echo "== building (two jobs)"
  SUANLI_BUILD_DIR=$bin "$root/scripts/build.sh" >/dev/null
fi
if [[ -f $dir/pids ]]; then
  echo "a devnet is already running in $dir (scripts/devnet.sh stop --dir $dir)" >&2
  exit 1
fi
if [[ ! -f $dir/genesis.json ]]; then
  rm -rf "$dir"
  "$bin/genesis/suanli-genesis" devnet --nodes 3 --out "$dir" --base-port "$base_port" \
    --rpc-base-port "$rpc_base_port" >/dev/null
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
wallet=("$bin/wallet/suanli-wallet" --node "http://$rpc" --keystore "$dir/keystore"
        --password-file "$dir/keystore-password.DEMO-ONLY.txt")

# shellcheck source=scripts/devnet_story.sh
source "$root/scripts/devnet_story.sh"
echo "== the demo story, through suanli-wallet (node http://$rpc)"
if ! wait_ready || ! story || { ((ci)) && ! check_figures; }; then
  echo "the demo story failed; node logs are in $dir" >&2
  stop_nodes
  exit 1
fi
if ((ci)); then
  stop_nodes
  exit 0
fi

cat <<EOT

The devnet is running:
  explorer     http://$rpc/
  JSON-RPC     http://$rpc/   (node_status, contract_get, voucher_get, settlement_get, ...)
  metrics      http://$rpc/metrics
  logs         $dir/*.log

Use the wallet against it (the demo keystore's password is in a file, for demos only):
  export SUANLI_NODE=http://$rpc SUANLI_KEYSTORE=$dir/keystore
  W="$bin/wallet/suanli-wallet --password-file $dir/keystore-password.DEMO-ONLY.txt"
  \$W key list
  \$W balance bj-ai
  \$W voucher list --buyer bj-ai
  \$W settlement show 1
  \$W transfer --from gd-robotics --to sh-biotech --amount 1000.00 --memo test --wait
EOT
if ((detach)); then
  echo "Detached. Stop it with: scripts/devnet.sh stop --dir $dir"
  trap - INT TERM
  exit 0
fi
echo "Ctrl-C stops the devnet."
while true; do sleep 3600; done
