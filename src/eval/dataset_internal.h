// Internal to the eval module: helpers shared by the dataset readers.
#pragma once

#include <filesystem>
#include <string>

#include "core/status.h"

namespace vs::eval::internal {

// The whole file. NotFound naming the path if it cannot be read.
Result<std::string> ReadText(const std::filesystem::path& path);

// True for the extensions the detector decodes: .jpg .jpeg .png .bmp .webp (any case).
bool IsImageFile(const std::filesystem::path& path);

}  // namespace vs::eval::internal
