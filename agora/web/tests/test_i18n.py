"""The German interface: a complete, compiled catalogue, and the right language chosen for each request."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from agora.accounts.tests.factories import UserFactory

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
GERMAN_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
GERMAN_MO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.mo"

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def label(self) -> str:
        return f"django.po line {self.line}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, obsolete `#~` ones left out; msgstr[0] holds a non-plural translation."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    seen_msgstr = False

    def value(text: str) -> str:
        literal = ast.literal_eval(text.strip())
        assert isinstance(literal, str)
        return literal

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        starts_entry = line.startswith(("#", "msgctxt", "msgid ")) and (entry is None or seen_msgstr)
        if starts_entry or not line:
            if entry is not None and seen_msgstr:
                entries.append(entry)
                entry, seen_msgstr, target = None, False, None
            if not line:
                continue
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.msgctxt = value(line[len("msgctxt ") :])
            target = ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            entry.msgid_plural = value(line[len("msgid_plural ") :])
            target = ("msgid_plural", 0)
        elif line.startswith("msgid "):
            entry.msgid = value(line[len("msgid ") :])
            entry.line = number
            target = ("msgid", 0)
        elif match := re.match(r"msgstr(?:\[(\d+)\])?\s+(\".*\")$", line):
            index = int(match.group(1) or 0)
            entry.msgstr[index] = value(match.group(2))
            target = ("msgstr", index)
            seen_msgstr = True
        elif line.startswith('"') and target is not None:
            kind, index = target
            if kind == "msgstr":
                entry.msgstr[index] += value(line)
            else:
                setattr(entry, kind, (getattr(entry, kind) or "") + value(line))
        else:
            raise AssertionError(f"django.po line {number}: cannot parse {raw!r}")
    if entry is not None and seen_msgstr:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def german_entries() -> list[Entry]:
    assert GERMAN_PO.exists(), f"{GERMAN_PO} is missing; run makemessages -l de"
    return parse_po(GERMAN_PO)


def _messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if not (entry.msgid == "" and entry.msgctxt is None)]


def test_german_catalogue_header_declares_german_and_its_plural_rule(german_entries: list[Entry]) -> None:
    headers = [entry for entry in german_entries if entry.msgid == "" and entry.msgctxt is None]
    assert len(headers) == 1
    header = headers[0]
    assert "fuzzy" not in header.flags, "a fuzzy header is ignored by msgfmt, and with it the plural rule"
    assert re.search(r"^Language: de$", header.msgstr[0], re.M)
    assert re.search(r"^Plural-Forms: nplurals=2; plural=\(n != 1\);$", header.msgstr[0], re.M)
    assert re.search(r"^Content-Type: text/plain; charset=UTF-8$", header.msgstr[0], re.M)


def test_every_german_message_is_translated_and_not_fuzzy(german_entries: list[Entry]) -> None:
    messages = _messages(german_entries)
    assert len(messages) > 100, "the German catalogue looks truncated"
    problems = []
    for entry in messages:
        if "fuzzy" in entry.flags:
            problems.append(f"{entry.label} is fuzzy")
        expected_forms = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms:
            problems.append(f"{entry.label} has forms {sorted(entry.msgstr)}, expected {expected_forms}")
        if any(not entry.msgstr.get(index, "").strip() for index in expected_forms):
            problems.append(f"{entry.label} is not translated")
    assert not problems, "\n".join(problems)


def test_german_translations_keep_every_placeholder(german_entries: list[Entry]) -> None:
    problems = []
    for entry in _messages(german_entries):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        expected = set().union(*(PLACEHOLDER.findall(source) for source in sources))
        for index, translation in entry.msgstr.items():
            found = set(PLACEHOLDER.findall(translation))
            # A singular form may leave out the count ("one post") but must invent nothing.
            if found - expected or ((index > 0 or entry.msgid_plural is None) and found != expected):
                problems.append(f"{entry.label} form {index}: placeholders {found}, expected {expected}")
    assert not problems, "\n".join(problems)


def test_compiled_german_catalogue_matches_the_po_file(german_entries: list[Entry]) -> None:
    """django.mo is committed; it must be recompiled (compilemessages) whenever django.po changes."""
    assert GERMAN_MO.exists(), f"{GERMAN_MO} is missing; run compilemessages"
    with GERMAN_MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in _messages(german_entries):
        if entry.msgid_plural is None:
            got = [
                catalogue.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt is not None
                else catalogue.gettext(entry.msgid)
            ]
        else:
            got = [
                catalogue.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt is not None
                else catalogue.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
        expected = [entry.msgstr[index] for index in sorted(entry.msgstr)]
        if got != expected:
            stale.append(f"{entry.label}: django.mo says {got!r}, django.po says {expected!r}")
    assert not stale, "django.mo is out of date; run compilemessages\n" + "\n".join(stale)


@pytest.mark.django_db
def test_logged_out_visitor_gets_the_browser_language() -> None:
    response = Client().get(reverse("web:public"), headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in content
    assert "Lokale Zeitleiste" in content
    assert "Local timeline" not in content
    assert ">Anmelden<" in content


@pytest.mark.django_db
def test_logged_out_visitor_without_a_german_preference_gets_english() -> None:
    content = Client().get(reverse("web:public"), headers={"accept-language": "fr"}).content.decode()
    assert '<html lang="en">' in content
    assert "Local timeline" in content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("chosen", "browser", "expected_lang", "expected_heading"),
    [
        ("en", "de", "en", "Local timeline"),
        ("de", "en", "de", "Lokale Zeitleiste"),
        ("", "de", "de", "Lokale Zeitleiste"),
    ],
)
def test_signed_in_person_gets_the_language_chosen_in_settings_over_the_browser_language(
    chosen: str, browser: str, expected_lang: str, expected_heading: str
) -> None:
    client = Client()
    client.force_login(UserFactory(language=chosen))
    response = client.get(reverse("web:public"), headers={"accept-language": browser})
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{expected_lang}">' in content
    assert f"<h1>{expected_heading}</h1>" in content
    other = "Lokale Zeitleiste" if expected_heading == "Local timeline" else "Local timeline"
    assert other not in content
