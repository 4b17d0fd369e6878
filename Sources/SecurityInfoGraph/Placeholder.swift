/// Placeholder until the Graph client lands.
enum GraphClientPlaceholder {}
