#!/usr/bin/env bash
# rig's speed against a peer in the same run: a benchmark, not a test. It prints figures, ratios and goals with
# PASS/MISS, and exits 0 whatever they are (non-zero only when a command fails).
#
#   scripts/bench.sh [--quick]      --quick: one run of each (eleven of the tiny check), for a smoke run
#
# Inputs (generated into a temporary folder by scripts/bench/gen.py):
# - N = 1,000 and 10,000 components, each a Kubernetes Deployment with a Service (its include files hold 2,000
#   components each, under rig's 1 MiB limit). The peer is scripts/bench/kubernetes.jsonnet: the same objects
#   `rig render` writes into kubernetes/ (Namespace, NetworkPolicies, Deployment and Service per component),
#   evaluated by Debian's jsonnet 0.18 into one JSON document. After the N = 1,000 render, gen.py compare
#   checks that both hold the same objects (with PyYAML). Timed: jsonnet; `rig plan DIR` (writes nothing);
#   `rig render DIR --out FRESH` into a fresh folder each run (the deletion is not timed).
# - the 14k chain: 14,001 components each requiring the next, only c0 in the stack: `rig plan`, and the size of
#   its output against a chain half as long (linear output doubles, quadratic quadruples).
# - a fleet of 100 hosts × 30 components (scripts/bench/gen.py fleet): `rig plan` and `rig render` against 100
#   single-host `rig plan`s of the same machines, and the plan of 50 hosts for the growth in hosts.
# - `rig check examples/workstation`, many runs (process startup counts).
# - N = 10,000 with all six targets: `rig plan DIR --target T` for each target, and all together.
# Each figure is the median wall time of the whole process over the runs (measure.py: spawn to exit, with its
# peak RSS from wait4); a case whose runs pass 300 s in all stops repeating, and says how many it made.
# BENCH_SIZES="1000 10000", BENCH_CHAIN=14001 and BENCH_FLEET=100 change the sizes (for development; the goals assume these).
set -euo pipefail
export LC_ALL=C.UTF-8 # ${#text} counts characters

runs=5 check_runs=101
case "${1-}" in
  --quick) runs=1 check_runs=11 ;;
  "") ;;
  *) echo "usage: scripts/bench.sh [--quick]" >&2; exit 2 ;;
esac
read -r small large <<<"${BENCH_SIZES:-1000 10000}"
chain=${BENCH_CHAIN:-14001}
fleet_hosts=${BENCH_FLEET:-100}
half=$(((chain + 1) / 2))

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench=$root/scripts/bench
# The release build to ship: the Swift runtime and Foundation linked in (`--static-swift-stdlib`), which
# starts in about 2 ms instead of 6 and keeps 5 MiB less resident. Its own build folder, so that switching
# between this and the ordinary release build does not rebuild either.
scratch=$root/.build/static
rig=$scratch/release/rig

if ! command -v jsonnet >/dev/null; then
  echo "installing jsonnet from Debian" >&2
  apt-get install -y jsonnet >&2 || { apt-get update >&2 && apt-get install -y jsonnet >&2; }
