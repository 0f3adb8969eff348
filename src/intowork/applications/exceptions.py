from intowork.core.errors import BadRequest, Conflict, Forbidden, NotFound


class ApplicationNotFound(NotFound):
    detail = "Application not found"


class NoAccessToApplication(Forbidden):
    detail = "You do not have access to this application"


class JobNotAcceptingApplications(BadRequest):
    detail = "This job is not accepting applications"


class AlreadyApplied(BadRequest):
    detail = "You have already applied to this job"


class CannotWithdraw(BadRequest):
    detail = "Cannot withdraw an application that has been accepted or rejected"


class InvalidApplicationTransition(Conflict):
    def __init__(self, current: str, requested: str) -> None:
        super().__init__(
            "Cannot change application status from {current} to {requested}",
            params={"current": current, "requested": requested},
        )
