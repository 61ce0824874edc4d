#!/usr/bin/env python3
"""Writes the JUnit XML report of one tests/fuzz/run: one testcase per fuzz target.

Reads what run left in WORK/<target>/ (log, rc, seconds, artifacts/), prints one line per target
(executions, coverage) and exits non-zero when a target found something. With --skip or --fail
every target gets that outcome instead (no toolchain; the build failed).
"""
import argparse
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

TAIL_LINES = 80  # of a crash's output: the report, the stack, the reproducer's path
# What a target's log says it found, most specific first (an invariant failure also aborts).
KINDS = [
    ("INVARIANT FAILED", "broken invariant"),
    ("ERROR: AddressSanitizer", "memory error"),
    ("runtime error:", "undefined behaviour"),
    ("ERROR: LeakSanitizer", "leak"),
    ("ERROR: libFuzzer: timeout", "timeout"),
    ("ERROR: libFuzzer: out-of-memory", "out of memory"),
    ("terminate called", "uncaught exception"),
    ("ERROR: libFuzzer: deadly signal", "crash"),
]


def xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold (a crash log may quote any byte) as \\xNN."""
    return re.sub(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]",
                  lambda m: f"\\x{ord(m.group()):02x}", text)


def stats(log: str) -> dict:
    found = {}
    m = re.search(r"stat::number_of_executed_units: (\d+)", log)
    if m:
        found["executions"] = int(m.group(1))
    progress = re.findall(r"cov: (\d+) ft: (\d+)", log)
    if progress:
        found["cov"], found["ft"] = map(int, progress[-1])
    return found


def target_case(suite: ET.Element, work: pathlib.Path, target: str, args) -> bool:
    case = ET.SubElement(suite, "testcase", classname="fuzz", name=target)
    if args.skip is not None:
        ET.SubElement(case, "skipped", message=args.skip)
        print(f"{target}: skipped ({args.skip})")
        return True
    if args.fail is not None:
        ET.SubElement(case, "failure", message=args.fail).text = xml_text(args.detail or "")
        print(f"{target}: FAILED ({args.fail})")
        return False
    folder = work / target
    log = (folder / "log").read_text(errors="replace") if (folder / "log").exists() else ""
    rc = (folder / "rc").read_text().strip() if (folder / "rc").exists() else "missing"
    seconds = (folder / "seconds").read_text().strip() if (folder / "seconds").exists() else "0"
    case.set("time", seconds)
    s = stats(log)
    summary = (f"{s.get('executions', 0)} executions, cov {s.get('cov', '?')}, "
               f"ft {s.get('ft', '?')}, {seconds} s")
    ET.SubElement(case, "system-out").text = summary
    artifacts = sorted(p for p in (folder / "artifacts").glob("*") if p.is_file())
    ok = rc == "0" and "executions" in s and not artifacts
    if ok:
        print(f"{target}: {summary}")
        return True
    kind = next((name for pattern, name in KINDS if pattern in log), f"exit {rc}")
    tail = "\n".join(log.splitlines()[-TAIL_LINES:])
    inputs = "\n".join(f"reproducer: {p}" for p in artifacts)
    failure = ET.SubElement(case, "failure", message=f"{target} found a problem ({kind})")
    failure.text = xml_text(f"{inputs}\n{tail}")
    print(f"{target}: FAILED ({kind}) after {summary}")
    for p in artifacts:
        print(f"  reproducer: {p}")
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("work")
    parser.add_argument("targets", nargs="+")
    parser.add_argument("--skip", help="every target skipped, for this reason")
    parser.add_argument("--fail", help="every target failed, for this reason")
    parser.add_argument("--detail", help="text of the failure (a build log's tail)")
    args = parser.parse_args()
    suite = ET.Element("testsuite", name="fuzz")
    results = [target_case(suite, pathlib.Path(args.work), t, args) for t in args.targets]
    suite.set("tests", str(len(results)))
    suite.set("failures", str(results.count(False)))
    if args.skip is not None:
        suite.set("skipped", str(len(results)))
    report = pathlib.Path(args.report)
    report.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(report, encoding="utf-8", xml_declaration=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
