from intowork.core.errors import Forbidden


class CannotJoinCompany(Forbidden):
    detail = "You cannot join this company"
