package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.mseg.api.MsegException;
import org.mseg.api.io.AtomicFiles;

/** Image files written so that readers never see half of one. */
public final class ImageFiles {
    private ImageFiles() {
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
