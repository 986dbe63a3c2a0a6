package org.mseg.cli;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.datasets.synth.SyntheticMseg;
import picocli.CommandLine;

/** {@code datasets synth|index|check|list} on synthetic data written by the CLI itself. */
class DatasetsCommandTest {

    /** Output, error output and exit code of one CLI invocation. */
    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run run(String... args) {
        CommandLine cl = MsegCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @TempDir
    static Path shared;

    private static Path root;

    private static Path lists() {
        return root.resolve("dataset_lists");
    }

    private static Run synth(Path out) {
        return run("datasets", "synth", "--out", out.toString(), "--images-per-dataset", "3",
                "--val-images-per-dataset", "2", "--size", "64x48", "--seed", "5");
    }

    @BeforeAll
    static void writeSyntheticData() {
        root = shared.resolve("synth");
        Run r = synth(root);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("Wrote 14 datasets (3 train + 2 val images each, 64x48, seed 5)"), r.out());
    }

    @Test
    void checkPassesOnEverySyntheticDataset() {
        for (String name : List.of("ade20k-150", "bdd", "cityscapes-19", "coco-panoptic-133", "idd-39",
                "mapillary-public65", "sunrgbd-37", "ade20k-150-relabeled", "cityscapes-19-relabeled",
                "sunrgbd-37-relabeled")) {
            Run r = run("datasets", "check", name, "--data-root", root.toString(), "--lists", lists().toString());
            assertEquals(0, r.code(), name + ": " + r.all());
            assertTrue(r.out().contains("no problems"), r.out());
        }
        Run city = run("datasets", "check", "cityscapes-19", "--data-root", root.toString(), "--lists",
                lists().toString());
        assertTrue(city.out().contains("cityscapes-19 train: 3 lines checked, 0 problems"), city.out());
        assertTrue(city.out().contains("cityscapes-19 val: 2 lines checked, 0 problems"), city.out());
    }

    @Test
    void checkExitsOneNamingACorruptedAMissingAndAWronglyLabeledFile(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("synth");
        assertEquals(0, synth(data).code());
        Path folder = data.resolve("Cityscapes");
        Path corrupt = folder.resolve("leftImg8bit/train/bochum/bochum_000000_000019_leftImg8bit.png");
        Files.write(corrupt, new byte[] {1, 2, 3, 4});
        Path missing = folder.resolve("gtFine_19cls/val/lindau/lindau_000000_000019_gtFine_labelIds.png");
        Files.delete(missing);
        // Id 20 is a class of cityscapes-19-relabeled (21 classes), not of cityscapes-19.
        Path wrongIds = folder.resolve("gtFine_19cls/train/aachen/aachen_000000_000019_gtFine_labelIds.png");
        Run r = run("datasets", "check", "cityscapes-19", "--data-root", data.toString(), "--lists",
                data.resolve("dataset_lists").toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains(corrupt.toString()), r.out());
        assertTrue(r.out().contains(missing.toString()), r.out());
        assertTrue(r.out().contains("FAILED: 2 problems in 5 lines of cityscapes-19"), r.out());

        try (Scalar twenty = new Scalar(20, 0, 0, 0); Mat label = new Mat(48, 64, CV_8UC1, twenty)) {
            assertTrue(imwrite(wrongIds.toString(), label));
        }
        Run ids = run("datasets", "check", "cityscapes-19", "--data-root", data.toString(), "--lists",
                data.resolve("dataset_lists").toString(), "--split", "train");
        assertEquals(1, ids.code(), ids.all());
        assertTrue(ids.out().contains(wrongIds.toString()), ids.out());
        assertTrue(ids.out().contains("cityscapes-19 train: 3 lines checked, 2 problems"), ids.out());
    }

