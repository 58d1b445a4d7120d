"""Workloads: zoo, YAML, ONNX and SCALE-Sim loading, the per-layer table,
YAML round trips and the bad-input corpus as Python exceptions."""

import pathlib

import pytest

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "data" / "bad"


def test_zoo_lists_and_loads():
    names = apollo.zoo_names()
    assert "mobilenet_v2" in names and len(names) == len(set(names))
    w = apollo.load_workload("mobilenet_v2")
    assert w.name == "mobilenet_v2"
    layers = w.layers()
    assert len(layers) == w.num_layers == len(w) > 50
    assert sum(layer["macs"] for layer in layers) == w.macs
    assert sum(layer["weights"] for layer in layers) == w.weights
    first = layers[0]
    assert first["op"] == "conv" and first["index"] == 0
    # Every layer's inputs name a graph input or an earlier layer.
    seen = {i["name"] for i in w.inputs}
    for layer in layers:
        assert layer["inputs"] and set(layer["inputs"]) <= seen
        seen.add(layer["name"])


def test_unknown_zoo_name_lists_the_known_ones():
    with pytest.raises(apollo.WorkloadError, match="mobilenet_v2") as e:
        apollo.load_workload("no_such_net")
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("name", ["mobilenet_v2", "transformer_encoder"])
def test_yaml_round_trip(tmp_path, name):
    w = apollo.load_workload(name)
    path = tmp_path / "w.yaml"
    w.save(str(path))
    back = apollo.load_workload(str(path))
    assert back.layers() == w.layers()
    assert apollo.workload_from_yaml(w.to_yaml()).layers() == w.layers()


def test_files_of_every_format():
    yaml = apollo.load_workload(str(REPO / "configs" / "workloads" / "tiny_cnn.yaml"))
    assert yaml.num_layers > 0
    onnx = apollo.load_workload(str(REPO / "tests" / "data" / "onnx" / "tiny_resnet.onnx"))
    assert onnx.num_layers > 0 and onnx.macs > 0
    csv, report = apollo.import_workload(str(REPO / "tests" / "data" / "scalesim" / "conv_small.csv"))
    assert csv.num_layers == sum(report["mapped"].values())
    assert apollo.load_workload(str(REPO / "tests" / "data" / "scalesim" / "conv_small.csv")).layers() == csv.layers()


def bad_cases(prefix):
    """(file, expected substring) of the bad-input corpus lines starting with prefix."""
    cases = []
    for line in (BAD / "cases.txt").read_text().splitlines():
        if not line.startswith(prefix) or "|" not in line:
            continue
        args, expected = (part.strip() for part in line.split("|", 1))
        words = args.split()[len(prefix.split()):]
        # Only the lines about one file; option errors are the CLI's own.
        if not words or not words[0].startswith("@BAD@") or "--strict" in words:
            continue
        path = words[0].replace("@BAD@", str(BAD))
        cases.append(pytest.param(path, expected, id=pathlib.Path(path).name))
    return cases


@pytest.mark.parametrize("load,path,expected",
                         [pytest.param(apollo.load_workload, *c.values, id=c.id) for c in bad_cases("workloads show")]
                         + [pytest.param(apollo.import_workload, *c.values, id=c.id)
                            for c in bad_cases("workloads import")])
def test_bad_workload_files_raise_naming_the_file(load, path, expected):
    with pytest.raises(ValueError) as e:
        load(path)
    message = str(e.value)
    assert pathlib.Path(path).name in message
    assert expected in message
