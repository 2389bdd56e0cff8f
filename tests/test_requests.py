"""The request side of captured traffic: an invalid request answered 2xx is `request.accepted-invalid`, weighed by the
provenance of the rule it breaks; one answered with a documented 4xx is the contract working; a 2xx to a request
without any credential is `auth.ignored`. Held to the request corpus (tests/corpus/requests.yaml) through JSONL
records, HAR entries, every engine and the validating proxy, and to one report on every path (fast, full, reference,
worker processes) in every format."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from test_proxy import proxy

from dms_smartconnect_contract.contract import JsonObject
from dms_smartconnect_contract.live.reference_data import DEFAULT_INSTANCE_ID, DEFAULT_PROJECT_ID
from dms_smartconnect_contract.live.signing import sign

from clirunner import run
from conftest import ROOT, response_examples
from serverkit import ACCESS_KEY, SECRET_KEY, SEED_TASK, serving

CORPUS = yaml.safe_load((ROOT / "tests" / "corpus" / "requests.yaml").read_text())
HOST = "https://dms.cn-north-4.myhuaweicloud.com"
DETAIL = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"
LIST = "/v2/{project_id}/instances/{instance_id}/connector/tasks"
KNOWN = {"project_id": DEFAULT_PROJECT_ID, "instance_id": DEFAULT_INSTANCE_ID, "task_id": SEED_TASK}
SECRET = "MIIsecret-token-of-the-capture-0123456789"
CASE_HEADER = "X-Corpus-Case"  # which case the proxy's upstream answers as (the proxy passes it on)


def _target(case: dict[str, Any]) -> str:
    template = LIST if case.get("operation") == "ListConnectorTasks" else DETAIL
    path = template.format(**{**KNOWN, **case.get("path", {})})
    return path + (f"?{case['query']}" if case.get("query") else "")


def _sent_headers(case: dict[str, Any], url: str) -> dict[str, str]:
    """What the client sent: a host, and the case's credential (a token, an AK/SK signature, or none)."""
    credential = case.get("credential", "token")
    headers = {"Host": urlsplit(url).netloc, "Accept": "application/json"}
    if credential == "token":
        headers["X-Auth-Token"] = SECRET
    elif credential == "signature":
        headers.update({k: v for k, v in sign(ACCESS_KEY, SECRET_KEY, "GET", url).items() if k.lower() != "host"})
    return headers


def _answer(case: dict[str, Any], document: JsonObject) -> tuple[int, Any]:
    status = int(case.get("status", 200))
    if status != 200:
        return status, {"error_code": case["code"], "error_msg": "refused"}
    seed = response_examples(document)["kafkaReplicatorSource"]
    return 200, ({"tasks": [seed], "total_number": 1, "max_tasks": 18, "quota_tasks": 18}
                 if case.get("operation") == "ListConnectorTasks" else seed)  # fmt: skip


def _records(document: JsonObject) -> list[dict[str, Any]]:
    records = []
    for case in CORPUS:
        url = HOST + _target(case)
        status, body = _answer(case, document)
        records.append({"method": "GET", "url": url, "request_headers": _sent_headers(case, url), "status": status,
                        "headers": {"Content-Type": "application/json", "X-Request-Id": "0c8e1d4b"}, "body": body})  # fmt: skip
    return records


def _har(records: list[dict[str, Any]]) -> dict[str, Any]:
    entries = [
        {"request": {"method": record["method"], "url": record["url"],
                     "headers": [{"name": k, "value": v} for k, v in record["request_headers"].items()]},
         "response": {"status": record["status"],
                      "headers": [{"name": k, "value": v} for k, v in record["headers"].items()],
                      "content": {"mimeType": "application/json", "text": json.dumps(record["body"])}}}
        for record in records
    ]  # fmt: skip
    return {"log": {"version": "1.2", "entries": entries}}


