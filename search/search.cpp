// Placeholder so the target exists until the search layer lands.
