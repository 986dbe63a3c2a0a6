package org.mseg.datasets.builtin;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mseg.api.dataset.DatasetDefinition;
import org.mseg.api.dataset.DatasetProvider;
import org.mseg.api.dataset.LabelEncoding;
import org.mseg.api.dataset.SplitDefinition;

/**
 * MSeg's own datasets: the seven training datasets (unrelabeled and relabeled, plus {@code cityscapes-34-relabeled})
 * and the six zero-shot test datasets, with the split lists of upstream {@code mseg-api} bundled as gzip resources.
 * Found through the dataset SPI like any plugin.
 *
 * <p>Each dataset's taxonomy has the dataset's name; its folder is the upstream {@code dataroot} under the data root.
 * Splits whose lists hold image paths only ({@code test} of IDD, KITTI and WildDash) are unlabeled.
 */
public final class MsegDatasetProvider implements DatasetProvider {
    private static final String LISTS = "lists/";

    private List<DatasetDefinition> datasets;

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public MsegDatasetProvider() {
    }

    @Override
    public String name() {
        return "mseg";
    }

    @Override
    public String description() {
        return "MSeg's training datasets (unrelabeled and relabeled) and zero-shot test datasets";
    }

    @Override
    public synchronized List<DatasetDefinition> datasets() {
        if (datasets == null) {
            datasets = List.copyOf(build());
        }
        return datasets;
    }

    private static List<DatasetDefinition> build() {
        List<DatasetDefinition> out = new ArrayList<>();
        // Training datasets, semseg (unrelabeled) versions, in release-config order.
        out.add(dataset("ade20k-150", "ADE20K/ADEChallengeData2016", "ADE20K SceneParsing, 150 classes",
                "train", "val"));
        out.add(dataset("bdd", "BDD/bdd100k", "BDD100K segmentation, 19 classes", "train", "val"));
        out.add(dataset("cityscapes-19", "Cityscapes", "Cityscapes fine, 19 classes",
                "train", "val", "fine_val", "fine_val_small"));
        out.add(dataset("coco-panoptic-133", "COCOPanoptic", "COCO Panoptic 2017 as semantic, 133 classes",
                "+train", "val", "val_small"));
        out.add(dataset("idd-39", "IDD/IDD_Segmentation", "IDD 20k Part I, 39 classes",
                "train", "val", "-test"));
        out.add(dataset("mapillary-public65", "MapillaryVistasPublic", "Mapillary Vistas v1.1 public, 65 classes",
                "train", "val"));
        out.add(dataset("sunrgbd-37", "SUNRGBD", "SUN RGB-D, 37 classes", "train", "val"));
        // Relabeled training datasets (label ids refer to universal class names), each scored against its unrelabeled
        // counterpart (the relabeled protocol, and that dataset's excluded universal ids).
        out.add(dataset("ade20k-150-relabeled", "ADE20K/ADEChallengeData2016", "ADE20K relabeled", "train", "val")
                .relabeledFrom("ade20k-150"));
        out.add(dataset("bdd-relabeled", "BDD/bdd100k", "BDD100K relabeled", "train", "val")
                .relabeledFrom("bdd"));
        out.add(dataset("cityscapes-19-relabeled", "Cityscapes", "Cityscapes 19-class relabeled",
                "train", "val", "fine_val", "fine_val_small").relabeledFrom("cityscapes-19"));
        out.add(dataset("coco-panoptic-133-relabeled", "COCOPanoptic", "COCO Panoptic relabeled",
                "+train", "val", "val_small").relabeledFrom("coco-panoptic-133"));
        out.add(dataset("idd-39-relabeled", "IDD/IDD_Segmentation", "IDD relabeled", "train", "val", "-test")
                .relabeledFrom("idd-39"));
        out.add(dataset("mapillary-public65-relabeled", "MapillaryVistasPublic", "Mapillary Vistas relabeled",
                "train", "val").relabeledFrom("mapillary-public65"));
        out.add(dataset("sunrgbd-37-relabeled", "SUNRGBD", "SUN RGB-D relabeled", "train", "val")
                .relabeledFrom("sunrgbd-37"));
        out.add(dataset("cityscapes-34-relabeled", "Cityscapes",
                "Cityscapes 34-class relabeled (not used by release configs)",
                "train", "val", "fine_val", "fine_val_small"));
        // Zero-shot test datasets.
        out.add(dataset("camvid-11", "Camvid", "CamVid, 11 classes (test dataset)", "train", "val", "test"));
        out.add(dataset("kitti-19", "KITTI", "KITTI semantics, 19 classes (test dataset)", "train", "val", "-test"));
        out.add(dataset("pascal-context-60", "PASCAL_Context", "PASCAL Context, 60 classes (test dataset)",
                "train", "val", "trainval"));
        out.add(dataset("scannet-20", "ScanNet/scannet_frames_25k", "ScanNet v2 25k frames, 20 classes (test dataset)",
                "train", "val", "val_small", "test"));
        out.add(dataset("voc2012", "PASCAL_VOC_2012", "PASCAL VOC 2012 train_aug, 21 classes (test dataset)",
                "train", "val", "train_small"));
        out.add(dataset("wilddash-19", "WildDash", "WildDash v1, 19 classes (test dataset)",
                "train", "val", "-test"));
        return out;
    }

    /**
     * A GRAY8 dataset whose taxonomy is its name. A split written {@code -name} lists image paths only; one written
     * {@code +name} is labeled but has no bundled list (COCO's train lists, about 118k lines, are not in upstream's
     * data: users generate them with {@code mseg-cli datasets index}).
     */
    private static DatasetDefinition dataset(String name, String folder, String description, String... splits) {
        List<SplitDefinition> defs = new ArrayList<>();
        for (String s : splits) {
            if (s.startsWith("+")) {
                defs.add(new SplitDefinition(s.substring(1), true, Optional.empty()));
                continue;
            }
            boolean labeled = !s.startsWith("-");
            String split = labeled ? s : s.substring(1);
            defs.add(new SplitDefinition(split, labeled, Optional.of(bundled(name, split))));
        }
        return new DatasetDefinition(name, name, folder, defs, LabelEncoding.GRAY8, description);
    }

    private static URL bundled(String dataset, String split) {
        String resource = LISTS + dataset + "/" + split + ".txt.gz";
        URL url = MsegDatasetProvider.class.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("bundled split list " + resource + " is missing from the mseg-datasets"
                    + " jar; rebuild it (mseg-datasets/tools/bundle-lists.sh regenerates the lists)");
        }
        return url;
    }
}
