"""The scanned materials of an application: checked from their content, never trusted by name."""

import hashlib

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from eldercare.errors import Conflict, NotAllowed, ValidationFailed
from eldercare.models import Role, User
from eldercare.uploads import KINDS, check_upload
from subsidies.applications.models import (
    Application,
    Material,
    MaterialType,
)

from .review import in_scope


def material_upload(*, application: Application, material_type: str, upload: UploadedFile, by: User) -> Material:
    """Store one scanned material after checking its size and its content (a real PDF or image)."""

    if not (by.has_role(Role.COMMUNITY_WORKER) and in_scope(by, application.community_id)):
        raise NotAllowed(_("Materials are uploaded by a worker of the elder's community."))
    if not application.is_open:
        raise Conflict(_("The case is closed; materials can no longer be added."))
    if material_type not in MaterialType.values:
        raise ValidationFailed(_("Choose the kind of material."))
    kind = KINDS[check_upload(upload)]
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    material = Material(
        application=application,
        material_type=material_type,
        original_name=(upload.name or "")[-200:],
        content_type=kind.mime,
        extension=kind.extension,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
    )
    material.file.save("upload", upload, save=False)
    material.save()
    return material
