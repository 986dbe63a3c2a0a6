package org.mseg.datasets;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mseg.api.DatasetException;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.plugin.PluginEnvironment;
import org.mseg.datasets.transform.LabelLookup;
import org.mseg.taxonomy.TaxonomyConverter;
import org.mseg.taxonomy.TaxonomyMapping;

/** Reading a built-in dataset from a data root and a lists folder laid out as upstream, then mapping to universal. */
class BuiltInReadingTest {
    @TempDir
    Path dir;

    private void write(Path file, Mat mat) throws IOException {
        Files.createDirectories(file.getParent());
        assertTrue(imwrite(file.toString(), mat));
    }

    @Test
    void cityscapesLabelsAreCheckedAgainstTheirTaxonomyAndMappedToUniversal() throws IOException {
        PluginEnvironment env = PluginEnvironment.boot();
        DatasetDefinition cityscapes = env.datasets().get("cityscapes-19");
        Path root = dir.resolve("mseg_dataset");
        Path folder = root.resolve("Cityscapes");
        try (Mat image = new Mat(2, 3, CV_8UC3, new Scalar(1, 2, 3, 0));
                Mat good = TestMats.label(2, 3, 0, 11, 12, 18, 255, 13);
                Mat bad = TestMats.label(2, 3, 0, 19, 0, 0, 0, 0)) {
            write(folder.resolve("leftImg8bit/val/a.png"), image);
            write(folder.resolve("gtFine_19cls/val/a.png"), good);
            write(folder.resolve("gtFine_19cls/val/b.png"), bad);
        }
        Path list = dir.resolve("dataset_lists/cityscapes-19/list/val.txt");
        Files.createDirectories(list.getParent());
        Files.writeString(list, "leftImg8bit/val/a.png gtFine_19cls/val/a.png\n"
                + "leftImg8bit/val/a.png gtFine_19cls/val/b.png\n");

        SplitList split = SplitList.read(cityscapes, "val", Optional.of(dir.resolve("dataset_lists")));
        DataRoot dataRoot = DataRoot.resolve(Optional.of(root.toString()), java.util.Map.of());
        SampleReader reader = SampleReader.of(cityscapes, dataRoot, split, env.taxonomies());

        TaxonomyMapping toUniversal = TaxonomyConverter.of(env).toUniversal("cityscapes-19");
        try (Sample sample = reader.read(0)) {
            LabelLookup.of(toUniversal).apply(sample, new TestMats.Scripted());
            int[] ids = {0, 11, 12, 18, 255, 13};
            for (int i = 0; i < ids.length; i++) {
                assertEquals(toUniversal.apply(ids[i]), TestMats.at(sample.label(), i / 3, i % 3), "id " + ids[i]);
            }
            assertEquals(255, TestMats.at(sample.label(), 1, 1));
        }
        DatasetException e = assertThrows(DatasetException.class, () -> reader.read(1).close());
        assertTrue(e.getMessage().contains(list + " line 2") && e.getMessage().contains("id 19")
                && e.getMessage().contains("0..18"), e.getMessage());
    }
}
