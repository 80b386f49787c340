#!/usr/bin/env bash
# End-to-end test of dcrisk on a real (single-node, localhost) Slurm cluster.
#
#   sudo deploy/slurm/test_slurm.sh            # from any directory
#
# As root on Debian 12 (bookworm): installs slurm-wlm and munge with apt-get if missing,
# starts munged (unless one already answers), slurmctld and slurmd with a throwaway
# configuration and state in a temp dir, checks a trivial array job, then submits
# deploy/slurm/dcrisk-array.sbatch as a 4-task array of scenarios/gigawatt-program.toml
# (40,000 paths, seed 7), waits for it (sbatch --wait), merges the parts and checks that
# summary.json and the CSVs are byte-identical to one local run with the same paths and seed.
# It also checks that merge refuses missing and duplicated shards (exit 2), and that
# rerunning a single failed index (SHARDS=4 sbatch --array=2) restores the same result.
# The daemons it started are stopped by PID on exit. Non-interactive: fine under CI=true.
#
# Environment knobs (all optional):
#   DCRISK        binary to test [default: REPO/target/release/dcrisk, built if missing]
#   TEST_PATHS    total paths [40000]      TEST_SEED  seed [7]
#   SLURM_TEST_CTLD_PORT / SLURM_TEST_SLURMD_PORT  ports [16817 / 16818], away from the
#                 defaults so a system Slurm on this machine is not disturbed
#   KEEP_TMP=1    keep the temp dir even on success
# Exit status: 0 PASS, non-zero FAIL (the reason, and the daemon logs, are printed).

set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"
SBATCH_SCRIPT="$SCRIPT_DIR/dcrisk-array.sbatch"
SCENARIO="$REPO/scenarios/gigawatt-program.toml"
PATHS_TOTAL="${TEST_PATHS:-40000}"
SEED_VAL="${TEST_SEED:-7}"
SHARD_COUNT=4
CTLD_PORT="${SLURM_TEST_CTLD_PORT:-16817}"
SLURMD_PORT="${SLURM_TEST_SLURMD_PORT:-16818}"
export DEBIAN_FRONTEND=noninteractive

T0=$SECONDS
log() { printf '[test_slurm %3ds] %s\n' "$((SECONDS - T0))" "$*"; }

WORK=""
MUNGED_PID=""
CTLD_PID=""
SLURMD_PID=""
JOB_IDS=()
FAILED=1

