"""Uploads larger than Django keeps in memory (``FILE_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB) are spooled encrypted,
never in clear: each block is sealed (AES-256-GCM) as it arrives, with a key made for that upload and held only
in the server's memory, into a file of ``FILE_UPLOAD_TEMP_DIR`` (if set; else the data folder's ``uploads``)
that has no name in the folder (it disappears when closed, or when the process ends however it ends). The view
reads the upload as any other, decrypted block by block; a file altered on disk is refused."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from habeas.core.env import data_dir

BLOCK = 64 * 1024  # plaintext bytes per sealed block (the last one shorter)
_LENGTH = struct.Struct(">I")


class UploadSpoolError(OSError):
    """The spooled upload was altered on disk while it was received."""


def _nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


class _SealedSpool:
    """The file object of a spooled upload: written block by block while it arrives, then read (and sought) as
    plain bytes."""

    def __init__(self) -> None:
        folder = Path(settings.FILE_UPLOAD_TEMP_DIR or data_dir() / "uploads")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.handle: IO[bytes] = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 (closed with the upload)
        self.aead = AESGCM(AESGCM.generate_key(bit_length=256))
        self.offsets: list[int] = []  # where each sealed block starts in the file
        self.pending = bytearray()
        self.size = 0
        self.position = 0
        self.mode = "rb"

    # writing, while the upload arrives
    def write(self, data: bytes) -> None:
        self.pending += data
        while len(self.pending) >= BLOCK:
            self._seal(bytes(self.pending[:BLOCK]))
            del self.pending[:BLOCK]

    def finish(self) -> None:
        if self.pending or not self.offsets:
            self._seal(bytes(self.pending))
            self.pending.clear()
        self.handle.flush()

    def _seal(self, block: bytes) -> None:
        sealed = self.aead.encrypt(_nonce(len(self.offsets)), block, None)
        self.handle.seek(0, os.SEEK_END)
        self.offsets.append(self.handle.tell())
        self.handle.write(_LENGTH.pack(len(sealed)) + sealed)
        self.size += len(block)

    # reading, by the view
    def _block(self, index: int) -> bytes:
        self.handle.seek(self.offsets[index])
        (length,) = _LENGTH.unpack(self.handle.read(_LENGTH.size))
        try:
            return self.aead.decrypt(_nonce(index), self.handle.read(length), None)
        except InvalidTag:
            raise UploadSpoolError("the uploaded file was altered on disk while it was received") from None

    def read(self, size: int | None = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self.position + size)
        parts = []
        while self.position < end:
            index, skip = divmod(self.position, BLOCK)
            part = self._block(index)[skip : skip + end - self.position]
            parts.append(part)
            self.position += len(part)
        return b"".join(parts)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.position, os.SEEK_END: self.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        return self.handle.closed

    def close(self) -> None:
        self.handle.close()


class SealedUploadedFile(UploadedFile):
    """An upload spooled encrypted (see the module)."""


class SealedFileUploadHandler(FileUploadHandler):
    """Spools a file upload encrypted as it arrives (after ``MemoryFileUploadHandler``, which keeps the small
    ones in memory)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.spool = _SealedSpool()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.spool.write(raw_data)

    def file_complete(self, file_size: int) -> SealedUploadedFile:
        self.spool.finish()
        return SealedUploadedFile(
            self.spool,  # type: ignore[arg-type]
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "spool"):
            self.spool.close()
