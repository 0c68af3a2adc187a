"""Render: a validated brief to what a reader sees.

Labels and dates shared by every output (`labels`), Markdown to safe HTML (`richtext`),
curly quotes in the text of every page (`typography`),
the HTML page (`html`), the plain text (`text`), the Word file (`docx`), the PDF with its safe fetcher (`pdf`,
`fetcher`) and its PDF/UA finishing (`pdf_tags`), how the laid-out page fits (`fit`), the
ruled Notes area put into it (`notes`); a book's own pages (`book`), its calendar
(`calendar`) and its parts joined into one tagged PDF (`pdf_join`); changes written out
(`changes`) and pictured (`picture`); the clearance block, "Since the last meeting" and
the decisions' check boxes (`records`); one escaping function per place text is printed
(`escape`); a brief and its translated edition in one bilingual document (`bilingual`).
Entry points: `html.render_html`, `text.brief_text`, `pdf.write_pdf`.
"""
