"""Pure domain logic: no boto3, no os.environ, no clock reads."""
