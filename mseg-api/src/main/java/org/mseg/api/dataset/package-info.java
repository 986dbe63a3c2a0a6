/** Datasets: where they are on disk, their splits and list files, and their label encoding. */
package org.mseg.api.dataset;
