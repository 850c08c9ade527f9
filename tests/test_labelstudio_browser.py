"""Stage 4 in Label Studio's own interface: headless Debian chromium driven by selenium, real servers.

The acceptance flow of issue 15: two annotators sign up through the web form, each on the server of
their own pass; each sees the guidelines, annotates the same document without seeing the other's work,
and one links a QUOTE to its SOURCE by clicking the SOURCE where it overlaps a PERSON; both submit.
Pull writes two sets under pseudonyms, agreement compares them, and no e-mail reaches annotations/.
Screenshots of the labelling view go to test-artefacts/ (git-ignored). Every step waits for what it
needs on the page (no fixed sleeps): CI runs this on a loaded 2-core machine.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_labelstudio import REPO, ls_root, project, project_id, server_args, tasks_of  # noqa: F401 (ls_root, project: fixtures)

from peacetalks.annotations import read_annotation_file
from peacetalks.labelstudio import Server, connect
from peacetalks.labelstudio.guidelines import load_guidelines
from peacetalks.models import GOLD
from peacetalks.schema import load_schema
from peacetalks.storage import Root

pytestmark = [pytest.mark.labelstudio, pytest.mark.browser]
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ARTEFACTS = REPO / "test-artefacts"
WAIT = 120  # seconds for anything the page does; a loaded 2-core machine renders the editor slowly
Cli = Callable[..., tuple[int, str, str]]

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("needs Debian's chromium and chromium-driver (scripts/test.sh installs them)", allow_module_level=True)

from selenium import webdriver  # noqa: E402 (only where chromium is)
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

# Selects the `occurrence`th `needle` in view `view` (0: entity, 1: attribution) as a mouse drag would, then
# releases the mouse there: the editor reads the selection on mouseup and labels it with the active label.
SELECT = """
const [view, needle, occurrence] = arguments;
const root = document.querySelectorAll('.lsf-richtext__container')[view];
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
const nodes = [];
let text = '';
while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]); text += walker.currentNode.data; }
let at = -1;
for (let i = 0; i <= occurrence; i++) { at = text.indexOf(needle, at + 1); if (at < 0) return false; }
const place = (offset, isEnd) => {
  for (const [node, start] of nodes) {
    if (offset < start + node.data.length || (isEnd && offset === start + node.data.length)) return [node, offset - start];
  }
};
const range = document.createRange();
range.setStart(...place(at, false));
range.setEnd(...place(at + needle.length, true));
const selection = window.getSelection();
selection.removeAllRanges();
selection.addRange(range);
root.dispatchEvent(new MouseEvent('mouseup', {bubbles: true, cancelable: true, view: window}));
return true;
"""
HIGHLIGHTS = """
const [view] = arguments;
const root = document.querySelectorAll('.lsf-richtext__container')[view];
return root ? Array.from(root.querySelectorAll('.htx-highlight')) : [];
"""


class LabellingPage:
    """One annotator's browser on Label Studio's labelling view."""

    def __init__(self, browser: WebDriver, url: str) -> None:
        self.browser, self.url = browser, url

    def wait(self, condition: Callable[[WebDriver], Any], what: str) -> Any:
        """Poll ``condition``; an element that the page re-renders while it is read is read again at the next poll."""
        return WebDriverWait(self.browser, WAIT, poll_frequency=0.25, ignored_exceptions=(StaleElementReferenceException,)).until(
            condition, message=f"waited {WAIT} s for {what}")

    def sign_up(self, email: str, password: str) -> None:
        """Through the web form, as a new annotator does."""
        self.browser.get(f"{self.url}/user/signup/")
        self.wait(lambda b: b.find_elements(By.NAME, "email"), "the sign-up form")
        self.browser.find_element(By.NAME, "email").send_keys(email)
        self.browser.find_element(By.NAME, "password").send_keys(password)
        self.browser.find_element(By.NAME, "password").submit()
        self.wait(lambda b: "/user/signup" not in b.current_url, "the sign-up to go through")

    def start_labelling(self, project: int) -> str:
        """Open the project's labelling stream ("Label All Tasks"); returns the instructions it shows first."""
        self.browser.get(f"{self.url}/projects/{project}/data?labeling=1")
        modal = self.wait(lambda b: next(iter(b.find_elements(By.CSS_SELECTOR, ".lsf-modal-ls__content")), None), "the instructions")
        self.wait(lambda _: "Guidelines version" in modal.text, "the guidelines in the instructions")
        shown = modal.text
        modal.find_element(By.CSS_SELECTOR, "button[aria-label='Close modal']").click()
        self.wait(lambda b: not b.find_elements(By.CSS_SELECTOR, ".lsf-modal-ls_visible"), "the instructions to close")
        return shown

    def views_text(self) -> list[str]:
        return self.browser.execute_script(
            "return Array.from(document.querySelectorAll('.lsf-richtext__container')).map(e => e.textContent)")

    def highlights(self, view: int) -> list[WebElement]:
        return self.browser.execute_script(HIGHLIGHTS, view)

    def region(self, view: int, text: str) -> WebElement:
        """The one region showing ``text`` in a view, scrolled to the middle of the window (clear of the bottom bar)."""
        found = self.wait(lambda _: [h for h in self.highlights(view) if h.text == text], f"a region {text!r} in view {view}")
        assert len(found) == 1, f"{len(found)} regions {text!r} in view {view}"
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", found[0])
        return found[0]

    def choose_label(self, label: str) -> None:
        chip = self.browser.find_element(By.XPATH, f"//span[contains(@class, 'lsf-label__text') and text()='{label}']/..")
        chip.click()
        self.wait(lambda _: "lsf-label_selected" in (chip.get_attribute("class") or ""), f"label {label} to be chosen")

    def draw(self, view: int, label: str, needle: str, occurrence: int = 0) -> None:
        """Choose the label, select the words, release the mouse: a new region (and the label is let go)."""
        before = len(self.highlights(view))
        self.choose_label(label)
        assert self.browser.execute_script(SELECT, view, needle, occurrence), f"{needle!r} is not in view {view}"
        self.wait(lambda _: len(self.highlights(view)) > before, f"a {label} region on {needle!r}")
        self.browser.execute_script("window.getSelection().removeAllRanges()")  # else the next click only ends the selection

    def select(self, view: int, text: str) -> WebElement:
        """Click a region on the text until the editor shows it selected (a click the editor is not ready for is lost)."""
        def selected(_: WebDriver) -> WebElement | None:
            region = self.region(view, text)
            if "__active" in (region.get_attribute("class") or ""):
                return region
            region.click()
            return None

        return self.wait(selected, f"region {text!r} to be selected")

    def delete(self, view: int, text: str) -> None:
        """Select a region and press Backspace: the editor deletes it, and its relations with it."""
        before = len(self.highlights(view))
        self.select(view, text)
        ActionChains(self.browser).send_keys(Keys.BACKSPACE).perform()
        self.wait(lambda _: len(self.highlights(view)) < before, f"region {text!r} to go")

    def link(self, view: int, head: str, tail: str, label: str) -> None:
        """Click the head region, Alt+R (create a relation), click the tail region, then give the relation its label
        in the Relations tab: what an annotator does."""
        before = self.relations_shown()
        self.select(view, head)
        ActionChains(self.browser).key_down(Keys.ALT).send_keys("r").key_up(Keys.ALT).perform()
        self.region(view, tail).click()
        self.wait(lambda _: self.relations_shown() > before, "the relation to be drawn")
        self.browser.find_element(By.XPATH, "//div[contains(@class, 'lsf-panel-tabs__tab') and normalize-space(.)='Relations']").click()
        item = self.wait(lambda b: next((i for i in b.find_elements(By.CSS_SELECTOR, ".lsf-relations__item")
                                         if "QUOTE" in i.text and "SOURCE" in i.text), None), "the relation in the Relations tab")
        ActionChains(self.browser).move_to_element(item).perform()
        self.wait(lambda _: item.find_elements(By.CSS_SELECTOR, "button[aria-label='Show Relation Labels']"), "its labels button")[0].click()
        trigger = self.wait(lambda _: item.find_elements(By.CSS_SELECTOR, ".lsf-relation-meta [data-testid^='select-trigger']"), "its label list")[0]
        trigger.click()
        option = self.wait(lambda b: next((o for o in b.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == label), None),
                           f"the option {label!r}")
        option.click()
        self.wait(lambda _: label in trigger.text, f"the relation labelled {label!r}")

    def relations_shown(self) -> int:
        """Relation arrows drawn over the text."""
        return len(self.browser.find_elements(By.CSS_SELECTOR, "g[class*='relationItem']"))

    def submit(self) -> None:
        self.browser.find_element(By.CSS_SELECTOR, "[data-testid='bottombar-submit-button']").click()

    def screenshot(self, name: str) -> None:
        ARTEFACTS.mkdir(exist_ok=True)
        self.browser.save_screenshot(str(ARTEFACTS / name))


