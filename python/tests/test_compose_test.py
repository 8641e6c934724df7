"""python/checks/compose_test.py without Docker: what it reads from the repository, from the tools'
output (lines as docker-compose 1.29, docker, hz-cli and the project's own tools print them), and
how it decides that the stack is done, failed or still starting. scripts/compose-test.sh runs the
real thing."""
import re

import pytest

from checks import compose_test as ct
from checks.compose_test import Container, Failed

REPORT = """outcomes [####################] 100%    52,213/52,213 1,726,525/s  in 0.0s
  transactions in       52,213
  predictions out       52,213
  dead letters          0
    INTERNAL_ERROR           0 (none: no stage met an exception it did not foresee)
  accounted for         every input exactly once
  throughput            164 transactions/s (first Kafka append to last store)
"""


# ---- the repository -------------------------------------------------------------------------------

def test_should_read_the_stack_from_the_shipped_compose_file_and_env():
    stack = ct.Stack.read()

    assert stack.project == "fraud-detection"
    assert stack.member_image.startswith("fraud-detection-member:")
    assert stack.page_image.startswith("fraud-detection-page:")
    assert stack.members == ["hz-1", "hz-2", "hz-3"]
    assert stack.cluster_name == "fraud-detection"
    assert "management-center" not in stack.services
    assert {"kafka", "generate-data", "produce-transactions", "dashboard", *stack.members} <= set(stack.services)


def test_should_refuse_a_compose_file_without_management_center_to_leave_out(tmp_path):
    compose = tmp_path / "docker-compose.yml"
    compose.write_text(ct.COMPOSE_FILE.read_text().replace("management-center:", "other-center:"))

    with pytest.raises(Failed, match="no management-center service"):
        ct.Stack.read(compose, ct.ENV_FILE)


def test_should_read_the_project_name_from_an_env_file(tmp_path):
    text = "# a comment\nOTHER=1\nCOMPOSE_PROJECT_NAME=fraud-detection\n"

    assert ct.env_value(text, "COMPOSE_PROJECT_NAME", tmp_path / ".env") == "fraud-detection"
    with pytest.raises(Failed, match="no COMPOSE_PROJECT_NAME in"):
        ct.env_value("COMPOSE_PROJECT_NAME=\n", "COMPOSE_PROJECT_NAME", tmp_path / ".env")


def test_should_give_each_checkout_a_cache_of_its_own(tmp_path):
    one, other = ct.checkout_cache(tmp_path / "wt" / "periphery"), ct.checkout_cache(tmp_path / "main")

    assert one.parent == other.parent == ct.CACHE_PARENT
    assert one.name.startswith("periphery-") and one != other
    assert ct.checkout_cache(tmp_path / "wt" / "periphery") == one


def test_should_take_its_settings_from_the_environment(tmp_path):
    assert ct.Settings.from_environment({}, tmp_path) == ct.Settings(ct.checkout_cache(tmp_path), 900, False)
    given = {"COMPOSE_TEST_CACHE": "/c", "COMPOSE_TEST_TIMEOUT": "60", "COMPOSE_TEST": "skip"}
    assert ct.Settings.from_environment(given, tmp_path) == ct.Settings(ct.Path("/c"), 60, True)
    for env, problem in [({"COMPOSE_TEST": "maybe"}, "run or skip"), ({"COMPOSE_TEST_TIMEOUT": "0"}, "at least 1"),
                         ({"COMPOSE_TEST": "skip", "CI": "true"}, "refused in CI")]:
        with pytest.raises(ValueError, match=problem):
            ct.Settings.from_environment(env, tmp_path)


# ---- the tools' output ----------------------------------------------------------------------------

def test_should_read_the_standins_from_the_last_line_of_build_standins():
    line = ("MEMBER_BASE_IMAGE=fraud-detection-standin/debian:bookworm-slim "
            "KAFKA_IMAGE=fraud-detection-standin/kafka:4.4.0 POSTGRES_IMAGE=fraud-detection-standin/postgres:15")

    assert ct.standin_images(line) == {"MEMBER_BASE_IMAGE": "fraud-detection-standin/debian:bookworm-slim",
                                       "KAFKA_IMAGE": "fraud-detection-standin/kafka:4.4.0",
                                       "POSTGRES_IMAGE": "fraud-detection-standin/postgres:15"}
    with pytest.raises(Failed, match="named no images"):
        ct.standin_images("Built fraud-detection-standin/kafka:4.4.0 in 92 s, 356 MB")
    with pytest.raises(Failed, match="named no images"):
        ct.standin_images(line.replace(" POSTGRES_IMAGE=fraud-detection-standin/postgres:15", ""))


