"""The connector adapters (models/adapters/<connector>/, docs/design/connectors.md §1 and §5.3-5.4) on Fivetran's
sample tables (tests/python/data/fivetran/, real column names, hashed values): their dbt unit tests on both
targets, and the samples through both ways in with everything downstream built: as files (`lifecycle load`,
every line accounted for, then `lifecycle build`) on DuckDB, and read in place as synced tables on PostgreSQL.

Connectors go in sets that build together: Salesforce with Marketo (CRM from Salesforce, email events and
scores from Marketo), HubSpot alone. The contract files no connector of a set provides come from xs exports.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR, load_connectors
from lifecycle.dbt_build import dbt_invoke
from lifecycle.project import providers
from lifecycle.targets import duckdb_files, pg_connect

from conftest import connect_build

SAMPLES = Path(__file__).parent / "data" / "fivetran"
# Fivetran's seed names: sf_<table>_data.csv, marketo_<table>_data.csv, <table>_data.csv (a rule of the tests only)
SEED_PREFIX = {"salesforce": "sf_", "marketo": "marketo_", "hubspot": ""}
SETS = {"salesforce+marketo": ("salesforce", "marketo"), "hubspot": ("hubspot",)}
# the vars a build of the samples needs, per connector
BUILD_VARS = {
    "salesforce": {
        "lifecycle__using_salesforce": True,
        # a custom field named by lifecycle__salesforce_columns reaches the adapter (test: loss_reason_c)
        "lifecycle__salesforce_columns": {"opportunity": {"loss_reason": "loss_reason_c"}},
        "lifecycle__salesforce_contact_stage_field": "Lifecycle_Stage__c",
    },
    "marketo": {
        "lifecycle__using_marketo": True,
        # Fivetran's package reads campaign and program only when asked; the samples have them
        "marketo__enable_campaigns": True,
        "marketo__enable_programs": True,
    },
    # web activities from HubSpot form submissions are on request
    "hubspot": {"lifecycle__using_hubspot": True, "lifecycle__providers": {"map_web_activities": "hubspot"}},
}
# tables the samples lack that are switched off by their var (Fivetran's names) rather than synced empty; HubSpot's
# merged_deal and contact_merge_audit are off by default (an adapter must not touch them)
SWITCHED_OFF = {
    "salesforce": {"event": "salesforce__event_enabled"},
    "marketo": {"activity_delete_lead": "marketo__activity_delete_lead_enabled"},
    "hubspot": {"contact_property_history": "hubspot_contact_property_history_enabled",
                "merged_deal": None, "contact_merge_audit": None},
}
# the unit tests: every table on (HubSpot's off-by-default ones too), on-request providers set
UNIT_VARS = {
    "salesforce": {"lifecycle__using_salesforce": True},
    "marketo": {"lifecycle__using_marketo": True},
    "hubspot": {"lifecycle__using_hubspot": True, "hubspot_contact_merge_audit_enabled": True,
                "hubspot_merged_deal_enabled": True, "lifecycle__providers": {"map_web_activities": "hubspot"}},
}
# Salesforce and Marketo (on request) both can provide crm_campaigns, one build has one provider: the DuckDB run
# tests Salesforce's adapter, the PostgreSQL run Marketo's, so that every declared unit test runs
UNIT_PROVIDERS = {("postgres", "salesforce+marketo"): {"crm_campaigns": "marketo"}}
BATCH_COLUMNS = '"_batch_id" bigint, "_loaded_at" timestamp, "_file_name" varchar, "_line_number" bigint'
PG_TYPES = {"BIGINT": "bigint", "INTEGER": "bigint", "DOUBLE": "double precision", "BOOLEAN": "boolean",
            "TIMESTAMP": "timestamp", "DATE": "date"}
# a table per connector whose first data line the file way repeats at its end: the loader must quarantine it
# (duplicate primary key) with its reason (the samples have no bad rows of their own); no shape check counts them
DUPLICATED = {"salesforce": "account", "marketo": "email_template_history", "hubspot": "deal_pipeline"}
# the staging unit tests give the contract tables as fixtures: they only run without a connector (test_pipeline)
BUILD = ["build", "--exclude-resource-type", "unit_test"]


# ---------------------------------------------------------------- samples, vars, contract files

def sample_files(connector: str) -> dict[str, Path]:
    """{table: sample file} of a connector."""
    prefix = SEED_PREFIX[connector]
    return {path.name.removeprefix(prefix).removesuffix("_data.csv"): path
            for path in sorted((SAMPLES / connector).glob(f"{prefix}*_data.csv"))}


def read_rows(path: Path) -> list[dict[str, str]]:
    """The data rows of a CSV file as text ('' for empty), blank lines skipped (the loader counts them apart)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def merged(*parts: dict) -> dict:
    """Vars merged, their lifecycle__providers maps too."""
    out: dict = {}
    for part in parts:
        for key, value in part.items():
            out[key] = {**out.get(key, {}), **value} if key == "lifecycle__providers" else value
    return out


