"""`lifecycle load` on good and bad input: exit status, message, quarantine, and no lost data."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import load_contract

runner = CliRunner()


def load(folder: Path):
    return runner.invoke(app, ["load", "--exports", str(folder), "--target", "duckdb"])


def snapshot(settings: dict) -> dict[str, list[tuple]]:
    """Every raw table's rows, sorted; {} when the raw file does not exist yet."""
    if not Path(settings["raw"]).exists():
        return {}
    with duckdb.connect(settings["raw"], read_only=True) as con:
        tables = [t for (t,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'").fetchall()]
        return {t: sorted(con.execute(f"select * from raw.{t}").fetchall(), key=repr) for t in tables}


def quarantine(settings: dict) -> list[tuple]:
    with duckdb.connect(settings["raw"], read_only=True) as con:
        return con.execute(
            "select file_name, line_number, column_name, value, reason from raw.quarantine "
            "order by batch_id, file_name, line_number, column_name"
        ).fetchall()


def rows(settings: dict, table: str, where: str = "true") -> list[tuple]:
    with duckdb.connect(settings["raw"], read_only=True) as con:
        return con.execute(f"select * from raw.{table} where {where}").fetchall()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new))


def append_lines(path: Path, *lines: str) -> None:
    with path.open("a") as fh:
        fh.write("".join(line + "\n" for line in lines))


# ---------------------------------------------------------------- good input

def test_loads_every_file_and_creates_absent_optional_tables(exports, duckdb_target):
    result = load(exports)
    assert result.exit_code == 0, result.output
    tables = snapshot(duckdb_target)
    for spec in load_contract():
        assert spec.name in tables, f"raw.{spec.name} missing"
    assert len(tables["crm_leads"]) == 2
    assert tables["map_email_events"] == []
    assert "quarantine" in tables and tables["quarantine"] == []
    assert "crm_leads.csv" in result.output and "absent" in result.output


def test_values_are_typed_and_timestamps_converted_to_utc(exports, duckdb_target):
    assert load(exports).exit_code == 0
    (lead,) = rows(duckdb_target, "crm_leads", "lead_id = 'L2'")
    names = ["_batch_id", "_loaded_at", "_file_name", "_line_number",
             *load_contract()[[s.name for s in load_contract()].index("crm_leads")].column_names]
    record = dict(zip(names, lead))
    assert str(record["created_at"]) == "2024-01-20 08:00:00"  # +02:00 offset -> UTC
    assert record["is_deleted"] is False  # "no"
    assert record["email"] == "bob@globex.com"  # padded -> trimmed
    assert record["_line_number"] == 3 and record["_file_name"] == "crm_leads.csv"


