from intowork.core.errors import BadRequest, Conflict, Forbidden, NotFound


class JobNotFound(NotFound):
    detail = "Job not found"


class NotJobOwner(Forbidden):
    detail = "You do not own this job"


class NoCompany(BadRequest):
    detail = "Create or join a company before posting jobs"


class JobHasApplications(Conflict):
    detail = "Job has applications; close or archive it instead"


class InvalidJobTransition(Conflict):
    def __init__(self, current: str, requested: str) -> None:
        super().__init__(
            "Cannot change job status from {current} to {requested}",
            params={"current": current, "requested": requested},
        )
