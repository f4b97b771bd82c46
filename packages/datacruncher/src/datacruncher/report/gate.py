"""The CI gate and its JUnit rendering.

Exit codes: 0 ok · 1 gate triggered · 2 usage or input error · 3 a check could not run (error) and the gate did not
trigger. ``--fail-on high`` triggers on any high *or critical* issue.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from datagen_contracts.report import SEVERITIES, CrunchReport, Gate

EXIT_OK, EXIT_GATE, EXIT_USAGE, EXIT_CHECK_ERROR = 0, 1, 2, 3


def evaluate_gate(report: CrunchReport, fail_on: str | None) -> Gate:
    if fail_on is None:
        return Gate()
    if fail_on not in SEVERITIES:
        raise ValueError(f"unknown severity {fail_on!r}")
    levels = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    hits = {lvl: getattr(report.summary, lvl) for lvl in levels if getattr(report.summary, lvl)}
    if not hits:
        return Gate(fail_on=fail_on, triggered=False, reason=f"no issue at or above {fail_on}")
    listed = ", ".join(f"{n} {lvl}" for lvl, n in hits.items())
    return Gate(fail_on=fail_on, triggered=True, reason=f"{listed} (fail on {fail_on} or worse)")


def exit_code(report: CrunchReport) -> int:
    if report.gate.triggered:
        return EXIT_GATE
    if report.checks.errored:
        return EXIT_CHECK_ERROR
    return EXIT_OK


def junit_xml(report: CrunchReport) -> bytes:
    """One testcase per check run; failed checks carry their issue, errored ones an <error>, skipped a <skipped>."""
    issues = {(i.rule_id, i.persona, i.table, i.column): i for i in report.issues}
    suite = ET.Element(
        "testsuite",
        name="datacruncher",
        tests=str(len(report.checks.results)),
        failures=str(report.checks.failed),
        errors=str(report.checks.errored),
        skipped=str(report.checks.skipped),
    )
    for r in report.checks.results:
        target = ".".join(x for x in (r.table, r.column) if x) or "dataset"
        case = ET.SubElement(
            suite, "testcase", classname=f"{r.persona}.{r.rule_id}", name=target,
            time=f"{(r.duration_ms or 0) / 1000:.3f}",
        )
        if r.status == "failed":
            issue = issues.get((r.rule_id, r.persona, r.table, r.column))
            msg = issue.finding if issue else r.reason or "failed"
            el = ET.SubElement(case, "failure", message=msg, type=issue.severity if issue else "failure")
            el.text = issue.sql if issue and issue.sql else msg
        elif r.status == "error":
            ET.SubElement(case, "error", message=r.reason or "error")
        elif r.status == "skipped":
            ET.SubElement(case, "skipped", message=r.reason or "skipped")
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
