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
#include <limits>
#include <memory>
#include <optional>
#include <sstream>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/space.hpp"
#include "models/subspace.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "search/mpi_evaluator.hpp"
#include "search/optimizer.hpp"
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

search::Settings parse_settings(const std::vector<std::string>& items) {
  search::Settings s;
  for (const auto& item : items) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError("--opt expects key=value, got '" + item + "'");
    }
    s[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return s;
}

// "<workload>-<optimizer>-<budget>mm2-s<seed>", made unique in the store.
std::string unique_name(search::StudyStore& store, const std::string& base) {
  std::string name = base;
  for (int k = 2; store.find_study(name); ++k) name = base + "-" + std::to_string(k);
  return name;
}

std::string default_study_name(const StudyDefinition& def) {
  std::ostringstream o;
  o << std::filesystem::path(def.workloads.front()).stem().string();  // a file: its base name
  if (def.workloads.size() > 1) o << "+" << def.workloads.size() - 1;
  o << "-" << def.optimizer << "-" << def.area_budget_mm2 << "mm2-s" << def.seed;
  return o.str();
}

}  // namespace

int run_search(const std::vector<std::string>& args) {
  std::string optimizer_names;
  for (const auto& o : search::optimizer_catalog()) optimizer_names += (optimizer_names.empty() ? "" : ", ") + o.name;
  po::options_description opts("Options");
  opts.add_options()
      ("workload", po::value<std::vector<std::string>>(), "workload: zoo name or file (repeat for several; default mobilenet_v2)")
      ("area-budget", po::value<double>()->default_value(kDemoAreaBudgetMm2, "6.8"), "area budget in mm^2")
      ("optimizer", po::value<std::string>()->default_value("evolution"), ("optimizer: " + optimizer_names).c_str())
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
      ("resume", po::bool_switch(), "continue the stored study --study (definition from the database)")
      ("trial-timeout", po::value<double>(), "per-trial wall-clock limit in seconds (default 60; 0 = none)")
      ("memory-limit", po::value<long>()->default_value(0), "per-worker address-space limit in MiB (0 = none)")
      ("tech", po::value<std::string>(), "technology file of the area model (default configs/tech/tech16nm.yaml)")
      ("baseline", po::value<std::string>(), "baseline architecture (default configs/arch/edge_baseline.yaml)")
      ("takeover", po::bool_switch(), "with --resume: run even if the database says another host runs the study")
      ("quiet", po::bool_switch(), "no progress bar")
      ("json", po::bool_switch(), "print the result as JSON");
  po::variables_map vm;
  if (!parse_options(args, "search [--workload W ...] [--area-budget MM2] [--optimizer NAME] [--opt k=v ...] "
                           "[--trials N] [--jobs J] [--db FILE] [--study NAME] [--seed S] [--transfer-from STUDY ...] [--space FILE] [--lookup STUDY] [--resume] [--mpi]",
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

  StudyDefinition def;
  if (resume) {
    if (!vm.count("study")) throw UsageError("--resume needs --study NAME (see `apollo study list --db " + db_path + "`)");
    for (const char* k : {"workload", "opt", "batch", "tech", "baseline", "transfer-from", "space", "lookup"}) {
      if (vm.count(k)) throw UsageError(std::string("--") + k + " cannot be changed on --resume: the definition is stored");
    }
    for (const char* k : {"area-budget", "optimizer", "seed"}) {
      if (!vm[k].defaulted()) throw UsageError(std::string("--") + k + " cannot be changed on --resume: the definition is stored");
    }
    auto found = store->find_study(vm["study"].as<std::string>());
    if (!found) throw UsageError("no study '" + vm["study"].as<std::string>() + "' in " + db_path);
    def = *found;
    claim(def.name);  // before changing the definition under a running search
    int stored = store->trial_count(def.name);
    bool changed = false;
    if (vm.count("trials")) {
      int t = vm["trials"].as<int>();
      if (t < stored) {
        throw UsageError("--trials " + std::to_string(t) + " is below the " + std::to_string(stored) +
                         " trials already stored");
      }
      changed |= t != def.trials;
      def.trials = t;
    }
    if (vm.count("trial-timeout")) {
      changed |= vm["trial-timeout"].as<double>() != def.trial_timeout_s;
      def.trial_timeout_s = vm["trial-timeout"].as<double>();
    }
    if (changed) store->update_study(def);
  } else {
    def.workloads = vm.count("workload") ? vm["workload"].as<std::vector<std::string>>()
                                         : std::vector<std::string>{"mobilenet_v2"};
    def.area_budget_mm2 = vm["area-budget"].as<double>();
    def.optimizer = vm["optimizer"].as<std::string>();
    def.settings = parse_settings(vm.count("opt") ? vm["opt"].as<std::vector<std::string>>() : std::vector<std::string>{});
    def.seed = vm["seed"].as<uint64_t>();
    if (vm.count("transfer-from")) def.transfer_from = vm["transfer-from"].as<std::vector<std::string>>();
    for (size_t i = 0; i < def.transfer_from.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (def.transfer_from[i] == def.transfer_from[j])
          throw UsageError("--transfer-from " + def.transfer_from[i] + " given twice");
    def.trials = vm.count("trials") ? vm["trials"].as<int>() : demo ? kDemoTrials : 100;
    def.batch = vm.count("batch") ? vm["batch"].as<int>() : coordinator ? coordinator->workers() * jobs : jobs;
    def.trial_timeout_s = vm.count("trial-timeout") ? vm["trial-timeout"].as<double>() : 60.0;
    // Files are stored as absolute paths, so --resume works from any directory.
    auto absolute_if_file = [](const std::string& s) {
      return std::filesystem::is_regular_file(s) ? std::filesystem::absolute(s).string() : s;
    };
    for (auto& w : def.workloads) w = absolute_if_file(w);
    if (vm.count("tech")) def.tech_path = absolute_if_file(vm["tech"].as<std::string>());
    if (vm.count("baseline")) def.baseline_path = absolute_if_file(vm["baseline"].as<std::string>());
    if (vm.count("space")) {
      // Unlisted parameters take the baseline's values (ConfigError -> exit 2 names the file).
      const std::string base = def.baseline_path.empty() ? models::baseline_arch_path() : def.baseline_path;
      def.space = models::load_subspace(
          absolute_if_file(vm["space"].as<std::string>()),
          models::load_arch(base, models::load_template_constants(models::template_constants_path())));
    }
    if (vm.count("lookup")) def.lookup = vm["lookup"].as<std::string>();
    if (def.optimizer == "exhaustive" && !vm.count("trials")) {
      // Enumeration visits the whole sub-space unless told otherwise; the
      // whole design space (452,760,000 designs) is never a sensible default.
      if (!def.space || def.space->size() > static_cast<uint64_t>(std::numeric_limits<int>::max()))
        throw UsageError("--optimizer exhaustive: the space has " +
                         std::to_string(def.space ? def.space->size() : models::space_size()) +
                         " designs; give --space FILE (a sub-space) or --trials N");
      def.trials = static_cast<int>(def.space->size());
    }
    if (!(def.area_budget_mm2 > 0)) throw UsageError("--area-budget must be positive");
    if (def.trials < 1) throw UsageError("--trials must be at least 1");
    if (def.batch < 1) throw UsageError("--batch must be at least 1");
    for (size_t i = 0; i < def.workloads.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (def.workloads[i] == def.workloads[j]) throw UsageError("workload " + def.workloads[i] + " given twice");
      }
    }
    if (vm.count("study")) {
      def.name = vm["study"].as<std::string>();
      if (store->find_study(def.name)) {
        throw UsageError("study '" + def.name + "' already exists in " + db_path +
                         " (continue it with --resume, or choose another --study)");
      }
    } else {
      def.name = unique_name(*store, demo ? "demo-" + std::to_string(def.seed) : default_study_name(def));
    }
  }
  if (def.trial_timeout_s < 0) throw UsageError("--trial-timeout must be >= 0");

  // Reject unknown optimizers / settings before any work.
  const search::SearchSpaceShape shape{models::cardinalities()};
  const uint64_t space_size = def.space ? def.space->size() : models::space_size();
  if (def.optimizer == "exhaustive" && static_cast<uint64_t>(def.trials) > space_size) {
    throw UsageError("--trials " + std::to_string(def.trials) + " exceeds the " + std::to_string(space_size) +
                     " designs of the " + (def.space ? "sub-space " + def.space->source() : std::string("design space")) +
                     "; --optimizer exhaustive visits each design once (use --trials " + std::to_string(space_size) +
                     " or fewer)");
  }
  if (!def.lookup.empty() && use_mpi) throw UsageError("--lookup answers trials in this process; it cannot run with --mpi");
  std::optional<search::LookupTable> lookup;
  try {
    search::make_optimizer(def.optimizer, def.space ? search::SearchSpaceShape{def.space->cardinalities()} : shape,
                           def.settings, def.seed);
    // Unknown or incompatible transfer sources, before the baseline is measured.
    search::load_priors(*store, def, shape);
    if (!def.lookup.empty()) lookup = search::LookupTable::load(*store, def);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  auto ctx = std::make_shared<search::EvaluationContext>(search::make_evaluation_context(def));
  if (!resume) {
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
    } else {
      search::measure_baseline(def, *ctx);
    }
    store->create_study(def);
  }
  if (!resume) claim(def.name);
  if (!json_out) {
    std::cerr << (resume ? "resuming" : "running") << " study " << def.name << " in " << db_path << ": "
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
  search::Objective objective(def.workloads, def.baseline_latency_ms);
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
  std::optional<double> baseline_objective;
  if (def.workloads.size() == 1 && def.baseline_latency_ms.count(def.workloads[0]) && def.baseline_area_mm2 > 0) {
    baseline_objective = search::perf_per_area(def.baseline_latency_ms.at(def.workloads[0]), def.baseline_area_mm2);
  } else if (def.workloads.size() > 1) {
    baseline_objective = 1.0;  // the baseline's speedup over itself
  }
  if (baseline_objective) out["baseline"]["objective"] = *baseline_objective;
  std::string yaml;
  if (best) {
    models::ArchConfig arch = models::decode(best->design, ctx->constants);
    yaml = models::to_yaml(arch);
    out["best"] = {{"trial", best->number},         {"design", best->design},
                   {"values", best->values},        {"latency_ms", best->latency_ms},
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
    if (best) {
      std::cout << "\nbest design (trial " << best->number << "):\n" << yaml;
      std::cout << "\n";
      for (const auto& [w, ms] : best->latency_ms) std::cout << "latency " << w << ": " << ms << " ms\n";
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
