package org.mseg.datasets.synth;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.GaussianBlur;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.random.RandomGenerator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Draws one random scene (a street or a room) into a {@link Canvas} and shades it into a textured, noisy BGR image.
 * Layout, object counts, sizes and colours are random per image; sizes follow a simple ground-plane perspective so
 * near objects are large and far ones small.
 */
final class SceneRenderer {
    /** The kinds of scene. */
    enum Scene { STREET, ROOM }

    /**
     * The look of one dataset: overall brightness and a colour cast, so that the datasets differ a little, as real
     * ones do (a domain shift the universal model has to absorb).
     *
     * @param brightness multiplies every channel
     * @param castBgr    added to every pixel
     * @param noiseScale multiplies each class's pixel noise
     */
    record Style(double brightness, int[] castBgr, double noiseScale) {
    }

    private static final int[][] CAR_COLOURS = {
        {30, 30, 180}, {160, 60, 20}, {225, 225, 225}, {25, 25, 25}, {170, 170, 165}, {40, 90, 30}, {20, 190, 220},
    };
    private static final int[][] CLOTHES = {
        {60, 40, 30}, {120, 60, 40}, {40, 40, 120}, {90, 90, 90}, {30, 60, 30}, {150, 140, 130}, {100, 50, 110},
    };
    private static final int[][] SPORT_JACKETS = {
        {0, 140, 255}, {0, 230, 230}, {230, 230, 0}, {50, 220, 50}, {200, 0, 200},
    };
    private static final int[][] SIGNS = {{200, 90, 20}, {30, 30, 210}, {20, 200, 230}};
    private static final int[] SKIN = {120, 150, 200};
    private static final int[] DARK = {35, 30, 30};
    private static final int[] WHITE = {235, 235, 235};

    private SceneRenderer() {
    }

    /** Draws a scene of the given kind. */
    static void draw(Canvas canvas, Scene scene, RandomGenerator rng) {
        if (scene == Scene.STREET) {
            street(canvas, rng);
        } else {
            room(canvas, rng);
        }
    }

    // ---- street ---------------------------------------------------------------------------------------------------

