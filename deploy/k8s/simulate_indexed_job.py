#!/usr/bin/env python3
"""Run indexed-job.yaml and merge-job.yaml locally, without a cluster, and check the result.

For each completion index i, this script runs the container command of indexed-job.yaml the
way Kubernetes would:
- `$(VAR)` is expanded from the container's env;
- JOB_COMPLETION_INDEX=i is set;
- /scenario is the ConfigMap mount, and /data the PVC mount.

It then runs merge-job.yaml's command and checks that summary.json and the CSVs are
byte-identical to one local `dcrisk run` with the same seed and paths. The manifests must
parse, completions must equal DCRISK_SHARD_COUNT, and every `$(VAR)` must resolve.

    python3 deploy/k8s/simulate_indexed_job.py [--paths 40000] [--dcrisk target/release/dcrisk]

Needs PyYAML (pip install pyyaml). Prints PASS or FAIL: ...; the exit code is non-zero on
failure.
"""

import argparse
import filecmp
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", default="40000", help="override PATHS (total paths) [40000]")
    ap.add_argument("--dcrisk", default=str(REPO / "target/release/dcrisk"))
    args = ap.parse_args()

    try:
        import yaml
    except ImportError:
        fail("PyYAML missing: python3 -m pip install pyyaml")

    dcrisk = Path(args.dcrisk).resolve()
    if not os.access(dcrisk, os.X_OK):
        fail(f"{dcrisk} is not executable (cargo build --release)")

    docs = [d for d in yaml.safe_load_all((HERE / "indexed-job.yaml").read_text()) if d]
    kinds = sorted(d["kind"] for d in docs)
    if kinds != ["Job", "PersistentVolumeClaim"]:
        fail(f"indexed-job.yaml: expected a PVC and a Job, got {kinds}")
    job = next(d for d in docs if d["kind"] == "Job")
    spec = job["spec"]
    if spec.get("completionMode") != "Indexed":
        fail("the Job is not completionMode: Indexed")
    pod = spec["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: str(e["value"]) for e in container["env"]}
    n = int(spec["completions"])
    if int(env["DCRISK_SHARD_COUNT"]) != n:
        fail(f"DCRISK_SHARD_COUNT={env['DCRISK_SHARD_COUNT']} but completions={n}")
    env["PATHS"] = args.paths
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    claim = next(v for v in pod["volumes"] if "persistentVolumeClaim" in v)
    pvc = next(d for d in docs if d["kind"] == "PersistentVolumeClaim")
    if claim["persistentVolumeClaim"]["claimName"] != pvc["metadata"]["name"]:
        fail("the Job's volume does not use the PVC defined next to it")

    merge_doc = yaml.safe_load((HERE / "merge-job.yaml").read_text())
    (merge_c,) = merge_doc["spec"]["template"]["spec"]["containers"]
    merge_cmd = merge_c["command"]

    def expand(arg):
        def sub(m):
            if m.group(1) not in env:
                fail(f"$({m.group(1)}) in the command is not in the container env")
            return env[m.group(1)]

        return re.sub(r"\$\((\w+)\)", sub, arg)

    with tempfile.TemporaryDirectory(prefix="dcrisk-k8s-sim.") as tmp:
        tmp = Path(tmp)
        scen_dir, data_dir = tmp / "scenario", tmp / "data"
        scen_dir.mkdir()
        data_dir.mkdir()
        # The ConfigMap as README.md creates it: key = file name.
        (scen_dir / "gigawatt-program.toml").write_text(
            (REPO / "scenarios/gigawatt-program.toml").read_text()
        )

        def relocate(arg):
            arg = arg.replace(mounts["scenario"] + "/", f"{scen_dir}/")
            return arg.replace(mounts["data"] + "/", f"{data_dir}/")

        for i in range(n):
            cmd = [relocate(expand(a)) for a in container["command"]]
            if cmd[0] != "dcrisk":
                fail(f"unexpected command {cmd[0]!r}")
            cmd[0] = str(dcrisk)
            penv = dict(os.environ, **env, JOB_COMPLETION_INDEX=str(i))
            for k in [k for k in penv if k.startswith("SLURM_")]:
                del penv[k]
            r = subprocess.run(cmd, env=penv, capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"index {i}: exit {r.returncode}: {r.stderr.strip()}")
            print(f"index {i}: {r.stdout.splitlines()[0]}")

        sh = relocate(merge_cmd[-1]).replace("dcrisk merge", f"{dcrisk} merge")
        r = subprocess.run(["sh", "-c", sh], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"merge job command: exit {r.returncode}: {r.stderr.strip()}")
        name = "gigawatt-program"
        merged = data_dir / "results" / name

        local = tmp / "local"
        r = subprocess.run(
            [str(dcrisk), "run", str(REPO / "scenarios/gigawatt-program.toml"), "--paths",
             env["PATHS"], "--seed", env["SEED"], "--no-charts", "--out", str(local)],
            capture_output=True, text=True,
        )
        if r.returncode != 0:
            fail(f"local single run: exit {r.returncode}: {r.stderr.strip()}")
        for f in ["summary.json", "metrics.csv", "timeseries.csv", "exposure.csv"]:
            a, b = merged / f, local / name / f
            if not a.exists():
                fail(f"merge did not write {a}")
            if not filecmp.cmp(a, b, shallow=False):
                fail(f"{f}: merged Indexed Job output differs from the single run")
            print(f"  {f}: identical")
    print(f"PASS: {n}-index Job + merge Job (simulated locally) = one run "
          f"({env['PATHS']} paths, seed {env['SEED']})")


if __name__ == "__main__":
    main()
