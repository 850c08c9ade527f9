"""The command line itself: nested actions take only their own flags, explain themselves, and keep the documented spellings."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacetalks.cli import build_parser, main

LABELSTUDIO_FLAGS = {
    "start": ["--pass", "--data-dir", "--port", "--timeout", "--host"],
    "push": ["--url", "--api-key", "--project", "--pass", "--with-annotations", "--no-predictions"],
    "pull": ["--url", "--api-key", "--project", "--pass", "--timeout"],
    "assign": ["--pass", "--email"],
}
REQUIRED = {"assign": ["--pass", "p1", "--email", "jane@example.org"]}  # so the stray flag is what argparse refuses
FLAG_VALUES = {"--with-annotations": [], "--no-predictions": [], "--port": ["8093"], "--timeout": ["5"], "--pass": ["p1"]}


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run a command line argparse must refuse; returns its stderr after checking the exit code (2)."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(("action", "flag"), [(action, flag) for action in LABELSTUDIO_FLAGS
                                              for others in LABELSTUDIO_FLAGS.values() for flag in others
                                              if flag not in LABELSTUDIO_FLAGS[action]])
def test_a_labelstudio_action_refuses_a_flag_of_another_action(capsys: pytest.CaptureFixture[str], action: str, flag: str) -> None:
    err = usage_error(capsys, "labelstudio", action, *REQUIRED.get(action, []), flag, *FLAG_VALUES.get(flag, ["x"]))
    assert f"peacetalks: error: unrecognized arguments: {flag}" in err


def test_labelstudio_without_an_action_is_a_usage_error_naming_the_actions(capsys: pytest.CaptureFixture[str]) -> None:
    err = usage_error(capsys, "labelstudio")
    assert "peacetalks labelstudio: error: the following arguments are required: ACTION" in err
    assert "argument ACTION: invalid choice: 'serve' (choose from 'start', 'push', 'pull', 'assign')" in usage_error(capsys, "labelstudio", "serve")


@pytest.mark.parametrize("action", list(LABELSTUDIO_FLAGS))
def test_each_labelstudio_action_explains_itself_with_its_flags_and_an_example(capsys: pytest.CaptureFixture[str], action: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["labelstudio", action, "--help"])
    out = capsys.readouterr().out
    assert stopped.value.code == 0
    assert out.startswith(f"usage: peacetalks labelstudio {action} [-h] [--root ROOT]")
    assert f"Example:\n  peacetalks labelstudio {action} " in out
    shown = {flag for flag in sum(LABELSTUDIO_FLAGS.values(), []) if f"  {flag}" in out}
    assert shown == set(LABELSTUDIO_FLAGS[action])


def test_the_documented_labelstudio_command_lines_still_parse(tmp_path: Path) -> None:
    parse = build_parser().parse_args
    assert (parse(["labelstudio", "push"]).action, parse(["labelstudio", "push"]).root) == ("push", None)
    pushed = parse(["labelstudio", "push", "--with-annotations", "--no-predictions", "--root", str(tmp_path), "--project", "final"])
    assert (pushed.with_annotations, pushed.no_predictions, pushed.root, pushed.project) == (True, True, tmp_path, "final")
    pulled = parse(["labelstudio", "--root", str(tmp_path), "pull", "--timeout", "4", "--url", "http://127.0.0.1:9", "--api-key", "k"])
    assert (pulled.action, pulled.root, pulled.timeout, pulled.url, pulled.api_key) == ("pull", tmp_path, 4.0, "http://127.0.0.1:9", "k")
    started = parse(["labelstudio", "start", "--data-dir", str(tmp_path / "ls"), "--port", "8093"])
    assert (started.data_dir, started.port) == (tmp_path / "ls", 8093)
