package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mseg.api.DatasetException;

/** {@link ImageHeader}: sizes from headers without decoding, and truncated JPEG/PNG data. */
class ImageHeaderTest {
    private static ImageHeader parse(byte[] bytes) {
        return ImageHeader.parse(ByteBuffer.wrap(bytes)).orElseThrow(() -> new AssertionError("no header parsed"));
    }

    @Test
    void everyFormatOpenCvWritesIsSizedFromItsHeader() {
        for (String ext : new String[] {".png", ".jpg", ".bmp", ".tiff", ".webp", ".ppm", ".pam"}) {
            ImageHeader h = parse(EncodedImages.encode(ext, 23, 37));
            assertEquals(37, h.width(), ext);
            assertEquals(23, h.height(), ext);
            assertEquals(Optional.empty(), h.truncated(), ext);
        }
        assertEquals("JPEG", parse(EncodedImages.encode(".jpg", 5, 6)).format());
        assertEquals("PNG", parse(EncodedImages.encode(".png", 5, 6)).format());
    }

    @Test
    void aCraftedHugePngIsSizedWithoutDecoding() {
        ImageHeader h = parse(EncodedImages.pngClaiming(20000, 20000));
        assertEquals(400_000_000L, h.pixels());
        assertEquals(Optional.empty(), h.truncated());
    }

    @Test
    void aJpegCutShortLacksItsEndOfImageMarker() {
        for (int[] params : new int[][] {{}, {IMWRITE_JPEG_PROGRESSIVE, 1}}) {
            byte[] jpeg = EncodedImages.encode(".jpg", 64, 80, params);
            assertEquals(Optional.empty(), parse(jpeg).truncated());
            for (double fraction : new double[] {0.4, 0.9, (jpeg.length - 1.0) / jpeg.length}) {
                ImageHeader h = parse(EncodedImages.cut(jpeg, fraction));
                assertEquals(80, h.width(), "the size is read before the cut");
                assertTrue(h.truncated().orElseThrow().contains("end-of-image marker (FFD9)"), h.truncated().get());
            }
        }
    }

    @Test
    void anEmbeddedThumbnailsEndMarkerDoesNotCompleteACutJpeg() {
        byte[] thumbnail = EncodedImages.encode(".jpg", 8, 8);
        byte[] jpeg = EncodedImages.withEmbeddedThumbnail(EncodedImages.encode(".jpg", 64, 80), thumbnail);
        assertEquals(Optional.empty(), parse(jpeg).truncated());
        assertEquals(80, parse(jpeg).width(), "the frame's size, not the thumbnail's");
        assertTrue(parse(EncodedImages.cut(jpeg, 0.6)).truncated().isPresent());
    }

    @Test
    void bytesAfterTheEndOfImageMarkerAreAccepted() {
        byte[] jpeg = EncodedImages.encode(".jpg", 64, 80);
        byte[] trailer = "camera trailer \u00ff\u00d8 not image data".getBytes(StandardCharsets.ISO_8859_1);
        byte[] withTrailer = Arrays.copyOf(jpeg, jpeg.length + trailer.length);
        System.arraycopy(trailer, 0, withTrailer, jpeg.length, trailer.length);
        assertEquals(Optional.empty(), parse(withTrailer).truncated());
    }

    @Test
    void aPngCutShortLacksItsEndChunk() {
        byte[] png = EncodedImages.encode(".png", 40, 50);
        ImageHeader h = parse(EncodedImages.cut(png, 0.6));
        assertEquals(50, h.width());
        assertTrue(h.truncated().isPresent());
        assertTrue(parse(Arrays.copyOf(png, png.length - 12)).truncated().orElseThrow().contains("IEND"));
    }

    @Test
    void unknownFormatsAndCutHeadersAreNotSized() {
        assertTrue(ImageHeader.parse(ByteBuffer.wrap("not an image".getBytes(StandardCharsets.US_ASCII))).isEmpty());
        assertTrue(ImageHeader.parse(ByteBuffer.wrap(Arrays.copyOf(EncodedImages.encode(".png", 4, 4), 14)))
                .isEmpty());
        assertTrue(ImageHeader.parse(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).isEmpty());
    }

    @Test
    void checkRefusesAboveTheLimitNamingFileSizeLimitAndKey() {
        Path file = Path.of("data/huge.png");
        DatasetException e = assertThrows(DatasetException.class,
                () -> ImageFiles.check(file, "image", ByteBuffer.wrap(EncodedImages.pngClaiming(20000, 20000)),
                        ImageFiles.DEFAULT_MAX_PIXELS));
        for (String part : new String[] {file.toString(), "20000x20000", "400,000,000", "67,108,864",
            "DATA.max_image_pixels", "--max-image-pixels"}) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
        ImageHeader ok = ImageFiles.check(file, "image", ByteBuffer.wrap(EncodedImages.encode(".png", 10, 10)), 100);
        assertEquals(100, ok.pixels());
        assertThrows(DatasetException.class,
                () -> ImageFiles.check(file, "image", ByteBuffer.wrap(EncodedImages.encode(".png", 10, 11)), 100));
        assertFalse(ImageFiles.DEFAULT_MAX_PIXELS < 6000L * 4000L, "the default admits MSeg's largest photos");
    }
}
