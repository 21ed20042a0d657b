/*
 * users.c: the people who sign in to sohoa-web, with their roles and
 * passwords, in the installation's database (the users table, a module
 * of db.c's that index.c lists).
 *
 * A password is kept only as an Argon2id hash in libargon2's encoded form
 * ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), which carries its own
 * parameters and salt: a hash made with older figures still verifies
 * after USERS_T/M/P change.  The figures are OWASP's for Argon2id (19 MiB,
 * 2 passes, 1 lane): 20-25 ms a check on the development machine, slow
 * enough for a stolen database, quick enough for a sign-in.
 *
 * A sign-in that fails says the same, and takes as long, whether the name
 * is unknown, the password wrong or the user disabled: the console must
 * not tell a stranger which names exist.  Each change to a user is written
 * to the access log in the transaction that makes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "sohoa.h"

#define USERS_VERSION	1	/* the table's schema (db.c) */

/* Argon2id's figures for new hashes, in one place (OWASP Password Storage
 * Cheat Sheet: m=19 MiB, t=2, p=1). */
#define USERS_T		2		/* passes */
#define USERS_M		19456		/* KiB */
#define USERS_P		1		/* lanes */
#define USERS_SALT	16		/* bytes, from RAND_bytes */
#define USERS_HASH	32		/* bytes */

const char *const users_roles[] = { "clerk", "staff", "auditor", "admin",
    NULL };

/* The name is unique whatever its case ("Lan" beside "lan" would be two
 * people to an auditor reading the log), and compared as typed. */
static const char users_schema[] =
	"CREATE TABLE IF NOT EXISTS users ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  role TEXT NOT NULL CHECK (role IN "
	"    ('clerk', 'staff', 'auditor', 'admin')),"
	"  password TEXT NOT NULL,"		/* Argon2id, encoded */
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at TEXT NOT NULL,"		/* ISO 8601 */
	"  changed_at TEXT NOT NULL)";

enum users_stmt {
	USERS_INSERT,
	USERS_FIND,
	USERS_GET,
	USERS_SET_PASSWORD,
	USERS_DISABLE,
	USERS_LIST,
	USERS_NSTMT
};

static const char *const users_sql[USERS_NSTMT] = {
	[USERS_INSERT] = "INSERT INTO users (name, role, password, disabled, "
	    "created_at, changed_at) VALUES (?1, ?2, ?3, 0, ?4, ?4)",
	/* Another user of the same name in another case. */
	[USERS_FIND] = "SELECT name FROM users WHERE name = ?1 COLLATE NOCASE",
	[USERS_GET] = "SELECT role, password, disabled FROM users "
	    "WHERE name = ?1 COLLATE BINARY",
	[USERS_SET_PASSWORD] = "UPDATE users SET password = ?2, "
	    "changed_at = ?3 WHERE name = ?1 COLLATE BINARY",
	[USERS_DISABLE] = "UPDATE users SET disabled = 1, changed_at = ?2 "
	    "WHERE name = ?1 COLLATE BINARY AND disabled = 0",
	[USERS_LIST] = "SELECT name, role, disabled, created_at, changed_at "
	    "FROM users ORDER BY name COLLATE BINARY",
};

/* The table, from version from to 1 (db.c's setup transaction). */
static int
users_upgrade(struct db *db, int from, char *err)
{
	char msg[ERRMAX];

	if (db_exec(db, users_schema, msg) == -1) {
		snprintf(err, ERRMAX, "cannot set up the table of users: %s",
		    msg);
		return -1;
	}
	return 0;
}

const struct db_module users_module = {
	"users", USERS_VERSION, users_upgrade, users_sql, USERS_NSTMT, NULL
};

static struct db_stmt *
users_stmt(struct index *ix, enum users_stmt s)
{
	return db_stmt(index_db(ix), &users_module, s);
}

int
users_name_ok(const char *name, char *err)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > USERS_NAMEMAX) {
		snprintf(err, ERRMAX, "a user name has 1 to %d characters",
		    USERS_NAMEMAX);
		return -1;
	}
	/* ASCII by hand: isalnum would follow the locale. */
	for (i = 0; i < len; i++) {
		unsigned char c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
			continue;
		snprintf(err, ERRMAX, "a user name holds only letters a-z, "
		    "digits and . _ -");
		return -1;
	}
	return 0;
}

int
users_role_ok(const char *role, char *err)
{
	size_t i;

	for (i = 0; users_roles[i] != NULL; i++)
		if (strcmp(role, users_roles[i]) == 0)
			return 0;
	snprintf(err, ERRMAX, "there is no role '%.32s': the roles are clerk, "
	    "staff, auditor and admin", role);
	return -1;
}

