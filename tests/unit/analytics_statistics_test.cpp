// Fit statistics, the Student t quantile, autocorrelation with gaps and the savings
// uncertainty, against values worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "analytics/fit_statistics.h"
#include "analytics/savings.h"

namespace citypulse::analytics {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(FitStatistics, HandComputedWithAMissingHourAndParameters) {
  // Pairs (10,9) (12,12) (8,10) (10,9); the third hour has no actual value.
  const std::vector<double> actual{10, 12, kNaN, 8, 10};
  const std::vector<double> predicted{9, 12, 5, 10, 9};
  auto s = fit_statistics(actual, predicted, 1);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->n, 4u);
  EXPECT_DOUBLE_EQ(s->mean_actual, 10);
  // Residuals 1, 0, −2, 1: Σe² = 6, n − p = 3.
  EXPECT_NEAR(s->cvrmse, std::sqrt(2.0) / 10, 1e-12);
  EXPECT_NEAR(s->nmbe, 0, 1e-12);
  // Σ(y − ȳ)² = 8.
  EXPECT_NEAR(s->r2, 0.25, 1e-12);
}

TEST(FitStatistics, BiasShowsInNmbe) {
  const std::vector<double> actual{2, 4, 6};
  const std::vector<double> predicted{1, 3, 5};
  auto s = fit_statistics(actual, predicted, 0);
  ASSERT_TRUE(s);
  EXPECT_NEAR(s->cvrmse, 0.25, 1e-12);  // sqrt(3 / 3) / 4
  EXPECT_NEAR(s->nmbe, 0.25, 1e-12);    // 3 / (3 · 4): the model predicts too little
  EXPECT_NEAR(s->r2, 0.625, 1e-12);     // 1 − 3 / 8
}

TEST(FitStatistics, RefusesWhatCannotBeScored) {
  const std::vector<double> two{1, 2};
  EXPECT_EQ(fit_statistics(two, two, 2).error().code, ErrorCode::invalid);  // n ≤ p
  const std::vector<double> zeros{1, -1};
  EXPECT_EQ(fit_statistics(zeros, zeros, 0).error().code, ErrorCode::invalid);  // ȳ = 0
  const std::vector<double> three{1, 2, 3};
  EXPECT_EQ(fit_statistics(two, three, 0).error().code, ErrorCode::invalid);
  const std::vector<double> missing{kNaN, kNaN};
  EXPECT_FALSE(fit_statistics(missing, two, 0));
}

TEST(StudentT, KnownQuantiles) {
  EXPECT_NEAR(student_t_two_sided(0.95, 10), 2.228139, 1e-5);
  EXPECT_NEAR(student_t_two_sided(0.90, 1), 6.313752, 1e-5);
  EXPECT_NEAR(student_t_two_sided(0.99, 5), 4.032143, 1e-5);
  EXPECT_NEAR(student_t_two_sided(0.95, 1e7), 1.959964, 1e-5);  // the normal's
  EXPECT_NEAR(student_t_two_sided(0.68, 1e7), 0.994458, 1e-5);
}

TEST(Autocorrelation, PairsOnlyAcrossPresentNeighbours) {
  const std::vector<double> alternating{1, -1, 1, -1};
  EXPECT_NEAR(lag1_autocorrelation(alternating), -0.75, 1e-12);
  // Mean 2.5 of the present values; pairs (1,2) and (3,4) only: (0.75 + 0.75) / 5.
  const std::vector<double> gap{1, 2, kNaN, 3, 4};
  EXPECT_NEAR(lag1_autocorrelation(gap), 0.3, 1e-12);
  EXPECT_EQ(lag1_autocorrelation(std::vector<double>{1}), 0);
}

// A baseline of 1000 hours at 100 ± 1 in runs of four (ρ = 0.501 exactly: 750 pairs of
// equal sign, 249 changes), a model predicting 100 with p = 2; a reporting period of 500
// hours at 90 against a prediction of 100.
TEST(Savings, GuidelineFourteenOnAConstructedCase) {
  std::vector<double> actual, fitted;
  for (int i = 0; i < 1000; ++i) {
    actual.push_back(100 + ((i / 4) % 2 == 0 ? 1 : -1));
    fitted.push_back(100);
  }
  const std::vector<double> reporting_actual(500, 90.0), reporting_predicted(500, 100.0);
  auto s = estimate_savings(actual, fitted, 2, reporting_actual, reporting_predicted, 0.90);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->baseline_hours, 1000u);
  EXPECT_EQ(s->reporting_hours, 500u);
  EXPECT_NEAR(s->autocorrelation, 0.501, 1e-12);
  const double n_eff = 1000 * (1 - 0.501) / (1 + 0.501);
  EXPECT_NEAR(s->effective_hours, n_eff, 1e-9);
  EXPECT_NEAR(s->avoided_energy, 5000, 1e-9);
  EXPECT_NEAR(s->baseline_energy, 50000, 1e-9);
  EXPECT_NEAR(s->fractional_savings, 0.1, 1e-12);
  const double cv = std::sqrt(1000.0 / 998) / 100;
  EXPECT_NEAR(s->cvrmse, cv, 1e-12);
  EXPECT_NEAR(s->t, student_t_two_sided(0.90, n_eff - 2), 1e-12);
  EXPECT_NEAR(s->t, 1.6494, 2e-3);  // t(0.90, ~330)
  const double fsu = 1.26 * s->t * cv * std::sqrt((1000 / n_eff) * (1 + 2 / n_eff) / 500) / 0.1;
  EXPECT_NEAR(s->fractional_savings_uncertainty, fsu, 1e-12);
  EXPECT_NEAR(s->avoided_energy_uncertainty, fsu * 5000, 1e-9);
  // About 1.6 % of the savings, worked out apart from the code.
  EXPECT_NEAR(fsu, 0.0162, 0.0003);
}

TEST(Savings, RefusesNoSavingsAndBadConfidence) {
  const std::vector<double> baseline{1, 2, 3, 4, 5, 6}, same{1, 2, 3, 4, 5, 6};
  const std::vector<double> flat{2, 2};
  EXPECT_FALSE(estimate_savings(baseline, same, 1, flat, flat, 0.9));  // ŷ = y: no savings
  EXPECT_FALSE(estimate_savings(baseline, same, 1, flat, std::vector<double>{3, 3}, 1.0));
}

}  // namespace
}  // namespace citypulse::analytics
