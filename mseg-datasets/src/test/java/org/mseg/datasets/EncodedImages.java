package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Encoded image files for tests: real small ones from OpenCV, and crafted headers claiming huge sizes. */
public final class EncodedImages {
    private EncodedImages() {
    }

    /** A rows × cols BGR image of varied pixels (so that JPEG data is not trivially short), encoded as {@code ext}. */
    public static byte[] encode(String ext, int rows, int cols, int... params) {
        try (Mat bgr = new Mat(rows, cols, CV_8UC3); BytePointer out = new BytePointer();
                IntPointer flags = new IntPointer(params)) {
            byte[] px = new byte[rows * cols * 3];
            for (int i = 0; i < px.length; i++) {
                px[i] = (byte) ((i * 7919) % 251);
            }
            bgr.data().put(px);
            if (!imencode(ext, bgr, out, flags)) {
                throw new IllegalStateException("OpenCV cannot encode " + ext);
            }
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    /** The first {@code fraction} of the bytes, as a download cut short leaves a file. */
    public static byte[] cut(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }

    /**
     * A PNG whose IHDR claims width × height 8-bit RGB pixels, with one small IDAT and IEND: a few dozen bytes that a
     * decoder would size at {@code 3 · width · height} bytes before finding the data short.
     */
    public static byte[] pngClaiming(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        // zlib stream of a single stored block holding one zero byte
        chunk(out, "IDAT", new byte[] {0x78, 0x01, 0x01, 0x01, 0x00, (byte) 0xFE, (byte) 0xFF, 0x00, 0x00, 0x01, 0x00,
            0x01});
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(name);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A JPEG with an APP1 (Exif-like) segment right after SOI that holds a complete embedded thumbnail JPEG. */
    public static byte[] withEmbeddedThumbnail(byte[] jpeg, byte[] thumbnail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xD8);
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + thumbnail.length;
        out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length});
        out.writeBytes(exif);
        out.writeBytes(thumbnail);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
