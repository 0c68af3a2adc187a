"""Render: a validated brief to what a reader sees.

Labels and dates shared by every output (`labels`), Markdown to safe HTML (`richtext`),
the HTML page (`html`), the plain text (`text`), and the PDF with its safe fetcher
(`pdf`, `fetcher`). Entry points: `html.render_html`, `text.brief_text`, `pdf.write_pdf`.
"""
