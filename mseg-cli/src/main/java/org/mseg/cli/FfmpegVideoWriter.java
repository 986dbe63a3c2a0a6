package org.mseg.cli;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_d2q;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_inv_q;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.MsegException;

/**
 * Encodes 8-bit BGR frames into a video file with the bundled FFmpeg: H.264 (OpenH264, the LGPL build's H.264
 * encoder) in MP4, falling back to MPEG-4 Part 2 in MP4 if that encoder is missing; or Motion-JPEG in AVI for a
 * {@code .avi} target (VP8 for WebM, which tests use). Frames of odd width or height are scaled to the even size 4:2:0 needs. Close it to finish the
 * file.
 */
final class FfmpegVideoWriter implements AutoCloseable {
    static {
        // FFmpeg's own warnings (codec profile notes and the like) would flood the console; errors reach the user
        // through the exceptions' messages.
        av_log_set_level(AV_LOG_ERROR);
    }

    private final Path file;
    private final AVFormatContext format;
    private final AVCodecContext encoder;
    private final AVStream stream;
    private final AVFrame frame;
    /** The BGR input, in a padded FFmpeg buffer. */
    private final AVFrame source = av_frame_alloc();
    private final AVPacket packet;
    private final String codecName;
    private final int width;
    private final int height;
    private SwsContext sws;
    private int inWidth = -1;
    private int inHeight = -1;
    private long next;
    private boolean closed;

    private FfmpegVideoWriter(Path file, AVFormatContext format, AVCodecContext encoder, AVStream stream,
            String codecName) {
        this.file = file;
        this.format = format;
        this.encoder = encoder;
        this.stream = stream;
        this.codecName = codecName;
        this.width = encoder.width();
        this.height = encoder.height();
        this.frame = av_frame_alloc();
        this.packet = av_packet_alloc();
        frame.format(encoder.pix_fmt());
        frame.width(width);
        frame.height(height);
        check(av_frame_get_buffer(frame, 0), "cannot allocate a frame for");
    }

