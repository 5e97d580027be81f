"""The chat widget in a real browser: Debian's Chromium driven by Selenium, against a loopback server.

Skipped only when Chromium or its driver is not installed (``.ci/run`` installs both).
"""

from __future__ import annotations

import json
import shutil
import tempfile

import pytest

from tests.live_server import free_port, thread_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--disable-extensions", "--disable-default-apps")
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_GENRE = "<script>alert(2)</script>"


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=1200,850")
    profile = tempfile.mkdtemp(prefix="scenerec-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def serve_with_widget_key(agent, settings):
    """A server on a known port plus a publishable key for exactly that origin."""
    from ui.api import create_app

    port = free_port()
    app = create_app(agent, settings, mount_ui=False)
    key = app.state.keys.create("publishable", [f"http://127.0.0.1:{port}"]).token
    return thread_server(app, port), key


class Widget:
    """The widget inside the example host page, reached through its open shadow root."""

    def __init__(self, driver, base: str, key: str):
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        driver.get(f"{base}/example?key={key}")
        self.wait = WebDriverWait(driver, 60)
        self.host = self.wait.until(lambda d: d.find_element("id", "scenerec-widget"))
        self.root = self.host.shadow_root

    def find(self, css):
        return self.root.find_element("css selector", css)

    def find_all(self, css):
        return self.root.find_elements("css selector", css)

    def open_with_keyboard(self):
        from selenium.webdriver.common.keys import Keys

        self.find(".bubble").send_keys(Keys.ENTER)
        self.wait.until(lambda d: self.find(".panel").is_displayed())

    def send(self, message: str) -> None:
        """Type a message, press Enter, wait for the streamed reply and its cards."""
        from selenium.webdriver.common.keys import Keys

        lists_before = len(self.find_all(".cards"))
        self.find("textarea").send_keys(message, Keys.ENTER)
        self.wait.until(lambda d: not self.find_all(".msg.busy") and not self.find(".send").get_attribute("disabled"))
        self.wait.until(lambda d: len(self.find_all(".cards")) > lists_before or self.find_all(".msg.error"))
        assert not self.find_all(".msg.error"), [e.text for e in self.find_all(".msg.error")]

    def active_in_shadow(self) -> str:
        return self.driver.execute_script(
            "const a = arguments[0].shadowRoot.activeElement; return a ? a.tagName + '.' + a.className : '';",
            self.host)

    def severe_console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]


def card_texts(card) -> dict:
    return {part: card.find_element("css selector", f".{part}").get_attribute("textContent")
            for part in ("title", "meta", "reason")}


def test_widget_chat_cards_like_and_screenshot(browser, agent, settings, tmp_path):
    server, key = serve_with_widget_key(agent, settings)
    with server as base:
        w = Widget(browser, base, key)
        # the host page's aggressive styles (pink, 30px buttons) do not reach inside the widget
        assert "255, 105, 180" not in w.find(".bubble").value_of_css_property("background-color")
        w.open_with_keyboard()
        assert w.active_in_shadow() == "TEXTAREA."  # focus moved into the panel

        w.send("something light and funny to watch with my two kids tonight, nothing scary")
        w.send("something shorter")
        replies = [m.text for m in w.find_all(".msg.bot")]
        assert len(replies) == 3 and all(replies)  # greeting + two streamed replies
        lists = w.find_all(".cards")
        assert len(lists) == 2  # one list a turn: the final cards took the place of the early picks
        assert not w.find_all(".reason.provisional")  # every reason shown is a final one
        cards = lists[1].find_elements("css selector", ".card")
        assert cards and all(card_texts(c)["title"] and card_texts(c)["reason"] for c in cards)
        assert card_texts(cards[0])["meta"][:2] in ("19", "20")  # the year leads the meta line
        credits = [e.get_attribute("textContent") for c in cards for e in c.find_elements("css selector", ".credits")]
        assert credits and all(t.startswith(("Dir. ", "with ")) for t in credits)  # directors / cast line

        like = cards[0].find_element("css selector", "button[data-kind=like]")
        like.click()
        w.wait.until(lambda d: like.get_attribute("aria-pressed") == "true")
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", cards[0])
        sid = browser.execute_script(
            "return Object.keys(localStorage).filter(k => k.endsWith(':session')).map(k => localStorage[k])[0]")
        state, user_id = agent.sessions.load(sid)
        liked_titles = [agent.engine.get(i).name for i in state.liked_items]
        assert liked_titles == [card_texts(cards[0])["title"]]
        assert user_id.startswith(key.split("_")[2] + "/visitor-")  # a server-derived visitor id

        shot = tmp_path / "widget.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        assert w.severe_console_errors() == []


