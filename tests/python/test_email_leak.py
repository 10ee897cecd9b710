"""The PII gate tests/assert_marts_have_no_email_addresses.sql: fails on email addresses in mart
text values (a real pattern, not any '@'), naming mart, column, grain and a masked example; never
prints an address."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.dbt_build import dbt_invoke
from lifecycle.errors import LifecycleError

HANDMADE = Path(__file__).parent / "data" / "handmade"
TEST = "assert_marts_have_no_email_addresses"
FAILURES = f"select * from dbt_test__audit.{TEST} order by mart, column_name"
# campaign names; CMP1 flows into dim_campaigns and campaign_roi, the email program CMP2 also into
# email_program_performance and, as a nurture program, into program_outcomes (program_name)
NOT_ADDRESSES = {"CMP1": "Booth @ SaaStr 2025", "CMP2": "Welcome @handle (a@b)"}
ADDRESSES = {"CMP1": "Write to ann@acme.com", "CMP2": "Contact: Ann.Lee+x@mail.acme.co.uk today"}
FULL_ADDRESSES = ("ann@acme.com", "Ann.Lee+x@mail.acme.co.uk", "Lee+x@")


def exports_with_campaign_names(tmp_path: Path, names: dict[str, str]) -> Path:
    """A copy of the hand-made exports with campaigns renamed (crm_campaigns.csv: id, name, ...)."""
    folder = tmp_path / "exports"
    shutil.copytree(HANDMADE, folder)
    path = folder / "crm_campaigns.csv"
    lines = path.read_text().splitlines()
    renamed = [lines[0]]
    for line in lines[1:]:
        campaign_id, _, rest = line.split(",", 2)
        name = names.get(campaign_id)
        renamed.append(",".join([campaign_id, name, rest]) if name else line)
    path.write_text("\n".join(renamed) + "\n")
    return folder


def run(exports: Path, *args: str):
    return CliRunner().invoke(app, ["run", "--exports", str(exports), *args])


def assert_no_full_address(text: str) -> None:
    for address in FULL_ADDRESSES:
        assert address.lower() not in text.lower()


def test_an_at_sign_that_is_no_email_address_passes(tmp_path, duckdb_target):
    result = run(exports_with_campaign_names(tmp_path, NOT_ADDRESSES), "--verbose")  # dbt's line per node
    assert result.exit_code == 0, result.output[-6000:] + repr(result.exception)
    assert f"PASS {TEST}" in result.output
    assert "\x1b" not in result.output  # not a terminal: no colour codes
    with duckdb.connect(duckdb_target["path"], read_only=True) as con:
        names = con.execute("select campaign_id, campaign_name from marts.dim_campaigns "
                            "where campaign_id in ('CMP1', 'CMP2') order by 1").fetchall()
    assert names == sorted(NOT_ADDRESSES.items())


def test_an_email_address_in_a_mart_fails_naming_mart_column_and_a_masked_example(tmp_path, duckdb_target):
    result = run(exports_with_campaign_names(tmp_path, ADDRESSES))
    assert result.exit_code == 1, result.output[-6000:]
    output = " ".join(result.output.split())
    # named in the summary that replaces dbt's line per node
    assert f"failed test {TEST}: Got 4 results, configured to fail if != 0" in output
    assert f"Failure in test {TEST}" not in output and f"PASS {TEST}" not in output
    # the command prints the first 3 failing rows: mart, column, matching values, grain, example key, masked example
    assert f"{TEST}: 4 failing rows" in output
    for row in (
        "mart=campaign_roi, column_name=campaign_name, matching_values=8, "
        "key_column=concat(campaign_id, '|', report_month), example_key=CMP1|2024-01-01, example_value=a***@acme.com",
        "mart=dim_campaigns, column_name=campaign_name, matching_values=2, key_column=campaign_id, "
        "example_key=CMP1, example_value=a***@acme.com",
        "mart=email_program_performance, column_name=campaign_name, matching_values=2, ",
        "example_key=CMP2|EM1|2024-01-01, example_value=A***@mail.acme.co.uk",
    ):
        assert row in output, row
    assert_no_full_address(output)


def test_postgres_passes_an_at_sign_and_fails_on_an_address(tmp_path, postgres_target, capsys):
    result = run(exports_with_campaign_names(tmp_path, NOT_ADDRESSES), "--target", "postgres", "--verbose")
    assert result.exit_code == 0, result.output[-6000:] + repr(result.exception)
    assert f"PASS {TEST}" in result.output

    import psycopg

    settings = postgres_target
    with psycopg.connect(host=settings["host"], port=settings["port"], user=settings["user"],
                         dbname=settings["dbname"], autocommit=True) as conn:
        # plant addresses in the published mart (cheaper than a second build), run the test alone
        conn.execute("update marts.dim_campaigns set campaign_name = case campaign_id "
                     "when 'CMP1' then %s else %s end where campaign_id in ('CMP1', 'CMP2')",
                     (ADDRESSES["CMP2"], "Write to ANN@ACME.COM."))
        try:
            with pytest.raises(LifecycleError, match="dbt test failed"):
                dbt_invoke(["test", "--select", TEST, "--store-failures"], "postgres")
            output = capsys.readouterr().out
            assert f"Failure in test {TEST}" in output and "Got 1 result" in output
            assert_no_full_address(output)
            failures = conn.execute(FAILURES).fetchall()
        finally:
            conn.execute("drop schema if exists dbt_test__audit cascade")
    assert failures == [
        ("dim_campaigns", "campaign_name", 2, "campaign_id", "CMP1", "A***@mail.acme.co.uk"),
    ]
