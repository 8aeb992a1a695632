# The demo story, told through suanli-wallet commands (sourced by devnet.sh,
# which sets the `wallet` array: the binary with --node, --keystore and
# --password-file).
#
# A Beijing AI company buys GPU card-hours from a Guizhou supercomputing
# centre, receives a 3% Guizhou voucher, cashes part of it back, deducts the
# rest on a second contract (with a dispute the Guizhou regulator resolves),
# earns a 20% Beijing voucher on a third, and the period's cross-province
# settlement is closed and co-signed by both regulators.

w() { "${wallet[@]}" "$@"; }

# step "what happened" WALLET ARGS...: runs a transaction with --wait and
# prints one line; on failure prints the wallet's output and fails.
last_output=
step() {
  local what=$1
  shift
  if ! last_output=$(w "$@" --wait 2>&1); then
    printf '  ✗ %s\n%s\n' "$what" "$last_output" >&2
    return 1
  fi
  local block pad=$((58 - ${#what}))
  block=$(sed -n 's/^✓ committed in block \([0-9]*\).*/\1/p' <<<"$last_output")
  printf '  ✓ %s%*s block %s\n' "$what" $((pad > 0 ? pad : 1)) '' "$block"
}

# The id the wallet printed ("  contract ID", "  voucher ID") for the last step.
printed_id() { sed -n "s/^  $1 //p" <<<"$last_output"; }

evidence() { printf '%s' "$1" | sha256sum | cut -c1-64; }
now_ms() { date +%s%3N; }

# The JSON integer member `name` of a --json query's output.
json_int() { grep -o "\"$1\": [0-9]*" | head -1 | grep -o '[0-9]*$'; }

wait_ready() {
  for _ in $(seq 1 150); do
    if w status --json 2>/dev/null | grep -q '"leader_id": "[a-z]'; then return 0; fi
    sleep 0.2
  done
  echo "the devnet did not elect a leader in 30 s" >&2
  return 1
}

story() {
  local gpu=(--class intelligent --model "A800 80GB" --unit card_hour)
  echo
  echo "1. A Beijing AI company buys 3,566,667 GPU card-hours at ¥10.00 from a Guizhou supercomputing centre"
  step "contract created: ¥35,666,670.00 in escrow" contract create --from bj-ai \
    --provider gz-supercomputing "${gpu[@]}" --quantity 3566667 --unit-price 10.00 \
    --deadline +30d || return 1
  k1=$(printed_id contract)
  step "the centre accepts" contract accept --from gz-supercomputing --contract-id "$k1" &&
  step "2,000,000 card-hours delivered" delivery report --from gz-supercomputing \
    --contract-id "$k1" --quantity 2000000 --evidence "$(evidence 'usage records, week 1')" &&
  step "the buyer acknowledges: ¥20,000,000.00 paid" delivery ack --from bj-ai \
    --contract-id "$k1" --seq 1 &&
  step "1,566,667 card-hours delivered" delivery report --from gz-supercomputing \
    --contract-id "$k1" --quantity 1566667 --evidence "$(evidence 'usage records, week 2')" &&
  step "the buyer acknowledges: ¥15,666,670.00 paid" delivery ack --from bj-ai \
    --contract-id "$k1" --seq 2 &&
  step "contract completed" contract close --from bj-ai --contract-id "$k1" || return 1

  echo
  echo "2. The buyer applies for a Guizhou compute voucher (3% of the contract)"
  step "voucher applied for" voucher apply --from bj-ai --contract-id "$k1" --program CN-GZ &&
  step "the Guizhou bureau issues the voucher" voucher issue --from gz-regulator \
    --contract-id "$k1" || return 1
  v1=$(printed_id voucher)
  local amount
  amount=$(w --json voucher show "$v1" | json_int amount)
  echo "  voucher ${v1:0:16}… worth $(w voucher show "$v1" | sed -n 's/^amount *//p')"

  echo
  echo "3. Part cashed back, the rest deducted on a second contract"
  local cash_back=$((amount - 100000000))
  step "cash back: all but ¥1,000,000.00 of the voucher" voucher redeem --from bj-ai \
    --voucher-id "$v1" --amount "$((cash_back / 100)).$(printf '%02d' $((cash_back % 100)))" ||
    return 1
  local deadline=$(($(now_ms) + 15000))
  step "second contract: ¥2,000,000.00, ¥1,000,000.00 deducted" contract create --from bj-ai \
    --provider gz-supercomputing "${gpu[@]}" --quantity 200000 --unit-price 10 \
    --deadline "$deadline" --voucher "$v1:1000000.00" || return 1
  k2=$(printed_id contract)
  step "the centre accepts" contract accept --from gz-supercomputing --contract-id "$k2" &&
  step "40,000 card-hours delivered" delivery report --from gz-supercomputing \
    --contract-id "$k2" --quantity 40000 --evidence "$(evidence 'usage k2-1')" &&
  step "acknowledged: paid from the voucher first" delivery ack --from bj-ai \
    --contract-id "$k2" --seq 1 &&
  step "40,000 card-hours reported" delivery report --from gz-supercomputing \
    --contract-id "$k2" --quantity 40000 --evidence "$(evidence 'usage k2-2')" &&
  step "the buyer disputes the second delivery" delivery dispute --from bj-ai \
    --contract-id "$k2" --seq 2 --reason "nodes were down 6 hours" &&
  step "the Guizhou bureau resolves: 30,000 card-hours accepted" dispute resolve \
    --from gz-regulator --contract-id "$k2" --seq 2 --accepted-quantity 30000 || return 1
  local wait_ms=$((deadline + 1000 - $(now_ms)))
  if ((wait_ms > 0)); then
    echo "  waiting for the second contract's deadline ($((wait_ms / 1000)) s)…"
    sleep "$((wait_ms / 1000)).$(printf '%03d' $((wait_ms % 1000)))"
  fi
  step "closed after the deadline: unspent voucher money returns" contract close \
    --from bj-ai --contract-id "$k2" || return 1
  echo "  voucher now holds $(w voucher show "$v1" | sed -n 's/^remaining *//p') again"

  echo
  echo "4. A Beijing voucher (20%, for Beijing buyers) on a third contract"
  step "third contract: 10,000 card-hours at ¥50.00" contract create --from bj-ai \
    --provider gz-intelligent "${gpu[@]}" --quantity 10000 --unit-price 50.00 \
    --deadline +1d || return 1
  k3=$(printed_id contract)
  step "the provider accepts" contract accept --from gz-intelligent --contract-id "$k3" &&
  step "all delivered" delivery report --from gz-intelligent --contract-id "$k3" \
    --quantity 10000 --evidence "$(evidence 'usage k3')" &&
  step "acknowledged" delivery ack --from bj-ai --contract-id "$k3" --seq 1 &&
  step "completed" contract close --from bj-ai --contract-id "$k3" &&
  step "applied to the Beijing programme" voucher apply --from bj-ai --contract-id "$k3" \
    --program CN-BJ &&
  step "Beijing issues a 20% voucher" voucher issue --from bj-regulator --contract-id "$k3" ||
    return 1
  v3=$(printed_id voucher)
  echo "  Beijing voucher worth $(w voucher show "$v3" | sed -n 's/^amount *//p')"

  echo
  echo "5. Cross-province settlement: the period is closed and co-signed"
  period=$(w --json settlement show | json_int period)
  step "settlement period $period closed" settlement close --from gz-regulator &&
  step "Guizhou signs" settlement sign --from gz-regulator --period "$period" &&
  step "Beijing signs" settlement sign --from bj-regulator --period "$period" || return 1
  echo
  w settlement show "$period" | sed 's/^/  /'
  echo
  echo "Vouchers of the Beijing AI company:"
  w voucher list --buyer bj-ai | sed 's/^/  /'
  echo
  echo "Balances:"
  for who in bj-ai gz-supercomputing gz-intelligent; do
    printf '  %-18s %s\n' "$who" "$(w balance "$who" | sed -n 's/^balance *//p')"
  done
}

# CI: the story's figures, checked against what the ledger says.
check_figures() {
  local failed=0
  expect() {  # expect WHAT ACTUAL EXPECTED
    if [[ $2 != "$3" ]]; then
      echo "  ✗ $1: $2, expected $3" >&2
      failed=1
    else
      echo "  ✓ $1: $2"
    fi
  }
  echo
  echo "== checking the figures"
  local v1json v3json st
  v1json=$(w --json voucher show "$v1")
  v3json=$(w --json voucher show "$v3")
  expect "Guizhou voucher amount (fen)" "$(json_int amount <<<"$v1json")" 107000010
  expect "Guizhou voucher remaining (fen)" "$(json_int remaining <<<"$v1json")" 30000000
  expect "Beijing voucher amount (fen)" "$(json_int amount <<<"$v3json")" 10000000
  expect "buyer balance (fen)" "$(w --json balance bj-ai | json_int balance)" 1390333010
  expect "Guizhou programme redeemed (fen)" \
    "$(w --json program show CN-GZ | json_int redeemed)" 77000010
  st=$(w --json settlement show "$period" | tr -d ' \n')
  expect "statement status" "$(grep -o '"status":"[a-z]*"' <<<"$st" | head -1)" '"status":"final"'
  expect "flow CN-BJ→CN-GZ" "$(grep -o '"amount":[0-9]*,"count":[0-9]*,"from":"CN-BJ","to":"CN-GZ"' \
    <<<"$st" | grep -o '"amount":[0-9]*')" '"amount":3616667000'
  expect "flow CN-GZ→CN-BJ" "$(grep -o '"amount":[0-9]*,"count":[0-9]*,"from":"CN-GZ","to":"CN-BJ"' \
    <<<"$st" | grep -o '"amount":[0-9]*')" '"amount":7000010'
  return "$failed"
}
