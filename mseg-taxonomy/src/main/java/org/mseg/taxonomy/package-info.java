/** MSeg taxonomies. */
package org.mseg.taxonomy;
