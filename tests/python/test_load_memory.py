"""`lifecycle load` keeps its memory flat in the size of the file (issue 9): a file whose every line is one
record (with or without quotes) is read with no array per row; a file with quoted line breaks is still
indexed, line by line. Either way every row keeps its own physical line."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lifecycle import readers
from lifecycle.contract import load_contract

from test_load_hostile import accounted, lead, load, ok, query, quarantined, write_leads


def _leads_spec():
    return next(spec for spec in load_contract() if spec.name == "crm_leads")


def _quoted(i: int) -> str:
    """A lead whose company is quoted, with a comma and an escaped quote inside."""
    return lead(i).replace("Acme,", f'"Acme ""{i}"", Inc",')


@pytest.mark.parametrize("rows, indexed", [
    ([lead(i) for i in range(1, 6)], False),
    ([_quoted(i) for i in range(1, 6)], False),  # quotes, but no line break inside one: line k is record k
    ([*(_quoted(i) for i in range(1, 5)), lead(5, title='"CTO\nCEO"')], True),  # a quoted line break
])
def test_only_files_with_quoted_line_breaks_get_an_array_per_row(rows, indexed, exports, tmp_path):
    write_leads(exports, rows)
    con = duckdb.connect()
    read = readers.read_file(con, _leads_spec(), exports / "crm_leads.csv", tmp_path)
    assert (read.line_offset is None) == indexed
    registered = {r[0] for r in con.execute("select view_name from duckdb_views() where temporary").fetchall()}
    assert ("read_crm_leads_lines" in registered) == indexed
    assert con.execute(f"select count(*) from {read.rows_sql}").fetchall() == [(5,)]


@pytest.mark.parametrize("chunk", [5, 64, readers.CHUNK_BYTES])
@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_refused_and_quarantined_records_of_a_quoted_file_keep_their_lines(chunk, ending, exports, duckdb_target,
                                                                           monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_BYTES", chunk)
    rows = [_quoted(i) for i in range(1, 41)]
    rows[2] = _quoted(3) + ",extra"  # line 4: a field too many (DuckDB's reader refuses the record)
    rows[4] = _quoted(5).replace("2024-01-05", "2024-13-05")  # line 6: a bad date
    write_leads(exports, rows, ending)
    ok(load(exports))
    assert [(line, column) for _, line, column, _, _ in quarantined(duckdb_target)] == [(4, None), (6, "created_at")]
    lines = dict(query(duckdb_target, "select lead_id, _line_number from raw.crm_leads"))
    assert len(lines) == 38 and all(lines[f"L{i}"] == i + 1 for i in range(1, 41) if i not in (3, 5))
    assert query(duckdb_target, "select company from raw.crm_leads where lead_id = 'L7'") == [('Acme "7", Inc',)]
    assert accounted(duckdb_target, "crm_leads.csv") == (41, 0, 40, 38, 2)


@pytest.mark.parametrize("chunk", [5, 64, readers.CHUNK_BYTES])
def test_a_quoted_line_break_late_in_the_file_is_still_indexed(chunk, exports, duckdb_target, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_BYTES", chunk)
    rows = [_quoted(i) for i in range(1, 41)]
    rows[37] = lead(38).replace("Acme,", '"Acme\nTwo",')  # lines 39-40: a quoted (multi-line) company
    write_leads(exports, rows)
    ok(load(exports))
    ((_, line, column, _, reason),) = quarantined(duckdb_target)  # (company is a single-line value)
    assert (line, column) == (39, "company") and "spans lines 39-40" in reason
    lines = dict(query(duckdb_target, "select lead_id, _line_number from raw.crm_leads"))
    assert lines["L37"] == 38 and lines["L39"] == 41 and lines["L40"] == 42
    assert accounted(duckdb_target, "crm_leads.csv") == (42, 0, 40, 39, 1)


def test_index_maps_records_like_before(tmp_path: Path):
    """index_records fills its arrays chunk by chunk; the CR of a CRLF is left out of each record."""
    import mmap

    path = tmp_path / "f.csv"
    path.write_bytes(b'h\r\n"a\r\nb"\r\n\r\nc\nd')
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for chunk in (1, 2, 3, 64):
            readers.CHUNK_BYTES, saved = chunk, readers.CHUNK_BYTES
            try:
                index = readers.index_records(data)
            finally:
                readers.CHUNK_BYTES = saved
            assert index.start.tolist() == [0, 3, 11, 13, 15]
            assert index.end.tolist() == [1, 9, 11, 14, 16]
            assert index.first_line.tolist() == [1, 2, 4, 5, 6] and index.last_line.tolist() == [1, 3, 4, 5, 6]
