/** Models: segmentation architectures selected by name and built into a compute backend. */
package org.mseg.api.model;
