/** MSeg API. */
package org.mseg.api;
