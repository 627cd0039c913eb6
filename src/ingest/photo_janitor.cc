#include "ingest/photo_janitor.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "ingest/photo_lock.h"

namespace vs::ingest {
namespace fs = std::filesystem;
namespace {

constexpr auto kTmpMaxAge = std::chrono::hours(1);

// fs::file_time_type is not system_clock before C++20's clock_cast is everywhere; convert by
// the offset between the two clocks now.
std::chrono::system_clock::time_point ToSystem(fs::file_time_type t) {
  return std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      t - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
}

}  // namespace

PhotoJanitor::PhotoJanitor(fs::path data_dir, PhotoJanitorOptions options,
                           std::shared_ptr<PhotoSpace> space)
    : data_dir_(std::move(data_dir)),
      images_dir_(data_dir_ / "images"),
      options_(std::move(options)),
      space_(std::move(space)) {}

bool PhotoJanitor::MayBeOrphan(std::chrono::system_clock::time_point written,
                               std::chrono::system_clock::time_point cutoff) const {
  return options_.has_scan && written < cutoff && written >= orphans_checked_until_;
}

PhotoJanitor::~PhotoJanitor() { Stop(); }

Result<SweepResult> PhotoJanitor::SweepOnce(std::chrono::system_clock::time_point now) {
  SweepResult result;
  std::error_code ec;
  if (!fs::exists(images_dir_, ec)) return result;
  const bool expire = options_.retention_days > 0;
  const auto photo_cutoff = now - std::chrono::days(options_.retention_days);
  const auto leftover_cutoff = std::max(options_.leftovers_before, now - kTmpMaxAge);
  bool retry = false;  // a photo to look at again: its lookup failed or it was in flight
  std::vector<fs::path> folders;
  fs::recursive_directory_iterator it(images_dir_, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code entry_ec;
    if (it->is_directory(entry_ec)) {
      folders.push_back(it->path());
      continue;
    }
    if (!it->is_regular_file(entry_ec)) continue;
    const auto written = ToSystem(it->last_write_time(entry_ec));
    if (entry_ec) continue;
    const bool tmp = it->path().extension() == ".tmp";
    const bool expired = !tmp && expire && written < photo_cutoff;
    if (tmp ? written >= leftover_cutoff : !expired && !MayBeOrphan(written, leftover_cutoff)) {
      continue;
    }
    // A leftover is removed under its lock: a file an upload still holds is in flight (see
    // ingest/photo_lock.h), and is looked at again in the next sweep.
    std::optional<PhotoLock> held;
    if (!expired) {
      auto idle = PhotoLock::TryLockIdle(it->path());
      if (!idle.ok() || !*idle) {
        retry = true;
        continue;
      }
      held = std::move(*idle);
    }
    bool orphan = false;
    if (!tmp && !expired) {
      // Asked under the lock, so a scan committed by the upload that held it is seen.
      const std::string relative = it->path().lexically_relative(data_dir_).generic_string();
      auto named = options_.has_scan(relative);
      if (!named.ok()) {
        retry = true;
        continue;
      }
      if (*named) continue;
      orphan = true;
    }
    const uintmax_t size = it->file_size(entry_ec);
    if (fs::remove(it->path(), entry_ec)) {
      ++result.removed_files;
      result.removed_bytes += entry_ec ? 0 : size;
      if (orphan) {
        ++result.removed_orphans;
        vs::log::Warn("removed a photo whose scan was never stored",
                      {{"path", it->path().lexically_relative(data_dir_).generic_string()}});
      }
    } else if (entry_ec) {
      vs::log::Warn("cannot remove an expired photo",
                    {{"path", it->path().string()}, {"error", entry_ec.message()}});
    }
  }
  if (ec) return Status::Unavailable("cannot walk " + images_dir_.string() + ": " + ec.message());
  if (!retry) orphans_checked_until_ = std::max(orphans_checked_until_, leftover_cutoff);
  // Deepest first, so that a month empties after its days.
  for (auto f = folders.rbegin(); f != folders.rend(); ++f) {
    std::error_code rm_ec;
    if (fs::is_empty(*f, rm_ec)) fs::remove(*f, rm_ec);
  }
  if (space_) VS_RETURN_IF_ERROR(space_->Recount());
  return result;
}

void PhotoJanitor::Start() {
  std::lock_guard start_lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      auto swept = SweepOnce(std::chrono::system_clock::now());
      if (!swept.ok()) {
        vs::log::Warn("photo sweep failed", {{"error", swept.status().ToString()}});
      } else if (swept->removed_files > 0) {
        vs::log::Info("expired photos removed",
                      {{"files", swept->removed_files}, {"bytes", swept->removed_bytes}});
      }
      lock.lock();
      wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
    }
  });
}

void PhotoJanitor::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  wake_.notify_all();
  if (thread.joinable()) thread.join();
}

}  // namespace vs::ingest
