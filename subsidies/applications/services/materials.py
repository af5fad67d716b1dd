"""The scanned materials of an application: checked from their content, never trusted by name."""

import hashlib

import filetype
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role, User
from subsidies.applications.models import (
    Application,
    Material,
    MaterialType,
)

from ..rules import ALLOWED_UPLOADS, MAX_UPLOAD_BYTES
from .review import in_scope


def material_upload(*, application: Application, material_type: str, upload: UploadedFile, by: User) -> Material:
    """Store one scanned material after checking its size and its real type (from the content)."""

    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, application.community_id)):
        raise NotAllowed(_("Materials are uploaded by a worker of the elder's community."))
    if not application.is_open:
        raise Conflict(_("The case is closed; materials can no longer be added."))
    if material_type not in MaterialType.values:
        raise ValidationFailed(_("Choose the kind of material."))
    size = upload.size
    assert size is not None  # Django's upload handlers always set it; only a bare UploadedFile has none
    if size > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("The file is %(mb).1f MB; at most 10 MB is accepted.") % {"mb": size / 1024 / 1024})
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_UPLOADS:
        raise ValidationFailed(
            _("Only PDF, JPEG or PNG scans are accepted; “%(name)s” is %(kind)s.")
            % {"name": upload.name, "kind": kind.mime if kind else _("not a recognised file type")}
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    material = Material(
        application=application,
        material_type=material_type,
        original_name=(upload.name or "")[-200:],
        content_type=kind.mime,
        extension=ALLOWED_UPLOADS[kind.mime],
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    material.file.save("upload", upload, save=False)
    material.save()
    return material
