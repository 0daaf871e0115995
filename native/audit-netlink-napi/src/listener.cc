// The kernel sends every audit record to this group before auditd or printk see it
// (kernel/audit.c kauditd_send_multicast_skb), from the initial network namespace only; binding
// needs CAP_AUDIT_READ. Multicast has no flow control: when the receive buffer is full the kernel
// drops the message, counts it in the socket's sk_drops (the Drops column of /proc/net/netlink)
// and makes the next recv fail once with ENOBUFS (netlink_overrun()). Both are reported up, never
// swallowed: the caller turns them into loss notices.
#include "listener.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

namespace auditnl {

namespace {
// MAX_AUDIT_MESSAGE_LENGTH (8970) plus the netlink header, rounded up.
constexpr size_t kMessageMax = 9216;
// Messages per recvmmsg() call.
constexpr unsigned kVector = 64;
}  // namespace

Napi::Function Listener::Init(Napi::Env env) {
  return DefineClass(env, "AuditListener", {
    InstanceMethod<&Listener::Pause>("pause"),
    InstanceMethod<&Listener::Resume>("resume"),
    InstanceMethod<&Listener::Drain>("drain"),
    InstanceMethod<&Listener::Info>("info"),
    InstanceMethod<&Listener::Close>("close"),
  });
}

// new AuditListener({ rcvbuf?: number, maxBatch?: number, group?: number },
//                   onBatch: (types: Uint32Array, texts: string[], overflows: number) => void)
// Starts paused: resume() begins delivery on Node's loop.
Listener::Listener(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Listener>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  REQUIRE_ARGUMENT(info, 0, IsObject, "AuditListener(options: { rcvbuf?, maxBatch?, group? }, onBatch: (types, texts, overflows) => void)");
  REQUIRE_ARGUMENT(info, 1, IsFunction, "AuditListener(options: { rcvbuf?, maxBatch?, group? }, onBatch: (types, texts, overflows) => void)");
  Napi::Object o = info[0].As<Napi::Object>();
  auto num = [&](const char* key, double dflt, double min, double max) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined()) return dflt;
    if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("AuditListener: ") + key + " must be a number");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!(d >= min && d <= max)) throw Napi::RangeError::New(env, std::string("AuditListener: ") + key + " out of range");
    return d;
  };
  const int rcvbuf = static_cast<int>(num("rcvbuf", 0, 0, 1 << 30));
  maxBatch_ = static_cast<unsigned>(num("maxBatch", 256, 1, 65536));
  const int group = static_cast<int>(num("group", AUDIT_NLGRP_READLOG, 1, 31));
  callback_ = Napi::Persistent(info[1].As<Napi::Function>());

  fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
  if (fd_ < 0) throw SystemError(env, errno, "socket", "AF_NETLINK, NETLINK_AUDIT");
  if (rcvbuf > 0) {
    // SO_RCVBUFFORCE (CAP_NET_ADMIN) goes beyond net.core.rmem_max; without it, SO_RCVBUF is
    // silently capped at rmem_max (info().rcvbuf says what the kernel granted).
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0) {
      int e = errno;
      if (e != EPERM || setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) != 0) {
        Release();
        throw SystemError(env, e, "setsockopt", "SO_RCVBUFFORCE");
      }
    }
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_pid = 0;
  addr.nl_groups = 1u << (group - 1);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    Release();
    throw SystemError(env, e, "bind", "NETLINK_AUDIT multicast group " + std::to_string(group) + (e == EPERM ? ": needs CAP_AUDIT_READ" : ""));
  }
  buffers_.resize(kMessageMax * kVector);
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  poll_->data = this;
  if (int r = uv_poll_init(loop, poll_, fd_); r != 0) {
    delete poll_;
    poll_ = nullptr;
    Release();
    throw SystemError(env, -r, "uv_poll_init");
  }
  napi_add_env_cleanup_hook(env, &Listener::OnEnvCleanup, this);
  cleanupHook_ = true;
}

Listener::~Listener() { Release(); }

void Listener::OnEnvCleanup(void* arg) {
  auto* self = static_cast<Listener*>(arg);
  self->cleanupHook_ = false;  // the hook is being run: removing it now is not allowed
  self->Release();
}

