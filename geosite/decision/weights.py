"""Criterion weights: direct, equal, rank-based, AHP with consistency checks, and groups.

A weighting spec is a frozen pydantic model written under the scenario's ``weighting:`` key
and told apart by its ``method``. :func:`resolve_weights` turns a spec and the scenario's
criteria into a :class:`WeightResult`: weights normalised to sum 1 plus the working (AHP
matrix, consistency ratio, group weights) that the report shows.

AHP follows Saaty: priorities from the principal right eigenvector of the pairwise matrix
(or its row geometric means), consistency index ``CI = (lambda_max - n) / (n - 1)`` and
consistency ratio ``CR = CI / RI(n)``, with the random index ``RI`` from one of three
published tables (see :data:`RANDOM_INDEX`). Incomplete matrices (judgments left blank) are
solved by Harker's method or logarithmic least squares; groups of experts are combined by
aggregating their judgments (AIJ) or their priorities (AIP). Every judgment, wherever it is
given, must lie on Saaty's scale 1/9 to 9.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from geosite.errors import WeightsError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

__all__ = [
    "MAX_AHP_CRITERIA",
    "RANDOM_INDEX",
    "AHPWeights",
    "DirectWeights",
    "EqualWeights",
    "Expert",
    "Group",
    "GroupedWeights",
    "Judgment",
    "RankWeights",
    "WeightResult",
    "WeightingSpec",
    "ahp_priorities",
    "consistency_ratio",
    "rank_weights",
    "resolve_weights",
]

FloatArray = npt.NDArray[np.float64]

#: Random consistency index RI(n) by table, for n = 1, 2, 3 ... criteria.
#:
#: ``"alonso_lamata"`` (the default): Alonso, J. A. & Lamata, M. T. (2006), "Consistency in
#: the analytic hierarchy process: a new approach", *Int. J. Uncertainty, Fuzziness and
#: Knowledge-Based Systems* 14(4): 445-459, Table 4 (100,000 random matrices per n), for
#: n <= 15; n = 16 ... 20 by the same simulation (100,000 matrices per n, seed 2006,
#: ``scripts/random_index.py``, which reproduces their n <= 15 to within 0.003). It is the
#: default because a simulation of 20,000 random matrices per n puts it within 0.006 of the
#: mean CI of random matrices, where Saaty's 1980 table is up to 0.06 off: with Saaty's,
#: the CR of a 3 x 3 matrix is understated by 10 % and of a 12 x 12 overstated by 4 %.
#: ``"saaty"``: Saaty, T. L. (1980), *The Analytic Hierarchy Process*, McGraw-Hill, Table
#: 1.2 (500 random matrices per n, hence the dip at n = 12), n <= 15. Published worked
#: examples use this table; choose it to reproduce them.
#: ``"donegan_dodd"``: Donegan, H. A. & Dodd, F. J. (1991), "A note on Saaty's random
#: indexes", *Mathematical and Computer Modelling* 15(10): 135-137, n <= 20 (also AHPy's
#: default).
RANDOM_INDEX: Mapping[str, tuple[float, ...]] = {
    "alonso_lamata": (
        0.0,
        0.0,
        0.5245,
        0.8815,
        1.1086,
        1.2479,
        1.3417,
        1.4056,
        1.4499,
        1.4854,
        1.5141,
        1.5365,
        1.5551,
        1.5713,
        1.5838,
        1.5948,
        1.6052,
        1.6142,
        1.6220,
        1.6287,
    ),
    "saaty": (
        0.0,
        0.0,
        0.58,
        0.90,
        1.12,
        1.24,
        1.32,
        1.41,
        1.45,
        1.49,
        1.51,
        1.48,
        1.56,
        1.57,
        1.59,
    ),
    "donegan_dodd": (
        0.0,
        0.0,
        0.4914,
        0.8286,
        1.0591,
        1.1797,
        1.2519,
        1.3171,
        1.3733,
        1.4055,
        1.4213,
        1.4497,
        1.4643,
        1.4822,
        1.4969,
        1.5078,
        1.5153,
        1.5262,
        1.5313,
        1.5371,
    ),
}

#: Most criteria one pairwise matrix may compare.
MAX_AHP_CRITERIA = 20

RandomIndexTable = Literal["alonso_lamata", "saaty", "donegan_dodd"]
Priority = Literal["eigenvector", "geometric_mean"]

#: Saaty's fundamental scale bounds pairwise judgments to [1/9, 9].
_SCALE_MAX = 9.0
#: Relative tolerance for a_ij * a_ji == 1; allows entries typed as 0.333 for 1/3.
_RECIPROCAL_TOL = 5e-3


def _parse_number(value: object) -> object:
    """Accept numbers and fraction strings such as ``"1/3"`` for pairwise judgments."""
    if isinstance(value, str):
        text = value.strip()
        try:
            if "/" in text:
                num, den = text.split("/")
                return float(num) / float(den)
            return float(text)
        except (ValueError, ZeroDivisionError) as err:
            msg = f"{value!r} is not a number or a fraction such as '1/3'"
            raise ValueError(msg) from err
    return value


#: A pairwise judgment value: a number or a fraction string like ``"1/3"``.
JudgmentValue = Annotated[float, BeforeValidator(_parse_number)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DirectWeights(_Spec):
    """Take each criterion's weight from its own ``weight:`` key.

    Weights may be on any non-negative scale (percentages, points out of 10); they are
    normalised to sum 1.

    Examples
    --------
    >>> resolve_weights(DirectWeights(), ["port", "road"], {"port": 3, "road": 1}).weights
    {'port': 0.75, 'road': 0.25}
    """

    method: Literal["direct"] = "direct"


class EqualWeights(_Spec):
    """Give every criterion the same weight, ``1 / n``.

    Examples
    --------
    >>> resolve_weights(EqualWeights(), ["a", "b"], {}).weights
    {'a': 0.5, 'b': 0.5}
    """

    method: Literal["equal"] = "equal"


RankScheme = Literal["rank_sum", "reciprocal", "roc"]


class RankWeights(_Spec):
    r"""Derive weights from an importance ranking of the criteria.

    With ``n`` criteria and rank ``r = 1`` the most important (Stillwell, Seaver & Edwards
    1981; Barron & Barrett 1996; Malczewski 1999, *GIS and Multicriteria Decision Analysis*):

    ``rank_sum``
        :math:`w_r = \frac{n - r + 1}{\sum_{k=1}^{n} (n - k + 1)} = \frac{2(n - r + 1)}{n(n+1)}`
    ``reciprocal``
        :math:`w_r = \frac{1/r}{\sum_{k=1}^{n} 1/k}`
    ``roc`` (rank-order centroid)
        :math:`w_r = \frac{1}{n} \sum_{k=r}^{n} \frac{1}{k}`

    Ties: list tied criteria together as an inner list (``order: [port, [road, power],
    water]``); each tied criterion gets the mean of the weights of the positions the tie
    occupies, so the weights still sum to 1.

    Parameters
    ----------
    scheme
        Rank-to-weight formula.
    order
        Criterion names, most important first; an inner list is a tie.

    Examples
    --------
    >>> spec = RankWeights(scheme="rank_sum", order=["a", "b", "c", "d"])
    >>> resolve_weights(spec, ["a", "b", "c", "d"], {}).weights
    {'a': 0.4, 'b': 0.3, 'c': 0.2, 'd': 0.1}
    """

    method: Literal["rank"] = "rank"
    scheme: RankScheme = "roc"
    order: list[str | list[str]]

    @field_validator("order")
    @classmethod
    def _check_order(cls, value: list[str | list[str]]) -> list[str | list[str]]:
        names = _flatten(value)
        empty = [i for i, item in enumerate(value) if isinstance(item, list) and not item]
        if empty:
            raise ValueError(f"`order` has empty ties at positions {empty!r}; remove them")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"`order` lists {dupes!r} more than once; give each criterion once")
        return value


class Judgment(_Spec):
    """One pairwise judgment: ``more`` is ``value`` times as important as ``less``.

    ``value`` is on Saaty's scale: 1 equal, 3 moderate, 5 strong, 7 very strong, 9 extreme
    importance (2, 4, 6, 8 in between).
    """

    more: str
    less: str
    value: JudgmentValue

    @field_validator("value")
    @classmethod
    def _check_value(cls, value: float) -> float:
        if not 1.0 <= value <= _SCALE_MAX:
            raise ValueError(
                f"`value` must lie on Saaty's scale 1 to 9; got {value!r}. If `less` is the "
                "more important one, swap `more` and `less`"
            )
        return value

    @model_validator(mode="after")
    def _check_pair(self) -> Judgment:
        if self.more == self.less:
            raise ValueError(f"`more` and `less` are both {self.more!r}; compare two criteria")
        return self


Matrix = list[list[JudgmentValue | None]]


class Expert(_Spec):
    """One expert's pairwise judgments, as a matrix or as a list of judgments.

    Parameters
    ----------
    name
        Who made the judgments (shown in the report).
    matrix
        Pairwise matrix in the order of the AHP spec's ``criteria``.
    judgments
        Pairwise judgments, one per pair of criteria.
    weight
        Relative weight of this expert in the group judgment (> 0; default 1).
    """

    name: str | None = None
    matrix: Matrix | None = None
    judgments: list[Judgment] | None = None
    weight: float = 1.0

    @field_validator("weight")
    @classmethod
    def _check_weight(cls, value: float) -> float:
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"expert `weight` must be a positive number; got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_one(self) -> Expert:
        if (self.matrix is None) == (self.judgments is None):
            raise ValueError("give an expert either `matrix` or `judgments`, not both or neither")
        return self


class AHPWeights(_Spec):
    """Derive weights from pairwise comparisons (Saaty's analytic hierarchy process).

    Give exactly one of ``matrix``, ``judgments`` or ``experts``:

    - ``matrix``: the reciprocal matrix, rows and columns in ``criteria`` order; ``a_ij``
      says how many times criterion ``i`` is more important than ``j``. Fractions may be
      written as strings (``"1/3"``). Leave a judgment blank with ``null`` (in both cells, or
      give one of the two and leave the other ``null``).
    - ``judgments``: one ``{more: a, less: b, value: 3}`` per pair of criteria; with
      ``missing: estimate`` pairs may be left out.
    - ``experts``: several matrices (or ``{name, matrix | judgments, weight}`` entries),
      combined by ``group``: ``judgments`` (AIJ) takes the weighted geometric mean of their
      judgments, element by element, over the experts who gave each one (Aczél & Saaty
      1983), and requires every expert and the combined matrix to pass ``cr_limit``;
      ``priorities`` (AIP) derives each expert's priorities and takes their weighted
      geometric mean, normalised (Forman & Peniwati 1998, *EJOR* 108: 165-169), and
      requires every expert to pass ``cr_limit``.

    Priorities come from the principal eigenvector (Saaty) or the row geometric means
    (Crawford & Williams 1985). For an incomplete matrix (the judgments must still connect
    every criterion to every other), ``eigenvector`` uses Harker's (1987) method: blanks
    become 0 and each diagonal entry 1 + the blanks of its row; its principal eigenpair is
    exactly that of the matrix completed with the ratios ``w_i / w_j`` it implies, whose
    ``lambda_max`` gives the CI (a little above the smallest ``lambda_max`` of any
    completion, which Bozóki, Fülöp & Rónyai 2010, *Math. Comput. Modelling* 52: 318-333,
    find by optimisation and AHPy implements: priorities differ by about 1e-3).
    ``geometric_mean`` uses logarithmic least squares over the given judgments (Bozóki et
    al. 2010), and the CI of the matrix completed with the implied ratios ``w_i / w_j``.

    The consistency ratio ``CR = CI / RI`` with ``CI = (lambda_max - n) / (n - 1)`` must
    not exceed ``cr_limit``; otherwise :func:`resolve_weights` refuses the matrix and names
    the judgments to revise. Saaty suggests 0.05 for 3 criteria, 0.08 for 4 and 0.1 above.

    Parameters
    ----------
    criteria
        Criterion names, in the order of the matrix rows (2 to 20 criteria).
    matrix, judgments, experts
        The pairwise comparisons; see above. Every judgment lies on Saaty's scale 1/9 to 9.
    priority
        ``"eigenvector"`` or ``"geometric_mean"``.
    cr_limit
        Highest acceptable consistency ratio (> 0).
    random_index
        Which random-index table to use; see :data:`RANDOM_INDEX` for why
        ``"alonso_lamata"`` is the default.
    group
        ``"judgments"`` (AIJ) or ``"priorities"`` (AIP), for ``experts``.
    missing
        ``"refuse"`` (default) or ``"estimate"``: whether a ``judgments`` list may leave
        pairs out.

    Examples
    --------
    >>> spec = AHPWeights(criteria=["port", "road", "power"],
    ...                   matrix=[[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]])
    >>> r = resolve_weights(spec, ["port", "road", "power"], {})
    >>> {k: round(v, 3) for k, v in r.weights.items()}
    {'port': 0.648, 'road': 0.23, 'power': 0.122}
    >>> round(r.details["CR"], 4)
    0.0035
    """

    method: Literal["ahp"] = "ahp"
    criteria: list[str]
    matrix: Matrix | None = None
    judgments: list[Judgment] | None = None
    experts: list[Expert | Matrix] | None = None
    priority: Priority = "eigenvector"
    cr_limit: float = 0.1
    random_index: RandomIndexTable = "alonso_lamata"
    group: Literal["judgments", "priorities"] = "judgments"
    missing: Literal["refuse", "estimate"] = "refuse"

    @field_validator("criteria")
    @classmethod
    def _check_criteria(cls, value: list[str]) -> list[str]:
        dupes = sorted({n for n in value if value.count(n) > 1})
        if dupes:
            raise ValueError(f"`criteria` lists {dupes!r} more than once")
        if not 2 <= len(value) <= MAX_AHP_CRITERIA:
            raise ValueError(
                f"AHP compares 2 to {MAX_AHP_CRITERIA} criteria; `criteria` has {len(value)}. "
                "Split larger sets into groups (method: groups) with AHP inside each group"
            )
        return value

    @field_validator("cr_limit")
    @classmethod
    def _check_limit(cls, value: float) -> float:
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"`cr_limit` must be a positive number such as 0.1; got {value!r}")
        return value

    @model_validator(mode="after")
    def _check_structure(self) -> AHPWeights:
        given = [k for k in ("matrix", "judgments", "experts") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of `matrix`, `judgments` or `experts`; got {given or 'none'!r}"
            )
        problems: list[str] = []
        if self.matrix is not None:
            problems += _matrix_shape_problems(self.matrix, self.criteria, "matrix")
        allow = self.missing == "estimate"
        if self.judgments is not None:
            problems += _judgment_problems(self.judgments, self.criteria, "judgments", allow)
        for k, expert in enumerate(self.experts or []):
            where = f"experts[{k}]"
            if isinstance(expert, Expert):
                where = f"expert {expert.name!r}" if expert.name else where
                if expert.matrix is not None:
                    problems += _matrix_shape_problems(expert.matrix, self.criteria, where)
                else:
                    problems += _judgment_problems(
                        expert.judgments or [], self.criteria, where, allow
                    )
            else:
                problems += _matrix_shape_problems(expert, self.criteria, where)
        if self.experts is not None and not self.experts:
            problems.append("`experts` is empty")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _matrix_shape_problems(matrix: Matrix, criteria: Sequence[str], where: str) -> list[str]:
    n = len(criteria)
    if len(matrix) != n or any(len(row) != n for row in matrix):
        shape = [len(row) for row in matrix]
        msg = (
            f"`{where}` must be {n} x {n} (one row and column per criterion, in the order "
            f"{list(criteria)!r}); got {len(matrix)} rows of lengths {shape!r}"
        )
        return [msg]
    return []


def _judgment_problems(
    judgments: Sequence[Judgment],
    criteria: Sequence[str],
    where: str,
    allow_missing: bool,
) -> list[str]:
    problems = []
    unknown = sorted({n for j in judgments for n in (j.more, j.less)} - set(criteria))
    if unknown:
        problems.append(f"`{where}` names {unknown!r}, not in `criteria` {list(criteria)!r}")
    seen: dict[frozenset[str], Judgment] = {}
    for j in judgments:
        pair = frozenset((j.more, j.less))
        if pair in seen:
            problems.append(
                f"`{where}` compares {j.more!r} and {j.less!r} twice; keep one judgment"
            )
        seen[pair] = j
    missing = [
        f"{a!r} vs {b!r}"
        for i, a in enumerate(criteria)
        for b in criteria[i + 1 :]
        if frozenset((a, b)) not in seen
    ]
    if missing and not allow_missing:
        problems.append(
            f"`{where}` is missing judgments for {', '.join(missing)}; give every pair one "
            "(value 1 for equal importance), or set `missing: estimate` to estimate them "
            "from the others"
        )
    return problems


class Group(_Spec):
    """One group of criteria in a hierarchy.

    Parameters
    ----------
    name
        Group name, used in the report and by ``group_weighting``.
    criteria
        Member criteria (each criterion belongs to exactly one group).
    weight
        Weight of the group (any non-negative scale); used when the hierarchy has no
        ``group_weighting``, or as the group's direct weight under it.
    weighting
        How to weigh the members within the group; by default each criterion's own
        ``weight:`` key (``method: direct``). Any weighting spec, including nested groups.
    """

    name: str
    criteria: list[str]
    weight: float | None = None
    weighting: WeightingSpec = Field(default_factory=DirectWeights)

    @field_validator("criteria")
    @classmethod
    def _check_members(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("a group needs at least one criterion in `criteria`")
        return value


class GroupedWeights(_Spec):
    """Weigh criteria in groups: final weight = group weight x weight within the group.

    Parameters
    ----------
    groups
        The groups; together they must contain every criterion exactly once.
    group_weighting
        How to weigh the groups against each other; by default the groups' own ``weight:``
        (``method: direct``). An AHP or rank spec here names groups, not criteria.

    Examples
    --------
    >>> spec = GroupedWeights(groups=[
    ...     Group(name="access", weight=0.6, criteria=["port", "airport"],
    ...           weighting=RankWeights(scheme="rank_sum", order=["port", "airport"])),
    ...     Group(name="utilities", weight=0.4, criteria=["power"]),
    ... ])
    >>> w = resolve_weights(spec, ["port", "airport", "power"], {"power": 1}).weights
    >>> {k: round(v, 3) for k, v in w.items()}
    {'port': 0.4, 'airport': 0.2, 'power': 0.4}
    """

    method: Literal["groups"] = "groups"
    groups: list[Group]
    group_weighting: WeightingSpec = Field(default_factory=DirectWeights)

    @model_validator(mode="after")
    def _check_groups(self) -> GroupedWeights:
        names = [g.name for g in self.groups]
        problems = []
        if not self.groups:
            problems.append("`groups` is empty")
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"group names {dupes!r} are used more than once")
        members = [c for g in self.groups for c in g.criteria]
        twice = sorted({c for c in members if members.count(c) > 1})
        if twice:
            problems.append(
                f"criteria {twice!r} are in more than one group; put each in exactly one"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


WeightingSpec = Annotated[
    DirectWeights | EqualWeights | RankWeights | AHPWeights | GroupedWeights,
    Field(discriminator="method"),
]
"""Any weighting spec, told apart by its ``method`` key in the scenario file."""

Group.model_rebuild()
GroupedWeights.model_rebuild()


@dataclass(frozen=True, slots=True)
class WeightResult:
    """Resolved criterion weights and the working behind them.

    Parameters
    ----------
    weights
        Weight per criterion, in the scenario's criteria order, summing to 1.
    method
        The weighting method used (``"direct"``, ``"equal"``, ``"rank"``, ``"ahp"``,
        ``"groups"``).
    details
        Method-specific working for the report: for AHP the full ``matrix`` (list of rows),
        ``criteria``, ``priorities``, ``lambda_max``, ``CI``, ``RI``, ``CR``, ``cr_limit``,
        ``priority`` and ``random_index`` (plus ``experts`` when judgments were combined);
        for ranks the ``scheme`` and each criterion's ``ranks``; for groups the
        ``group_weights``, the ``groups`` result and each group's ``within`` result (nested
        results as ``{"weights", "method", "details"}`` dicts). Details hold only dicts,
        lists, strings and numbers, so they can be written as JSON.
    """

    weights: dict[str, float]
    method: str
    details: Mapping[str, Any] = field(default_factory=dict)


# --- pure kernels --------------------------------------------------------------------------


def rank_weights(n: int, *, scheme: RankScheme = "roc") -> FloatArray:
    """Return the weights of ranks 1 (most important) to ``n`` under a rank scheme.

    Parameters
    ----------
    n
        Number of ranked criteria (>= 1).
    scheme
        ``"rank_sum"``, ``"reciprocal"`` or ``"roc"`` (rank-order centroid); formulas in
        :class:`RankWeights`.

    Returns
    -------
    numpy.ndarray
        Shape (n,), decreasing, summing to 1.

    Examples
    --------
    >>> rank_weights(4, scheme="roc").round(4).tolist()
    [0.5208, 0.2708, 0.1458, 0.0625]
    """
    if n < 1:
        raise WeightsError(f"rank weights need at least one criterion; got n={n!r}")
    r = np.arange(1, n + 1, dtype=np.float64)
    if scheme == "rank_sum":
        w = n - r + 1
    elif scheme == "reciprocal":
        w = 1.0 / r
    elif scheme == "roc":
        # Suffix sums of 1/k give sum_{k=r}^{n} 1/k for every r at once.
        w = np.cumsum((1.0 / r)[::-1])[::-1] / n
    else:
        raise WeightsError(
            f"unknown rank scheme {scheme!r}; choose 'rank_sum', 'reciprocal' or 'roc'"
        )
    return np.asarray(w / w.sum(), dtype=np.float64)


def _to_array(matrix: npt.ArrayLike) -> FloatArray:
    """Read a matrix of numbers, fraction strings and blanks (``None``) as floats, NaN blank."""
    rows = np.asarray(matrix, dtype=object)
    if rows.ndim != 2:
        return np.asarray(matrix, dtype=np.float64)
    return np.asarray(
        [[np.nan if v is None else _parse_number(v) for v in row] for row in rows.tolist()],
        dtype=np.float64,
    )


def _as_matrix(matrix: npt.ArrayLike, names: Sequence[str] | None = None) -> FloatArray:
    """Check a pairwise matrix and return it exactly reciprocal, blanks as NaN.

    A judgment given in one cell of a pair and blank in the other is mirrored. Every given
    judgment must lie on Saaty's scale 1/9 to 9, and the given judgments must connect all
    criteria. Cells are named by criterion when ``names`` is given (``('port', 'road')``),
    else by 0-based row and column.
    """
    a = _to_array(matrix)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise WeightsError(f"a pairwise matrix must be square; got shape {a.shape!r}")

    def cell(i: int, j: int) -> str:
        if names is not None:
            return f"({names[i]!r}, {names[j]!r})"
        return f"[{i}][{j}]"

    a = a.copy()
    blank = np.isnan(a)
    # One cell of a pair given, the other blank: mirror it.
    mirror = blank & ~blank.T
    a[mirror] = 1.0 / a.T[mirror]
    blank = np.isnan(a)
    np.fill_diagonal(blank, val=False)
    problems = []
    bad = np.argwhere(~blank & (~np.isfinite(a) | (a <= 0)))
    if bad.size:
        cells = ", ".join(f"{cell(int(i), int(j))}={float(a[i, j])!r}" for i, j in bad[:10])
        problems.append(
            f"entries must be positive numbers (use 1 for equal importance, '1/3' for a "
            f"third, null for a judgment left blank); got {cells}"
        )
    else:
        diag = np.flatnonzero(~(np.abs(np.diag(a) - 1.0) <= _RECIPROCAL_TOL))
        if diag.size:
            problems.append(
                "the diagonal must be 1 (each criterion is as important as itself); got "
                + ", ".join(f"{cell(i, i)}={float(a[i, i])!r}" for i in diag.tolist())
            )
        prod = a * a.T
        iu = np.triu_indices_from(a, k=1)
        off = [
            (int(i), int(j))
            for i, j in zip(*iu, strict=True)
            if not blank[i, j] and abs(prod[i, j] - 1.0) > _RECIPROCAL_TOL
        ]
        if off:
            cells = ", ".join(
                f"{cell(i, j)}={a[i, j]:.6g} but {cell(j, i)}={a[j, i]:.6g} "
                f"(should be {1 / a[i, j]:.6g})"
                for i, j in off[:10]
            )
            problems.append(f"the matrix must be reciprocal, a_ji = 1 / a_ij; {cells}")
        off_scale = np.argwhere(
            ~blank & ((a > _SCALE_MAX * (1 + 1e-9)) | (a < 1 / _SCALE_MAX * (1 - 1e-9)))
        )
        if off_scale.size:
            cells = ", ".join(
                f"{cell(int(i), int(j))}={_fraction(a[i, j])}" for i, j in off_scale[:10]
            )
            problems.append(
                f"entries must lie on Saaty's scale 1/9 to 9 (the random index assumes it); "
                f"got {cells}"
            )
    if problems:
        raise WeightsError("; ".join(problems))
    # Symmetrise in log space so entries typed as 0.333 for 1/3 become exactly reciprocal.
    log = np.log(a)
    np.fill_diagonal(log, 0.0)
    out = np.exp((log - log.T) / 2.0)
    _check_connected(out, lambda i: repr(names[i]) if names is not None else f"row {i}")
    return np.asarray(out, dtype=np.float64)


def _check_connected(a: FloatArray, label: Callable[[int], str]) -> None:
    """Refuse an incomplete matrix whose judgments leave some criteria unrelated."""
    known = np.isfinite(a)
    if known.all():
        return
    from scipy.sparse.csgraph import connected_components  # noqa: PLC0415 - slow to import

    count, labels = connected_components(known.astype(np.int8), directed=False)
    if count > 1:
        groups = [
            "{" + ", ".join(label(int(i)) for i in np.flatnonzero(labels == g)) + "}"
            for g in range(count)
        ]
        msg = (
            f"the judgments given fall into {count} unconnected groups ({'; '.join(groups)}): "
            "nothing relates one group to another. Give at least one judgment between "
            "each pair of groups"
        )
        raise WeightsError(msg)


def _principal_eigen(a: FloatArray) -> tuple[FloatArray, float]:
    """Return the principal eigenvector (sum 1) and eigenvalue by power iteration.

    A positive (or, for Harker's matrix, non-negative irreducible with a positive diagonal)
    matrix has a simple dominant eigenvalue with a positive eigenvector (Perron-Frobenius),
    so the iteration converges from the uniform vector; this is Saaty's own procedure
    (normalised row sums of successive powers).
    """
    n = a.shape[0]
    w = np.full(n, 1.0 / n)
    for _ in range(100_000):
        nxt = a @ w
        nxt /= nxt.sum()
        if np.max(np.abs(nxt - w)) < 1e-15:
            w = nxt
            break
        w = nxt
    lam = float((a @ w).sum())  # with sum(w) = 1, sum(A w) = lambda_max
    return w, lam


def _harker(a: FloatArray) -> FloatArray:
    """Return Harker's (1987) matrix: blanks 0, diagonal 1 + the blanks of the row."""
    blank = np.isnan(a)
    b = np.where(blank, 0.0, a)
    b[np.diag_indices_from(b)] = 1.0 + blank.sum(axis=1)
    return b


def _llsm(a: FloatArray) -> FloatArray:
    """Return logarithmic least-squares priorities over the given judgments.

    Minimises ``sum over given (i, j) of (ln a_ij - ln w_i + ln w_j)^2``: the normal
    equations are a graph Laplacian system ``L y = r``, ``r_i = sum_j ln a_ij``.
    """
    known = np.isfinite(a)
    np.fill_diagonal(known, val=False)
    lap = -known.astype(np.float64)
    lap[np.diag_indices_from(lap)] = known.sum(axis=1)
    r = np.where(known, np.log(np.where(known, a, 1.0)), 0.0).sum(axis=1)
    # The Laplacian is singular (y is defined up to a constant): pin sum(y) = 0.
    n = a.shape[0]
    y = np.linalg.solve(lap + np.ones((n, n)) / n, r)
    w = np.exp(y - y.max())
    return np.asarray(w / w.sum(), dtype=np.float64)


def _priorities(a: FloatArray, method: Priority) -> FloatArray:
    complete = bool(np.isfinite(a).all())
    if method == "eigenvector":
        return _principal_eigen(a if complete else _harker(a))[0]
    if method == "geometric_mean":
        if complete:
            g = np.exp(np.log(a).mean(axis=1))
            return np.asarray(g / g.sum(), dtype=np.float64)
        return _llsm(a)
    raise WeightsError(
        f"unknown priority method {method!r}; choose 'eigenvector' or 'geometric_mean'"
    )


def ahp_priorities(matrix: npt.ArrayLike, *, method: Priority = "eigenvector") -> FloatArray:
    """Return the priority vector (weights summing to 1) of a pairwise comparison matrix.

    Parameters
    ----------
    matrix
        Positive reciprocal matrix, shape (n, n); ``a_ij`` is how many times ``i`` is more
        important than ``j``, on Saaty's scale 1/9 to 9. ``None`` or NaN marks a judgment
        left blank; the given ones must connect all criteria.
    method
        ``"eigenvector"``: Saaty's principal right eigenvector (Harker's method for an
        incomplete matrix). ``"geometric_mean"``: the normalised geometric means of the
        rows (Crawford & Williams 1985), the least-squares solution in log space (over the
        given judgments for an incomplete matrix). Both agree on a consistent matrix.

    Returns
    -------
    numpy.ndarray
        Shape (n,), positive, summing to 1.

    Raises
    ------
    WeightsError
        If the matrix is not square, has zero, negative, non-finite or off-scale entries,
        is not reciprocal, or its judgments leave some criteria unrelated.

    Examples
    --------
    >>> ahp_priorities([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]).round(4).tolist()
    [0.5714, 0.2857, 0.1429]
    >>> ahp_priorities([[1, 2, None], [0.5, 1, 2], [None, 0.5, 1]]).round(4).tolist()
    [0.5714, 0.2857, 0.1429]
    """
    return _priorities(_as_matrix(matrix), method)


def _random_index(n: int, table: RandomIndexTable) -> float:
    values = RANDOM_INDEX[table]
    if n > len(values):
        longest = max(RANDOM_INDEX, key=lambda k: len(RANDOM_INDEX[k]))
        raise WeightsError(
            f"no random index for {n} criteria (the {table!r} table stops at {len(values)}); "
            f"choose `random_index: {longest}` or split the criteria into groups "
            "(method: groups)"
        )
    return values[n - 1]


def _consistency(
    a: FloatArray, table: RandomIndexTable, method: Priority = "eigenvector"
) -> dict[str, float]:
    """Return lambda_max, CI, RI and CR; for a blank-holding matrix see :class:`AHPWeights`."""
    n = a.shape[0]
    if np.isfinite(a).all():
        lam = _principal_eigen(a)[1]
    elif method == "eigenvector":
        lam = _principal_eigen(_harker(a))[1]
    else:
        w = _llsm(a)
        filled = np.where(np.isfinite(a), a, w[:, None] / w[None, :])
        lam = _principal_eigen(filled)[1]
    ci = (lam - n) / (n - 1) if n > 1 else 0.0
    ri = _random_index(n, table)
    # With n <= 2 every reciprocal matrix is consistent; RI = 0 there by definition.
    cr = max(ci, 0.0) / ri if ri > 0 else 0.0
    return {"lambda_max": lam, "CI": ci, "RI": ri, "CR": cr}


def consistency_ratio(
    matrix: npt.ArrayLike,
    *,
    random_index: RandomIndexTable = "alonso_lamata",
    method: Priority = "eigenvector",
) -> float:
    """Return Saaty's consistency ratio ``CR = CI / RI`` of a pairwise comparison matrix.

    ``CI = (lambda_max - n) / (n - 1)`` with ``lambda_max`` the principal eigenvalue and
    ``RI`` the mean CI of random reciprocal matrices of the same size (:data:`RANDOM_INDEX`).
    A CR up to 0.1 is conventionally acceptable. Matrices of 1 or 2 criteria are always
    consistent (CR = 0). For an incomplete matrix, ``lambda_max`` is that of Harker's
    matrix (``method="eigenvector"``) or of the matrix completed with the logarithmic
    least-squares ratios (``"geometric_mean"``).

    Parameters
    ----------
    matrix
        Positive reciprocal matrix, shape (n, n), n <= 20, entries on Saaty's scale;
        ``None`` for a blank.
    random_index
        Which random-index table to use (see :data:`RANDOM_INDEX`).
    method
        How blanks are handled, as in :func:`ahp_priorities`.

    Raises
    ------
    WeightsError
        If the matrix is unusable (see :func:`ahp_priorities`) or larger than the table.

    Examples
    --------
    >>> round(consistency_ratio([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]), 12)
    0.0
    >>> cyclic = [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]
    >>> round(consistency_ratio(cyclic, random_index="saaty"), 2)
    6.13
    """
    return _consistency(_as_matrix(matrix), random_index, method)["CR"]


def _fraction(value: float) -> str:
    """Show a judgment on Saaty's scale: ``3``, ``1/3``, or a decimal if off-scale."""
    if value >= 1:
        return f"{value:.3g}" if abs(value - round(value)) > 1e-9 else str(round(value))
    inv = 1.0 / value
    return f"1/{round(inv)}" if abs(inv - round(inv)) < 1e-9 else f"{value:.3g}"


def _nearest_scale(value: float) -> str:
    """Round a ratio to the nearest value of Saaty's 1-9 scale (in log space)."""
    scale = [1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)]
    best = min(scale, key=lambda s: abs(math.log(s) - math.log(value)))
    return _fraction(best)