def test_extra_columns_are_ignored(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    lines = path.read_text().splitlines()
    lines = [lines[0] + ",favourite_colour"] + [line + ",blue" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert len(rows(duckdb_target, "crm_accounts")) == 2


def test_empty_file_with_header_loads_no_rows(exports, duckdb_target):
    path = exports / "crm_contacts.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert rows(duckdb_target, "crm_contacts") == []


def test_byte_order_mark_is_tolerated(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert len(rows(duckdb_target, "crm_accounts")) == 2


def test_gzip_and_parquet_inputs_load_like_csv(exports, duckdb_target, tmp_path):
    leads, spend = exports / "crm_leads.csv", exports / "marketing_spend.csv"
    expected_leads = len(leads.read_text().splitlines()) - 1
    (exports / "crm_leads.csv.gz").write_bytes(gzip.compress(leads.read_bytes()))
    leads.unlink()
    table = pacsv.read_csv(spend)  # typed by Arrow: dates, ints, doubles
    pq.write_table(table, exports / "marketing_spend.parquet")
    spend.unlink()
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert len(rows(duckdb_target, "crm_leads")) == expected_leads
    spend_rows = rows(duckdb_target, "marketing_spend")
    assert len(spend_rows) == 2 and {r[2] for r in spend_rows} == {"marketing_spend.parquet"}
    assert load(exports).exit_code == 0  # and a second batch of the same


def test_mixed_case_and_padded_enum_values_load(exports, duckdb_target):
    edit(exports / "crm_stage_history.csv", ",lead,Lead,", ", LEAD ,Lead,")
    edit(exports / "marketing_spend.csv", ",media,", ",  Media ,")
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert quarantine(duckdb_target) == []


# ---------------------------------------------------------------- file-level problems stop the load

FILE_LEVEL = {
    "missing_required_file": (lambda d: (d / "crm_contacts.csv").unlink(), ["crm_contacts.csv", "required file"]),
    "missing_required_column": (
        lambda d: edit(d / "crm_leads.csv", ",created_at,", ",created,"),
        ["crm_leads.csv", "line 1", "column created_at", "missing"],
    ),
    "no_header": (
        lambda d: (d / "crm_accounts.csv").write_text(
            "\n".join((d / "crm_accounts.csv").read_text().splitlines()[1:]) + "\n"),
        ["crm_accounts.csv", "line 1", "no header row"],
    ),
    "wrong_delimiter": (
        lambda d: (d / "crm_accounts.csv").write_text((d / "crm_accounts.csv").read_text().replace(",", ";")),
        ["crm_accounts.csv", "line 1", "comma-separated", "';'"],
    ),
    "non_utf8": (
        lambda d: (d / "crm_accounts.csv").write_bytes(
            (d / "crm_accounts.csv").read_bytes().replace(b"Globex", b"Glob\xe9x")),
        ["crm_accounts.csv", "line 3", "column account_name", "UTF-8"],
    ),
    "completely_empty_file": (
        lambda d: (d / "crm_campaigns.csv").write_text(""), ["crm_campaigns.csv", "header row is required"]),
    "broken_gzip": (
        lambda d: ((d / "crm_accounts.csv.gz").write_bytes(b"not gzip at all"), (d / "crm_accounts.csv").unlink()),
        ["crm_accounts.csv.gz", "gzip"],
    ),
    "broken_parquet": (
        lambda d: ((d / "crm_accounts.parquet").write_bytes(b"PAR1 nope"), (d / "crm_accounts.csv").unlink()),
        ["crm_accounts.parquet", "Parquet"],
    ),
}


@pytest.mark.parametrize("case", sorted(FILE_LEVEL))
def test_file_level_problem_stops_and_changes_nothing(case, exports, duckdb_target, tmp_path):
    assert load(exports).exit_code == 0
    before = snapshot(duckdb_target)
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in exports.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    breaker, expected = FILE_LEVEL[case]
    breaker(broken)
    result = load(broken)
    assert result.exit_code == 1, result.output
    message = " ".join(result.output.split())
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert snapshot(duckdb_target) == before


def test_file_level_problem_on_first_load_creates_nothing(exports, duckdb_target):
    (exports / "crm_leads.csv").unlink()
    assert load(exports).exit_code == 1
    assert snapshot(duckdb_target) == {}


# ---------------------------------------------------------------- row-level problems are quarantined

ROW_LEVEL = {
    "unparseable_number": (
        "crm_opportunities.csv", "O9,A1,C1,Upsell,Open,12k,USD,2024-03-01T00:00:00Z,,false,false,,,,,",
        ("amount", "12k", "not a valid decimal")),
    "unparseable_timestamp": (
        "crm_accounts.csv", "A9,Initech,Software,10,US,31/12/2024,false",
        ("created_at", "31/12/2024", "not a valid timestamp")),
    "unparseable_date": (
        "marketing_spend.csv", "2024-02-30,Paid Search,CMP1,media,10,USD,1,1",
        ("spend_date", "2024-02-30", "not a valid date")),
    "unparseable_boolean": (
        "crm_accounts.csv", "A9,Initech,Software,10,US,2024-02-01,maybe",
        ("is_deleted", "maybe", "not a valid boolean")),
    "negative_amount": (
        "marketing_spend.csv", "2024-02-01,Paid Search,CMP1,media,-5,USD,1,1",
        ("amount", "-5", "below the minimum 0")),
    "timestamp_far_future": (
        "crm_accounts.csv", "A9,Initech,Software,10,US,2999-01-01T00:00:00Z,false",
        ("created_at", "2999-01-01T00:00:00Z", "more than 1 day after the load")),
    "timestamp_before_1990": (
        "crm_accounts.csv", "A9,Initech,Software,10,US,1989-12-31T23:00:00Z,false",
        ("created_at", "1989-12-31T23:00:00Z", "before 1990-01-01")),
    "unknown_enum_value": (
        "crm_stage_history.csv", "S9,L2,account,MQL,2024-02-01T00:00:00Z",
        ("record_type", "account", "not one of lead, contact")),
    "null_primary_key": (
        "crm_accounts.csv", ",Initech,Software,10,US,2024-02-01,false", (None, None, "primary key is null")),
    "duplicated_primary_key": (
        "crm_accounts.csv", "A1,Acme again,Software,10,US,2024-02-01,false",
        (None, None, "duplicate primary key (first on line 2)")),
    "ragged_row": (
        "crm_accounts.csv", "A9,Initech", (None, "A9,Initech", "row has 2 fields, the header has 7")),
}


@pytest.mark.parametrize("case", sorted(ROW_LEVEL))
def test_row_level_problem_is_quarantined_and_the_rest_loads(case, exports, duckdb_target):
    file_name, line_text, (column, value, reason) = ROW_LEVEL[case]
    path = exports / file_name
    good_rows = len(path.read_text().splitlines()) - 1
    append_lines(path, line_text)
    result = load(exports)
    assert result.exit_code == 0, result.output
    assert "1 rows quarantined" in " ".join(result.output.split())
    assert quarantine(duckdb_target) == [(file_name, good_rows + 2, column, value, reason)]
    assert len(rows(duckdb_target, file_name.split(".")[0])) == good_rows


def test_nps_score_out_of_range_is_quarantined(exports, duckdb_target):
    (exports / "survey_nps_responses.csv").write_text(
        "response_id,account_id,email,score,comment,responded_at,survey_name\n"
        "R1,A1,ann@acme.com,9,Great,2024-04-01T12:00:00Z,NPS Q2\n"
        "R2,A1,ann@acme.com,11,Too good,2024-04-01T12:00:00Z,NPS Q2\n"
    )
    assert load(exports).exit_code == 0
    assert quarantine(duckdb_target) == [
        ("survey_nps_responses.csv", 3, "score", "11", "above the maximum 10")]
    assert len(rows(duckdb_target, "survey_nps_responses")) == 1


def test_row_level_problems_leave_earlier_batches_unchanged(exports, duckdb_target):
    assert load(exports).exit_code == 0
    before = snapshot(duckdb_target)
    append_lines(exports / "marketing_spend.csv", "2024-02-01,Paid Search,CMP1,media,-5,USD,1,1")
    assert load(exports).exit_code == 0
    after = snapshot(duckdb_target)
    for table, old_rows in before.items():
        assert [r for r in after[table] if table == "load_batches" or r[0] == 1] == old_rows or table in (
            "load_batches",), table
    assert len(after["quarantine"]) == 1
