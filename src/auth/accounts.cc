#include "auth/accounts.h"

#include <fcntl.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/secrets.h"

namespace vs::auth {
namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '@' || c == '-';
}

// Writes `text` to a new file readable by its owner only; fails if the file exists.
Status WritePrivateFile(const std::filesystem::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path.string());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    return Status::Unavailable("cannot write " + path.string());
  }
  return Status::Ok();
}

}  // namespace

Status CheckUserName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidValue("a user name has 1 to 64 characters");
  }
  for (char c : name) {
    if (!NameChar(c)) {
      return Status::InvalidValue("a user name may contain only letters, digits and . _ @ -");
    }
  }
  return Status::Ok();
}

Result<store::User> AddUser(store::Store& store, const std::string& name, std::string_view password,
                            Role role) {
  VS_RETURN_IF_ERROR(CheckUserName(name));
  VS_RETURN_IF_ERROR(CheckPasswordPolicy(password));
  if (role == Role::kPublic) return Status::InvalidValue("role must be viewer, operator or admin");
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  store::User user;
  user.name = name;
  user.password_hash = std::move(hash).value();
  user.role = role;
  auto created = store.CreateUser(user);
  if (created.ok()) created->password_hash.clear();
  return created;
}

Result<NewToken> CreateToken(store::Store& store, const std::string& name, Role role,
                             const std::string& created_by) {
  if (name.empty() || name.size() > 128) {
    return Status::InvalidValue("a token name has 1 to 128 bytes");
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidValue("a token name may not contain control characters");
    }
  }
  if (role == Role::kPublic) return Status::InvalidValue("role must be viewer, operator or admin");
  NewToken out;
  out.secret = NewSecret("vst_");
  out.token.name = name;
  out.token.token_hash = HashSecret(out.secret);
  out.token.role = role;
  out.token.created_by = created_by;
  auto created = store.CreateToken(out.token);
  if (!created.ok()) return created.status();
  out.token = std::move(created).value();
  return out;
}

Result<std::optional<FirstAdmin>> EnsureFirstAdmin(store::Store& store,
                                                   const std::filesystem::path& data_dir,
                                                   const std::optional<std::string>& password) {
  auto users = store.ListUsers();
  if (!users.ok()) return users.status();
  if (!users->empty()) return std::optional<FirstAdmin>();
  FirstAdmin admin{"admin", std::nullopt};
  const std::string chosen = password ? *password : NewSecret("").substr(0, 20);
  if (!password) {
    const auto file = data_dir / "initial-admin-password";
    std::error_code ec;
    std::filesystem::remove(file, ec);  // a stale file from a store that was deleted
    VS_RETURN_IF_ERROR(WritePrivateFile(file, chosen + "\n"));
    admin.password_file = file.string();
  }
  auto created = AddUser(store, admin.name, chosen, Role::kAdmin);
  if (!created.ok()) {
    if (admin.password_file) {
      std::error_code ec;
      std::filesystem::remove(*admin.password_file, ec);
    }
    return created.status();
  }
  return std::optional<FirstAdmin>(admin);
}

}  // namespace vs::auth
