// auditStatus(): the kernel's audit status (AUDIT_GET on a unicast NETLINK_AUDIT socket), read
// for its `lost` counter. Records the kernel drops before they get a serial — its backlog queue
// full past backlog_wait_time, the rate limit, no memory — reach no listener and leave no serial
// gap: this counter (kernel/audit.c audit_log_lost) is the only trace of them. Needs
// CAP_AUDIT_CONTROL in the initial user namespace; the caller says so when it is refused.
#include "status.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"

namespace auditnl {

namespace {
// The fields this reader knows; newer kernels append more, older ones have at least these.
constexpr size_t kStatusFields = 8;
constexpr int kReplyTimeoutMs = 1000;

struct Fd {
  int fd;
  ~Fd() { if (fd >= 0) close(fd); }
};
}  // namespace

Napi::Value AuditStatus(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Fd s{socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT)};
  if (s.fd < 0) throw SystemError(env, errno, "socket", "NETLINK_AUDIT");
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  nlmsghdr req{};
  req.nlmsg_len = NLMSG_LENGTH(0);
  req.nlmsg_type = AUDIT_GET;
  req.nlmsg_flags = NLM_F_REQUEST;
  req.nlmsg_seq = 1;
  if (sendto(s.fd, &req, req.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0) {
    throw SystemError(env, errno, "sendto", "AUDIT_GET");
  }
  alignas(nlmsghdr) char buf[8192];
  for (;;) {
    pollfd p{s.fd, POLLIN, 0};
    const int ready = poll(&p, 1, kReplyTimeoutMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) throw SystemError(env, ready == 0 ? ETIMEDOUT : errno, "poll", "AUDIT_GET reply");
    sockaddr_nl from{};
    socklen_t fromLen = sizeof from;
    const ssize_t n = recvfrom(s.fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw SystemError(env, errno, "recvfrom", "AUDIT_GET reply");
    }
    // Only the kernel (port 0) answers; anything else on this socket is not our reply.
    if (from.nl_pid != 0) continue;
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_seq != req.nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)) && e->error != 0) throw SystemError(env, e->error, "AUDIT_GET");
        continue;
      }
      if (h->nlmsg_type != AUDIT_GET) continue;
      uint32_t f[kStatusFields] = {};
      const size_t have = h->nlmsg_len - NLMSG_LENGTH(0);
      if (have < sizeof f) throw SystemError(env, EPROTO, "AUDIT_GET", "short audit_status reply");
      memcpy(f, NLMSG_DATA(h), sizeof f);
      // struct audit_status: mask, enabled, failure, pid, rate_limit, backlog_limit, lost, backlog.
      Napi::Object o = Napi::Object::New(env);
      o.Set("enabled", f[1]);
      o.Set("failure", f[2]);
      o.Set("pid", f[3]);
      o.Set("rateLimit", f[4]);
      o.Set("backlogLimit", f[5]);
      o.Set("lost", f[6]);
      o.Set("backlog", f[7]);
      return o;
    }
  }
}

}  // namespace auditnl
