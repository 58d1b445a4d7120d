// Pareto building blocks on hand-computed examples: dominance, fast
// non-dominated sorting, crowding distance and exact hypervolume in 2-D and 3-D.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "search/pareto.hpp"

using namespace apollo::search;

TEST(Pareto, DominanceIsStrictInOneObjective) {
  EXPECT_TRUE(dominates({1, 2}, {1, 3}));
  EXPECT_FALSE(dominates({1, 2}, {1, 2}));  // equal points: neither
  EXPECT_FALSE(dominates({1, 4}, {2, 3}));  // a trade-off
  EXPECT_FALSE(dominates({2, 3}, {1, 4}));
}

TEST(Pareto, NonDominatedSortingByHand) {
  // a(1,4) b(2,2) c(4,1) d(3,3) e(4,4) f(2,2) = b: d is dominated by b and f
  // only, e by d (and the first front).
  const std::vector<ObjectivePoint> pts = {{1, 4}, {2, 2}, {4, 1}, {3, 3}, {4, 4}, {2, 2}};
  const std::vector<std::vector<int>> expected = {{0, 1, 2, 5}, {3}, {4}};
  EXPECT_EQ(non_dominated_sort(pts), expected);
  EXPECT_EQ(non_dominated(pts), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_TRUE(non_dominated_sort({}).empty());
}

TEST(Pareto, CrowdingDistanceByHand) {
  // a(1,5) b(2,3) c(4,2) g(6,1): ranges 5 and 4.
  const std::vector<ObjectivePoint> pts = {{1, 5}, {2, 3}, {4, 2}, {6, 1}};
  const auto d = crowding_distance(pts, {0, 1, 2, 3});
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(d[0], inf);
  EXPECT_EQ(d[3], inf);
  EXPECT_NEAR(d[1], (4.0 - 1) / 5 + (5.0 - 2) / 4, 1e-12);  // 1.35
  EXPECT_NEAR(d[2], (6.0 - 2) / 5 + (3.0 - 1) / 4, 1e-12);  // 1.3
  // Two points: both extremes.
  const auto two = crowding_distance(pts, {1, 2});
  EXPECT_EQ(two[0], inf);
  EXPECT_EQ(two[1], inf);
}

TEST(Pareto, HypervolumeTwoObjectivesByHand) {
  // Staircase (1,3) (2,2) (3,1) under (4,4): 3 + 2 + 1.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 3}, {2, 2}, {3, 1}}, {4, 4}), 6.0);
  // A dominated point, a point outside the reference box and one on its edge add nothing.
  EXPECT_DOUBLE_EQ(hypervolume({{3, 1}, {1, 3}, {3, 3}, {2, 2}, {5, 0}, {0, 4}}, {4, 4}), 6.0);
  EXPECT_DOUBLE_EQ(hypervolume({}, {4, 4}), 0.0);
}

TEST(Pareto, HypervolumeThreeObjectivesByHand) {
  EXPECT_DOUBLE_EQ(hypervolume({{1, 1, 1}}, {2, 2, 2}), 1.0);
  // Boxes of 4 and 2 overlapping in a unit cube.
  EXPECT_DOUBLE_EQ(hypervolume({{0, 0, 1}, {1, 1, 0}}, {2, 2, 2}), 5.0);
  // Three boxes of 4, pairwise overlaps of 2, triple overlap 1: 12 - 6 + 1.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, {2, 2, 2}), 7.0);
  // A dominated point changes nothing.
  EXPECT_DOUBLE_EQ(hypervolume({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}}, {2, 2, 2}), 7.0);
  EXPECT_THROW(hypervolume({{1, 1, 1, 1}}, {2, 2, 2, 2}), std::invalid_argument);
}