def _verdicts(report: dict[str, Any]) -> list[tuple[str, set[tuple[str, str]]]]:
    """Each exchange's outcome, and the (rule, place) of its request findings."""
    return [
        (result["outcome"], {(f["rule"], f["pointer"]) for f in result["violations"]
                             if f["rule"] in ("request.accepted-invalid", "auth.ignored")})
        for result in report["results"]
    ]  # fmt: skip


def _expected(reading: str) -> list[tuple[str, set[tuple[str, str]]]]:
    return [(case["expect"][reading], {tuple(case["finding"])} if "finding" in case else set()) for case in CORPUS]


@pytest.fixture(scope="module")
def corpus_files(document: JsonObject, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("requests")
    records = _records(document)
    (folder / "records.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records))
    (folder / "capture.har").write_text(json.dumps(_har(records)))
    return {"records": folder / "records.jsonl", "har": folder / "capture.har"}


def test_the_corpus_covers_every_request_rule_and_answer() -> None:
    places = {tuple(case["finding"]) for case in CORPUS if "finding" in case}
    parameters = {f"$request.path.{name}" for name in KNOWN} | {"$request.query.limit", "$request.query.offset"}
    assert {place for rule, place in places if rule == "request.accepted-invalid"} == parameters
    assert ("auth.ignored", "") in places
    assert {case["expect"]["default"] for case in CORPUS} == {"conforming", "violating"}
    assert {int(case.get("status", 200)) for case in CORPUS} == {200, 400, 401, 404}


@pytest.mark.parametrize("kind", ["records", "har"])
@pytest.mark.parametrize("reading", ["default", "strict"])
@pytest.mark.parametrize("engine", ["fast", "full", "reference"])
def test_validate_gives_the_corpus_verdicts(
    corpus_files: dict[str, Path], kind: str, reading: str, engine: str
) -> None:
    options = ["--strict"] if reading == "strict" else []
    result = run("validate", "--format", "json", "--engine", engine, *options, str(corpus_files[kind]))
    assert result.code == 1
    assert _verdicts(result.json()) == _expected(reading)
    assert SECRET not in result.out


def _corpus_upstream(document: JsonObject) -> Starlette:
    """A service that answers each request as its corpus case says, whatever the request: the one that broke its
    contract answers 200 to invalid requests and to requests without credentials."""
    answers = {case["name"]: _answer(case, document) for case in CORPUS}

    async def answer(request: Request) -> Response:
        status, body = answers[request.headers[CASE_HEADER]]
        return Response(json.dumps(body), status, {"X-Request-Id": "0c8e1d4b"}, media_type="application/json")

    return Starlette(routes=[Route("/{path:path}", answer)])


@pytest.mark.parametrize("reading", ["default", "strict"])
def test_the_proxy_gives_the_corpus_verdicts(document: JsonObject, tmp_path: Path, reading: str) -> None:
    options = ["--strict"] if reading == "strict" else []
    with serving(_corpus_upstream(document)) as upstream, proxy(tmp_path, upstream, *options) as running:
        for case in CORPUS:
            url = running.base + _target(case)
            headers = {**_sent_headers(case, url), CASE_HEADER: case["name"]}
            if case.get("credential") == "signature":  # signed for the proxy's own address, which it passes on
                headers.pop("Host")
            httpx.get(url, headers=headers)
        code, err = running.stop()
    assert code == 1, err
    report = json.loads(running.report.read_text())
    assert _verdicts(report) == _expected(reading)
    recorded = running.record.read_text()
    # The record says that a request carried a token, never the token.
    assert SECRET not in recorded and SECRET not in running.report.read_text() and SECRET not in err
    assert '"X-Auth-Token":"<redacted>"' in recorded.replace(" ", "").replace('"x-auth-token"', '"X-Auth-Token"')


# --- the issue's own examples --------------------------------------------------------------------------------------


def _line(url: str, status: int, body: Any, **extra: Any) -> str:
    headers = {"Content-Type": "application/json", "X-Request-Id": "0c8e1d4b"}
    return json.dumps({"method": "GET", "url": url, "status": status, "headers": headers, "body": body, **extra})


def test_two_answers_to_invalid_requests_fail_the_run(seed_example: JsonObject, tmp_path: Path) -> None:
    """A task answered to an instance ID that is no UUID (documented: an error), and to a project ID of another
    shape (inferred: a warning, an error with --strict)."""
    log = tmp_path / "two.jsonl"
    bad_ids = HOST + DETAIL.format(project_id=DEFAULT_PROJECT_ID, instance_id="not-a-uuid", task_id="xyz")
    bad_project = HOST + DETAIL.format(**{**KNOWN, "project_id": "BADPROJECT"})
    log.write_text(_line(bad_ids, 200, seed_example) + "\n" + _line(bad_project, 200, seed_example) + "\n")
    report = run("validate", "--format", "json", str(log))
    assert report.code == 1
    found = [
        {(f["rule"], f["pointer"], f["severity"]) for f in result["violations"]} for result in report.json()["results"]
    ]
    assert found == [
        {("request.accepted-invalid", "$request.path.instance_id", "error"),
         ("request.accepted-invalid", "$request.path.task_id", "warning")},
        {("request.accepted-invalid", "$request.path.project_id", "warning")},
    ]  # fmt: skip
    text = run("validate", str(log)).out
    assert 'path parameter instance_id "not-a-uuid" breaks its rule: format uuid; the request was answered 200' in text
    assert "[documented: otc]" in text and "inferred: Every project ID in the sources" in text
    strict = run("validate", "--format", "json", "--strict", str(log)).json()
    assert [result["outcome"] for result in strict["results"]] == ["violating", "violating"]


def test_the_documented_refusal_conforms_and_is_counted(tmp_path: Path) -> None:
    log = tmp_path / "refused.jsonl"
    url = HOST + DETAIL.format(project_id=DEFAULT_PROJECT_ID, instance_id="not-a-uuid", task_id=SEED_TASK)
    refused = {"error_code": "DMS.00400030", "error_msg": "The id must be a uuid."}
    failed = {"error_code": "DMS.00500000", "error_msg": "Internal service error."}
    log.write_text(_line(url, 400, refused) + "\n" + _line(url, 500, failed) + "\n")
    report = run("validate", "--format", "json", "--coverage", str(log))
    assert report.code == 0
    assert [(r["outcome"], r["violations"]) for r in report.json()["results"]] == [("conforming", [])] * 2
    counted = report.json()["coverage"]["operations"]["ShowConnectorTask"]["parameters"]
    assert counted["$request.path.instance_id"] == {"valid": 0, "accepted": 0, "rejected": 1, "otherwise": 1}
    assert counted["$request.path.task_id"] == {"valid": 2, "accepted": 0, "rejected": 0, "otherwise": 0}
    text = run("validate", "--coverage", str(log)).out
    assert "$request.path.instance_id: valid x0; invalid x2 (1 rejected, 1 otherwise)" in text


def _har_entry(headers: list[dict[str, str]] | None, status: int, body: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "GET", "url": HOST + DETAIL.format(**KNOWN)}
    if headers is not None:
        request["headers"] = headers
    return {"request": request, "response": {"status": status, "headers": [
        {"name": "Content-Type", "value": "application/json"}, {"name": "X-Request-Id", "value": "0c8e1d4b"}],
        "content": {"mimeType": "application/json", "text": json.dumps(body)}}}  # fmt: skip


def test_a_har_entry_without_credentials_answered_200_is_auth_ignored(seed_example: JsonObject, tmp_path: Path) -> None:
    host = {"name": "Host", "value": "dms.cn-north-4.myhuaweicloud.com"}
    cases = [
        ([host], 200, "auth.ignored"),  # headers recorded, no credential among them
        ([host, {"name": "X-Auth-Token", "value": ""}], 200, "auth.ignored"),  # an empty token is none
        ([host, {"name": "x-auth-token", "value": SECRET}], 200, None),
        ([host, {"name": "Authorization", "value": f"SDK-HMAC-SHA256 Access=AK, Signature={SECRET}"}], 200, None),
        ([], 200, None),  # no header recorded at all: nothing said of credentials (every request sends a host)
        (None, 200, None),
        ([host], 401, None),  # refused as documented
    ]
    error = {"error_code": "DMS.10240103", "error_msg": "The token is missing."}
    entries = [_har_entry(headers, status, seed_example if status == 200 else error) for headers, status, _ in cases]
    har = tmp_path / "browser.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}))
    report = run("validate", "--format", "json", "--coverage", str(har))
    assert report.code == 1
    rules = [{f["rule"] for f in result["violations"]} - {"undocumented-field"} for result in report.json()["results"]]
    assert rules == [{rule} if rule else set() for _, _, rule in cases]
    without = report.json()["coverage"]["operations"]["ShowConnectorTask"]["without_credentials"]
    assert without == {"accepted": 2, "rejected": 1, "otherwise": 0}
    message = next(f["message"] for f in report.json()["results"][0]["violations"] if f["rule"] == "auth.ignored")
    assert message == "the request carries no credential (X-Auth-Token or Authorization); it was answered 200, not 401"


@pytest.mark.parametrize("layout", ["ranges", "streamed", "gzip"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_browser_export_that_withholds_authorization_says_nothing_of_credentials(
    seed_example: JsonObject, tmp_path: Path, layout: str, jobs: str
) -> None:
    """Chrome's DevTools ("WebInspector") export HAR without Authorization and Cookie by default: an entry of theirs
    without a credential may have sent one, unless it shows a Cookie (that export kept them). Other exporters keep
    every header. Read in ranges, streamed (ranges that cannot be cut) and compressed, here and in workers."""
    host = {"name": "Host", "value": "dms.cn-north-4.myhuaweicloud.com"}
    cases = [
        ("WebInspector", [host], None),
        ("WebInspector", [host, {"name": "Cookie", "value": "session=1"}], "auth.ignored"),
        ("WebInspector", [host, {"name": "X-Auth-Token", "value": ""}], None),
        ("Firefox", [host], "auth.ignored"),
    ]
    expected = []
    for creator in ("WebInspector", "Firefox"):
        entries = [_har_entry(headers, 200, seed_example) for made_by, headers, _ in cases if made_by == creator] * 300
        expected += [rule for made_by, _, rule in cases if made_by == creator] * 300
        document: dict[str, Any] = {"log": {"version": "1.2", "creator": {"name": creator, "version": "1"},
                                            "entries": entries}}  # fmt: skip
        if layout == "streamed":
            document["log"]["comment"] = "after the entries: no range can be cut"
        text = json.dumps(document, indent=1).encode()
        name = tmp_path / f"{creator}.har"
        if layout == "gzip":
            name = name.with_suffix(".har.gz")
            text = gzip.compress(text)
        name.write_bytes(text)
    report = run("validate", "--format", "json", "--jobs", jobs, str(tmp_path / f"WebInspector.har{'.gz' * (layout == 'gzip')}"),
                 str(tmp_path / f"Firefox.har{'.gz' * (layout == 'gzip')}"))  # fmt: skip
    rules = [{f["rule"] for f in result["violations"]} - {"undocumented-field"} for result in report.json()["results"]]
    assert rules == [{rule} if rule else set() for rule in expected]


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "junit", "sarif", "github"])
def test_no_report_repeats_a_credential_of_the_request(seed_example: JsonObject, tmp_path: Path, fmt: str) -> None:
    """A request's credential, in its headers and in a parameter's value that quotes it, is in no report."""
    log = tmp_path / "leaky.jsonl"
    quoted = HOST + DETAIL.format(**{**KNOWN, "task_id": SECRET})
    log.write_text(_line(quoted, 200, seed_example, request_headers={"X-Auth-Token": SECRET}) + "\n")
    result = run("validate", "--strict", "--format", fmt, str(log))
    assert result.code == 1
    assert "request.accepted-invalid" in result.out and SECRET not in result.out and SECRET[:12] not in result.out


# --- one report on every path ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixed_capture(
    document: JsonObject, corpus_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> list[str]:
    """The corpus as flat records among bare bodies, as nested (Redocly drift) records, and as a HAR, repeated so
    that chunks and worker processes split it."""
    folder = tmp_path_factory.mktemp("mixed")
    seed = json.dumps(response_examples(document)["kafkaReplicatorSource"])
    records = corpus_files["records"].read_text().splitlines()
    flat = [line if index % 3 else seed for index, line in enumerate(records * 40)]
    (folder / "flat.jsonl").write_text("\n".join(flat) + "\n")
    nested = [
        json.dumps({"request": {"method": r["method"], "url": r["url"], "headers": r["request_headers"]},
                    "response": {"status": r["status"], "headers": r["headers"], "body": json.dumps(r["body"])}})
        for r in map(json.loads, records * 40)
    ]  # fmt: skip
    (folder / "nested.jsonl").write_text("\n".join(nested) + "\n")
    har = _har([json.loads(line) for line in records * 40])
    (folder / "capture.har").write_text(json.dumps(har, indent=1))
    return [str(folder / name) for name in ("flat.jsonl", "nested.jsonl", "capture.har")]


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "junit", "sarif", "github"])
@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_every_path_gives_one_report_of_requests(mixed_capture: list[str], fmt: str, strict: bool) -> None:
    options = ["--format", fmt, "--coverage", *(["--strict"] if strict else [])]
    fast = run("validate", *options, "--jobs", "1", *mixed_capture)
    assert fast.code == 1 and "request.accepted-invalid" in fast.out and "auth.ignored" in fast.out
    others = {
        "full": run("validate", *options, "--jobs", "1", "--engine", "full", *mixed_capture),
        "reference": run("validate", *options, "--jobs", "1", "--engine", "reference", *mixed_capture),
        "workers": run("validate", *options, "--jobs", "2", *mixed_capture),
    }
    for name, other in others.items():
        assert (other.code, other.out) == (fast.code, fast.out), name


