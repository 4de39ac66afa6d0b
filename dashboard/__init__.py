"""FastAPI dashboard over sensorcoach's store."""
