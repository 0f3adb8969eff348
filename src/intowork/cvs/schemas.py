from datetime import datetime

from intowork.core.schemas import Message, ResponseSchema


class CvUploadResponse(ResponseSchema):
    message: Message
    filename: str
    size: int
    candidate_id: int
    cv_id: int


class CvItem(ResponseSchema):
    id: int
    filename: str
    file_size: int
    is_active: bool
    created_at: datetime
