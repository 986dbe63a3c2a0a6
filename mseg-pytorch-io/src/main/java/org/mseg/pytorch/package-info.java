/** Reading PyTorch checkpoints and NumPy arrays without Python. */
package org.mseg.pytorch;
