/** Discovery of providers from module layers, the class path and plugin folders; lookup by name. */
package org.mseg.api.plugin;
