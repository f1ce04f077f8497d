"""Compare scenarios: their rankings side by side, and what changed in their assumptions.

:func:`compare` puts the ranks and scores of two or more scenarios in one table, with each
candidate's rank shift against the first (reference) scenario, and measures the agreement of
every pair of rankings with Kendall's tau-b and the overlap of their top ``k``.

:func:`diff` lists what differs between two scenarios: weights (as written and normalised),
value functions and their thresholds, measures, constraints, weighting and aggregation
methods, and the data read, down to the SHA-256 of every file; next to it, how the ranking
changed. The diff of a scenario with itself is empty.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from geosite._json import json_ready
from geosite.decision.weights import resolve_weights
from geosite.errors import DataNotFoundError, ParameterError
from geosite.scenario import Scenario, item_key, load_scenario

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from geosite.analysis import Result

__all__ = [
    "Change",
    "Comparison",
    "DataSource",
    "ScenarioDiff",
    "compare",
    "data_sources",
    "diff",
]

logger = logging.getLogger(__name__)

#: Keys of a scenario whose values are files (network sources, declared layers).
_FILE_KEYS = ("path", "file", "osm_xml", "pbf", "graphml")

Section = Literal[
    "scenario",
    "candidates",
    "criteria",
    "weights",
    "value functions",
    "measures",
    "weighting",
    "aggregation",
    "constraints",
    "layers",
    "networks",
    "data",
    "outputs",
]


# --------------------------------------------------------------------------- compare


@dataclass(frozen=True, slots=True)
class Comparison:
    """Rankings of several scenarios side by side.

    Parameters
    ----------
    labels
        A short, unique label per scenario (the file name without ``.yaml``, else the
        scenario name); the first is the reference.
    results
        The evaluated scenarios, in the same order.
    table
        One row per candidate (the union of all scenarios' candidates, in the reference's
        order, then any others): the id column, ``name`` when known, then per scenario
        ``<label>_rank``, ``<label>_score``, ``<label>_excluded`` and, for every scenario
        but the reference, ``<label>_rank_shift`` = reference rank - this rank (positive:
        the candidate moved up). Ranks and shifts are missing where a candidate is excluded
        or absent.
    pairs
        One row per pair of scenarios: ``a``, ``b``, ``kendall_tau`` (tau-b), ``p_value``,
        ``n_common`` (candidates ranked in both), ``top_k``, ``top_k_overlap`` (shared
        candidates among the first ``k`` of each) and ``top_k_share`` (that count over
        ``min(k, ranked in a, ranked in b)``).
    top_k
        The ``k`` of the top-k overlap.
    id_column
        Name of the id column of :attr:`table`.

    Notes
    -----
    Kendall's tau-b is computed on the candidates ranked in both scenarios; a candidate
    excluded (or absent) in either is left out of that pair, and ``n_common`` says how many
    remain. Tied ranks are handled by tau-b. With fewer than two common candidates, or when
    either ranking is all ties, tau is undefined (NaN) unless the two rankings are
    identical (1).
    """

    labels: tuple[str, ...]
    results: tuple[Result, ...]
    table: pd.DataFrame
    pairs: pd.DataFrame
    top_k: int
    id_column: str

    @property
    def reference(self) -> str:
        """Return the label of the reference scenario."""
        return self.labels[0]


def _labels(results: Sequence[Result]) -> list[str]:
    out: list[str] = []
    for result in results:
        source = result.scenario.source
        base = source.stem if source is not None and source.name != "<dict>" else None
        label = base or result.scenario.name
        candidate, i = label, 2
        while candidate in out:
            candidate, i = f"{label}-{i}", i + 1
        out.append(candidate)
    return out


def _ranked_ids(result: Result) -> list[Any]:
    """Return the ids of ranked candidates, best first (the result table's order)."""
    table = result.table
    ids: list[Any] = table.loc[~table["excluded"], result.id_column].tolist()
    return ids


def _tau(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    if x.size >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0:
        from scipy.stats import kendalltau  # noqa: PLC0415 - scipy.stats is slow to import

        res = kendalltau(x, y)
        # Identical rankings agree exactly; scipy's sum can land a hair below 1.
        tau = 1.0 if np.array_equal(x, y) else float(np.clip(res.statistic, -1.0, 1.0))
        return tau, float(res.pvalue)
    if x.size >= 1 and np.array_equal(x, y):
        return 1.0, math.nan
    return math.nan, math.nan


def compare(
    scenarios: Sequence[Result | Scenario | str | Path],
    *,
    top_k: int = 3,
    labels: Sequence[str] | None = None,
) -> Comparison:
    """Compare the rankings of two or more scenarios.

    Parameters
    ----------
    scenarios
        Evaluated results, scenarios, or scenario files (or bundled names); the first is the
        reference that rank shifts are measured against. Candidates are matched by id.
    top_k
        ``k`` of the top-k overlap, >= 1.
    labels
        A label per scenario for column names (default: file names without ``.yaml``).

    Returns
    -------
    Comparison
        The side-by-side table and the pairwise agreement.

    Raises
    ------
    ParameterError
        If fewer than two scenarios are given, ``top_k`` is below 1 or the labels do not
        match the scenarios.

    Examples
    --------
    >>> cmp = compare(["dong-nam-bo", "dong-nam-bo"])
    >>> cmp.labels, float(cmp.pairs["kendall_tau"].iloc[0])
    (('dong-nam-bo', 'dong-nam-bo-2'), 1.0)
    """
    from geosite.analysis import Result as _Result  # noqa: PLC0415 - avoid an import cycle
    from geosite.analysis import evaluate  # noqa: PLC0415

    if len(scenarios) < 2:
        msg = f"compare needs at least two scenarios; got {len(scenarios)}"
        raise ParameterError(msg)
    if top_k < 1:
        msg = f"top_k must be at least 1; got {top_k!r}"
        raise ParameterError(msg)
    results = [s if isinstance(s, _Result) else evaluate(s) for s in scenarios]
    names = list(labels) if labels is not None else _labels(results)
    if len(names) != len(results) or len(set(names)) != len(names):
        msg = f"give one unique label per scenario ({len(results)}); got {names!r}"
        raise ParameterError(msg)

    out = _side_by_side(results, names)
    rows = [
        _pair(results[i], results[j], out, names[i], names[j], top_k)
        for i in range(len(results))
        for j in range(i + 1, len(results))
    ]
    return Comparison(
        labels=tuple(names),
        results=tuple(results),
        table=out,
        pairs=pd.DataFrame(rows),
        top_k=top_k,
        id_column=results[0].id_column,
    )


def _side_by_side(results: Sequence[Result], names: Sequence[str]) -> pd.DataFrame:
    """Build the table of ranks, scores and exclusions per candidate and scenario."""
    id_column = results[0].id_column
    ids: list[Any] = []
    seen: set[Any] = set()
    display: dict[Any, Any] = {}
    for result in results:
        table = result.table
        for i, key in enumerate(table[result.id_column].tolist()):
            if key not in seen:
                seen.add(key)
                ids.append(key)
            if result.name_column is not None and key not in display:
                display[key] = table[result.name_column].iloc[i]
    out = pd.DataFrame({id_column: ids})
    if display:
        out["name"] = [display.get(i) for i in ids]
    for label, result in zip(names, results, strict=True):
        table = result.table.set_index(result.id_column)
        out[f"{label}_rank"] = table["rank"].reindex(ids).astype("Int64").reset_index(drop=True)
        out[f"{label}_score"] = table["total_score"].reindex(ids).to_numpy(dtype=float)
        out[f"{label}_excluded"] = (
            table["excluded"].reindex(ids).astype("boolean").reset_index(drop=True)
        )
    ref = out[f"{names[0]}_rank"]
    for label in names[1:]:
        out[f"{label}_rank_shift"] = ref - out[f"{label}_rank"]
    return out


def _pair(  # noqa: PLR0917 - private
    ra: Result, rb: Result, table: pd.DataFrame, la: str, lb: str, top_k: int
) -> dict[str, Any]:
    """Measure the agreement of two rankings: Kendall's tau-b and the top-k overlap."""
    a, b = table[f"{la}_rank"], table[f"{lb}_rank"]
    common = a.notna() & b.notna()
    tau, p_value = _tau(a[common], b[common])
    ranked_a, ranked_b = _ranked_ids(ra), _ranked_ids(rb)
    shared = len(set(ranked_a[:top_k]) & set(ranked_b[:top_k]))
    denominator = min(top_k, len(ranked_a), len(ranked_b))
    return {
        "a": la,
        "b": lb,
        "kendall_tau": tau,
        "p_value": p_value,
        "n_common": int(common.sum()),
        "top_k": top_k,
        "top_k_overlap": shared,
        "top_k_share": shared / denominator if denominator else math.nan,
    }


# --------------------------------------------------------------------------- data sources


@dataclass(frozen=True, slots=True)
class DataSource:
    """A file a scenario reads, with its content hash.

    Parameters
    ----------
    name
        The name the scenario uses (a layer, a raster, ``networks.<name>``).
    path
        The file, resolved; ``None`` if it cannot be found.
    sha256
        Hex SHA-256 of the file's bytes (``None`` if missing). A shapefile is hashed with
        its side files (``.dbf``, ``.shx``, ``.prj``, ``.cpg``) in name order, a bundled
        layer stored as one file per licence with all its files.
    bundled
        Name of the bundled layer behind it, if any.
    """

    name: str
    path: Path | None
    sha256: str | None
    bundled: str | None = None


def _hash(path: Path, cache: dict[Path, str], *, bundled_name: str | None = None) -> str:
    if path not in cache:
        digest = hashlib.sha256()
        parts = [path]
        if bundled_name is not None:
            from geosite.data import bundled  # noqa: PLC0415

            # a layer stored as one file per licence is all of its files
            parts = list(bundled.layer_info(bundled_name).paths)
        elif path.suffix.lower() == ".shp":
            parts += sorted(
                p
                for p in path.parent.glob(f"{path.stem}.*")
                if p.suffix.lower() in {".dbf", ".shx", ".prj", ".cpg"}
            )
        for part in parts:
            with part.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        cache[path] = digest.hexdigest()
    return cache[path]


def _resolve(scenario: Scenario, name: str) -> tuple[Path | None, str | None]:
    """Resolve a layer or raster name as :func:`geosite.evaluate` does."""
    from geosite.data import bundled  # noqa: PLC0415

    source = scenario.layers.get(name)
    if source is not None and source.path is not None:
        return (scenario.base_dir / source.path).resolve(), None
    bundled_name = source.bundled if source is not None else name
    if bundled_name is not None and bundled_name in bundled.layer_names():
        return bundled.layer_path(bundled_name), bundled_name
    path = (scenario.base_dir / name).resolve()
    return (path if path.exists() else None), None


def _file_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _FILE_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _file_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _file_values(item)


def data_sources(
    scenario: Scenario | str | Path, *, _cache: dict[Path, str] | None = None
) -> list[DataSource]:
    """List every file a scenario reads, with its SHA-256.

    Parameters
    ----------
    scenario
        A scenario, or its file (or a bundled name).

    Returns
    -------
    list of DataSource
        Layers and rasters used by the candidates, criteria and constraints, then network
        sources, each once, in the order the scenario names them.

    Examples
    --------
    >>> [s.name for s in data_sources("dong-nam-bo")][:3]
    ['candidate_sites', 'ports', 'airports']
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    cache = _cache if _cache is not None else {}
    names = list(scenario.layer_names_used())
    for spec in scenario.networks.values():
        names += spec.layers_used()
    out: list[DataSource] = []
    for name in dict.fromkeys(names):
        path, bundled_name = _resolve(scenario, name)
        digest = (
            _hash(path, cache, bundled_name=bundled_name)
            if path is not None and path.is_file()
            else None
        )
        out.append(DataSource(name, path, digest, bundled_name))
    for net_name, spec in scenario.networks.items():
        for value in _file_values(spec.model_dump(mode="json")):
            path = (scenario.base_dir / value).resolve()
            digest = _hash(path, cache) if path.is_file() else None
            out.append(DataSource(f"networks.{net_name}", path, digest))
    return out


# --------------------------------------------------------------------------- diff


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two scenarios.

    Parameters
    ----------
    section
        What kind of assumption changed (``weights``, ``value functions``, ``data``...).
    key
        Where, as a dotted key path (``criteria.port_truck_time.value.worst``).
    before, after
        The values in the first and the second scenario; ``None`` where absent.
    """

    section: Section
    key: str
    before: Any
    after: Any

    @property
    def kind(self) -> Literal["added", "removed", "changed"]:
        """Return whether the key was added, removed or changed."""
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "changed"


@dataclass(frozen=True, slots=True)
class ScenarioDiff:
    """What differs between two scenarios, in assumptions and in results.

    Parameters
    ----------
    a, b
        Labels of the two scenarios.
    changes
        Every difference in the assumptions, grouped by section in a fixed order.
    results
        Candidates whose rank, score or exclusion differ: the id column, ``name``,
        ``rank_a``, ``rank_b``, ``rank_shift`` (rank_a - rank_b: positive moved up),
        ``score_a``, ``score_b``, ``score_change``, ``excluded_a``, ``excluded_b``. ``None``
        when the results were not computed.
    """

    a: str
    b: str
    changes: tuple[Change, ...]
    results: pd.DataFrame | None = None

    @property
    def is_empty(self) -> bool:
        """Return whether nothing differs."""
        return not self.changes and (self.results is None or self.results.empty)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as JSON-ready data."""
        results = None
        if self.results is not None:
            frame = self.results.astype(object).where(self.results.notna(), None)
            rows = frame.to_dict("records")
            results = [{k: json_ready(v) for k, v in row.items()} for row in rows]
        return {
            "a": self.a,
            "b": self.b,
            "empty": self.is_empty,
            "assumptions": [
                {
                    "section": c.section,
                    "key": c.key,
                    "kind": c.kind,
                    "before": json_ready(c.before),
                    "after": json_ready(c.after),
                }
                for c in self.changes
            ],
            "results": results,
        }

    def to_text(self) -> str:
        """Return a readable report: assumptions by section, then the result changes."""
        lines = [f"A: {self.a}", f"B: {self.b}"]
        if self.is_empty:
            lines.append("No differences: same assumptions, same data, same results.")
            return "\n".join(lines)
        lines += ["", "Assumptions"]
        if not self.changes:
            lines.append("  (none)")
        section = None
        for change in self.changes:
            if change.section != section:
                section = change.section
                lines.append(f"  {section}")
            lines.append(f"    {change.key}: {_show(change.before)} -> {_show(change.after)}")
        lines += ["", "Results"]
        if self.results is None:
            lines.append("  (not computed)")
        elif self.results.empty:
            lines.append("  (no rank, score or exclusion changed)")
        else:
            lines.append("  rank A -> B (shift)   score A -> B (change)   candidate")
            id_column = self.results.columns[0]
            for _, row in self.results.iterrows():
                label = row.get("name") if isinstance(row.get("name"), str) else None
                who = f"{row[id_column]}" + (f"  {label}" if label else "")
                shift = row["rank_shift"]
                shift_text = f"{int(shift):+d}" if pd.notna(shift) else "  "
                lines.append(
                    f"  {_rank(row['rank_a']):>3} -> {_rank(row['rank_b']):<3} ({shift_text:>3})"
                    f"   {_score(row['score_a'])} -> {_score(row['score_b'])}"
                    f" ({_delta(row['score_change'])})   {who}"
                )
        return "\n".join(lines)


#: Longest value shown whole in the text report (the JSON form keeps every value whole).
_SHOW_CHARS = 100


def _show(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, float):
        return f"{value:.6g}"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= _SHOW_CHARS else text[: _SHOW_CHARS - 1] + "…"


def _rank(value: Any) -> str:
    return "-" if value is None or pd.isna(value) else str(int(value))


def _score(value: Any) -> str:
    return "  n/a" if value is None or pd.isna(value) else f"{float(value):.4f}"


def _delta(value: Any) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):+.4f}"


def _criterion_section(sub: str) -> Section:
    if sub == "weight":
        return "weights"
    if sub == "value":
        return "value functions"
    if sub == "measure":
        return "measures"
    return "criteria"


_TOP_SECTIONS: dict[str, Section] = {
    "candidates": "candidates",
    "layers": "layers",
    "networks": "networks",
    "weighting": "weighting",
    "aggregation": "aggregation",
    "constraints": "constraints",
    "outputs": "outputs",
}

_ORDER: tuple[Section, ...] = get_args(Section)


def _walk(a: Any, b: Any, key: str, out: list[tuple[str, Any, Any]]) -> None:
    """Append (key, before, after) for every leaf that differs between ``a`` and ``b``."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in dict.fromkeys([*a, *b]):
            _walk(a.get(k), b.get(k), f"{key}.{k}" if key else str(k), out)
        return
    if a != b:
        out.append((key, a, b))


def _by_name(items: list[dict[str, Any]], what: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for i, item in enumerate(items):
        # the stable key (a constraint's id), so a relabelled item pairs with itself
        name = item_key(item) or item.get("name") or f"{what}[{i}]"
        out[str(name)] = item
    return out


def _assumption_changes(a: Scenario, b: Scenario) -> list[Change]:
    da, db = a.model_dump(mode="json"), b.model_dump(mode="json")
    changes: list[Change] = []
    for key in dict.fromkeys([*da, *db]):
        va, vb = da.get(key), db.get(key)
        if key in {"criteria", "constraints"}:
            ia, ib = _by_name(va or [], key), _by_name(vb or [], key)
            for name in dict.fromkeys([*ia, *ib]):
                if name not in ia or name not in ib:
                    section: Section = "criteria" if key == "criteria" else "constraints"
                    changes.append(Change(section, f"{key}.{name}", ia.get(name), ib.get(name)))
                    continue
                found: list[tuple[str, Any, Any]] = []
                _walk(ia[name], ib[name], f"{key}.{name}", found)
                for path, before, after in found:
                    sub = path.split(".")[2] if key == "criteria" else ""
                    section = _criterion_section(sub) if key == "criteria" else "constraints"
                    changes.append(Change(section, path, before, after))
            if key == "criteria":
                order_a = [n for n in ia if n in ib]
                order_b = [n for n in ib if n in ia]
                if order_a != order_b:
                    changes.append(Change("criteria", "criteria (order)", order_a, order_b))
            continue
        found = []
        _walk(va, vb, key, found)
        for path, before, after in found:
            changes.append(Change(_TOP_SECTIONS.get(key, "scenario"), path, before, after))
    return changes


def _normalised_weights(scenario: Scenario) -> dict[str, float]:
    return resolve_weights(
        scenario.weighting,
        scenario.criterion_names,
        {c.name: c.weight for c in scenario.criteria},
    ).weights


def _weight_changes(a: Scenario, b: Scenario) -> list[Change]:
    wa, wb = _normalised_weights(a), _normalised_weights(b)
    out = []
    for name in dict.fromkeys([*wa, *wb]):
        before, after = wa.get(name), wb.get(name)
        if before is None or after is None or not math.isclose(before, after, abs_tol=1e-12):
            out.append(Change("weights", f"weights.{name} (normalised)", before, after))
    return out


def _data_changes(a: Scenario, b: Scenario) -> list[Change]:
    cache: dict[Path, str] = {}
    sa = {s.name: s for s in data_sources(a, _cache=cache)}
    sb = {s.name: s for s in data_sources(b, _cache=cache)}
    out = []
    for name in dict.fromkeys([*sa, *sb]):
        x, y = sa.get(name), sb.get(name)
        if x is None or y is None:
            out.append(
                Change(
                    "data",
                    f"data.{name}",
                    None if x is None else str(x.path),
                    None if y is None else str(y.path),
                )
            )
            continue
        if x.path != y.path:
            out.append(Change("data", f"data.{name}.path", str(x.path), str(y.path)))
        if x.sha256 != y.sha256:
            out.append(Change("data", f"data.{name}.sha256", x.sha256, y.sha256))
    return out


def _result_changes(ra: Result, rb: Result) -> pd.DataFrame:
    cmp = compare([ra, rb], labels=["a", "b"])
    t = cmp.table
    out = pd.DataFrame({cmp.id_column: t[cmp.id_column]})
    if "name" in t.columns:
        out["name"] = t["name"]
    out["rank_a"], out["rank_b"] = t["a_rank"], t["b_rank"]
    out["rank_shift"] = t["b_rank_shift"]
    out["score_a"], out["score_b"] = t["a_score"], t["b_score"]
    out["score_change"] = t["b_score"] - t["a_score"]
    out["excluded_a"], out["excluded_b"] = t["a_excluded"], t["b_excluded"]
    same_rank = (out["rank_a"] == out["rank_b"]).fillna(value=False) | (
        out["rank_a"].isna() & out["rank_b"].isna()
    )
    sa, sb = out["score_a"].to_numpy(dtype=float), out["score_b"].to_numpy(dtype=float)
    same_score = np.isclose(sa, sb, rtol=0.0, atol=1e-12) | (np.isnan(sa) & np.isnan(sb))
    same_excl = (out["excluded_a"] == out["excluded_b"]).fillna(value=False)
    changed = ~(same_rank.to_numpy(dtype=bool) & same_score & same_excl.to_numpy(dtype=bool))
    return pd.DataFrame(out.loc[changed].reset_index(drop=True))


def diff(
    a: Result | Scenario | str | Path,
    b: Result | Scenario | str | Path,
    *,
    results: bool = True,
) -> ScenarioDiff:
    """List what differs between two scenarios, in their assumptions and their results.

    Parameters
    ----------
    a, b
        Scenarios, scenario files (or bundled names) or evaluated results.
    results
        Also evaluate both (unless results are given) and list the candidates whose rank,
        score or exclusion changed.

    Returns
    -------
    ScenarioDiff
        Empty for a scenario and itself. Assumptions compare the scenarios as validated
        (after ``extends`` is merged), so a variant and a copy of it written out in full
        have no differences; normalised weights are compared as well as the weights written.

    Raises
    ------
    DataNotFoundError
        If a scenario file does not exist.

    Examples
    --------
    >>> diff("dong-nam-bo", "dong-nam-bo").is_empty
    True
    >>> d = diff("dong-nam-bo", "port-led", results=False)
    >>> [c.key for c in d.changes if c.section == "weights"][:2]
    ['criteria.port_truck_time.weight', 'criteria.long_thanh_airport_time.weight']
    """
    from geosite.analysis import Result as _Result  # noqa: PLC0415 - avoid an import cycle
    from geosite.analysis import evaluate  # noqa: PLC0415

    def scenario_of(item: Result | Scenario | str | Path) -> Scenario:
        if isinstance(item, _Result):
            return item.scenario
        if isinstance(item, Scenario):
            return item
        try:
            return load_scenario(item)
        except FileNotFoundError as err:  # pragma: no cover - load_scenario raises its own
            raise DataNotFoundError(str(err)) from err

    sa, sb = scenario_of(a), scenario_of(b)
    changes = _assumption_changes(sa, sb) + _weight_changes(sa, sb) + _data_changes(sa, sb)
    rank = {s: i for i, s in enumerate(_ORDER)}
    changes.sort(key=lambda c: rank[c.section])
    table = None
    if results:
        ra = a if isinstance(a, _Result) else evaluate(sa)
        rb = b if isinstance(b, _Result) else evaluate(sb)
        table = _result_changes(ra, rb)
    la, lb = _labels_for(sa, sb)
    return ScenarioDiff(a=la, b=lb, changes=tuple(changes), results=table)


def _labels_for(a: Scenario, b: Scenario) -> tuple[str, str]:
    def one(s: Scenario) -> str:
        where = f" ({s.source})" if s.source is not None and s.source.name != "<dict>" else ""
        return f"{s.name}{where}"

    return one(a), one(b)
