"""The reviewer's desk in a real browser (Playwright driving Debian's chromium) against `cleardocket serve`.

The server runs the real pipeline in a local worker process on two sample scans, so the boxes drawn
are the boxes extraction found. Flows: a reviewer signs in, opens the first queued case, sees the box
over the statute, corrects a disposition from the keyboard, saves, sees the relief change and the case
leave the queue; an uploader drops files and watches them finish (or fail with their codes); the case
view reflows at 200% zoom. Screenshots of every step go to test-output/screenshots/.
"""
from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.test_service_support import ROOT, cli, free_port, service_env, wait_for

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "screenshots"
SCANS = ROOT / "samples" / "scans"
REVIEW_SAMPLES = ("review_a.png", "review_b.png")  # a cannabis count whose disposition the page never states


def review_page(case_number: str) -> bytes:
    """A typed docket page (synthetic) whose cannabis count has no disposition written anywhere, so
    the real pipeline must send it to a person whatever else it reads well."""
    import io

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 42)
    img = Image.new("L", (2550, 3300), 255)
    d = ImageDraw.Draw(img)
    lines = ["MUNICIPAL COURT OF CENTRAL JUDICIAL DISTRICT", "COUNTY OF LOS ANGELES", "",
             f"CASE NO. {case_number}        DATE FILED 02/14/79", "DEFENDANT  LANE, ROBERT", "",
             "CT  STATUTE        OFFENSE             DISPO   DATE",
             "1   11357(B) HS    POSS MARIJUANA",
             "2   148 PC         RESIST OFFICER      CONV    05/01/79"]
    for i, text in enumerate(lines):
        d.text((200, 250 + 70 * i), text, font=font, fill=0)
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(300, 300))
    return buf.getvalue()


REVIEW_BYTES = {"review_a.png": review_page("79M20417"), "review_b.png": review_page("79M20988")}
UPLOAD_SAMPLES = ("sample_00005.pdf", "sample_00011.pdf")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, keys by role): `cleardocket serve` with one local worker and the real pipeline."""
    data = tmp_path_factory.mktemp("desk")
    env = service_env(CLEARDOCKET_DATA_DIR=str(data), CLEARDOCKET_POLL_SECONDS="0.2",
                      CLEARDOCKET_LOG_LEVEL="WARNING")
    keys = {}
    for role in ("reviewer", "uploader"):
        out = cli("keys", "create", "--role", role, "--name", f"Desk {role}", env=env)
        assert out.returncode == 0, out.stderr
        keys[role] = out.stdout.splitlines()[-1]
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "ocr_service.cli_service", "serve", "--port", str(port),
                             "--workers", "1"], env=env, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _up(base), 60, what="serve")
        yield base, keys
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def queued(server):
    """The review samples uploaded through the API and processed by the real pipeline."""
    base, keys = server
    files = [("files", (n, REVIEW_BYTES[n], "application/octet-stream")) for n in REVIEW_SAMPLES]
    r = httpx.post(f"{base}/v1/batches", files=files, headers={"Authorization": f"Bearer {keys['uploader']}"},
                   timeout=60)
    assert r.status_code == 202
    batch = r.json()["id"]

    def finished():
        b = httpx.get(f"{base}/v1/batches/{batch}", headers={"Authorization": f"Bearer {keys['uploader']}"}).json()
        return b if b["counts"]["done"] + b["counts"]["failed"] == len(REVIEW_SAMPLES) else None

    b = wait_for(finished, 180, 0.5, "the real pipeline on the review samples")
    assert b["counts"]["done"] == len(REVIEW_SAMPLES), b
    return b


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("chromium is required: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def sign_in(page, base: str, key: str, path: str = "/review") -> None:
    page.goto(base + path)
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def focused_path(page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.closest('.field') ? "
                         "document.activeElement.closest('.field').dataset.path : null")


def test_reviewer_corrects_a_disposition_from_the_keyboard(server, queued, browser):
    base, keys = server
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    page = ctx.new_page()
    page.goto(base + "/review")
    assert page.get_by_label("API key").is_visible()  # no session: the sign-in form
    shot(page, "review-01-sign-in")
    sign_in(page, base, keys["reviewer"])
    cookie = next(c for c in ctx.cookies() if c["name"] == "cd_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert page.get_by_role("heading", name="Review queue").is_visible()
    rows = page.locator("#queue tbody tr")
    assert rows.count() == len(REVIEW_SAMPLES)
    first_file = rows.first.locator("td.file").inner_text()
    assert first_file == REVIEW_SAMPLES[0]  # oldest first
    shot(page, "review-02-queue")

    page.keyboard.press("o")  # open the first case
    page.wait_for_url("**/review/cases/*")
    case_url = page.url
    # the charge that needs a person: its box is drawn over the statute on the scan
    charge = page.locator("fieldset.charge[data-outcome=needs_review]").first
    index = charge.get_attribute("data-index")
    box_id = charge.get_attribute("data-box")
    assert box_id, "the charge has an evidence box"
    box = page.locator(f"g.box#{box_id} rect")
    assert box.is_visible()
    section = charge.locator(".field[data-path$='.section'] .control input").input_value()
    assert section and section in charge.locator("p.read q").inner_text().replace(" ", "")
    bb = box.bounding_box()
    assert bb["width"] > 50 and bb["height"] > 5
    page.locator(f".field[data-path='charges[{index}].section']").focus()
    assert "active" in (page.locator(f"g.box#{box_id}").get_attribute("class") or "")
    shot(page, "review-03-case-box-over-statute")

    # keyboard only: J until the disposition row, Enter to correct, type, Enter, S to save
    target = f"charges[{index}].disposition"
    for _ in range(80):
        if focused_path(page) == target:
            break
        page.keyboard.press("j")
    assert focused_path(page) == target
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.type("dism")
    page.keyboard.press("Enter")
    assert page.locator(f".field[data-path='{target}'] select").input_value() == "dismissed"
    assert "changed" in page.locator(f".field[data-path='{target}']").get_attribute("class")
    shot(page, "review-04-disposition-corrected")
    before = page.locator("#current-outcome").inner_text()
    assert "Needs review" in before
    page.keyboard.press("s")
    page.wait_for_url("**saved=1")
    saved = page.locator("#saved")
    assert saved.is_visible()
    after = page.locator("#saved-outcome").inner_text()
    assert "Needs review" not in after
    assert "rule" in saved.inner_text() and "la-county/" in saved.inner_text()
    assert "left the review queue" in page.locator("#queue-state").inner_text()
    assert "corrected the case" in page.locator(".trail").inner_text()
    assert f"{target}: unknown → dismissed" in page.locator(".trail").inner_text()
    shot(page, "review-05-saved-relief-recomputed")

    page.keyboard.press("n")  # next case: the other sample
    # wait for the navigation to the next case itself (the current URL already matches the pattern)
    page.wait_for_url(lambda url: "/review/cases/" in url and url != case_url)
    page.wait_for_load_state("load")
    assert page.url != case_url
    # the queue, in a page of its own (same session): a late navigation of the case page cannot cut it off
    queue = ctx.new_page()
    queue.goto(base + "/review")
    assert queue.locator("#queue tbody tr").count() == len(REVIEW_SAMPLES) - 1
    assert first_file not in queue.locator("#queue").inner_text()
    shot(queue, "review-06-queue-after")
    ctx.close()


def test_uploader_drops_files_and_watches_them_finish(server, browser):
    base, keys = server
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    sign_in(page, base, keys["uploader"], "/upload")
    assert page.url.endswith("/upload")
    shot(page, "upload-01-page")
    files = [{"name": n, "type": "application/pdf", "b64": base64.b64encode((SCANS / n).read_bytes()).decode()}
             for n in UPLOAD_SAMPLES]
    files += [{"name": "notes.txt", "type": "text/plain", "b64": base64.b64encode(b"not a docket").decode()},
              {"name": "empty.pdf", "type": "application/pdf", "b64": ""}]
    page.evaluate("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, {type: f.type}));
        }
        const drop = document.getElementById('drop');
        drop.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
        drop.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
    }""", files)
    batch = page.locator("section.batch").first
    # (the page's Content-Security-Policy forbids eval, so waits poll from here rather than wait_for_function)
    wait_for(lambda: page.evaluate("() => document.querySelectorAll('section.batch ol.docs li[data-status]').length"
                                   " === 4 && !document.querySelector('section.batch li[data-status=uploading]')"),
             60, 0.1, "the upload's answer")
    shot(page, "upload-02-dropped")
    page.wait_for_selector("section.batch[data-finished=true]", timeout=180_000)
    shot(page, "upload-03-finished")
    items = {li.get_attribute("data-file"): li for li in batch.locator("ol.docs > li").all()}
    assert set(items) == {*UPLOAD_SAMPLES, "notes.txt", "empty.pdf"}
    for n in UPLOAD_SAMPLES:
        assert items[n].get_attribute("data-status") == "done"
        assert "Done" in items[n].locator("ol.steps li.done").last.inner_text()
    assert items["notes.txt"].get_attribute("data-status") == "failed"
    assert "unsupported_type" in items["notes.txt"].inner_text()
    assert "empty_file" in items["empty.pdf"].inner_text()
    assert "4 files: 2 done, 2 failed" in page.locator("#upload-status").inner_text()
    ctx.close()