    private static void street(Canvas c, RandomGenerator rng) {
        int w = c.width();
        int h = c.height();
        int horizon = (int) (h * between(rng, 0.32, 0.5));
        c.rect(SceneClass.SKY, colour(SceneClass.SKY, rng), 0, 0, w - 1, horizon);
        // Skyline: buildings with gaps filled by tree crowns.
        int x = -rng.nextInt(Math.max(1, w / 10));
        while (x < w) {
            int bw = Math.max(4, (int) (w * between(rng, 0.08, 0.25)));
            if (rng.nextDouble() < 0.25) {
                int crownH = (int) (h * between(rng, 0.06, 0.14));
                c.ellipseShape(SceneClass.VEGETATION, colour(SceneClass.VEGETATION, rng), x + bw / 2,
                        horizon - crownH / 2, bw / 2 + 1, crownH, 0);
            } else {
                int top = horizon - (int) (h * between(rng, 0.08, 0.35));
                c.rect(SceneClass.BUILDING, colour(SceneClass.BUILDING, rng), x, Math.max(0, top), x + bw - 1,
                        horizon + 1);
            }
            x += bw + (rng.nextDouble() < 0.3 ? rng.nextInt(Math.max(1, w / 12)) : 0);
        }
        c.rect(SceneClass.SIDEWALK, colour(SceneClass.SIDEWALK, rng), 0, horizon + 1, w - 1, h - 1);
        if (rng.nextDouble() < 0.6) {
            c.polygon(SceneClass.TERRAIN, colour(SceneClass.TERRAIN, rng), 0, horizon + (h - horizon) / 3,
                    (int) (w * between(rng, 0.08, 0.2)), horizon + 1, (int) (w * 0.12), h - 1, 0, h - 1);
        }
        if (rng.nextDouble() < 0.6) {
            c.polygon(SceneClass.TERRAIN, colour(SceneClass.TERRAIN, rng), w - 1, horizon + (h - horizon) / 3,
                    w - 1 - (int) (w * between(rng, 0.08, 0.2)), horizon + 1, w - 1 - (int) (w * 0.12), h - 1, w - 1,
                    h - 1);
        }
        // Road: a trapezoid towards a vanishing point on the horizon.
        int vx = (int) (w * between(rng, 0.38, 0.62));
        int half = Math.max(1, (int) (w * 0.04));
        int bl = (int) (w * between(rng, 0.0, 0.2));
        int br = (int) (w * between(rng, 0.8, 1.0));
        c.polygon(SceneClass.ROAD, colour(SceneClass.ROAD, rng), vx - half, horizon + 1, vx + half, horizon + 1, br,
                h - 1, bl, h - 1);
        Road road = new Road(horizon, h, vx, half, bl, br);
        int mid = (bl + br) / 2;
        for (int y = horizon + 3; y < h; y += 8) {
            double s0 = road.depth(y);
            double s1 = road.depth(Math.min(h - 1, y + 4));
            c.detailLine(WHITE, (int) lerp(vx, mid, s0), y, (int) lerp(vx, mid, s1), Math.min(h - 1, y + 4), 1);
        }

        List<Placed> things = new ArrayList<>();
        int poles = rng.nextInt(3);
        for (int i = 0; i < poles; i++) {
            int base = road.randomY(rng, 0.3, 0.95);
            boolean left = rng.nextBoolean();
            int px = left ? (int) (road.left(base) * between(rng, 0.2, 0.8))
                    : (int) (road.right(base) + (w - road.right(base)) * between(rng, 0.2, 0.8));
            things.add(new Placed(base, () -> pole(c, rng, road, px, base)));
        }
        int cars = rng.nextInt(4);
        for (int i = 0; i < cars; i++) {
            int base = road.randomY(rng, 0.15, 1.0);
            things.add(new Placed(base, () -> vehicle(c, rng, road, base, false)));
        }
        if (rng.nextDouble() < 0.2) {
            int base = road.randomY(rng, 0.1, 0.6);
            things.add(new Placed(base, () -> vehicle(c, rng, road, base, true)));
        }
        int people = rng.nextInt(4);
        for (int i = 0; i < people; i++) {
            int base = road.randomY(rng, 0.2, 1.0);
            boolean left = rng.nextBoolean();
            int px = left ? (int) (road.left(base) * between(rng, 0.1, 0.9))
                    : (int) (road.right(base) + (w - road.right(base)) * between(rng, 0.1, 0.9));
            things.add(new Placed(base, () -> person(c, rng, road.depth(base), px, base)));
        }
        int riders = rng.nextDouble() < 0.55 ? 1 + rng.nextInt(2) : 0;
        for (int i = 0; i < riders; i++) {
            int base = road.randomY(rng, 0.2, 1.0);
            int px = (int) lerp(road.left(base), road.right(base), between(rng, 0.1, 0.9));
            things.add(new Placed(base, () -> bicyclist(c, rng, road.depth(base), px, base)));
        }
        things.sort(Comparator.comparingInt(Placed::base));
        things.forEach(t -> t.draw().run());
    }

    /** Where the road is: depth 0 at the horizon, 1 at the bottom row. */
    private record Road(int horizon, int height, int vx, int half, int bottomLeft, int bottomRight) {
        double depth(int y) {
            return Math.max(0.02, (y - horizon) / (double) Math.max(1, height - 1 - horizon));
        }

        double left(int y) {
            return lerp(vx - half, bottomLeft, depth(y));
        }

        double right(int y) {
            return lerp(vx + half, bottomRight, depth(y));
        }

        int randomY(RandomGenerator rng, double from, double to) {
            return horizon + 2 + (int) ((height - 3 - horizon) * between(rng, from, to));
        }
    }

    private record Placed(int base, Runnable draw) {
    }

    private static void pole(Canvas c, RandomGenerator rng, Road road, int x, int base) {
        double s = road.depth(base);
        int ph = (int) (c.height() * (0.25 + 0.45 * s)) + 4;
        int pw = Math.max(1, (int) (c.width() * 0.012 * (0.5 + s)));
        int top = Math.max(0, base - ph);
        c.rect(SceneClass.POLE, colour(SceneClass.POLE, rng), x, top, x + pw - 1, base);
        if (rng.nextDouble() < 0.7) {
            int r = Math.max(2, (int) (c.width() * 0.03 * (0.4 + s)));
            int[] col = jitter(SIGNS[rng.nextInt(SIGNS.length)], 15, rng);
            if (rng.nextBoolean()) {
                c.circleShape(SceneClass.TRAFFIC_SIGN, col, x + pw / 2, top + r, r, -1);
            } else {
                c.rect(SceneClass.TRAFFIC_SIGN, col, x + pw / 2 - r, top, x + pw / 2 + r, top + (int) (1.4 * r));
            }
        }
    }

