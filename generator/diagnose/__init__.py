"""Beside the pages, the diagnosis: which rules answer a pasted error text.

Takes the rulebook's model; gives an index of every rule's features (``index``), built from
its codes, signatures, typed phrases and titles, and ranks rules for any text with it
(``rank``), after removing what varies between occurrences (``text``). ``evidence`` pulls
the values an evidence template asks for out of the text and masks secrets. The same
index is published as ``/api/v1/diagnose.json``, so the page and other tools rank alike.
"""
