"""bench/peers/optuna_peer.py in a reduced run (the paper problem only, one
seed, 30 trials): every study is stored with its budget and the table has a
computed cell for each optimizer."""

import os
import pathlib
import re
import subprocess
import sys

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_optuna_peer_reduced_run(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(apollo.__file__).parents[1]))
    out = subprocess.run([sys.executable, str(REPO / "bench" / "peers" / "optuna_peer.py"), "--quick", "--seeds", "1",
                          "--trials", "30", "--apollo", "random", "--problems", "paper", "--jobs", "2",
                          "--out", str(tmp_path)], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    store = apollo.open_store(tmp_path / "peers.db")
    studies = {s["name"]: s for s in store.list()}
    assert set(studies) == {"paper-random-s1", "paper-tpe-s1", "paper-cmaes-s1"}
    assert all(s["trials"] == 30 for s in studies.values())
    table = (tmp_path / "results.md").read_text()
    for label, name in (("Apollo random", "paper-random-s1"), ("Optuna TPE", "paper-tpe-s1"),
                        ("Optuna CMA-ES", "paper-cmaes-s1")):
        row = re.search(rf"^\| {label} \| 1 \| (\S+) ", table, re.M)
        assert row, table
        best = studies[name]["best_objective"]
        assert row.group(1) == ("-" if best is None else f"{best:.4g}")
