// apollo search: run (or resume) a study: an optimizer proposes designs,
// forked workers compile + area + simulate them, every trial is committed to
// the SQLite study store as it finishes. With no options: a small demo study.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/command.hpp"
#include "cli/study_common.hpp"
#include "models/arch_io.hpp"
#include "models/space.hpp"
#include "models/subspace.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "search/mpi_evaluator.hpp"
#include "search/objective.hpp"
#include "search/optimizer.hpp"
#include "search/report.hpp"
#include "search/request.hpp"
#include "search/store.hpp"
#include "search/study.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

using search::StudyDefinition;
using search::StudyProgress;

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  long t = std::lround(s);
  std::ostringstream o;
  if (t >= 3600) o << t / 3600 << "h" << std::setw(2) << std::setfill('0') << (t % 3600) / 60 << "m";
  else if (t >= 60) o << t / 60 << "m" << std::setw(2) << std::setfill('0') << t % 60 << "s";
  else o << t << "s";
  return o.str();
}

// Progress on stderr: redrawn in place on a terminal, otherwise one line
// every few seconds (logs and CI stay readable).
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1) {}

  void update(const StudyProgress& p) {
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    bool last = p.done >= p.total;
    if (!tty_ && !last && printed_ && now - last_print_ < std::chrono::seconds(3)) return;
    if (tty_ && !last && printed_ && now - last_print_ < std::chrono::milliseconds(100)) return;
    last_print_ = now;
    printed_ = true;
    std::ostringstream line;
    const int width = 24;
    int filled = p.total > 0 ? p.done * width / p.total : width;
    line << "[" << std::string(static_cast<size_t>(filled), '#') << std::string(static_cast<size_t>(width - filled), '.')
         << "] " << p.done << "/" << p.total << " trials";
    line << "  feasible " << (p.done ? 100 * p.feasible / p.done : 0) << "%";
    line << "  best ";
    if (p.best) line << std::setprecision(4) << *p.best;
    else line << "-";
    double rate = p.elapsed_s > 0 ? p.evaluated / p.elapsed_s : 0;
    line << "  " << std::fixed << std::setprecision(2) << rate << " trials/s";
    line << "  ETA " << (last ? "0s" : rate > 0 ? format_duration((p.total - p.done) / rate) : "?");
    if (tty_) std::cerr << "\r" << line.str() << "\x1b[K" << (last ? "\n" : "") << std::flush;
    else std::cerr << line.str() << "\n" << std::flush;
  }

 private:
  bool enabled_;
  bool tty_;
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_print_{};
};

}  // namespace

