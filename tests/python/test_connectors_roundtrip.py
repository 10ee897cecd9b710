"""One generated world in contract shape and in connector shape gives identical marts (issue 11's done-when;
docs/design/connectors.md §5.1 and §5.2).

`lifecycle generate --scale xs --seed 11 --format contract,<connectors>` writes the projected world twice:
DIR/contract (contract files) and DIR/connectors (Fivetran-named tables per connector, the contract files no
connector provides, lifecycle_vars.yml). Each shape is loaded with `lifecycle load` and built with dbt's seeds
and models into its own warehouse (two DuckDB files; two PostgreSQL databases, since schema names are fixed),
then every relation in the marts schema is compared with the comparison of test_parity.py: the same marts,
columns and rows, `_batch_id` included (one batch each).

The warehouse way (§5.2, DuckDB): the connector CSVs copied into plain tables of schemas salesforce, hubspot,
marketo (no batch columns), read in place through the `<connector>_schema` vars; its marts equal the contract
shape's but for the batch columns (synced rows take the epoch of _fivetran_synced as their batch).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import psycopg
import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR, load_connectors
from lifecycle.dbt_build import dbt_invoke
from lifecycle.targets import query, target_settings, unpublished
from test_parity import SHOWN, differing_columns, relations, row_differences

SEED = 11
CASES = {"salesforce+marketo": ["salesforce", "marketo"], "hubspot": ["hubspot"]}


@pytest.fixture(scope="module", params=list(CASES))
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path]:
    connectors = CASES[request.param]
    out = tmp_path_factory.mktemp("world")
    result = CliRunner().invoke(app, ["generate", "--out", str(out), "--scale", "xs", "--seed", str(SEED),
                                      "--format", "contract," + ",".join(connectors)])
    assert result.exit_code == 0, result.output[-3000:] + repr(result.exception)
    return connectors, out


@pytest.fixture(scope="module")
def contract_duckdb(world: tuple[list[str], Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The contract shape built on DuckDB (once per world: both ways in compare with it)."""
    _, folder = world
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path_factory.mktemp("contract") / "contract.duckdb"))
        settings = unpublished(target_settings("duckdb"))
        build("duckdb", folder / "contract", shape_vars(folder))
    return settings


def shape_vars(folder: Path) -> dict:
    return yaml.safe_load((folder / "connectors" / "lifecycle_vars.yml").read_text(encoding="utf-8")) or {}


def build(target: str, exports: Path, variables: dict) -> None:
    """`lifecycle load` (whose --vars name the custom columns to load), then dbt's seeds and models with
    `variables` (as test_parity.build)."""
    result = CliRunner().invoke(app, ["load", "--exports", str(exports), "--target", target,
                                      "--vars", json.dumps(variables)])
    assert result.exit_code == 0, result.output[-4000:] + repr(result.exception)
    dbt_invoke(["build", "--exclude-resource-type", "test", "unit_test", "--vars", json.dumps(variables)], target)


def compare(left: dict, right: dict, skip=lambda column: False) -> list[str]:
    """Every difference between the marts of two warehouses of one target, one message per mart."""
    marts = relations(left, "marts")
    assert len(marts) > 20, marts
    problems = [] if relations(right, "marts") == marts else [
        f"marts only in the contract shape {sorted(marts - relations(right, 'marts'))}, "
        f"only in the connector shape {sorted(relations(right, 'marts') - marts)}"]
    for mart in sorted(marts & relations(right, "marts")):
        columns, _ = query(left, f"select * from marts.{mart} where 1 = 0")
        kept = [c for c in columns if not skip(c)]
        select = f"select {', '.join(chr(34) + c + chr(34) for c in kept)} from marts.{mart}"
        r_columns, _ = query(right, f"select * from marts.{mart} where 1 = 0")
        if set(r_columns) != set(columns):
            problems.append(f"{mart}: columns differ {sorted(set(columns) ^ set(r_columns))}")
            continue
        (_, a), (_, b) = query(left, select), query(right, select)
        only_a, only_b = (sorted(rows, key=str) for rows in row_differences(kept, a, b))
        if only_a or only_b:
            shown = "".join(f"\n    {side}: {dict(zip(kept, row, strict=True))}"
                            for side, rows in (("contract", only_a), ("connectors", only_b)) for row in rows[:SHOWN])
            problems.append(f"{mart}: {len(a)} vs {len(b)} rows; {len(only_a)} only in the contract shape, "
                            f"{len(only_b)} only in the connector shape; differing columns "
                            f"{differing_columns(kept, only_a, only_b)}{shown}")
    return problems


