// The authenticator against a real SQLite store: tokens, sessions, the environment's admin token,
// anonymous access, the failed-login budget, and the first admin account.
#include "auth/authenticator.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "auth/accounts.h"
#include "store/sqlite/sqlite.h"

namespace vs::auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "vs_auth_XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    auto opened = store::OpenSqlite({.path = dir_ + "/visionstock.db"});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }
  void TearDown() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(AuthenticatorTest, BearerTokensFromStoreAndEnvironment) {
  Authenticator auth(store_.get(), {.admin_token = "env-secret"});
  auto created = CreateToken(*store_, "camera 4", Role::kOperator, "test");
  ASSERT_TRUE(created.ok());
  auto p = auth.Authenticate("Bearer " + created->secret, "");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->role, Role::kOperator);
  EXPECT_EQ(p->name, "camera 4");
  EXPECT_FALSE(p->via_cookie());
  auto env = auth.Authenticate("bearer env-secret", "");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->role, Role::kAdmin);
  EXPECT_EQ(auth.Authenticate("Bearer env-secreT", "").status().code(), Code::kUnauthenticated);
  EXPECT_EQ(auth.Authenticate("Token abc", "").status().code(), Code::kUnauthenticated);
  ASSERT_TRUE(store_->RevokeToken(created->token.id).ok());
  EXPECT_EQ(auth.Authenticate("Bearer " + created->secret, "").status().code(),
            Code::kUnauthenticated);
  // Only the hash is stored.
  auto tokens = store_->ListTokens();
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(tokens->front().token_hash.find(created->secret), std::string::npos);
}

TEST_F(AuthenticatorTest, NoCredentialsIsPublicUnlessAnonymousViewing) {
  Authenticator closed(store_.get(), {});
  EXPECT_EQ(closed.Authenticate("", "").value().role, Role::kPublic);
  Authenticator kiosk(store_.get(), {.anonymous_viewer = true});
  EXPECT_EQ(kiosk.Authenticate("", "").value().role, Role::kViewer);
  EXPECT_EQ(kiosk.Authenticate("", "vs_session=made-up").value().role, Role::kViewer);
}

TEST_F(AuthenticatorTest, LoginSetsAStrictHttpOnlyCookieThatAuthenticates) {
  ASSERT_TRUE(AddUser(*store_, "alice", "correct horse", Role::kViewer).ok());
  Authenticator auth(store_.get(), {.secure_cookie = true});
  std::chrono::seconds retry{0};
  auto login = auth.Login("alice", "correct horse", "1.1.1.1", &retry);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  const std::string& c = login->set_cookie;
  EXPECT_NE(c.find("HttpOnly"), std::string::npos);
  EXPECT_NE(c.find("SameSite=Strict"), std::string::npos);
  EXPECT_NE(c.find("; Secure"), std::string::npos);
  const std::string cookie = "other=1; " + c.substr(0, c.find(';'));
  auto p = auth.Authenticate("", cookie);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "alice");
  EXPECT_EQ(p->role, Role::kViewer);
  EXPECT_TRUE(p->via_cookie());
  auth.Logout(cookie);
  EXPECT_EQ(auth.Authenticate("", cookie).value().role, Role::kPublic);
}

TEST_F(AuthenticatorTest, WrongPasswordsAreRateLimitedPerAddress) {
  ASSERT_TRUE(AddUser(*store_, "bob", "correct horse", Role::kAdmin).ok());
  Authenticator auth(store_.get(), {.login_limit = {.max_failures = 3}});
  std::chrono::seconds retry{0};
  for (const char* name : {"bob", "nobody", "bob"}) {
    EXPECT_EQ(auth.Login(name, "wrong password", "9.9.9.9", &retry).status().code(),
              Code::kUnauthenticated);
  }
  auto blocked = auth.Login("bob", "correct horse", "9.9.9.9", &retry);
  EXPECT_EQ(blocked.status().code(), Code::kTooManyRequests);
  EXPECT_GT(retry.count(), 0);
  EXPECT_TRUE(auth.Login("bob", "correct horse", "8.8.8.8", &retry).ok()) << "another address";
}

TEST_F(AuthenticatorTest, FirstAdminGetsARandomPasswordInAPrivateFile) {
  auto first = EnsureFirstAdmin(*store_, dir_, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  ASSERT_TRUE((*first)->password_file.has_value());
  struct stat st {};
  ASSERT_EQ(::stat((*first)->password_file->c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string password;
  std::getline(std::ifstream(*(*first)->password_file), password);
  EXPECT_GE(password.size(), 16u);
  Authenticator auth(store_.get(), {});
  std::chrono::seconds retry{0};
  auto login = auth.Login("admin", password, "1.1.1.1", &retry);
  ASSERT_TRUE(login.ok());
  EXPECT_EQ(login->user.role, Role::kAdmin);
  auto again = EnsureFirstAdmin(*store_, dir_, std::nullopt);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value()) << "only on a store without users";
}

TEST_F(AuthenticatorTest, AccountRulesAndUniqueNames) {
  EXPECT_EQ(AddUser(*store_, "bad name", "correct horse", Role::kViewer).status().code(),
            Code::kInvalidValue);
  EXPECT_EQ(AddUser(*store_, "carol", "short", Role::kViewer).status().code(), Code::kInvalidValue);
  ASSERT_TRUE(AddUser(*store_, "carol", "correct horse", Role::kViewer).ok());
  EXPECT_EQ(AddUser(*store_, "carol", "correct horse", Role::kViewer).status().code(),
            Code::kConflict);
  ASSERT_TRUE(CreateToken(*store_, "carol's script", Role::kViewer, "carol").ok());
  ASSERT_TRUE(store_->DeleteUser("carol").ok());
  EXPECT_EQ(store_->DeleteUser("carol").code(), Code::kNotFound);
  auto tokens = store_->ListTokens();
  ASSERT_TRUE(tokens.ok());
  EXPECT_TRUE(tokens->front().revoked) << "a removed user's tokens are revoked";
}

}  // namespace
}  // namespace vs::auth
