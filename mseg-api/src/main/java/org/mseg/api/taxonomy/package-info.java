/** Taxonomies: named label spaces and how they map into MSeg's universal taxonomy. */
package org.mseg.api.taxonomy;
