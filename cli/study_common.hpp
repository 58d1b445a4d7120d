// Helpers shared by the `apollo study` subcommands (cmd_study.cpp,
// cmd_study_compare.cpp): opening a database read-only-in-spirit, finding a
// study, and running gnuplot.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <iosfwd>

#include <nlohmann/json.hpp>

#include "search/report.hpp"
#include "search/store.hpp"

namespace apollo::cli {

// Reading commands never create a database: a typo in --db must not look like
// an empty store. Throws UsageError when the file is missing or not a store.
std::unique_ptr<search::StudyStore> open_existing_store(const std::string& path);
// Throws UsageError naming the study and the studies the database has.
search::StudyDefinition load_study_definition(search::StudyStore& store, const std::string& name);

// A study's Pareto front as an aligned table, one row per front trial
// (sorted by the first objective): trial number, each objective with its
// unit, the parameter values.
void print_front(std::ostream& out, const search::StudyFront& front, const std::vector<search::TrialRecord>& trials);
// The same as JSON: {"objectives": [{"name", "unit"}], "feasible": N,
// "front": [{"trial", "design", "values", "objectives": {name: value}}]}.
nlohmann::json front_json(const search::StudyFront& front, const std::vector<search::TrialRecord>& trials);

// `apollo study compare`, a subcommand of `apollo study`.
int run_study_compare(const std::vector<std::string>& args);

// gnuplot strings are single-quoted: a quote is doubled.
std::string gp_quote(const std::string& s);
// Labels also go through enhanced text, where a bare _ is a subscript.
std::string gp_label(const std::string& s);
// "set terminal ..." argument for an output path: .png (pngcairo) or .svg;
// throws UsageError for another extension.
std::string gp_terminal(const std::string& path, int width, int height);
// Feeds `script` to gnuplot and checks that it wrote `path` (throws
// std::runtime_error otherwise, with a hint when gnuplot is missing).
void run_gnuplot(const std::string& script, const std::string& path);

}  // namespace apollo::cli
