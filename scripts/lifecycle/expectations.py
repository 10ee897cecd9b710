"""The Great Expectations suites of the public metric marts, kept as code.

One suite per mart in `models/marts/lifecycle/`. Generic rules come from column names and
database types; what cannot be derived is declared once, per mart, in `MARTS`:

- grain: the columns that identify a row (unique together; not null unless declared);
- month column: its values lie in the month spine (first to last month of the staged data);
  `complete_months` marts hold every month of the spine;
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


@dataclass(frozen=True)
class MartSpec:
    name: str
    grain: tuple[str, ...]
    month_column: str | None = "report_month"
    complete_months: bool = False
    nullable_grain: Mapping[str, str] = field(default_factory=dict)   # column -> why it may be null
    exceptions: Mapping[str, Bounds | Difference] = field(default_factory=dict)  # fnmatch pattern -> bounds
    row_count: Callable[[Facts], RowCount] | None = None
    # (row filter column, value, column to sum, expected sum from facts, reason)
    sums: tuple[tuple[str, str, str, Callable[[Facts], int], str], ...] = ()


SCORES_ARE_SIGNED = Bounds(None, None, "lead scores have no range in the export contract and may be negative")
RATIO_OF_COUNTS = Bounds(0, None, "a ratio of two non-negative quantities; it may exceed 1")
ROI = Bounds(-1, None, "(bookings - cost) / cost with bookings >= 0 and cost > 0: at least -1, no upper bound")
SEGMENT_TYPES = ("industry", "size_band", "survey")

MARTS: tuple[MartSpec, ...] = (
    MartSpec("attract_monthly", ("report_month",), complete_months=True, row_count=_months),
    MartSpec(
        "capture_monthly", ("report_month",), complete_months=True, row_count=_months,
        exceptions={"capture_rate": Bounds(0, None, "new_known_persons / unique_visitors: persons identified "
                                                    "by an email event need no page view, so it may exceed 1")},
    ),
    MartSpec("nurture_monthly", ("report_month",), complete_months=True, row_count=_months),
    MartSpec("convert_monthly", ("report_month",), complete_months=True, row_count=_months),
    MartSpec("expand_monthly", ("report_month",), complete_months=True, row_count=_months),
    MartSpec(
        "lifecycle_kpis_monthly", ("report_month",), complete_months=True, row_count=_months,
        exceptions={
            "*_mom_change": DIFFERENCE,
            "*_qtd_pacing": Bounds(0, None, "quarter to date / previous quarter to date: a quarter may "
                                            "outpace the previous one"),
        },
    ),
    MartSpec(
        "channel_performance", ("channel", "report_month"), complete_months=True,
        row_count=lambda f: RowCount(len(f.months) * f.channels, len(f.months) * f.channels,
                                     "every canonical channel (channel_mapping + 'other') x every month"),
        exceptions={
            "channel_capture_rate": Bounds(0, None, "captured_persons / unique_visitors of the channel: a person "
                                                    "may be identified on a form submit without a page view"),
            "channel_roi": ROI,
        },
    ),
    MartSpec(
        "email_program_performance", ("campaign_id", "email_id", "report_month"),
        nullable_grain={"campaign_id": "email events may carry no campaign id (optional in the contract)",
                        "email_id": "email events may carry no email id (optional in the contract)"},
        row_count=lambda f: RowCount(0, f.email_send_groups,
                                     "at most one row per (campaign, email, month) of staged email events"),
    ),
    MartSpec(
        "campaign_roi", ("campaign_id", "report_month"),
        row_count=lambda f: RowCount(0, f.campaigns * len(f.months),
                                     "at most every staged campaign id x every month"),
        exceptions={"campaign_roi": ROI, "campaign_roi_ytd": ROI},
    ),
    MartSpec(
        "funnel_cohorts", ("cohort_month",), month_column="cohort_month", complete_months=True,
        row_count=_months,
    ),
    MartSpec(
        "lead_score_profile", ("cohort_month", "score_band"), month_column="cohort_month",
        complete_months=True,
        row_count=lambda f: RowCount(len(f.months) * f.score_bands, len(f.months) * f.score_bands,
                                     "every month x every band of var score_bands"),
        exceptions={"cohort_*_score": SCORES_ARE_SIGNED, "band_lower": SCORES_ARE_SIGNED,
                    "band_upper": SCORES_ARE_SIGNED},
    ),
    MartSpec(
        "score_activity_lift", ("score_reason",), month_column=None,
        row_count=lambda f: RowCount(f.score_reasons, f.score_reasons,
                                     "one row per distinct staged score change reason"),
        exceptions={"mean_score_delta": Bounds(None, None, "score changes may remove points")},
    ),
    MartSpec(
        "cta_performance", ("asset_id", "industry", "job_level", "report_month"),
        nullable_grain={"asset_id": "web activities may carry no asset id (optional in the contract)"},
    ),
    MartSpec(
        "content_performance", ("asset_id", "report_month"),
        nullable_grain={"asset_id": "web activities may carry no asset id (optional in the contract)"},
        row_count=lambda f: RowCount(0, f.content_asset_months,
                                     "at most one row per (asset, month) of staged web activities"),
    ),
    MartSpec(
        "nps_by_segment", ("report_month", "segment_type", "segment_value"),
        sums=tuple(
            ("segment_type", segment, "responses", lambda f: f.nps_responses,
             f"each staged NPS response is counted once in the {segment} segments")
            for segment in SEGMENT_TYPES
        ),
    ),
)

MART_SPECS: Mapping[str, MartSpec] = {spec.name: spec for spec in MARTS}


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


def build_suite(
    spec: MartSpec,
    columns: Mapping[str, str],
    facts: Facts,
    documented: Sequence[str] | None = None,
) -> gx.ExpectationSuite:
    """The suite of one mart.

    columns: the mart's columns and their kind ('numeric', 'date', 'other'), from the database.
    documented: the columns of the mart's YAML; the table must have exactly these.
    """
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column, OrCondition

    expectations: list[Any] = []

    def add(expectation: Any, rule: str, notes: str | None = None) -> None:
        expectation.meta = {"rule": rule}
        if notes:
            expectation.notes = notes
        expectations.append(expectation)

    missing = [c for c in spec.grain if c not in columns]
    if missing:
        raise LifecycleError(f"{spec.name}: grain column(s) {', '.join(missing)} not in the mart")
    if documented is not None:
        add(gxe.ExpectTableColumnsToMatchSet(column_set=list(documented), exact_match=True),
            "the mart has exactly the columns documented in its YAML")

    # grain: unique and not null
    if len(spec.grain) == 1:
        add(gxe.ExpectColumnValuesToBeUnique(column=spec.grain[0]), "the grain is unique")
    else:
        add(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec.grain), ignore_row_if="never"),
            "the grain is unique")
    for column in spec.grain:
        if column in spec.nullable_grain:
            continue
        add(gxe.ExpectColumnValuesToNotBeNull(column=column), "grain columns are not null")

    # months: within the spine; complete marts hold every month of it
    if spec.month_column is not None:
        months = list(facts.months)
        span = f"{months[0]} .. {months[-1]}" if months else "no months"
        add(gxe.ExpectColumnValuesToBeInSet(column=spec.month_column, value_set=months),
            f"months lie within the month spine ({span})")
        if spec.complete_months:
            add(gxe.ExpectColumnDistinctValuesToContainSet(column=spec.month_column, value_set=months),
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
        if kind != "numeric" or column in spec.grain:
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
            raise LifecycleError(f"{spec.name}.{column}: no denominator declared in "
                                 "lifecycle.expectations.COST_DENOMINATORS")
        for needed in (denominator, COST_COLUMN):
            if needed not in columns:
                raise LifecycleError(f"{spec.name}.{column}: the mart has no {needed} column to check it against")
        is_undefined = OrCondition(conditions=[Column(denominator) == 0, Column(COST_COLUMN).is_null(),
                                               Column(COST_COLUMN) == 0])
        is_defined = (Column(denominator) != 0) & Column(COST_COLUMN).is_not_null() & (Column(COST_COLUMN) != 0)
        add(gxe.ExpectColumnValuesToBeNull(column=column, row_condition=is_undefined),
            f"{column} is null where {denominator} = 0 or {COST_COLUMN} is null or 0")
        add(gxe.ExpectColumnValuesToNotBeNull(column=column, row_condition=is_defined),
            f"{column} is not null where {denominator} <> 0 and {COST_COLUMN} is neither null nor 0")
    # built without a data context: the suite is added to one by validate.run_checkpoint
    return gx.ExpectationSuite(name=spec.name, expectations=expectations)


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isinf(value) else value
