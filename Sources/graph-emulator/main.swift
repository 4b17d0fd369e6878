print("graph-emulator: not built yet")
