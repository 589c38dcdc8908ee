"""`clickstream report`: the HTML page built from real tables (clicks loaded over two hours plus a
processor run with dead letters), checked for its numbers against pyiceberg and opened in headless
Chromium (Debian's chromium + chromidriver, driven by selenium) at desktop and phone widths: every
chart drawn, no console error, no request leaving the file, no overlapping text, not blank."""

import collections
import datetime
import json
import random
import re
import shutil
import struct
import zlib

import pytest

from test_processor import Lake, process_until_caught_up, produce

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
CHARTS = ["chart-top-pages", "chart-clicks-per-minute", "chart-unique-users",
          "chart-dead-letters", "chart-journey", "chart-table-health"]
PAGES = ["/home", "/products", "/products/42", "/cart", "/checkout", "/search?q=shoes&sort=price",
         "/blog/2026/11/a-very-long-article-title-about-streaming-into-iceberg", "/help",
         "/caf\u00e9/men\u00fc", "/<b>not-html</b>"]
START = datetime.datetime(2026, 11, 23, 20, 0, tzinfo=datetime.timezone.utc)


def write_events(path, seed, count):
    """NDJSON clicks spread over two hours, more traffic on the first pages."""
    rng = random.Random(seed)
    weights = [30, 20, 12, 9, 5, 8, 4, 5, 3, 2]
    with open(path, "w") as out:
        for _ in range(count):
            ts = START + datetime.timedelta(seconds=rng.uniform(0, 7200))
            out.write(json.dumps({"user_id": f"user_{rng.randrange(300)}",
                                  "page": rng.choices(PAGES, weights)[0],
                                  "event_ts": ts.isoformat().replace("+00:00", "Z")}) + "\n")


@pytest.fixture(scope="module")
def report(kafka_broker, tmp_path_factory):
    """(lake, path of the report, the clicks as rows, dead letters by reason)."""
    tmp = tmp_path_factory.mktemp("report")
    lake = Lake(tmp, kafka_broker)
    assert lake.run("tables", "create", "website.clicks").returncode == 0
    for seed in (1, 2, 3):
        write_events(tmp / f"e{seed}.ndjson", seed, 15_000)
        loaded = lake.run("tables", "load", "website.clicks", tmp / f"e{seed}.ndjson")
        assert loaded.returncode == 0, loaded.stderr
    topic = kafka_broker.unique_topic("report")
    produce(lake, topic, "--events", 4000, "--partitions", 2, "--bad-ratio", 0.1, "--seed", 8)
    process_until_caught_up(lake, topic)
    out = tmp / "report.html"
    result = lake.run("report", "--out", out, "--user", "user_7")
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    dlq = lake.table("website.clicks_dlq").to_pylist()
    return lake, out, lake.clicks(), collections.Counter(reason_of(r["error"]) for r in dlq)


def reason_of(error):
    """The dead-letter categories of events/dead_letter_reason.h, from the error text."""
    for prefix, reason in [("oversized", "oversized"), ("empty message", "empty"),
                           ("invalid UTF-8", "invalid_utf8"), ("invalid JSON", "broken_json"),
                           ("not a JSON object", "broken_json"), ("missing field", "missing_field"),
                           ("bad event_ts", "bad_timestamp")]:
        if error.startswith(prefix):
            return reason
    if error.startswith("field ") and " is not a " in error:
        return "wrong_type"
    if error.endswith(" is empty"):
        return "missing_field"
    return "other"


