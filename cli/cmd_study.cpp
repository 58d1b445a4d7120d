// apollo study list|show|export|best|plot|compare (compare in
// cmd_study_compare.cpp): read stored studies (never runs evaluations; safe
// while a search writes the same database).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "cli/command.hpp"
#include "cli/study_common.hpp"
#include "models/arch_io.hpp"
#include "models/space.hpp"
#include "search/objective.hpp"
#include "search/store.hpp"
#include "search/study.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

using nlohmann::json;
using search::StudyDefinition;
using search::TrialRecord;
using search::TrialStatus;

constexpr const char* kUsage =
    "Usage: apollo study <subcommand> [options]\n\n"
    "Subcommands:\n"
    "  list                         studies in the database\n"
    "  show NAME                    definition, counts, best design, convergence, failure reasons\n"
    "  export NAME --csv|--json     every trial [-o FILE]\n"
    "  best NAME [-o FILE]          best design as an architecture YAML (for apollo simulate --arch)\n"
    "  plot NAME [NAME ...] -o F    best-so-far vs trials and latency-area scatter with the Pareto\n"
    "                               frontier, as F.png or F.svg (gnuplot)\n"
    "  pareto NAME [--plot F.png]   Pareto front of the feasible trials (the study's --objectives, or\n"
    "                               latency and area), each objective with its unit; --json\n"
    "  compare NAME [NAME ...]      group studies (e.g. seeds per optimizer): median/min/max of the best\n"
    "                               after N trials, regret vs --reference, plot with -o\n"
    "  delete NAME                  remove a study and its trials (refused while it runs or while\n"
    "                               other studies use it through --transfer-from / --lookup)\n\n"
    "Common option: --db FILE (default apollo.db). `apollo study <subcommand> --help` for details.\n";

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::string fmt(double v, int precision = 4) {
  std::ostringstream o;
  o << std::setprecision(precision) << v;
  return o.str();
}

json trial_json(const TrialRecord& t) {
  json j{{"number", t.number},          {"status", search::to_string(t.status)},
         {"reason", t.reason},          {"design", t.design},
         {"values", t.values},          {"latency_ms", t.latency_ms},
         {"energy_uj", t.energy_uj},
         {"area_mm2", t.area_mm2},      {"eval_seconds", t.eval_seconds},
         {"worker", t.worker},          {"started_at", t.started_at},
         {"finished_at", t.finished_at}};
  j["objective"] = t.status == TrialStatus::Feasible ? json(t.objective) : json(nullptr);
  return j;
}


// ---- list -------------------------------------------------------------------

int cmd_list(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "json", po::bool_switch(), "machine-readable output");
  po::variables_map vm;
  if (!parse_options(args, "study list [--db FILE] [--json]", opts, {}, vm)) return kOk;
  auto store = open_existing_store(vm["db"].as<std::string>());
  auto studies = store->list_studies();
  if (vm["json"].as<bool>()) {
    json out = json::array();
    for (const auto& s : studies) {
      out.push_back({{"name", s.name},
                     {"created_at", s.created_at},
                     {"objective", s.objective},
                     {"workloads", s.workloads},
                     {"optimizer", s.optimizer},
                     {"budget", s.budget},
                     {"trials", s.trials},
                     {"feasible", s.feasible},
                     {"best_objective", s.best_objective ? json(*s.best_objective) : json(nullptr)}});
    }
    std::cout << out.dump(2) << "\n";
    return kOk;
  }
  if (studies.empty()) {
    std::cout << "no studies in " << store->path() << "\n";
    return kOk;
  }
  size_t w = 6;
  for (const auto& s : studies) w = std::max(w, s.name.size() + 2);
  const int name_w = static_cast<int>(w);
  size_t ow = 17;
  for (const auto& s : studies) ow = std::max(ow, s.objective.size() + 2);
  const int objective_w = static_cast<int>(ow);
  std::cout << std::left << std::setw(name_w) << "study" << std::setw(objective_w) << "objective" << std::setw(28) << "workloads"
            << std::setw(11) << "optimizer" << std::right << std::setw(11) << "trials" << std::setw(10) << "feasible"
            << std::setw(12) << "best" << "  created\n";
  for (const auto& s : studies) {
    std::cout << std::left << std::setw(name_w) << s.name << std::setw(objective_w) << s.objective << std::setw(28)
              << join(s.workloads, ",") << std::setw(11) << s.optimizer << std::right << std::setw(11)
              << (std::to_string(s.trials) + "/" + std::to_string(s.budget)) << std::setw(10) << s.feasible
              << std::setw(12) << (s.best_objective ? fmt(*s.best_objective) : "-") << "  " << s.created_at << "\n";
  }
  return kOk;
}