@pytest.fixture
def open_browser(tmp_path: Path) -> Iterator[Callable[[str], LabellingPage]]:
    """A fresh headless chromium (its own profile: its own session) per annotator; all quit at the end."""
    browsers: list[WebDriver] = []

    def opened(url: str) -> LabellingPage:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / f'chromium-{len(browsers)}'}",
                     "--window-size=1600,1100"):
            options.add_argument(flag)
        browsers.append(webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options))
        return LabellingPage(browsers[-1], url)

    yield opened
    for browser in browsers:
        browser.quit()


@pytest.fixture
def second_server(labelstudio_server: Server, tmp_path: Path) -> Iterator[Server]:
    """Another Label Studio, for a second pass (its own data dir, copied from the session's template)."""
    from conftest import LS_TEMPLATE, free_port

    from peacetalks.labelstudio import start_server

    data_dir = tmp_path / "pass-p2"
    shutil.copytree(LS_TEMPLATE, data_dir)
    server = start_server(data_dir, free_port(), labelstudio_server.credentials, timeout=900)
    yield server
    server.stop()


def submitted(server: Server, project: str, doc_id: str) -> list[Any]:
    return tasks_of(server, project)[doc_id].annotations


def both_show(views: list[str], text: str) -> bool:
    """Both views rendered, each with ``text`` (before the page renders there are none, and all() of none is true)."""
    return len(views) == 2 and all(text in view for view in views)


