package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_16UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_32FC3;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;

class SampleReaderTest {
    @TempDir
    Path dir;

    /** Writes a 4x3 BGR PNG whose pixels are (B, G, R) = (10, 20, 30), except (0,0) = (1, 2, 3). */
    private void writeImage(String name, int rows, int cols) {
        try (Mat bgr = new Mat(rows, cols, CV_8UC3, new Scalar(10, 20, 30, 0))) {
            bgr.ptr(0, 0).put((byte) 1, (byte) 2, (byte) 3);
            assertTrue(imwrite(dir.resolve(name).toString(), bgr));
        }
    }

    private void writeLabel(String name, int rows, int cols, int value) {
        try (Mat label = new Mat(rows, cols, CV_8UC1, new Scalar(value))) {
            label.ptr(0, 0).put((byte) 1);
            assertTrue(imwrite(dir.resolve(name).toString(), label));
        }
    }

    private SampleReader reader(String lines, int numClasses) throws IOException {
        SplitList list = SplitList.parse(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
                "toy/list/train.txt", true);
        return new SampleReader(list, dir, numClasses);
    }

    private DatasetException readFails(String lines, int numClasses, int index) throws IOException {
        SampleReader reader = reader(lines, numClasses);
        return assertThrows(DatasetException.class, () -> reader.read(index).close());
    }