def build_vars(connectors: tuple[str, ...]) -> dict:
    return merged(*(BUILD_VARS[c] for c in connectors),
                  {var: False for c in connectors for var in SWITCHED_OFF[c].values() if var})


def write_samples(folder: Path, connectors: tuple[str, ...]) -> dict[str, dict[str, list[dict[str, str]]]]:
    """Write each connector's samples as folder/<connector>/<table>.csv (copies; the Salesforce opportunity with
    a custom field loss_reason_c, 'Price' on its first id), a header-only file for each required table the
    samples lack; returns {connector: {table: rows}} of every file written."""
    written: dict[str, dict[str, list[dict[str, str]]]] = {}
    for connector in connectors:
        (folder / connector).mkdir(parents=True)
        tables = written.setdefault(connector, {})
        for table, path in sample_files(connector).items():
            target = folder / connector / f"{table}.csv"
            rows = read_rows(path)
            if (connector, table) == ("salesforce", "opportunity"):
                lost = min(row["id"] for row in rows)
                rows = [{**row, "loss_reason_c": "Price" if row["id"] == lost else ""} for row in rows]
                with target.open("w", encoding="utf-8", newline="") as f:
                    writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
            else:
                shutil.copyfile(path, target)
            tables[table] = rows
        for spec in load_connectors()[connector]:
            if spec.required and spec.name not in tables:
                (folder / connector / f"{spec.name}.csv").write_text(",".join(spec.column_names) + "\n")
                tables[spec.name] = []
    return written


def write_contract_files(folder: Path, xs: Path, connectors: tuple[str, ...], variables: dict) -> None:
    """The xs exports of the contract files the set's connectors do not provide; the crm and map ones header-only
    (their rows would name records the samples do not have)."""
    chosen = providers(set(connectors), variables)
    folder.mkdir(parents=True, exist_ok=True)
    for path in sorted(xs.glob("*.csv")):
        if chosen.get(path.stem, "contract") != "contract":
            continue
        if path.name.startswith(("crm_", "map_")):
            with path.open(encoding="utf-8") as f:
                (folder / path.name).write_text(f.readline())
        else:
            shutil.copyfile(path, folder / path.name)


def lifecycle(*args: str, target: str, variables: dict) -> None:
    result = CliRunner().invoke(app, [*args, "--target", target, "--vars", json.dumps(variables)])
    assert result.exit_code == 0, result.output[-8000:] + repr(result.exception)


def drop_schemas(settings: dict, schemas) -> None:
    with pg_connect(settings, autocommit=True) as pg:
        for schema in schemas:
            pg.execute(f"drop schema if exists {schema} cascade")


# ---------------------------------------------------------------- what the samples give downstream

def check_salesforce(fetch, samples: dict[str, list[dict[str, str]]]) -> None:
    built = {name for (name,) in fetch("select table_name from information_schema.tables "
                                       "where table_schema in ('staging', 'marts')")}
    assert {"adp_salesforce__crm_accounts", "adp_salesforce__crm_leads", "adp_salesforce__crm_opportunities",
            "adp_salesforce__crm_stage_history", "adp_salesforce__crm_sales_activities",
            "stg_crm__opportunities", "dim_persons"} <= built
    # the custom field named by lifecycle__salesforce_columns reaches the adapter
    reasons = dict(fetch("select opportunity_id, loss_reason from staging.adp_salesforce__crm_opportunities"))
    assert reasons.pop(next(r["id"] for r in samples["opportunity"] if r["loss_reason_c"])) == "Price"
    assert reasons and set(reasons.values()) == {None}


