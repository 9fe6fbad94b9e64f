"""The AWS provider plugin of cloudaudit (entry point ``cloudaudit.providers: aws``).

Importing this package never imports boto3: models and checks are pure, so an inventory
can be evaluated offline; collection imports the SDK only when it runs.
"""
