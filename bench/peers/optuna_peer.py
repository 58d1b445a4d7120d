#!/usr/bin/env python3
"""Optuna as a peer of Apollo's optimizers, on the same problems, through
the Python API (apollo module).

Problems:
  paper   mobilenet_v2, perf/area = 1/(latency_ms x area_mm2), area <= 6.8 mm^2,
          the whole design space (452,760,000 designs); every trial simulated.
  regret  the same objective on configs/spaces/regret.yaml (20,736 designs),
          enumerated once (optimizer exhaustive), so the optimum is known;
          every optimizer's trials are then answered from the enumeration
          (Apollo: --lookup; Optuna: the enumeration's stored measurement).

Optimizers: Apollo's (random, evolution, mbo, p3bo, gp_bandit; --apollo
picks some) and Optuna's TPE and CMA-ES samplers, with the same seeds and
trial budgets. Optuna sees each parameter as an integer index into its
ascending value list (CMA-ES cannot sample categoricals); an infeasible
design is told the value 0 (every feasible perf/area is positive), a failed
evaluation (crash, time-out) is told as a failed trial. Every trial of every
optimizer is stored in one study database (--out/peers.db), so a re-run
resumes: finished studies are reused, not rerun.

Writes --out/results.md: best perf/area after 30/100/300 trials (median
[min, max] over the seeds) per problem and optimizer, and the regret
(optimum - best) on the sub-space.

  PYTHONPATH=build/python /usr/bin/python3 bench/peers/optuna_peer.py --quick
"""

import argparse
import concurrent.futures
import datetime
import os
import pathlib
import platform
import subprocess
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[2]
try:
    import apollo
except ImportError:
    sys.path.insert(0, str(REPO / "build" / "python"))
    import apollo

WORKLOAD = "mobilenet_v2"
BUDGET = 6.8
SPACE = REPO / "configs" / "spaces" / "regret.yaml"
# bench/paper/lib.sh's batch for Apollo's optimizers (same studies whatever --jobs is).
APOLLO_BATCH = 4
OPTUNA = ("tpe", "cmaes")
ALL_APOLLO = ("random", "evolution", "mbo", "p3bo", "gp_bandit")
ENUM = f"enum-{WORKLOAD}-{BUDGET}mm2"


def make_sampler(kind, seed):
    import optuna

    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    # CMA-ES needs a few trials to start; the default is random start-up
    # trials from an independent sampler with the same seed.
    return optuna.samplers.CmaEsSampler(seed=seed, independent_sampler=optuna.samplers.RandomSampler(seed=seed))