def test_two_annotators_sign_up_see_the_guidelines_annotate_on_their_own_passes_and_pull_compares_them(
        labelstudio_server: Server, second_server: Server, ls_root: Root, project: str, cli: Cli,
        open_browser: Callable[[str], LabellingPage]) -> None:
    root, guidelines = ls_root, load_guidelines(ls_root)
    people = {"p1": ("ada.lovelace@example.org", labelstudio_server), "p2": ("grace.hopper@example.org", second_server)}
    for pass_, (email, server) in people.items():
        assert cli("labelstudio", "assign", "--pass", pass_, "--email", email, "--root", root.path)[0] == 0
        code, out, err = cli("labelstudio", "push", "--pass", pass_, "--root", root.path, *server_args(server, project))
        assert code == 0 and "2 tasks created" in out, err
    title = {pass_: f"{project} · {pass_}" for pass_ in people}
    alpha = root.corpus_text("alpha").read_text(encoding="utf-8")

    # ann1 (pass p1): the guidelines first, then alpha with its predictions (QUOTE, SOURCE, CUE and their relations).
    ada = open_browser(labelstudio_server.url)
    ada.sign_up(people["p1"][0], "ada-password-1")
    instructions = ada.start_labelling(project_id(labelstudio_server, title["p1"]))
    assert "peacetalks annotation guidelines" in instructions and f"Guidelines version {guidelines.version}" in instructions
    ada.wait(lambda _: both_show(ada.views_text(), "Zelensky said."), "alpha in both views")
    assert ada.views_text()[0] == ada.views_text()[1]  # one text, twice: entities above, attribution below
    ada.region(1, "Zelensky")  # the predicted SOURCE, drawn on the attribution view only
    assert [h.text for h in ada.highlights(0)] == []  # no entity predictions (no gold elsewhere to project)

    # A PERSON over "Zelensky" of "…,” Zelensky said." on the entity view: it lies under the SOURCE.
    ada.draw(0, "PERSON", "Zelensky", occurrence=1)
    # A wrong prediction is fixed by deleting it and drawing again (boundaries cannot be dragged); its relations go with it.
    ada.delete(1, "Zelensky")
    ada.draw(1, "SOURCE", "Zelensky", occurrence=1)
    ada.screenshot("labelstudio-ann1-before-linking.png")
    ada.link(1, "We will not accept any deal made without Ukraine", "Zelensky", "source")
    ada.screenshot("labelstudio-ann1-linked.png")
    ada.submit()
    ada.wait(lambda _: submitted(labelstudio_server, title["p1"], "alpha"), "ann1's annotation to be saved")

    # ann2 (pass p2, another server): sees the guidelines, and nothing of ann1's.
    grace = open_browser(second_server.url)
    grace.sign_up(people["p2"][0], "grace-password-2")
    assert "peacetalks annotation guidelines" in grace.start_labelling(project_id(second_server, title["p2"]))
    grace.wait(lambda _: both_show(grace.views_text(), "Zelensky said."), "alpha in both views")
    grace.region(1, "Zelensky")
    assert grace.highlights(0) == []  # ann1's PERSON is not on this page
    page = grace.browser.page_source
    assert "ada.lovelace" not in page and people["p1"][0] not in page
    grace.draw(0, "PERSON", "Zelensky", occurrence=0)
    grace.draw(0, "PERSON", "Zelensky", occurrence=1)
    grace.screenshot("labelstudio-ann2.png")
    grace.submit()
    grace.wait(lambda _: submitted(second_server, title["p2"], "alpha"), "ann2's annotation to be saved")

    # The relation ann1 drew by clicking ends on the SOURCE region, not on the PERSON under it.
    made = submitted(labelstudio_server, title["p1"], "alpha")[0].result
    labelled = {r["id"]: (r["value"]["labels"][0], r["to_name"]) for r in made if r["type"] == "labels"}
    links = [(labelled[r["from_id"]], labelled[r["to_id"]]) for r in made if r["type"] == "relation"]
    assert (("QUOTE", "attribution_text"), ("SOURCE", "attribution_text")) in links
    assert ("PERSON", "text") in labelled.values()

    for pass_, (_, server) in people.items():
        code, out, err = cli("labelstudio", "pull", "--pass", pass_, "--root", root.path, *server_args(server, project))
        assert code == 0 and "1 files written (alpha)" in out, err
    pulled = read_annotation_file(root, "alpha")
    assert pulled.annotators.keys() == {GOLD, "ann1", "ann2"}
    ann1, ann2 = pulled.annotators["ann1"], pulled.annotators["ann2"]
    spans1 = {s.id: (s.label, s.text, s.start) for s in ann1.spans}
    assert ("SOURCE", "Zelensky", alpha.index("Zelensky said")) in spans1.values()
    assert ("PERSON", "Zelensky", alpha.index("Zelensky said")) in spans1.values()
    assert {(spans1[r.head][0], r.label, spans1[r.tail][0]) for r in ann1.relations} >= {("QUOTE", "source", "SOURCE")}
    assert [s.text for s in ann2.spans if s.label == "PERSON"] == ["Zelensky", "Zelensky"]
    assert ann1.provenance.guidelines_version == ann2.provenance.guidelines_version == guidelines.version

    code, out, err = cli("agreement", "--first", "ann1", "--second", "ann2", "--root", root.path)
    assert code == 0, err
    report = json.loads((root.annotations / "agreement" / "agreement.json").read_text(encoding="utf-8"))
    assert report["annotators"] == ["ann1", "ann2"] and report["documents"] == ["alpha"]
    person = report["labels"]["PERSON"]
    assert (person["spans_a"], person["spans_b"], round(person["exact_f1"], 3)) == (1, 2, 0.667)  # ann2 marked both mentions, ann1 one
    assert report["layers"]["attribution"]["exact_f1"] == 1.0  # the SOURCE ann1 drew again is where the prediction was
    assert not any("@" in path.read_text(encoding="utf-8") for path in root.annotations.rglob("*.json"))
    assert not any(email.split("@")[0] in path.read_text(encoding="utf-8") for path in root.annotations.rglob("*")
                   if path.is_file() for email, _ in people.values())


