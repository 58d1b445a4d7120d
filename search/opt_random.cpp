// Uniform random search: the baseline every other optimizer must beat.
#include "search/opt_common.hpp"

namespace apollo::search {

namespace {

class RandomOptimizer final : public HistoryOptimizer {
 public:
  RandomOptimizer(const SearchSpaceShape& space, uint64_t seed) : HistoryOptimizer(space, seed) {}
  std::string name() const override { return "random"; }
  // Every draw avoids the designs drawn before (told or pending alike).
  bool learns() const override { return false; }

 protected:
  std::vector<Design> propose(int count) override {
    std::vector<Design> batch;
    std::set<Design> taken;
    for (int i = 0; i < count; ++i) {
      Design d = random_fresh(taken);
      taken.insert(d);
      batch.push_back(std::move(d));
    }
    return batch;
  }
};

}  // namespace

const std::vector<SettingSpec>& random_settings() {
  static const std::vector<SettingSpec> specs;  // no settings
  return specs;
}

std::unique_ptr<Optimizer> make_random(const SearchSpaceShape& space, const Settings& settings,
                                       uint64_t seed) {
  SettingsReader reader("random", random_settings(), settings);  // rejects any key
  return std::make_unique<RandomOptimizer>(space, seed);
}

}  // namespace apollo::search
