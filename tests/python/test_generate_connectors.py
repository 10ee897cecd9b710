"""`lifecycle generate --format`: the contract files stay as they were without connectors, the connector
shape is deterministic, the projected contract files obey each projection rule of docs/design/connectors.md
§4, and every connector file has the columns its adapter reads.

What is checked per connector file: its table is declared in models/adapters/<connector>/_<connector>__sources.yml
and its header is a subset of that table's declared columns plus the custom columns lifecycle_vars.yml names
(lifecycle__salesforce_columns). A connector whose sources YAML does not exist in the checkout (its adapters not
merged yet) is not checked; the test's output names the connectors it checked. That the two shapes give the same
marts is tests/python/test_connectors_roundtrip.py.
"""

from __future__ import annotations

import csv
import filecmp
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lifecycle.cli import app
from lifecycle.contract import PROJECT_DIR
from lifecycle.generate.formats import parse_formats, provided_files
from lifecycle.project import passthrough_fields

SEED = 11
TRUE = {"true", "1", "yes"}
SETS = {"salesforce,marketo": ["salesforce", "marketo"], "hubspot": ["hubspot"]}


def generate(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(app, ["generate", "--out", str(out), "--scale", "xs", "--seed", str(SEED), *args])
    assert result.exit_code == 0, result.output[-3000:] + repr(result.exception)
    return out


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("formats")
    return {name: generate(root / name.replace(",", "_"), "--format", f"contract,{name}") for name in SETS}


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def ts(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def truthy(value: str) -> bool:
    return value.strip().lower() in TRUE


def same_tree(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only, compared byte by byte."""
    files = {p.relative_to(a) for p in a.rglob("*") if p.is_file()} | {p.relative_to(b) for p in b.rglob("*")
                                                                          if p.is_file()}
    return sorted(str(f) for f in files
                  if not ((a / f).is_file() and (b / f).is_file() and filecmp.cmp(a / f, b / f, shallow=False)))


def test_without_connectors_the_contract_files_are_unchanged(tmp_path):
    plain = generate(tmp_path / "plain")
    assert same_tree(plain, generate(tmp_path / "contract", "--format", "contract")) == []
    assert not (tmp_path / "contract" / "contract").exists()
    assert len(list(plain.glob("*.csv"))) == 15


@pytest.mark.parametrize("name", SETS)
def test_connector_shape_is_deterministic_per_seed(name, worlds, tmp_path):
    again = generate(tmp_path / "again", "--format", name)
    assert same_tree(worlds[name], again) == []
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "other"), "--scale", "xs",
                                      "--seed", str(SEED + 1), "--format", name])
    assert result.exit_code == 0
    assert same_tree(worlds[name], tmp_path / "other") != []


@pytest.mark.parametrize("text", ["salesforce", "marketo", "hubspot,marketo", "salesforce,hubspot", "zoho"])
def test_unsupported_formats_stop_with_a_message(text, tmp_path):
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path), "--scale", "xs", "--format", text])
    assert result.exit_code != 0
    assert "format" in result.output and not list(tmp_path.iterdir())
    with pytest.raises(ValueError):
        parse_formats(text)


@pytest.mark.parametrize("name", SETS)
def test_connector_folder_has_the_files_no_connector_provides(name, worlds):
    connectors, world = SETS[name], worlds[name]
    contract = {p.name for p in (world / "contract").glob("*.csv")}
    assert len(contract) == 15
    beside = {p.name for p in (world / "connectors").glob("*.csv")}
    assert beside == {f for f in contract if f[:-4] not in provided_files(connectors)}
    assert {p.name for p in (world / "connectors").iterdir() if p.is_dir()} == set(connectors)
    for f in beside:  # the projected world's file, as is
        assert filecmp.cmp(world / "contract" / f, world / "connectors" / f, shallow=False)
    assert isinstance(yaml.safe_load((world / "connectors" / "lifecycle_vars.yml").read_text()) or {}, dict)


def declared(connector: str) -> dict[str, set[str]] | None:
    path = PROJECT_DIR / "models" / "adapters" / connector / f"_{connector}__sources.yml"
    if not path.exists():
        return None
    tables = {}
    for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
        for table in source["tables"]:
            tables[table["name"]] = {c["name"] for c in table.get("columns", [])}
    return tables


def test_connector_files_have_the_columns_the_adapters_declare(worlds, capsys):
    checked, problems = [], []
    for name, connectors in SETS.items():
        shape_vars = yaml.safe_load((worlds[name] / "connectors" / "lifecycle_vars.yml").read_text()) or {}
        custom = shape_vars.get("lifecycle__salesforce_columns", {})
        passthrough = passthrough_fields(shape_vars)
        for connector in connectors:
            tables = declared(connector)
            files = sorted((worlds[name] / "connectors" / connector).glob("*.csv"))
            assert files, connector
            if tables is None:
                continue
            checked.append(connector)
            for path in files:
                if path.stem not in tables:
                    problems.append(f"{connector}/{path.name}: table not declared")
                    continue
                extra = (set(header(path)) - tables[path.stem] - set(custom.get(path.stem, {}).values())
                         - set(passthrough.get((connector, path.stem), ())))
                if extra:
                    problems.append(f"{connector}/{path.name}: undeclared columns {sorted(extra)}")
    with capsys.disabled():
        print(f"\nconnector headers checked against their sources YAML: {', '.join(checked) or 'none'}")
    assert not problems, "\n".join(problems)


# --- projection rules (docs/design/connectors.md §4), on the projected contract files -----------------------

def midnight(value: str) -> bool:
    t = ts(value).astimezone(timezone.utc)
    return (t.hour, t.minute, t.second) == (0, 0, 0)


def test_salesforce_projection(worlds):
    contract = worlds["salesforce,marketo"] / "contract"
    opps = rows(contract / "crm_opportunities.csv")
    assert any(o["closed_at"] for o in opps)
    for o in opps:
        assert bool(o["closed_at"]) == truthy(o["is_closed"]), o  # no closed_at of an open deal
        assert not o["closed_at"] or midnight(o["closed_at"]), o
    leads = rows(contract / "crm_leads.csv")
    assert any(lead["converted_at"] for lead in leads)
    for lead in leads:
        assert not lead["converted_at"] or midnight(lead["converted_at"])
        if not lead["converted_at"]:
            assert not (lead["converted_contact_id"] or lead["converted_account_id"]
                        or lead["converted_opportunity_id"]), lead
    members = rows(contract / "crm_campaign_members.csv")
    assert all(not m["first_responded_at"] or midnight(m["first_responded_at"]) for m in members)
    ids = {"lead": {r["lead_id"] for r in leads},
           "contact": {r["contact_id"] for r in rows(contract / "crm_contacts.csv")}}
    activities = rows(contract / "crm_sales_activities.csv")
    assert activities
    opp_ids = {o["opportunity_id"] for o in opps}
    for a in activities:
        assert a["record_id"] in ids[a["record_type"]], a
        assert not a["opportunity_id"] or a["opportunity_id"] in opp_ids
    assert all(c["channel"] or not c["campaign_type"] for c in rows(contract / "crm_campaigns.csv"))
    history = rows(contract / "crm_stage_history.csv")
    assert {h["record_type"] for h in history} == {"lead", "contact"}
    assert {lead["lead_id"] for lead in leads if lead["status"]} <= {h["record_id"] for h in history}


def test_salesforce_custom_columns_are_named_for_the_adapters(worlds):
    world = worlds["salesforce,marketo"]
    shape_vars = yaml.safe_load((world / "connectors" / "lifecycle_vars.yml").read_text())
    columns = shape_vars["lifecycle__salesforce_columns"]
    assert set(columns) == {"campaign", "opportunity"}
    assert set(columns["campaign"]) == {"channel", "audience", "is_automated"}
    assert set(columns["opportunity"]) == {"loss_reason"}
    field = shape_vars["lifecycle__salesforce_contact_stage_field"]
    for table, named in columns.items():
        assert set(named.values()) <= set(header(world / "connectors" / "salesforce" / f"{table}.csv"))
    history = rows(world / "connectors" / "salesforce" / "contact_history.csv")
    assert any(h["field"] == field for h in history)
    # the custom columns hold the contract values
    campaigns = {c["campaign_id"]: c for c in rows(world / "contract" / "crm_campaigns.csv")}
    for row in rows(world / "connectors" / "salesforce" / "campaign.csv"):
        assert row[columns["campaign"]["channel"]] == campaigns[row["id"]]["channel"]
        assert row[columns["campaign"]["audience"]] == campaigns[row["id"]]["audience"]


def test_marketo_projection(worlds):
    world = worlds["salesforce,marketo"]
    events = rows(world / "contract" / "map_email_events.csv")
    assert events
    types = {e["event_type"] for e in events}
    assert types <= {"sent", "delivered", "open", "click", "bounce", "unsubscribe"} and "sent" in types
    losers = {m["merge_ids"].strip("[]") for m in rows(world / "connectors" / "marketo" / "activity_merge_leads.csv")}
    leads = {r["email"]: r["id"] for r in rows(world / "connectors" / "marketo" / "lead.csv") if r["id"] not in losers}
    for e in events:
        assert e["email"], e
        parts = e["email_send_id"].split(":")
        assert parts[0] == "mkto-send" and parts[1] == e["email_id"] and parts[4] == leads[e["email"]], e
        assert e["event_id"].isdigit() and (e["event_type"] == "click" or not e["link_url"])
    assert all(s["email"] for s in rows(world / "contract" / "map_score_changes.csv"))


def test_hubspot_projection(worlds):
    world = worlds["hubspot"] / "contract"
    for empty in ("crm_leads", "crm_campaign_members", "crm_sales_activities"):
        assert rows(world / f"{empty}.csv") == [], empty
    contacts = {c["contact_id"]: c for c in rows(world / "crm_contacts.csv")}
    history = rows(world / "crm_stage_history.csv")
    assert history
    keys = set()
    for h in history:
        assert h["record_type"] == "contact" and h["record_id"] in contacts, h
        key = (h["record_id"], int(ts(h["entered_at"]).timestamp() * 1000))
        assert h["stage_event_id"] == f"hs-stage:{key[0]}:{key[1]}" and key not in keys, h
        keys.add(key)
    events = rows(world / "map_email_events.csv")
    sent = defaultdict(list)
    for e in events:
        assert e["email_id"] == e["campaign_id"] and (e["event_type"] == "click" or not e["link_url"])
        if e["event_type"] == "sent":
            sent[e["campaign_id"]].append(ts(e["occurred_at"]).astimezone(timezone.utc).date().isoformat())
            assert e["email_send_id"] == e["event_id"], e
    campaigns = rows(world / "crm_campaigns.csv")
    assert campaigns and {c["campaign_id"] for c in campaigns} == {e["campaign_id"] for e in events}
    for c in campaigns:
        assert (c["channel"], c["audience"]) == ("email", "prospect")
        assert not (c["parent_campaign_id"] or c["budgeted_cost"] or c["actual_cost"] or c["currency"])
        assert (c["start_date"], c["end_date"]) == (min(sent[c["campaign_id"]]), max(sent[c["campaign_id"]]))
    for o in rows(world / "crm_opportunities.csv"):
        assert not o["campaign_id"] and (truthy(o["is_closed"]) or not (o["closed_at"] or truthy(o["is_won"])))
    scores = rows(world / "map_score_changes.csv")
    assert scores
    live = {c["email"]: c["contact_id"] for c in sorted(contacts.values(), key=lambda c: c["contact_id"], reverse=True)
            if not truthy(c["is_deleted"])}
    previous: dict[str, int] = {}
    for s in sorted(scores, key=lambda s: (s["score_event_id"].split(":")[1], ts(s["occurred_at"]))):
        contact = live[s["email"]]
        assert s["score_event_id"] == f"hs-score:{contact}:{int(ts(s['occurred_at']).timestamp() * 1000)}"
        assert int(s["score_delta"]) == int(s["new_score"]) - previous.get(contact, 0), s
        previous[contact] = int(s["new_score"])


def test_hubspot_extras_the_adapters_remove(worlds):
    world = worlds["hubspot"]
    contacts = {c["id"]: c for c in rows(world / "connectors" / "hubspot" / "contact.csv")}
    losers = {c["property_hs_merged_object_ids"]: c["id"] for c in contacts.values()
              if c["property_hs_merged_object_ids"]}
    assert losers and all(contacts[loser]["_fivetran_deleted"] == "false" for loser in losers)
    projected = {c["contact_id"]: c for c in rows(world / "contract" / "crm_contacts.csv")}
    assert all(truthy(projected[loser]["is_deleted"]) for loser in losers)  # a tombstone in both shapes
    history = rows(world / "connectors" / "hubspot" / "contact_property_history.csv")
    assert {h["contact_id"] for h in history} & set(losers)  # history on the loser id
    types = {e["type"] for e in rows(world / "connectors" / "hubspot" / "email_event.csv")}
    assert {"PROCESSED", "DROPPED", "STATUSCHANGE", "SENT"} <= types


def test_salesforce_and_marketo_extras_the_adapters_remove(worlds):
    folder = worlds["salesforce,marketo"] / "connectors"
    sf, mk = folder / "salesforce", folder / "marketo"
    opportunities = rows(sf / "opportunity.csv")
    assert any(o["_fivetran_active"] == "false" for o in opportunities)
    assert len({(o["id"], o["_fivetran_start"]) for o in opportunities}) == len(opportunities)
    flagged = [r for table in ("lead", "contact", "account") for r in rows(sf / f"{table}.csv")]
    assert any(r["_fivetran_deleted"] == "true" for r in flagged) and any(r["is_deleted"] == "true" for r in flagged)
    roles = {r["opportunity_id"] for r in rows(sf / "opportunity_contact_role.csv")}
    converted = {lead["converted_opportunity_id"] for lead in rows(sf / "lead.csv")}
    assert roles and converted - roles - {""}  # some deals' contacts come from their converted lead only
    assert any(t["is_deleted"] == "true" for t in rows(sf / "task.csv"))
    assert any(not t["who_id"] for t in rows(sf / "task.csv"))
    merges = rows(mk / "activity_merge_leads.csv")
    losers = {m["merge_ids"].strip("[]") for m in merges}
    assert losers and losers & {a["lead_id"] for a in rows(mk / "activity_open_email.csv")}
    assert {"succeeded", "skipped"} <= {s["action_result"] for s in rows(mk / "activity_send_email.csv")}
