"""dbfs-fuse mounted by mount(8): `mount -t fuse.dbfs-fuse` and an fstab line, via mount.fuse3.

mount.fuse3 starts the program named by the type through /bin/sh, and mount(8) drops PATH from
the helper's environment, so the shell looks in its default PATH, which starts with
/usr/local/sbin. Each test therefore runs in a private mount namespace (unshare) where a scratch
folder holding a dbfs-fuse symlink to the built binary is bind-mounted over /usr/local/sbin:
nothing is installed on the machine, and every mount made there stays invisible outside.

The daemon mount.fuse3 starts runs in the background. The script unmounts on exit; after it, the
test kills any dbfs-fuse still serving the mount point, which also frees the namespace's mounts.
"""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from mount import force_unmount, fuse_binary  # noqa: E402

SCRIPT_TIMEOUT_S = 60

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="mount(8) of a FUSE type needs root"),
    pytest.mark.skipif(shutil.which("mount.fuse3") is None, reason="fuse3 is not installed"),
]

# Runs inside the namespace; $MNT is unmounted whatever happens to the test's own commands.
PRELUDE = """
set -euo pipefail
trap 'umount "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null || true' EXIT
mount --bind "$HELPERS" /usr/local/sbin
"""


def daemons_serving(mountpoint: pathlib.Path) -> list[int]:
    """Pids of dbfs-fuse processes whose command line names `mountpoint`."""
    pids = []
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"dbfs-fuse") and str(mountpoint).encode() in args:
            pids.append(int(entry.name))
    return pids


def kill_daemons(mountpoint: pathlib.Path) -> None:
    for sig, wait_s in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        pids = daemons_serving(mountpoint)
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while daemons_serving(mountpoint) and time.monotonic() < deadline:
            time.sleep(0.1)


class Layout:
    """A scratch layout: helpers folder, mount point, cache, config file whose
    profile `profile` points at the emulator."""

    def __init__(self, tmp_path: pathlib.Path, emulator, profile: str):
        self.tmp = tmp_path
        self.helpers = tmp_path / "helpers"
        self.helpers.mkdir()
        (self.helpers / "dbfs-fuse").symlink_to(fuse_binary())
        self.mnt = tmp_path / "mnt"
        self.mnt.mkdir()
        self.cache = tmp_path / "cache"
        self.config = tmp_path / "databrickscfg"
        # A decoy DEFAULT profile with a wrong token: mounting works only if `profile` is read.
        self.config.write_text(f"[DEFAULT]\nhost = {emulator.url}\ntoken = wrong\n\n"
                               f"[{profile}]\nhost = {emulator.url}\ntoken = {emulator.token}\n")
        self.config.chmod(0o600)
        self.profile = profile
        self.stdout = tmp_path / "script.out"
        self.stderr = tmp_path / "script.err"

    def options(self, *extra: str) -> str:
        return ",".join([*extra, f"profile={self.profile}", f"config_file={self.config}",
                         f"cache_dir={self.cache}"])

    def run(self, body: str) -> subprocess.CompletedProcess:
        """Runs `body` (bash) in a private mount namespace; output goes to files, not pipes, so
        a daemon that kept them open could not hang the test."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATABRICKS_")}
        env.update(MNT=str(self.mnt), HELPERS=str(self.helpers), HOME=str(self.tmp))
        with open(self.stdout, "w") as out, open(self.stderr, "w") as err:
            code = subprocess.run(
                ["unshare", "--mount", "--propagation", "private", "bash", "-c", PRELUDE + body],
                env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                timeout=SCRIPT_TIMEOUT_S).returncode
        return subprocess.CompletedProcess([], code, self.stdout.read_text(),
                                           self.stderr.read_text())

    def cleanup(self) -> None:
        kill_daemons(self.mnt)
        force_unmount(self.mnt)


@pytest.fixture
def layout(tmp_path, emulator):
    assert fuse_binary().exists(), f"build dbfs-fuse first: {fuse_binary()}"
    (emulator.root / "dir").mkdir(parents=True)
    (emulator.root / "dir" / "data.bin").write_bytes(os.urandom(300_000))
    s = Layout(tmp_path, emulator, "ci-profile")
    try:
        yield s
    finally:
        s.cleanup()


# Mounts with the given command, copies a file out of the mount, records the daemon's command
# line, unmounts, then waits (bounded) for the daemon to end.
READ_AND_UNMOUNT = """
cp "$MNT/dir/data.bin" "$OUT/copy.bin"
for pid in $(pgrep -x dbfs-fuse); do tr '\\0' ' ' < /proc/$pid/cmdline; echo; done > "$OUT/argv"
umount "$MNT"
for _ in $(seq 100); do pgrep -x dbfs-fuse -a | grep -qF " $MNT " || exit 0; sleep 0.1; done
echo "dbfs-fuse still running after umount" >&2
exit 1
"""


def check_read_through_mount(s: Layout, emulator, result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stdout + result.stderr
    assert (s.tmp / "copy.bin").read_bytes() == (emulator.root / "dir" / "data.bin").read_bytes()
    argv = (s.tmp / "argv").read_text()
    assert str(s.mnt) in argv and emulator.token not in argv
    assert daemons_serving(s.mnt) == []


def test_mount_t_fuse_dbfs_fuse_with_profile(layout, emulator):
    result = layout.run(f'OUT="{layout.tmp}"\n'
                        f'mount -t fuse.dbfs-fuse dbfs:/ "$MNT" -o {layout.options()}\n'
                        + READ_AND_UNMOUNT)
    check_read_through_mount(layout, emulator, result)


def test_fstab_line(layout, emulator):
    fstab = layout.tmp / "fstab"
    options = layout.options("_netdev", "nofail", "x-systemd.automount", "allow_other")
    fstab.write_text(f"# a test fstab\ndbfs:/  {layout.mnt}  fuse.dbfs-fuse  {options}  0 0\n")
    result = layout.run(f'OUT="{layout.tmp}"\n'
                        f'mount --fstab "{fstab}" "$MNT"\n'
                        'grep -F " $MNT " /proc/self/mountinfo | grep -q "fuse.dbfs-fuse dbfs:/"\n'
                        + READ_AND_UNMOUNT)
    check_read_through_mount(layout, emulator, result)


def test_unknown_option_fails_clearly(layout):
    result = layout.run('if mount -t fuse.dbfs-fuse dbfs:/ "$MNT" '
                        f'-o {layout.options("no_such_option=1")}; then exit 10; fi\n'
                        'if grep -qF " $MNT " /proc/self/mountinfo; then exit 11; fi\n')
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dbfs-fuse: unknown option 'no_such_option'" in result.stderr
    assert daemons_serving(layout.mnt) == []
