"""Stage 1, seeds: `peacetalks add` keeps raw files byte for byte and refuses bad input without writing anything."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from peacetalks.seeds import load_manifest
from peacetalks.storage import PeacetalksError, Root

BODY = ("Negotiators from both countries met in Geneva on Monday and agreed to continue the talks next week.\n"
        "Neither delegation commented on the substance of the discussions, which lasted more than five hours.\n")


def snapshot(root: Root) -> dict[str, bytes]:
    """Every file under seeds/ with its bytes: what must not change when `add` refuses."""
    return {p.name: p.read_bytes() for p in sorted(root.seeds.iterdir())}


def existing_seed(root: Root) -> Path:
    return root.seeds / load_manifest(root).seeds[0].file


@pytest.fixture
def refuses(tmp_root: Root, cli: Callable) -> Callable[..., str]:
    """Run `add` on files that must be refused; check it exits non-zero, names the file and writes nothing."""

    def run(path: Path, *files: Path) -> str:
        before = snapshot(tmp_root)
        code, out, err = cli("add", *files, path, "--root", tmp_root.path)
        assert code != 0
        assert str(path) in err
        assert snapshot(tmp_root) == before
        return err

    return run


def test_invalid_utf8_is_refused(tmp_path: Path, refuses: Callable[..., str]) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Zelensky a déclaré que la paix est possible.\n".encode("latin-1"))
    assert "not valid UTF-8" in refuses(path)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf \r\n\t\n"])
def test_empty_document_is_refused(tmp_path: Path, refuses: Callable[..., str], content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "empty document" in refuses(path)


def test_a_crlf_and_bom_copy_of_a_seed_is_a_duplicate(tmp_root: Root, tmp_path: Path, refuses: Callable[..., str]) -> None:
    seed = existing_seed(tmp_root)
    copy = tmp_path / "copy_of_seed.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes().replace(b"\n", b"\r\n"))
    assert f"duplicate of seeds/{seed.name}" in refuses(copy)


def test_two_new_files_with_the_same_content_are_refused_together(tmp_path: Path, refuses: Callable[..., str]) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(BODY, encoding="utf-8")
    second.write_bytes(BODY.replace("\n", "\r").encode("utf-8"))
    assert "duplicate of seeds/first.txt" in refuses(second, first)


def test_an_id_already_in_the_manifest_is_refused(tmp_root: Root, tmp_path: Path, refuses: Callable[..., str]) -> None:
    seed = existing_seed(tmp_root)
    clash = tmp_path / seed.name
    clash.write_text(BODY, encoding="utf-8")
    assert f"document id '{seed.stem}' already used" in refuses(clash)


def test_an_unsupported_file_type_is_refused(tmp_path: Path, refuses: Callable[..., str]) -> None:
    path = tmp_path / "article.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "unsupported file type" in refuses(path)


@pytest.mark.parametrize(("name", "data", "encoding", "newlines"), [
    ("bom_crlf.txt", b"\xef\xbb\xbf" + BODY.replace("\n", "\r\n").encode("utf-8"), "utf-8-sig", "CRLF"),
    ("old_mac.txt", BODY.replace("\n", "\r").encode("utf-8"), "utf-8", "CR"),
])
def test_bom_crlf_and_cr_text_is_accepted_byte_for_byte(tmp_root: Root, tmp_path: Path, cli: Callable,
                                                        name: str, data: bytes, encoding: str, newlines: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    code, out, _ = cli("add", path, "--root", tmp_root.path, "--outlet", "Example Wire")
    assert code == 0 and path.stem in out
    assert (tmp_root.seeds / name).read_bytes() == data
    entry = next(seed for seed in load_manifest(tmp_root).seeds if seed.id == path.stem)
    assert (entry.encoding, entry.newlines, entry.outlet, entry.url) == (encoding, newlines, "Example Wire", None)
    assert cli("clean", "--root", tmp_root.path)[0] == 0
    assert tmp_root.corpus_text(path.stem).read_text(encoding="utf-8") == BODY.strip().replace("\n", "\n\n")


def test_a_small_html_page_is_accepted_through_trafilatura(tmp_root: Root, tmp_path: Path, cli: Callable) -> None:
    paragraphs = [BODY.splitlines()[0], BODY.splitlines()[1],
                  "Diplomats said a third round could take place in Istanbul before the end of the month."]
    html = ("<html><head><title>Talks resume in Geneva</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>Talks resume in Geneva</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article><footer>© Example Wire</footer></body></html>")
    path = tmp_path / "geneva.html"
    path.write_text(html, encoding="utf-8")
    code, _, _ = cli("add", path, "--root", tmp_root.path)
    assert code == 0
    assert (tmp_root.seeds / "geneva.html").read_text(encoding="utf-8") == html
    assert next(s for s in load_manifest(tmp_root).seeds if s.id == "geneva").format == "html"
    assert cli("clean", "--root", tmp_root.path)[0] == 0
    text = tmp_root.corpus_text("geneva").read_text(encoding="utf-8")
    assert all(p in text for p in paragraphs) and "Home" not in text


@pytest.mark.parametrize(("planted", "where"), [
    ('"file": "000_82625007ee74e6f5.txt", ', "seeds[0]: the key 'file'"),
    ('"outlet": "Reuters", ', "seeds[0]: the key 'outlet'"),
])
def test_a_manifest_key_given_twice_is_refused_by_every_reader(tmp_root: Root, cli: Callable, planted: str, where: str) -> None:
    """A JSON reader keeps one of the two values, and each reader of the manifest kept another: the file names counted
    and the entries built disagreed (151 and 150). Every command that reads the manifest refuses it instead."""
    from peacetalks.seeds import iter_manifest, manifest_files

    text = tmp_root.manifest.read_text(encoding="utf-8")
    first = text.index('{"id": ')
    tmp_root.manifest.write_text(text[: first + 1] + planted + text[first + 1 :], encoding="utf-8")
    for read in (manifest_files, lambda root: list(iter_manifest(root)), load_manifest):
        with pytest.raises(PeacetalksError, match=f"manifest.json: {re.escape(where)} is there twice"):
            read(tmp_root)
    code, _, err = cli("clean", "--root", tmp_root.path)
    assert code != 0 and f"{where} is there twice" in err