fi
echo "building rig (release, --static-swift-stdlib)" >&2
swift build -c release --product rig --static-swift-stdlib --scratch-path "$scratch" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure ARGS... -- COMMAND...: sets t (median s), best, worst, peak (KiB), made (runs), bytes
measure() {
  local out
  out=$(python3 "$bench/measure.py" "$@")
  read -r t best worst peak made bytes <<<"$out"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.2f s", s }'; }
# verdict VALUE OP GOAL: PASS or MISS (OP is <= or <)
verdict() {
  awk -v v="$1" -v op="$2" -v g="$3" 'BEGIN { ok = (op == "<") ? (v < g) : (v <= g); print ok ? "PASS" : "MISS" }'
}
runs_note() { if ((made < runs)); then echo " ($made of $runs runs: over the 300 s budget)"; fi; }
# row CASE WHAT TIME PEER RATIO GOAL VERDICT NOTE: one line of the table, padded by characters (× and ≤ are
# several bytes, and printf pads bytes)
row() {
  local widths=(9 38 10 20 13 14 5) cells=("$@") line="" i cell pad
  for i in "${!widths[@]}"; do
    cell=${cells[i]-}
    pad=$((widths[i] - ${#cell}))
    line+=$cell$(printf '%*s' $((pad > 0 ? pad + 1 : 1)) '')
  done
  line+=${cells[7]-}
  printf '%s\n' "${line%"${line##*[! ]}"}"
}

echo "rig bench: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)), rig at" \
  "$(git rev-parse --short HEAD 2>/dev/null || echo '?') plus the working tree, $(jsonnet --version 2>&1 | head -n1)"
echo "median wall time of the whole process over $runs run(s); peak = peak resident set (RSS)"
echo
row case what time peer ratio goal "" "rig peak RSS"

declare -A plan_t render_t
for n in "$small" "$large"; do
  dir=$tmp/n$n
  python3 "$bench/gen.py" project "$dir" "$n"
  "$rig" check "$dir" >/dev/null
  measure "$runs" --budget 300 -- jsonnet --tla-code-file "spec=$dir/spec.json" "$bench/kubernetes.jsonnet" \
    -o "$tmp/jsonnet-$n.json"
  jt=$t jpeak=$peak
  measure "$runs" --budget 300 -- "$rig" plan "$dir"
  plan_t[$n]=$t
  plan_peak=$peak
  ratio=$(awk -v a="$t" -v b="$jt" 'BEGIN { printf "%.2f", a / b }')
  row "N=$n" "rig plan" "$(secs "$t")" "jsonnet $(secs "$jt")" "ratio ${ratio}×" "goal ≤0.25×" \
    "$(verdict "$ratio" "<=" 0.25)" "$(mib "$peak") (jsonnet $(mib "$jpeak"))$(runs_note)"
  measure "$runs" --budget 300 --fresh "$tmp/out-$n" -- "$rig" render "$dir" --out "$tmp/out-$n"
  render_t[$n]=$t
  render_peak=$peak
  ratio=$(awk -v a="$t" -v b="$jt" 'BEGIN { printf "%.2f", a / b }')
  row "N=$n" "rig render" "$(secs "$t")" "jsonnet $(secs "$jt")" "ratio ${ratio}×" "goal ≤0.5×" \
    "$(verdict "$ratio" "<=" 0.5)" "$(mib "$peak")$(runs_note)"
  if [[ $n == "$small" ]]; then
    if python3 -c 'import yaml' 2>/dev/null; then
      same=$(python3 "$bench/gen.py" compare "$tmp/out-$n" "$tmp/jsonnet-$n.json" || true)
    else
      same="not compared: python3-yaml is not installed"
    fi
    row "N=$n" "kubernetes/ vs jsonnet" "" "" "" "" "" "$same"
  fi
  rm -rf "$tmp/out-$n" "$tmp/jsonnet-$n.json"
done
row "N=$large" "peak RSS, rig plan" "$(mib "$plan_peak")" "" "" "goal ≤100 MiB" "$(verdict "$plan_peak" "<=" 102400)"
row "N=$large" "peak RSS, rig render" "$(mib "$render_peak")" "" "" "goal ≤100 MiB" \
  "$(verdict "$render_peak" "<=" 102400)"
scale_goal=$(awk -v a="$small" -v b="$large" 'BEGIN { printf "%g", 1.1 * b / a }')
for cmd in plan render; do
  declare -n times=${cmd}_t
  f=$(awk -v a="${times[$small]}" -v b="${times[$large]}" 'BEGIN { printf "%.1f", b / a }')
  row scaling "rig $cmd: time($large)/time($small)" "${f}×" "" "" "goal ≤${scale_goal}×" \
    "$(verdict "$f" "<=" "$scale_goal")"
  unset -n times
done
echo

python3 "$bench/gen.py" chain "$tmp/chain" "$chain"
python3 "$bench/gen.py" chain "$tmp/half" "$half"
"$rig" check "$tmp/chain" >/dev/null
measure "$runs" --budget 300 --count-bytes -- "$rig" plan "$tmp/chain"
row chain "rig plan, $chain components" "$(secs "$t")" "" "" "goal <1 s" "$(verdict "$t" "<" 1)" \
  "$(mib "$peak")$(runs_note)"
row chain "peak RSS, rig plan" "$(mib "$peak")" "" "" "goal <200 MiB" "$(verdict "$peak" "<" 204800)"
full_bytes=$bytes
measure 1 --count-bytes -- "$rig" plan "$tmp/half"
growth=$(awk -v a="$bytes" -v b="$full_bytes" 'BEGIN { printf "%.2f", b / a }')
row chain "plan output, $chain components" "$full_bytes B" "$half: $bytes B" "growth ${growth}×" \
  "goal ≤2.2×" "$(verdict "$growth" "<=" 2.2)" \
  "$((full_bytes / chain)) B per component; linear ≈2×, quadratic ≈4×"
rm -rf "$tmp/chain" "$tmp/half"

# A fleet: 100 hosts (four machine models in groups of ten) of 30 components each, all six targets, one cluster;
# and 50 of them for the growth in hosts. The peer: the same 100 machines as 100 single-host projects, one
# `rig plan` each (what a lab copies per machine without fleets).
python3 "$bench/gen.py" fleet "$tmp/fleet" "$fleet_hosts" 30
python3 "$bench/gen.py" fleet "$tmp/fleet-half" "$((fleet_hosts / 2))" 30
"$rig" check "$tmp/fleet" >/dev/null
measure 1 --budget 300 -- bash -c 'for d in "$1"/single/*; do "$2" plan "$d" >/dev/null; done' _ "$tmp/fleet" "$rig"
singles=$t
measure "$runs" --budget 300 -- "$rig" plan "$tmp/fleet"
fleet_plan=$t
ratio=$(awk -v a="$t" -v b="$singles" 'BEGIN { printf "%.2f", a / b }')
row fleet "rig plan, $fleet_hosts hosts × 30" "$(secs "$t")" "$fleet_hosts plans $(secs "$singles")" "ratio ${ratio}×" \
  "goal <2 s, <300 MiB" "$(verdict "$t" "<" 2)" "$(mib "$peak")$(runs_note)"
row fleet "peak RSS, rig plan" "$(mib "$peak")" "" "" "goal <300 MiB" "$(verdict "$peak" "<" 307200)"
measure "$runs" --budget 300 --fresh "$tmp/fleet-out" -- "$rig" render "$tmp/fleet" --out "$tmp/fleet-out"
row fleet "rig render, $fleet_hosts hosts × 30" "$(secs "$t")" "" "" "goal <2 s" "$(verdict "$t" "<" 2)" \
  "$(mib "$peak")$(runs_note)"
row fleet "peak RSS, rig render" "$(mib "$peak")" "" "" "goal <300 MiB" "$(verdict "$peak" "<" 307200)"
measure "$runs" --budget 300 -- "$rig" plan "$tmp/fleet-half"
growth=$(awk -v a="$t" -v b="$fleet_plan" 'BEGIN { printf "%.2f", b / a }')
row fleet "rig plan: time($fleet_hosts)/time($((fleet_hosts / 2)))" "${growth}×" "" "" "goal ≤2.2×" \
  "$(verdict "$growth" "<=" 2.2)" "linear ≈2×"
rm -rf "$tmp/fleet" "$tmp/fleet-half" "$tmp/fleet-out"
echo

measure "$check_runs" -- "$rig" check examples/workstation
ms=$(awk -v s="$t" 'BEGIN { printf "%.1f", s * 1000 }')
row check "rig check examples/workstation" "$ms ms" "" "" "goal <10 ms" "$(verdict "$ms" "<" 10)" \
  "$(mib "$peak"), $made runs, best $(awk -v s="$best" 'BEGIN { printf "%.1f ms", s * 1000 }')"
echo

dir=$tmp/all
python3 "$bench/gen.py" project "$dir" "$large" --all-targets
"$rig" check "$dir" >/dev/null
for target in ansible kernel kubernetes nix prometheus systemd; do
  measure "$runs" --budget 300 -- "$rig" plan "$dir" --target "$target"
  row "targets" "N=$large rig plan --target $target" "$(secs "$t")" "" "" "goal <1 s" "$(verdict "$t" "<" 1)" \
    "$(mib "$peak")$(runs_note)"
done
measure "$runs" --budget 300 -- "$rig" plan "$dir"
row "targets" "N=$large rig plan, all six" "$(secs "$t")" "" "" "" "" "$(mib "$peak")$(runs_note)"
