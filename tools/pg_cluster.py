"""A throwaway PostgreSQL cluster for the tests and the bench: start, print its URL, stop.

    python tools/pg_cluster.py start DIR     # prints postgresql://postgres@127.0.0.1:PORT/postgres
    python tools/pg_cluster.py stop DIR

The cluster lives in DIR (data, socket and log), listens on a free port of 127.0.0.1 only, trusts
local connections (it is a test server with nothing in it), and runs as a non-root user: initdb and
the server refuse root, so as root it runs as `postgres` (the Debian package's user) or else `nobody`.
The tests' fixture (tests/pg.py) starts one the same way when .ci/run has not.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

SUPERUSER = "postgres"
START_TIMEOUT = 60  # seconds: a loaded 2-core machine can be slow to start a cluster


class ClusterError(RuntimeError):
    pass


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (/usr/lib/postgresql/*/bin, newest first), or None."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    return None


def _version_key(path: str) -> tuple[int, ...]:
    part = Path(path).parent.name
    return tuple(int(p) for p in part.split(".") if p.isdigit()) or (0,)


def _run_as() -> str | None:
    """The user to run the server as when we are root (None: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ClusterError("running as root and neither a 'postgres' nor a 'nobody' user exists")


def _command(user: str | None, args: list[str]) -> list[str]:
    return ["runuser", "-u", user, "--", *args] if user else args


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(folder: Path) -> str:
    """initdb + pg_ctl start in `folder`; returns the superuser's URL. ClusterError if it cannot."""
    bin_dir = binaries()
    if bin_dir is None:
        raise ClusterError("PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin)")
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    user = _run_as()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
        # the user must be able to reach the folder: temp folders of root are 0700 up the tree
        os.chmod(folder, 0o700)
        _open_parents(folder)
    data = folder / "data"
    port = _free_port()
    log = folder / "server.log"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "text": True}
    done = subprocess.run(_command(user, [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                                          "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]), **quiet)
    if done.returncode != 0:
        raise ClusterError(f"initdb failed: {done.stderr.strip()[-500:]}")
    options = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
               " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=40"
               " -c shared_buffers=128MB")
    done = subprocess.run(_command(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
                                          "-w", "-t", str(START_TIMEOUT), "start"]), **quiet)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-800:] if log.exists() else ""
        raise ClusterError(f"pg_ctl start failed: {done.stderr.strip()[-300:]} {tail}")
    (folder / "port").write_text(str(port), encoding="ascii")
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"


def _open_parents(folder: Path) -> None:
    """Let the server's user traverse the folders above its own (x only, never read)."""
    for parent in folder.parents:
        if str(parent) in ("/", "/tmp"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def stop(folder: Path) -> None:
    """pg_ctl stop (fast); quiet if nothing runs there."""
    bin_dir = binaries()
    data = Path(folder).resolve() / "data"
    if bin_dir is None or not (data / "postmaster.pid").exists():
        return
    subprocess.run(_command(_run_as(), [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(url: str, timeout: float = 10.0) -> None:
    """Until the server accepts a connection (pg_ctl -w already waits; this guards a slow socket)."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            print(start(Path(argv[1])))
        else:
            stop(Path(argv[1]))
    except ClusterError as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
