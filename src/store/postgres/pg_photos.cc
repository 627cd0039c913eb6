// PgStore: photo bytes kept in the database (serve --photos database), so that any instance of
// a shared database serves any photo. No events.
#include "core/time.h"
#include "store/postgres/pg_rows.h"
#include "store/postgres/pg_store.h"

namespace vs::store::pg {

Status PgStore::PutPhoto(const std::string& path, std::string_view bytes) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           Params p = Params::Of(path);
           p.AddByteString(bytes).Add(static_cast<int64_t>(bytes.size())).Add(ToUnixMillis(Now()));
           VS_RETURN_IF_ERROR(c->Run(
               "INSERT INTO photos(path, bytes, size, created_at) VALUES ($1, $2, $3, $4)", p));
           return true;
         })
      .status();
}

Result<std::string> PgStore::GetPhoto(const std::string& path) {
  return Read<std::string>([&](Conn* c) {
    return QueryOne<std::string>(
        c, "SELECT bytes FROM photos WHERE path = $1", Params::Of(path),
        [](const Rows& r, int i) { return r.ByteString(i, 0); },
        "the stored photo " + path + " is missing");
  });
}

Status PgStore::DeletePhoto(const std::string& path) {
  return WriteQuiet<bool>([&](Conn* c) -> Result<bool> {
           VS_RETURN_IF_ERROR(c->Run("DELETE FROM photos WHERE path = $1", Params::Of(path)));
           return true;
         })
      .status();
}

}  // namespace vs::store::pg
