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

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, Template, TemplateNotFound, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from passgate.delivery.messages import OutgoingMessage, RenderedMessage

DEFAULT_LOCALE = "en"
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
        self._strings: dict[str, Template] = {}

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
        context["t"] = lambda key: self._compiled(strings.get(key, "")).render(context)
        return context

    def _compiled(self, text: str) -> Template:
        # Compiling a Jinja string costs ~1 ms; the locale strings are few and fixed.
        template = self._strings.get(text)
        if template is None:
            template = self._strings[text] = self._env.from_string(text)
        return template

    def _render_part(self, message: OutgoingMessage, part: str, locale: str, context: Mapping[str, Any]) -> str:
        env = self._html_env if part == "email_html" else self._env
        try:
            template = env.select_template(_candidates(message, part, locale))
            return template.render(context)
        except TemplateNotFound as exc:
            raise TemplateFailed(f"no template for {part}") from exc
        except Exception as exc:
            raise TemplateFailed(f"template {part} failed: {type(exc).__name__}") from exc


def _strings_for(locale: str, purpose: str) -> dict[str, str]:
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
