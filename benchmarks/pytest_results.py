"""Counts and failing test names of a pytest run, read from its JUnit XML and written as JSON."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET


def summarise(xml_path: str) -> dict:
    cases = list(ET.parse(xml_path).getroot().iter("testcase"))
    outcome = {}
    for case in cases:
        name = f"{case.get('classname')}::{case.get('name')}"
        kinds = {child.tag for child in case}
        outcome[name] = ("failed" if kinds & {"failure", "error"} else "skipped" if "skipped" in kinds else "passed")
    counts = {kind: sum(1 for o in outcome.values() if o == kind) for kind in ("passed", "failed", "skipped")}
    return {**counts, "failures": sorted(n for n, o in outcome.items() if o == "failed"),
            "skipped_tests": sorted(n for n, o in outcome.items() if o == "skipped")}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        print("usage: python -m benchmarks.pytest_results JUNIT_XML DEVICE OUT_JSON", file=sys.stderr)
        return 2
    xml_path, device, out = argv
    with open(out, "w") as f:
        json.dump({"device": device, **summarise(xml_path)}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
