"""Read one export file (.csv, .csv.gz, .parquet) into a scratch DuckDB table of strings.

DuckDB's own CSV reader splits the fields (strict RFC 4180 quoting, its rejects table for rows it
cannot parse). What it cannot tell is the physical line of each row it accepts (its error line
numbers count records, not the line breaks inside quoted values), so one vectorised pass over the
bytes (`index_records`) finds where every record starts and ends: line breaks outside quoted values
end records; a quote opens a quoted value only at the start of a field, `""` inside one is a quote,
and a closing quote must be followed by a comma or the end of the line. Records that break those
rules (a stray quote, a carriage return without line feed) are set aside with the lines they span
and the rest is parsed from a copy without them, so a stray quote never swallows rows in silence.
Files where line k is record k (the usual export: no quoted line break, no blank line, one kind of line
ending) need no index: row i is line i + 2. Memory stays flat in the file's size: the bytes are read
chunk by chunk through a map whose pages are let go, and only files that need an index hold arrays
with one entry per record.

File-level problems raise LoadError naming file, column and line.
"""

from __future__ import annotations

import gzip
import mmap
import shutil
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from .contract import FileSpec
from .errors import LoadError

SUFFIXES = (".csv", ".csv.gz", ".parquet")
OTHER_DELIMITERS = (";", "\t", "|")
CHUNK_BYTES = 64 << 20
MAX_RECORD_BYTES = 64 << 20  # one record (row) may be this long; fields of 10 MB and more load
NEWLINE, CR, SPACE, QUOTE, COMMA = 10, 13, 32, 34, 44
BOM = b"\xef\xbb\xbf"
ENCODING = "invalid encoding"


