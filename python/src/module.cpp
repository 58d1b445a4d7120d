// The Python module apollo._apollo: bindings over the C++ library, with no
// model logic of their own. Values cross as Python objects (dicts, lists,
// numpy arrays); Apollo's C++ objects (network, architecture, program,
// study) are wrapped. Bad input raises a ValueError subclass naming the file
// and key (the C++ message); nothing here aborts or exits the interpreter.
// Evaluations that may crash (evaluate, Study.tell, Study.run) run in forked
// workers, as the search's trials do.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "models/arch_io.hpp"
#include "models/area.hpp"
#include "models/energy.hpp"
#include "models/compiler.hpp"
#include "models/space.hpp"
#include "models/subspace.hpp"
#include "search/evaluation.hpp"
#include "search/evaluator.hpp"
#include "search/objective.hpp"
#include "search/optimizer.hpp"
#include "search/request.hpp"
#include "search/store.hpp"
#include "search/study.hpp"
#include "sim/result_json.hpp"
#include "sim/simulate.hpp"
#include "workloads/graph.hpp"
#include "workloads/import.hpp"
#include "workloads/yaml_io.hpp"
#include "workloads/zoo.hpp"

namespace py = pybind11;
using nlohmann::json;

namespace apollo::python {

namespace {

// ---- JSON <-> Python ---------------------------------------------------------

py::object to_py(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return py::none();
    case json::value_t::boolean: return py::bool_(j.get<bool>());
    case json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case json::value_t::number_float: return py::float_(j.get<double>());
    case json::value_t::string: return py::str(j.get<std::string>());
    case json::value_t::array: {
      py::list l;
      for (const auto& e : j) l.append(to_py(e));
      return l;
    }
    case json::value_t::object: {
      py::dict d;
      for (const auto& [k, v] : j.items()) d[py::str(k)] = to_py(v);
      return d;
    }
    default: return py::none();
  }
}

json to_json(const py::handle& o) {
  if (o.is_none()) return nullptr;
  if (py::isinstance<py::bool_>(o)) return o.cast<bool>();
  if (py::isinstance<py::int_>(o)) return o.cast<int64_t>();
  if (py::isinstance<py::float_>(o)) return o.cast<double>();
  if (py::isinstance<py::str>(o)) return o.cast<std::string>();
  if (py::isinstance<py::dict>(o)) {
    json j = json::object();
    for (const auto& [k, v] : o.cast<py::dict>()) j[py::str(k).cast<std::string>()] = to_json(v);
    return j;
  }
  if (py::isinstance<py::sequence>(o)) {
    json j = json::array();
    for (const auto& e : o.cast<py::sequence>()) j.push_back(to_json(e));
    return j;
  }
  // numpy scalars and anything else with __float__ / __int__.
  if (py::hasattr(o, "__index__")) return o.attr("__index__")().cast<int64_t>();
  if (py::hasattr(o, "__float__")) return o.attr("__float__")().cast<double>();
  throw py::type_error("cannot convert " + py::str(py::type::of(o)).cast<std::string>() + " to a JSON value");
}

// ---- errors ------------------------------------------------------------------

// Created in PYBIND11_MODULE; raised by the translator and by compile().
struct InfeasibleTag {};
struct EvaluationTag {};
PyObject* g_infeasible_error = nullptr;
PyObject* g_evaluation_error = nullptr;

// Messages may quote bytes of a malformed file: undecodable ones are replaced.
void set_error(PyObject* type, const char* what) {
  py::object text = py::reinterpret_steal<py::object>(
      PyUnicode_DecodeUTF8(what, static_cast<Py_ssize_t>(std::strlen(what)), "replace"));
  PyErr_SetObject(type, text.ptr());
}

[[noreturn]] void raise_infeasible(const models::Infeasible& why) {
  py::object exc = py::reinterpret_borrow<py::object>(g_infeasible_error)(why.message);
  exc.attr("layer") = why.layer;
  exc.attr("memory") = why.memory;
  exc.attr("needed") = why.needed;
  exc.attr("available") = why.available;
  PyErr_SetObject(g_infeasible_error, exc.ptr());
  throw py::error_already_set();
}

[[noreturn]] void raise_evaluation_error(const std::string& failure) {
  set_error(g_evaluation_error, failure.c_str());
  throw py::error_already_set();
}

// ---- names -------------------------------------------------------------------


const char* partition_name(models::PartitionKind p) {
  switch (p) {
    case models::PartitionKind::OutputChannels: return "output_channels";
    case models::PartitionKind::SpatialRows: return "spatial_rows";
    case models::PartitionKind::SpatialCols: return "spatial_cols";
    case models::PartitionKind::InputChannels: return "input_channels";
    case models::PartitionKind::Elementwise: return "elementwise";
    case models::PartitionKind::None: return "none";
  }
  return "?";
}

// ---- workloads -----------------------------------------------------------------

struct Workload {
  workloads::Network net;
};

py::dict shape_dict(const workloads::Shape& s) {
  py::dict d;
  d["n"] = s.n;
  d["h"] = s.h;
  d["w"] = s.w;
  d["c"] = s.c;
  return d;
}

py::list layer_table(const workloads::Network& net) {
  py::list rows;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    const auto& l = net.layers[i];
    py::list inputs;
    for (workloads::TensorRef r : l.inputs) {
      inputs.append(workloads::is_graph_input(r)
                        ? net.inputs[static_cast<size_t>(workloads::graph_input_number(r))].name
                        : net.layers[static_cast<size_t>(r)].name);
    }
    py::dict d;
    d["index"] = i;
    d["name"] = l.name;
    d["op"] = workloads::to_string(l.op);
    d["inputs"] = inputs;
    d["output"] = workloads::to_string(l.output);
    d["output_shape"] = shape_dict(l.output);
    d["activation"] = workloads::to_string(l.activation);
    d["macs"] = l.macs();
    d["weights"] = l.weights();
    d["vector_ops"] = l.vector_ops();
    d["input_elements"] = l.input_elements();
    d["output_elements"] = l.output_elements();
    rows.append(d);
  }
  return rows;
}