    private static void assertNames(DatasetException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
        }
    }

    @Test
    void readsRgbFloatImageAndUnchangedLabel() throws IOException {
        writeImage("img.png", 4, 3);
        writeLabel("lbl.png", 4, 3, 255);
        try (Sample s = reader("img.png lbl.png\n", 5).read(0)) {
            assertEquals(CV_32FC3, s.image().type());
            assertEquals(CV_8UC1, s.label().type());
            assertEquals(4, s.height());
            assertEquals(3, s.width());
            assertEquals(3f, TestMats.at(s.image(), 0, 0, 0), 0f); // R first
            assertEquals(1f, TestMats.at(s.image(), 0, 0, 2), 0f);
            assertEquals(30f, TestMats.at(s.image(), 1, 1, 0), 0f);
            assertEquals(20f, TestMats.at(s.image(), 1, 1, 1), 0f);
            assertEquals(1, TestMats.at(s.label(), 0, 0));
            assertEquals(255, TestMats.at(s.label(), 3, 2));
        }
    }

    @Test
    void readsJpegImages() throws IOException {
        writeImage("img.jpg", 8, 8);
        writeLabel("lbl.png", 8, 8, 0);
        try (Sample s = reader("img.jpg lbl.png\n", 2).read(0)) {
            assertEquals(30f, TestMats.at(s.image(), 4, 4, 0), 3f); // lossy
        }
    }

    @Test
    void aMissingImageNamesListLineAndPath() throws IOException {
        writeLabel("lbl.png", 4, 3, 0);
        DatasetException e = readFails("img.png lbl.png\nnope.png lbl.png\n", 5, 1);
        assertNames(e, "toy/list/train.txt line 2", dir.resolve("nope.png").toString(), "does not exist");
    }

    @Test
    void aMissingLabelNamesListLineAndPath() throws IOException {
        writeImage("img.png", 4, 3);
        DatasetException e = readFails("img.png nope.png\n", 5, 0);
        assertNames(e, "toy/list/train.txt line 1", dir.resolve("nope.png").toString());
    }

    @Test
    void anUndecodableImageNamesListLineAndPath() throws IOException {
        Files.writeString(dir.resolve("broken.jpg"), "not a jpeg");
        writeLabel("lbl.png", 4, 3, 0);
        DatasetException e = readFails("broken.jpg lbl.png\n", 5, 0);
        assertNames(e, "line 1", dir.resolve("broken.jpg").toString(), "cannot decode image");
    }

    @Test
    void anUndecodableLabelNamesListLineAndPath() throws IOException {
        writeImage("img.png", 4, 3);
        Files.write(dir.resolve("lbl.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        DatasetException e = readFails("img.png lbl.png\n", 5, 0);
        assertNames(e, "line 1", dir.resolve("lbl.png").toString(), "cannot decode label");
    }

    @Test
    void differentImageAndLabelSizesAreRejected() throws IOException {
        writeImage("img.png", 4, 3);
        writeLabel("lbl.png", 4, 4, 0);
        DatasetException e = readFails("img.png lbl.png\n", 5, 0);
        assertNames(e, "line 1", "3x4", "4x4", dir.resolve("img.png").toString(), dir.resolve("lbl.png").toString());
    }

    @Test
    void aLabelIdOutsideTheClassesIsRejectedButIgnoreIsAllowed() throws IOException {
        writeImage("img.png", 4, 3);
        writeLabel("lbl.png", 4, 3, 7);
        DatasetException e = readFails("img.png lbl.png\n", 5, 0);
        assertNames(e, "line 1", dir.resolve("lbl.png").toString(), "id 7", "0..4");
        try (Sample s = reader("img.png lbl.png\n", 8).read(0)) {
            assertEquals(7, TestMats.at(s.label(), 1, 1));
        }
    }

    @Test
    void sixteenBitAndColourLabelsAreRejectedWithTheFix() throws IOException {
        writeImage("img.png", 4, 3);
        try (Mat wide = new Mat(4, 3, CV_16UC1, new Scalar(3))) {
            assertTrue(imwrite(dir.resolve("wide.png").toString(), wide));
        }
        writeImage("colour.png", 4, 3);
        assertNames(readFails("img.png wide.png\n", 5, 0), "wide.png", "16-bit", "single-channel 8-bit");
        assertNames(readFails("img.png colour.png\n", 5, 0), "colour.png", "3 channel(s)", "remap");
    }

    @Test
    void anUnlabeledEntryCannotBeReadAsASample() throws IOException {
        writeImage("img.png", 4, 3);
        SplitList list = SplitList.parse(new ByteArrayInputStream("img.png\n".getBytes(StandardCharsets.UTF_8)),
                "toy/list/test.txt", false);
        SampleReader reader = new SampleReader(list, dir, 5);
        assertNames(assertThrows(DatasetException.class, () -> reader.read(0)), "toy/list/test.txt line 1",
                "unlabeled");
        try (Mat image = reader.readImage(list.entries().get(0))) {
            assertEquals(CV_32FC3, image.type());
        }
    }

    /** A reader of the lines, relative to {@code datasetFolder}, that is also the data root. */
    private SampleReader reader(String lines, Path datasetFolder, ReadPolicy policy) throws IOException {
        SplitList list = SplitList.parse(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)),
                "toy/list/train.txt", true);
        return new SampleReader(list, datasetFolder, datasetFolder, 5, policy);
    }

    @Test
    void aJpegCutShortIsUndecodableDataNamingListLineAndFile() throws IOException {
        byte[] jpeg = EncodedImages.encode(".jpg", 48, 64);
        Files.write(dir.resolve("cut.jpg"), EncodedImages.cut(jpeg, 0.4));
        writeLabel("lbl.png", 48, 64, 0);
        DatasetException e = readFails("cut.jpg lbl.png\n", 5, 0);
        assertNames(e, "toy/list/train.txt line 1", dir.resolve("cut.jpg").toString(), "cannot decode image",
                "truncated JPEG", "FFD9");
        SampleReader reader = reader("cut.jpg lbl.png\n", 5);
        assertNames(assertThrows(DatasetException.class, () -> reader.readImage(reader.list().entries().get(0))),
                dir.resolve("cut.jpg").toString(), "truncated JPEG");
    }

    @Test
    void aJpegWithBytesAfterItsEndMarkerIsRead() throws IOException {
        byte[] jpeg = EncodedImages.encode(".jpg", 48, 64);
        byte[] trailer = "appended by a camera".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = java.util.Arrays.copyOf(jpeg, jpeg.length + trailer.length);
        System.arraycopy(trailer, 0, bytes, jpeg.length, trailer.length);
        Files.write(dir.resolve("trailer.jpg"), bytes);
        writeLabel("lbl.png", 48, 64, 0);
        try (Sample s = reader("trailer.jpg lbl.png\n", 5).read(0)) {
            assertEquals(64, s.width());
        }
    }

    @Test
    void aLabelPngCutShortNamesTheFile() throws IOException {
        writeImage("img.png", 40, 50);
        writeLabel("full.png", 40, 50, 0);
        Files.write(dir.resolve("lbl.png"), EncodedImages.cut(Files.readAllBytes(dir.resolve("full.png")), 0.7));
        assertNames(readFails("img.png lbl.png\n", 5, 0), "line 1", dir.resolve("lbl.png").toString(),
                "cannot decode label", "truncated PNG");
    }

    @Test
    void imagesAndLabelsAboveThePixelLimitAreRefusedFromTheirHeader() throws IOException {
        writeImage("img.png", 10, 12);
        writeLabel("lbl.png", 10, 12, 0);
        assertNames(assertThrows(DatasetException.class,
                () -> reader("img.png lbl.png\n", dir, new ReadPolicy(100, false)).read(0).close()),
                "toy/list/train.txt line 1", dir.resolve("img.png").toString(), "10 = 120 pixels", "limit of 100",
                "DATA.max_image_pixels");
        try (Sample s = reader("img.png lbl.png\n", dir, new ReadPolicy(120, false)).read(0)) {
            assertEquals(12, s.width());
        }
        writeImage("small.png", 2, 2);
        writeLabel("small_lbl.png", 2, 2, 0);
        assertNames(assertThrows(DatasetException.class,
                () -> reader("small.png lbl.png\n", dir, new ReadPolicy(100, false)).read(0).close()),
                dir.resolve("lbl.png").toString(), "label", "limit of 100");
        // The default limit, on a header claiming 20000 x 20000 pixels: refused before any decoding.
        Files.write(dir.resolve("huge.png"), EncodedImages.pngClaiming(20000, 20000));
        assertNames(readFails("huge.png small_lbl.png\n", 5, 0), dir.resolve("huge.png").toString(),
                "20000x20000", "limit of 67,108,864");
    }

    @Test
    void listPathsLeadingOutsideTheDataRootAreRefusedNamingListAndLine() throws IOException {
        Path root = dir.resolve("root");
        Path toy = Files.createDirectories(root.resolve("toy"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        writeImage("outside/img.png", 4, 3);
        writeLabel("outside/lbl.png", 4, 3, 0);
        Files.createDirectories(root.resolve("other"));
        writeImage("root/other/img.png", 4, 3);
        writeLabel("root/toy/lbl.png", 4, 3, 0);
        SplitList list = SplitList.parse(new ByteArrayInputStream(("sub/../lbl.png lbl.png\n"
                + "../../outside/img.png lbl.png\n"
                + outside.resolve("img.png").toAbsolutePath() + " lbl.png\n"
                + "../other/img.png lbl.png\n").getBytes(StandardCharsets.UTF_8)), "toy/list/train.txt", true);
        Files.createDirectories(toy.resolve("sub"));
        SampleReader confined = new SampleReader(list, toy, root, 5, ReadPolicy.DEFAULT);
        // Inside the root: '..' that stays in the dataset folder, and a sibling folder of the root.
        confined.read(0).close();
        confined.read(3).close();
        for (int i : new int[] {1, 2}) {
            DatasetException e = assertThrows(DatasetException.class, () -> confined.read(i).close());
            assertNames(e, "toy/list/train.txt line " + (i + 1), "outside the data root " + root.toAbsolutePath(),
                    outside.resolve("img.png").toAbsolutePath().toString(), "DATA.permit_paths_outside_root",
                    "--permit-paths-outside-root");
        }
        SampleReader allowed = new SampleReader(list, toy, root, 5, new ReadPolicy(ImageFiles.DEFAULT_MAX_PIXELS,
                true));
        allowed.read(1).close();
        allowed.read(2).close();
        // The constructor without a root confines the paths to the dataset folder.
        assertThrows(DatasetException.class, () -> new SampleReader(list, toy, 5).read(3).close());
    }

    @Test
    void aSymbolicLinkInsideTheRootIsFollowedWhereverItPoints() throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path elsewhere = Files.createDirectories(dir.resolve("other-disk"));
        writeImage("other-disk/img.png", 4, 3);
        writeLabel("root/lbl.png", 4, 3, 0);
        try {
            Files.createSymbolicLink(root.resolve("linked"), elsewhere);
        } catch (UnsupportedOperationException | IOException e) {
            org.junit.jupiter.api.Assumptions.abort("no symbolic links here: " + e);
        }
        try (Sample s = reader("linked/img.png lbl.png\n", root, ReadPolicy.DEFAULT).read(0)) {
            assertEquals(3, s.width());
        }
    }
}