    /**
     * Opens {@code file} for {@code width × height} frames at {@code fps} in a container FFmpeg names
     * ({@code mp4} or {@code matroska}: H.264, else MPEG-4 Part 2; {@code avi}: Motion-JPEG; {@code webm}: VP8).
     */
    static FfmpegVideoWriter open(Path file, String containerName, int width, int height, double fps) {
        String[] candidates = switch (containerName) {
            case "avi" -> new String[] {"mjpeg"};
            case "webm" -> new String[] {"libvpx", "libvpx-vp9"};
            default -> new String[] {"libopenh264", "libx264", "mpeg4"};
        };
        AVCodec codec = null;
        for (String name : candidates) {
            codec = avcodec_find_encoder_by_name(name);
            if (codec != null && !codec.isNull()) {
                break;
            }
        }
        if (codec == null || codec.isNull()) {
            throw new MsegException("the bundled FFmpeg has none of the encoders " + String.join(", ", candidates)
                    + " to write " + file);
        }
        AVFormatContext format = new AVFormatContext(null);
        String path = file.toAbsolutePath().toString();
        int r = avformat_alloc_output_context2(format, (AVOutputFormat) null, containerName, path);
        if (r < 0 || format.isNull()) {
            throw new MsegException("cannot create a " + containerName + " file " + file + ": "
                    + FfmpegVideoReader.error(r));
        }
        AVCodecContext encoder = null;
        try {
            AVStream stream = avformat_new_stream(format, null);
            encoder = avcodec_alloc_context3(codec);
            encoder.width(width & ~1);
            encoder.height(height & ~1);
            AVRational rate = av_d2q(fps, 100_000);
            encoder.framerate(rate);
            encoder.time_base(av_inv_q(rate));
            encoder.pix_fmt(codec.id() == AV_CODEC_ID_MJPEG ? AV_PIX_FMT_YUVJ420P : AV_PIX_FMT_YUV420P);
            encoder.gop_size((int) Math.max(1, Math.round(fps)));
            // About 0.2 bits a pixel: clean overlays and legible names at ~2 Mbit/s for 640 × 480 at 30 frames/s.
            encoder.bit_rate(Math.max(200_000L, Math.round(0.2 * width * height * fps)));
            if (codec.id() == AV_CODEC_ID_MJPEG) {
                encoder.qmin(2);
                encoder.qmax(4);
            }
            if ((format.oformat().flags() & AVFMT_GLOBALHEADER) != 0) {
                encoder.flags(encoder.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            }
            int open = avcodec_open2(encoder, codec, (AVDictionary) null);
            if (open < 0) {
                throw new MsegException("cannot open the " + codec.name().getString() + " encoder for " + file + ": "
                        + FfmpegVideoReader.error(open));
            }
            int params = avcodec_parameters_from_context(stream.codecpar(), encoder);
            if (params < 0) {
                throw new MsegException("cannot set up the stream of " + file + ": " + FfmpegVideoReader.error(params));
            }
            stream.time_base(encoder.time_base());
            AVIOContext io = new AVIOContext(null);
            int io0 = avio_open(io, path, AVIO_FLAG_WRITE);
            if (io0 < 0) {
                throw new MsegException("cannot write " + file + ": " + FfmpegVideoReader.error(io0)
                        + ". Is the folder writable?");
            }
            format.pb(io);
            int header = avformat_write_header(format, (AVDictionary) null);
            if (header < 0) {
                avio_closep(format.pb());
                throw new MsegException("cannot write the header of " + file + ": " + FfmpegVideoReader.error(header));
            }
            return new FfmpegVideoWriter(file, format, encoder, stream, codec.name().getString());
        } catch (RuntimeException e) {
            if (encoder != null) {
                avcodec_free_context(encoder);
            }
            avformat_free_context(format);
            throw e;
        }
    }

    /** The encoder's name (e.g. {@code libopenh264}). */
    String codecName() {
        return codecName;
    }

    /** A short description for logs: codec, size. */
    String describe() {
        return String.format(Locale.ROOT, "%s, %d x %d", codecName, width, height);
    }

    /** Encodes one 8-bit BGR frame; every frame must have the first frame's size. */
    void write(Mat bgr) {
        if (inWidth < 0) {
            inWidth = bgr.cols();
            inHeight = bgr.rows();
            sws = sws_getContext(inWidth, inHeight, AV_PIX_FMT_BGR24, width, height, encoder.pix_fmt(), SWS_BILINEAR,
                    (SwsFilter) null, (SwsFilter) null, (DoublePointer) null);
            source.format(AV_PIX_FMT_BGR24);
            source.width(inWidth);
            source.height(inHeight);
            check(av_frame_get_buffer(source, 64), "cannot allocate a frame for");
        } else if (bgr.cols() != inWidth || bgr.rows() != inHeight) {
            throw new MsegException("frame of " + bgr.cols() + " x " + bgr.rows() + " for " + file + ", whose frames"
                    + " are " + inWidth + " x " + inHeight);
        }
        // swscale's vector code may read past the end of a row, so the frame goes through FFmpeg's padded buffer.
        check(av_frame_make_writable(source), "cannot prepare a frame of");
        try (Mat view = new Mat(inHeight, inWidth, CV_8UC3, source.data(0), source.linesize(0))) {
            bgr.copyTo(view);
        }
        check(av_frame_make_writable(frame), "cannot prepare a frame of");
        sws_scale(sws, source.data(), source.linesize(), 0, inHeight, frame.data(), frame.linesize());
        frame.pts(next++);
        check(avcodec_send_frame(encoder, frame), "cannot encode a frame of");
        drain();
    }

    /** Frames written so far. */
    long frames() {
        return next;
    }

    private void drain() {
        while (true) {
            int r = avcodec_receive_packet(encoder, packet);
            if (r == FfmpegVideoReader.AVERROR_EAGAIN || r == AVERROR_EOF) {
                return;
            }
            check(r, "cannot encode");
            if (packet.duration() <= 0) {
                // Without a duration the MP4 muxer gives the last frame none, and readers drop it.
                packet.duration(1);
            }
            av_packet_rescale_ts(packet, encoder.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            check(av_interleaved_write_frame(format, packet), "cannot write");
        }
    }

    private void check(int code, String what) {
        if (code < 0) {
            throw new MsegException(what + " " + file + ": " + FfmpegVideoReader.error(code));
        }
    }

    /** Flushes the encoder, writes the trailer and releases everything, even after a failure. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            check(avcodec_send_frame(encoder, null), "cannot finish");
            drain();
            check(av_write_trailer(format), "cannot finish");
        } finally {
            if (sws != null) {
                sws_freeContext(sws);
            }
            av_frame_free(frame);
            av_frame_free(source);
            av_packet_free(packet);
            avcodec_free_context(encoder);
            avio_closep(format.pb());
            avformat_free_context(format);
        }
    }
}
