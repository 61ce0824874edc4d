#!/usr/bin/env python3
"""Adds up the JUnit XML reports of one test run and prints 'tests: N passed, N failed'.

Exits non-zero when a test failed, or when no test ran at all (an empty run is not a pass).
Each sanitizer report in <folder>/sanitizers counts as a failure too: the mount tests fail the
test during which one was written, but a report written outside any test (a daemon's leak report
at the end of a module) must not pass unseen.
"""
import pathlib
import sys
import xml.etree.ElementTree as ET


def count(report: pathlib.Path) -> tuple[int, int, int]:
    passed = failed = skipped = 0
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main() -> int:
    folder = pathlib.Path(sys.argv[1])
    passed = failed = skipped = 0
    for report in sorted(folder.glob("*.xml")):
        try:
            p, f, s = count(report)
        except ET.ParseError as e:  # a runner that crashed mid-report counts as a failure
            print(f"summarize: {report.name}: unreadable report ({e})")
            p, f, s = 0, 1, 0
        passed, failed, skipped = passed + p, failed + f, skipped + s
    reports = sorted((folder / "sanitizers").glob("*"))
    for report in reports:
        text = report.read_text(errors="replace")
        print(f"summarize: sanitizer report {report}:\n" + "\n".join(text.splitlines()[:40]))
    failed += len(reports)
    for runner in sys.argv[2:]:
        name, _, rc = runner.partition("=")
        # pytest exits 5 when it collected nothing; that is judged by the count, not as a failure.
        if rc not in ("0", "5") and failed == 0:
            print(f"summarize: {name} exited {rc} without a failing test in its report")
            failed += 1
    line = f"tests: {passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
