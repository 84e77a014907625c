using Relayguard.ServiceDefaults;

namespace Relayguard.Operations;

/// <summary>
/// Creates the operations service's tables in the shared SQLite file. Times are Unix milliseconds (UTC),
/// as in <c>processed_events</c>.
/// </summary>
internal static class OperationsSchema
{
    public static void EnsureCreated(SqliteDatabase database)
    {
        ProcessedEvents.EnsureSchema(database);
        database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS blocks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                code TEXT NOT NULL,
                scope TEXT NOT NULL,
                reason TEXT NOT NULL,
                evidence TEXT NOT NULL,
                blocked_at INTEGER NOT NULL,
                expires_at INTEGER,
                set_by TEXT NOT NULL,
                lifted_at INTEGER,
                lifted_by TEXT,
                lift_reason TEXT,
                evidence_pruned_at INTEGER,
                event_id TEXT NOT NULL UNIQUE
            );
            CREATE INDEX IF NOT EXISTS blocks_by_subject ON blocks (kind, subject, lifted_at);
            CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (blocked_at DESC, id DESC);

            CREATE TABLE IF NOT EXISTS audit_log (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                kind TEXT,
                subject TEXT,
                code TEXT,
                reason TEXT,
                detail TEXT
            );
            CREATE INDEX IF NOT EXISTS audit_log_by_subject ON audit_log (kind, subject, id);

            CREATE TABLE IF NOT EXISTS allowlist (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                code TEXT NOT NULL, -- '' for an entry that covers every rule
                reason TEXT NOT NULL,
                added_at INTEGER NOT NULL,
                added_by TEXT NOT NULL,
                expires_at INTEGER,
                removed_at INTEGER,
                removed_by TEXT,
                event_id TEXT NOT NULL UNIQUE
            );
            CREATE INDEX IF NOT EXISTS allowlist_by_subject ON allowlist (kind, subject, removed_at);

            CREATE TABLE IF NOT EXISTS webhook_queue (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL,
                type TEXT NOT NULL,
                body TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX IF NOT EXISTS webhook_queue_by_time ON webhook_queue (created_at);

            CREATE TABLE IF NOT EXISTS webhook_cursors (
                url TEXT PRIMARY KEY,
                after_id INTEGER NOT NULL
            );

            CREATE TABLE IF NOT EXISTS account_warnings (
                event_id TEXT PRIMARY KEY,
                account TEXT NOT NULL,
                code TEXT NOT NULL,
                window_start INTEGER NOT NULL,
                warned_at INTEGER NOT NULL,
                message TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS account_warnings_by_time ON account_warnings (warned_at DESC);

            CREATE TABLE IF NOT EXISTS operator_tokens (
                name TEXT PRIMARY KEY,
                role TEXT NOT NULL,
                token_hash BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL
            );
            """);

        // Tokens made before the salted hashes have no lookup id; they keep verifying by their SHA-256 hash.
        database.EnsureColumn("operator_tokens", "token_id", "TEXT");
        using var connection = database.Open();
        SqliteDatabase.Execute(connection, "CREATE INDEX IF NOT EXISTS operator_tokens_by_id ON operator_tokens (token_id);");

        // Account names are lower case since 0.9.1, as AUTH matches them; rows an operator typed in capitals before
        // then would no longer be found. SQLite's lower() folds ASCII letters only, which account names mostly are.
        database.Migrate("operations-account-names-in-lower-case", """
            UPDATE blocks SET subject = lower(subject) WHERE kind = 'account' AND subject <> lower(subject);
            UPDATE allowlist SET subject = lower(subject) WHERE kind = 'account' AND subject <> lower(subject);
            UPDATE audit_log SET subject = lower(subject) WHERE kind = 'account' AND subject <> lower(subject);
            UPDATE account_warnings SET account = lower(account) WHERE account <> lower(account);
            """);
    }
}
