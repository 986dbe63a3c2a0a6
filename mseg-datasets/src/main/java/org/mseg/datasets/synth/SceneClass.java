package org.mseg.datasets.synth;

import java.util.ArrayList;
import java.util.List;

/**
 * The things a synthetic scene is made of, each named by its universal class. A dataset labels a scene class with its
 * own class whose universal class is {@link #universal()}, or, when it has none, with the first of
 * {@link #coarser()} it has: that is how a coarse dataset annotates a finer concept (BDD's {@code rider} is a
 * {@code rider_other}, ADE20K draws a bicyclist as a {@code person}), which relabeling then refines.
 *
 * <p>Colours are BGR means; {@code jitter} is the per-image (or per-instance) spread of the mean, {@code noise} the
 * per-pixel standard deviation. Together with textures they make classes separable but not by colour alone.
 */
enum SceneClass {
    SKY("sky", List.of(), List.of("sky", "sky-other-merged"), 225, 170, 120, 25, 4, Texture.VERTICAL_GRADIENT),
    BUILDING("building", List.of(), List.of("building", "building-other-merged"), 120, 125, 135, 35, 10,
            Texture.WINDOWS),
    VEGETATION("vegetation", List.of(), List.of("vegetation", "tree", "tree-merged"), 50, 120, 60, 20, 22,
            Texture.SPECKLE),
    TERRAIN("terrain", List.of(), List.of("terrain", "grass", "grass-merged"), 70, 150, 130, 20, 14,
            Texture.SPECKLE),
    ROAD("road", List.of(), List.of("road"), 95, 90, 90, 15, 7, Texture.LANE_MARKS),
    SIDEWALK("sidewalk_pavement", List.of(), List.of("sidewalk"), 160, 165, 170, 15, 6, Texture.TILES),
    CAR("car", List.of(), List.of("car"), 0, 0, 0, 0, 6, Texture.FLAT),
    BUS("bus", List.of(), List.of("bus"), 40, 160, 220, 25, 6, Texture.FLAT),
    PERSON("person", List.of(), List.of("person"), 0, 0, 0, 0, 8, Texture.FLAT),
    BICYCLIST("bicyclist", List.of("rider_other", "motorcyclist", "person"), List.of("rider", "bicyclist"),
            0, 0, 0, 0, 8, Texture.FLAT),
    BICYCLE("bicycle", List.of(), List.of("bicycle"), 40, 40, 45, 10, 5, Texture.FLAT),
    POLE("pole", List.of(), List.of("pole"), 110, 110, 105, 15, 5, Texture.FLAT),
    TRAFFIC_SIGN("traffic_sign", List.of(), List.of("traffic sign", "traffic sign (front)", "stop sign"),
            30, 200, 230, 30, 5, Texture.FLAT),
    WALL("wall", List.of(), List.of("wall", "wall-other-merged"), 190, 205, 215, 30, 5, Texture.FLAT),
    FLOOR("floor", List.of(), List.of("floor", "floor-wood"), 70, 110, 150, 20, 8, Texture.PLANKS),
    CEILING("ceiling", List.of(), List.of("ceiling", "ceiling-merged"), 235, 238, 240, 10, 3, Texture.FLAT),
    WINDOW("window", List.of(), List.of("window", "windowpane", "window-other"), 240, 215, 170, 20, 6,
            Texture.FLAT),
    DOOR("door", List.of(), List.of("door", "door-stuff"), 50, 80, 120, 20, 6, Texture.FLAT),
    PAINTING("painting", List.of("wall"), List.of("painting", "picture"), 0, 0, 0, 0, 20, Texture.SPECKLE),
    BED("bed", List.of(), List.of("bed"), 210, 200, 230, 25, 5, Texture.FLAT),
    TABLE("table", List.of(), List.of("table", "dining table"), 40, 75, 110, 20, 6, Texture.PLANKS),
    CHAIR("chair_other", List.of(), List.of("chair"), 60, 60, 140, 30, 6, Texture.FLAT),
    CABINET("cabinet", List.of(), List.of("cabinet", "cabinet-merged"), 90, 130, 170, 20, 5, Texture.DRAWERS),
    COUCH("couch", List.of(), List.of("sofa", "couch"), 120, 70, 70, 35, 7, Texture.FLAT);

    /** How pixel values vary inside a region beyond noise. */
    enum Texture { FLAT, VERTICAL_GRADIENT, WINDOWS, SPECKLE, LANE_MARKS, TILES, PLANKS, DRAWERS }

    private final String universal;
    private final List<String> coarser;
    private final List<String> preferredNames;
    private final int[] meanBgr;
    private final int jitter;
    private final int noise;
    private final Texture texture;

    SceneClass(String universal, List<String> coarser, List<String> preferredNames, int b, int g, int r, int jitter,
            int noise, Texture texture) {
        this.universal = universal;
        this.coarser = coarser;
        this.preferredNames = preferredNames;
        this.meanBgr = new int[] {b, g, r};
        this.jitter = jitter;
        this.noise = noise;
        this.texture = texture;
    }

    /** The universal class this scene class is. */
    String universal() {
        return universal;
    }

    /** Coarser universal classes a dataset without {@link #universal()} labels it with, most specific first. */
    List<String> coarser() {
        return coarser;
    }

    /** {@link #universal()} followed by {@link #coarser()}. */
    List<String> universalChain() {
        List<String> chain = new ArrayList<>();
        chain.add(universal);
        chain.addAll(coarser);
        return chain;
    }

    /**
     * Dataset class names (lower case) preferred when several classes of a dataset map to the same universal class
     * (Mapillary's {@code Road} rather than {@code Pothole}).
     */
    List<String> preferredNames() {
        return preferredNames;
    }

    /** Mean BGR colour; all zero for classes whose colour is chosen per instance. */
    int[] meanBgr() {
        return meanBgr.clone();
    }

    int jitter() {
        return jitter;
    }

    int noise() {
        return noise;
    }

    Texture texture() {
        return texture;
    }
}
