#include "http/limits.h"

namespace vs::http {

Slots::Lease::~Lease() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->mu_);
  --owner_->used_;
}

std::optional<Slots::Lease> Slots::TryAcquire() {
  std::lock_guard lock(mu_);
  if (used_ >= capacity_) return std::nullopt;
  ++used_;
  return Lease(this);
}

size_t Slots::in_use() const {
  std::lock_guard lock(mu_);
  return used_;
}

BodyBudget::Lease::~Lease() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->mu_);
  owner_->used_bytes_ -= bytes_;
  if (large_) --owner_->used_large_;
}

bool BodyBudget::Lease::Grow(size_t total) {
  if (total <= bytes_) return true;
  const bool large = total > owner_->large_bytes_;
  std::lock_guard lock(owner_->mu_);
  if (!owner_->TakeLocked(total - bytes_, large && !large_)) return false;
  bytes_ = total;
  large_ = large_ || large;
  return true;
}

bool BodyBudget::TakeLocked(size_t bytes, bool large) {
  if (bytes > max_bytes_ - used_bytes_) return false;
  if (large && used_large_ >= max_large_) return false;
  used_bytes_ += bytes;
  if (large) ++used_large_;
  return true;
}

std::optional<BodyBudget::Lease> BodyBudget::TryAcquire(size_t bytes) {
  const bool large = bytes > large_bytes_;
  std::lock_guard lock(mu_);
  if (!TakeLocked(bytes, large)) return std::nullopt;
  return Lease(this, bytes, large);
}

size_t BodyBudget::bytes_in_use() const {
  std::lock_guard lock(mu_);
  return used_bytes_;
}

size_t BodyBudget::large_in_use() const {
  std::lock_guard lock(mu_);
  return used_large_;
}

ConnectionLimits::Lease::~Lease() {
  if (owner_) owner_->Close(address_);
}

ConnectionLimits::Verdict ConnectionLimits::TryOpen(const std::string& address,
                                                    std::optional<Lease>* lease) {
  std::lock_guard lock(mu_);
  if (open_ >= max_total_) return Verdict::kTooManyTotal;
  size_t& from_address = per_address_[address];
  if (from_address >= max_per_address_) {
    if (from_address == 0) per_address_.erase(address);
    return Verdict::kTooManyFromAddress;
  }
  ++from_address;
  ++open_;
  lease->emplace(Lease(shared_from_this(), address));
  return Verdict::kOk;
}

size_t ConnectionLimits::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

void ConnectionLimits::Close(const std::string& address) {
  std::lock_guard lock(mu_);
  --open_;
  const auto it = per_address_.find(address);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

}  // namespace vs::http
