/*
 * city_schema.c: the city database's schema, as versioned migrations, and
 * the offices that write into it.
 *
 * One PostgreSQL database holds the records of every office of the city:
 * documents and register_entries, each hash-partitioned by office into
 * CITY_PARTITIONS partitions, with the indexes the city's search and
 * report use; offices, naming the PostgreSQL role that writes each
 * office's rows; and access_log, where every city search and view is
 * written.  Two group roles: sohoa_office (the offices' roles are its
 * members) and sohoa_reader (the city's users).  Row-level security lets
 * everyone granted read every row and lets a role write only the rows of
 * the offices that name it, so that a ward's key cannot touch another
 * ward's records.  Privileges are granted on the partitioned tables only:
 * a partition named directly is refused, so its parent's policies cannot
 * be side-stepped.
 *
 * Migrations are SQL in city_migrations[], applied in order, each in a
 * transaction of its own that records it in sohoa_schema; every one takes
 * the same transaction-level advisory lock first, so two `sohoa city init`
 * at once apply each migration once.  A migration once released is never
 * edited: a change is a new one at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "sohoa.h"

/* The advisory lock of schema changes: "sohoa" in ASCII (0x736f686f61),
 * a fixed number other programs are unlikely to take. */
#define CITY_SCHEMA_LOCK	"SELECT pg_advisory_xact_lock(495790354273)"

#define CITY_OWN(t) \
	"EXISTS (SELECT 1 FROM offices o WHERE o.office = " t ".office " \
	"AND o.role = current_user)"

/* Row-level security on a table of the offices' rows: everyone granted
 * reads, each office's role writes its own. */
#define CITY_RLS(t) \
	"ALTER TABLE " t " ENABLE ROW LEVEL SECURITY;" \
	"CREATE POLICY " t "_read ON " t " FOR SELECT " \
	"  TO sohoa_office, sohoa_reader USING (true);" \
	"CREATE POLICY " t "_insert ON " t " FOR INSERT TO sohoa_office " \
	"  WITH CHECK (" CITY_OWN(t) ");" \
	"CREATE POLICY " t "_update ON " t " FOR UPDATE TO sohoa_office " \
	"  USING (" CITY_OWN(t) ") WITH CHECK (" CITY_OWN(t) ");" \
	"CREATE POLICY " t "_delete ON " t " FOR DELETE TO sohoa_office " \
	"  USING (" CITY_OWN(t) ");" \
	"GRANT SELECT ON " t " TO sohoa_office, sohoa_reader;" \
	"GRANT INSERT, UPDATE, DELETE ON " t " TO sohoa_office;"

/* The partitions t_p0 .. t_p15 of t. */
#define CITY_PARTS(t) \
	"DO $$ BEGIN FOR i IN 0..15 LOOP EXECUTE format(" \
	"  'CREATE TABLE " t "_p%s PARTITION OF " t " FOR VALUES WITH " \
	"  (MODULUS 16, REMAINDER %s)', i, i); END LOOP; END $$;"