int run_search(const std::vector<std::string>& args) {
  std::string optimizer_names;
  for (const auto& o : search::optimizer_catalog()) optimizer_names += (optimizer_names.empty() ? "" : ", ") + o.name;
  po::options_description opts("Options");
  opts.add_options()
      ("workload", po::value<std::vector<std::string>>(), "workload: zoo name or file (repeat for several; default mobilenet_v2)")
      ("area-budget", po::value<double>()->default_value(search::kDefaultAreaBudgetMm2, "6.8"), "area budget in mm^2")
      ("optimizer", po::value<std::string>()->default_value(search::kDefaultOptimizer), ("optimizer: " + optimizer_names).c_str())
      ("opt", po::value<std::vector<std::string>>(), "optimizer setting key=value (repeatable)")
      ("trials", po::value<int>(), "trial budget (default 100; 200 for the demo, i.e. when neither --workload nor --study is given)")
      ("jobs", po::value<int>()->default_value(search::hardware_jobs()), "concurrent worker processes (with --mpi: per worker rank, default 1)")
      ("batch", po::value<int>(), "designs per ask/tell round (default: --jobs; with --mpi: worker ranks x --jobs)")
      ("mpi", po::bool_switch(), "evaluate on an MPI cluster (run under mpirun/srun): rank 0 runs the optimizer and the store, the other ranks evaluate")
      ("db", po::value<std::string>()->default_value("apollo.db"), "study database (SQLite)")
      ("study", po::value<std::string>(), "study name (default: derived from workload, optimizer, budget, seed)")
      ("seed", po::value<uint64_t>()->default_value(1), "random seed of the optimizer")
      ("transfer-from", po::value<std::vector<std::string>>(), "learn from an earlier study of --db (repeatable; same design space)")
      ("space", po::value<std::string>(), "search only the sub-space of this YAML file (configs/spaces/*.yaml); unlisted parameters stay at the baseline's value")
      ("lookup", po::value<std::string>(), "answer each trial from the stored trial of the same design in this study of --db (an exhaustive enumeration) instead of simulating")
      ("objective", po::value<std::string>(), "scalar objective, maximized under the area budget: perf_per_area (default; 1/(latency ms x area mm2)), latency (1/ms), energy (1/uJ), edp (1/(uJ x ms)), perf_per_watt (inferences per joule); several workloads: geometric mean of the ratio to the baseline's value; energy is one inference's, from the energy model (README, \"Energy\")")
      ("objectives", po::value<std::string>(), "multi-objective study: two or three of latency,energy,area (comma-separated, each minimized, e.g. latency,area); the result is the Pareto front (apollo study pareto); not with --objective")
      ("area-constraint", po::value<std::string>()->default_value("known"), "known: the optimizer proposes only designs within --area-budget (checked with the area model); blackbox: over-budget designs are evaluated as infeasible trials (the paper's treatment)")
      ("resume", po::bool_switch(), "continue a stored study: --study NAME, or the one these options name; options given must match its definition (--trials and --trial-timeout may change)")
      ("trial-timeout", po::value<double>(), "per-trial wall-clock limit in seconds (default 60; 0 = none)")
      ("memory-limit", po::value<long>()->default_value(0), "per-worker address-space limit in MiB (0 = none)")
      ("tech", po::value<std::string>(), "technology file of the area model (default configs/tech/tech16nm.yaml)")
      ("baseline", po::value<std::string>(), "baseline architecture (default configs/arch/edge_baseline.yaml)")
      ("takeover", po::bool_switch(), "with --resume: run even if the database says another host runs the study")
      ("quiet", po::bool_switch(), "no progress bar")
      ("json", po::bool_switch(), "print the result as JSON");
  po::variables_map vm;
  if (!parse_options(args, "search [--workload W ...] [--area-budget MM2] [--optimizer NAME] [--opt k=v ...] "
                           "[--trials N] [--jobs J] [--db FILE] [--study NAME] [--seed S] [--transfer-from STUDY ...] [--space FILE] [--lookup STUDY] [--area-constraint known|blackbox] [--objective NAME | --objectives a,b[,c]] [--resume] [--mpi]",
                     opts, {}, vm)) {
    return kOk;
  }
  // The demo: nothing says which study to run.
  const bool demo = !vm.count("workload") && !vm.count("study") && !vm["resume"].as<bool>();
  const bool resume = vm["resume"].as<bool>();
  const bool json_out = vm["json"].as<bool>();
  const bool use_mpi = vm["mpi"].as<bool>();
  // Under MPI one rank per core is the convention, so a worker rank runs one
  // evaluation at a time unless --jobs says otherwise.
  const int jobs = use_mpi && vm["jobs"].defaulted() ? 1 : vm["jobs"].as<int>();
  if (jobs < 1) throw UsageError("--jobs must be at least 1, got " + std::to_string(jobs));

  // MPI only when asked: worker ranks get the study from rank 0 (they never
  // open the database) and evaluate until rank 0 stops them.
  std::optional<search::MpiSession> mpi;
  std::optional<search::MpiCoordinator> coordinator;
  if (use_mpi) {
    mpi.emplace();
    if (mpi->rank() != 0) {
      search::run_mpi_worker(*mpi, [](const StudyDefinition& d) {
        return search::make_study_environment(std::make_shared<search::EvaluationContext>(search::make_evaluation_context(d)));
      });
      return kOk;
    }
    try {
      coordinator.emplace(*mpi);
    } catch (const search::MpiError& e) {
      throw UsageError(e.what());
    }
  }
  const std::string db_path = vm["db"].as<std::string>();

  const bool db_existed = std::filesystem::exists(db_path);
  std::unique_ptr<search::StudyStore> store;
  try {
    store = std::make_unique<search::StudyStore>(db_path);
  } catch (const search::StoreError& e) {
    throw UsageError(e.what());
  }
  // Bad input found below (options, workloads, baseline) must not leave a
  // new, empty database behind: a file this run created is removed again
  // when the run fails before any study is stored in it.
  struct RemoveIfUnused {
    std::unique_ptr<search::StudyStore>& store;
    std::string path;
    bool created;
    ~RemoveIfUnused() {
      if (!created || std::uncaught_exceptions() == 0) return;
      try {
        if (!store->list_studies().empty()) return;
        store.reset();
        for (const char* suffix : {"", "-journal", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
      } catch (const std::exception&) {
        // Leaving the empty file behind is harmless.
      }
    }
  } remove_if_unused{store, db_path, !db_existed};

  // One process runs a study at a time. The claim is dropped however this
  // function ends; a killed process leaves it behind, and the next run sees
  // its process gone and takes over.
  struct Release {
    search::StudyStore& store;
    std::string name;
    ~Release() {
      if (name.empty()) return;
      try {
        store.release_study(name);
      } catch (const std::exception&) {
        // Nothing to do: a stale claim of a dead process is taken over later.
      }
    }
  } release{*store, ""};
  auto claim = [&](const std::string& name) {
    if (auto owner = store->claim_study(name, vm["takeover"].as<bool>())) {
      throw UsageError("study '" + name + "' is being run by " + *owner + " (if that process is gone, add --takeover)");
    }
    release.name = name;
  };

  // The request as given (defaults only where an option was left out), then
  // search/ decides whether it names a new study or a stored one to continue.
  search::StudyRequest request;
  auto given = [&](const char* k) { return vm.count(k) && !vm[k].defaulted(); };
  if (given("study")) request.name = vm["study"].as<std::string>();
  if (given("workload")) request.workloads = vm["workload"].as<std::vector<std::string>>();
  if (given("area-budget")) request.area_budget_mm2 = vm["area-budget"].as<double>();
  if (given("optimizer")) request.optimizer = vm["optimizer"].as<std::string>();
  if (given("seed")) request.seed = vm["seed"].as<uint64_t>();
  if (given("trials")) request.trials = vm["trials"].as<int>();
  if (given("batch")) request.batch = vm["batch"].as<int>();
  if (given("trial-timeout")) request.trial_timeout_s = vm["trial-timeout"].as<double>();
  if (given("tech")) request.tech_path = vm["tech"].as<std::string>();
  if (given("baseline")) request.baseline_path = vm["baseline"].as<std::string>();
  if (given("transfer-from")) request.transfer_from = vm["transfer-from"].as<std::vector<std::string>>();
  if (given("space")) request.space_path = vm["space"].as<std::string>();
  if (given("lookup")) request.lookup = vm["lookup"].as<std::string>();
  if (given("area-constraint")) request.area_constraint = vm["area-constraint"].as<std::string>();
  if (given("objective")) request.objective = vm["objective"].as<std::string>();
  if (given("objectives")) request.objectives = search::parse_objectives(vm["objectives"].as<std::string>());
  request.default_batch = coordinator ? coordinator->workers() * jobs : jobs;
  request.demo = demo;
  search::StudyPlan plan;
  try {
    if (given("opt")) request.settings = search::parse_settings(vm["opt"].as<std::vector<std::string>>());
    plan = search::plan_study(*store, request, resume);
  } catch (const search::RequestError& e) {
    throw UsageError(e.what());
  }
  StudyDefinition def = plan.definition;
  const bool continuing = plan.resume;
  if (continuing) {
    claim(def.name);  // before changing the definition under a running search
    if (plan.definition_changed) store->update_study(def);
    if (!plan.note.empty() && !json_out) std::cerr << plan.note << "\n";
  }

  const uint64_t space_size = def.space ? def.space->size() : models::space_size();
  if (!def.lookup.empty() && use_mpi) throw UsageError("--lookup answers trials in this process; it cannot run with --mpi");
  std::optional<search::LookupTable> lookup;
  try {
    if (!def.lookup.empty()) lookup = search::LookupTable::load(*store, def);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  auto ctx = std::make_shared<search::EvaluationContext>(search::make_evaluation_context(def));
  if (!continuing) {
    if (!json_out) {
      std::cerr << "study " << def.name << ": measuring the baseline "
                << (def.baseline_path.empty() ? models::baseline_arch_path() : def.baseline_path) << "\n";
    }
    if (lookup) {
      // Same workloads and baseline file (LookupTable::load checked): its
      // measurement is this study's, no simulation needed.
      const auto source = store->find_study(def.lookup);
      def.baseline_latency_ms = source->baseline_latency_ms;
      def.baseline_area_mm2 = source->baseline_area_mm2;
      def.baseline_energy_uj = source->baseline_energy_uj;
      search::Measurement baseline;
      baseline.energy_uj = def.baseline_energy_uj;
      search::require_energy(def, baseline);
    } else {
      search::measure_baseline(def, *ctx);
    }
    store->create_study(def);
  }
  if (!continuing) claim(def.name);
  if (!json_out) {
    std::cerr << (continuing ? "resuming" : "running") << " study " << def.name << " in " << db_path << ": "
              << def.trials << " trials of " << def.optimizer << ", " << def.workloads.size()
              << " workload(s), area <= " << def.area_budget_mm2 << " mm^2, ";
    if (coordinator) std::cerr << coordinator->workers() << " MPI worker rank(s) x " << jobs << " job(s)\n";
    else std::cerr << jobs << " worker(s)\n";
    for (const auto& source : def.transfer_from)
      std::cerr << "  learning from study " << source << " (" << store->trial_count(source) << " trials)\n";
    if (def.space)
      std::cerr << "  sub-space " << def.space->source() << ": " << def.space->size() << " designs\n";
    if (lookup) std::cerr << "  evaluations looked up in study " << def.lookup << " (" << lookup->size() << " designs)\n";
  }

  ProgressBar bar(!vm["quiet"].as<bool>());
  search::StudyRunOptions run_opts;
  run_opts.jobs = jobs;
  run_opts.memory_limit_mb = vm["memory-limit"].as<long>();
  run_opts.on_progress = [&bar](const StudyProgress& p) {
    bar.update(p);
    return true;
  };
  if (coordinator) {
    coordinator->start(def, jobs, run_opts.memory_limit_mb);
    run_opts.run_tasks = [&coordinator](const std::vector<search::EvalTask>& tasks,
                                        const std::function<void(const search::EvalOutcome&)>& on_done) {
      coordinator->run(tasks, on_done);
    };
  }
  if (lookup) run_opts.run_tasks = lookup->runner();
  auto t0 = std::chrono::steady_clock::now();
  search::StudyRunReport report;
  try {
    report = search::run_study(*store, def, search::make_study_environment(ctx), run_opts);
  } catch (const std::invalid_argument& e) {
    // A design missing from the --lookup study (trials so far are stored).
    throw UsageError(e.what());
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report.diverged > 0) {
    std::cerr << "warning: " << report.diverged << " replayed trial(s) differ from what the optimizer asks now "
              << "(optimizer not deterministic?); their stored results were used\n";
  }

  auto trials = store->trials(def.name);
  auto best = search::best_trial(trials);
  const search::Objective objective = search::Objective::of(def);
  int counts[3] = {0, 0, 0};
  for (const auto& t : trials) ++counts[static_cast<int>(t.status)];

  nlohmann::json out;
  out["study"] = def.name;
  out["db"] = db_path;
  out["transfer_from"] = def.transfer_from;
  out["space"] = def.space ? def.space->to_json() : nlohmann::json(nullptr);
  out["space_size"] = space_size;
  out["lookup"] = def.lookup.empty() ? nlohmann::json(nullptr) : nlohmann::json(def.lookup);
  out["objective"] = objective.name();
  out["trials"] = trials.size();
  out["feasible"] = counts[0];
  out["infeasible"] = counts[1];
  out["failed"] = counts[2];
  out["evaluated"] = report.evaluated;
  out["replayed"] = report.replayed;
  out["wall_seconds"] = wall;
  if (coordinator) {
    out["mpi"] = {{"workers", coordinator->workers()}, {"jobs_per_worker", jobs}, {"hosts", coordinator->worker_hosts()}};
  }
  out["baseline"] = {{"area_mm2", def.baseline_area_mm2}, {"latency_ms", def.baseline_latency_ms}};
  const std::optional<double> baseline_objective = search::baseline_objective(def);
  out["baseline"]["energy_uj"] = def.baseline_energy_uj;
  std::optional<search::StudyFront> front;
  if (def.multi_objective()) {
    front = search::study_front(def, trials);
    out["pareto"] = front_json(*front, trials);
  }
  if (baseline_objective) out["baseline"]["objective"] = *baseline_objective;
  std::string yaml;
  if (best) {
    models::ArchConfig arch = models::decode(best->design, ctx->constants);
    yaml = models::to_yaml(arch);
    out["best"] = {{"trial", best->number},         {"design", best->design},
                   {"values", best->values},        {"latency_ms", best->latency_ms}, {"energy_uj", best->energy_uj},
                   {"area_mm2", best->area_mm2},    {"objective", best->objective},
                   {"arch_yaml", yaml}};
  } else {
    out["best"] = nullptr;
  }

  if (json_out) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "study " << def.name << " (" << db_path << "): " << trials.size() << " trials, " << counts[0]
              << " feasible, " << counts[1] << " infeasible, " << counts[2] << " failed; " << report.evaluated
              << " evaluated in " << std::fixed << std::setprecision(1) << wall << " s";
    if (report.replayed) std::cout << ", " << report.replayed << " replayed from the store";
    std::cout << "\n" << std::defaultfloat << std::setprecision(6);
    if (front && !front->front.empty()) {
      std::cout << "\n";
      print_front(std::cout, *front, trials);
    } else if (best) {
      std::cout << "\nbest design (trial " << best->number << "):\n" << yaml;
      std::cout << "\n";
      for (const auto& [w, ms] : best->latency_ms) std::cout << "latency " << w << ": " << ms << " ms\n";
      for (const auto& [w, uj] : best->energy_uj) std::cout << "energy " << w << ": " << uj << " uJ\n";
      std::cout << "area: " << best->area_mm2 << " mm^2 (budget " << def.area_budget_mm2 << ")\n";
      std::cout << "objective (" << objective.description() << "): " << best->objective;
      if (baseline_objective) std::cout << "  = " << best->objective / *baseline_objective << " x edge_baseline";
      std::cout << "\n";
    } else {
      std::cout << "no feasible design found";
      auto reasons = search::top_reasons(trials, 3);
      if (!reasons.empty()) std::cout << "; most common reason: " << reasons.front().first;
      std::cout << "\n";
    }
    std::cout << "stored in " << db_path << " as study " << def.name << " (apollo study show " << def.name
              << " --db " << db_path << ")\n";
  }
  return best ? kOk : kInfeasible;
}

}  // namespace apollo::cli