def test_widget_fills_a_phone_screen_and_closes_with_escape(browser, agent, settings, tmp_path):
    from selenium.webdriver.common.keys import Keys

    # a phone's viewport (headless windows cannot be narrower than 500 px, so emulate the device)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    server, key = serve_with_widget_key(agent, settings)
    with server as base:
        w = Widget(browser, base, key)
        w.find(".bubble").click()
        w.wait.until(lambda d: w.find(".panel").is_displayed())
        viewport = browser.execute_script("return window.innerWidth")
        assert viewport == 390
        assert abs(w.find(".panel").rect["width"] - viewport) <= 1
        w.send("a thrilling sci-fi movie from the 90s")
        browser.save_screenshot(str(tmp_path / "widget-phone.png"))
        # themable from the host page through CSS variables on the host element
        browser.execute_script("arguments[0].style.setProperty('--sr-accent', 'rgb(1, 2, 3)')", w.host)
        assert w.find(".send").value_of_css_property("background-color") in ("rgb(1, 2, 3)", "rgba(1, 2, 3, 1)")
        w.find("textarea").send_keys(Keys.ESCAPE)
        w.wait.until(lambda d: not w.find(".panel").is_displayed())
        assert w.active_in_shadow().startswith("BUTTON.bubble")  # focus returns to the bubble


@pytest.fixture
def hostile_agent(tmp_path, embedder):
    """An agent over a tiny catalogue whose titles and genres are HTML/JS payloads."""
    from agent.settings import load_settings
    from agent.wiring import build_agent, open_stores
    from retrieval.catalogue_file import ingest_file

    rows = [{"id": "x1", "title": HOSTILE_TITLE, "year": 1999, "genres": f"Comedy|{HOSTILE_GENRE}"},
            {"id": "x2", "title": '"><svg onload=alert(3)>', "year": 2001, "genres": "Comedy"},
            {"id": "x3", "title": "A Plain Comedy", "year": 2003, "genres": "Comedy"}]
    source = tmp_path / "hostile.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows))
    settings = load_settings(data_dir=tmp_path / "data", catalogue="hostile")
    stores = open_stores(settings, embedder=embedder)
    ingest_file(stores.catalogue, stores.vectors, source, "hostile", item_type="movie")
    return build_agent(settings, stores=stores), settings


def test_hostile_catalogue_title_renders_as_text(browser, hostile_agent):
    agent, settings = hostile_agent
    server, key = serve_with_widget_key(agent, settings)
    with server as base:
        w = Widget(browser, base, key)
        browser.execute_script("window.alert = () => { window.__injected = true; };")
        w.open_with_keyboard()
        w.send("something funny")
        titles = [card_texts(c)["title"] for c in w.find_all(".card")]
        metas = [card_texts(c)["meta"] for c in w.find_all(".card")]
        browser.save_screenshot(str(w_path := settings.data_dir.parent / "widget-hostile.png"))
        assert HOSTILE_TITLE in titles and '"><svg onload=alert(3)>' in titles
        assert any(HOSTILE_GENRE in m for m in metas)
        # nothing was parsed as markup: no img or script anywhere, the only svg is the bubble icon
        assert w.find_all("img") == [] and w.find_all("script") == [] and len(w.find_all("svg")) == 1
        assert browser.execute_script("return document.querySelectorAll('img').length") == 0
        assert browser.execute_script("return window.__injected === undefined")
        assert w_path.stat().st_size > 10_000


def test_gradio_cards_escape_hostile_titles():
    from agent.results import RecommendedItem
    from ui.cards import render_cards

    html = render_cards([RecommendedItem(id="x1", title=HOSTILE_TITLE, year=1999, genres=[HOSTILE_GENRE],
                                         directors=[HOSTILE_GENRE], cast=["Tom Hanks", HOSTILE_TITLE],
                                         score=1.0, reason="because <b>bold</b>")])
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "with Tom Hanks, " in html
