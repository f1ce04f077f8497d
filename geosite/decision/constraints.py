"""Hard constraints: rules that exclude candidates whatever their score.

Excluded candidates stay in the result, unranked, with every constraint that excluded them
listed in ``exclusion_reason``. ``force_include`` overrides exclusions for named candidates
(and says so in the table).
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from geosite.errors import LayerError
from geosite.i18n import (
    LANGUAGES,
    LocalizedText,
    ScenarioText,
    key_name,
    layer_name,
    localized,
    phrase,
)
from geosite.tolerance import at_least, at_most, narrow, widen
from geosite.types import Scalar, Where

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import numpy.typing as npt

    from geosite.measures.base import MeasureContext

__all__ = [
    "AttributeConstraint",
    "ConstraintOutcome",
    "ConstraintSpec",
    "CriterionConstraint",
    "ForceInclude",
    "InsideConstraint",
    "MaxAreaConstraint",
    "MinAreaConstraint",
    "OutsideConstraint",
]

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class ConstraintOutcome:
    """Which candidates a constraint excludes, and why (one reason per excluded candidate)."""

    excluded: npt.NDArray[np.bool_]
    reasons: list[str | None]


class _Constraint(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None = Field(
        None,
        min_length=1,
        description="Stable key of the constraint: a variant (`extends:`) changes or removes "
        "it by this key. Needed when `name` is given per language.",
    )
    name: ScenarioText | None = Field(
        None,
        description="Short label used in exclusion reasons: a text, or one per language.",
    )

    def label(self) -> str:
        """Return the label used in exclusion reasons."""
        return self.name or self.describe()

    def describe(self) -> str:
        """Return a plain-language statement of the rule."""
        raise NotImplementedError

    def layers_used(self) -> list[str]:
        """Return the layers this constraint reads."""
        return []

    def prepare(self, ctx: MeasureContext) -> None:
        """Check, before any heavy work, everything :meth:`evaluate` would refuse.

        The constraint's part of :func:`geosite.analysis.preflight` (run by ``geosite
        validate`` and by :func:`geosite.evaluate`), as
        :meth:`geosite.measures.base.MeasureSpec.prepare` is a measure's. The default reads
        every layer of :meth:`layers_used` with the constraint's ``where``.

        Raises
        ------
        GeositeError
            Naming the layer, column or key at fault.
        """
        for name in self.layers_used():
            ctx.load_layer(name, getattr(self, "where", None))

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Return which candidates the constraint excludes (after :meth:`prepare` passed)."""
        raise NotImplementedError


def _outcome(excluded: npt.NDArray[np.bool_], reason: Callable[[int], str]) -> ConstraintOutcome:
    return ConstraintOutcome(
        excluded=excluded,
        reasons=[reason(i) if bad else None for i, bad in enumerate(excluded)],
    )


def _area_ha(ctx: MeasureContext) -> npt.NDArray[np.float64]:
    """Return each candidate's area in hectares, in the metric analysis CRS."""
    return np.asarray(ctx.candidates.geometry.area) / 1e4


class MinAreaConstraint(_Constraint):
    """Exclude parcels smaller than ``min_ha`` hectares (area in the metric analysis CRS)."""

    type: Literal["min_area"]
    min_ha: float = Field(gt=0, description="Smallest acceptable parcel area, hectares.")

    def describe(self) -> str:
        """Return the rule in words."""
        return phrase("rule.min_area", limit=self.min_ha)

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude parcels below the minimum area."""
        area = _area_ha(ctx)
        return _outcome(
            ~at_least(area, self.min_ha),
            lambda i: phrase("reason.min_area", area=float(area[i]), limit=self.min_ha),
        )


class MaxAreaConstraint(_Constraint):
    """Exclude parcels larger than ``max_ha`` hectares."""

    type: Literal["max_area"]
    max_ha: float = Field(gt=0, description="Largest acceptable parcel area, hectares.")

    def describe(self) -> str:
        """Return the rule in words."""
        return phrase("rule.max_area", limit=self.max_ha)

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude parcels above the maximum area."""
        area = _area_ha(ctx)
        return _outcome(
            ~at_most(area, self.max_ha),
            lambda i: phrase("reason.max_area", area=float(area[i]), limit=self.max_ha),
        )


