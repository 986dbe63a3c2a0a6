package org.mseg.datasets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An encoded image's format and size, read from its header without decoding it, and whether its data is complete.
 *
 * <p>Knowing the size first lets a reader refuse an image too large to decode before the decoder allocates it (a
 * 20000×20000 PNG of zeros is a few hundred kilobytes on disk and 1.2 GB as 8-bit RGB, 4.8 GB as float RGB).
 * Formats: PNG, JPEG, BMP, TIFF, WebP and PNM (PBM/PGM/PPM/PAM), the OpenCV decoders an image list can plausibly
 * name; {@link #parse} answers empty for anything else, which readers refuse.
 *
 * @param format    short format name ("PNG", "JPEG", ...)
 * @param width     width in pixels
 * @param height    height in pixels
 * @param truncated why the file's data is incomplete (a JPEG without its end-of-image marker, a PNG without its
 *                  {@code IEND} chunk), empty if it is complete or the format is not checked
 */
public record ImageHeader(String format, int width, int height, Optional<String> truncated) {

    /** Pixel count, {@code width · height}. */
    public long pixels() {
        return (long) width * height;
    }

    /**
     * Reads the header of an encoded image in {@code bytes} (position 0 to limit; the buffer's position is not
     * changed). For JPEG and PNG it also walks the file's segments or chunks to find whether the data is complete;
     * the size comes from the header before that walk, so a parse of a huge image stays cheap.
     *
     * @return the header, or empty if the format is not one of those listed in the class comment or the header is
     *         cut short or malformed
     */
    public static Optional<ImageHeader> parse(ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.BIG_ENDIAN);
        b.position(0);
        try {
            if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
                return png(b);
            }
            if (startsWith(b, 0xFF, 0xD8)) {
                return jpeg(b);
            }
            if (startsWith(b, 'B', 'M')) {
                return bmp(b);
            }
            if (startsWith(b, 'I', 'I', 42, 0) || startsWith(b, 'M', 'M', 0, 42)) {
                return tiff(b);
            }
            if (startsWith(b, 'R', 'I', 'F', 'F') && b.limit() >= 12 && b.get(8) == 'W' && b.get(9) == 'E'
                    && b.get(10) == 'B' && b.get(11) == 'P') {
                return webp(b);
            }
            if (b.limit() >= 2 && b.get(0) == 'P' && b.get(1) >= '1' && b.get(1) <= '7') {
                return pnm(b);
            }
        } catch (IndexOutOfBoundsException e) {
            // the header is cut short: not an image this parser can size
        }
        return Optional.empty();
    }

    private static boolean startsWith(ByteBuffer b, int... signature) {
        if (b.limit() < signature.length) {
            return false;
        }
        for (int i = 0; i < signature.length; i++) {
            if ((b.get(i) & 0xff) != signature[i]) {
                return false;
            }
        }
        return true;
    }

    private static Optional<ImageHeader> sized(String format, long width, long height, Optional<String> truncated) {
        if (width < 1 || height < 1 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            return Optional.empty();
        }
        return Optional.of(new ImageHeader(format, (int) width, (int) height, truncated));
    }

    /** Signature, then chunks (length, type, data, CRC); IHDR first (width, height), IEND last. */
    private static Optional<ImageHeader> png(ByteBuffer b) {
        if (b.getInt(12) != 0x49484452) { // "IHDR"
            return Optional.empty();
        }
        long width = b.getInt(16) & 0xffffffffL;
        long height = b.getInt(20) & 0xffffffffL;
        long at = 8;
        Optional<String> truncated = Optional.of("it ends after " + b.limit() + " bytes without the IEND chunk that"
                + " closes a PNG");
        while (at + 8 <= b.limit()) {
            long length = b.getInt((int) at) & 0xffffffffL;
            int type = b.getInt((int) at + 4);
            long end = at + 12 + length;
            if (end > b.limit()) {
                truncated = Optional.of("its chunk at byte " + at + " needs " + (end - at) + " bytes but the file ends"
                        + " after " + b.limit());
                break;
            }
            if (type == 0x49454E44) { // "IEND"; bytes after it are ignored by decoders
                truncated = Optional.empty();
                break;
            }
            at = end;
        }
        return sized("PNG", width, height, truncated);
    }

    /**
     * Segments from SOI: a start-of-frame (SOF0..SOF15 but DHT, JPG, DAC) holds the size; after each start of scan
     * the entropy-coded data runs to the next marker that is not a stuffed {@code FF00}, a restart marker or fill.
     * The image is complete when the end-of-image marker (EOI) is reached; bytes after it are allowed and ignored,
     * as libjpeg does (cameras and editors append trailers, motion photos a video).
     */
    private static Optional<ImageHeader> jpeg(ByteBuffer b) {
        int limit = b.limit();
        int at = 2;
        long width = -1;
        long height = -1;
        while (true) {
            // a marker: one or more FF, then its code
            if (at >= limit) {
                break;
            }
            if ((b.get(at) & 0xff) != 0xFF) {
                return width < 0 ? Optional.empty() : sized("JPEG", width, height, Optional.of("it has no marker at"
                        + " byte " + at + " where one must follow the previous segment; the data is damaged"));
            }
            while (at < limit && (b.get(at) & 0xff) == 0xFF) {
                at++;
            }
            if (at >= limit) {
                break;
            }
            int marker = b.get(at++) & 0xff;
            if (marker == 0xD9) { // EOI
                return width < 0 ? Optional.empty() : sized("JPEG", width, height, Optional.empty());
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8)) {
                continue; // standalone markers carry no length
            }
            if (at + 2 > limit) {
                break;
            }
            int length = b.getShort(at) & 0xffff;
            if (length < 2) {
                return Optional.empty();
            }
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                    && width < 0) {
                height = b.getShort(at + 3) & 0xffff; // after length and sample precision
                width = b.getShort(at + 5) & 0xffff;
            }
            at += length;
            if (marker == 0xDA) { // SOS: skip the entropy-coded data
                while (at + 1 < limit) {
                    if ((b.get(at) & 0xff) == 0xFF) {
                        int next = b.get(at + 1) & 0xff;
                        if (next != 0x00 && next != 0xFF && (next < 0xD0 || next > 0xD7)) {
                            break;
                        }
                    }
                    at++;
                }
                if (at + 1 >= limit) {
                    at = limit;
                }
            }
        }
        if (width < 0) {
            return Optional.empty();
        }
        return sized("JPEG", width, height, Optional.of("it ends after " + limit + " bytes without the end-of-image"
                + " marker (FFD9), so the rest of the picture is missing (the decoder would fill it with grey)"));
    }

    /** BITMAPFILEHEADER, then a BITMAPCOREHEADER (16-bit sizes) or a later info header (32-bit, height signed). */
    private static Optional<ImageHeader> bmp(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        int headerSize = b.getInt(14);
        if (headerSize == 12) {
            return sized("BMP", b.getShort(18) & 0xffff, b.getShort(20) & 0xffff, Optional.empty());
        }
        return sized("BMP", b.getInt(18), Math.abs((long) b.getInt(22)), Optional.empty());
    }

    /** The first image file directory's ImageWidth (256) and ImageLength (257) tags; BigTIFF is not sized. */
    private static Optional<ImageHeader> tiff(ByteBuffer b) {
        if (b.get(0) == 'I') {
            b.order(ByteOrder.LITTLE_ENDIAN);
        }
        int ifd = b.getInt(4);
        int entries = b.getShort(ifd) & 0xffff;
        long width = -1;
        long height = -1;
        for (int i = 0; i < entries; i++) {
            int e = ifd + 2 + 12 * i;
            int tag = b.getShort(e) & 0xffff;
            int type = b.getShort(e + 2) & 0xffff;
            long value = type == 3 ? b.getShort(e + 8) & 0xffff : b.getInt(e + 8) & 0xffffffffL;
            if (tag == 256) {
                width = value;
            } else if (tag == 257) {
                height = value;
            }
        }
        return sized("TIFF", width, height, Optional.empty());
    }

    /** RIFF/WEBP with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk. */
    private static Optional<ImageHeader> webp(ByteBuffer b) {
        b.order(ByteOrder.LITTLE_ENDIAN);
        String chunk = new String(new byte[] {b.get(12), b.get(13), b.get(14), b.get(15)}, StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8 " -> sized("WebP", b.getShort(26) & 0x3fff, b.getShort(28) & 0x3fff, Optional.empty());
            case "VP8L" -> {
                int bits = b.getInt(21);
                yield sized("WebP", (bits & 0x3fff) + 1L, ((bits >>> 14) & 0x3fff) + 1L, Optional.empty());
            }
            case "VP8X" -> sized("WebP", uint24(b, 24) + 1L, uint24(b, 27) + 1L, Optional.empty());
            default -> Optional.empty();
        };
    }

    private static int uint24(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8 | (b.get(at + 2) & 0xff) << 16;
    }

    /** PBM/PGM/PPM: "P1".."P6", then width and height as text (comments from '#' to the line end); PAM: "P7". */
    private static Optional<ImageHeader> pnm(ByteBuffer b) {
        int limit = Math.min(b.limit(), 4096);
        String head = new String(bytes(b, limit), StandardCharsets.US_ASCII);
        if (head.charAt(1) == '7') {
            long width = -1;
            long height = -1;
            for (String line : head.split("\n")) {
                String[] words = line.strip().split("\\s+");
                if (words.length == 2 && words[0].equals("WIDTH")) {
                    width = number(words[1]);
                } else if (words.length == 2 && words[0].equals("HEIGHT")) {
                    height = number(words[1]);
                } else if (words[0].equals("ENDHDR")) {
                    break;
                }
            }
            return sized("PAM", width, height, Optional.empty());
        }
        String[] tokens = head.substring(2).replaceAll("#[^\n]*", " ").strip().split("\\s+", 3);
        if (tokens.length < 3) {
            return Optional.empty();
        }
        return sized("PNM", number(tokens[0]), number(tokens[1]), Optional.empty());
    }

    private static byte[] bytes(ByteBuffer b, int count) {
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    private static long number(String s) {
        return s.matches("[0-9]{1,10}") ? Long.parseLong(s) : -1;
    }
}
