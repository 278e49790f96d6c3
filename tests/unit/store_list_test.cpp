// Lists: every kind of filter, rejected filters, and cursor pagination.
#include <set>

#include "store_test_support.h"

namespace citypulse::testing {
namespace {

template <class T>
std::vector<Id> ids(const Page<T>& page) {
  std::vector<Id> out;
  for (const auto& r : page.records) out.push_back(r.id);
  return out;
}

ListQuery filtered(std::vector<ListFilter> filters) {
  ListQuery q;
  q.filters = std::move(filters);
  return q;
}

class StoreListTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    a_ = make_tenant("A").id;
    b_ = make_tenant("B").id;
    site_ = make_site(a_).id;
    school_ = make_building(a_, site_, "primary_school").id;
    pool_ = make_building(a_, std::nullopt, "swimming_pool").id;
    other_ = make_building(b_, std::nullopt, "primary_school").id;
    Building tagged = ok(store().buildings().get(all(), pool_));
    tagged.tags = {"pv", "heating:district"};
    ok(store().buildings().update(all(), tagged, std::nullopt));
  }
  Id a_ = 0, b_ = 0, site_ = 0, school_ = 0, pool_ = 0, other_ = 0;
};

TEST_F(StoreListTest, FiltersByTenant) {
  EXPECT_EQ(ids(ok(store().buildings().list(all(), filtered({{"tenant_id", std::to_string(a_)}})))),
            (std::vector<Id>{school_, pool_}));
  EXPECT_EQ(ids(ok(store().buildings().list(all(), filtered({{"tenant_id", std::to_string(b_)}})))),
            (std::vector<Id>{other_}));
  // Within a tenant scope, naming another tenant finds nothing.
  EXPECT_TRUE(
      ok(store().buildings().list(Scope::tenant(a_), filtered({{"tenant_id", std::to_string(b_)}})))
          .records.empty());
}

TEST_F(StoreListTest, FiltersByReference) {
  EXPECT_EQ(
      ids(ok(store().buildings().list(all(), filtered({{"site_id", std::to_string(site_)}})))),
      (std::vector<Id>{school_}));
  const Id f1 = make_floor(school_, 0).id;
  const Id f2 = make_floor(school_, 1).id;
  make_floor(pool_, 0);
  EXPECT_EQ(
      ids(ok(store().floors().list(all(), filtered({{"building_id", std::to_string(school_)}})))),
      (std::vector<Id>{f1, f2}));
  // A derived reference filters as well.
  const Id s1 = make_space(f2).id;
  make_space(f1);
  EXPECT_EQ(ids(ok(store().spaces().list(all(), filtered({{"building_id", std::to_string(school_)},
                                                          {"floor_id", std::to_string(f2)}})))),
            (std::vector<Id>{s1}));
}

TEST_F(StoreListTest, FiltersByChoice) {
  EXPECT_EQ(ids(ok(store().buildings().list(all(), filtered({{"type", "primary_school"}})))),
            (std::vector<Id>{school_, other_}));
  EXPECT_EQ(
      ids(ok(store().buildings().list(Scope::tenant(a_), filtered({{"type", "primary_school"}})))),
      (std::vector<Id>{school_}));
  EXPECT_TRUE(ok(store().buildings().list(all(), filtered({{"type", "museum"}}))).records.empty());
}

TEST_F(StoreListTest, FiltersByTag) {
  EXPECT_EQ(ids(ok(store().buildings().list(all(), filtered({{"tag", "pv"}})))),
            (std::vector<Id>{pool_}));
  EXPECT_EQ(ids(ok(store().buildings().list(all(), filtered({{"tag", "heating:district"}})))),
            (std::vector<Id>{pool_}));
  // A tag matches whole, not as a substring of the stored JSON.
  EXPECT_TRUE(ok(store().buildings().list(all(), filtered({{"tag", "heating"}}))).records.empty());
  EXPECT_TRUE(
      ok(store().buildings().list(all(), filtered({{"tag", "pv"}, {"type", "primary_school"}})))
          .records.empty());
}

