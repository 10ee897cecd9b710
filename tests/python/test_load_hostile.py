"""`lifecycle load` on hostile exports (issue 7): stray quotes, date typos, fractions in whole
numbers, unknown currencies, file-wide problems, symlinks, huge fields, NUL bytes, odd line endings.
Each case asserts the exit status, the message or quarantine rows, and that no row is lost in silence."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.targets import target_settings

runner = CliRunner()
LEADS_HEADER = ("lead_id,email,company,title,industry,country,lead_source,status,created_at,converted_at,"
                "converted_contact_id,converted_account_id,converted_opportunity_id,owner_id,is_deleted")


def lead(i: int, title: str = "CTO", created: str = "2024-01-05T10:00:00Z") -> str:
    return f"L{i},p{i}@acme.com,Acme,{title},Software,US,Webinar,Open,{created},,,,,U1,false"


def write_leads(exports: Path, lines: list[str], ending: str = "\n") -> None:
    (exports / "crm_leads.csv").write_text(ending.join([LEADS_HEADER, *lines]) + ending, newline="")


def load(folder: Path, target: str = "duckdb"):
    return runner.invoke(app, ["load", "--exports", str(folder), "--target", target])


def query(settings: dict, sql: str) -> list[tuple]:
    """A query on the raw file (the target's own settings)."""
    with duckdb.connect(settings["raw"], read_only=True) as con:
        return con.execute(sql).fetchall()


def quarantined(settings: dict) -> list[tuple]:
    return query(settings, "select file_name, line_number, column_name, value, reason from raw.quarantine "
                           "order by file_name, line_number, column_name")


def accounted(settings: dict, file_name: str) -> tuple:
    """(lines_read, blank_lines, rows_read, rows_loaded, rows_quarantined) of the file in the last batch."""
    (row,) = query(settings, "select lines_read, blank_lines, rows_read, rows_loaded, rows_quarantined "
                             f"from raw.load_files where file_name = '{file_name}' "
                             "and batch_id = (select max(batch_id) from raw.load_batches)")
    return row


def ok(result) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return " ".join(result.output.split())


def fails(result) -> str:
    assert result.exit_code == 1, result.output + repr(result.exception)
    assert "Traceback" not in result.output
    return " ".join(result.output.split())


# ---------------------------------------------------------------- quoting

def test_a_stray_opening_quote_quarantines_exactly_the_lines_it_swallows(exports, duckdb_target):
    rows = [lead(i) for i in range(1, 21)]
    rows[4] = lead(5, title='"VP Sales')  # line 6: opens a quoted value that never closes properly
    rows[7] = lead(8).replace("Acme,", '"Acme, Inc",')  # line 9: the next quote, mid-field for the reader
    write_leads(exports, rows)
    ok(load(exports))
    ((file, line, column, value, reason),) = quarantined(duckdb_target)
    assert (file, line, column) == ("crm_leads.csv", 6, None)
    assert "stray quote" in reason and "spans lines 6-9" in reason and value.startswith("L5,")
    loaded = {r[0] for r in query(duckdb_target, "select lead_id from raw.crm_leads")}
    assert loaded == {f"L{i}" for i in range(1, 21)} - {"L5", "L6", "L7", "L8"}
    assert accounted(duckdb_target, "crm_leads.csv") == (21, 0, 17, 16, 1)
    lines = dict(query(duckdb_target, "select lead_id, _line_number from raw.crm_leads"))
    assert lines["L4"] == 5 and lines["L9"] == 10 and lines["L20"] == 21


def test_two_stray_quotes_that_pair_up_are_a_quoting_error_not_a_title(exports, duckdb_target):
    rows = [lead(i) for i in range(1, 21)]
    rows[4] = lead(5, title='"VP Sales')
    rows[6] = lead(7, title='Head"')  # closes the value opened on line 6: valid CSV, wrong data
    write_leads(exports, rows)
    ok(load(exports))
    ((file, line, column, _value, reason),) = quarantined(duckdb_target)
    assert (file, line, column) == ("crm_leads.csv", 6, "title")
    assert "line break inside a single-line value" in reason and "spans lines 6-8" in reason
    assert query(duckdb_target, "select count(*) from raw.crm_leads") == [(17,)]
    assert accounted(duckdb_target, "crm_leads.csv") == (21, 0, 18, 17, 1)


def test_quoted_line_breaks_crlf_and_blank_lines_keep_exact_line_numbers(exports, duckdb_target):
    (exports / "survey_nps_responses.csv").write_bytes(
        b"response_id,account_id,email,score,comment,responded_at,survey_name\r\n"
        b'R1,A1,ann@acme.com,9,"Great,\r\nreally\r\n\r\ngreat",2024-04-01T12:00:00Z,NPS Q2\r\n'
        b"\r\n"
        b'R2,A1,bob@acme.com,7,"She said ""fine""",2024-04-02T12:00:00Z,NPS Q2\r\n'
        b"R3,A1,cat@acme.com,10,,2024-04-03T12:00:00Z,NPS Q2"  # no line break at the end
    )
    ok(load(exports))
    got = query(duckdb_target, "select response_id, _line_number, comment from raw.survey_nps_responses "
                               "order by response_id")
    assert got == [("R1", 2, "Great,\r\nreally\r\n\r\ngreat"), ("R2", 7, 'She said "fine"'), ("R3", 8, None)]
    assert accounted(duckdb_target, "survey_nps_responses.csv") == (8, 1, 3, 3, 0)


def test_a_carriage_return_without_line_feed_is_quarantined(exports, duckdb_target):
    rows = [lead(i) for i in range(1, 21)]
    rows[2] = lead(3, title="CTO\rCEO")
    write_leads(exports, rows)
    ok(load(exports))
    ((_file, line, _column, _value, reason),) = quarantined(duckdb_target)
    assert line == 4 and "carriage return" in reason
    assert query(duckdb_target, "select count(*) from raw.crm_leads") == [(19,)]


def test_a_nul_byte_is_quarantined(exports, duckdb_target):
    rows = [lead(i) for i in range(1, 21)]
    rows[2] = lead(3, title="C\0TO")
    write_leads(exports, rows)
    ok(load(exports))
    assert quarantined(duckdb_target) == [("crm_leads.csv", 4, "title", "C\\0TO", "contains a NUL byte")]


def test_fields_of_ten_megabytes_load(exports, duckdb_target):
    comment = "x" * (11 << 20)
    (exports / "survey_nps_responses.csv").write_text(
        "response_id,account_id,email,score,comment,responded_at,survey_name\n"
        f'R1,A1,ann@acme.com,9,"{comment}",2024-04-01T12:00:00Z,NPS Q2\n'
        "R2,A1,bob@acme.com,9,short,2024-04-01T12:00:00Z,NPS Q2\n")
    ok(load(exports))
    assert query(duckdb_target, "select response_id, length(comment), _line_number "
                                "from raw.survey_nps_responses order by 1") == [("R1", 11 << 20, 2), ("R2", 5, 3)]


# ---------------------------------------------------------------- stricter values

VALUES = {
    "spend_date_far_ahead": ("marketing_spend.csv", "2204-01-15,Paid Search,CMP1,media,10,USD,1,1",
                             "spend_date", "2204-01-15", "more than 1 day after the load"),
    "spend_date_year_one": ("marketing_spend.csv", "0001-01-01,Paid Search,CMP1,media,10,USD,1,1",
                            "spend_date", "0001-01-01", "before 1990-01-01"),
    "spend_date_infinity": ("marketing_spend.csv", "infinity,Paid Search,CMP1,media,10,USD,1,1",
                            "spend_date", "infinity", "more than 1 day after the load"),
    "campaign_end_too_far": ("crm_campaigns.csv",
                             "CMP9,Later,Paid Search,Paid Ads,prospect,false,,2024-01-01,2099-01-01,1,1,USD",
                             "end_date", "2099-01-01", "more than 366 days after the load"),
    "fraction_in_whole_number": ("crm_accounts.csv", "A9,Initech,Software,10.7,US,2024-02-01,false",
                                 "employee_count", "10.7", "not a whole number"),
    "hexadecimal_whole_number": ("crm_accounts.csv", "A9,Initech,Software,0x10,US,2024-02-01,false",
                                 "employee_count", "0x10", "not a valid integer"),
    "underscored_whole_number": ("crm_accounts.csv", "A9,Initech,Software,1_000,US,2024-02-01,false",
                                 "employee_count", "1_000", "not a valid integer"),
    "misspelt_currency": ("crm_opportunities.csv",
                          "O9,A1,C1,New Business,Closed Won,500,EURO,2024-02-01T10:00:00Z,2024-03-15T10:00:00Z,"
                          "true,true,,Paid Search,CMP1,U1,false",
                          "currency", "EURO", "not a 3-letter currency code"),
    "currency_without_rates": ("crm_opportunities.csv",
                               "O9,A1,C1,New Business,Closed Won,500,EUR,2024-02-01T10:00:00Z,"
                               "2024-03-15T10:00:00Z,true,true,,Paid Search,CMP1,U1,false",
                               "currency", "EUR", "currency without rates in fx_rates (known: USD)"),
}


@pytest.mark.parametrize("case", sorted(VALUES))
def test_implausible_values_are_quarantined(case, exports, duckdb_target):
    file_name, line, column, value, reason = VALUES[case]
    path = exports / file_name
    good = len(path.read_text().splitlines()) - 1
    with path.open("a") as fh:
        fh.write(line + "\n")
    ok(load(exports))
    assert quarantined(duckdb_target) == [(file_name, good + 2, column, value, reason)]
    assert query(duckdb_target, f"select count(*) from raw.{file_name[:-4]}") == [(good,)]


def test_nps_scores_must_be_whole_numbers_from_0_to_10(exports, duckdb_target):
    (exports / "survey_nps_responses.csv").write_text(
        "response_id,account_id,email,score,comment,responded_at,survey_name\n"
        + "".join(f"R{i},A1,a@acme.com,{s},,2024-04-01T12:00:00Z,Q2\n"
                  for i, s in enumerate(["9", "6.5", "8.5", "10.4", "10.0", "7", "8", "9", "10", "0", "5", "3"])))
    ok(load(exports))
    assert quarantined(duckdb_target) == [
        ("survey_nps_responses.csv", 3, "score", "6.5", "not a whole number"),
        ("survey_nps_responses.csv", 4, "score", "8.5", "not a whole number"),
        ("survey_nps_responses.csv", 5, "score", "10.4", "not a whole number"),
    ]
    assert query(duckdb_target, "select score from raw.survey_nps_responses where response_id = 'R4'") == [(10,)]


def test_currencies_are_known_from_this_or_an_earlier_fx_rates_file(exports, duckdb_target):
    (exports / "fx_rates.csv").write_text("rate_date,currency,rate_to_reporting\n2024-01-01,eur,1.1\n")
    with (exports / "crm_opportunities.csv").open("a") as fh:
        fh.write("O9,A1,C1,New Business,Closed Won,500,eur,2024-02-01T10:00:00Z,2024-03-15T10:00:00Z,"
                 "true,true,,Paid Search,CMP1,U1,false\n")
    ok(load(exports))
    (exports / "fx_rates.csv").unlink()  # the next batch knows EUR from the first one
    ok(load(exports))
    assert quarantined(duckdb_target) == []
    assert query(duckdb_target, "select distinct currency from raw.crm_opportunities order by 1") == [
        ("EUR",), ("USD",)]


# ---------------------------------------------------------------- file-wide problems stop the load

def _unchanged_after(exports: Path, settings: dict, breaker) -> str:
    ok(load(exports))
    before = query(settings, "select (select count(*) from raw.crm_accounts), (select count(*) from raw.quarantine),"
                             " (select count(*) from raw.load_batches), (select count(*) from raw.load_files)")
    breaker()
    message = fails(load(exports))
    after = query(settings, "select (select count(*) from raw.crm_accounts), (select count(*) from raw.quarantine),"
                            " (select count(*) from raw.load_batches), (select count(*) from raw.load_files)")
    assert after == before
    return message


def test_a_problem_on_every_row_stops_the_load(exports, duckdb_target):
    path = exports / "crm_accounts.csv"

    def day_first_dates() -> None:  # 31/01/2024: every row, whatever the share rule says
        path.write_text(path.read_text().replace("2024-01-03T09:00:00Z", "03/01/2024").replace("2024-01-10", "10/01/2024"))

    message = _unchanged_after(exports, duckdb_target, day_first_dates)
    assert "crm_accounts.csv, line 2, column created_at: all 2 rows would be quarantined" in message
    assert "not a valid timestamp" in message and "nothing was loaded" in message


def test_a_trailing_comma_on_every_row_loses_nothing(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], *(line + "," for line in lines[1:])]) + "\n")
    ok(load(exports))
    assert query(duckdb_target, "select account_id, is_deleted from raw.crm_accounts order by 1") == [
        ("A1", False), ("A2", False)]


