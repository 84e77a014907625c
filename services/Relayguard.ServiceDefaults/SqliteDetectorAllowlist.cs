using System.Net;
using System.Text.RegularExpressions;
using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// <see cref="IDetectorAllowlist{TRule}"/> in the table <c>PREFIX_allowlist</c> of the shared SQLite file. Each kind,
/// subject and code has one row that contains the state of the latest event, so events that arrive out of order or
/// twice change nothing.
/// </summary>
public sealed class SqliteDetectorAllowlist<TRule> : IDetectorAllowlist<TRule>
{
    private const string AccountKind = "account";
    private const string IpKind = "ip";

    private readonly SqliteDatabase _database;
    private readonly string _table;
    private readonly string _consumer;

    public SqliteDetectorAllowlist(SqliteDatabase database, string tablePrefix)
    {
        ArgumentNullException.ThrowIfNull(database);
        if (!Regex.IsMatch(tablePrefix ?? string.Empty, "^[a-z][a-z0-9_]*$"))
        {
            throw new ArgumentException($"Invalid table prefix '{tablePrefix}': use lower-case letters, digits and underscores, starting with a letter.", nameof(tablePrefix));
        }

        _database = database;
        _table = tablePrefix + "_allowlist";
        _consumer = tablePrefix + "-allowlist";
        ProcessedEvents.EnsureSchema(database);

        // code is '' for an entry that covers every rule. changed_at is the time of the latest event applied to the row.
        database.EnsureSchema($"""
            CREATE TABLE IF NOT EXISTS {_table} (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                code TEXT NOT NULL,
                active INTEGER NOT NULL,
                expires_at INTEGER,
                changed_at INTEGER NOT NULL,
                PRIMARY KEY (kind, subject, code)
            ) WITHOUT ROWID;
            """);

        // Account names are lower case since 0.9.1, so rows in another spelling before then are folded. Of the rows
        // that become one, the one changed last wins, as an event applied to the table would.
        database.Migrate($"{_table}-account-names-in-lower-case", $"""
            INSERT INTO {_table} (kind, subject, code, active, expires_at, changed_at)
                SELECT kind, lower(subject), code, active, expires_at, changed_at FROM {_table}
                WHERE kind = '{AccountKind}' AND subject <> lower(subject)
                ON CONFLICT (kind, subject, code) DO UPDATE SET
                    active = excluded.active, expires_at = excluded.expires_at, changed_at = excluded.changed_at
                    WHERE excluded.changed_at > {_table}.changed_at;
            DELETE FROM {_table} WHERE kind = '{AccountKind}' AND subject <> lower(subject);
            """);
    }

    public bool Apply(AllowlistEntryAdded message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Apply(message.EventId, message.Kind, Subject(message.Kind, message.Subject), message.Code, active: true, message.ExpiresAt, message.AddedAt, now);
    }

    public bool Apply(AllowlistEntryRemoved message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Apply(message.EventId, message.Kind, Subject(message.Kind, message.Subject), message.Code, active: false, expiresAt: null, message.RemovedAt, now);
    }

    /// <summary>Spells an account subject as the events of the gateway do, whatever the entry's sender wrote.</summary>
    private static string Subject(string kind, string subject) => kind == AccountKind ? AccountNames.Canonical(subject) : subject;

    public string? FindCovering(string code, string? account, string? clientIp, DateTimeOffset now)
    {
        IPAddress? address = clientIp is not null && IPAddress.TryParse(clientIp, out var parsed) ? parsed : null;
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            $"""
            SELECT kind, subject FROM {_table}
            WHERE active = 1 AND (code = '' OR code = $code) AND (expires_at IS NULL OR expires_at > $now)
              AND ((kind = '{AccountKind}' AND subject = $account) OR kind = '{IpKind}');
            """,
            null,
            reader =>
            {
                while (reader.Read())
                {
                    var kind = reader.GetString(0);
                    var subject = reader.GetString(1);
                    if (kind == AccountKind || (address is not null && IpNetwork.TryParse(subject, out var network) && network!.Contains(address)))
                    {
                        return $"{kind} {subject}";
                    }
                }

                return null;
            },
            ("$code", code),
            ("$now", now.ToUnixTimeMilliseconds()),
            ("$account", account is null ? null : AccountNames.Canonical(account)));
    }

    private bool Apply(Guid eventId, string kind, string subject, string? code, bool active, DateTimeOffset? expiresAt, DateTimeOffset changedAt, DateTimeOffset now)
    {
        using var connection = _database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (!ProcessedEvents.TryMark(connection, transaction, _consumer, eventId, now))
        {
            return false;
        }

        // A removal wins a tie with an addition at the same millisecond, so a quick add and remove ends removed.
        SqliteDatabase.Execute(
            connection,
            $"""
            INSERT INTO {_table} (kind, subject, code, active, expires_at, changed_at)
            VALUES ($kind, $subject, $code, $active, $expiresAt, $changedAt)
            ON CONFLICT (kind, subject, code) DO UPDATE SET
                active = excluded.active, expires_at = excluded.expires_at, changed_at = excluded.changed_at
            WHERE excluded.changed_at > changed_at OR (excluded.changed_at = changed_at AND excluded.active = 0);
            """,
            transaction,
            ("$kind", kind),
            ("$subject", subject),
            ("$code", code ?? string.Empty),
            ("$active", active ? 1 : 0),
            ("$expiresAt", expiresAt?.ToUnixTimeMilliseconds()),
            ("$changedAt", changedAt.ToUnixTimeMilliseconds()));
        transaction.Commit();
        return true;
    }
}
