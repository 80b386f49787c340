#!/usr/bin/env bash
# Side by side, in one run, on this machine: dcrisk against the NumPy peer (and the Numba
# peer when numba installs), the random-number floor, 1M paths with charts, thread scaling
# and variance reduction. Prints a table; every figure is a wall time and a peak RSS
# measured here, and ratios are taken within this one run.
#
#   benches/compare.sh                  # 200k paths (PATHS=...), base scenario
#   SCENARIO=scenarios/demand-bust.toml PATHS=100000 benches/compare.sh
#   SKIP_PEERS=1 benches/compare.sh     # dcrisk-only figures (no Python runs)
#   REPEAT=9 benches/compare.sh         # more runs of each dcrisk measurement (default 5)
#
# The machines are shared, and a busy spell can slow one run by 10% or more: each dcrisk
# figure is the median of REPEAT runs (3 for the million-path pair), and runs that are
# compared take turns (dcrisk, floor, dcrisk, ...) so a busy spell falls on both. The
# Python peers, at a minute a run, run once.
#
# Like with like: the NumPy peer writes summary.json and timeseries.csv (exact monthly
# quantiles from every path); dcrisk runs with --no-charts and writes summary.json,
# metrics.csv, timeseries.csv (fixed-memory quantiles) and exposure.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PATHS=${PATHS:-200000}
BIG=${BIG:-1000000}
SCENARIO=${SCENARIO:-scenarios/gigawatt-program.toml}
PEER_DIR=${PEER_DIR:-$ROOT/../shared/peer}
REPEAT=${REPEAT:-5}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release --quiet
DCRISK=$ROOT/target/release/dcrisk
measure() { python3 "$ROOT/benches/measure.py" -- "$@"; }
# measure_turns N CMD1... -- CMD2...: both commands N times, taking turns; two JSON lines.
measure_turns() { local n=$1; shift; python3 "$ROOT/benches/measure.py" --repeat "$n" -- "$@"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
# ratio A B [DIGITS]: A / B to DIGITS decimals (1 by default).
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.{sys.argv[3]}f}')" "$1" "$2" "${3:-1}"; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "scenario: $SCENARIO, $PATHS paths, seed 42"
echo

pair=$(measure_turns "$REPEAT" "$DCRISK" run "$SCENARIO" --paths "$PATHS" --seed 42 --no-charts --out "$OUT/ours" \
  -- "$DCRISK" rng-floor "$SCENARIO" --paths "$PATHS" --seed 42)
ours=$(sed -n 1p <<<"$pair") floor=$(sed -n 2p <<<"$pair")
one=$(measure_turns "$REPEAT" "$DCRISK" run "$SCENARIO" --paths "$PATHS" --seed 42 --no-charts --threads 1 --out "$OUT/one")
sizes=$(measure_turns 3 "$DCRISK" run "$SCENARIO" --paths "$BIG" --seed 42 --out "$OUT/big" \
  -- "$DCRISK" run "$SCENARIO" --paths $((BIG / 2)) --seed 42 --out "$OUT/half")
big=$(sed -n 1p <<<"$sizes") half=$(sed -n 2p <<<"$sizes")

printf '%-44s %10s %10s   %s\n' "run" "wall s" "peak MiB" "each run (s)"
row() {
  printf '%-44s %10s %10s   %s\n' "$1" "$(field "$2" seconds)" "$(field "$2" peak_mib)" \
    "$(python3 -c "import json,sys; r=json.loads(sys.argv[1])['runs']; print(' '.join(map(str, r)) if len(r) > 1 else '')" "$2")"
}
row "dcrisk run, $PATHS paths, 2 threads" "$ours"
row "dcrisk run, $PATHS paths, 1 thread" "$one"
row "random-number floor, $PATHS paths" "$floor"
row "dcrisk run, $BIG paths + charts" "$big"
row "dcrisk run, $((BIG / 2)) paths + charts" "$half"

numpy_s="" numba_s=""
if [ -z "${SKIP_PEERS:-}" ]; then
  python3 -c "import numpy, scipy" 2>/dev/null || python3 -m pip install --quiet numpy scipy
  numpy=$(measure python3 "$PEER_DIR/numpy_peer.py" "$SCENARIO" --paths "$PATHS" --seed 42 --out "$OUT/numpy")
  row "NumPy peer, $PATHS paths" "$numpy"
  numpy_s=$(field "$numpy" seconds)
  if python3 -c "import numba" 2>/dev/null || python3 -m pip install --quiet numba 2>/dev/null; then
    # Warm the JIT cache first so the timed run measures simulation, not compilation.
    python3 "$PEER_DIR/numba_peer.py" "$SCENARIO" --paths 2000 --out "$OUT/warm" >/dev/null
    numba=$(measure python3 "$PEER_DIR/numba_peer.py" "$SCENARIO" --paths "$PATHS" --seed 42 --out "$OUT/numba")
    row "Numba peer (JIT warm), $PATHS paths" "$numba"
    numba_s=$(field "$numba" seconds)
  fi
fi

ours_s=$(field "$ours" seconds)
echo
echo "ratios (this run):"
echo "  dcrisk / random-number floor:        $(ratio "$ours_s" "$(field "$floor" seconds)" 2)x the floor's time"
echo "  1 -> 2 threads speed-up:             $(ratio "$(field "$one" seconds)" "$ours_s")x"
echo "  $BIG vs $((BIG / 2)) paths time ratio:  $(ratio "$(field "$big" seconds)" "$(field "$half" seconds)") (2.0 is linear)"
[ -n "$numpy_s" ] && echo "  NumPy peer / dcrisk:                 $(ratio "$numpy_s" "$ours_s")x faster"
[ -n "$numba_s" ] && echo "  Numba peer / dcrisk:                 $(ratio "$numba_s" "$ours_s")x faster"

# Variance reduction: paths and time to a +/-0.5% 95% interval on mean savings.
echo
echo "time to mean savings within +/-0.5% (95%):"
for flags in "" "--antithetic" "--control-variates" "--antithetic --control-variates"; do
  # shellcheck disable=SC2086
  r=$(measure "$DCRISK" run "$SCENARIO" --precision 0.005 --max-paths 5000000 --no-charts $flags --out "$OUT/vr")
  used=$(python3 -c "import json; print(json.load(open('$OUT/vr/' + __import__('os').listdir('$OUT/vr')[0] + '/summary.json'))['convergence']['paths_used'])")
  printf '  %-34s %9s paths %8s s\n' "${flags:-plain Monte Carlo}" "$used" "$(field "$r" seconds)"
done
