package org.mseg.datasets;

/**
 * What a {@link SampleReader} accepts beyond a decodable image.
 *
 * @param maxImagePixels         largest {@code width · height} of an image or label; larger files are refused from
 *                               their header, before decoding ({@code DATA.max_image_pixels}, default
 *                               {@link ImageFiles#DEFAULT_MAX_PIXELS})
 * @param permitPathsOutsideRoot whether list paths may lead outside the data root ({@code ../..} or absolute paths;
 *                               {@code DATA.permit_paths_outside_root}, default false). The check is on the path as
 *                               written, normalized: a symbolic link inside the root that points elsewhere is
 *                               followed, as data roots are often assembled from links to other disks, and whoever
 *                               can place a link in the root already controls the data.
 */
public record ReadPolicy(long maxImagePixels, boolean permitPathsOutsideRoot) {
    /** The defaults: {@link ImageFiles#DEFAULT_MAX_PIXELS}, paths confined to the data root. */
    public static final ReadPolicy DEFAULT = new ReadPolicy(ImageFiles.DEFAULT_MAX_PIXELS, false);

    /** Config key of {@link #permitPathsOutsideRoot}, for messages. */
    public static final String OUTSIDE_ROOT_KEY = "DATA.permit_paths_outside_root";

    public ReadPolicy {
        if (maxImagePixels < 1) {
            throw new IllegalArgumentException(ImageFiles.MAX_PIXELS_KEY + " must be positive, got "
                    + maxImagePixels);
        }
    }
}