def _inconsistent_judgments(
    a: FloatArray,
    w: FloatArray,
    criteria: Sequence[str],
    *,
    table: RandomIndexTable,
    method: Priority = "eigenvector",
    top: int = 3,
) -> list[str]:
    """Describe the judgments furthest from the ratios the weights imply.

    For each pair the error ``e_ij = a_ij * w_j / w_i`` is 1 for a judgment the priorities
    reproduce exactly; ranking pairs by ``|ln e_ij|`` points at the judgments that drive
    the inconsistency (Saaty 2003, "Decision-making with the AHP: why is the principal
    eigenvector necessary", EJOR 145: 85-91, section on improving consistency).
    """
    n = a.shape[0]
    rows = []
    for i in range(n):
        for j in range(i + 1, n):
            if math.isfinite(a[i, j]):
                err = abs(math.log(a[i, j] * w[j] / w[i]))
                rows.append((err, i, j))
    rows.sort(reverse=True)
    out = []
    for _err, i, j in rows[:top]:
        more, less, given, implied = i, j, a[i, j], w[i] / w[j]
        if given < 1:
            more, less, given, implied = j, i, 1.0 / given, w[j] / w[i]
        suggestion = _nearest_scale(implied)
        revised = a.copy()
        revised[more, less] = _parse_scale(suggestion)
        revised[less, more] = 1.0 / revised[more, less]
        cr = _consistency(revised, table, method)["CR"]
        out.append(
            f"{criteria[more]!r} over {criteria[less]!r}: judged {_fraction(given)}, the "
            f"other judgments imply about {suggestion} ({implied:.2f}); with {suggestion} "
            f"the CR would be {cr:.3f}"
        )
    return out


