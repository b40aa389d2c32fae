"""Rendering messages with sandboxed Jinja2 templates, per purpose, channel part and locale.

Built-in templates (``templates/*.j2``) compose localized strings (``templates/locales/
<locale>.toml``: en, es, fr, de, pt-BR). An operator directory (``PASSGATE_TEMPLATE_DIR``)
overrides any of them; names are tried most specific first:

    <projectId>/<templateId>.<part>.<locale>.j2   <projectId>/<templateId>.<part>.j2
    <templateId>.<part>.<locale>.j2               <templateId>.<part>.j2
    <purpose>.<part>.<locale>.j2                  <purpose>.<part>.j2
    <part>.j2  (built-in)

``part`` is ``email_subject``, ``email_text``, ``email_html``, ``sms``, ``voice`` or
``whatsapp``. Templates see ``project``, ``code``, ``link``, ``links``, ``minutes``,
``locale``, ``options`` (the request's ``templateOptions``) and ``t(key)`` (a localized
string). The sandbox stops templates from reaching Python internals; HTML templates
autoescape, so ``templateOptions`` cannot inject markup.
"""

from __future__ import annotations

import re
import time
import tomllib
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, Template, TemplateNotFound, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from passgate.delivery.messages import OutgoingMessage, RenderedMessage

DEFAULT_LOCALE = "en"
RESOLVE_TTL_SECONDS = 5.0
_RESOLVED_MAX = 1024  # (channel part, candidate names) pairs remembered; more only with many template IDs
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
PARTS_BY_CHANNEL = {
    "email": ("email_subject", "email_text", "email_html"),
    "sms": ("sms",),
    "voice": ("voice",),
    "whatsapp": ("whatsapp",),
}


class TemplateFailed(Exception):
    """A template is missing or failed to render (an operator error, not retried)."""


@cache
def _builtin_strings() -> dict[str, dict[str, dict[str, str]]]:
    folder = resources.files("passgate.delivery") / "templates" / "locales"
    return {
        entry.name.removesuffix(".toml"): tomllib.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }


def choose_locale(requested: str, default: str) -> str:
    """The best built-in locale for ``requested`` (exact, then by language), else ``default``."""
    known = _builtin_strings()
    for wanted in (requested, default):
        if not wanted:
            continue
        if wanted in known:
            return wanted
        language = wanted.split("-")[0].lower()
        for locale in sorted(known):
            if locale.split("-")[0].lower() == language:
                return locale
    return DEFAULT_LOCALE


