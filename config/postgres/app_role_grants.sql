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
-- Where each chain stood at the end of a month detached for retention: written by the owner's
-- journal_detach_month only, read by audit_verify.
REVOKE INSERT, UPDATE, DELETE ON casework_detachedjournalmonth FROM :"app_role";
-- The monthly partitions of the journal and of the audit trail (casework migrations 0033 and
-- 0034): written and read through their parent only, never directly; the beat creates next
-- months' through the two functions below, which run as the owner.
GRANT EXECUTE ON FUNCTION binome_journal_month_partition(date) TO :"app_role";
GRANT EXECUTE ON FUNCTION binome_audit_month_partition(date) TO :"app_role";
SELECT set_config('binome.app_role', :'app_role', false);
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT inhrelid::regclass FROM pg_inherits
                WHERE inhparent IN ('casework_informationshare'::regclass,
                                    'auditlog_logentry'::regclass) LOOP
        EXECUTE format('REVOKE ALL ON %s FROM %I', part, current_setting('binome.app_role'));
    END LOOP;
END;
$$;
