"""Stage 4, I/O (the key file and ``annotations/_meta/annotators.json``): annotator pseudonyms.

Annotators are named ``annN`` by HMAC-SHA256 of their lower-cased e-mail under a key that is
never committed; the committed file holds only pseudonyms, a key id and HMACs.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import itertools
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import StringConstraints, ValidationError, model_validator

from ..annotations import iter_annotation_files
from ..models import Sha256, Strict
from ..storage import PeacetalksError, Root, parse_model, write_model, write_text_atomic

PSEUDONYM_FILE = "annotators.json"
KEY_ENV = "PEACETALKS_PSEUDONYM_KEY"  # the key file's path, when it is not <root>/.labelstudio/pseudonym.key
KEY_FILE = "pseudonym.key"
KEY_ID_MESSAGE = b"peacetalks pseudonym key id"  # HMAC'd under the key, names it without revealing it
SCHEME = "hmac-sha256 of the lower-cased e-mail address under a key that is never committed"
Pseudonym = Annotated[str, StringConstraints(pattern=r"^ann[1-9][0-9]{0,8}$")]
KeyId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class PseudonymEntry(Strict):
    """An annotator: their pseudonym and HMAC-SHA256(key, e-mail) under the key ``key_id`` names.

    Without a key and hash the pseudonym is retired: no annotator is recognised as it, and it is never reused.
    """

    pseudonym: Pseudonym
    key_id: KeyId | None = None
    hmac: Sha256 | None = None

    @model_validator(mode="after")
    def key_with_hash(self) -> PseudonymEntry:
        if (self.key_id is None) != (self.hmac is None):
            raise ValueError("key_id and hmac are both given or both null")
        return self


class PseudonymFile(Strict):
    scheme: Literal[SCHEME]
    annotators: list[PseudonymEntry]

    @model_validator(mode="after")
    def each_once(self) -> PseudonymFile:
        names, hashes = [e.pseudonym for e in self.annotators], [(e.key_id, e.hmac) for e in self.annotators if e.hmac]
        if len(set(names)) < len(names) or len(set(hashes)) < len(hashes):
            raise ValueError("a pseudonym or an annotator is listed twice")
        return self


class SaltedEntry(Strict):
    pseudonym: Pseudonym
    hash: Sha256


class SaltedPseudonymFile(Strict):
    """The format before issue 12: a committed salt next to sha256(salt:e-mail), which anyone can test guesses against."""

    salt: str
    annotators: list[SaltedEntry]


def normalised_email(email: str | None) -> str | None:
    address = (email or "").strip().lower()
    return address or None


def key_path(root: Root) -> Path:
    """Where the key lives: never in a folder that is committed."""
    path = Path(os.environ[KEY_ENV]) if os.environ.get(KEY_ENV) else root.path / ".labelstudio" / KEY_FILE
    committed = (root.seeds, root.corpus, root.schema_dir, root.annotations)
    if any(path.resolve().is_relative_to(folder.resolve()) for folder in committed):
        raise PeacetalksError(f"{KEY_ENV}={path}: the pseudonym key would be committed with the data; keep it outside "
                              "seeds/, corpus/, schema/ and annotations/")
    return path


def pseudonym_key(path: Path, notes: list[str]) -> bytes:
    """The key pseudonyms are made with, read from ``path`` (0600), or made there on first use."""
    try:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_text_atomic(path, secrets.token_hex(32) + "\n", mode=0o600)
            notes.append(f"made a new pseudonym key in {path}: back it up (without it, known annotators get new pseudonyms)")
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise PeacetalksError(f"{path}: the pseudonym key is readable by others (mode {mode:04o}): chmod 600 {path}")
        key = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise PeacetalksError(f"{path}: cannot read the pseudonym key: {exc}") from exc
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        raise PeacetalksError(f"{path}: not a pseudonym key (64 hexadecimal digits); restore it from its backup")
    return bytes.fromhex(key)


@dataclass
class Pseudonyms:
    """``annotations/_meta/annotators.json``: pseudonyms ``annN`` by keyed hash of the e-mail address.

    Committed so pseudonyms stay stable across pulls and machines that share the key; it holds no
    e-mail, name, server user id or key. It lives in a subfolder so ``annotations/*.json`` stays
    one annotation file per document.
    """

    root: Root
    path: Path
    entries: dict[str, PseudonymEntry]
    salted: tuple[str, dict[str, str]] | None = None  # an old file's salt and hashes: carried over, then dropped
    changed: bool = False
    notes: list[str] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)  # e-mail → pseudonym, this run only

    @classmethod
    def load(cls, root: Root) -> Pseudonyms:
        path = root.annotations / "_meta" / PSEUDONYM_FILE
        if not path.exists():
            return cls(root, path, {})  # saved once it holds a pseudonym
        try:
            raw = path.read_bytes()
            current = parse_model(PseudonymFile, raw)
        except ValidationError as exc:
            try:
                old = parse_model(SaltedPseudonymFile, raw)
            except ValidationError:
                raise PeacetalksError(f"{path}: not a pseudonym file: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from exc
            retired = {e.pseudonym: PseudonymEntry(pseudonym=e.pseudonym) for e in old.annotators}
            return cls(root, path, retired, (old.salt, {e.hash: e.pseudonym for e in old.annotators}), changed=True)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PeacetalksError(f"{path}: cannot read: {exc}") from exc
        return cls(root, path, {e.pseudonym: e for e in current.annotators})

    @functools.cached_property
    def key(self) -> tuple[bytes, str]:
        """The key and its id, read (or made) only when an annotator needs a pseudonym."""
        key = pseudonym_key(key_path(self.root), self.notes)
        key_id = hmac.new(key, KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]
        others = sum(e.key_id not in (None, key_id) for e in self.entries.values())
        if others:
            self.notes.append(f"{others} pseudonyms in {self.path.name} were made under another key than {key_path(self.root)}: "
                              "their annotators get new pseudonyms unless that key is restored")
        return key, key_id

    @functools.cached_property
    def taken(self) -> set[str]:
        """Set names already in annotations/ (e.g. from another tool): never reused. Read only for a
        new annotator, as it means reading every annotation file."""
        return {name for annotation in iter_annotation_files(self.root) for name in annotation.annotators}

    def digest(self, email: str) -> tuple[str, str]:
        key, key_id = self.key
        return key_id, hmac.new(key, email.encode(), hashlib.sha256).hexdigest()

    def lookup(self, email: str) -> str | None:
        """The annotator's pseudonym if they have one already (nothing is made or saved)."""
        if email not in self.known:
            entry = self.digest(email)
            return next((e.pseudonym for e in self.entries.values() if (e.key_id, e.hmac) == entry), None)
        return self.known[email]

    def of(self, email: str) -> str:
        if email not in self.known:
            name = self.lookup(email)
            if name is None:
                key_id, digest = self.digest(email)
                name = self.carried_over(email) or self.new_name()
                self.entries[name] = PseudonymEntry(pseudonym=name, key_id=key_id, hmac=digest)
                self.changed = True
            self.known[email] = name
        return self.known[email]

    def carried_over(self, email: str) -> str | None:
        """An annotator's pseudonym from an old salted file, which can still recognise them (once)."""
        if self.salted is None:
            return None
        salt, by_hash = self.salted
        return by_hash.pop(hashlib.sha256(f"{salt}:{email}".encode()).hexdigest(), None)

    def new_name(self) -> str:
        used = self.taken | set(self.entries)
        return next(name for n in itertools.count(1) if (name := f"ann{n}") not in used)

    def save(self) -> None:
        entries = sorted(self.entries.values(), key=lambda e: int(e.pseudonym[3:]))
        write_model(self.path, PseudonymFile(scheme=SCHEME, annotators=entries))
        self.changed = False