def connector_vars(connectors: list[str], **extra) -> dict:
    return {f"lifecycle__using_{c}": True for c in connectors} | extra


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_contract_and_connector_shapes_give_identical_marts(target, world, tmp_path, monkeypatch, request):
    connectors, folder = world
    variables = shape_vars(folder)
    if target == "duckdb":
        contract = request.getfixturevalue("contract_duckdb")
    else:
        contract = request.getfixturevalue("postgres_target")
        build(target, folder / "contract", variables)
    if target == "duckdb":
        monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / "connectors.duckdb"))
    else:
        with psycopg.connect(host=contract["host"], port=contract["port"], user=contract["user"],
                             dbname=contract["dbname"], autocommit=True) as conn:
            conn.execute("drop database if exists lifecycle_connectors")
            conn.execute("create database lifecycle_connectors")
        monkeypatch.setenv("LIFECYCLE_PG_DATABASE", "lifecycle_connectors")
    shaped = target_settings(target)
    shaped = unpublished(shaped) if target == "duckdb" else shaped
    build(target, folder / "connectors", connector_vars(connectors, **variables))
    problems = compare(contract, shaped)
    assert not problems, f"{'+'.join(connectors)} on {target}: marts differ:\n" + "\n".join(problems)


def test_connector_tables_read_in_place_give_the_same_marts(world, contract_duckdb, tmp_path, monkeypatch):
    connectors, folder = world
    variables = shape_vars(folder)
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / "synced.duckdb"))
    synced = unpublished(target_settings("duckdb"))
    # the contract files no connector provides come from the raw contract tables; the connector tables are
    # plain tables of the raw file (what Fivetran syncs), declared tables the world lacks created empty
    synced_world(synced["raw"], connectors, folder)
    in_place = {key: value for c in connectors
                for key, value in {f"{c}_schema": c, f"{c}_database": "lifecycle_raw"}.items()}
    dbt_invoke(["build", "--exclude-resource-type", "test", "unit_test",
                "--vars", json.dumps(connector_vars(connectors, **variables, **in_place))], "duckdb")
    problems = compare(contract_duckdb, synced, skip=in_place_only)
    assert not problems, f"{'+'.join(connectors)} read in place: marts differ:\n" + "\n".join(problems)


def test_passthrough_columns_reach_the_dims(world, contract_duckdb):
    """Fields named in passthrough vars (generate/formats.py plants persona and tier; the round trips above
    compare them across shapes): dim_persons takes the person's contact's value, else its lead's; dim_accounts
    the account's, typed as its var says (bigint)."""
    _, folder = world

    def latest(name: str, key: str, column: str) -> dict:  # the last line of each id wins, as in staging
        with (folder / "contract" / f"{name}.csv").open(newline="", encoding="utf-8") as f:
            return {row[key]: row[column] or None for row in csv.DictReader(f)}

    leads, contacts = latest("crm_leads", "lead_id", "persona"), latest("crm_contacts", "contact_id", "persona")
    tiers = latest("crm_accounts", "account_id", "tier")
    _, persons = query(contract_duckdb, "select lead_id, contact_id, persona from marts.dim_persons")
    wrong = [(row, contacts.get(row[1]) or leads.get(row[0])) for row in persons
             if row[2] != (contacts.get(row[1]) or leads.get(row[0]))]
    assert not wrong, f"{len(wrong)} persons with another persona than expected, e.g. {wrong[:5]}"
    from_lead = [row for row in persons if row[1] and not contacts.get(row[1]) and row[2]]
    assert (len(from_lead) > 0) == any(leads.values()), "no person took its lead's persona behind a contact's null"
    _, accounts = query(contract_duckdb, "select account_id, tier from marts.dim_accounts")
    assert accounts and all(tier == int(tiers[account]) for account, tier in accounts), accounts[:5]