def check_hubspot(fetch, samples: dict[str, list[dict[str, str]]]) -> None:
    """Shape, not metrics (the values are hashed)."""
    contacts = dict(fetch("select contact_id, is_deleted from staging.adp_hubspot__crm_contacts"))
    assert len(contacts) == len(samples["contact"])
    # the sample's contact 78971951 lists three merged-away contacts: they are gone, the others are not
    merged_away = {"76340251", "46897301", "76226001"}
    assert {str(c) for c, deleted in contacts.items() if deleted} == merged_away
    assert fetch("select count(*) from staging.stg_crm__contacts") == [(len(contacts) - len(merged_away),)]
    assert fetch("select count(*) from staging.stg_crm__leads") == [(0,)]
    assert fetch("select count(*) from staging.stg_crm__opportunities") == [(len(samples["deal"]),)]
    assert fetch("select count(*) from staging.stg_crm__campaigns") == [(len(samples["email_campaign"]),)]
    # SENT, OPEN and DELIVERED events are contract events, PROCESSED ones are not
    types = [row["type"] for row in samples["email_event"]]
    assert "PROCESSED" in types
    events = dict(fetch("select event_type, count(*) from staging.stg_map__email_events group by 1"))
    assert events == {"sent": types.count("SENT"), "open": types.count("OPEN"), "delivered": types.count("DELIVERED")}
    assert fetch("select count(*) from staging.stg_map__web_activities") == [
        (len(samples["contact_form_submission"]),)]
    assert fetch("select count(*) from marts.fct_email_events") == [(sum(events.values()),)]


def check_marketo(fetch, samples: dict[str, list[dict[str, str]]]) -> None:
    """Shape, not metrics (the values are hashed and sampled)."""
    sends = samples["activity_send_email"]
    skipped = sum(1 for row in sends if row["action_result"] not in ("", "succeeded"))
    assert skipped > 0  # the sample has skipped sends: they are not contract events
    expected = {"sent": len(sends) - skipped, "delivered": len(samples["activity_email_delivered"]),
                "open": len(samples["activity_open_email"]), "click": len(samples["activity_click_email"]),
                "bounce": len(samples["activity_email_bounced"]),
                "unsubscribe": len(samples["activity_unsubscribe_email"])}
    assert dict(fetch("select event_type, count(*) from staging.stg_map__email_events group by 1")) == expected
    # a bounce names its address; clicks keep their links; every event has a batch and a campaign
    assert fetch("select count(*) from staging.stg_map__email_events where event_type = 'bounce' and email is null"
                 ) == [(0,)]
    assert fetch("select count(link_url) from staging.stg_map__email_events") == [
        (sum(1 for row in samples["activity_click_email"] if row["link"]),)]
    assert fetch("select count(*) from staging.stg_map__email_events where _batch_id is null or campaign_id is null"
                 ) == [(0,)]
    assert fetch("select count(*) from staging.stg_map__score_changes") == [(0,)]
    assert fetch("select count(*) from staging.adp_marketo__lead_identities") == [(len(samples["lead"]),)]


CHECKS = {"salesforce": check_salesforce, "hubspot": check_hubspot, "marketo": check_marketo}


# ---------------------------------------------------------------- the tests

@pytest.mark.parametrize("name", list(SETS))
@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_adapter_unit_tests(target, name, request):
    """Every declared unit test of the set's enabled adapters passes (with their models and data tests). dbt needs
    their input relations: the raw_<connector> tables `lifecycle load` makes, here from the declaration."""
    connectors = SETS[name]
    variables = merged(*(UNIT_VARS[c] for c in connectors),
                       {"lifecycle__providers": UNIT_PROVIDERS.get((target, name), {})})
    specs = [spec for c in connectors for spec in load_connectors()[c]]
    ddl = [f"create schema if not exists {spec.schema}" for spec in specs] + [
        f"create table {spec.relation} ("
        + ", ".join(f'"{col.name}" {col.data_type}' for col in spec.columns) + f", {BATCH_COLUMNS})"
        for spec in specs]
    if target == "duckdb":
        settings = request.getfixturevalue("duckdb_target")
        with duckdb.connect(str(duckdb_files(Path(settings["path"]))[0])) as con:
            for statement in ddl:
                con.execute(statement)
    else:
        settings = request.getfixturevalue("postgres_target")
        drop_schemas(settings, {spec.schema for spec in specs})
        with pg_connect(settings, autocommit=True) as pg:
            for statement in ddl:
                pg.execute(statement)
    results = dbt_invoke(["build", "--select", *(f"path:models/adapters/{c}" for c in connectors),
                          "--vars", json.dumps(variables)], target)
    ran = [r.node.name for r in results if r.node.resource_type == "unit_test"]
    # declared: the unit tests of the adapters enabled (an adapter of a contract file only for its provider)
    chosen = providers(set(connectors), variables)
    declared = [test["name"] for c in connectors
                for test in yaml.safe_load((PROJECT_DIR / "models" / "adapters" / c / f"_{c}__models.yml")
                                           .read_text(encoding="utf-8"))["unit_tests"]
                if chosen.get(test["model"].split("__", 1)[1], c) == c]
    assert sorted(ran) == sorted(declared)


