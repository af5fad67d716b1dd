from django.conf import settings

from .nav import nav_items_for
from .textsize import text_size_of


def platform(request):
    user = getattr(request, "user", None)
    context = {
        "platform_name": settings.PLATFORM_NAME,
        "supervision_hotline": settings.SUPERVISION_HOTLINE,
        # Rendered on <html> by the server, so a page opens at the chosen size without a flash.
        "text_size": text_size_of(request),
    }
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_items_for(user, request.path)
        context["unread_notices"] = user.notifications.filter(read_at__isnull=True).count()
        context["user_roles"] = [a.get_role_display() for a in user.role_assignments.all()]
    return context
