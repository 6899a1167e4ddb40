"""A workbook's bytes that depend on its content alone, never on when it was written.

openpyxl stamps ``docProps/core.xml`` (created, modified) and every zip entry with the wall clock, so two exports of
the same figures differ in bytes and in the manifest's SHA-256, and an auditor comparing two exports (or a resumed one
with an uninterrupted one) sees a change where there is none. The entries are written again in the same order with
the zip format's earliest time, and the document's times are the figures' own (their as-of or known-at moment).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
CORE = "docProps/core.xml"
_STAMP = re.compile(r"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def workbook_bytes(workbook: Any, moment: datetime | None) -> bytes:
    """The saved ``workbook``; its document properties dated ``moment`` (none: the zip epoch)."""
    saved = io.BytesIO()
    workbook.save(saved)
    stamp = (moment.astimezone(UTC) if moment is not None else datetime(*ZIP_EPOCH, tzinfo=UTC))
    text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == CORE:
                data = _STAMP.sub(lambda m: f"{m.group(1)}{text}{m.group(2)}", data.decode("utf-8")).encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type, entry.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()


def save_workbook(workbook: Any, path: Path, moment: datetime | None) -> None:
    path.write_bytes(workbook_bytes(workbook, moment))
