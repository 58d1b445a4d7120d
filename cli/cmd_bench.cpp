// apollo bench: how fast Apollo's own machinery is. Every figure is a
// median over repeated runs of the real code paths the search uses: one
// evaluation is search::evaluate_arch in a worker forked by
// search::ProcessPool (task over the socket, elaborate, compile, simulate,
// area, result back), and throughput is search::run_study on a temporary
// SQLite store.
// The verdicts on the README's speed targets are computed from these numbers.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "models/arch_io.hpp"
#include "models/space.hpp"
#include "search/ask_bench.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "search/optimizer.hpp"
#include "search/store.hpp"
#include "search/study.hpp"
#include "workloads/zoo.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

// A decode step of the zoo's 1 B-parameter language model: its speed target.
constexpr const char* kLlmDecode = "llama3_2_1b_decode";


using nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- small measurements ------------------------------------------------------

struct Stats {
  double median = 0, min = 0, max = 0;
  size_t n = 0;
};

Stats stats_of(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.n = v.size();
  s.min = v.front();
  s.max = v.back();
  size_t mid = v.size() / 2;
  s.median = v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return s;
}

json stats_json(const Stats& s) { return {{"median", s.median}, {"min", s.min}, {"max", s.max}, {"n", s.n}}; }

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; }

// CPU time (user + system) of this process since it started; in a forked
// worker that is the worker's own time (Linux resets the counters at fork).
double cpu_seconds_self() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

// Peak resident set of this process in KiB: ru_maxrss, the kernel's
// high-water mark that /proc's VmHWM shows too (both count pages shared
// copy-on-write with the parent), without reading /proc inside a timed task.
long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// Resident set of this process in KiB, from /proc/self/statm (one short
// line; /proc/self/status takes longer to read inside a timed task).
long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double mib(long kib) { return static_cast<double>(kib) / 1024.0; }

std::vector<double> load_average() {
  std::ifstream in("/proc/loadavg");
  std::vector<double> v(3, 0.0);
  in >> v[0] >> v[1] >> v[2];
  return v;
}

// ---- one evaluation, as the search runs it ----------------------------------

struct EvalRuns {
  std::vector<double> wall_ms;    // task sent to result read, measured by the pool in the parent
  std::vector<double> work_ms;    // evaluate_arch alone, inside the child
  std::vector<double> cpu_ms;     // the worker's CPU time during the task
  std::vector<double> peak_mib;   // the worker's peak resident set so far
  std::vector<double> start_mib;  // the worker's resident set when the task starts
  std::string status;             // "feasible" / "infeasible: reason" / "failed: reason"
  double latency_ms = 0;          // simulated latency (the result, as a sanity check)
  double area_mm2 = 0;
  long children_maxrss_kib = 0;   // getrusage(RUSAGE_CHILDREN) after the runs
};

// Evaluates `arch` `reps` times in a one-job pool (so one core works at a
// time), exactly as run_study does: the first task forks the worker, which
// then evaluates the next ones.
EvalRuns evaluate_repeatedly(const search::EvaluationContext& ctx, const models::ArchConfig& arch, int reps,
                             double timeout_s) {
  auto pool = std::make_unique<search::ProcessPool>(search::PoolOptions{1, timeout_s, 0}, [&](const json&) {
    long start_kib = rss_kib();
    const double cpu0 = cpu_seconds_self();
    auto t0 = Clock::now();
    search::Measurement m = search::evaluate_arch(ctx, arch);
    double work = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    return json{{"measurement", m.to_json()},
                {"work_ms", work},
                {"cpu_ms", (cpu_seconds_self() - cpu0) * 1e3},
                {"peak_kib", peak_rss_kib()},
                {"start_kib", start_kib}};
  });
  std::vector<search::EvalTask> tasks;
  for (int i = 0; i < reps; ++i) tasks.push_back({i, json::object()});
  EvalRuns runs;
  std::string failure;
  pool->run(tasks, [&](const search::EvalOutcome& o) {
    if (!o.ok) {
      failure = o.failure;
      return;
    }
    search::Measurement m = search::Measurement::from_json(o.result.at("measurement"));
    runs.wall_ms.push_back(o.wall_seconds * 1e3);
    runs.work_ms.push_back(o.result.at("work_ms").get<double>());
    runs.cpu_ms.push_back(o.result.at("cpu_ms").get<double>());
    runs.peak_mib.push_back(mib(o.result.at("peak_kib").get<long>()));
    runs.start_mib.push_back(mib(o.result.at("start_kib").get<long>()));
    runs.area_mm2 = m.area_mm2;
    if (m.status == search::TrialStatus::Feasible) {
      runs.status = "feasible";
      runs.latency_ms = m.latency_ms.begin()->second;
    } else {
      runs.status = std::string(search::to_string(m.status)) + ": " + m.reason;
    }
  });
  if (!failure.empty()) runs.status = "failed: " + failure;
  pool.reset();  // reaps the worker, so RUSAGE_CHILDREN counts it
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  runs.children_maxrss_kib = ru.ru_maxrss;
  return runs;
}

