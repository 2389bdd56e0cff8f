"""Secrets masked by value: a credential is masked wherever a capture puts it (a body field of any name, a bare
string body, an error field, a header), in every report format; IDs, UUIDs, hosts, codes and the seed's values
stay readable."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dms_smartconnect_contract.redact import MASKED, mask, preview, previews

from clirunner import run
from conftest import response_examples

SHAPES = {
    "IAM token": "MIIEvQYJKoZIhvcNAQEHoIIErjCCBKoCAQExDTALBglghkgBZQMEAgEwggLJBgkqhkiG9w0BBwGgggK6BIICtnsidG9r",
    "JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrYWZrYS1vcHMiLCJleHAiOjE3MDB9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "access key": "HPUAZ7Q2XK4M9B1C3D5E",
    "secret key": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY12",
    "signature": "SDK-HMAC-SHA256 Access=HPUAZ7Q2XK4M9B1C3D5E, SignedHeaders=host;x-sdk-date, "
    "Signature=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}
OWN_TOKEN = "team-ops-token-7f3a91"  # no credential shape: known only because the capture sends it as X-Auth-Token
FORMATS = ["text", "json", "jsonl", "junit", "sarif", "github"]
READABLE = [
    "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15",
    "a4a5d4098fb4474fa22cd05f897d6b99",
    "DMS.00404022",
    "dms.cn-north-4.myhuaweicloud.com",
    "1708427753133",
    "KAFKA_REPLICATOR_SOURCE",
    "smart-connect-121248117",
    "SASL_PLAINTEXT",
    "obs://bucket-1/kafka/orders",
]


def _pieces(secret: str) -> list[str]:
    """The secret and the parts of it a report must not show either (a signature's key and hex)."""
    if secret.startswith("SDK-HMAC-SHA256"):
        return ["HPUAZ7Q2XK4M9B1C3D5E", "9f86d081884c7d659a2f"]
    return [secret, secret[:16]]


def _capture(tmp_path: Path, seed: dict, secret: str) -> list[str]:
    """The secret in a body field of a harmless name and of an enumerated one, in a wrong-typed field, as a bare
    string body, in an error body, in a response header, and in a HAR entry beside the capture's own token."""
    records = [
        {**seed, "note": secret, "status": secret},
        {**seed, "create_time": secret},
        secret,
        {"status": 404, "headers": {"X-Request-Id": "0" * 32, "Content-Type": "application/json", "Set-Cookie": secret},
         "body": {"error_code": secret, "error_msg": secret}},
    ]  # fmt: skip
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join(json.dumps(record) for record in records) + "\n")
    url = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77/connector/tasks/194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
    body = {**seed, "create_time": OWN_TOKEN, "task_name": secret}
    entry = {
        "request": {"method": "GET", "url": url, "headers": [{"name": "X-Auth-Token", "value": OWN_TOKEN},
                                                            {"name": "Authorization", "value": secret}]},
        "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "content": {"mimeType": "application/json", "encoding": "base64",
                                 "text": base64.b64encode(json.dumps(body).encode()).decode()}},
    }  # fmt: skip
    har = tmp_path / "capture.har"
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": [entry]}}))
    return [str(log), str(har)]


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_credential_is_masked_in_every_format(shape: str, document: dict, tmp_path: Path) -> None:
    seed = response_examples(document)["kafkaReplicatorSource"]
    inputs = _capture(tmp_path, seed, SHAPES[shape])
    for fmt in FORMATS:
        for strict in ([], ["--strict"]):
            result = run("validate", "--format", fmt, "-v", *strict, *inputs)
            assert result.code == 1
            shown = result.out + result.err
            for piece in [*_pieces(SHAPES[shape]), OWN_TOKEN[:8]]:
                assert piece not in shown, (fmt, strict, piece)
            if fmt in ("text", "json"):
                assert MASKED in shown, fmt  # the value was there, masked, not dropped silently


def test_what_is_no_credential_stays_readable() -> None:
    for value in READABLE:
        assert mask(value) == value
        assert mask(f"value {json.dumps(value)} at /x") == f"value {json.dumps(value)} at /x"
    for secret in SHAPES.values():
        assert mask(secret) != secret


@pytest.mark.parametrize("fmt", ["json", "jsonl", "junit"])
def test_a_storm_of_credentials_is_masked_on_every_line(fmt: str, document: dict, tmp_path: Path) -> None:
    """Lines alike but for a credential in a wrong-typed field, a new one on each line: the lines a probe holds for
    have their messages remade from each line's value, and each is masked as the first line's is."""
    seed = response_examples(document)["kafkaReplicatorSource"]
    secrets = [f"{SHAPES['secret key'][:-4]}{number:04d}" for number in range(60)]
    log = tmp_path / "storm.jsonl"
    log.write_text("".join(json.dumps({**seed, "create_time": secret}) + "\n" for secret in secrets))
    result = run("validate", "--format", fmt, str(log))
    assert result.code == 1
    for secret in secrets:
        assert secret[:16] not in result.out
    assert result.out.count(MASKED) >= len(secrets)


@settings(max_examples=500, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(["Bearer " + "a" * 20, "AKIA" + "B" * 16, "x" * 70, "\x00\u2028\ud7ff"]),
            st.integers(),
            st.floats(allow_nan=False),
            st.booleans(),
            st.none(),
            st.lists(st.integers(), max_size=3),
            st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
        ),
        max_size=8,
    ),
    name=st.sampled_from(["", "create_time", "password", "x_auth_token"]),
)
def test_previews_of_many_values_are_each_ones_preview(values: list[object], name: str) -> None:
    """The previews of a run of held lines, made together, are what preview() makes of each: short strings take
    a shorter way, and every credential is masked as before."""
    assert previews(values, name) == [preview(value, name) for value in values]


@settings(max_examples=500, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.text(alphabet=st.sampled_from('ab",\\\n\x00\u2028é'), max_size=16),
            st.text(alphabet=st.characters(), max_size=20),  # lone surrogates too
            st.sampled_from(["Bearer " + "a" * 20, "AKIA" + "B" * 16, "x" * 70, '","', "\\"]),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_previews_of_strings_written_as_one_array_are_each_ones_preview(values: list[str]) -> None:
    """Strings are previewed together, written as one JSON array and cut where `","` stands: quotes, commas and
    backslashes inside them, lone surrogates and credentials each come out as preview() shows them alone."""
    assert previews(values) == [preview(value) for value in values]