// ---- architectures -------------------------------------------------------------

// A dict -> YAML text -> parse_arch: the file format's own checks (all ten
// parameters, unknown keys, positive values) apply to dicts too.
models::ArchConfig arch_from_dict(const py::dict& d, const std::string& source) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& [k, v] : d) {
    const std::string key = py::str(k).cast<std::string>();
    if (key == "constants") {
      if (!py::isinstance<py::dict>(v)) throw models::ConfigError(source + ": 'constants' must be a dict");
      out << YAML::Key << key << YAML::Value << YAML::BeginMap;
      for (const auto& [ck, cv] : v.cast<py::dict>()) {
        out << YAML::Key << py::str(ck).cast<std::string>() << YAML::Value << to_json(cv).dump();
      }
      out << YAML::EndMap;
    } else {
      out << YAML::Key << key << YAML::Value << to_json(v).dump();
    }
  }
  out << YAML::EndMap;
  return models::parse_arch(std::string(out.c_str()) + "\n", source);
}

py::dict arch_to_dict(const models::ArchConfig& a, bool with_constants) {
  py::dict d;
  for (const auto& f : models::arch_parameters()) {
    const double v = f.get(a);
    if (f.integral) d[f.name] = static_cast<int64_t>(v);
    else d[f.name] = v;
  }
  if (with_constants) {
    py::dict c;
    for (const auto& f : models::template_constant_fields()) {
      const double v = f.get(a.constants);
      if (f.boolean) c[f.name] = v != 0;
      else if (f.integral) c[f.name] = static_cast<int64_t>(v);
      else c[f.name] = v;
    }
    d["constants"] = c;
  }
  return d;
}

// An architecture given as an Arch or as full-space indices.
models::ArchConfig as_arch(const py::handle& design) {
  if (py::isinstance<models::ArchConfig>(design)) return design.cast<models::ArchConfig>();
  if (py::isinstance<py::dict>(design)) return arch_from_dict(design.cast<py::dict>(), "<dict>");
  return models::decode(design.cast<std::vector<int>>(),
                        models::load_template_constants(models::template_constants_path()));
}

models::Technology tech_of(const std::optional<std::string>& path) {
  return models::load_technology(path ? *path : models::default_technology_path());
}

py::dict area_dict(const models::AreaBreakdown& a) {
  py::list items;
  for (const auto& it : a.items) {
    py::dict d;
    d["component"] = it.component;
    d["count"] = it.count;
    d["mm2"] = it.mm2;
    items.append(d);
  }
  py::dict d;
  d["total_mm2"] = a.total_mm2;
  d["items"] = items;
  return d;
}

// ---- programs and simulation ------------------------------------------------------

struct Program {
  models::Program program;
  workloads::Network net;
};

py::dict program_layer(const models::LayerProgram& l) {
  py::dict d;
  d["index"] = l.layer_index;
  d["name"] = l.layer_name;
  d["partition"] = partition_name(l.partition);
  d["partition_detail"] = l.partition_detail;
  d["double_buffered"] = l.double_buffered;
  d["weights_resident"] = l.weights_resident;
  d["weights_in_dram"] = l.weights_in_dram;
  d["input_in_dram"] = l.input_in_dram;
  d["output_in_dram"] = l.output_in_dram;
  d["instruction_reload_bytes"] = l.instruction_reload_bytes;
  d["input_preload_bytes"] = l.input_preload_bytes;
  d["instructions"] = l.instructions;
  d["ops"] = l.ops;
  d["work_classes"] = l.work_classes.size();
  d["active_pes"] = std::count_if(l.pe_class.begin(), l.pe_class.end(), [](int c) { return c >= 0; });
  py::dict bound;
  bound["cycles"] = l.bound.cycles();
  bound["compute"] = l.bound.compute_cycles;
  bound["link"] = l.bound.link_cycles;
  bound["network"] = l.bound.network_cycles;
  bound["limiter"] = models::to_string(l.bound.limiter());
  d["bound"] = bound;
  const auto traffic = l.traffic();
  d["network_bytes"] = traffic.network;
  d["link_bytes"] = traffic.link;
  return d;
}

struct SimResult {
  sim::SimResult r;
  models::Program program;
  models::ActionCosts costs;  // energy per action on this design (models/energy.hpp)
  double area_mm2 = 0;
  std::string workload;
};

// Per-layer statistics, under the keys of `apollo simulate --json` (its
// one writer, sim/result_json.hpp).
py::object sim_layers(const SimResult& s) { return to_py(sim::result_json(s.r, s.program)["layers"]); }

template <typename T>
py::array_t<T> array_2d(const std::vector<T>& v, int64_t rows, int64_t cols) {
  py::array_t<T> a({rows, cols});
  std::copy(v.begin(), v.end(), a.mutable_data());
  return a;
}

// ---- evaluation ----------------------------------------------------------------------

// One forked evaluation with a time limit (the search's ProcessPool); the
// measurement as JSON, or the failure (crash, time-out) as EvaluationError.
json evaluate_forked(const search::EvaluationContext& ctx, const models::ArchConfig& arch, double timeout_s) {
  search::ProcessPool pool({1, timeout_s, 0}, [&](const json&) { return search::evaluate_arch(ctx, arch).to_json(); });
  search::EvalOutcome outcome;
  {
    py::gil_scoped_release release;
    pool.run({search::EvalTask{0, json::object()}}, [&](const search::EvalOutcome& o) { outcome = o; });
  }
  if (!outcome.ok) raise_evaluation_error("evaluation failed: " + outcome.failure);
  json m = outcome.result;
  m["eval_seconds"] = outcome.wall_seconds;
  return m;
}

py::dict measurement_dict(const json& m, const search::StudyDefinition* def) {
  py::dict d = to_py(m).cast<py::dict>();
  if (def && m.at("status") == "feasible") {
    const search::Measurement meas = search::Measurement::from_json(m);
    if (def->workloads.size() == 1 || !def->baseline_latency_ms.empty()) {
      d["objective"] = search::Objective::of(*def)(meas);
    }
  }
  return d;
}

