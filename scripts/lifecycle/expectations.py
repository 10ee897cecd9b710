"""The Great Expectations suites of the public metric marts, kept as code.

One suite per mart in `models/marts/lifecycle/`. What the mart's YAML declares comes from dbt's
manifest (`Mart`, read by validate.read_marts), so a new mart or column needs no change here:

- columns and their data types: the table has exactly these columns;
- grain: the columns of its `unique` test (a column's, or the model's over an expression such as
  `concat(channel, '|', report_month)`): unique together; not null unless a column has no
  `not_null` test;
- month columns: the grain's `date` columns; their values lie in the month spine (first to last
  month of the staged data).

Generic rules come from column names and data types; what cannot be derived is declared once, per
mart, in `MART_SPECS` (a mart without an entry gets the generic rules only):

- `complete_months`: the mart holds every month of the spine;
- row count: bounds derived from the staging inputs (`Facts`);
- exceptions: columns whose bounds differ from the generic rule, each with its reason.

Generic value rules, first match wins:
1. the mart's declared exceptions (fnmatch patterns);
2. `nps`: within [-100, 100];
3. a column with a `rate` or `share` word (`open_rate`, `upsell_share_ttm`,
   `cohort_share_at_or_above_mql_threshold`): within [0, 1];
4. any other numeric column (counts, amounts, costs, days): >= 0.

`cost_per_<x>` is null exactly when its denominator (`COST_DENOMINATORS`) is 0 or the cost is null or 0.

This module builds suites only; `validate.py` reads the marts and runs the checkpoint.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from .errors import LifecycleError

if TYPE_CHECKING:
    import great_expectations as gx


@dataclass(frozen=True)
class Bounds:
    """Inclusive value bounds of a column (None = unbounded on that side), and why."""

    min: float | None
    max: float | None
    reason: str

    def describe(self) -> str:
        if self.max is None:
            return f">= {self.min:g}"
        if self.min is None:
            return f"<= {self.max:g}"
        return f"within [{self.min:g}, {self.max:g}]"


class Difference:
    """Marker: the column is the difference of two values of its base column (`<base>_mom_change`)."""


DIFFERENCE = Difference()

RATE = Bounds(0, 1, "a rate or share is a fraction")
NPS = Bounds(-100, 100, "NPS is (promoters - detractors) / responses x 100")
NON_NEGATIVE = Bounds(0, None, "counts, amounts, costs and durations are never negative")
UNBOUNDED = Bounds(None, None, "")

RATE_WORDS = frozenset({"rate", "share"})

# cost_per_<x> = COST_COLUMN / denominator: null exactly when the denominator is 0 or the cost is null or 0
COST_COLUMN = "marketing_cost"
COST_DENOMINATORS: Mapping[str, str] = {
    "cost_per_mql": "mqls",
    "cost_per_sql": "sqls",
    "cost_per_new_customer": "new_customers",
    "cost_per_lead": "leads",
}


@dataclass(frozen=True)
class Facts:
    """What the staging inputs say the marts must look like (read by validate.read_facts)."""

    months: tuple[str, ...]          # the spine: every month (ISO first day) from the first to the last event
    channels: int                    # canonical channels (channel_mapping seed + 'other')
    score_bands: int                 # bands of var score_bands
    email_send_groups: int           # distinct (campaign, email, month) of email events with a send id
    campaigns: int                   # distinct campaign ids in campaigns, spend and opportunities
    content_asset_months: int        # distinct (asset, month) of web activities
    score_reasons: int               # distinct score change reasons ('unknown' for none)
    nps_responses: int               # staged NPS responses


@dataclass(frozen=True)
class RowCount:
    min: int | None
    max: int | None
    reason: str


def _months(facts: Facts) -> RowCount:
    return RowCount(len(facts.months), len(facts.months),
                    "one row per month from the first to the last month of staged events")


def _periods(facts: Facts) -> RowCount:
    quarters = {(month[:4], (int(month[5:7]) - 1) // 3) for month in facts.months}
    years = {month[:4] for month in facts.months}
    count = len(quarters) + len(years)
    return RowCount(count, count, "one row per calendar quarter and per calendar year the month spine touches")


@dataclass(frozen=True)
class Mart:
    """A mart as its YAML declares it (from dbt's manifest: validate.read_marts)."""

    name: str
    columns: Mapping[str, str]  # column -> kind ('numeric', 'date', 'other'), in the YAML's order
    grain: tuple[str, ...]  # the columns of its unique test
    nullable: frozenset[str] = frozenset()  # grain columns without a not_null test

    @property
    def month_columns(self) -> tuple[str, ...]:
        return tuple(column for column in self.grain if self.columns[column] == "date")


@dataclass(frozen=True)
class MartSpec:
    """What a mart's YAML cannot say: the month spine it must fill, row counts, sums, exceptions."""

    complete_months: bool = False
    exceptions: Mapping[str, Bounds | Difference] = field(default_factory=dict)  # fnmatch pattern -> bounds
    row_count: Callable[[Facts], RowCount] | None = None
    # (row filter column, value, column to sum, expected sum from facts, reason)
    sums: tuple[tuple[str, str, str, Callable[[Facts], int], str], ...] = ()


SCORES_ARE_SIGNED = Bounds(None, None, "lead scores have no range in the export contract and may be negative")
RATIO_OF_COUNTS = Bounds(0, None, "a ratio of two non-negative quantities; it may exceed 1")
ROI = Bounds(-1, None, "(bookings - cost) / cost with bookings >= 0 and cost > 0: at least -1, no upper bound")
SEGMENT_TYPES = ("industry", "size_band", "survey")

MART_SPECS: Mapping[str, MartSpec] = {
    "attract_monthly": MartSpec(complete_months=True, row_count=_months),
    "capture_monthly": MartSpec(
        complete_months=True, row_count=_months,
        exceptions={"capture_rate": Bounds(0, None, "new_known_persons / unique_visitors: persons identified "
                                                    "by an email event need no page view, so it may exceed 1")},
    ),
    "nurture_monthly": MartSpec(complete_months=True, row_count=_months),
    "convert_monthly": MartSpec(complete_months=True, row_count=_months),
    "expand_monthly": MartSpec(complete_months=True, row_count=_months),
    "lifecycle_kpis_monthly": MartSpec(
        complete_months=True, row_count=_months,
        exceptions={
            "*_mom_change": DIFFERENCE,
            "*_qtd_pacing": Bounds(0, None, "quarter to date / previous quarter to date: a quarter may "
                                            "outpace the previous one"),
        },
    ),
    "channel_performance": MartSpec(
        complete_months=True,
        row_count=lambda f: RowCount(len(f.months) * f.channels, len(f.months) * f.channels,
                                     "every canonical channel (channel_mapping + 'other') x every month"),
        exceptions={
            "channel_capture_rate": Bounds(0, None, "captured_persons / unique_visitors of the channel: a person "
                                                    "may be identified on a form submit without a page view"),
            "channel_roi": ROI,
        },
    ),
    "email_program_performance": MartSpec(
        row_count=lambda f: RowCount(0, f.email_send_groups,
                                     "at most one row per (campaign, email, month) of staged email events"),
    ),
    "campaign_roi": MartSpec(
        row_count=lambda f: RowCount(0, f.campaigns * len(f.months),
                                     "at most every staged campaign id x every month"),
        exceptions={"campaign_roi": ROI, "campaign_roi_ytd": ROI},
    ),
    "attribution_monthly": MartSpec(exceptions={"campaign_roi": ROI}),
    "churn_periodic": MartSpec(row_count=_periods),
    "program_outcomes": MartSpec(
        row_count=lambda f: RowCount(0, f.campaigns, "at most one row per staged campaign"),
        exceptions={"*_nps": NPS},
    ),
    "stall_points": MartSpec(
        row_count=lambda f: RowCount(4, 4 * (f.campaigns + 1),
                                     "lead, mql, sql and opportunity x every nurture program and 'none'"),
    ),
    "funnel_cohorts": MartSpec(complete_months=True, row_count=_months),
    "nurture_lift": MartSpec(
        complete_months=True,
        row_count=lambda f: RowCount(2 * len(f.months), 2 * len(f.months),
                                     "every month x is_nurtured (true, false)"),
    ),
    "lead_score_profile": MartSpec(
        complete_months=True,
        row_count=lambda f: RowCount(len(f.months) * f.score_bands, len(f.months) * f.score_bands,
                                     "every month x every band of var score_bands"),
        exceptions={"cohort_*_score": SCORES_ARE_SIGNED, "band_lower": SCORES_ARE_SIGNED,
                    "band_upper": SCORES_ARE_SIGNED},
    ),
    "lead_source_value": MartSpec(
        row_count=lambda f: RowCount(f.channels, f.channels, "every canonical channel (channel_mapping + 'other')"),
    ),
    "touches_to_close": MartSpec(
        row_count=lambda f: RowCount(f.channels + 1, f.channels + 1,
                                     "every canonical channel (channel_mapping + 'other') and 'all'"),
    ),
    "speed_to_lead": MartSpec(complete_months=True, row_count=_months),
    "score_activity_lift": MartSpec(
        row_count=lambda f: RowCount(f.score_reasons, f.score_reasons,
                                     "one row per distinct staged score change reason"),
        exceptions={"mean_score_delta": Bounds(None, None, "score changes may remove points")},
    ),
    "content_performance": MartSpec(
        row_count=lambda f: RowCount(0, f.content_asset_months,
                                     "at most one row per (asset, month) of staged web activities"),
    ),
    "nps_by_segment": MartSpec(
        sums=tuple(
            ("segment_type", segment, "responses", lambda f: f.nps_responses,
             f"each staged NPS response is counted once in the {segment} segments")
            for segment in SEGMENT_TYPES
        ),
    ),
}


def generic_bounds(column: str) -> Bounds:
    """The bounds of a numeric column from its name alone (rules 2-4 of the module doc)."""
    if column == "nps":
        return NPS
    if RATE_WORDS & set(column.split("_")):
        return RATE
    return NON_NEGATIVE


def column_bounds(spec: MartSpec, column: str) -> Bounds:
    """The bounds of a numeric column of `spec`'s mart: a declared exception, else the generic rule."""
    for pattern, bounds in spec.exceptions.items():
        if fnmatchcase(column, pattern):
            if isinstance(bounds, Difference):
                base = generic_bounds(re.sub(r"_mom_change$", "", column))
                if base.min is None or base.max is None:
                    return UNBOUNDED
                width = base.max - base.min
                return Bounds(-width, width, f"month-over-month change of a value {base.describe()}")
            return bounds
    return generic_bounds(column)


def unused_exceptions(spec: MartSpec, columns: Sequence[str]) -> list[str]:
    """Declared exception patterns that match no column (stale declarations)."""
    return [p for p in spec.exceptions if not any(fnmatchcase(c, p) for c in columns)]


def build_suite(mart: Mart, spec: MartSpec, facts: Facts) -> gx.ExpectationSuite:
    """The suite of one mart: what its YAML declares (`mart`), its declared rules (`spec`) and the facts."""
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column, OrCondition

    expectations: list[Any] = []

    def add(expectation: Any, rule: str, notes: str | None = None) -> None:
        expectation.meta = {"rule": rule}
        if notes:
            expectation.notes = notes
        expectations.append(expectation)

    columns = mart.columns
    add(gxe.ExpectTableColumnsToMatchSet(column_set=list(columns), exact_match=True),
        "the mart has exactly the columns documented in its YAML")

    # grain: unique and not null
    if len(mart.grain) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=mart.grain[0]), "the grain is unique")
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(mart.grain), ignore_row_if="never"),
            "the grain is unique")
    for column in mart.grain:
        if column in mart.nullable:
            continue
        add(gxe.ExpectColumnValuesToNotBeNull(column=column), "grain columns are not null")

    # months: within the spine; complete marts hold every month of it
    for month_column in mart.month_columns:
        months = list(facts.months)
        span = f"{months[0]} .. {months[-1]}" if months else "no months"
        add(gxe.ExpectColumnValuesToBeInSet(column=month_column, value_set=months),
            f"months lie within the month spine ({span})")
        if spec.complete_months:
            add(gxe.ExpectColumnDistinctValuesToContainSet(column=month_column, value_set=months),
                f"every month of the spine is present ({span})")

    # row count from the staging inputs
    if spec.row_count is not None:
        bounds = spec.row_count(facts)
        if bounds.min == bounds.max:
            add(gxe.ExpectTableRowCountToEqual(value=bounds.min), f"row count = {bounds.min}: {bounds.reason}")
        else:
            add(gxe.ExpectTableRowCountToBeBetween(min_value=bounds.min, max_value=bounds.max),
                f"row count within [{bounds.min}, {bounds.max}]: {bounds.reason}")
    for filter_column, value, column, expected, reason in spec.sums:
        total = expected(facts)
        add(gxe.ExpectColumnSumToBeBetween(column=column, min_value=total, max_value=total,
                                           row_condition=Column(filter_column) == value),
            f"sum of {column} where {filter_column} = '{value}' is {total}: {reason}")

    # values
    for column, kind in columns.items():
        if kind != "numeric" or column in mart.grain:
            continue
        bounds = column_bounds(spec, column)
        if bounds.min is None and bounds.max is None:
            continue
        exception = any(fnmatchcase(column, p) for p in spec.exceptions)
        add(gxe.ExpectColumnValuesToBeBetween(column=column, min_value=_finite(bounds.min),
                                              max_value=_finite(bounds.max)),
            f"{column} {bounds.describe()}", notes=bounds.reason if exception else None)

    # cost_per_<x> is null exactly when <x> is 0 or the cost is null or 0 (no cost recorded: unknown, not free)
    for column in columns:
        if not column.startswith("cost_per_") or column.endswith("_mom_change"):
            continue
        denominator = COST_DENOMINATORS.get(column)
        if denominator is None:
            raise LifecycleError(f"{mart.name}.{column}: no denominator declared in "
                                 "lifecycle.expectations.COST_DENOMINATORS")
        for needed in (denominator, COST_COLUMN):
            if needed not in columns:
                raise LifecycleError(f"{mart.name}.{column}: the mart has no {needed} column to check it against")
        is_undefined = OrCondition(conditions=[Column(denominator) == 0, Column(COST_COLUMN).is_null(),
                                               Column(COST_COLUMN) == 0])
        is_defined = (Column(denominator) != 0) & Column(COST_COLUMN).is_not_null() & (Column(COST_COLUMN) != 0)
        add(gxe.ExpectColumnValuesToBeNull(column=column, row_condition=is_undefined),
            f"{column} is null where {denominator} = 0 or {COST_COLUMN} is null or 0")
        add(gxe.ExpectColumnValuesToNotBeNull(column=column, row_condition=is_defined),
            f"{column} is not null where {denominator} <> 0 and {COST_COLUMN} is neither null nor 0")
    # built without a data context: the suite is added to one by validate.run_checkpoint
    return gx.ExpectationSuite(name=mart.name, expectations=expectations)


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value
