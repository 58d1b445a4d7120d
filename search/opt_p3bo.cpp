// P3BO (Angermueller et al. 2020, "Population-Based Black-Box Optimization
// for Biological Sequence Design"): a population of optimizers shares every
// batch; each member's share is a softmax of its recent rewards. All members
// are told every result (shared data); each proposal is attributed to the
// member that made it for reward accounting.
//
// Reward of one proposal: the fraction of earlier feasible results it beats
// (1 = a new best, 0 = infeasible or worst). It generalizes "improved over
// the best so far" into a dense, scale-free signal, so the allocation reacts
// after a few batches instead of waiting for rare new records. In a
// multi-objective study the reward is the hypervolume improvement of the
// front instead (hypervolume_rewards).
#include "search/opt_common.hpp"
#include "search/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <sstream>

namespace apollo::search {

namespace {

struct P3boConfig {
  std::vector<std::string> members = {"random", "evolution", "mbo", "gp_bandit"};
  double temperature = 0.15;
  int window = 16;
  double initial_reward = 0.5;
  std::map<std::string, Settings> member_settings;
};

class P3bo final : public HistoryOptimizer {
 public:
  P3bo(const SearchSpaceShape& space, const P3boConfig& config, uint64_t seed)
      : HistoryOptimizer(space, seed), config_(config) {
    for (size_t i = 0; i < config_.members.size(); ++i) {
      const std::string& m = config_.members[i];
      auto it = config_.member_settings.find(m);
      members_.push_back(make_optimizer(m, space, it == config_.member_settings.end() ? Settings{} : it->second,
                                        derive_seed(seed, 100 + i)));
    }
    rewards_.resize(members_.size());
  }
  std::string name() const override { return "p3bo"; }

 protected:
  std::vector<Design> propose(int count) override {
    std::vector<Design> batch;
    if (count == 0) return batch;
    const std::vector<double> share = shares();
    std::discrete_distribution<int> pick(share.begin(), share.end());
    std::vector<int> quota(members_.size(), 0);
    for (int i = 0; i < count; ++i) ++quota[pick(rng())];
    std::set<Design> taken;
    for (size_t m = 0; m < members_.size(); ++m) {
      if (quota[m] == 0) continue;
      for (Design& d : members_[m]->ask(quota[m])) {
        // Members do not see each other's pending proposals; a clash is
        // replaced by a fresh random design, still credited to the member.
        if (is_known_or_in(d, taken)) d = random_fresh(taken);
        taken.insert(d);
        owner_[d] = static_cast<int>(m);
        batch.push_back(std::move(d));
      }
    }
    return batch;
  }

  // Transfer: every member gets the priors and uses them its own way (the
  // evolution members seed their populations with the best prior designs,
  // model-based members train on them with the task as a feature).
  void on_prior() override {
    for (auto& m : members_) m->set_prior(priors());
  }
  void on_constraint() override {
    for (auto& m : members_) m->set_constraint(constraint());
  }

  void on_tell(const std::vector<Observation>& fresh) override {
    const std::vector<double> reward_of = objective_count() > 0 ? hypervolume_rewards(fresh) : rank_rewards(fresh);
    for (size_t i = 0; i < fresh.size(); ++i) {
      const Observation& o = fresh[i];
      auto it = owner_.find(o.design);
      if (it == owner_.end() || o.status == TrialStatus::Failed) continue;
      const double reward = reward_of[i];
      auto& window = rewards_[it->second];
      window.push_back(reward);
      if (static_cast<int>(window.size()) > config_.window) window.pop_front();
      owner_.erase(it);
    }
    for (auto& m : members_) m->tell(fresh);
  }

 private:
  // Single objective: the fraction of the feasible results known before this
  // tell that each fresh result beats (0 when not feasible).
  std::vector<double> rank_rewards(const std::vector<Observation>& fresh) const {
    const size_t before = history().size() - fresh.size();
    std::vector<double> earlier;
    for (size_t i = 0; i < before; ++i)
      if (history()[i].status == TrialStatus::Feasible) earlier.push_back(history()[i].objective);
    std::sort(earlier.begin(), earlier.end());
    std::vector<double> out;
    for (const auto& o : fresh) {
      double reward = 0;
      if (o.status == TrialStatus::Feasible)
        reward = earlier.empty() ? 1.0
                                 : double(std::lower_bound(earlier.begin(), earlier.end(), o.objective) -
                                          earlier.begin()) /
                                       double(earlier.size());
      out.push_back(reward);
    }
    return out;
  }

