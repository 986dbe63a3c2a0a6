package org.mseg.datasets.synth;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * How one MSeg training dataset names its files, as in its upstream split lists (MSEG.md a.3), which scenes it
 * shows, and its look. Paths are relative to the dataset folder.
 */
enum SynthLayout {
    ADE20K("ade20k-150", "ade20k-150-relabeled", 0.5, new SceneRenderer.Style(1.0, new int[] {0, 0, 0}, 1.0)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            String stem = (train ? "training/ADE_train_" : "validation/ADE_val_")
                    + String.format(Locale.ROOT, "%08d", index + 1);
            return new Paths("images/" + stem + ".jpg", "annotations_semseg150/" + stem + ".png",
                    "annotations_semseg150_relabeled/" + stem + ".png");
        }
    },
    BDD("bdd", "bdd-relabeled", 1.0, new SceneRenderer.Style(0.85, new int[] {10, 0, -5}, 1.3)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            String split = train ? "train" : "val";
            String id = String.format(Locale.ROOT, "%08x-%08x", rng.nextInt(), index);
            return new Paths("seg/images/" + split + "/" + id + ".jpg",
                    "seg/labels/" + split + "/" + id + "_train_id.png",
                    "seg_relabeled/labels/" + split + "/" + id + "_train_id.png");
        }
    },
    CITYSCAPES("cityscapes-19", "cityscapes-19-relabeled", 1.0,
            new SceneRenderer.Style(0.95, new int[] {0, 5, 0}, 0.8)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            String[] cities = train ? new String[] {"aachen", "bochum", "bremen"}
                    : new String[] {"frankfurt", "lindau", "munster"};
            String split = train ? "train" : "val";
            String city = cities[index % cities.length];
            String stem = split + "/" + city + "/" + city
                    + String.format(Locale.ROOT, "_%06d_%06d", index / cities.length, 19);
            return new Paths("leftImg8bit/" + stem + "_leftImg8bit.png",
                    "gtFine_19cls/" + stem + "_gtFine_labelIds.png",
                    "gtFine_19cls_relabeled/" + stem + "_gtFine_labelIds.png");
        }
    },
    COCO("coco-panoptic-133", "coco-panoptic-133-relabeled", 0.5,
            new SceneRenderer.Style(1.05, new int[] {0, 0, 8}, 1.0)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            String split = train ? "train2017" : "val2017";
            String id = String.format(Locale.ROOT, "%012d", train ? 9 + 7919L * index : 139 + 1543L * index);
            return new Paths("images/" + split + "/" + id + ".jpg",
                    "semantic_annotations133/" + split + "/" + id + ".png",
                    "semantic_relabeled133/" + split + "/" + id + ".png");
        }
    },
    IDD("idd-39", "idd-39-relabeled", 1.0, new SceneRenderer.Style(1.05, new int[] {-10, 5, 15}, 1.2)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            String split = train ? "train" : "val";
            String seq = train ? String.valueOf(index % 4) : String.valueOf(119 + index % 2);
            String stem = split + "/" + seq + "/"
                    + String.format(Locale.ROOT, "%06d", train ? 5506 + 120 * index : 35471 + 7 * index);
            return new Paths("leftImg8bit/" + stem + "_leftImg8bit.png", "gtFine39/" + stem + "_gtFine_labelids.png",
                    "gtFine39_relabeled/" + stem + "_gtFine_labelids.png");
        }
    },
    MAPILLARY("mapillary-public65", "mapillary-public65-relabeled", 1.0,
            new SceneRenderer.Style(1.0, new int[] {5, 5, 5}, 1.0)) {
        private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            StringBuilder id = new StringBuilder();
            for (int i = 0; i < 18; i++) {
                id.append(ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
            }
            // The index keeps ids unique; upstream ids are 22 characters.
            id.append(String.format(Locale.ROOT, "%04d", index));
            String split = train ? "training" : "validation";
            return new Paths(split + "/images/" + id + ".jpg", split + "_semseg65/labels/" + id + ".png",
                    split + "_semseg65_relabeled/labels/" + id + ".png");
        }
    },
    SUNRGBD("sunrgbd-37", "sunrgbd-37-relabeled", 0.0, new SceneRenderer.Style(0.9, new int[] {0, 5, 10}, 1.1)) {
        @Override
        Paths paths(boolean train, int index, RandomGenerator rng) {
            // MSeg's SUN RGB-D "val" is taken from the official test folder.
            String split = train ? "train" : "test";
            int number = train ? index + 1 : 24 * index + 1;
            return new Paths(String.format(Locale.ROOT, "image/%s/img-%06d.jpg", split, number),
                    String.format(Locale.ROOT, "semseg-label37/%s/%08d.png", split, number),
                    String.format(Locale.ROOT, "semseg-relabeled37/%s/%08d.png", split, number));
        }
    };

    /**
     * The files of one sample.
     *
     * @param image          image path
     * @param label          label path in the unrelabeled taxonomy
     * @param relabeledLabel label path in the relabeled taxonomy
     */
    record Paths(String image, String label, String relabeledLabel) {
    }

    private final String unrelabeled;
    private final String relabeled;
    private final double streetShare;
    private final SceneRenderer.Style style;

    SynthLayout(String unrelabeled, String relabeled, double streetShare, SceneRenderer.Style style) {
        this.unrelabeled = unrelabeled;
        this.relabeled = relabeled;
        this.streetShare = streetShare;
        this.style = style;
    }

    /** Paths of the sample with this 0-based index in the train or val split. */
    abstract Paths paths(boolean train, int index, RandomGenerator rng);

    /** Name of the unrelabeled dataset (and taxonomy). */
    String unrelabeled() {
        return unrelabeled;
    }

    /** Name of the relabeled dataset (and taxonomy). */
    String relabeled() {
        return relabeled;
    }

    /** Share of street scenes; the rest are rooms. */
    double streetShare() {
        return streetShare;
    }

    SceneRenderer.Style style() {
        return style;
    }
}