def _parse_scale(text: str) -> float:
    num, _, den = text.partition("/")
    return float(num) / float(den) if den else float(num)


# --- resolving specs -----------------------------------------------------------------------


def _flatten(order: Sequence[str | Sequence[str]]) -> list[str]:
    return [n for item in order for n in ([item] if isinstance(item, str) else item)]


def _normalise(raw: Mapping[str, float], *, what: str) -> dict[str, float]:
    """Check raw weights and scale them to sum 1, reporting every bad one at once."""
    bad = [
        f"{name!r}: {value!r}"
        for name, value in raw.items()
        if not math.isfinite(value) or value < 0
    ]
    if bad:
        raise WeightsError(
            f"{what} must be finite and non-negative; got {', '.join(bad)}. "
            "Use 0 to switch a criterion off."
        )
    total = math.fsum(raw.values())
    if total <= 0:
        raise WeightsError(
            f"{what} are all zero ({dict(raw)!r}); give at least one a positive weight"
        )
    return {name: value / total for name, value in raw.items()}


def _check_names(named: Sequence[str], criteria: Sequence[str], *, key: str) -> None:
    """Require ``named`` to list exactly the scenario's criteria, each once."""
    problems: list[str] = []
    dupes = sorted({n for n in named if list(named).count(n) > 1})
    if dupes:
        problems.append(f"listed more than once: {dupes!r}")
    unknown = [n for n in named if n not in criteria]
    if unknown:
        problems.append(
            f"{unknown!r} are not criteria of the scenario (criteria: {list(criteria)!r})"
        )
    missing = [c for c in criteria if c not in named]
    if missing:
        problems.append(f"criteria {missing!r} are missing; add them to `{key}`")
    if problems:
        msg = f"`{key}` does not match the scenario's criteria: " + "; ".join(problems)
        raise WeightsError(msg)