def test_an_annotator_sees_every_label_and_the_pre_annotated_regions(
        labelstudio_server: Server, ls_root: Root, project: str, cli: Cli, open_browser: Callable[[str], LabellingPage]) -> None:
    server, schema = labelstudio_server, load_schema(ls_root)
    assert cli("labelstudio", "push", "--root", ls_root.path, *server_args(server, project))[0] == 0
    task = tasks_of(server, project)["bravo"]
    text = task.data["text"]
    predicted = {text[r["value"]["start"]:r["value"]["end"]] for r in task.predictions[0]["result"] if r["type"] == "labels"}

    admin = open_browser(server.url)
    admin.browser.get(f"{server.url}/user/login/")
    admin.browser.find_element(By.NAME, "email").send_keys(server.credentials.username)
    admin.browser.find_element(By.NAME, "password").send_keys(server.credentials.password)
    admin.browser.find_element(By.NAME, "password").submit()
    admin.wait(lambda b: "/user/login" not in b.current_url, "the login")
    admin.browser.get(f"{server.url}/projects/{project_id(server, project)}/data?task={task.id}")
    admin.wait(lambda _: predicted <= {h.text for view in (0, 1) for h in admin.highlights(view)}, "the predicted regions")
    shown_labels = {e.text for e in admin.browser.find_elements(By.CSS_SELECTOR, ".lsf-label__text")}
    admin.screenshot("labelstudio-task.png")
    assert set(schema.layer_of) <= shown_labels  # every label of both layers
    assert {"Zelensky", "Ukraine", "Kremlin", "We want a just peace for Ukraine.", "told"} <= predicted
