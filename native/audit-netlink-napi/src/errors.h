// The addon's errors: native/common/system-error.h's SystemError.
#pragma once
#include "../../common/system-error.h"

namespace auditnl {

using napi_common::SystemError;

}  // namespace auditnl
