"""Read one export file (.csv, .csv.gz, .parquet) into batches of string columns.

File-level problems raise LoadError naming file, column and line. Rows whose field count
differs from the header are returned as `RaggedRow`s for quarantine, not raised.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from .contract import FileSpec
from .errors import LoadError

SUFFIXES = (".csv", ".csv.gz", ".parquet")
BATCH_ROWS = 100_000
OTHER_DELIMITERS = (";", "\t", "|")


@dataclass
class RaggedRow:
    line: int
    reason: str
    value: str


@dataclass
class StringBatch:
    """Rows of one file as strings: `columns` maps contract column -> values; `lines` the line numbers."""

    columns: dict[str, list[str | None]]
    lines: list[int]
    ragged: list[RaggedRow] = field(default_factory=list)

    def to_arrow(self) -> pa.Table:
        data = {name: pa.array(values, pa.string()) for name, values in self.columns.items()}
        data["_line"] = pa.array(self.lines, pa.int64())
        return pa.table(data)


def find_file(exports: Path, spec: FileSpec) -> Path | None:
    """The export file of `spec` in `exports`, or None when absent."""
    found = [exports / f"{spec.name}{s}" for s in SUFFIXES if (exports / f"{spec.name}{s}").is_file()]
    if len(found) > 1:
        names = ", ".join(p.name for p in found)
        raise LoadError(found[0].name, f"found several formats of the same file ({names}); keep one")
    return found[0] if found else None


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


def _locate_bad_utf8(path: Path, opener: Callable[[], io.BufferedIOBase]) -> tuple[int, str | None]:
    """Line number and column name (from the header) of the first invalid UTF-8 byte."""
    header: list[str] = []
    with opener() as raw:
        for number, line in enumerate(raw, start=1):
            try:
                text = line.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                fields = next(csv.reader([line.decode("utf-8", errors="replace")]), [])
                bad = next((i for i, f in enumerate(fields) if "\ufffd" in f), None)
                column = header[bad] if bad is not None and bad < len(header) else None
                return number, column
            if number == 1:
                header = [_normalize(h) for h in next(csv.reader([text]), [])]
    return 0, None


def _read_csv(path: Path, spec: FileSpec, on_progress: Callable[[int], None]) -> Iterator[StringBatch]:
    gz = path.name.endswith(".gz")

    def opener() -> io.BufferedIOBase:
        return gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115

    raw = open(path, "rb")  # noqa: SIM115  (size progress is measured on the file on disk)
    binary = gzip.GzipFile(fileobj=raw) if gz else raw
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=False)
    try:
        try:
            header = next(reader, None)
            if header is None:
                raise LoadError(path.name, "file is empty: a header row is required", line=1)
            positions = check_header(path, spec, header)
            width = len(header)
            batch = StringBatch({c: [] for c in spec.column_names}, [])
            last_line = reader.line_num
            for row in reader:
                line, last_line = last_line + 1, reader.line_num
                if not row:
                    continue
                if len(row) != width:
                    batch.ragged.append(
                        RaggedRow(line, f"row has {len(row)} fields, the header has {width}", ",".join(row)[:500])
                    )
                    continue
                for name, values in batch.columns.items():
                    pos = positions.get(name)
                    values.append(row[pos] if pos is not None else None)
                batch.lines.append(line)
                if len(batch.lines) >= BATCH_ROWS:
                    on_progress(raw.tell())
                    yield batch
                    batch = StringBatch({c: [] for c in spec.column_names}, [])
            on_progress(raw.tell())
            yield batch
        except UnicodeDecodeError as exc:
            line, column = _locate_bad_utf8(path, opener)
            raise LoadError(
                path.name, f"not valid UTF-8 ({exc.reason} at byte 0x{exc.object[exc.start]:02x})",
                column=column, line=line or None,
            ) from None
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise LoadError(path.name, f"not a readable gzip file ({exc})") from None
        except csv.Error as exc:
            raise LoadError(path.name, f"not a valid CSV file ({exc})", line=reader.line_num) from None
    finally:
        text.close()


def _read_parquet(path: Path, spec: FileSpec, on_progress: Callable[[int], None]) -> Iterator[StringBatch]:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise LoadError(path.name, f"not a readable Parquet file ({exc})") from None
    header = parquet.schema_arrow.names
    positions = check_header(path, spec, header)
    line = 0
    for record_batch in parquet.iter_batches(batch_size=BATCH_ROWS):
        columns: dict[str, list[str | None]] = {}
        for name in spec.column_names:
            pos = positions.get(name)
            if pos is None:
                columns[name] = [None] * record_batch.num_rows
                continue
            array = record_batch.column(pos)
            try:
                columns[name] = array.cast(pa.string()).to_pylist()
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise LoadError(path.name, f"column type {array.type} cannot be read ({exc})", column=name) from None
        lines = list(range(line + 1, line + record_batch.num_rows + 1))
        line += record_batch.num_rows
        on_progress(int(path.stat().st_size * line / max(parquet.metadata.num_rows, 1)))
        yield StringBatch(columns, lines)


def read_batches(
    path: Path, spec: FileSpec, on_progress: Callable[[int], None] = lambda _: None
) -> Iterator[StringBatch]:
    """Yield the rows of `path` in batches; `on_progress` gets bytes read so far."""
    if path.name.endswith(".parquet"):
        return _read_parquet(path, spec, on_progress)
    return _read_csv(path, spec, on_progress)