def test_too_many_quarantined_rows_stop_the_load(exports, duckdb_target):
    def typos() -> None:
        write_leads(exports, [lead(i, created="2024-13-45" if i % 3 == 0 else "2024-01-05T10:00:00Z")
                              for i in range(1, 41)])

    message = _unchanged_after(exports, duckdb_target, typos)
    assert "crm_leads.csv, line 4, column created_at: 13 of 40 rows (32%" in message
    assert "load_max_quarantine_share" in message and "not a valid timestamp" in message


def test_a_stray_quote_that_swallows_the_rest_of_the_file_stops_the_load(exports, duckdb_target):
    def stray() -> None:
        rows = [lead(i) for i in range(1, 31)]
        rows[2] = lead(3, title='"VP Sales')  # no quote after it: one record from line 4 to the end
        write_leads(exports, rows)

    message = _unchanged_after(exports, duckdb_target, stray)
    assert "crm_leads.csv, line 4: 28 of 30 rows (a record with broken quoting counted as the lines it holds) (93%" in message
    assert "never closed (stray quote)" in message and "spans lines 4-31" in message


def test_a_few_quarantined_rows_do_not_stop_the_load(exports, duckdb_target):
    write_leads(exports, [lead(i, created="2024-13-45" if i % 5 == 0 else "2024-01-05T10:00:00Z")
                          for i in range(1, 41)])  # 8 of 40: 20%, not more
    ok(load(exports))
    assert accounted(duckdb_target, "crm_leads.csv") == (41, 0, 40, 32, 8)


