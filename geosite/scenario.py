"""Scenario files: YAML in, a validated and frozen :class:`Scenario` out.

A scenario says which candidates to score, against which criteria (a measure, a value function
and a weight each), under which constraints, and how to combine the scores. Validation reports
every problem of a file at once, each with its line and column, the key path, what was expected
and, for misspelt keys, types and layer names, a "did you mean". No analysis happens here.

The format is versioned (``version: 1``); :func:`scenario_json_schema` gives its JSON Schema for
editors.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from geosite.data.crs import ensure_metric, to_crs
from geosite.data.grid import GridSpec
from geosite.data.text import parse_encoding
from geosite.decision.aggregate import WLC, AggregationSpec
from geosite.decision.constraints import ConstraintSpec, CriterionConstraint, ForceInclude
from geosite.decision.transforms import ValueFunction
from geosite.decision.weights import DirectWeights, WeightingSpec, resolve_weights
from geosite.errors import GeositeError, Problem, ScenarioError
from geosite.i18n import ScenarioText
from geosite.locate.spec import LocateSpec
from geosite.measures import MeasureType
from geosite.measures.network import NetworkMeasure, NetworkSpec
from geosite.types import Where

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = [
    "CandidatesSpec",
    "Criterion",
    "LayerSource",
    "Outputs",
    "Scenario",
    "load_scenario",
    "scenario_from_dict",
    "scenario_from_yaml",
    "scenario_json_schema",
]

#: Bounds on scenario documents: a scenario is a page of YAML, not a data file.
MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_NODES = 100_000

FORMAT_VERSION = 1

TableFormat = Literal["csv", "gpkg", "geojson", "xlsx"]
DEFAULT_FORMATS: tuple[TableFormat, ...] = ("csv", "gpkg")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LayerSource(_Model):
    """A layer from a file, a bundled layer under another name, or a layer given in memory.

    A layer declared ``memory: true`` is passed to :func:`geosite.evaluate` as ``layers=``
    when the scenario is evaluated from Python. YAML::

        layers:
          parcels: {path: data/parcels.gpkg, layer: parcels_2025, id: parcel_id}
          seaports: {bundled: ports, where: {kind: deepwater_port}}
          cadastre: {memory: true, id: parcel_id}   # evaluate(s, layers={"cadastre": gdf})
    """

    path: str | None = Field(None, description="Vector file, relative to the scenario file.")
    bundled: str | None = Field(None, description="Name of a bundled layer (see `geosite layers`).")
    memory: bool = Field(
        default=False,
        description=(
            "The layer is given in memory: geosite.evaluate(scenario, layers={name: obj}) with "
            "a GeoDataFrame, a road graph (networkx/osmnx) or a raster (rasterio dataset or "
            "(array, transform, crs)); the command line cannot run such a scenario."
        ),
    )
    layer: str | None = Field(None, description="Layer inside a multi-layer file (GeoPackage).")
    crs: str | None = Field(
        None, description="CRS of the file's coordinates, when the file does not declare one."
    )
    where: Where | None = Field(None, description="Keep only features whose attributes match.")
    id: str | None = Field(None, description="Column that identifies features.")
    encoding: Literal["auto", "unicode", "tcvn3", "vni", "cp1258"] | None = Field(
        None,
        description=(
            "Text encoding of the attribute table: unicode, or the legacy Vietnamese tcvn3 "
            "(ABC), vni (VNI-Windows) or cp1258 (Windows-1258) to convert, or auto to detect "
            "and report. Undeclared, legacy text is detected, converted and warned about."
        ),
    )
    repair: bool = Field(
        default=False, description="Repair invalid geometries (reported) instead of refusing them."
    )

    @field_validator("encoding", mode="before")
    @classmethod
    def _encoding_alias(cls, value: Any) -> Any:
        # Accept the names planners use: abc, tcvn, vni-windows, utf-8...
        return parse_encoding(value, what="encoding") if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_source(self) -> LayerSource:
        if (self.path is not None) + (self.bundled is not None) + self.memory != 1:
            msg = (
                "give exactly one of `path` (a file), `bundled` (a bundled layer name) or "
                "`memory: true` (given to evaluate(..., layers=...))"
            )
            raise ValueError(msg)
        return self


class CandidatesSpec(_Model):
    """The parcels to score: a layer, or a grid of cells generated over a study area.

    YAML::

        candidates: {layer: candidate_sites, id: site_id, name: name}
        candidates: {grid: {cell_ha: 100, shape: hex, area: provinces_pre2025}}
    """

    layer: str | None = Field(
        None, description="A bundled layer or a layer declared under `layers:`."
    )
    grid: GridSpec | None = Field(
        None, description="Score the cells of a regular grid instead of a layer's features."
    )
    id: str | None = Field(
        None, description="Column with a unique id per candidate (`cell_id` for a grid)."
    )
    name: str | None = Field(None, description="Column with a display name.")
    where: Where | None = Field(None, description="Keep only candidates whose attributes match.")

    @model_validator(mode="after")
    def _one_source(self) -> CandidatesSpec:
        if (self.layer is None) == (self.grid is None):
            msg = "give exactly one of `layer` (a layer of parcels) or `grid` (generated cells)"
            raise ValueError(msg)
        if self.grid is not None and (self.id, self.name, self.where) != (None, None, None):
            msg = "a grid's cells are named by `cell_id`; remove `id`, `name` and `where`"
            raise ValueError(msg)
        return self

    @property
    def id_column(self) -> str:
        """Return the column that identifies candidates."""
        return self.id or ("cell_id" if self.grid is not None else "id")

    @property
    def source(self) -> str:
        """Return the layer the candidates come from (the study area, for a grid)."""
        if self.grid is not None:
            return self.grid.area.layer
        assert self.layer is not None
        return self.layer


class Criterion(_Model):
    """One criterion: a measure, the value function that scores it, and its weight."""

    name: str = Field(
        description="Identifier, lower_snake_case; output columns are prefixed with it."
    )
    label: ScenarioText | None = Field(
        None,
        description=(
            "Human-readable name for maps and reports: a text, or one per language "
            "({en: ..., vi: ...})."
        ),
    )
    description: ScenarioText | None = Field(
        None, description="What the criterion stands for: a text, or one per language."
    )
    measure: MeasureType
    value: ValueFunction
    weight: float | None = Field(
        None, description="Direct weight (any non-negative scale; normalised to sum 1)."
    )

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _NAME.match(value):
            suggestion = re.sub(r"[^a-z0-9_]+", "_", value.lower()).strip("_") or "criterion"
            if not suggestion[0].isalpha():
                suggestion = f"c_{suggestion}"
            msg = f"{value!r} is not a lower_snake_case identifier; use e.g. {suggestion!r}"
            raise ValueError(msg)
        return value

    @field_validator("weight")
    @classmethod
    def _finite(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value < 0):
            msg = f"weight must be a finite number >= 0, got {value!r}"
            raise ValueError(msg)
        return value

    @property
    def title(self) -> str:
        """Return the label, or a readable form of the name."""
        return self.label or self.name.replace("_", " ").capitalize()


class Outputs(_Model):
    """What ``geosite run`` writes."""

    table: bool = Field(default=True, description="Write scores.csv and scores.gpkg.")
    map: bool = Field(default=True, description="Write map.html.")
    formats: list[TableFormat] = Field(
        default_factory=lambda: list(DEFAULT_FORMATS), description="Table formats to write."
    )
    admin_units: bool = Field(
        default=False,
        description=(
            "Add each candidate's province, district and ward before and after the July 2025 "
            "mergers (province_old, ward_new...) to the table."
        ),
    )
    what_if: bool = Field(
        default=True,
        description=(
            "Give map.html the what-if panel: weight sliders that re-score and re-rank the "
            "candidates in the browser, and copy the weights as a scenario."
        ),
    )


class Scenario(_Model):
    """A validated, frozen scenario.

    Build one with :func:`load_scenario` (from a file) or :func:`scenario_from_dict`.
    """

    version: Literal[1] = Field(description="Version of the scenario format.")
    extends: str | None = Field(
        None,
        description=(
            "A scenario this one builds on: a path relative to this file, or the name of a "
            "bundled scenario. Mappings merge key by key; criteria merge by `name`, "
            "constraints by `id` (or a plain-text `name`), and `remove: true` drops an item; "
            "other values replace the base's."
        ),
    )
    name: ScenarioText = Field(
        description="Title of the scenario: a text, or one per language ({en: ..., vi: ...})."
    )
    description: ScenarioText = Field(
        "", description="What the scenario asks: a text, or one per language."
    )
    crs: str | None = Field(
        None, description="Metric CRS of the analysis; the candidates' UTM zone if omitted."
    )
    language: Literal["en", "vi"] = Field(
        "en", description="Language of maps, reports and printed rankings: en or vi."
    )
    candidates: CandidatesSpec
    layers: dict[str, LayerSource] = Field(default_factory=dict)
    networks: dict[str, NetworkSpec] = Field(
        default_factory=dict,
        description="Road networks by name, for `network` measures (`network: <name>`).",
    )
    criteria: list[Criterion] = Field(min_length=1)
    weighting: WeightingSpec = Field(default_factory=DirectWeights)
    aggregation: AggregationSpec = Field(default_factory=WLC)
    constraints: list[ConstraintSpec] = Field(default_factory=list)
    outputs: Outputs = Field(default_factory=Outputs)
    locate: LocateSpec | None = Field(
        None,
        description="Site search on a grid scenario: the best contiguous regions of a given "
        "area (`geosite locate`).",
    )

    _source: Path | None = PrivateAttr(default=None)
    _lineage: tuple[Path, ...] = PrivateAttr(default=())

    @property
    def source(self) -> Path | None:
        """Return the file the scenario was read from, if any."""
        return self._source

    @property
    def lineage(self) -> tuple[Path, ...]:
        """Return the files this scenario extends, nearest base first."""
        return self._lineage

    @property
    def base_dir(self) -> Path:
        """Return the directory relative paths resolve against."""
        return self._source.parent if self._source is not None else Path.cwd()

    @model_validator(mode="after")
    def _name_criteria_in_rules(self) -> Scenario:
        # A rule on a criterion reads its label in the reader's language, not its key.
        titles = {c.name: c.title for c in self.criteria}
        for constraint in self.constraints:
            if isinstance(constraint, CriterionConstraint) and constraint.criterion in titles:
                constraint.name_criterion(titles[constraint.criterion])
        return self

    @model_validator(mode="after")
    def _check_aggregation_criteria(self) -> Scenario:
        names = [c.name for c in self.criteria]
        unknown = [n for n in self.aggregation.named_criteria() if n not in names]
        if unknown:
            msg = (
                f"`aggregation` ({self.aggregation.method}) names {unknown!r}, which are not "
                f"criteria of the scenario; choose from {names!r}"
            )
            raise ValueError(msg)
        return self

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            msg = "the scenario needs a name: `name: ...` (or one per language: {en: ..., vi: ...})"
            raise ValueError(msg)
        return value

    @property
    def criterion_names(self) -> list[str]:
        """Return the criteria names in scenario order."""
        return [c.name for c in self.criteria]

    def layer_names_used(self) -> list[str]:
        """Return every layer name the scenario refers to, candidates first, without repeats."""
        spec = self.candidates
        names = spec.grid.layers_used() if spec.grid is not None else [spec.source]
        for criterion in self.criteria:
            names += criterion.measure.layers_used()
        for constraint in self.constraints:
            names += constraint.layers_used()
        return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- YAML with marks

#: Where each key or value of a document was written: path -> (line, column, file).
Marks = dict[tuple[str | int, ...], tuple[int, int, str | None]]


#: The loader that parses first: libyaml's, where PyYAML was built with it (20 to 40 times
#: faster than the pure-Python parser, so a scenario's first load does not wait on it), else
#: PyYAML's own. Both give the same positions, but libyaml words its complaints more tersely
#: ("found undefined alias" without the alias), so a document it refuses is parsed again by
#: the pure-Python loader, whose message is the one reported.
_Loader = type[yaml.SafeLoader] | type[yaml.CSafeLoader]
_FAST_LOADER: _Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str, *, file: str | None) -> tuple[Any, Marks]:
    """Parse YAML safely, bounded in size, depth and alias expansion, keeping positions."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        msg = f"the file is larger than {MAX_BYTES // 1000} kB; a scenario is a page of YAML"
        raise ScenarioError(Problem(msg, file=file), file=file)
    try:
        node, loader = _parse_yaml(text, _FAST_LOADER, file=file)
    except ScenarioError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
        node, loader = _parse_yaml(text, yaml.SafeLoader, file=file)
    if node is None:
        raise ScenarioError(Problem("the file is empty", file=file), file=file)
    composer = _Composer(loader, file)
    data = composer.build(node, ())
    if composer.problems:
        raise ScenarioError(composer.problems, file=file)
    return data, composer.marks


def _parse_yaml(
    text: str, loader_class: _Loader, *, file: str | None
) -> tuple[yaml.Node | None, yaml.SafeLoader | yaml.CSafeLoader]:
    """Return the document's node tree and the loader that builds its values."""
    try:
        # The reader checks the characters already, so the loader is built inside the try.
        loader = loader_class(text)
    except yaml.YAMLError as err:
        msg = f"this is not valid YAML: {err}".replace("\n", " ")
        raise ScenarioError(Problem(msg, file=file), file=file) from err
    try:
        _check_depth(text, loader_class, file=file)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        reason = err.problem or err.context or "invalid YAML"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        msg = f"this is not valid YAML: {reason}"
        raise ScenarioError(Problem(msg, file=file, line=line, column=column), file=file) from err
    except yaml.YAMLError as err:
        raise ScenarioError(
            Problem(f"this is not valid YAML: {err}", file=file), file=file
        ) from err
    finally:
        loader.dispose()
    return node, loader


def _check_depth(text: str, loader_class: _Loader, *, file: str | None) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` before composing it.

    PyYAML's composer recurses once per level, so ``[[[[...]]]]`` a few thousand levels
    deep would exhaust Python's stack; its parser does not recurse, so the depth is measured
    on the event stream first.
    """
    scanner = loader_class(text)
    depth = 0
    try:
        while scanner.check_event():
            event = scanner.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    msg = (
                        f"the document is nested deeper than {MAX_DEPTH} levels; a scenario "
                        "needs a handful"
                    )
                    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
                    problem = Problem(msg, file=file, line=line, column=column)
                    raise ScenarioError(problem, file=file)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        scanner.dispose()


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class _Composer:
    """Turn a YAML node tree into Python data, recording where every key and value is.

    Aliases are expanded under a budget of :data:`MAX_NODES`, so a "billion laughs" document
    is refused instead of exhausting memory; tags other than the standard ones are refused.
    """

    loader: yaml.SafeLoader | yaml.CSafeLoader
    file: str | None
    marks: Marks = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    budget: int = MAX_NODES

    def problem(self, msg: str, path: tuple[str | int, ...], node: yaml.Node) -> None:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(msg, path, self.file, line, column))

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.budget -= 1
        if self.budget < 0 or len(path) > MAX_DEPTH:
            msg = (
                f"the document expands to more than {MAX_NODES} nodes (too many aliases?)"
                if self.budget < 0
                else f"the document is nested deeper than {MAX_DEPTH} levels"
            )
            line = node.start_mark.line + 1
            raise ScenarioError(Problem(msg, path[:1], self.file, line), file=self.file)
        self.marks.setdefault(
            path, (node.start_mark.line + 1, node.start_mark.column + 1, self.file)
        )
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP_TAG:
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ_TAG:
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.constructor.ConstructorError as err:
                self.problem(f"cannot read this value: {err.problem}", path, node)
                return None
        self.problem(f"cannot read this value: the tag {node.tag!r} is not allowed", path, node)
        return None

    def mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                msg = "YAML merge keys (<<) are not supported; write the keys out"
                self.problem(msg, path, key_node)
                continue
            key = self.build(key_node, (*path, "<key>"))
            if not isinstance(key, str | int | bool) or isinstance(key, float):
                self.problem(f"keys must be plain text, got {key!r}", path, key_node)
                continue
            key = str(key)
            child = (*path, key)
            if key in out:
                self.problem(f"key {key!r} appears twice; keep one", child, key_node)
            self.marks[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
                self.file,
            )
            out[key] = self.build(value_node, child)
        return out


# --------------------------------------------------------------------------- error mapping


def _clean_loc(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the union tags pydantic inserts in error locations, aligning them with the data."""
    out: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(current, dict) and isinstance(part, str):
            if part in current:
                out.append(part)
                current = current[part]
            elif last:
                out.append(part)
            continue
        if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
            continue
    return tuple(out)


def _resolve_ref(root: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = root["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _schema_at(
    root: dict[str, Any], data: Any, path: tuple[str | int, ...]
) -> dict[str, Any] | None:
    """Return the (resolved) JSON-schema node that describes ``data`` at ``path``."""
    node: dict[str, Any] | None = root
    current = data
    for part in (None, *path):
        if node is None:
            return None
        if part is not None:
            node = _step(root, node, current, part)
            current = (
                current.get(part)
                if isinstance(current, dict)
                else (
                    current[part]
                    if isinstance(current, list) and isinstance(part, int) and part < len(current)
                    else None
                )
            )
        if node is not None:
            node = _pick_variant(root, _resolve_ref(root, node), current)
    return node


def _pick_variant(root: dict[str, Any], node: dict[str, Any], current: Any) -> dict[str, Any]:
    variants = node.get("oneOf") or node.get("anyOf")
    if not variants:
        return node
    discriminator = node.get("discriminator")
    if discriminator and isinstance(current, dict):
        tag = current.get(discriminator["propertyName"])
        ref = discriminator.get("mapping", {}).get(tag)
        if ref:
            return _resolve_ref(root, {"$ref": ref})
    for variant in variants:
        resolved = _resolve_ref(root, variant)
        if isinstance(current, dict) and (
            resolved.get("type") == "object" or "properties" in resolved
        ):
            return resolved
        if isinstance(current, list) and resolved.get("type") == "array":
            return resolved
    return node


def _step(
    root: dict[str, Any], node: dict[str, Any], current: Any, part: str | int
) -> dict[str, Any] | None:
    node = _pick_variant(root, _resolve_ref(root, node), current)
    if isinstance(part, int):
        items = node.get("items")
        return items if isinstance(items, dict) else None
    props = node.get("properties", {})
    if part in props:
        return dict(props[part])
    extra = node.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _allowed_keys(data: Any, path: tuple[str | int, ...]) -> list[str]:
    node = _schema_at(_schema(), data, path)
    return list(node.get("properties", {})) if node else []


def _did_you_mean(word: str, choices: list[str]) -> str:
    hint = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean {hint[0]!r}?" if hint else ""


def _problem_from_error(
    err: Mapping[str, Any], data: Any, marks: Marks, file: str | None
) -> Problem:
    loc = _clean_loc(data, tuple(err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(data, loc[:-1])
        msg = f"unknown key {key!r}{_did_you_mean(key, allowed)}"
        if allowed:
            msg += f" (allowed here: {', '.join(allowed)})"
    elif kind == "missing":
        msg = f"missing required key {loc[-1]!r}"
    elif kind == "union_tag_invalid":
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        tag = str(ctx.get("tag"))
        field = str(ctx.get("discriminator", "type")).strip("'")
        msg = (
            f"unknown {field} {tag!r}{_did_you_mean(tag, expected)} "
            f"(expected one of: {', '.join(expected)})"
        )
        loc = (*loc, field)
    elif kind == "union_tag_not_found":
        field = str(ctx.get("discriminator", "type")).strip("'")
        msg = f"missing required key {field!r}"
    elif kind in {"value_error", "assertion_error"}:
        msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    elif kind == "literal_error":
        msg = f"got {err.get('input')!r}; expected {ctx.get('expected', '')}"
    else:
        msg = f"{err['msg']} (got {err.get('input')!r})"
    return _problem_at(msg, loc, marks, file)


def _problem_at(msg: str, loc: tuple[str | int, ...], marks: Marks, file: str | None) -> Problem:
    probe = loc
    while probe and probe not in marks:
        probe = probe[:-1]
    line, column, where = marks.get(probe, (None, None, file))
    return Problem(msg, loc, where or file, line, column)


def _layer_ref_paths(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield (path, name) for every value of a document that names a layer.

    That is every `layer:` and `raster:` value and a grid's `area` and `exclude` shorthands,
    but not the sub-layer inside a file declared under `layers:`.
    """
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, str) and path[-1:] == ("exclude",):
                yield (*path, i), item
            else:
                yield from _layer_ref_paths(item, (*path, i))
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        here = (*path, key)
        named = key in {"layer", "raster"} or (key == "area" and "grid" in path)
        if isinstance(value, str) and named and path[:1] != ("layers",):
            yield here, value
        else:
            yield from _layer_ref_paths(value, here)


@dataclass
class _Checks:
    """Checks that need the whole validated scenario: references between its parts."""

    scenario: Scenario
    data: Any
    marks: Marks
    file: str | None
    roots: tuple[Path, ...] = ()
    problems: list[Problem] = field(default_factory=list)

    def add(self, msg: str, path: tuple[str | int, ...]) -> None:
        self.problems.append(_problem_at(msg, path, self.marks, self.file))

    def run(self) -> list[Problem]:
        self.crs()
        self.paths()
        self.layers()
        self.criteria()
        if not self.problems:
            self.weights()
        return self.problems

    def layers(self) -> None:
        from geosite.data import bundled  # noqa: PLC0415 - the catalogue reads files

        base = self.scenario.base_dir
        names = bundled.layer_names()
        for name, source in self.scenario.layers.items():
            if source.bundled is not None and source.bundled not in names:
                hint = _did_you_mean(source.bundled, names)
                msg = f"no bundled layer {source.bundled!r}{hint} (see `geosite layers`)"
                self.add(msg, ("layers", name, "bundled"))
            if source.path is not None and not (base / source.path).exists():
                msg = (
                    f"file {source.path!r} does not exist (looked for "
                    f"{str((base / source.path).resolve())!r}); paths are relative to the "
                    "scenario file"
                )
                self.add(msg, ("layers", name, "path"))
        known = sorted(set(names) | set(self.scenario.layers))
        for path, name in _layer_ref_paths(self.data):
            looks_like_file = "/" in name or "\\" in name or "." in Path(name).name
            if name in known or (looks_like_file and (base / name).exists()):
                continue
            if looks_like_file:
                msg = (
                    f"file {name!r} does not exist (looked for {str((base / name).resolve())!r}); "
                    "paths are relative to the scenario file"
                )
            else:
                msg = (
                    f"unknown layer {name!r}{_did_you_mean(name, known)}; use a bundled layer "
                    "(`geosite layers`) or declare it under `layers:`"
                )
            self.add(msg, path)

    def paths(self) -> None:
        """Refuse files outside the allowed folders (no reading /etc/passwd via a scenario)."""
        for path, value in _file_refs(self.data):
            target = (self.scenario.base_dir / value).resolve()
            if not _inside(target, self.roots):
                self.add(_outside_message(value, target, self.roots), path)

    def crs(self) -> None:
        if self.scenario.crs is None:
            return
        try:
            ensure_metric(to_crs(self.scenario.crs, what="crs"), what=f"crs {self.scenario.crs!r}")
        except GeositeError as err:
            self.add(str(err), ("crs",))

    def criteria(self) -> None:
        names = self.scenario.criterion_names
        for i, name in enumerate(names):
            if name in names[:i]:
                self.add(
                    f"criterion name {name!r} is used twice; names must be unique",
                    ("criteria", i, "name"),
                )
        for i, constraint in enumerate(self.scenario.constraints):
            if isinstance(constraint, CriterionConstraint) and constraint.criterion not in names:
                hint = _did_you_mean(constraint.criterion, names)
                self.add(
                    f"no criterion {constraint.criterion!r}{hint}", ("constraints", i, "criterion")
                )
        networks = sorted(self.scenario.networks)
        for i, criterion in enumerate(self.scenario.criteria):
            measure = criterion.measure
            if isinstance(measure, NetworkMeasure) and measure.network not in networks:
                hint = _did_you_mean(measure.network, networks)
                declared = f"declared: {', '.join(networks)}" if networks else "none is declared"
                msg = (
                    f"no network {measure.network!r}{hint} under `networks:` ({declared}); "
                    "declare it, e.g. `networks: {default: {source: {layer: roads}}}`"
                )
                self.add(msg, ("criteria", i, "measure", "network"))
        ids = [c.id for c in self.scenario.constraints]
        for i, ident in enumerate(ids):
            if ident is not None and ident in ids[:i]:
                self.add(
                    f"constraint id {ident!r} is used twice; ids must be unique",
                    ("constraints", i, "id"),
                )
        if sum(isinstance(c, ForceInclude) for c in self.scenario.constraints) > 1:
            self.add("give at most one force_include constraint", ("constraints",))

    def weights(self) -> None:
        scenario = self.scenario
        if isinstance(scenario.weighting, DirectWeights):
            missing = [i for i, c in enumerate(scenario.criteria) if c.weight is None]
            for i in missing:
                msg = (
                    "missing `weight` (the scenario uses direct weights; give every criterion "
                    "a weight, or choose another `weighting` method)"
                )
                self.add(msg, ("criteria", i))
            if missing:
                return
        try:
            resolve_weights(
                scenario.weighting,
                scenario.criterion_names,
                {c.name: c.weight for c in scenario.criteria},
            )
        except GeositeError as err:
            self.add(str(err), ("weighting",))


# --------------------------------------------------------------------------- public API


def _validate(
    data: Any, marks: Marks, *, file: str | None, source: Path | None, roots: tuple[Path, ...]
) -> Scenario:
    if not isinstance(data, dict):
        msg = (
            "a scenario is a mapping of keys (version, name, candidates, criteria...), "
            f"got {type(data).__name__}"
        )
        raise ScenarioError(Problem(msg, file=file, line=1, column=1), file=file)
    version = data.get("version")
    if version is not None and version != FORMAT_VERSION:
        msg = (
            f"scenario format version {version!r} is not supported by this geosite; "
            f"it reads version {FORMAT_VERSION}"
        )
        raise ScenarioError(_problem_at(msg, ("version",), marks, file), file=file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = [_problem_from_error(e, data, marks, file) for e in err.errors()]
        unique = list({(p.path, p.message): p for p in problems}.values())
        raise ScenarioError(unique, file=file) from None
    scenario._source = source  # noqa: SLF001 - set once, before the object escapes
    problems = _Checks(scenario, data, marks, file, roots).run()
    if problems:
        raise ScenarioError(problems, file=file)
    return scenario


# --------------------------------------------------------------------------- inheritance

#: How many scenarios a chain of ``extends`` may hold.
MAX_EXTENDS = 10

#: Keys whose values are file paths, rebased when a scenario is extended from elsewhere.
_PATH_KEYS = frozenset({"path", "file", "osm_xml", "pbf", "graphml", "cache_dir", "raster"})
_DISCRIMINATORS = ("type", "method")
#: Keys that stand for each other: a variant giving one replaces a base giving the other
#: (`candidates: {grid: ...}` replaces `candidates: {layer: ..., id: ...}`).
_ALTERNATIVES = (("grid", "layer"), ("layer", "grid"))


def _roots(allowed: Sequence[str | Path] | None, directory: Path) -> tuple[Path, ...]:
    """Return the folders a scenario may read files from."""
    from geosite.data.bundled import layers_dir  # noqa: PLC0415 - the catalogue reads files

    bundled = (layers_dir().resolve(), bundled_scenarios_dir().resolve())
    if allowed is None:
        return (directory.resolve(), Path.cwd().resolve(), *bundled)
    return (*(Path(p).resolve() for p in allowed), *bundled)


def _inside(target: Path, roots: tuple[Path, ...]) -> bool:
    return any(target == root or target.is_relative_to(root) for root in roots)


def _outside_message(value: str, target: Path, roots: tuple[Path, ...]) -> str:
    shown = ", ".join(repr(str(r)) for r in roots[:2])
    return (
        f"path {value!r} resolves to {str(target)!r}, outside the folders this scenario may "
        f"read ({shown} and geosite's bundled data); move the file there, or allow its "
        "folder with `--allow-path DIR` (allowed_roots= in Python)"
    )


def _file_refs(
    node: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield every value of a document that names a file, with its key path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and _names_file(key, value):
                yield (*path, key), value
            else:
                yield from _file_refs(value, (*path, key))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _file_refs(item, (*path, i))


def _names_file(key: str, value: str) -> bool:
    if key in _PATH_KEYS - {"raster"}:
        return True
    looks_like_file = "/" in value or "\\" in value or "." in Path(value).name
    return key in {"layer", "raster", "gates"} and looks_like_file


def _read_scenario_text(target: Path, shown: str) -> str:
    try:
        raw = target.read_bytes()
    except OSError as err:
        msg = f"cannot read the scenario file: {err.strerror}"
        raise ScenarioError(Problem(msg, file=shown), file=shown) from err
    if len(raw) > MAX_BYTES:
        msg = f"the file is larger than {MAX_BYTES // 1000} kB; a scenario is a page of YAML"
        raise ScenarioError(Problem(msg, file=shown), file=shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        msg = f"the file is not UTF-8 text (byte {err.start}); save it as UTF-8"
        raise ScenarioError(Problem(msg, file=shown), file=shown) from err


def _resolve_base(ref: Any, directory: Path, marks: Marks, file: str | None) -> Path:
    if not isinstance(ref, str) or not ref.strip():
        msg = "`extends` takes a file path or the name of a bundled scenario"
        raise ScenarioError(_problem_at(msg, ("extends",), marks, file), file=file)
    local = directory / ref
    if local.is_file():
        return local.resolve()
    bundled = _bundled_scenario(ref)
    if bundled is not None:
        return bundled.resolve()
    names = sorted(p.stem for p in bundled_scenarios_dir().glob("*.yaml"))
    msg = (
        f"cannot find the scenario {ref!r} to extend (looked for {str(local)!r} and for a "
        f"bundled scenario){_did_you_mean(ref, names)}; bundled: {', '.join(names)}"
    )
    raise ScenarioError(_problem_at(msg, ("extends",), marks, file), file=file)


def _with_bases(
    data: Any,
    marks: Marks,
    *,
    directory: Path,
    file: str | None,
    chain: tuple[Path, ...],
    roots: tuple[Path, ...],
) -> tuple[Any, Marks, tuple[Path, ...]]:
    """Merge the scenarios ``data`` extends into it; return the document, marks and lineage."""
    if not isinstance(data, dict) or "extends" not in data:
        return data, marks, ()
    base_path = _resolve_base(data["extends"], directory, marks, file)
    if not _inside(base_path, roots):
        msg = _outside_message(str(data["extends"]), base_path, roots)
        raise ScenarioError(_problem_at(msg, ("extends",), marks, file), file=file)
    if base_path in chain or len(chain) >= MAX_EXTENDS:
        cycle = " -> ".join(str(p) for p in (*chain, base_path))
        why = "a cycle" if base_path in chain else f"more than {MAX_EXTENDS} levels"
        msg = f"`extends` makes {why}: {cycle}"
        raise ScenarioError(_problem_at(msg, ("extends",), marks, file), file=file)
    base_file = str(base_path)
    base, base_marks = _load_yaml(_read_scenario_text(base_path, base_file), file=base_file)
    base, base_marks, lineage = _with_bases(
        base,
        base_marks,
        directory=base_path.parent,
        file=base_file,
        chain=(*chain, base_path),
        roots=(*roots, base_path.parent),
    )
    if not isinstance(base, dict):
        msg = f"the scenario it extends, {base_file!r}, is not a mapping of keys"
        raise ScenarioError(_problem_at(msg, ("extends",), marks, file), file=file)
    _rebase_paths(base, base_path.parent, directory)
    base.pop("extends", None)
    merged_marks: Marks = {}
    problems: list[Problem] = []
    merger = _Merger(base_marks, marks, merged_marks, problems, file)
    merged = merger.merge(base, data, (), (), ())
    if problems:
        raise ScenarioError(problems, file=file)
    return merged, merged_marks, (base_path, *lineage)


def _rebase_paths(node: Any, base_dir: Path, new_dir: Path) -> None:
    """Make the base's relative file paths point at the same files from ``new_dir``."""
    if base_dir == new_dir:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _PATH_KEYS and isinstance(value, str) and not Path(value).is_absolute():
                target = base_dir / value
                if target.exists() or key == "cache_dir":
                    node[key] = str(target.resolve())
            else:
                _rebase_paths(value, base_dir, new_dir)
    elif isinstance(node, list):
        for item in node:
            _rebase_paths(item, base_dir, new_dir)


def item_key(item: Mapping[str, Any]) -> str | None:
    """Return the stable key of a criterion or constraint: what variants merge it by.

    A criterion's key is its ``name`` (an identifier); a constraint's is its ``id``, or its
    ``name`` when that is one plain text. A label given per language (``{en: ..., vi: ...}``)
    is for readers and may change between variants, so it is never a key.

    Examples
    --------
    >>> item_key({"name": "port_time"}), item_key({"id": "flood", "name": {"en": "Flood"}})
    ('port_time', 'flood')
    >>> item_key({"name": {"en": "Flood", "vi": "Lũ"}}) is None
    True
    """
    for key in ("id", "name"):
        value = item.get(key)
        if isinstance(value, str):
            return value
    return None


def _named_items(items: Any) -> bool:
    return (
        isinstance(items, list)
        and bool(items)
        and all(isinstance(i, dict) and item_key(i) is not None for i in items)
    )


def _unkeyed_labels(items: Any) -> list[int]:
    """Return the positions of list items labelled per language but without an ``id``."""
    if not isinstance(items, list):
        return []
    return [
        j
        for j, i in enumerate(items)
        if isinstance(i, dict) and item_key(i) is None and isinstance(i.get("name"), dict)
    ]


@dataclass
class _Merger:
    """Merge a scenario into the one it extends, carrying each value's source position."""

    base_marks: Marks
    child_marks: Marks
    out: Marks
    problems: list[Problem]
    file: str | None

    def copy(self, marks: Marks, src: tuple[str | int, ...], dst: tuple[str | int, ...]) -> None:
        n = len(src)
        for path, mark in marks.items():
            if path[:n] == src:
                self.out[dst + path[n:]] = mark

    def merge(
        self,
        base: Any,
        child: Any,
        bp: tuple[str | int, ...],
        cp: tuple[str | int, ...],
        op: tuple[str | int, ...],
    ) -> Any:
        if isinstance(base, dict) and isinstance(child, dict):
            replaced = any(
                k in base and k in child and base[k] != child[k] for k in _DISCRIMINATORS
            ) or any(
                key in child and key not in base and other in base and other not in child
                for key, other in _ALTERNATIVES
            )
            if not replaced:
                return self.mapping(base, child, bp, cp, op)
        if _named_items(base) and _named_items(child):
            return self.named_list(base, child, bp, cp, op)
        if isinstance(base, list) and isinstance(child, list) and base and child:
            self.unkeyed(base, child, bp, cp)
        self.copy(self.child_marks, cp, op)
        return child

    def unkeyed(
        self,
        base: list[Any],
        child: list[Any],
        bp: tuple[str | int, ...],
        cp: tuple[str | int, ...],
    ) -> None:
        """Refuse to replace a list silently because its labels are given per language."""
        keyed = [_named_items([i]) or bool(_unkeyed_labels([i])) for i in (*base, *child)]
        if not all(keyed):
            return  # a list of unnamed items: the child's replaces the base's, as documented
        for side, items, path, marks, file in (
            ("the extended scenario", base, bp, self.base_marks, None),
            ("this scenario", child, cp, self.child_marks, self.file),
        ):
            for j in _unkeyed_labels(items):
                msg = (
                    f"{'.'.join(map(str, path))}[{j}] in {side} has its `name` per language "
                    "but no `id`: variants merge these items by a stable key, not by a label "
                    "that may be translated; give it one, e.g. `id: flood_zone`, in both files"
                )
                self.problems.append(_problem_at(msg, (*path, j, "name"), marks, file))

    def mapping(
        self,
        base: dict[str, Any],
        child: dict[str, Any],
        bp: tuple[str | int, ...],
        cp: tuple[str | int, ...],
        op: tuple[str | int, ...],
    ) -> dict[str, Any]:
        mark = self.child_marks.get(cp) or self.base_marks.get(bp)
        if mark:
            self.out[op] = mark
        result: dict[str, Any] = {}
        for key, value in base.items():
            if key in child:
                result[key] = self.merge(value, child[key], (*bp, key), (*cp, key), (*op, key))
            else:
                result[key] = value
                self.copy(self.base_marks, (*bp, key), (*op, key))
        for key, value in child.items():
            if key not in base:
                result[key] = value
                self.copy(self.child_marks, (*cp, key), (*op, key))
        return result

    def named_list(
        self,
        base: list[dict[str, Any]],
        child: list[dict[str, Any]],
        bp: tuple[str | int, ...],
        cp: tuple[str | int, ...],
        op: tuple[str | int, ...],
    ) -> list[Any]:
        mark = self.child_marks.get(cp) or self.base_marks.get(bp)
        if mark:
            self.out[op] = mark
        overrides = {item_key(item): (j, item) for j, item in enumerate(child)}
        known = {item_key(item) for item in base}
        result: list[Any] = []
        for i, item in enumerate(base):
            if item_key(item) not in overrides:
                self.copy(self.base_marks, (*bp, i), (*op, len(result)))
                result.append(item)
                continue
            j, override = overrides[item_key(item)]
            if override.get("remove") is True:
                continue
            override = {k: v for k, v in override.items() if k != "remove"}
            result.append(self.merge(item, override, (*bp, i), (*cp, j), (*op, len(result))))
        for j, item in enumerate(child):
            key = item_key(item)
            if key in known:
                continue
            if "remove" in item:
                names = sorted(k for k in known if k is not None)
                where = _problem_at(
                    f"`remove`: the extended scenario has no item named {key!r}"
                    f"{_did_you_mean(str(key), names)}",
                    (*cp, j, "remove"),
                    self.child_marks,
                    self.file,
                )
                self.problems.append(where)
                continue
            self.copy(self.child_marks, (*cp, j), (*op, len(result)))
            result.append(item)
        return result


def scenario_from_yaml(
    text: str,
    *,
    source: str | Path | None = None,
    allowed_roots: Sequence[str | Path] | None = None,
) -> Scenario:
    """Parse and validate a scenario from YAML text.

    Parameters
    ----------
    text
        The YAML document.
    source
        The file it came from; relative paths in the scenario resolve against its directory
        (the working directory if omitted).
    allowed_roots
        Folders the scenario's files (layers, rasters, road files, the scenarios it extends)
        must lie in. By default: the scenario's folder, the working directory and geosite's
        bundled data. Pass ``["/"]`` to allow any path.

    Raises
    ------
    ScenarioError
        Listing every problem with its line, column and key path.
    """
    file = str(source) if source is not None else None
    path = Path(source).resolve() if source is not None else None
    directory = path.parent if path is not None else Path.cwd()
    roots = _roots(allowed_roots, directory)
    data, marks = _load_yaml(text, file=file)
    data, marks, lineage = _with_bases(
        data,
        marks,
        directory=directory,
        file=file,
        chain=(path,) if path is not None else (),
        roots=roots,
    )
    # The files of a scenario this one may extend may be read too.
    roots = (*roots, *(base.parent for base in lineage))
    scenario = _validate(data, marks, file=file, source=path, roots=roots)
    scenario._lineage = lineage  # noqa: SLF001 - set once, before the object escapes
    return scenario


def scenario_from_dict(
    data: Mapping[str, Any],
    *,
    base_dir: str | Path | None = None,
    allowed_roots: Sequence[str | Path] | None = None,
) -> Scenario:
    """Validate a scenario given as a Python mapping (the same keys as the YAML file).

    Parameters
    ----------
    data
        The scenario document (``extends`` is not followed here; use a file for variants).
    base_dir
        Directory relative paths resolve against (the working directory if omitted).
    allowed_roots
        Folders files may lie in (see :func:`scenario_from_yaml`).
    """
    directory = Path(base_dir).resolve() if base_dir is not None else Path.cwd()
    source = directory / "<dict>" if base_dir is not None else None
    roots = _roots(allowed_roots, directory)
    return _validate(dict(data), {}, file=None, source=source, roots=roots)


def load_scenario(
    path: str | Path | Mapping[str, Any], *, allowed_roots: Sequence[str | Path] | None = None
) -> Scenario:
    """Read and validate a scenario file (or a scenario written as a Python mapping).

    Parameters
    ----------
    path
        The YAML file. A bare name such as ``"dong-nam-bo"`` that is not a file names a
        scenario bundled with geosite. A mapping (the keys of the YAML file) is validated as
        :func:`scenario_from_dict` does, relative paths resolving against the working
        directory.
    allowed_roots
        Folders the scenario's files must lie in: by default the scenario's folder, the
        working directory and geosite's bundled data (see :func:`scenario_from_yaml`).

    Raises
    ------
    ScenarioError
        If the file does not exist, is not valid YAML, or does not validate; every problem is
        listed with its line and column.

    Examples
    --------
    >>> scenario = load_scenario("dong-nam-bo")
    >>> scenario.criterion_names[:2]
    ['port_truck_time', 'long_thanh_airport_time']
    """
    if isinstance(path, Mapping):
        return scenario_from_dict(path, allowed_roots=allowed_roots)
    if not isinstance(path, str | os.PathLike):
        msg = (
            f"a scenario is a file path, a bundled scenario's name or a mapping, not a "
            f"{type(path).__name__}"
        )
        raise ScenarioError(msg)
    target = Path(path)
    if not target.exists():
        bundled = _bundled_scenario(str(path))
        if bundled is None:
            msg = f"scenario file {str(path)!r} does not exist"
            raise ScenarioError(Problem(msg, file=str(path)), file=str(path))
        target = bundled
    text = _read_scenario_text(target, str(path))
    return scenario_from_yaml(text, source=target, allowed_roots=allowed_roots)


def bundled_scenarios_dir() -> Path:
    """Return the directory of the scenarios shipped with geosite."""
    from importlib.resources import files  # noqa: PLC0415

    installed = Path(str(files("geosite"))) / "_bundled" / "scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parent.parent / "scenarios"


def _bundled_scenario(name: str) -> Path | None:
    if "/" in name or "\\" in name:
        return None
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    candidate = bundled_scenarios_dir() / f"{stem}.yaml"
    return candidate if candidate.is_file() else None


def scenario_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the scenario format (for editor completion)."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"geosite scenario, format version {FORMAT_VERSION}"
    return schema


@functools.cache
def _schema() -> dict[str, Any]:
    """Return the scenario's JSON Schema, built when a problem first needs it (it is slow)."""
    return Scenario.model_json_schema()


ScenarioLike = Annotated[Scenario | str | Path, "A scenario or the path of a scenario file"]
