#ifndef RUNNER_CDATALOADING_H
#define RUNNER_CDATALOADING_H

#include <stddef.h>
#include <stdint.h>

/// The image size of a JPEG held in memory, read from its header. Returns 0, or -1 with a
/// message in `message` (a truncated or damaged header, not a JPEG, an unsupported colour space).
int runner_jpeg_size(const uint8_t *data, size_t size, int *width, int *height,
                     char *message, size_t message_size);

/// Decodes part of a JPEG held in memory to interleaved RGB bytes, as Pillow's
/// `Image.open(…).convert("RGB")` gives them (accurate integer IDCT, fancy upsampling; grey
/// JPEGs repeated to three channels; CMYK and YCCK through Pillow's CMYK-to-RGB formula).
///
/// The image is first scaled by `scale_num`/8 in the DCT (1 … 8; 8 is full size). Rows
/// `top ..< top + height` and columns `left ..< left + width` of the scaled image are decoded;
/// libjpeg-turbo widens the columns to whole iMCUs, so the columns actually decoded start at
/// `*out_left` and are `*out_width` wide (the rows are exactly those asked for). `out` receives
/// `height` rows of `*out_width * 3` bytes; `capacity` is its size in bytes.
///
/// Only the requested rows go through the IDCT and colour conversion, only the widened columns
/// through upsampling. A file that ends before its end-of-image marker is refused (Pillow calls
/// it truncated) even when the rows asked for were complete, so whether a file is good does not
/// depend on the region. Other libjpeg warnings (extraneous bytes) are ignored, as in Pillow.
///
/// Returns 0; -1 with a message on a damaged or truncated file; -2 when `capacity` is too small
/// (then `*out_width` holds the width needed).
int runner_jpeg_decode_region(const uint8_t *data, size_t size, int scale_num,
                              int top, int left, int height, int width,
                              uint8_t *out, size_t capacity, int *out_left, int *out_width,
                              char *message, size_t message_size);

/// Makes the calling thread a background thread (Linux: `SCHED_IDLE`, else the lowest `nice`),
/// so it runs only on cores the other threads of the process leave idle. Returns 0 on success.
int runner_thread_make_background(void);

/// Lowers the calling thread's priority to `nice` (0 … 19; Linux, per thread). Returns 0 on success.
int runner_thread_set_nice(int nice);

#endif
