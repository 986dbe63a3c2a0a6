package org.mseg.cli;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getCachedContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.ffmpeg.swscale.SwsFilter;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.DatasetException;

/**
 * Decodes the video stream of any container and codec the bundled FFmpeg reads (MP4/H.264, MKV, WebM/VP8/VP9,
 * MJPEG AVI, ...) into 8-bit BGR Mats. Uses bytedeco's FFmpeg preset directly: JavaCV's module descriptor requires
 * every camera and OCR preset (and JavaFX), so it cannot resolve on this project's module path. Close it.
 */
final class FfmpegVideoReader implements AutoCloseable {
    static {
        // FFmpeg's own warnings (codec profile notes and the like) would flood the console; errors reach the user
        // through the exceptions' messages.
        av_log_set_level(AV_LOG_ERROR);
    }

    /** {@code AVERROR(EAGAIN)} on Linux: the decoder wants more input. */
    static final int AVERROR_EAGAIN = -11;

    private final Path file;
    private final AVFormatContext format;
    private final AVCodecContext decoder;
    private final AVPacket packet;
    private final AVFrame frame;
    private final int stream;
    private final double fps;
    private final long frameCount;
    private SwsContext sws;
    private AVFrame converted;
    private boolean draining;
    private boolean closed;

    private FfmpegVideoReader(Path file, AVFormatContext format, AVCodecContext decoder, int stream, double fps,
            long frameCount) {
        this.file = file;
        this.format = format;
        this.decoder = decoder;
        this.stream = stream;
        this.fps = fps;
        this.frameCount = frameCount;
        this.packet = av_packet_alloc();
        this.frame = av_frame_alloc();
    }

    /**
     * Opens a video file.
     *
     * @throws DatasetException naming the file and FFmpeg's reason when it is no video FFmpeg can decode
     */
    static FfmpegVideoReader open(Path file) {
        AVFormatContext format = new AVFormatContext(null);
        check(avformat_open_input(format, file.toAbsolutePath().toString(), null, null), file, "cannot open");
        AVCodecContext decoder = null;
        try {
            check(avformat_find_stream_info(format, (AVDictionary) null), file, "cannot read the streams of");
            int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
            if (stream < 0) {
                throw new DatasetException("video " + file + " has no video stream FFmpeg can decode ("
                        + error(stream) + "); re-encode it, e.g. ffmpeg -i " + file + " -c:v libx264 out.mp4");
            }
            AVStream st = format.streams(stream);
            AVCodec codec = avcodec_find_decoder(st.codecpar().codec_id());
            if (codec == null || codec.isNull()) {
                throw new DatasetException("video " + file + ": the bundled FFmpeg has no decoder for its codec"
                        + " (id " + st.codecpar().codec_id() + "); re-encode it, e.g. ffmpeg -i " + file
                        + " -c:v libx264 out.mp4");
            }
            decoder = avcodec_alloc_context3(codec);
            check(avcodec_parameters_to_context(decoder, st.codecpar()), file, "cannot set up the decoder of");
            check(avcodec_open2(decoder, codec, (AVDictionary) null), file, "cannot open the decoder of");
            AVRational rate = av_guess_frame_rate(format, st, null);
            double fps = rate.num() > 0 && rate.den() > 0 ? av_q2d(rate) : 0;
            long frames = st.nb_frames();
            if (frames <= 0 && st.duration() > 0 && fps > 0) {
                frames = Math.round(st.duration() * av_q2d(st.time_base()) * fps);
            }
            return new FfmpegVideoReader(file, format, decoder, stream, fps, Math.max(0, frames));
        } catch (RuntimeException e) {
            if (decoder != null) {
                avcodec_free_context(decoder);
            }
            avformat_close_input(format);
            throw e;
        }
    }

    /** Frames per second the container declares, 0 when unknown. */
    double fps() {
        return fps;
    }

    /** Frame count the container declares (or duration × rate), 0 when unknown. */
    long frameCount() {
        return frameCount;
    }

    /**
     * Decodes the next frame into {@code bgr} (re-allocated to the frame's size as {@code CV_8UC3}).
     *
     * @return false at the end of the stream
     */
    boolean read(Mat bgr) {
        while (true) {
            int r = avcodec_receive_frame(decoder, frame);
            if (r >= 0) {
                toBgr(bgr);
                return true;
            }
            if (r == AVERROR_EOF) {
                return false;
            }
            if (r != AVERROR_EAGAIN) {
                throw new DatasetException("cannot decode a frame of video " + file + ": " + error(r));
            }
            if (draining) {
                return false;
            }
            r = av_read_frame(format, packet);
            if (r < 0) {
                draining = true;
                avcodec_send_packet(decoder, null);
                continue;
            }
            try {
                if (packet.stream_index() == stream) {
                    int s = avcodec_send_packet(decoder, packet);
                    if (s < 0 && s != AVERROR_EAGAIN) {
                        throw new DatasetException("cannot decode video " + file + ": " + error(s));
                    }
                }
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    private void toBgr(Mat bgr) {
        int w = frame.width();
        int h = frame.height();
        sws = sws_getCachedContext(sws, w, h, frame.format(), w, h, AV_PIX_FMT_BGR24, SWS_BILINEAR,
                (SwsFilter) null, (SwsFilter) null, (DoublePointer) null);
        if (sws == null || sws.isNull()) {
            throw new DatasetException("video " + file + ": cannot convert its pixel format " + frame.format()
                    + " to BGR");
        }
        // swscale's vector code may write past the end of a row, so it writes into FFmpeg's own padded frame and
        // the rows are copied into the Mat from there.
        if (converted == null || converted.width() != w || converted.height() != h) {
            if (converted != null) {
                av_frame_free(converted);
            }
            converted = av_frame_alloc();
            converted.format(AV_PIX_FMT_BGR24);
            converted.width(w);
            converted.height(h);
            int r = av_frame_get_buffer(converted, 64);
            if (r < 0) {
                throw new DatasetException("video " + file + ": cannot allocate a " + w + " x " + h + " frame: "
                        + error(r));
            }
        }
        sws_scale(sws, frame.data(), frame.linesize(), 0, h, converted.data(), converted.linesize());
        try (Mat view = new Mat(h, w, CV_8UC3, converted.data(0), converted.linesize(0))) {
            view.copyTo(bgr);
        }
    }

    /** Fails with FFmpeg's reason when {@code code} is negative. */
    static void check(int code, Path file, String what) {
        if (code < 0) {
            throw new DatasetException(what + " video " + file + ": " + error(code) + ". Is it a video FFmpeg reads"
                    + " (MP4, MKV, WebM, AVI, MOV)? Re-encode it if needed, e.g. ffmpeg -i " + file
                    + " -c:v libx264 out.mp4");
        }
    }

    /** FFmpeg's text for an error code. */
    static String error(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sws != null) {
            sws_freeContext(sws);
        }
        if (converted != null) {
            av_frame_free(converted);
        }
        av_frame_free(frame);
        av_packet_free(packet);
        avcodec_free_context(decoder);
        avformat_close_input(format);
    }
}