// ---- show -------------------------------------------------------------------

int cmd_show(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->required(), "study name")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "json", po::bool_switch(), "machine-readable output");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (!parse_options(args, "study show NAME [--db FILE] [--json]", opts, pos, vm)) return kOk;
  auto store = open_existing_store(vm["db"].as<std::string>());
  StudyDefinition def = load_study_definition(*store, vm["name"].as<std::string>());
  auto trials = store->trials(def.name);
  int counts[3] = {0, 0, 0};
  double eval_seconds = 0;
  for (const auto& t : trials) {
    ++counts[static_cast<int>(t.status)];
    eval_seconds += t.eval_seconds;
  }
  auto best = search::best_trial(trials);
  auto curve = search::best_so_far(trials);
  auto reasons = search::top_reasons(trials, 5);
  auto base = search::baseline_objective(def);

  // Best-so-far at fixed fractions of the budget (of the trials stored when
  // the study is incomplete).
  json convergence = json::array();
  int n = static_cast<int>(trials.size());
  for (int pct : {10, 25, 50, 100}) {
    int k = std::max(1, static_cast<int>(std::ceil(n * pct / 100.0)));
    if (n == 0) break;
    auto v = curve[static_cast<size_t>(k - 1)];
    convergence.push_back({{"percent", pct}, {"trials", k}, {"best", v ? json(*v) : json(nullptr)}});
  }

  if (vm["json"].as<bool>()) {
    json out;
    out["definition"] = def.to_json();
    out["counts"] = {{"trials", n}, {"feasible", counts[0]}, {"infeasible", counts[1]}, {"failed", counts[2]}};
    out["eval_seconds_total"] = eval_seconds;
    out["best"] = best ? trial_json(*best) : json(nullptr);
    if (def.multi_objective()) out["pareto"] = front_json(search::study_front(def, trials), trials);
    out["baseline_objective"] = base ? json(*base) : json(nullptr);
    out["convergence"] = convergence;
    json r = json::array();
    for (const auto& [reason, count] : reasons) r.push_back({{"reason", reason}, {"count", count}});
    out["top_reasons"] = r;
    std::cout << out.dump(2) << "\n";
    return kOk;
  }

  const search::Objective objective = search::Objective::of(def);
  std::cout << "study " << def.name << " (" << store->path() << ")\n"
            << "  created      " << def.created_at << "\n"
            << "  workloads    " << join(def.workloads, ", ") << "\n"
            << "  objective    " << objective.description() << ", area <= " << def.area_budget_mm2 << " mm^2\n"
            << "  optimizer    " << def.optimizer;
  for (const auto& [k, v] : def.settings) std::cout << " " << k << "=" << v;
  std::cout << "  (seed " << def.seed << ", batch " << def.batch << ", trial timeout " << def.trial_timeout_s << " s)\n";
  if (def.space) {
    std::cout << "  space        " << def.space->size() << " designs"
              << (def.space->source().empty() ? "" : " from " + def.space->source()) << ", varying "
              << join(def.space->varied_parameters(), ", ") << "\n";
  }
  if (!def.lookup.empty()) std::cout << "  lookup       trials answered from study " << def.lookup << " (no simulation)\n";
  if (!def.transfer_from.empty()) std::cout << "  transfer     from " << join(def.transfer_from, ", ") << "\n";
  std::cout << "  baseline     area " << fmt(def.baseline_area_mm2) << " mm^2";
  for (const auto& [w, ms] : def.baseline_latency_ms) std::cout << ", " << w << " " << fmt(ms) << " ms";
  if (base) std::cout << ", objective " << fmt(*base);
  std::cout << "\n\ntrials: " << n << " of " << def.trials << " (" << counts[0] << " feasible, " << counts[1]
            << " infeasible, " << counts[2] << " failed), " << fmt(eval_seconds, 3) << " s of evaluation\n";
  if (def.multi_objective()) {
    std::cout << "\n";
    print_front(std::cout, search::study_front(def, trials), trials);
  } else if (best) {
    std::cout << "\nbest: trial " << best->number << ", objective " << fmt(best->objective, 6);
    if (base) std::cout << " (" << fmt(best->objective / *base, 3) << " x baseline)";
    std::cout << ", area " << fmt(best->area_mm2) << " mm^2";
    for (const auto& [w, ms] : best->latency_ms) std::cout << ", " << w << " " << fmt(ms) << " ms";
    for (const auto& [w, uj] : best->energy_uj) std::cout << ", " << w << " " << fmt(uj) << " uJ";
    std::cout << "\n ";
    for (const auto& p : models::parameter_names()) {
      if (best->values.contains(p)) std::cout << " " << p << "=" << best->values[p].dump();
    }
    std::cout << "\n";
  } else {
    std::cout << "\nno feasible design yet\n";
  }
  if (!convergence.empty()) {
    std::cout << "\nconvergence (best so far):\n";
    for (const auto& c : convergence) {
      std::cout << "  " << std::setw(3) << c["percent"].get<int>() << "% (" << std::setw(5) << c["trials"].get<int>()
                << " trials)  " << (c["best"].is_null() ? "-" : fmt(c["best"].get<double>(), 6)) << "\n";
    }
  }
  if (!reasons.empty()) {
    std::cout << "\ntop reasons for infeasible/failed trials:\n";
    for (const auto& [reason, count] : reasons) std::cout << "  " << std::setw(5) << count << "  " << reason << "\n";
  }
  return kOk;
}

