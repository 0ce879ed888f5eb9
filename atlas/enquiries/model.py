"""What an enquiry holds, and the checks on what the public sends.

An investor gives a name, an organisation (optional), a contact — a phone number or an e-mail
address, checked loosely — and what they need, and ticks the consent box; the form adds where
it was sent from (an entity's id, or the atlas link of a site-finder result).  Staff add a
status, an assignee and notes.  Nothing else is kept: no IP address, no browser, no cookie.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

STATUSES = ("new", "in_progress", "answered", "closed")
"""An enquiry's life: new → in progress (someone took it) → answered → closed."""

Status = Literal["new", "in_progress", "answered", "closed"]

MAX_NAME = 100
MAX_ORGANISATION = 200
MAX_CONTACT = 200
MAX_NEED = 2000
MAX_LINK = 500
MAX_NOTES = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE = re.compile(r"^(\+?[\d\s()\-.]+?)(?:\s*(?:转|ext\.?|x)\s*\d{1,6})?$", re.IGNORECASE)


def clean_text(value: object) -> object:
    """Text as stored: control characters dropped, line ends as ``\\n``, ends trimmed (other
    values are left for the field's type check to refuse)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    return value


def one_line(value: object) -> object:
    """:func:`clean_text`, then every run of white space as one space."""
    value = clean_text(value)
    return " ".join(value.split()) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(clean_text)]
Line = Annotated[str, BeforeValidator(one_line)]


def contact_kind(contact: str) -> str | None:
    """``"email"`` or ``"phone"`` if ``contact`` looks like one (loosely: a@b.cn; 7–15 digits,
    with + ( ) - . spaces and an extension allowed), else None."""
    if _EMAIL.match(contact):
        return "email"
    phone = _PHONE.match(contact)
    if phone and 7 <= sum(c.isdigit() for c in phone.group(1)) <= 15:
        return "phone"
    return None


def _length(value: str, name: str, limit: int) -> str:
    if len(value) > limit:
        raise PydanticCustomError("too_long", "{name}: at most {limit} characters (this one has "
                                  "{n})", {"name": name, "limit": limit, "n": len(value)})
    return value


class EnquiryForm(BaseModel):
    """What the public form sends (JSON or form fields); :func:`check_form` reads it."""

    model_config = ConfigDict(extra="ignore")

    name: Line
    organisation: Line = ""
    contact: Line
    need: Text
    entity: Line = ""
    link: Line = ""
    consent: bool
    lang: Literal["zh", "en"] = "zh"

    @field_validator("name", "need", "contact")
    @classmethod
    def _required(cls, value: str, info) -> str:
        if not value:
            raise PydanticCustomError("required", "{name}: required", {"name": info.field_name})
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _length(value, "name", MAX_NAME)

    @field_validator("organisation")
    @classmethod
    def _organisation(cls, value: str) -> str:
        return _length(value, "organisation", MAX_ORGANISATION)

    @field_validator("need")
    @classmethod
    def _need(cls, value: str) -> str:
        return _length(value, "need", MAX_NEED)

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: str) -> str:
        _length(value, "contact", MAX_CONTACT)
        if contact_kind(value) is None:
            raise PydanticCustomError("bad_contact", "contact: give a phone number (7–15 digits) "
                                      "or an e-mail address (got {value})", {"value": repr(value[:40])})
        return value

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        _length(value, "link", MAX_LINK)
        parts = urlsplit(value)
        if value and (not value.startswith("/") or value.startswith("//") or "\\" in value
                      or parts.scheme or parts.netloc):
            raise PydanticCustomError("bad_link", "link: the atlas path the enquiry was sent from, "
                                      "starting with / (such as a site-finder result's link)")
        return value

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if value is not True:
            raise PydanticCustomError("consent_required", "consent: tick the box to agree that "
                                      "the atlas team keeps these details to answer you")
        return value


class EnquiryError(Exception):
    """An enquiry refused: each problem as (field, code, message)."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__("; ".join(m for _, _, m in problems))
        self.problems = problems


def check_form(data: dict) -> EnquiryForm:
    """``data`` as an :class:`EnquiryForm`, or :class:`EnquiryError` naming every bad field."""
    data = {k: v for k, v in data.items() if not (k == "consent" and v in ("", None))}
    try:
        return EnquiryForm.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            name = str(error["loc"][0]) if error["loc"] else "body"
            code = error["type"]
            if code == "missing":
                code, message = ("consent_required", "consent: tick the box to agree that the "
                                 "atlas team keeps these details to answer you") \
                    if name == "consent" else ("required", f"{name}: required")
            elif code in ("string_type", "bool_type", "bool_parsing", "literal_error"):
                message = f"{name}: {error['msg']}"
            else:
                message = error["msg"]
            problems.append((name, code, message))
        raise EnquiryError(problems) from None


class Enquiry(BaseModel):
    """A stored enquiry (``number`` assigned by the storage, never reused)."""

    model_config = ConfigDict(frozen=True)

    number: int = 0
    time: str
    """When it was sent: UTC, ISO 8601, to the second."""
    name: str
    organisation: str = ""
    contact: str
    need: str
    entity_id: str = ""
    """The entity it is about: the profile it was sent from, or a site-finder result's park."""
    link: str = ""
    """The atlas path it was sent from, such as a site-finder result's shareable link ("" from
    a profile)."""
    lang: Literal["zh", "en"] = "zh"
    consent: bool = True
    """The sender agreed to the consent text (an enquiry is never stored without)."""
    status: Status = "new"
    assignee: str = ""
    """The staff user name it is assigned to ("" = nobody yet)."""
    notes: str = ""
    updated_by: str = ""
    updated_at: str = ""
