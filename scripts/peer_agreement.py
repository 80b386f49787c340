#!/usr/bin/env python3
"""Independent check of dcrisk's statistics against the NumPy peer (../shared/peer).

Runs the same scenario with `dcrisk run` and with `numpy_peer.py` (different generators,
so independent samples) and checks that the means of the headline metrics agree within
4 combined standard errors: |m1 - m2| <= 4 sqrt(se1^2 + se2^2).

    python3 scripts/peer_agreement.py [SCENARIO] [--paths 100000] [--dcrisk target/release/dcrisk]

Exit 0 when every checked mean agrees, 1 otherwise. Needs numpy and scipy for the peer.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKED = ["savings_pv", "program_cost_pv", "guarantor_payout_pv"]
SHOWN = CHECKED + ["cloud_cost_pv", "rent_pv", "power_cost_pv", "overflow_cost_pv",
                   "landlord_defaults", "tenant_default", "landlord_shortfall_pv"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=os.path.join(ROOT, "scenarios", "gigawatt-program.toml"))
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1, help="dcrisk seed; the peer uses seed + 1")
    ap.add_argument("--dcrisk", default=os.path.join(ROOT, "target", "release", "dcrisk"))
    ap.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "peer", "numpy_peer.py"))
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ours = run([a.dcrisk, "run", a.scenario, "--paths", str(a.paths), "--seed", str(a.seed),
                    "--out", os.path.join(tmp, "ours"), "--no-charts"], os.path.join(tmp, "ours"))
        peer = run([sys.executable, a.peer, a.scenario, "--paths", str(a.paths), "--seed", str(a.seed + 1),
                    "--out", os.path.join(tmp, "peer"), "--no-timeseries"], os.path.join(tmp, "peer"))
    failed = False
    print(f"{'metric':<24}{'dcrisk mean':>16}{'peer mean':>16}{'z':>8}")
    for m in SHOWN:
        x, y = ours["metrics"][m], peer["metrics"][m]
        se = math.hypot(x["stderr"], y["stderr"])
        z = (x["mean"] - y["mean"]) / se if se > 0 else 0.0
        bad = m in CHECKED and abs(z) > 4
        failed |= bad
        print(f"{m:<24}{x['mean']:>16.6g}{y['mean']:>16.6g}{z:>8.2f}{'  FAIL' if bad else ''}")
    for p in ["savings_negative", "tenant_default", "any_landlord_default"]:
        print(f"P({p}): dcrisk {ours['probabilities'][p]:.4f}, peer {peer['probabilities'][p]:.4f}")
    print("peer agreement:", "FAILED" if failed else "ok", f"({a.paths} paths each, 4 combined SEs)")
    return 1 if failed else 0


def run(cmd, out_root):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    (name,) = [d for d in os.listdir(out_root) if not d.startswith(".")]
    with open(os.path.join(out_root, name, "summary.json")) as f:
        return json.load(f)


if __name__ == "__main__":
    sys.exit(main())