def _refuse_direct(
    method: str, criteria: Sequence[str], direct: Mapping[str, float | None]
) -> None:
    given = [c for c in criteria if direct.get(c) is not None]
    if given:
        raise WeightsError(
            f"criteria {given!r} have a `weight:`, but weighting method {method!r} derives "
            "the weights itself; remove those `weight:` keys or use method 'direct'"
        )


def _resolve_direct(
    criteria: Sequence[str], direct: Mapping[str, float | None], *, kind: str = "criterion"
) -> WeightResult:
    missing = [c for c in criteria if direct.get(c) is None]
    if missing:
        raise WeightsError(
            f"weighting method 'direct' needs a `weight:` on every {kind}; missing on "
            f"{missing!r}. Add `weight:` to them or choose another weighting method."
        )
    extra = [name for name in direct if name not in criteria and direct[name] is not None]
    if extra:
        raise WeightsError(
            f"weights given for {extra!r}, which are not {kind} names of the scenario "
            f"({list(criteria)!r})"
        )
    raw = {c: float(direct[c]) for c in criteria}  # type: ignore[arg-type]
    return WeightResult(
        weights=_normalise(raw, what=f"{kind} weights"), method="direct", details={"raw": raw}
    )


def _as_plain(result: WeightResult) -> dict[str, Any]:
    """Return a weight result as plain dicts and lists (JSON-ready) for nested details."""
    return {"weights": dict(result.weights), "method": result.method, "details": result.details}


