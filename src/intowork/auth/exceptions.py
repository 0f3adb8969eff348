from intowork.core.errors import BadRequest, Forbidden, Unauthorized


class InvalidCredentials(Unauthorized):
    detail = "Invalid email or password"


class InvalidToken(Unauthorized):
    detail = "Invalid or expired token"


class InactiveAccount(Forbidden):
    detail = "Account is inactive"


class InvalidRefreshToken(Unauthorized):
    detail = "Invalid or revoked refresh token"


class RefreshTokenReused(InvalidRefreshToken):
    # The family revocation is the point: it is committed although the request fails.
    commit_changes = True


class WrongRole(Forbidden):
    pass


class IncorrectCurrentPassword(BadRequest):
    detail = "Current password is incorrect"


class IncorrectPassword(BadRequest):
    detail = "Password is incorrect"


class EmailInUse(BadRequest):
    detail = "Email already in use"


class InvalidResetToken(BadRequest):
    detail = "Invalid or expired reset token"


class ResetTokenUsed(BadRequest):
    detail = "This reset token has already been used"


class ResetTokenExpired(BadRequest):
    detail = "This reset token has expired"