    private static void vehicle(Canvas c, RandomGenerator rng, Road road, int base, boolean bus) {
        double s = road.depth(base);
        int cw = (int) (c.width() * (bus ? 0.45 : 0.3) * s) + 4;
        int ch = (int) (cw * (bus ? 0.9 : 0.6));
        double l = road.left(base);
        double r = road.right(base);
        double room = Math.max(0, r - l - cw);
        int x0 = (int) (l + room * rng.nextDouble());
        int x1 = x0 + cw;
        SceneClass cls = bus ? SceneClass.BUS : SceneClass.CAR;
        int[] body = bus ? colour(SceneClass.BUS, rng) : jitter(CAR_COLOURS[rng.nextInt(CAR_COLOURS.length)], 15, rng);
        int[] glass = jitter(new int[] {70, 55, 45}, 10, rng);
        if (bus) {
            c.rect(cls, body, x0, base - ch, x1, base);
            c.detail(glass, x0 + cw / 10, base - ch + ch / 8, x1 - cw / 10, base - ch + ch / 3);
        } else {
            c.rect(cls, body, x0, base - ch / 2, x1, base);
            c.rect(cls, body, x0 + cw / 5, base - ch, x1 - cw / 5, base - ch / 2);
            c.detail(glass, x0 + cw / 5 + 1, base - ch + 1, x1 - cw / 5 - 1, base - ch / 2 - 1);
        }
        int wheel = Math.max(1, ch / 6);
        c.circleShape(cls, DARK, x0 + cw / 5, base - wheel / 2, wheel, -1);
        c.circleShape(cls, DARK, x1 - cw / 5, base - wheel / 2, wheel, -1);
    }

    private static void person(Canvas c, RandomGenerator rng, double s, int x, int base) {
        int ph = (int) (c.height() * 0.45 * s) + 6;
        int bw = Math.max(1, ph / 8);
        int[] top = jitter(CLOTHES[rng.nextInt(CLOTHES.length)], 20, rng);
        int[] legs = jitter(CLOTHES[rng.nextInt(CLOTHES.length)], 20, rng);
        c.rect(SceneClass.PERSON, legs, x - bw, base - ph / 2, x + bw, base);
        c.ellipseShape(SceneClass.PERSON, top, x, base - ph * 5 / 8, bw + 1, ph / 5, 0);
        c.circleShape(SceneClass.PERSON, jitter(SKIN, 20, rng), x, base - ph * 7 / 8, Math.max(1, ph / 9), -1);
    }

    private static void bicyclist(Canvas c, RandomGenerator rng, double s, int x, int base) {
        int size = (int) (c.height() * 0.4 * s) + 6;
        int wheel = Math.max(2, size / 5);
        int gap = wheel * 2 + 1;
        int[] frame = colour(SceneClass.BICYCLE, rng);
        int thick = Math.max(1, size / 25);
        c.circleShape(SceneClass.BICYCLE, frame, x - gap / 2, base - wheel, wheel, thick);
        c.circleShape(SceneClass.BICYCLE, frame, x + gap / 2, base - wheel, wheel, thick);
        c.lineShape(SceneClass.BICYCLE, frame, x - gap / 2, base - wheel, x, base - 2 * wheel, thick);
        c.lineShape(SceneClass.BICYCLE, frame, x, base - 2 * wheel, x + gap / 2, base - wheel, thick);
        int[] jacket = jitter(SPORT_JACKETS[rng.nextInt(SPORT_JACKETS.length)], 20, rng);
        int bodyH = size / 2;
        c.ellipseShape(SceneClass.BICYCLIST, jacket, x, base - 2 * wheel - bodyH / 2, Math.max(1, size / 10),
                bodyH / 2 + 1, 15);
        c.circleShape(SceneClass.BICYCLIST, jitter(SKIN, 20, rng), x + size / 12, base - 2 * wheel - bodyH,
                Math.max(1, size / 11), -1);
    }

    // ---- room -----------------------------------------------------------------------------------------------------

