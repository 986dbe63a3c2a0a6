/** Checks that any provider, built-in or third-party, can run against itself in its own tests. */
package org.mseg.api.testkit;
