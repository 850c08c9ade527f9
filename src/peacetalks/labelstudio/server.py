"""Stage 4, I/O (a process): run a local Label Studio 1.23, bound to 127.0.0.1, and stop it cleanly.

The server (the ``labelstudio`` extra) runs with telemetry, Sentry and the version check off,
its data dir private to its owner, and its output in ``server.log`` there. Label Studio moves to
the next free port when the one asked for is busy, so the URL is read from its own log line.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from ..storage import PeacetalksError, read_json, write_text_atomic
from .client import connect

DEFAULT_PORT = 8080
CREDENTIALS_FILE = "peacetalks-credentials.json"
LOG_FILE = "server.log"
SERVER_LINE = re.compile(r"Starting development server at (http://\S+?)/?\s*$", re.MULTILINE)
STRAY_SETTINGS = ("USERNAME", "PASSWORD", "HOST", "PORT", "DEBUG")  # LS reads these unprefixed

@dataclass(frozen=True)
class Credentials:
    """The admin user of a local server and its legacy API token (never committed)."""

    username: str
    password: str
    token: str

    @classmethod
    def from_env_or_new(cls, data_dir: Path) -> tuple[Credentials, bool]:
        """Credentials from LABEL_STUDIO_USERNAME/PASSWORD/USER_TOKEN, else the data dir's saved ones, else new ones.

        Label Studio creates the admin only on the first start of a data dir, so generated
        credentials are saved there (outside version control) to stay valid on later starts.
        Returns the credentials and whether they were generated just now.
        """
        env = {key: os.environ.get(f"LABEL_STUDIO_{key.upper()}") for key in ("username", "password", "user_token")}
        if all(env.values()):
            return cls(env["username"], env["password"], env["user_token"]), False  # type: ignore[arg-type]
        saved = data_dir / CREDENTIALS_FILE
        if saved.exists():
            return cls.read(saved), False
        creds = cls("admin@peacetalks.local", secrets.token_urlsafe(12), secrets.token_hex(20))
        private_folder(data_dir)
        write_text_atomic(saved, json.dumps(creds.__dict__, indent=2) + "\n", mode=0o600)
        return creds, True

    @classmethod
    def read(cls, path: Path) -> Credentials:
        """Saved credentials: exactly the three fields, each a non-empty string (the token 6 to 40 characters)."""
        saved = read_json(path)
        fields = set(cls.__dataclass_fields__)
        if not isinstance(saved, dict) or saved.keys() != fields or not all(isinstance(v, str) and v for v in saved.values()):
            raise PeacetalksError(f"{path}: not saved credentials: expected exactly the non-empty strings {', '.join(sorted(fields))} "
                                  "(delete the file only together with the data dir: the admin exists already)")
        if not 6 <= len(saved["token"]) <= 40:
            raise PeacetalksError(f"{path}: the token must be 6 to 40 characters long (Label Studio's rule)")
        return cls(**saved)


def private_folder(folder: Path) -> None:
    """``folder`` (a server's data dir: tokens, the SQLite database) and all in it for its owner only (0700, files 0600)."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)  # an existing data dir may come from an older version or a copy
        for path in folder.rglob("*"):
            if not path.is_symlink():
                path.chmod(path.stat().st_mode & 0o700)
    except OSError as exc:
        raise PeacetalksError(f"{folder}: cannot make it private: {exc.strerror}") from exc


def child_environment(data_dir: Path, creds: Credentials) -> dict[str, str]:
    """The server's environment: our data dir and admin, no outbound calls, no stray settings."""
    env = {key: value for key, value in os.environ.items() if key not in STRAY_SETTINGS}
    env.update({
        "LABEL_STUDIO_BASE_DATA_DIR": str(data_dir),
        "LABEL_STUDIO_USERNAME": creds.username,
        "LABEL_STUDIO_PASSWORD": creds.password,
        "LABEL_STUDIO_USER_TOKEN": creds.token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LATEST_VERSION_CHECK": "false",
        "COLLECT_ANALYTICS": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@dataclass
class Server:
    """A running Label Studio child process and the URL it really listens on."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path
    credentials: Credentials

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(data_dir: Path, port: int = DEFAULT_PORT, creds: Credentials | None = None, timeout: float = 180.0) -> Server:
    """Start Label Studio on 127.0.0.1 and return once it answers ``/health``.

    Label Studio silently moves to the next free port when ``port`` is busy, so the URL
    is read from its own log line rather than assumed.
    """
    executable = shutil.which("label-studio", path=str(Path(sys.executable).parent)) or shutil.which("label-studio")
    if executable is None:
        raise PeacetalksError("label-studio is not installed: pip install -e '.[labelstudio]'")
    data_dir = data_dir.resolve()
    creds = creds or Credentials.from_env_or_new(data_dir)[0]
    private_folder(data_dir)
    log = data_dir / LOG_FILE
    command = [executable, "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
               "--enable-legacy-api-token"]
    with open(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as sink:
        # umask 077: the server's SQLite database (the admin's token in plain text) and media are born private
        process = subprocess.Popen(command, env=child_environment(data_dir, creds), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077)
    server = Server(process, "", log, creds)
    try:
        server.url = wait_until_healthy(process, log, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_healthy(process: subprocess.Popen[bytes], log: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise PeacetalksError(f"Label Studio exited with code {process.returncode}; end of {log}:\n{tail}")
        if url is None:
            match = SERVER_LINE.search(log.read_text(encoding="utf-8", errors="replace"))
            url = match.group(1).replace("0.0.0.0", "127.0.0.1") if match else None
        if url is not None and health(url):
            return url
        time.sleep(0.3)
    raise PeacetalksError(f"Label Studio did not become healthy within {timeout:.0f} s (log: {log})")


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (local URL)
            return json.loads(response.read()).get("status") == "UP"
    except (OSError, ValueError):
        return False


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_server(data_dir: Path, port: int) -> int:
    """``peacetalks labelstudio start``: run until Ctrl-C or SIGTERM, then stop the server cleanly."""
    signal.signal(signal.SIGTERM, interrupt)  # the server has its own session: without this, `kill` would orphan it
    creds, generated = Credentials.from_env_or_new(data_dir.resolve())
    server = start_server(data_dir, port, creds)
    try:
        connect(server.url, creds.token)
    except PeacetalksError as exc:
        server.stop()
        raise PeacetalksError(f"{exc}\nThe admin of {data_dir} was created with other credentials (Label Studio sets them "
                              "only on a data dir's first start): use those, or a new --data-dir") from exc
    print(f"labelstudio: running at {server.url} (log: {server.log})")
    if generated:
        print(f"  generated admin {creds.username} / {creds.password} (kept in {data_dir / CREDENTIALS_FILE}, not committed)")
    else:
        print(f"  log in as {creds.username}")
    print(f"  export LABEL_STUDIO_URL={server.url} LABEL_STUDIO_API_KEY={creds.token}")
    print("  press Ctrl-C to stop", flush=True)
    try:
        server.process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("labelstudio: stopped")
    return 0