  // Multi-objective: the share of the hypervolume with the fresh result
  // that it adds to the front of the feasible results known before this
  // tell (1 for the first, 0 for a dominated or infeasible one), on the
  // normalized log scale with reference point 1.1 in every objective.
  std::vector<double> hypervolume_rewards(const std::vector<Observation>& fresh) const {
    const size_t before = history().size() - fresh.size();
    std::vector<ObjectivePoint> points;
    for (size_t i = 0; i < before; ++i)
      if (history()[i].status == TrialStatus::Feasible) points.push_back(history()[i].objectives);
    const size_t earlier = points.size();
    for (const auto& o : fresh)
      if (o.status == TrialStatus::Feasible) points.push_back(o.objectives);
    const auto normalized = normalized_objectives(points);
    const std::vector<ObjectivePoint> front(normalized.begin(), normalized.begin() + static_cast<long>(earlier));
    const ObjectivePoint reference(static_cast<size_t>(objective_count()), 1.1);
    const double front_volume = hypervolume(front, reference);
    std::vector<double> out;
    size_t next = earlier;
    for (const auto& o : fresh) {
      double reward = 0;
      if (o.status == TrialStatus::Feasible) {
        std::vector<ObjectivePoint> with = front;
        with.push_back(normalized[next++]);
        const double volume = hypervolume(with, reference);
        reward = earlier == 0 ? 1.0 : volume > 0 ? (volume - front_volume) / volume : 0.0;
      }
      out.push_back(reward);
    }
    return out;
  }

  std::vector<double> shares() const {
    std::vector<double> mean(members_.size());
    for (size_t m = 0; m < members_.size(); ++m) {
      const auto& w = rewards_[m];
      double sum = 0;
      for (double r : w) sum += r;
      mean[m] = w.empty() ? config_.initial_reward : sum / double(w.size());
    }
    const double top = *std::max_element(mean.begin(), mean.end());
    std::vector<double> out(mean.size());
    for (size_t m = 0; m < mean.size(); ++m) out[m] = std::exp((mean[m] - top) / config_.temperature);
    return out;  // discrete_distribution normalizes
  }

  P3boConfig config_;
  std::vector<std::unique_ptr<Optimizer>> members_;
  std::vector<std::deque<double>> rewards_;
  std::map<Design, int> owner_;  // pending proposals -> member index
};

}  // namespace

const std::vector<SettingSpec>& p3bo_settings() {
  static const std::vector<SettingSpec> specs = {
      {"members", "random,evolution,mbo,gp_bandit", "comma-separated member optimizers"},
      {"temperature", "0.15", "softmax temperature over mean recent rewards (in [0,1])"},
      {"window", "16", "recent rewards per member averaged for its share"},
      {"initial_reward", "0.5", "reward assumed for a member with no results yet"},
      {"<member>.<key>", "", "forwarded to that member, e.g. mbo.kappa=2"},
  };
  return specs;
}

std::unique_ptr<Optimizer> make_p3bo(const SearchSpaceShape& space, const Settings& settings,
                                     uint64_t seed) {
  Settings own;
  P3boConfig c;
  std::map<std::string, Settings> forwarded;
  for (const auto& [key, value] : settings) {
    const auto dot = key.find('.');
    if (dot == std::string::npos) own[key] = value;
    else forwarded[key.substr(0, dot)][key.substr(dot + 1)] = value;
  }
  std::vector<SettingSpec> specs = p3bo_settings();
  specs.pop_back();  // the <member>.<key> pattern is handled above
  SettingsReader r("p3bo", specs, own);
  c.members.clear();
  std::stringstream ss(r.get_string("members"));
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) {
      if (item == "p3bo")
        throw std::invalid_argument("optimizer 'p3bo': setting members cannot include p3bo");
      c.members.push_back(item);
    }
  if (c.members.empty())
    throw std::invalid_argument("optimizer 'p3bo': setting members must name at least one optimizer");
  for (const auto& [member, s] : forwarded)
    if (std::find(c.members.begin(), c.members.end(), member) == c.members.end())
      throw std::invalid_argument("optimizer 'p3bo': setting prefix '" + member +
                                  ".' names no member; members are " + r.get_string("members"));
  c.member_settings = std::move(forwarded);
  c.temperature = r.get_double("temperature", 1e-3, 100.0);
  c.window = r.get_int("window", 1, 100000);
  c.initial_reward = r.get_double("initial_reward", 0.0, 1.0);
  return std::make_unique<P3bo>(space, c, seed);
}

}  // namespace apollo::search