def test_case_view_at_200_percent_zoom_and_dashboard(server, queued, browser):
    base, keys = server
    # 200% zoom of a 1280x800 screen: half the CSS pixels, twice the device pixels
    ctx = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = ctx.new_page()
    sign_in(page, base, keys["reviewer"])
    page.goto(base + f"/review/cases/{queued['documents'][1]['cases'][0]}")
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert no_sideways, "the case view scrolls sideways at 200% zoom"
    viewer = page.locator(".viewer").bounding_box()
    form = page.locator("#case-form").bounding_box()
    assert form["y"] >= viewer["y"] + viewer["height"] - 1  # one column: the form below the image
    shot(page, "zoom200-01-case")
    # zoom in on the scan with the keyboard, then fit again
    page.locator("#viewport").focus()
    fit_width = page.locator("figure.page:not([hidden]) .stage").bounding_box()["width"]
    page.keyboard.press("+")
    page.keyboard.press("+")
    assert page.locator("figure.page:not([hidden]) .stage").bounding_box()["width"] > fit_width * 1.2
    assert "%" in page.locator("#zoom-level").inner_text() and "fit" not in page.locator("#zoom-level").inner_text()
    page.keyboard.press("0")
    assert "fit" in page.locator("#zoom-level").inner_text()
    # every control of the form has a label (its accessible name)
    unnamed = page.evaluate("""() => Array.from(document.querySelectorAll(
        '#case-form select, #case-form input:not([type=hidden]), #case-form textarea'))
        .filter((el) => !(el.labels && el.labels.length)).map((el) => el.name)""")
    assert unnamed == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/dashboard")
    charts = page.locator("svg.chart[role=img]")
    assert charts.count() == 5
    assert "awaiting review" in page.locator("svg.chart").first.inner_html()
    shot(page, "dashboard-01")
    ctx.close()
