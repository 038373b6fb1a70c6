"""Streaming a user's file in chunks, within a size and row cap, with invalid bytes reported by row.

    >>> for chunk in csv_chunks(Path("ventes.csv.gz"), Limits()):   # text frames, index = 0-based data row
    ...     ...

The decompressed stream is counted as it is read, so a small gzip that expands to gigabytes stops at
``MAX_FILE_BYTES`` after reading that much, with memory bounded by one chunk. Text is decoded as UTF-8
(a BOM is skipped); a file whose first non-ASCII byte is not UTF-8 is read as Windows-1252 (what French
tills and Excel write), while a byte that fits neither is refused with its row.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pandas as pd

from ml.data.limits import Limits
from ml.errors import DataFormatError, DataValidationError

CHUNK_ROWS = 200_000
_BLOCK = 1 << 20
_OPENERS = {".gz": gzip.open, ".xz": lzma.open, ".bz2": bz2.open}
READ_ERRORS = (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile)


class _TooLarge(Exception):
    """Raised inside the stream, turned into a DataFormatError naming MAX_FILE_BYTES."""


def open_binary(path: Path) -> IO[bytes]:
    """The decompressed bytes of ``path`` (.gz, .xz, .bz2, a one-file .zip, or plain)."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        archive = zipfile.ZipFile(path)
        members = [m for m in archive.namelist() if not m.endswith("/")]
        if len(members) != 1:
            raise DataFormatError(f"{path.name}: a .zip must hold exactly one file (it holds {len(members)})",
                                  path=str(path))
        return archive.open(members[0])
    return _OPENERS.get(suffix, open)(path, "rb")


class CappedText(io.TextIOBase):
    """Text of a binary stream, decoded incrementally; counts bytes and lines to cap the size and name rows."""

    def __init__(self, raw: IO[bytes], max_bytes: int, name: str):
        self._raw, self._max, self._name = raw, max_bytes, name
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self._encoding = "utf-8"
        self._seen_utf8 = False  # a valid multi-byte UTF-8 sequence was read: the file is UTF-8
        self._bytes = 0
        self._lines = 0  # newlines read so far: the 0-based line of the next byte
        self._buffer = ""
        self._eof = False

    def readable(self) -> bool:
        return True

    def _decode(self, block: bytes, final: bool) -> str:
        try:
            text = self._decoder.decode(block, final)
        except UnicodeDecodeError as exc:
            data = exc.object  # the decoder's pending bytes (never a newline) + this block
            if self._encoding == "utf-8" and not self._seen_utf8 and max(data[:exc.start], default=0) < 128:
                # only ASCII so far, identical in both encodings: go on in Windows-1252
                self._encoding = "cp1252"
                self._decoder = codecs.getincrementaldecoder("cp1252")("strict")
                return self._decode(data, final)
            row = self._lines + data[:exc.start].count(b"\n")
            bad = data[exc.start:exc.end]
            kind = "not UTF-8, in a UTF-8 file" if self._encoding == "utf-8" else "neither UTF-8 nor Windows-1252"
            raise DataValidationError(
                f"row {row}: invalid bytes {bad!r} in {self._name} ({kind}); save the file as CSV UTF-8",
                row=row, column=None, value=bad) from None
        if self._encoding == "utf-8" and not self._seen_utf8 and not text.isascii():
            self._seen_utf8 = True
        return text

    def _fill(self, wanted: int) -> None:
        while not self._eof and (wanted < 0 or len(self._buffer) < wanted):
            block = self._raw.read(_BLOCK)
            self._bytes += len(block)
            if self._bytes > self._max:
                raise _TooLarge(self._bytes)
            self._eof = not block
            self._buffer += self._decode(block, final=self._eof)
            self._lines += block.count(b"\n")

    def read(self, size: int | None = -1) -> str:
        size = -1 if size is None else size
        self._fill(size)
        if size < 0:
            out, self._buffer = self._buffer, ""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    def readline(self, size: int | None = -1) -> str:
        while "\n" not in self._buffer and not self._eof:
            self._fill(len(self._buffer) + _BLOCK)
        end = self._buffer.find("\n")
        end = len(self._buffer) if end < 0 else end + 1
        out, self._buffer = self._buffer[:end], self._buffer[end:]
        return out

    def close(self) -> None:
        self._raw.close()
        super().close()


def _header(path: Path, limits: Limits) -> str:
    with CappedText(open_binary(path), limits.max_file_bytes, path.name) as text:
        return text.readline()


def _too_large(path: Path, limits: Limits, read: int) -> DataFormatError:
    return DataFormatError(
        f"{path.name} is larger than MAX_FILE_BYTES={limits.max_file_bytes:,} bytes once decompressed "
        f"(stopped after {read:,}); nothing was imported. Split the file, or raise MAX_FILE_BYTES",
        path=str(path))


def _too_many_rows(path: Path, limits: Limits) -> DataFormatError:
    return DataFormatError(f"{path.name} has more than MAX_ROWS={limits.max_rows:,} rows; nothing was imported. "
                           f"Split the file, or raise MAX_ROWS", path=str(path))


def csv_chunks(path: Path, limits: Limits, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The CSV's rows as text, in chunks; index = 0-based data row of the file; raises past a cap."""
    try:
        header = _header(path, limits)
        sep = max((";", ",", "\t", "|"), key=header.count) if header.strip() else ","
        rows = 0
        with CappedText(open_binary(path), limits.max_file_bytes, path.name) as text:
            reader = pd.read_csv(text, sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                                 chunksize=chunk_rows)
            for chunk in reader:
                rows += len(chunk)
                if rows > limits.max_rows:
                    raise _too_many_rows(path, limits)
                yield chunk
    except _TooLarge as exc:
        raise _too_large(path, limits, int(exc.args[0])) from None
    except pd.errors.EmptyDataError:
        return
    except (*READ_ERRORS, ValueError, pd.errors.ParserError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc


def read_parquet_capped(path: Path, limits: Limits) -> pd.DataFrame:
    """A Parquet file, refused before reading when its metadata says it breaks MAX_ROWS or MAX_FILE_BYTES."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        if meta.num_rows > limits.max_rows:
            raise _too_many_rows(path, limits)
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if size > limits.max_file_bytes:
            raise _too_large(path, limits, size)
        return pd.read_parquet(path)
    except DataFormatError:
        raise
    except (*READ_ERRORS, ValueError) as exc:
        raise DataFormatError(f"cannot read {path}: {exc}", path=str(path)) from exc
