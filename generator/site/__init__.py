"""Stage 4, the site: the build itself.

``build`` stages the rendered Markdown, runs the site engine (``engine``, the only code that
knows which engine renders HTML), runs the output writers and swaps the finished site in
atomically; ``serve`` rebuilds it on every change for a live preview.
"""
