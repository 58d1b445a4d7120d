"""Forked evaluations (a crash or hang raises, Python lives on) and studies:
ask/tell through the store with resume, Apollo's own optimizers from
Python, reading trials as dicts and numpy arrays, determinism by seed."""

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import apollo


def test_evaluate_matches_simulate():
    base = apollo.baseline_arch()
    m = apollo.evaluate(base, ["mobilenet_v2"], area_budget=6.8)
    r = apollo.simulate(apollo.load_workload("mobilenet_v2"), base)
    assert m["status"] == "feasible"
    assert m["latency_ms"]["mobilenet_v2"] == r.latency_ms
    assert m["area_mm2"] == pytest.approx(r.area_mm2)
    assert m["objective"] == pytest.approx(r.perf_per_area)
    over = apollo.evaluate(base, ["mobilenet_v2"], area_budget=0.5)
    assert over["status"] == "infeasible" and "exceeds the budget" in over["reason"]
    assert "objective" not in over


@pytest.mark.parametrize("fault,timeout,expected", [("crash", 60, "SIGSEGV"), ("hang", 1, "time")])
def test_crashing_evaluation_raises_and_python_survives(monkeypatch, fault, timeout, expected):
    monkeypatch.setenv("APOLLO_TEST_FAULT", fault)
    with pytest.raises(apollo.EvaluationError, match=expected):
        apollo.evaluate(apollo.baseline_arch(), ["mobilenet_v2"], timeout=timeout)
    monkeypatch.delenv("APOLLO_TEST_FAULT")
    assert apollo.evaluate(apollo.baseline_arch(), ["mobilenet_v2"])["status"] == "feasible"


def test_evaluate_bad_input():
    with pytest.raises(apollo.WorkloadError, match="no_such_net"):
        apollo.evaluate(apollo.baseline_arch(), ["no_such_net"])


def test_ask_tell_through_the_store_with_resume(tmp_path, monkeypatch, run_cli):
    db = tmp_path / "s.db"
    store = apollo.open_store(db)
    study = store.create_study("ext", workloads=["mobilenet_v2"], trials=6, seed=3)
    designs = apollo.sample(6, seed=11)
    first = [study.ask(d) for d in designs[:2]]
    assert [t["number"] for t in first] == [0, 1]
    records = study.tell(first, jobs=2)
    assert [r["design"] for r in records] == designs[:2]
    # A crash in trial 2 is stored as a failed trial; the study goes on.
    monkeypatch.setenv("APOLLO_TEST_FAULT", "crash@2")
    crashed = study.tell(study.ask(designs[2]))
    monkeypatch.delenv("APOLLO_TEST_FAULT")
    assert crashed["status"] == "failed" and "SIGSEGV" in crashed["reason"]
    del study, store

    # Resume: a new process would do the same, from the name alone.
    study = apollo.open_store(db).open_study("ext")
    assert [t["number"] for t in study.trials()] == [0, 1, 2]
    rest = [study.ask(d) for d in designs[3:]]
    assert [t["number"] for t in rest] == [3, 4, 5]
    # A measurement made elsewhere (here: copied from trial 0) is stored as given.
    copied = study.tell(rest[0], measurement=study.trials()[0])
    assert copied["latency_ms"] == records[0]["latency_ms"]
    study.tell(rest[1:])
    with pytest.raises(ValueError, match="budget of 6 trials"):
        study.ask(designs[0])
    with pytest.raises(ValueError, match="was not asked"):
        study.tell({"number": 9})
    trials = study.trials()
    assert [t["number"] for t in trials] == list(range(6))
    arrays = study.trial_arrays()
    assert arrays["design"].shape == (6, len(apollo.cardinalities()))
    np.testing.assert_array_equal(arrays["design"][:, 0], [d[0] for d in designs])
    for t, objective, status in zip(trials, arrays["objective"], arrays["status"]):
        assert status == t["status"]
        assert np.isnan(objective) if t["objective"] is None else objective == t["objective"]
    # The CLI reads the same study from the same database.
    shown = json.loads(run_cli("study", "show", "ext", "--db", db, "--json").stdout)
    assert shown["counts"]["trials"] == 6 and shown["counts"]["failed"] >= 1
    listed = apollo.open_store(db).list()
    assert listed[0]["name"] == "ext" and listed[0]["trials"] == 6


