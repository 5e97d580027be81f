"""The chat widget and the Gradio UI in Chinese, in a real browser (Debian's Chromium), with
screenshots kept in the test's folder (and in $SCENEREC_TEST_ARTEFACTS when set)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

from tests.helpers import free_port
from tests.live_server import thread_server
from tests.test_widget_browser import Widget, browser  # noqa: F401  (the browser fixture)


def keep(shot: Path) -> None:
    """Copy a screenshot to $SCENEREC_TEST_ARTEFACTS (CI collects it) when that is set."""
    target = os.environ.get("SCENEREC_TEST_ARTEFACTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(target) / shot.name)


@functools.lru_cache(maxsize=None)
def _han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_widget_in_chinese_on_a_chinese_page(browser, agent, settings, tmp_path):  # noqa: F811
    """A host page with <html lang="zh-CN">: the widget's own words are Chinese, and so are the
    replies and reasons to a Chinese message."""
    from ui.api import create_app

    api_port, page_port = free_port(), free_port()
    app = create_app(agent, settings, mount_ui=False)
    key = app.state.keys.create("publishable", [f"http://127.0.0.1:{page_port}"]).token
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>我的电影网站</title>'
        '<link rel="icon" href="data:,"></head>'
        f'<body><h1>我的电影网站</h1><script src="http://127.0.0.1:{api_port}/widget.js" data-key="{key}" '
        f'data-api="http://127.0.0.1:{api_port}" async></script></body></html>', encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    page_server = http.server.ThreadingHTTPServer(("127.0.0.1", page_port), handler)
    threading.Thread(target=page_server.serve_forever, daemon=True).start()
    try:
        with thread_server(app, api_port):
            w = Widget.__new__(Widget)
            from selenium.webdriver.support.ui import WebDriverWait

            w.driver = browser
            browser.get(f"http://127.0.0.1:{page_port}/index.html")
            w.wait = WebDriverWait(browser, 60)
            w.host = w.wait.until(lambda d: d.find_element("id", "scenerec-widget"))
            w.root = w.host.shadow_root
            assert w.find(".bubble").get_attribute("aria-label").startswith("打开对话")
            w.open_with_keyboard()
            assert w.find("textarea").get_attribute("placeholder") == "想看点什么？"
            assert w.find(".send").text == "发送"
            w.send("想找一部适合全家看的喜剧，不要恐怖片")
            replies = [m.text for m in w.find_all(".msg.bot")]
            assert len(replies) == 2 and _han(replies[0]) and "喜剧" in replies[1]
            cards = w.find_all(".card")
            assert cards
            assert all(_han(c.find_element("css selector", ".reason").get_attribute("textContent")) for c in cards)
            metas = [c.find_element("css selector", ".meta").get_attribute("textContent") for c in cards]
            assert all(_han(m) and "Animation" not in m for m in metas), metas  # genres in the person's language
            labels = [b.text for b in cards[0].find_elements("css selector", ".actions button")]
            assert labels == ["喜欢", "不喜欢", "看过了"]
            shot = tmp_path / "widget-zh.png"
            assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
            keep(shot)
            assert [e for e in w.severe_console_errors() if "favicon" not in e] == []
    finally:
        page_server.shutdown()


def test_gradio_ui_in_chinese(browser, agent, tmp_path):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from ui.gradio_app import build_app

    demo = build_app(agent, language="zh")
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        browser.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(browser, 60)
        box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#sr-message textarea"))
        assert box.get_attribute("placeholder").startswith("例如")
        assert "发送" in browser.find_element(By.ID, "sr-send").text
        box.send_keys("九十年代的惊悚片，两个小时以内")
        browser.find_element(By.ID, "sr-send").click()
        wait.until(lambda d: "为你找到" in d.find_element(By.TAG_NAME, "body").text)
        body = browser.find_element(By.TAG_NAME, "body").text
        assert "对话" in body and "谁在看" in body and "为什么推荐" in body
        # the cards' facts line is in Chinese too: genres, minutes, director
        assert "惊悚" in body and "分钟" in body and "导演：" in body and "Dir. " not in body, body[:800]
        assert "示例" in body
        shot = tmp_path / "gradio-zh.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        keep(shot)
    finally:
        demo.close()