def _zone(ctx: MeasureContext, layer: str, where: Where | None, buffer_m: float = 0.0) -> Any:
    """Return the union of a layer's features grown by ``buffer_m``, prepared for tests."""
    # The whole source layer is buffered, so a feature just outside the study area still counts.
    features = ctx.load_layer(layer, where)
    zone = shapely.union_all(np.asarray(features.geometry.array))
    if buffer_m > 0:
        zone = shapely.buffer(zone, buffer_m)
    shapely.prepare(zone)
    return zone


def _near(ctx: MeasureContext, layer: str, where: Where | None, distance_m: float) -> Any:
    """Return which candidates lie within ``distance_m`` of a layer, edge to edge.

    Measured as a distance, not against a buffered polygon (whose arcs are chords), and
    compared through :mod:`geosite.tolerance`: a parcel exactly ``distance_m`` away is within.
    """
    zone = _zone(ctx, layer, where)
    geoms = np.asarray(ctx.candidates.geometry.array)
    return np.asarray(shapely.dwithin(geoms, zone, widen(distance_m)), dtype=bool)


class InsideConstraint(_Constraint):
    """Exclude parcels that are not inside a layer (optionally grown by ``buffer_m``).

    ``predicate: intersects`` (default) keeps parcels that touch the zone at all;
    ``predicate: within`` keeps only parcels entirely inside it.
    """

    type: Literal["inside"]
    layer: str
    where: Where | None = None
    buffer_m: float = Field(0.0, ge=0, description="Grow the layer's features by this many metres.")
    predicate: Literal["intersects", "within"] = "intersects"

    def describe(self) -> str:
        """Return the rule in words."""
        zone = (
            phrase("rule.buffer", buffer=self.buffer_m, layer=layer_name(self.layer))
            if self.buffer_m
            else layer_name(self.layer)
        )
        return phrase("rule.inside" if self.predicate == "within" else "rule.touching", zone=zone)

    def layers_used(self) -> list[str]:
        """Return the zone layer."""
        return [self.layer]

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude parcels outside the zone."""
        if self.predicate == "within":
            zone = _zone(ctx, self.layer, self.where, self.buffer_m)
            ok = shapely.within(np.asarray(ctx.candidates.geometry.array), zone)
        else:
            ok = _near(ctx, self.layer, self.where, self.buffer_m)
        return _outcome(~np.asarray(ok), lambda _i: phrase("reason.not_rule", rule=self.describe()))


class OutsideConstraint(_Constraint):
    """Exclude parcels that touch a layer grown by ``buffer_m`` (flood zones, protected areas)."""

    type: Literal["outside"]
    layer: str
    where: Where | None = None
    buffer_m: float = Field(
        0.0, ge=0, description="Keep parcels at least this far from the layer, metres."
    )

    def describe(self) -> str:
        """Return the rule in words."""
        if self.buffer_m:
            return phrase("rule.away", buffer=self.buffer_m, layer=layer_name(self.layer))
        return phrase("rule.outside", layer=layer_name(self.layer))

    def layers_used(self) -> list[str]:
        """Return the zone layer."""
        return [self.layer]

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude parcels that touch the zone or lie closer to it than ``buffer_m``."""
        # Measured as a distance, not against a buffered polygon (whose arcs are chords), and
        # through geosite.tolerance: a parcel exactly buffer_m away is far enough.
        zone = _zone(ctx, self.layer, self.where)
        geoms = np.asarray(ctx.candidates.geometry.array)
        hit = np.asarray(
            shapely.dwithin(geoms, zone, narrow(self.buffer_m))
            if self.buffer_m > 0
            else shapely.intersects(geoms, zone),
            dtype=bool,
        )
        return _outcome(hit, lambda _i: phrase("reason.not_rule", rule=self.describe()))