static const char *const city_migrations[] = {
	/* 1: the first schema (issue 13). */
	"DO $$ BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sohoa_office')"
	"  THEN CREATE ROLE sohoa_office NOLOGIN; END IF;"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'sohoa_reader')"
	"  THEN CREATE ROLE sohoa_reader NOLOGIN; END IF;"
	"END $$;"
	"CREATE TABLE offices ("
	"  office text PRIMARY KEY CHECK (office ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),"
	"  role name NOT NULL,"
	"  added_at timestamptz NOT NULL DEFAULT now());"
	"GRANT SELECT ON offices TO sohoa_office, sohoa_reader;"
	"GRANT SELECT ON sohoa_schema TO sohoa_office, sohoa_reader;"
	"CREATE TABLE documents ("
	"  office text NOT NULL,"
	"  id bigint NOT NULL,"
	"  sha256 text NOT NULL,"
	"  doc jsonb NOT NULL,"
	"  level text, agency_code text, doc_type text, doc_number text,"
	"  dossier_code text,"
	"  issued_on date, valid_until date, duplicate_of bigint,"
	"  id_numbers text[] NOT NULL DEFAULT '{}',"
	"  names text[] NOT NULL DEFAULT '{}',"
	"  body text NOT NULL DEFAULT '',"
	"  tsv tsvector NOT NULL,"
	"  corrections jsonb NOT NULL DEFAULT '[]',"
	"  archive text, archive_sha256 text,"
	"  received_at timestamptz NOT NULL DEFAULT now(),"
	"  PRIMARY KEY (office, id)"
	") PARTITION BY HASH (office);"
	CITY_PARTS("documents")
	"CREATE INDEX ON documents USING gin (tsv);"
	"CREATE INDEX ON documents USING gin (id_numbers);"
	"CREATE INDEX ON documents (dossier_code);"
	"CREATE INDEX ON documents (sha256);"
	"CREATE INDEX ON documents (level, issued_on);"
	CITY_RLS("documents")
	"CREATE TABLE register_entries ("
	"  office text NOT NULL, id bigint NOT NULL,"
	"  entry_key text NOT NULL, dossier_code text, doc_number text,"
	"  agency_code text NOT NULL, agency_name text, level text NOT NULL,"
	"  procedure_code text, issued_on date NOT NULL, valid_until date,"
	"  status text NOT NULL, doc_id bigint,"
	"  PRIMARY KEY (office, id)"
	") PARTITION BY HASH (office);"
	CITY_PARTS("register_entries")
	"CREATE INDEX ON register_entries (level, agency_code);"
	CITY_RLS("register_entries")
	"CREATE TABLE access_log ("
	"  id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),"
	"  office text NOT NULL,"
	"  who text NOT NULL, via text NOT NULL, address text,"
	"  action text NOT NULL,"
	"  query text, filters jsonb, document text,"
	"  results int, purpose text);"
	"GRANT INSERT ON access_log TO sohoa_office, sohoa_reader;"
	"GRANT USAGE ON SEQUENCE access_log_id_seq TO sohoa_office, "
	"  sohoa_reader;"
	"GRANT SELECT ON access_log TO sohoa_reader;",
	/*
	 * 2: the city's search at a million records (issue 13).  seq numbers
	 * the records as they reach the city, so that the words found apart
	 * are looked for among the newest first (a range of seq and the full
	 * text's index, together); name_keys holds each person named, folded,
	 * whole and by the last two words or more, as an office's names
	 * table, so that a name typed whole is found however old its record.
	 * A record shipped before keeps an empty name_keys until it changes
	 * (its words are found as before).  toast_tuple_target keeps a
	 * record's tsvector in its row, not in the TOAST table: ranking reads
	 * it once per candidate, and a TOAST lookup each time cost as much as
	 * the rest of the search.
	 */
	"CREATE SEQUENCE document_seq;"
	"GRANT USAGE ON SEQUENCE document_seq TO sohoa_office;"
	"ALTER TABLE documents ADD COLUMN seq bigint NOT NULL "
	"  DEFAULT nextval('document_seq'),"
	"  ADD COLUMN name_keys text[] NOT NULL DEFAULT '{}';"
	"CREATE INDEX ON documents (seq);"
	"CREATE INDEX ON documents USING gin (name_keys);"
	"DO $$ BEGIN FOR i IN 0..15 LOOP EXECUTE format("
	"  'ALTER TABLE documents_p%s SET (toast_tuple_target = 8160)', i);"
	"  END LOOP; END $$;",
};
#define CITY_NMIGRATIONS \
	((int)(sizeof city_migrations / sizeof city_migrations[0]))

int
city_schema_latest(void)
{
	return CITY_NMIGRATIONS;
}

/*
 * Inside a transaction: the lock taken, sohoa_schema made if missing, and
 * the version recorded into *v.
 */
static int
city_schema_locked(PGconn *conn, int *v, char *err)
{
	if (city_exec(conn, CITY_SCHEMA_LOCK ";"
	    "CREATE TABLE IF NOT EXISTS sohoa_schema ("
	    "  version int PRIMARY KEY,"
	    "  applied_at timestamptz NOT NULL DEFAULT now())", err) == -1)
		return -1;
	if ((*v = city_schema_version(conn, err)) == -1)
		return -1;
	return 0;
}

