"""Label Studio without a server: credentials, the server's environment, pull's summary, the export read as it arrives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacetalks.labelstudio.export import NotAJSONArray, array_items


# --- the server's credentials and environment (no server needed) ------------------------------------


def test_credentials_come_from_the_environment_or_are_generated_once_and_kept_in_the_data_dir(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from peacetalks.labelstudio.server import CREDENTIALS_FILE, Credentials, child_environment

    for key in ("USERNAME", "PASSWORD", "USER_TOKEN"):
        monkeypatch.delenv(f"LABEL_STUDIO_{key}", raising=False)
    generated, fresh = Credentials.from_env_or_new(tmp_path)
    assert fresh and 6 <= len(generated.token) <= 40 and "@" in generated.username
    assert (tmp_path / CREDENTIALS_FILE).stat().st_mode & 0o777 == 0o600
    assert Credentials.from_env_or_new(tmp_path) == (generated, False)  # the admin exists now: same credentials

    monkeypatch.setenv("LABEL_STUDIO_USERNAME", "lead@example.org")
    monkeypatch.setenv("LABEL_STUDIO_PASSWORD", "lead-pass-123")
    monkeypatch.setenv("LABEL_STUDIO_USER_TOKEN", "lead-token-123456")
    from_env, fresh = Credentials.from_env_or_new(tmp_path)
    assert not fresh and from_env == Credentials("lead@example.org", "lead-pass-123", "lead-token-123456")

    for stray in ("USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG"):
        monkeypatch.setenv(stray, "stray")
    env = child_environment(tmp_path, from_env)
    assert not {"USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG"} & env.keys()
    assert env["LABEL_STUDIO_USER_TOKEN"] == "lead-token-123456" and env["LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN"] == "true"
    assert (env["LATEST_VERSION_CHECK"], env["COLLECT_ANALYTICS"], env["SENTRY_DSN"]) == ("false", "false", "")


def test_a_pull_summary_names_at_most_ten_documents() -> None:
    from peacetalks.labelstudio import PullReport

    report = PullReport(tasks=12, written=[f"doc{i:02d}" for i in range(12)])
    assert report.summary() == ("pull: 12 tasks, 0 annotations by 0 annotators; 12 files written "
                                "(doc00, doc01, doc02, doc03, doc04, doc05, doc06, doc07, doc08, doc09, … (+2 more)), 0 unchanged, 0 refused")


# --- the export, parsed as it arrives --------------------------------------------------------

INT64 = st.integers(1 - 2**63, 2**63 - 1)  # what a server's ids are; a larger number is refused (MALFORMED)
TASKS = st.lists(st.fixed_dictionaries({"id": INT64, "data": st.dictionaries(st.text(max_size=3), st.text("a\"\\ 🇺é,[]{}\n", max_size=8))}),
                 max_size=5)


@settings(max_examples=300, deadline=None)
@given(TASKS, st.lists(st.integers(0, 400), max_size=8), st.sampled_from([0, 2]))
def test_the_export_is_read_item_by_item_from_chunks_cut_anywhere(tasks: list[dict[str, Any]], cuts: list[int], indent: int) -> None:
    raw = json.dumps(tasks, ensure_ascii=False, indent=indent or None).encode()  # cuts may split a UTF-8 character
    bounds = [0, *sorted(c % (len(raw) + 1) for c in cuts), len(raw)]
    assert list(array_items(raw[a:b] for a, b in zip(bounds, bounds[1:]))) == tasks
    with pytest.raises(NotAJSONArray):
        list(array_items([raw[:-1]]))


MALFORMED = {  # an answer, cut in chunks as it arrives → the refusal: what is wrong, and where
    "an HTML page": ([b"<!DOCTYPE html><html><body>Log in</body></html>"],
                     "not a JSON array of records: expected a JSON array at character 0 (near '<!DOCTYPE html><html><body>Log in</body>')"),
    "an object after whitespace": ([b"\n  ", b' {"detail": "Not found"}'],
                                   "not a JSON array of records: expected a JSON array at character 4 (near '{\"detail\": \"Not found\"}')"),
    "an empty answer": ([], "not a JSON array of records: expected a JSON array at character 0 (the answer ends there)"),
    "whitespace only": ([b" \n", b"\t"], "not a JSON array of records: expected a JSON array at character 3 (the answer ends there)"),
    "a truncated array": ([b'[{"id": 1}, ', b'{"id": 2, "data": {"te'], "not a JSON array of records: parse error: premature EOF at byte 34, the end"),
    "bytes that are not UTF-8 before the array": ([b"\xff\xfe[]"], "not a JSON array of records: expected a JSON array at character 0 (near '\ufffd\ufffd[]')"),
    "bytes that are not UTF-8 in a string": ([b'[{"id": 1}, ', b'{"text": "\xff"}]'],
                                             "not UTF-8 JSON: lexical error: invalid bytes in UTF8 string in bytes 12-26 (near '{\"text\": \"\ufffd\"}]')"),
    "a missing comma": ([b'[{"id": 1} {"id": 2}]'],
                        "not a JSON array of records: parse error: after array element, I expect ',' or ']' in bytes 0-21 (near '[{\"id\": 1} {\"id\": 2}]')"),
    "something after the array": ([b'[{"id": 1}] <p>'], "not a JSON array of records: parse error: trailing garbage in bytes 0-15 (near '[{\"id\": 1}] <p>')"),
    "a number past 64 bits": ([b'[{"id": 9223372036854775808}]'],
                              "not a JSON array of records: parse error: integer overflow in bytes 0-29 (near '[{\"id\": 9223372036854775808}]')"),
    "an item nested past 100 levels": ([b'[{"id": 1}, ' + b'[' * 200_000], "not a JSON array of records: an item nested deeper than 100 levels in bytes 0-65536"),
    "NaN": ([b'[{"id": NaN}]'], "not a JSON array of records: lexical error: invalid char in json text in bytes 0-13 (near '[{\"id\": NaN}]')"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_an_answer_that_is_not_one_json_array_is_refused_saying_what_and_where(case: str) -> None:
    chunks, message = MALFORMED[case]
    with pytest.raises(NotAJSONArray) as refused:
        list(array_items(chunks))
    assert str(refused.value) == message


def test_the_exports_numbers_are_read_as_json_reads_them() -> None:
    raw = b'[{"id": 9223372036854775807, "value": {"start": 1.0, "end": 2.5e1}, "flag": true, "none": null}]'
    assert list(array_items([raw])) == json.loads(raw)
    assert [type(v) for v in next(array_items([raw]))["value"].values()] == [float, float]



@pytest.mark.parametrize(("url", "api_key", "expected"), [
    ("http://localhost:abc", "token", "--url/LABEL_STUDIO_URL 'http://localhost:abc': not a URL"),
    ("http://[::1", "token", "--url/LABEL_STUDIO_URL 'http://[::1': not a URL"),
    ("http://127.0.0.1:1", "é", "--api-key/LABEL_STUDIO_API_KEY: not a Label Studio token"),
    ("http://127.0.0.1:1", "two words", "--api-key/LABEL_STUDIO_API_KEY: not a Label Studio token"),
], ids=["port-not-a-number", "unclosed-bracket", "non-ascii-key", "key-with-space"])
def test_a_malformed_url_or_api_key_is_refused_in_one_line(tmp_path: Path, cli: Any, url: str, api_key: str, expected: str) -> None:
    for action in ("push", "pull"):
        code, out, err = cli("labelstudio", action, "--root", tmp_path, "--url", url, "--api-key", api_key)
        assert code == 2 and out == ""
        assert err == f"peacetalks labelstudio: error: {expected}" + err.split(expected, 1)[1] and "Traceback" not in err
        assert err.count("\n") == 1
