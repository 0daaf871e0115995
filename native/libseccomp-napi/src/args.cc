#include "args.h"

#include <cmath>
#include <string>

namespace scmp_napi {

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;

double IntegerNumber(const Napi::Value& value, const char* what) {
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a number");
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " must be an integer");
  }
  return d;
}

}  // namespace

uint32_t Uint32Arg(const Napi::Value& value, const char* what) {
  const double d = IntegerNumber(value, what);
  if (d < 0 || d > 4294967295.0) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " must be between 0 and 0xffffffff");
  }
  return static_cast<uint32_t>(d);
}

int32_t Int32Arg(const Napi::Value& value, const char* what) {
  const double d = IntegerNumber(value, what);
  if (d < -2147483648.0 || d > 2147483647.0) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " must fit a signed 32-bit integer");
  }
  return static_cast<int32_t>(d);
}

uint64_t Uint64Arg(const Napi::Value& value, const char* what) {
  if (value.IsBigInt()) {
    bool lossless = false;
    const uint64_t v = value.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) {
      throw Napi::RangeError::New(value.Env(), std::string(what) + " must be between 0 and 2^64-1");
    }
    return v;
  }
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a number or a bigint");
  const double d = IntegerNumber(value, what);
  if (d < 0 || d > kMaxSafeInteger) {
    throw Napi::RangeError::New(value.Env(), std::string(what) + " must be a non-negative safe integer (use a bigint above 2^53)");
  }
  return static_cast<uint64_t>(d);
}

std::string StringArg(const Napi::Value& value, const char* what) {
  if (!value.IsString()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be a string");
  std::string s = value.As<Napi::String>().Utf8Value();
  // libseccomp takes C strings: an embedded NUL would silently shorten the name.
  if (s.find('\0') != std::string::npos) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must not contain NUL");
  }
  return s;
}

Napi::Array ArrayArg(const Napi::Value& value, const char* what) {
  if (!value.IsArray()) throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an array");
  return value.As<Napi::Array>();
}

Napi::Object ObjectArg(const Napi::Value& value, const char* what) {
  if (!value.IsObject() || value.IsArray()) {
    throw Napi::TypeError::New(value.Env(), std::string(what) + " must be an object");
  }
  return value.As<Napi::Object>();
}

}  // namespace scmp_napi
