/**
 * MSeg's taxonomies and the {@link org.mseg.taxonomy.TaxonomyConverter} that maps class ids between them. The
 * built-in taxonomies are contributed through the taxonomy SPI by a provider in a non-exported package.
 */
package org.mseg.taxonomy;
