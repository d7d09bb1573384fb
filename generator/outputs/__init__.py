"""Stage 3, the outputs: one module per machine-readable file of the site.

Each writer takes the shared ``BuildContext`` (``context``: the model, the settings, the
pages) and a site directory, and returns the paths it wrote: the JSON API (``api``,
``api_model``), ``llms.txt`` (``llms``), sitemap, robots and feed (``crawlers``), Markdown twins
(``twins``), redirect pages (``redirects``), the IndexNow key file (``keyfile``), the page-hash
manifest (``manifest``), the search index read from the built HTML (``search_index``, with
its tokenizer ``search_text``) and the versions of the
stack that built it all (``stack``).
"""
