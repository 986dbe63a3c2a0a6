/**
 * Segmentation metrics with MSeg's protocol: IoU histograms, mIoU, relabeled evaluation, and scoring a folder of
 * predicted label maps against ground truth.
 */
package org.mseg.datasets.metrics;
