enum GraphEmulatorPlaceholder {}
