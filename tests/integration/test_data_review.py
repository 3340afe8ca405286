"""``data review``: the page in a real headless Chromium (accept, edit, reject), and resuming."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from doubles import chromium
from doubles import running as serve
from empathy_r1.data.review import ReviewSession, create_app
from empathy_r1.data.synth import synthesize
from empathy_r1.io import write_jsonl


@pytest.fixture
def distilled(tmp_path) -> Path:
    path = tmp_path / "distilled.jsonl"
    write_jsonl(path, synthesize(3, 0))
    return path


@pytest.fixture
def browser(tmp_path):
    with chromium(tmp_path / "chrome-profile") as driver:
        yield driver


@pytest.mark.browser
def test_review_page_accept_edit_reject(tmp_path, distilled, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    out = tmp_path / "sft.jsonl"
    session = ReviewSession(distilled, out, reviewer="王老师")
    items = session.items
    with serve(create_app(session)) as url:
        wait = WebDriverWait(browser, 20)
        browser.get(url)
        assert browser.find_element(By.ID, "title").text == items[0]["title"]
        assert items[0]["coe"]["emotions"] in browser.find_element(By.ID, "emotions").get_attribute("value")
        browser.find_element(By.ID, "accept").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "progress"), "1 / 3"))

        assert browser.find_element(By.ID, "title").text == items[1]["title"]
        answer = browser.find_element(By.ID, "answer")
        answer.clear()
        answer.send_keys("经过审阅修改后的回复：你的感受很重要，我们慢慢来。")
        browser.find_element(By.ID, "edit").click()
        wait.until(EC.text_to_be_present_in_element((By.ID, "progress"), "2 / 3"))

        # An edit that breaks the chain (an empty layer) is refused and nothing is recorded.
        browser.find_element(By.ID, "causes").clear()
        browser.find_element(By.ID, "edit").click()
        wait.until(EC.presence_of_element_located((By.ID, "error")))
        assert "empty layer" in browser.find_element(By.ID, "error").text
        assert "2 / 3" in browser.find_element(By.ID, "progress").text

        browser.find_element(By.ID, "reject").click()
        wait.until(EC.presence_of_element_located((By.ID, "done")))
        assert "accepted 2" in browser.find_element(By.ID, "progress").text

    sft = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in sft] == [items[0]["id"], items[1]["id"]]
    assert sft[0]["coe"] == items[0]["coe"] and sft[0]["review"]["decision"] == "accept"
    assert sft[1]["coe"]["answer"] == "经过审阅修改后的回复：你的感受很重要，我们慢慢来。"
    assert sft[1]["coe"]["emotions"] == items[1]["coe"]["emotions"] and sft[1]["review"]["decision"] == "edit"
    assert all(r["review"]["reviewer"] == "王老师" and r["review"]["time"].endswith("+00:00") for r in sft)


def test_review_resumes_where_it_stopped(tmp_path, distilled):
    out = tmp_path / "sft.jsonl"
    first = ReviewSession(distilled, out, reviewer="a")
    first.decide(first.items[0]["id"], "reject")
    first.decide(first.items[1]["id"], "accept")
    again = ReviewSession(distilled, out, reviewer="b")
    assert again.next_item()["id"] == first.items[2]["id"]
    assert again.counts() == {"total": 3, "done": 2, "accepted": 1, "rejected": 1}
    with pytest.raises(ValueError, match="unknown decision"):
        again.decide(first.items[2]["id"], "maybe")
