// End to end through the `apollo` binary: a real study beats the baseline
// (checked with `apollo simulate`, not with the search's own numbers), a study
// killed with SIGKILL resumes to exactly its budget and matches an
// uninterrupted run, injected crashes/hangs become failed trials, same seed
// gives the same exported study, multi-workload objective by hand, the study
// subcommands, and bad input exits 2.
#include <gtest/gtest.h>

#include "tests/search/scratch_dir.hpp"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "search/store.hpp"
#include "tests/shell_run.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using CliRun = apollo::testing::ShellResult;

// `env` (e.g. "APOLLO_TEST_FAULT=crash:3") goes before the command; stderr discarded.
CliRun run_apollo(const std::string& args, const std::string& env = "") {
  return apollo::testing::run_shell(env + (env.empty() ? "" : " ") + std::string(APOLLO_BINARY) + " " + args);
}

// Stdout and stderr, for the messages a person reads.
CliRun run_apollo_seen(const std::string& args) {
  return apollo::testing::run_shell(std::string(APOLLO_BINARY) + " " + args, apollo::testing::Stderr::Merge);
}

json apollo_json(const std::string& args, const std::string& env = "") {
  CliRun r = run_apollo(args, env);
  EXPECT_EQ(r.code, 0) << args << "\n" << r.out;
  try {
    return json::parse(r.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "not JSON from apollo " << args << ": " << e.what() << "\n" << r.out;
    return json();
  }
}

class StudyCli : public ::testing::Test {
 protected:
  apollo::testing::ScratchDir scratch_{"apollo_study_cli"};
  fs::path dir_ = scratch_.path();
  std::string db_ = scratch_.file("s.db");
};

std::vector<std::pair<json, json>> designs_and_objectives(const json& exported) {
  std::vector<std::pair<json, json>> v;
  for (const auto& t : exported.at("trials")) v.emplace_back(t.at("design"), t.at("objective"));
  return v;
}

}  // namespace

TEST_F(StudyCli, SmallRealStudyBeatsTheBaseline) {
  // The baseline's perf/area, measured by `apollo simulate` (not by the search).
  std::string baseline = std::string(APOLLO_SOURCE_DIR) + "/configs/arch/edge_baseline.yaml";
  json base = apollo_json("simulate --arch " + baseline + " --workload mobilenet_v2 --json -");
  double base_obj = 1.0 / (base.at("latency_ms").get<double>() * base.at("area_mm2").get<double>());

  json r = apollo_json("search --workload mobilenet_v2 --area-budget 6.8 --optimizer evolution --trials 50 --jobs 2 "
                       "--seed 3 --db " + db_ + " --study real --quiet --json");
  ASSERT_FALSE(r.at("best").is_null());
  EXPECT_EQ(r.at("trials").get<int>(), 50);
  const json& best = r.at("best");
  double lat = best.at("latency_ms").at("mobilenet_v2").get<double>();
  double area = best.at("area_mm2").get<double>();
  EXPECT_LE(area, 6.8);
  EXPECT_NEAR(best.at("objective").get<double>(), 1.0 / (lat * area), 1e-9 / (lat * area));
  EXPECT_GT(best.at("objective").get<double>(), base_obj) << "baseline " << base_obj;
  // The stored baseline is the one `apollo simulate` measures.
  EXPECT_NEAR(r.at("baseline").at("objective").get<double>(), base_obj, 1e-9 * base_obj);

  // The best design, written as YAML, simulates to the stored latency and area.
  std::string yaml = (dir_ / "best.yaml").string();
  ASSERT_EQ(run_apollo("study best real --db " + db_ + " -o " + yaml).code, 0);
  json again = apollo_json("simulate --arch " + yaml + " --workload mobilenet_v2 --json -");
  EXPECT_DOUBLE_EQ(again.at("latency_ms").get<double>(), lat);
  EXPECT_NEAR(again.at("area_mm2").get<double>(), area, 1e-9);
}

