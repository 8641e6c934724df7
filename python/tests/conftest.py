import orjson
import pytest

from job_resources import fraud_handler


@pytest.fixture(params=["orjson", "stdlib json"])
def parser(request, monkeypatch):
    """Runs a test once with each JSON parser the handler can use."""
    parse = orjson.loads if request.param == "orjson" else fraud_handler.parse_json_stdlib
    monkeypatch.setattr(fraud_handler, "parse_json", parse)
    return request.param
