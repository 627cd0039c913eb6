// Progress of a batch on a terminal: one redrawn line "[#####.....] 3/10 name" on stderr. Off the
// terminal it prints nothing (the caller prints plain result lines).
#pragma once

#include <cstddef>
#include <string>

namespace vs::cli {

class Progress {
 public:
  // Enabled only when stderr is a terminal.
  explicit Progress(size_t total);
  ~Progress();  // clears the line
  void Update(size_t done, const std::string& label);
  // Clears the bar so a plain line can be printed, then Update redraws it.
  void Clear();
  bool enabled() const { return enabled_; }

 private:
  size_t total_;
  bool enabled_;
};

}  // namespace vs::cli
