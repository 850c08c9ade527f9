"""Stage 4, I/O (a process): run a local Label Studio 1.23, bound to 127.0.0.1, and stop it cleanly.

The server (the ``labelstudio`` extra) runs with telemetry, Sentry and the version check off,
its data dir private to its owner, and its output appended to ``server.log`` there (each start
marked). Label Studio moves to the next free port when the one asked for is busy, so the URL is
read from its own log line. Another bind address is an explicit opt-in (``--host``) that needs an
admin password chosen in the environment and lets only holders of the invite link sign up.
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
from .client import PREDICTIONS_FLAG, connect, positive_seconds

DEFAULT_PORT = 8080
LOCAL_HOST = "127.0.0.1"
START_TIMEOUT = 600.0  # a data dir's first start migrates its database: ~35 s idle, minutes on 2 loaded cores
REMOTE_PASSWORD = 12  # characters at least, for an admin reachable from other machines
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


def remote_refusal(host: str) -> str | None:
    """Why the server may not listen on ``host``: beyond this machine its admin needs a password chosen for it."""
    if host == LOCAL_HOST:
        return None
    password = os.environ.get("LABEL_STUDIO_PASSWORD") or ""
    if not (os.environ.get("LABEL_STUDIO_USERNAME") and os.environ.get("LABEL_STUDIO_USER_TOKEN")) or len(password) < REMOTE_PASSWORD:
        return (f"--host {host}: other machines could reach this server; set LABEL_STUDIO_USERNAME, LABEL_STUDIO_PASSWORD "
                f"(at least {REMOTE_PASSWORD} characters, not a generated one kept in a file) and LABEL_STUDIO_USER_TOKEN, "
                "or keep the default 127.0.0.1 and give annotators an SSH tunnel")
    return None


def child_environment(data_dir: Path, creds: Credentials, host: str = LOCAL_HOST) -> dict[str, str]:
    """The server's environment: our data dir and admin, no outbound calls, no stray settings; off this
    machine, sign-up only through the invite link."""
    env = {key: value for key, value in os.environ.items() if key not in STRAY_SETTINGS}
    if host != LOCAL_HOST:
        env["LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK"] = "true"
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
        PREDICTIONS_FLAG: os.environ.get(PREDICTIONS_FLAG, "true"),  # push's fast path for predictions (push.py); off with =false
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


def start_server(data_dir: Path, port: int = DEFAULT_PORT, creds: Credentials | None = None, timeout: float = START_TIMEOUT,
                 host: str = LOCAL_HOST) -> Server:
    """Start Label Studio on ``host`` (127.0.0.1 unless opted out) and return once it answers ``/health``.

    Label Studio silently moves to the next free port when ``port`` is busy, so the URL
    is read from its own log line (of this start: the log is appended to) rather than assumed.
    """
    positive_seconds(timeout)
    refusal = remote_refusal(host)
    if refusal:
        raise PeacetalksError(refusal)
    executable = shutil.which("label-studio", path=str(Path(sys.executable).parent)) or shutil.which("label-studio")
    if executable is None:
        raise PeacetalksError("label-studio is not installed: pip install -e '.[labelstudio]'")
    data_dir = data_dir.resolve()
    creds = creds or Credentials.from_env_or_new(data_dir)[0]
    private_folder(data_dir)
    log = data_dir / LOG_FILE
    command = [executable, "start", "--no-browser", "--internal-host", host, "--port", str(port),
               "--enable-legacy-api-token"]
    with open(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab") as sink:
        started = sink.tell()
        sink.write(f"--- peacetalks labelstudio start, {time.strftime('%Y-%m-%dT%H:%M:%S%z')}, port {port}\n".encode())
        sink.flush()
        # umask 077: the server's SQLite database (the admin's token in plain text) and media are born private
        process = subprocess.Popen(command, env=child_environment(data_dir, creds, host), stdout=sink, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077)
    server = Server(process, "", log, creds)
    try:
        server.url = wait_until_healthy(process, log, started, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def wait_until_healthy(process: subprocess.Popen[bytes], log: Path, started: int, timeout: float) -> str:
    """The URL this start's log lines name, once it answers; earlier starts' lines (before ``started``) are not read."""
    deadline = time.monotonic() + timeout
    url = None
    while time.monotonic() < deadline:
        output = this_start(log, started)
        if process.poll() is not None:
            raise PeacetalksError(f"Label Studio exited with code {process.returncode}; end of {log}:\n{output[-2000:]}")
        if url is None:
            match = SERVER_LINE.search(output)
            url = match.group(1).replace("0.0.0.0", LOCAL_HOST) if match else None
        if url is not None and health(url):
            return url
        time.sleep(0.3)
    raise PeacetalksError(f"Label Studio did not become healthy within {timeout:g} s (log: {log}); a first start migrates "
                          "its database: on a loaded machine, give it longer with --timeout")


def this_start(log: Path, started: int) -> str:
    with log.open("rb") as stream:
        stream.seek(started)
        return stream.read().decode("utf-8", errors="replace")


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (local URL)
            return json.loads(response.read()).get("status") == "UP"
    except (OSError, ValueError):
        return False


def interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_server(data_dir: Path, port: int, timeout: float = START_TIMEOUT, host: str = LOCAL_HOST) -> int:
    """``peacetalks labelstudio start``: run until Ctrl-C or SIGTERM, then stop the server cleanly."""
    signal.signal(signal.SIGTERM, interrupt)  # the server has its own session: without this, `kill` would orphan it
    signal.signal(signal.SIGINT, interrupt)  # also when started with SIGINT ignored (`cmd &` in a script): Python then keeps it ignored
    refusal = remote_refusal(host)
    if refusal:  # before credentials are generated for a data dir that will not start
        raise PeacetalksError(refusal)
    creds, generated = Credentials.from_env_or_new(data_dir.resolve())
    server = start_server(data_dir, port, creds, timeout, host)
    try:  # from here on, whatever stops this command stops the server
        serve(server, data_dir, creds, generated, host)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("labelstudio: stopped")
    return 0


def serve(server: Server, data_dir: Path, creds: Credentials, generated: bool, host: str) -> None:
    """Check the admin's token, print how to reach the server, and wait for it (until a signal)."""
    try:
        connect(server.url, creds.token)
    except PeacetalksError as exc:
        raise PeacetalksError(f"{exc}\nThe admin of {data_dir} was created with other credentials (Label Studio sets them "
                              "only on a data dir's first start): use those, or a new --data-dir") from exc
    for line in start_lines(server, data_dir, generated):
        print(line)
    if host != LOCAL_HOST:
        print(f"labelstudio: warning: listening on {host}: anyone who reaches it sees the sign-in page; sign-up needs the invite "
              "link (Organization page); use it only on a network you trust, or behind TLS", file=sys.stderr)
    print("  press Ctrl-C to stop", flush=True)
    server.process.wait()


def start_lines(server: Server, data_dir: Path, generated: bool) -> list[str]:
    """What the person who started it needs: the URL, the admin login and where its password is, the lines to export."""
    creds, saved = server.credentials, data_dir / CREDENTIALS_FILE
    if generated:
        password = f"password {creds.password} (generated now; kept in {saved}, never committed)"
    elif saved.exists() and Credentials.read(saved) == creds:
        password = f"password kept in {saved} (field \"password\")"
    else:
        password = "password from LABEL_STUDIO_PASSWORD"
    return [f"labelstudio: running at {server.url} (log: {server.log})",
            f"  admin login: {creds.username}, {password}",
            "  for push and pull, in another terminal:",
            f"export LABEL_STUDIO_URL={server.url}",
            f"export LABEL_STUDIO_API_KEY={creds.token}"]
