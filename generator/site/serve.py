"""Live preview: MkDocs' own live-reload server, rebuilding with the full pipeline.

A failed rebuild prints its problems and keeps serving the last good site
(builds are atomic), so an editor can fix the rulebook and watch it recover.
"""

from __future__ import annotations

import logging
import sys

from mkdocs.livereload import LiveReloadServer

from generator.site.build import build
from generator.site.project import Project
from generator.errors import GeneratorError
from generator.rulebook.problems import RulebookError, format_problems


def serve(project: Project, host: str, port: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    site_dir = project.work / "serve" / "site"

    def rebuild() -> None:
        try:
            result = build(project, site_dir)
        except RulebookError as exc:
            print(format_problems(exc.problems, "text"), file=sys.stderr)
            print("rebuild failed; still serving the last good site", file=sys.stderr)
        except GeneratorError as exc:
            print(
                f"error: {exc}\nrebuild failed; still serving the last good site", file=sys.stderr
            )
        else:
            print(f"rebuilt {len(result.pages)} pages in {result.seconds:.1f} s", file=sys.stderr)

    rebuild()
    if not site_dir.exists():
        raise GeneratorError("the first build failed; fix the problems above and run serve again")
    server = LiveReloadServer(builder=rebuild, host=host, port=port, root=str(site_dir))
    # Every edition's hand-written pages: content/ and content.<lang>/.
    contents = sorted(project.root.glob(f"{project.content.name}.*"))
    watched = (project.rules.parent, project.content, *contents, project.root / "templates")
    watched += (project.config,)
    for path in watched:
        if path.exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.shutdown()
