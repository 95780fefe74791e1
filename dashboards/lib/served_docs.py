"""The documentation the dashboard serves itself, behind its sign-in: Great Expectations' Data Docs (a folder
of linked pages), dbt docs (one self-contained page) and the quality report of the latest run.

Nothing here is served as a static file (Streamlit's static serving is open to anyone who can reach the
server): each page is read from disk by the script run of a signed-in session and drawn in an iframe
(`st.iframe` with the HTML, i.e. `srcdoc`). Links keep working inside it:

- Data Docs: every page of the site goes into one viewer; a small script in each page turns a click on a link
  to another page of the site into showing that page (resolved relative to the page it is on, as a browser
  would), in-page anchors scroll, links out of the site open in a new tab.
- dbt docs: its links are `#!/model/...` fragments; in an `srcdoc` frame a fragment link would resolve against
  the dashboard's address and load the dashboard into the frame, so a script sets the fragment instead.

Only files found under the docs folder are offered (by their path relative to it); a query parameter never
becomes a path.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

# Data Docs' overview page and onefunnel's one-page report of the last quality run.
INDEX = "index.html"
LATEST = "latest.html"
ROW_LINK = re.compile(r"window\.location\s*=\s*(\$element\.data\(\s*[\"']href[\"']\s*\))")

PAGE_SCRIPT = """<script>(function () {
  var current = %s;
  window.onefunnelOpen = function (href) { parent.onefunnelOpen(current, String(href)); };
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) return;
    var href = link.getAttribute("href");
    if (href.charAt(0) === "#") {
      if (link.hasAttribute("data-toggle")) return;  /* collapsible sections handle their own */
      event.preventDefault();
      var id = decodeURIComponent(href.slice(1));
      var target = id ? document.getElementById(id) || document.getElementsByName(id)[0] : null;
      if (target) { target.scrollIntoView(); } else { window.scrollTo(0, 0); }
      return;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.indexOf("//") === 0) {
      link.target = "_blank"; link.rel = "noopener";
      return;
    }
    event.preventDefault();
    window.onefunnelOpen(href);
  }, true);
})();</script>"""

SHELL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Data Docs</title>
<style>
html, body { margin: 0; height: 100%%; font: 14px system-ui, sans-serif; }
#where { padding: 4px 8px; color: #555; height: 20px; white-space: nowrap; overflow: hidden; }
#page { border: 0; width: 100%%; height: calc(100%% - 28px); display: block; }
</style></head>
<body>
<div id="where"></div>
<iframe id="page" title="Data Docs page"></iframe>
<script type="application/json" id="pages">%s</script>
<script>(function () {
  var pages = JSON.parse(document.getElementById("pages").textContent);
  var frame = document.getElementById("page"), where = document.getElementById("where");
  function show(path) {
    if (Object.prototype.hasOwnProperty.call(pages, path)) {
      frame.srcdoc = pages[path];
      where.textContent = "Data Docs / " + path;
    } else {
      frame.srcdoc = "<p style='font:14px system-ui'>This Data Docs page is not in the published site: " +
        path.replace(/[<&]/g, "") + "</p>";
      where.textContent = "Data Docs / " + path + " (missing)";
    }
    where.setAttribute("data-path", path);
  }
  window.onefunnelOpen = function (from, href) {
    var bare = href.split("#")[0].split("?")[0];
    if (!bare) return;
    var url = new URL(bare, "https://data-docs.invalid/" + from);
    show(decodeURIComponent(url.pathname.slice(1)));
  };
  show(%s);
})();</script>
</body></html>"""

DBT_SCRIPT = """<script>(function () {
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link) return;
    var href = link.getAttribute("href");
    if (href.charAt(0) === "#") {
      event.preventDefault();
      window.location.hash = href.slice(1);
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.indexOf("//") === 0) {
      link.target = "_blank"; link.rel = "noopener";
    }
  }, true);
})();</script>"""


@dataclass(frozen=True)
class DocsPage:
    path: str  # relative to the docs folder, with "/"
    label: str


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no "</" that could close it)."""
    return json.dumps(value).replace("</", "<\\/")


def _inject(html: str, script: str) -> str:
    """`script` at the start of the page's <head> (or before everything when it has none)."""
    match = re.search(r"<head[^>]*>", html, flags=re.IGNORECASE)
    if match is None:
        return script + html
    return html[: match.end()] + script + html[match.end() :]


def _label(path: str) -> str:
    if path == INDEX:
        return "Overview: every suite and validation"
    if path == LATEST:
        return "Latest quality run (one page)"
    parts = path.split("/")
    if parts[0] == "expectations" and len(parts) >= 3:
        return f"Suite {parts[1]}.{Path(parts[-1]).stem}"
    if parts[0] == "validations" and len(parts) >= 4:
        return f"Validation {parts[1]}.{parts[2]} · run {parts[3]}"
    return path


def data_docs_pages(folder: Path) -> list[DocsPage]:
    """Every HTML page of a Data Docs site: the last run's report and the overview first, then the suites,
    then the validations (newest run first). Empty when the folder does not exist."""
    if not folder.is_dir():
        return []
    found = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.html")
        if path.is_file() and not path.relative_to(folder).as_posix().startswith("static/")
    )
    first = [path for path in (LATEST, INDEX) if path in found]
    suites = [path for path in found if path.startswith("expectations/")]
    validations = sorted(
        (path for path in found if path.startswith("validations/")),
        key=lambda path: (path.split("/")[3] if path.count("/") >= 3 else "", path),
        reverse=True,
    )
    rest = [path for path in found if path not in {*first, *suites, *validations}]
    return [DocsPage(path, _label(path)) for path in [*first, *suites, *validations, *rest]]


def data_docs_viewer(folder: Path, pages: list[DocsPage], start: str) -> str:
    """One HTML document showing the site's page `start`, whose links to the other pages work."""
    if start not in {page.path for page in pages}:
        raise ValueError(f"{start} is not a page of the Data Docs in {folder}")
    contents = {}
    for page in pages:
        html = (folder / page.path).read_text(encoding="utf-8", errors="replace")
        html = ROW_LINK.sub(r"window.onefunnelOpen(\1)", html)
        contents[page.path] = _inject(html, PAGE_SCRIPT % _script_json(page.path))
    return SHELL % (_script_json(contents), _script_json(start))


def dbt_docs_viewer(page: Path) -> str:
    """dbt's static page with its fragment links working inside an iframe."""
    return _inject(page.read_text(encoding="utf-8", errors="replace"), DBT_SCRIPT)