/* The characters of a UTF-8 string: the bytes that begin one. */
static size_t
users_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
users_password_ok(const char *password, char *err)
{
	if (password[0] == '\0') {
		snprintf(err, ERRMAX, "the password is empty");
		return -1;
	}
	if (users_chars(password) < USERS_PASSWORD_MIN) {
		snprintf(err, ERRMAX, "the password is too short: it needs at "
		    "least %d characters", USERS_PASSWORD_MIN);
		return -1;
	}
	if (strlen(password) > USERS_PASSWORD_MAX) {
		snprintf(err, ERRMAX, "the password is too long: at most %d "
		    "bytes", USERS_PASSWORD_MAX);
		return -1;
	}
	return 0;
}

/* A new hash of password with a new salt, in libargon2's encoded form
 * (caller frees), or NULL with err. */
static char *
users_hash(const char *password, char *err)
{
	unsigned char salt[USERS_SALT];
	size_t len = argon2_encodedlen(USERS_T, USERS_M, USERS_P, USERS_SALT,
	    USERS_HASH, Argon2_id);
	char *enc = xmalloc(len);
	int rc;

	if (RAND_bytes(salt, sizeof salt) != 1) {
		snprintf(err, ERRMAX, "cannot draw a random salt for the "
		    "password");
		free(enc);
		return NULL;
	}
	if ((rc = argon2id_hash_encoded(USERS_T, USERS_M, USERS_P, password,
	    strlen(password), salt, sizeof salt, USERS_HASH, enc, len)) !=
	    ARGON2_OK) {
		snprintf(err, ERRMAX, "cannot hash the password: %s",
		    argon2_error_message(rc));
		free(enc);
		return NULL;
	}
	return enc;
}

/* A change to a user and its log entry, in one transaction: a user
 * nobody can say who made is never made.  st is the change's statement,
 * bound; when it changes no row, that is an error, said in none. */
static int
users_commit_logged(struct index *ix, struct db_stmt *st, const char *event,
    const char *name, const char *none, char *err)
{
	struct db *db = index_db(ix);
	int rc;

	if (index_begin(ix) == -1) {
		snprintf(err, ERRMAX, "the database is busy or read-only: %s",
		    db_errmsg(db));
		return -1;
	}
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_ERROR) {
		snprintf(err, ERRMAX, "cannot change the user %s: %s", name,
		    db_errmsg(db));
		goto out_rollback;
	}
	if (db_changes(db) == 0) {
		snprintf(err, ERRMAX, "%s", none);
		goto out_rollback;
	}
	if (accesslog_event(ix, event, name, err) == -1) {
		snprintf(err, ERRMAX, "cannot write the access log, so the user "
		    "%s is left as it was: %s", name, db_errmsg(db));
		goto out_rollback;
	}
	if (index_commit(ix) == -1) {
		snprintf(err, ERRMAX, "cannot change the user %s: %s", name,
		    db_errmsg(db));
		goto out_rollback;
	}
	return 0;
out_rollback:
	index_rollback(ix);
	return -1;
}

/* 1 when a user of name exists in some case (its own in taken), 0 when
 * none does, -1 on error. */
static int
users_taken(struct index *ix, const char *name, char taken[USERS_NAMEMAX + 1])
{
	struct db_stmt *st = users_stmt(ix, USERS_FIND);
	int rc;

	db_bind_text(st, 1, name);
	rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(taken, USERS_NAMEMAX + 1, "%s", db_col_text(st, 0));
	db_reset(st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
users_add(struct index *ix, const char *name, const char *role,
    const char *password, char *err)
{
	struct db_stmt *st;
	char now[40], taken[USERS_NAMEMAX + 1], *hash;
	int rc;

	if (users_name_ok(name, err) == -1 || users_role_ok(role, err) == -1 ||
	    users_password_ok(password, err) == -1)
		return -1;
	if ((rc = users_taken(ix, name, taken)) != 0) {
		if (rc == 1)
			snprintf(err, ERRMAX, "there is a user %s already",
			    taken);
		else
			snprintf(err, ERRMAX, "cannot read the users: %s",
			    db_errmsg(index_db(ix)));
		return -1;
	}
	if ((hash = users_hash(password, err)) == NULL)
		return -1;
	util_now_iso8601(now);
	st = users_stmt(ix, USERS_INSERT);
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, role);
	db_bind_text(st, 3, hash);
	db_bind_text(st, 4, now);
	/* Another program may have added the name since users_taken: the
	 * UNIQUE constraint refuses it then, in SQLite's words. */
	rc = users_commit_logged(ix, st, "user-add", name, "", err);
	free(hash);
	return rc;
}

int
users_passwd(struct index *ix, const char *name, const char *password,
    char *err)
{
	struct db_stmt *st;
	char now[40], none[ERRMAX], *hash;
	int rc;

	if (users_password_ok(password, err) == -1)
		return -1;
	if ((hash = users_hash(password, err)) == NULL)
		return -1;
	util_now_iso8601(now);
	snprintf(none, sizeof none, "there is no user %.*s", USERS_NAMEMAX,
	    name);
	st = users_stmt(ix, USERS_SET_PASSWORD);
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, hash);
	db_bind_text(st, 3, now);
	rc = users_commit_logged(ix, st, "user-passwd", name, none, err);
	free(hash);
	return rc;
}

