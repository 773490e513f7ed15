"""The utility of releases at the default budget, by simulating the mechanism (no database).

For organisations of 50 to 100,000 enrolled people, many monthly releases of the
organisation-level figures are drawn with the very mechanism a release uses
(`bridgework.insights.mechanism.Noise`, OpenDP's Gaussian), with the same bounds and budget
split (counts.py), in the worst case of L = 2 cohorts per person. Printed: the 95th
percentile of the absolute error, as a share of the true value for counts and in percentage
points for shares.

    .venv/bin/python -m bench.utility [--releases 2000] [--rho 0.5]
"""

from __future__ import annotations

import argparse
import os
import sys

SIZES = [50, 200, 1_000, 10_000, 100_000]
ACTIVE = 0.6  # the true share of enrolled people active in the month
CHECK_INS = 3.0  # true check-ins per enrolled person in the month
KEPT = 0.6  # the true share of check-ins answered "done"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=2000)
    parser.add_argument("--rho", type=float, default=None, help="default: the product default")
    parser.add_argument("--cohorts", type=int, default=2, help="L, cohorts per person (0-2)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django

    django.setup()
    from bridgework.insights import counts
    from bridgework.insights.mechanism import Noise, margin
    from bridgework.insights.privacy_settings import default_rho

    rho = args.rho if args.rho is not None else default_rho()
    group_rho = rho / (1 + args.cohorts)
    noise = {m.name: Noise(m.bound, counts.rho_for(m, group_rho)) for m in counts.MEASURES}
    spent = (1 + args.cohorts) * sum(n.spent for n in noise.values())
    print(
        f"Budget rho = {rho} a month, L = {args.cohorts}: spent {spent:.6f}; "
        f"{args.releases} simulated releases per size; 95th percentile of the absolute error."
    )
    print()
    print(
        "| people | enrolled ± (count) | enrolled | active | share active (points) "
        "| check-ins (total) | share kept (points) |"
    )
    print("|---|---|---|---|---|---|---|")
    r = args.releases
    for size in SIZES:
        enrolled = noise["enrolled"].release([float(size)] * r)
        active = noise["active"].release([ACTIVE * size] * r)
        check_ins = noise["check_ins_total"].release([CHECK_INS * size] * r)
        kept = noise["kept_total"].release([KEPT * CHECK_INS * size] * r)
        e_err = [abs(e - size) / size for e in enrolled]
        a_err = [abs(a - ACTIVE * size) / (ACTIVE * size) for a in active]
        share_err = [abs(a / e - ACTIVE) for a, e in zip(active, enrolled, strict=True) if e > 0]
        c_err = [abs(c - CHECK_INS * size) / (CHECK_INS * size) for c in check_ins]
        kept_err = [abs(k / c - KEPT) for k, c in zip(kept, check_ins, strict=True) if c > 0]
        print(
            f"| {size:,} | ±{margin(noise['enrolled'].scale):.0f} "
            f"| {100 * percentile(e_err, 0.95):.3f} % | {100 * percentile(a_err, 0.95):.3f} % "
            f"| {100 * percentile(share_err, 0.95):.3f} | {100 * percentile(c_err, 0.95):.3f} % "
            f"| {100 * percentile(kept_err, 0.95):.3f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
