// Users, API tokens, login sessions and the audit log, on every backend.
#include <gtest/gtest.h>

#include "backends.h"
#include "test_util.h"

namespace vs::store {
namespace {

class AccountsTest : public testing::BackendTest {};
VS_STORE_BACKENDS(AccountsTest);

User NewUser(const std::string& name, Role role) {
  User u;
  u.name = name;
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$x$y";
  u.role = role;
  return u;
}

ApiToken NewToken(const std::string& hash, const std::string& by) {
  ApiToken t;
  t.name = "camera aisle 4";
  t.token_hash = hash;
  t.role = Role::kOperator;
  t.created_by = by;
  return t;
}

TEST_P(AccountsTest, UsersAreUniqueListedByNameAndRemovedWithTheirSessionsAndTokens) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto bo = s->CreateUser(NewUser("bo", Role::kViewer));
  ASSERT_TRUE(bo.ok()) << bo.status().ToString();
  ASSERT_TRUE(s->CreateUser(NewUser("Ana", Role::kAdmin)).ok());
  EXPECT_EQ(s->CreateUser(NewUser("bo", Role::kAdmin)).status().code(), Code::kConflict);
  EXPECT_EQ(s->CreateUser(NewUser("x", Role::kPublic)).status().code(), Code::kInvalidValue);
  auto users = s->ListUsers();
  ASSERT_TRUE(users.ok());
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].name, "Ana");  // byte order: upper case first
  EXPECT_EQ(s->GetUserByName("bo")->role, Role::kViewer);
  EXPECT_EQ(s->GetUser(bo->id)->name, "bo");
  EXPECT_EQ(s->GetUser(9999).status().code(), Code::kNotFound);

  const Timestamp now = Now();
  ASSERT_TRUE(s->CreateSession({std::string(64, 's'), bo->id, now,
                                FromUnixMillis(ToUnixMillis(now) + 3'600'000)})
                  .ok());
  ASSERT_TRUE(s->GetSession(std::string(64, 's')).ok());
  auto token = s->CreateToken(NewToken(std::string(64, 't'), "bo"));
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(s->DeleteUser("bo").ok());
  EXPECT_EQ(s->DeleteUser("bo").code(), Code::kNotFound);
  EXPECT_EQ(s->GetSession(std::string(64, 's')).status().code(), Code::kNotFound);
  EXPECT_EQ(s->UseToken(std::string(64, 't')).status().code(), Code::kNotFound);  // revoked
  EXPECT_TRUE(s->ListTokens()->at(0).revoked);
}

TEST_P(AccountsTest, TokensRecordTheirUseAndCanBeRevoked) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto t = s->CreateToken(NewToken(std::string(64, 'a'), "cli"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(s->CreateToken(NewToken(std::string(64, 'a'), "cli")).status().code(), Code::kConflict);
  EXPECT_FALSE(t->last_used_at);
  auto used = s->UseToken(std::string(64, 'a'));
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->role, Role::kOperator);
  ASSERT_TRUE(used->last_used_at);
  EXPECT_EQ(s->ListTokens()->at(0).last_used_at, used->last_used_at);
  EXPECT_EQ(s->UseToken(std::string(64, 'z')).status().code(), Code::kNotFound);
  ASSERT_TRUE(s->RevokeToken(t->id).ok());
  EXPECT_EQ(s->RevokeToken(9999).code(), Code::kNotFound);
  EXPECT_EQ(s->UseToken(std::string(64, 'a')).status().code(), Code::kNotFound);
}

TEST_P(AccountsTest, ExpiredSessionsAreGone) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  auto u = s->CreateUser(NewUser("cy", Role::kOperator));
  ASSERT_TRUE(u.ok());
  const int64_t now = ToUnixMillis(Now());
  ASSERT_TRUE(
      s->CreateSession({"old", u->id, FromUnixMillis(now - 7200), FromUnixMillis(now - 1)}).ok());
  EXPECT_EQ(s->GetSession("old").status().code(), Code::kNotFound);
  ASSERT_TRUE(
      s->CreateSession({"new", u->id, FromUnixMillis(now), FromUnixMillis(now + 60'000)}).ok());
  EXPECT_EQ(s->GetSession("new")->user_id, u->id);
  ASSERT_TRUE(s->DeleteSession("new").ok());
  EXPECT_EQ(s->GetSession("new").status().code(), Code::kNotFound);
}

TEST_P(AccountsTest, AuditLogPagesBackwards) {
  auto s = OpenStore();
  ASSERT_TRUE(s);
  for (int i = 0; i < 5; ++i) {
    AuditEntry e;
    e.actor = "cli";
    e.action = "user.add";
    e.target = "u" + std::to_string(i);
    e.status = 200;
    e.remote_address = "127.0.0.1";
    auto a = s->AppendAudit(e);
    ASSERT_TRUE(a.ok());
    EXPECT_GT(ToUnixMillis(a->at), 0);
  }
  auto page = s->ListAudit(std::nullopt, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].target, "u4");
  auto next = s->ListAudit((*page)[1].id, 10);
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ(next->back().target, "u0");
  EXPECT_EQ(s->ListAudit(std::nullopt, -1)->size(), 5u);  // no limit
}

}  // namespace
}  // namespace vs::store
