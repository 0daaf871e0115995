// Owners for the two kinds of handle the addon opens, so every path (return or throw) frees them.
#pragma once

#include <seccomp.h>
#include <unistd.h>

#include <memory>
#include <utility>

namespace scmp_napi {

struct FilterCtxRelease {
  void operator()(void* ctx) const noexcept { seccomp_release(static_cast<scmp_filter_ctx>(ctx)); }
};
using FilterCtx = std::unique_ptr<void, FilterCtxRelease>;

class UniqueFd {
 public:
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

}  // namespace scmp_napi
