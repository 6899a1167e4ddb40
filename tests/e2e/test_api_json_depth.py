"""Request bodies nested too deep: 400 problem+json ``JSON_TOO_DEEP`` on both stores, found by a scan that neither
recurses nor buffers (api/http/json_depth.py); its depth is cross-checked against a recursive count of the parsed
document, fed in every split of chunks."""

from __future__ import annotations

import json
import random

import pytest

from api.http.json_depth import DepthScanner
from tests.support.api_helpers import (
    FOSHAN, START, assert_problem, module_store_settings, ok, patched_clock, running_api, store_params,
)


def depth(value) -> int:
    """Nesting of a parsed document: a scalar 0, [] or {} 1, and so on."""
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


def random_document(rng: random.Random, levels: int):
    tricky = ['a"b', "[[[", "}}]]", "back\\slash", '\\"[', "引号\"{", "end\\"]
    if levels == 0 or rng.random() < 0.2:
        return rng.choice([rng.choice(tricky), 7, None, True, 1.5])
    if rng.random() < 0.5:
        return [random_document(rng, levels - 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(tricky) + str(i): random_document(rng, levels - 1) for i in range(rng.randint(0, 3))}


def scanned_depth(text: bytes, cuts: list[int], *, told_last: bool = False) -> int:
    """The smallest limit the scanner lets the text pass, fed in the chunks ``cuts`` makes (``told_last``: the
    last chunk is fed as such, as the middleware feeds a body's last message)."""
    for limit in range(0, 40):
        scanner = DepthScanner(limit)
        bounds = [0, *cuts, len(text)]
        if all(scanner.feed(text[a:b], last=told_last and b == len(text)) for a, b in zip(bounds, bounds[1:])):
            return limit
    raise AssertionError("deeper than 40")


def test_the_scan_measures_what_a_recursive_count_of_the_document_measures():
    rng = random.Random(17)
    for _ in range(300):
        document = random_document(rng, rng.randint(0, 8))
        text = json.dumps(document, ensure_ascii=rng.random() < 0.5).encode()
        cuts = sorted(rng.sample(range(1, len(text)), min(len(text) - 1, rng.randint(0, 6)))) if len(text) > 1 else []
        assert scanned_depth(text, cuts) == depth(document), (text, cuts)
        assert scanned_depth(text, cuts, told_last=True) == depth(document), (text, cuts)
    for cut in range(1, 6):  # an escape split from the character it escapes, at every place
        text = b'["\\\\", "\\"[", []]'
        assert scanned_depth(text, [cut]) == 2 and scanned_depth(text, list(range(1, len(text)))) == 2


@pytest.fixture(scope="module", params=store_params())
def world(request, tmp_path_factory):
    settings = module_store_settings(request, tmp_path_factory)
    with patched_clock(START) as clock, running_api(settings, clock) as api:
        yield api


def post_json(world, path: str, body: bytes, **headers: str):
    return world.client.post(path, content=body, headers={"Content-Type": "application/json", **headers})


def test_a_body_nested_too_deep_is_refused_before_it_is_parsed(world):
    limit = world.settings.api_max_json_depth
    hostile = b"[" * 200_000 + b"]" * 200_000  # a RecursionError for a recursive parser
    for headers in ({}, world.auth("province")):  # with or without a token: refused for the body alone
        answer = post_json(world, "/v1/enterprises", hostile, **headers)
        problem = assert_problem(answer, 400, "JSON_TOO_DEEP", instance="/v1/enterprises")
        assert str(limit) in problem["detail"]
    deep_object = ('{"a":' * (limit + 1) + "1" + "}" * (limit + 1)).encode()
    assert_problem(post_json(world, "/v1/carrier-rates", deep_object, **world.auth("province")), 400, "JSON_TOO_DEEP")
    # at the limit the body is parsed, and refused (or not) for what it says
    at_limit = ('{"a":' * limit + "1" + "}" * limit).encode()
    assert_problem(post_json(world, "/v1/enterprises", at_limit, **world.auth("province")), 422, "INVALID_INPUT")


def test_brackets_inside_strings_do_not_count(world):
    name = "Factory [[[[{{{{" * 20 + '"\\'
    body = {"uscc": world.new_uscc(FOSHAN), "name": name, "city": FOSHAN, "carrier": "CHINA_MOBILE",
            "established_on": "2010-06-01"}
    created = ok(post_json(world, "/v1/enterprises", json.dumps(body).encode(), **world.headers("province")), 201)
    assert created


def test_a_file_sent_to_the_import_route_is_not_taken_for_json(world):
    spreadsheet = b"PK\x03\x04" + b'["[{' * 5_000  # binary, no content type: brackets and quotes by chance
    answer = world.client.post("/v1/imports", params={"kind": "claims"}, content=spreadsheet,
                               headers=world.auth("province"))
    assert answer.status_code != 400 or answer.json()["code"] != "JSON_TOO_DEEP", answer.text
    assert answer.status_code not in (413, 500), answer.text
