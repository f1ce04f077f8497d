"""Simulate Saaty's random consistency index RI(n) for n = 3 ... 20 criteria.

RI(n) is the mean consistency index ``CI = (lambda_max - n) / (n - 1)`` of random reciprocal
matrices whose upper-triangle entries are drawn uniformly from the 17 values of Saaty's
scale (1/9, 1/8, ..., 1/2, 1, 2, ..., 9), as in Alonso & Lamata (2006). This script
reproduces their Table 4 for n <= 15 to within 0.003 and extends it to n = 20; the values it
prints for n = 16 ... 20 are those of ``RANDOM_INDEX["alonso_lamata"]`` in
``geosite/decision/weights.py``.

Run: ``python scripts/random_index.py [matrices per n]`` (default 100,000; a few minutes).
"""

from __future__ import annotations

import sys

import numpy as np

SCALE = np.array([1 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)])


def simulate(n: int, matrices: int, rng: np.random.Generator, block: int = 20_000) -> float:
    """Return the mean CI of ``matrices`` random reciprocal n x n matrices."""
    iu = np.triu_indices(n, 1)
    total = 0.0
    for lo in range(0, matrices, block):
        m = min(block, matrices - lo)
        a = np.ones((m, n, n))
        v = rng.choice(SCALE, size=(m, iu[0].size))
        a[:, iu[0], iu[1]] = v
        a[:, iu[1], iu[0]] = 1.0 / v
        lam = np.linalg.eigvals(a).real.max(axis=1)
        total += float(((lam - n) / (n - 1)).sum())
    return total / matrices


def main() -> None:
    """Print RI(n) for n = 3 ... 20."""
    matrices = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = np.random.default_rng(2006)
    for n in range(3, 21):
        sys.stdout.write(f"{n}\t{simulate(n, matrices, rng):.4f}\n")


if __name__ == "__main__":
    main()
