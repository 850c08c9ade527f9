"""Build stage, I/O (writes): ``build(root, out)`` makes the versioned Hugging Face dataset folder.

It refuses to run on a root that does not validate, streams every document once per split into
three Parquet configs (documents, tokens, quotes), writes the dataset card, its Croissant metadata,
the leakage report, build statistics, the provenance summary, a licence statement, copies of the
documentation the card refers to and a sha256 manifest into a temp folder beside ``out``,
checks that no e-mail address got in, and only then swaps the folder into place. It reads
``splits.json`` and never writes it (``peacetalks split`` does).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..storage import BUILDING_MARK, PeacetalksError, Root, building_folder, replace_folder, replaceable_folder, sha256_file
from .card import Card, license_text, released_configs
from .features import features_of
from .layout import (CARD_FILE, CROISSANT_FILE, GUIDELINES_FILE, LEAKAGE_FILE, LICENSE_FILE, MANIFEST_FILE, OWN_FILES, PROVENANCE_FILE,
                     SHIPPED_FILES, SHIPPED_FOLDERS, STATS_FILE)
from .leakage import leakage_report
from .parquet import SplitSizes, write_data
from .plan import Plan, plan_release
from .provenance import AnnotationSets, provenance_summary
from .rows import EMAIL


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"


def refuse_link(source: Path) -> Path:
    if source.is_symlink():
        raise PeacetalksError(f"{source}: a symbolic link; a release ships only the project's own files; nothing built")
    return source


def ship(root: Root, folder: Path, relative: str) -> bool:
    """Copy the root file ``relative`` into the release at the same path, if the root has it; a
    symbolic link is refused (it could bring in any file of the machine)."""
    source = refuse_link(root.path / relative)
    if not source.is_file():
        return False
    (folder / relative).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / relative)
    return True


def ship_documentation(root: Root, folder: Path) -> dict[str, str]:
    """Every shipped file and folder the root has → what it is (for the card's list)."""
    shipped = {relative: about for relative, about in SHIPPED_FILES.items() if ship(root, folder, relative)}
    for relative, (pattern, about) in SHIPPED_FOLDERS.items():
        source = refuse_link(root.path / relative)
        names = [path.name for path in sorted(source.glob(pattern))] if source.is_dir() else []
        copied = [name for name in names if ship(root, folder, f"{relative}/{name}")]
        if copied:
            shipped[f"{relative}/"] = about
    return shipped


def manifest(folder: Path) -> str:
    """``sha256sum -c`` format, one line per file, sorted by path."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in (MANIFEST_FILE, BUILDING_MARK))
    return "".join(f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in files)


def file_holds_email(path: Path) -> bool:
    """Whether the file holds an e-mail address, read line by line (an address never spans a line break): the seed
    manifest a release ships grows with the corpus (42 MB at 100k documents), memory need not."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        return any(EMAIL.search(line) for line in handle)


def files_with_emails(folder: Path) -> list[str]:
    """Release files other than Parquet holding an e-mail address (Parquet rows are scanned as they are written)."""
    return [path.relative_to(folder).as_posix() for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix != ".parquet" and file_holds_email(path)]


@dataclass(frozen=True)
class BuildReport:
    out: Path
    version: str
    sizes: SplitSizes
    new_documents: list[str]
    near_duplicate_groups: int

    def examples(self, config: str) -> dict[str, int]:
        return {split: size["num_examples"] for split, size in self.sizes[config].items()}

    def summary(self) -> str:
        docs = self.examples("documents")
        per_split = ", ".join(f"{split} {n}" for split, n in docs.items())
        return (f"build: release {self.version} in {self.out}: {sum(docs.values())} documents ({per_split}), "
                f"{sum(self.examples('quotes').values())} quotes, {self.near_duplicate_groups} near-duplicate groups (leakage.json)"
                + (f"; {len(self.new_documents)} documents have no split in splits.json yet: assigned by its rule for this build, "
                   "run `peacetalks split` to record them" if self.new_documents else ""))

    def how_to_load(self) -> str:
        lines = [f'  datasets.load_dataset("{self.out}", "{config}")' for config in released_configs(self.sizes)]
        return "load it with:\n" + "\n".join(lines)


def build(root: Root, out: Path) -> BuildReport:
    """Build the release into ``out`` (replaced whole), or raise and leave ``out`` as it was.

    ``out`` is replaced only when replacing it deletes nothing the tool did not make (see
    :func:`storage.replaceable_folder`). The release is built in ``.<out>.building.*`` beside it;
    those a killed build left are removed first (see :func:`storage.building_folder`).
    """
    plan = plan_release(root)
    out = replaceable_folder(out, root, MANIFEST_FILE, OWN_FILES)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with building_folder(out) as folder:
            sizes, leakage = write_release(root, plan, folder)
            replace_folder(folder, replaceable_folder(out, root, MANIFEST_FILE, OWN_FILES))
    except OSError as exc:  # a full disk, a read-only file system: name the place, keep the old release
        raise PeacetalksError(f"{exc.filename or out}: cannot write the release: {exc.strerror}; {out} left as it was") from exc
    return BuildReport(out, plan.version, sizes, plan.assignment.new, len(leakage["near_duplicate_groups"]))


def write_release(root: Root, plan: Plan, folder: Path) -> tuple[SplitSizes, dict[str, Any]]:
    sets = AnnotationSets()
    stats, sizes = write_data(folder, root, plan, sets)
    leakage = leakage_report(root, plan)
    provenance = provenance_summary(root, sets, plan.doc_ids, plan.schema.version)
    features = features_of(plan.schema)
    (folder / STATS_FILE).write_text(dump_json(stats), encoding="utf-8")
    (folder / LEAKAGE_FILE).write_text(dump_json(leakage), encoding="utf-8")
    (folder / PROVENANCE_FILE).write_text(dump_json(provenance), encoding="utf-8")
    (folder / LICENSE_FILE).write_text(license_text(), encoding="utf-8")
    shipped = ship_documentation(root, folder)
    guidelines = folder / GUIDELINES_FILE
    card = Card(plan, features, stats, sizes, leakage, provenance, shipped,
                guidelines.read_text(encoding="utf-8") if GUIDELINES_FILE in shipped else None)
    (folder / CARD_FILE).write_text(card.render(), encoding="utf-8")
    (folder / CROISSANT_FILE).write_text(dump_json(card.croissant()), encoding="utf-8")
    leaked = files_with_emails(folder)
    if leaked:
        raise PeacetalksError(f"release files contain an e-mail address: {', '.join(leaked)}; nothing built")
    (folder / MANIFEST_FILE).write_text(manifest(folder), encoding="utf-8")
    folder.chmod(0o755)
    return sizes, leakage
