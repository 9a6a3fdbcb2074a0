"""A throwaway PostgreSQL + PostGIS server for tests: own data directory, own socket, stopped and deleted afterwards.

Debian's ``postgresql`` and ``postgis`` packages provide the binaries under ``/usr/lib/postgresql/<version>/bin``; the
system cluster is neither used nor touched. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user (created by the Debian package) through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

EXTENSION_GLOB = "/usr/share/postgresql/{version}/extension/postgis.control"


def find_bin_dir() -> Optional[Path]:
    """The newest PostgreSQL bin directory that has initdb and pg_ctl and whose server has the PostGIS extension."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: float(Path(p).parent.name))
    for bin_dir in reversed(candidates):
        version = Path(bin_dir).parent.name
        if (
            Path(bin_dir, "initdb").exists()
            and Path(bin_dir, "pg_ctl").exists()
            and glob.glob(EXTENSION_GLOB.format(version=version))
        ):
            return Path(bin_dir)
    return None


def unavailable_reason() -> Optional[str]:
    """Why a server cannot be started here, or None."""
    if find_bin_dir() is None:
        return (
            "PostgreSQL with PostGIS is not installed (no /usr/lib/postgresql/*/bin/initdb with postgis.control): "
            "apt-get install postgresql postgis"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is not available"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """``with PgServer() as server: psycopg2.connect(**server.params)``; ``start()``/``stop()`` work as well."""

    def __init__(self, database: str = "baimei"):
        self.database = database
        self.bin_dir = find_bin_dir()
        self.root: Optional[Path] = None
        self.port = 0
        self.start_seconds = 0.0

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def params(self) -> dict:
        """psycopg2.connect keyword arguments (Unix socket in the temporary directory)."""
        return {"host": str(self.root), "port": self.port, "user": "postgres", "dbname": self.database}

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd: List[str] = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> PgServer:
        reason = unavailable_reason()
        if reason:
            raise RuntimeError(reason)
        began = time.monotonic()
        self.root = Path(tempfile.mkdtemp(prefix="baimei-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.port = _free_port()
        try:
            self._run(
                "initdb",
                "-D",
                str(self.data_dir),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            )
            options = (
                f"-k {self.root} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            self._run(
                "pg_ctl",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.root / "server.log"),
                "-o",
                options,
                "-w",
                "-t",
                "30",
                "start",
            )
            self._run(
                "psql",
                "-h",
                str(self.root),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"CREATE DATABASE {self.database}",
            )
            self._run(
                "psql",
                "-h",
                str(self.root),
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                self.database,
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "CREATE EXTENSION postgis",
            )
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
