// The role table in code and in docs/security.md say the same.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "auth/permissions.h"

namespace citypulse::auth {
namespace {

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  std::string cell;
  std::getline(s, cell, '|');  // before the first bar
  while (std::getline(s, cell, '|')) {
    const auto b = cell.find_first_not_of(' ');
    const auto e = cell.find_last_not_of(' ');
    out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
  }
  return out;
}

TEST(Permissions, NamesRoundTrip) {
  EXPECT_EQ(all_permissions().size(), kPermissionCount);
  for (auto p : all_permissions()) EXPECT_EQ(parse_permission(permission_name(p)), p);
  for (auto r : all_roles()) EXPECT_EQ(parse_role(role_name(r)), r);
  EXPECT_FALSE(parse_permission("assets:delete"));
  EXPECT_FALSE(parse_role("root"));
}

TEST(Permissions, RolesNestAsDocumented) {
  const auto& viewer = role_permissions(Role::viewer);
  for (auto r : all_roles()) EXPECT_TRUE(role_permissions(r).contains(viewer)) << role_name(r);
  EXPECT_EQ(role_permissions(Role::superadmin), PermissionSet::all());
  EXPECT_FALSE(role_permissions(Role::tenant_admin).has(Permission::tenants_manage));
  for (auto r : all_roles()) {
    if (r != Role::superadmin && r != Role::tenant_admin) {
      EXPECT_FALSE(role_permissions(r).has(Permission::users_manage)) << role_name(r);
    }
  }
}

TEST(Permissions, TheSecurityDocShowsTheCodesTable) {
  std::ifstream doc(CITYPULSE_SOURCE_DIR "/docs/security.md");
  ASSERT_TRUE(doc) << "docs/security.md is missing";
  std::string line;
  std::vector<std::string> header;
  std::size_t rows = 0;
  while (std::getline(doc, line)) {
    const auto c = cells(line);
    if (c.size() > 1 && c[0] == "permission") {
      header = c;
      continue;
    }
    if (header.empty() || c.size() != header.size() || !c[0].starts_with('`')) continue;
    const auto name = c[0].substr(1, c[0].size() - 2);
    const auto p = parse_permission(name);
    ASSERT_TRUE(p) << "the doc names an unknown permission " << name;
    ++rows;
    for (std::size_t i = 1; i < c.size(); ++i) {
      const auto role = parse_role(header[i]);
      ASSERT_TRUE(role) << "the doc names an unknown role " << header[i];
      EXPECT_EQ(c[i] == "✓", role_permissions(*role).has(*p)) << name << " for " << header[i];
    }
  }
  EXPECT_EQ(header.size(), all_roles().size() + 1);
  EXPECT_EQ(rows, kPermissionCount) << "every permission has a row";
}

}  // namespace
}  // namespace citypulse::auth
