"""The synthetic export generator: deterministic, complete and consistent with the contract.

Columns, keys, accepted values and ranges come from the contract YAMLs
(models/staging/*/_*__sources.yml); CRM spellings must map through the seeds.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import lifecycle.generate
import pytest
import yaml
from lifecycle.benchmark import _generator_version
from lifecycle.generate import SCALES, generate

ROOT = Path(__file__).resolve().parents[2]
SEED = 7
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}
PERIOD = (
    datetime(2024, 1, 1, tzinfo=timezone.utc),
    datetime(2025, 12, 31, 23, 59, 59, tzinfo=timezone.utc),
)


def _meta(node: dict) -> dict:
    return {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}


def _contract() -> dict[str, dict]:
    """identifier -> {"columns": [column nodes], "primary_key": [...]} from the YAMLs."""
    files: dict[str, dict] = {}
    for path in sorted(ROOT.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8")).get("sources", []):
            for table in source.get("tables", []):
                files[table.get("identifier") or table["name"]] = {
                    "columns": table.get("columns", []),
                    "primary_key": list(_meta(table).get("primary_key") or []),
                }
    return files


CONTRACT = _contract()


def _seed_values(name: str, column: str = "source_value") -> dict[str, str]:
    with (ROOT / "seeds" / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    target = next(c for c in rows[0] if c != column)
    return {r[column].strip().lower(): r[target] for r in rows}


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _flag(value: str) -> bool:
    value = value.strip().lower()
    assert value in TRUE | FALSE | {""}, value
    return value in TRUE


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("xs")
    return out, generate("xs", SEED, out)


@pytest.fixture(scope="module")
def tables(generated: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    folder, _ = generated
    return {name: _read(folder, name) for name in CONTRACT}


@pytest.fixture(scope="module")
def ids(tables: dict[str, list[dict[str, str]]]) -> dict[str, set[str]]:
    out = {}
    for name, spec in CONTRACT.items():
        if len(spec["primary_key"]) == 1:
            out[name] = {r[spec["primary_key"][0]] for r in tables[name]}
    return out


def test_scales() -> None:
    assert SCALES == {"xs": 2_000, "s": 20_000, "m": 200_000, "l": 1_000_000}
    with pytest.raises(ValueError):
        generate("xxl", 1, Path("unused"))


def test_same_seed_gives_identical_bytes(
    generated: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    first, counts = generated
    again = generate("xs", SEED, tmp_path)
    assert again == counts
    for name in CONTRACT:
        assert (first / f"{name}.csv").read_bytes() == (tmp_path / f"{name}.csv").read_bytes(), name


def test_benchmark_cache_key_covers_every_module(tmp_path: Path) -> None:
    """The benchmark caches exports per generator version: a change in any module is a new one."""
    package = Path(lifecycle.generate.__file__).parent
    copy = tmp_path / "generate"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    version = _generator_version(copy)
    assert version == _generator_version()
    modules = sorted(copy.glob("*.py"))
    assert len(modules) > 1
    for module in modules:
        text = module.read_text(encoding="utf-8")
        module.write_text(text + "# changed\n", encoding="utf-8")
        assert _generator_version(copy) != version, module.name
        module.write_text(text, encoding="utf-8")


def test_different_seed_differs(generated: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    first, _ = generated
    generate("xs", SEED + 1, tmp_path)
    for name in ("crm_leads", "crm_opportunities", "map_email_events"):
        assert (first / f"{name}.csv").read_bytes() != (tmp_path / f"{name}.csv").read_bytes()


def test_every_file_has_the_contract_header_and_counted_rows(
    generated: tuple[Path, dict[str, int]],
) -> None:
    folder, counts = generated
    assert set(counts) == set(CONTRACT)
    for name, spec in CONTRACT.items():
        with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            n_rows = sum(1 for _ in reader)
        assert header == [c["name"] for c in spec["columns"]], name
        assert n_rows == counts[name] > 0, name


def test_quoting_is_exactly_what_the_csv_module_writes(
    generated: tuple[Path, dict[str, int]],
) -> None:
    folder, _ = generated
    for name in CONTRACT:
        raw = (folder / f"{name}.csv").read_text(encoding="utf-8")
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(csv.reader(io.StringIO(raw)))
        assert buf.getvalue() == raw, name


def test_primary_keys_unique_and_present(tables: dict[str, list[dict[str, str]]]) -> None:
    for name, spec in CONTRACT.items():
        key = spec["primary_key"]
        if not key:
            continue
        values = [tuple(r[k] for k in key) for r in tables[name]]
        assert all(all(v) for v in values), name
        assert len(values) == len(set(values)), name


def test_values_respect_the_contract(tables: dict[str, list[dict[str, str]]]) -> None:
    """Accepted values, minimums/maximums, types and the 2024-2025 timeline."""
    for name, spec in CONTRACT.items():
        for col in spec["columns"]:
            meta, kind = _meta(col), col["data_type"].split("(")[0].lower()
            accepted = {v.lower() for v in meta.get("accepted_values", [])}
            values = [r[col["name"]] for r in tables[name] if r[col["name"]] != ""]
            for v in values:
                if accepted:
                    assert v.strip().lower() in accepted, (name, col["name"], v)
                if kind in ("bigint", "decimal"):
                    x = float(v)
                    assert meta.get("min", x) <= x <= meta.get("max", x), (name, col["name"], v)
                elif kind == "boolean":
                    _flag(v)
                elif kind == "timestamp":
                    assert PERIOD[0] <= _ts(v) <= PERIOD[1], (name, col["name"], v)
                elif kind == "date":
                    assert "2024-01-01" <= v <= "2025-12-31", (name, col["name"], v)


def test_foreign_keys_resolve(
    tables: dict[str, list[dict[str, str]]], ids: dict[str, set[str]]
) -> None:
    refs = [
        ("crm_contacts", "account_id", "crm_accounts", True),
        ("crm_opportunities", "account_id", "crm_accounts", True),
        ("crm_opportunities", "contact_id", "crm_contacts", False),
        ("crm_opportunities", "campaign_id", "crm_campaigns", False),
        ("billing_subscriptions", "account_id", "crm_accounts", True),
        ("survey_nps_responses", "account_id", "crm_accounts", True),
        ("crm_leads", "converted_contact_id", "crm_contacts", False),
        ("crm_leads", "converted_account_id", "crm_accounts", False),
        ("crm_leads", "converted_opportunity_id", "crm_opportunities", False),
        ("crm_campaigns", "parent_campaign_id", "crm_campaigns", False),
        ("crm_campaign_members", "campaign_id", "crm_campaigns", True),
        ("crm_campaign_members", "lead_id", "crm_leads", False),
        ("crm_campaign_members", "contact_id", "crm_contacts", False),
        ("crm_sales_activities", "opportunity_id", "crm_opportunities", False),
        ("map_email_events", "campaign_id", "crm_campaigns", True),
        ("map_web_activities", "campaign_id", "crm_campaigns", False),
        ("marketing_spend", "campaign_id", "crm_campaigns", False),
    ]
    for table, column, target, required in refs:
        for r in tables[table]:
            value = r[column]
            assert value or not required, (table, column)
            assert not value or value in ids[target], (table, column, value)
    for table in ("crm_stage_history", "crm_sales_activities"):
        for r in tables[table]:
            kind = r["record_type"].strip().lower()
            assert r["record_id"] in ids["crm_leads" if kind == "lead" else "crm_contacts"], r
    for r in tables["crm_campaign_members"]:
        assert bool(r["lead_id"]) != bool(r["contact_id"]), r


def test_conversions_are_consistent(tables: dict[str, list[dict[str, str]]]) -> None:
    contacts = {r["contact_id"]: r for r in tables["crm_contacts"]}
    converted = [r for r in tables["crm_leads"] if r["converted_contact_id"]]
    assert converted
    for lead in converted:
        contact = contacts[lead["converted_contact_id"]]
        assert lead["converted_at"] and lead["converted_account_id"] == contact["account_id"]
        assert lead["email"].strip().lower() == contact["email"].strip().lower()
        assert _ts(lead["created_at"]) <= _ts(lead["converted_at"])
    assert any(r["converted_opportunity_id"] for r in converted)
    # the same human entered twice: a lead with a contact's email that did not convert to it
    leads_by_email: dict[str, set[str]] = defaultdict(set)
    for r in tables["crm_leads"]:
        leads_by_email[r["email"].strip().lower()].add(r["lead_id"])
    source = {r["converted_contact_id"]: r["lead_id"] for r in converted}
    unlinked = [
        c
        for c in tables["crm_contacts"]
        if leads_by_email[c["email"].strip().lower()] - {source.get(c["contact_id"])}
    ]
    assert unlinked


def test_email_events_belong_to_sends_of_email_programs(
    tables: dict[str, list[dict[str, str]]],
) -> None:
    campaigns = {r["campaign_id"]: r for r in tables["crm_campaigns"]}
    sends: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    types: dict[str, set[str]] = defaultdict(set)
    for r in tables["map_email_events"]:
        sends[r["email_send_id"]].add((r["campaign_id"], r["email_id"], r["email"]))
        types[r["email_send_id"]].add(r["event_type"].strip().lower())
        assert campaigns[r["campaign_id"]]["campaign_type"] in ("Email", "Nurture")
    assert all(len(v) == 1 for v in sends.values())
    assert all("sent" in v for v in types.values())
    automated = {c["campaign_id"] for c in campaigns.values() if c["campaign_type"] == "Nurture"}
    assert all(_flag(campaigns[c]["is_automated"]) for c in automated)
    known = {r["email"].strip().lower() for r in tables["crm_leads"] + tables["crm_contacts"]}
    assert {r["email"] for r in tables["map_email_events"]} <= known


def test_crm_spellings_map_through_the_seeds(tables: dict[str, list[dict[str, str]]]) -> None:
    channels = _seed_values("channel_mapping")
    stages = _seed_values("stage_mapping")
    types = _seed_values("opportunity_type_mapping")
    reasons = _seed_values("loss_reason_mapping")
    checks = [
        ("crm_leads", "lead_source", channels),
        ("crm_leads", "status", stages),
        ("crm_contacts", "lead_source", channels),
        ("crm_opportunities", "lead_source", channels),
        ("crm_opportunities", "opportunity_type", types),
        ("crm_opportunities", "loss_reason", reasons),
        ("crm_campaigns", "channel", channels),
        ("crm_stage_history", "stage", stages),
        ("map_web_activities", "channel", channels),
        ("marketing_spend", "channel", channels),
    ]
    for table, column, mapping in checks:
        values = {r[column] for r in tables[table] if r[column]}
        unmapped = {v for v in values if v.strip().lower() not in mapping}
        assert not unmapped, (table, column, unmapped)
    sources = {r["lead_source"] for r in tables["crm_leads"]}
    assert any(v != v.strip() for v in sources), "padded spellings expected"
    assert len({channels[v.strip().lower()] for v in sources}) >= 10


def test_reopened_and_repeat_mql_paths(tables: dict[str, list[dict[str, str]]]) -> None:
    stages = _seed_values("stage_mapping")
    person = {r["converted_contact_id"]: r["lead_id"] for r in tables["crm_leads"]}
    paths: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for r in tables["crm_stage_history"]:
        who = person.get(r["record_id"], r["record_id"])  # a converted lead's contact
        paths[who].append((_ts(r["entered_at"]), stages[r["stage"].strip().lower()]))
    reopened = repeat_mql = 0
    for events in paths.values():
        seq = [s for _, s in sorted(events)]
        if any(s == "recycled" and {"lead", "mql"} & set(seq[i + 1 :]) for i, s in enumerate(seq)):
            reopened += 1
        repeat_mql += seq.count("mql") >= 2
    reached = {s for events in paths.values() for _, s in events}
    assert reached == set(stages.values())  # every canonical stage occurs
    assert reopened > 0 and repeat_mql > 0


def test_opportunity_outcomes_and_currencies(tables: dict[str, list[dict[str, str]]]) -> None:
    reasons = _seed_values("loss_reason_mapping")
    types = _seed_values("opportunity_type_mapping")
    outcomes, kinds = set(), set()
    for r in tables["crm_opportunities"]:
        closed, won = _flag(r["is_closed"]), _flag(r["is_won"])
        kinds.add(types[r["opportunity_type"].strip().lower()])
        if not closed:
            assert not won and not r["closed_at"] and not r["loss_reason"]
            outcomes.add("open")
            continue
        assert _ts(r["closed_at"]) > _ts(r["created_at"])
        outcomes.add("won" if won else reasons[r["loss_reason"].strip().lower()])
    assert outcomes == {"open", "won", "lost", "no_decision"}
    assert kinds == {"new_business", "upsell", "cross_sell", "renewal"}
    for table in ("crm_opportunities", "billing_subscriptions", "marketing_spend"):
        currencies = {r["currency"] for r in tables[table]}
        assert {"USD", "EUR"} <= currencies, table
    fx = {(r["rate_date"], r["currency"]) for r in tables["fx_rates"]}
    assert ("2024-01-01", "EUR") in fx and ("2025-12-31", "EUR") in fx


def test_deleted_rows_present(tables: dict[str, list[dict[str, str]]]) -> None:
    for table in ("crm_accounts", "crm_leads", "crm_contacts", "crm_opportunities"):
        assert any(_flag(r["is_deleted"]) for r in tables[table]), table


def test_subscriptions_and_nps(tables: dict[str, list[dict[str, str]]]) -> None:
    subs = tables["billing_subscriptions"]
    assert any(r["ended_on"] for r in subs) and any(not r["ended_on"] for r in subs)
    assert all(not r["ended_on"] or r["ended_on"] > r["started_on"] for r in subs)
    by_account: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in subs:
        by_account[r["account_id"]].append((r["started_on"], r["ended_on"]))
    # upsells replace a subscription on the same day: an end that is another's start
    assert any(
        e and any(s2 == e for s2, _ in periods)
        for periods in by_account.values()
        for _, e in periods
    )
    scores = [int(r["score"]) for r in tables["survey_nps_responses"]]
    assert {s >= 9 for s in scores} == {True, False} and any(s <= 6 for s in scores)
