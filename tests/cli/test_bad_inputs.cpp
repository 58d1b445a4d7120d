// The bad-input corpus (tests/data/bad/cases.txt): every malformed file and
// command line goes through the real `apollo` binary, one GoogleTest case per
// manifest line. Each must exit 2 (bad input) within a time limit (no hang,
// no crash: a signal or an internal error is a failure), say what is wrong
// (the manifest's substring) and name the file it is about, and leave no
// file behind in its working directory (no partial out.yaml, no empty
// study database).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::string kBadDir = std::string(APOLLO_TEST_DATA) + "/bad";
constexpr int kTimeoutSeconds = 60;  // generous: the machine running the suite may be loaded

struct Case {
  int line = 0;
  std::vector<std::string> args;  // placeholders already replaced
  std::vector<std::string> bad_files;  // @BAD@ arguments: their names must appear in the message
  std::string expected;
};

// For gtest's messages: the manifest line, not the struct's bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << "cases.txt:" << c.line; }

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<Case> load_cases() {
  std::vector<Case> cases;
  std::ifstream in(kBadDir + "/cases.txt");
  const std::string repo = fs::path(APOLLO_TEST_DATA).parent_path().parent_path().string();
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    const std::string t = trim(text);
    if (t.empty() || t[0] == '#') continue;
    Case c;
    c.line = line;
    const auto bar = t.rfind('|');
    c.expected = bar == std::string::npos ? "" : trim(t.substr(bar + 1));
    std::istringstream words(t.substr(0, bar));
    for (std::string w; words >> w;) {
      if (w.find("@BAD@") != std::string::npos) c.bad_files.push_back(fs::path(w).filename().string());
      w = replace_all(w, "@BAD@", kBadDir);
      w = replace_all(w, "@DATA@", APOLLO_TEST_DATA);
      w = replace_all(w, "@CONFIGS@", repo + "/configs");
      c.args.push_back(w);
    }
    cases.push_back(c);
  }
  return cases;
}

std::string shell_quote(const std::string& s) { return "'" + replace_all(s, "'", "'\\''") + "'"; }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class BadInput : public ::testing::TestWithParam<Case> {};

TEST_P(BadInput, ExitsTwoWithAMessageAndNoOutput) {
  const Case& c = GetParam();
  // A fresh empty working directory: every relative output path lands here.
  const fs::path work = fs::temp_directory_path() /
                        ("apollo_bad_" + std::to_string(::getpid()) + "_" + std::to_string(c.line));
  fs::remove_all(work);
  fs::create_directories(work);
  const fs::path log_dir = work.string() + ".log";
  fs::create_directories(log_dir);

  std::string cmd = "cd " + shell_quote(work.string()) + " && timeout -s KILL " + std::to_string(kTimeoutSeconds) +
                    " " + shell_quote(APOLLO_BINARY);
  for (const auto& a : c.args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote((log_dir / "out").string()) + " 2>" + shell_quote((log_dir / "err").string()) +
         " </dev/null";
  const int status = std::system(cmd.c_str());
  const std::string err = read_file(log_dir / "err");
  std::string context = "cases.txt:" + std::to_string(c.line) + "\nstderr: " + err;

  ASSERT_TRUE(WIFEXITED(status)) << context;
  const int code = WEXITSTATUS(status);
  ASSERT_NE(code, 137) << "killed after " << kTimeoutSeconds << " s (hang)\n" << context;
  EXPECT_EQ(code, 2) << context;
  EXPECT_NE(err.find(c.expected), std::string::npos) << "expected '" << c.expected << "'\n" << context;
  for (const auto& f : c.bad_files) {
    EXPECT_NE(err.find(f), std::string::npos) << "the message does not name " << f << "\n" << context;
  }
  EXPECT_EQ(err.find("internal error"), std::string::npos) << context;
  EXPECT_EQ(err.find("Sanitizer"), std::string::npos) << context;
  // Errors go to stderr only, and nothing may be written.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(work)) left.push_back(e.path().filename().string());
  EXPECT_TRUE(left.empty()) << "left behind: " << ::testing::PrintToString(left) << "\n" << context;

  fs::remove_all(work);
  fs::remove_all(log_dir);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  // "line12_workloads_import_truncated_onnx": the manifest line, then the
  // words that tell cases apart, reduced to the characters gtest allows.
  std::string name = "line" + std::to_string(info.param.line);
  for (const auto& a : info.param.args) {
    std::string w = fs::path(a).filename().string();
    std::string clean;
    for (char ch : w) clean += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    name += "_" + clean;
    if (name.size() > 80) break;
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(load_cases()), case_name);

// The manifest itself: present, not empty, every case has an expectation and
// every @BAD@ file exists (a typo must not turn into a "missing file" pass).
TEST(BadInputManifest, EveryCaseIsWellFormed) {
  const auto cases = load_cases();
  ASSERT_GE(cases.size(), 50u);
  for (const auto& c : cases) {
    EXPECT_FALSE(c.expected.empty()) << "cases.txt:" << c.line << " has no expected message";
    for (const auto& a : c.args) {
      if (a.rfind(kBadDir, 0) == 0) {
        EXPECT_TRUE(fs::exists(a)) << "cases.txt:" << c.line << ": " << a;
      }
    }
  }
}

}  // namespace
