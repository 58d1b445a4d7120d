// apollo study compare: studies grouped (by optimizer, budget, ...; the
// members of a group are the repetitions, e.g. seeds), each group summarized
// at trial checkpoints by the median, min and max of its studies' best
// feasible objective, optionally as regret against a known optimum; text,
// markdown or JSON, and a gnuplot figure (median line, min-max band).
// The numbers come from search/report.hpp.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/study_common.hpp"
#include "search/objective.hpp"
#include "search/pareto.hpp"
#include "search/report.hpp"

namespace po = boost::program_options;

namespace apollo::cli {

namespace {

using nlohmann::json;
using search::Spread;

std::string fmt(double v, int precision = 4) {
  std::ostringstream o;
  o << std::setprecision(precision) << v;
  return o.str();
}

std::string opt_fmt(const std::optional<double>& v, bool percent) {
  if (!v) return "-";
  return percent ? fmt(*v * 100, 3) + "%" : fmt(*v);
}

// "median [min, max]"; "-" stands for none (no feasible trial yet).
std::string cell(const Spread& s, bool percent = false) {
  if (s.n == 0) return "";
  if (s.n == 1) return opt_fmt(s.median, percent);
  return opt_fmt(s.median, percent) + " [" + opt_fmt(s.min, percent) + ", " + opt_fmt(s.max, percent) + "]";
}

json spread_json(const Spread& s) {
  auto v = [](const std::optional<double>& x) { return x ? json(*x) : json(nullptr); };
  return {{"n", s.n}, {"none", s.none}, {"median", v(s.median)}, {"min", v(s.min)}, {"max", v(s.max)}};
}

std::string key_header(search::GroupKey k) {
  return k == search::GroupKey::Budget ? "budget mm2" : search::to_string(k);
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

// One table: rows of cells, printed as GitHub markdown or aligned text.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows, bool markdown, size_t left_columns) {
  if (markdown) {
    out << "| " << join(header, " | ") << " |\n|";
    for (size_t c = 0; c < header.size(); ++c) out << (c < left_columns ? "---|" : "---:|");
    out << "\n";
    for (const auto& r : rows) out << "| " << join(r, " | ") << " |\n";
    return;
  }
  std::vector<size_t> w(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    w[c] = header[c].size();
    for (const auto& r : rows) w[c] = std::max(w[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t c = 0; c < r.size(); ++c) {
      std::string pad(w[c] - r[c].size(), ' ');
      s += (c ? "  " : "") + (c < left_columns ? r[c] + pad : pad + r[c]);
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    out << s << "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
}

struct Loaded {
  std::vector<search::StudyTrials> studies;
  std::string objective;  // shared objective name, or "mixed"
};

// Multi-objective studies are compared by the hypervolume of their fronts
// against one reference point: each study's trials are recast so that a
// trial's objective is the hypervolume after it (hypervolume_trials), and
// the groups, checkpoints and plot below then show hypervolume. Prints the
// reference and, per study, its front and hypervolume; returns them as JSON.
json to_hypervolumes(Loaded& loaded, const std::vector<double>& given_reference, std::ostream& text) {
  std::vector<search::StudyFront> fronts;
  for (const auto& st : loaded.studies) {
    if (!st.definition.multi_objective() || st.definition.objectives != loaded.studies.front().definition.objectives)
      throw UsageError("study " + st.definition.name + " has objectives " + st.definition.objective_name() +
                       ", study " + loaded.studies.front().definition.name + " " +
                       loaded.studies.front().definition.objective_name() +
                       ": multi-objective studies are compared only with studies of the same objectives");
    fronts.push_back(search::study_front(st.definition, st.trials));
  }
  const auto& names = fronts.front().objectives;
  std::optional<search::ObjectivePoint> reference;
  if (!given_reference.empty()) {
    if (given_reference.size() != names.size())
      throw UsageError("--reference: " + std::to_string(given_reference.size()) + " values for " +
                       std::to_string(names.size()) + " objectives (" + join(names, ",") + ")");
    reference = given_reference;
  } else {
    reference = search::default_reference(fronts);
  }
  loaded.objective = "hypervolume";
  json out{{"objectives", names}, {"units", fronts.front().units}, {"reference", reference ? json(*reference) : json(nullptr)}};
  text << "hypervolume of each study's Pareto front (" << join(names, ", ") << ", minimized) against the "
            << "reference point (";
  for (size_t k = 0; reference && k < reference->size(); ++k)
    text << (k ? ", " : "") << fmt((*reference)[k], 6) << " " << fronts.front().units[k];
  text << (reference ? "" : "none: no feasible trial") << (given_reference.empty() ? "; default: worst feasible value x 1.1" : "")
            << ")\n";
  json studies = json::array();
  for (size_t i = 0; i < loaded.studies.size(); ++i) {
    auto& st = loaded.studies[i];
    const double volume = reference ? search::hypervolume_curve(fronts[i], st.trials.size(), *reference).back() : 0.0;
    text << "  " << st.definition.name << ": " << fronts[i].front.size() << " front points of "
              << fronts[i].feasible.size() << " feasible, hypervolume " << fmt(volume, 6) << "\n";
    studies.push_back({{"name", st.definition.name}, {"front_points", fronts[i].front.size()}, {"hypervolume", volume}});
    if (reference) st.trials = search::hypervolume_trials(fronts[i], st.trials, *reference);
  }
  text << "\n";
  out["studies"] = studies;
  return out;
}

void write_plot(const std::string& path, const Loaded& loaded, const search::Comparison& cmp,
                const std::string& title) {
  const std::string terminal = gp_terminal(path, 1000, 600);
  const auto& ref = cmp.reference;
  // Regret 0 (the optimum found) has no place on a log axis: drawn at a floor.
  const double floor = ref ? std::max(std::abs(*ref) * 1e-4, 1e-300) : 0;
  auto y = [&](double v) { return ref ? std::max(v, floor) : v; };
  std::ostringstream script;
  script << std::setprecision(10);
  // gnuplot refuses an empty data block: a group whose median or band has no
  // point yet (no feasible trial) is left out of the plot.
  std::vector<bool> has_band(cmp.groups.size(), false), has_median(cmp.groups.size(), false);
  size_t longest = 0;
  for (size_t g = 0; g < cmp.groups.size(); ++g) {
    auto curve = search::group_curve(loaded.studies, cmp.groups[g], ref);
    longest = std::max(longest, curve.size());
    script << "$band" << g << " << EOD\n";
    for (size_t i = 0; i < curve.size(); ++i) {
      if (curve[i].min && curve[i].max) {
        script << i + 1 << " " << y(*curve[i].min) << " " << y(*curve[i].max) << "\n";
        has_band[g] = true;
      }
    }
    script << "EOD\n$median" << g << " << EOD\n";
    for (size_t i = 0; i < curve.size(); ++i) {
      if (curve[i].median) {
        script << i + 1 << " " << y(*curve[i].median) << "\n";
        has_median[g] = true;
      }
    }
    script << "EOD\n";
  }
  std::string ylabel;
  if (ref) {
    ylabel = "regret = " + fmt(*ref, 6) + " - best (0 drawn at " + fmt(floor, 3) + ")";
  } else if (loaded.objective == "perf_per_area") {
    ylabel = "best 1 / (latency ms x area mm^2)";
  } else if (loaded.objective == "geomean_speedup") {
    ylabel = "best geomean speedup over the baseline";
  } else if (loaded.objective == "hypervolume") {
    ylabel = "hypervolume of the Pareto front";
  } else {
    ylabel = "best objective so far";
  }
  const std::string heading =
      title.empty() ? std::string(ref                                   ? "Regret"
                                  : loaded.objective == "hypervolume" ? "Hypervolume of the Pareto front"
                                                                      : "Best-so-far objective") + ": median (line) and min-max (band) per " +
                          join([&] {
                            std::vector<std::string> k;
                            for (auto key : cmp.group_by) k.push_back(search::to_string(key));
                            return k;
                          }(), ", ")
                    : title;
  script << "set terminal " << terminal << " font ',11'\n"
         << "set output '" << gp_quote(path) << "'\n"
         << "set grid\nset key " << (ref ? "top right" : "bottom right") << "\n"
         << "set title '" << gp_label(heading) << "'\nset xlabel 'trials'\nset ylabel '" << gp_label(ylabel) << "'\n"
         << "set style fill transparent solid 0.18 noborder\n";
  if (ref) script << "set logscale y\n";
  // Every band first, then the lines, so that no band covers a line.
  std::vector<std::string> items;
  for (size_t g = 0; g < cmp.groups.size(); ++g) {
    if (has_band[g]) {
      items.push_back("$band" + std::to_string(g) + " using 1:2:3 with filledcurves lc " + std::to_string(g + 1) +
                      " notitle");
    }
  }
  for (size_t g = 0; g < cmp.groups.size(); ++g) {
    const std::string label = join(cmp.groups[g].key, ", ") + " (n=" + std::to_string(cmp.groups[g].members.size()) + ")";
    if (has_median[g]) {
      items.push_back("$median" + std::to_string(g) + " using 1:2 with steps lw 2 lc " + std::to_string(g + 1) +
                      " title '" + gp_label(label) + "'");
    } else {
      std::cerr << "note: group " << join(cmp.groups[g].key, ", ") << " has no median to plot (no feasible trial)\n";
    }
  }
  if (items.empty()) {
    // Nothing feasible anywhere: an empty frame that says so.
    script << "set xrange [1:" << std::max<size_t>(longest, 2) << "]\nset yrange [" << (ref ? "1e-3:1" : "0:1")
           << "]\nset label 1 'no feasible trial yet' at graph 0.5,0.5 center\n";
    items.push_back("2 notitle");
  }
  script << "plot " << join(items, ", ") << "\nset output\n";
  run_gnuplot(script.str(), path);
  std::cerr << "wrote " << path << " (" << cmp.groups.size() << " group" << (cmp.groups.size() == 1 ? "" : "s") << ")\n";
}

}  // namespace

int run_study_compare(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("names", po::value<std::vector<std::string>>(), "study names")(
      "db", po::value<std::string>()->default_value("apollo.db"), "study database")(
      "group-by", po::value<std::string>()->default_value("optimizer"),
      "optimizer, workloads, budget, transfer, study, or a comma list (optimizer,budget)")(
      "checkpoints", po::value<std::string>(),
      "trial counts N,N,... (default 10,30,100 and the largest trial count; capped at the largest)")(
      "reference", po::value<std::string>(),
      "known optimum: also print regret = VALUE - best and regret / VALUE; multi-objective studies: the "
      "hypervolume reference point a,b[,c] (default: the worst feasible value of each objective over the studies "
      "x 1.1)")(
      "markdown", po::bool_switch(), "tables as GitHub markdown")("json", po::bool_switch(), "machine-readable output")(
      "output,o", po::value<std::string>(), "plot file .png or .svg: best so far (or regret) vs trials per group")(
      "title", po::value<std::string>(), "plot title")(
      "pivot", po::value<std::string>(),
      "one of the --group-by keys whose values become the columns (e.g. --group-by optimizer,budget --pivot budget)");
  po::positional_options_description pos;
  pos.add("names", -1);
  po::variables_map vm;
  if (!parse_options(args,
                     "study compare STUDY [STUDY ...] [--db FILE] [--group-by KEY] [--checkpoints N,N,...] "
                     "[--reference VALUE] [--pivot KEY] [--markdown] [--json] [-o FILE.png|FILE.svg]",
                     opts, pos, vm)) {
    return kOk;
  }
  if (!vm.count("names")) throw UsageError("no studies given (apollo study compare STUDY [STUDY ...])");
  const auto names = vm["names"].as<std::vector<std::string>>();
  if (vm["markdown"].as<bool>() && vm["json"].as<bool>()) throw UsageError("give at most one of --markdown and --json");

  std::vector<search::GroupKey> group_by;
  try {
    group_by = search::parse_group_by(vm["group-by"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--group-by: ") + e.what());
  }
  std::optional<size_t> pivot_index;
  if (vm.count("pivot")) {
    std::vector<search::GroupKey> p;
    try {
      p = search::parse_group_by(vm["pivot"].as<std::string>());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--pivot: ") + e.what());
    }
    auto it = std::find(group_by.begin(), group_by.end(), p.front());
    if (p.size() != 1 || it == group_by.end() || group_by.size() < 2) {
      throw UsageError("--pivot " + vm["pivot"].as<std::string>() +
                       ": expected one of the --group-by keys, and --group-by needs at least two keys");
    }
    pivot_index = static_cast<size_t>(it - group_by.begin());
  }
  std::optional<std::vector<int>> requested;
  if (vm.count("checkpoints")) {
    try {
      requested = search::parse_checkpoints(vm["checkpoints"].as<std::string>());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--checkpoints: ") + e.what());
    }
  }
  std::vector<double> reference_values;
  try {
    if (vm.count("reference")) reference_values = search::parse_numbers(vm["reference"].as<std::string>());
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--reference: ") + e.what());
  }
  if (vm.count("output")) gp_terminal(vm["output"].as<std::string>(), 1, 1);  // bad extension: fail before the work

  auto store = open_existing_store(vm["db"].as<std::string>());
  Loaded loaded;
  std::set<std::string> seen, objectives;
  for (const auto& name : names) {
    if (!seen.insert(name).second) throw UsageError("study '" + name + "' given twice");
    search::StudyTrials st{load_study_definition(*store, name), {}};
    st.trials = store->trials(name);
    objectives.insert(st.definition.objective_name());
    loaded.studies.push_back(std::move(st));
  }
  loaded.objective = objectives.size() == 1 ? *objectives.begin() : "mixed";
  std::optional<double> reference;
  const bool multi = std::any_of(loaded.studies.begin(), loaded.studies.end(),
                                 [](const auto& st) { return st.definition.multi_objective(); });
  json hypervolume_json;
  if (multi) {
    std::ostringstream discarded;
    hypervolume_json = to_hypervolumes(loaded, reference_values, vm["json"].as<bool>() ? discarded : std::cout);
  } else if (!reference_values.empty()) {
    if (reference_values.size() != 1) throw UsageError("--reference expects one number (the known optimum)");
    reference = reference_values.front();
  }

  int max_trials = 0;
  for (const auto& s : loaded.studies) max_trials = std::max(max_trials, static_cast<int>(s.trials.size()));
  std::vector<int> checkpoints;
  if (requested) {
    // Capped at what the studies have: a checkpoint beyond every study's
    // trials would repeat the last column.
    std::vector<int> capped;
    for (int n : *requested) {
      int c = std::min(n, max_trials);
      if (c > 0 && (checkpoints.empty() || c > checkpoints.back())) checkpoints.push_back(c);
      if (n > max_trials) capped.push_back(n);
    }
    if (!capped.empty()) {
      std::vector<std::string> s;
      for (int n : capped) s.push_back(std::to_string(n));
      std::cerr << "note: checkpoint" << (capped.size() > 1 ? "s " : " ") << join(s, ", ") << " capped at "
                << max_trials << " trials (the most any study has)\n";
    }
  } else {
    checkpoints = search::default_checkpoints(max_trials);
  }
  for (const auto& s : loaded.studies) {
    if (!checkpoints.empty() && static_cast<int>(s.trials.size()) < checkpoints.back()) {
      std::cerr << "note: study " << s.definition.name << " has " << s.trials.size() << " trials; checkpoints above "
                << "that use all of them\n";
    }
  }

  auto cmp = search::compare_studies(loaded.studies, group_by, checkpoints, reference);
  // Groups whose members differ in what they optimize are compared anyway,
  // but the reader should know.
  for (const auto& g : cmp.groups) {
    std::set<std::string> w, o;
    for (size_t m : g.members) {
      w.insert(search::group_value(loaded.studies[m].definition, search::GroupKey::Workloads));
      o.insert(loaded.studies[m].definition.objective_name());
    }
    if (w.size() > 1 || o.size() > 1) {
      std::cerr << "note: group " << join(g.key, ", ") << " mixes " << (o.size() > 1 ? "objectives" : "workloads")
                << " (" << w.size() << " workload sets)\n";
    }
  }
  if (reference) {
    for (const auto& s : loaded.studies) {
      auto b = search::best_after(s.trials, static_cast<int>(s.trials.size()));
      if (b && *b > *reference) {
        std::cerr << "note: study " << s.definition.name << " reached " << fmt(*b, 6) << ", above --reference "
                  << fmt(*reference, 6) << " (negative regret)\n";
      }
    }
  }

  if (vm["json"].as<bool>()) {
    json out;
    out["objective"] = loaded.objective;
    json gb = json::array();
    for (auto k : group_by) gb.push_back(search::to_string(k));
    out["group_by"] = gb;
    out["checkpoints"] = checkpoints;
    out["reference"] = reference ? json(*reference) : json(nullptr);
    if (multi) out["hypervolume"] = hypervolume_json;
    json groups = json::array();
    for (const auto& g : cmp.groups) {
      json key = json::object();
      for (size_t k = 0; k < group_by.size(); ++k) key[search::to_string(group_by[k])] = g.key[k];
      json studies = json::array();
      for (size_t m : g.members) {
        const auto& s = loaded.studies[m];
        json best = json::array();
        for (int n : checkpoints) {
          auto b = search::best_after(s.trials, n);
          best.push_back(b ? json(*b) : json(nullptr));
        }
        studies.push_back({{"name", s.definition.name},
                           {"seed", s.definition.seed},
                           {"trials", s.trials.size()},
                           {"best", best}});
      }
      json cps = json::array();
      for (const auto& c : g.checkpoints) {
        json j{{"trials", c.trials}, {"best", spread_json(c.best)}};
        if (reference) {
          j["regret"] = spread_json(c.regret);
          j["relative_regret"] = spread_json(c.relative_regret);
        }
        cps.push_back(j);
      }
      groups.push_back({{"key", key}, {"studies", studies}, {"checkpoints", cps}});
    }
    out["groups"] = groups;
    std::cout << out.dump(2) << "\n";
  } else {
    const bool md = vm["markdown"].as<bool>();
    std::vector<std::string> head;
    for (auto k : group_by) head.push_back(key_header(k));
    head.push_back("n");
    head.push_back("trials");
    auto table = [&](const std::string& what, auto pick, bool percent) {
      std::vector<std::string> header = head;
      for (int n : checkpoints) header.push_back(what + " @" + std::to_string(n));
      std::vector<std::vector<std::string>> rows;
      for (const auto& g : cmp.groups) {
        std::vector<std::string> r = g.key;
        r.push_back(std::to_string(g.members.size()));
        int lo = max_trials, hi = 0;
        for (size_t m : g.members) {
          lo = std::min(lo, static_cast<int>(loaded.studies[m].trials.size()));
          hi = std::max(hi, static_cast<int>(loaded.studies[m].trials.size()));
        }
        r.push_back(lo == hi ? std::to_string(hi) : std::to_string(lo) + "-" + std::to_string(hi));
        for (const auto& c : g.checkpoints) r.push_back(cell(pick(c), percent));
        rows.push_back(r);
      }
      print_table(std::cout, header, rows, md, group_by.size());
    };
    // The same cells with one key's values as columns (e.g. optimizer rows x
    // budget columns).
    auto pivot_table = [&](auto pick, bool percent) {
      const size_t pk = *pivot_index;
      std::vector<std::string> values;
      std::vector<std::vector<std::string>> row_keys;
      for (const auto& g : cmp.groups) {
        if (std::find(values.begin(), values.end(), g.key[pk]) == values.end()) values.push_back(g.key[pk]);
        auto rk = g.key;
        rk.erase(rk.begin() + static_cast<long>(pk));
        if (std::find(row_keys.begin(), row_keys.end(), rk) == row_keys.end()) row_keys.push_back(rk);
      }
      std::vector<std::string> header;
      for (size_t k = 0; k < group_by.size(); ++k) {
        if (k != pk) header.push_back(key_header(group_by[k]));
      }
      header.push_back("n");
      for (const auto& v : values) {
        for (int n : checkpoints) {
          header.push_back(key_header(group_by[pk]) + " " + v + " @" + std::to_string(n));
        }
      }
      std::vector<std::vector<std::string>> rows;
      for (const auto& rk : row_keys) {
        std::vector<std::string> r = rk;
        std::set<size_t> sizes;
        std::vector<std::string> cells;
        for (const auto& v : values) {
          auto key = rk;
          key.insert(key.begin() + static_cast<long>(pk), v);
          auto g = std::find_if(cmp.groups.begin(), cmp.groups.end(), [&](const auto& x) { return x.key == key; });
          if (g != cmp.groups.end()) sizes.insert(g->members.size());
          for (size_t c = 0; c < checkpoints.size(); ++c) {
            cells.push_back(g == cmp.groups.end() ? "" : cell(pick(g->checkpoints[c]), percent));
          }
        }
        r.push_back(sizes.size() == 1 ? std::to_string(*sizes.begin())
                                      : std::to_string(*sizes.begin()) + "-" + std::to_string(*sizes.rbegin()));
        r.insert(r.end(), cells.begin(), cells.end());
        rows.push_back(r);
      }
      print_table(std::cout, header, rows, md, group_by.size() - 1);
    };
    std::string objective_text = loaded.objective == "perf_per_area"     ? "perf/area 1/(ms*mm^2)"
                                 : loaded.objective == "geomean_speedup" ? "geomean speedup over the baseline"
                                 : loaded.objective == "hypervolume"     ? "hypervolume of the Pareto front"
                                 : loaded.objective == "mixed"           ? "objective (mixed kinds!)"
                                                                         : loaded.objective + " objective";
    const std::string intro = (loaded.objective == "hypervolume" ? "H" : "Best feasible ") +
                              (loaded.objective == "hypervolume" ? objective_text.substr(1) : objective_text) +
                              " after N trials: median [min, max] over the n studies of each group"
                              " (- = no feasible trial yet).";
    std::cout << intro << "\n\n";
    if (checkpoints.empty()) {
      std::cout << "(no trials stored yet)\n";
    } else if (pivot_index) {
      pivot_table([](const search::CheckpointSummary& c) { return c.best; }, false);
      if (reference) {
        std::cout << "\nRegret = " << fmt(*reference, 6) << " - best (- = no feasible trial yet):\n\n";
        pivot_table([](const search::CheckpointSummary& c) { return c.regret; }, false);
        std::cout << "\nRelative regret = regret / " << fmt(*reference, 6) << ":\n\n";
        pivot_table([](const search::CheckpointSummary& c) { return c.relative_regret; }, true);
      }
    } else {
      table("best", [](const search::CheckpointSummary& c) { return c.best; }, false);
      if (reference) {
        std::cout << "\nRegret = " << fmt(*reference, 6) << " - best (- = no feasible trial yet):\n\n";
        table("regret", [](const search::CheckpointSummary& c) { return c.regret; }, false);
        std::cout << "\nRelative regret = regret / " << fmt(*reference, 6) << ":\n\n";
        table("rel. regret", [](const search::CheckpointSummary& c) { return c.relative_regret; }, true);
      }
    }
  }
  if (vm.count("output")) {
    write_plot(vm["output"].as<std::string>(), loaded, cmp, vm.count("title") ? vm["title"].as<std::string>() : "");
  }
  return kOk;
}

}  // namespace apollo::cli
