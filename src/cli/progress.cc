#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace vs::cli {

Progress::Progress(size_t total) : total_(total), enabled_(::isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() { Clear(); }

void Progress::Update(size_t done, const std::string& label) {
  if (!enabled_) return;
  constexpr int kWidth = 30;
  const int filled = total_ ? static_cast<int>(kWidth * done / total_) : kWidth;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  std::fprintf(stderr, "\r\033[K[%s] %zu/%zu %.50s", bar.c_str(), done, total_, label.c_str());
  std::fflush(stderr);
}

void Progress::Clear() {
  if (!enabled_) return;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace vs::cli
