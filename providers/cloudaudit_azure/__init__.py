"""cloudaudit's Azure provider: Storage, network security groups and public IPs, SQL / PostgreSQL /
MySQL / Cosmos DB and API Management, read through the azure-mgmt-* clients (GET requests only)."""