TEST_F(StudyCli, KilledSearchResumesToExactlyItsBudget) {
  const int budget = 40;
  const std::string common = "search --workload mobilenet_v2 --trials 40 --jobs 2 --batch 2 --seed 11 --quiet --db ";
  // Reference: uninterrupted, in another database.
  std::string ref_db = (dir_ / "ref.db").string();
  ASSERT_EQ(run_apollo(common + ref_db + " --study s").code, 0);

  // Start the same study, SIGKILL it after a dozen stored trials.
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(APOLLO_BINARY, APOLLO_BINARY, "search", "--workload", "mobilenet_v2", "--trials", "40", "--jobs", "2",
          "--batch", "2", "--seed", "11", "--quiet", "--db", db_.c_str(), "--study", "s",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int stored = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (stored < 12 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!fs::exists(db_)) continue;
    try {
      apollo::search::StudyStore store(db_);
      if (store.find_study("s")) stored = store.trial_count("s");
    } catch (const apollo::search::StoreError&) {
      // The writer may be creating the schema; look again.
    }
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_GE(stored, 12);
  int at_kill = apollo::search::StudyStore(db_).trial_count("s");
  ASSERT_LT(at_kill, budget) << "the search finished before it could be killed";

  json r = apollo_json("search --resume --study s --jobs 2 --quiet --json --db " + db_);
  EXPECT_EQ(r.at("replayed").get<int>(), at_kill);            // nothing run twice
  EXPECT_EQ(r.at("evaluated").get<int>(), budget - at_kill);  // nothing lost
  EXPECT_EQ(r.at("trials").get<int>(), budget);

  apollo::search::StudyStore store(db_);
  auto trials = store.trials("s");
  ASSERT_EQ(static_cast<int>(trials.size()), budget);
  std::set<int> numbers;
  for (const auto& t : trials) numbers.insert(t.number);
  EXPECT_EQ(static_cast<int>(numbers.size()), budget);
  EXPECT_EQ(*numbers.rbegin(), budget - 1);

  // The resumed study is the study an uninterrupted run produces.
  json a = apollo_json("study export s --json --db " + db_);
  json b = apollo_json("study export s --json --db " + ref_db);
  EXPECT_EQ(designs_and_objectives(a), designs_and_objectives(b));

  // A finished study resumes to nothing more.
  json again = apollo_json("search --resume --study s --quiet --json --db " + db_);
  EXPECT_EQ(again.at("evaluated").get<int>(), 0);
  EXPECT_EQ(again.at("trials").get<int>(), budget);
}

TEST_F(StudyCli, CrashAndHangBecomeFailedTrials) {
  // The limit must exceed a real evaluation on a loaded machine (a few
  // seconds for small-lane designs), so the hang alone costs it.
  json r = apollo_json("search --workload mobilenet_v2 --trials 6 --jobs 2 --seed 5 --trial-timeout 6 --quiet --json "
                       "--study f --db " + db_,
                       "APOLLO_TEST_FAULT='crash@2;hang@5'");
  EXPECT_EQ(r.at("trials").get<int>(), 6);
  EXPECT_EQ(r.at("failed").get<int>(), 2);
  json e = apollo_json("study export f --json --db " + db_);
  const json& t = e.at("trials");
  EXPECT_EQ(t[2].at("status"), "failed");
  EXPECT_NE(t[2].at("reason").get<std::string>().find("SIGSEGV"), std::string::npos);
  EXPECT_EQ(t[5].at("status"), "failed");
  EXPECT_NE(t[5].at("reason").get<std::string>().find("timed out"), std::string::npos);
  json show = apollo_json("study show f --json --db " + db_);
  EXPECT_EQ(show.at("counts").at("failed").get<int>(), 2);
}

TEST_F(StudyCli, SameSeedSameStudy) {
  const std::string args = "search --workload mobilenet_v2 --trials 16 --jobs 1 --seed 9 --optimizer evolution --quiet --db " + db_;
  ASSERT_EQ(run_apollo(args + " --study a").code, 0);
  ASSERT_EQ(run_apollo(args + " --study b").code, 0);
  json a = apollo_json("study export a --json --db " + db_);
  json b = apollo_json("study export b --json --db " + db_);
  ASSERT_EQ(a.at("trials").size(), 16u);
  EXPECT_EQ(designs_and_objectives(a), designs_and_objectives(b));
}

TEST_F(StudyCli, MultiWorkloadObjectiveIsGeomeanSpeedupOverBaseline) {
  json r = apollo_json("search --workload mobilenet_v2 --workload mobilenet_v3_small --trials 8 --jobs 2 --seed 2 "
                       "--quiet --json --study m --db " + db_);
  EXPECT_EQ(r.at("objective"), "geomean_speedup");
  json e = apollo_json("study export m --json --db " + db_);
  const json& base = e.at("study").at("baseline_latency_ms");
  int checked = 0;
  for (const auto& t : e.at("trials")) {
    if (t.at("status") != "feasible") continue;
    double s1 = base.at("mobilenet_v2").get<double>() / t.at("latency_ms").at("mobilenet_v2").get<double>();
    double s2 = base.at("mobilenet_v3_small").get<double>() / t.at("latency_ms").at("mobilenet_v3_small").get<double>();
    EXPECT_NEAR(t.at("objective").get<double>(), std::sqrt(s1 * s2), 1e-9 * std::sqrt(s1 * s2));
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST_F(StudyCli, StudySubcommands) {
  ASSERT_EQ(run_apollo("search --workload mobilenet_v2 --trials 12 --jobs 2 --quiet --study x --db " + db_).code, 0);
  json list = apollo_json("study list --json --db " + db_);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].at("name"), "x");
  EXPECT_EQ(list[0].at("trials").get<int>(), 12);

  CliRun show = run_apollo("study show x --db " + db_);
  EXPECT_EQ(show.code, 0);
  EXPECT_NE(show.out.find("convergence"), std::string::npos);

  std::string csv = (dir_ / "x.csv").string();
  ASSERT_EQ(run_apollo("study export x --csv -o " + csv + " --db " + db_).code, 0);
  std::ifstream f(csv);
  std::string line;
  int lines = 0;
  std::getline(f, line);
  EXPECT_EQ(line.rfind("number,status,objective,area_mm2", 0), 0u) << line;
  while (std::getline(f, line)) ++lines;
  EXPECT_EQ(lines, 12);

  for (const char* ext : {".png", ".svg"}) {
    std::string img = (dir_ / (std::string("plot") + ext)).string();
    ASSERT_EQ(run_apollo("study plot x x -o " + img + " --db " + db_).code, 0) << ext;
    std::ifstream in(img, std::ios::binary);
    std::string head(8, '\0');
    in.read(head.data(), 8);
    if (std::string(ext) == ".png") EXPECT_EQ(head.substr(1, 3), "PNG");
    else EXPECT_NE(head.find("<?xml"), std::string::npos);
  }
}

TEST_F(StudyCli, DeleteRemovesOneStudy) {
  ASSERT_EQ(run_apollo("search --workload mobilenet_v3_small --trials 3 --jobs 1 --quiet --study a --db " + db_).code, 0);
  ASSERT_EQ(run_apollo("search --workload mobilenet_v3_small --trials 2 --jobs 1 --quiet --study b --db " + db_).code, 0);
  ASSERT_EQ(run_apollo("search --workload mobilenet_v3_small --trials 2 --jobs 1 --quiet --study c --transfer-from a --db " +
                       db_).code,
            0);
  EXPECT_EQ(run_apollo("study delete a --db " + db_).code, 2);  // c learns from a
  CliRun del = run_apollo("study delete b --db " + db_);
  EXPECT_EQ(del.code, 0);
  EXPECT_NE(del.out.find("deleted study b (2 trials)"), std::string::npos) << del.out;
  json list = apollo_json("study list --json --db " + db_);
  std::set<std::string> names;
  for (const auto& s : list) names.insert(s.at("name").get<std::string>());
  EXPECT_EQ(names, (std::set<std::string>{"a", "c"}));
  EXPECT_EQ(run_apollo("study delete b --db " + db_).code, 2);  // gone
  // The name can be used again, from scratch.
  ASSERT_EQ(run_apollo("search --workload mobilenet_v3_small --trials 1 --jobs 1 --quiet --study b --db " + db_).code, 0);
  EXPECT_EQ(apollo_json("study export b --json --db " + db_).at("trials").size(), 1u);
}

TEST_F(StudyCli, RepeatedCommandContinuesItsStudy) {
  // No --study: the default name; the identical command again continues that
  // study (more trials when asked), never a fresh one beside it.
  const std::string cmd = "search --workload mobilenet_v3_small --jobs 1 --quiet --json --db " + db_;
  json first = apollo_json(cmd + " --trials 2");
  EXPECT_EQ(first.at("study"), "mobilenet_v3_small-evolution-6.8mm2-s1");
  json again = apollo_json(cmd + " --trials 2");
  EXPECT_EQ(again.at("study"), first.at("study"));
  EXPECT_EQ(again.at("evaluated").get<int>(), 0);
  json more = apollo_json(cmd + " --trials 3");
  EXPECT_EQ(more.at("study"), first.at("study"));
  EXPECT_EQ(more.at("evaluated").get<int>(), 1);
  EXPECT_EQ(more.at("trials").get<int>(), 3);
  // --resume with the options of the original command.
  json resumed = apollo_json("search --resume --study " + first.at("study").get<std::string>() +
                             " --workload mobilenet_v3_small --optimizer evolution --area-budget 6.8 --jobs 1 --quiet "
                             "--json --db " + db_);
  EXPECT_EQ(resumed.at("evaluated").get<int>(), 0);
  // Another seed is another study.
  json other = apollo_json(cmd + " --trials 1 --seed 2");
  EXPECT_EQ(other.at("study"), "mobilenet_v3_small-evolution-6.8mm2-s2");
  // Changed options on --resume are refused, each named with both values.
  CliRun changed = run_apollo_seen("search --resume --study " + first.at("study").get<std::string>() +
                              " --optimizer random --area-budget 5 --quiet --db " + db_);
  EXPECT_EQ(changed.code, 2);
  EXPECT_NE(changed.out.find("--area-budget is 6.8 in the stored study, given 5"), std::string::npos) << changed.out;
  EXPECT_NE(changed.out.find("--optimizer is evolution in the stored study, given random"), std::string::npos)
      << changed.out;
}

TEST_F(StudyCli, BadInputExitsTwo) {
  ASSERT_EQ(run_apollo("search --workload mobilenet_v2 --trials 2 --jobs 1 --quiet --study x --db " + db_).code, 0);
  // x exists with another seed: refused, naming the option and both values.
  CliRun exists = run_apollo_seen("search --workload mobilenet_v2 --trials 2 --jobs 1 --seed 9 --quiet --study x --db " + db_);
  EXPECT_EQ(exists.code, 2);
  EXPECT_NE(exists.out.find("--seed is 1 in the stored study, given 9"), std::string::npos) << exists.out;
  EXPECT_EQ(run_apollo("search --resume --seed 9 --db " + db_).code, 2);  // no --study, no study with these options
  EXPECT_EQ(run_apollo("search --resume --study nope --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("search --resume --study x --optimizer random --db " + db_).code, 2);  // definition is stored
  EXPECT_EQ(run_apollo("search --workload no_such_net --trials 2 --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("search --workload mobilenet_v2 --optimizer nope --trials 2 --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("search --workload mobilenet_v2 --opt bogus=1 --trials 2 --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("search --workload mobilenet_v2 --opt novalue --trials 2 --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("search --bogus-option").code, 2);
  EXPECT_EQ(run_apollo("study show nope --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("study export x --db " + db_).code, 2);  // neither --csv nor --json
  EXPECT_EQ(run_apollo("study list --db " + (dir_ / "missing.db").string()).code, 2);
  EXPECT_EQ(run_apollo("study plot x -o out.pdf --db " + db_).code, 2);
  EXPECT_EQ(run_apollo("study frobnicate").code, 2);
}
