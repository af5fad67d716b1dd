"""A backup and restore drill: back the database up, restore it into a fresh database, run the
ledger's checks against the copy and compare the row count of every table; print a report and exit
1 when anything differs.

PostgreSQL: `pg_dump -Fc` of the database, `CREATE DATABASE <name>_drill_<time>`, `pg_restore`
into it; the copy is dropped afterwards unless `--keep`. SQLite: the sqlite3 backup API into a file
(`--output`, a temporary file by default). The live database is compared as it is when the counts
are taken: run the drill at a quiet hour, or a table written in between shows as a difference.
"""

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump and pg_restore, with arguments from the settings
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.utils import timezone

from vouchers.checks import CHECKS, ledger_problems

DRILL = "backup_drill"


def _pg_env(settings: dict) -> dict:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings.get(key):
            env[var] = str(settings[key])
    return env


def _counts(conn, tables: list[str]) -> dict[str, int]:
    quote = conn.ops.quote_name
    result = {}
    with conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            result[table] = cursor.fetchone()[0]
    return result


class Command(BaseCommand):
    help = "Back up the database, restore it into a fresh one, check the ledger there and compare row counts."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="SQLite: where to write the copy (default: a temporary file)")
        parser.add_argument("--keep", action="store_true", help="keep the restored copy")

    def handle(self, *args, **options):
        source = connections[DEFAULT_DB_ALIAS]
        vendor = source.vendor
        started = time.monotonic()
        if vendor == "postgresql":
            copy_settings, cleanup = self._postgresql(source, keep=options["keep"])
        elif vendor == "sqlite":
            copy_settings, cleanup = self._sqlite(source, output=options["output"], keep=options["keep"])
        else:
            raise CommandError(f"No drill for {vendor}.")
        # A connection of its own, outside the project's aliases: nothing else may ever use it.
        copy = load_backend(copy_settings["ENGINE"]).DatabaseWrapper(copy_settings, alias=DRILL)
        try:
            ok = self._compare(source, copy)
        finally:
            copy.close()
            if cleanup:
                cleanup()
        self.stdout.write(f"Drill took {time.monotonic() - started:.1f} s.")
        if not ok:
            raise CommandError("Backup drill FAILED: the restored copy differs (see above).")
        self.stdout.write(self.style.SUCCESS("Backup drill OK: the restored copy matches and its ledger checks pass."))

    def _postgresql(self, source, *, keep: bool):
        settings = source.settings_dict
        name = settings["NAME"]
        copy_name = f"{name}_drill_{timezone.now():%Y%m%d%H%M%S}"
        env = _pg_env(settings)
        tools = {tool: shutil.which(tool) for tool in ("pg_dump", "pg_restore")}
        for tool, found in tools.items():
            if not found:
                raise CommandError(f"{tool} is not installed (Debian: postgresql-client).")
        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / f"{name}.dump"
            subprocess.run([tools["pg_dump"], "-Fc", "-f", str(dump), name], env=env, check=True)  # noqa: S603
            self.stdout.write(f"Backup: pg_dump of {name}, {dump.stat().st_size:,} bytes.")
            with source.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {source.ops.quote_name(copy_name)}")
            subprocess.run(  # noqa: S603
                [tools["pg_restore"], "--no-owner", "--exit-on-error", "-d", copy_name, str(dump)], env=env, check=True
            )
        self.stdout.write(f"Restored into the new database {copy_name}.")

        def drop():
            if keep:
                self.stdout.write(f"Kept {copy_name}.")
                return
            with source.cursor() as cursor:
                cursor.execute(f"DROP DATABASE {source.ops.quote_name(copy_name)}")

        return {**settings, "NAME": copy_name}, drop

    def _sqlite(self, source, *, output: str | None, keep: bool):
        path = Path(output) if output else Path(tempfile.mkdtemp()) / "drill.sqlite3"
        source.ensure_connection()
        with sqlite3.connect(path) as target:
            source.connection.backup(target)
        target.close()
        self.stdout.write(f"Backup: sqlite3 backup API into {path}, {path.stat().st_size:,} bytes.")

        def remove():
            if keep or output:
                self.stdout.write(f"Kept {path}.")
                return
            path.unlink(missing_ok=True)

        settings = {**source.settings_dict, "NAME": str(path), "TEST": {**source.settings_dict.get("TEST", {})}}
        return settings, remove

    def _compare(self, source, copy) -> bool:
        tables = sorted(source.introspection.table_names())
        copied = set(copy.introspection.table_names())
        missing = [t for t in tables if t not in copied]
        live = _counts(source, tables)
        restored = _counts(copy, [t for t in tables if t in copied])
        different = [t for t in tables if t in copied and live[t] != restored[t]]
        self.stdout.write(
            f"Tables: {len(tables)}, rows: {sum(live.values()):,} live, {sum(restored.values()):,} restored."
        )
        for table in missing:
            self.stdout.write(self.style.ERROR(f"  missing in the copy: {table}"))
        for table in different:
            self.stdout.write(self.style.ERROR(f"  {table}: {live[table]} live, {restored[table]} restored"))
        if not missing and not different:
            self.stdout.write("Row counts: every table matches.")
        problems = ledger_problems(copy)
        if problems:
            self.stdout.write(self.style.ERROR(f"Ledger of the copy: {len(problems)} of {len(CHECKS)} checks failed."))
            for problem in problems:
                self.stdout.write(f"  {problem}")
        else:
            self.stdout.write(f"Ledger of the copy: {len(CHECKS)} checks passed.")
        return not (missing or different or problems)
