// Admission limits shared by every connection of a server (internal to the server): open
// connections, request-body bytes in flight, and the slots of a worker lane. Each grant is a
// move-only lease that gives its share back when destroyed (a moved-to lease's old share goes
// back with the moved-from one). Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace vs::http {

// At most `capacity` holders at once: the queued + running requests of a lane.
class Slots {
 public:
  explicit Slots(size_t capacity) : capacity_(capacity) {}

  class Lease {
   public:
    Lease(Lease&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
    Lease& operator=(Lease&& other) noexcept {
      std::swap(owner_, other.owner_);
      return *this;
    }
    ~Lease();

   private:
    friend class Slots;
    explicit Lease(Slots* owner) : owner_(owner) {}
    Slots* owner_;
  };

  // A lease, or nothing when all `capacity` slots are held.
  std::optional<Lease> TryAcquire();
  size_t in_use() const;
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  size_t used_ = 0;
};

// Request-body bytes being received or held by a handler, server-wide, and how many of those
// bodies are large (over `large_bytes`).
class BodyBudget {
 public:
  BodyBudget(size_t max_bytes, size_t max_large, size_t large_bytes)
      : max_bytes_(max_bytes), max_large_(max_large), large_bytes_(large_bytes) {}

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)),
          bytes_(other.bytes_),
          large_(other.large_) {}
    Lease& operator=(Lease&& other) noexcept {
      std::swap(owner_, other.owner_);
      std::swap(bytes_, other.bytes_);
      std::swap(large_, other.large_);
      return *this;
    }
    ~Lease();
    // Widens the lease to `total` bytes (no-op if it already covers them). False, leaving the
    // lease as it was, if the budget cannot cover them.
    bool Grow(size_t total);
    size_t bytes() const { return bytes_; }

   private:
    friend class BodyBudget;
    Lease(BodyBudget* owner, size_t bytes, bool large)
        : owner_(owner), bytes_(bytes), large_(large) {}
    BodyBudget* owner_;
    size_t bytes_;
    bool large_;
  };

  // A lease of `bytes`, or nothing if that many bytes (or another large body) do not fit.
  std::optional<Lease> TryAcquire(size_t bytes);
  size_t bytes_in_use() const;
  size_t large_in_use() const;

 private:
  // Whether `bytes` more (and one more large body if `large`) fit; takes them if so.
  bool TakeLocked(size_t bytes, bool large);

  const size_t max_bytes_, max_large_, large_bytes_;
  mutable std::mutex mu_;
  size_t used_bytes_ = 0, used_large_ = 0;
};

// Open connections: at most `max_total`, and at most `max_per_address` from one peer address.
class ConnectionLimits : public std::enable_shared_from_this<ConnectionLimits> {
 public:
  ConnectionLimits(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : owner_(std::move(other.owner_)), address_(std::move(other.address_)) {}
    Lease& operator=(Lease&& other) noexcept {
      std::swap(owner_, other.owner_);
      std::swap(address_, other.address_);
      return *this;
    }
    ~Lease();

   private:
    friend class ConnectionLimits;
    Lease(std::shared_ptr<ConnectionLimits> owner, std::string address)
        : owner_(std::move(owner)), address_(std::move(address)) {}
    std::shared_ptr<ConnectionLimits> owner_;
    std::string address_;
  };

  enum class Verdict { kOk, kTooManyTotal, kTooManyFromAddress };
  // Admits one more connection from `address` into *lease, or says which limit it is over.
  // The object must be owned by a shared_ptr (leases keep it alive).
  Verdict TryOpen(const std::string& address, std::optional<Lease>* lease);
  size_t open() const;

 private:
  void Close(const std::string& address);

  const size_t max_total_, max_per_address_;
  mutable std::mutex mu_;
  size_t open_ = 0;
  std::map<std::string, size_t, std::less<>> per_address_;
};

}  // namespace vs::http