dump_logs() {
  [[ -n "$WORK" && -d "$WORK" ]] || return 0
  local f
  for f in "$WORK"/slurmctld.log "$WORK"/slurmd.log "$WORK"/jobs/*.out; do
    [[ -f "$f" ]] || continue
    echo "----- $f (last 40 lines) -----"
    tail -n 40 "$f"
  done
  if [[ -f /var/log/munge/munged.log ]]; then
    echo "----- /var/log/munge/munged.log (last 10 lines) -----"
    tail -n 10 /var/log/munge/munged.log
  fi
}

fail() {
  echo "FAIL: $*" >&2
  dump_logs >&2
  exit 1
}

stop_pid() { # stop_pid NAME PID: TERM, wait up to 10 s, then KILL
  local name="$1" pid="$2" i
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.2
  done
  echo "warning: $name (pid $pid) ignored SIGTERM; sending SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$CTLD_PID" ]] && kill -0 "$CTLD_PID" 2>/dev/null && ((${#JOB_IDS[@]})); then
    scancel "${JOB_IDS[@]}" 2>/dev/null
    sleep 1
  fi
  stop_pid slurmd "$SLURMD_PID"
  stop_pid slurmctld "$CTLD_PID"
  stop_pid munged "$MUNGED_PID"
  if [[ -n "$WORK" && -d "$WORK" ]]; then
    if [[ $rc -eq 0 && $FAILED -eq 0 && "${KEEP_TMP:-0}" != 1 ]]; then
      rm -rf "$WORK"
    else
      echo "state, logs and outputs kept in $WORK" >&2
    fi
  fi
  if [[ $rc -ne 0 || $FAILED -ne 0 ]]; then
    [[ $rc -ne 0 ]] || rc=1
    echo "test_slurm: FAIL (exit $rc)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --------------------------------------------------------------------------- prerequisites
[[ $EUID -eq 0 ]] || fail "must run as root (it installs packages and starts slurmctld/slurmd)"
[[ -f "$SCENARIO" ]] || fail "scenario not found: $SCENARIO"
[[ -f "$SBATCH_SCRIPT" ]] || fail "sbatch script not found: $SBATCH_SCRIPT"

need_install=0
for cmd in munged munge unmunge slurmctld slurmd sbatch sinfo squeue scancel; do
  command -v "$cmd" >/dev/null 2>&1 || need_install=1
done
if ((need_install)); then
  command -v apt-get >/dev/null || fail "slurm/munge missing and apt-get not available"
  log "installing slurm-wlm and munge with apt-get"
  apt-get update -qq </dev/null >"/tmp/test_slurm-apt.log" 2>&1 ||
    { cat /tmp/test_slurm-apt.log >&2; fail "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends slurm-wlm munge </dev/null \
    >>"/tmp/test_slurm-apt.log" 2>&1 ||
    { tail -n 30 /tmp/test_slurm-apt.log >&2; fail "apt-get install slurm-wlm munge failed"; }
fi
log "$(slurmctld -V 2>&1 | head -n 1), $(munged -V 2>&1 | head -n 1)"

DCRISK="${DCRISK:-$REPO/target/release/dcrisk}"
if [[ ! -x "$DCRISK" ]]; then
  [[ "$DCRISK" == "$REPO/target/release/dcrisk" ]] || fail "DCRISK=$DCRISK is not executable"
  command -v cargo >/dev/null || fail "$DCRISK missing and cargo not on PATH"
  log "building $DCRISK (cargo build --release)"
  (cd "$REPO" && cargo build --release </dev/null) || fail "cargo build --release failed"
fi
DCRISK="$(cd "$(dirname "$DCRISK")" && pwd)/$(basename "$DCRISK")"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dcrisk-slurm-test.XXXXXX")"
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/jobs"
log "work dir $WORK"

# --------------------------------------------------------------------------- munge
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
if munge_ok; then
  log "munged already running; reusing it"
else
  if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    mungekey --create --keyfile=/etc/munge/munge.key ||
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  fi
  chown munge:munge /etc/munge /etc/munge/munge.key
  chmod 0700 /etc/munge
  chmod 0600 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  # A munged killed earlier may leave its socket and pid file behind.
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock /run/munge/munged.pid
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground \
    </dev/null >>"$WORK/munged.out" 2>&1 &
  MUNGED_PID=$!
  for _ in $(seq 1 50); do
    munge_ok && break
    kill -0 "$MUNGED_PID" 2>/dev/null || break
    sleep 0.2
  done
  munge_ok || { cat "$WORK/munged.out" >&2; fail "munged did not start (munge -n | unmunge fails)"; }
  log "munged started (pid $MUNGED_PID)"
fi

# --------------------------------------------------------------------------- slurm
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -z "${SLURM_TEST_CTLD_PORT:-}${SLURM_TEST_SLURMD_PORT:-}" ]]; then
  # Skip past ports that something else listens on (e.g. a previous run's leftovers).
  for _ in $(seq 1 50); do
    port_busy "$CTLD_PORT" || port_busy "$SLURMD_PORT" || break
    CTLD_PORT=$((CTLD_PORT + 2))
    SLURMD_PORT=$((SLURMD_PORT + 2))
  done
fi
NODE="$(hostname -s)"
NCPU="$(nproc)"
MEM_MB=$(($(awk '/^MemTotal:/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
export SLURM_CONF="$WORK/slurm.conf"
cat >"$SLURM_CONF" <<EOF
# Throwaway single-node cluster for deploy/slurm/test_slurm.sh
ClusterName=dcrisktest
SlurmctldHost=${NODE}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
StateSaveLocation=${WORK}/state
SlurmdSpoolDir=${WORK}/spool
SlurmctldPidFile=${WORK}/slurmctld.pid
SlurmdPidFile=${WORK}/slurmd.pid
SlurmctldLogFile=${WORK}/slurmctld.log
SlurmdLogFile=${WORK}/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=300
NodeName=${NODE} NodeAddr=127.0.0.1 CPUs=${NCPU} RealMemory=${MEM_MB} State=UNKNOWN
PartitionName=debug Nodes=${NODE} Default=YES MaxTime=INFINITE State=UP
EOF

log "starting slurmctld and slurmd (node $NODE, $NCPU CPUs, ${MEM_MB} MB, ports $CTLD_PORT/$SLURMD_PORT)"
slurmctld -D -i -f "$SLURM_CONF" </dev/null >"$WORK/slurmctld.out" 2>&1 &
CTLD_PID=$!
sleep 1
kill -0 "$CTLD_PID" 2>/dev/null || { cat "$WORK/slurmctld.out" >&2; fail "slurmctld exited at once"; }
slurmd -D -N "$NODE" -f "$SLURM_CONF" </dev/null >"$WORK/slurmd.out" 2>&1 &
SLURMD_PID=$!

state=""
for _ in $(seq 1 120); do # up to 60 s
  kill -0 "$CTLD_PID" 2>/dev/null || { cat "$WORK/slurmctld.out" >&2; fail "slurmctld died"; }
  kill -0 "$SLURMD_PID" 2>/dev/null || { cat "$WORK/slurmd.out" >&2; fail "slurmd died"; }
  state="$(sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n 1 || true)"
  [[ "$state" == idle ]] && break
  sleep 0.5
done
[[ "$state" == idle ]] || { sinfo -N -l >&2 || true; fail "node $NODE not idle after 60 s (state: '${state:-none}')"; }
log "cluster up: node $NODE idle"

submit_wait() { # submit_wait LIMIT_S SBATCH_ARGS... : sbatch --wait, remember the job id
  local limit="$1" out rc
  shift
  set +e
  out="$(timeout "$limit" sbatch --wait --parsable "$@" </dev/null 2>&1)"
  rc=$?
  set -e
  local id="${out%%;*}"
  id="$(printf '%s\n' "$id" | grep -Eo '^[0-9]+' | head -n 1 || true)"
  [[ -n "$id" ]] && JOB_IDS+=("$id")
  LAST_JOB="$id"
  [[ $rc -eq 124 ]] && echo "sbatch --wait timed out after ${limit}s" >&2
  [[ $rc -eq 0 ]] || printf '%s\n' "$out" >&2
  return $rc
}

# --------------------------------------------------------------------------- smoke: hostname
cat >"$WORK/hello.sbatch" <<'EOF'
#!/bin/bash
#SBATCH --array=0-3
#SBATCH --cpus-per-task=1
echo "task ${SLURM_ARRAY_TASK_ID} of ${SLURM_ARRAY_TASK_COUNT} on $(hostname)"
EOF
submit_wait 120 --chdir="$WORK" --output="$WORK/jobs/hello-%A_%a.out" "$WORK/hello.sbatch" ||
  fail "trivial array job (hostname) failed"
n_hello="$(cat "$WORK"/jobs/hello-*.out 2>/dev/null | grep -c "of 4 on" || true)"
[[ "$n_hello" -eq 4 ]] || fail "trivial array job: expected 4 task outputs, got $n_hello"
log "trivial 4-task array ran (job $LAST_JOB)"

# --------------------------------------------------------------------------- dcrisk
help="$("$DCRISK" run --help 2>&1 || true)"
grep -q -- '--shard' <<<"$help" ||
  fail "$DCRISK run has no --shard option (rebuild: cargo build --release)"
"$DCRISK" merge --help >/dev/null 2>&1 || fail "$DCRISK has no merge command (rebuild)"

OUT="$WORK/shards"
log "submitting dcrisk array: $SHARD_COUNT shards, $PATHS_TOTAL paths, seed $SEED_VAL"
SCENARIO="$SCENARIO" PATHS="$PATHS_TOTAL" SEED="$SEED_VAL" OUT="$OUT" DCRISK="$DCRISK" \
  submit_wait 900 --array="0-$((SHARD_COUNT - 1))" --cpus-per-task=1 --mem=1G \
  --chdir="$WORK" --output="$WORK/jobs/dcrisk-%A_%a.out" "$SBATCH_SCRIPT" ||
  fail "dcrisk array job failed"
log "array job $LAST_JOB done"

NAME_DIRS=("$OUT"/*/)
[[ ${#NAME_DIRS[@]} -eq 1 && -d "${NAME_DIRS[0]}" ]] || fail "expected one scenario folder in $OUT"
PART_DIR="${NAME_DIRS[0]%/}"
NAME="$(basename "$PART_DIR")"
parts=()
for ((i = 0; i < SHARD_COUNT; i++)); do
  p="$(printf '%s/part-%04d-of-%04d.dcrisk' "$PART_DIR" "$i" "$SHARD_COUNT")"
  [[ -s "$p" ]] || fail "missing part file $p (have: $(ls "$PART_DIR" | tr '\n' ' '))"
  parts+=("$p")
done
log "parts: $(cd "$PART_DIR" && ls part-*.dcrisk | tr '\n' ' ')($(du -sh "$PART_DIR" | cut -f1))"

"$DCRISK" merge "$PART_DIR"/part-*.dcrisk --out "$WORK/merged" </dev/null ||
  fail "dcrisk merge failed"
log "merged into $WORK/merged/$NAME"

"$DCRISK" run "$SCENARIO" --paths "$PATHS_TOTAL" --seed "$SEED_VAL" --no-charts \
  --out "$WORK/local" </dev/null || fail "local single run failed"

compare() { # compare DIR_A DIR_B LABEL
  local f bad=0
  for f in summary.json metrics.csv timeseries.csv exposure.csv; do
    if [[ ! -f "$1/$f" || ! -f "$2/$f" ]]; then
      echo "  $f: missing ($1/$f or $2/$f)" >&2
      bad=1
    elif cmp -s "$1/$f" "$2/$f"; then
      echo "  $f: identical ($(wc -c <"$1/$f") bytes)"
    else
      echo "  $f: DIFFERS (diff: < $1, > $2)" >&2
      diff <(head -c 200000 "$1/$f") <(head -c 200000 "$2/$f") | head -n 20 >&2 || true
      bad=1
    fi
  done
  ((bad == 0)) || fail "$3: merged outputs differ from the single run"
}
log "comparing merge of $SHARD_COUNT Slurm shards with one local run"
compare "$WORK/merged/$NAME" "$WORK/local/$NAME" "merge vs single run"

# Merge must refuse an incomplete or overlapping set of shards with exit code 2.
expect_exit2() { # expect_exit2 LABEL ARGS...
  local label="$1" rc
  shift
  set +e
  "$DCRISK" merge "$@" --out "$WORK/bad" </dev/null >"$WORK/bad.out" 2>&1
  rc=$?
  set -e
  [[ $rc -eq 2 ]] || { cat "$WORK/bad.out" >&2; fail "merge with $label: exit $rc, expected 2"; }
  echo "  $label: exit 2: $(head -n 1 "$WORK/bad.out")"
}
log "checking that merge rejects bad shard sets"
expect_exit2 "a missing shard" "${parts[0]}" "${parts[1]}" "${parts[3]}"
expect_exit2 "a duplicated shard" "${parts[0]}" "${parts[1]}" "${parts[2]}" "${parts[2]}" "${parts[3]}"
"$DCRISK" run "$SCENARIO" --paths "$PATHS_TOTAL" --seed "$((SEED_VAL + 1))" --shard "0/$SHARD_COUNT" \
  --threads 1 --out "$WORK/other-seed" </dev/null >/dev/null || fail "local shard run (other seed) failed"
expect_exit2 "a shard of another seed" "$WORK/other-seed/$NAME/$(basename "${parts[0]}")" \
  "${parts[1]}" "${parts[2]}" "${parts[3]}"

# A failed task is rerun alone: SHARDS=4 sbatch --array=2 ... (README recipe).
log "rerunning shard 2 alone (SHARDS=$SHARD_COUNT sbatch --array=2)"
cp "${parts[2]}" "$WORK/part2.orig"
rm -f "${parts[2]}"
SCENARIO="$SCENARIO" PATHS="$PATHS_TOTAL" SEED="$SEED_VAL" OUT="$OUT" DCRISK="$DCRISK" \
  SHARDS="$SHARD_COUNT" submit_wait 600 --array=2 --cpus-per-task=1 --mem=1G \
  --chdir="$WORK" --output="$WORK/jobs/dcrisk-rerun-%A_%a.out" "$SBATCH_SCRIPT" ||
  fail "rerun of array index 2 failed"
[[ -s "${parts[2]}" ]] || fail "rerun did not write ${parts[2]} (have: $(ls "$PART_DIR" | tr '\n' ' '))"
"$DCRISK" merge "${parts[@]}" --out "$WORK/merged2" </dev/null || fail "merge after rerun failed"
compare "$WORK/merged2/$NAME" "$WORK/local/$NAME" "merge after rerunning shard 2"

FAILED=0
log "PASS: $SHARD_COUNT-task Slurm array + dcrisk merge is byte-identical to one run" \
  "($PATHS_TOTAL paths, seed $SEED_VAL)"
echo "PASS"