json runs_json(const EvalRuns& r) {
  return {{"status", r.status},
          {"wall_ms", stats_json(stats_of(r.wall_ms))},
          {"work_ms", stats_json(stats_of(r.work_ms))},
          {"cpu_ms", stats_json(stats_of(r.cpu_ms))},
          {"peak_rss_mib", stats_json(stats_of(r.peak_mib))},
          {"start_rss_mib", stats_json(stats_of(r.start_mib))},
          {"latency_ms", r.latency_ms},
          {"area_mm2", r.area_mm2}};
}

search::EvaluationContext context_for(const std::string& workload) {
  search::StudyDefinition def;
  def.workloads = {workload};
  search::EvaluationContext ctx = search::make_evaluation_context(def);
  ctx.area_budget_mm2 = 0;  // measure the design whatever its area
  return ctx;
}

// ---- search throughput ------------------------------------------------------

// A temporary directory removed when the benchmark ends, however it ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "apollo-bench-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("bench: cannot create a temporary directory in " + pattern);
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct ThroughputRun {
  double trials_per_s = 0;
  double wall_s = 0;
  int evaluated = 0;
  int feasible = 0;
  std::vector<double> eval_s;  // per trial: wall time of its evaluation (as the store records it)
  std::vector<double> feasible_eval_s;  // the same, feasible trials only
  int slowest = -1;            // trial number of the slowest evaluation
  json slowest_values;         // its design (parameter -> value)
};

// One study from scratch in its own database, as `apollo search --jobs J`
// runs it (batch = jobs, the command's default), timed around run_study.
ThroughputRun run_throughput(const std::filesystem::path& db, const std::string& optimizer, int jobs, int trials,
                             uint64_t seed) {
  search::StudyStore store(db.string());
  search::StudyDefinition def;
  def.name = "bench";
  def.workloads = {"mobilenet_v2"};
  def.area_budget_mm2 = kDemoAreaBudgetMm2;
  def.optimizer = optimizer;
  def.seed = seed;
  def.trials = trials;
  def.batch = jobs;
  def.trial_timeout_s = 60;
  // The targets are defined on the design space's own distribution of
  // designs, over-budget ones included (the paper's treatment): with the
  // known constraint, the default of `apollo search`, nearly every trial
  // is a feasible design and costs a simulation (measured: the demo study
  // 195 of 200 feasible against 122, the uniform study 529 of 600 against
  // 138), so its trials per second are not comparable.
  def.area_constraint = search::AreaConstraint::Blackbox;
  auto ctx = std::make_shared<search::EvaluationContext>(search::make_evaluation_context(def));
  store.create_study(def);
  search::StudyRunOptions options;
  options.jobs = jobs;
  auto t0 = Clock::now();
  search::StudyRunReport report = search::run_study(store, def, search::make_study_environment(ctx), options);
  ThroughputRun r;
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.evaluated = report.evaluated;
  r.trials_per_s = r.wall_s > 0 ? report.evaluated / r.wall_s : 0;
  double slowest_s = -1;
  for (const auto& t : store.trials(def.name)) {
    r.feasible += t.status == search::TrialStatus::Feasible ? 1 : 0;
    if (t.eval_seconds > slowest_s) {
      slowest_s = t.eval_seconds;
      r.slowest = t.number;
      r.slowest_values = t.values;
    }
    r.eval_s.push_back(t.eval_seconds);
    if (t.status == search::TrialStatus::Feasible) r.feasible_eval_s.push_back(t.eval_seconds);
  }
  return r;
}

// The uniform study: random designs over the whole space, so its cost is
// the design space's own distribution of evaluation cost, heavy tail
// included (many PEs, small core memories, contended channels).
constexpr int kUniformTrials = 600;
constexpr uint64_t kUniformSeed = 5;

// q-quantile of a sorted list (0 when empty).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))];
}

