#ifndef CHECKPOINT_CPNG_SHIM_H
#define CHECKPOINT_CPNG_SHIM_H
#include <png.h>
#include <string.h>

/* libpng's simplified API (1.6) writes a whole RGB image in one call and reports errors in the image struct,
   so no setjmp crosses into Swift. Returns 0 on success, or copies the message into `error`. */
static inline int cpng_write_rgb(const char *path, const void *rgb, unsigned width, unsigned height,
                                 char *error, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = PNG_FORMAT_RGB;
    if (png_image_write_to_file(&image, path, 0, rgb, 0, NULL)) return 0;
    strncpy(error, image.message, error_size - 1);
    error[error_size - 1] = 0;
    return -1;
}
#endif
