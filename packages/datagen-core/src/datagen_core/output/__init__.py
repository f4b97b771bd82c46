"""datagen_core.output."""
