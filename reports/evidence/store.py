"""Evidence files in Django's storage (the file system by default, object storage when configured):
each stored once under its SHA-256, whoever uploads it and for whatever claim. Names are never the
uploader's, so no name can collide with, overwrite or reveal another file.

A file is deleted with its last use: when no claim of any report and no submission lists it any
more (`release`, run after the deleting transaction commits)."""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from reports.evidence.images import without_metadata
from reports.evidence.kinds import Kind, sniff
from reports.evidence.thumbnails import thumbnail
from reports.models import EvidenceFile


def storage_name(sha256: str, extension: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256}.{extension}"


def _put(name: str, data: bytes) -> None:
    if not default_storage.exists(name):
        saved = default_storage.save(name, ContentFile(data))
        assert saved == name, "content-addressed names never collide"


@dataclass(frozen=True)
class Prepared:
    """An upload as it will be stored: its kind, its bytes (an image's without metadata), their hash."""

    kind: Kind
    data: bytes
    sha256: str


def prepare(name: str, data: bytes) -> Prepared:
    """EvidenceRefused (nothing stored) when the bytes are no allowed evidence."""
    kind = sniff(name, data)
    if kind.image:
        data = without_metadata(data, kind)
    return Prepared(kind, data, hashlib.sha256(data).hexdigest())


def store(name: str, data: bytes | Prepared) -> EvidenceFile:
    """The EvidenceFile for these bytes, stored if they are new; EvidenceRefused (nothing stored)
    when they are no allowed evidence. An image is stored without its metadata."""
    prepared = data if isinstance(data, Prepared) else prepare(name, data)
    kind, data, digest = prepared.kind, prepared.data, prepared.sha256
    existing = EvidenceFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    target = storage_name(digest, kind.extension)
    _put(target, data)
    small = thumbnail(data, kind)
    thumbnail_name = ""
    if small is not None:
        thumbnail_name = f"evidence/{digest[:2]}/{digest}.thumb.png"
        _put(thumbnail_name, small)
    try:
        with transaction.atomic():
            return EvidenceFile.objects.create(sha256=digest, size=len(data), kind=kind.name, storage_name=target,
                                               thumbnail_name=thumbnail_name)
    except IntegrityError:  # the same bytes stored by a colleague a moment ago
        return EvidenceFile.objects.get(sha256=digest)


def read(file: EvidenceFile) -> bytes:
    with default_storage.open(file.storage_name, "rb") as handle:
        return handle.read()


def stored_exists(file: EvidenceFile, *, thumbnail: bool = False) -> bool:
    return default_storage.exists(file.thumbnail_name if thumbnail else file.storage_name)


def open_file(file: EvidenceFile, *, thumbnail: bool = False):
    return default_storage.open(file.thumbnail_name if thumbnail else file.storage_name, "rb")


def release(file_ids) -> int:
    """Delete the files of `file_ids` that nothing uses any more, bytes and row; how many were.

    Under the row's lock, rechecking its uses: a colleague attaching the same bytes at this moment
    waits for the lock (reports.evidence.attach), then finds the row gone and stores them anew."""
    deleted = 0
    for file_id in file_ids:
        with transaction.atomic():
            file = EvidenceFile.objects.select_for_update().filter(pk=file_id).first()
            if file is None or file.uses.exists() or file.submitted.exists():
                continue
            for name in (file.storage_name, file.thumbnail_name):
                if name:
                    default_storage.delete(name)
            file.delete()
        deleted += 1
    return deleted
