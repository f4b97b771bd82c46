"""Name evidence that a column references another table's key — the cheap first step of foreign-key discovery.

Names come first because values alone cannot tell keys apart: small integer ids ``1..n`` are contained in every
other table's ``1..m`` key. Evidence, strongest first:

4. the same key name (``customer_id → customer.customer_id``), or ``<singular table>_id`` for a key named ``id``;
3. the same name tokens (``o_custkey → c_custkey``);
2. a qualified key name (``manager_staff_id → staff.staff_id``, ``original_language_id → language.language_id``);
1. a relation phrase: a person word naming a people table (``SupportRepId``, ``ReportsTo``, ``created_by`` →
   ``Employee``, ``staff``, ``users``), a hierarchy word naming the column's own table (``parent_id``,
   ``ReportsTo``), or a noun with a preposition naming the table it abbreviates (``ShipVia → Shippers``).

>>> name_evidence("Orders", "ShipVia", "Shippers", "ShipperID"), name_evidence("Customer", "SupportRepId", "Employee", "EmployeeId")
(1, 1)
>>> name_evidence("Employees", "ReportsTo", "Employees", "EmployeeID"), name_evidence("orders", "customer_id", "customers", "id")
(1, 4)
>>> name_evidence("Orders", "ShipCity", "Shippers", "ShipperID"), name_evidence("order", "customer_id", "order", "order_id")
(0, 0)
>>> name_evidence("users", "reports_count", "users", "user_id"), name_evidence("ticket", "owner", "agent", "agent_id")
(0, 1)
"""

from __future__ import annotations

from .roles import tokens

#: singular table names that hold people who act on other rows
_PEOPLE = {"employee", "staff", "user", "person", "people", "member", "agent", "rep", "worker", "personnel",
           "salesperson", "operator", "admin", "account_manager"}
#: column words naming a person acting on the row (a support rep, an owner, whoever reports to whom)
_PERSON_WORDS = {"rep", "representative", "manager", "supervisor", "boss", "agent", "owner", "assignee", "reporter",
                 "approver", "author", "creator", "reviewer", "salesperson", "salesrep", "reports", "mentor", "coach"}
#: column words naming another row of the same table (a hierarchy, a referral)
_SELF_WORDS = {"parent", "reports", "manager", "supervisor", "boss", "mentor", "superior", "predecessor",
               "successor", "referrer", "referred", "sponsor"}
_PREPOSITIONS = {"via", "by", "to", "from", "with"}


def singular(name: str) -> str:
    """``categories → category``, ``addresses → address``, ``orders → order`` (lower case)."""
    low = name.lower()
    if low.endswith("ies"):
        return low[:-3] + "y"
    if low.endswith(("sses", "xes")):
        return low[:-2]
    return low[:-1] if low.endswith("s") and not low.endswith("ss") else low


def _people(table: str) -> bool:
    toks = tokens(table)
    return bool(toks) and (singular(toks[-1]) in _PEOPLE or singular("".join(toks)) in _PEOPLE)


def _relation_phrase(child: str, col: str, parent: str) -> bool:
    toks = tokens(col)
    if len(toks) > 1 and toks[-1] not in ("id", "key", *_PREPOSITIONS):
        return False  # "reports_count", "manager_name": about a person, not a reference to one
    words = set(toks) | {"".join(toks)}
    if (words & _PERSON_WORDS or toks[-1:] == ["by"]) and _people(parent):
        return True
    if words & _SELF_WORDS and child == parent:
        return True
    if len(toks) >= 2 and toks[-1] in _PREPOSITIONS and len(toks[-2]) >= 4:
        stem, target = toks[-2], singular("".join(tokens(parent)))
        return target.startswith(stem) or stem.startswith(target)
    return False


def name_evidence(child: str, col: str, parent: str, pk: str) -> int:
    """0 = no evidence; higher = stronger name evidence that ``child.col`` references ``parent.pk``."""
    c, p, s = col.lower(), pk.lower(), singular(parent)
    if child != parent:
        if c == p and p != "id":
            return 4
        if p == "id" and c in (f"{s}_id", f"{parent.lower()}_id", f"{s}id"):
            return 4
        ct, pt = "".join(tokens(col)), "".join(tokens(pk))
        if ct == pt and pt not in ("id", "key"):
            return 3
        if p != "id" and c.endswith("_" + p):
            return 2
    return 1 if c != p and _relation_phrase(child, col, parent) else 0
