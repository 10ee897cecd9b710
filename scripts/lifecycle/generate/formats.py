"""`lifecycle generate --format`: one world in contract shape and in connector shape (docs/design/connectors.md §4).

`DIR/contract/` holds the projected world as contract files; `DIR/connectors/` holds one sub-folder per
chosen connector (one CSV per connector table), the contract files no chosen connector provides, and
`lifecycle_vars.yml` (the dbt vars the connector shape needs; tests pass them to both builds).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from ..contract import PROJECT_DIR
from . import generate
from .connectors import World, hubspot, marketo, salesforce
from .project import project
from .writing import contract_columns

WRITERS = {"salesforce": salesforce, "hubspot": hubspot, "marketo": marketo}
FORMATS = ("contract", *WRITERS)
# the connector sets the projection and the round trip are built for
SUPPORTED = ({"salesforce", "marketo"}, {"hubspot"})
# passthrough fields (macros/passthrough.sql) planted in both shapes: a persona on leads and contacts (missing
# on many contacts, so dim_persons falls back to the lead's) and a numeric tier on accounts; the writers name
# them in their connectors' passthrough vars
PASSTHROUGH = {
    "crm_leads": ("persona", "case when pick(lead_id, {seed}, 150) then null else 'persona-' || hash(lead_id) % 4 end"),
    "crm_contacts": ("persona",
                     "case when pick(contact_id, {seed}, 400) then null else 'persona-' || hash(contact_id) % 4 end"),
    "crm_accounts": ("tier", "cast(1 + hash(account_id) % 3 as varchar)"),
}
CONTRACT_VARS = {"lifecycle__passthrough_columns": {
    "crm_leads": ["persona"], "crm_contacts": ["persona"], "crm_accounts": [{"name": "tier", "data_type": "bigint"}]}}


def parse_formats(text: str | None) -> list[str]:
    """The chosen connectors of `--format a,b,...` (empty: contract files only); a clear error otherwise."""
    names = [n.strip().lower() for n in (text or "contract").split(",") if n.strip()]
    unknown = sorted(set(names) - set(FORMATS))
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(FORMATS)}")
    connectors = [n for n in WRITERS if n in names]
    if connectors and set(connectors) not in SUPPORTED:
        raise ValueError(
            f"--format {','.join(connectors)} is not supported: connector shapes are generated for "
            + " or ".join(",".join(sorted(s)) for s in SUPPORTED))
    return connectors


def provided_files(connectors: list[str]) -> set[str]:
    """The contract files the chosen connectors provide by default (dbt_project.yml)."""
    doc = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    files = doc["vars"]["lifecycle__connector_files"]
    return {name for name, providers in files.items() if set(providers) & set(connectors)}


def generate_formats(scale: str, seed: int, out_dir: Path, connectors: list[str],
                     progress: bool = False) -> dict[str, int]:
    """Write DIR/contract (projected) and DIR/connectors; return rows written per file."""
    out = Path(out_dir)
    contract_dir, connectors_dir = out / "contract", out / "connectors"
    generate(scale, seed, contract_dir, progress=progress)
    columns = dict(contract_columns())
    world = World(contract_dir, columns, seed)
    project(world, connectors)
    for name, (column, value) in PASSTHROUGH.items():
        world.sql(f"alter table {name} add column {column} varchar")
        world.sql(f"update {name} set {column} = {value}")
        columns[name] = [*columns[name], column]
    counts = {f"contract/{name}": world.write_contract(name, contract_dir) for name in columns}
    shutil.rmtree(connectors_dir, ignore_errors=True)  # no table of an earlier run may stay
    variables: dict = dict(CONTRACT_VARS)
    for name in connectors:
        counts.update(WRITERS[name].write(world, connectors_dir / name))
        variables.update(WRITERS[name].VARS)
    provided = provided_files(connectors)
    for name in columns:
        if name not in provided:
            counts[f"connectors/{name}"] = world.write_contract(name, connectors_dir)
    (connectors_dir / "lifecycle_vars.yml").write_text(
        "# dbt vars of this connector-shaped world (pass them to dbt with --vars)\n"
        + yaml.safe_dump(variables, sort_keys=True), encoding="utf-8")
    return counts
