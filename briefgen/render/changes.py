"""A brief's changes written out: for a terminal (coloured or not), for a pull request
(Markdown), as JSON, in plain words (the re-sent email) and as HTML (the preview).

The content is untrusted: each output escapes content with its sink's one function
(render/escape.py): the terminal's shows invisible characters as escapes, Markdown's escapes
what Markdown or HTML would act on and fences file names in code spans they cannot leave,
HTML's is markupsafe's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from briefgen.content.compare import DISTRIBUTION, BriefDiff, Change, WordOp
from briefgen.content.languages import catalogue_tag
from briefgen.render.escape import html_text, markdown_code, markdown_text, terminal
from briefgen.render.labels import labels_for, quoted

if TYPE_CHECKING:
    from briefgen.content.house import House
    from briefgen.errors import Diagnostic

CONTEXT_WORDS = 6          # words kept around a change in a long unchanged run
NOUNS = {"Participants": "participant", "Deliverables": "deliverable", "Key messages": "key message",
         "Sensitivities": "sensitivity", "Agenda": "agenda item", "Quotes": "quote",
         "Sources": "source", "Objectives": "objective",
         "Decisions": "decision", "Points to make": "point to make", "If raised": "if-raised line"}
# Items known by their own words: a rewording is told as the item, not as a field of it.
REWORDED_BY_TEXT = {"Key messages": "text", "Quotes": "text", "Objectives": "text",
                    "Points to make": "text", "Decisions": "issue", "If raised": "question"}
# Each section as compare.py names it, to the catalogue's word for it (render/labels.py):
# the words said about a brief are in the brief's language.
SECTION_WORDS = {"Brief": "diff_brief", "Event": "diff_event", "People": "diff_people",
                 DISTRIBUTION: "diff_distribution", "Participants": "participants",
                 "Deliverables": "deliverables", "Key messages": "key_messages",
                 "Points to make": "points", "If raised": "if_raised",
                 "Sensitivities": "sensitivities", "Background": "background", "Agenda": "agenda",
                 "Quotes": "quotes", "Sources": "sources", "Objectives": "objectives",
                 "Decisions": "decisions", "Press line": "press_line"}
# A brief's state, and an audience's version's, by the catalogue's key.
_STATE_KEYS = {"added": "diff_new", "deleted": "diff_deleted", "changed": "diff_changed", "unchanged": "diff_unchanged"}
_VERSION_STATE_KEYS = {**_STATE_KEYS, "added": "diff_new_version", "deleted": "diff_version_gone"}
_COLOURS = {"removed": "\033[31m", "added": "\033[32m", "moved": "\033[33m", "heading": "\033[1m",
            "dim": "\033[2m", "error": "\033[1;31m", "end": "\033[0m"}


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def trimmed(words: Sequence[tuple[WordOp, str]]) -> list[tuple[WordOp, str]]:
    """Long unchanged runs shortened to the words around the changes."""
    runs = []
    last = len(words) - 1
    for index, (op, text) in enumerate(words):
        parts = text.split()
        if op == "same" and len(parts) > 2 * CONTEXT_WORDS:
            head = parts[:CONTEXT_WORDS] if index > 0 else []
            tail = parts[-CONTEXT_WORDS:] if index < last else []
            text = " ".join([*head, "…", *tail])
        runs.append((op, text))
    return runs


def _grouped(changes: Iterable[Change]) -> dict[tuple[str, str], list[Change]]:
    groups: dict[tuple[str, str], list[Change]] = {}
    for change in changes:
        groups.setdefault((change.section, change.origin), []).append(change)
    return groups


def overflow_line(diff: BriefDiff) -> str:
    """'now overflows page 1 by 0.4 in (10 mm)' (or 'still …', 'no longer …'), in the brief's
    language; '' when it fits."""
    before, after = diff.overflow
    words = labels_for(None, diff.lang)
    if after and not before:
        return words["diff_overflows_now"].format(after=after)
    if after:
        return words["diff_overflows_still"].format(after=after, before=before)
    return words["diff_overflows_no_longer"].format(before=before) if before else ""


def _numbers_line(diff: BriefDiff) -> str:
    words = labels_for(None, diff.lang)
    parts = []
    if diff.words != (None, None):
        parts.append(words["diff_words_on_page_one"].format(before=_or_dash(diff.words[0]),
                                                            after=_or_dash(diff.words[1])))
    if any(diff.fill):
        parts.append(words["diff_page_one_filled"].format(before=diff.fill[0] or "–", after=diff.fill[1] or "–"))
    return "; ".join(parts)


def _or_dash(value: object) -> str:
    return "–" if value is None else str(value)


def section_title(section: str, lang: str = "en") -> str:
    """A section's name in the brief's language ('Deliverables'; 'Résultats attendus')."""
    return labels_for(None, lang)[SECTION_WORDS[section]] if section in SECTION_WORDS else section


def headline(diff: BriefDiff) -> str:
    """`content/x.yaml: changed` (in the brief's language: `content/x.yaml: modifiée`); for an
    audience's version `content/x.yaml (version for press): new version (no audience `press`
    at the base)`."""
    words = labels_for(None, diff.lang)
    name = words["diff_version_for"].format(path=diff.path, audience=diff.audience) if diff.audience else diff.path
    if diff.state == "renamed":
        line = f"{name}: {words['diff_renamed_from'].format(path=diff.renamed_from)}"
    else:
        line = f"{name}: {words[(_VERSION_STATE_KEYS if diff.audience else _STATE_KEYS)[diff.state]]}"
    return line + (f" ({diff.note})" if diff.note else "")


def run_language(briefs: Sequence[BriefDiff]) -> str:
    """The language of the run's own lines: the one its briefs share, else English."""
    langs = {diff.lang for diff in briefs}
    return langs.pop() if len(langs) == 1 else "en"


def compared_with(base: str, audience: str | None, lang: str = "en", capital: bool = False) -> str:
    """The closing line: what both sides were (its words opening in a capital when `capital`,
    never the ref they name: 'Compared with main', 'mainとの比較')."""
    words = labels_for(None, lang)["diff_compared_audience" if audience else "diff_compared_with"]
    return (_capital(words) if capital else words).format(base=base, audience=audience)


def left_out_line(audience: str | None, left_out: Sequence[str], lang: str = "en") -> str:
    """The briefs an audience's diff did not compare ("" when none)."""
    if not audience or not left_out:
        return ""
    return labels_for(None, lang)["diff_not_compared"].format(audience=audience, briefs=", ".join(left_out))


# --- text -----------------------------------------------------------------------------------

def as_text(briefs: Sequence[BriefDiff], base: str, template_files: Sequence[str],
            colour: bool = False, audience: str | None = None, left_out: Sequence[str] = ()) -> str:
    def paint(style: str, text: str) -> str:
        text = terminal(text)
        return f"{_COLOURS[style]}{text}{_COLOURS['end']}" if colour else text

    def words(change: Change) -> str:
        marks = {"removed": ("[-", "-]"), "added": ("{+", "+}")}
        out = []
        for op, text in trimmed(change.words):
            if op == "same":
                out.append(terminal(text))
            else:
                opening, closing = ("", "") if colour else marks[op]
                out.append(paint(op, f"{opening}{text}{closing}"))
        return " ".join(out)

    lines = []
    for diff in briefs:
        said = labels_for(None, diff.lang)
        lines.append(paint("heading", headline(diff)))
        lines += _problem_lines(diff, lambda text: paint("error", text))
        if overflow_line(diff):
            lines.append("  " + paint("error" if diff.overflow[1] else "dim", overflow_line(diff)))
        if diff.files:
            lines.append("  " + paint("dim", said["diff_files_changed"].format(files=", ".join(diff.files))))
        for (section, origin), changes in _grouped(diff.changes).items():
            lines.append(terminal(f"  {section_title(section, diff.lang)}" + (f" ({origin})" if origin else "")))
            for change in changes:
                lines.append("    " + _describe(change, words, paint, diff.lang))
        numbers = _numbers_line(diff)
        if numbers:
            lines.append("  " + numbers)
        if diff.picture:
            lines.append(terminal("  " + said["diff_picture"].format(path=diff.picture)))
    lang = run_language(briefs)
    if template_files:
        files = ", ".join(template_files)
        lines.append(paint("heading", labels_for(None, lang)["diff_templates_changed"].format(files=files)))
    if not lines:
        lines.append(labels_for(None, lang)["diff_no_brief_changed"])
    if left_out_line(audience, left_out, lang):
        lines.append(paint("dim", left_out_line(audience, left_out, lang)))
    lines.append(paint("dim", compared_with(base, audience, lang)))
    return "\n".join(lines) + "\n"


def _problem_lines(diff: BriefDiff, paint: Callable[[str], str]) -> list[str]:
    lines = []
    for label, problems in _problems(diff):
        if problems:
            lines.append("  " + paint(f"{label}:"))
            lines += [f"    {terminal(p.format())}" for p in problems]
    return lines


def _problems(diff: BriefDiff) -> list[tuple[str, list[Diagnostic]]]:
    """Each side's problems, with the words that say which side ('does not validate now')."""
    words = labels_for(None, diff.lang)
    return [(words["diff_invalid_base"], diff.problems_before), (words["diff_invalid_now"], diff.problems_after)]


def _place(change: Change) -> str:
    """What a change of a field is said of: 'Hotline: summary' (a status change: 'Hotline')."""
    return f"{change.item}: {change.field}" if change.field not in ("", "status") else change.item


def _describe(change: Change, words: Callable[[Change], str], paint: Callable[[str, str], str],
              lang: str = "en") -> str:
    """One change on one line, for the terminal, in the brief's language."""
    said = labels_for(None, lang)
    if change.action == "added":
        return paint("added", f"+ {said['diff_added']}: {change.item}") + (
            f" — {terminal(change.after)}" if change.after and change.after != change.item else "")
    if change.action == "removed":
        return paint("removed", f"- {said['diff_removed']}: {change.item}")
    if change.action == "moved":
        return paint("moved", f"~ {said['diff_moved']}: {change.item} ({ordinal(change.position[0])} → "
                              f"{ordinal(change.position[1])})")
    where = terminal(_place(change))
    if change.words:
        return f"{where}: {words(change)}"
    before, after = change.before or said["diff_none"], change.after or said["diff_none"]
    return f"{where}: {paint('removed', before)} → {paint('added', after)}"


# --- Markdown -------------------------------------------------------------------------------

md = markdown_text   # the Markdown sink's one escaping function (render/escape.py)


def as_markdown(briefs: Sequence[BriefDiff], base: str, template_files: Sequence[str],
                audience: str | None = None, left_out: Sequence[str] = ()) -> str:
    lang = run_language(briefs)
    run_words = labels_for(None, lang)
    stop = run_words["full_stop"]
    lines = [f"## {run_words['diff_heading']}", "",
             f"{md(compared_with(base, audience, lang, capital=True))}{stop}", ""]
    if left_out_line(audience, left_out, lang):
        lines += [f"{_capital(md(left_out_line(audience, left_out, lang)))}{stop}", ""]
    if not briefs and not template_files:
        lines.append(f"{_capital(run_words['diff_no_brief_changed'])}{stop}")
    for diff in briefs:
        said = labels_for(None, diff.lang)
        lines += [f"### {md(headline(diff))}", ""]
        for label, problems in _problems(diff):
            if problems:
                lines.append(f"**{_capital(label)}:**")
                lines += [f"- {md(p.format())}" for p in problems]
                lines.append("")
        if overflow_line(diff):
            lines += [f"**{_capital(md(overflow_line(diff)))}{said['full_stop']}**", ""]
        if diff.files:
            files = ", ".join(markdown_code(f) for f in diff.files)
            lines += [_capital(said["diff_files_changed"]).format(files=files), ""]
        for (section, origin), changes in _grouped(diff.changes).items():
            lines.append(f"**{md(section_title(section, diff.lang))}**"
                         + (f" ({said['diff_from'].format(origin=markdown_code(origin))})" if origin else ""))
            lines += [f"- {_describe_markdown(change, diff.lang)}" for change in changes]
            lines.append("")
        numbers = _numbers_line(diff)
        if numbers:
            lines += [_capital(md(numbers)), ""]
        if diff.picture:
            lines += [said["diff_before_after"].format(path=markdown_code(diff.picture)), ""]
    if template_files:
        files = ", ".join(markdown_code(f) for f in template_files)
        lines += [_capital(run_words["diff_templates_changed"]).format(files=files), ""]
    return "\n".join(lines).rstrip() + "\n"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _describe_markdown(change: Change, lang: str = "en") -> str:
    said = labels_for(None, lang)
    if change.action == "added":
        detail = f" — {md(change.after)}" if change.after and change.after != change.item else ""
        return f"{_capital(said['diff_added'])}: **{md(change.item)}**{detail}"
    if change.action == "removed":
        return f"{_capital(said['diff_removed'])}: ~~{md(change.item)}~~"
    if change.action == "moved":
        return (f"{_capital(said['diff_moved'])}: {md(change.item)} ({ordinal(change.position[0])} → "
                f"{ordinal(change.position[1])})")
    where = md(_place(change))
    if change.words:
        out = []
        for op, text in trimmed(change.words):
            out.append(md(text) if op == "same" else f"~~{md(text)}~~" if op == "removed"
                       else f"**{md(text)}**")
        return f"{where}: " + " ".join(out)
    before = f"~~{md(change.before)}~~" if change.before else md(said["diff_none"])
    after = f"**{md(change.after)}**" if change.after else md(said["diff_none"])
    return f"{where}: {before} → {after}"


# --- JSON -----------------------------------------------------------------------------------

def as_json(briefs: Sequence[BriefDiff], base: dict[str, str], template_files: Sequence[str],
            audience: str | None = None, left_out: Sequence[str] = ()) -> str:
    return json.dumps({"base": base, "template_files": list(template_files),
                       **({"audience": audience, "left_out": list(left_out)} if audience else {}),
                       "briefs": [b.as_dict() for b in briefs]}, indent=2, ensure_ascii=False) + "\n"


# --- plain words (the email) ----------------------------------------------------------------

def plain_summary(changes: Sequence[Change], lang: str = "en", house: House | None = None) -> list[str]:
    """Each change as a sentence a principal reads without marks, in the brief's language
    (`lang`, in its `house`'s words); not who else gets the brief (a bcc recipient is never
    named to the others; the diff shows reviewers that)."""
    words = labels_for(house, lang)
    return [_sentence(change, words, lang) for change in changes if change.section != DISTRIBUTION]


def _sentence(change: Change, words: dict[str, str], lang: str) -> str:
    english = (catalogue_tag(lang) or "en") == "en"
    # English names one item of a section ('a key message'); other languages name the section.
    noun = NOUNS.get(change.section, change.section.lower()) if english else (
        words[SECTION_WORDS[change.section]] if change.section in SECTION_WORDS else change.section)
    if change.action == "added":
        return words["change_added"].format(noun=noun, item=change.item)
    if change.action == "removed":
        return words["change_removed"].format(noun=noun, item=change.item)
    if change.action == "moved":
        before, after = ((ordinal(n) for n in change.position) if english else map(str, change.position))
        return words["change_moved"].format(noun=noun.capitalize() if english else noun, item=change.item,
                                            before=before, after=after)
    field_name = change.field.replace("_", " ")
    now = quoted(" ".join(change.after.split()), lang)
    if change.words and change.section in REWORDED_BY_TEXT and change.field == REWORDED_BY_TEXT[change.section]:
        article = ("An" if noun[0] in "aeiou" else "A") + " " if english else ""
        return words["change_reworded"].format(noun=article + noun, text=now)
    if change.origin:
        subject = words["subject_item_field"].format(item=change.item, field=field_name)
    elif change.section == "Brief":
        subject = words["subject_brief_field"].format(field=field_name)
    elif change.section in ("Event", "Background") and not change.field:
        subject = words["subject_item"].format(item=change.item)
    else:
        subject = words["subject_field"].format(item=change.item, field=field_name)
    before, after = (_value(change.field, value, words) for value in (change.before, change.after))
    if change.words:
        return words["change_now_reads"].format(subject=subject, text=now) if change.after.strip() else \
            words["change_field_removed"].format(subject=subject)
    if not before:
        return words["change_is_now"].format(subject=subject, after=after)
    if not after:
        return words["change_value_removed"].format(subject=subject, before=before)
    return words["change_from_to"].format(subject=subject, before=before, after=after)


def _value(field_name: str, value: str, words: dict[str, str]) -> str:
    """A value as the sentence says it: a deliverable's status in the language ('annoncé')."""
    key = f"status_{value}"
    return words[key].lower() if field_name == "status" and key in words else value


# --- HTML (the preview) ---------------------------------------------------------------------

def as_html(diff: BriefDiff) -> str:
    """The changes of one brief as an HTML fragment (every value escaped)."""
    said = labels_for(None, diff.lang)
    parts = [f"<h2>{html_text(headline(diff))}</h2>"]
    for label, problems in _problems(diff):
        if problems:
            parts.append(f"<p class='problem'>{html_text(_capital(label))}:</p><ul>")
            parts += [f"<li><code>{html_text(p.format())}</code></li>" for p in problems]
            parts.append("</ul>")
    if overflow_line(diff):
        parts.append(f"<p class='problem'>{html_text(_capital(overflow_line(diff)) + said['full_stop'])}</p>")
    if diff.files:
        files = ", ".join(f"<code>{html_text(f)}</code>" for f in diff.files)
        parts.append(f"<p>{_filled(_capital(said['diff_files_changed']), files=files)}</p>")
    for (section, origin), changes in _grouped(diff.changes).items():
        origin_note = (f" <small>{_filled(said['diff_from'], origin=f'<code>{html_text(origin)}</code>')}</small>"
                       if origin else "")
        parts.append(f"<h3>{html_text(section_title(section, diff.lang))}{origin_note}</h3><ul>")
        parts += [f"<li>{_describe_html(change)}</li>" for change in changes]
        parts.append("</ul>")
    if not diff.changes and not diff.files and diff.state in ("changed", "unchanged"):
        parts.append(f"<p>{html_text(said['diff_no_changes'])}</p>")
    numbers = _numbers_line(diff)
    if numbers:
        parts.append(f"<p>{html_text(numbers)}</p>")
    return "\n".join(parts)


def _filled(words: str, **markup: str) -> str:
    """Catalogue words, escaped, with HTML (already escaped) in their {placeholders}."""
    return str(html_text(words)).format(**markup)


def _describe_html(change: Change) -> str:
    if change.action == "added":
        return f"<ins>Added: {html_text(change.item)}</ins>"
    if change.action == "removed":
        return f"<del>Removed: {html_text(change.item)}</del>"
    if change.action == "moved":
        return (f"Moved: {html_text(change.item)} ({ordinal(change.position[0])} → "
                f"{ordinal(change.position[1])})")
    where = html_text(_place(change))
    if change.words:
        tags = {"removed": "del", "added": "ins"}
        out = [str(html_text(text)) if op == "same" else f"<{tags[op]}>{html_text(text)}</{tags[op]}>"
               for op, text in trimmed(change.words)]
        return f"{where}: " + " ".join(out)
    return (f"{where}: <del>{html_text(change.before or '(none)')}</del> → "
            f"<ins>{html_text(change.after or '(none)')}</ins>")
