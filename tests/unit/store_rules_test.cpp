// Rules as stored records: the schema's checks by type (parameters that do
// not apply, required ones, a scope), references checked like any asset
// record's, tenancy, and removal with the records they name.
#include <boost/json.hpp>

#include "model/recipient_schema.h"
#include "model/rule_schema.h"
#include "store_test_support.h"

namespace citypulse::testing {
namespace {

namespace json = boost::json;

Result<Rule> decode_rule(std::string_view body) {
  return decode(json::parse(body), rule_schema(), DecodeMode::create,
                static_cast<const Rule*>(nullptr));
}

TEST(RuleSchemaTest, EachTypeTakesItsOwnParameters) {
  auto r = decode_rule(R"({"name":"Too warm","type":"threshold_high","point_id":1,
                            "threshold":26,"deadband":0.5,"on_delay_s":600})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->threshold, 26);
  EXPECT_EQ(r->severity, "warning");
  EXPECT_EQ(r->status, "enabled");

  auto wrong = decode_rule(R"({"name":"x","type":"flatline","point_id":1,"duration_s":600,
                                "threshold":3})");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field, "/threshold");
  EXPECT_NE(wrong.error().message.find("tolerance, duration_s"), std::string::npos)
      << wrong.error().message;

  auto missing = decode_rule(R"({"name":"x","type":"threshold_low","point_id":1})");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "/threshold");

  auto rate = decode_rule(R"({"name":"x","type":"rate_of_change","point_id":1,"max_change":2})");
  ASSERT_FALSE(rate);
  EXPECT_EQ(rate.error().field, "/window_s");
}

TEST(RuleSchemaTest, ARuleNeedsAScopeAndAnExpressionNamesItsOwnPoints) {
  auto none = decode_rule(R"({"name":"x","type":"bounds"})");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().field, "/point_id");
  EXPECT_TRUE(decode_rule(R"({"name":"x","type":"bounds","quantity":"temperature"})"));

  auto scoped = decode_rule(R"({"name":"x","type":"expression","expression":"p1 > p2",
                                 "space_id":4})");
  ASSERT_FALSE(scoped);
  EXPECT_EQ(scoped.error().field, "/space_id");
  EXPECT_TRUE(decode_rule(R"({"name":"x","type":"expression","expression":"p1 > p2",
                               "building_id":4})"));
}

TEST(RuleSchemaTest, StaleNeedsAFactorOrADurationAndBoundsAreOrdered) {
  auto stale = decode_rule(R"({"name":"x","type":"stale","device_id":3})");
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().field, "/interval_factor");
  EXPECT_TRUE(decode_rule(R"({"name":"x","type":"stale","device_id":3,"interval_factor":3})"));

  auto bounds = decode_rule(R"({"name":"x","type":"bounds","point_id":1,"min_value":5,
                                 "max_value":5})");
  ASSERT_FALSE(bounds);
  EXPECT_EQ(bounds.error().field, "/min_value");

  auto severity = decode_rule(R"({"name":"x","type":"bounds","point_id":1,"severity":"huge"})");
  ASSERT_FALSE(severity);
  EXPECT_EQ(severity.error().field, "/severity");
}

class StoreRulesTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    tenant_ = make_tenant("Stadt").id;
    building_ = make_building(tenant_).id;
    point_ = make_point(building_).id;
    other_building_ = make_building(tenant_).id;
    other_tenant_ = make_tenant("Dorf").id;
  }

  Rule threshold_rule(std::optional<Id> point, std::optional<Id> building = std::nullopt) {
    Rule r;
    r.tenant_id = tenant_;
    r.name = "Too warm";
    r.type = "threshold_high";
    r.threshold = 26;
    r.point_id = point;
    r.building_id = building;
    return r;
  }

  Id tenant_ = 0, building_ = 0, point_ = 0, other_building_ = 0, other_tenant_ = 0;
};

TEST_F(StoreRulesTest, RulesAreTheirTenantsAndReferToItsRecords) {
  const Rule stored = ok(store().rules().create(Scope::tenant(tenant_), threshold_rule(point_)));
  EXPECT_EQ(stored.tenant_id, tenant_);
  EXPECT_EQ(stored.version, 1);
  EXPECT_TRUE(failed_with(store().rules().get(Scope::tenant(other_tenant_), stored.id),
                          ErrorCode::not_found));

  // A point of another building than the rule's is refused, as for assets.
  auto mixed =
      store().rules().create(Scope::tenant(tenant_), threshold_rule(point_, other_building_));
  ASSERT_TRUE(failed_with(mixed, ErrorCode::invalid));
  EXPECT_EQ(mixed.error().field, "/point_id");

  // Another tenant cannot name this tenant's point.
  Rule foreign = threshold_rule(point_);
  foreign.tenant_id = other_tenant_;
  EXPECT_TRUE(failed_with(store().rules().create(Scope::tenant(other_tenant_), foreign),
                          ErrorCode::invalid));
}

