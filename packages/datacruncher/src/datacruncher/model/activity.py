"""Which child tables are *activity* of an entity — the rows retention, churn, activation and engagement count.

Many event tables are not: an order's line items are parts of the order; a funnel table's rows are the stages an
account passes once each; a state-transition table records the rare moments a subscription changes state; and a
child with (nearly) one row per parent — a rental's payment, an order's review — is a follow-up of its parent.
"Day-1 retention of rentals by payments is 0%" or "98% of accounts made no onboarding step in the last 30 days"
describe the table's shape, not the business, so these edges are not bound.

>>> from datacruncher.model.semantic import Column, Table
>>> steps = Table("onboarding_step", 9, [Column("account_id", "BIGINT", "integer", ["id"]),
...                                       Column("stage", "VARCHAR", "string", ["category"])])
>>> not_activity(steps, steps.columns[0])
'its rows are the stages of a funnel'
"""

from __future__ import annotations

from .roles import tokens
from .semantic import Column, Table

_LINE_WORDS = {"line", "lines", "item", "items", "lineitem", "lineitems", "orderitem", "orderitems", "orderline",
               "orderlines", "detail", "details", "orderdetail", "orderdetails"}
_FUNNEL_WORDS = {"funnel", "stage", "stages", "step", "steps", "milestone", "milestones"}
_BEFORE_WORDS = {"previous", "prev", "old", "from", "prior", "before"}
_STATE_WORDS = {"state", "status", "stage", "plan", "tier"}
#: distinct parents per child row from which a child is one-per-parent (sketch counts carry a few % error)
FOLLOW_UP_SHARE = 0.95


def line_table(t: Table) -> bool:
    """Line items of a header (``order_item``, ``lineitem``, ``Order Details``, a table with a ``linenumber``)."""
    words = set(tokens(t.name)) | {"".join(tokens(t.name))}
    cols = {"".join(tokens(c.name)) for c in t.columns}
    return bool(words & _LINE_WORDS) or bool(cols & {"linenumber", "lineno", "linenum"})


def funnel_table(t: Table) -> bool:
    """Rows that are stages of a funnel: the table is named for steps/stages, or a category column is."""
    if set(tokens(t.name)) & _FUNNEL_WORDS:
        return True
    return any("category" in c.roles and set(tokens(c.name)) & {"stage", "funnel", "step"} for c in t.columns)


def transition_table(t: Table) -> bool:
    """Rows that record a change of state: a ``previous_state``/``old_status``/``from_plan`` column."""
    for c in t.columns:
        toks = set(tokens(c.name))
        if c.kind == "string" and toks & _BEFORE_WORDS and toks & _STATE_WORDS:
            return True
    return False


def not_activity(event: Table, fk_column: Column | None) -> str | None:
    """Why ``event``'s rows (joined by ``fk_column``) are not activity of the parent, or None when they are."""
    if line_table(event):
        return "its rows are line items of a header"
    if funnel_table(event):
        return "its rows are the stages of a funnel"
    if transition_table(event):
        return "its rows are state transitions"
    if fk_column is not None and fk_column.non_null >= 30 and fk_column.distinct >= FOLLOW_UP_SHARE * fk_column.non_null:
        return "it has about one row per parent (a follow-up, not repeated activity)"
    return None
