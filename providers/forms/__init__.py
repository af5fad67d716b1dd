"""Forms of the providers app, one module per area."""

from .orders import AssignForm, BookForm, CodeForm, ReasonForm
from .quality import CallbackForm, ContactForm

__all__ = ["AssignForm", "BookForm", "CallbackForm", "CodeForm", "ContactForm", "ReasonForm"]