class Renderer:
    """Renders an ``OutgoingMessage`` for its channel."""

    def __init__(self, template_dir: Path | None = None, default_locale: str = DEFAULT_LOCALE) -> None:
        loaders: list[Any] = [PackageLoader("passgate.delivery", "templates")]
        if template_dir is not None:
            loaders.insert(0, FileSystemLoader(str(template_dir)))
        self._env = SandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._html_env = self._env.overlay(autoescape=True)
        self._default_locale = default_locale
        self._strings: dict[str, Callable[[Mapping[str, Any]], str]] = {}
        self._resolved: dict[tuple[bool, tuple[str, ...]], tuple[float, Template]] = {}

    def render(self, message: OutgoingMessage, outbox_id: str) -> RenderedMessage:
        """The message's texts; ``TemplateFailed`` if a template is missing or broken."""
        locale = choose_locale(message.locale, self._default_locale)
        context = self._context(message, locale)
        parts = {part: self._render_part(message, part, locale, context) for part in PARTS_BY_CHANNEL[message.channel]}
        text_part = "email_text" if message.channel == "email" else message.channel
        return RenderedMessage(
            id=outbox_id,
            channel=message.channel,
            to=message.to,
            masked_to=message.masked_to,
            subject=" ".join(parts.get("email_subject", "").split()),  # one line: no header injection
            text=parts[text_part].strip(),
            html=parts.get("email_html", ""),
            purpose=message.purpose,
            login_id=message.login_id,
            locale=locale,
        )

    def _context(self, message: OutgoingMessage, locale: str) -> dict[str, Any]:
        context: dict[str, Any] = {
            "project": message.project_name,
            "code": message.code,
            "spaced_code": " ".join(message.code),
            "link": message.link,
            "links": [tuple(pair) for pair in message.links],
            "minutes": max(1, message.expires_in_seconds // 60),
            "locale": locale,
            "options": dict(message.template_options),
        }
        strings = _strings_for(locale, message.template_purpose)
        localized: dict[str, str] = {}  # a message's parts share their strings: each rendered once

        def t(key: str) -> str:
            text = localized.get(key)
            if text is None:
                text = localized[key] = self._string_renderer(strings.get(key, ""))(context)
            return text

        context["t"] = t
        return context

    def _string_renderer(self, text: str) -> Callable[[Mapping[str, Any]], str]:
        renderer = self._strings.get(text)
        if renderer is None:
            renderer = self._strings[text] = _string_renderer(self._env, text)
        return renderer

    def _render_part(self, message: OutgoingMessage, part: str, locale: str, context: Mapping[str, Any]) -> str:
        try:
            template = self._template(part == "email_html", tuple(_candidates(message, part, locale)))
            return template.render(context)
        except TemplateNotFound as exc:
            raise TemplateFailed(f"no template for {part}") from exc
        except Exception as exc:
            raise TemplateFailed(f"template {part} failed: {type(exc).__name__}") from exc

    def _template(self, html: bool, names: tuple[str, ...]) -> Template:
        """The first of ``names`` that exists, remembered for ``RESOLVE_TTL_SECONDS``.

        Jinja caches the templates it found but not the names it did not: every message
        would look for its missing, more specific names on disk again (a third of a
        message's rendering). An operator's new or edited template is picked up within
        the TTL.
        """
        now = time.monotonic()
        cached = self._resolved.get((html, names))
        if cached is not None and now - cached[0] < RESOLVE_TTL_SECONDS:
            return cached[1]
        template = (self._html_env if html else self._env).select_template(list(names))
        if len(self._resolved) >= _RESOLVED_MAX:
            self._resolved.clear()
        self._resolved[(html, names)] = (now, template)
        return template


def _string_renderer(env: SandboxedEnvironment, text: str) -> Callable[[Mapping[str, Any]], str]:
    """A function rendering the localized string ``text`` with a context.

    Most strings only insert names ("Your {{ project }} code"): those are filled in
    directly, as Jinja would print them, without building a Jinja context for each string
    (~15 % of rendering a message); anything else is compiled by the sandbox.
    """
    if "{" in _PLACEHOLDER.sub("", text):
        return env.from_string(text).render

    def fill(context: Mapping[str, Any]) -> str:
        return _PLACEHOLDER.sub(lambda match: _printed(context, match.group(1)), text)

    return fill


def _printed(context: Mapping[str, Any], name: str) -> str:
    # What ``{{ name }}`` prints: an undefined name prints nothing, a value its ``str``.
    return str(context[name]) if name in context else ""


@cache
def _strings_for(locale: str, purpose: str) -> Mapping[str, str]:
    known = _builtin_strings()
    english, chosen = known[DEFAULT_LOCALE], known.get(locale, {})
    return {
        **english.get("common", {}),
        **english.get(purpose, {}),
        **chosen.get("common", {}),
        **chosen.get(purpose, {}),
    }


def _candidates(message: OutgoingMessage, part: str, locale: str) -> list[str]:
    names: list[str] = []
    if message.template_id:
        base = message.template_id
        if message.project_id:
            names += [f"{message.project_id}/{base}.{part}.{locale}.j2", f"{message.project_id}/{base}.{part}.j2"]
        names += [f"{base}.{part}.{locale}.j2", f"{base}.{part}.j2"]
    purpose = message.template_purpose
    names += [f"{purpose}.{part}.{locale}.j2", f"{purpose}.{part}.j2", f"{part}.j2"]
    return names
