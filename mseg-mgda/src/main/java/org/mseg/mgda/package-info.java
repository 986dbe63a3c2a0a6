/** MGDA: per-dataset gradients combined by the min-norm point of their convex hull. */
package org.mseg.mgda;
