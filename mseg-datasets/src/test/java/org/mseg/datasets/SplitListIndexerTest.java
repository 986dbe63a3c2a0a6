package org.mseg.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;

/** Split lists rebuilt from files on disk, with the pairing rule learned from an example list. */
class SplitListIndexerTest {
    @TempDir
    Path dir;

    private Path data() {
        return dir.resolve("data");
    }

    private Path lists() {
        return dir.resolve("lists");
    }

    private static DatasetDefinition dataset(SplitDefinition... splits) {
        return new DatasetDefinition("toy", "toy", "Toy", List.of(splits), LabelEncoding.GRAY8, "toy");
    }

    private void touch(String... relativePaths) throws IOException {
        for (String p : relativePaths) {
            Path file = data().resolve(p);
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[] {1});
        }
    }

    private void writeList(String split, String... lines) throws IOException {
        Path file = SplitList.fileIn(lists(), "toy", split);
        Files.createDirectories(file.getParent());
        Files.write(file, List.of(lines));
    }

    private SplitListIndexer.Result index(DatasetDefinition d, String split) throws IOException {
        return SplitListIndexer.index(d, split, Optional.of(lists()), data());
    }

    @Test
    void aCommonStemRulePairsEveryImageOnDiskLikeTheExampleLines() throws IOException {
        touch("leftImg8bit/train/aachen/aachen_1_leftImg8bit.png", "gtFine/train/aachen/aachen_1_gtFine_labelIds.png",
                "leftImg8bit/train/bochum/bochum_1_leftImg8bit.png", "gtFine/train/bochum/bochum_1_gtFine_labelIds.png",
                "leftImg8bit/train/aachen/aachen_2_leftImg8bit.png", "gtFine/train/aachen/aachen_2_gtFine_labelIds.png",
                "leftImg8bit/train/aachen/notes.txt");
        writeList("train", "leftImg8bit/train/bochum/bochum_1_leftImg8bit.png"
                + " gtFine/train/bochum/bochum_1_gtFine_labelIds.png",
                "leftImg8bit/train/aachen/aachen_1_leftImg8bit.png gtFine/train/aachen/aachen_1_gtFine_labelIds.png");

        SplitListIndexer.Result r = index(dataset(SplitDefinition.labeled("train")), "train");

        assertEquals(List.of(
                "leftImg8bit/train/aachen/aachen_1_leftImg8bit.png gtFine/train/aachen/aachen_1_gtFine_labelIds.png",
                "leftImg8bit/train/aachen/aachen_2_leftImg8bit.png gtFine/train/aachen/aachen_2_gtFine_labelIds.png",
                "leftImg8bit/train/bochum/bochum_1_leftImg8bit.png gtFine/train/bochum/bochum_1_gtFine_labelIds.png"),
                r.lines());
        assertEquals(List.of(), r.missing());
        assertEquals("leftImg8bit/train/", r.scanned());
        // The stem is the longest common part: "/train/aachen/aachen_1_" for the first example line.
        assertEquals("leftImg8bit<stem>leftImg8bit.png -> gtFine<stem>gtFine_labelIds.png", r.rule());
    }

    @Test
    void aFileNumberRuleRepadsTheNumberAndListsImagesWithoutALabel() throws IOException {
        touch("image/train/img-000001.jpg", "label/train/00000001.png", "image/train/img-000002.jpg",
                "label/train/00000002.png", "image/train/img-000003.jpg", "label/train/00000003.png",
                "image/train/img-000004.jpg");
        writeList("train", "image/train/img-000001.jpg label/train/00000001.png",
                "image/train/img-000002.jpg label/train/00000002.png");

        SplitListIndexer.Result r = index(dataset(SplitDefinition.labeled("train")), "train");

        assertEquals(List.of("image/train/img-000001.jpg label/train/00000001.png",
                "image/train/img-000002.jpg label/train/00000002.png",
                "image/train/img-000003.jpg label/train/00000003.png"), r.lines());
        assertEquals(List.of("image/train/img-000004.jpg (expected label label/train/00000004.png)"), r.missing());
        assertEquals("image/train/img-<number>.jpg -> label/train/<number padded to 8>.png", r.rule());
    }

    @Test
    void anotherSplitsListTeachesTheLayoutWithTheSplitTokenReplaced() throws IOException {
        touch("images/val2017/000000000139.jpg", "labels/val2017/000000000139.png",
                "images/train2017/000000000009.jpg", "labels/train2017/000000000009.png",
                "images/train2017/000000000025.jpg", "labels/train2017/000000000025.png");
        writeList("val", "images/val2017/000000000139.jpg labels/val2017/000000000139.png");
        DatasetDefinition d = dataset(SplitDefinition.labeled("train"), SplitDefinition.labeled("val"));

        SplitListIndexer.Result r = index(d, "train");

        assertEquals(List.of("images/train2017/000000000009.jpg labels/train2017/000000000009.png",
                "images/train2017/000000000025.jpg labels/train2017/000000000025.png"), r.lines());
        assertEquals("images/train2017/", r.scanned());
    }

    @Test
    void anUnlabeledSplitListsTheImagesWithTheExamplesExtension() throws IOException {
        touch("test/b.jpg", "test/a.jpg", "test/a.png");
        writeList("test", "test/a.jpg");
        DatasetDefinition d = dataset(new SplitDefinition("test", false, Optional.empty()));

        SplitListIndexer.Result r = index(d, "test");

        assertEquals(List.of("test/a.jpg", "test/b.jpg"), r.lines());
        assertEquals("images only", r.rule());
    }

    @Test
    void aMissingScannedFolderGivesNoLines() throws IOException {
        writeList("train", "gone/1.jpg labels/1.png");
        Files.createDirectories(data());

        SplitListIndexer.Result r = index(dataset(SplitDefinition.labeled("train")), "train");

        assertEquals(List.of(), r.lines());
        assertEquals("gone/", r.scanned());
    }

    @Test
    void withoutAnyExampleListItFailsSayingWhereToPutOne() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> index(dataset(SplitDefinition.labeled("train")), "train"));
        assertEquals("Dataset 'toy' has no example list to learn its layout from. Pass --lists with a folder holding"
                + " toy/list/<split>.txt for any split.", e.getMessage());
    }

    @Test
    void unrelatedImageAndLabelNamesFailNamingTheList() throws IOException {
        writeList("train", "a/x.jpg b/y.png", "a/z.jpg b/w.png");

        DatasetException e = assertThrows(DatasetException.class,
                () -> index(dataset(SplitDefinition.labeled("train")), "train"));
        assertTrue(e.getMessage().startsWith("Cannot learn how 'toy' pairs images with labels from "
                + SplitList.fileIn(lists(), "toy", "train") + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Write the list by hand."), e.getMessage());
    }

    @Test
    void theResultsListsCannotBeChanged() throws IOException {
        touch("test/a.jpg");
        writeList("test", "test/a.jpg");
        SplitListIndexer.Result r = index(dataset(new SplitDefinition("test", false, Optional.empty())), "test");
        assertThrows(UnsupportedOperationException.class, () -> r.lines().add("x"));
    }

    @Test
    void theCommonDirectoryEndsAtTheLastSharedSlash() {
        assertEquals("a/b/", SplitListIndexer.commonDirectory(List.of("a/b/c.png", "a/b/d.png")));
        assertEquals("a/", SplitListIndexer.commonDirectory(List.of("a/bc/x.png", "a/bd/y.png")));
        assertEquals("", SplitListIndexer.commonDirectory(List.of("x.png", "y.png")));
    }

    @Test
    void aListsFolderKeepsEachSplitListUnderTheDatasetsListFolder() {
        assertEquals(Path.of("L/toy/list/val.txt"), SplitList.fileIn(Path.of("L"), "toy", "val"));
    }
}
