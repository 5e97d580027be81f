"""The Gradio UI in a real browser (Debian's Chromium driven by Selenium, like the widget's test):
two messages, a like, "Why this?" by its card, a chart with drawn bars, buttons with visible words.

Screenshots are kept as artefacts in $SCENEREC_TEST_ARTEFACTS (else the test's tmp folder); the
test prints where. Skipped only when Chromium or its driver is not installed (``.ci/run`` installs both).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.helpers import free_port
from tests.test_widget_browser import browser  # noqa: F401 - the shared Chromium fixture

LABELS = {"sr-like": "Like", "sr-dislike": "Dislike", "sr-seen": "Seen it", "sr-why": "Why this?"}


@pytest.fixture
def artefacts(tmp_path) -> Path:
    folder = Path(os.environ.get("SCENEREC_TEST_ARTEFACTS") or tmp_path) / "gradio-ui"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the Gradio UI: {folder}")
    return folder


class Page:
    """The Gradio page: elements by id or CSS, waits, screenshots."""

    def __init__(self, driver, url: str, shots: Path):
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.shots = driver, shots
        driver.get(url)
        self.wait = WebDriverWait(driver, 90)
        self.wait.until(lambda d: d.find_elements("css selector", "#sr-message textarea")
                        and d.find_elements("css selector", "#sr-user input"))
        self.settle()

    def all(self, css: str) -> list:
        return self.driver.find_elements("css selector", css)

    def one(self, css: str):
        return self.driver.find_element("css selector", css)

    def visible_cards(self) -> list:
        return [c for c in self.all(".sr-card") if c.is_displayed()]

    def card_count(self) -> int:
        """Cards on screen, counted in the page (no stale references while Gradio re-renders)."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll('.sr-card')].filter(e => e.offsetParent !== null).length")

    def send(self, message: str) -> None:
        bots = len(self.all("[data-testid=bot]"))
        box = self.one("#sr-message textarea")
        box.clear()
        box.send_keys(message)
        self.one("#sr-send").click()
        self.wait.until(lambda d: len(self.all("[data-testid=bot]")) > bots)
        self.settle()

    def settle(self) -> None:
        """Wait until Gradio has no event pending (no progress overlay)."""
        pending = ("return [...document.querySelectorAll('.progress-text, .eta-bar, .timer, .wrap.pending')]"
                   ".filter(e => e.offsetParent !== null).length")
        self.wait.until(lambda d: d.execute_script(pending) == 0)

    def pick_user(self, user: str) -> None:
        from selenium.webdriver.common.keys import Keys

        field = self.one("#sr-user input")
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(user, Keys.ENTER)
        self.wait.until(lambda d: user in self.one("#sr-chart-box").text or self.all("#sr-chart .sr-bar"))
        self.settle()

    def shot(self, name: str) -> Path:
        """The whole page: the window grows to the page's height first."""
        self.settle()
        path = self.shots / f"{name}.png"
        self.driver.set_window_size(1280, max(900, self.driver.execute_script(
            "return document.documentElement.scrollHeight") + 120))
        assert self.driver.save_screenshot(str(path)) and path.stat().st_size > 10_000
        return path


def bar_widths(page: Page) -> list[float]:
    return [b.rect["width"] for b in page.all("#sr-chart .sr-bar")]


def test_gradio_ui_in_chromium(browser, agent, artefacts):  # noqa: F811 - the fixture imported above
    from ui.gradio_app import GUEST_CHART, build_app, theme

    demo = build_app(agent)
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                theme=theme(), css=demo.scenerec_css)
    try:
        browser.set_window_size(1280, 900)
        page = Page(browser, f"http://127.0.0.1:{port}/", artefacts)
        assert GUEST_CHART.split(".")[0] in page.one("#sr-chart-box").text  # a guest's clear empty state
        page.shot("0-guest")

        page.pick_user("ml:21")
        page.send("a romantic comedy for date night")
        cards = page.visible_cards()
        assert len(cards) == 5
        titles = [c.find_element("css selector", "h4").text for c in cards]
        widths = bar_widths(page)
        assert len(widths) >= 3 and all(w > 1 for w in widths), widths  # bars are drawn, not empty boxes
        assert widths[0] == max(widths)  # sorted, largest first
        ticks = [t.text for t in page.all("#sr-chart .sr-chart-ticks span")]
        assert ticks[0] == "0%" and all(re.fullmatch(r"\d+%", t) for t in ticks)  # a numeric axis
        labels = [e for e in page.all("#sr-chart .sr-chart-label") if e.is_displayed()]
        assert all(e.text and e.rect["width"] > 40 for e in labels)  # readable labels, not clipped away

        # every card button shows its word, at a readable size (no emoji that render as boxes)
        for css, word in LABELS.items():
            buttons = [b for b in page.all(f"button.{css}") if b.is_displayed()]
            assert len(buttons) == 5 and all(b.text.strip() == word for b in buttons), (css, [b.text for b in buttons])
            assert all(b.rect["width"] > 8 * len(word) * 0.6 and b.rect["height"] > 16 for b in buttons)

        # a question about a card keeps the cards
        page.send("is the first one scary?")
        assert [c.find_element("css selector", "h4").text for c in page.visible_cards()] == titles

        page.all("button.sr-like")[0].click()
        page.wait.until(lambda d: "Liked" in page.one("#sr-status").text)
        assert "Liked" in cards[0].text and re.search("date night|as a couple", page.one("#sr-caption").text)

        second = page.one("#sr-slot-2")
        second.find_element("css selector", "button.sr-why").click()
        page.wait.until(lambda d: "Why" in second.find_element("css selector", ".sr-why-text").text)
        why = second.find_element("css selector", ".sr-why-text")
        page.shot("1-liked-and-why")
        top = "return arguments[0].getBoundingClientRect().top"
        card_two, why_top, slot_three = (browser.execute_script(top, e) for e in
                                         (second.find_element("css selector", ".sr-card"), why, page.one("#sr-slot-3")))
        assert card_two < why_top < slot_three, (card_two, why_top, slot_three)  # right under the card clicked
        assert "What weighed most" in why.text and not re.search(r"[+-]\d\.\d{3}", why.text)
        body = page.one("body").text
        for leak in ("scene '", "evidence ≈", "date_night", "movie_night"):
            assert leak not in body, leak

        page.one("#sr-clear").click()
        page.wait.until(lambda d: page.card_count() == 0)
        page.settle()
        assert page.one("#sr-status").text == ""  # a new conversation drops the old note
        page.shot("2-new-conversation")
    finally:
        demo.close()
