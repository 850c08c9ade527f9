"""The engine: clean, validate and build on datatrove's executors give the bytes of the default path.

A synthetic root is cleaned, validated and built in one task in this process (the default), then
on datatrove's local executor with two tasks and on a local Ray cluster that the test starts and
stops; every output is compared byte for byte. A killed run resumes from the tasks it finished;
the Slurm path runs its submitted tasks here (from the executor pickled for them), then the command
again, as its dependent job does; and no run opens a network connection.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peacetalks.cli import main
from peacetalks.engine import WORK_FOLDER, Engine, Job, SlurmOptions
from peacetalks.engine.executors import Resumable
from peacetalks.storage import Root

REPO = Path(__file__).resolve().parents[1]
DOCS = 120
Tree = dict[str, bytes]


def tree(folder: Path) -> Tree:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def peacetalks(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "peacetalks.cli", *map(str, args)]


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Root:
    out = tmp_path_factory.mktemp("engine") / "root"
    assert main(["synth", "--root", str(REPO), "--docs", str(DOCS), "--out", str(out), "--seed", "5"]) == 0
    return Root(out)


@pytest.fixture(scope="module")
def default_outputs(synth: Root, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tree | str]:
    """What the default path (one task, in this process) makes: the corpus, validate's report, the release."""
    root = Root(tmp_path_factory.mktemp("default") / "root")
    shutil.copytree(synth.path, root.path)
    shutil.rmtree(root.corpus)
    return run_stages(root, root.path.parent / "release", [])