    private static void room(Canvas c, RandomGenerator rng) {
        int w = c.width();
        int h = c.height();
        int ceiling = (int) (h * between(rng, 0.08, 0.22));
        int floorL = (int) (h * between(rng, 0.55, 0.75));
        int floorR = floorL + (int) (h * between(rng, -0.06, 0.06));
        int floorY = Math.max(floorL, floorR);
        c.rect(SceneClass.CEILING, colour(SceneClass.CEILING, rng), 0, 0, w - 1, ceiling);
        int[] wall = colour(SceneClass.WALL, rng);
        c.rect(SceneClass.WALL, wall, 0, ceiling + 1, w - 1, floorY);
        // A side wall in shadow: the same class in another shade.
        int corner = (int) (w * between(rng, 0.1, 0.3));
        c.polygon(SceneClass.WALL, jitter(scale(wall, 0.8), 5, rng), 0, 0, corner, ceiling + 1, corner, floorL, 0,
                floorL + h / 8);
        c.polygon(SceneClass.FLOOR, colour(SceneClass.FLOOR, rng), 0, floorL, w - 1, floorR, w - 1, h - 1, 0, h - 1);
        c.polygon(SceneClass.FLOOR, colour(SceneClass.FLOOR, rng), 0, floorL + h / 8, corner, floorL, corner, h - 1,
                0, h - 1);
        int wallTop = ceiling + 2;
        int wallH = Math.max(4, Math.min(floorL, floorR) - wallTop);
        if (rng.nextDouble() < 0.7) {
            int ww = (int) (w * between(rng, 0.15, 0.3));
            int wx = corner + rng.nextInt(Math.max(1, w - corner - ww));
            int wy = wallTop + wallH / 8;
            int wh = (int) (wallH * between(rng, 0.35, 0.6));
            c.rect(SceneClass.WINDOW, colour(SceneClass.WINDOW, rng), wx, wy, wx + ww, wy + wh);
            c.detailLine(WHITE, wx + ww / 2, wy, wx + ww / 2, wy + wh, 1);
            c.detailLine(WHITE, wx, wy + wh / 2, wx + ww, wy + wh / 2, 1);
        }
        if (rng.nextDouble() < 0.5) {
            int dw = (int) (w * between(rng, 0.1, 0.15));
            int dx = corner + rng.nextInt(Math.max(1, w - corner - dw));
            c.rect(SceneClass.DOOR, colour(SceneClass.DOOR, rng), dx, wallTop + wallH / 6, dx + dw,
                    Math.min(floorL, floorR));
        }
        if (rng.nextDouble() < 0.6) {
            int pw = (int) (w * between(rng, 0.08, 0.16));
            int px = corner + rng.nextInt(Math.max(1, w - corner - pw));
            int py = wallTop + wallH / 6;
            int[] art = {rng.nextInt(256), rng.nextInt(256), rng.nextInt(256)};
            c.rect(SceneClass.PAINTING, art, px, py, px + pw, py + (int) (pw * 0.7));
            c.detail(jitter(art, 60, rng), px + pw / 4, py + pw / 6, px + pw * 3 / 4, py + pw / 2);
        }
        List<Placed> things = new ArrayList<>();
        int furniture = 1 + rng.nextInt(3);
        SceneClass[] kinds = {SceneClass.BED, SceneClass.TABLE, SceneClass.CHAIR, SceneClass.CABINET,
            SceneClass.COUCH};
        for (int i = 0; i < furniture; i++) {
            SceneClass kind = kinds[rng.nextInt(kinds.length)];
            int base = floorY + 2 + (int) ((h - 3 - floorY) * between(rng, 0.1, 1.0));
            double s = 0.5 + 0.5 * (base - floorY) / (double) Math.max(1, h - floorY);
            int x = (int) (w * between(rng, 0.1, 0.8));
            things.add(new Placed(base, () -> furniture(c, rng, kind, x, base, s)));
        }
        if (rng.nextDouble() < 0.4) {
            int base = floorY + 2 + (int) ((h - 3 - floorY) * between(rng, 0.3, 1.0));
            int x = (int) (w * between(rng, 0.1, 0.9));
            things.add(new Placed(base, () -> person(c, rng, 1.3, x, base)));
        }
        things.sort(Comparator.comparingInt(Placed::base));
        things.forEach(t -> t.draw().run());
    }