# ---------------------------------------------------------------- what the folder may hold

def test_a_symlink_out_of_the_exports_folder_is_refused(exports, duckdb_target, tmp_path):
    outside = tmp_path / "elsewhere.csv"
    (exports / "crm_accounts.csv").rename(outside)
    (exports / "crm_accounts.csv").symlink_to(outside)
    message = fails(load(exports))
    assert "crm_accounts.csv: is a symbolic link to" in message and "outside the exports folder" in message


def test_a_symlink_inside_the_exports_folder_loads(exports, duckdb_target):
    (exports / "crm_accounts.csv").rename(exports / "accounts-2024.csv")
    (exports / "crm_accounts.csv").symlink_to("accounts-2024.csv")
    ok(load(exports))
    assert query(duckdb_target, "select count(*) from raw.crm_accounts") == [(2,)]


def test_a_fifo_or_folder_in_place_of_a_file_is_refused(exports, duckdb_target):
    os.mkfifo(exports / "crm_campaign_members.csv")
    assert "crm_campaign_members.csv: is not a regular file" in fails(load(exports))
    (exports / "crm_campaign_members.csv").unlink()
    (exports / "crm_campaign_members.csv").mkdir()
    assert "crm_campaign_members.csv: is a folder" in fails(load(exports))


# ---------------------------------------------------------------- the order of rows read in parallel

