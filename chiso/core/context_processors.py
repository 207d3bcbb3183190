"""What the navigation needs to know about the person looking at a page."""

from typing import Any

from django.http import HttpRequest

from chiso.accounts import access
from chiso.accounts.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": access.is_admin(user),
        # Leaders read the review queue too (counts, who has not submitted yet).
        "nav_reviews": access.is_admin(user)
        or access.has_role(user, Role.REVIEWER)
        or access.has_role(user, Role.LEADER),
        "nav_dashboard": access.can_see_dashboard(user),
        "nav_reads_all": access.is_admin(user) or access.has_role(user, Role.LEADER),
    }
