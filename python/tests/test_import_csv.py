"""import_transactions_csv.py on small Kaggle-schema files that the tests write: valid rows become a
data set of docs/DATA.md, every kind of bad row is skipped with its file, line and reason, and
rows the model cannot score are kept and counted."""
import csv
import json

import pytest

import import_transactions_csv as importer
import scoring_requests
from builders import at
from kaggle_csv import COLUMNS, a_row, write_csv


def imported(tmp_path, rows, *flags, **csv_options):
    """The data set of one CSV of these rows: (manifest, customers, merchants, transactions, labels, skipped)."""
    source = write_csv(tmp_path / "history.csv", rows, **csv_options)
    out = tmp_path / "data"
    importer.main([str(source), "--out", str(out), *flags])
    return read_data_set(out)


def read_data_set(out):
    def jsonl(name):
        return [json.loads(line) for line in (out / name).read_text(encoding="utf-8").splitlines()]

    def table(name):
        with open(out / name, newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))

    return (json.loads((out / "manifest.json").read_text()), jsonl("customers.jsonl"), jsonl("merchants.jsonl"),
            jsonl("transactions.jsonl"), table("labels.csv"), table("skipped-rows.csv"))


def test_should_write_a_row_as_the_transaction_card_holder_merchant_and_label_of_the_data_format(tmp_path):
    manifest, [customer], [merchant], [transaction], [label], skipped = imported(tmp_path, [a_row(is_fraud="1")])

    code = importer.merchant_code("fraud_Example, Sample and Sons", "shopping_net")
    assert transaction == {"transaction_id": "5f0c2d9e8a7b4c3d2e1f0a9b8c7d6e5f", "cc_num": "4512000012345678",
                           "merchant_code": code, "amount": 129.95,
                           "event_time_ms": at("2020-03-14T21:07:55"), "latitude": 41.512345, "longitude": -74.012345}
    assert customer == {"cc_num": "4512000012345678", "first_name": "Ada", "last_name": "Quill", "gender": "F",
                        "date_of_birth": "1985-07-02", "job": "Surveyor, land", "street": "12 Orchard Lane",
                        "city": "Millbrook", "state": "NY", "zip": "02134", "latitude": 41.7851,
                        "longitude": -73.6943, "city_population": 1452, "setting": "rural"}
    assert merchant == {"merchant_code": code, "name": "fraud_Example, Sample and Sons", "category": "shopping_net",
                        "latitude": 41.512345, "longitude": -74.012345}
    assert label == {"transaction_id": transaction["transaction_id"], "is_fraud": "1", "pattern": ""}
    assert skipped == []
    assert manifest["counts"]["fraud_cards"] == 1 and manifest["fraud_rate"] == 1.0


def test_should_produce_a_data_set_that_training_reads_and_turns_into_scoring_requests(tmp_path):
    rows = [a_row(trans_num=f"t{i}", trans_date_trans_time=f"2020-03-14 2{i}:00:00") for i in range(3)]
    imported(tmp_path, rows)

    data = scoring_requests.DataSet(tmp_path / "data")
    requests = list(scoring_requests.scoring_requests(data))

    assert [r["features"]["txn_count_24h"] for r in requests] == [1, 2, 3]
    assert requests[2]["features"]["amount_sum_24h"] == pytest.approx(3 * 129.95)
    assert {r["category"] for r in requests} == {"shopping_net"}


def test_should_keep_card_numbers_and_ids_as_strings_with_every_digit(tmp_path):
    _, [customer], _, [transaction], _, _ = imported(tmp_path, [a_row(cc_num="0060416207185", trans_num="007")])

    assert transaction["cc_num"] == customer["cc_num"] == "0060416207185"
    assert transaction["transaction_id"] == "007"


@pytest.mark.parametrize("population, setting", [("49999", "rural"), ("50000", "urban"), ("1263321", "urban")])
def test_should_call_a_city_urban_from_the_population_threshold(tmp_path, population, setting):
    _, [customer], *_ = imported(tmp_path, [a_row(city_pop=population)])

    assert customer["setting"] == setting


def test_should_take_the_urban_threshold_from_its_option(tmp_path):
    _, [customer], *_ = imported(tmp_path, [a_row(city_pop="1452")], "--urban-min-population", "1000")

    assert customer["setting"] == "urban"


