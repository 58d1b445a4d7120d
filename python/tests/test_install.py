"""`cmake --install` into a temporary prefix gives a working program, CMake
package and Python module that read the prefix's configs, not the source
tree's: the prefix is moved after installing (nothing may point back into
the build), its baseline preset is edited and the installed program and
module must both see the edit; and, where a private mount namespace is
allowed, all three run with the source tree hidden."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

import apollo

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("APOLLO_BUILD_DIR", REPO / "build"))


def run(args, **kw):
    out = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert out.returncode == 0, f"{args}: {out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    work = tmp_path_factory.mktemp("install")
    run(["cmake", "--install", BUILD, "--prefix", work / "staged"])
    moved = work / "moved"
    shutil.move(work / "staged", moved)  # relocatable: no path of the install is compiled in
    return moved


@pytest.fixture(scope="module")
def consumer(prefix, tmp_path_factory):
    """A project of its own, built against the installed CMake package."""
    build = tmp_path_factory.mktemp("consumer")
    run(["cmake", "-S", REPO / "python" / "tests" / "consumer", "-B", build, f"-DCMAKE_PREFIX_PATH={prefix}",
         "-DCMAKE_BUILD_TYPE=Release"], env=clean_env())
    run(["cmake", "--build", build, "-j2"], env=clean_env())
    return build / "consumer"


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "APOLLO_DATA_DIR")}
    env.update(SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1", **extra)
    return env


def site_dir(prefix):
    dirs = list(prefix.glob("lib/python3*/dist-packages"))
    assert len(dirs) == 1, dirs
    return dirs[0]


def test_layout(prefix):
    assert (prefix / "bin" / "apollo").is_file()
    version = run([prefix / "bin" / "apollo", "--version"], env=clean_env())
    assert apollo.__version__ in version
    assert (prefix / "share" / "apollo" / "configs" / "arch" / "edge_baseline.yaml").is_file()
    assert (prefix / "include" / "sim" / "simulate.hpp").is_file()
    assert list(prefix.glob("lib*/**/libapollo_search.a"))
    assert list(prefix.glob("lib*/**/cmake/Apollo/ApolloConfig.cmake"))
    assert list(site_dir(prefix).glob("apollo/_apollo*.so"))


def test_program_module_and_package_read_the_prefix(prefix, consumer, tmp_path, run_cli):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    apollo_bin = prefix / "bin" / "apollo"
    expected = json.loads(run_cli("simulate", "--workload", "mobilenet_v2", "--json", "-").stdout)
    installed = json.loads(run([apollo_bin, "simulate", "--workload", "mobilenet_v2", "--json", "-"], cwd=cwd,
                               env=clean_env()))
    assert installed["total_cycles"] == expected["total_cycles"]

    # The installed program and module must read the prefix's preset: edit it.
    preset = prefix / "share" / "apollo" / "configs" / "arch" / "edge_baseline.yaml"
    original = preset.read_text()
    preset.write_text(original.replace("pe_x: 4", "pe_x: 2", 1))
    try:
        edited = json.loads(run([apollo_bin, "simulate", "--workload", "mobilenet_v2", "--json", "-"], cwd=cwd,
                                env=clean_env()))
        assert edited["arch"]["pe_x"] == 2 and edited["total_cycles"] != expected["total_cycles"]
        probe = ("import apollo, json; r = apollo.simulate(apollo.load_workload('mobilenet_v2'), "
                 "apollo.baseline_arch()); print(json.dumps([apollo.__file__, apollo.data_dir(), "
                 "r.arch.pe_x, r.total_cycles]))")
        file, data_dir, pe_x, cycles = json.loads(run([sys.executable, "-c", probe], cwd=cwd,
                                                      env=clean_env(PYTHONPATH=str(site_dir(prefix)))))
        assert pathlib.Path(file).is_relative_to(prefix)
        assert pathlib.Path(data_dir) == prefix / "share" / "apollo"
        assert (pe_x, cycles) == (2, edited["total_cycles"])
    finally:
        preset.write_text(original)

    cycles, area = run([consumer, "mobilenet_v2"], cwd=cwd, env=clean_env()).split()
    assert int(cycles) == expected["total_cycles"]
    assert float(area) == pytest.approx(apollo.area(apollo.baseline_arch())["total_mm2"], rel=1e-9)


def test_installed_files_work_with_the_source_tree_hidden(prefix, consumer, tmp_path, run_cli):
    """The source and build trees covered by an empty tmpfs (a private mount
    namespace, which needs root or user namespaces): nothing installed may
    need them."""
    hide = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs none "$0" && cd / && exec "$@"', REPO]
    if subprocess.run(hide + ["true"], capture_output=True).returncode != 0:
        pytest.skip("no private mount namespace here (unshare -m needs root)")
    expected = json.loads(run_cli("simulate", "--workload", "mobilenet_v2", "--json", "-").stdout)
    installed = json.loads(run(hide + [prefix / "bin" / "apollo", "simulate", "--workload", "mobilenet_v2",
                                       "--json", "-"], env=clean_env()))
    assert installed["total_cycles"] == expected["total_cycles"]
    probe = ("import apollo; print(apollo.simulate(apollo.load_workload('mobilenet_v2'), "
             "apollo.baseline_arch()).total_cycles)")
    assert int(run(hide + [sys.executable, "-c", probe], env=clean_env(PYTHONPATH=str(site_dir(prefix))))) \
        == expected["total_cycles"]
    assert int(run(hide + [consumer], env=clean_env()).split()[0]) == expected["total_cycles"]