int
users_disable(struct index *ix, const char *name, char *err)
{
	struct db_stmt *st;
	char now[40], none[ERRMAX], role[USERS_ROLEMAX];
	int disabled;

	if (users_get(ix, name, role, &disabled, NULL) == -1) {
		snprintf(err, ERRMAX, "there is no user %.*s", USERS_NAMEMAX,
		    name);
		return -1;
	}
	if (disabled)
		return 0;
	util_now_iso8601(now);
	snprintf(none, sizeof none, "there is no user %.*s", USERS_NAMEMAX,
	    name);
	st = users_stmt(ix, USERS_DISABLE);
	db_bind_text(st, 1, name);
	db_bind_text(st, 2, now);
	return users_commit_logged(ix, st, "user-disable", name, none, err);
}

json_t *
users_list(struct index *ix, char *err)
{
	struct db_stmt *st = users_stmt(ix, USERS_LIST);
	json_t *a = json_array();
	int rc;

	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(a, json_pack("{s:o, s:o, s:b, s:o, s:o}",
		    "name", db_col_str(st, 0), "role", db_col_str(st, 1),
		    "disabled", (int)db_col_int64(st, 2), "created_at",
		    db_col_str(st, 3), "changed_at", db_col_str(st, 4)));
	db_reset(st);
	if (rc == DB_ERROR) {
		snprintf(err, ERRMAX, "cannot read the users: %s",
		    db_errmsg(index_db(ix)));
		json_decref(a);
		return NULL;
	}
	return a;
}

int
users_get(struct index *ix, const char *name, char role_out[USERS_ROLEMAX],
    int *disabled, char stamp[65])
{
	struct db_stmt *st = users_stmt(ix, USERS_GET);
	int rc;

	db_bind_text(st, 1, name);
	if ((rc = db_step(st)) == DB_ROW) {
		snprintf(role_out, USERS_ROLEMAX, "%s", db_col_text(st, 0));
		*disabled = db_col_int64(st, 2) != 0;
		if (stamp != NULL) {
			const char *h = db_col_text(st, 1);

			util_sha256(h, strlen(h), stamp);
		}
	}
	db_reset(st);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * For a name nobody has, the work a check of a known one does: one
 * Argon2id hash with the same figures, on a salt of its own, thrown away.
 */
static void
users_spend(const char *password)
{
	unsigned char salt[USERS_SALT] = { 0 }, out[USERS_HASH];

	RAND_bytes(salt, sizeof salt);
	argon2id_hash_raw(USERS_T, USERS_M, USERS_P, password,
	    strlen(password), salt, sizeof salt, out, sizeof out);
}

int
users_check(struct index *ix, const char *name, const char *password,
    char role_out[USERS_ROLEMAX], char *err)
{
	struct db_stmt *st = users_stmt(ix, USERS_GET);
	char role[USERS_ROLEMAX], *hash = NULL;
	int rc, disabled = 1, good = 0;

	role_out[0] = '\0';
	/* A password longer than any a user has is refused unhashed, the
	 * same for every name: hashing it would be work for nothing. */
	if (strlen(password) > USERS_PASSWORD_MAX)
		goto out;
	db_bind_text(st, 1, name);
	if ((rc = db_step(st)) == DB_ROW) {
		snprintf(role, sizeof role, "%s", db_col_text(st, 0));
		hash = xstrdup(db_col_text(st, 1));
		disabled = db_col_int64(st, 2) != 0;
	}
	db_reset(st);
	if (rc == DB_ERROR) {
		snprintf(err, ERRMAX, "cannot check the password: %s",
		    db_errmsg(index_db(ix)));
		return -2;
	}
	if (hash == NULL)
		users_spend(password);
	else
		good = argon2id_verify(hash, password, strlen(password)) ==
		    ARGON2_OK;
	free(hash);
out:
	if (!good || disabled) {
		snprintf(err, ERRMAX, "wrong user name or password");
		return -1;
	}
	snprintf(role_out, USERS_ROLEMAX, "%s", role);
	return 0;
}
