"""Background work of portability: building archives and applying imports. Tasks take ids, load fresh rows
and are safe to run twice (a finished archive or import is left alone).
"""

from __future__ import annotations

from django_tasks import task

from agora.portability import services


@task()
def build_archive_task(archive_id: str) -> str:
    """Build one archive; returns the state it ends in (or "missing")."""
    export = services.build_archive(archive_id=archive_id)
    return export.state if export is not None else "missing"


@task()
def run_import_task(import_id: str) -> str:
    """Apply one confirmed import; returns the state it ends in (or "missing")."""
    job = services.run_import(import_id=import_id)
    return job.state if job is not None else "missing"