def test_apollo_optimizer_from_python_is_deterministic_and_resumes(tmp_path):
    store = apollo.open_store(tmp_path / "s.db")
    runs = []
    for name in ("a", "b"):
        study = store.create_study(name, workloads=["mobilenet_v2"], optimizer="evolution", seed=5, trials=8, batch=2)
        report = study.run(jobs=2)
        assert report["evaluated"] == 8
        runs.append(store.trials(name))
    assert [t["design"] for t in runs[0]] == [t["design"] for t in runs[1]]
    assert [t["objective"] for t in runs[0]] == [t["objective"] for t in runs[1]]
    # A larger budget resumes by replay: the stored 8 are not evaluated again.
    study = store.open_study("a")
    study.set_budget(10)
    report = study.run(jobs=2)
    assert report["replayed"] == 8 and report["evaluated"] == 2 and report["diverged"] == 0
    assert store.trial_arrays("a")["best_so_far"].shape == (10,)


def test_energy_objective_and_objective_errors(tmp_path):
    store = apollo.open_store(tmp_path / "e.db")
    study = store.create_study("e", workloads=["mobilenet_v3_small"], optimizer="random", seed=2, trials=4, batch=2,
                               objective="energy")
    assert study.run(jobs=2)["evaluated"] == 4
    feasible = [t for t in store.trials("e") if t["status"] == "feasible"]
    assert feasible
    for t in feasible:  # the energy objective is 1 / the energy of one inference
        assert t["energy_uj"]["mobilenet_v3_small"] > 0
        assert t["objective"] == pytest.approx(1 / t["energy_uj"]["mobilenet_v3_small"], rel=1e-12)
    with pytest.raises(ValueError, match="cannot be combined"):
        store.create_study("x", objective="energy", objectives=["latency", "area"])
    with pytest.raises(ValueError, match="unknown objective"):
        store.create_study("y", objective="speed")
    with pytest.raises(ValueError, match="two or three"):
        store.create_study("z", objectives=["latency"])


def test_store_errors_are_value_errors(tmp_path):
    store = apollo.open_store(tmp_path / "s.db")
    with pytest.raises(apollo.StoreError, match="no study 'missing'"):
        store.trials("missing")
    with pytest.raises(ValueError, match="unknown optimizer|bogus"):
        store.create_study("x", optimizer="bogus")
    assert store.list() == []


def test_ctrl_c_stops_a_running_study_which_then_resumes(tmp_path):
    db = tmp_path / "s.db"
    child = ("import apollo, sys\n"
             "study = apollo.open_store(sys.argv[1]).create_study('long', optimizer='random', trials=100000)\n"
             "print('running', flush=True)\n"
             "try:\n"
             "    study.run(jobs=1)\n"
             "except KeyboardInterrupt:\n"
             "    print('interrupted', flush=True)\n")
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(apollo.__file__).parents[1]))
    p = subprocess.Popen([sys.executable, "-c", child, str(db)], stdout=subprocess.PIPE, text=True, env=env,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert p.stdout.readline().strip() == "running"
    store = apollo.open_store(db)
    deadline = time.time() + 60
    while len(store.trials("long")) < 3 and time.time() < deadline:
        time.sleep(0.1)
    p.send_signal(signal.SIGINT)
    out, _ = p.communicate(timeout=60)
    assert out.strip() == "interrupted" and p.returncode == 0
    stored = len(store.trials("long"))
    assert 3 <= stored < 100000
    study = store.open_study("long")
    study.set_budget(stored + 2)
    assert study.run()["evaluated"] == 2
    assert [t["number"] for t in store.trials("long")] == list(range(stored + 2))