class AttributeConstraint(_Constraint):
    """Exclude candidates whose attribute fails a comparison, e.g. ``status != cancelled``."""

    type: Literal["attribute"]
    column: str
    op: Literal["<", "<=", ">", ">=", "==", "!=", "in", "not_in"]
    value: Scalar | list[Scalar]

    @model_validator(mode="after")
    def _value_matches_op(self) -> AttributeConstraint:
        if self.op in {"in", "not_in"} and not isinstance(self.value, list):
            msg = f"op {self.op!r} needs a list value, e.g. value: [a, b]"
            raise ValueError(msg)
        if self.op not in {"in", "not_in"} and isinstance(self.value, list):
            msg = f"op {self.op!r} compares with one value, not a list; use op: in"
            raise ValueError(msg)
        return self

    def describe(self) -> str:
        """Return the rule in words."""
        return phrase(
            "rule.compare", column=key_name(self.column), op=self.op, value=repr(self.value)
        )

    def prepare(self, ctx: MeasureContext) -> None:
        """Refuse a column the candidates do not have."""
        table = ctx.candidates
        if self.column not in table.columns:
            columns = [c for c in table.columns if c != table.geometry.name]
            msg = (
                f"constraint {self.label()!r}: the candidates have no column "
                f"{self.column!r}; they have {columns}"
            )
            raise LayerError(msg)

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude candidates whose attribute fails the test."""
        self.prepare(ctx)  # cheap, and keeps a direct call as safe as the pipeline
        values = ctx.candidates[self.column]
        if self.op == "in":
            ok = values.isin(list(self.value) if isinstance(self.value, list) else [self.value])
        elif self.op == "not_in":
            ok = ~values.isin(list(self.value) if isinstance(self.value, list) else [self.value])
        else:
            ok = _OPS[self.op](values, self.value).fillna(value=False)
        arr = values.to_numpy()
        return _outcome(
            ~ok.to_numpy(dtype=bool),
            lambda i: phrase(
                "reason.fails",
                column=key_name(self.column),
                value=repr(arr[i]),
                rule=self.describe(),
            ),
        )


class CriterionConstraint(_Constraint):
    """Exclude candidates whose raw value of a criterion is outside ``[min, max]``."""

    type: Literal["criterion"]
    criterion: str = Field(description="Name of a criterion of the scenario.")
    min: float | None = None
    max: float | None = None
    # The criterion's label, set by the scenario: a rule reads it in other languages.
    _title: str | None = PrivateAttr(default=None)

    def name_criterion(self, title: str) -> None:
        """Give the criterion's label (a text or one per language), for rules in words."""
        self._title = title

    def _criterion(self) -> LocalizedText:
        """Name the criterion: its key in English, its label (else words) elsewhere."""
        if self._title is None:
            return key_name(self.criterion)
        texts: dict[str, str] = {lang: localized(self._title, lang) for lang in LANGUAGES}
        return LocalizedText(self.criterion, texts | {"en": self.criterion})

    @model_validator(mode="after")
    def _bounds(self) -> CriterionConstraint:
        if self.min is None and self.max is None:
            msg = "give `min`, `max` or both"
            raise ValueError(msg)
        if self.min is not None and self.max is not None and self.min > self.max:
            msg = f"min ({self.min}) is greater than max ({self.max}); swap them"
            raise ValueError(msg)
        return self

    def describe(self) -> str:
        """Return the rule in words."""
        parts = []
        if self.min is not None:
            parts.append(phrase("rule.at_least", limit=self.min))
        if self.max is not None:
            parts.append(phrase("rule.at_most", limit=self.max))
        bounds = parts[0]
        if len(parts) == 2:
            bounds = phrase("rule.both", first=parts[0], second=parts[1])
        return phrase("rule.bounded", criterion=self._criterion(), bounds=bounds)

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude candidates outside the bounds (unmeasured values are left to the pipeline)."""
        values = raw[self.criterion]
        known = ~np.isnan(values)
        bad = np.zeros(len(values), dtype=bool)
        if self.min is not None:
            bad |= known & ~at_least(values, self.min)
        if self.max is not None:
            bad |= known & ~at_most(values, self.max)
        return _outcome(
            bad,
            lambda i: phrase(
                "reason.criterion_fails",
                criterion=self._criterion(),
                value=float(values[i]),
                rule=self.describe(),
            ),
        )


class ForceInclude(_Constraint):
    """Keep the named candidates whatever the other constraints say (reported in the table)."""

    type: Literal["force_include"]
    ids: list[Scalar] = Field(min_length=1, description="Ids of candidates to keep.")

    def describe(self) -> str:
        """Return the rule in words."""
        return phrase("rule.force_include", ids=repr(self.ids))

    def evaluate(
        self, ctx: MeasureContext, raw: Mapping[str, npt.NDArray[np.float64]]
    ) -> ConstraintOutcome:
        """Exclude nothing; the pipeline applies the override."""
        return ConstraintOutcome(
            np.zeros(len(ctx.candidates), dtype=bool), [None] * len(ctx.candidates)
        )


ConstraintSpec = Annotated[
    MinAreaConstraint
    | MaxAreaConstraint
    | InsideConstraint
    | OutsideConstraint
    | AttributeConstraint
    | CriterionConstraint
    | ForceInclude,
    Field(discriminator="type"),
]
