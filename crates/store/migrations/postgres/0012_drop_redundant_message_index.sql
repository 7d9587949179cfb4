-- messages_analytics_by_account (account_id, created_at, direction, status) serves every query
-- this index served; one index fewer to update on each accepted send.
DROP INDEX messages_by_account;
