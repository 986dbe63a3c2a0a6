/** CCSA: contrastive semantic alignment across datasets on the model's shared representation. */
package org.mseg.ccsa;
