"""The pipeline is declared once (peacetalks.pipeline.STAGES): the README's stage table and
`peacetalks check` come from it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from peacetalks.cli import COMMANDS
from peacetalks.pipeline import STAGES, checks, stage_table
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
