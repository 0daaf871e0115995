// The addon's errors: native/common/system-error.h's SystemError (libseccomp's -EINVAL keeps its
// sign in the JS `errno`, like Node's).
#pragma once
#include "../../common/system-error.h"

namespace scmp_napi {

using napi_common::SystemError;

}  // namespace scmp_napi
