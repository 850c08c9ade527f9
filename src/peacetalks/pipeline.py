"""The pipeline, declared once (no I/O): each stage's folder, command, inputs, outputs and check.

The README's stage table and ``peacetalks check`` are made from :data:`STAGES`, so neither can
drift from the other; a new stage is one more entry here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class Stage:
    name: str
    folder: str
    command: str
    reads: str
    writes: str
    check: tuple[str, ...] = ()  # the subcommand that exits non-zero when the stage's committed output is stale
    generates: tuple[str, ...] = ()  # patterns (relative to the root) of the committed files the command regenerates

    def row(self, number: int) -> str:
        check = f"`peacetalks {' '.join(self.check)}`" if self.check else "—"
        return f"| {number}. {self.name} | {self.folder} | `{self.command}` | {self.reads} | {self.writes} | {check} |"


STAGES: tuple[Stage, ...] = (
    Stage("seeds", "`seeds/`", "peacetalks add FILE…", "raw `.txt`/`.html`",
          "the file byte for byte, `seeds/manifest.json`"),
    Stage("clean", "`corpus/`", "peacetalks clean", "`seeds/`",
          "`corpus/<id>.txt` (NFC, LF), `corpus/<id>.json` (title, removed blocks, flags, alignment)", ("clean", "--check"),
          ("corpus/*.txt", "corpus/*.json")),
    Stage("schema", "`schema/`", "peacetalks schema", "`schema/schema.json`",
          "`schema/labelstudio.xml`, `schema/annotation-file.schema.json`", ("schema", "check"),
          ("schema/labelstudio.xml", "schema/annotation-file.schema.json")),
    Stage("annotate", "`annotations/`", "peacetalks labelstudio start/push/pull", "`corpus/`, `schema/`",
          "`annotations/<id>.json`"),
    Stage("validate", "—", "peacetalks validate [--format json]", "`annotations/`, `corpus/`, `schema/`",
          "a report; exit 1 on any error shown; each file's verdict for build in `.peacetalks/verdicts.json`", ("validate",)),
    Stage("agreement", "`annotations/agreement/`", "peacetalks agreement", "the `ann1` and `ann2` sets in `annotations/`",
          "`agreement.json`, `AGREEMENT.md`", ("agreement", "--check"),
          ("annotations/agreement/*",)),
    Stage("split", "`splits.json`", "peacetalks split", "`corpus/`, `splits.json`",
          "a split for every new document (recorded ones never change)", ("split", "--check")),
    Stage("build", "`release/`", "peacetalks build --out release",
          "`corpus/`, gold sets in `annotations/`, `schema/`, `VERSION`, `splits.json`",
          "the Hugging Face dataset folder (card, Parquet configs `documents`/`tokens`/`quotes`, `leakage.json`, `stats.json`, "
          "`MANIFEST.sha256`)"),
    Stage("datasheet", "`DATASHEET.md`", "peacetalks datasheet", "the build's statistics",
          "the datasheet's statistics block and `docs/figures/*.png`", ("datasheet", "--check"),
          ("DATASHEET.md", "docs/figures/*.png")),
    Stage("publish", "the Hub", "peacetalks publish --repo-id ORG/NAME [--dry-run]", "a clean git tree",
          "upload + tag `vX.Y.Z` (refuses dirty trees, failing validation, unrecorded splits, existing tags)"),
)


def stage_table() -> str:
    """The README's table of stages."""
    head = ["| stage | folder | command | reads | writes | CI check |", "|---|---|---|---|---|---|"]
    return "\n".join([*head, *(stage.row(number) for number, stage in enumerate(STAGES, 1))]) + "\n"


def checks() -> list[tuple[str, ...]]:
    return [stage.check for stage in STAGES if stage.check]


def regenerating_command(path: PurePath) -> str:
    """The command that regenerates the committed file ``path`` (matched on its last parts, so any root will do)."""
    return next((stage.command for stage in STAGES for pattern in stage.generates if path.match(pattern)),
                "the command that generated it")
