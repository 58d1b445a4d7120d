#include "search/pareto.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace apollo::search {

bool dominates(const ObjectivePoint& a, const ObjectivePoint& b) {
  bool better = false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] > b[i]) return false;
    better |= a[i] < b[i];
  }
  return better;
}

std::vector<std::vector<int>> non_dominated_sort(const std::vector<ObjectivePoint>& points) {
  const int n = static_cast<int>(points.size());
  std::vector<std::vector<int>> dominated_by_me(n);
  std::vector<int> dominators(n, 0);
  std::vector<std::vector<int>> fronts(1);
  for (int p = 0; p < n; ++p) {
    for (int q = 0; q < n; ++q) {
      if (dominates(points[p], points[q])) dominated_by_me[p].push_back(q);
      else if (dominates(points[q], points[p])) ++dominators[p];
    }
    if (dominators[p] == 0) fronts[0].push_back(p);
  }
  if (fronts[0].empty()) return {};
  for (size_t k = 0; !fronts[k].empty(); ++k) {
    std::vector<int> next;
    for (int p : fronts[k])
      for (int q : dominated_by_me[p])
        if (--dominators[q] == 0) next.push_back(q);
    std::sort(next.begin(), next.end());
    fronts.push_back(std::move(next));
  }
  fronts.pop_back();  // the empty one that ended the loop
  return fronts;
}

std::vector<double> crowding_distance(const std::vector<ObjectivePoint>& points, const std::vector<int>& front) {
  const size_t n = front.size();
  std::vector<double> distance(n, 0.0);
  if (n == 0) return distance;
  const double inf = std::numeric_limits<double>::infinity();
  const size_t m = points[static_cast<size_t>(front[0])].size();
  std::vector<size_t> order(n);
  for (size_t k = 0; k < m; ++k) {
    std::iota(order.begin(), order.end(), 0);
    auto value = [&](size_t i) { return points[static_cast<size_t>(front[i])][k]; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return value(a) < value(b); });
    distance[order.front()] = distance[order.back()] = inf;
    const double range = value(order.back()) - value(order.front());
    if (!(range > 0)) continue;
    for (size_t i = 1; i + 1 < n; ++i) distance[order[i]] += (value(order[i + 1]) - value(order[i - 1])) / range;
  }
  return distance;
}

std::vector<int> non_dominated(const std::vector<ObjectivePoint>& points) {
  std::vector<int> out;
  for (size_t p = 0; p < points.size(); ++p) {
    bool dominated = false;
    for (size_t q = 0; q < points.size() && !dominated; ++q) dominated = dominates(points[q], points[p]);
    if (!dominated) out.push_back(static_cast<int>(p));
  }
  return out;
}

namespace {

// Area dominated by (x, y) points below (rx, ry); the points are sorted by x.
double sweep_2d(const std::vector<std::pair<double, double>>& sorted, double rx, double ry) {
  double area = 0, lowest_y = ry;
  for (const auto& [x, y] : sorted) {
    if (y < lowest_y) {
      area += (rx - x) * (lowest_y - y);
      lowest_y = y;
    }
  }
  return area;
}

}  // namespace

double hypervolume(const std::vector<ObjectivePoint>& points, const ObjectivePoint& reference) {
  const size_t m = reference.size();
  if (m != 2 && m != 3)
    throw std::invalid_argument("hypervolume: " + std::to_string(m) + " objectives (exact for 2 or 3 only)");
  std::vector<ObjectivePoint> inside;
  for (const auto& p : points) {
    if (p.size() != m) throw std::invalid_argument("hypervolume: a point's dimension differs from the reference's");
    bool below = true;
    for (size_t k = 0; k < m; ++k) below &= p[k] < reference[k];
    if (below) inside.push_back(p);
  }
  auto by_x = [](const auto& a, const auto& b) { return a.first < b.first || (a.first == b.first && a.second < b.second); };
  if (m == 2) {
    std::vector<std::pair<double, double>> xy;
    for (const auto& p : inside) xy.emplace_back(p[0], p[1]);
    std::sort(xy.begin(), xy.end(), by_x);
    return sweep_2d(xy, reference[0], reference[1]);
  }
  // Slices along the third objective: between consecutive z values the
  // dominated region is the 2-D region of the points at or below the slice.
  std::sort(inside.begin(), inside.end(), [](const auto& a, const auto& b) { return a[2] < b[2]; });
  double volume = 0;
  std::vector<std::pair<double, double>> xy;
  for (size_t i = 0; i < inside.size(); ++i) {
    xy.insert(std::upper_bound(xy.begin(), xy.end(), std::make_pair(inside[i][0], inside[i][1]), by_x),
              {inside[i][0], inside[i][1]});
    const double next_z = i + 1 < inside.size() ? inside[i + 1][2] : reference[2];
    if (next_z > inside[i][2]) volume += sweep_2d(xy, reference[0], reference[1]) * (next_z - inside[i][2]);
  }
  return volume;
}

}  // namespace apollo::search
