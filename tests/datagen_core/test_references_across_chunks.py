"""References that span chunks or behaviours: self-lookups over the whole table, lookups sharing their `on` row,
funnel and state times moved after the rows they reference, the creation column of a table with a birth date."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from datagen_core.engine import generate
from datagen_core.errors import GenerationError
from datagen_core.frame import CHUNK_ROWS


def _col(name: str, typ: str, gen: dict, **kw: object) -> dict:
    return {"name": name, "type": typ, "generator": gen, **kw}


def _write(tmp_path: Path, nodes: list[dict], timeframe: tuple[str, str] = ("2022-01-01", "2024-12-31")) -> Path:
    doc = {"version": "1.0", "metadata": {"name": "t"}, "constraints": {},
           "timeframe": {"start": timeframe[0], "end": timeframe[1]}, "nodes": nodes}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(doc))
    return path


def _shas(result) -> dict[str, str]:
    return {t.name: t.files[0].sha256 for t in result.metadata.tables}


def test_self_lookup_reaches_rows_of_earlier_chunks_whatever_the_workers(tmp_path: Path) -> None:
    n = 2 * CHUNK_ROWS + 5000
    schema = _write(tmp_path, [{"id": "employee", "rows": n, "pk": "employee_id", "columns": [
        _col("employee_id", "int", {"sequence": {}}),
        _col("hired_at", "datetime", {"datetime_series": {"within": "timeframe"}}),
        _col("manager_id", "int", {"lookup": {"from": "employee.employee_id"}}, nullable=True)]}])
    a = generate(schema, tmp_path / "a", seed=5, workers=1)
    b = generate(schema, tmp_path / "b", seed=5, workers=2)
    assert _shas(a) == _shas(b)
    t = pq.read_table(tmp_path / "a" / "employee.parquet")
    ids, hired, mgr = (t[c].to_numpy(zero_copy_only=False) for c in ("employee_id", "hired_at", "manager_id"))
    has = ~np.asarray(t["manager_id"].is_null())
    assert int((~has).sum()) == 1  # only the earliest-hired employee of the whole table has no manager
    assert hired[~has][0] == hired.min()
    row_of = {int(k): i for i, k in enumerate(ids)}
    m_rows = np.array([row_of[int(m)] for m in mgr[has]])
    m_hired, own = hired[m_rows], hired[has]
    assert ((m_hired < own) | ((m_hired == own) & (ids[m_rows] < ids[has]))).all()  # earlier, never a cycle
    chunk_of = (ids - 1) // CHUNK_ROWS
    crossing = chunk_of[m_rows] != chunk_of[has]
    assert crossing.mean() > 0.3  # before: never (a manager was always in the employee's own chunk)
    assert (chunk_of[m_rows] <= chunk_of[has]).all()  # ids follow hiring time: an earlier hire, an earlier id


def test_lookups_with_the_same_on_keys_read_the_same_row(tmp_path: Path) -> None:
    schema = _write(tmp_path, [
        {"id": "org", "rows": 200, "pk": "org_id", "columns": [
            _col("org_id", "int", {"sequence": {}}),
            _col("created_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "adoption", "kind": "fact", "parents": ["org"], "pk": "adoption_id",
         "fanout": {"distribution": "uniform", "min": 1, "max": 4}, "columns": [
            _col("adoption_id", "int", {"sequence": {}}),
            _col("org_id", "int", {"lookup": {"from": "org.org_id"}}),
            _col("feature", "string", {"choice": {"choices": ["sso", "api", "export", "sync", "ai"]}}),
            _col("adopted_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "usage", "kind": "fact", "parents": ["org"], "pk": "usage_id",
         "fanout": {"distribution": "poisson", "lambda": 10}, "columns": [
            _col("usage_id", "int", {"sequence": {}}),
            _col("org_id", "int", {"lookup": {"from": "org.org_id"}}),
            _col("used_at", "datetime", {"datetime_series": {"within": "timeframe"}}),
            _col("adoption_id", "int", {"lookup": {"from": "adoption.adoption_id", "on": {"org_id": "org_id"}}}),
            _col("feature", "string", {"lookup": {"from": "adoption.feature", "on": {"org_id": "org_id"}}})]},
    ])
    generate(schema, tmp_path / "o", seed=2)
    usage = pq.read_table(tmp_path / "o" / "usage.parquet")
    adoption = pq.read_table(tmp_path / "o" / "adoption.parquet")
    feature_of = dict(zip(adoption["adoption_id"].to_pylist(), adoption["feature"].to_pylist(), strict=True))
    assert usage.num_rows > 1000
    assert [feature_of[a] for a in usage["adoption_id"].to_pylist()] == usage["feature"].to_pylist()


def _doctor_and_patients(behaviour: dict, kind_cols: list[dict]) -> list[dict]:
    return [
        {"id": "doctor", "rows": 30, "pk": "doctor_id", "columns": [
            _col("doctor_id", "int", {"sequence": {}}),
            _col("joined_at", "datetime", {"datetime_series": {"within": {"start": "2023-06-01", "end": "2024-06-30"}}})]},
        {"id": "patient", "rows": 400, "pk": "patient_id", "columns": [
            _col("patient_id", "int", {"sequence": {}}),
            _col("registered_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "visit", "kind": "fact", "parents": ["patient", "doctor"], "pk": "visit_id", **behaviour, "columns": [
            _col("visit_id", "int", {"sequence": {}}),
            _col("patient_id", "int", {"lookup": {"from": "patient.patient_id"}}),
            *kind_cols,
            _col("event_at", "datetime", {"datetime_series": {"within": "timeframe"}}),
            _col("doctor_id", "int", {"lookup": {"from": "doctor.doctor_id"}})]},
    ]


def _check_moved_after_doctor(out: Path, order_col: str) -> np.ndarray:
    visit = pq.read_table(out / "visit.parquet")
    doctor = pq.read_table(out / "doctor.parquet")
    joined = dict(zip(doctor["doctor_id"].to_pylist(), doctor["joined_at"].to_numpy(), strict=True))
    t = visit["event_at"].to_numpy()
    assert visit.num_rows > 500
    assert (t >= np.array([joined[d] for d in visit["doctor_id"].to_pylist()])).all()
    # per patient, in the behaviour's order, times still strictly increase
    key = visit["patient_id"].to_numpy()
    order = np.lexsort((visit[order_col].to_numpy(), key))
    same = key[order][1:] == key[order][:-1]
    assert (np.diff(t[order].astype(np.int64))[same] > 0).all()
    return t


def test_funnel_times_move_after_the_rows_they_reference(tmp_path: Path) -> None:
    funnel = {"stage_config": {"stages": [{"stage_name": s, "transition_rate": 0.9} for s in ("book", "see", "pay")]}}
    schema = _write(tmp_path, _doctor_and_patients(funnel, [
        _col("stage_index", "int", {"sequence": {"start": 0}}),
        _col("stage", "string", {"choice": {"choices": ["book", "see", "pay"]}})]))
    result = generate(schema, tmp_path / "o", seed=4)
    t = _check_moved_after_doctor(tmp_path / "o", "stage_index")
    assert not any("reference the earliest doctor" in w for w in result.warnings)
    visit = pq.read_table(tmp_path / "o" / "visit.parquet")
    starts = pc.equal(visit["stage_index"], 0).to_numpy(zero_copy_only=False)
    # stages stay contiguous from stage 0 per patient (a funnel cut by the window loses its tail only)
    per_patient = {}
    for p, s in zip(visit["patient_id"].to_pylist(), visit["stage_index"].to_pylist(), strict=True):
        per_patient.setdefault(p, []).append(s)
    assert all(sorted(v) == list(range(len(v))) for v in per_patient.values())
    assert starts.sum() == len(per_patient) and len(t) > starts.sum()


def test_state_times_move_after_the_rows_they_reference(tmp_path: Path) -> None:
    model = {"state_transition_model": {"initial_state": "admitted", "period_unit": "week", "max_transitions": 6,
             "states": {"admitted": {"transition_prob_per_period": 0.8, "next_states": {"treated": 1.0}},
                        "treated": {"transition_prob_per_period": 0.5, "next_states": {"admitted": 0.6, "gone": 0.4}},
                        "gone": {"terminal": True}}}}
    schema = _write(tmp_path, _doctor_and_patients(model, [
        _col("state", "string", {"choice": {"choices": ["admitted", "treated", "gone"]}})]))
    result = generate(schema, tmp_path / "o", seed=4)
    _check_moved_after_doctor(tmp_path / "o", "event_at")
    assert not any("reference the earliest doctor" in w for w in result.warnings)


def test_a_birth_date_before_the_registration_is_not_the_creation_time(tmp_path: Path) -> None:
    schema = _write(tmp_path, [
        {"id": "patient", "rows": 300, "pk": "patient_id", "columns": [
            _col("patient_id", "int", {"sequence": {}}),
            _col("birth_date", "date", {"faker": {"method": "date_of_birth"}}),
            _col("registered_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "visit", "kind": "fact", "parents": ["patient"], "pk": "visit_id",
         "fanout": {"distribution": "poisson", "lambda": 4}, "columns": [
            _col("visit_id", "int", {"sequence": {}}),
            _col("patient_id", "int", {"lookup": {"from": "patient.patient_id"}}),
            _col("visited_at", "datetime", {"datetime_series": {"within": "timeframe"}})]}])
    result = generate(schema, tmp_path / "o", seed=1)
    patient = pq.read_table(tmp_path / "o" / "patient.parquet")
    visit = pq.read_table(tmp_path / "o" / "visit.parquet")
    registered = dict(zip(patient["patient_id"].to_pylist(), patient["registered_at"].to_numpy(), strict=True))
    need = np.array([registered[p] for p in visit["patient_id"].to_pylist()])
    assert visit.num_rows > 500 and (visit["visited_at"].to_numpy() >= need).all()
    created = {t.name: t.created_at_column for t in result.metadata.tables}
    assert created == {"patient": "registered_at", "visit": "visited_at"}


def test_a_keyed_lookup_that_moves_the_time_comes_before_what_reads_the_time(tmp_path: Path) -> None:
    """`promo_id` (a lookup with `on`) may move `called_at` up to the promo's start; `ended_at` is computed from
    `called_at` and declared after it, so it is generated after the lookup (it went stale, breaking the pair)."""
    schema = _write(tmp_path, [
        {"id": "promo", "rows": 30, "pk": "promo_id", "columns": [
            _col("promo_id", "int", {"sequence": {}}),
            _col("zone", "string", {"choice": {"choices": ["A", "B"]}}),
            _col("start_at", "datetime", {"datetime_series": {"within": {"start": "2022-06-01", "end": "2024-12-31"}}})]},
        {"id": "call", "rows": 4000, "pk": "call_id", "columns": [
            _col("call_id", "int", {"sequence": {}}),
            _col("called_at", "datetime", {"datetime_series": {"within": "timeframe", "freq": "min"}}),
            _col("zone", "string", {"choice": {"choices": ["A", "B"]}}),
            _col("ended_at", "datetime", {"expression": {"code": "called_at + 300000000"}}),
            _col("promo_id", "int", {"lookup": {"from": "promo.promo_id", "on": {"zone": "zone"}}})]}])
    doc = json.loads(schema.read_text())
    doc["constraints"] = {"inequalities": [{"left": "call.called_at", "op": "<", "right": "call.ended_at"}]}
    schema.write_text(json.dumps(doc))
    generate(schema, tmp_path / "o", seed=3)
    call = pq.read_table(tmp_path / "o" / "call.parquet")
    promo = pq.read_table(tmp_path / "o" / "promo.parquet")
    start = dict(zip(promo["promo_id"].to_pylist(), promo["start_at"].to_numpy(), strict=True))
    called, ended = call["called_at"].to_numpy(), call["ended_at"].to_numpy()
    assert (called >= np.array([start[p] for p in call["promo_id"].to_pylist()])).all()
    assert ((ended - called) == np.timedelta64(300, "s")).all()
    assert call.column_names == ["call_id", "called_at", "zone", "ended_at", "promo_id"]


def _forum(tmp_path: Path, on: dict | None) -> Path:
    reply = {"from": "message.message_id", **({"on": on} if on else {})}
    return _write(tmp_path, [
        {"id": "thread", "rows": 18000, "pk": "thread_id", "columns": [
            _col("thread_id", "int", {"sequence": {}}),
            _col("opened_at", "datetime", {"datetime_series": {"within": "timeframe"}})]},
        {"id": "message", "kind": "fact", "parents": ["thread"], "pk": "message_id",
         "fanout": {"distribution": "poisson", "lambda": 8}, "columns": [
            _col("message_id", "int", {"sequence": {"start": 1000, "step": 2}}),
            _col("thread_id", "int", {"lookup": {"from": "thread.thread_id"}}),
            _col("posted_at", "datetime", {"datetime_series": {"within": "timeframe"}}),
            _col("reply_to_id", "int", {"lookup": reply}, nullable=True)]}])


def _replies(out: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    t = pq.read_table(out / "message.parquet")
    ids, thread, posted = (t[c].to_numpy() for c in ("message_id", "thread_id", "posted_at"))
    has = ~np.asarray(t["reply_to_id"].is_null())
    row = (t["reply_to_id"].to_numpy(zero_copy_only=False)[has].astype(np.int64) - 1000) // 2
    me = np.flatnonzero(has)
    assert ((ids[row] - 1000) // 2 == row).all()
    earlier = (posted[row] < posted[me]) | ((posted[row] == posted[me]) & (row < me))
    assert earlier.all() and (row != me).all()
    return has, row, me, thread


def test_a_fact_references_earlier_rows_of_itself_in_any_chunk(tmp_path: Path) -> None:
    """A fact's self-lookup (`reply_to_id`) was refused ("must read a sequence column of an entity")."""
    schema = _forum(tmp_path, None)
    a = generate(schema, tmp_path / "a", seed=8)
    b = generate(schema, tmp_path / "b", seed=8, workers=2)
    assert _shas(a) == _shas(b) and a.rows["message"] > 2 * CHUNK_ROWS
    has, row, me, _ = _replies(tmp_path / "a")
    assert int((~has).sum()) == 1
    assert (row // CHUNK_ROWS != me // CHUNK_ROWS).mean() > 0.3


def test_a_self_lookup_with_on_keys_stays_within_its_key(tmp_path: Path) -> None:
    """`on` of a self-lookup was ignored: replies pointed at messages of other threads."""
    schema = _forum(tmp_path, {"thread_id": "thread_id"})
    result = generate(schema, tmp_path / "o", seed=8)
    has, row, me, thread = _replies(tmp_path / "o")
    assert (thread[row] == thread[me]).all()
    assert int((~has).sum()) == len(np.unique(thread))  # the first message of every thread answers nothing
    assert result.rows["message"] > 2 * CHUNK_ROWS


def test_a_lookup_into_a_table_without_rows(tmp_path: Path) -> None:
    """A referenced table with no rows crashed the run (IndexError): a nullable lookup is null, a fact row that
    must reference it is not generated (warned once per table), an entity that must reference it is an error."""
    nodes = [
        {"id": "doctor", "rows": 0, "pk": "doctor_id", "columns": [_col("doctor_id", "int", {"sequence": {}})]},
        {"id": "patient", "rows": 200, "pk": "patient_id", "columns": [
            _col("patient_id", "int", {"sequence": {}}),
            _col("gp_id", "int", {"lookup": {"from": "doctor.doctor_id"}}, nullable=True)]},
        {"id": "visit", "kind": "fact", "parents": ["patient", "doctor"], "pk": "visit_id", "columns": [
            _col("visit_id", "int", {"sequence": {}}),
            _col("patient_id", "int", {"lookup": {"from": "patient.patient_id"}}),
            _col("doctor_id", "int", {"lookup": {"from": "doctor.doctor_id"}}),
            _col("doctor_again", "int", {"lookup": {"from": "doctor.doctor_id"}})]}]
    result = generate(_write(tmp_path, nodes), tmp_path / "o", seed=1)
    assert result.rows == {"doctor": 0, "patient": 200, "visit": 0}
    assert pq.read_table(tmp_path / "o" / "patient.parquet")["gp_id"].null_count == 200
    assert [w for w in result.warnings if "doctor has no rows" in w] == [
        "visit: 200 rows not generated: doctor has no rows to reference"]
    nodes[1]["columns"][1]["nullable"] = False
    with pytest.raises(GenerationError, match=r"patient\.gp_id: doctor has no rows to reference"):
        generate(_write(tmp_path, nodes), tmp_path / "p", seed=1)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("keys, probe", [
    (np.array([7, 5, 7, 9, 5, 5]), np.array([5, 6, 7, 9, 10, -3, 4])),  # dense ints, absent keys on both sides
    (np.array([3, 10**12, 3, -(10**12)]), np.array([3, 10**12, 4, -(10**12), 0])),  # too sparse to address
    (np.array([2, 4, 2], dtype=np.uint32), np.array([2, 3, 4, 5], dtype=np.int64)),
    (np.array([1.5, np.nan, 1.5, 2.0]), np.array([1.5, np.nan, 2.0, 3.0])),  # a NaN finds the NaN, as a sort does
    (np.array(["b", "a", "b", ""]), np.array(["b", "", "c", "a"])),
    (np.array([4, 5], dtype=np.int64), np.array([4.0, 4.5, 5.0])),  # float keys against integer ones
])
def test_key_index_finds_what_sorting_the_table_per_chunk_found(keys: np.ndarray, probe: np.ndarray) -> None:
    """The index built once per table gives every row the very range of rows (so the very draw) that sorting the
    table in each chunk gave."""
    from datagen_core.columns.references import KeyIndex

    index = KeyIndex(keys)
    order = np.argsort(keys, kind="stable")
    a, b = index.ranges(probe)
    assert np.array_equal(index.order, order)
    assert a.tolist() == np.searchsorted(keys[order], probe, "left").tolist()
    assert b.tolist() == np.searchsorted(keys[order], probe, "right").tolist()


def test_a_keyed_lookup_index_is_built_once_per_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of a fact share the index of the table their ``on`` lookup reads (it used to be sorted per chunk)."""
    from datagen_core.columns import lookups

    built = []
    real = lookups.KeyIndex

    def counting(keys: np.ndarray) -> object:
        built.append(len(keys))
        return real(keys)

    monkeypatch.setattr(lookups, "KeyIndex", counting)
    path = _write(tmp_path, [
        {"id": "course", "rows": 300, "pk": "course_id", "columns": [
            _col("course_id", "int", {"sequence": {}}),
            _col("credits", "float", {"distribution": {"type": "uniform", "params": {"low": 1, "high": 5}}})]},
        {"id": "grade", "kind": "fact", "parents": ["course"], "pk": "grade_id",
         "fanout": {"distribution": "poisson", "lambda": 600}, "columns": [
             _col("grade_id", "int", {"sequence": {}}),
             _col("course_id", "int", {"lookup": {"from": "course.course_id"}}),
             _col("credits", "float", {"lookup": {"from": "course.credits", "on": {"course_id": "course_id"}}})]},
    ])
    generate(path, tmp_path / "out", seed=2)
    grade = pq.read_table(tmp_path / "out" / "grade.parquet")
    course = pq.read_table(tmp_path / "out" / "course.parquet").to_pydict()
    assert grade.num_rows > 2 * CHUNK_ROWS  # several chunks
    credits = dict(zip(course["course_id"], course["credits"], strict=True))
    assert [credits[c] for c in grade["course_id"].to_pylist()] == grade["credits"].to_pylist()
    assert built == [300]