// ---- studies ----------------------------------------------------------------------------

py::dict trial_dict(const search::TrialRecord& t) {
  py::dict d;
  d["number"] = t.number;
  d["design"] = t.design;
  d["values"] = to_py(t.values);
  d["status"] = search::to_string(t.status);
  d["reason"] = t.reason;
  d["latency_ms"] = t.latency_ms;
  d["energy_uj"] = t.energy_uj;
  d["area_mm2"] = t.area_mm2;
  d["objective"] = t.status == search::TrialStatus::Feasible ? py::object(py::float_(t.objective)) : py::none();
  d["eval_seconds"] = t.eval_seconds;
  d["worker"] = t.worker;
  d["started_at"] = t.started_at;
  d["finished_at"] = t.finished_at;
  return d;
}

// The trials as columns: numbers, designs (trials x parameters), objective
// (NaN when not feasible), area, summed latency, status names.
py::dict trial_arrays(const std::vector<search::TrialRecord>& trials) {
  const auto n = static_cast<py::ssize_t>(trials.size());
  const auto k = static_cast<py::ssize_t>(models::cardinalities().size());
  py::array_t<int64_t> number(n), design({n, k});
  py::array_t<double> objective(n), area(n), latency(n), seconds(n);
  py::list status;
  auto dsg = design.mutable_unchecked<2>();
  for (py::ssize_t i = 0; i < n; ++i) {
    const auto& t = trials[static_cast<size_t>(i)];
    number.mutable_at(i) = t.number;
    for (py::ssize_t j = 0; j < k; ++j) dsg(i, j) = j < static_cast<py::ssize_t>(t.design.size()) ? t.design[static_cast<size_t>(j)] : -1;
    const bool ok = t.status == search::TrialStatus::Feasible;
    objective.mutable_at(i) = ok ? t.objective : std::numeric_limits<double>::quiet_NaN();
    area.mutable_at(i) = t.area_mm2 > 0 ? t.area_mm2 : std::numeric_limits<double>::quiet_NaN();
    double lat = 0;
    for (const auto& [w, ms] : t.latency_ms) lat += ms;
    latency.mutable_at(i) = t.latency_ms.empty() ? std::numeric_limits<double>::quiet_NaN() : lat;
    seconds.mutable_at(i) = t.eval_seconds;
    status.append(search::to_string(t.status));
  }
  std::vector<std::optional<double>> best = search::best_so_far(trials);
  py::array_t<double> best_arr(n);
  for (py::ssize_t i = 0; i < n; ++i) {
    best_arr.mutable_at(i) = best[static_cast<size_t>(i)] ? *best[static_cast<size_t>(i)] : std::numeric_limits<double>::quiet_NaN();
  }
  py::dict d;
  d["number"] = number;
  d["design"] = design;
  d["objective"] = objective;
  d["best_so_far"] = best_arr;
  d["area_mm2"] = area;
  d["latency_ms"] = latency;
  d["eval_seconds"] = seconds;
  d["status"] = py::module_::import("numpy").attr("array")(status);
  return d;
}

class Store {
 public:
  explicit Store(const std::string& path) : store_(std::make_shared<search::StudyStore>(path)) {}
  std::shared_ptr<search::StudyStore> store_;
};

// A study in the store, driven from Python: ask(design) reserves the next
// trial number for a design (any optimizer's), tell(trial) evaluates it in
// a forked worker with the study's time limit (or stores a measurement
// made elsewhere) and commits it; run() lets the study's own Apollo
// optimizer search. Re-opening the study by name resumes: numbering goes on
// after the stored trials, which the caller may replay into its optimizer.
class Study {
 public:
  Study(std::shared_ptr<search::StudyStore> store, search::StudyDefinition def)
      : store_(std::move(store)), def_(std::move(def)) {
    for (const auto& t : store_->trials(def_.name)) next_ = std::max(next_, t.number + 1);
  }

  const search::StudyDefinition& def() const { return def_; }
  search::StudyStore& store() { return *store_; }

  const search::EvaluationContext& ctx() {
    if (!ctx_) ctx_ = std::make_shared<search::EvaluationContext>(search::make_evaluation_context(def_));
    return *ctx_;
  }

  py::dict ask(const py::handle& design) {
    const int stored = store_->trial_count(def_.name);
    if (stored + static_cast<int>(pending_.size()) >= def_.trials) {
      throw std::invalid_argument("study " + def_.name + ": its budget of " + std::to_string(def_.trials) +
                                  " trials is used (" + std::to_string(stored) + " stored, " +
                                  std::to_string(pending_.size()) + " asked); raise it with set_budget()");
    }
    const models::ArchConfig arch = as_arch(design);
    search::Design full = models::encode(arch);
    if (def_.space && !def_.space->contains(full)) {
      throw models::ConfigError("study " + def_.name + ": the design lies outside the study's sub-space " +
                                def_.space->source());
    }
    const int number = next_++;
    pending_[number] = full;
    py::dict t;
    t["number"] = number;
    t["design"] = full;
    t["values"] = to_py(search::design_values(arch));
    return t;
  }