int
city_schema_upgrade(PGconn *conn, int *from, char *err)
{
	char ver[16], why[ERRMAX];
	const char *params[1];
	int v, rc = -1;

	*from = -1;
	for (;;) {
		if (city_exec(conn, "BEGIN", err) == -1 ||
		    city_schema_locked(conn, &v, err) == -1)
			goto out;
		if (*from == -1)
			*from = v;
		if (v > CITY_NMIGRATIONS) {
			snprintf(err, ERRMAX, "the city database's schema is "
			    "version %d, made by a newer sohoa (this one knows "
			    "%d)", v, CITY_NMIGRATIONS);
			goto out;
		}
		if (v == CITY_NMIGRATIONS)
			break;
		if (city_exec(conn, city_migrations[v], why) == -1) {
			snprintf(err, ERRMAX, "migration %d: %s", v + 1, why);
			goto out;
		}
		snprintf(ver, sizeof ver, "%d", v + 1);
		params[0] = ver;
		if (city_exec_params(conn, "INSERT INTO sohoa_schema (version) "
		    "VALUES ($1::int)", 1, params, err) == -1 ||
		    city_exec(conn, "COMMIT", err) == -1)
			goto out;
	}
	if (city_exec(conn, "COMMIT", err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		city_rollback(conn);
	return rc;
}

/* A PostgreSQL role name sohoa accepts: 1 to 63 bytes of small letters,
 * digits and '_', not beginning with a digit, nor pg_ (reserved). */
static int
city_role_ok(const char *role, char *err)
{
	size_t n = strlen(role);

	if (n == 0 || n > 63 || strspn(role, "abcdefghijklmnopqrstuvwxyz"
	    "0123456789_") != n || (role[0] >= '0' && role[0] <= '9') ||
	    strncmp(role, "pg_", 3) == 0) {
		snprintf(err, ERRMAX, "a role's name is 1 to 63 small letters, "
		    "digits or '_', not beginning with a digit or pg_ (such "
		    "as sohoa_phuong_x), not '%.100s'", role);
		return -1;
	}
	return 0;
}

int
city_schema_office_add(PGconn *conn, const char *office, const char *role,
    int *added, char *err)
{
	PGresult *res = NULL;
	const char *params[2] = { office, role };
	char why[ERRMAX / 2], *ident = NULL, *sql = NULL;
	int v, rc = -1;

	*added = 0;
	if (city_office_ok(office, why) == -1) {
		snprintf(err, ERRMAX, "%s", why);
		return -1;
	}
	if (city_role_ok(role, err) == -1)
		return -1;
	if (city_exec(conn, "BEGIN", err) == -1 ||
	    city_schema_locked(conn, &v, err) == -1)
		goto out;
	if (v == 0) {
		snprintf(err, ERRMAX, "the city database has no sohoa tables "
		    "yet: sohoa city init first");
		goto out;
	}
	if ((res = city_query(conn, "SELECT role FROM offices WHERE office = "
	    "$1", 1, params, err)) == NULL)
		goto out;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), role) != 0) {
		snprintf(err, ERRMAX, "office %s is written by the role %.100s "
		    "already", office, PQgetvalue(res, 0, 0));
		goto out;
	}
	*added = PQntuples(res) == 0;
	PQclear(res);
	res = NULL;
	if ((ident = PQescapeIdentifier(conn, role, strlen(role))) == NULL) {
		city_error(conn, NULL, err);
		goto out;
	}
	/* The role may be there already: the DBA's, with a password set. */
	if ((res = city_query(conn, "SELECT 1 FROM pg_roles WHERE rolname = "
	    "$1", 1, params + 1, err)) == NULL)
		goto out;
	if (PQntuples(res) == 0) {
		sql = xasprintf("CREATE ROLE %s LOGIN", ident);
		if (city_exec(conn, sql, err) == -1)
			goto out;
		free(sql);
	}
	sql = xasprintf("GRANT sohoa_office TO %s", ident);
	if (city_exec(conn, sql, err) == -1)
		goto out;
	if (*added && city_exec_params(conn, "INSERT INTO offices (office, "
	    "role) VALUES ($1, $2)", 2, params, err) == -1)
		goto out;
	if (city_exec(conn, "COMMIT", err) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		city_rollback(conn);
	PQclear(res);
	PQfreemem(ident);
	free(sql);
	return rc;
}
