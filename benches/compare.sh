#!/usr/bin/env bash
# Side by side, in one run, on this machine: dcrisk against the NumPy peer (and the Numba
# peer when numba installs), the random-number floor, 1M paths with charts, thread scaling
# and variance reduction. Prints a table; every figure is a wall time and a peak RSS
# measured here, and ratios are taken within this one run.
#
#   benches/compare.sh                  # 200k paths (PATHS=...), base scenario
#   SCENARIO=scenarios/demand-bust.toml PATHS=100000 benches/compare.sh
#   SKIP_PEERS=1 benches/compare.sh     # dcrisk-only figures (no Python runs)
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
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release --quiet
DCRISK=$ROOT/target/release/dcrisk
measure() { python3 "$ROOT/benches/measure.py" -- "$@"; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$1" "$2"; }

echo "machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "scenario: $SCENARIO, $PATHS paths, seed 42"
echo

ours=$(measure "$DCRISK" run "$SCENARIO" --paths "$PATHS" --seed 42 --no-charts --out "$OUT/ours")
floor=$(measure "$DCRISK" rng-floor "$SCENARIO" --paths "$PATHS" --seed 42)
one=$(measure "$DCRISK" run "$SCENARIO" --paths "$PATHS" --seed 42 --no-charts --threads 1 --out "$OUT/one")
big=$(measure "$DCRISK" run "$SCENARIO" --paths "$BIG" --seed 42 --out "$OUT/big")
half=$(measure "$DCRISK" run "$SCENARIO" --paths $((BIG / 2)) --seed 42 --out "$OUT/half")

printf '%-44s %10s %10s\n' "run" "wall s" "peak MiB"
row() { printf '%-44s %10s %10s\n' "$1" "$(field "$2" seconds)" "$(field "$2" peak_mib)"; }
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
echo "  dcrisk / random-number floor:        $(ratio "$ours_s" "$(field "$floor" seconds)")x the floor's time"
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
