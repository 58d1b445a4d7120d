// Exhaustive enumeration: asks every design of the space exactly once, in
// flat-index order (mixed radix, first parameter most significant, as
// models::flat_index and models::SubSpace::at). Meant for small sub-spaces
// (`apollo search --space FILE --optimizer exhaustive --trials <size>`), whose
// stored trials are then the ground truth for regret and for --lookup.
#include "search/opt_common.hpp"

#include <stdexcept>

namespace apollo::search {

namespace {

class ExhaustiveOptimizer final : public Optimizer {
 public:
  explicit ExhaustiveOptimizer(const SearchSpaceShape& space) : card_(space.cardinalities) {
    for (int c : card_) size_ *= static_cast<uint64_t>(c);
  }
  std::string name() const override { return "exhaustive"; }
  bool learns() const override { return false; }

  std::vector<Design> ask(int count) override {
    if (count < 0) throw std::invalid_argument("exhaustive: ask(count) needs count >= 0");
    if (next_ + static_cast<uint64_t>(count) > size_)
      throw std::invalid_argument("exhaustive: asked for " + std::to_string(count) + " more designs, but only " +
                                  std::to_string(size_ - next_) + " of the space's " + std::to_string(size_) +
                                  " designs are left (each design is visited once)");
    std::vector<Design> batch;
    for (int i = 0; i < count; ++i) batch.push_back(design_at(next_++));
    return batch;
  }

  // The order is fixed: results (and priors) change nothing.
  void tell(const std::vector<Observation>& results) override {
    for (const auto& r : results)
      if (r.design.size() != card_.size())
        throw std::invalid_argument("exhaustive: told a design with " + std::to_string(r.design.size()) +
                                    " parameters, expected " + std::to_string(card_.size()));
  }

 private:
  Design design_at(uint64_t flat) const {
    Design d(card_.size());
    for (size_t k = card_.size(); k-- > 0;) {
      d[k] = static_cast<int>(flat % static_cast<uint64_t>(card_[k]));
      flat /= static_cast<uint64_t>(card_[k]);
    }
    return d;
  }

  std::vector<int> card_;
  uint64_t size_ = 1;
  uint64_t next_ = 0;
};

}  // namespace

const std::vector<SettingSpec>& exhaustive_settings() {
  static const std::vector<SettingSpec> specs;  // no settings
  return specs;
}

std::unique_ptr<Optimizer> make_exhaustive(const SearchSpaceShape& space, const Settings& settings, uint64_t seed) {
  (void)seed;  // deterministic by construction
  SettingsReader reader("exhaustive", exhaustive_settings(), settings);  // rejects any key
  return std::make_unique<ExhaustiveOptimizer>(space);
}

}  // namespace apollo::search