def _resolve_rank(spec: RankWeights, criteria: Sequence[str]) -> WeightResult:
    _check_names(_flatten(spec.order), criteria, key="order")
    pos = rank_weights(len(criteria), scheme=spec.scheme)
    weights: dict[str, float] = {}
    ranks: dict[str, float] = {}
    start = 0
    for item in spec.order:
        tied = [item] if isinstance(item, str) else item
        share = float(pos[start : start + len(tied)].mean())
        for name in tied:
            weights[name] = share
            ranks[name] = start + (len(tied) + 1) / 2
        start += len(tied)
    return WeightResult(
        weights={c: weights[c] for c in criteria},
        method="rank",
        details={"scheme": spec.scheme, "ranks": {c: ranks[c] for c in criteria}},
    )


def _matrix_from_judgments(judgments: Sequence[Judgment], criteria: Sequence[str]) -> FloatArray:
    index = {c: i for i, c in enumerate(criteria)}
    a = np.full((len(criteria), len(criteria)), np.nan)
    np.fill_diagonal(a, 1.0)
    for j in judgments:
        a[index[j.more], index[j.less]] = j.value
        a[index[j.less], index[j.more]] = 1.0 / j.value
    return a


def _checked_matrix(raw: Any, names: Sequence[str], where: str) -> FloatArray:
    try:
        return _as_matrix(raw, names)
    except WeightsError as err:
        raise WeightsError(f"{where}: {err}") from err