def run_stages(root: Root, out: Path, options: list[str]) -> dict[str, Tree | str]:
    """clean (into an empty corpus/), validate and build with ``options``; their outputs."""
    clean = subprocess.run(peacetalks("clean", "--root", root.path, *options), capture_output=True, text=True)
    assert clean.returncode == 0, clean.stderr
    validate = subprocess.run(peacetalks("validate", "--root", root.path, *options), capture_output=True, text=True)
    assert validate.returncode == 0, validate.stderr
    build = subprocess.run(peacetalks("build", "--root", root.path, "--out", out, *options), capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert not (root.path / WORK_FOLDER).exists() and not (out.parent / WORK_FOLDER).exists()  # removed once merged
    return {"corpus": tree(root.corpus), "validate": validate.stdout, "release": tree(out), "stderr": clean.stderr + build.stderr}


def fresh_copy(synth: Root, folder: Path) -> Root:
    root = Root(folder / "root")
    shutil.copytree(synth.path, root.path)
    shutil.rmtree(root.corpus)
    return root


def test_two_tasks_on_the_local_executor_give_the_corpus_report_and_release_of_the_default_path(
        synth: Root, default_outputs: dict[str, Tree | str], tmp_path: Path) -> None:
    root = fresh_copy(synth, tmp_path)
    made = run_stages(root, tmp_path / "release", ["--tasks", "2", "--workers", "2"])
    assert made["corpus"] == default_outputs["corpus"] and len(made["corpus"]) == 2 * DOCS
    assert made["validate"] == default_outputs["validate"]
    assert made["release"] == default_outputs["release"]
    assert "clean: 2 tasks on datatrove's local executor, 2 at a time" in made["stderr"]
    assert "build: 2 tasks on datatrove's local executor" in made["stderr"]


@pytest.fixture
def ray_cluster() -> Iterator[str]:
    """A local Ray cluster on 127.0.0.1 (no dashboard, no usage statistics), stopped after the test."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    ray = pytest.importorskip("ray")
    context = ray.init(address="local", num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
                       log_to_driver=False, configure_logging=False)
    try:
        yield context.address_info["address"]
    finally:
        ray.shutdown()


def test_the_ray_executor_on_a_local_cluster_gives_the_bytes_of_the_default_path(
        synth: Root, default_outputs: dict[str, Tree | str], tmp_path: Path, ray_cluster: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_ADDRESS", ray_cluster)  # the commands join the test's cluster
    root = fresh_copy(synth, tmp_path)
    made = run_stages(root, tmp_path / "release", ["--executor", "ray", "--tasks", "2"])
    assert made["corpus"] == default_outputs["corpus"]
    assert made["validate"] == default_outputs["validate"]
    assert made["release"] == default_outputs["release"]
    assert "build: 2 tasks on datatrove's ray executor, 2 at a time" in made["stderr"]


def completions(folder: Path, job: str) -> int:
    return sum(len(list((work / "completions").glob("*"))) for work in folder.glob(f"{WORK_FOLDER}/{job}-*") if (work / "completions").is_dir())


def test_a_killed_build_resumes_from_the_tasks_it_finished_and_converges(
        synth: Root, default_outputs: dict[str, Tree | str], tmp_path: Path) -> None:
    root = Root(tmp_path / "root")
    shutil.copytree(synth.path, root.path)
    argv = peacetalks("build", "--root", root.path, "--out", tmp_path / "release", "--tasks", "12", "--workers", "1")
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while process.poll() is None and completions(tmp_path, "build") == 0:
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the command and datatrove's manager process: a task dies mid-way
        process.wait()
    done = completions(tmp_path, "build")
    assert 0 < done < 12, f"the build was not killed mid-way ({done} of 12 tasks done)"
    assert not (tmp_path / "release").exists()  # nothing swapped in

    again = subprocess.run(argv, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"build: 12 tasks on datatrove's local executor, 1 at a time; {done} of them done by an earlier run, resumed" in again.stderr
    assert tree(tmp_path / "release") == default_outputs["release"]
    assert not (tmp_path / WORK_FOLDER).exists()


def test_results_a_killed_run_of_another_version_of_the_code_left_are_not_resumed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The work folder is named by the code too: results pickled by another version may hold objects of another shape
    (a Rows without its statistics made every rerun crash), so they are never merged into this version's."""
    from peacetalks.engine import executors

    job = Job("build", list, list, 0, (tmp_path,), key="k")
    this_version = executors.listing_digest(job, 4)
    assert executors.listing_digest(job, 4) == this_version  # the same code, inputs and tasks: resumed
    monkeypatch.setattr(executors, "source_digest", lambda: "another version of the package")
    assert executors.listing_digest(job, 4) != this_version


def test_the_work_folder_is_named_by_every_entry_of_the_inputs_read_one_at_a_time(tmp_path: Path) -> None:
    """A killed run is resumed only on the inputs it read: an entry added, removed, grown or touched names another folder."""
    from peacetalks.engine import executors

    inputs = tmp_path / "corpus"
    inputs.mkdir()
    for name in ("a.txt", "b.txt"):
        (inputs / name).write_text(name, encoding="utf-8")
    job = Job("clean", list, list, 2, (inputs, tmp_path / "absent.json"))
    first = executors.listing_digest(job, 2)
    (inputs / "c.txt").write_text("c", encoding="utf-8")
    added = executors.listing_digest(job, 2)
    (inputs / "c.txt").unlink()
    assert executors.listing_digest(job, 2) == first != added
    (inputs / "a.txt").write_text("a longer text", encoding="utf-8")
    grown = executors.listing_digest(job, 2)
    os.utime(inputs / "a.txt", ns=(1, 1))
    assert len({first, added, grown, executors.listing_digest(job, 2)}) == 4


def test_listed_items_reach_the_tasks_through_the_work_folder_not_the_pickled_pipeline(tmp_path: Path) -> None:
    """An executor pickles the pipeline for every task: a build's 100k items in it cost the command 92 MiB. Spilled once
    to the work folder, the items stream back as they were, and the pickled step holds only its path."""
    import pickle

    from peacetalks.engine.steps import Listed, StageWork

    def pickled_step(items: list[object], folder: Path) -> int:
        job = Job("build", Listed(items), list, len(items), ())
        return len(pickle.dumps(StageWork(job.reading(job.source.spilled(folder, 3)))))

    many = [("train", f"doc_{i}", {"key": f"{i:064d}"}) for i in range(20_000)]
    assert pickled_step(many, tmp_path) < 1024 < 1024 * 1024 < len(pickle.dumps(many))
    shares = Listed(many).spilled(tmp_path, 3)
    assert [list(shares(rank, 3)) for rank in range(3)] == [many[rank::3] for rank in range(3)]  # each task reads its own
    spill = tmp_path / "items" / "00001.pickle"
    kept = spill.stat().st_mtime_ns
    spill.with_name("00002.pickle").unlink()  # a run killed while it spilled
    Listed(many).spilled(tmp_path, 3)  # a killed run's spill, in a folder named by these items' digest, is kept; the rest made
    assert spill.stat().st_mtime_ns == kept and list(shares(2, 3)) == many[2::3]


def test_the_command_lets_a_listed_jobs_items_go_once_they_are_spilled(tmp_path: Path) -> None:
    """The merge (the build's rows phase) runs without the items: a 100k-document build's jobs held validate's
    verdicts, 36 MiB the command kept through it."""
    import gc
    import weakref

    from peacetalks import engine

    items = [frozenset({i}) for i in range(2_000)]  # a frozenset pickles and can be weakly referenced
    alive = [weakref.ref(item) for item in items]
    with engine.using(Engine(scratch=tmp_path, tasks=2)):
        results = engine.ordered_map("planted", sorted, items, ())
        del items
        first = next(results)
        gc.collect()
        assert not [ref for ref in alive if ref() is not None]
        assert [first, *results] == [[i] for i in range(2_000)]


KILLED_WORKER_RUN = """
import json, os, sys
from pathlib import Path
from peacetalks import engine

class KillsItsReader:
    \"\"\"An item whose reading in a task kills the process reading it, the first time (as the out-of-memory killer would);
    it reads as 0 after that.\"\"\"
    def __init__(self, marker):
        self.marker = marker
    def __reduce__(self):  # the worker runs this shell, whose parent it is
        return os.system, (f"[ -e {self.marker} ] || {{ touch {self.marker}; kill -9 $PPID; }}",)
    def __repr__(self):  # the job's key: the same on the rerun, so it resumes
        return f"KillsItsReader({self.marker})"

if __name__ == "__main__":  # the workers import this module
    scratch = Path(sys.argv[1])
    items = [*range(150), KillsItsReader(scratch / "killed"), *range(151, 200)]
    with engine.using(engine.Engine(scratch=scratch, tasks=4, workers=2)):
        print(json.dumps(list(engine.ordered_map("planted", str, items, ()))))
"""


def test_a_task_whose_worker_is_killed_stops_the_run_resumably_instead_of_waiting_for_ever(tmp_path: Path) -> None:
    """datatrove's pool waits for ever for a task its worker took with it: the watcher sees the process gone and stops."""
    script = tmp_path / "run.py"
    script.write_text(KILLED_WORKER_RUN, encoding="utf-8")
    killed = subprocess.run([sys.executable, script, tmp_path], capture_output=True, text=True, timeout=120)
    assert killed.returncode == 1 and (tmp_path / "killed").exists(), killed.stderr
    message = killed.stderr.strip().splitlines()[-1]  # item 150 is task 2's (150 % 4), which alone reads it
    assert re.fullmatch(r"peacetalks\.engine\.executors\.Resumable: planted: the process of task 2 \(pid \d+\) ended before "
                        r"its task, killed from outside \(out of memory\?\); the run is stopped, the tasks done stay in "
                        rf"{re.escape(str(tmp_path / WORK_FOLDER))}/planted-\w+: run the command again to resume", message), killed.stderr
    again = subprocess.run([sys.executable, script, tmp_path], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == [*map(str, range(150)), "0", *map(str, range(151, 200))]
    assert "planted: 4 tasks on datatrove's local executor, 2 at a time;" in again.stderr and "resumed" in again.stderr


def test_a_forked_child_does_not_keep_the_locks_of_the_command_that_forked_it(tmp_path: Path) -> None:
    """datatrove's Manager is forked from the command: left running when the command was killed (-9), its copy of the
    root's lock made every later command wait for ever."""
    import fcntl

    from peacetalks.storage import locked

    root = Root(tmp_path)
    started, ready = os.pipe()
    with locked(root, "exclusive", "test"):
        child = os.fork()
        if child == 0:  # as an orphaned Manager: alive, and never closing anything
            os.write(ready, b"1")  # after the fork's handlers ran in the child
            time.sleep(30)
            os._exit(0)
    try:
        assert os.read(started, 1) == b"1"
        fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError when the child holds the lock
        os.close(fd)
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


def test_a_pool_that_does_not_return_once_every_task_is_done_is_left_for_the_merge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """A worker killed just after its task, or the fork server killed: datatrove's pool then waits for ever, though
    every result is on disk."""
    from peacetalks.engine import executors

    monkeypatch.setattr(executors, "STALLED_AFTER", 1.0)
    (tmp_path / "completions").mkdir()
    for rank in range(2):
        (tmp_path / "completions" / f"{rank:05d}").touch()
    start = time.monotonic()
    with executors.watching(tmp_path, 2, "planted", guarded=True):
        time.sleep(60)  # a pool that never returns
    assert time.monotonic() - start < 10
    assert "planted: every task is done but datatrove's pool did not return in 1 s" in capsys.readouterr().err
    assert signal.getsignal(executors.LOST_SIGNAL) is signal.SIG_DFL


def planted_job(scratch: Path, items: list[Any]) -> tuple[Job, Path]:
    """A job of two tasks over ``items`` (its work gives them back) and the work folder it will claim."""
    from peacetalks.engine import executors
    from peacetalks.engine.steps import Listed

    job = Job("planted", Listed(items), list, len(items), (), key="planted")
    folder = scratch / WORK_FOLDER / f"planted-{executors.listing_digest(job, 2)}"
    folder.mkdir(parents=True)
    return job, folder


def test_a_spill_cut_short_outside_the_run_is_refused_not_released_smaller(tmp_path: Path) -> None:
    """A cut at a record's end reads as the end of the items: the merge counts its results against the job's."""
    from peacetalks import engine
    from peacetalks.engine.steps import Listed
    from peacetalks.storage import PeacetalksError

    items = list(range(100))
    job, folder = planted_job(tmp_path, items)
    Listed(items[:60]).spilled(folder, 2)  # as a disk or a hand would leave it: whole records, too few
    with pytest.raises(PeacetalksError, match=f"planted: the work folder {folder} holds 60 results for 100 items"):
        with engine.using(Engine(scratch=tmp_path, tasks=2)):
            list(engine.run(job))
    assert not folder.exists()  # removed: the run again starts afresh


def test_a_spill_cut_inside_a_record_is_refused_and_made_again_by_the_rerun(tmp_path: Path) -> None:
    """Not a crash, which would keep the folder and meet the same file on every rerun."""
    from peacetalks import engine
    from peacetalks.engine.steps import Listed
    from peacetalks.storage import PeacetalksError

    items = [f"{i:01000d}" for i in range(100)]
    job, folder = planted_job(tmp_path, items)
    spill = folder / "items" / "00001.pickle"
    Listed(items).spilled(folder, 2)
    spill.write_bytes(spill.read_bytes()[:-500])  # half of the last item's text
    with pytest.raises(PeacetalksError, match="items/00001.pickle: pickle data was truncated"):
        with engine.using(Engine(scratch=tmp_path, tasks=2)):
            list(engine.run(job))
    assert not folder.exists()
    folder.mkdir(parents=True)
    with engine.using(Engine(scratch=tmp_path, tasks=2)):
        assert list(engine.run(job)) == items


def test_a_spill_that_cannot_be_read_crashes_the_tasks_which_stay_to_resume(tmp_path: Path) -> None:
    """Not bad input (a Failure record, then the folder removed): a crash, whose folder a rerun resumes from."""
    from peacetalks import engine

    items = list(range(100))
    job, folder = planted_job(tmp_path, items)
    (folder / "items" / "00000.pickle").mkdir(parents=True)  # there, but not a file to read
    with pytest.raises(Resumable, match=f"planted: the run stopped: {folder / 'items' / '00000.pickle'}: Is a directory; the tasks done stay in "
                       f"{folder}: run the command again to resume"):
        with engine.using(Engine(scratch=tmp_path, tasks=2)):
            list(engine.run(job))
    assert folder.is_dir()  # kept
    (folder / "items" / "00000.pickle").rmdir()
    with engine.using(Engine(scratch=tmp_path, tasks=2)):
        assert list(engine.run(job)) == items


def test_bad_input_met_by_a_task_is_refused_as_the_default_path_refuses_it(synth: Root, tmp_path: Path) -> None:
    root = fresh_copy(synth, tmp_path)
    seed = sorted(root.seeds.glob("*.txt"))[DOCS // 2]
    seed.write_text(seed.read_text(encoding="utf-8") + "changed", encoding="utf-8")
    default = subprocess.run(peacetalks("clean", "--root", root.path), capture_output=True, text=True)
    tasks = subprocess.run(peacetalks("clean", "--root", root.path, "--tasks", "3"), capture_output=True, text=True)
    assert default.returncode == tasks.returncode == 2
    message = f"peacetalks clean: error: {seed}: sha256 differs from the manifest"
    assert default.stderr.startswith(message) and message in tasks.stderr
    assert not (root.path / WORK_FOLDER).exists()


def slurm_engine(root: Root, command: tuple[str, ...]) -> Engine:
    return Engine("slurm", tasks=3, workers=2, scratch=root.path, slurm=SlurmOptions("cpu", "01:30:00", command))


def test_the_slurm_job_script_runs_the_tasks_as_an_array_and_then_the_command_again(synth: Root, tmp_path: Path) -> None:
    from peacetalks.engine.executors import executors_for

    command = tuple(peacetalks("validate", "--root", synth.path, "--executor", "slurm", "--tasks", "3", "--slurm-partition", "cpu"))
    job = Job("validate", iter, list, 0)
    rerun, array = executors_for(slurm_engine(synth, command), job, 3, tmp_path / "work")
    script = array.get_launch_file_contents(array.get_sbatch_args(3), "launch_pickled_pipeline executor.pik")
    for directive in ("#SBATCH --partition=cpu", "#SBATCH --time=01:30:00", "#SBATCH --array=0-2%2", "#SBATCH --cpus-per-task=1",
                      f"#SBATCH --output={tmp_path / 'work' / 'slurm_logs'}/%A_%a.out", "#SBATCH --job-name=peacetalks-validate"):
        assert directive in script.splitlines()
    assert f"source {Path(sys.prefix) / 'bin' / 'activate'}" in script
    assert rerun.depends is array and rerun.tasks == 1 and rerun.pipeline[0].command == command
    assert "#SBATCH --array=0-0" in rerun.get_launch_file_contents(rerun.get_sbatch_args(1), "x").splitlines()


def run_array_here(script: Path) -> None:
    """The tasks of a submitted Slurm array, from the executor it pickled for them (what each array task
    loads), run on this machine: the same steps, logging folder and completion marks, with no scontrol."""
    import dill
    from datatrove.executor import LocalPipelineExecutor

    with (script.parent / "executor.pik").open("rb") as handle:
        array = dill.load(handle)
    LocalPipelineExecutor(array.pipeline, tasks=array.tasks, workers=1, logging_dir=array.logging_dir).run()


def test_a_slurm_build_done_as_slurm_would_do_it_gives_the_release_of_the_default_path(
        synth: Root, default_outputs: dict[str, Tree | str], tmp_path: Path) -> None:
    """With no sbatch each submission stops after writing its job script and pickled executor, which
    stay; their tasks are run here, then the command again, as the dependent job does: it merges the
    finished job and submits the next (build has two: shingles, then rows), until it finishes."""
    root = Root(tmp_path / "root")
    shutil.copytree(synth.path, root.path)
    out = tmp_path / "release"
    argv = peacetalks("build", "--root", root.path, "--out", out, "--executor", "slurm", "--tasks", "3", "--slurm-partition", "cpu")
    no_slurm = {**os.environ, "PATH": str(Path(sys.prefix) / "bin")}
    submitted_jobs = []
    for _ in range(3):
        ran = subprocess.run(argv, capture_output=True, text=True, env=no_slurm)
        if ran.returncode == 0:
            break
        assert "peacetalks build: error: sbatch: not found; --executor slurm submits from a Slurm login node" in ran.stderr
        scripts = [p for p in tmp_path.glob(f"{WORK_FOLDER}/*/launch_script.slurm") if f"job script: {p})" in ran.stderr]
        assert len(scripts) == 1, (ran.stderr, list(tmp_path.glob(f"{WORK_FOLDER}/*/*")))
        script = scripts[0]
        assert "#SBATCH --partition=cpu" in script.read_text(encoding="utf-8").splitlines()
        submitted_jobs.append(script.parent.name.split("-")[0])
        run_array_here(script)
    assert ran.returncode == 0, ran.stderr
    assert submitted_jobs == ["shingle", "build"]
    assert "build: 3 tasks on datatrove's slurm executor" in ran.stderr
    assert tree(out) == default_outputs["release"] and not (tmp_path / WORK_FOLDER).exists()


@pytest.mark.parametrize(("options", "message"), [
    (["--tasks", "0"], "--tasks must be at least 1, got 0"),
    (["--workers", "-1"], "--workers must be at least 1, got -1"),
    (["--executor", "slurm"], "--executor slurm needs --slurm-partition (the partition its jobs run in)"),
    (["--executor", "slurm", "--slurm-partition", "cpu"], "--executor slurm needs --tasks (the command reruns itself on a compute node "
     "after the tasks, and must find the same number there)"),
    (["--slurm-partition", "cpu"], "--slurm-partition is for --executor slurm only (this run: --executor local)"),
    (["--executor", "ray", "--slurm-time", "01:00:00"], "--slurm-time is for --executor slurm only (this run: --executor ray)"),
    (["--executor", "slurm", "--slurm-partition", "cpu", "--tasks", "2", "--slurm-time", "banana"],
     "--slurm-time 'banana' is not a Slurm time limit (MINUTES, HH:MM:SS or D-HH:MM:SS)"),
])
def test_engine_options_that_cannot_run_are_refused_before_any_work(synth: Root, tmp_path: Path, options: list[str], message: str) -> None:
    root = fresh_copy(synth, tmp_path)
    ran = subprocess.run(peacetalks("clean", "--root", root.path, *options), capture_output=True, text=True)
    assert (ran.returncode, ran.stderr) == (2, f"peacetalks clean: error: {message}\n")
    assert not root.corpus.exists() and not (root.path / WORK_FOLDER).exists()


def test_the_ray_executor_without_ray_names_the_extra_to_install(synth: Root, tmp_path: Path, cli: Any,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = fresh_copy(synth, tmp_path)
    monkeypatch.setitem(sys.modules, "ray", None)  # as in an install without the [cluster] extra: `import ray` fails
    code, _, err = cli("clean", "--root", root.path, "--executor", "ray", "--tasks", "2")
    assert (code, err) == (2, "peacetalks clean: error: --executor ray needs Ray, an optional extra: pip install 'peacetalks[cluster]'\n")
    assert not root.corpus.exists() and not (root.path / WORK_FOLDER).exists()


def test_the_rerun_step_is_not_taken_for_a_slurm_task(monkeypatch: pytest.MonkeyPatch) -> None:
    from peacetalks.engine.executors import Rerun

    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "0")
    Rerun((sys.executable, "-c", "import os, sys; sys.exit('SLURM_ARRAY_TASK_ID' in os.environ)"))(None)  # raises if it is


SITECUSTOMIZE = '''
import os, sys, socket
def audit(event, args):
    if event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
        with open(os.environ["CONNECTS_LOG"], "a") as log:
            log.write(f"{os.getpid()} {args[1]}\\n")
sys.addaudithook(audit)
'''


def test_the_engine_opens_no_network_connection(synth: Root, tmp_path: Path) -> None:
    """An audit hook in every Python process (sitecustomize), the executor's workers included, logs every
    internet-socket connect: datatrove and huggingface_hub, which it imports, must make none."""
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    log = tmp_path / "connects.log"
    root = fresh_copy(synth, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "hook"), "CONNECTS_LOG": str(log)}
    for argv in (("clean", "--root", root.path, "--tasks", "2"), ("build", "--root", root.path, "--out", tmp_path / "release", "--tasks", "2")):
        ran = subprocess.run(peacetalks(*argv), capture_output=True, text=True, env=env)
        assert ran.returncode == 0, ran.stderr
        assert "tasks on datatrove's local executor" in ran.stderr  # the workers ran
    assert not log.exists(), log.read_text(encoding="utf-8")


def test_the_work_folder_is_ignored_by_git() -> None:
    assert f"{WORK_FOLDER}/" in (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
