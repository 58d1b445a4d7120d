"""Architectures (dict and file round trips, validation errors naming file
and key) and the design space (encode/decode, sampling, neighbours)."""

import pathlib

import pytest

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "data" / "bad"


def test_dict_and_file_round_trips(tmp_path):
    base = apollo.baseline_arch()
    d = base.to_dict(constants=True)
    assert set(d) == {p["name"] for p in apollo.space_parameters()} | {"constants"}
    assert apollo.Arch.from_dict(d) == base
    path = tmp_path / "a.yaml"
    base.save(str(path))
    assert apollo.load_arch(str(path)) == base
    assert apollo.parse_arch(base.to_yaml()) == base
    assert base.pe_x == d["pe_x"] and base.clock_ghz == d["constants"]["clock_ghz"]
    bigger = base.replace(pe_x=8)
    assert bigger.pe_x == 8 and bigger.num_pes == 8 * base.pe_y
    assert base.pe_x != 8  # replace() copies
    assert base != bigger and base != "edge_baseline"


def test_dict_errors_name_the_key():
    d = apollo.baseline_arch().to_dict()
    del d["core_memory"]
    with pytest.raises(apollo.ConfigError, match="missing key 'core_memory'"):
        apollo.Arch.from_dict(d)
    with pytest.raises(apollo.ConfigError, match="pe_z"):
        apollo.Arch.from_dict({**apollo.baseline_arch().to_dict(), "pe_z": 4})
    with pytest.raises(apollo.ConfigError, match="'pe_y'"):
        apollo.baseline_arch().replace(pe_y=-2)
    with pytest.raises(apollo.ConfigError, match="cannot open"):
        apollo.load_arch("/nonexistent/arch.yaml")


def arch_cases():
    cases = []
    for line in (BAD / "cases.txt").read_text().splitlines():
        if line.startswith("area --arch @BAD@/arch/"):
            args, expected = (part.strip() for part in line.split("|", 1))
            path = args.split()[2].replace("@BAD@", str(BAD))
            cases.append(pytest.param(path, expected, id=pathlib.Path(path).name))
    assert cases
    return cases


@pytest.mark.parametrize("path,expected", arch_cases())
def test_bad_arch_files_raise_naming_file_and_key(path, expected):
    with pytest.raises(apollo.ConfigError) as e:
        apollo.load_arch(path)
    assert isinstance(e.value, ValueError)
    assert pathlib.Path(path).name in str(e.value) and expected in str(e.value)


def test_space_encode_decode_sample_neighbours():
    cards = apollo.cardinalities()
    size = 1
    for c in cards:
        size *= c
    assert apollo.space_size() == size == 452_760_000
    base = apollo.baseline_arch()
    design = apollo.encode(base)
    assert apollo.decode(design) == base
    assert apollo.from_flat_index(apollo.flat_index(design)) == design
    designs = apollo.sample(20, seed=7)
    assert designs == apollo.sample(20, seed=7)  # determinism by seed
    assert designs != apollo.sample(20, seed=8)
    for d in designs:
        assert all(0 <= i < c for i, c in zip(d, cards))
        assert apollo.encode(apollo.decode(d)) == d
    near = apollo.neighbours(design)
    assert len(near) == sum(c - 1 for c in cards)
    assert all(sum(a != b for a, b in zip(n, design)) == 1 for n in near)
    with pytest.raises(apollo.ConfigError, match="pe_x"):
        apollo.decode([99] + design[1:])


def test_subspace():
    space = apollo.load_subspace(str(REPO / "configs" / "spaces" / "regret.yaml"))
    assert space.size == 20736
    sub = space.at(1234)
    full = space.to_full(sub)
    assert space.from_full(full) == sub and space.contains(full)
    assert space.decode(sub) == apollo.decode(full)
    assert "pe_x" in space.varied_parameters()


def test_area_breakdown_adds_up():
    a = apollo.area(apollo.baseline_arch())
    assert a["total_mm2"] == pytest.approx(sum(item["mm2"] for item in a["items"]))
    assert [item["component"] for item in a["items"]][:2] == ["instruction_memory", "parameter_memory"]
    assert apollo.area(apollo.encode(apollo.baseline_arch()))["total_mm2"] == a["total_mm2"]