  // Evaluates (or records) asked trials and stores them; a crash or a
  // time-out is stored as a failed trial, as in a search.
  py::list tell(const std::vector<py::dict>& trials, const std::optional<std::vector<py::dict>>& measurements,
                int jobs) {
    std::vector<int> numbers;
    for (const auto& t : trials) {
      const int number = t["number"].cast<int>();
      if (!pending_.count(number)) {
        throw std::invalid_argument("study " + def_.name + ": trial " + std::to_string(number) +
                                    " was not asked (or was already told)");
      }
      numbers.push_back(number);
    }
    if (measurements && measurements->size() != trials.size()) {
      throw std::invalid_argument("tell: " + std::to_string(trials.size()) + " trials but " +
                                  std::to_string(measurements->size()) + " measurements");
    }
    const search::Objective objective = search::Objective::of(def_);  // the study's own (--objective)
    std::map<int, search::TrialRecord> done;
    auto record = [&](int number, const search::EvalOutcome& out) {
      search::TrialRecord t;
      t.number = number;
      t.design = pending_.at(number);
      t.values = search::design_values(models::decode(t.design, ctx().constants));
      t.eval_seconds = out.wall_seconds;
      t.worker = out.worker;
      t.started_at = out.started_at;
      t.finished_at = out.finished_at;
      if (!out.ok) {
        t.status = search::TrialStatus::Failed;
        t.reason = out.failure;
      } else {
        const search::Measurement m = search::Measurement::from_json(out.result);
        t.status = m.status;
        t.reason = m.reason;
        t.area_mm2 = m.area_mm2;
        t.latency_ms = m.latency_ms;
        t.energy_uj = m.energy_uj;
        if (m.status == search::TrialStatus::Feasible) t.objective = objective(m);
      }
      store_->add_trial(def_.name, t);
      pending_.erase(number);
      done[number] = t;
    };
    if (measurements) {
      for (size_t i = 0; i < trials.size(); ++i) {
        search::EvalOutcome out;
        out.ok = true;
        out.result = search::Measurement::from_json(to_json((*measurements)[i])).to_json();
        out.started_at = out.finished_at = search::utc_timestamp();
        record(numbers[i], out);
      }
    } else {
      const search::EvaluationContext& c = ctx();
      std::vector<search::EvalTask> tasks;
      for (int number : numbers) tasks.push_back({number, json{{"design", pending_.at(number)}}});
      search::ProcessPool pool({std::max(1, jobs), def_.trial_timeout_s, 0}, [&c](const json& payload) {
        return search::evaluate_arch(c, models::decode(payload.at("design").get<search::Design>(), c.constants)).to_json();
      });
      std::vector<search::EvalOutcome> outcomes;
      {
        py::gil_scoped_release release;
        pool.run(tasks, [&](const search::EvalOutcome& o) { outcomes.push_back(o); });
      }
      for (const auto& o : outcomes) record(o.id, o);
    }
    py::list out;
    for (int number : numbers) out.append(trial_dict(done.at(number)));
    return out;
  }

  void set_budget(int trials) {
    const int stored = store_->trial_count(def_.name);
    if (trials < stored) {
      throw std::invalid_argument("study " + def_.name + ": budget " + std::to_string(trials) + " is below the " +
                                  std::to_string(stored) + " trials stored");
    }
    def_.trials = trials;
    store_->update_study(def_);
  }

  py::dict run(int jobs) {
    if (!pending_.empty()) throw std::invalid_argument("study " + def_.name + ": tell the asked trials before run()");
    if (auto owner = store_->claim_study(def_.name)) {
      throw search::StoreError("study '" + def_.name + "' is being run by " + *owner);
    }
    search::StudyRunReport report;
    try {
      auto ctx_ptr = std::make_shared<search::EvaluationContext>(ctx());
      search::StudyRunOptions options;
      options.jobs = std::max(1, jobs);
      // Ctrl-C stops the study after the next stored trial, as a killed
      // `apollo search` would (running evaluations are dropped; resume
      // picks them up); the KeyboardInterrupt is raised once it returns.
      options.on_progress = [](const search::StudyProgress&) {
        py::gil_scoped_acquire acquire;
        return PyErr_CheckSignals() == 0;
      };
      std::optional<search::LookupTable> lookup;
      if (!def_.lookup.empty()) {
        lookup = search::LookupTable::load(*store_, def_);
        options.run_tasks = lookup->runner();
      }
      py::gil_scoped_release release;
      report = search::run_study(*store_, def_, search::make_study_environment(ctx_ptr), options);
    } catch (...) {
      store_->release_study(def_.name);
      throw;
    }
    store_->release_study(def_.name);
    for (const auto& t : store_->trials(def_.name)) next_ = std::max(next_, t.number + 1);
    if (PyErr_Occurred()) throw py::error_already_set();
    py::dict d;
    d["replayed"] = report.replayed;
    d["evaluated"] = report.evaluated;
    d["diverged"] = report.diverged;
    return d;
  }

  std::vector<search::TrialRecord> trials() { return store_->trials(def_.name); }

 private:
  std::shared_ptr<search::StudyStore> store_;
  search::StudyDefinition def_;
  std::shared_ptr<search::EvaluationContext> ctx_;
  int next_ = 0;
  std::map<int, search::Design> pending_;
};

std::string absolute_if_file(const std::string& s) {
  return std::filesystem::is_regular_file(s) ? std::filesystem::absolute(s).string() : s;
}

}  // namespace

}  // namespace apollo::python

using namespace apollo;
using namespace apollo::python;

