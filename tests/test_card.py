"""The dataset card and DATASHEET.md tell the same provenance, from the same facts; the release stands
alone (every file they name ships in it); the card's sizes are what `datasets` computes; the figures
give every label its own colour."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import datasets
import pytest
import yaml

from conftest import REPO, RELEASE_FILES, copy_data
from peacetalks.datasheet import PROVENANCE_BEGIN, PROVENANCE_END, label_colours, span_length_table, sync_datasheet
from peacetalks.release.build import build
from peacetalks.release.card import DEPARTURES_HEAD, standard_departures
from peacetalks.release.features import exported_labels
from peacetalks.release.layout import SHIPPED_FILES
from peacetalks.schema import load_schema
from peacetalks.storage import PeacetalksError, Root


def card_metadata(out: Path) -> dict[str, Any]:
    return yaml.safe_load((out / "README.md").read_text(encoding="utf-8").split("---\n")[1])


def provenance_facts(markdown: str) -> dict[str, Any]:
    """What a card or a datasheet says of provenance: per set (annotator kind, pre-annotation,
    guidelines), the Hub creators and the released set's guidelines version."""
    header = "| set | annotator | documents | method | pre-annotation | guidelines |\n|---|---|---:|---|---|---|\n"
    assert markdown.count(header) == 1, "no provenance table, or more than one"
    table = markdown.split(header)[1].split("\n\n")[0]
    rows = re.findall(r"^\| (\S+(?: \(released\))?) \| (.+?) \| (\d+) \| (.+?) \| (.+?) \| (.+?) \|$", table, re.M)
    creators = re.search(r"Annotation creators \(Hub vocabulary, from the annotator kinds above\): ([^.]+)\.", markdown)
    gold = re.search(r"Released spans: the `gold` sets, made under guidelines (\S+) ", markdown)
    assert rows and creators and gold, "no provenance passage found"
    return {"sets": {name: {"annotator": who, "documents": docs, "method": method, "pre_annotation": pre, "guidelines": version}
                     for name, who, docs, method, pre, version in rows},
            "creators": creators.group(1), "gold_guidelines": gold.group(1)}


def repo_release_root(path: Path) -> Root:
    """A copy of the repository's data with its real annotations and the release inputs."""
    root = copy_data(path)
    for name in RELEASE_FILES:
        shutil.copyfile(REPO / name, path / name)
    shutil.copytree(REPO / "docs" / "figures", path / "docs" / "figures")
    return root


@pytest.fixture(scope="module")
def repo_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("repo-release")
    return build(repo_release_root(base / "root"), base / "out").out


# --- one set of provenance facts -------------------------------------------------------------


def test_card_and_committed_datasheet_agree_on_annotators_pre_annotation_and_guidelines(repo_release: Path) -> None:
    card = (repo_release / "README.md").read_text(encoding="utf-8")
    datasheet = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    assert provenance_facts(card) == provenance_facts(datasheet)
    assert (repo_release / "DATASHEET.md").read_bytes() == (REPO / "DATASHEET.md").read_bytes()


