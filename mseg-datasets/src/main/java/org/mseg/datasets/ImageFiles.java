package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.DatasetException;
import org.mseg.api.MsegException;
import org.mseg.api.io.AtomicFiles;

/**
 * Image files read only after their header says they are complete and of a decodable size, and written so that
 * readers never see half of one.
 */
public final class ImageFiles {
    /**
     * Default for the largest image, in pixels, that readers decode: 8192 × 8192 = 67,108,864. MSeg's largest
     * images are Mapillary Vistas' phone and camera photos of up to about 24 MP (e.g. 6000 × 4000; Cityscapes, IDD
     * and WildDash are 2 MP, COCO, ADE20K and SUN RGB-D under 1 MP), so this leaves a margin of 2.7 while bounding
     * a decoded image to 200 MB as 8-bit RGB and 800 MB as the loader's float RGB. Raise it with
     * {@code DATA.max_image_pixels} (training) or {@code datasets check --max-image-pixels}.
     */
    public static final long DEFAULT_MAX_PIXELS = 8192L * 8192L;

    /** Where a reader's pixel limit is raised, for messages. */
    public static final String MAX_PIXELS_KEY = "DATA.max_image_pixels";

    private ImageFiles() {
    }

    /**
     * Reads and decodes an image file with OpenCV's {@code imdecode} (the decoder {@code imread} uses), after
     * {@link #check} has passed on its bytes. The caller owns the returned Mat and must close it.
     *
     * @param what      what the file is, for messages ("image", "label")
     * @param flags     OpenCV {@code IMREAD_*} flags
     * @param maxPixels largest accepted {@code width · height}
     * @throws DatasetException naming the file if it cannot be read, fails {@link #check} or does not decode
     */
    public static Mat read(Path file, String what, int flags, long maxPixels) {
        byte[] bytes;
        try {
            long length = Files.size(file);
            if (length > Integer.MAX_VALUE - 64) {
                throw new DatasetException(what + " " + file + " is " + length + " bytes, too large for an image;"
                        + " check that it is an image file.");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + what + " " + file + " (" + e + "). Check that it exists,"
                    + " its permissions and the disk.", e);
        }
        check(file, what, ByteBuffer.wrap(bytes), maxPixels);
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.length, CV_8UC1, data)) {
            Mat decoded = imdecode(encoded, flags);
            if (decoded.empty()) {
                decoded.close();
                throw new DatasetException("cannot decode " + what + " " + file + ": its header is valid but the"
                        + " decoder failed on its data, which is damaged. Re-download or re-extract it.");
            }
            return decoded;
        }
    }

    /**
     * Checks an encoded image before it is decoded: its format is known ({@link ImageHeader}), its data complete
     * (a JPEG reaches its end-of-image marker, a PNG its IEND chunk; bytes after them are allowed), and its pixel
     * count at most {@code maxPixels}. Decoders accept truncated JPEGs with a warning and grey rows, and allocate
     * whatever size a header claims, so both are caught here.
     *
     * @param file  the file the bytes came from, for messages
     * @param what  what the file is, for messages ("image", "label")
     * @param bytes the whole file, from position 0 to the limit
     * @return the header
     * @throws DatasetException naming the file, what is wrong and the fix
     */
    public static ImageHeader check(Path file, String what, ByteBuffer bytes, long maxPixels) {
        if (bytes.limit() == 0) {
            throw new DatasetException("cannot decode " + what + " " + file + ": it is empty (0 bytes)."
                    + " Re-download or re-extract it.");
        }
        ImageHeader header = ImageHeader.parse(bytes).orElseThrow(() -> new DatasetException("cannot decode " + what
                + " " + file + ": it is not a JPEG, PNG, BMP, TIFF, WebP or PNM image, or its header is damaged."
                + " Re-download or re-extract it, or convert it to JPEG/PNG."));
        if (header.pixels() > maxPixels) {
            throw new DatasetException(String.format(Locale.ROOT, "%s %s is a %s of %dx%d = %,d pixels, above the"
                    + " limit of %,d pixels; decoding it takes at least %,d MB. Shrink the image or drop it from the"
                    + " list, or raise the limit (%s, or --max-image-pixels for 'datasets check' and 'infer') if such images"
                    + " are intended.", what, file, header.format(), header.width(), header.height(), header.pixels(),
                    maxPixels, header.pixels() * 3 / 1_000_000, MAX_PIXELS_KEY));
        }
        header.truncated().ifPresent(why -> {
            throw new DatasetException("cannot decode " + what + " " + file + ": it is a truncated "
                    + header.format() + " (" + why + "). Re-download or re-extract it.");
        });
        return header;
    }

    /**
     * Encodes an image with OpenCV (format from the file's extension: PNG, JPEG, ...) into a hidden temporary file
     * beside {@code file}, then renames it over {@code file}. Creates the folder.
     *
     * @throws MsegException naming the file if it cannot be written
     */
    public static void write(Path file, Mat image) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            throw new IllegalArgumentException("image file " + file + " needs an extension (.png, .jpg)");
        }
        Path tmp = file.resolveSibling("." + name.substring(0, dot) + ".tmp" + name.substring(dot));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!imwrite(tmp.toString(), image)) {
                throw new MsegException("cannot write " + file + ": OpenCV could not encode it (is the folder"
                        + " writable?)");
            }
            AtomicFiles.replace(tmp, file);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write already failed; that error is the one to report
            }
            throw new MsegException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
