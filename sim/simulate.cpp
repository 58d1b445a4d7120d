// Placeholder so the target exists until the simulator lands; replaced by sim/ modules.
