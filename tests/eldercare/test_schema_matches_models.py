"""Every constraint and index the models declare exists in PostgreSQL, as declared.

`makemigrations --check` compares the models with the migrations, never with the database, so it
cannot see an object that a migration drops without saying so. Django's schema editor does that:
an AlterField that sets `db_index=False` drops every plain-looking index on the column, found by
column and not by name, and a partial unique index declared in `Meta.constraints` is one of them.
This test migrates a PostgreSQL database and looks at what it really holds.

Objects that migrations make on purpose with raw SQL (triggers, the BRIN index on ledger
transactions) are extra and allowed: only what the models declare is required. The reverse
direction is checked for names only: an object whose name looks like a declared one must be of
the declared kind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, models
from django.db.models.expressions import Col
from django.db.models.sql import Query

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV = REPO_ROOT / ".venv"

# PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes without an error.
PG_MAX_NAME_BYTES = 63

CONSTRAINT_KINDS = {
    "p": "primary key",
    "u": "unique",
    "c": "check",
    "f": "foreign key",
    "x": "exclusion",
    "t": "constraint trigger",
    "n": "not null",  # PostgreSQL 18 records NOT NULL in pg_constraint
}

# pg_constraint has every constraint; get_constraints() loses one whose name an index also has.
CONSTRAINTS_SQL = """
    SELECT c.conname, c.contype
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    WHERE t.relname = %s AND pg_catalog.pg_table_is_visible(t.oid)
"""

# Indexes that do not back a constraint (those are listed above), with what get_constraints()
# does not say: the partial predicate (pg_index.indpred), the access method and the operator
# classes (the `_like` indexes Django adds for LIKE on varchar and text columns).
INDEXES_SQL = """
    SELECT
        ic.relname,
        am.amname,
        i.indisunique,
        pg_catalog.pg_get_expr(i.indpred, i.indrelid),
        ARRAY(
            SELECT a.attname
            FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
            LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            ORDER BY k.n
        ),
        ARRAY(
            SELECT opc.opcname
            FROM unnest(i.indclass::oid[]) WITH ORDINALITY AS k(opc_oid, n)
            JOIN pg_opclass opc ON opc.oid = k.opc_oid
            ORDER BY k.n
        )
    FROM pg_index i
    JOIN pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_am am ON am.oid = ic.relam
    WHERE t.relname = %s
      AND pg_catalog.pg_table_is_visible(t.oid)
      AND NOT EXISTS (
          SELECT 1 FROM pg_constraint c
          WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')
      )
"""


@dataclass(frozen=True)
class DbObject:
    name: str
    kind: str  # "unique", "check", "index", "primary key", "foreign key", ...
    columns: tuple[str, ...] | None  # None: get_constraints() did not list it
    method: str | None = None  # access method of a stand-alone index
    predicate: str | None = None  # WHERE clause of a partial index
    opclasses: tuple[str, ...] = ()
    references: tuple[str, str] | None = None  # (table, column) of a foreign key

    def describe(self) -> str:
        text = f"{self.kind} {self.name!r} on {_cols(self.columns)}"
        if self.method and self.method != "btree":
            text += f" using {self.method}"
        if any(o.endswith("_pattern_ops") for o in self.opclasses):
            text += f" [{', '.join(self.opclasses)}]"
        if self.predicate:
            text += f" WHERE {self.predicate}"
        return text


@dataclass(frozen=True)
class Expected:
    """One object a model declares. Named ones are found by name, the others by their columns."""

    label: str
    kind: str
    columns: tuple[str, ...] | None  # None: built on expressions, columns not compared
    name: str | None = None
    ordered: bool = True
    partial: bool | None = False  # None: not compared (a check constraint has no predicate)
    method: str | None = None
    pattern_ops: bool | None = None  # True: the `_like` index; False: a plain one; None: either
    references: tuple[str, str] | None = None


def project_models() -> list[type[models.Model]]:
    """Managed, concrete models (M2M tables included) of the apps that live in this repository."""
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(REPO_ROOT) or path.is_relative_to(VENV):
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            if meta.managed and not meta.proxy and not meta.swapped:
                found.append(model)
    return found


def _column(model: type[models.Model], field_name: str) -> str:
    return model._meta.get_field(field_name).column


def _check_columns(model: type[models.Model], condition) -> tuple[str, ...]:
    """The columns a check's condition reads, resolved the way Django writes the CHECK itself."""
    where = Query(model=model, alias_cols=False).build_where(condition)
    columns: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, Col):
            columns.add(node.target.column)
        for child in getattr(node, "children", None) or []:
            walk(child)
        if hasattr(node, "get_source_expressions"):
            for expr in node.get_source_expressions():
                if expr is not None:
                    walk(expr)

    walk(where)
    return tuple(sorted(columns))


