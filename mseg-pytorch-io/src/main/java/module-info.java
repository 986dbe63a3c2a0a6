/**
 * PyTorch's file formats in pure Java: the pickle subset that {@code torch.save} writes (no code runs, no class is
 * instantiated), {@code .pth} zip archives and their lazily read tensors, and NumPy {@code .npy}. Model providers use
 * it to import PyTorch state dicts; nothing here depends on TensorFlow.
 */
module org.mseg.pytorch {
    requires transitive org.mseg.api;
    exports org.mseg.pytorch;
}
