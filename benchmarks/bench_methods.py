"""Decision methods at 1e5 candidates beside the library a user would otherwise call.

Run by hand (never in the test suite)::

    python benchmarks/bench_methods.py                 # 1e5 candidates x 7 criteria
    python benchmarks/bench_methods.py --quick         # 1e4 candidates, seconds

Scores are uniform random in [0, 1], weights a random point of the simplex. Each row times
geosite's kernel and the peer a user would call (pymcdm 1.4, AHPy 2.1, scipy's linprog),
checks they agree, and gives the ratio (peer time / geosite time; above 1 geosite is
faster). Peers whose memory grows with n^2 (pymcdm's PROMETHEE II builds one n x n table per
criterion: 80 GB at 1e5) are timed at the largest size that fits (``--pairwise-n``) and
extrapolated by n^2; so is geosite's ELECTRE III, which is O(n^2) by nature.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geosite.decision.aggregate import (
    ELECTRE,
    PROMETHEE,
    TOPSIS,
    VIKOR,
    WLC,
    Preference,
    Thresholds,
    aggregate,
)
from geosite.decision.robustness import min_weight_change
from geosite.decision.weights import ahp_priorities


def timed(fn, repeat: int = 3):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return out, best


def row(name: str, n: int, ours: float, peer_name: str, peer: float, diff: float, note: str = ""):
    ratio = peer / ours if ours > 0 else float("nan")
    print(
        f"| {name} | {n:,} | {ours:.3f} | {peer_name} | {peer:.3f} | {ratio:.1f}x | "
        f"{diff:.1e} | {note} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=float, default=1e5)
    parser.add_argument("--criteria", type=int, default=7)
    parser.add_argument("--pairwise-n", type=int, default=3000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n = int(1e4 if args.quick else args.n)
    c = args.criteria
    small = min(args.pairwise_n, n) if not args.quick else 1000
    rng = np.random.default_rng(0)
    s = rng.random((n, c))
    w = rng.dirichlet(np.ones(c))
    ones = np.ones(c)

    from pymcdm import methods as pm  # noqa: PLC0415
    from pymcdm import normalizations as pn  # noqa: PLC0415

    print(f"{n:,} candidates x {c} criteria; pairwise peers at {small:,}, extrapolated by n^2")
    print()
    print("| method | n | geosite (s) | peer | peer (s) | ratio | max abs diff | note |")
    print("|---|---|---|---|---|---|---|---|")

    ours, t_ours = timed(lambda: aggregate(s, w, WLC()))
    row("WLC", n, t_ours, "numpy s @ w", timed(lambda: s @ w)[1], float(np.abs(ours - s @ w).max()))

    for how, norm in (("vector", pn.vector_normalization), ("minmax", pn.minmax_normalization)):
        spec = TOPSIS(normalization=how)
        ours, t_ours = timed(lambda spec=spec: aggregate(s, w, spec))
        peer, t_peer = timed(lambda norm=norm: pm.TOPSIS(norm)(s, w, ones))
        row(f"TOPSIS ({how})", n, t_ours, "pymcdm TOPSIS", t_peer, float(np.abs(ours - peer).max()))

    ours, t_ours = timed(lambda: aggregate(s, w, VIKOR()))
    peer, t_peer = timed(lambda: pm.VIKOR()(s, w, ones))
    row("VIKOR", n, t_ours, "pymcdm VIKOR", t_peer, float(np.abs(ours - (1 - peer)).max()))

    sub = s[:small]
    for kind, name, q, p in (("usual", "usual", None, None), ("linear", "vshape_2", 0.05, 0.3)):
        spec = PROMETHEE(preference=Preference(type=kind, q=q, p=p))
        ours, t_ours = timed(lambda spec=spec: aggregate(s, w, spec), repeat=1)
        qs = None if q is None else [q] * c
        ps = None if p is None else [p] * c
        peer, t_small = timed(
            lambda name=name, qs=qs, ps=ps: pm.PROMETHEE_II(name, p=ps, q=qs)(sub, w, ones),
            repeat=1,
        )
        check = aggregate(sub, w, spec)
        diff = float(np.abs(check - 0.5 * (1 + peer)).max())
        t_peer = t_small * (n / small) ** 2
        row(
            f"PROMETHEE II ({kind})",
            n,
            t_ours,
            "pymcdm PROMETHEE_II",
            t_peer,
            diff,
            f"peer {t_small:.2f} s at {small:,}; needs {8 * n * n / 1e9:.0f} GB per table at n",
        )
    spec = PROMETHEE(preference=Preference(type="gaussian", s=0.2))
    sq = np.round(s, 3)  # scores on a 0.001 grid: 1,001 distinct values per criterion
    _, t_ours = timed(lambda: aggregate(sq, w, spec), repeat=1)
    row("PROMETHEE II (gaussian, 1001 distinct)", n, t_ours, "-", float("nan"), float("nan"))

    spec_e = ELECTRE(thresholds=Thresholds(q=0.05, p=0.2, v=0.6))
    _, t_small = timed(lambda: aggregate(sub, w, spec_e), repeat=1)

    # The peer a user would write: the dense credibility matrix, all pairs at once.
    def dense() -> np.ndarray:
        d = sub[None, :, :] - sub[:, None, :]
        conc = np.clip((0.2 - d) / 0.15, 0, 1)
        disc = np.clip((d - 0.2) / 0.4, 0, 1)
        cred = conc @ w
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(disc > cred[..., None], (1 - disc) / (1 - cred[..., None]), 1.0)
        cred = cred * factor.prod(axis=2)
        np.fill_diagonal(cred, 0)
        return (cred.sum(axis=1) - cred.sum(axis=0)) / (len(sub) - 1)

    peer, t_dense = timed(dense, repeat=1)
    diff = float(np.abs(aggregate(sub, w, spec_e) - 0.5 * (1 + peer)).max())
    row(
        "ELECTRE III (veto)",
        n,
        t_small * (n / small) ** 2,
        "dense numpy pairs",
        t_dense * (n / small) ** 2,
        diff,
        f"both O(n^2), timed at {small:,}: {t_small:.2f} s vs {t_dense:.2f} s",
    )

    # Exact smallest weight change: pruned linear programmes vs one programme per rival.
    wlc_totals = lambda ww: ww @ s.T  # noqa: E731
    change, t_ours = timed(lambda: min_weight_change(wlc_totals, w, profile=s), repeat=1)
    from scipy.optimize import linprog  # noqa: PLC0415

    base = s @ w
    win = int(np.argmax(base))
    rivals = np.argsort(-base)[1:201]

    def one(b: int) -> float:
        g = s[b] - s[win]
        eye = np.eye(c)
        res = linprog(
            np.r_[np.zeros(c), np.ones(c)],
            A_ub=np.block([[eye, -eye], [-eye, -eye], [-g[None, :], np.zeros((1, c))]]),
            b_ub=np.r_[w, -w, 0.0],
            A_eq=np.r_[np.ones(c), np.zeros(c)][None, :],
            b_eq=[1.0],
            bounds=[(0, 1)] * c + [(0, None)] * c,
            method="highs",
        )
        return float(res.fun) if res.status == 0 else np.inf

    t = time.perf_counter()
    sample = [one(int(b)) for b in rivals]
    per = (time.perf_counter() - t) / len(rivals)
    row(
        "exact winner flip (L1, LP)",
        n,
        t_ours,
        "linprog per rival",
        per * (n - 1),
        abs(min(sample) - change.distance) if min(sample) <= change.distance + 1e-9 else 0.0,
        f"{change.bound.split(',')[1].strip()}; peer {per * 1e3:.1f} ms x {n - 1:,} rivals",
    )

    # AHP: 20 criteria, ahpy for the peer.
    import ahpy  # noqa: PLC0415

    k = 20
    wt = rng.uniform(1, 4, k)
    log = np.log(wt[:, None] / wt[None, :]) + rng.normal(0, 0.1, (k, k))
    a = np.exp(np.clip((log - log.T) / 2, -np.log(9), np.log(9)))
    names = [f"c{i:02d}" for i in range(k)]
    comparisons = {
        (names[i], names[j]): float(a[i, j]) for i, j in itertools.combinations(range(k), 2)
    }
    ours, t_ours = timed(lambda: ahp_priorities(a))
    peer, t_peer = timed(lambda: ahpy.Compare("x", comparisons, precision=14))
    got = np.array([peer.target_weights[x] for x in names])
    row(
        "AHP eigenvector (20 x 20)",
        k,
        t_ours,
        "AHPy Compare",
        t_peer,
        float(np.abs(ours - got).max()),
    )
    blank = a.copy()
    for i in range(0, k - 2, 3):
        blank[i, i + 2] = blank[i + 2, i] = np.nan
    partial = {
        key: v
        for key, v in comparisons.items()
        if np.isfinite(blank[names.index(key[0]), names.index(key[1])])
    }
    ours, t_ours = timed(lambda: ahp_priorities(blank))
    peer, t_peer = timed(lambda: ahpy.Compare("x", partial, precision=10), repeat=1)
    got = np.array([peer.target_weights[x] for x in names])
    row(
        "AHP incomplete (20 x 20, 6 blanks)",
        k,
        t_ours,
        "AHPy (optimal completion)",
        t_peer,
        float(np.abs(ours - got).max()),
        "Harker vs lambda-optimal completion: different estimators",
    )


if __name__ == "__main__":
    main()
