"""The fault soak: every op sometimes fails in every way a workspace fails, while trees are
copied in and out. Whatever a command says it wrote is intact; every failure is reported.

CI runs a short form; the full one (300 files, 300 MiB) is
    DBFS_SOAK_FILES=300 DBFS_SOAK_MIB=300 python3 -m pytest -s tests/integration/test_mount_fault_soak.py
"""
import os
import random
import re
import subprocess

import pytest

MiB = 1 << 20

FAULTS = [
    "*:p=0.01:status=429",
    "*:p=0.01:status=429,retry-after=1",
    "*:p=0.01:status=503",
    "*:p=0.004:status=500",
    "*:p=0.01:reset",
    "*:p=0.01:html=502",
    "*:p=0.01:lost",
]


SOAK_FILES = int(os.environ.get("DBFS_SOAK_FILES", "40"))
SOAK_BYTES = int(os.environ.get("DBFS_SOAK_MIB", "24")) * MiB


def make_tree(root, files, total):
    rng = random.Random(2026)
    sizes = [rng.randrange(0, 2 * total // files) for _ in range(files)]
    tree = {}
    for i, size in enumerate(sizes):
        rel = f"d{i % 10}/f{i:03d}.bin"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        data = rng.randbytes(size)
        (root / rel).write_bytes(data)
        tree[rel] = data
    return tree


def reported(stderr, roots):
    """What a command's error output names: files, folders (which fail their files), or a whole
    tree ("*", when it names the root of the copy)."""
    named = set(re.findall(r"f\d{3}\.bin", stderr)) | set(re.findall(r"/(d\d)\b", stderr))
    for quoted in re.findall(r"['\"]([^'\"]+)['\"]", stderr):
        if os.path.normpath(quoted) in roots:
            named.add("*")
    return named


def check(tree, dst, result, other_root=None):
    """A command that succeeded left every file identical. One that failed (and said so) may
    have left files out, but never a file with wrong content that its errors do not name: no
    silent corruption, whatever failed."""
    roots = {os.path.normpath(str(p)) for p in (dst, other_root) if p is not None}
    named = reported(result.stderr, roots)
    if result.returncode == 0:
        assert not named, result.stderr
    else:
        assert named, f"failed without naming a file: {result.stderr}"
    intact = 0
    for rel, data in tree.items():
        path = dst / rel
        if path.exists() and path.read_bytes() == data:
            intact += 1
        elif path.exists():
            folder, name = rel.split("/")
            assert {name, folder, "*"} & named, f"{rel} corrupt silently"
        else:
            assert result.returncode != 0, f"{rel} lost silently"
    return intact


def run(*cmd):
    return subprocess.run(list(map(str, cmd)), capture_output=True, text=True, timeout=600)


@pytest.mark.concurrency
def test_copies_in_and_out_under_every_kind_of_fault(emulator, make_mount, tmp_path):
    src = tmp_path / "src"
    tree = make_tree(src, SOAK_FILES, SOAK_BYTES)
    m = make_mount(emulator, "-o", "retry_timeout=30,attr_ttl=5,dir_ttl=5")
    emulator.set_faults(FAULTS)

    cp_in = run("cp", "-r", src, m.path / "cp")
    emulator.set_faults([])
    intact_in = check(tree, emulator.root / "cp", cp_in, m.path / "cp")
    emulator.set_faults(FAULTS)
    cp_out = run("cp", "-r", m.path / "cp", tmp_path / "cp-out")
    rsync_in = run("rsync", "-a", f"{src}/", m.path / "rsync")
    emulator.set_faults([])
    check({rel: data for rel, data in tree.items() if (emulator.root / "cp" / rel).exists()
           and (emulator.root / "cp" / rel).read_bytes() == data}, tmp_path / "cp-out", cp_out,
          m.path / "cp")
    intact_rsync = check(tree, emulator.root / "rsync", rsync_in, m.path / "rsync")
    emulator.set_faults(FAULTS)
    rsync_out = run("rsync", "-a", f"{m.path / 'rsync'}/", tmp_path / "rsync-out")
    emulator.set_faults([])
    check({rel: data for rel, data in tree.items() if (emulator.root / "rsync" / rel).exists()
           and (emulator.root / "rsync" / rel).read_bytes() == data}, tmp_path / "rsync-out",
          rsync_out, m.path / "rsync")

    stats = emulator.stats()
    injected = sum(stats["statuses"].get(code, 0) for code in ("429", "500", "502", "503", "reset"))
    print(f"faults answered: {stats['statuses']}; intact after cp: {intact_in}/{len(tree)}, "
          f"after rsync: {intact_rsync}/{len(tree)}")
    # The soak really was faulty: about 5% of calls are meant to fail; far fewer would be a
    # broken fault switch, not bad luck.
    assert injected >= max(2, 0.01 * sum(stats["statuses"].values())), stats["statuses"]
    # Retries absorb nearly everything; an unretried 500 costs a file, a folder's files, or (rsync
    # stops at its first write error) the rest of a run: the soak only has to have copied.
    assert intact_in + intact_rsync > 0
    assert not list(emulator.root.rglob(".dbfs-fuse-upload.*"))
    assert m.process.poll() is None  # no crash
