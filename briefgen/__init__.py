"""briefgen: meeting briefs from validated YAML to a one-page HTML and PDF.

The pipeline, one module per stage:

    loader      YAML text -> plain data + where every value sits in the file
    validate    plain data -> typed model (models.py), or every problem at once
    render_html model -> self-contained HTML through the Jinja templates
    pdf         HTML -> one-page PDF bytes, fonts and fetches checked
    build       runs the stages for each brief and writes output atomically

``cli`` is a thin layer over ``build``; ``errors`` is the one place that
turns a user's mistake into a message and an exit code.
"""

__version__ = "0.1.0"
