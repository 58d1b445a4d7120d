#include "cli/study_common.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "cli/command.hpp"

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

}  // namespace apollo::cli