def _constraint_expected(model: type[models.Model], constraint: models.BaseConstraint) -> Expected:
    label = f"constraint {constraint.name!r}"
    if isinstance(constraint, models.UniqueConstraint):
        plain = constraint.fields and not constraint.include
        columns = tuple(_column(model, f) for f in constraint.fields) if plain else None
        return Expected(label, "unique", columns, name=constraint.name, partial=constraint.condition is not None)
    if isinstance(constraint, models.CheckConstraint):
        columns = _check_columns(model, constraint.condition)
        return Expected(label, "check", columns, name=constraint.name, ordered=False, partial=None)
    # ExclusionConstraint and the like: present by name and kind; columns are expressions.
    kind = "exclusion" if type(constraint).__name__ == "ExclusionConstraint" else "constraint"
    return Expected(label, kind, None, name=constraint.name, partial=None)


def _index_expected(model: type[models.Model], index: models.Index) -> Expected:
    columns = None
    if index.fields and not index.include:
        columns = tuple(_column(model, name) for name, _order in index.fields_orders)
    # A plain Index is a btree; the contrib.postgres classes' suffix is their access method.
    method = "btree" if index.suffix == models.Index.suffix else index.suffix
    return Expected(
        f"index {index.name!r}", "index", columns, name=index.name, partial=index.condition is not None, method=method
    )


def _like_index_wanted(field: models.Field) -> bool:
    """Mirror of the PostgreSQL schema editor's `_create_like_index_sql` for the common cases."""
    if not (field.db_index or field.unique):
        return False
    db_type = field.db_type(connection) or ""
    collation = getattr(field, "db_collation", None)
    if not collation and field.is_relation:
        collation = getattr(field.target_field, "db_collation", None)
    # A column with its own collation may be non-deterministic, which gets no LIKE index; whether
    # it is would need a query per collation, so such columns are not checked for one.
    return "[" not in db_type and db_type.startswith(("varchar", "text")) and not collation


def expected_objects(model: type[models.Model]) -> list[Expected]:
    meta = model._meta
    wanted = [_constraint_expected(model, c) for c in meta.constraints]
    wanted += [_index_expected(model, i) for i in meta.indexes]
    for fields in meta.unique_together:
        columns = tuple(_column(model, f) for f in fields)
        wanted.append(Expected(f"unique_together {tuple(fields)}", "unique", columns, ordered=False))
    for field in meta.local_concrete_fields:
        col = (field.column,)
        if field.primary_key:
            wanted.append(Expected(f"primary key ({field.column})", "primary key", col))
        elif field.unique:
            wanted.append(Expected(f"unique field ({field.column})", "unique", col))
        elif field.db_index:
            what = "foreign key index" if field.is_relation else "db_index"
            wanted.append(Expected(f"{what} ({field.column})", "index", col, method="btree", pattern_ops=False))
        if _like_index_wanted(field) and not field.primary_key:
            wanted.append(Expected(f"LIKE index ({field.column})", "index", col, method="btree", pattern_ops=True))
        if field.is_relation and getattr(field, "db_constraint", False):
            target = field.target_field
            references = (target.model._meta.db_table, target.column)
            wanted.append(
                Expected(
                    f"foreign key ({field.column}) -> {references[0]}.{references[1]}",
                    "foreign key",
                    col,
                    partial=None,
                    references=references,
                )
            )
    return wanted


