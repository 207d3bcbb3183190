"""What the navigation needs to know about the person looking at a page."""

from typing import Any

from django.http import HttpRequest

from chiso.accounts import access
from chiso.accounts.access import Perm


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": access.can(user, Perm.ADMINISTER),
        # Leaders read the review queue too (counts, who has not submitted yet).
        "nav_reviews": access.can(user, Perm.SEE_QUEUE),
        "nav_dashboard": access.can(user, Perm.SEE_DASHBOARD),
        "nav_reads_all": access.can(user, Perm.READ_ALL),
    }
