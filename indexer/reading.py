"""Read a file's bytes into text defensively: size limit, binary and encoding checks.

Every failure becomes a `SkipDocument` whose message names the problem, so one bad file
is reported and skipped instead of stopping an indexing run.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from .documents import Retracted, SkipDocument

MAX_FILE_BYTES = 5 * 1024 * 1024  # larger files are not documents of this archive
_HTML_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # all but tab and newlines
_CONTROL_BYTES = bytes(range(0x20)).translate(None, b"\t\n\r") + b"\x7f"


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Return the file's bytes, refusing files that are too large or unreadable.

    :raises SkipDocument: with a reason a user can act on.
    """
    try:
        info = os.stat(path)
        # A FIFO or device named *.md would block the run on open() or never end.
        if not stat.S_ISREG(info.st_mode):
            raise SkipDocument("not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size > max_bytes:
            raise SkipDocument(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit")
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except SkipDocument:
        raise
    except OSError as error:
        raise SkipDocument(f"cannot read file: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise SkipDocument(f"file grew over the {max_bytes:,}-byte limit while reading")
    if not data.strip():
        raise Retracted("file is empty")
    return data


def decode_text(data: bytes, *, html: bool = False) -> str:
    """Decode UTF-8 (with or without BOM) or BOM-marked UTF-16; refuse binary data.

    HTML pages may also declare another charset in a `<meta>` tag, which is honoured.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _clean(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise SkipDocument("file starts with a UTF-16 mark but is not valid UTF-16") from None
    if b"\x00" in data:
        raise SkipDocument("file contains NUL bytes: binary data, not a text document")
    try:
        return _clean(data.decode("utf-8-sig"), has_controls=_has_control_bytes(data))
    except UnicodeDecodeError as error:
        declared = _HTML_CHARSET.search(data[:4096]) if html else None
        if declared:
            try:
                return _clean(data.decode(declared.group(1).decode("ascii")))
            except (LookupError, UnicodeDecodeError):
                pass
        raise SkipDocument(
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "re-save the file as UTF-8"
        ) from None


def _clean(text: str, *, has_controls: bool = True) -> str:
    """Normalise line endings and drop control characters other than tab and newline.

    :param has_controls: False when the caller knows there are none to drop.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text) if has_controls else text


def _has_control_bytes(data: bytes) -> bool:
    """Whether UTF-8 data holds a control character `_clean` drops.

    In UTF-8 each such character is a byte of its own, and `bytes.translate` finds them
    7x faster than the regex scans the text: nearly every file has none.
    """
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)
