// Region and reduced-scale JPEG decoding through libjpeg-turbo's libjpeg API (the TurboJPEG
// API of Debian's 2.1 has no cropping). Errors longjmp back here, never across Swift frames.
#include "CDataLoading.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

struct error_manager {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *message;
    size_t message_size;
};

static void fail(j_common_ptr cinfo) {
    struct error_manager *error = (struct error_manager *)cinfo->err;
    if (error->message != NULL && error->message_size > 0) {
        char buffer[JMSG_LENGTH_MAX];
        cinfo->err->format_message(cinfo, buffer);
        snprintf(error->message, error->message_size, "%s", buffer);
    }
    longjmp(error->jump, 1);
}

// Warnings: a premature end of data is fatal (a truncated file); the others are ignored.
static void emit(j_common_ptr cinfo, int level) {
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) fail(cinfo);
}

static void quiet(j_common_ptr cinfo) { (void)cinfo; }

static void set_message(char *message, size_t size, const char *text) {
    if (message != NULL && size > 0) snprintf(message, size, "%s", text);
}

// Whether an end-of-image marker follows the first scan's header. Entropy-coded data never
// holds 0xFF 0xD9 (0xFF is stuffed with 0x00), so a file without one was cut short.
static int has_end_marker(const uint8_t *data, size_t size, size_t scan_start) {
    for (size_t i = size; i >= scan_start + 2; i--) {
        if (data[i - 2] == 0xFF && data[i - 1] == 0xD9) return 1;
    }
    return 0;
}

static void setup(struct jpeg_decompress_struct *cinfo, struct error_manager *error, char *message,
                  size_t message_size) {
    cinfo->err = jpeg_std_error(&error->pub);
    error->pub.error_exit = fail;
    error->pub.emit_message = emit;
    error->pub.output_message = quiet;
    error->message = message;
    error->message_size = message_size;
}

int runner_jpeg_size(const uint8_t *data, size_t size, int *width, int *height, char *message,
                     size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct error_manager error;
    setup(&cinfo, &error, message, message_size);
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

// Pillow's CMYK to RGB (its JPEG reader takes CMYK as inverted, Adobe's convention).
static void cmyk_to_rgb(const uint8_t *in, uint8_t *out, int count) {
    for (int i = 0; i < count; i++) {
        int c = 255 - in[4 * i], m = 255 - in[4 * i + 1], y = 255 - in[4 * i + 2], k = 255 - in[4 * i + 3];
        int nk = 255 - k;
        int values[3] = {c, m, y};
        for (int j = 0; j < 3; j++) {
            int t = values[j] * nk + 128;
            int v = nk - (((t >> 8) + t) >> 8);
            out[3 * i + j] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

int runner_jpeg_decode_region(const uint8_t *data, size_t size, int scale_num, int top, int left,
                              int height, int width, uint8_t *out, size_t capacity, int *out_left,
                              int *out_width, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    struct error_manager error;
    uint8_t *volatile cmyk_row = NULL;
    setup(&cinfo, &error, message, message_size);
    if (setjmp(error.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    size_t scan_start = (size_t)(cinfo.src->next_input_byte - data);
    if (!has_end_marker(data, size, scan_start)) {
        set_message(message, message_size, "is truncated (no end-of-image marker)");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    cinfo.scale_num = (unsigned int)(scale_num < 1 ? 1 : scale_num > 8 ? 8 : scale_num);
    cinfo.scale_denom = 8;
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.do_fancy_upsampling = TRUE;
    jpeg_start_decompress(&cinfo);
    int full_width = (int)cinfo.output_width, full_height = (int)cinfo.output_height;
    if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > full_height || left + width > full_width) {
        set_message(message, message_size, "region outside the image");
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    JDIMENSION x = (JDIMENSION)left, w = (JDIMENSION)width;
    if (left != 0 || width != full_width) jpeg_crop_scanline(&cinfo, &x, &w);
    *out_left = (int)x;
    *out_width = (int)w;
    if ((size_t)w * (size_t)height * 3 > capacity) {
        jpeg_destroy_decompress(&cinfo);
        return -2;
    }
    if (cmyk) cmyk_row = malloc((size_t)w * 4);
    if (top > 0) jpeg_skip_scanlines(&cinfo, (JDIMENSION)top);
    for (int row = 0; row < height; row++) {
        uint8_t *target = out + (size_t)row * w * 3;
        JSAMPROW pointer = cmyk ? cmyk_row : target;
        if (jpeg_read_scanlines(&cinfo, &pointer, 1) != 1) {
            set_message(message, message_size, "ended before its last row");
            jpeg_destroy_decompress(&cinfo);
            free(cmyk_row);
            return -1;
        }
        if (cmyk) cmyk_to_rgb(cmyk_row, target, (int)w);
    }
    // The rows below the region are never decoded.
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    return 0;
}