@pytest.mark.parametrize("name", list(SETS))
def test_samples_load_every_line_and_build(name, xs_exports, duckdb_target, tmp_path):
    """The file way in (issue 11: the samples load with every row accounted for, and build)."""
    connectors = SETS[name]
    variables = build_vars(connectors)
    exports = tmp_path / "exports"
    samples = write_samples(exports, connectors)
    write_contract_files(exports, xs_exports, connectors, variables)
    for connector in connectors:
        path = exports / connector / f"{DUPLICATED[connector]}.csv"
        text = path.read_text(encoding="utf-8-sig")
        first = next(row for row in csv.reader(text.splitlines()[1:]))
        with path.open("a", encoding="utf-8", newline="") as f:
            f.write("" if text.endswith("\n") else "\n")  # some seeds end without a line break
            csv.writer(f).writerow(first)
    lifecycle("load", "--exports", str(exports), target="duckdb", variables=variables)
    with duckdb.connect(duckdb_target["raw"], read_only=True) as con:
        accounts = {file: counts for file, *counts in con.execute(
            "select file_name, rows_read, rows_loaded, rows_quarantined from raw.load_files").fetchall()}
        reasons = con.execute("select file_name, reason from raw.quarantine").fetchall()
    for connector, tables in samples.items():
        for table, rows in tables.items():
            read, loaded, quarantined = accounts[f"{connector}/{table}.csv"]
            repeated = int(table == DUPLICATED[connector])
            assert (read, loaded + quarantined, quarantined) == (len(rows) + repeated,) * 2 + (repeated,), \
                f"{connector}/{table}.csv"
    assert sorted(file for file, _ in reasons) == sorted(f"{c}/{DUPLICATED[c]}.csv" for c in connectors)
    assert all(reason and reason.startswith("duplicate primary key") for _, reason in reasons), reasons
    lifecycle("build", target="duckdb", variables=variables)

    def fetch(sql: str) -> list[tuple]:
        with connect_build(Path(duckdb_target["path"])) as con:
            return con.execute(sql).fetchall()

    for connector in connectors:
        CHECKS[connector](fetch, samples[connector])


@pytest.mark.parametrize("name", list(SETS))
def test_samples_read_in_place_build(name, xs_exports, postgres_target, tmp_path):
    """The synced way in: the samples as the typed tables Fivetran syncs (types as DuckDB detects them) in schemas
    named for their connector, read in place."""
    connectors = SETS[name]
    variables = merged(build_vars(connectors), {f"{c}_schema": c for c in connectors})
    write_contract_files(tmp_path / "exports", xs_exports, connectors, variables)
    lifecycle("load", "--exports", str(tmp_path / "exports"), target="postgres", variables=variables)
    samples = write_samples(tmp_path / "samples", connectors)
    drop_schemas(postgres_target, connectors)
    with duckdb.connect() as con, pg_connect(postgres_target, autocommit=True) as pg:
        for connector in connectors:
            pg.execute(f"create schema {connector}")
            for spec in load_connectors()[connector]:
                if spec.name in SWITCHED_OFF[connector]:
                    continue
                if not samples[connector].get(spec.name):  # a table the samples lack: synced empty
                    columns = ", ".join(f'"{col.name}" {col.data_type}' for col in spec.columns)
                    pg.execute(f'create table {connector}."{spec.name}" ({columns})')
                    continue
                select = f"select * from read_csv('{tmp_path / 'samples' / connector / spec.name}.csv', header = true)"
                described = con.execute(f"describe {select}").fetchall()
                if "_fivetran_synced" not in {column for column, *_ in described}:
                    # Fivetran stamps every table it syncs (a synced row's batch); some seeds omit it
                    select = select.replace("select *", "select *, timestamp '2024-01-01 00:00:00' as _fivetran_synced")
                    described = con.execute(f"describe {select}").fetchall()
                columns = ", ".join(f'"{column}" {PG_TYPES.get(kind, kind if kind.startswith("DECIMAL") else "text")}'
                                    for column, kind, *_ in described)
                pg.execute(f'create table {connector}."{spec.name}" ({columns})')
                with pg.cursor().copy(f'copy {connector}."{spec.name}" from stdin') as copy:
                    for row in con.execute(select).fetchall():
                        copy.write_row(row)
    dbt_invoke([*BUILD, "--vars", json.dumps(variables)], "postgres")

    def fetch(sql: str) -> list[tuple]:
        with pg_connect(postgres_target) as pg:
            return pg.execute(sql).fetchall()

    for connector in connectors:
        CHECKS[connector](fetch, samples[connector])
