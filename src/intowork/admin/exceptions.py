from intowork.core.errors import BadRequest, NotFound


class UserNotFound(NotFound):
    detail = "User not found"


class CannotDeactivateSelf(BadRequest):
    detail = "You cannot deactivate your own account"


class CannotDeleteSelf(BadRequest):
    detail = "You cannot delete your own account"
