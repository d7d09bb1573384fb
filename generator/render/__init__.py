"""Stage 2, rendering: turns the validated model into a tree of Markdown pages.

Takes the model and the site settings; gives the pages (``page``, ``pages``) rendered through
the Jinja2 templates (``templating``), with rulebook text made safe for every output
(``markdown_text``), glossary links (``glossary``), JSON-LD for each page (``jsonld``) and the
URL scheme (``urls``). It writes no site and knows no engine.
"""
