// The one header for FFmpeg. Besides including the libraries, it turns the macros Swift cannot import
// (function-like or compound-literal macros) into `static inline` functions prefixed `ll_`.
#ifndef LIVELADDER_CFFMPEG_SHIM_H
#define LIVELADDER_CFFMPEG_SHIM_H

#include <libavformat/avformat.h>
#include <libavformat/avio.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavutil/avutil.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/mathematics.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <errno.h>
#include <malloc.h>

// AVERROR(e) is a function-like macro.
static inline int ll_averror(int posixError) { return AVERROR(posixError); }
// AVERROR_EOF is built with FFERRTAG, a function-like macro.
static inline int ll_averror_eof(void) { return AVERROR_EOF; }
// EAGAIN as FFmpeg returns it from the send/receive API.
static inline int ll_averror_eagain(void) { return AVERROR(EAGAIN); }
// AVERROR_EXIT: what a read returns when the interrupt callback asked to stop.
static inline int ll_averror_exit(void) { return AVERROR_EXIT; }
// AVERROR_INVALIDDATA and AVERROR_DECODER_NOT_FOUND use FFERRTAG too.
static inline int ll_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
// AVERROR_OPTION_NOT_FOUND uses FFERRTAG as well.
static inline int ll_averror_option_not_found(void) { return AVERROR_OPTION_NOT_FOUND; }
// AV_NOPTS_VALUE is an int64 cast expression Swift does not import.
static inline int64_t ll_nopts_value(void) { return AV_NOPTS_VALUE; }
// AV_TIME_BASE_Q is a compound literal.
static inline AVRational ll_time_base_q(void) { return AV_TIME_BASE_Q; }
// av_err2str uses a compound-literal buffer; this fills a caller-owned one instead.
static inline const char *ll_err2str(int errnum, char *buffer, size_t size) {
    av_strerror(errnum, buffer, size);
    return buffer;
}
// The AV_CHANNEL_LAYOUT_* initializers are compound literals.
static inline AVChannelLayout ll_channel_layout_mono(void) { return (AVChannelLayout)AV_CHANNEL_LAYOUT_MONO; }
static inline AVChannelLayout ll_channel_layout_stereo(void) { return (AVChannelLayout)AV_CHANNEL_LAYOUT_STEREO; }
// 5.1 with back surrounds: the layout of AAC's channelConfiguration 6. With side surrounds FFmpeg's AAC
// encoder writes configuration 0 plus a program config element, which players must guess a layout from
// (FFmpeg warns "Guessed Channel Layout").
static inline AVChannelLayout ll_channel_layout_5point1(void) { return (AVChannelLayout)AV_CHANNEL_LAYOUT_5POINT1_BACK; }
// AVFMT_FLAG_CUSTOM_IO and friends are plain ints, but AVIO's write callback type differs between
// FFmpeg versions (const uint8_t * since 6.1); a typedef keeps the Swift side version-neutral.
typedef int (*ll_avio_read_fn)(void *opaque, uint8_t *buf, int buf_size);
typedef int (*ll_avio_write_fn)(void *opaque, uint8_t *buf, int buf_size);
typedef int64_t (*ll_avio_seek_fn)(void *opaque, int64_t offset, int whence);
static inline AVIOContext *ll_avio_alloc_context(unsigned char *buffer, int buffer_size, int write_flag,
                                                 void *opaque, ll_avio_read_fn read_packet,
                                                 ll_avio_write_fn write_packet, ll_avio_seek_fn seek) {
    return avio_alloc_context(buffer, buffer_size, write_flag, opaque, read_packet, (void *)write_packet, seek);
}
// AVSEEK_SIZE is a plain define, imported, but keep the whence decoding next to the seek callback's users.
static inline int ll_avseek_size(void) { return AVSEEK_SIZE; }

// AVFrame's data/linesize are fixed C arrays (tuples in Swift) of other widths than
// av_image_fill_black wants; filling a picture with black is simplest on the C side.
static inline int ll_frame_fill_black(AVFrame *frame) {
    ptrdiff_t linesizes[4];
    for (int i = 0; i < 4; i++) linesizes[i] = frame->linesize[i];
    return av_image_fill_black(frame->data, linesizes, (enum AVPixelFormat)frame->format, AVCOL_RANGE_MPEG,
                               frame->width, frame->height);
}

// av_log callbacks take a va_list, which Swift cannot receive in a @convention(c) closure on Linux.
// The trampoline formats the line in C and hands Swift plain text. Only FFmpegKit includes this header,
// so there is exactly one copy of the sink variable.
#include <stdio.h>
typedef void (*ll_log_sink)(int level, const char *line);
// A function-local static: Swift's importer emits inline functions, not header-level static variables.
static inline ll_log_sink *ll_log_sink_slot(void) {
    static ll_log_sink slot;
    return &slot;
}
static inline void ll_log_trampoline(void *context, int level, const char *format, va_list arguments) {
    (void)context;
    ll_log_sink sink = *ll_log_sink_slot();
    if (level > av_log_get_level() || !sink) return;
    char line[1024];
    vsnprintf(line, sizeof line, format, arguments);
    sink(level, line);
}
static inline void ll_set_log_sink(ll_log_sink sink) {
    *ll_log_sink_slot() = sink;
    av_log_set_callback(ll_log_trampoline);
}

// glibc's mallopt parameters are macros; FFmpegKit's DeterministicMemory sets them.
static inline int ll_malloc_pin_contents(int pattern, int mappingThreshold) {
    return mallopt(M_MMAP_THRESHOLD, mappingThreshold) && mallopt(M_PERTURB, pattern);
}

#endif
