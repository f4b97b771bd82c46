"""The HTML report in a real browser (headless Chromium, Debian's ``chromium`` package — installed here when
missing and we are root; in CI a missing browser fails the test instead of skipping it).

For each page: no console error (the detector is shown to catch one on a broken page), every chart drawn (each
``<svg>`` has a non-empty box after layout), every in-page link lands on an element, and a screenshot is kept
under ``artifacts/screenshots/`` (gitignored; CI keeps it). ``DATAGEN_UPDATE_SCREENSHOTS=1`` also refreshes the
README's picture, ``docs/images/crunch_report.png``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "screenshots"
EXAMPLE = REPO / "examples" / "schemas" / "ecommerce.json"
ENV_BIN = str(Path(sys.executable).parent)
PATH = os.pathsep.join([ENV_BIN, os.environ.get("PATH", "")])
BROWSERS = ("chromium", "chromium-browser", "google-chrome")

pytestmark = [
    pytest.mark.skipif(shutil.which("datagen", path=PATH) is None, reason="the datagen CLI is not installed"),
    pytest.mark.skipif(shutil.which("datacruncher", path=PATH) is None, reason="the datacruncher CLI is not installed"),
]

# appended to a copy of the page: after layout, how many charts have a box, and where each in-page link lands
PROBE = """<script>
window.addEventListener('load', function () {
  var svgs = Array.from(document.querySelectorAll('svg'));
  var drawn = svgs.filter(function (s) { var r = s.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
  var links = Array.from(document.querySelectorAll('a[href^="#"]'));
  var broken = links.filter(function (a) { return !document.getElementById(a.getAttribute('href').slice(1)); });
  var out = document.createElement('pre');
  out.id = 'probe-result';
  out.textContent = JSON.stringify({svgs: svgs.length, drawn: drawn.length, links: links.length,
                                    broken: broken.map(function (a) { return a.getAttribute('href'); })});
  document.body.appendChild(out);
});
</script>"""


def _browser() -> str:
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"],
                    ["sh", "-c", "apt-get update -q && apt-get install -y -q --no-install-recommends chromium"]):
            subprocess.run(cmd, env=env, capture_output=True, check=False, timeout=900)
            if found := shutil.which("chromium"):
                return found
    if os.environ.get("CI"):
        pytest.fail("no Chromium and it could not be installed (apt-get install chromium): the browser test must run in CI")
    pytest.skip("no Chromium here (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> str:
    return _browser()


def _chromium(browser: str, *args: str, page: Path) -> subprocess.CompletedProcess[str]:
    cmd = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           "--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0",
           "--virtual-time-budget=5000", *args, page.resolve().as_uri()]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)


def console_errors(stderr: str) -> list[str]:
    """Console messages at error level and uncaught exceptions, as Chromium logs them on stderr."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and re.search(r"Uncaught|Error|error", line)]


class _Ids(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.svgs = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.svgs += tag == "svg"


def check_page(browser: str, page: Path, shot: str, min_charts: int) -> dict:
    """Open ``page``: no console error; with a probe, every chart drawn and every link resolved; a screenshot."""
    plain = _chromium(browser, "--dump-dom", page=page)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert console_errors(plain.stderr) == []
    probed = page.with_name(page.stem + ".probe.html")
    probed.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom = _chromium(browser, "--dump-dom", page=probed).stdout
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    result = json.loads(found.group(1).replace("&quot;", '"'))
    assert result["svgs"] == _Ids(page.read_text()).svgs >= min_charts
    assert result["drawn"] == result["svgs"], result  # every chart has a box after layout
    assert result["links"] > 0 and result["broken"] == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / f"{shot}.png"
    png.unlink(missing_ok=True)
    snap = _chromium(browser, f"--screenshot={png}", "--window-size=1280,1600", "--hide-scrollbars", page=page)
    assert snap.returncode == 0 and png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", snap.stderr[-2000:]
    assert png.stat().st_size > 20_000  # a rendered page, not a blank one
    return result


def run(cwd: Path, *args: str, ok: tuple[int, ...] = (0,)) -> None:
    proc = subprocess.run(list(args), cwd=cwd, env={**os.environ, "PATH": PATH}, capture_output=True, text=True,
                          check=False)
    assert proc.returncode in ok, f"{args} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}"


def test_the_detector_sees_a_console_error(browser: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><p>x</p><script>no_such_function();</script></body></html>")
    errors = console_errors(_chromium(browser, "--dump-dom", page=broken).stderr)
    assert errors and "no_such_function" in " ".join(errors)


def test_the_example_report_in_a_browser(browser: str, tmp_path: Path) -> None:
    schema = json.loads(EXAMPLE.read_text())
    for node in schema["nodes"]:
        if node.get("rows"):
            node["rows"] = min(node["rows"], 3000)
    schema["defects"] = [*schema.get("defects", []), {"kind": "temporal_violation", "target": "order.ordered_at",
                                                         "rate": 0.02}]
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    run(tmp_path, "datagen", "generate", "schema.json", "--seed", "42", "-o", "output/", "--quiet")
    run(tmp_path, "datagen", "crunch", "output/", "--schema", "schema.json", "-o", "crunch_report.json",
        "--html", "report.html", ok=(0, 1))
    page = tmp_path / "report.html"
    assert page.stat().st_size < 2_000_000
    result = check_page(browser, page, "crunch_report", min_charts=20)
    assert result["svgs"] >= 20
    if os.environ.get("DATAGEN_UPDATE_SCREENSHOTS"):
        shutil.copyfile(ARTIFACTS / "crunch_report.png", REPO / "docs" / "images" / "crunch_report.png")
    # the generator's validation, and the polish summary with its links to every file it wrote
    run(tmp_path, "datagen", "validate", "schema.json", "--data", "output/", "--html", "validate.html", ok=(0, 1))
    check_page(browser, tmp_path / "validate.html", "validate", min_charts=5)
    run(tmp_path, "datagen", "polish", "crunch_report.json", "--auto", "-o", "polished/")
    summary = tmp_path / "polish_summary.html"
    check_page(browser, summary, "polish_summary", min_charts=1)
    hrefs = re.findall(r'href="([^"#][^"]*)"', summary.read_text())
    assert hrefs and [h for h in hrefs if not (tmp_path / h).exists()] == []
    assert "polished/.manifest.yaml" in hrefs
    assert {"schema_improved.json", "postprocess.sql"} & set(hrefs)


def test_hostile_names_in_a_browser(browser: str, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = tmp_path / "data"
    data.mkdir()
    hostile = 'x"<svg onload=alert(1)>'
    pq.write_table(pa.table({"id": list(range(100)), "note</td><img src=x onerror=alert(2)>":
                             ["<script>alert('v')</script>" if i % 2 else "é ✓ \u202e" for i in range(100)]}),
                   data / f"{hostile}.parquet")
    run(tmp_path, "datacruncher", "crunch", "data", "-o", "r.json", "--html", "r.html", ok=(0, 1))
    page = tmp_path / "r.html"
    result = check_page(browser, page, "hostile_names", min_charts=1)
    dom = _chromium(browser, "--dump-dom", page=page).stdout
    # the names and values are text in the DOM, not elements: no img, no second script, no alert ran
    assert "<img" not in dom and dom.count("<script") == 1
    assert "&lt;script&gt;alert('v')&lt;/script&gt;" in dom or "&lt;script&gt;alert(" in dom
    assert result["broken"] == []