def test_should_take_event_times_from_the_wall_clock_column_and_report_how_unix_time_differs(tmp_path):
    shifted = a_row(trans_date_trans_time="2019-01-01 00:00:18", unix_time=str(at("2012-01-01T00:00:18") // 1000))

    manifest, _, _, [transaction], _, _ = imported(tmp_path, [shifted])

    assert transaction["event_time_ms"] == at("2019-01-01T00:00:18")
    assert manifest["source"]["unix_time"]["most_common_offset_days"] == 2557
    assert manifest["source"]["unix_time"]["share_with_it"] == 1.0


def test_should_give_each_merchant_name_and_category_one_code_at_the_median_of_its_positions(tmp_path):
    rows = [a_row(trans_num="a", merch_lat="10.0", merch_long="20.0"),
            a_row(trans_num="b", merch_lat="12.0", merch_long="21.0"),
            a_row(trans_num="c", merch_lat="30.0", merch_long="22.0"),
            a_row(trans_num="d", category="shopping_pos")]

    _, _, merchants, transactions, _, _ = imported(tmp_path, rows)

    assert len({t["merchant_code"] for t in transactions}) == 2
    online = next(m for m in merchants if m["category"] == "shopping_net")
    assert (online["latitude"], online["longitude"]) == (12.0, 21.0)
    # The same name and category give the same code in any other import of the same history.
    assert online["merchant_code"] == importer.merchant_code("fraud_Example, Sample and Sons", "shopping_net")


def test_should_write_transactions_in_event_time_order_whatever_the_file_order(tmp_path):
    rows = [a_row(trans_num="late", trans_date_trans_time="2020-03-15 08:00:00"),
            a_row(trans_num="early", trans_date_trans_time="2020-03-14 08:00:00"),
            a_row(trans_num="twin", trans_date_trans_time="2020-03-15 08:00:00")]

    _, _, _, transactions, labels, _ = imported(tmp_path, rows)

    assert [t["transaction_id"] for t in transactions] == ["early", "late", "twin"]
    assert [row["transaction_id"] for row in labels] == ["early", "late", "twin"]


@pytest.mark.parametrize("header", [[], ["Unnamed: 0"]])
def test_should_read_the_file_with_or_without_its_index_column(tmp_path, header):
    path = tmp_path / "history.csv"
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header + COLUMNS + ["merch_zipcode"])
        writer.writerow(["0"] * len(header) + [a_row()[c] for c in COLUMNS] + ["12345"])

    importer.main([str(path), "--out", str(tmp_path / "data")])

    manifest, *_, transactions, _, _ = read_data_set(tmp_path / "data")
    assert len(transactions) == 1
    assert manifest["source"]["files"][0]["ignored_columns"] == header + ["merch_zipcode"]


BAD_ROWS = [
    ({"trans_date_trans_time": "14/03/2020 21:07"}, "trans_date_trans_time '14/03/2020 21:07' is not YYYY-MM-DD HH:MM:SS"),
    ({"trans_date_trans_time": "2020-02-30 10:00:00"}, "trans_date_trans_time '2020-02-30 10:00:00' is not"),
    ({"cc_num": ""}, "cc_num is empty"),
    ({"cc_num": "4.512E+15"}, "cc_num '4.512E+15' is in scientific notation"),
    ({"cc_num": "4512-0000"}, "cc_num '4512-0000' is not a card number"),
    ({"merchant": " "}, "merchant is empty"),
    ({"category": ""}, "category is empty"),
    ({"gender": ""}, "gender is empty"),
    ({"trans_num": ""}, "trans_num is empty"),
    ({"amt": "12,50"}, "amt '12,50' is not an amount with at most 2 decimals"),
    ({"amt": "12.505"}, "amt '12.505' is not an amount with at most 2 decimals"),
    ({"amt": "-3.00"}, "amt '-3.00' is not an amount"),
    ({"amt": "0.00"}, "amt '0.00' is not positive"),
    ({"amt": "nan"}, "amt 'nan' is not an amount"),
    ({"lat": "north"}, "lat 'north' is not a number"),
    ({"long": "-200"}, "long '-200' is outside -180..180"),
    ({"merch_lat": "91"}, "merch_lat '91' is outside -90..90"),
    ({"merch_long": "inf"}, "merch_long 'inf' is outside -180..180"),
    ({"city_pop": "12.5"}, "city_pop '12.5' is not a whole number"),
    ({"dob": "02/07/1985"}, "dob '02/07/1985' is not a date YYYY-MM-DD"),
    ({"dob": "1985-13-02"}, "dob '1985-13-02' is not a date YYYY-MM-DD"),
    ({"unix_time": "soon"}, "unix_time 'soon' is not whole seconds"),
    ({"is_fraud": "yes"}, "is_fraud 'yes' is not 0 or 1"),
]


@pytest.mark.parametrize("changes, reason", BAD_ROWS, ids=[next(iter(c)) + ":" + r.split("'")[0] for c, r in BAD_ROWS])
def test_should_skip_a_bad_row_and_report_its_line_and_reason(tmp_path, capsys, changes, reason):
    rows = [a_row(trans_num="first"), a_row(**{"trans_num": "bad", **changes}), a_row(trans_num="third")]

    manifest, _, _, transactions, _, skipped = imported(tmp_path, rows)

    assert [t["transaction_id"] for t in transactions] == ["first", "third"]
    assert len(skipped) == 1
    assert (skipped[0]["file"], skipped[0]["line"]) == ("history.csv", "3")  # line 1 is the header
    assert skipped[0]["reason"].startswith(reason)
    assert f"skipped history.csv:3: {reason}" in capsys.readouterr().err
    assert manifest["counts"]["skipped_rows"] == 1 and manifest["source"]["files"][0]["skipped"] == 1


def test_should_skip_a_row_with_the_wrong_number_of_fields_and_a_repeated_transaction_id(tmp_path):
    path = write_csv(tmp_path / "history.csv", [a_row(trans_num="one"), a_row(trans_num="one"), a_row(trans_num="two")])
    with open(path, "a") as file:
        file.write("3,2020-03-14 21:07:55,4512000012345678,truncated\n")

    importer.main([str(path), "--out", str(tmp_path / "data")])

    manifest, *_, transactions, _, skipped = read_data_set(tmp_path / "data")
    assert [t["transaction_id"] for t in transactions] == ["one", "two"]
    assert [(row["line"], row["reason"]) for row in skipped] == [
        ("3", "trans_num 'one' appeared on an earlier row"), ("5", "has 4 fields, the header 23")]
    assert manifest["counts"]["skipped_by_reason"] == {"trans_num … appeared on an earlier row": 1,
                                                       "has … fields, the header …": 1}


def test_should_skip_a_line_the_csv_reader_cannot_read(tmp_path):
    path = write_csv(tmp_path / "history.csv", [a_row(trans_num="one"), a_row(trans_num="two", job="x" * 200_000)])

    importer.main([str(path), "--out", str(tmp_path / "data")])

    *_, transactions, _, skipped = read_data_set(tmp_path / "data")
    assert [t["transaction_id"] for t in transactions] == ["one"]
    assert [(row["line"], row["reason"]) for row in skipped] == [("3", "is not valid CSV: field larger than field limit (131072)")]


def test_should_refuse_a_file_that_is_not_utf8(tmp_path):
    path = write_csv(tmp_path / "history.csv", [a_row()])
    path.write_bytes(path.read_bytes().replace(b"Quill", b"Qu\xefll"))

    with pytest.raises(SystemExit, match="is not UTF-8"):
        importer.main([str(path), "--out", str(tmp_path / "data")])


def test_should_keep_rows_the_model_cannot_score_and_count_them(tmp_path, capsys):
    rows = [a_row(trans_num="ok"), a_row(trans_num="new category", category="crypto"),
            a_row(trans_num="unborn", cc_num="4000000000000002", dob="2021-01-01")]

    manifest, _, _, transactions, _, skipped = imported(tmp_path, rows)

    assert len(transactions) == 3 and skipped == []
    assert manifest["counts"]["warnings"] == {"category not in features.json (the model cannot score it)": 1,
                                              "dob after the transaction (the model cannot score it)": 1}
    assert "warning: 1 row(s): dob after the transaction" in capsys.readouterr().err


def test_should_keep_a_cards_first_holder_and_warn_when_a_later_row_differs(tmp_path):
    rows = [a_row(trans_num="a"), a_row(trans_num="b", street="1 Elsewhere Road")]

    manifest, [customer], *_ = imported(tmp_path, rows)

    assert customer["street"] == "12 Orchard Lane"
    assert manifest["counts"]["warnings"] == {"card holder differs from the card's first row (first row kept)": 1}


def test_should_refuse_a_file_without_a_column_of_the_schema(tmp_path):
    source = write_csv(tmp_path / "history.csv", [a_row()], columns=[c for c in COLUMNS if c != "merch_lat"])

    with pytest.raises(SystemExit, match="lacks the column\\(s\\) merch_lat"):
        importer.main([str(source), "--out", str(tmp_path / "data")])
    assert not (tmp_path / "data").exists()


def test_should_refuse_a_file_of_which_no_row_is_usable(tmp_path):
    source = write_csv(tmp_path / "history.csv", [a_row(amt="free")])

    with pytest.raises(SystemExit, match="no row could be imported"):
        importer.main([str(source), "--out", str(tmp_path / "data")])


def test_should_import_two_files_of_one_history_into_one_data_set(tmp_path):
    first = write_csv(tmp_path / "train.csv", [a_row(trans_num="a")])
    second = write_csv(tmp_path / "test.csv", [a_row(trans_num="b", trans_date_trans_time="2020-06-30 10:00:00")])

    importer.main([str(first), str(second), "--out", str(tmp_path / "data")])

    manifest, _, merchants, transactions, _, _ = read_data_set(tmp_path / "data")
    assert [t["transaction_id"] for t in transactions] == ["a", "b"]
    assert len(merchants) == 1
    assert [f["name"] for f in manifest["source"]["files"]] == ["train.csv", "test.csv"]
