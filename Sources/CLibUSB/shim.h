// libusb-1.0 for Swift: fixed-arity wrappers for what does not import (variadic functions, function-like macros).
#include <libusb-1.0/libusb.h>

static inline int clibusb_set_log_level(libusb_context *ctx, int level) {
    return libusb_set_option(ctx, LIBUSB_OPTION_LOG_LEVEL, level);
}

static inline int clibusb_has_hotplug(void) {
    return libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG);
}