def _refuse_inconsistent(
    a: FloatArray, w: FloatArray, cons: Mapping[str, float], spec: AHPWeights, where: str
) -> None:
    if cons["CR"] <= spec.cr_limit:
        return
    worst = _inconsistent_judgments(
        a, w, spec.criteria, table=spec.random_index, method=spec.priority
    )
    raise WeightsError(
        f"{where} is too inconsistent: CR = {cons['CR']:.3f} exceeds `cr_limit` "
        f"{spec.cr_limit:g} (lambda_max = {cons['lambda_max']:.3f}, CI = {cons['CI']:.3f}, "
        f"RI = {cons['RI']:.2f}). Revise first the judgments furthest from what the others "
        "imply: " + "; ".join(worst)
    )


def _resolve_ahp(spec: AHPWeights, criteria: Sequence[str]) -> WeightResult:
    _check_names(spec.criteria, criteria, key="criteria")
    experts: list[dict[str, Any]] = []
    if spec.matrix is not None:
        a = _checked_matrix(spec.matrix, spec.criteria, "AHP `matrix`")
    elif spec.judgments is not None:
        a = _checked_matrix(
            _matrix_from_judgments(spec.judgments, spec.criteria), spec.criteria, "AHP `judgments`"
        )
    else:
        mats, betas, prios = [], [], []
        for k, entry in enumerate(spec.experts or []):
            name = f"experts[{k}]"
            beta = 1.0
            if isinstance(entry, Expert):
                name = f"expert {entry.name!r}" if entry.name else name
                beta = entry.weight
                raw: Any = (
                    entry.matrix
                    if entry.matrix is not None
                    else _matrix_from_judgments(entry.judgments or [], spec.criteria)
                )
            else:
                raw = entry
            ak = _checked_matrix(raw, spec.criteria, name)
            wk = _priorities(ak, spec.priority)
            ck = _consistency(ak, spec.random_index, spec.priority)
            _refuse_inconsistent(ak, wk, ck, spec, f"the matrix of {name}")
            experts.append(
                {
                    "name": name,
                    "weight": beta,
                    "matrix": _plain_matrix(ak),
                    "priorities": wk.tolist(),
                    **ck,
                }
            )
            mats.append(ak)
            prios.append(wk)
            betas.append(beta)
        b = np.asarray(betas) / sum(betas)
        if spec.group == "priorities":
            return _resolve_aip(spec, criteria, np.asarray(prios), b, experts)
        a = _aij(np.asarray(mats), b, spec.criteria)
    w = _priorities(a, spec.priority)
    cons = _consistency(a, spec.random_index, spec.priority)
    where = "the combined matrix of the experts" if experts else "the AHP matrix"
    _refuse_inconsistent(a, w, cons, spec, where)
    by_name = dict(zip(spec.criteria, w.tolist(), strict=True))
    blanks = _blank_pairs(a)
    details: dict[str, Any] = {
        "criteria": list(spec.criteria),
        "matrix": _plain_matrix(a),
        "priorities": w.tolist(),
        **cons,
        "cr_limit": spec.cr_limit,
        "priority": spec.priority,
        "random_index": spec.random_index,
        "group": spec.group,
    }
    if blanks:
        # Judgments left blank, with the ratio the priorities imply for them.
        details["blank"] = [
            {"more": spec.criteria[i], "less": spec.criteria[j], "estimate": float(w[i] / w[j])}
            for i, j in blanks
        ]
    if experts:
        details["experts"] = experts
    return WeightResult(weights={c: by_name[c] for c in criteria}, method="ahp", details=details)


