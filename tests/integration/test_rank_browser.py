"""The annotator page in a real headless Chromium: from file:// and served by ``rank serve``'s app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from doubles import chromium, running
from empathy_r1.evaluation.ranking.score import read_rankings, score
from empathy_r1.evaluation.ranking.tasks import Sample, build_tasks, load_task_set, write_task_set

pytestmark = pytest.mark.browser

SYSTEMS = ["good", "mid", "bad"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile"), tmp_path_factory.mktemp("downloads")) as driver:
        yield driver


def make_tasks(tmp_path: Path) -> Path:
    samples = [
        Sample(f"q{i}", f"第{i}个帖子：我最近很焦虑。</script>", {s: f"{s} 的回复 {i} <b>不是标签</b>" for s in SYSTEMS}) for i in range(3)
    ]
    out = tmp_path / "tasks"
    write_task_set(build_tasks(samples, annotators=2, seed=3), out)
    return out


def rank_all(driver, tasks: Path, annotator: str, prefer: list[str]) -> dict:
    """Rank every item on the open page by ``prefer`` (via the visible selects), then export."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    key = json.loads((tasks / "key.json").read_text(encoding="utf-8"))["annotators"][annotator]
    for n, sid in enumerate(key["order"]):
        assert driver.find_element(By.ID, "post").text.startswith(f"第{sid[1:]}个帖子")  # items in this annotator's order
        for label, system in key["labels"][sid].items():
            # The page re-renders on every change, so find the select afresh each time.
            Select(driver.find_element(By.CSS_SELECTOR, f'select[data-label="{label}"]')).select_by_value(str(prefer.index(system) + 1))
        if n < len(key["order"]) - 1:
            driver.find_element(By.ID, "next").click()
    driver.find_element(By.ID, "export").click()
    return json.loads(driver.find_element(By.ID, "export-text").get_attribute("value"))


def test_page_from_file_ranks_and_exports(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = browser
    tasks = make_tasks(tmp_path)
    driver.get((tasks / "annotator_1.html").as_uri())
    assert "fluency" in driver.find_element(By.ID, "guidance").text
    answers = driver.find_elements(By.CSS_SELECTOR, ".answer .text")
    assert len(answers) == 3 and "<b>不是标签</b>" in answers[0].text  # text, never markup
    assert not driver.find_elements(By.TAG_NAME, "b")
    # A rank belongs to one reply: giving rank 1 to B takes it away from A.
    Select(driver.find_element(By.CSS_SELECTOR, 'select[data-label="A"]')).select_by_value("1")
    Select(driver.find_element(By.CSS_SELECTOR, 'select[data-label="B"]')).select_by_value("1")
    assert Select(driver.find_element(By.CSS_SELECTOR, 'select[data-label="A"]')).first_selected_option.get_attribute("value") == ""
    # Progress survives a reload (localStorage).
    driver.refresh()
    assert Select(driver.find_element(By.CSS_SELECTOR, 'select[data-label="B"]')).first_selected_option.get_attribute("value") == "1"
    exported = rank_all(driver, tasks, "1", SYSTEMS)
    assert exported["complete"] and exported["annotator"] == "1" and len(exported["rankings"]) == 3
    assert "good" not in json.dumps(exported)  # labels only; the key maps them back
    f = tmp_path / "r1.json"
    f.write_text(json.dumps(exported), encoding="utf-8")
    ts = load_task_set(tasks)
    result = score(read_rankings([f], ts), ts.systems, n_boot=100)
    assert result["systems"]["good"]["win1"] == 1.0 and result["systems"]["bad"]["mean_rank"] == 3.0


def test_served_page_saves_results_on_the_server(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from empathy_r1.evaluation.ranking.serve import create_app

    tasks = make_tasks(tmp_path)
    with running(create_app(tasks)) as url:
        browser.get(f"{url}/annotator_2.html")
        exported = rank_all(browser, tasks, "2", ["mid", "good", "bad"])
        WebDriverWait(browser, 20).until(lambda d: "server" in d.find_element(By.ID, "status").text)
        assert "saved on server" in browser.find_element(By.ID, "status").text, browser.find_element(By.ID, "status").text
        saved = json.loads((tasks / "rankings" / "annotator_2.json").read_text(encoding="utf-8"))
        assert saved["rankings"] == exported["rankings"]
        ts = load_task_set(tasks)
        result = score(read_rankings([tasks / "rankings" / "annotator_2.json"], ts), ts.systems, n_boot=100)
        assert result["systems"]["mid"]["win1"] == 1.0
