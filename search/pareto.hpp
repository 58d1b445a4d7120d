// Multi-objective building blocks: Pareto dominance, fast non-dominated
// sorting and crowding distance (Deb et al. 2002, NSGA-II), the non-dominated
// front of a set, and its exact hypervolume for two or three objectives.
// Every objective here is minimized; a point is one value per objective.
#pragma once

#include <vector>

namespace apollo::search {

using ObjectivePoint = std::vector<double>;  // minimized objective values

// a is no worse than b in every objective and better in at least one.
bool dominates(const ObjectivePoint& a, const ObjectivePoint& b);

// Fronts of `points` (indices, each front in increasing index order): front 0
// is non-dominated, front k is non-dominated once fronts 0..k-1 are removed.
// Equal points share a front. O(M N^2), as in NSGA-II.
std::vector<std::vector<int>> non_dominated_sort(const std::vector<ObjectivePoint>& points);

// Crowding distance of each member of `front` (same order): the sum over
// objectives of the gap between its two neighbours along that objective,
// divided by the objective's range on the front; the extremes of each
// objective get infinity (so boundary points always survive).
std::vector<double> crowding_distance(const std::vector<ObjectivePoint>& points, const std::vector<int>& front);

// Indices of the non-dominated points (front 0), in increasing index order.
std::vector<int> non_dominated(const std::vector<ObjectivePoint>& points);

// Exact hypervolume dominated by `points` and bounded by `reference` (the
// volume of the union of the boxes [p, reference]); points not strictly
// better than the reference in every objective add nothing. Two objectives:
// a sweep, O(N log N); three: slices along the third objective, each a
// two-objective sweep, O(N^2 log N). Throws std::invalid_argument for other
// dimensions or points of another dimension than the reference.
double hypervolume(const std::vector<ObjectivePoint>& points, const ObjectivePoint& reference);

}  // namespace apollo::search