def test_report_numbers_match_the_tables(report):
    _, out, rows, dead = report
    html = out.read_text()
    # One self-contained page: no script, no link, no external reference of any kind.
    assert not re.search(r"<script|<link|<img|<iframe|url\(|@import|src=|href=", html, re.I)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for chart in CHARTS:
        assert f'id="{chart}"' in html
    # Top pages: the most clicked page, with its exact count in the bar's tooltip (>= 1000 -> k).
    pages = collections.Counter(page for _, page, _ in rows)
    top, top_count = pages.most_common(1)[0]
    assert f"<title>{escape(top)}: {compact(top_count)} clicks</title>" in html
    assert "&lt;b&gt;not-html&lt;/b&gt;" in html and "<b>not-html</b>" not in html
    # Dead letters by category, exact counts (fewer than 1000 each).
    assert dead and sum(dead.values()) < 1000
    for reason, count in dead.items():
        assert f"<title>{reason}: {count} messages</title>" in html, reason
    # The journey of --user: one dot per click (fewer than the 200 shown at most).
    user_clicks = sum(1 for user, _, _ in rows if user == "user_7")
    journey = html[html.index('id="chart-journey"'):html.index('id="chart-table-health"')]
    assert 0 < user_clicks < 200
    assert journey.count("<circle") == user_clicks
    # Unique users KPI and the table health: one point per snapshot (4 loads/commits at least).
    users = len({user for user, _, _ in rows})
    assert f"<b>{users}</b><span>unique users</span>" in html
    health = html[html.index('id="chart-table-health"'):]
    assert health.count("<circle") >= 3 * 4


def escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;"))


def compact(n):
    if n < 1000:
        return str(n)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= scale * 0.9995:
            return f"{n / scale:.3g}{suffix}"


def test_report_options_since_table_and_errors(report):
    lake, out, rows, _ = report
    since = "2026-11-23T21:00:00Z"
    later = out.with_name("later.html")
    result = lake.run("report", "--out", later, "--since", since)
    assert result.returncode == 0, result.stderr
    after = sum(1 for _, _, micros in rows
                if micros >= int(datetime.datetime.fromisoformat(since).timestamp() * 1e6))
    assert f"({after} clicks of website.clicks" in result.stdout
    assert f"since {since}" in later.read_text()
    bad = lake.run("report", "--out", later, "--since", "yesterday-ish")
    assert bad.returncode == 2 and "--since" in bad.stderr and bad.stderr.count("\n") == 1
    missing = lake.run("report", "--out", later, "--table", "website.nope")
    assert missing.returncode == 1 and "website.nope is not in the catalog" in missing.stderr
    empty = lake.run("report", "--out", later, "--since", "2100-01-01")
    assert empty.returncode == 1 and "has no clicks since" in empty.stderr


# ----- the page in a real browser -----

def png_pixels(png):
    """(width, height, rows of RGB(A) byte strings) of an 8-bit RGB/RGBA, non-interlaced PNG."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        data = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 4 if color == 6 else 3
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def assert_not_blank(png):
    width, height, bpp, rows = png_pixels(png)
    colors = collections.Counter()
    for row in rows[::4]:
        for x in range(0, width * bpp, 4 * bpp):
            colors[row[x:x + 3]] += 1
    background, most = colors.most_common(1)[0]
    share = 1 - most / sum(colors.values())
    assert share > 0.05 and len(colors) > 50, (share, len(colors))


OVERLAPS_JS = """
const problems = [];
for (const svg of document.querySelectorAll('svg')) {
  const boxes = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect())
      .filter(b => b.width > 0);
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
          a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        problems.push(svg.closest('section').id + ': ' +
                      svg.querySelectorAll('text')[i].textContent + ' / ' +
                      svg.querySelectorAll('text')[j].textContent);
    }
}
return problems;
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not CHROMIUM or not CHROMEDRIVER:
        pytest.fail("chromium and chromium-driver are missing: run ./scripts/setup")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_report_in_headless_chromium(report, browser, width, height):
    _, out, _, _ = report
    browser.set_window_size(width, height)
    browser.get_log("performance")  # forget earlier pages
    browser.get(out.as_uri())
    assert browser.title == "Clickstream report: website.clicks"
    for chart in CHARTS:
        svgs = browser.find_elements("css selector", f"#{chart} svg")
        assert svgs, chart
        for svg in svgs:
            assert svg.size["width"] > 200 and svg.size["height"] > 30, (chart, svg.size)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"), "page overflows"
    assert browser.execute_script(OVERLAPS_JS) == []
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    requests = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    assert requests and all(url == out.as_uri() for url in requests), requests
    full_height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(full_height + 100, 8000))
    assert_not_blank(browser.get_screenshot_as_png())