// ---- targets ----------------------------------------------------------------

struct Target {
  std::string name;
  std::string goal;
  std::optional<double> measured;  // nullopt: not measured in this run
  std::string unit;
  bool met = false;
};

json target_json(const Target& t) {
  json j = {{"target", t.name}, {"goal", t.goal}, {"unit", t.unit}};
  if (t.measured) {
    j["measured"] = *t.measured;
    j["met"] = t.met;
  } else {
    j["measured"] = nullptr;
    j["met"] = nullptr;
  }
  return j;
}

std::string range(const Stats& s, int precision) {
  return fmt::format("{:.{}f} ({:.{}f}-{:.{}f})", s.median, precision, s.min, precision, s.max, precision);
}

}  // namespace

int run_bench(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()
      ("repetitions", po::value<int>(), "runs of each measurement; medians are reported (default 5, --quick 1)")
      ("quick", po::bool_switch(), "one repetition, mobilenet_v2 only, 10-trial studies: a few seconds")
      ("network", po::value<std::vector<std::string>>(), "networks of the per-network table (repeatable; default: the whole zoo)")
      ("trials", po::value<int>(),
       "trials of each throughput study (default 200: the demo study `apollo search` runs without arguments; "
       "--quick 10)")
      ("optimizer", po::value<std::string>()->default_value("evolution"),
       "optimizer of the throughput studies; given with --section optimizers: the only one timed there")
      ("jobs", po::value<std::vector<int>>(), "worker counts of the throughput studies (repeatable; default 1 and 2)")
      ("section", po::value<std::vector<std::string>>(),
       "run only these sections (repeatable): evaluation, throughput, uniform, scaling (default: these four), "
       "optimizers. uniform: a 600-trial random study of mobilenet_v2 under 6.8 mm^2, --jobs 2, seed 5 (the design "
       "space's own distribution of evaluation cost). optimizers: the time of one ask of each optimizer holding "
       "100, 300 and 1,000 observations of a synthetic problem (not run by default)")
      ("asks", po::value<int>(), "optimizers section: timed asks per optimizer and size (default 11, --quick 3)")
      ("opt", po::value<std::vector<std::string>>(),
       "optimizers section: a setting of one optimizer, OPTIMIZER.key=value (repeatable), e.g. mbo.kappa=2")
      ("full-refit", po::bool_switch(), "optimizers section: model-based optimizers refit everything on every ask "
                                        "(refit_growth=0, as before refits were scheduled)")
      ("timeout", po::value<double>()->default_value(120), "per-evaluation time limit in seconds")
      ("json", po::bool_switch(), "print the results as JSON");
  po::variables_map vm;
  if (!parse_options(args, "bench [--repetitions N] [--quick] [--network W ...] [--trials N] [--jobs J ...] "
                           "[--section S ...] [--json]",
                     opts, {}, vm)) {
    return kOk;
  }
  const bool quick = vm["quick"].as<bool>();
  const bool json_out = vm["json"].as<bool>();
  const int reps = vm.count("repetitions") ? vm["repetitions"].as<int>() : quick ? 1 : 5;
  const int trials = vm.count("trials") ? vm["trials"].as<int>() : quick ? 10 : kDemoTrials;
  const double timeout_s = vm["timeout"].as<double>();
  const std::string optimizer = vm["optimizer"].as<std::string>();
  const int asks = vm.count("asks") ? vm["asks"].as<int>() : quick ? 3 : 11;
  if (asks < 1) throw UsageError("--asks must be at least 1, got " + std::to_string(asks));
  std::map<std::string, search::Settings> optimizer_settings;
  for (const auto& item : vm.count("opt") ? vm["opt"].as<std::vector<std::string>>() : std::vector<std::string>{}) {
    const auto dot = item.find('.'), eq = item.find('=');
    if (dot == std::string::npos || eq == std::string::npos || dot == 0 || eq < dot + 2)
      throw UsageError("--opt expects OPTIMIZER.key=value, got '" + item + "'");
    optimizer_settings[item.substr(0, dot)][item.substr(dot + 1, eq - dot - 1)] = item.substr(eq + 1);
  }
  if (reps < 1) throw UsageError("--repetitions must be at least 1, got " + std::to_string(reps));
  if (trials < 1) throw UsageError("--trials must be at least 1, got " + std::to_string(trials));
  if (timeout_s < 0) throw UsageError("--timeout must be >= 0");
  std::vector<int> jobs_list = vm.count("jobs") ? vm["jobs"].as<std::vector<int>>() : std::vector<int>{1, 2};
  for (int j : jobs_list) {
    if (j < 1) throw UsageError("--jobs must be at least 1, got " + std::to_string(j));
  }
  // The quick networks and one decode step of the 1 B language model (its target below).
  std::vector<std::string> networks = workloads::quick_zoo_names();
  networks.push_back(kLlmDecode);
  if (vm.count("network")) networks = vm["network"].as<std::vector<std::string>>();
  else if (quick) networks = {"mobilenet_v2"};
  std::vector<std::string> sections = {"evaluation", "throughput", "uniform", "scaling"};
  if (vm.count("section")) {
    sections = vm["section"].as<std::vector<std::string>>();
    for (const auto& s : sections) {
      if (s != "evaluation" && s != "throughput" && s != "uniform" && s != "scaling" && s != "optimizers") {
        throw UsageError("--section expects evaluation, throughput, uniform, scaling or optimizers, got '" + s + "'");
      }
    }
  }
  auto wanted = [&](const std::string& s) { return std::find(sections.begin(), sections.end(), s) != sections.end(); };
  if (wanted("throughput")) {
    try {
      search::make_optimizer(optimizer, search::SearchSpaceShape{models::cardinalities()}, {}, 1);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  // Unknown network names fail here (WorkloadError -> exit 2), before any timing.
  std::vector<search::EvaluationContext> contexts;
  const bool evaluates = wanted("evaluation") || wanted("throughput") || wanted("uniform") || wanted("scaling");
  if (evaluates)
    for (const auto& n : networks) contexts.push_back(context_for(n));

  // Progress on stderr so that stdout stays a clean table or JSON document.
  auto note = [&](const std::string& what) {
    if (!json_out) std::cerr << "bench: " << what << "\n" << std::flush;
  };

  json out;
  out["repetitions"] = reps;
  out["quick"] = quick;
  out["cpus"] = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  out["load_average_start"] = load_average();
  out["started_at"] = search::utc_timestamp();
  out["bench_process_rss_mib"] = mib(rss_kib());

  const models::TemplateConstants constants = models::load_template_constants(models::template_constants_path());
  const models::ArchConfig baseline = models::load_arch(models::baseline_arch_path(), constants);

  std::vector<Target> targets;
  double worker_peak_mib = 0;
  std::string worker_peak_of;
  auto track_peak = [&](const EvalRuns& r, const std::string& what) {
    for (double p : r.peak_mib) {
      if (p > worker_peak_mib) {
        worker_peak_mib = p;
        worker_peak_of = what;
      }
    }
  };

  // 1. One evaluation per network on the baseline.
  std::optional<Stats> mnv2_wall, llm_wall;
  if (wanted("evaluation")) {
    json rows = json::array();
    for (size_t i = 0; i < networks.size(); ++i) {
      note("evaluating " + networks[i] + " on edge_baseline x" + std::to_string(reps));
      EvalRuns r = evaluate_repeatedly(contexts[i], baseline, reps, timeout_s);
      track_peak(r, networks[i] + " on edge_baseline");
      json row = runs_json(r);
      row["network"] = networks[i];
      rows.push_back(row);
      if (networks[i] == "mobilenet_v2" && !r.wall_ms.empty()) mnv2_wall = stats_of(r.wall_ms);
      if (networks[i] == kLlmDecode && !r.wall_ms.empty()) llm_wall = stats_of(r.wall_ms);
    }
    out["evaluation"] = rows;
  }

  // 2. Search throughput.
  std::optional<double> two_job_rate;
  if (wanted("throughput")) {
    TempDir tmp;
    json rows = json::array();
    int run_no = 0;
    for (int jobs : jobs_list) {
      note("throughput: " + std::to_string(trials) + "-trial " + optimizer + " study, --jobs " + std::to_string(jobs) +
           " x" + std::to_string(reps));
      std::vector<double> rate, wall, eval_ms;  // eval_ms: every trial of every repetition
      std::vector<double> slowest_share;        // per repetition: slowest trial / sum of its trials
      int evaluated = 0, feasible = 0;
      json slowest;  // the slowest trial of the last repetition (the same designs every time)
      for (int k = 0; k < reps; ++k) {
        // Same seed every repetition: the same designs, so runs differ only in timing.
        ThroughputRun r = run_throughput(tmp.path() / fmt::format("run{}.db", run_no++), optimizer, jobs, trials, 1);
        rate.push_back(r.trials_per_s);
        wall.push_back(r.wall_s);
        evaluated = r.evaluated;
        feasible = r.feasible;
        slowest = {{"trial", r.slowest}, {"design", r.slowest_values}};
        double rep_sum = 0, rep_max = 0;
        for (double e : r.eval_s) {
          eval_ms.push_back(e * 1e3);
          rep_sum += e;
          rep_max = std::max(rep_max, e);
        }
        if (rep_sum > 0) slowest_share.push_back(rep_max / rep_sum);
      }
      // Distribution of what the study's designs cost: a synchronous batch
      // waits for its slowest evaluation, so the tail matters more than the median.
      std::sort(eval_ms.begin(), eval_ms.end());
      const json distribution = {{"median", stats_of(eval_ms).median},
                                 {"p90", quantile(eval_ms, 0.9)},
                                 {"max", eval_ms.empty() ? 0.0 : eval_ms.back()},
                                 {"slowest_share", stats_of(slowest_share).median},
                                 {"n", eval_ms.size()}};
      Stats s = stats_of(rate);
      // The target is defined on the demo study; another length or optimizer is reported, not judged.
      if (jobs == 2 && trials == kDemoTrials && optimizer == "evolution") two_job_rate = s.median;
      rows.push_back({{"jobs", jobs},
                      {"trials", evaluated},
                      {"feasible", feasible},
                      {"trials_per_s", stats_json(s)},
                      {"wall_s", stats_json(stats_of(wall))},
                      {"eval_ms", distribution},
                      {"slowest_trial", slowest}});
    }
    out["throughput"] = {{"workload", "mobilenet_v2"},
                         {"optimizer", optimizer},
                         {"area_budget_mm2", kDemoAreaBudgetMm2},
                         {"seed", 1},
                         {"runs", rows}};
  }

  // 3. The uniform study: its throughput, and the tail of its evaluation cost.
  std::optional<double> uniform_rate, uniform_p90_ms, uniform_max_s;
  if (wanted("uniform")) {
    TempDir tmp;
    const int uniform_trials = quick ? 60 : kUniformTrials;
    note(fmt::format("uniform: {}-trial random study, --jobs 2 x{}", uniform_trials, reps));
    std::vector<double> rate, p90, slowest;
    json last;
    for (int k = 0; k < reps; ++k) {
      ThroughputRun r = run_throughput(tmp.path() / fmt::format("uniform{}.db", k), "random", 2, uniform_trials,
                                       kUniformSeed);
      std::sort(r.feasible_eval_s.begin(), r.feasible_eval_s.end());
      std::sort(r.eval_s.begin(), r.eval_s.end());
      rate.push_back(r.trials_per_s);
      p90.push_back(1e3 * quantile(r.feasible_eval_s, 0.9));
      slowest.push_back(r.eval_s.empty() ? 0 : r.eval_s.back());
      last = {{"trials", r.evaluated},
              {"feasible", r.feasible},
              {"feasible_median_ms", 1e3 * quantile(r.feasible_eval_s, 0.5)},
              {"slowest_trial", {{"trial", r.slowest}, {"design", r.slowest_values}}}};
    }
    const Stats rs = stats_of(rate), ps = stats_of(p90), ss = stats_of(slowest);
    if (!quick) {  // the targets are defined on the 600-trial study
      uniform_rate = rs.median;
      uniform_p90_ms = ps.median;
      uniform_max_s = ss.median;
    }
    last["trials_per_s"] = stats_json(rs);
    last["feasible_p90_ms"] = stats_json(ps);
    last["slowest_s"] = stats_json(ss);
    last["seed"] = kUniformSeed;
    last["jobs"] = 2;
    out["uniform"] = last;
  }

  // 4. Evaluation time as the PE array grows.
  std::optional<double> ratio_32_to_4;
  if (wanted("scaling")) {
    search::EvaluationContext ctx = context_for("mobilenet_v2");
    json rows = json::array();
    std::optional<double> base_ms, base_cpu_ms;
    for (int n : {1, 4, 8, 16, 32}) {
      models::ArchConfig arch = baseline;
      arch.pe_x = n;
      arch.pe_y = n;
      note(fmt::format("evaluating mobilenet_v2 on {}x{} PEs x{}", n, n, reps));
      EvalRuns r = evaluate_repeatedly(ctx, arch, reps, timeout_s);
      track_peak(r, fmt::format("mobilenet_v2 on {}x{} PEs", n, n));
      json row = runs_json(r);
      row["pe_x"] = n;
      row["pe_y"] = n;
      if (n == 4 && !r.wall_ms.empty()) {
        base_ms = stats_of(r.wall_ms).median;
        base_cpu_ms = stats_of(r.cpu_ms).median;
      }
      rows.push_back(row);
    }
    for (auto& row : rows) {
      if (!base_ms || row["wall_ms"]["n"].get<size_t>() == 0) continue;
      row["wall_vs_4x4"] = row["wall_ms"]["median"].get<double>() / *base_ms;
      // CPU time is the steadier ratio on a loaded machine.
      row["cpu_vs_4x4"] = row["cpu_ms"]["median"].get<double>() / *base_cpu_ms;
      if (row["pe_x"] == 32) ratio_32_to_4 = row["wall_vs_4x4"].get<double>();
    }
    out["scaling"] = rows;
  }

  // 5. Optimizers: one ask, as the history grows.
  std::optional<double> slowest_model_ask_ms;
  if (wanted("optimizers")) {
    json rows = json::array();
    std::vector<std::string> timed = {"random", "evolution", "mbo", "gp_bandit", "p3bo"};
    if (!vm["optimizer"].defaulted()) timed = {optimizer};
    for (const std::string& name : timed) {
      json row = {{"optimizer", name}};
      for (int n : {100, 300, 1000}) {
        note(fmt::format("optimizers: {} with {} observations, {} asks", name, n, asks));
        search::Settings settings = vm["full-refit"].as<bool>() ? search::full_refit_settings(name) : search::Settings{};
        if (optimizer_settings.count(name))
          for (const auto& [k, v] : optimizer_settings.at(name)) settings[k] = v;
        search::AskTiming t;
        try {
          t = search::time_asks(name, n, asks, 1, settings);
        } catch (const std::invalid_argument& e) {
          throw UsageError(e.what());
        }
        row[std::to_string(n)] = {{"median_ms", t.median_ms}, {"mean_ms", t.mean_ms},       {"max_ms", t.max_ms},
                                  {"first_ms", t.first_ms},   {"median_wall_ms", t.median_wall_ms}, {"asks", t.ask_ms.size()}};
        // The target is judged on the full set, default settings only.
        if (n == 1000 && timed.size() > 1 && optimizer_settings.empty() && !vm["full-refit"].as<bool>() &&
            (name == "mbo" || name == "gp_bandit" || name == "p3bo"))
          slowest_model_ask_ms = std::max(slowest_model_ask_ms.value_or(0.0), t.median_ms);
      }
      rows.push_back(row);
    }
    out["optimizers"] = {{"problem", "synthetic, Apollo's design-space shape, known constraint"},
                         {"seed", 1},
                         {"asks", asks},
                         {"full_refit", vm["full-refit"].as<bool>()},
                         {"settings", optimizer_settings},
                         {"rows", rows}};
  }

  // 6. Worker memory: the largest peak over every evaluation above.
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  out["memory"] = {{"worker_peak_rss_mib", worker_peak_mib},
                   {"worker_peak_of", worker_peak_of},
                   {"rusage_children_maxrss_mib", mib(children.ru_maxrss)}};

  auto add_target = [&](std::string name, std::string goal, std::optional<double> measured, std::string unit,
                        bool (*ok)(double)) {
    Target t{std::move(name), std::move(goal), measured, std::move(unit), measured && ok(*measured)};
    targets.push_back(t);
  };
  add_target("mobilenet_v2 evaluation on edge_baseline (median wall, one worker)", "<= 3 ms",
             mnv2_wall ? std::optional<double>(mnv2_wall->median) : std::nullopt, "ms",
             [](double v) { return v <= 3; });
  add_target("search throughput, --jobs 2, 200-trial demo study", ">= 150 trials/s", two_job_rate, "trials/s",
             [](double v) { return v >= 150; });
  add_target("evaluation worker peak resident memory", "<= 64 MiB",
             worker_peak_mib > 0 ? std::optional<double>(worker_peak_mib) : std::nullopt, "MiB",
             [](double v) { return v <= 64; });
  add_target("32x32 PEs vs 4x4 PEs evaluation time (median wall)", "<= 5x", ratio_32_to_4, "x",
             [](double v) { return v <= 5; });
  add_target("uniform random study, --jobs 2, 600 trials", ">= 250 trials/s", uniform_rate, "trials/s",
             [](double v) { return v >= 250; });
  add_target("uniform random study: slowest trial", "<= 0.15 s", uniform_max_s, "s",
             [](double v) { return v <= 0.15; });
  add_target("uniform random study: p90 of feasible trials", "<= 40 ms", uniform_p90_ms, "ms",
             [](double v) { return v <= 40; });
  add_target("slowest median ask of mbo, gp_bandit, p3bo at 1,000 observations", "<= 100 ms",
             slowest_model_ask_ms, "ms", [](double v) { return v <= 100; });
  add_target("llama3_2_1b_decode (one token at context 1,024) evaluation on edge_baseline (median wall)", "<= 1000 ms",
             llm_wall ? std::optional<double>(llm_wall->median) : std::nullopt, "ms",
             [](double v) { return v <= 1000; });
  json tj = json::array();
  for (const auto& t : targets) tj.push_back(target_json(t));
  out["targets"] = tj;
  out["load_average_end"] = load_average();
  out["finished_at"] = search::utc_timestamp();

  if (json_out) {
    std::cout << out.dump(2) << "\n";
    return kOk;
  }

  auto la = [](const json& v) { return fmt::format("{:.2f} {:.2f} {:.2f}", v[0].get<double>(), v[1].get<double>(), v[2].get<double>()); };
  std::cout << fmt::format("apollo bench: {} repetition(s), median (min-max); {} CPUs; load average {} at start, {} at end\n",
                           reps, out["cpus"].get<int>(), la(out["load_average_start"]), la(out["load_average_end"]));
  auto stat = [](const json& j) { return Stats{j["median"].get<double>(), j["min"].get<double>(), j["max"].get<double>(), 0}; };
  auto eval_table = [&](const json& rows, const std::string& first, auto label) {
    std::cout << fmt::format("{:<22} {:>24} {:>9} {:>10} {:>10} {:>11}  {}\n", first, "wall ms", "cpu ms",
                             "in-worker", "peak MiB", "latency ms", "result");
    for (const auto& r : rows) {
      const bool ok = r["wall_ms"]["n"].get<size_t>() > 0;
      std::cout << fmt::format("{:<22} {:>24} {:>9} {:>10} {:>10} {:>11}  {}\n", label(r),
                               ok ? range(stat(r["wall_ms"]), 2) : "-",
                               ok ? fmt::format("{:.2f}", r["cpu_ms"]["median"].get<double>()) : "-",
                               ok ? fmt::format("{:.2f}", r["work_ms"]["median"].get<double>()) : "-",
                               ok ? fmt::format("{:.1f}", r["peak_rss_mib"]["max"].get<double>()) : "-",
                               r["latency_ms"].get<double>() > 0 ? fmt::format("{:.4g}", r["latency_ms"].get<double>()) : "-",
                               r["status"].get<std::string>());
    }
  };
  if (out.contains("evaluation")) {
    std::cout << "\nOne evaluation on edge_baseline: elaborate + compile + simulate + area in a one-job pool's worker\n"
                 "(wall: task sent to result read, in the parent, the first including the worker's fork; cpu: the\n"
                 "worker's CPU time for the task; in-worker: evaluate_arch alone)\n";
    eval_table(out["evaluation"], "network", [](const json& r) { return r["network"].get<std::string>(); });
  }
  if (out.contains("throughput")) {
    const json& t = out["throughput"];
    std::cout << fmt::format("\nSearch throughput: {} study of mobilenet_v2, area <= {} mm^2, seed 1, batch = jobs, temp db\n",
                             t["optimizer"].get<std::string>(), t["area_budget_mm2"].get<double>());
    std::cout << fmt::format("{:<6} {:>8} {:>9} {:>26} {:>22}\n", "jobs", "trials", "feasible", "trials/s", "wall s");
    for (const auto& r : t["runs"]) {
      std::cout << fmt::format("{:<6} {:>8} {:>9} {:>26} {:>22}\n", r["jobs"].get<int>(), r["trials"].get<int>(),
                               r["feasible"].get<int>(), range(stat(r["trials_per_s"]), 1), range(stat(r["wall_s"]), 2));
    }
    std::cout << "per-trial evaluation wall time (ms, all repetitions): median / p90 / max; the slowest trial's share\n"
                 "of a study's summed evaluation time (median over repetitions)\n";
    for (const auto& r : t["runs"]) {
      const json& d = r["eval_ms"];
      std::cout << fmt::format("  --jobs {}: {:.1f} / {:.1f} / {:.1f}, {:.0f} %\n", r["jobs"].get<int>(),
                               d["median"].get<double>(), d["p90"].get<double>(), d["max"].get<double>(),
                               100 * d["slowest_share"].get<double>());
    }
    for (const auto& r : t["runs"]) {
      const json& slow = r["slowest_trial"];
      if (slow["trial"].get<int>() < 0) continue;
      const json& v = slow["design"];
      std::cout << fmt::format("  --jobs {}: slowest trial #{}:", r["jobs"].get<int>(), slow["trial"].get<int>());
      for (const auto& [key, value] : v.items()) std::cout << " " << key << "=" << value.dump();
      std::cout << "\n";
    }
  }
  if (out.contains("uniform")) {
    const json& u = out["uniform"];
    std::cout << fmt::format("\nUniform random study: mobilenet_v2, area <= {} mm^2, random optimizer, seed {}, --jobs 2\n",
                             kDemoAreaBudgetMm2, u["seed"].get<uint64_t>())
              << fmt::format("  {} trials, {} feasible; trials/s {}; feasible trials: median {:.1f} ms, p90 {} ms; "
                             "slowest trial {} s\n",
                             u["trials"].get<int>(), u["feasible"].get<int>(), range(stat(u["trials_per_s"]), 1),
                             u["feasible_median_ms"].get<double>(), range(stat(u["feasible_p90_ms"]), 1),
                             range(stat(u["slowest_s"]), 3));
    const json& slow = u["slowest_trial"];
    if (slow["trial"].get<int>() >= 0) {
      std::cout << fmt::format("  slowest trial #{}:", slow["trial"].get<int>());
      for (const auto& [key, value] : slow["design"].items()) std::cout << " " << key << "=" << value.dump();
      std::cout << "\n";
    }
  }
  if (out.contains("scaling")) {
    std::cout << "\nEvaluation time as the design grows: mobilenet_v2, edge_baseline with N x N PEs\n"
                 "(in brackets: wall and cpu median relative to 4x4)\n";
    eval_table(out["scaling"], "PEs", [](const json& r) {
      std::string s = fmt::format("{}x{}", r["pe_x"].get<int>(), r["pe_y"].get<int>());
      if (r.contains("wall_vs_4x4")) {
        s += fmt::format(" ({:.1f}x/{:.1f}x)", r["wall_vs_4x4"].get<double>(), r["cpu_vs_4x4"].get<double>());
      }
      return s;
    });
  }
  if (out.contains("optimizers")) {
    const json& o = out["optimizers"];
    std::cout << fmt::format("\nOne ask (then its tell) holding N observations of a synthetic problem, CPU ms on one core:\n"
                             "median (mean, max) of {} asks after a first one that fits from scratch [its time]\n",
                             o["asks"].get<int>());
    std::cout << fmt::format("{:<12} {:>30} {:>30} {:>30}\n", "optimizer", "N = 100", "N = 300", "N = 1000");
    for (const auto& r : o["rows"]) {
      std::cout << fmt::format("{:<12}", r["optimizer"].get<std::string>());
      for (const char* n : {"100", "300", "1000"}) {
        const json& c = r[n];
        std::cout << fmt::format(" {:>30}", fmt::format("{:.1f} ({:.0f}, {:.0f}) [{:.0f}]", c["median_ms"].get<double>(),
                                                        c["mean_ms"].get<double>(), c["max_ms"].get<double>(),
                                                        c["first_ms"].get<double>()));
      }
      std::cout << "\n";
    }
  }
  const json& m = out["memory"];
  if (!m["worker_peak_of"].get<std::string>().empty()) {  // only the evaluation sections measure a worker's peak
    std::cout << fmt::format("\nWorker peak resident memory: {:.1f} MiB ({}); RUSAGE_CHILDREN ru_maxrss {:.1f} MiB; "
                             "bench process {:.1f} MiB when it started\n",
                             m["worker_peak_rss_mib"].get<double>(), m["worker_peak_of"].get<std::string>(),
                             m["rusage_children_maxrss_mib"].get<double>(), out["bench_process_rss_mib"].get<double>());
  }
  std::cout << "\nTargets (2-core machine):\n";
  for (const auto& t : targets) {
    std::cout << fmt::format("  {:<66} {:>16}  {}\n", t.name + " " + t.goal,
                             t.measured ? fmt::format("{:.4g} {}", *t.measured, t.unit) : "-",
                             !t.measured ? "not measured" : t.met ? "met" : "NOT MET");
  }
  return kOk;
}

}  // namespace apollo::cli