# --- the URL's path and query, as urlsplit reads them ------------------------------------------------------------

_URLISH = st.text(alphabet=st.sampled_from(list("aZ09+-.:/?#[]@%;= \t\n\x00\x1f\u00e9\uff0f")), max_size=40)


def _split(url: str) -> tuple[str, str] | str:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"ValueError: {exc}"
    return parts.path, parts.query


@given(st.one_of(_URLISH, st.builds(lambda a, b: f"https://{a}/{b}", _URLISH, _URLISH), st.text(max_size=30)))
@settings(max_examples=2000, deadline=None)
def test_the_path_and_query_are_urlsplits(url: str) -> None:
    """Routing and the request checks read a URL without urlsplit's cost, and read what it reads, on any text."""
    from dms_smartconnect_contract.check.urls import path_and_query

    try:
        mine: tuple[str, str] | str = path_and_query(url)
    except ValueError as exc:
        mine = f"ValueError: {exc}"
    assert mine == _split(url)
    if not isinstance(mine, str):  # read again, as the request checks read the URL routing read: the same parts
        assert path_and_query(url) == mine


def test_a_record_keeps_the_query_as_written_and_masks_only_credentials() -> None:
    from dms_smartconnect_contract.formats.records import recorded_request

    kept = recorded_request("get", "/v2/p", "limit=%2B5&offset=0", [("X-Auth-Token", SECRET), ("Accept", "*/*")])
    assert (kept.method, kept.target) == ("GET", "/v2/p?limit=%2B5&offset=0")
    assert kept.headers == {"X-Auth-Token": "<redacted>", "Accept": "*/*"}
    masked = recorded_request("GET", "/v2/p", f"limit=5&access_token={SECRET}&api_key=", [("Authorization", " ")])
    assert masked.target == "/v2/p?limit=5&access_token=%3Credacted%3E&api_key="
    assert masked.headers == {"Authorization": " "}  # an empty credential is none, and says so