// ---- export -----------------------------------------------------------------

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

int cmd_export(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->required(), "study name")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "csv", po::bool_switch(), "comma-separated values, one row per trial")(
      "json", po::bool_switch(), "JSON: the definition and every trial")(
      "output,o", po::value<std::string>(), "output file (default: stdout)");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (!parse_options(args, "study export NAME --csv|--json [-o FILE] [--db FILE]", opts, pos, vm)) return kOk;
  bool csv = vm["csv"].as<bool>(), js = vm["json"].as<bool>();
  if (csv == js) throw UsageError("give exactly one of --csv or --json");
  auto store = open_existing_store(vm["db"].as<std::string>());
  StudyDefinition def = load_study_definition(*store, vm["name"].as<std::string>());
  auto trials = store->trials(def.name);

  std::ostringstream out;
  if (js) {
    json arr = json::array();
    for (const auto& t : trials) arr.push_back(trial_json(t));
    out << json{{"study", def.to_json()}, {"trials", arr}}.dump(2) << "\n";
  } else {
    auto params = models::parameter_names();
    out << "number,status,objective,area_mm2";
    for (const auto& w : def.workloads) out << "," << csv_field("latency_ms:" + w);
    for (const auto& w : def.workloads) out << "," << csv_field("energy_uj:" + w);
    for (const auto& p : params) out << "," << p;
    out << ",design,eval_seconds,worker,started_at,finished_at,reason\n";
    out << std::setprecision(10);
    for (const auto& t : trials) {
      out << t.number << "," << search::to_string(t.status) << ",";
      if (t.status == TrialStatus::Feasible) out << t.objective;
      out << ",";
      if (t.area_mm2 > 0) out << t.area_mm2;
      for (const auto* per_workload : {&t.latency_ms, &t.energy_uj})
        for (const auto& w : def.workloads) {
          out << ",";
          auto it = per_workload->find(w);
          if (it != per_workload->end()) out << it->second;  // empty: not measured
        }
      for (const auto& p : params) out << "," << (t.values.contains(p) ? t.values[p].dump() : "");
      std::string d;
      for (size_t i = 0; i < t.design.size(); ++i) d += (i ? " " : "") + std::to_string(t.design[i]);
      out << "," << d << "," << t.eval_seconds << "," << t.worker << "," << t.started_at << "," << t.finished_at
          << "," << csv_field(t.reason) << "\n";
    }
  }
  if (vm.count("output")) {
    std::ofstream f(vm["output"].as<std::string>());
    if (!f || !(f << out.str())) throw UsageError("cannot write " + vm["output"].as<std::string>());
    std::cerr << "wrote " << trials.size() << " trials of " << def.name << " to " << vm["output"].as<std::string>() << "\n";
  } else {
    std::cout << out.str();
  }
  return kOk;
}

