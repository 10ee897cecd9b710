"""Make Great Expectations' data docs render offline.

GE's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, Vega and a logo from online
CDNs; offline the pages are unstyled and the index's results list, drawn by bootstrap-table, is
empty. After GE writes the site, `make_offline` copies jQuery and Bootstrap from their XStatic
wheels (requirements.lock) into `static/offline/`, adds a small stand-in for the part of
bootstrap-table GE uses (fill a table from columns and rows) and for its five Font Awesome icons,
points every page at those copies, and drops what is left that would leave the machine (Vega, the
filter and date-picker add-ons, the dark theme), so no page asks the network for anything.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

# the browser-side stand-ins (GE calls $(table).bootstrapTable({columns, data, sortName, ...}))
TABLE_JS = r"""/* lifecycle: a stand-in for bootstrap-table's table drawing, as Great Expectations' data docs use it */
(function ($) {
  $.fn.bootstrapTable = function (options) {
    if (typeof options !== "object") { return this; }  /* methods (clear filters, search): nothing to do */
    var columns = options.columns || [], rows = (options.data || []).slice();
    if (options.sortName) {
      var desc = options.sortOrder === "desc", key = options.sortName;
      rows.sort(function (a, b) { return (a[key] > b[key] ? 1 : a[key] < b[key] ? -1 : 0) * (desc ? -1 : 1); });
    }
    var head = $("<tr>"), body = $("<tbody>");
    columns.forEach(function (c) { head.append($("<th>").html(c.title || "")); });
    rows.forEach(function (row) {
      var tr = $("<tr>");
      if (row._table_row_link_path) {
        tr.addClass("clickable-row").css("cursor", "pointer")
          .on("click", function () { window.location = row._table_row_link_path; });
      }
      columns.forEach(function (c) {
        tr.append($("<td>").css("text-align", c.align || "").html(row[c.field] == null ? "" : String(row[c.field])));
      });
      body.append(tr);
    });
    return this.addClass("table table-hover").empty().append($("<thead>").append(head), body);
  };
})(jQuery);
"""
ICONS_CSS = """/* lifecycle: the Font Awesome icons Great Expectations' data docs use, as text */
.fas, .far { font-style: normal; font-weight: bold; }
.fa-check-circle::before { content: "\\2714"; }
.fa-times::before { content: "\\2718"; }
.fa-question-circle::before { content: "?"; }
.fa-exclamation-triangle::before { content: "\\26A0"; }
.fa-comment::before { content: "\\2026"; }
"""

# CDN address (a part of it) -> the local copy that replaces it, in static/offline/
LOCAL = {
    "jquery-3": "jquery.min.js",
    "bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap.min.css",
    "bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap.bundle.min.js",  # holds popper.js
    "bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "table.js",
    "font-awesome": "icons.css",
}
LOGO = re.compile(r"https?://[^\"']*/logo-long\.png[^\"']*")
EXTERNAL_TAG = re.compile(r"<script\b[^>]*\bsrc=\"(https?:)?//[^\"]*\"[^>]*>\s*</script>"
                          r"|<link\b[^>]*\bhref=\"(https?:)?//[^\"]*\"[^>]*>")
EXTERNAL_CSS_URL = re.compile(r"url\(\s*['\"]?(https?:)?//[^)]*\)")


def _copy_assets(folder: Path) -> None:
    import xstatic.pkg.bootstrap  # XStatic-Bootstrap, XStatic-jQuery: requirements.lock
    import xstatic.pkg.jquery

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(xstatic.pkg.jquery.BASE_DIR) / "jquery.min.js", folder / "jquery.min.js")
    bootstrap = Path(xstatic.pkg.bootstrap.BASE_DIR)
    shutil.copyfile(bootstrap / "css" / "bootstrap.min.css", folder / "bootstrap.min.css")
    shutil.copyfile(bootstrap / "js" / "bootstrap.bundle.min.js", folder / "bootstrap.bundle.min.js")
    (folder / "table.js").write_text(TABLE_JS, encoding="utf-8")
    (folder / "icons.css").write_text(ICONS_CSS, encoding="utf-8")


def _local_tag(tag: str, prefix: str) -> str:
    """The tag pointing at its local copy, or nothing for an asset the offline pages do without."""
    for part, name in LOCAL.items():
        if part in tag:
            if tag.startswith("<script"):
                return f'<script src="{prefix}{name}"></script>'
            return f'<link rel="stylesheet" href="{prefix}{name}">'
    return ""


def offline_page(html: str, prefix: str, logo: str) -> str:
    """A data docs page with its CDN assets replaced by the copies under `prefix` (a relative URL of
    static/offline/) or removed, and GE's logo taken from the site's own static/images/."""
    html = LOGO.sub(logo, html)
    html = EXTERNAL_TAG.sub(lambda m: _local_tag(m.group(0), prefix), html)
    return EXTERNAL_CSS_URL.sub("none", html)


def make_offline(site: Path) -> bool:
    """Rewrite every page of the data docs site in `site` to load only files of the site; False (the
    pages left as GE wrote them, for a browser online) when the XStatic packages are not installed."""
    try:
        _copy_assets(site / "static" / "offline")
    except ImportError:
        return False
    for page in site.rglob("*.html"):
        up = Path(os.path.relpath(site, page.parent)).as_posix()
        static = "static/" if up == "." else f"{up}/static/"
        html = offline_page(page.read_text(encoding="utf-8"), static + "offline/", static + "images/logo-long.png")
        page.write_text(html, encoding="utf-8")
    return True
