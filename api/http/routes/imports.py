"""`POST /v1/imports`: the same import as `voucher-ledger import KIND FILE` (``importer/``), for the province.

The file is the request body (CSV or XLSX, any content type) or the part named ``file`` of a multipart form;
``kind`` is a query parameter (or a form field). The answer is the run's summary and every row error; a file with a
refused row writes nothing and is answered 422 ``IMPORT_ROWS_REFUSED`` with the same fields. Rows are recorded at the
service clock's now by the caller; only a training store takes a file's recorded times and actors
(``importer/recorded.py``).

With an Idempotency-Key the answer is kept under the key (``writer.answered_once.keep_answer``): the same key with
the same file (its SHA-256) and options gets that answer again and changes nothing; with another file or other
options it is refused (409 ``IDEMPOTENCY_KEY_REUSED``) before anything is decided. An interrupted import (503) keeps
no answer: the same key continues it.

The rows are written through the import's own unit of work on the service's ledger, beside the group-commit writer:
if both change one record at once, the later commit is refused and decided again from the store (costs time, never
correctness: writer/group_commit.py).
"""

from __future__ import annotations

import hashlib
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.http.dependencies import Call, call
from api.http.problems import REPLAYED, ApiError, problem
from importer.kinds import KINDS
from importer.report import ImportResult, problem_zh, refusal_sentence
from importer.run import ImportInterrupted, kind_named, run_import
from writer.answered_once import earlier_answer, keep_answer

router = APIRouter(tags=["bulk import"])
MAX_BYTES = 200 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RowErrorOut(BaseModel):
    row: int
    column: str
    code: str
    problem_zh: str = Field(description="the code said in Chinese, as the error report's 问题 column says it")
    message: str


class ImportOut(BaseModel):
    kind: str
    file_name: str
    sha256: str
    format: str
    rows: int
    already_imported: int
    refused_before: list[int]  # rows of an earlier partial import of the file that were refused (not retried)
    decided: int
    written: int
    refused_rows: int
    dry_run: bool
    partial: bool
    errors: list[RowErrorOut]


def _answer(result: ImportResult, partial: bool) -> dict[str, Any]:
    """The answer kept under an Idempotency-Key too: its status, a refusal's detail, and the body."""
    body = {**result.summary(), "errors": [vars(e) for e in result.errors]}
    if result.errors and not partial:
        return {"status": 422, "detail": refusal_sentence(result), "body": body}
    return {"status": 200, "body": body}


def _response(answer: dict[str, Any], request: Request, *, replayed: bool = False) -> Response:
    body = answer["body"]
    for error in body["errors"]:  # an answer kept before the report said each problem in Chinese
        error.setdefault("problem_zh", problem_zh(error["code"]))
    if answer["status"] == 422:
        response: Response = problem(422, "IMPORT_ROWS_REFUSED", answer["detail"], request, **body)
    else:
        response = JSONResponse(body)
    if replayed:
        response.headers[REPLAYED] = "true"
    return response


def _file_of(content_type: str, body: bytes) -> tuple[bytes, str | None, str | None]:
    """(file bytes, its name, a kind given as a form field) from a multipart form, else the body itself."""
    if not content_type.lower().startswith("multipart/form-data"):
        return body, None, None
    message = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n"
                                                  + body)
    data, name, kind = None, None, None
    for part in message.iter_parts():
        field = part.get_param("name", header="content-disposition")
        if field == "file":
            data, name = part.get_payload(decode=True), part.get_filename()
        elif field == "kind":
            kind = (part.get_payload(decode=True) or b"").decode().strip()
    if data is None:
        raise ApiError(400, "MALFORMED_BODY", "a multipart import needs a part named 'file'")
    return data, name, kind


@router.post("/imports", response_model=ImportOut,
             summary="Import a register (CSV or XLSX): each row a command; all or nothing unless partial",
             responses={422: {"description": "rows refused (IMPORT_ROWS_REFUSED: nothing written), or a bad request"}},
             openapi_extra={"requestBody": {"required": True, "description": "the file: CSV or XLSX, or a multipart "
                                            "form whose part 'file' is the file (and 'kind' the kind)",
                                            "content": {
                                                "text/csv": {"schema": {"type": "string"}},
                                                XLSX: {"schema": {"type": "string", "format": "binary"}},
                                                "multipart/form-data": {"schema": {
                                                    "type": "object", "required": ["file"],
                                                    "properties": {"file": {"type": "string", "format": "binary"},
                                                                   "kind": {"type": "string"}}}}}}})
async def import_file(
    request: Request,
    kind: str | None = Query(None, description=f"one of: {', '.join(KINDS)}"),
    dry_run: bool = Query(False, description="decide every row, write nothing"),
    partial: bool = Query(False, description="write the rows that pass, report the others"),
    file_name: str | None = Query(None, max_length=200, description="the file's name, kept with its provenance"),
    c: Call = Depends(call),
):
    c.allow("province", what="import registers")
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ApiError(400, "MALFORMED_BODY", f"an import file may be at most {MAX_BYTES} bytes")
    data, part_name, form_kind = _file_of(request.headers.get("content-type", ""), body)
    kind = kind or form_kind
    try:
        kind_named(kind or "")
    except ValueError as exc:
        raise ApiError(422, "INVALID_INPUT", str(exc)) from None
    if dry_run and partial:
        raise ApiError(422, "INVALID_INPUT", "a dry run decides every row: it cannot also be partial")
    if not data:
        raise ApiError(400, "MALFORMED_BODY", "the body is empty: send the CSV or XLSX file")
    by = c.by()
    ledger = c.ledger
    name = file_name or part_name or "upload"
    key = None
    if c.idempotency_key is not None:
        key = c.key_for({"kind": kind, "dry_run": dry_run, "partial": partial, "file_name": name,
                         "sha256": hashlib.sha256(data).hexdigest()})
        if isinstance(key, Response):
            return key
        earlier = await run_in_threadpool(earlier_answer, ledger, key)
        if earlier is not None:
            return _response(earlier.value, request, replayed=True)
    try:
        result = await run_in_threadpool(run_import, ledger, kind, data, file_name=name, actor=by.actor, now=by.at,
                                         dry_run=dry_run, partial=partial)
    except ImportInterrupted as exc:
        raise ApiError(503, exc.code, str(exc)) from None
    answer = _answer(result, partial)
    if key is not None:
        earlier = await run_in_threadpool(keep_answer, ledger, key, by, answer)
        if earlier is not None:  # another request under the key was answered while this one ran
            return _response(earlier.value, request, replayed=True)
    return _response(answer, request)

