/** The {@code example-fcn} model provider: a small fully-convolutional segmentation network (see the README). */
package org.mseg.examples.fcn;
