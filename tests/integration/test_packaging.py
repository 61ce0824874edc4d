"""The Debian package: built with packaging/build-deb (dpkg-buildpackage -b), unpacked with
dpkg -x into a scratch root (the machine is left alone), and its programs and man pages used
from there.

Building the package compiles the project once more (-Dtests=false, two jobs); that is most of
this module's time, so the .deb is built once for the module.
"""
import gzip
import os
import pathlib
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from mount import REPO  # noqa: E402

BUILD_TIMEOUT_S = 1500
RUN_TIMEOUT_S = 30

pytestmark = [
    pytest.mark.skipif(shutil.which("dpkg-buildpackage") is None or shutil.which("dh") is None,
                       reason="dpkg-dev and debhelper are not installed (packaging/install-deps)"),
    pytest.mark.timeout(BUILD_TIMEOUT_S + 120),
]


@pytest.fixture(scope="module")
def deb(tmp_path_factory) -> pathlib.Path:
    """$DBFS_DEB if set (a .deb built earlier, to check it without building again), else a
    fresh build."""
    if os.environ.get("DBFS_DEB"):
        return pathlib.Path(os.environ["DBFS_DEB"])
    out = tmp_path_factory.mktemp("deb")
    started = time.monotonic()
    log = out / "build.log"
    with open(log, "w") as f:
        code = subprocess.run([str(REPO / "packaging" / "build-deb"), str(out)],
                              stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT,
                              timeout=BUILD_TIMEOUT_S, start_new_session=True).returncode
    assert code == 0, "packaging/build-deb failed:\n" + log.read_text()[-6000:]
    print(f"\n.deb built in {time.monotonic() - started:.0f} s")
    debs = sorted(out.glob("dbfs-fuse_*.deb"))
    assert len(debs) == 1, [p.name for p in out.iterdir()]
    return debs[0]


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory) -> pathlib.Path:
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, timeout=RUN_TIMEOUT_S)
    return root


def run(*argv, **kwargs) -> subprocess.CompletedProcess:
    if "input" not in kwargs:
        kwargs["stdin"] = subprocess.DEVNULL
    return subprocess.run(list(map(str, argv)), capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, **kwargs)


def rendered(page: pathlib.Path) -> str:
    """The man page as text, hyphens as '-'. Prefers man -l, as a user would see it."""
    with gzip.open(page) as f:  # a corrupt .gz fails here
        source = f.read().decode()
    assert source.startswith(".\\\"") or source.startswith(".TH"), page
    if shutil.which("groff"):
        result = run("groff", "-man", "-Tutf8", "-ww", "-P-cbou", input=source)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        text = result.stdout
        if shutil.which("man"):
            shown = run("man", "-l", page, env={**os.environ, "MANPAGER": "cat", "PAGER": "cat"})
            assert shown.returncode == 0 and "NAME" in shown.stdout, shown.stderr
    else:
        text = source.replace("\\-", "-")
    return text.replace("\u2010", "-").replace("\u2212", "-")


def test_package_metadata(deb):
    fields = run("dpkg-deb", "-f", deb, "Package", "Architecture", "Depends").stdout
    assert "Package: dbfs-fuse" in fields
    assert re.search(r"Depends:.*\bfuse3\b", fields), fields


def test_installed_programs_run(root):
    fuse = root / "usr" / "bin" / "dbfs-fuse"
    emulator = root / "usr" / "bin" / "dbfs-emulator"
    assert fuse.is_file(), "dbfs-fuse is not in /usr/bin: " + " ".join(
        str(p.relative_to(root)) for p in root.rglob("dbfs-fuse") if p.is_file())
    version = run(fuse, "--version")
    assert version.returncode == 0 and version.stdout.startswith("dbfs-fuse "), version
    project_version = re.search(r"version\s*:\s*'([^']+)'", (REPO / "meson.build").read_text())
    assert project_version.group(1) in version.stdout
    usage = run(emulator, "--help")
    assert usage.returncode == 0 and "dbfs-emulator --root DIR" in usage.stdout, usage


def test_man_pages_render_and_cover_every_option(root):
    fuse_page = rendered(root / "usr/share/man/man8/dbfs-fuse.8.gz")
    emulator_page = rendered(root / "usr/share/man/man1/dbfs-emulator.1.gz")
    assert "DBFS-FUSE(8)" in fuse_page and "DBFS-EMULATOR(1)" in emulator_page

    fuse_help = run(root / "usr/bin/dbfs-fuse", "--help").stdout
    # --name is -o name spelt with '-' for '_' (the page says so once); flags with no -o form,
    # such as --foreground, must appear themselves.
    o_names = set(re.findall(r"-o (\w+)", fuse_help))
    flags = {f for f in re.findall(r"(?<![\w-])--[a-z][\w-]*", fuse_help)
             if f[2:].replace("-", "_") not in o_names}
    fuse_options = o_names | flags
    emulator_help = run(root / "usr/bin/dbfs-emulator", "--help").stdout
    emulator_options = set(re.findall(r"(?<![\w-])--[a-z][\w-]*", emulator_help))
    assert len(fuse_options) > 20 and len(emulator_options) > 15
    for page, options in ((fuse_page, fuse_options), (emulator_page, emulator_options)):
        missing = sorted(o for o in options
                         if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", page))
        assert not missing, f"options of --help missing from the man page: {missing}"


def test_docs_and_systemd_examples(root):
    doc = root / "usr/share/doc/dbfs-fuse"
    for name in ("mnt-dbfs.mount", "mnt-dbfs.automount", "dbfs-fuse-mnt-dbfs.service",
                 "README.md"):
        installed = doc / "examples" / name
        assert installed.read_bytes() == (REPO / "systemd" / name).read_bytes(), name
    assert (doc / "copyright").is_file()
    assert (doc / "README.md").is_file() or (doc / "README.md.gz").is_file()
