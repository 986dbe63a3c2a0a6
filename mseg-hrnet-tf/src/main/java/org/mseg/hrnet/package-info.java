/** HRNetV2 segmentation model built as a TensorFlow Java graph. */
package org.mseg.hrnet;