def test_line_numbers_match_rows_in_a_large_generated_file(tmp_path, duckdb_target):
    """DuckDB reads big files in parallel; every row must keep its own line number."""
    from lifecycle.generate import generate

    exports = tmp_path / "gen"
    generate("s", 3, exports)
    ok(load(exports))
    for table, key in (("map_email_events", "event_id"), ("map_web_activities", "activity_id"),
                       ("crm_leads", "lead_id")):
        first_fields = [line.split(",", 1)[0] for line in (exports / f"{table}.csv").read_text().splitlines()]
        got = query(duckdb_target, f"select _line_number, {key} from raw.{table}")
        assert len(got) == len(first_fields) - 1, table
        assert sum(1 for line, value in got if first_fields[line - 1] != value) == 0, table


# ---------------------------------------------------------------- PostgreSQL

def test_postgres_quarantines_nul_bytes_and_stray_quotes_like_duckdb(exports, postgres_target):
    import psycopg

    rows = [lead(i) for i in range(1, 21)]
    rows[2] = lead(3, title="C\0TO")
    rows[4] = lead(5, title='"VP Sales')
    rows[7] = lead(8).replace("Acme,", '"Acme, Inc",')
    write_leads(exports, rows)
    ok(load(exports, "postgres"))
    with psycopg.connect(host=postgres_target["host"], port=postgres_target["port"],
                         user=postgres_target["user"], dbname=postgres_target["dbname"]) as conn:
        got = conn.execute("select line_number, column_name, value, reason from raw.quarantine "
                           "order by line_number").fetchall()
        assert [(line, column) for line, column, _, _ in got] == [(4, "title"), (6, None)]
        assert got[0][2:] == ("C\\0TO", "contains a NUL byte") and "spans lines 6-9" in got[1][3]
        assert conn.execute("select count(*) from raw.crm_leads").fetchone() == (15,)
        assert conn.execute("select lines_read, rows_read, rows_loaded, rows_quarantined from raw.load_files "
                            "where file_name = 'crm_leads.csv'").fetchone() == (21, 17, 15, 2)


