-- The application's database role (docs/deployment.md § 3). Run as the owner role after every
-- `migrate`, which also runs as the owner role:
--     psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=binome_app -f config/postgres/app_role_grants.sql
-- The application's role owns nothing. It reads and writes the tables, never TRUNCATE, never DDL;
-- the journal of accesses and shares and the audit trail: SELECT and INSERT only; the journal's
-- heads: no DELETE (each journal write moves its department's head, so UPDATE stays).
GRANT USAGE ON SCHEMA public TO :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
REVOKE INSERT, UPDATE, DELETE ON django_migrations FROM :"app_role";
REVOKE UPDATE, DELETE ON casework_informationshare, auditlog_logentry FROM :"app_role";
REVOKE DELETE ON casework_ledgerhead FROM :"app_role";