void Listener::Release() {
  if (cleanupHook_) {
    napi_remove_env_cleanup_hook(env_, &Listener::OnEnvCleanup, this);
    cleanupHook_ = false;
  }
  if (poll_) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  polling_ = false;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

int Listener::ReceiveBatch(Napi::Env env, bool fromJs) {
  std::vector<uint32_t> types;
  std::vector<napi_value> texts;
  unsigned overflows = 0;
  int error = 0;
  mmsghdr msgs[kVector];
  iovec iov[kVector];
  while (types.size() < maxBatch_ && fd_ >= 0) {
    const unsigned want = std::min<unsigned>(kVector, maxBatch_ - static_cast<unsigned>(types.size()));
    for (unsigned i = 0; i < want; i++) {
      iov[i] = {buffers_.data() + i * kMessageMax, kMessageMax};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd_, msgs, want, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOBUFS) {
        // Messages were dropped since the last read; the socket works on. sk_drops has the count.
        overflows++;
        continue;
      }
      if (errno != EAGAIN && errno != EWOULDBLOCK) error = errno;
      break;
    }
    for (int i = 0; i < n; i++) {
      const char* base = static_cast<const char*>(iov[i].iov_base);
      // int, as NLMSG_OK/NLMSG_NEXT expect: the kernel's nlmsg_len is not padded to NLMSG_ALIGN, so
      // the last step may go below zero, which an unsigned length would wrap.
      int len = static_cast<int>(msgs[i].msg_len);
      // One datagram may carry several messages (it does not for audit, but netlink allows it).
      for (auto* nh = reinterpret_cast<const nlmsghdr*>(base); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
        const char* data = static_cast<const char*>(NLMSG_DATA(nh));
        size_t dlen = nh->nlmsg_len > NLMSG_HDRLEN ? nh->nlmsg_len - NLMSG_HDRLEN : 0;
        while (dlen > 0 && data[dlen - 1] == '\0') dlen--;
        napi_value s;
        // latin1: the raw bytes, one char each; comm/exe bytes stay exact for the parsers.
        napi_create_string_latin1(env, data, dlen, &s);
        types.push_back(nh->nlmsg_type);
        texts.push_back(s);
      }
    }
    if (static_cast<unsigned>(n) < want) break;
  }
  if (error != 0 && types.empty() && overflows == 0) {
    if (fromJs) throw SystemError(env, error, "recvmmsg");
    // From the loop: hand the error to the callback as a batch-less call.
  }
  if (types.empty() && overflows == 0 && error == 0) return 0;
  auto typed = Napi::Uint32Array::New(env, types.size());
  for (size_t i = 0; i < types.size(); i++) typed[i] = types[i];
  auto arr = Napi::Array::New(env, texts.size());
  for (size_t i = 0; i < texts.size(); i++) arr.Set(static_cast<uint32_t>(i), texts[i]);
  std::vector<napi_value> args = {typed, arr, Napi::Number::New(env, overflows)};
  if (error != 0) args.push_back(SystemError(env, error, "recvmmsg").Value());
  if (fromJs) callback_.Call(args);
  else callback_.MakeCallback(env.Global(), args);
  return static_cast<int>(types.size());
}

void Listener::OnReadable(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<Listener*>(handle->data);
  if (!self || self->fd_ < 0) return;
  Napi::HandleScope scope(self->env_);
  try {
    self->ReceiveBatch(self->env_, false);
    // ENOBUFS is a socket error (POLLERR): libuv stops the handle and reports UV_EBADF. The read
    // above consumed the error; watch the socket again, or it would go silent after one overflow.
    if (status < 0 && self->poll_ && self->polling_ && self->fd_ >= 0) {
      if (int r = uv_poll_start(self->poll_, UV_READABLE, &Listener::OnReadable); r != 0) {
        self->polling_ = false;
        throw SystemError(self->env_, -r, "uv_poll_start");
      }
    }
  } catch (const Napi::Error& e) {
    // A callback that threw: Node reports it as an uncaught exception, like any event handler.
    napi_fatal_exception(self->env_, e.Value());
  }
}

// pause(): stop reading; the kernel queues up to the receive buffer, then drops (and counts).
Napi::Value Listener::Pause(const Napi::CallbackInfo& info) {
  if (poll_ && polling_) uv_poll_stop(poll_);
  polling_ = false;
  return info.Env().Undefined();
}

Napi::Value Listener::Resume(const Napi::CallbackInfo& info) {
  if (fd_ < 0) throw SystemError(info.Env(), EBADF, "resume", "listener is closed");
  if (poll_ && !polling_) {
    if (int r = uv_poll_start(poll_, UV_READABLE, &Listener::OnReadable); r != 0) throw SystemError(info.Env(), -r, "uv_poll_start");
    polling_ = true;
  }
  return info.Env().Undefined();
}

// drain(): read what is queued now, synchronously (tests, shutdown); returns records delivered.
Napi::Value Listener::Drain(const Napi::CallbackInfo& info) {
  if (fd_ < 0) return Napi::Number::New(info.Env(), 0);
  return Napi::Number::New(info.Env(), ReceiveBatch(info.Env(), true));
}

// info(): { inode, portid, rcvbuf } — inode finds this socket's Drops in /proc/net/netlink.
Napi::Value Listener::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (fd_ < 0) throw SystemError(env, EBADF, "info", "listener is closed");
  struct stat st{};
  if (fstat(fd_, &st) != 0) throw SystemError(env, errno, "fstat");
  sockaddr_nl addr{};
  socklen_t alen = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) throw SystemError(env, errno, "getsockname");
  int rcvbuf = 0;
  socklen_t olen = sizeof rcvbuf;
  if (getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &olen) != 0) throw SystemError(env, errno, "getsockopt", "SO_RCVBUF");
  Napi::Object out = Napi::Object::New(env);
  out.Set("inode", Napi::Number::New(env, static_cast<double>(st.st_ino)));
  out.Set("portid", Napi::Number::New(env, addr.nl_pid));
  out.Set("rcvbuf", Napi::Number::New(env, rcvbuf));
  return out;
}

Napi::Value Listener::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace auditnl