def _plain_matrix(a: FloatArray) -> list[list[float | None]]:
    """Return a matrix as lists, blanks as ``None`` (JSON null)."""
    return [[float(v) if math.isfinite(v) else None for v in row] for row in a]


def _blank_pairs(a: FloatArray) -> list[tuple[int, int]]:
    n = a.shape[0]
    return [(i, j) for i in range(n) for j in range(i + 1, n) if not math.isfinite(a[i, j])]


def _aij(mats: FloatArray, b: FloatArray, names: Sequence[str]) -> FloatArray:
    """Combine judgments by their weighted geometric mean over the experts who gave them."""
    known = np.isfinite(mats)
    logs = np.where(known, np.log(np.where(known, mats, 1.0)), 0.0)
    weight = np.tensordot(b, known.astype(np.float64), axes=1)
    total = np.tensordot(b, logs, axes=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(weight > 0, np.exp(total / np.where(weight > 0, weight, 1.0)), np.nan)
    return _checked_matrix(a, names, "the combined matrix of the experts")


def _resolve_aip(
    spec: AHPWeights,
    criteria: Sequence[str],
    prios: FloatArray,
    b: FloatArray,
    experts: list[dict[str, Any]],
) -> WeightResult:
    """Aggregate individual priorities: their weighted geometric mean, normalised."""
    g = np.exp(np.tensordot(b, np.log(prios), axes=1))
    w = g / g.sum()
    by_name = dict(zip(spec.criteria, w.tolist(), strict=True))
    worst = max(experts, key=lambda e: e["CR"])
    details: dict[str, Any] = {
        "criteria": list(spec.criteria),
        "priorities": w.tolist(),
        "lambda_max": worst["lambda_max"],
        "CI": worst["CI"],
        "RI": worst["RI"],
        "CR": worst["CR"],
        "cr_limit": spec.cr_limit,
        "priority": spec.priority,
        "random_index": spec.random_index,
        "group": spec.group,
        "experts": experts,
    }
    return WeightResult(weights={c: by_name[c] for c in criteria}, method="ahp", details=details)


def _resolve_groups(
    spec: GroupedWeights, criteria: Sequence[str], direct: Mapping[str, float | None]
) -> WeightResult:
    members = [c for g in spec.groups for c in g.criteria]
    _check_names(members, criteria, key="groups[].criteria")
    names = [g.name for g in spec.groups]
    group_direct = {g.name: g.weight for g in spec.groups}
    try:
        if isinstance(spec.group_weighting, DirectWeights):
            top = _resolve_direct(names, group_direct, kind="group")
        else:
            top = resolve_weights(spec.group_weighting, names, group_direct)
    except WeightsError as err:
        raise WeightsError(f"group weights: {err}") from err
    weights: dict[str, float] = {}
    within: dict[str, dict[str, Any]] = {}
    for g in spec.groups:
        sub_direct = {c: direct.get(c) for c in g.criteria}
        try:
            res = resolve_weights(g.weighting, g.criteria, sub_direct)
        except WeightsError as err:
            raise WeightsError(f"group {g.name!r}: {err}") from err
        within[g.name] = _as_plain(res)
        for c, wc in res.weights.items():
            weights[c] = top.weights[g.name] * wc
    return WeightResult(
        weights={c: weights[c] for c in criteria},
        method="groups",
        details={"group_weights": dict(top.weights), "groups": _as_plain(top), "within": within},
    )


def resolve_weights(
    spec: WeightingSpec,
    criteria: Sequence[str],
    direct: Mapping[str, float | None],
) -> WeightResult:
    """Resolve a weighting spec into normalised criterion weights.

    Parameters
    ----------
    spec
        The scenario's weighting spec.
    criteria
        Names of the scenario's criteria, in scenario order; the result follows this order.
    direct
        Each criterion's own ``weight:`` value (``None`` where absent). Used by
        :class:`DirectWeights` (and by groups weighted directly within); the other methods
        derive weights themselves and refuse criteria that also carry a ``weight:``.

    Returns
    -------
    WeightResult
        Weights summing to 1, in ``criteria`` order, and the working behind them.

    Raises
    ------
    WeightsError
        If a weight is negative, NaN or all are zero; if the spec names criteria that are
        not in the scenario (or misses some that are); if an AHP matrix has zero, negative
        or non-reciprocal entries, or its consistency ratio exceeds ``cr_limit`` (the
        message names the judgments to revise).

    Examples
    --------
    >>> r = resolve_weights(DirectWeights(), ["a", "b", "c"], {"a": 50, "b": 30, "c": 20})
    >>> r.weights
    {'a': 0.5, 'b': 0.3, 'c': 0.2}
    >>> r = resolve_weights(RankWeights(order=["b", "a"]), ["a", "b"], {})
    >>> r.weights
    {'a': 0.25, 'b': 0.75}
    """
    if not criteria:
        raise WeightsError("there are no criteria to weigh")
    if isinstance(spec, DirectWeights):
        return _resolve_direct(criteria, direct)
    if isinstance(spec, GroupedWeights):
        # Criterion weights may be used inside groups weighted directly.
        return _resolve_groups(spec, criteria, direct)
    _refuse_direct(spec.method, criteria, direct)
    if isinstance(spec, EqualWeights):
        return WeightResult(weights=dict.fromkeys(criteria, 1.0 / len(criteria)), method="equal")
    if isinstance(spec, RankWeights):
        return _resolve_rank(spec, criteria)
    if isinstance(spec, AHPWeights):
        return _resolve_ahp(spec, criteria)
    raise WeightsError(f"unknown weighting spec {spec!r}")  # pragma: no cover
