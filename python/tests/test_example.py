"""The example script runs end to end and writes its three plots."""

import os
import pathlib
import subprocess
import sys

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_example_script(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(apollo.__file__).parents[1]), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, str(REPO / "python" / "examples" / "explore.py"), "--out", str(tmp_path),
                          "--trials", "6"], capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr
    for name in ("per_layer_latency.png", "pe_heatmap.png", "search.png"):
        assert (tmp_path / name).read_bytes()[:4] == b"\x89PNG"
    r = apollo.simulate(apollo.load_workload("mobilenet_v2"), apollo.baseline_arch())
    assert f"{r.total_cycles:,} cycles" in out.stdout
    assert "search example-1: 6 trials" in out.stdout
    assert len(apollo.open_store(tmp_path / "example.db").trials("example-1")) == 6
