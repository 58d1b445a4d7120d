"""compile() and simulate(): the same numbers as `apollo simulate --json`,
numpy busy maps, trace files, and the compiler's reason as an exception."""

import json
import pathlib

import numpy as np
import pytest

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("workload,arch", [
    ("mobilenet_v2", None),
    (str(REPO / "configs" / "workloads" / "tiny_cnn.yaml"), str(REPO / "configs" / "arch" / "small.yaml")),
])
def test_simulate_equals_cli(run_cli, workload, arch):
    args = ["simulate", "--workload", workload, "--json", "-"] + (["--arch", arch] if arch else [])
    cli = json.loads(run_cli(*args).stdout)
    design = apollo.load_arch(arch) if arch else apollo.baseline_arch()
    r = apollo.simulate(apollo.load_workload(workload), design)
    assert r.total_cycles == cli["total_cycles"] > 0
    assert r.latency_ms == pytest.approx(cli["latency_ms"], rel=1e-12)
    assert r.bound_cycles == cli["bound_cycles"]
    assert r.area_mm2 == pytest.approx(cli["area_mm2"], rel=1e-12)
    assert r.perf_per_area == pytest.approx(cli["perf_per_area"], rel=1e-12)
    assert r.layers == cli["layers"]  # every per-layer statistic, same keys
    assert r.bytes == cli["bytes"]
    assert r.energy == cli["energy"]  # same writer: totals, components, counts, per layer
    assert r.energy["total_uj"] == pytest.approx(sum(r.energy["components_uj"].values()), rel=1e-12)
    np.testing.assert_array_equal(r.pe_busy.ravel(), cli["pe_busy"])
    np.testing.assert_array_equal(r.core_busy.ravel(), cli["core_busy"])
    np.testing.assert_array_equal(r.pe_peak_memory_bytes.ravel(), cli["pe_peak_memory_bytes"])
    assert r.pe_busy.shape == (design.pe_y, design.pe_x)
    assert r.core_busy.shape == (design.num_pes, design.cores_per_pe)


def test_compile_mapping_and_traces(tmp_path):
    w = apollo.load_workload(str(REPO / "configs" / "workloads" / "tiny_cnn.yaml"))
    arch = apollo.load_arch(str(REPO / "configs" / "arch" / "small.yaml"))
    program = apollo.compile(w, arch)
    layers = program.layers()
    assert [layer["name"] for layer in layers] == [layer["name"] for layer in w.layers()]
    assert program.bound_cycles == sum(layer["bound"]["cycles"] for layer in layers)
    assert all(1 <= layer["active_pes"] <= arch.num_pes or layer["ops"] == 0 for layer in layers)
    timeline, vcd = tmp_path / "t.json", tmp_path / "w.vcd"
    r = apollo.simulate(w, arch, timeline=str(timeline), vcd=str(vcd))
    assert json.loads(timeline.read_text())  # valid trace-event JSON
    assert vcd.read_text().startswith("$")
    # Traces run every event exactly: the same cycles as the fast paths.
    assert r.total_cycles == apollo.simulate(w, arch).total_cycles


def test_infeasible_design_raises_with_the_compilers_reason():
    tiny = apollo.baseline_arch().replace(core_memory=16, pe_memory=1024)
    with pytest.raises(apollo.InfeasibleError) as e:
        apollo.compile(apollo.load_workload("mobilenet_v2"), tiny)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.memory and err.needed > err.available and err.memory in str(err)
    with pytest.raises(apollo.InfeasibleError):
        apollo.simulate(apollo.load_workload("mobilenet_v2"), tiny)


def test_unwritable_trace_raises():
    w = apollo.load_workload(str(REPO / "configs" / "workloads" / "tiny_cnn.yaml"))
    with pytest.raises(ValueError, match="/nonexistent/"):
        apollo.simulate(w, apollo.baseline_arch(), timeline="/nonexistent/t.json")
