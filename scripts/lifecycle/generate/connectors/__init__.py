"""Connector-shaped copies of a projected synthetic world (docs/design/connectors.md §4).

`World` holds the projected contract files as all-text DuckDB tables (one table per file, named as
the file) and writes query results as CSV. The writers (`salesforce`, `hubspot`, `marketo`) are the
inverse of the adapters' mappings of §1: each writes one CSV per connector table, with Fivetran's column
names, into `DIR/connectors/<connector>/`, plus the realistic extras the adapters must remove.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

# DuckDB macros the projection and the writers share (session time zone UTC, see World)
MACROS = """
create macro truthy(x) as coalesce(lower(trim(x)) in ('true', '1', 'yes'), false);
create macro bool_text(x) as case when x then 'true' else 'false' end;
create macro ts(x) as cast(x as timestamptz);
create macro ts_text(x) as strftime(cast(x as timestamptz), '%Y-%m-%d %H:%M:%S');
create macro day_text(x) as strftime(cast(cast(x as timestamptz) as date), '%Y-%m-%d');
create macro midnight(x) as strftime(cast(cast(x as timestamptz) as date), '%Y-%m-%dT00:00:00Z');
create macro ms(x) as epoch_ms(cast(x as timestamptz));
create macro digits(x) as cast(regexp_extract(x, '[0-9]+$') as bigint);
create macro pick(key, seed, per_mille) as hash(key || ':' || seed) % 1000 < per_mille;
"""

# what a Fivetran sync stamps on every row; one constant keeps the files deterministic
SYNCED = "2026-01-01 00:00:00"


class World:
    """The projected contract files of one generated world, as text tables in an in-memory DuckDB."""

    def __init__(self, contract_dir: Path, columns: dict[str, list[str]], seed: int) -> None:
        self.dir = Path(contract_dir)
        self.columns = columns
        self.seed = seed
        self.con = duckdb.connect()
        # one thread keeps row order (insertion order) and so the files deterministic
        self.con.execute("set threads = 1; set TimeZone = 'UTC';")
        self.con.execute(MACROS)
        for name, cols in columns.items():
            spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
            self.con.execute(
                f"create table {name} as select * from read_csv('{self.dir / (name + '.csv')}', header = true, "
                f"columns = {spec}, delim = ',', quote = '\"', escape = '\"', auto_detect = false)")

    def sql(self, statement: str) -> None:
        self.con.execute(statement.replace("{seed}", str(self.seed)))

    def replace(self, name: str, query: str) -> None:
        """Replace a contract table by `query` (which must give the file's columns)."""
        cols = ", ".join(self.columns[name])
        self.sql(f"create or replace table {name} as select {cols} from ({query}) as q")

    def rows(self, query: str) -> list[tuple]:
        return self.con.execute(query.replace("{seed}", str(self.seed))).fetchall()

    def write(self, query: str, path: Path) -> int:
        """Write `query` to a CSV file (header, minimal quoting, empty = null); return its row count."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.sql(f"copy ({query}) to '{path}' (header true, delimiter ',', quote '\"')")
        return self.rows(f"select count(*) from ({query}) as q")[0][0]

    def write_table(self, query: str, path: Path) -> int:
        """Write a connector table: every Fivetran table has `_fivetran_synced` (one constant here)."""
        return self.write(f"select *, '{SYNCED}' as _fivetran_synced from ({query}) as t", path)

    def write_contract(self, name: str, out_dir: Path) -> int:
        return self.write(f"select {', '.join(self.columns[name])} from {name}", out_dir / f"{name}.csv")
