"""datagen_core.planning."""
