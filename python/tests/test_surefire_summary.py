"""python/checks/surefire_summary.py: the Java tests' totals and skips, from report files written
here in the shape surefire and failsafe write them."""
from pathlib import Path

from checks import surefire_summary

PASSED = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="org.example.stages.IngestTest" time="0.1" tests="3" errors="0" skipped="0" failures="0">
  <testcase name="shouldReadATransaction" classname="org.example.stages.IngestTest" time="0.01"/>
  <testcase name="shouldRefuseMalformedJson" classname="org.example.stages.IngestTest" time="0.01"/>
  <testcase name="shouldRefuseANegativeAmount" classname="org.example.stages.IngestTest" time="0.01"/>
</testsuite>
"""
SKIPPED = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="org.example.it.FraudPipelineContainerTest" time="0.0" tests="2" errors="0" skipped="2" failures="0">
  <testcase name="shouldScoreEveryTransaction" classname="org.example.it.FraudPipelineContainerTest" time="0">
    <skipped message="Docker is not available"/>
  </testcase>
  <testcase name="shouldRideOutABrokerRestart" classname="org.example.it.FraudPipelineContainerTest" time="0">
    <skipped message="Docker is not available"/>
  </testcase>
</testsuite>
"""
FAILED = """<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="org.example.JobJarIT" time="1.0" tests="2" errors="1" skipped="0" failures="1">
  <testcase name="a" classname="org.example.JobJarIT" time="0.5"><failure message="no"/></testcase>
  <testcase name="b" classname="org.example.JobJarIT" time="0.5"><error message="boom"/></testcase>
</testsuite>
"""


def module(root: Path, name: str, reports: dict[str, str]) -> None:
    (root / name).mkdir(parents=True, exist_ok=True)
    (root / name / "pom.xml").write_text("<project/>")
    for path, text in reports.items():
        (root / name / "target" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / name / "target" / path).write_text(text)


def test_should_total_every_modules_reports_and_name_each_skipped_class(tmp_path, capsys):
    module(tmp_path, "deploy-jobs", {"surefire-reports/TEST-org.example.stages.IngestTest.xml": PASSED})
    module(tmp_path, "scripts/tools", {"surefire-reports/TEST-org.example.it.FraudPipelineContainerTest.xml": SKIPPED})

    assert surefire_summary.main([str(tmp_path)]) == 0

    assert capsys.readouterr().out.splitlines() == [
        "Java tests: 5 run, 0 failed, 2 skipped",
        "  SKIPPED org.example.it.FraudPipelineContainerTest (2 tests): Docker is not available"]


def test_should_count_failures_and_errors_as_failed_and_fail(tmp_path, capsys):
    module(tmp_path, "deploy-jobs", {"surefire-reports/TEST-org.example.stages.IngestTest.xml": PASSED,
                                     "failsafe-reports/TEST-org.example.JobJarIT.xml": FAILED})

    assert surefire_summary.main([str(tmp_path)]) == 1

    assert capsys.readouterr().out.splitlines() == ["Java tests: 5 run, 2 failed, 0 skipped"]


def test_should_read_only_the_reports_of_maven_modules(tmp_path):
    module(tmp_path, "deploy-jobs", {"surefire-reports/TEST-org.example.stages.IngestTest.xml": PASSED})
    # A copy outside any module (no pom.xml beside it) and one under python/ are not this build's.
    for stray in ("old/target/surefire-reports/TEST-x.xml", "python/.venv/target/surefire-reports/TEST-y.xml"):
        (tmp_path / stray).parent.mkdir(parents=True)
        (tmp_path / stray).write_text(FAILED)

    assert [p.name for p in surefire_summary.reports(tmp_path)] == ["TEST-org.example.stages.IngestTest.xml"]


def test_should_fail_loudly_when_there_is_no_report_at_all(tmp_path, capsys):
    assert surefire_summary.main([str(tmp_path)]) == 1
    assert "no report" in capsys.readouterr().err


def test_should_read_one_class_report_for_the_compose_test(tmp_path):
    report = tmp_path / "TEST-org.example.it.FraudPipelineContainerTest.xml"
    report.write_text(SKIPPED)

    suite = surefire_summary.read_report(report)

    assert suite.name == "org.example.it.FraudPipelineContainerTest"
    assert (suite.tests, suite.failed, suite.skipped_count) == (2, 0, 2)
