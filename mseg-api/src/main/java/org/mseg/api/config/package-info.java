/** Training and test configuration: MSeg's YAML files, flat keys, validation. */
package org.mseg.api.config;
