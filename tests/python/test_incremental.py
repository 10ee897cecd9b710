"""Incremental builds give the same marts as a full refresh of the same raw data.

Each scenario loads a second batch on top of a built first batch, builds incrementally, and compares
every table of `marts` and every incremental model (found with dbt's `config.materialized:incremental`
selector, intermediate ones included) row for row with a `--full-refresh` build of the same raw data:
late-arriving events with old timestamps, re-sent events (same ids, changed values, moved to other
sends, a send left without events), changed CRM rows that move events to other persons, tombstones,
a batch of only changed rows, a batch of only deletions, and an export whose months go backwards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from lifecycle import publish
from lifecycle.dbt_build import compiled_sql, dbt_invoke, incremental_models
from lifecycle.generate import generate
from lifecycle.loader import load_exports
from lifecycle.targets import target_settings

from conftest import connect_build, copy_warehouse

FACTS = {"fct_email_events": "event_id", "fct_web_activities": "activity_id"}
# incremental models outside `marts` that the selector must find (a guard on the finder, not the list compared):
# the event staging tables are compared too, so a wrong current version shows where it starts
INCREMENTAL_OUTSIDE_MARTS = {"intermediate.int_email_sends", "staging.stg_map__email_events",
                             "staging.stg_map__web_activities", "staging.stg_map__score_changes"}
REQUIRED = ("crm_accounts", "crm_leads", "crm_contacts", "crm_opportunities", "crm_campaigns",
            "crm_stage_history", "marketing_spend")
# the date column that places a row in time, per export file (for the "months go backwards" export)
TIME_COLUMNS = {
    "billing_subscriptions": "started_on", "crm_accounts": "created_at", "crm_campaign_members": "created_at",
    "crm_campaigns": "start_date", "crm_contacts": "created_at", "crm_leads": "created_at",
    "crm_opportunities": "created_at", "crm_sales_activities": "occurred_at", "crm_stage_history": "entered_at",
    "fx_rates": "rate_date", "map_email_events": "occurred_at", "map_score_changes": "occurred_at",
    "map_web_activities": "occurred_at", "marketing_spend": "spend_date", "survey_nps_responses": "responded_at",
}
HELD_BACK = "right(event_id, 1) = '3'"  # events / activities kept out of batch 1: they arrive late in batch 2
MODELS_ONLY = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", "--quiet"]


# ---------------------------------------------------------------- export folders

def _write(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> int:
    con.execute(f"copy ({sql}) to '{path}' (header, delimiter ',')")
    return con.execute(f"select count(*) from ({sql})").fetchone()[0]


def _files(folder: Path) -> dict[str, str]:
    return {p.name.removesuffix(".csv"): f"read_csv('{p}', all_varchar = true, header = true)"
            for p in sorted(folder.glob("*.csv"))}


def _header_only(con: duckdb.DuckDBPyConnection, src: dict[str, str], out: Path, names) -> None:
    for name in names:
        if not (out / f"{name}.csv").exists():
            _write(con, f"select * from {src[name]} limit 0", out / f"{name}.csv")


def _ts_minus_days(column: str, days: int) -> str:
    return f"strftime(cast({column} as timestamptz) - interval {days} day, '%Y-%m-%dT%H:%M:%SZ')"


def split_batch_one(src_dir: Path, out: Path) -> None:
    """Every file, without the held-back tenth of the email events and web activities."""
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    for name, rel in _files(src_dir).items():
        where = ""
        if name == "map_email_events":
            where = f"where not ({HELD_BACK})"
        elif name == "map_web_activities":
            where = f"where not ({HELD_BACK.replace('event_id', 'activity_id')})"
        _write(con, f"select * from {rel} {where}", out / f"{name}.csv")


def second_batch(src_dir: Path, out: Path, *, late: bool, changes: bool, deletes: bool) -> None:
    """A second export: late-arriving rows, re-sent rows with changed values, tombstones (as asked)."""
    out.mkdir(parents=True)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    src = _files(src_dir)
    ee, wa, leads = src["map_email_events"], src["map_web_activities"], src["crm_leads"]
    parts: dict[str, list[str]] = {}
    if late:  # the held-back rows, whatever their (old) timestamps
        parts.setdefault("map_email_events", []).append(f"select * from {ee} where {HELD_BACK}")
        parts.setdefault("map_web_activities", []).append(
            f"select * from {wa} where {HELD_BACK.replace('event_id', 'activity_id')}")
    if changes:
        email_cols = "event_id, email_send_id, campaign_id, email_id, email, event_type, occurred_at, link_url"
        parts.setdefault("map_email_events", []).extend([
            # re-sent with a changed type and an older timestamp (moves months)
            f"select event_id, email_send_id, campaign_id, email_id, email, "
            f"case when lower(trim(event_type)) = 'open' then 'click' else event_type end as event_type, "
            f"{_ts_minus_days('occurred_at', 40)} as occurred_at, link_url from {ee} where right(event_id, 2) = '17'",
            # re-sent into another send
            f"select event_id, 'MOVED' || email_send_id as email_send_id, campaign_id, email_id, email, "
            f"event_type, occurred_at, link_url from {ee} where right(event_id, 2) = '29'",
            # re-sent unchanged
            f"select {email_cols} from {ee} where right(event_id, 2) = '41'",
            # every other event of a send re-sent into a new send: the old send is left without events
            f"select event_id, 'WHOLE' || email_send_id as email_send_id, campaign_id, email_id, email, "
            f"event_type, occurred_at, link_url from {ee} where right(email_send_id, 2) = '77' "
            f"and right(event_id, 2) not in ('17', '29', '41') and not ({HELD_BACK})",
        ])
        parts.setdefault("map_web_activities", []).extend([
            # an anonymous visit re-sent with an email: identifies its visitor earlier
            f"select activities.activity_id, activities.visitor_id, lead_emails.email, activities.activity_type, "
            f"activities.asset_id, activities.asset_name, activities.page_url, activities.channel, "
            f"activities.campaign_id, activities.occurred_at "
            f"from {wa} as activities inner join (select email, row_number() over (order by lead_id) as n "
            f"from {leads}) as lead_emails "
            f"on lead_emails.n = 1 + cast(right(activities.activity_id, 4) as integer) % 500 "
            f"where right(activities.activity_id, 2) = '17' and activities.email is null",
            # a changed channel, a changed visitor
            f"select activity_id, visitor_id, email, activity_type, asset_id, asset_name, page_url, "
            f"'Paid Social' as channel, campaign_id, occurred_at from {wa} where right(activity_id, 2) = '29'",
            f"select activity_id, 'VNEW' || visitor_id as visitor_id, email, activity_type, asset_id, asset_name, "
            f"page_url, channel, campaign_id, occurred_at from {wa} where right(activity_id, 2) = '41'",
        ])
        lead_cols = [c for c, in con.execute(f"select column_name from (describe select * from {leads})").fetchall()]
        taken = ", ".join("previous.email" if c == "email" else f"changed.{c}" for c in lead_cols)
        parts.setdefault("crm_leads", []).extend([
            # a lead takes the email of the lead before it: the two become one person
            f"select {taken} from {leads} as changed inner join {leads} as previous "
            f"on cast(right(changed.lead_id, 7) as integer) = cast(right(previous.lead_id, 7) as integer) + 1 "
            f"where right(changed.lead_id, 1) = '7'",
            f"select * replace ('Disqualified' as status) from {leads} where right(lead_id, 1) = '9'",
        ])
        parts.setdefault("crm_campaigns", []).append(
            f"select * replace (case audience when 'prospect' then 'customer' else 'prospect' end as audience) "
            f"from {src['crm_campaigns']} where right(campaign_id, 1) = '4'")
        parts.setdefault("crm_opportunities", []).append(
            f"select * replace (coalesce(cast(try_cast(amount as decimal(18, 2)) * 2 as varchar), amount) as amount) "
            f"from {src['crm_opportunities']} where right(opportunity_id, 1) = '2'")
    if deletes:
        for name, key, digit in (("crm_leads", "lead_id", "5"), ("crm_contacts", "contact_id", "3"),
                                 ("crm_accounts", "account_id", "1"), ("crm_opportunities", "opportunity_id", "8")):
            parts.setdefault(name, []).append(
                f"select * replace ('true' as is_deleted) from {src[name]} where right({key}, 1) = '{digit}'")
    for name, selects in parts.items():
        _write(con, " union all ".join(f"select * from ({s})" for s in selects), out / f"{name}.csv")
    _header_only(con, src, out, REQUIRED)


def split_by_year(src_dir: Path, first: Path, second: Path) -> None:
    """Batch 1: the rows of 2025; batch 2: the rows of 2024 (an export whose months go backwards)."""
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    con = duckdb.connect()
    for name, rel in _files(src_dir).items():
        column = TIME_COLUMNS[name]
        _write(con, f"select * from {rel} where coalesce({column}, '9999') >= '2025'", first / f"{name}.csv")
        _write(con, f"select * from {rel} where coalesce({column}, '9999') < '2025'", second / f"{name}.csv")


# ---------------------------------------------------------------- building and comparing

def _normalize(value):
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 9)
    if isinstance(value, Decimal):
        return round(float(value), 9)
    return value


def marts_snapshot(fetch: Callable[[str], list[tuple]], tables: list[str]) -> dict[str, list[tuple]]:
    """Every row of each of `tables` (schema.table), normalized and sorted."""
    return {t: sorted((tuple(_normalize(v) for v in row) for row in fetch(f"select * from {t}")), key=repr)
            for t in tables}


def duckdb_fetcher(path: Path) -> Callable[[str], list[tuple]]:
    """Queries on what dbt built for the warehouse published at `path` (its build file, raw attached)."""
    def fetch(sql: str) -> list[tuple]:
        with connect_build(path) as con:
            return con.execute(sql).fetchall()
    return fetch


def mart_tables(fetch: Callable[[str], list[tuple]]) -> list[str]:
    return [t for t, in fetch("select table_name from information_schema.tables "
                              "where table_schema = 'marts' order by table_name")]


def compared_tables(fetch: Callable[[str], list[tuple]], target: str) -> list[str]:
    """schema.table of every table of `marts` and of every incremental model (dbt's selector, live names)."""
    marts = [f"marts.{t}" for t in mart_tables(fetch)]
    incremental = {f"{schema}.{table}" for schema, table in incremental_models(target)}
    assert {f"marts.{fact}" for fact in FACTS} | INCREMENTAL_OUTSIDE_MARTS <= incremental, incremental
    return marts + sorted(incremental - set(marts))


def assert_same_marts(incremental: dict[str, list[tuple]], full: dict[str, list[tuple]]) -> None:
    assert set(incremental) == set(full)
    assert {f"marts.{fact}" for fact in FACTS} | INCREMENTAL_OUTSIDE_MARTS <= set(full)
    for table in sorted(full):
        if incremental[table] != full[table]:
            only_inc = sorted(set(incremental[table]) - set(full[table]), key=repr)[:5]
            only_full = sorted(set(full[table]) - set(incremental[table]), key=repr)[:5]
            pytest.fail(f"{table} differs from a full refresh ({len(incremental[table])} vs "
                        f"{len(full[table])} rows); only incremental: {only_inc}; only full refresh: {only_full}")


class DuckWarehouse:
    """One DuckDB warehouse (raw file + build file), loaded and built directly (loader + dbt; publishing is
    tested in test_publish)."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path, self.mp = path, monkeypatch

    def _use(self) -> dict:
        self.mp.setenv("LIFECYCLE_DUCKDB_PATH", str(self.path))
        return target_settings("duckdb")

    def load(self, folder: Path) -> None:
        load_exports(folder, self._use())

    def build(self, full_refresh: bool = False) -> None:
        self._use()
        dbt_invoke(MODELS_ONLY + (["--full-refresh"] if full_refresh else []), "duckdb")

    def fetch(self, sql: str) -> list[tuple]:
        return duckdb_fetcher(self.path)(sql)

    def copy(self, path: Path) -> DuckWarehouse:
        return DuckWarehouse(copy_warehouse(self.path, path), self.mp)

    def rows_to_rewrite(self) -> dict[str, int]:
        """How many rows of each fact the next incremental build replaces: the models they read are
        built, then dbt compiles the facts' incremental SQL (their tables exist), run here without writing."""
        self._use()
        upstream = [f"+{fact}" for fact in FACTS]
        dbt_invoke(MODELS_ONLY + ["--select", *upstream, "--exclude", *FACTS], "duckdb")
        compiled = compiled_sql("duckdb", list(FACTS))
        return {fact: self.fetch(f"select count(*) from ({compiled[fact]}) as rows")[0][0] for fact in FACTS}


def check_incremental_equals_full_refresh(base: DuckWarehouse, batch: Path, workdir: Path) -> dict:
    """Load `batch` on a copy of `base`, build incrementally and as a full refresh; compare the marts."""
    incremental = base.copy(workdir / "incremental.duckdb")
    incremental.load(batch)
    full = incremental.copy(workdir / "full.duckdb")
    rewrite = incremental.rows_to_rewrite()
    before = {fact: dict(incremental.fetch(f"select {key}, person_id from marts.{fact}"))
              for fact, key in FACTS.items()}
    incremental.build()
    full.build(full_refresh=True)
    tables = compared_tables(full.fetch, "duckdb")
    assert_same_marts(marts_snapshot(incremental.fetch, tables), marts_snapshot(full.fetch, tables))
    stats = {}
    for fact, key in FACTS.items():
        after = dict(incremental.fetch(f"select {key}, person_id from marts.{fact}"))
        stats[fact] = {
            "rows": len(after), "rewritten": rewrite[fact],
            "new": len(set(after) - set(before[fact])),
            "person_changed": sum(1 for k in set(after) & set(before[fact]) if after[k] != before[fact][k]),
        }
    return stats


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def xs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xs") / "exports"
    generate("xs", 11, folder)
    return folder


@pytest.fixture(scope="module")
def module_mp() -> pytest.MonkeyPatch:
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def base(xs: Path, tmp_path_factory: pytest.TempPathFactory, module_mp: pytest.MonkeyPatch) -> DuckWarehouse:
    """Batch 1 (xs without the held-back events and activities), built."""
    root = tmp_path_factory.mktemp("base")
    split_batch_one(xs, root / "batch1")
    warehouse = DuckWarehouse(root / "base.duckdb", module_mp)
    warehouse.load(root / "batch1")
    warehouse.build()
    return warehouse


# ---------------------------------------------------------------- DuckDB scenarios

def test_late_resent_changed_and_deleted_rows_match_a_full_refresh(base, xs, tmp_path):
    second_batch(xs, tmp_path / "batch2", late=True, changes=True, deletes=True)
    stats = check_incremental_equals_full_refresh(base, tmp_path / "batch2", tmp_path)
    for fact, s in stats.items():
        assert s["new"] > 0, (fact, s)                       # late arrivals were added ...
        assert s["person_changed"] > 0, (fact, s)            # ... identity moved existing rows ...
        # ... and the rest was kept (a tenth of the events arriving late touches most sends: a send's events
        # are rebuilt together)
        assert s["new"] + s["person_changed"] <= s["rewritten"] < s["rows"], (fact, s)


def test_a_batch_of_only_changed_rows_matches_a_full_refresh(base, xs, tmp_path):
    second_batch(xs, tmp_path / "batch2", late=False, changes=True, deletes=False)
    stats = check_incremental_equals_full_refresh(base, tmp_path / "batch2", tmp_path)
    for fact, s in stats.items():
        assert s["new"] == 0 and 0 < s["person_changed"] <= s["rewritten"] < s["rows"] // 2, (fact, s)


def test_a_batch_of_only_deletions_matches_a_full_refresh(base, xs, tmp_path):
    second_batch(xs, tmp_path / "batch2", late=False, changes=False, deletes=True)
    stats = check_incremental_equals_full_refresh(base, tmp_path / "batch2", tmp_path)
    for fact, s in stats.items():
        assert s["new"] == 0 and s["person_changed"] <= s["rewritten"] < s["rows"] // 2, (fact, s)
    assert stats["fct_email_events"]["person_changed"] > 0


def test_an_export_whose_months_go_backwards_matches_a_full_refresh(xs, tmp_path, module_mp):
    split_by_year(xs, tmp_path / "2025", tmp_path / "2024")
    first = DuckWarehouse(tmp_path / "first.duckdb", module_mp)
    first.load(tmp_path / "2025")
    first.build()
    first_month = first.fetch("select min(report_month) from marts.nurture_monthly")[0][0]
    stats = check_incremental_equals_full_refresh(first, tmp_path / "2024", tmp_path)
    first_month_after = duckdb_fetcher(tmp_path / "incremental.duckdb")(
        "select min(report_month) from marts.nurture_monthly")[0][0]
    # batch 1 starts at the turn of the year (offsets can put a 2025 row on 31 December in UTC)
    assert first_month >= date(2024, 12, 1) and first_month_after == date(2024, 1, 1)
    for fact, s in stats.items():
        assert s["new"] > 0 and s["person_changed"] > 0, (fact, s)


# ---------------------------------------------------------------- PostgreSQL (shadow schemas + swap, as the CLI does)

def test_postgres_incremental_build_through_the_schema_swap_matches_a_full_refresh(xs, tmp_path, postgres_target):
    import psycopg

    def fetch(sql: str) -> list[tuple]:
        with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                             user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
            return conn.execute(sql).fetchall()

    def build(full_refresh: bool = False) -> None:
        with publish.building(postgres_target, full_refresh=full_refresh) as work:
            dbt_invoke(MODELS_ONLY + (["--full-refresh"] if full_refresh else []), work["name"])

    split_batch_one(xs, tmp_path / "batch1")
    second_batch(xs, tmp_path / "batch2", late=True, changes=True, deletes=True)
    load_exports(tmp_path / "batch1", postgres_target)
    build()
    load_exports(tmp_path / "batch2", postgres_target)
    build()
    tables = compared_tables(fetch, postgres_target["name"])
    incremental = marts_snapshot(fetch, tables)
    # the live incremental tables were copied into the shadow schema (one transaction) and dbt rewrote only
    # the changed rows (another): two inserting transactions; a full refresh writes every row in one
    for fact in FACTS:
        assert fetch(f"select count(distinct xmin::text) from marts.{fact}") == [(2,)], fact
    build(full_refresh=True)
    assert_same_marts(incremental, marts_snapshot(fetch, tables))
    for fact in FACTS:
        assert fetch(f"select count(distinct xmin::text) from marts.{fact}") == [(1,)], fact
