"""The pipeline is declared once (peacetalks.pipeline.STAGES): the README's stage table and
`peacetalks check` come from it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from peacetalks.cli import COMMANDS
from peacetalks.pipeline import STAGES, Stage, checks, regenerating_command, stage_table
from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- stages:begin[^>]*-->\n(.*?)<!-- stages:end -->", re.S)


def test_the_readme_stage_table_is_generated_from_the_declaration() -> None:
    match = BLOCK.search((REPO / "README.md").read_text(encoding="utf-8"))
    assert match and match.group(1) == stage_table(), f"README.md's stage table should be:\n{stage_table()}"


def test_every_stage_command_and_check_is_a_real_subcommand() -> None:
    for stage in STAGES:
        assert stage.command.split()[1] in COMMANDS, stage.name
        assert not stage.check or stage.check[0] in COMMANDS, stage.name


def test_check_passes_on_the_repository(cli: Any) -> None:
    code, out, _ = cli("check", "--root", REPO)
    assert (code, out.splitlines()[-1]) == (0, f"check: {len(checks())} checks, 0 failed")


def test_check_fails_and_names_the_stale_stage(tmp_root: Root, cli: Any) -> None:
    text = tmp_root.corpus_text(sorted(p.stem for p in tmp_root.corpus.glob("*.txt"))[0])
    text.write_text(text.read_text(encoding="utf-8") + "An edit by hand.\n", encoding="utf-8")
    code, out, _ = cli("check", "--root", tmp_root.path)
    assert code == 1 and "clean --check" in out.splitlines()[-1]


GENERATING = [stage for stage in STAGES if stage.generates]


@pytest.mark.parametrize("stage", GENERATING, ids=lambda stage: stage.name)
def test_every_check_names_a_stale_file_and_the_command_that_regenerates_it_in_the_same_words(
        stage: Stage, tmp_root: Root, cli: Any) -> None:
    for name in ("VERSION", "splits.json", "DATASHEET.md", "docs/figures"):  # what the datasheet's build reads
        (shutil.copytree if (REPO / name).is_dir() else shutil.copyfile)(REPO / name, tmp_root.path / name)
    stale = sorted(tmp_root.path.glob(stage.generates[-1]))[0]  # a wholly generated file (DATASHEET.md keeps a hand-written part)
    stale.write_bytes(stale.read_bytes() + b"\n")
    code, out, _ = cli(*stage.check, "--root", tmp_root.path)
    assert code == 1
    assert f"{stale}: stale: differs from what `{stage.command}` writes now; run `{stage.command}`" in out.splitlines()


def test_a_generated_file_is_matched_to_its_stage_from_any_root() -> None:
    assert regenerating_command(Path("/any/root/corpus/doc1.json")) == "peacetalks clean"
    assert regenerating_command(Path("elsewhere/docs/figures/spans.png")) == "peacetalks datasheet"