def database_objects(cursor, table: str) -> list[DbObject]:
    introspected = connection.introspection.get_constraints(cursor, table)
    found = []
    cursor.execute(CONSTRAINTS_SQL, [table])
    for name, contype in cursor.fetchall():
        info = introspected.get(name)
        ok = info is not None and not info["index"]
        fk = info["foreign_key"] if ok else None
        found.append(
            DbObject(
                name,
                CONSTRAINT_KINDS.get(contype, f"constraint type {contype}"),
                tuple(info["columns"]) if ok else None,
                references=tuple(fk) if fk else None,
            )
        )
    cursor.execute(INDEXES_SQL, [table])
    for name, method, unique, predicate, key_columns, opclasses in cursor.fetchall():
        info = introspected.get(name)
        # get_constraints() files an index under a constraint of the same name, if there is one.
        columns = info["columns"] if info is not None and info["index"] else key_columns
        found.append(
            DbObject(
                name,
                "unique" if unique else "index",
                tuple(columns),
                method=method,
                predicate=predicate,
                opclasses=tuple(opclasses),
            )
        )
    return found


def _cols(columns: tuple[str | None, ...] | None) -> str:
    if columns is None:
        return "(expressions)"
    return f"({', '.join(c or '<expression>' for c in columns)})"


def _looks_like(db_name: str, declared: str) -> bool:
    def norm(name: str) -> str:
        return name.encode()[:PG_MAX_NAME_BYTES].decode(errors="ignore").casefold()

    return norm(db_name) == norm(declared)


def _columns_match(want: Expected, got: DbObject) -> bool:
    if want.columns is None:
        return True
    if got.columns is None:
        return False
    return got.columns == want.columns if want.ordered else sorted(got.columns) == sorted(want.columns)


def _differences(want: Expected, got: DbObject) -> list[str]:
    """What differs between a declared object and the database object of the same name and kind."""
    diffs = []
    if not _columns_match(want, got):
        diffs.append(f"columns {_cols(got.columns)} in the database, declared {_cols(want.columns)}")
    if want.partial is True and got.predicate is None:
        diffs.append("not partial in the database (pg_index.indpred is null), declared with a condition")
    if want.partial is False and got.predicate is not None:
        diffs.append(f"partial in the database (WHERE {got.predicate}), declared without a condition")
    if want.method and got.method and got.method != want.method:
        diffs.append(f"uses {got.method} in the database, declared {want.method}")
    if want.references and got.references != want.references:
        diffs.append(f"references {got.references} in the database, declared {want.references}")
    pattern = any(o.endswith("_pattern_ops") for o in got.opclasses)
    if want.pattern_ops is not None and pattern != want.pattern_ops:
        diffs.append(f"operator classes {got.opclasses} in the database")
    return diffs


def compare(want: Expected, objects: list[DbObject]) -> list[str]:
    """Problems with one declared object, as lines of the failure message (none when it is fine)."""
    if want.name is None:
        if any(o.kind == want.kind and not _differences(want, o) for o in objects):
            return []
        near = [o.describe() for o in objects if want.columns and o.columns and set(o.columns) == set(want.columns)]
        return [f"{want.label}: missing" + (f" (on these columns the database has: {'; '.join(near)})" if near else "")]

    # Reverse direction: whatever the database calls (nearly) by this name must be of this kind.
    impostors = [o.describe() for o in objects if _looks_like(o.name, want.name) and o.kind != want.kind]
    same = [o for o in objects if o.name == want.name and o.kind == want.kind]
    if not same:
        instead = f"; the database has {'; '.join(impostors)} instead" if impostors else ""
        return [f"{want.label}: missing ({want.kind} on {_cols(want.columns)}){instead}"]
    problems = [f"{want.label}: {d}" for d in _differences(want, same[0])]
    problems += [f"{want.label}: declared {want.kind}, but the database also has {i}" for i in impostors]
    return problems


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_declared_constraint_and_index_exists_in_postgresql():
    report: dict[str, list[str]] = defaultdict(list)
    checked = 0
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in project_models():
            table = model._meta.db_table
            heading = f"{model._meta.label} ({table})"
            if table not in tables:
                report[heading].append("table missing")
                continue
            objects = database_objects(cursor, table)
            for want in expected_objects(model):
                checked += 1
                report[heading] += compare(want, objects)

    assert checked > 100, f"only {checked} declared objects found: is the app filter still right?"
    problems = {heading: lines for heading, lines in report.items() if lines}
    message = "\n".join(
        f"{heading}:\n" + "\n".join(f"  - {line}" for line in lines) for heading, lines in sorted(problems.items())
    )
    if problems:
        pytest.fail(f"the database differs from the models' declarations:\n{message}", pytrace=False)
