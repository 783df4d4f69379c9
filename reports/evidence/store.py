"""Evidence files in Django's storage (the file system by default, object storage when configured):
each stored once under its SHA-256, whoever uploads it and for whatever claim. Names are never the
uploader's, so no name can collide with, overwrite or reveal another file."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from reports.evidence.images import without_metadata
from reports.evidence.kinds import sniff
from reports.models import EvidenceFile


def storage_name(sha256: str, extension: str) -> str:
    return f"evidence/{sha256[:2]}/{sha256}.{extension}"


def store(name: str, data: bytes) -> EvidenceFile:
    """The EvidenceFile for these bytes, stored if they are new; EvidenceRefused (nothing stored)
    when they are no allowed evidence. An image is stored without its metadata."""
    kind = sniff(name, data)
    if kind.image:
        data = without_metadata(data, kind)
    digest = hashlib.sha256(data).hexdigest()
    existing = EvidenceFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    target = storage_name(digest, kind.extension)
    if not default_storage.exists(target):
        saved = default_storage.save(target, ContentFile(data))
        assert saved == target, "content-addressed names never collide"
    try:
        with transaction.atomic():
            return EvidenceFile.objects.create(sha256=digest, size=len(data), kind=kind.name, storage_name=target)
    except IntegrityError:  # the same bytes stored by a colleague a moment ago
        return EvidenceFile.objects.get(sha256=digest)


def read(file: EvidenceFile) -> bytes:
    with default_storage.open(file.storage_name, "rb") as handle:
        return handle.read()