TEST_F(StoreRulesTest, ARuleGoesWithWhatItWatchesOnlyByCascade) {
  const Rule stored = ok(store().rules().create(Scope::tenant(tenant_), threshold_rule(point_)));
  const auto before = store().asset_generation();
  EXPECT_TRUE(failed_with(Result<void>(store().points().remove(all(), point_, false, std::nullopt)),
                          ErrorCode::conflict));
  ok(store().points().remove(all(), point_, true, std::nullopt));
  EXPECT_TRUE(failed_with(store().rules().get(all(), stored.id), ErrorCode::not_found));
  EXPECT_GT(store().asset_generation(), before);
}

TEST_F(StoreRulesTest, ABuildingLimitedCallerKeepsToItsBuildings) {
  const Scope limited = Scope::buildings(tenant_, {building_});
  EXPECT_TRUE(store().rules().create(limited, threshold_rule(point_, building_)));
  auto elsewhere = store().rules().create(limited, threshold_rule(std::nullopt, other_building_));
  EXPECT_FALSE(elsewhere);
  auto tenant_wide = store().rules().create(limited, threshold_rule(point_));
  ASSERT_TRUE(failed_with(tenant_wide, ErrorCode::invalid));
  EXPECT_EQ(tenant_wide.error().field, "/building_id");
}

TEST_F(StoreRulesTest, AWebhookSecretIsStoredButNeverShownAndAReplacementKeepsIt) {
  auto decoded =
      decode(json::parse(R"({"name":"Tickets","channel":"webhook",
                                        "address":"https://tickets.test/hook",
                                        "secret":"0123456789abcdef"})"),
             recipient_schema(), DecodeMode::create, static_cast<const Recipient*>(nullptr));
  ASSERT_TRUE(decoded) << decoded.error().message;
  decoded->tenant_id = tenant_;
  const Recipient stored = ok(store().recipients().create(Scope::tenant(tenant_), *decoded));
  EXPECT_EQ(ok(store().recipients().get(all(), stored.id)).secret, "0123456789abcdef");
  const auto shown = encode(stored, recipient_schema());
  EXPECT_FALSE(shown.contains("secret"));
  EXPECT_TRUE(json_schema(recipient_schema())
                  .at("properties")
                  .at("secret")
                  .as_object()
                  .at("writeOnly")
                  .as_bool());
  // What a client read and sent back, changed, keeps the secret.
  json::object body = shown;
  body["name"] = "Ticket system";
  auto replaced = decode(body, recipient_schema(), DecodeMode::replace, &stored);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_EQ(replaced->secret, "0123456789abcdef");
}

TEST(RecipientSchemaTest, TheAddressSuitsTheChannel) {
  const auto check = [](std::string_view body) {
    return decode(json::parse(body), recipient_schema(), DecodeMode::create,
                  static_cast<const Recipient*>(nullptr));
  };
  EXPECT_TRUE(check(R"({"name":"a","channel":"email","address":"ops@town.test"})"));
  for (
      auto [body, field] : {
          std::pair{R"({"name":"a","channel":"email","address":"ops at town"})", "/address"},
          std::pair{R"({"name":"a","channel":"sms","address":"0171 1234"})", "/address"},
          std::pair{R"({"name":"a","channel":"webhook","address":"ftp://x.test"})", "/address"},
          std::pair{
              R"({"name":"a","channel":"webhook","address":"https://x.test","secret":"short"})",
              "/secret"},
          std::pair{
              R"({"name":"a","channel":"email","address":"a@b.test","secret":"0123456789abcdef"})",
              "/secret"},
          std::pair{R"({"name":"a","channel":"email","address":"a@b.test","quiet_from":"22:00"})",
                    "/quiet_to"},
          std::pair{
              R"({"name":"a","channel":"email","address":"a@b.test","quiet_from":"25:00","quiet_to":"06:00"})",
              "/quiet_from"},
      }) {
    auto r = check(body);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().field, field) << body;
  }
}

}  // namespace
}  // namespace citypulse::testing
