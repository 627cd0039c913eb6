// SqliteStore: photo bytes kept in the database (serve --photos database). No events.
#include "core/time.h"
#include "store/sqlite/sqlite_rows.h"
#include "store/sqlite/sqlite_store.h"

namespace vs::store::sqlite {

Status SqliteStore::PutPhoto(const std::string& path, std::string_view bytes) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto q =
               c->Prepare("INSERT INTO photos(path, bytes, size, created_at) VALUES (?,?,?,?)");
           if (!q.ok()) return q.status();
           q->Bind(path).BindBlob(bytes).Bind(static_cast<int64_t>(bytes.size()));
           VS_RETURN_IF_ERROR(q->Bind(ToUnixMillis(Now())).Run());
           return true;
         })
      .status();
}

Result<std::string> SqliteStore::GetPhoto(const std::string& path) {
  auto r = AcquireReader();
  if (!r.ok()) return r.status();
  auto q = (*r)->Prepare("SELECT bytes FROM photos WHERE path = ?");
  if (!q.ok()) return q.status();
  q->Bind(path);
  auto row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::NotFound("the stored photo " + path + " is missing");
  const auto* data = static_cast<const char*>(q->BlobData(0));
  return std::string(data ? data : "", static_cast<size_t>(q->BlobSize(0)));
}

Status SqliteStore::DeletePhoto(const std::string& path) {
  return WriteQuiet<bool>([&](Connection* c) -> Result<bool> {
           auto q = c->Prepare("DELETE FROM photos WHERE path = ?");
           if (!q.ok()) return q.status();
           VS_RETURN_IF_ERROR(q->Bind(path).Run());
           return true;
         })
      .status();
}

}  // namespace vs::store::sqlite
