// Micro-benchmarks of one evaluation and its pieces (Google Benchmark):
//   apollo_microbench [--benchmark_filter=Compile] [--benchmark_repetitions=5]
// The zoo build, the compiler and the area model are plain C++ and repeat in
// one process. The simulator elaborates SystemC, which a process can do only
// once, so ForkedEvaluation times a whole evaluation in a fresh child per
// iteration through search::ProcessPool, exactly as the search runs it
// (`apollo bench` reports the same figure with medians and targets).
#include <benchmark/benchmark.h>

#include <string>

#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/compiler.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "workloads/zoo.hpp"

namespace {

using namespace apollo;

models::ArchConfig baseline_with_pes(int64_t n) {
  models::ArchConfig arch =
      models::load_arch(models::baseline_arch_path(), models::load_template_constants(models::template_constants_path()));
  if (n > 0) {
    arch.pe_x = n;
    arch.pe_y = n;
  }
  return arch;
}

void BM_ZooBuild(benchmark::State& state, const std::string& name) {
  for (auto _ : state) benchmark::DoNotOptimize(workloads::zoo_network(name));
}

void BM_Compile(benchmark::State& state, const std::string& name) {
  const workloads::Network net = workloads::zoo_network(name);
  const models::ArchConfig arch = baseline_with_pes(state.range(0));
  for (auto _ : state) {
    models::CompileResult c = models::compile(net, arch);
    benchmark::DoNotOptimize(c);
  }
}

void BM_Area(benchmark::State& state) {
  const models::ArchConfig arch = baseline_with_pes(0);
  const models::Technology tech = models::load_technology(models::default_technology_path());
  for (auto _ : state) benchmark::DoNotOptimize(models::area(arch, tech));
}

// fork + elaborate + compile + simulate + area + result over the pipe.
void BM_ForkedEvaluation(benchmark::State& state, const std::string& name) {
  search::StudyDefinition def;
  def.workloads = {name};
  search::EvaluationContext ctx = search::make_evaluation_context(def);
  ctx.area_budget_mm2 = 0;
  const models::ArchConfig arch = baseline_with_pes(state.range(0));
  search::ProcessPool pool({1, 300, 0}, [&](const nlohmann::json&) { return search::evaluate_arch(ctx, arch).to_json(); });
  const std::vector<search::EvalTask> task{{0, nlohmann::json::object()}};
  for (auto _ : state) {
    bool ok = false;
    pool.run(task, [&](const search::EvalOutcome& o) { ok = o.ok; });
    if (!ok) {
      state.SkipWithError("evaluation failed");
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& name : workloads::quick_zoo_names()) {
    benchmark::RegisterBenchmark(("ZooBuild/" + name).c_str(), BM_ZooBuild, name)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("Compile/" + name).c_str(), BM_Compile, name)->Arg(4)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("ForkedEvaluation/" + name).c_str(), BM_ForkedEvaluation, name)
        ->Arg(4)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  // Growth with the PE array, mobilenet_v2, edge_baseline otherwise.
  benchmark::RegisterBenchmark("Compile/mobilenet_v2/pes", BM_Compile, std::string("mobilenet_v2"))
      ->Arg(1)->Arg(8)->Arg(16)->Arg(32)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("ForkedEvaluation/mobilenet_v2/pes", BM_ForkedEvaluation, std::string("mobilenet_v2"))
      ->Arg(1)->Arg(8)->Arg(16)->Arg(32)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("Area/edge_baseline", BM_Area)->Unit(benchmark::kNanosecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
