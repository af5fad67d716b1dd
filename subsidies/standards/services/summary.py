# ruff: noqa: S608 -- table names come from model metadata and every value is a bound parameter
"""The grant summary (`GrantSummary`): the month's unrecovered grants added up per community,
care level and categories. It is written only beside the grants it adds up, in the same
transaction, so it can never disagree with them:

- the run's chunks add the grants they have just written (`grant_summary_add_chunk`);
- a recovery takes its grant out (`grant_summary_remove`).

The report reads it instead of the grant table (a few hundred rows a month, not one per elder).
"""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone

from eldercare.periods import Month
from subsidies.standards.models import Grant, GrantSummary

T_GRANT = Grant._meta.db_table
T_SUMMARY = GrantSummary._meta.db_table


def _upsert_sql(select: str) -> str:
    return f"""INSERT INTO {T_SUMMARY} (month, community_id, care_level, categories, people, amount,
                   district_share, town_share, created_at, updated_at)
               {select}
               ON CONFLICT (month, community_id, care_level, categories) DO UPDATE SET
                 people = {T_SUMMARY}.people + excluded.people,
                 amount = {T_SUMMARY}.amount + excluded.amount,
                 district_share = {T_SUMMARY}.district_share + excluded.district_share,
                 town_share = {T_SUMMARY}.town_share + excluded.town_share,
                 updated_at = excluded.updated_at"""


def grant_summary_add_chunk(
    cur, *, source: str, month: Month, lo: int, hi: int, run_id: int, written_at: datetime.datetime, all_new: bool
) -> None:
    """Add to the summary the grants a chunk of the run has just written, in the chunk's transaction.

    `source` is the run's table of rows to pay (seq, elder_id, community_id, care_level,
    categories, amount, district_share, town_share). When every row of the chunk got its grant
    (`all_new`, the usual case) the rows are added up from it without reading the grant table;
    otherwise only the grants this chunk wrote (its run and its `created_at`) are added up, found
    through the (elder, month) key."""
    first = month.first_day
    if all_new:
        select = f"""SELECT %s, x.community_id, x.care_level, x.categories, COUNT(*), SUM(x.amount),
                            SUM(x.district_share), SUM(x.town_share), %s, %s
                     FROM {source} x WHERE x.seq BETWEEN %s AND %s
                     GROUP BY x.community_id, x.care_level, x.categories"""
        params = [first, written_at, written_at, lo, hi]
    else:
        select = f"""SELECT %s, g.community_id, g.care_level, g.categories, COUNT(*), SUM(g.amount),
                            SUM(g.district_share), SUM(g.town_share), %s, %s
                     FROM {source} x JOIN {T_GRANT} g ON g.elder_id = x.elder_id AND g.month = %s
                     WHERE x.seq BETWEEN %s AND %s AND g.run_id = %s AND g.created_at = %s
                     GROUP BY g.community_id, g.care_level, g.categories"""
        params = [first, written_at, written_at, first, lo, hi, run_id, written_at]
    cur.execute(_upsert_sql(select), params)


def grant_summary_remove(*, grant: Grant) -> None:
    """Take a grant out of the summary, in the transaction that marks it recovered."""
    GrantSummary.objects.filter(
        month=grant.month, community_id=grant.community_id, care_level=grant.care_level, categories=grant.categories
    ).update(
        people=F("people") - 1,
        amount=F("amount") - grant.amount.amount,
        district_share=F("district_share") - grant.district_share.amount,
        town_share=F("town_share") - grant.town_share.amount,
        updated_at=timezone.now(),
    )