// ---- best -------------------------------------------------------------------

int cmd_best(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->required(), "study name")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "output,o", po::value<std::string>(), "architecture YAML file to write (default: stdout)");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (!parse_options(args, "study best NAME [-o best.yaml] [--db FILE]", opts, pos, vm)) return kOk;
  auto store = open_existing_store(vm["db"].as<std::string>());
  StudyDefinition def = load_study_definition(*store, vm["name"].as<std::string>());
  auto best = search::best_trial(store->trials(def.name));
  if (!best) {
    std::cerr << "apollo study best: study " << def.name << " has no feasible design\n";
    return kInfeasible;
  }
  auto constants = models::load_template_constants(models::template_constants_path());
  models::ArchConfig arch = models::decode(best->design, constants);
  std::ostringstream header;
  header << "# best design of study " << def.name << " (trial " << best->number << "): objective "
         << std::setprecision(6) << best->objective << ", area " << best->area_mm2 << " mm^2";
  for (const auto& [w, ms] : best->latency_ms) header << ", " << w << " " << ms << " ms";
  header << "\n";
  if (vm.count("output")) {
    const std::string path = vm["output"].as<std::string>();
    models::save_arch(arch, path);
    // Prepend the provenance comment (save_arch writes the YAML itself).
    std::ifstream in(path);
    std::stringstream body;
    body << in.rdbuf();
    in.close();
    std::ofstream f(path);
    f << header.str() << body.str();
    if (!f) throw UsageError("cannot write " + path);
    std::cerr << "wrote the best design of " << def.name << " to " << path << "\n";
  } else {
    std::cout << header.str() << models::to_yaml(arch);
  }
  return kOk;
}

// ---- plot -------------------------------------------------------------------

