"""The export contract, read from the dbt sources YAML (the one place it is declared)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .project import PROJECT_DIR

SOURCES_GLOB = "models/staging/*/_*__sources.yml"
BATCH_COLUMNS = ("_batch_id", "_loaded_at", "_file_name", "_line_number")


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    data_type: str  # varchar, bigint, decimal(p,s), boolean, timestamp, date
    required: bool = True
    min: float | None = None
    max: float | None = None
    accepted_values: tuple[str, ...] = ()
    multiline: bool = False  # free text that may hold line breaks (else a line break is a quoting error)
    planned: bool = False  # a date that may lie in the future (load_planned_days_ahead), e.g. an end date
    currency: str | None = None  # "code": a 3-letter currency code; "known": ... with rates in fx_rates

    @property
    def kind(self) -> str:
        """The type family the loader parses: string, integer, decimal, boolean, timestamp, date."""
        base = self.data_type.split("(")[0].strip().lower()
        return {
            "varchar": "string",
            "text": "string",
            "bigint": "integer",
            "integer": "integer",
            "decimal": "decimal",
            "numeric": "decimal",
            "boolean": "boolean",
            "timestamp": "timestamp",
            "date": "date",
        }[base]


@dataclass(frozen=True)
class FileSpec:
    """One export file: `<name>.csv|.csv.gz|.parquet` loaded into `raw.<name>`."""

    name: str
    source: str
    table: str
    required: bool
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


@lru_cache(maxsize=None)
def load_contract(project_dir: Path = PROJECT_DIR) -> tuple[FileSpec, ...]:
    """All export files of the contract, in declaration order."""
    files: list[FileSpec] = []
    for path in sorted(project_dir.glob(SOURCES_GLOB)):
        doc = yaml.safe_load(path.read_text())
        for source in doc.get("sources", []):
            for table in source.get("tables", []):
                meta = _meta(table)
                columns = tuple(
                    ColumnSpec(
                        name=col["name"],
                        data_type=col["data_type"],
                        required=_meta(col).get("required", True),
                        min=_meta(col).get("min"),
                        max=_meta(col).get("max"),
                        accepted_values=tuple(_meta(col).get("accepted_values", ())),
                        multiline=bool(_meta(col).get("multiline", False)),
                        planned=bool(_meta(col).get("planned", False)),
                        currency=_meta(col).get("currency"),
                    )
                    for col in table["columns"]
                )
                files.append(
                    FileSpec(
                        name=table.get("identifier", table["name"]),
                        source=source["name"],
                        table=table["name"],
                        required=bool(meta.get("required", False)),
                        primary_key=tuple(meta.get("primary_key") or ()),
                        columns=columns,
                    )
                )
    if not files:
        raise RuntimeError(f"no export contract found under {project_dir / SOURCES_GLOB}")
    return tuple(files)