# ---------------------------------------------------------------- found by a hostile-input trial

SURVEY_HEADER = b"response_id,account_id,email,score,comment,responded_at,survey_name\n"


def test_spaces_before_an_opening_quote_are_read_as_duckdb_reads_them(exports, duckdb_target):
    (exports / "survey_nps_responses.csv").write_bytes(
        SURVEY_HEADER + b'R1,A1,a@x.com,9, "great\nproduct",2024-01-06,q1\nR2,A1,c@x.com,7,fine,2024-01-07,q1\n')
    ok(load(exports))
    assert query(duckdb_target, "select response_id, _line_number, comment from raw.survey_nps_responses "
                                "order by 1") == [("R1", 2, "great\nproduct"), ("R2", 4, "fine")]
    assert quarantined(duckdb_target) == []


def test_mixed_line_endings_load_with_their_lines(exports, duckdb_target):
    (exports / "crm_accounts.csv").write_bytes(
        b"account_id,account_name,industry,employee_count,country,created_at,is_deleted\r\n"
        b"A1,Acme,Software,120,US,2024-01-03,false\n\nA2,Globex,Software,12,US,2024-01-03,false\r\n")
    ok(load(exports))
    assert query(duckdb_target, "select account_id, _line_number from raw.crm_accounts order by 1") == [
        ("A1", 2), ("A2", 4)]