PYBIND11_MODULE(_apollo, m) {
  m.doc() = "Apollo: design-space exploration for edge AI accelerators (C++ library bindings)";
  m.attr("__version__") = APOLLO_VERSION;

  // ---- errors ----
  static py::exception<models::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<workloads::WorkloadError> workload_error(m, "WorkloadError", PyExc_ValueError);
  static py::exception<search::StoreError> store_error(m, "StoreError", PyExc_ValueError);
  static py::exception<InfeasibleTag> infeasible(m, "InfeasibleError", PyExc_ValueError);
  static py::exception<EvaluationTag> evaluation(m, "EvaluationError", PyExc_RuntimeError);
  g_infeasible_error = infeasible.ptr();
  g_evaluation_error = evaluation.ptr();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const models::ConfigError& e) {
      set_error(config_error.ptr(), e.what());
    } catch (const workloads::WorkloadError& e) {
      set_error(workload_error.ptr(), e.what());
    } catch (const search::StoreError& e) {
      set_error(store_error.ptr(), e.what());
    } catch (const YAML::Exception& e) {
      set_error(config_error.ptr(), e.what());
    } catch (const json::exception& e) {
      set_error(PyExc_ValueError, e.what());
    } catch (const std::invalid_argument& e) {
      set_error(PyExc_ValueError, e.what());
    }
  });

  m.def("data_dir", &models::data_dir, "Folder holding configs/ (<prefix>/share/apollo when installed).");

  // ---- workloads ----
  py::class_<Workload>(m, "Workload", "A layer graph with inferred shapes (zoo network, YAML, ONNX or SCALE-Sim).")
      .def_property_readonly("name", [](const Workload& w) { return w.net.name; })
      .def_property_readonly("description", [](const Workload& w) { return w.net.description; })
      .def_property_readonly("inputs", [](const Workload& w) {
        py::list l;
        for (const auto& in : w.net.inputs) {
          py::dict d;
          d["name"] = in.name;
          d["shape"] = shape_dict(in.shape);
          l.append(d);
        }
        return l;
      }, "The graph inputs: [{'name', 'shape'}].")
      .def_property_readonly("num_layers", [](const Workload& w) { return w.net.layers.size(); })
      .def_property_readonly("macs", [](const Workload& w) { return w.net.total_macs(); })
      .def_property_readonly("weights", [](const Workload& w) { return w.net.total_weights(); })
      .def_property_readonly("vector_ops", [](const Workload& w) { return w.net.total_vector_ops(); })
      .def("layers", [](const Workload& w) { return layer_table(w.net); }, "Per-layer table, a list of dicts.")
      .def("to_yaml", [](const Workload& w) { return workloads::network_to_yaml(w.net); })
      .def("save", [](const Workload& w, const std::string& path) { workloads::save_network_yaml(w.net, path); },
           py::arg("path"), "Writes Apollo's YAML workload format.")
      .def("__len__", [](const Workload& w) { return w.net.layers.size(); })
      .def("__repr__", [](const Workload& w) {
        return "<apollo.Workload " + w.net.name + ": " + std::to_string(w.net.layers.size()) + " layers>";
      });
  m.def("zoo_names", &workloads::zoo_names, "Names of the built-in networks.");
  m.def("load_workload", [](const std::string& s) { return Workload{workloads::load_workload(s)}; },
        py::arg("name_or_path"), "A zoo name or a .yaml/.onnx/.csv (SCALE-Sim) file.");
  m.def("workload_from_yaml", [](const std::string& text, const std::string& source) {
        return Workload{workloads::network_from_yaml(text, source)}; },
        py::arg("text"), py::arg("source") = "<string>");
  m.def("import_workload",
        [](const std::string& path, const std::map<std::string, std::vector<int64_t>>& input_shapes,
           const std::string& name, bool strict) {
          workloads::ImportOptions o;
          o.input_shapes = input_shapes;
          o.name = name;
          o.strict = strict;
          workloads::ImportResult r = workloads::import_file(path, o);
          py::dict report;
          report["mapped"] = r.report.mapped;
          report["folded"] = r.report.folded;
          report["skipped"] = r.report.skipped;
          report["unmapped"] = r.report.unmapped;
          report["inlined"] = r.report.inlined;
          report["notes"] = r.report.notes;
          report["warnings"] = r.report.warnings;
          report["summary"] = workloads::summarize(r.report);
          return py::make_tuple(Workload{std::move(r.network)}, report);
        },
        py::arg("path"), py::arg("input_shapes") = std::map<std::string, std::vector<int64_t>>{},
        py::arg("name") = "", py::arg("strict") = false,
        "ONNX or SCALE-Sim import with its report: (Workload, dict).");

  // ---- architectures ----
  py::class_<models::ArchConfig>(m, "Arch", "An architecture: the ten searched parameters and the template constants.")
      .def_static("from_dict", [](const py::dict& d) { return arch_from_dict(d, "<dict>"); }, py::arg("d"),
                  "All ten parameters required; optional 'constants' dict; unknown keys are errors.")
      .def("to_dict", [](const models::ArchConfig& a, bool constants) { return arch_to_dict(a, constants); },
           py::arg("constants") = false)
      .def("to_yaml", [](const models::ArchConfig& a) { return models::to_yaml(a); })
      .def("save", [](const models::ArchConfig& a, const std::string& path) { models::save_arch(a, path); }, py::arg("path"))
      .def("validate", [](const models::ArchConfig& a) { models::validate(a, "<arch>"); })
      .def("replace", [](const models::ArchConfig& a, const py::kwargs& changes) {
             py::dict d = arch_to_dict(a, true);
             for (const auto& [k, v] : changes) d[k] = v;
             return arch_from_dict(d, "<replace>");
           }, "A copy with some parameters changed (validated).")
      .def_property_readonly("num_pes", &models::ArchConfig::num_pes)
      .def_property_readonly("total_cores", &models::ArchConfig::total_cores)
      .def_property_readonly("peak_macs_per_cycle", &models::ArchConfig::peak_macs_per_cycle)
      .def("__getattr__", [](const models::ArchConfig& a, const std::string& name) -> py::object {
             py::dict d = arch_to_dict(a, true);
             if (d.contains(name)) return d[py::str(name)];
             py::dict c = d["constants"];
             if (c.contains(name)) return c[py::str(name)];
             throw py::attribute_error("Arch has no attribute '" + name + "'");
           })
      .def("__eq__", [](const models::ArchConfig& a, const models::ArchConfig& b) { return models::to_yaml(a) == models::to_yaml(b); },
           py::is_operator())
      .def("__repr__", [](const models::ArchConfig& a) {
        return "<apollo.Arch " + py::str(arch_to_dict(a, false)).cast<std::string>() + ">";
      });
  m.def("load_arch", [](const std::string& path) { return models::load_arch(path); }, py::arg("path"));
  m.def("parse_arch", [](const std::string& text, const std::string& source) { return models::parse_arch(text, source); },
        py::arg("text"), py::arg("source") = "<string>");
  m.def("baseline_arch", &models::load_baseline_arch, "The edge_baseline preset (configs/arch/edge_baseline.yaml).");

  // ---- design space ----
  m.def("space_parameters", []() {
    py::list out;
    for (const auto& p : models::space_parameters()) {
      py::dict d;
      d["name"] = p.name;
      d["unit"] = p.unit;
      d["values"] = p.values;
      out.append(d);
    }
    return out;
  });
  m.def("space_size", &models::space_size);
  m.def("cardinalities", &models::cardinalities);
  m.def("encode", [](const models::ArchConfig& a) { return models::encode(a); }, py::arg("arch"));
  m.def("decode", [](const std::vector<int>& d) {
          return models::decode(d, models::load_template_constants(models::template_constants_path())); },
        py::arg("design"), "Full-space indices -> Arch (template constants of configs/tech/template.yaml).");
  m.def("sample", [](int count, uint64_t seed) {
          if (count < 0) throw std::invalid_argument("sample: count must be >= 0");
          std::mt19937_64 rng(seed);
          std::vector<models::DesignIndices> out;
          for (int i = 0; i < count; ++i) out.push_back(models::sample_uniform(rng));
          return out;
        }, py::arg("count"), py::arg("seed") = 1, "Designs drawn uniformly from the whole space.");
  m.def("neighbours", [](const std::vector<int>& d) { return models::neighbours(d); }, py::arg("design"));
  m.def("flat_index", [](const std::vector<int>& d) { return models::flat_index(d); }, py::arg("design"));
  m.def("from_flat_index", &models::from_flat_index, py::arg("flat"));

  py::class_<models::SubSpace>(m, "SubSpace", "A product of allowed values per parameter (configs/spaces/*.yaml).")
      .def_property_readonly("size", &models::SubSpace::size)
      .def_property_readonly("source", &models::SubSpace::source)
      .def("cardinalities", &models::SubSpace::cardinalities)
      .def("allowed_values", &models::SubSpace::allowed_values)
      .def("varied_parameters", &models::SubSpace::varied_parameters)
      .def("to_full", &models::SubSpace::to_full, py::arg("sub"))
      .def("from_full", &models::SubSpace::from_full, py::arg("design"))
      .def("contains", &models::SubSpace::contains, py::arg("design"))
      .def("at", &models::SubSpace::at, py::arg("flat"))
      .def("decode", [](const models::SubSpace& s, const std::vector<int>& sub) {
             return s.decode(sub, models::load_template_constants(models::template_constants_path())); }, py::arg("sub"));
  m.def("load_subspace", [](const std::string& path, const std::optional<models::ArchConfig>& baseline) {
          return models::load_subspace(path, baseline ? *baseline : models::load_baseline_arch()); },
        py::arg("path"), py::arg("baseline") = py::none());

  // ---- area ----
  m.def("area", [](const py::object& design, const std::optional<std::string>& tech) {
          return area_dict(models::area(as_arch(design), tech_of(tech))); },
        py::arg("arch"), py::arg("tech") = py::none(),
        "Area breakdown: {'total_mm2', 'items': [{'component', 'count', 'mm2'}]} (tech: technology file).");

  // ---- compile ----
  py::class_<Program>(m, "Program", "The compiler's mapping of a workload onto an architecture.")
      .def_property_readonly("arch", [](const Program& p) { return p.program.arch; })
      .def_property_readonly("bound_cycles", [](const Program& p) { return p.program.bound_cycles(); })
      .def_property_readonly("program_bytes", [](const Program& p) { return p.program.program_bytes; })
      .def_property_readonly("instruction_chunks", [](const Program& p) { return p.program.instruction_chunks; })
      .def_property_readonly("resident_weight_bytes", [](const Program& p) { return p.program.resident_weight_bytes; })
      .def_property_readonly("streamed_weight_bytes", [](const Program& p) { return p.program.streamed_weight_bytes; })
      .def("layers", [](const Program& p) {
        py::list l;
        for (const auto& lp : p.program.layers) l.append(program_layer(lp));
        return l;
      }, "Mapping per layer, a list of dicts.")
      .def("__len__", [](const Program& p) { return p.program.layers.size(); });
  m.def("compile", [](const Workload& w, const py::object& design) {
          models::CompileResult c = models::compile(w.net, as_arch(design));
          if (!c.ok()) raise_infeasible(*c.infeasible);
          return Program{std::move(c.program), w.net};
        }, py::arg("workload"), py::arg("arch"),
        "Raises InfeasibleError (with .layer, .memory, .needed, .available) when the design cannot run it.");

  // ---- simulate ----
  py::class_<SimResult>(m, "SimResult", "Result of one simulation; the numbers of `apollo simulate --json`.")
      .def_property_readonly("total_cycles", [](const SimResult& s) { return s.r.total_cycles; })
      .def_property_readonly("latency_ms", [](const SimResult& s) { return s.r.latency_ms; })
      .def_property_readonly("bound_cycles", [](const SimResult& s) { return s.program.bound_cycles(); })
      .def_property_readonly("area_mm2", [](const SimResult& s) { return s.area_mm2; })
      .def_property_readonly("perf_per_area", [](const SimResult& s) { return search::perf_per_area(s.r.latency_ms, s.area_mm2); })
      .def_property_readonly("workload", [](const SimResult& s) { return s.workload; })
      .def_property_readonly("arch", [](const SimResult& s) { return s.program.arch; })
      .def_property_readonly("events", [](const SimResult& s) { return s.r.events; })
      .def_property_readonly("layers", [](const SimResult& s) { return sim_layers(s); })
      .def_property_readonly("pe_busy", [](const SimResult& s) {
        return array_2d(s.r.pe_busy, s.program.arch.pe_y, s.program.arch.pe_x); },
        "Fraction of the run each PE computed, shape (pe_y, pe_x).")
      .def_property_readonly("core_busy", [](const SimResult& s) {
        return array_2d(s.r.core_busy, s.program.arch.num_pes(), s.program.arch.cores_per_pe); },
        "Fraction of the run each core ran tiles, shape (PEs, cores_per_pe); PE index y * pe_x + x.")
      .def_property_readonly("pe_peak_memory_bytes", [](const SimResult& s) {
        return array_2d(s.r.pe_peak_memory_bytes, s.program.arch.pe_y, s.program.arch.pe_x); })
      .def_property_readonly("bytes", [](const SimResult& s) {
        return to_py(sim::result_json(s.r, s.program)["bytes"]);
      })
      .def_property_readonly("energy", [](const SimResult& s) {
        return to_py(sim::energy_json(s.r, s.costs, s.program.arch.constants.clock_ghz));
      }, "Energy of one inference: the `energy` object of `apollo simulate --json` (uJ, mW, TOPS/W, "
         "per component, per layer, the action counts).")
      .def_property_readonly("busy_cycles", [](const SimResult& s) {
        py::dict b;
        for (sim::Channel c : sim::kAllChannels) b[py::str(sim::to_string(c))] = s.r.channel(c).busy_cycles;
        return b;
      })
      .def("__repr__", [](const SimResult& s) {
        std::ostringstream o;
        o << "<apollo.SimResult " << s.workload << ": " << s.r.total_cycles << " cycles, " << s.r.latency_ms << " ms>";
        return o.str();
      });
  m.def("simulate",
        [](const Workload& w, const py::object& design, const std::optional<std::string>& vcd,
           const std::optional<std::string>& timeline, bool exact_events, const std::optional<std::string>& tech) {
          const models::ArchConfig arch = as_arch(design);
          const models::Technology t = tech_of(tech);
          models::CompileResult c = models::compile(w.net, arch);
          if (!c.ok()) raise_infeasible(*c.infeasible);
          sim::SimOptions o;
          if (vcd) o.vcd_path = *vcd;
          if (timeline) o.timeline_path = *timeline;
          o.exact_events = exact_events;
          SimResult s;
          {
            py::gil_scoped_release release;
            s.r = sim::simulate(w.net, c.program, o);
          }
          s.program = std::move(c.program);
          s.area_mm2 = models::area(arch, t).total_mm2;
          s.costs = models::action_costs(arch, t);
          s.workload = w.net.name;
          return s;
        },
        py::arg("workload"), py::arg("arch"), py::arg("vcd") = py::none(), py::arg("timeline") = py::none(),
        py::arg("exact_events") = false, py::arg("tech") = py::none(),
        "Compile and simulate in this process (vcd/timeline: trace files to write).");

  // ---- evaluate ----
  m.def("evaluate",
        [](const py::object& design, const std::vector<std::string>& workload_names, double area_budget,
           double timeout, const std::optional<std::string>& tech) {
          search::StudyDefinition def;
          def.workloads = workload_names;
          def.area_budget_mm2 = area_budget;
          if (tech) def.tech_path = *tech;
          if (workload_names.empty()) throw std::invalid_argument("evaluate: give at least one workload");
          const search::EvaluationContext ctx = search::make_evaluation_context(def);
          const json m = evaluate_forked(ctx, as_arch(design), timeout);
          // One workload: perf/area; several: the study's speedups need a
          // measured baseline, so only the raw latencies are returned.
          return measurement_dict(m, &def);
        },
        py::arg("design"), py::arg("workloads"), py::arg("area_budget") = 6.8, py::arg("timeout") = 60.0,
        py::arg("tech") = py::none(),
        "Area, compile and simulate in a forked worker with a time limit, as a search trial. Returns "
        "{'status', 'reason', 'area_mm2', 'latency_ms', 'eval_seconds'[, 'objective']}; a crash or time-out "
        "raises EvaluationError.");

  // ---- studies ----
  py::class_<Store>(m, "Store", "A study database (SQLite), as `apollo search --db`.")
      .def(py::init<const std::string&>(), py::arg("path"))
      .def_property_readonly("path", [](const Store& s) { return s.store_->path(); })
      .def("list", [](Store& s) {
        py::list out;
        for (const auto& x : s.store_->list_studies()) {
          py::dict d;
          d["name"] = x.name;
          d["created_at"] = x.created_at;
          d["objective"] = x.objective;
          d["workloads"] = x.workloads;
          d["optimizer"] = x.optimizer;
          d["budget"] = x.budget;
          d["trials"] = x.trials;
          d["feasible"] = x.feasible;
          d["best_objective"] = x.best_objective;
          out.append(d);
        }
        return out;
      })
      .def("definition", [](Store& s, const std::string& name) {
        auto d = s.store_->find_study(name);
        if (!d) throw search::StoreError("no study '" + name + "' in " + s.store_->path());
        return to_py(d->to_json());
      }, py::arg("name"))
      .def("trials", [](Store& s, const std::string& name) {
        if (!s.store_->find_study(name)) throw search::StoreError("no study '" + name + "' in " + s.store_->path());
        py::list out;
        for (const auto& t : s.store_->trials(name)) out.append(trial_dict(t));
        return out;
      }, py::arg("name"), "The study's trials as dicts, by number.")
      .def("trial_arrays", [](Store& s, const std::string& name) {
        if (!s.store_->find_study(name)) throw search::StoreError("no study '" + name + "' in " + s.store_->path());
        return trial_arrays(s.store_->trials(name));
      }, py::arg("name"), "The trials as numpy columns (objective NaN when not feasible, best_so_far).")
      .def("delete", [](Store& s, const std::string& name) { s.store_->delete_study(name); }, py::arg("name"))
      .def("open_study", [](Store& s, const std::string& name) {
        auto d = s.store_->find_study(name);
        if (!d) throw search::StoreError("no study '" + name + "' in " + s.store_->path());
        return Study(s.store_, *d);
      }, py::arg("name"), "Resume a stored study.")
      .def("create_study",
           [](Store& s, const std::string& name, const std::vector<std::string>& workload_names, double area_budget,
              const std::string& optimizer, const std::map<std::string, std::string>& settings, uint64_t seed,
              int trials, int batch, double trial_timeout, const std::optional<std::string>& space,
              const std::optional<std::string>& tech, const std::optional<std::string>& baseline,
              const std::string& lookup, const std::optional<std::string>& objective,
              const std::optional<std::vector<std::string>>& objectives) {
             search::StudyDefinition def;
             def.name = name;
             search::StudyRequest wanted;
             wanted.objective = objective;
             wanted.objectives = objectives;
             search::set_objectives(def, wanted);  // the checks of --objective / --objectives
             def.workloads = workload_names;
             for (auto& w : def.workloads) w = absolute_if_file(w);
             def.area_budget_mm2 = area_budget;
             def.optimizer = optimizer;
             def.settings = settings;
             def.seed = seed;
             def.trials = trials;
             def.batch = batch;
             def.trial_timeout_s = trial_timeout;
             def.lookup = lookup;
             if (tech) def.tech_path = absolute_if_file(*tech);
             if (baseline) def.baseline_path = absolute_if_file(*baseline);
             if (name.empty()) throw std::invalid_argument("create_study: the study needs a name");
             if (def.workloads.empty()) throw std::invalid_argument("create_study: give at least one workload");
             if (!(area_budget > 0)) throw std::invalid_argument("create_study: area_budget must be positive");
             if (trials < 1 || batch < 1) throw std::invalid_argument("create_study: trials and batch must be at least 1");
             if (trial_timeout < 0) throw std::invalid_argument("create_study: trial_timeout must be >= 0");
             if (s.store_->find_study(name)) {
               throw search::StoreError("study '" + name + "' already exists in " + s.store_->path() +
                                        " (open it with open_study)");
             }
             if (space) {
               const std::string base = def.baseline_path.empty() ? models::baseline_arch_path() : def.baseline_path;
               def.space = models::load_subspace(
                   absolute_if_file(*space),
                   models::load_arch(base, models::load_template_constants(models::template_constants_path())));
             }
             const search::SearchSpaceShape shape{models::cardinalities()};
             // "external": ask/tell only, no Apollo optimizer behind run().
             if (optimizer != "external") {
               search::make_optimizer(optimizer, def.space ? search::SearchSpaceShape{def.space->cardinalities()} : shape,
                                      def.settings, def.seed);
             }
             std::optional<search::LookupTable> table;
             if (!lookup.empty()) table = search::LookupTable::load(*s.store_, def);
             if (table) {
               const auto source = s.store_->find_study(lookup);
               def.baseline_latency_ms = source->baseline_latency_ms;
               def.baseline_energy_uj = source->baseline_energy_uj;
               def.baseline_area_mm2 = source->baseline_area_mm2;
             } else {
               const search::EvaluationContext ctx = search::make_evaluation_context(def);
               py::gil_scoped_release release;
               search::measure_baseline(def, ctx);
             }
             s.store_->create_study(def);
             return Study(s.store_, def);
           },
           py::arg("name"), py::arg("workloads") = std::vector<std::string>{"mobilenet_v2"}, py::arg("area_budget") = 6.8,
           py::arg("optimizer") = "external", py::arg("settings") = std::map<std::string, std::string>{},
           py::arg("seed") = 1, py::arg("trials") = 100, py::arg("batch") = 1, py::arg("trial_timeout") = 60.0,
           py::arg("space") = py::none(), py::arg("tech") = py::none(), py::arg("baseline") = py::none(),
           py::arg("lookup") = "", py::arg("objective") = py::none(), py::arg("objectives") = py::none(),
           "A new study (the baseline is measured, as `apollo search` does). optimizer='external' for ask/tell "
           "only; an Apollo optimizer name lets run() search. objective: as `apollo search --objective` "
           "(perf_per_area, latency, energy, edp, perf_per_watt); objectives: a multi-objective study of two "
           "or three of latency, energy, area (`--objectives`).");

  py::class_<Study>(m, "Study", "A stored study: ask/tell for any optimizer, run() for Apollo's own.")
      .def_property_readonly("name", [](const Study& s) { return s.def().name; })
      .def_property_readonly("definition", [](const Study& s) { return to_py(s.def().to_json()); })
      .def_property_readonly("budget", [](const Study& s) { return s.def().trials; })
      .def_property_readonly("objective_name", [](const Study& s) { return s.def().objective_name(); })
      .def_property_readonly("space", [](const Study& s) { return s.def().space; },
                             "The sub-space searched (SubSpace), or None for the whole space.")
      .def("ask", &Study::ask, py::arg("design"),
           "Reserve the next trial number for a design (full-space indices, Arch or dict).")
      .def("tell", [](Study& s, const py::object& trial, const py::object& measurement, int jobs) -> py::object {
             const bool one = py::isinstance<py::dict>(trial);
             std::vector<py::dict> trials = one ? std::vector<py::dict>{trial.cast<py::dict>()} : trial.cast<std::vector<py::dict>>();
             std::optional<std::vector<py::dict>> ms;
             if (!measurement.is_none()) {
               ms = one ? std::vector<py::dict>{measurement.cast<py::dict>()} : measurement.cast<std::vector<py::dict>>();
             }
             py::list out = s.tell(trials, ms, jobs);
             return one ? py::object(out[0]) : py::object(out);
           },
           py::arg("trial"), py::arg("measurement") = py::none(), py::arg("jobs") = 1,
           "Evaluate asked trial(s) in forked workers (jobs at a time, the study's time limit) or store the given "
           "measurement(s); returns the stored record(s). A crash or time-out is stored as a failed trial.")
      .def("set_budget", &Study::set_budget, py::arg("trials"))
      .def("run", &Study::run, py::arg("jobs") = 1,
           "Search with the study's Apollo optimizer until the budget (resumes by replay, as `apollo search --resume`).")
      .def("trials", [](Study& s) {
        py::list out;
        for (const auto& t : s.trials()) out.append(trial_dict(t));
        return out;
      })
      .def("trial_arrays", [](Study& s) { return trial_arrays(s.trials()); })
      .def("best", [](Study& s) -> py::object {
        auto b = search::best_trial(s.trials());
        return b ? py::object(trial_dict(*b)) : py::none();
      });

  m.def("optimizers", []() {
    py::list out;
    for (const auto& o : search::optimizer_catalog()) {
      py::dict d;
      d["name"] = o.name;
      d["summary"] = o.summary;
      d["settings"] = o.settings;
      out.append(d);
    }
    return out;
  });
}