TEST_F(StoreListTest, RejectsAFieldThatIsNoFilter) {
  for (const char* field : {"name", "address", "id", "tags", "latitude; DROP TABLE buildings"}) {
    auto r = store().buildings().list(all(), filtered({{field, "x"}}));
    ASSERT_TRUE(failed_with(r, ErrorCode::bad_request)) << field;
    EXPECT_EQ(r.error().field, field);
    EXPECT_NE(r.error().message.find(field), std::string::npos) << r.error().message;
  }
  // Tenants have no filters at all; tenant_id is none of theirs.
  EXPECT_TRUE(failed_with(store().tenants().list(all(), filtered({{"tenant_id", "1"}})),
                          ErrorCode::bad_request));
  EXPECT_EQ(count_rows("buildings"), 3);
}

TEST_F(StoreListTest, RejectsAnIdFilterThatIsNoPositiveInteger) {
  for (const char* value : {"", "abc", "0", "-3", "1.5", " 1", "1 ", "99999999999999999999"}) {
    auto r = store().buildings().list(all(), filtered({{"site_id", value}}));
    ASSERT_TRUE(failed_with(r, ErrorCode::bad_request)) << "'" << value << "'";
    EXPECT_EQ(r.error().field, "site_id");
    EXPECT_TRUE(failed_with(store().buildings().list(all(), filtered({{"tenant_id", value}})),
                            ErrorCode::bad_request));
  }
}

TEST_F(StoreListTest, RejectsAChoiceFilterOutsideTheChoices) {
  auto r = store().buildings().list(all(), filtered({{"type", "castle"}}));
  ASSERT_TRUE(failed_with(r, ErrorCode::bad_request));
  EXPECT_EQ(r.error().field, "type");
}

TEST_F(StoreListTest, RejectsALimitOutsideOneToAThousand) {
  ListQuery q;
  q.limit = 0;
  EXPECT_TRUE(failed_with(store().buildings().list(all(), q), ErrorCode::bad_request));
  q.limit = 1001;
  EXPECT_TRUE(failed_with(store().buildings().list(all(), q), ErrorCode::bad_request));
  q.limit = 1000;
  EXPECT_EQ(ok(store().buildings().list(all(), q)).records.size(), 3u);
}

// Walks every page; checks ascending ids and the cursor's promise.
template <class T>
std::vector<Id> walk(Repository<T>& repo, const Scope& scope, ListQuery q, std::size_t* pages) {
  std::vector<Id> seen;
  *pages = 0;
  for (;;) {
    const auto page = ok(repo.list(scope, q));
    ++*pages;
    EXPECT_LE(page.records.size(), q.limit);
    for (const auto& r : page.records) {
      EXPECT_TRUE(seen.empty() || r.id > seen.back()) << "ids must ascend across pages";
      seen.push_back(r.id);
    }
    if (!page.next_after) return seen;
    EXPECT_EQ(page.records.size(), q.limit) << "only a full page may promise more";
    EXPECT_EQ(*page.next_after, page.records.back().id);
    q.after = *page.next_after;
    if (*pages > 100) {
      ADD_FAILURE() << "pagination does not end";
      return seen;
    }
  }
}

TEST_F(StoreListTest, PagesCoverEveryRecordOnceWithoutGaps) {
  // Interleave tenants so the tenant scope's pages skip the other's ids.
  std::vector<Id> expected;
  for (int i = 0; i < 25; ++i) {
    expected.push_back(make_floor(school_, i).id);
    make_floor(other_, i);
  }
  for (std::size_t limit : {1u, 7u, 24u, 25u, 26u}) {
    ListQuery q;
    q.limit = limit;
    std::size_t pages = 0;
    EXPECT_EQ(walk(store().floors(), Scope::tenant(a_), q, &pages), expected) << limit;
    EXPECT_EQ(pages, (25 + limit - 1) / limit) << "limit " << limit;
  }
  // A cursor in the middle continues after it.
  ListQuery q;
  q.after = expected[9];
  q.limit = 5;
  EXPECT_EQ(ids(ok(store().floors().list(Scope::tenant(a_), q))),
            (std::vector<Id>(expected.begin() + 10, expected.begin() + 15)));
}

TEST_F(StoreListTest, PaginationAppliesAfterFiltering) {
  std::vector<Id> wanted;
  for (int i = 0; i < 12; ++i) {
    wanted.push_back(make_point(school_).id);
    make_point(pool_);
  }
  ListQuery q = filtered({{"building_id", std::to_string(school_)}});
  q.limit = 5;
  std::size_t pages = 0;
  EXPECT_EQ(walk(store().points(), all(), q, &pages), wanted);
  EXPECT_EQ(pages, 3u);
}

}  // namespace
}  // namespace citypulse::testing
