"""Content: reading and checking what authors write.

YAML is loaded with positions (`loader`), checked against the strict models (`models`)
and against itself (`validate`), with Markdown syntax and limits (`markdown`), asset
rules (`assets`), the people directory (`validate.PeopleRegistry`), the JSON Schemas (`schema`) and the
scaffold for new files (`scaffold`). Entry points: `validate.validate_brief`,
`validate.PeopleRegistry`, `schema.schema_texts`.
"""
