"""Readers of upstream source files shipped inside installed packages (nothing is downloaded)."""