    private static void furniture(Canvas c, RandomGenerator rng, SceneClass kind, int x, int base, double s) {
        int u = (int) (c.width() * 0.1 * s) + 3;
        int[] col = colour(kind, rng);
        switch (kind) {
            case BED -> {
                c.rect(kind, col, x, base - u, x + 3 * u, base);
                c.rect(kind, scale(col, 0.7), x, base - 2 * u, x + u / 3, base);
                c.detail(WHITE, x + u / 2, base - u - 1, x + u, base - u + u / 4);
            }
            case TABLE -> {
                c.rect(kind, col, x, base - u - u / 4, x + 2 * u, base - u);
                c.rect(kind, col, x + 1, base - u, x + 1 + Math.max(1, u / 6), base);
                c.rect(kind, col, x + 2 * u - 1 - Math.max(1, u / 6), base - u, x + 2 * u - 1, base);
            }
            case CHAIR -> {
                c.rect(kind, col, x, base - u / 2 - u / 6, x + u / 2 + 2, base - u / 2);
                c.rect(kind, col, x, base - u - u / 3, x + Math.max(1, u / 8), base);
                c.rect(kind, col, x + u / 2 + 1, base - u / 2, x + u / 2 + 2, base);
            }
            case CABINET -> c.rect(kind, col, x, base - 2 * u, x + u + u / 2, base);
            case COUCH -> {
                c.rect(kind, col, x, base - u / 2, x + 3 * u, base);
                c.rect(kind, scale(col, 0.85), x, base - u, x + 3 * u, base - u / 2);
                c.rect(kind, scale(col, 0.75), x - u / 4, base - 3 * u / 4, x + u / 4, base);
                c.rect(kind, scale(col, 0.75), x + 3 * u - u / 4, base - 3 * u / 4, x + 3 * u + u / 4, base);
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
    }

    // ---- shading --------------------------------------------------------------------------------------------------

    /**
     * The final BGR image: base colours plus each class's texture and noise, the dataset's look, and a light blur.
     *
     * @param classes the canvas class raster as bytes (row-major)
     * @return a new {@code CV_8UC3} Mat owned by the caller
     */
    static Mat shade(Canvas canvas, byte[] classes, Style style, RandomGenerator rng) {
        int w = canvas.width();
        int h = canvas.height();
        byte[] px = new byte[w * h * 3];
        canvas.colour().data().get(px);
        SceneClass[] all = SceneClass.values();
        double brightness = style.brightness() * between(rng, 0.85, 1.15);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int k = classes[i] & 0xff;
                SceneClass cls = k < all.length ? all[k] : null;
                double offset = cls == null ? 0 : texture(cls.texture(), x, y, h);
                double n = cls == null ? 0 : rng.nextGaussian() * cls.noise() * style.noiseScale();
                for (int ch = 0; ch < 3; ch++) {
                    double v = ((px[3 * i + ch] & 0xff) + offset + n + rng.nextInt(7) - 3) * brightness
                            + style.castBgr()[ch];
                    px[3 * i + ch] = (byte) Math.max(0, Math.min(255, (int) Math.round(v)));
                }
            }
        }
        try (Mat raw = new Mat(h, w, CV_8UC3); Size k = new Size(3, 3)) {
            raw.data().put(px);
            Mat image = new Mat();
            GaussianBlur(raw, image, k, 0.6);
            return image;
        }
    }

    private static double texture(SceneClass.Texture t, int x, int y, int h) {
        return switch (t) {
            case FLAT -> 0;
            case VERTICAL_GRADIENT -> 45.0 * y / h;
            case WINDOWS -> x % 7 < 3 && y % 9 < 4 ? -55 : 0;
            case SPECKLE -> 18 * Math.sin(x * 0.9 + y * 0.3) * Math.cos(y * 0.7);
            case LANE_MARKS -> ((x + y) % 11 == 0) ? -8 : 0;
            case TILES -> x % 8 == 0 || y % 6 == 0 ? -30 : 0;
            case PLANKS -> (y % 5 == 0 ? -25 : 0) + 8 * Math.sin(x * 0.15 + y);
            case DRAWERS -> y % 10 == 0 || x % 23 == 0 ? -45 : 0;
        };
    }

    // ---- colour helpers -------------------------------------------------------------------------------------------

    private static int[] colour(SceneClass c, RandomGenerator rng) {
        return jitter(c.meanBgr(), c.jitter(), rng);
    }

    private static int[] jitter(int[] bgr, int spread, RandomGenerator rng) {
        int[] out = new int[3];
        double common = rng.nextGaussian() * spread * 0.5;
        for (int i = 0; i < 3; i++) {
            out[i] = clamp(bgr[i] + common + rng.nextGaussian() * spread * 0.5);
        }
        return out;
    }

    private static int[] scale(int[] bgr, double f) {
        return new int[] {clamp(bgr[0] * f), clamp(bgr[1] * f), clamp(bgr[2] * f)};
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    private static double between(RandomGenerator rng, double from, double to) {
        return from + (to - from) * rng.nextDouble();
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }
}
