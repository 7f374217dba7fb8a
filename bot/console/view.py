"""What a console page's handler gets: who is signed in, the operations it may run, the form
it was sent, and how to answer with a page — all in the reader's language."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web
from multidict import MultiDict

from bot.access.csrf import same_token
from bot.access.permissions import Principal
from bot.access.roles import Permission
from bot.api.declare import Operation
from bot.api.invoke import body_from, invoke
from bot.api.services import ApiServices
from bot.channels.webchat.origin import refuse_other_sites
from bot.console.i18n import Language
from bot.settings import HttpSettings
from bot.staff_web.auth import SignedInStaff, StaffAuth

MAX_FIELD_CHARS = 20_000  # a decision's message in one language is far shorter
MAX_FIELDS = 500
MAX_FILE_BYTES = 256 * 1024  # a survey file (the API's limit)


class BadFormError(ValueError):
    """A post that is no form of ours, or not from its page: the message says which."""

    def __init__(self, message: str, *, forged: bool = False) -> None:
        super().__init__(message)
        self.forged = forged


@dataclass(frozen=True)
class Form:
    """A posted form: its text fields (a field may repeat: checkboxes) and its files."""

    fields: MultiDict[str]
    files: Mapping[str, bytes] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.fields.get(name, default)

    def getall(self, name: str) -> list[str]:
        return list(self.fields.getall(name, []))

    def file(self, name: str) -> bytes | None:
        return self.files.get(name)


@dataclass(frozen=True, slots=True)
class Banner:
    """A message the layout shows above every page (an open safety alert, say)."""

    text: str  # already in the reader's language
    link: str | None = None
    link_text: str = ""
    urgent: bool = False


class Console(Protocol):
    """What a page reaches of the console around it (`bot.console.site.Site`)."""

    @property
    def services(self) -> ApiServices: ...

    @property
    def http(self) -> HttpSettings: ...

    @property
    def auth(self) -> StaffAuth: ...

    @property
    def languages(self) -> Mapping[str, Language]: ...

    def operation(self, operation_id: str) -> Operation: ...

    def render(self, view: View, template: str, title: str, **context: Any) -> str: ...

    async def banners_for(self, view: View) -> list[Banner]: ...


BannerSource = Callable[["View"], Awaitable[Sequence[Banner]]]


@dataclass
class View:
    request: web.Request
    signed_in: SignedInStaff
    principal: Principal
    language: Language
    site: Console
    organisation_name: str = ""  # as the organisation calls itself (its id when it has none)

    @property
    def services(self) -> ApiServices:
        return self.site.services

    @property
    def csrf(self) -> str:
        return self.signed_in.session.csrf

    def gettext(self, message: str, **values: object) -> str:
        """`message` in the reader's language; `%(name)s` placeholders filled from `values`."""
        text = self.language.gettext(message)
        return text % values if values else text

    def may(self, permission: Permission) -> bool:
        return permission in self.principal.permissions

    async def invoke(
        self,
        operation_id: str,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | str | bytes | None = None,
    ) -> Any:
        """The API operation's answer for the signed-in principal: the same permission check,
        validation, audit and result as over HTTP. Raises ForbiddenError, NotFoundError and
        ApiError, which the site turns into pages unless the handler catches them."""
        operation = self.site.operation(operation_id)
        return await invoke(
            operation,
            self.services,
            self.principal,
            path=path or {},
            query=query or {},
            read_body=body_from(operation, body),
            face="console",
        )

    async def form(self) -> Form:
        """The posted form, once it is known to come from one of our pages with this
        session's token; else BadFormError (a 403 page)."""
        try:
            refuse_other_sites(self.request, self.site.http.public_url)
        except web.HTTPForbidden as refusal:
            raise BadFormError("not from this site", forged=True) from refusal
        if self.request.content_type not in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            raise BadFormError(self.gettext("Send the form from its page."))
        try:
            posted = await self.request.post()
        except (ValueError, LookupError) as error:
            raise BadFormError(
                self.gettext("The form could not be read: send it again.")
            ) from error
        fields: MultiDict[str] = MultiDict()
        files: dict[str, bytes] = {}
        for name, value in posted.items():
            if len(fields) + len(files) >= MAX_FIELDS:
                raise BadFormError(self.gettext("The form has too many fields."))
            if isinstance(value, str):
                if len(value) > MAX_FIELD_CHARS:
                    raise BadFormError(self.gettext("A field of the form is too long."))
                fields.add(name, value)
            elif isinstance(value, web.FileField) and name not in files:
                content = value.file.read(MAX_FILE_BYTES + 1)
                if len(content) > MAX_FILE_BYTES:
                    raise BadFormError(self.gettext("The file is too large."))
                files[name] = content
        if not same_token(self.csrf, fields.get("csrf", "")):
            raise BadFormError("no valid form token", forged=True)
        return Form(fields, files)

    def render(
        self, template: str, title: str, *, status: int = 200, **context: Any
    ) -> web.Response:
        return web.Response(
            text=self.site.render(self, template, title, **context),
            status=status,
            content_type="text/html",
        )

    def redirect(self, location: str) -> web.HTTPSeeOther:
        """Raise it: after a change, the browser loads the page that shows the result."""
        return web.HTTPSeeOther(location)

    def template_globals(self) -> dict[str, Any]:
        """What every console template may use."""
        return {
            "view": self,
            "csrf": self.csrf,
            "language": self.language,
            "may": self.may,
            "Permission": Permission,
            "number": self.language.number,
            "percent": self.language.percent,
            "date": self.language.date,
            "moment": self.language.moment,
        }
