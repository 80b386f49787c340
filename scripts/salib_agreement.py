#!/usr/bin/env python3
"""Independent check of dcrisk's sensitivity estimators against SALib on the same samples.

Runs `dcrisk run` on a scenario with uncertain inputs twice (a Saltelli design with
--sobol, and a plain Latin hypercube), reads the outer samples from uncertainty.csv and
the indices from drivers.csv, and recomputes them from the same numbers:

- total effects: SALib's `sobol.analyze` (Jansen's estimator, as dcrisk's): equal to
  1e-9;
- first-order on the Saltelli design: dcrisk's Jansen estimator recomputed with NumPy
  (equal to 1e-9), and SALib's own first-order estimator (Saltelli 2010, a different
  estimator of the same index): within dcrisk's bootstrap 95% interval widened by
  SALib's;
- Spearman's rank correlation: scipy.stats.spearmanr, equal to 1e-9;
- the given-data first-order index: SALib's RBD-FAST on the same samples, within 0.05.

    python3 scripts/salib_agreement.py [SCENARIO] [--samples 256] [--paths 100]

Exit 0 when everything agrees, 1 otherwise. Needs numpy, scipy and SALib.
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy.stats import spearmanr
from SALib.analyze import rbd_fast, sobol

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METRICS = ["savings_pv", "program_cost_pv", "cloud_cost_pv"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default=os.path.join(ROOT, "scenarios", "uncertain-inputs.toml"))
    ap.add_argument("--samples", type=int, default=256)
    ap.add_argument("--paths", type=int, default=100)
    ap.add_argument("--dcrisk", default=os.path.join(ROOT, "target", "release", "dcrisk"))
    a = ap.parse_args()
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        keys, rows, drivers = run(a, tmp, "sobol", a.samples, ["--sobol"])
        failures += check_saltelli(keys, rows, drivers, a.samples)
        keys, rows, drivers = run(a, tmp, "lhs", 2 * a.samples, [])
        failures += check_given_data(keys, rows, drivers)
    for f in failures:
        print("FAIL", f)
    print("SALib agreement:", "FAILED" if failures else "ok")
    return 1 if failures else 0


def run(a, tmp, name, samples, extra):
    """Runs dcrisk; returns the input keys, uncertainty.csv's rows and drivers.csv's rows."""
    out = os.path.join(tmp, name)
    cmd = [a.dcrisk, "run", a.scenario, "--samples", str(samples), "--paths", str(a.paths),
           "--out", out, "--name", name, "--no-charts"] + extra
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, name, "uncertainty.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(out, name, "drivers.csv")) as f:
        drivers = {(r["input"], r["metric"]): r for r in csv.DictReader(f)}
    header = list(rows[0].keys())
    keys = header[1:header.index("savings_pv_mean")]
    return keys, rows, drivers


def column(rows, key):
    return np.array([float(r[key]) for r in rows])


def close(got, want, tol, what, failures):
    ok = abs(got - want) <= tol
    print(f"{what:<62} dcrisk {got:+.6f}  reference {want:+.6f}  {'ok' if ok else 'FAIL'}")
    if not ok:
        failures.append(what)


def check_saltelli(keys, rows, drivers, base):
    k = len(keys)
    failures = []
    problem = {"num_vars": k, "names": keys, "bounds": [[0.0, 1.0]] * k}
    for m in METRICS:
        y = column(rows, f"{m}_mean")
        if np.std(y) == 0:
            continue
        blocks = [y[b * base:(b + 1) * base] for b in range(k + 2)]
        ya, yb = blocks[0], blocks[1]
        # SALib's order without second-order terms: per base sample A, AB_1..AB_k, B.
        ordered = np.column_stack([ya] + blocks[2:] + [yb]).ravel()
        s = sobol.analyze(problem, ordered, calc_second_order=False, num_resamples=200, seed=1)
        var = np.var(np.r_[ya, yb])
        for i, key in enumerate(keys):
            d = drivers[(key, m)]
            yab = blocks[2 + i]
            close(float(d["total"]), s["ST"][i], 1e-9, f"total {key} / {m} (SALib)", failures)
            jansen = (var - 0.5 * np.mean((yb - yab) ** 2)) / var
            close(float(d["first_order"]), jansen, 1e-9, f"Jansen first order {key} / {m} (NumPy)", failures)
            # A different estimator of the same index: agreement means SALib's estimate
            # lies within dcrisk's bootstrap interval widened by SALib's own.
            lo, hi = float(d["first_order_lo"]), float(d["first_order_hi"])
            ours = float(d["first_order"])
            slack = max(ours - lo, hi - ours) + s["S1_conf"][i]
            close(ours, s["S1"][i], slack, f"first order {key} / {m} (SALib, Saltelli 2010)", failures)
    return failures


def check_given_data(keys, rows, drivers):
    failures = []
    x = np.column_stack([column(rows, key) for key in keys])
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[0.0, 1.0]] * len(keys)}
    for m in METRICS:
        y = column(rows, f"{m}_mean")
        if np.std(y) == 0:
            continue
        fast = rbd_fast.analyze(problem, x, y, M=10, seed=1)
        for i, key in enumerate(keys):
            d = drivers[(key, m)]
            rho = spearmanr(x[:, i], y).statistic
            close(float(d["spearman"]), rho, 1e-9, f"Spearman {key} / {m} (SciPy)", failures)
            close(float(d["first_order"]), fast["S1"][i], 0.05,
                  f"given-data first order {key} / {m} (SALib RBD-FAST)", failures)
    return failures


if __name__ == "__main__":
    sys.exit(main())
