"""The PREDICT stage's Python side, and the one Python definition of the model's features.

Hazelcast Jet's ``mapUsingPython`` calls :func:`transform_list` with a batch of scoring requests
(JSON, see docs/DATA.md) and needs exactly one reply per request, in the same order.

Each request names the model to score it with (``champion``, and optionally ``challenger``: a
version and the directory on this member where the job wrote its files from the model registry).
A process loads a model the first time a request names it and keeps it; one it cannot load leaves
the model it has scoring, and the replies say so (``model_error``).

Training imports :func:`feature_matrix` and :func:`haversine_km` from this file, so the model
is trained on exactly the encoding it is served with. What the features are (columns and their
order, vocabularies, age groups, windows, the Earth radius) is read from ``features.json``,
never restated here. Only this directory is shipped to the members, so this module imports
nothing else of the project.
"""
import itertools
import json
import math
import operator
import time
from pathlib import Path
from typing import NamedTuple

import lightgbm
import numpy as np

try:
    import orjson
except ImportError:  # still works, with the standard library's slower parser
    orjson = None

HERE = Path(__file__).resolve().parent

def _read_json(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


SPEC = _read_json(HERE / "features.json")
VOCABULARIES = SPEC["vocabularies"]
WINDOWS = SPEC["streaming_features"]["windows"]
EARTH_RADIUS_KM = SPEC["distance"]["earth_radius_km"]
REQUEST_FIELDS = SPEC["request_fields"]["fields"]
FEATURE_NAMES = [column["name"] for column in SPEC["model_features"]["columns"]]


class InvalidRequest(ValueError):
    """A request that cannot be scored; the message names the problem."""


def haversine_km(latitude1, longitude1, latitude2, longitude2):
    """Great-circle distance in km between points given in degrees (scalars or arrays)."""
    phi1, lambda1, phi2, lambda2 = map(np.radians, (latitude1, longitude1, latitude2, longitude2))
    a = (np.sin((phi2 - phi1) / 2) ** 2
         + np.cos(phi1) * np.cos(phi2) * np.sin((lambda2 - lambda1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


# ---- Reading and checking the fields of a batch ------------------------------------------------

_JSON_TYPE_NAMES = {str: "a string", bool: "a boolean", type(None): "null", dict: "an object",
                    list: "an array", int: "a number", float: "a number"}
_NUMBER_TYPES = {int, float}  # bool is a subclass of int, but type() keeps it apart


def _json_type(value):
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def _preview(text, limit=64):
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _join(parent, key):
    return f"{parent}.{key}" if parent else key


def _field_groups(paths):
    """(object path, its keys, a getter of those keys) for every object on the way to the paths,
    parents before children: the top-level request is "", then "transaction", ..."""
    groups = {}
    for path in paths:
        parts = path.split(".")
        for depth, key in enumerate(parts):
            keys = groups.setdefault(".".join(parts[:depth]), [])
            if key not in keys:
                keys.append(key)
    return [(parent, keys, operator.itemgetter(*keys)) for parent, keys in groups.items()]


_FIELD_GROUPS = _field_groups(REQUEST_FIELDS)


def _read_fields(requests):
    """Every request field of every request: path -> the values in batch order.

    One C-level pass per object (request, transaction, ...) instead of one per field; this is
    where a missing field or a non-object is found.
    """
    fields = {"": requests}
    for parent, keys, getter in _FIELD_GROUPS:
        objects = fields[parent]
        try:
            rows = list(map(getter, objects))
        except (KeyError, TypeError):
            raise InvalidRequest(_missing_field_problem(objects, parent, keys)) from None
        for key, values in zip(keys, zip(*rows) if len(keys) > 1 else (rows,)):
            fields[_join(parent, key)] = values
    return fields


def _missing_field_problem(objects, parent, keys):
    for value in objects:
        if not isinstance(value, dict):
            return f"{parent} must be an object, not {_json_type(value)}"
        for key in keys:
            if key not in value:
                return f"missing field '{_join(parent, key)}'"


def _decode_numbers(columns, paths):
    """The columns (one per path) as float64 rows, checked in one pass for the whole batch."""
    try:
        if set(map(type, itertools.chain.from_iterable(columns))) <= _NUMBER_TYPES:
            numbers = np.array(columns, dtype=np.float64)
            if np.isfinite(numbers).all():
                return numbers
    except OverflowError:  # an integer beyond float64
        pass
    raise InvalidRequest(_number_problem(columns, paths))


def _number_problem(columns, paths):
    for path, values in zip(paths, columns):
        for value in values:
            if type(value) not in _NUMBER_TYPES:
                return f"{path} must be a number, not {_json_type(value)}"
            try:
                finite = math.isfinite(value)
            except OverflowError:  # an integer beyond float64
                finite = False
            if not finite:
                return f"{path} must be a finite number"


# features.json's input_limits says why these bounds.
_TIME_BOUNDS = (SPEC["input_limits"]["event_time_from"], SPEC["input_limits"]["event_time_until"])
_EARLIEST_MS, _LATEST_MS = np.array(_TIME_BOUNDS, dtype="datetime64[ms]").astype(np.int64).tolist()


def _decode_times(values, path):
    """Epoch milliseconds as float64, checked to lie within _TIME_BOUNDS."""
    [times] = _decode_numbers([values], [path])
    outside = (times < _EARLIEST_MS) | (times >= _LATEST_MS)
    if outside.any():
        value = values[int(np.argmax(outside))]
        raise InvalidRequest(f"{path} must be epoch milliseconds from {_TIME_BOUNDS[0]} "
                             f"to {_TIME_BOUNDS[1]}, not {value!r}")
    return times


def _decode_dates(values, path):
    # Exactly YYYY-MM-DD (what Java's LocalDate writes); numpy alone would also take "1980".
    if set(map(type, values)) != {str} or set(map(len, values)) != {10}:
        wrong = next(v for v in values if type(v) is not str or len(v) != 10)
        shown = _preview(wrong) if isinstance(wrong, str) else _json_type(wrong)
        raise InvalidRequest(f"{path} must be a date YYYY-MM-DD, not {shown}")
    try:
        return np.array(values, dtype="datetime64[D]")
    except ValueError as problem:
        raise InvalidRequest(f"{path} must be a date YYYY-MM-DD: {problem}") from None


def _vocabulary_decoder(vocabulary):
    code_of = {value: float(code) for code, value in enumerate(VOCABULARIES[vocabulary])}

    def decode(values, path):
        try:
            return np.array(list(map(code_of.__getitem__, values)), dtype=np.float64)
        except (KeyError, TypeError):
            unknown = next(v for v in values if type(v) is not str or v not in code_of)
            if type(unknown) is not str:
                raise InvalidRequest(f"{path} must be a string, not {_json_type(unknown)}") from None
            raise InvalidRequest(f"unknown {vocabulary} {_preview(unknown)}") from None

    return decode


# ---- Transforms: features.json names them, these implement them --------------------------------

_MS_PER_HOUR = 3_600_000
_MS_PER_DAY = 86_400_000
_EPOCH_WEEKDAY = 3  # 1970-01-01 was a Thursday; weekdays count from Monday = 0

_MAX_AGE_YEARS = SPEC["input_limits"]["max_age_years"]
_AGE_GROUPS = SPEC["age_groups"]["bounds"]
_AGE_GROUP_MIN_AGES = np.array([group["min_age"] for group in _AGE_GROUPS])
_AGE_GROUP_CODES = np.array([float(VOCABULARIES["age_group"].index(g["name"])) for g in _AGE_GROUPS])
if _AGE_GROUP_MIN_AGES[0] != 0 or (np.diff(_AGE_GROUP_MIN_AGES) <= 0).any():
    raise ValueError("features.json: age groups must start at 0 and ascend")


def _month_and_day(dates):
    """(year, 100 * month + day) of datetime64[D] values; the second orders dates within a year."""
    months = dates.astype("datetime64[M]")
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month_day = (months.astype(np.int64) % 12 + 1) * 100 + (dates - months).astype(np.int64) + 1
    return years, month_day


def age_years(birth_dates, times_ms):
    """Whole years of age at the UTC date of each time; someone born on 29 February has their
    birthday on 1 March in other years (as java.time's Period counts)."""
    days = np.floor_divide(times_ms, _MS_PER_DAY).astype(np.int64).astype("datetime64[D]")
    year, month_day = _month_and_day(days)
    birth_year, birth_month_day = _month_and_day(birth_dates)
    ages = year - birth_year - (month_day < birth_month_day)
    if (ages < 0).any():
        raise InvalidRequest("date_of_birth is after the transaction's date")
    if (ages > _MAX_AGE_YEARS).any():
        raise InvalidRequest(f"date_of_birth is more than {_MAX_AGE_YEARS} years before the transaction's date")
    return ages.astype(np.float64)


def age_group(ages):
    return _AGE_GROUP_CODES[np.searchsorted(_AGE_GROUP_MIN_AGES, ages, side="right") - 1]


def hour_utc(times_ms):
    return np.floor_divide(times_ms, _MS_PER_HOUR) % 24


def weekday_utc(times_ms):
    return (np.floor_divide(times_ms, _MS_PER_DAY) + _EPOCH_WEEKDAY) % 7


def ratio(numerators, denominators):
    # Under the window rule a window always holds the current transaction, so a zero denominator
    # means malformed input rather than "no history"; it reads as 0 instead of inf or NaN.
    return np.divide(numerators, denominators, out=np.zeros_like(numerators), where=denominators != 0)


class _Transform(NamedTuple):
    input_kinds: tuple
    function: object
    categorical: bool = False
    of: str = ""  # if set, the function takes that transform's output on the same inputs


_TRANSFORMS = {
    "number": _Transform(("number",), lambda values: values),
    "age_years": _Transform(("date", "time"), age_years),
    "age_group": _Transform(("date", "time"), age_group, categorical=True, of="age_years"),
    "hour_utc": _Transform(("time",), hour_utc),
    "weekday_utc": _Transform(("time",), weekday_utc),
    "ratio": _Transform(("number", "number"), ratio),
}
_DECODERS = {"date": _decode_dates, "time": _decode_times}
for _vocabulary in VOCABULARIES:
    _TRANSFORMS[f"code:{_vocabulary}"] = _Transform((_vocabulary,), lambda codes: codes, categorical=True)
    _DECODERS[_vocabulary] = _vocabulary_decoder(_vocabulary)


def _column_plan():
    """Per model column: its transform and the request paths of its inputs; and the kind of
    every input path (number, time, date or a vocabulary)."""
    plan, kinds = [], {}
    for column in SPEC["model_features"]["columns"]:
        transform = _TRANSFORMS.get(column["transform"])
        if transform is None or len(transform.input_kinds) != len(column["inputs"]):
            raise ValueError(f"features.json: column {column['name']} has an unknown transform "
                             f"{column['transform']!r} or the wrong number of inputs")
        for path, kind in zip(column["inputs"], transform.input_kinds):
            if path not in REQUEST_FIELDS or kinds.setdefault(path, kind) != kind:
                raise ValueError(f"features.json: column {column['name']} reads {path}, which is not "
                                 f"in request_fields or is read as {kinds[path]} elsewhere")
        plan.append((column["transform"], tuple(column["inputs"])))
    return plan, kinds


_PLAN, _INPUT_KINDS = _column_plan()
_NUMBER_INPUTS = [path for path, kind in _INPUT_KINDS.items() if kind == "number"]
_OTHER_INPUTS = [(path, _DECODERS[kind]) for path, kind in _INPUT_KINDS.items() if kind != "number"]
CATEGORICAL_FEATURES = [name for name, (transform, _) in zip(FEATURE_NAMES, _PLAN)
                        if _TRANSFORMS[transform].categorical]


def feature_matrix(requests):
    """The model's input rows (float64, columns in features.json order) for request dicts.

    Vectorised over the batch. Raises InvalidRequest naming the first problem found (a missing
    request field, a wrong type, an unknown vocabulary value, ...) if any request is invalid.
    Every request field must be present, even those the model ignores: the job needs them back.
    """
    matrix = np.empty((len(requests), len(FEATURE_NAMES)))
    if not requests:
        return matrix
    fields = _read_fields(requests)
    inputs = dict(zip(_NUMBER_INPUTS, _decode_numbers([fields[p] for p in _NUMBER_INPUTS], _NUMBER_INPUTS)))
    for path, decode in _OTHER_INPUTS:
        inputs[path] = decode(fields[path], path)
    outputs = {}
    for column, (transform, paths) in enumerate(_PLAN):
        matrix[:, column] = _output(transform, paths, inputs, outputs)
    return matrix


def _output(name, paths, inputs, outputs):
    """A transform's output on decoded inputs, computed once per batch (age_group reuses age)."""
    key = (name, paths)
    if key not in outputs:
        transform = _TRANSFORMS[name]
        arguments = [_output(transform.of, paths, inputs, outputs)] if transform.of else [inputs[p] for p in paths]
        outputs[key] = transform.function(*arguments)
    return outputs[key]


# ---- Serving ------------------------------------------------------------------------------------

def parse_json_stdlib(text):
    """Standard-library parsing as strict as orjson: NaN and Infinity are not JSON."""
    return json.loads(text, parse_constant=_reject_constant)


def _reject_constant(name):
    raise ValueError(f"{name} is not a JSON value")


# The parser in use; the benchmark and the tests swap it to compare orjson with the stdlib.
parse_json = orjson.loads if orjson is not None else parse_json_stdlib


# ---- Models: which one scores is the request's to say ---------------------------------------------

MODEL_FILE = "fraud_model.txt"
METADATA_FILE = "fraud_model.json"
# A model that failed to load is tried again after this many seconds, not at every batch.
RETRY_FAILED_S = 30.0
# How far a smoke row may score from what LightGBM gave at training; both are exact to ~1e-16.
SMOKE_TOLERANCE = 1e-9


class InvalidModel(ValueError):
    """A model that must not score: "<check>: <what it found>", the check being metadata, parse,
    columns or smoke score, in the order they run (as the job's Java side, ScoringModel.parse)."""


class Model(NamedTuple):
    booster: lightgbm.Booster
    threshold: float
    version: str


def load_model_dir(directory):
    """The model in a directory holding fraud_model.txt and fraud_model.json (train.py --out),
    checked as the job's Java side checks every model: its metadata names a version and a
    threshold in [0, 1]; LightGBM loads it as a binary model; its columns are features.json's;
    and it scores the rows training recorded (``smoke``) as LightGBM did then."""
    directory = Path(directory)
    try:
        metadata = _read_json(directory / METADATA_FILE)
    except (OSError, ValueError) as problem:
        raise InvalidModel(f"metadata: {METADATA_FILE} cannot be read: {problem}") from None
    version, threshold = metadata.get("model_version"), metadata.get("threshold")
    if type(version) is not str or not version.strip():
        raise InvalidModel(f"metadata: {METADATA_FILE} has no model_version")
    if type(threshold) not in _NUMBER_TYPES or not 0 <= threshold <= 1:
        raise InvalidModel(f"metadata: {METADATA_FILE} has no threshold within [0, 1]")
    try:
        booster = lightgbm.Booster(model_file=str(directory / MODEL_FILE))
    except Exception as problem:  # LightGBM says what it could not read
        raise InvalidModel(f"parse: {problem}") from None
    objective = _objective(directory / MODEL_FILE)
    if objective.split(" ")[0] != "binary":
        raise InvalidModel(f"parse: the objective is {objective!r}; only binary models are scored")
    if booster.feature_name() != FEATURE_NAMES:
        raise InvalidModel(f"columns: {MODEL_FILE} was trained on the columns {booster.feature_name()}, but "
                           f"features.json defines {FEATURE_NAMES}; retrain with this version's python/train.py")
    if metadata.get("feature_names") != FEATURE_NAMES:
        raise InvalidModel(f"columns: {METADATA_FILE} lists the columns {metadata.get('feature_names')}, but "
                           f"features.json defines {FEATURE_NAMES}; retrain with this version's python/train.py")
    _check_smoke_rows(booster, metadata.get("smoke") or {})
    return Model(booster, float(threshold), version)


def _objective(model_file):
    """The objective line of a LightGBM text model's header ("binary sigmoid:1")."""
    with open(model_file, encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("objective="):
                return line[len("objective="):].strip()
            if line.startswith("Tree="):
                break
    return ""


def _check_smoke_rows(booster, smoke):
    rows, expected = smoke.get("rows"), smoke.get("probabilities")
    if not rows or type(rows) is not list or type(expected) is not list or len(rows) != len(expected):
        raise InvalidModel(f"smoke score: {METADATA_FILE} has no smoke rows with their probabilities; "
                           "retrain with this version's python/train.py")
    scores = booster.predict(np.array(rows, dtype=np.float64), num_threads=1)
    for row, (score, recorded) in enumerate(zip(scores.tolist(), expected)):
        if not abs(score - recorded) <= SMOKE_TOLERANCE:
            raise InvalidModel(f"smoke score: row {row} scores {score!r} here, but LightGBM gave "
                               f"{recorded!r} when the model was trained")


class _Models:
    """Every model this process has loaded, by directory; the failures, with when they happened."""

    def __init__(self):
        self.loaded = {}
        self.failed = {}
        self.champion = None  # the last champion that scored: what scores when another cannot load

    def load(self, ref):
        """The model a request's reference names; raises InvalidModel (or OSError) when it cannot."""
        directory = ref["dir"]
        model = self.loaded.get(directory)
        if model is not None:
            return model
        failure = self.failed.get(directory)
        if failure is not None and time.monotonic() - failure[0] < RETRY_FAILED_S:
            raise failure[1]
        try:
            model = load_model_dir(directory)
        except Exception as problem:  # kept with its time, told for every request until tried again
            self.failed[directory] = (time.monotonic(), problem)
            raise
        if model.version != ref["version"]:
            problem = InvalidModel(f"metadata: {directory} holds {model.version}, not {ref['version']}")
            self.failed[directory] = (time.monotonic(), problem)
            raise problem
        self.failed.pop(directory, None)
        self.loaded[directory] = model
        return model

    def bundled(self):
        """The model shipped beside this file, in the job JAR: what scores before any other."""
        model = self.loaded.get(None)
        if model is None:
            model = self.loaded[None] = load_model_dir(HERE)
        return model

    def for_champion(self, ref):
        """(model, problem): the champion the request names, or, when that cannot be loaded, the
        last champion that scored (the bundled one at first) and what went wrong."""
        if ref is None:
            return self.champion or self.bundled(), None
        try:
            self.champion = self.load(ref)
            return self.champion, None
        except Exception as problem:
            fallback = self.champion or self.bundled()
            return fallback, {"version": ref["version"], "problem": f"champion {ref['version']} cannot be loaded "
                              f"by a Python process: {problem}; {fallback.version} scores on"}

    def for_challenger(self, ref):
        """(model or None, problem): a challenger decides nothing, so one that cannot be loaded is left out."""
        if ref is None:
            return None, None
        try:
            return self.load(ref), None
        except Exception as problem:
            return None, {"version": ref["version"],
                          "problem": f"challenger {ref['version']} cannot be loaded by a Python process: {problem}"}


MODELS = _Models()


def load_model():
    """The model shipped beside this file: what a process scores with until a request names another."""
    return MODELS.bundled()


# ---- Replies --------------------------------------------------------------------------------------

_RAW_LIMIT = 1000


def _dumps(reply, item, request):
    """A reply as JSON, the request echoed verbatim: orjson embeds the item's own text; the standard
    library writes the parsed request again (the same JSON value)."""
    if orjson is not None:
        return orjson.dumps({**reply, "request": orjson.Fragment(item)}).decode()
    return json.dumps({**reply, "request": request}, ensure_ascii=False, allow_nan=False)


def _raw_error_reply(problem, item):
    raw = item if isinstance(item, str) else repr(item)
    return json.dumps({"error": problem, "raw": raw[:_RAW_LIMIT]}, ensure_ascii=False)


def _parse(item):
    """(request dict, None), or (None, the problem) when the item is not a JSON object."""
    if type(item) is not str:
        return None, f"request must be a string, not {type(item).__name__}"
    try:
        request = parse_json(item)
    except (ValueError, RecursionError) as problem:  # RecursionError: stdlib on deep nesting
        return None, f"request is not valid JSON: {problem}"
    if type(request) is not dict:
        return None, f"request must be a JSON object, not {_json_type(request)}"
    return request, None


def _convert(requests, positions, matrices, converted, problems):
    """Appends the feature rows of the valid requests to ``matrices`` and their positions to
    ``converted``; records a problem per invalid one in ``problems``.

    A batch converts in one vectorised pass. Only when that fails is it halved and each half
    retried, so one bad item among n costs about 2·log2(n) extra passes, and every message is
    about a single request. Any exception, not just InvalidRequest, stays with its item: one
    request the code did not foresee must not fail the whole batch.
    """
    try:
        matrices.append(feature_matrix(requests))
        converted.extend(positions)
    except Exception as problem:  # reported per item, never swallowed
        if len(requests) == 1:
            problems[positions[0]] = str(problem) if isinstance(problem, InvalidRequest) \
                else f"cannot score: {type(problem).__name__}: {problem}"
            return
        half = len(requests) // 2
        _convert(requests[:half], positions[:half], matrices, converted, problems)
        _convert(requests[half:], positions[half:], matrices, converted, problems)


def _ref(request, key):
    """A request's model reference ({"version", "dir"}) as a hashable pair, or None."""
    ref = request.get(key)
    if type(ref) is dict and type(ref.get("version")) is str and type(ref.get("dir")) is str:
        return ref["version"], ref["dir"]
    return None


def transform_list(items):
    """Scores a batch of JSON requests; returns one JSON reply per item, in the same order.

    A reply is either a score with the request echoed verbatim, or an error naming the problem
    with the request echoed (or, when the item is not a JSON object, its first 1000 characters).
    Requests that name the same models are scored together: one matrix and one LightGBM call per
    model for the batch.
    """
    replies = [None] * len(items)
    groups = {}
    for position, item in enumerate(items):
        request, problem = _parse(item)
        if problem is None:
            requests, positions = groups.setdefault((_ref(request, "champion"), _ref(request, "challenger")), ([], []))
            requests.append(request)
            positions.append(position)
        else:
            replies[position] = _raw_error_reply(problem, item)
    for (champion, challenger), (requests, positions) in groups.items():
        _score(items, requests, positions, champion, challenger, replies)
    return replies


def _score(items, requests, positions, champion_ref, challenger_ref, replies):
    """Scores requests that name the same models, into ``replies``."""
    as_ref = lambda pair: None if pair is None else {"version": pair[0], "dir": pair[1]}  # noqa: E731
    champion, problem = MODELS.for_champion(as_ref(champion_ref))
    challenger, challenger_problem = MODELS.for_challenger(as_ref(challenger_ref))
    problem = problem or challenger_problem
    parsed = dict(zip(positions, requests))

    matrices, converted, problems = [], [], {}
    _convert(requests, positions, matrices, converted, problems)
    for position, text in problems.items():
        replies[position] = _dumps({"error": text}, items[position], parsed[position])
    if not converted:
        return
    matrix = np.concatenate(matrices)
    probabilities = champion.booster.predict(matrix, num_threads=1).tolist()
    challenger_probabilities = (challenger.booster.predict(matrix, num_threads=1).tolist()
                                if challenger is not None else None)
    contributions = _contributions(champion, matrix, probabilities, [parsed[p] for p in converted])
    for row, position in enumerate(converted):
        probability = probabilities[row]
        reply = {"fraud_probability": probability, "is_fraud": probability >= champion.threshold,
                 "model_version": champion.version}
        if row in contributions:
            reply["contributions"] = contributions[row]
        if challenger is not None:
            reply["challenger_probability"] = challenger_probabilities[row]
            reply["challenger_version"] = challenger.version
        if problem is not None:
            reply["model_error"] = problem
        replies[position] = _dumps(reply, items[position], parsed[position])


def _reasons_from(request):
    """The probability from which a request's reply carries contributions (the job sends its policy's
    review threshold as ``reasons_from``); none without one."""
    value = request.get("reasons_from")
    return value if type(value) in _NUMBER_TYPES else math.inf


def _contributions(model, matrix, probabilities, requests):
    """{row: TreeSHAP contributions, a value per column then the expected value} for the rows scored
    at or above their request's ``reasons_from``: the job makes an analyst's reasons of them
    (ReasonText). LightGBM's ``pred_contrib`` costs milliseconds a row, so only flagged rows get it."""
    flagged = [row for row, (probability, request) in enumerate(zip(probabilities, requests))
               if probability >= _reasons_from(request)]
    if not flagged:
        return {}
    values = model.booster.predict(matrix[flagged], pred_contrib=True, num_threads=1).tolist()
    return dict(zip(flagged, values))