    /** A PNG whose IHDR claims width x height RGB pixels, followed by IEND: a few dozen bytes. */
    private static byte[] pngClaiming(int width, int height) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        for (Object[] chunk : new Object[][] {{"IHDR", java.nio.ByteBuffer.allocate(13).putInt(width)
                .putInt(height).put((byte) 8).put((byte) 2).array()}, {"IEND", new byte[0]}}) {
            byte[] type = ((String) chunk[0]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] data = (byte[]) chunk[1];
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(type);
            crc.update(data);
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
            out.writeBytes(type);
            out.writeBytes(data);
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        }
        return out.toByteArray();
    }

    @Test
    void checkCountsHugeTruncatedAndOutsideRootFilesNamingThem(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("synth");
        assertEquals(0, synth(data).code());
        Path folder = data.resolve("Cityscapes");
        Path huge = folder.resolve("leftImg8bit/train/bochum/bochum_000000_000019_leftImg8bit.png");
        Files.write(huge, pngClaiming(20000, 20000));
        Path label = folder.resolve("gtFine_19cls/val/lindau/lindau_000000_000019_gtFine_labelIds.png");
        byte[] labelBytes = Files.readAllBytes(label);
        Files.write(label, java.util.Arrays.copyOf(labelBytes, labelBytes.length * 2 / 5));
        Path list = data.resolve("dataset_lists/cityscapes-19/list/train.txt");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(list));
        String[] first = lines.get(0).split(" ");
        Files.createDirectories(dir.resolve("outside"));
        Files.copy(folder.resolve(first[0]), dir.resolve("outside/x.png"));
        lines.set(0, "../../outside/x.png " + first[1]);
        Files.write(list, lines);

        Run r = run("datasets", "check", "cityscapes-19", "--data-root", data.toString(), "--lists",
                data.resolve("dataset_lists").toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.out().contains("FAILED: 3 problems in 5 lines of cityscapes-19"), r.out());
        for (String part : List.of(huge + " is a PNG of 20000x20000", "DATA.max_image_pixels",
                label + ": it is a truncated PNG", list + " line 1", "outside the data root",
                "--permit-paths-outside-root")) {
            assertTrue(r.out().contains(part), "'" + part + "' missing from: " + r.out());
        }
        Run permitted = run("datasets", "check", "cityscapes-19", "--data-root", data.toString(), "--lists",
                data.resolve("dataset_lists").toString(), "--split", "train", "--permit-paths-outside-root");
        assertTrue(permitted.out().contains("cityscapes-19 train: 3 lines checked, 1 problem"), permitted.out());
        assertTrue(permitted.out().contains(huge + " is a PNG of 20000x20000"), permitted.out());
        assertEquals(2, run("datasets", "check", "cityscapes-19", "--data-root", data.toString(),
                "--max-image-pixels", "0").code());
    }

    @Test
    void checkOfAnUnknownSplitOrAMissingFolderFails(@TempDir Path empty) {
        assertEquals(2, run("datasets", "check", "cityscapes-19", "--data-root", root.toString(), "--split",
                "trian").code());
        Run r = run("datasets", "check", "cityscapes-19", "--data-root", empty.toString());
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("Folder of dataset 'cityscapes-19' not found"), r.err());
    }

    private static List<String> sortedLines(Path list) throws IOException {
        return Files.readAllLines(list).stream().sorted().toList();
    }

    @Test
    void indexReproducesTheListsFromTheFilesOnDisk(@TempDir Path dir) throws IOException {
        // Cityscapes: common-stem rule learned from the bundled list.
        Run city = run("datasets", "index", "cityscapes-19", "--data-root", root.toString(), "--split", "train");
        assertEquals(0, city.code(), city.all());
        assertEquals(sortedLines(lists().resolve("cityscapes-19/list/train.txt")), city.out().lines().toList());
        // The relabeled dataset pairs the same images with the relabeled label folder.
        Run cityR = run("datasets", "index", "cityscapes-19-relabeled", "--data-root", root.toString(), "--split",
                "val");
        assertEquals(sortedLines(lists().resolve("cityscapes-19-relabeled/list/val.txt")),
                cityR.out().lines().toList());
        // SUN RGB-D: img-000001.jpg pairs with 00000001.png (file-number rule); val images lie in test/.
        Path out = dir.resolve("lists/sun-val.txt");
        Run sun = run("datasets", "index", "sunrgbd-37", "--data-root", root.toString(), "--split", "val", "--out",
                out.toString());
        assertEquals(0, sun.code(), sun.all());
        assertTrue(sun.out().contains("Wrote 2 lines to " + out), sun.out());
        assertEquals(sortedLines(lists().resolve("sunrgbd-37/list/val.txt")), Files.readAllLines(out));
        assertEquals(Files.getPosixFilePermissions(Files.writeString(dir.resolve("plain.txt"), "x")),
                Files.getPosixFilePermissions(out), "a written list has the mode of a plain write (the umask's)");
        // COCO ships no train list: the rule and folder are learned from the val list.
        Run coco = run("datasets", "index", "coco-panoptic-133", "--data-root", root.toString(), "--split", "train");
        assertEquals(0, coco.code(), coco.all());
        assertEquals(sortedLines(lists().resolve("coco-panoptic-133/list/train.txt")), coco.out().lines().toList());
        for (String name : List.of("ade20k-150", "bdd", "idd-39", "mapillary-public65")) {
            Run r = run("datasets", "index", name, "--data-root", root.toString(), "--split", "train");
            assertEquals(sortedLines(lists().resolve(name + "/list/train.txt")), r.out().lines().toList(), name);
        }
    }

    @Test
    void indexFailsNamingTheImagesWithoutALabel(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("synth");
        assertEquals(0, synth(data).code());
        Files.delete(data.resolve("BDD/bdd100k").resolve(
                Files.readAllLines(data.resolve("dataset_lists/bdd/list/train.txt")).get(1).split(" ")[1]));
        String image = Files.readAllLines(data.resolve("dataset_lists/bdd/list/train.txt")).get(1).split(" ")[0];
        Run r = run("datasets", "index", "bdd", "--data-root", data.toString(), "--split", "train");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().contains("1 of 3 images"), r.err());
        assertTrue(r.err().contains(image), r.err());
    }

    @Test
    void listWithAListsFolderShowsWhichSplitsHaveLists() {
        Run r = run("datasets", "list", "--data-root", root.toString(), "--lists", lists().toString());
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("cityscapes-19\\s+.*\\s+Cityscapes\\s+yes\\s+train,val")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("coco-panoptic-133\\s+.*\\s+COCOPanoptic\\s+yes\\s+train,val")),
                r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("camvid-11\\s+.*\\s+Camvid\\s+no\\s+-")), r.out());
    }

    @Test
    void synthRejectsBadOptionsAndRefusesAFolderWithOtherData(@TempDir Path dir) throws IOException {
        assertEquals(2, run("datasets", "synth", "--out", dir.resolve("a").toString(), "--size", "64").code());
        assertEquals(2, run("datasets", "synth", "--out", dir.resolve("b").toString(), "--images-per-dataset", "0")
                .code());
        Files.createDirectories(dir.resolve("c"));
        Files.writeString(dir.resolve("c/real.txt"), "x");
        Run r = run("datasets", "synth", "--out", dir.resolve("c").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(SyntheticMseg.MARKER), r.err());
    }
}
