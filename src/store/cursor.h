// Opaque keyset-pagination cursors: the (time, id) of the last item of a page, as unpadded
// base64url text of "<unix ms>:<id>". Backend-neutral.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace vs::store {

struct CursorKey {
  int64_t ms = 0;
  int64_t id = 0;
};

std::string EncodeCursor(const CursorKey& key);
// InvalidValue unless `text` is exactly what EncodeCursor produces for some key.
Result<CursorKey> DecodeCursor(std::string_view text);

}  // namespace vs::store