int cmd_plot(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("names", po::value<std::vector<std::string>>()->required(), "study names")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "output,o", po::value<std::string>()->required(), "image file: .png or .svg");
  po::positional_options_description pos;
  pos.add("names", -1);
  po::variables_map vm;
  if (!parse_options(args, "study plot NAME [NAME ...] -o FILE.png|FILE.svg [--db FILE]", opts, pos, vm)) return kOk;
  const std::string path = vm["output"].as<std::string>();
  const std::string terminal = gp_terminal(path, 1400, 560);

  auto store = open_existing_store(vm["db"].as<std::string>());
  std::ostringstream script;
  script << std::setprecision(10);
  std::vector<StudyDefinition> defs;
  std::set<std::string> objectives;
  for (const auto& name : vm["names"].as<std::vector<std::string>>()) {
    defs.push_back(load_study_definition(*store, name));
    objectives.insert(defs.back().objective_name());
  }
  // Inline data blocks: one per study for the curve, the scatter and the front.
  for (size_t s = 0; s < defs.size(); ++s) {
    auto trials = store->trials(defs[s].name);
    auto curve = search::best_so_far(trials);
    script << "$curve" << s << " << EOD\n";
    for (size_t i = 0; i < curve.size(); ++i) {
      if (curve[i]) script << i + 1 << " " << *curve[i] << "\n";
    }
    script << "EOD\n$points" << s << " << EOD\n";
    for (const auto& t : trials) {
      if (t.status != TrialStatus::Feasible) continue;
      double lat = 0;
      for (const auto& [w, ms] : t.latency_ms) lat += ms;
      script << t.area_mm2 << " " << lat << "\n";
    }
    script << "EOD\n$front" << s << " << EOD\n";
    for (size_t i : search::pareto_front(trials)) {
      double lat = 0;
      for (const auto& [w, ms] : trials[i].latency_ms) lat += ms;
      script << trials[i].area_mm2 << " " << lat << "\n";
    }
    script << "EOD\n";
  }
  std::string ylabel = objectives.size() == 1 && *objectives.begin() == "perf_per_area"
                           ? "best 1 / (latency ms x area mm^2)"
                           : "best objective so far";
  script << "set terminal " << terminal << " font ',11'\n"
         << "set output '" << gp_quote(path) << "'\n"
         << "set multiplot layout 1,2\n"
         << "set grid\nset key bottom right\n"
         << "set title 'Best-so-far objective'\nset xlabel 'trials'\nset ylabel '" << ylabel << "'\n"
         << "plot ";
  for (size_t s = 0; s < defs.size(); ++s) {
    script << (s ? ", " : "") << "$curve" << s << " using 1:2 with steps lw 2 lc " << s + 1 << " title '"
           << gp_label(defs[s].name) << "'";
  }
  script << "\nset key top right\nset title 'Feasible designs: latency vs area (lines: Pareto frontier)'\n"
         << "set xlabel 'area (mm^2)'\nset ylabel 'latency (ms, summed over workloads)'\nset logscale y\n"
         << "plot ";
  for (size_t s = 0; s < defs.size(); ++s) {
    script << (s ? ", " : "") << "$points" << s << " using 1:2 with points pt 7 ps 0.5 lc " << s + 1 << " title '"
           << gp_label(defs[s].name) << "', $front" << s << " using 1:2 with steps lw 2 lc " << s + 1
           << " notitle";
  }
  script << "\nunset multiplot\nset output\n";

  run_gnuplot(script.str(), path);
  std::cerr << "wrote " << path << " (" << defs.size() << " stud" << (defs.size() == 1 ? "y" : "ies") << ")\n";
  return kOk;
}

// ---- pareto -----------------------------------------------------------------

// 2 objectives: one scatter; 3: the three pairwise projections side by side.
void plot_front(const std::string& path, const StudyDefinition& def, const search::StudyFront& front) {
  const size_t m = front.objectives.size();
  const std::string terminal = gp_terminal(path, m == 2 ? 800 : 1500, 560);
  std::ostringstream script;
  script << std::setprecision(10) << "$all << EOD\n";
  for (const auto& p : front.points) {
    for (double v : p) script << v << " ";
    script << "\n";
  }
  script << "EOD\n$front << EOD\n";
  std::vector<std::vector<double>> rows;
  for (size_t t : front.front)
    rows.push_back(front.points[static_cast<size_t>(std::find(front.feasible.begin(), front.feasible.end(), t) -
                                                    front.feasible.begin())]);
  std::sort(rows.begin(), rows.end());
  for (const auto& p : rows) {
    for (double v : p) script << v << " ";
    script << "\n";
  }
  script << "EOD\n"
         << "set terminal " << terminal << " font ',11'\n"
         << "set output '" << gp_quote(path) << "'\n"
         << "set grid\nset key top right\nset logscale xy\n";
  if (m == 3) script << "set multiplot layout 1,3 title '" << gp_label("Pareto front of study " + def.name) << "'\n";
  else script << "set title '" << gp_label("Pareto front of study " + def.name) << "'\n";
  const std::vector<std::pair<size_t, size_t>> panels =
      m == 2 ? std::vector<std::pair<size_t, size_t>>{{0, 1}} : std::vector<std::pair<size_t, size_t>>{{0, 1}, {0, 2}, {1, 2}};
  for (const auto& [x, y] : panels) {
    script << "set xlabel '" << gp_label(front.objectives[x] + " (" + front.units[x] + ")") << "'\n"
           << "set ylabel '" << gp_label(front.objectives[y] + " (" + front.units[y] + ")") << "'\n"
           << "plot $all using " << x + 1 << ":" << y + 1 << " with points pt 7 ps 0.5 lc rgb '#a0a0a0' title 'feasible "
           << "trials', $front using " << x + 1 << ":" << y + 1 << " with points pt 7 ps 1.0 lc rgb '#d62728' title "
           << "'Pareto front'\n";
  }
  if (m == 3) script << "unset multiplot\n";
  script << "set output\n";
  run_gnuplot(script.str(), path);
}

