"""E-mail templates: Jinja2, one plain-text and one HTML file per template and language.

The files live in `intowork/templates/email/<language>/<template>.{txt,html}`. The text file
also sets `subject`. Every file is read and compiled once, when the renderer is built (at
startup), so rendering inside a request is a few microseconds of CPU and never touches the disk.
HTML is autoescaped; the text part is not (it is not markup).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intowork.core.config import Settings
from intowork.core.i18n import Language
from intowork.models.enums import EmailTemplate

SUBJECT_MAX_LENGTH = 300  # email_outbox.subject
# Where each session finds the composer of its app (see `install_composer`).
SESSION_COMPOSER_KEY = "intowork.email_composer"


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class EmailRenderer:
    """All the templates, compiled up front."""

    def __init__(self) -> None:
        environment = Environment(
            loader=PackageLoader("intowork", "templates/email"),
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            undefined=StrictUndefined,  # a missing context key is a bug, not an empty string
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
        )
        self._templates: dict[tuple[EmailTemplate, Language, str], Template] = {
            (template, language, kind): environment.get_template(
                f"{language.value}/{template.value}.{kind}"
            )
            for template in EmailTemplate
            for language in Language
            for kind in ("txt", "html")
        }

    def render(
        self, template: EmailTemplate, language: Language, context: Mapping[str, Any]
    ) -> RenderedEmail:
        text_module = self._templates[template, language, "txt"].make_module(dict(context))
        # One line, whatever the template or a job title holds: it becomes a header.
        subject = " ".join(str(vars(text_module)["subject"]).split())[:SUBJECT_MAX_LENGTH]
        text = str(text_module).strip() + "\n"
        html = self._templates[template, language, "html"].render({**context, "subject": subject})
        return RenderedEmail(subject=subject, text=text, html=html)


@cache
def get_renderer() -> EmailRenderer:
    return EmailRenderer()


@dataclass(frozen=True, slots=True)
class EmailComposer:
    """The renderer with what every e-mail of a deployment shares: language, frontend URL."""

    renderer: EmailRenderer
    language: Language
    frontend_url: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "EmailComposer":
        return cls(
            renderer=get_renderer(),
            language=settings.email_language,
            frontend_url=settings.frontend_url.rstrip("/"),
        )

    def compose(
        self,
        template: EmailTemplate,
        context: Mapping[str, Any],
        *,
        language: Language | None = None,
    ) -> RenderedEmail:
        """In the recipient's stored `language`, else the deployment's EMAIL_LANGUAGE."""
        return self.renderer.render(
            template, language or self.language, {"frontend_url": self.frontend_url, **context}
        )


def install_composer(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> EmailComposer:
    """Every session of this sessionmaker can write e-mails to the outbox, in this language."""
    composer = EmailComposer.from_settings(settings)
    # Session(info=...) copies the dict into each new session's own `info`.
    sessionmaker.configure(info={SESSION_COMPOSER_KEY: composer})
    return composer


def composer_of(session: AsyncSession) -> EmailComposer:
    composer: EmailComposer | None = session.info.get(SESSION_COMPOSER_KEY)
    if composer is None:
        raise RuntimeError(
            "this session cannot write e-mails: its sessionmaker has no composer "
            "(intowork.email.templates.install_composer)"
        )
    return composer
