"""The export contract, read from the dbt sources YAML (the one place it is declared): the contract files
(models/staging/*/_*__sources.yml) and the connector tables (models/adapters/*/_*__sources.yml, whose
source-level `config.meta: {connector, raw_schema}` names the exports sub-folder and the raw schema)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from .project import PROJECT_DIR

SOURCES_GLOB = "models/staging/*/_*__sources.yml"
CONNECTOR_SOURCES_GLOB = "models/adapters/*/_*__sources.yml"
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
    unbounded: bool = False  # no date window (e.g. Fivetran's _fivetran_end = 2050-01-01)

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
    """One export file: `<name>.csv|.csv.gz|.parquet` loaded into `raw.<name>`; a connector's table:
    `<connector>/<name>.csv|...` loaded into `<schema>.<name>` (schema: the source's raw_schema)."""

    name: str
    source: str
    table: str
    required: bool
    primary_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    schema: str = "raw"
    connector: str | None = None  # None: a contract file
    history_key: tuple[str, ...] = ()  # the key of a history-mode file (its header has _fivetran_start)

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    @property
    def key(self) -> str:
        """A name unique across contract files and connector tables (for scratch tables)."""
        return self.name if self.connector is None else f"{self.connector}__{self.name}"

    @property
    def file_stem(self) -> str:
        """The file's path in the exports folder, without suffix: `crm_leads`, `salesforce/account`."""
        return self.name if self.connector is None else f"{self.connector}/{self.name}"

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _files(path: Path, connector_sources: bool) -> list[FileSpec]:
    files: list[FileSpec] = []
    doc = yaml.safe_load(path.read_text()) or {}
    for source in doc.get("sources", []):
        source_meta = _meta(source)
        connector = source_meta.get("connector") if connector_sources else None
        if connector_sources and not (connector and source_meta.get("raw_schema")):
            raise RuntimeError(f"{path}: source {source['name']} lacks config.meta connector and raw_schema")
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
                    unbounded=bool(_meta(col).get("unbounded", False)),
                )
                for col in table["columns"]
            )
            files.append(
                FileSpec(
                    # a connector table's file is named as the table (its identifier is a Jinja var lookup)
                    name=table["name"] if connector else table.get("identifier", table["name"]),
                    source=source["name"],
                    table=table["name"],
                    required=bool(meta.get("required", False)),
                    primary_key=tuple(meta.get("primary_key") or ()),
                    columns=columns,
                    schema=source_meta["raw_schema"] if connector else "raw",
                    connector=connector,
                    history_key=tuple(meta.get("history_key") or ()),
                )
            )
    return files


@lru_cache(maxsize=None)
def load_contract(project_dir: Path = PROJECT_DIR) -> tuple[FileSpec, ...]:
    """All export files of the contract, in declaration order."""
    files = [f for path in sorted(project_dir.glob(SOURCES_GLOB)) for f in _files(path, False)]
    if not files:
        raise RuntimeError(f"no export contract found under {project_dir / SOURCES_GLOB}")
    return tuple(files)


@lru_cache(maxsize=None)
def load_connectors(project_dir: Path = PROJECT_DIR) -> dict[str, tuple[FileSpec, ...]]:
    """The declared tables of each connector (its exports sub-folder), in declaration order."""
    found: dict[str, list[FileSpec]] = {}
    for path in sorted(project_dir.glob(CONNECTOR_SOURCES_GLOB)):
        for spec in _files(path, True):
            found.setdefault(spec.connector, []).append(spec)
    return {connector: tuple(specs) for connector, specs in found.items()}


def all_specs(project_dir: Path = PROJECT_DIR) -> tuple[FileSpec, ...]:
    """Contract files, then every connector's tables."""
    return load_contract(project_dir) + tuple(s for specs in load_connectors(project_dir).values() for s in specs)
