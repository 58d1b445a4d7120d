#include "cli/study_common.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "cli/command.hpp"
#include "models/space.hpp"

namespace fs = std::filesystem;

namespace apollo::cli {

std::unique_ptr<search::StudyStore> open_existing_store(const std::string& path) {
  if (!fs::exists(path)) throw UsageError("no study database " + path + " (run apollo search first, or give --db)");
  try {
    return std::make_unique<search::StudyStore>(path);
  } catch (const search::StoreError& e) {
    throw UsageError(e.what());
  }
}

search::StudyDefinition load_study_definition(search::StudyStore& store, const std::string& name) {
  auto def = store.find_study(name);
  if (!def) {
    std::string known;
    for (const auto& s : store.list_studies()) known += (known.empty() ? "" : ", ") + s.name;
    throw UsageError("no study '" + name + "' in " + store.path() +
                     (known.empty() ? " (it has no studies)" : " (studies: " + known + ")"));
  }
  return *def;
}

std::string gp_quote(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

std::string gp_label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '_') out += "\\_";
    else out += c;
  }
  return out;
}

std::string gp_terminal(const std::string& path, int width, int height) {
  const std::string ext = fs::path(path).extension().string();
  const std::string size = " size " + std::to_string(width) + "," + std::to_string(height);
  if (ext == ".png") return "pngcairo" + size;
  if (ext == ".svg") return "svg" + size + " dynamic";
  throw UsageError("-o " + path + ": expected a .png or .svg file name");
}

void run_gnuplot(const std::string& script, const std::string& path) {
  // gnuplot's warnings go to stderr: stdout may be a table or JSON.
  FILE* gp = popen("gnuplot 1>&2", "w");
  if (!gp) throw std::runtime_error("cannot start gnuplot");
  std::fwrite(script.data(), 1, script.size(), gp);
  int rc = pclose(gp);
  if (rc != 0) {
    throw std::runtime_error("gnuplot failed (exit status " + std::to_string(rc) +
                             "); is gnuplot installed (Debian package gnuplot-nox)?");
  }
  if (!fs::exists(path) || fs::file_size(path) == 0) throw std::runtime_error("gnuplot did not write " + path);
}

namespace {

// Front trials sorted by their first objective (a 2-D front reads as a curve).
std::vector<size_t> front_rows(const search::StudyFront& front) {
  std::vector<size_t> rows;  // indices into front.feasible / points
  for (size_t t : front.front)
    rows.push_back(static_cast<size_t>(std::find(front.feasible.begin(), front.feasible.end(), t) - front.feasible.begin()));
  std::stable_sort(rows.begin(), rows.end(), [&](size_t a, size_t b) { return front.points[a][0] < front.points[b][0]; });
  return rows;
}

}  // namespace

void print_front(std::ostream& out, const search::StudyFront& front, const std::vector<search::TrialRecord>& trials) {
  out << "Pareto front: " << front.front.size() << " of " << front.feasible.size() << " feasible trials (";
  for (size_t k = 0; k < front.objectives.size(); ++k)
    out << (k ? ", " : "") << front.objectives[k] << " in " << front.units[k];
  out << "; all minimized)\n";
  out << std::setw(6) << "trial";
  for (size_t k = 0; k < front.objectives.size(); ++k)
    out << std::setw(16) << (front.objectives[k] + " " + front.units[k]);
  out << "  parameters\n";
  for (size_t r : front_rows(front)) {
    const auto& t = trials[front.feasible[r]];
    out << std::setw(6) << t.number;
    for (double v : front.points[r]) {
      std::ostringstream cell;
      cell << std::setprecision(5) << v;
      out << std::setw(16) << cell.str();
    }
    out << " ";
    for (const auto& p : models::parameter_names())
      if (t.values.contains(p)) out << " " << p << "=" << t.values[p].dump();
    out << "\n";
  }
}

nlohmann::json front_json(const search::StudyFront& front, const std::vector<search::TrialRecord>& trials) {
  nlohmann::json objectives = nlohmann::json::array();
  for (size_t k = 0; k < front.objectives.size(); ++k)
    objectives.push_back({{"name", front.objectives[k]}, {"unit", front.units[k]}});
  nlohmann::json rows = nlohmann::json::array();
  for (size_t r : front_rows(front)) {
    const auto& t = trials[front.feasible[r]];
    nlohmann::json values = nlohmann::json::object();
    for (size_t k = 0; k < front.objectives.size(); ++k) values[front.objectives[k]] = front.points[r][k];
    rows.push_back({{"trial", t.number}, {"design", t.design}, {"values", t.values}, {"objectives", values}});
  }
  return {{"objectives", objectives}, {"feasible", front.feasible.size()}, {"front", rows}};
}

}  // namespace apollo::cli
