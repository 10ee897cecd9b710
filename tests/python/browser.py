"""Headless Chromium (Debian's `chromium`, installed by .ci/run) for tests: open a local page with the
network off and return its DOM after its scripts ran, every URL it asked for, and optionally a
screenshot."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

# no network: every http(s) request goes to a proxy on the discard port that is never there (and is
# logged all the same); no background traffic of the browser's own (updates, sync, field trials)
OFFLINE = (
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-first-run",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--metrics-recording-only",
)


@dataclass
class Visit:
    dom: str  # the page's DOM after its scripts ran (--dump-dom)
    requests: list[str]  # every URL the page asked for, from the browser's net log

    def outside(self) -> list[str]:
        """The requested URLs that left the page's files: neither file: nor data:."""
        return [url for url in self.requests if not url.startswith(("file:", "data:"))]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("headless Chromium not found: apt-get install chromium (.ci/run installs it)")
    return found


def visit(page: Path, screenshot: Path | None = None, size: tuple[int, int] = (1280, 1024)) -> Visit:
    """Open `page` in headless Chromium with the network off; with `screenshot`, also write a PNG of
    the first `size` pixels of it there."""
    with tempfile.TemporaryDirectory(prefix="lifecycle-chromium-") as tmp:
        net_log = Path(tmp) / "net.json"
        args = [chromium(), "--headless", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
                f"--log-net-log={net_log}", *OFFLINE, f"--window-size={size[0]},{size[1]}",
                "--virtual-time-budget=5000"]  # let the page's scripts and timers run before the dump
        if os.geteuid() == 0:  # Chromium's sandbox refuses to run as root (CI runs as root)
            args.append("--no-sandbox")
        if screenshot is not None:
            args.append(f"--screenshot={screenshot}")
        done = subprocess.run([*args, "--dump-dom", page.resolve().as_uri()],
                              check=False, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"chromium exited {done.returncode}: {done.stderr[-2000:]}")
        return Visit(dom=done.stdout, requests=_requested(net_log))


def _requested(net_log: Path) -> list[str]:
    """The URLs the page asked for: the net log's request starts that a document initiated (the
    browser's own background requests, update checks and the like, have no initiator origin; they
    too go to the dead proxy)."""
    text = net_log.read_text().rstrip()
    if not text.endswith("}"):  # a log cut short at exit lacks its closing brackets
        text = text.rstrip(",") + "]}"
    log = json.loads(text)
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    urls = [params["url"] for event in log.get("events", []) if event.get("type") == start
            for params in [event.get("params") or {}]
            if "url" in params and params.get("initiator") != "not an origin"]
    return list(dict.fromkeys(urls))