def test_should_find_dead_letters_for_missing_reference_data_only_when_counted():
    report = REPORT.replace("  dead letters          0\n", "  dead letters          3\n"
                            + "".join(f"    {reason:<25}{count:,}\n" for reason, count in
                                      [("UNKNOWN_CARD", 2), ("REFERENCE_DATA_UNAVAILABLE", 1), ("UNKNOWN_MERCHANT", 0)]))

    assert ct.dead_lettered_as(report, ct.MISSING_REFERENCE_DATA) == {"UNKNOWN_CARD": 2,
                                                                      "REFERENCE_DATA_UNAVAILABLE": 1}
    assert ct.dead_lettered_as(REPORT, ct.MISSING_REFERENCE_DATA) == {}


def test_should_read_the_time_to_the_first_prediction_and_a_row_count():
    assert ct.first_prediction_seconds("  first prediction      12.3 s after submit\n") == 12.3
    assert ct.first_prediction_seconds("no prediction within 600 s\n") is None
    assert ct.row_count("1000\n") == 1000
    assert ct.row_count("psql: error: connection refused\n") is None


def test_should_count_the_build_steps_taken_from_the_cache():
    log = ("Sending build context to Docker daemon  159.1MB\nStep 1/3 : ARG BASE_IMAGE=debian:bookworm-slim\n"
           "Step 2/3 : FROM ${BASE_IMAGE} AS build\n ---> Using cache\n ---> 1f2e3d\nStep 3/3 : COPY a b\n ---> 4c5d\n")

    assert ct.steps_from_cache(log) == (1, 3)


def test_should_keep_only_what_compose_up_created_and_its_warnings():
    log = ('Creating network "fraud-detection_default" with the default driver\n'
           'Creating volume "fraud-detection_kafka-data" with default driver\n'
           "Creating fraud-detection_kafka_1 ... \r\nCreating fraud-detection_kafka_1 ... \x1b[32mdone\x1b[0m\r\n"
           "WARNING: Found orphan containers\n")

    assert ct.compose_up_lines(log) == ['Creating network "fraud-detection_default" with the default driver',
                                        'Creating volume "fraud-detection_kafka-data" with default driver',
                                        "WARNING: Found orphan containers"]


def test_should_find_the_job_running_in_hz_cli_list_jobs():
    listed = ("ID                  STATUS             SUBMISSION TIME         NAME\n"
              "1067-8a8c-e2c0-0003 RUNNING            2026-12-06T21:07:32.166 fraud-detection\n"
              "1067-8a8c-e2c0-0004 RUNNING            2026-12-06T21:07:33.001 fraud-detection-supervisor\n")

    assert ct.job_listed_running(listed, "fraud-detection") == (
        "1067-8a8c-e2c0-0003 RUNNING 2026-12-06T21:07:32.166 fraud-detection")
    assert ct.job_listed_running(listed.replace("0003 RUNNING", "0003 FAILED "), "fraud-detection") is None


class _Listing:
    """ComposeTest's compose and clock for await_job_running: list-jobs answers in turn, 5 s apart."""

    def __init__(self, answers):
        self.answers, self.asked, self.now = list(answers), 0, 0.0
        self.stack = ct.Stack.read()

    def compose(self, *args, **_):
        assert args[-1] == "list-jobs", args
        self.asked += 1
        return type("Done", (), {"stdout": self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]})()


def _await_running(monkeypatch, answers):
    fake = _Listing(answers)
    monkeypatch.setattr(ct.time, "monotonic", lambda: fake.now)
    monkeypatch.setattr(ct.time, "sleep", lambda s: setattr(fake, "now", fake.now + s))
    return fake, (lambda: ct.ComposeTest.await_job_running(fake))


def test_should_wait_for_a_job_still_starting_and_give_up_only_after_the_timeout(monkeypatch):
    header = "ID                  STATUS             SUBMISSION TIME         NAME\n"
    starting = header + "1068-790a-28c1-0002 STARTING           2026-12-07T14:29:31.177 fraud-detection\n"
    running = starting.replace("STARTING", "RUNNING ")

    fake, wait = _await_running(monkeypatch, [starting, starting, running])
    assert wait() == "1068-790a-28c1-0002 RUNNING 2026-12-07T14:29:31.177 fraud-detection"
    assert fake.asked == 3

    fake, wait = _await_running(monkeypatch, [starting])
    with pytest.raises(Failed, match=f"not RUNNING after {ct.JOB_RUNNING_TIMEOUT_S} s"):
        wait()
    assert fake.asked == ct.JOB_RUNNING_TIMEOUT_S // 5 + 1


def test_should_find_the_python_init_line_and_a_fall_back_to_pip_in_a_member_log():
    log = ("hz-1_1  | 2026-12-06 21:07:40 FINE [c.h.j.python] "
           "Reusing prepared interpreter: /opt/fraud/venv/bin/python3\n"
           "hz-1_1  | 2026-12-06 21:07:41 INFO [c.h.j.python] ...\n")

    assert ct.python_init_line(log) == "Reusing prepared interpreter: /opt/fraud/venv/bin/python3"
    assert ct.python_init_line("hz-1_1  | nothing\n") is None
    assert not ct.fell_back_to_pip(log)
    assert ct.fell_back_to_pip(log + "hz-1_1  | grpc missing, installing as Hazelcast's stock script does\n")