def optuna_loop(study, kind, seed, cardinalities, to_full, lookup):
    """Drives an Apollo study (ask/tell through the store) with an Optuna
    sampler; resumes by telling Optuna the trials already stored."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    names = [p["name"] for p in apollo.space_parameters()]
    varied = [k for k, c in enumerate(cardinalities) if c > 1]
    dists = {names[k]: optuna.distributions.IntDistribution(0, cardinalities[k] - 1) for k in varied}
    opt = optuna.create_study(direction="maximize", sampler=make_sampler(kind, seed))

    def value_of(record):
        return record["objective"] if record["status"] == "feasible" else 0.0

    space = study.space
    for record in study.trials():  # resume: replay what is stored
        sub = space.from_full(record["design"]) if space else record["design"]
        params = {names[k]: sub[k] for k in varied}
        if record["status"] == "failed":
            opt.add_trial(optuna.trial.create_trial(params=params, distributions=dists,
                                                    state=optuna.trial.TrialState.FAIL))
        else:
            opt.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=value_of(record)))
    while len(study.trials()) < study.budget:
        trial = opt.ask(dists)
        sub = [trial.params[names[k]] if k in varied else 0 for k in range(len(cardinalities))]
        asked = study.ask(to_full(sub))
        if lookup is not None:
            record = study.tell(asked, measurement=lookup[tuple(asked["design"])])
        else:
            record = study.tell(asked)
        if record["status"] == "failed":
            opt.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            opt.tell(trial, value_of(record))


def run_one(task):
    """One study (runs in a worker process): returns (name, seconds)."""
    db, problem, optimizer, seed, trials, model_batch = task
    name = f"{problem}-{optimizer}-s{seed}"
    store = apollo.open_store(db)
    started = time.time()
    existing = {s["name"]: s for s in store.list()}
    regret = problem == "regret"
    common = dict(workloads=[WORKLOAD], area_budget=BUDGET, seed=seed, trials=trials,
                  space=str(SPACE) if regret else None, lookup=ENUM if regret else "")
    if optimizer in OPTUNA:
        study = store.open_study(name) if name in existing else store.create_study(name, optimizer="external", **common)
        if regret:
            space = study.space
            lookup = {tuple(t["design"]): t for t in store.trials(ENUM)}
            optuna_loop(study, optimizer, seed, space.cardinalities(), space.to_full, lookup)
        else:
            optuna_loop(study, optimizer, seed, apollo.cardinalities(), lambda d: d, None)
    else:
        if name in existing:
            study = store.open_study(name)
        else:
            batch = model_batch if regret and optimizer in ("mbo", "p3bo", "gp_bandit") else APOLLO_BATCH
            study = store.create_study(name, optimizer=optimizer, batch=batch, **common)
        if len(study.trials()) < study.budget:
            study.run(jobs=1)
    return name, time.time() - started


def study_seconds(store, name):
    trials = store.trials(name)
    if not trials:
        return 0.0

    def at(stamp):
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))

    return (max(at(t["finished_at"]) for t in trials) - min(at(t["started_at"]) for t in trials)).total_seconds()


def cell(values):
    values = [v for v in values if not np.isnan(v)]
    if not values:
        return "-"
    return f"{np.median(values):.4g} [{min(values):.4g}, {max(values):.4g}]"


def table(store, problem, optimizers, seeds, checkpoints, reference=None):
    head = "| optimizer | seeds | " + " | ".join(f"{'regret' if reference else 'best'} @{c}" for c in checkpoints)
    head += f" | distinct designs in {checkpoints[-1]} trials |"
    rows = [head, "|---|---:|" + "---:|" * (len(checkpoints) + 1)]
    for opt in optimizers:
        arrays = [store.trial_arrays(f"{problem}-{opt}-s{s}") for s in seeds]
        best = [a["best_so_far"] for a in arrays]
        # A trial that repeats an earlier design spends budget without news.
        distinct = [len({tuple(d) for d in a["design"][:checkpoints[-1]]}) for a in arrays]
        cells = []
        for c in checkpoints:
            at = [b[c - 1] if len(b) >= c else np.nan for b in best]
            if reference is not None:
                at = [reference - v for v in at]
            cells.append(cell(at))
        cells.append(f"{np.median(distinct):.0f} [{min(distinct)}, {max(distinct)}]")
        source = "Optuna " + ("TPE" if opt == "tpe" else "CMA-ES") if opt in OPTUNA else f"Apollo {opt}"
        rows.append(f"| {source} | {len(seeds)} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="3 seeds, 100 trials on the paper problem, Apollo's random and evolution (minutes; "
                             "the sub-space enumeration, about 10 minutes on 2 cores, is done once and kept)")
    parser.add_argument("--full", action="store_true", help="5 seeds, 300 trials, all of Apollo's optimizers (hours)")
    parser.add_argument("--out", default=str(REPO / "bench" / "peers" / "results"))
    parser.add_argument("--jobs", type=int, default=2, help="studies run side by side (and enumeration workers)")
    parser.add_argument("--seeds", type=int, help="seeds 1..N")
    parser.add_argument("--trials", type=int, help="trials per study on the paper problem")
    parser.add_argument("--regret-trials", type=int, default=300, help="trials per study on the sub-space")
    parser.add_argument("--apollo", help="Apollo optimizers, comma-separated")
    parser.add_argument("--problems", default="paper,regret")
    parser.add_argument("--model-batch", type=int, default=25,
                        help="batch of mbo, p3bo and gp_bandit on the sub-space (bench/paper/regret.sh --quick)")
    args = parser.parse_args()
    if args.quick == args.full:
        parser.error("give --quick or --full")
    seeds = list(range(1, (args.seeds or (3 if args.quick else 5)) + 1))
    trials = args.trials or (100 if args.quick else 300)
    apollo_opts = args.apollo.split(",") if args.apollo else (["random", "evolution"] if args.quick else list(ALL_APOLLO))
    unknown = set(apollo_opts) - set(ALL_APOLLO)
    if unknown:
        parser.error(f"unknown Apollo optimizer(s) {sorted(unknown)}; known: {', '.join(ALL_APOLLO)}")
    problems = args.problems.split(",")
    optimizers = apollo_opts + list(OPTUNA)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = str(out / "peers.db")
    store = apollo.open_store(db)
    t0 = time.time()

    if "regret" in problems and ENUM not in {s["name"] for s in store.list()}:
        size = apollo.load_subspace(str(SPACE)).size
        print(f"enumerating {SPACE.name} ({size} designs, {args.jobs} workers) -> {db}", file=sys.stderr)
        store.create_study(ENUM, workloads=[WORKLOAD], area_budget=BUDGET, optimizer="exhaustive", trials=size,
                           batch=64, space=str(SPACE))
    if "regret" in problems:
        enum = store.open_study(ENUM)
        if len(enum.trials()) < enum.budget:
            enum.run(jobs=args.jobs)
    t_enum = time.time() - t0

    tasks = []
    for problem in problems:
        n = trials if problem == "paper" else args.regret_trials
        for opt in optimizers:
            for s in seeds:
                tasks.append((db, problem, opt, s, n, args.model_batch))
    seconds = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for name, secs in pool.map(run_one, tasks):
            seconds[name] = secs
            print(f"{name}: {secs:.0f} s", file=sys.stderr)

    lines = ["# Optuna as a peer of Apollo's optimizers", ""]
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    import optuna

    mode = "--quick" if args.quick else "--full"
    lines += [f"Generated by `bench/peers/optuna_peer.py {mode}"
              + (f" --seeds {len(seeds)}" if args.seeds else "") + (f" --trials {trials}" if args.trials else "")
              + (f" --apollo {args.apollo}" if args.apollo else "") + "` on "
              + datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
              + f", commit {commit}, Optuna {optuna.__version__}, {os.cpu_count()} cores ({platform.machine()}); "
              f"this run took {time.time() - t0:.0f} s (studies already complete in the database are reused, "
              "not rerun). Every number is computed from the study database by this run.", ""]
    checkpoints = [c for c in (30, 100, 300) if c <= trials]
    if "paper" in problems:
        lines += [f"## Paper problem: {WORKLOAD}, perf/area 1/(ms mm^2), area <= {BUDGET} mm^2, whole space", "",
                  f"Best feasible perf/area after N trials, median [min, max] over seeds {seeds[0]}..{seeds[-1]} "
                  f"({trials} trials per study; Apollo batch {APOLLO_BATCH}, Optuna one trial at a time). "
                  "Higher is better.", "",
                  table(store, "paper", optimizers, seeds, checkpoints), ""]
    if "regret" in problems:
        enum_trials = store.trial_arrays(ENUM)
        optimum = float(np.nanmax(enum_trials["objective"]))
        rcheck = [c for c in (30, 100, 300) if c <= args.regret_trials]
        lines += [f"## Regret sub-space: {SPACE.relative_to(REPO)} ({len(enum_trials['number'])} designs, "
                  f"{int(np.sum(enum_trials['status'] == 'feasible'))} feasible), optimum {optimum:.4f}", "",
                  f"Regret = optimum - best feasible perf/area after N trials (0 = optimum found), median [min, max] "
                  f"over seeds {seeds[0]}..{seeds[-1]} ({args.regret_trials} trials per study, answered from the "
                  f"enumeration; Apollo batch {APOLLO_BATCH}, {args.model_batch} for mbo, p3bo, gp_bandit). "
                  "Lower is better.", "",
                  table(store, "regret", optimizers, seeds, rcheck, reference=optimum), "",
                  f"The enumeration took {study_seconds(store, ENUM):.0f} s of wall time (first start to last "
                  f"finish); {t_enum:.0f} s of it in this run."]
    lines += ["", "Wall time of the studies (first trial start to last finish, from the database), summed over "
              "seeds; Apollo's model-based optimizers spend it fitting models, Optuna's samplers sampling:", "",
              "| optimizer | " + " | ".join(problems) + " |", "|---|" + "---:|" * len(problems)]
    for opt in optimizers:
        secs = [sum(study_seconds(store, f"{p}-{opt}-s{s}") for s in seeds) for p in problems]
        lines.append(f"| {opt} | " + " | ".join(f"{v:.0f} s" for v in secs) + " |")
    text = "\n".join(lines) + "\n"
    (out / "results.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
