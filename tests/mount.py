"""Mounts dbfs-fuse for the Python tests, and always takes the mount down again.

    with FuseMount(emulator, tmp_path / "mnt") as m:
        (m.path / "file").write_bytes(b"data")

Teardown never hangs: fusermount3 -u, then SIGTERM/SIGKILL of the daemon, then an abort of the
FUSE connection and a lazy unmount, each bounded in time.
"""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import threading
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
MOUNT_TIMEOUT_S = 15


def fuse_binary() -> pathlib.Path:
    build = pathlib.Path(os.environ.get("DBFS_BUILD_DIR", REPO / "build"))
    return build / "src" / "fuse" / "dbfs-fuse"


def mount_entry(mountpoint: pathlib.Path) -> list[str] | None:
    """The /proc/self/mountinfo fields of the mount at `mountpoint`, read without touching it."""
    target = str(mountpoint)
    with open("/proc/self/mountinfo") as f:
        for line in f:
            fields = line.split()
            if fields[4].replace("\\040", " ") == target:
                return fields
    return None


def abort_connection(mountpoint: pathlib.Path) -> None:
    """Aborts the FUSE connection of a mount, failing every request stuck in it."""
    entry = mount_entry(mountpoint)
    if not entry:
        return
    minor = entry[2].split(":")[1]
    try:
        with open(f"/sys/fs/fuse/connections/{minor}/abort", "w") as f:
            f.write("1")
    except OSError:
        pass


def force_unmount(mountpoint: pathlib.Path) -> None:
    if mount_entry(mountpoint) is None:
        return
    subprocess.run(["fusermount3", "-u", str(mountpoint)], capture_output=True, timeout=10)
    if mount_entry(mountpoint) is not None:
        abort_connection(mountpoint)
        subprocess.run(["fusermount3", "-uz", str(mountpoint)], capture_output=True, timeout=10)
    if mount_entry(mountpoint) is not None:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=10)


class FuseMount:
    """dbfs-fuse in the foreground (-f) against an emulator; `args` are extra command-line
    arguments (e.g. "-o", "ro")."""

    def __init__(self, emulator, mountpoint: pathlib.Path, *args: str, source: str = "dbfs:/",
                 env: dict[str, str] | None = None, cache_dir: pathlib.Path | None = None):
        self.emulator = emulator
        self.path = pathlib.Path(mountpoint)
        self.args = args
        self.source = source
        self.extra_env = env or {}
        self.cache_dir = cache_dir or self.path.parent / (self.path.name + "-cache")
        self.process: subprocess.Popen | None = None
        self._log: list[str] = []

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
        env["DATABRICKS_HOST"] = self.emulator.url
        if self.emulator.token:
            env["DATABRICKS_TOKEN"] = self.emulator.token
        # Keep the tester's own ~/.databrickscfg out of it.
        home = self.path.parent / (self.path.name + "-home")
        home.mkdir(exist_ok=True)
        env["HOME"] = str(home)
        env.update(self.extra_env)
        return env

    def command(self) -> list[str]:
        return [str(fuse_binary()), "-f", self.source, str(self.path),
                "-o", f"cache_dir={self.cache_dir}", *self.args]

    def start(self) -> "FuseMount":
        self.path.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(self.command(), env=self.environment(),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, errors="replace")
        threading.Thread(target=self._collect, args=(self.process,), daemon=True).start()
        deadline = time.monotonic() + MOUNT_TIMEOUT_S
        while time.monotonic() < deadline:
            if mount_entry(self.path) is not None:
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"dbfs-fuse did not mount {self.path}:\n{self.log()}")

    def _collect(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            self._log.append(line)

    def log(self) -> str:
        return "".join(self._log)

    def stop(self) -> int | None:
        """Unmounts and reaps the daemon, whatever state it is in; returns its exit code."""
        process, self.process = self.process, None
        try:
            if mount_entry(self.path) is not None:
                subprocess.run(["fusermount3", "-u", str(self.path)], capture_output=True,
                               timeout=30)
        except subprocess.TimeoutExpired:
            pass
        if process is not None:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)
        force_unmount(self.path)
        return None if process is None else process.returncode

    def __enter__(self) -> "FuseMount":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