int cmd_pareto(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->required(), "study name")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "json", po::bool_switch(), "machine-readable output")(
      "plot", po::value<std::string>(),
      "image file .png or .svg: the front over all feasible trials (three objectives: pairwise panels)");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (!parse_options(args, "study pareto NAME [--db FILE] [--json] [--plot FILE.png]\n"
                           "The non-dominated feasible trials of a multi-objective study (--objectives), or of latency "
                           "and area for a study with a scalar objective; every objective minimized.",
                     opts, pos, vm)) {
    return kOk;
  }
  if (vm.count("plot")) gp_terminal(vm["plot"].as<std::string>(), 1, 1);  // bad extension: fail before the work
  auto store = open_existing_store(vm["db"].as<std::string>());
  const StudyDefinition def = load_study_definition(*store, vm["name"].as<std::string>());
  const auto trials = store->trials(def.name);
  const search::StudyFront front = search::study_front(def, trials);
  if (vm["json"].as<bool>()) {
    json out = front_json(front, trials);
    out["study"] = def.name;
    out["multi_objective"] = def.multi_objective();
    std::cout << out.dump(2) << "\n";
  } else {
    std::cout << "study " << def.name << " (" << store->path() << ")"
              << (def.multi_objective() ? "" : ", objective " + def.objective_name() + ": showing its latency-area trade-off")
              << "\n";
    print_front(std::cout, front, trials);
  }
  if (vm.count("plot")) {
    if (front.front.empty()) throw UsageError("study " + def.name + " has no feasible trial to plot");
    plot_front(vm["plot"].as<std::string>(), def, front);
    std::cerr << "wrote " << vm["plot"].as<std::string>() << "\n";
  }
  return front.front.empty() ? kInfeasible : kOk;
}

}  // namespace

// ---- delete -----------------------------------------------------------------

int cmd_delete(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("name", po::value<std::string>()->required(), "study name")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database");
  po::positional_options_description pos;
  pos.add("name", 1);
  po::variables_map vm;
  if (!parse_options(args, "study delete NAME [--db FILE]", opts, pos, vm)) return kOk;
  auto store = open_existing_store(vm["db"].as<std::string>());
  const StudyDefinition def = load_study_definition(*store, vm["name"].as<std::string>());
  const int trials = store->trial_count(def.name);
  try {
    store->delete_study(def.name);
  } catch (const search::StoreError& e) {
    throw UsageError(e.what());  // running or still needed: the user's call to change
  }
  std::cout << "deleted study " << def.name << " (" << trials << " trials) from " << store->path() << "\n";
  return kOk;
}

int run_study(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? kBadInput : kOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  const std::string& sub = args[0];
  using Sub = int (*)(const std::vector<std::string>&);
  static const std::pair<const char*, Sub> table[] = {
      {"list", cmd_list}, {"show", cmd_show},       {"export", cmd_export},
      {"best", cmd_best}, {"plot", cmd_plot},       {"compare", run_study_compare},
      {"delete", cmd_delete}, {"pareto", cmd_pareto}};
  for (const auto& [name, fn] : table) {
    if (sub == name) return fn(rest);
  }
  throw UsageError("unknown subcommand '" + sub + "' (expected list, show, export, best, plot, pareto, compare or delete)");
}

}  // namespace apollo::cli
