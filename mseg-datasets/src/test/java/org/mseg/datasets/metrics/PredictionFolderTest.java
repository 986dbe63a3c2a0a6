package org.mseg.datasets.metrics;

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
import org.mseg.datasets.SplitList;

/** How predictions are paired with ground truth: by file stem with a folder, by image stem with a list. */
class PredictionFolderTest {
    @TempDir
    Path dir;

    private Path touch(String relativePath) throws IOException {
        Path file = dir.resolve(relativePath);
        Files.createDirectories(file.getParent());
        return Files.write(file, new byte[] {1});
    }

    private SplitList list(String... lines) throws IOException {
        Path file = dir.resolve("val.txt");
        Files.write(file, List.of(lines));
        return SplitList.fromFile(file, true);
    }

    @Test
    void aMissingFolderFailsNamingItAndWhatToPass() {
        DatasetException e = assertThrows(DatasetException.class, () -> PredictionFolder.of(dir.resolve("gray")));
        assertEquals("Prediction folder " + dir.resolve("gray") + " does not exist or is not a folder. Pass the folder"
                + " holding the predicted <stem>.png label maps (upstream <save_folder>/gray).", e.getMessage());
    }

    @Test
    void foldersArePairedByFileStemInStemOrderCountingPngFilesOnly() throws IOException {
        touch("gt/b.png");
        touch("gt/a.PNG");
        touch("gt/notes.txt");
        touch("gt/sub/c.png");
        touch("pred/a.png");
        touch("pred/b.png");
        PredictionFolder predictions = PredictionFolder.of(dir.resolve("pred"));

        List<PredictionFolder.Pair> pairs = predictions.pairByStem(dir.resolve("gt"));

        assertEquals(List.of(new PredictionFolder.Pair("a", dir.resolve("pred/a.png"), dir.resolve("gt/a.PNG")),
                new PredictionFolder.Pair("b", dir.resolve("pred/b.png"), dir.resolve("gt/b.png"))), pairs);
        assertThrows(UnsupportedOperationException.class, () -> pairs.remove(0));
    }

    @Test
    void stemsOnOneSideOnlyFailNamingThoseOfEachSide() throws IOException {
        touch("gt/a.png");
        touch("gt/c.png");
        touch("pred/a.png");
        touch("pred/d.png");
        DatasetException e = assertThrows(DatasetException.class,
                () -> PredictionFolder.of(dir.resolve("pred")).pairByStem(dir.resolve("gt")));
        assertEquals("Ground truth " + dir.resolve("gt") + " and predictions " + dir.resolve("pred") + " do not hold"
                + " the same file stems. Without a prediction (1): c. Without ground truth (1): d. Predictions are"
                + " paired with labels by file name (<stem>.png on both sides).", e.getMessage());
    }

    @Test
    void longListsOfUnmatchedStemsShowTwentyAndCountTheRest() throws IOException {
        for (int i = 0; i < 25; i++) {
            touch(String.format("gt/%02d.png", i));
        }
        Files.createDirectories(dir.resolve("pred"));
        DatasetException e = assertThrows(DatasetException.class,
                () -> PredictionFolder.of(dir.resolve("pred")).pairByStem(dir.resolve("gt")));
        assertTrue(e.getMessage().contains("Without a prediction (25): 00, 01, "), e.getMessage());
        assertTrue(e.getMessage().contains(", 19, ... (5 more)."), e.getMessage());
    }

    @Test
    void listLinesArePairedWithThePredictionOfTheirImageStemInListOrder() throws IOException {
        touch("pred/b.png");
        touch("pred/a.png");
        SplitList list = list("images/b.jpg labels/b.png", "images/a.jpg labels/a.png");
        Path base = dir.resolve("data");

        List<PredictionFolder.Pair> pairs = PredictionFolder.of(dir.resolve("pred"))
                .pairWithList(list, base, Optional.empty());

        assertEquals(List.of(new PredictionFolder.Pair("b", dir.resolve("pred/b.png"), base.resolve("labels/b.png")),
                new PredictionFolder.Pair("a", dir.resolve("pred/a.png"), base.resolve("labels/a.png"))), pairs);
    }

    @Test
    void listLinesWithoutAPredictionFailNamingTheExpectedFileAndLine() throws IOException {
        touch("pred/a.png");
        SplitList list = list("images/a.jpg labels/a.png", "images/e.jpg labels/e.png");
        DatasetException e = assertThrows(DatasetException.class, () -> PredictionFolder.of(dir.resolve("pred"))
                .pairWithList(list, dir, Optional.empty()));
        assertEquals("1 of 2 entries of " + dir.resolve("val.txt") + " have no prediction: " + dir.resolve("pred/e.png")
                + " (line 2). Run inference on the whole list, or score a list of the predicted images only.",
                e.getMessage());
    }

    @Test
    void twoLinesWhosePredictionsWouldShareAFileFailNamingBothLines() throws IOException {
        touch("pred/a.png");
        SplitList list = list("x/a.jpg labels/1.png", "y/a.png labels/2.png");
        DatasetException e = assertThrows(DatasetException.class, () -> PredictionFolder.of(dir.resolve("pred"))
                .pairWithList(list, dir, Optional.of("camvid-11")));
        assertTrue(e.getMessage().startsWith(dir.resolve("val.txt") + " lines 1 and 2 both name an image with stem"
                + " 'a', so their predictions would share " + dir.resolve("pred/a.png")), e.getMessage());
    }

    @Test
    void theListOfAnUnlabeledSplitFailsNamingIt() throws IOException {
        touch("pred/a.png");
        Path file = dir.resolve("test.txt");
        Files.write(file, List.of("images/a.jpg"));
        SplitList unlabeled = SplitList.fromFile(file, false);
        DatasetException e = assertThrows(DatasetException.class, () -> PredictionFolder.of(dir.resolve("pred"))
                .pairWithList(unlabeled, dir, Optional.of("wilddash-19")));
        assertTrue(e.getMessage().startsWith(file + " lists images only (an unlabeled split)"), e.getMessage());
    }

    @Test
    void scannetPredictionsAreNamedAfterThreeParentFoldersAndTheStem() throws IOException {
        touch("pred/scans_scene0000_00_color_0.png");
        touch("pred/scans_scene0001_00_color_0.png");
        SplitList list = list("scans/scene0000_00/color/0.jpg scans/scene0000_00/label/0.png",
                "scans/scene0001_00/color/0.jpg scans/scene0001_00/label/0.png");

        List<PredictionFolder.Pair> pairs = PredictionFolder.of(dir.resolve("pred"))
                .pairWithList(list, dir, Optional.of("scannet-20"));

        assertEquals(List.of("scans_scene0000_00_color_0", "scans_scene0001_00_color_0"),
                pairs.stream().map(PredictionFolder.Pair::stem).toList());
    }

    @Test
    void aStemDropsTheLastExtensionOnly() {
        assertEquals("a.b", PredictionFolder.stem("a.b.png"));
        assertEquals(".hidden", PredictionFolder.stem(".hidden"));
        assertEquals("plain", PredictionFolder.stem("plain"));
    }
}