def test_should_read_the_producers_last_summary():
    log = ("produce-transactions_1  | Sent 10,000 of 52,213 transactions to 'transactions' in 20.0 s (500/s)\n"
           "produce-transactions_1  | Sent 52,213 of 52,213 transactions to 'transactions' in 104.4 s (500/s)\n")

    assert ct.sent_by_producer(log) == (52_213, 52_213)
    assert ct.sent_by_producer("produce-transactions_1  | starting\n") is None


def test_should_read_the_predictions_and_the_accounting_of_a_verify_run_report():
    assert ct.predictions_out(REPORT) == 52_213
    assert ct.accounts_for_every_input(REPORT)
    assert not ct.accounts_for_every_input(REPORT.replace("every input exactly once", "3 inputs twice"))
    assert ct.predictions_out("no report") is None


def test_should_name_the_volume_a_container_has_mounted():
    inspected = {"Mounts": [{"Type": "bind", "Source": "/x", "Destination": "/etc/x"},
                            {"Type": "volume", "Name": "fraud-detection_kafka-data",
                             "Destination": "/var/lib/kafka/data"}]}

    assert ct.mount_of(inspected, "/var/lib/kafka/data") == "volume:fraud-detection_kafka-data"
    assert ct.mount_of(inspected, "/data") == ""


# ---- the stack's progress -------------------------------------------------------------------------

def inspected(status="running", health=None, exit_code=0, restart="unless-stopped"):
    state = {"Status": status, "ExitCode": exit_code, **({"Health": {"Status": health}} if health else {})}
    return {"State": state, "HostConfig": {"RestartPolicy": {"Name": restart}}}


def test_should_wait_for_the_long_running_to_be_healthy_and_the_one_shots_to_exit_zero():
    containers = [Container.of("hz-1", inspected(health="starting")),
                  Container.of("kafka", inspected(health="healthy")),
                  Container.of("generate-data", inspected(status="exited", restart="no")),
                  Container.of("produce-transactions", inspected(restart="no"))]

    assert ct.still_waiting_for(containers) == ["hz-1 (starting)", "produce-transactions (running)"]
    assert ct.still_waiting_for(containers[1:3]) == []


@pytest.mark.parametrize("container, problem", [
    (Container.of("load-reference-data", inspected(status="exited", exit_code=1, restart="no")),
     "one-shot service load-reference-data exited with code 1"),
    (Container.of("hz-2", inspected(status="exited", exit_code=137)), "service hz-2 is exited (exit code 137)"),
    (Container.of("dashboard", inspected(health="unhealthy")), "service dashboard is unhealthy"),
])
def test_should_fail_at_once_on_a_service_that_failed_naming_it(container, problem):
    with pytest.raises(Failed, match=re.escape(problem)) as failed:
        ct.still_waiting_for([Container.of("kafka", inspected(health="healthy")), container])

    assert failed.value.services == [container.service]


# ---- phases, processes and mounts -----------------------------------------------------------------

def test_should_time_each_phase_and_the_total(capsys):
    now = iter([0, 61_000, 61_000, 185_500]).__next__
    phases = ct.Phases(clock=now)

    phases.begin("build daemon")
    phases.begin("compose up")
    phases.end()

    assert phases.lines(185_500) == [f"  {'build daemon':<46} 1:01", f"  {'compose up':<46} 2:04",
                                     f"  {'total':<46} 3:05"]
    assert "== compose up" in capsys.readouterr().out


def test_should_find_the_mounts_a_daemon_left_under_its_directories():
    proc_mounts = ("overlay / overlay rw 0 0\n"
                   "nsfs /run/fraud-compose-test.abc/exec-run/netns/default nsfs rw 0 0\n"
                   "overlay /var/cache/fraud-detection-compose-test/p-1/docker/overlay2/x/merged overlay rw 0 0\n")

    assert ct.mounts_under(["/run/fraud-compose-test.abc/exec-run/"], proc_mounts) == [
        "/run/fraud-compose-test.abc/exec-run/netns/default"]
    assert ct.mounts_under(["/run/fraud-compose-test.xyz", "/var/cache/fraud-detection-compose-test/p-1/docker/"],
                           proc_mounts) == ["/var/cache/fraud-detection-compose-test/p-1/docker/overlay2/x/merged"]


def test_should_tell_a_running_process_from_an_exited_one():
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert ct.running(child.pid)
        assert [pid for pid, _ in ct.processes_naming("time.sleep(30)")] == [child.pid]
        ct.terminate(child.pid, 10)
        assert not ct.running(child.pid)  # a zombie until reaped: not running
    finally:
        child.kill()
        child.wait()
    assert not ct.running(child.pid)