def in_place_only(column: str) -> bool:
    """Columns that differ by way in: synced rows take the epoch of _fivetran_synced as their batch."""
    return column.startswith("_") or "batch" in column


def synced_world(raw: str, connectors: list[str], folder: Path) -> None:
    """The world as a warehouse holds it when a connector syncs it: `lifecycle load` of the contract files no
    connector provides (raw.*), and the connector tables as plain tables of schemas named for their connector
    in the same DuckDB file (declared tables the world lacks created empty)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIFECYCLE_DUCKDB_PATH", raw.removesuffix(".raw.duckdb") + ".duckdb")  # (whose raw file it is)
        result = CliRunner().invoke(app, ["load", "--exports", str(folder / "contract"), "--target", "duckdb"])
    assert result.exit_code == 0, result.output[-4000:]
    with duckdb.connect(raw) as con:
        for connector in connectors:
            con.execute(f"create schema {connector}")
            written = {path.stem: path for path in (folder / "connectors" / connector).glob("*.csv")}
            for spec in load_connectors()[connector]:
                if spec.name in written:
                    con.execute(f"create table {connector}.{spec.name} as select * from "
                                f"read_csv('{written[spec.name]}', header = true, all_varchar = true)")
                else:
                    columns = ", ".join(f'"{name}" varchar' for name in spec.column_names)
                    con.execute(f'create table {connector}."{spec.name}" ({columns})')


def test_installed_as_a_package_gives_the_same_marts(world, contract_duckdb, tmp_path):
    """integration_tests/: another dbt project installs this one as a package (packages.yml) and configures it
    with vars alone, reading the connector tables and the contract files in place from a database of its own."""
    connectors, folder = world
    raw = tmp_path / "fivetran.raw.duckdb"
    synced_world(str(raw), connectors, folder)
    host = tmp_path / "host"
    shutil.copytree(PROJECT_DIR / "integration_tests", host)
    (host / "packages.yml").write_text(f"packages:\n  - local: {PROJECT_DIR}\n")
    (host / "profiles.yml").write_text(yaml.safe_dump({"lifecycle_integration_tests": {
        "target": "duckdb", "outputs": {"duckdb": {
            "type": "duckdb", "path": str(tmp_path / "host.duckdb"), "threads": 2,
            "attach": [{"path": str(raw), "alias": "fivetran", "read_only": True}]}}}}))
    variables = connector_vars(connectors, **shape_vars(folder), lifecycle_raw_database="fivetran",
                               **{key: value for c in connectors
                                  for key, value in {f"{c}_schema": c, f"{c}_database": "fivetran"}.items()})
    dbt = Path(sys.executable).with_name("dbt")
    for args in (["deps"], ["build", "--exclude-resource-type", "test", "unit_test", "--vars", json.dumps(variables)]):
        done = subprocess.run([str(dbt), *args, "--profiles-dir", str(host)], cwd=host, capture_output=True,
                              text=True, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
        assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    # (the package's generate_schema_name names the host's schemas: marts, as in this project)
    problems = compare(contract_duckdb, {"type": "duckdb", "path": str(tmp_path / "host.duckdb")},
                       skip=in_place_only)
    assert not problems, f"{'+'.join(connectors)} as a package: marts differ:\n" + "\n".join(problems)
