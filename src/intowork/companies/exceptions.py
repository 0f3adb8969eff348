from intowork.core.errors import NotFound


class CompanyNotFound(NotFound):
    detail = "Company not found"
