/**
 * Pictures of segmentations for people to look at: a fixed colour per class ({@link org.mseg.datasets.viz.Palette}),
 * colour maps with a legend of the classes present ({@link org.mseg.datasets.viz.Legend}), image overlays with class
 * names at region centres ({@link org.mseg.datasets.viz.Overlay}), side-by-side panels
 * ({@link org.mseg.datasets.viz.Panels}) and a one-page HTML report of an evaluation run
 * ({@link org.mseg.datasets.viz.HtmlReport}).
 *
 * <p>Images are OpenCV Mats: colour images BGR {@code CV_8UC3}; label maps {@code CV_8UC1} with 255 = ignore or
 * {@code CV_16UC1} with 65535 = ignore. Every Mat a method returns is new and owned by the caller, who closes it.
 */
package org.mseg.datasets.viz;
