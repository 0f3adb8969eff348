from intowork.core.errors import NotFound


class NotificationNotFound(NotFound):
    """Missing or someone else's: both answer the same 404."""

    detail = "Notification not found"
