"""The zh-Hans catalogue is complete and compiled: every string a user sees has Chinese."""

from __future__ import annotations

import subprocess
from pathlib import Path

import omnitrip

LOCALE = Path(omnitrip.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries(po: Path) -> list[dict[str, object]]:
    """(msgid, msgstr, fuzzy) of every entry but the header, from a .po file."""
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {}
    field = ""
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if current.get("msgid") is not None and current["msgid"] != "":
                entries.append(current)
            current, field = {}, ""
        elif line.startswith("#,"):
            current["fuzzy"] = "fuzzy" in line
        elif line.startswith("#~"):
            current = {"obsolete": True}
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
            field, _, value = line.partition(" ")
            field = "msgstr" if field.startswith("msgstr") else field
            current[field] = str(current.get(field, "")) + value.strip('"')
        elif line.startswith('"') and field:
            current[field] = str(current.get(field, "")) + line.strip('"')
    return [e for e in entries if not e.get("obsolete")]


def test_every_message_has_a_chinese_translation():
    entries = _entries(LOCALE / "django.po")
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not e.get("msgstr")]
    fuzzy = [e["msgid"] for e in entries if e.get("fuzzy")]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_is_up_to_date(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check-format", "-o", str(compiled), str(LOCALE / "django.po")], check=True
    )
    assert compiled.read_bytes() == (LOCALE / "django.mo").read_bytes()
