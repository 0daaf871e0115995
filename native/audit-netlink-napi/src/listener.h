#pragma once
#include <napi.h>
#include <uv.h>

#include <vector>

namespace auditnl {

// One NETLINK_AUDIT socket bound to AUDIT_NLGRP_READLOG. Owns the fd and the uv_poll handle; one
// idempotent Release() serves close(), the destructor (GC) and the environment's cleanup hook.
class Listener : public Napi::ObjectWrap<Listener> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit Listener(const Napi::CallbackInfo& info);
  ~Listener() override;

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnEnvCleanup(void* arg);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value Drain(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  // Receives up to maxBatch_ messages and hands them to the callback; returns how many.
  int ReceiveBatch(Napi::Env env, bool fromJs);
  void Release();

  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  bool cleanupHook_ = false;
  unsigned maxBatch_ = 256;
  Napi::FunctionReference callback_;
  Napi::Env env_;
  std::vector<char> buffers_;
};

}  // namespace auditnl
