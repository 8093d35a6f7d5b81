"""No selector class at all."""
VALUE = 1
