"""What the providers' pages share: running a service with a message, answering a PDF."""

from django.contrib import messages
from django.http import HttpResponse

from eldercare.errors import DomainError


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def run_service(request, fn, success: str, **kwargs):
    try:
        result = fn(**kwargs)
    except DomainError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result
