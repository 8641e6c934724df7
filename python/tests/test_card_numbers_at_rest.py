"""python/checks/card_numbers_at_rest.py: finds a data set's card numbers in files, and nothing else."""
import json

from checks import card_numbers_at_rest as scan

CARD = "4000123456789012"


def data_set(tmp_path):
    customers = tmp_path / "customers.jsonl"
    customers.write_text(json.dumps({"cc_num": CARD}) + "\n" + json.dumps({"cc_num": "4000000000000002"}) + "\n")
    return customers


def test_a_card_number_in_a_log_below_a_directory_is_found_and_shown_by_its_last_four(tmp_path, capsys):
    logs = tmp_path / "logs"
    (logs / "member").mkdir(parents=True)
    (logs / "member" / "hz-1.log").write_text(f"INFO scoring card {CARD} now\n")
    (logs / "kafka.log").write_text("nothing here\n")

    assert scan.main(["--customers", str(data_set(tmp_path)), str(logs)]) == 1

    out = capsys.readouterr().out
    assert "2 files" in out and "1 found" in out and f"card ...9012 in {logs / 'member' / 'hz-1.log'}" in out
    assert CARD not in out


def test_tokens_masks_timestamps_decimals_and_longer_runs_are_not_card_numbers(tmp_path):
    log = tmp_path / "hz-1.log"
    log.write_text(f"token test:abc 400012******9012 at 1796122910589 leaf 0.{CARD} id 9{CARD}\n")

    assert scan.main(["--customers", str(data_set(tmp_path)), str(log)]) == 0


def test_nothing_to_look_at_is_not_a_pass(tmp_path):
    assert scan.main(["--customers", str(data_set(tmp_path)), str(tmp_path / "empty")]) == 2
