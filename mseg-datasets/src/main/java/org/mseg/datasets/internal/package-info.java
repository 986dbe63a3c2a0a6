/**
 * Helpers shared by this module's packages (text drawing with OpenCV, atomic file writes). Not exported: nothing here
 * is API.
 */
package org.mseg.datasets.internal;
