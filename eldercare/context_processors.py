from django.conf import settings

from .nav import nav_items_for


def platform(request):
    user = getattr(request, "user", None)
    context = {"platform_name": settings.PLATFORM_NAME, "supervision_hotline": settings.SUPERVISION_HOTLINE}
    if user is not None and user.is_authenticated:
        context["nav_items"] = nav_items_for(user)
        context["unread_notices"] = user.notifications.filter(read_at__isnull=True).count()
        context["user_roles"] = [a.get_role_display() for a in user.role_assignments.all()]
    return context