def find_file(exports: Path, spec: FileSpec, root: Path | None = None) -> Path | None:
    """The export file of `spec` in `exports`, or None when absent.

    Refuses a symbolic link that leads out of the exports folder `root` (default: `exports`; a connector's
    sub-folder has the exports folder as root) and anything that is not a regular file."""
    root = root or exports

    def shown(path: Path) -> str:  # as the user sees it: `crm_leads.csv`, `salesforce/account.csv`
        return str(path.relative_to(root)) if path.is_relative_to(root) else path.name

    found = [exports / f"{spec.name}{s}" for s in SUFFIXES if (exports / f"{spec.name}{s}").exists()
             or (exports / f"{spec.name}{s}").is_symlink()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise LoadError(shown(found[0]), f"found several formats of the same file ({names}); keep one")
    if not found:
        return None
    path = found[0]
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise LoadError(shown(path), "is a broken link (or a loop of links); an export must be a regular file") from None
        if not target.is_relative_to(root.resolve()):
            raise LoadError(shown(path), f"is a symbolic link to {target}, outside the exports folder; "
                                         "copy the file into the folder instead")
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file" if path.exists() else "a broken link"
        raise LoadError(shown(path), f"is {kind}; an export must be a regular file")
    return path


def sql_text(value: str) -> str:
    """`value` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _normalize(name: str) -> str:
    return name.strip().strip("\ufeff").strip().lower()


def check_header(path: Path, spec: FileSpec, header: list[str]) -> dict[str, int]:
    """Map contract column -> position in the file; raise on a missing or unusable header."""
    names = [_normalize(h) for h in header]
    known = set(spec.column_names)
    if len(names) == 1 and any(d in header[0] for d in OTHER_DELIMITERS):
        delim = next(d for d in OTHER_DELIMITERS if d in header[0])
        shown = "tab" if delim == "\t" else repr(delim)
        raise LoadError(
            path.name, f"values must be comma-separated; the header looks {shown}-separated", line=1
        )
    if not known.intersection(names):
        raise LoadError(
            path.name,
            "no header row: line 1 names none of the contract's columns "
            f"(expected {', '.join(spec.column_names)})",
            line=1,
        )
    positions: dict[str, int] = {}
    for i, name in enumerate(names):
        if name in known:
            if name in positions:
                raise LoadError(path.name, "column appears twice in the header", column=name, line=1)
            positions[name] = i
    for col in spec.columns:
        if col.required and col.name not in positions:
            raise LoadError(path.name, "required column is missing from the header", column=col.name, line=1)
    return positions


# ---------------------------------------------------------------- the record index (CSV)

@dataclass
class RecordIndex:
    """Where the records of a CSV file are, by physical line (1 = the header)."""

    first_line: np.ndarray  # per outside-quote line k (0 = header): its first physical line
    last_line: np.ndarray  # ... and its last physical line (> first when a quoted value spans lines)
    start: np.ndarray  # ... byte offset where it starts
    end: np.ndarray  # ... byte offset after its last byte (line break excluded)
    lines: int  # physical lines in the file
    bad: dict[int, str] = field(default_factory=dict)  # k -> why its quoting is broken
    lone_cr: bool = False  # a CR without LF outside quotes (DuckDB's reader cannot take the file as it is)

    def blank(self, data: mmap.mmap) -> np.ndarray:
        """Per k: the line is empty (or a lone carriage return)."""
        length = self.end - self.start
        blank = length == 0
        ones = np.flatnonzero(length == 1)
        blank[ones] = [data[int(s)] == CR for s in self.start[ones]]
        return blank


def _quote_states(data: mmap.mmap, quotes: np.ndarray, inside: bool, skip: bool,
                  bad: list[int]) -> tuple[np.ndarray, bool, bool]:
    """Whether each quote leaves the reader inside a quoted value, quote by quote, as DuckDB reads
    them (RFC 4180; spaces before an opening quote are skipped; a quote in the middle of an unquoted
    value is a plain character). `skip`: the first quote is the second of a `""` pair. Appends the
    byte offsets of quotes that break the rules to `bad`. Used only where the fast parity rule fails."""
    size = len(data)
    after = np.empty(len(quotes), dtype=bool)
    for i, q in enumerate(quotes.tolist()):
        if skip:  # second quote of a "" pair inside a quoted value
            skip = False
        elif not inside:
            j = q - 1
            while j >= 0 and data[j] == SPACE:
                j -= 1
            prev = data[j] if j >= 0 else NEWLINE
            inside = prev in (COMMA, NEWLINE) or (j == 2 and data[:3] == BOM)
        else:
            nxt = data[q + 1] if q + 1 < size else NEWLINE
            if nxt == QUOTE:
                skip = True
            else:
                inside = False
                if nxt not in (COMMA, NEWLINE, CR):
                    bad.append(q)
        after[i] = inside
    return after, inside, skip


def _parity_holds(data: mmap.mmap, quotes: np.ndarray, parity: int) -> bool:
    """True when counting quotes (odd count = inside a quoted value) gives what `_quote_states`
    would: every opening quote starts a field (or follows a closing one, as in `""`) and every
    closing quote ends one (or is followed by another)."""
    if not len(quotes):
        return True
    size = len(data)
    buf = np.frombuffer(data, dtype=np.uint8)
    index = np.arange(len(quotes)) + parity
    opening, closing = quotes[index % 2 == 0], quotes[index % 2 == 1]
    prev = np.where(opening > 0, buf[np.maximum(opening - 1, 0)], NEWLINE)
    follows_quote = np.isin(opening - 1, closing)
    ok_open = np.isin(prev, (COMMA, NEWLINE)) | follows_quote | ((opening == 3) & (data[:3] == BOM))
    nxt = np.where(closing + 1 < size, buf[np.minimum(closing + 1, size - 1)], NEWLINE)
    ok_close = np.isin(nxt, (COMMA, NEWLINE, CR, QUOTE))
    return bool(ok_open.all() and ok_close.all())


def index_records(data: mmap.mmap, exact: bool = False) -> RecordIndex:
    """One pass over the bytes, in chunks: line breaks, quotes, record boundaries.

    Counting quotes (odd = inside a quoted value) is exact for files that follow the quoting rules
    and costs nothing per row; when a chunk breaks them, the file is indexed again quote by quote."""
    size = len(data)
    buf = np.frombuffer(data, dtype=np.uint8) if size else np.zeros(0, dtype=np.uint8)
    breaks: list[np.ndarray] = []  # byte offsets of line breaks outside quoted values
    break_lines: list[np.ndarray] = []  # their physical line numbers
    crlf_ends: list[np.ndarray] = []  # whether a CR comes before each of those line breaks
    bad_bytes: list[int] = []
    lone_crs: list[int] = []
    lines_before, inside, skip = 0, False, False
    for base in range(0, size, CHUNK_BYTES):
        chunk = buf[base:base + CHUNK_BYTES]
        newlines = np.flatnonzero(chunk == NEWLINE) + base
        quotes = np.flatnonzero(chunk == QUOTE) + base
        entering = inside
        if exact:
            after, inside, skip = _quote_states(data, quotes, inside, skip, bad_bytes)
        else:
            if not _parity_holds(data, quotes, int(inside)):
                return index_records(data, exact=True)
            after = (np.arange(len(quotes)) + int(inside)) % 2 == 0
            inside = bool(after[-1]) if len(after) else inside

        def inside_at(positions: np.ndarray) -> np.ndarray:
            last = np.searchsorted(quotes, positions) - 1
            if not len(after):
                return np.full(len(positions), entering)
            return np.where(last >= 0, after[np.maximum(last, 0)], entering)

        outside = ~inside_at(newlines)
        breaks.append(newlines[outside])
        break_lines.append(np.flatnonzero(outside) + lines_before + 1)
        # (looked up now, while the chunk is mapped: a lookup per record after the loop would map the whole file)
        crlf_ends.append(buf[np.maximum(breaks[-1] - 1, 0)] == CR)
        lines_before += len(newlines)
        crs = np.flatnonzero(chunk == CR) + base
        if len(crs):
            lone = crs[(crs + 1 >= size) | (buf[np.minimum(crs + 1, size - 1)] != NEWLINE)]
            lone_crs += lone[~inside_at(lone)].tolist()
        _release(data, base, len(chunk))
    ends_with_break = size > 0 and data[size - 1] == NEWLINE
    lines = lines_before + (0 if ends_with_break or size == 0 else 1)
    # outside-quote line k runs from after break k-1 to break k (or to the end of the file); the arrays
    # are filled chunk by chunk, each chunk's breaks freed once copied (no whole-file temporaries)
    n = 1 + sum(len(b) for b in breaks)
    start, end = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    first_line, last_line = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    start[0], first_line[0], end[-1], last_line[-1] = 0, 1, size, lines
    k = 0
    while breaks:
        brk, brk_line, crlf = breaks.pop(0), break_lines.pop(0), crlf_ends.pop(0)
        m = len(brk)
        start[k + 1:k + 1 + m] = brk + 1
        end[k:k + m] = brk - crlf  # the CR of a CRLF line break is not part of the line
        first_line[k + 1:k + 1 + m] = brk_line + 1
        last_line[k:k + m] = brk_line
        k += m
    if start[-1] == size:  # nothing after the last line break (outside quotes)
        start, end, first_line, last_line = start[:-1], end[:-1], first_line[:-1], last_line[:-1]
    index = RecordIndex(first_line, last_line, start, end, lines, lone_cr=bool(lone_crs))

    def record_of(byte: int) -> int:
        return int(np.searchsorted(start, byte, side="right") - 1)

    for b in bad_bytes:
        index.bad.setdefault(record_of(b), "a quoted value is closed in the middle of a field (stray quote)")
    for c in lone_crs:  # (a line of a lone CR at the end of the file is a blank line)
        if c < end[record_of(c)] and end[record_of(c)] - start[record_of(c)] > 1:
            index.bad.setdefault(record_of(c), "a carriage return without a line feed (old Mac line ending?)")
    if inside and len(start):
        index.bad.setdefault(len(start) - 1, "a quoted value is never closed (stray quote)")
    return index


# ---------------------------------------------------------------- reading into the scratch database

@dataclass
class ReadFile:
    """One export file as the scratch database sees it.

    `rows_sql` gives every contract column as text, in file order, straight from the file (nothing
    is copied); `lines_sql` the `_line` and `_last_line` of each of those rows, in the same order,
    for a positional join with what a query over `rows_sql` materialized (joining it to the scan
    itself would make DuckDB read the file on one thread). For a CSV file `lines_sql` assumes
    DuckDB's reader accepts every record; after a query has read the file, `recheck()` says whether
    it refused some (those become `unparsed`, and `lines_sql` leaves them out)."""

    file_name: str
    rows_sql: str  # SQL: the file's rows, contract columns as text (no line numbers)
    lines_sql: str  # SQL: _line, _last_line of each row, in the same order
    count: int  # records after the header (blank lines excluded), parsed or not
    lines: int  # physical lines (Parquet: rows)
    blank_lines: int
    unparsed: list[tuple[int, int, str, str]]  # (first line, last line, record text, reason)
    header_lines: int = 1  # (a quoted column name may hold a line break; Parquet: 0)
    recheck: Callable[[], bool] = lambda: False
    # what the file's bytes rule out, so that the checks can skip work: a value with a line break
    # (no quote in the file), a NUL byte, a space at either end of a value
    may_break_lines: bool = True
    may_hold_nul: bool = True
    may_be_padded: bool = True
    may_hold_other_blanks: bool = True

    line_offset: int | None = None  # when row i (from 0) is line i + line_offset: no join needed
    header_columns: tuple[str, ...] = ()  # the declared columns the file's header has

    def with_lines(self, table: str) -> str:
        """SQL: `table` (materialized from `rows_sql`, in its order, so its rowid is the row's position)
        with `_line` and `_last_line` in front."""
        if self.line_offset is not None:  # (rowids of uncommitted rows start at a large base)
            line = f"rowid - (select min(rowid) from {table}) + {self.line_offset}"
            return f"(select {line} as _line, {line} as _last_line, t.* from {table} as t)"
        return f"(select l._line, l._last_line, t.* from {table} as t positional join {self.lines_sql} as l)"


def _csv_options(width: int) -> str:
    columns = ", ".join(f"'c{i}': 'varchar'" for i in range(width))
    return (f"columns = {{{columns}}}, header = true, auto_detect = false, delim = ',', quote = '\"', "
            f"escape = '\"', strict_mode = true, max_line_size = {MAX_RECORD_BYTES}, "
            f"buffer_size = {MAX_RECORD_BYTES}")  # (a record spans at most two buffers; each thread pins one)


def _header_fields(path: Path, text: bytes) -> list[str]:
    import csv

    try:
        decoded = text.decode("utf-8-sig")
        names = next(csv.reader([decoded], strict=True), [])
    except UnicodeDecodeError:
        raise LoadError(path.name, "the header is not valid UTF-8", line=1) from None
    except csv.Error as exc:
        raise LoadError(path.name, f"the header cannot be read ({exc}; old Mac line endings?)", line=1) from None
    if any("\0" in name for name in names):
        raise LoadError(path.name, "a column name in the header holds a NUL byte", line=1)
    return names


def _decompress(path: Path, workdir: Path) -> Path:
    plain = workdir / path.name.removesuffix(".gz")
    try:
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 16 << 20)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise LoadError(path.name, f"not a readable gzip file ({exc})") from None
    return plain


@dataclass
class _Bytes:
    """What one pass over a file's bytes tells: `lines` when every line is one record (no quote, blank
    line or lone CR, one kind of line ending; else None), `tidy_lines` when the same holds but for
    quotes, whether some lines end in CRLF and others in LF, whether a value may start or end with a
    space, whether the file holds other blanks (tab, no-break space, a BOM after the first bytes) or a NUL."""

    lines: int | None
    tidy_lines: int | None
    mixed_endings: bool
    padded: bool
    other_blanks: bool
    nul: bool


PADDING = (b" ,", b", ", b" \n", b"\n ", b" \r")
OTHER_BLANKS = (b"\t", b"\xc2\xa0", BOM)


def _scan_bytes(data: mmap.mmap) -> _Bytes:
    size, newlines, crlfs, plain, tidy = len(data), 0, 0, True, True
    padded, other, nul = data[:1] == b" " or data[size - 1:] == b" ", BOM in data[1:3], False
    for base in range(0, size, CHUNK_BYTES):
        edge = data[max(base - 2, 0):base + CHUNK_BYTES + 2]  # the chunk and what straddles its edges
        lo = base - max(base - 2, 0)  # the chunk is edge[lo:hi]
        hi = lo + min(CHUNK_BYTES, size - base)
        has_cr = edge.find(b"\r", lo, hi + 1) >= 0  # (single bytes are found fast: look for them first)
        crlf = edge.count(b"\r\n", lo, hi + 1) if has_cr else 0  # CRLFs that start in the chunk
        newlines += edge.count(b"\n", lo, hi)
        crlfs += crlf
        if tidy:
            tidy = not (b"\n\n" in edge or has_cr and (b"\n\r\n" in edge or edge.count(b"\r", lo, hi) != crlf))
        plain = plain and tidy and edge.find(b'"', lo, hi) < 0
        padded = padded or edge.find(b" ") >= 0 and any(p in edge for p in PADDING)
        other = other or any(edge.find(p[:1], 3 if base == 0 else 0) >= 0
                             and edge.find(p, 3 if base == 0 else 0) >= 0 for p in OTHER_BLANKS)
        nul = nul or edge.find(b"\0", lo, hi) >= 0
        _release(data, base, hi - lo)
    mixed = 0 < crlfs < newlines
    tidy = tidy and not mixed and data[:1] not in (b"\n", b"\r")
    lines = newlines + (0 if data[size - 1] == NEWLINE else 1)
    return _Bytes(lines if plain and tidy else None, lines if tidy else None, mixed, padded, other, nul)


def _one_record_per_line(data: mmap.mmap) -> bool:
    """True when the quotes of a file follow the rules (counting them is exact, as in `index_records`)
    and no line break falls inside a quoted value: then line k is record k, and no index is needed."""
    size, inside = len(data), False
    buf = np.frombuffer(data, dtype=np.uint8)
    for base in range(0, size, CHUNK_BYTES):
        chunk = buf[base:base + CHUNK_BYTES]
        quotes = np.flatnonzero(chunk == QUOTE) + base
        try:
            if not _parity_holds(data, quotes, int(inside)):
                return False
            newlines = np.flatnonzero(chunk == NEWLINE) + base
            # a line break is inside a quoted value when an odd number of quotes (from `inside`) comes before it
            if ((np.searchsorted(quotes, newlines) + int(inside)) % 2 == 1).any():
                return False
            inside = (len(quotes) + int(inside)) % 2 == 1
        finally:
            _release(data, base, len(chunk))
    return not inside


def _release(data: mmap.mmap, start: int, length: int) -> None:
    """Let the OS drop pages already read (keeps the resident memory of big files small)."""
    page = mmap.PAGESIZE
    first = start - start % page
    data.madvise(mmap.MADV_DONTNEED, first, min(length + start - first, len(data) - first))


def _write_records(data: mmap.mmap, index: RecordIndex, kmap: np.ndarray, parsed: Path) -> None:
    """Write records `kmap` of the file to `parsed`, one line each (LF), letting the OS drop pages read."""
    released = 0
    with open(parsed, "wb") as out:
        for piece in range(0, len(kmap), 1 << 16):
            for k in kmap[piece:piece + (1 << 16)].tolist():
                out.write(data[int(index.start[k]):int(index.end[k])])
                out.write(b"\n")
            done = int(index.start[k])  # (the last record written may run on: keep its pages)
            if done - released >= CHUNK_BYTES:
                _release(data, released, done - released)
                released = done


def _read_csv(con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path, table: str, workdir: Path) -> ReadFile:
    source = _decompress(path, workdir) if path.name.endswith(".gz") else path
    if source.stat().st_size == 0:
        raise LoadError(path.name, "file is empty: a header row is required", line=1)
    with open(source, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_end = data.find(b"\n")
        seen = _scan_bytes(data)
        simple = seen.lines
        if simple is None and seen.tidy_lines is not None and _one_record_per_line(data):
            simple = seen.tidy_lines
        index, kmap, parsed, unparsed = None, None, source, []
        if simple is not None:  # line k is record k: no index needed
            header = _header_fields(path, data[:header_end if header_end >= 0 else len(data)].rstrip(b"\r"))
            lines = simple
        else:
            index = index_records(data)
            if 0 in index.bad:
                raise LoadError(path.name, f"the header's quoting is broken: {index.bad[0]}", line=1)
            header = _header_fields(path, data[int(index.start[0]):int(index.end[0])])
            first_line, last_line, lines, bad = index.first_line, index.last_line, index.lines, index.bad
            blank = index.blank(data)
            unparsed = [(int(first_line[k]), int(last_line[k]),
                         data[int(index.start[k]):int(index.end[k])][:500].decode("utf-8", "replace"), reason)
                        for k, reason in sorted(bad.items())]
            if bad or seen.mixed_endings or index.lone_cr:  # parse a copy: LF endings, no broken quoting
                keep = ~blank
                keep[list(bad)] = False
                keep[0] = True
                kmap = np.flatnonzero(keep)
                parsed = workdir / f"{spec.key}.parsed.csv"
                _write_records(data, index, kmap, parsed)
    positions = check_header(path, spec, header)
    lines_view = f"{table}_lines"

    def register(first: np.ndarray, last: np.ndarray) -> None:
        import pyarrow as pa

        con.register(lines_view, pa.table({"_line": first, "_last_line": last}))

    if index is None:
        # DuckDB's line L is physical line L and the rows are lines 2, 3, ...: no array per row (they
        # would grow with the file) unless DuckDB's reader refuses some records
        count, blank_lines, header_lines = lines - 1, 0, 1
        lines_sql = f"(select range as _line, range as _last_line from range(2, {lines + 1}))"

        def span(line: int) -> tuple[int, int]:
            return line, line

        def register_rows(refused: list[int]) -> None:
            kept = np.arange(2, lines + 1, dtype=np.int64)
            kept = kept[~np.isin(kept, refused)]
            register(kept, kept)
    else:
        # DuckDB's line L is the L-th line outside quoted values of the file it parses: record kmap[L - 1]
        kmap = np.arange(len(blank)) if kmap is None else kmap
        rows_k = kmap[1:]
        rows_k = rows_k[~blank[rows_k]]
        count, blank_lines = int((~blank[1:]).sum()), int(blank[1:].sum())
        header_lines, lines_sql = int(last_line[0] - first_line[0] + 1), lines_view
        del index, blank  # (their byte offsets are not needed any more)

        def span(line: int) -> tuple[int, int]:
            k = kmap[line - 1]
            return int(first_line[k]), int(last_line[k])

        def register_rows(refused: list[int]) -> None:
            ks = rows_k[~np.isin(rows_k, kmap[np.array(refused, dtype=np.int64) - 1])] if refused else rows_k
            register(first_line[ks], last_line[ks])

        register_rows([])
    columns = ", ".join(f"c{positions[c]} as {c}" if c in positions else f"cast(null as varchar) as {c}"
                        for c in spec.column_names)
    scan = (f"read_csv({sql_text(str(parsed))}, {_csv_options(len(header))}, store_rejects = true, "
            f"rejects_table = '{table}_rejects', rejects_scan = '{table}_scans')")
    read = ReadFile(
        file_name=path.name, rows_sql=f"(select {columns} from {scan})", lines_sql=lines_sql, count=count,
        header_columns=tuple(positions), lines=lines, blank_lines=blank_lines, unparsed=unparsed, header_lines=header_lines,
        may_break_lines=seen.lines is None, may_hold_nul=seen.nul, may_be_padded=seen.padded or seen.lines is None,
        may_hold_other_blanks=seen.other_blanks,
        line_offset=2 if simple is not None else None,
    )

    def recheck() -> bool:
        rejected = _rejects(con, path, table, header)
        for name in ("rejects", "scans"):  # a later scan of the file (for quarantined values) refills them
            con.execute(f"drop table if exists {table}_{name}").fetchall()
        if not rejected:
            return False
        for line, (text, reason) in rejected.items():
            if reason == ENCODING:  # the whole file is suspect: stop, naming the first place
                raise LoadError(path.name, "not valid UTF-8 (save the export as UTF-8)",
                                line=span(line)[0], column=text or None)
        read.unparsed += [(*span(line), text, reason) for line, (text, reason) in sorted(rejected.items())]
        register_rows(list(rejected))
        read.lines_sql, read.line_offset = lines_view, None
        return True

    read.recheck = recheck
    return read


def _rejects(con, path: Path, table: str, header: list[str]) -> dict[int, tuple[str, str]]:
    """DuckDB's line number -> (record text, reason) of the records its reader refused."""
    try:
        found = con.execute(
            f"select line, min(column_name), min(error_type), min(error_message), min(csv_line) "
            f"from {table}_rejects group by line order by line"
        ).fetchall()
    except duckdb.CatalogException:
        return {}
    rejected = {}
    for line, column, kind, message, text in found:
        if kind == "INVALID ENCODING":  # text: the column's name in the header
            name = header[int(column[1:])] if column and column[1:].isdigit() else ""
            rejected[int(line)] = (_normalize(name), ENCODING)
            continue
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
            count = message.rsplit("Found:", 1)[-1].strip().split()[0]
            reason = f"row has {count} fields, the header has {len(header)}"
        else:
            reason = f"cannot be parsed as CSV: {message.splitlines()[0]}"
        rejected[int(line)] = ((text or "")[:500], reason)
    return rejected


def _read_parquet(con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path) -> ReadFile:
    try:
        header = [r[0] for r in con.execute(f"describe select * from read_parquet({sql_text(str(path))})").fetchall()]
        rows = con.execute(f"select count(*) from read_parquet({sql_text(str(path))})").fetchall()[0][0]
    except (duckdb.IOException, duckdb.InvalidInputException) as exc:
        raise LoadError(path.name, f"not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    positions = check_header(path, spec, header)
    selected = ", ".join(
        f'cast("{header[positions[c]]}" as varchar) as {c}' if c in positions
        else f"cast(null as varchar) as {c}" for c in spec.column_names)
    return ReadFile(file_name=path.name, rows_sql=f"(select {selected} from read_parquet({sql_text(str(path))}))",
                    lines_sql=f"(select range as _line, range as _last_line from range(1, {rows + 1}))",
                    count=rows, lines=rows, blank_lines=0, unparsed=[], header_lines=0, line_offset=1,
                    header_columns=tuple(positions))


def read_file(con: duckdb.DuckDBPyConnection, spec: FileSpec, path: Path, workdir: Path) -> ReadFile:
    """Open `path` for the scratch database `con`: text columns with their physical lines."""
    if path.name.endswith(".parquet"):
        return _read_parquet(con, spec, path)
    return _read_csv(con, spec, path, f"read_{spec.key}", workdir)
