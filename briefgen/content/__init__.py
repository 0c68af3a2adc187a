"""Content: reading and checking what authors write.

YAML is loaded with positions (`loader`, through `files`, which reads only regular files and
never too much, and `characters`, what a reader cannot see and how a message shows it),
checked against the strict models (`models`) and against itself (`validate`, which puts the
checks together: the model's errors in plain English (`messages`), cross-references
(`references`), placeholders (`placeholders`), warnings (`warnings`), markings
(`marking_checks`) and the person files (`people`)); `fields` answers
what the model says about its fields (Markdown, ids, sources), `rawdata` walks data before
the model accepts it, and `sourcemap` finds where a piece of text was written for errors
found later. The rules it leans on: Markdown syntax and limits (`markdown`), what Markdown
may point at (`assets`), email addresses (`addresses`), country codes (`countries`), time
zones (`timezones`), the form of an id (`ids`), the agenda as a timeline (`schedule`),
marking schemes (`markings`) and each audience's version (`audiences`). Also here: briefing
books (`books`) and their checks against their briefs (`book_checks`), what changed between
two versions of a brief (`compare`), the clearance chain and whether it still holds
(`clearance`), an edited Word file read back (`wordfile`, `wordtext`) and merged into the
YAML (`wordmerge`), the JSON Schemas (`schema`) and the scaffold for new files (`scaffold`).
An office's own style: its house (`house`: house.toml, labels, defaults; what its files
must hold besides, `house_checks`) and the plain-language checks on the words themselves
(`writing`). The languages a brief prints in, each
a catalogue of briefgen's words (`languages`), and its translated editions, kept in step
with their source by fingerprints (`translations`). Entry points:
`validate.validate_brief`, `validate.PeopleRegistry`, `schema.schema_texts`.
"""
