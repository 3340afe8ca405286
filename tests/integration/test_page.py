"""The chat page in a real headless Chromium (Debian's chromium + chromedriver)."""

from __future__ import annotations

import pytest

from doubles import ScriptedBackend, chromium, running
from empathy_r1.serving import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def _say(driver, text: str, turn: int):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "input")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()
    # An explicit wait on the DOM (the page marks a finished turn), not a sleep.
    locator = (By.CSS_SELECTOR, f"#log .turn:nth-of-type({turn})[data-done='true']")
    return WebDriverWait(driver, 20).until(ec.presence_of_element_located(locator))


def test_page_shows_answer_layers_and_crisis_help(browser) -> None:
    from selenium.webdriver.common.by import By

    with running(create_app(ScriptedBackend())) as url:
        browser.get(url + "/")
        turn = _say(browser, "最近工作压力很大，晚上睡不好", 1)
        answer = turn.find_element(By.CSS_SELECTOR, ".answer").text
        assert answer.startswith("听起来你真的很辛苦")
        assert "L1" not in answer
        panel = turn.find_element(By.CSS_SELECTOR, ".layers")
        assert not panel.find_element(By.CSS_SELECTOR, ".layers-body").is_displayed()  # closed until asked
        panel.find_element(By.TAG_NAME, "summary").click()
        layers = panel.find_element(By.CSS_SELECTOR, ".layers-body").text
        for heading in ("L1 情绪与情境", "L2 原因与信念", "L3 意图", "L4 回应策略"):
            assert heading in layers

        turn = _say(browser, "我真的不想活了，今晚就想结束这一切", 2)
        reply = turn.find_element(By.CSS_SELECTOR, ".reply")
        assert "crisis" in reply.get_attribute("class")
        help_lines = turn.find_element(By.CSS_SELECTOR, ".help-lines").text
        assert "12356" in help_lines and "010-82951332" in help_lines and "110 / 120" in help_lines
        assert "12356" in turn.find_element(By.CSS_SELECTOR, ".answer").text