@pytest.mark.parametrize("ending", [b"\r", b"\n\r"])
def test_a_lone_carriage_return_at_the_end_of_the_file_is_quarantined(ending, exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n") + ending)
    ok(load(exports))
    assert [reason for *_, reason in quarantined(duckdb_target)] in (
        [], ["a carriage return without a line feed (old Mac line ending?)"])
    assert accounted(duckdb_target, "crm_accounts.csv")[2:] in ((2, 2, 0), (2, 1, 1), (3, 2, 1))


def test_old_mac_line_endings_stop_with_a_message(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    assert "crm_accounts.csv, line 1:" in fails(load(exports))


def test_decimals_are_not_rounded_in_silence(exports, duckdb_target):
    with (exports / "marketing_spend.csv").open("a") as fh:
        fh.write("2024-01-05,Paid Search,CMP1,media,12.34567,USD,1,1\n2024-01-06,Paid Search,CMP1,media,12.3400,USD,1,1\n")
    ok(load(exports))
    assert quarantined(duckdb_target) == [("marketing_spend.csv", 4, "amount", "12.34567",
                                           "more than 4 decimal places (it would be rounded)")]


def test_tabs_no_break_spaces_and_stray_boms_are_trimmed(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(path.read_bytes() + b"A1\t,Acme again,Software,1,US,2024-01-03,false\n"
                     + b"\xef\xbb\xbfA3\xc2\xa0,Initech,Software,1,US,2024-01-03,false\n")
    ok(load(exports))
    assert quarantined(duckdb_target) == [("crm_accounts.csv", 4, None, None, "duplicate primary key (first on line 2)")]
    assert query(duckdb_target, "select account_id from raw.crm_accounts order by 1") == [("A1",), ("A2",), ("A3",)]


def test_a_line_of_commas_is_quarantined(exports, duckdb_target):
    with (exports / "marketing_spend.csv").open("a") as fh:
        fh.write(",,,,,,,\n")
    ok(load(exports))
    assert quarantined(duckdb_target) == [("marketing_spend.csv", 4, None, None,
                                           "the row holds no value (a line of commas?)")]


def test_a_nul_in_a_column_name_stops_the_load(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"industry", b"indu\0stry", 1))
    assert "crm_accounts.csv, line 1: a column name in the header holds a NUL byte" in fails(load(exports))


def test_a_quoted_column_name_with_a_line_break_loads(exports, duckdb_target):
    path = exports / "crm_accounts.csv"
    path.write_bytes(path.read_bytes().replace(b"account_name", b'"account_name\n"', 1))
    ok(load(exports))
    assert query(duckdb_target, "select account_id, _line_number from raw.crm_accounts order by 1") == [
        ("A1", 3), ("A2", 4)]


def test_a_folder_named_with_a_quote_loads(exports, duckdb_target, tmp_path):
    folder = tmp_path / "o'brien exports"
    exports.rename(folder)
    ok(load(folder))


def test_a_loop_of_links_is_refused(exports, duckdb_target):
    (exports / "crm_campaign_members.csv").symlink_to("crm_campaign_members.csv")
    assert "crm_campaign_members.csv: is a broken link" in fails(load(exports))


def test_one_bad_row_with_a_long_comment_does_not_stop_the_load(exports, duckdb_target):
    comment = "\n".join(f"line {i}" for i in range(30))
    rows = [f'R{i},A1,a@x.com,{11 if i == 5 else 9},"{comment}",2024-01-06,q1\n' for i in range(100)]
    (exports / "survey_nps_responses.csv").write_bytes(SURVEY_HEADER + "".join(rows).encode())
    ok(load(exports))
    assert accounted(duckdb_target, "survey_nps_responses.csv")[2:] == (100, 99, 1)


TRICKY = {  # files whose records, quotes and line endings fall on every chunk edge of a tiny chunk size
    "survey_nps_responses.csv": SURVEY_HEADER
    + b'R1,A1,a@x.com,9,"say ""hi""\r\nthen, ""bye""",2024-01-06,q1\r\n\r\n'
    + b'R2,A1,b@x.com,8, "x\ny",2024-01-06,q1\nR3,A1,c@x.com,7,"a"b,2024-01-06,q1\n'
    + b'R4,A1,d@x.com,7,"""",2024-01-06,q1\nR5,A1,e@x.com,6,ok\r,2024-01-06,q1\n\n'
    + b'R6,A1,f@x.com,10,"",2024-01-06,q1',
    "crm_accounts.csv": b"account_id,account_name,industry,employee_count,country,created_at,is_deleted\r\n"
    + b"".join(b"A%d,Acme %d,Software,1,US,2024-01-03,false\r\n" % (i, i) for i in range(1, 30))
    + b"\r\nA99,Last,Software,1,US,2024-01-03,false",
}


@pytest.mark.parametrize("chunk", [3, 5, 8, 64])
def test_chunk_edges_change_nothing(chunk, exports, duckdb_target, tmp_path, monkeypatch):
    """The byte scan works in chunks; whatever falls on a chunk's edge must not change the result."""
    from lifecycle import readers

    for name, data in TRICKY.items():
        (exports / name).write_bytes(data)

    def result(settings: dict) -> list:
        return [query(settings, sql) for sql in (
            "select response_id, _line_number, comment from raw.survey_nps_responses order by 1",
            "select account_id, _line_number from raw.crm_accounts order by 1",
            "select file_name, line_number, column_name, reason from raw.quarantine order by 1, 2, 3",
            "select file_name, lines_read, blank_lines, rows_read, rows_loaded, rows_quarantined "
            "from raw.load_files order by 1")]

    ok(load(exports))
    expected = result(duckdb_target)
    assert [r[0] for r in expected[0]] == ["R1", "R2", "R4", "R6"] and expected[0][3][1] == 11
    monkeypatch.setattr(readers, "CHUNK_BYTES", chunk)
    monkeypatch.setenv("LIFECYCLE_DUCKDB_PATH", str(tmp_path / "chunked.duckdb"))
    ok(load(exports))
    assert result(target_settings("duckdb")) == expected
