from intowork.core.errors import BadRequest


class EmailAlreadyRegistered(BadRequest):
    detail = "Email already registered"
