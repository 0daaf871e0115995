// RingBuffer: delivers BPF_MAP_TYPE_RINGBUF records to a JS callback from Node's own event
// loop (uv_poll on libbpf's epoll fd), so no thread and no busy polling.
#include <cerrno>
#include "errors.h"
#include "handles.h"

namespace ebpf {

Napi::Function RingBuffer::Init(Napi::Env env) {
  return DefineClass(env, "RingBuffer", {
    InstanceMethod<&RingBuffer::Consume>("consume"),
    InstanceMethod<&RingBuffer::Close>("close"),
  });
}

// new RingBuffer(mapFd: number, onRecord: (data: Buffer) => void)
RingBuffer::RingBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RingBuffer>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction())
    throw Napi::TypeError::New(env, "RingBuffer(mapFd: number, onRecord: (data: Buffer) => void)");
  callback_ = Napi::Persistent(info[1].As<Napi::Function>());
  rb_ = ring_buffer__new(info[0].As<Napi::Number>().Int32Value(), &RingBuffer::OnSample, this, nullptr);
  if (!rb_) throw SystemError(env, errno, "ring_buffer__new");
  uv_loop_t* loop = nullptr;
  napi_get_uv_event_loop(env, &loop);
  poll_ = new uv_poll_t;
  poll_->data = this;
  if (int r = uv_poll_init(loop, poll_, ring_buffer__epoll_fd(rb_)); r != 0) {
    delete poll_;
    poll_ = nullptr;
    Release();
    throw SystemError(env, -r, "uv_poll_init");
  }
  uv_poll_start(poll_, UV_READABLE, &RingBuffer::OnReadable);
}

RingBuffer::~RingBuffer() { Release(); }

void RingBuffer::Release() {
  if (poll_) {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    poll_ = nullptr;
  }
  if (rb_) ring_buffer__free(rb_);
  rb_ = nullptr;
}

int RingBuffer::OnSample(void* ctx, void* data, size_t size) {
  auto* self = static_cast<RingBuffer*>(ctx);
  Napi::Env env = self->env_;
  auto buf = Napi::Buffer<char>::Copy(env, static_cast<char*>(data), size);
  if (self->inCallback_) {
    // Called from consume(): we are inside JS already.
    self->callback_.Call({buf});
  } else {
    self->callback_.MakeCallback(env.Global(), {buf});
  }
  return 0;
}

void RingBuffer::OnReadable(uv_poll_t* handle, int status, int events) {
  auto* self = static_cast<RingBuffer*>(handle->data);
  if (!self || !self->rb_) return;
  Napi::HandleScope scope(self->env_);
  ring_buffer__consume(self->rb_);
}

// consume(): drain now, synchronously (for tests and shutdown); returns records delivered.
Napi::Value RingBuffer::Consume(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!rb_) return Napi::Number::New(env, 0);
  inCallback_ = true;
  int n = ring_buffer__consume(rb_);
  inCallback_ = false;
  if (n < 0) throw SystemError(env, ErrnoOf(n), "ring_buffer__consume");
  return Napi::Number::New(env, n);
}

Napi::Value RingBuffer::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace ebpf
