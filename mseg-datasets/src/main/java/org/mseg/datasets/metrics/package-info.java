/** Segmentation metrics with MSeg's protocol: IoU histograms, mIoU, relabeled evaluation. */
package org.mseg.datasets.metrics;