def test_card_and_datasheet_quote_the_guidelines_passage_on_departures_from_ontonotes(repo_release: Path) -> None:
    guidelines = (REPO / "schema" / "GUIDELINES.md").read_text(encoding="utf-8")
    passage = guidelines.split(DEPARTURES_HEAD, 1)[1].split("\n#", 1)[0].strip()
    quoted = standard_departures(guidelines)
    assert "A building named for its institution is ORG in every use" in passage
    assert " ".join(quoted.split()).endswith(" ".join(passage.split()))
    assert quoted in (repo_release / "README.md").read_text(encoding="utf-8")
    assert quoted in (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    assert "no relation to a labelling standard" in standard_departures(None)


def test_the_card_says_machine_generated_for_the_ai_agent_passes_and_the_gold_guidelines_version(repo_release: Path) -> None:
    card = (repo_release / "README.md").read_text(encoding="utf-8")
    facts = provenance_facts(card)
    assert card_metadata(repo_release)["annotations_creators"] == ["machine-generated"] and facts["creators"] == "machine-generated"
    assert {s["annotator"].split(":")[0] for s in facts["sets"].values()} == {"AI language-model agent"}
    assert {s["pre_annotation"] for s in facts["sets"].values()} == {"none recorded"}
    gold_versions = {json.loads(path.read_text(encoding="utf-8"))["annotators"]["gold"]["provenance"]["guidelines_version"]
                     for path in (REPO / "annotations").glob("*.json")}
    assert len(gold_versions) == 1, "every gold set was adjudicated under one guidelines version"
    (gold_version,) = gold_versions
    assert facts["gold_guidelines"] == gold_version and facts["sets"]["gold (released)"]["guidelines"] == gold_version
    assert f"made under version {gold_version} of the annotation\nguidelines" in card
    assert "**They were annotated by AI language-model agents (`machine-generated`)**" in card
    for false_claim in ("expert-generated", "heuristic pre-annotations offered", "project's maintainers working as"):
        assert false_claim not in card


def test_a_human_pass_changes_annotations_creators_and_the_datasheet_goes_stale(release_root: Root, tmp_path: Path, cli: Any) -> None:
    registry = {"annotators": {"ann1": {"kind": "human-expert", "who": "a linguist"}, "gold": {"kind": "ai-agent"}}}
    (release_root.annotations / "_meta").mkdir(parents=True, exist_ok=True)
    (release_root.annotations / "_meta" / "provenance.json").write_text(json.dumps(registry), encoding="utf-8")
    out = build(release_root, tmp_path / "out").out
    assert card_metadata(out)["annotations_creators"] == ["expert-generated", "machine-generated"]
    facts = provenance_facts((out / "README.md").read_text(encoding="utf-8"))
    assert facts["sets"]["ann1"]["annotator"] == "human expert: a linguist"
    assert cli("datasheet", "--check", "--root", release_root.path)[0] == 1
    assert cli("datasheet", "--root", release_root.path)[0] == 0
    assert provenance_facts((release_root.path / "DATASHEET.md").read_text(encoding="utf-8")) == facts


def test_a_set_name_the_registry_does_not_list_is_of_unknown_kind(release_root: Root, tmp_path: Path) -> None:
    out = build(release_root, tmp_path / "out").out  # the synthetic root has no registry
    assert card_metadata(out)["annotations_creators"] == ["other"]
    facts = provenance_facts((out / "README.md").read_text(encoding="utf-8"))
    assert facts["sets"]["gold (released)"]["annotator"] == "unknown" and facts["gold_guidelines"] == "unknown"


def test_a_datasheet_whose_provenance_was_edited_by_hand_fails_the_check(release_root: Root, cli: Any) -> None:
    cli("datasheet", "--root", release_root.path)
    path = release_root.path / "DATASHEET.md"
    path.write_text(path.read_text(encoding="utf-8").replace("| none recorded |", "| heuristic predictions |"), encoding="utf-8")
    code, out, _ = cli("datasheet", "--check", "--root", release_root.path)
    assert code == 1 and "STALE: DATASHEET.md" in out


def test_a_datasheet_without_the_provenance_block_is_refused_naming_the_markers(release_root: Root, cli: Any) -> None:
    path = release_root.path / "DATASHEET.md"
    path.write_text(path.read_text(encoding="utf-8").replace(PROVENANCE_BEGIN, ""), encoding="utf-8")
    code, _, err = cli("datasheet", "--check", "--root", release_root.path)
    assert code == 2
    assert err.strip() == f"peacetalks datasheet: error: {path}: needs exactly one {PROVENANCE_BEGIN} … {PROVENANCE_END} block"


@pytest.mark.parametrize("content, rule", [
    ('{"annotators": {"ann1": {"kind": "robot"}}}', "annotators.ann1.kind"),
    ('{"annotators": {"ann1": {"kind": "ai-agent", "email": "x"}}}', "annotators.ann1.email"),
    ('{"annotators": ', "not valid JSON"),
])
def test_a_broken_annotator_registry_is_refused_naming_the_file_and_field(release_root: Root, tmp_path: Path, content: str,
                                                                         rule: str) -> None:
    path = release_root.annotations / "_meta" / "provenance.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PeacetalksError, match=re.escape(str(path))) as refused:
        build(release_root, tmp_path / "out")
    assert rule in str(refused.value)
    assert not (tmp_path / "out").exists()


# --- a release that stands alone ----------------------------------------------------------------


REFERENCE = re.compile(r"`([\w.-]+(?:/[\w.<>*-]+)+/?|[\w-]+\.(?:md|json|png|sha256|parquet|cff))`|\]\(([^)\s]+)\)")


def references(markdown: str) -> set[str]:
    """File paths a markdown text names: in backticks or as link targets."""
    return {a or b for a, b in REFERENCE.findall(markdown) if not (a or b).startswith(("http://", "https://", "#"))}


def test_every_file_the_card_and_datasheet_name_ships_in_the_release(repo_release: Path) -> None:
    for name in ("README.md", "DATASHEET.md"):
        text = (repo_release / name).read_text(encoding="utf-8")
        assert "source repository" not in text
        for reference in references(text):
            pattern = re.sub(r"<\w+>", "*", reference).rstrip("/")
            assert list(repo_release.glob(pattern)), f"{name} names {reference}, which the release does not ship"


def test_the_release_ships_guidelines_schema_provenance_splits_and_seed_manifest_in_its_manifest(repo_release: Path) -> None:
    listed = dict(line.split("  ", 1)[::-1] for line in (repo_release / "MANIFEST.sha256").read_text(encoding="utf-8").splitlines())
    for relative in [*SHIPPED_FILES, "annotations/notes/ann1.md", "provenance.json", "croissant.json"]:
        assert relative in listed, relative
    for relative in SHIPPED_FILES:
        assert (repo_release / relative).read_bytes() == (REPO / relative).read_bytes()


def test_a_symbolic_link_among_the_shipped_files_is_refused(release_root: Root, tmp_path: Path) -> None:
    guidelines = release_root.path / "schema" / "GUIDELINES.md"
    secret = tmp_path / "secret.txt"
    secret.write_text("not for release", encoding="utf-8")
    guidelines.unlink()
    guidelines.symlink_to(secret)
    with pytest.raises(PeacetalksError, match=re.escape(f"{guidelines}: a symbolic link")):
        build(release_root, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_card_cites_the_release_states_the_texts_origin_and_the_datasets_minimum(repo_release: Path) -> None:
    card = (repo_release / "README.md").read_text(encoding="utf-8")
    bibtex = card.split("```bibtex\n")[1].split("```")[0]
    version = (REPO / "VERSION").read_text(encoding="utf-8").strip()
    assert bibtex.startswith(f"@misc{{peacetalks_{version.replace('.', '_')},") and f"version = {{{version}}}" in bibtex and bibtex.count("{") == bibtex.count("}")
    assert "outlet known for 0 of 5" in card and "| 000_82625007ee74e6f5 | unknown | unknown | unknown | unknown |" in card
    assert "**`datasets>=4`**" in card
    assert "datasets>=4" in (REPO / "README.md").read_text(encoding="utf-8")


def test_dataset_info_sizes_are_what_datasets_computes(repo_release: Path, tmp_path: Path) -> None:
    for info in card_metadata(repo_release)["dataset_info"]:
        builder = datasets.load_dataset_builder(str(repo_release), info["config_name"], cache_dir=str(tmp_path / "cache"))
        builder.download_and_prepare()
        assert {s["name"]: s["num_bytes"] for s in info["splits"]} == {n: s.num_bytes for n, s in builder.info.splits.items()}
        assert (info["download_size"], info["dataset_size"]) == (builder.info.download_size, builder.info.dataset_size)


def test_a_rebuild_gives_the_same_manifest(repo_release: Path, tmp_path: Path) -> None:
    again = build(repo_release_root(tmp_path / "root"), tmp_path / "out").out
    assert (again / "MANIFEST.sha256").read_bytes() == (repo_release / "MANIFEST.sha256").read_bytes()


# --- figures and tables ---------------------------------------------------------------------


def test_every_label_gets_its_own_colour_even_when_the_schema_repeats_one(repo_root: Root) -> None:
    schema = load_schema(repo_root)
    labels = exported_labels(schema)
    assert len(labels) == 12 and len({str(c) for c in label_colours(labels, schema).values()}) == 12
    same = schema.model_copy(update={"layers": [layer.model_copy(update={"labels": [label.model_copy(update={"color": "#000000"})
                                                                                   for label in layer.labels]})
                                                for layer in schema.layers]})
    assert len({tuple(c) for c in label_colours(labels, same).values()}) == 12


def test_tables_list_labels_in_schema_order_and_the_figures_name_documents(repo_release: Path, repo_root: Root) -> None:
    stats = json.loads((repo_release / "stats.json").read_text(encoding="utf-8"))
    rows = [line.split(" | ")[0][2:] for line in span_length_table(stats).splitlines()[2:]]
    assert rows == exported_labels(load_schema(repo_root))  # LAW and MONEY in their place, not last
    assert set(stats["splits"]["test"]["document_tokens"]) == {"000_82625007ee74e6f5"}


def test_the_committed_datasheet_and_figures_are_current(repo_release: Path) -> None:
    root = Root(repo_release.parent / "check")
    root = repo_release_root(root.path)
    shutil.copytree(REPO / "docs" / "figures", root.path / "docs" / "figures", dirs_exist_ok=True)
    assert sync_datasheet(root, check=True, release=repo_release) == []


def test_what_the_card_says_the_adjudicator_changed_is_what_gold_differs_from_the_passes_in(repo_release: Path) -> None:
    changed = 0
    for path in (REPO / "annotations").glob("*.json"):
        sets = json.loads(path.read_text(encoding="utf-8"))["annotators"]
        passes = {(s["start"], s["end"], s["label"]) for name, aset in sets.items() if name != "gold" for s in aset["spans"]}
        changed += sum((s["start"], s["end"], s["label"]) not in passes for s in sets["gold"]["spans"])
    gold_row = next(line for line in (repo_release / "README.md").read_text(encoding="utf-8").splitlines()
                    if line.startswith("| gold (released) |"))
    assert changed > 0 and f"re-adjudicated {changed} entity labels" in gold_row
    assert "changed no span |" not in gold_row, "the card must not say gold equals the passes when it does not"
