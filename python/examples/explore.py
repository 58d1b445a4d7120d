#!/usr/bin/env python3
"""Apollo from Python, end to end: simulate the baseline design on
mobilenet_v2, plot its per-layer latency and the PE utilization heatmap,
then run a short search and plot its convergence.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/explore.py --out example-out

Writes per_layer_latency.png, pe_heatmap.png, search.png and example.db
(the study) into --out. Every number printed is measured by this run.
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import apollo  # noqa: E402

LIMITER_COLORS = {"compute": "#4c72b0", "link": "#dd8452", "network": "#55a868", "memory": "#c44e52"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="example-out", help="output folder")
    parser.add_argument("--workload", default="mobilenet_v2")
    parser.add_argument("--trials", type=int, default=16, help="trials of the short search")
    parser.add_argument("--jobs", type=int, default=2, help="forked evaluation workers")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    # 1. One design, simulated in this process.
    workload = apollo.load_workload(args.workload)
    arch = apollo.baseline_arch()
    result = apollo.simulate(workload, arch)
    print(f"{workload.name} on the baseline ({arch.pe_x}x{arch.pe_y} PEs x {arch.cores_per_pe} cores x "
          f"{arch.simd_lanes} lanes): {result.total_cycles:,} cycles, {result.latency_ms:.4f} ms, "
          f"{result.area_mm2:.3f} mm^2, perf/area {result.perf_per_area:.4f} 1/(ms mm^2)")

    # 2. Per-layer latency, coloured by what limited each layer.
    layers = result.layers
    us = np.array([layer["cycles"] for layer in layers]) / (arch.clock_ghz * 1e3)
    fig, ax = plt.subplots(figsize=(12, 4))
    ax.bar(range(len(layers)), us, color=[LIMITER_COLORS[layer["limiter"]] for layer in layers])
    ax.set_xlabel("layer")
    ax.set_ylabel("latency (us)")
    ax.set_title(f"{workload.name}: per-layer latency ({result.latency_ms:.3f} ms in all)")
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in LIMITER_COLORS.values()],
              labels=list(LIMITER_COLORS), title="limited by")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "per_layer_latency.png"), dpi=100)
    plt.close(fig)
    slowest = int(np.argmax(us))
    print(f"slowest layer: {layers[slowest]['name']} ({us[slowest]:.1f} us, {layers[slowest]['limiter']}-bound)")

    # 3. PE utilization over the array (row y, column x).
    fig, ax = plt.subplots(figsize=(5, 4.5))
    image = ax.imshow(result.pe_busy, vmin=0, vmax=1, cmap="magma")
    fig.colorbar(image, ax=ax, label="busy fraction (computing)")
    ax.set_xlabel("PE x")
    ax.set_ylabel("PE y")
    ax.set_title("PE utilization")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "pe_heatmap.png"), dpi=100)
    plt.close(fig)
    print(f"PE busy: min {result.pe_busy.min():.3f}, mean {result.pe_busy.mean():.3f}, "
          f"max {result.pe_busy.max():.3f}")

    # 4. A short search with Apollo's evolution optimizer, stored like `apollo search`.
    store = apollo.open_store(os.path.join(args.out, "example.db"))
    name = f"example-{len(store.list()) + 1}"
    study = store.create_study(name, workloads=[args.workload], optimizer="evolution", seed=1,
                               trials=args.trials, batch=args.jobs)
    study.run(jobs=args.jobs)
    trials = study.trial_arrays()
    best = study.best()
    feasible = int(np.sum(trials["status"] == "feasible"))
    print(f"search {name}: {args.trials} trials, {feasible} feasible")
    if best:
        print(f"best: trial {best['number']}, perf/area {best['objective']:.4f} 1/(ms mm^2), "
              f"area {best['area_mm2']:.3f} mm^2, {best['values']}")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.step(trials["number"] + 1, trials["best_so_far"], where="post", label="best so far")
    ax.scatter(trials["number"] + 1, trials["objective"], s=10, color="grey", label="trial")
    ax.axhline(result.perf_per_area, color="black", linestyle=":", label="baseline")
    ax.set_xlabel("trials")
    ax.set_ylabel("perf/area 1/(ms mm^2)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, "search.png"), dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
