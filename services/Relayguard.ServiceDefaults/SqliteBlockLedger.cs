using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// The block events one detector has issued and the lifts it has seen, in the tables <c>PREFIX_blocks</c> and
/// <c>PREFIX_lifts</c>. Methods that take a transaction run inside the caller's <see cref="SqliteDatabase.BeginWrite"/>
/// transaction, so the check for an active block and the insert of a new one are atomic, also across processes
/// that share the file.
/// </summary>
public sealed partial class SqliteBlockLedger
{
    /// <summary>
    /// How long a stored block may stay unpublished before a later event for the same subject publishes it. The
    /// event that created it normally publishes it within its retries, far sooner.
    /// </summary>
    public static readonly TimeSpan UnpublishedGracePeriod = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public SqliteBlockLedger(string prefix)
    {
        if (!TablePrefixPattern().IsMatch(prefix ?? string.Empty))
        {
            throw new ArgumentException($"Invalid table prefix '{prefix}': use lower-case letters, digits and underscores, starting with a letter.", nameof(prefix));
        }

        BlocksTable = prefix + "_blocks";
        LiftsTable = prefix + "_lifts";
    }

    public string BlocksTable { get; }

    public string LiftsTable { get; }

    public void EnsureSchema(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        database.EnsureSchema($"""
            CREATE TABLE IF NOT EXISTS {BlocksTable} (
                event_id TEXT NOT NULL PRIMARY KEY,
                source_event_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                on_ip TEXT NOT NULL,
                code TEXT NOT NULL,
                scope TEXT NOT NULL,
                blocked_at INTEGER NOT NULL,
                expires_at INTEGER,
                lifted_at INTEGER,
                published_at INTEGER,
                message_type TEXT NOT NULL,
                message TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS {BlocksTable}_subject ON {BlocksTable} (kind, subject, code, on_ip);
            CREATE INDEX IF NOT EXISTS {BlocksTable}_source ON {BlocksTable} (source_event_id);
            CREATE TABLE IF NOT EXISTS {LiftsTable} (
                kind TEXT NOT NULL,
                subject TEXT NOT NULL,
                on_ip TEXT NOT NULL,
                code TEXT NOT NULL,
                lifted_at INTEGER NOT NULL,
                PRIMARY KEY (kind, subject, code, on_ip)
            ) WITHOUT ROWID;
            """);
    }

    /// <summary>Finds the block with this code on exactly this subject that is neither lifted nor expired at <paramref name="now"/>.</summary>
    public Entry? FindActive(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, string code, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return SqliteDatabase.Query(
            connection,
            $"""
            SELECT message_type, message, published_at, blocked_at FROM {BlocksTable}
            WHERE kind = $kind AND subject = $subject AND on_ip = $onIp AND code = $code
              AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $now)
            ORDER BY blocked_at DESC LIMIT 1;
            """,
            transaction,
            reader => reader.Read() ? ReadEntry(reader) : null,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", subject.OnIp ?? string.Empty),
            ("$code", code),
            ("$now", now.ToUnixTimeMilliseconds()));
    }

    /// <summary>Stores a new block, not yet published, with the id of the event that led to it.</summary>
    public void Insert(SqliteConnection connection, SqliteTransaction transaction, DetectorBlock block, Guid sourceEventId)
    {
        ArgumentNullException.ThrowIfNull(block);
        var subject = block.Subject;
        var (messageType, message) = block.AccountBlocked is not null
            ? (nameof(AccountBlocked), JsonSerializer.Serialize(block.AccountBlocked, JsonOptions))
            : (nameof(IpBlocked), JsonSerializer.Serialize(block.IpBlocked, JsonOptions));
        SqliteDatabase.Execute(
            connection,
            $"""
            INSERT INTO {BlocksTable} (event_id, source_event_id, kind, subject, on_ip, code, scope, blocked_at, expires_at, message_type, message)
            VALUES ($eventId, $source, $kind, $subject, $onIp, $code, $scope, $blockedAt, $expiresAt, $messageType, $message);
            """,
            transaction,
            ("$eventId", block.EventId.ToString("N")),
            ("$source", sourceEventId.ToString("N")),
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", subject.OnIp ?? string.Empty),
            ("$code", block.Code),
            ("$scope", block.Scope),
            ("$blockedAt", block.BlockedAt.ToUnixTimeMilliseconds()),
            ("$expiresAt", block.ExpiresAt?.ToUnixTimeMilliseconds()),
            ("$messageType", messageType),
            ("$message", message));
    }

    /// <summary>Finds the blocks that the event <paramref name="sourceEventId"/> created and that were never marked published.</summary>
    public IReadOnlyList<DetectorBlock> FindUnpublished(SqliteConnection connection, SqliteTransaction? transaction, Guid sourceEventId)
    {
        return SqliteDatabase.Query(
            connection,
            $"SELECT message_type, message, published_at FROM {BlocksTable} WHERE source_event_id = $source AND published_at IS NULL ORDER BY blocked_at;",
            transaction,
            ReadBlocks,
            ("$source", sourceEventId.ToString("N")));
    }

    /// <summary>
    /// Records that the block was published, in a batch of <see cref="SqliteDatabase.WriteAsync{T}(Func{SqliteConnection, SqliteTransaction, T})"/>.
    /// A write on a connection of its own would meet the batch's transaction as SQLITE_BUSY, and SQLite's busy
    /// handler would put the consumer's thread to sleep for a millisecond or more.
    /// </summary>
    public Task MarkPublishedAsync(SqliteDatabase database, Guid eventId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.WriteAsync((connection, transaction) => SqliteDatabase.Execute(
            connection,
            $"UPDATE {BlocksTable} SET published_at = $now WHERE event_id = $eventId AND published_at IS NULL;",
            transaction,
            ("$now", now.ToUnixTimeMilliseconds()),
            ("$eventId", eventId.ToString("N"))));
    }

    /// <summary>
    /// Records an operator's lift of <paramref name="code"/> and ends the matching blocks. An account subject
    /// without <see cref="BlockSubject.OnIp"/> lifts the account on every address too. Returns the number of blocks ended.
    /// </summary>
    public int RecordLift(SqliteConnection connection, SqliteTransaction transaction, BlockSubject subject, string code, DateTimeOffset liftedAt)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var onIp = subject.OnIp ?? string.Empty;
        SqliteDatabase.Execute(
            connection,
            $"""
            INSERT INTO {LiftsTable} (kind, subject, on_ip, code, lifted_at) VALUES ($kind, $subject, $onIp, $code, $liftedAt)
            ON CONFLICT (kind, subject, code, on_ip) DO UPDATE SET lifted_at = max(lifted_at, excluded.lifted_at);
            """,
            transaction,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", onIp),
            ("$code", code),
            ("$liftedAt", liftedAt.ToUnixTimeMilliseconds()));
        return SqliteDatabase.Execute(
            connection,
            $"""
            UPDATE {BlocksTable} SET lifted_at = $liftedAt
            WHERE kind = $kind AND subject = $subject AND code = $code AND ($onIp = '' OR on_ip = $onIp) AND lifted_at IS NULL;
            """,
            transaction,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$onIp", onIp),
            ("$code", code),
            ("$liftedAt", liftedAt.ToUnixTimeMilliseconds()));
    }

    /// <summary>Returns the time of the latest lift of <paramref name="code"/> that covers the subject, or null.</summary>
    public DateTimeOffset? FindLastLift(SqliteConnection connection, SqliteTransaction? transaction, BlockSubject subject, string code)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var value = SqliteDatabase.Scalar(
            connection,
            $"SELECT max(lifted_at) FROM {LiftsTable} WHERE kind = $kind AND subject = $subject AND code = $code AND (on_ip = '' OR on_ip = $onIp);",
            transaction,
            ("$kind", subject.Kind),
            ("$subject", subject.Value),
            ("$code", code),
            ("$onIp", subject.OnIp ?? string.Empty));
        return value is long milliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
    }

    /// <summary>
    /// Returns when the subject's events start to count: <paramref name="from"/>, or the latest lift of
    /// <paramref name="code"/> on the subject when that is later, because events before a lift no longer count.
    /// </summary>
    public DateTimeOffset CountFrom(SqliteConnection connection, SqliteTransaction? transaction, BlockSubject subject, string code, DateTimeOffset from) =>
        FindLastLift(connection, transaction, subject, code) is { } lifted && lifted > from ? lifted : from;

    public IReadOnlyList<DetectorBlock> ListActive(SqliteConnection connection, DateTimeOffset now)
    {
        return SqliteDatabase.Query(
            connection,
            $"""
            SELECT message_type, message, published_at FROM {BlocksTable}
            WHERE lifted_at IS NULL AND (expires_at IS NULL OR expires_at > $now)
            ORDER BY blocked_at;
            """,
            null,
            ReadBlocks,
            ("$now", now.ToUnixTimeMilliseconds()));
    }

    /// <summary>Deletes blocks lifted or expired before <paramref name="endedBefore"/> and lifts recorded before <paramref name="liftsBefore"/>.</summary>
    public int Prune(SqliteConnection connection, SqliteTransaction? transaction, DateTimeOffset endedBefore, DateTimeOffset liftsBefore)
    {
        var blocks = SqliteDatabase.Execute(
            connection,
            $"DELETE FROM {BlocksTable} WHERE lifted_at < $ended OR expires_at < $ended;",
            transaction,
            ("$ended", endedBefore.ToUnixTimeMilliseconds()));
        var lifts = SqliteDatabase.Execute(
            connection,
            $"DELETE FROM {LiftsTable} WHERE lifted_at < $lifts;",
            transaction,
            ("$lifts", liftsBefore.ToUnixTimeMilliseconds()));
        return blocks + lifts;
    }

    private static List<DetectorBlock> ReadBlocks(SqliteDataReader reader)
    {
        var blocks = new List<DetectorBlock>();
        while (reader.Read())
        {
            blocks.Add(ParseBlock(reader.GetString(0), reader.GetString(1)));
        }

        return blocks;
    }

    /// <summary>Reads an entry whose fourth column is <c>blocked_at</c>, leaving the block's message unparsed until it is needed.</summary>
    private static Entry ReadEntry(SqliteDataReader reader)
    {
        var messageType = reader.GetString(0);
        var message = reader.GetString(1);
        return new Entry(() => ParseBlock(messageType, message), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)));
    }

    private static DetectorBlock ParseBlock(string messageType, string message) => messageType switch
    {
        nameof(AccountBlocked) => DetectorBlock.From(JsonSerializer.Deserialize<AccountBlocked>(message, JsonOptions)!),
        nameof(IpBlocked) => DetectorBlock.From(JsonSerializer.Deserialize<IpBlocked>(message, JsonOptions)!),
        _ => throw new InvalidDataException($"Invalid block row: the message type is '{messageType}', but must be {nameof(AccountBlocked)} or {nameof(IpBlocked)}."),
    };

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex TablePrefixPattern();

    /// <summary>
    /// Records an operator's lift of <paramref name="code"/> on <paramref name="subject"/> in one write transaction,
    /// once per <paramref name="eventId"/> for <paramref name="consumer"/>. Returns false for a redelivered lift.
    /// </summary>
    /// <param name="afterLift">Runs in the same transaction after the lift is recorded, for a detector's own state that depends on it.</param>
    public bool TryRecordLift(SqliteDatabase database, string consumer, Guid eventId, BlockSubject subject, string code, DateTimeOffset liftedAt, DateTimeOffset now, Action<SqliteConnection, SqliteTransaction>? afterLift = null)
    {
        using var connection = database.Open();
        using var transaction = SqliteDatabase.BeginWrite(connection);
        if (!ProcessedEvents.TryMark(connection, transaction, consumer, eventId, now))
        {
            return false;
        }

        RecordLift(connection, transaction, subject, code, liftedAt);
        afterLift?.Invoke(connection, transaction);
        transaction.Commit();
        return true;
    }

    /// <summary>
    /// A stored block, when it was made and when it was published (null while it is not). The block's message is
    /// parsed only when <see cref="Block"/> is read: most callers only learn that a block is active.
    /// </summary>
    public sealed class Entry
    {
        private readonly Func<DetectorBlock>? _parse;
        private DetectorBlock? _block;

        public Entry(DetectorBlock block, DateTimeOffset? publishedAt)
        {
            ArgumentNullException.ThrowIfNull(block);
            _block = block;
            BlockedAt = block.BlockedAt;
            PublishedAt = publishedAt;
        }

        /// <param name="parse">Reads the stored block; called once, on the first read of <see cref="Block"/>.</param>
        public Entry(Func<DetectorBlock> parse, DateTimeOffset blockedAt, DateTimeOffset? publishedAt)
        {
            ArgumentNullException.ThrowIfNull(parse);
            _parse = parse;
            BlockedAt = blockedAt;
            PublishedAt = publishedAt;
        }

        public DetectorBlock Block => _block ??= _parse!();

        public DateTimeOffset BlockedAt { get; }

        public DateTimeOffset? PublishedAt { get; }

        /// <summary>
        /// True when the block is still unpublished past <see cref="UnpublishedGracePeriod"/>, so its source event
        /// probably failed for good and the next event for the subject must publish it.
        /// </summary>
        public bool IsStale(DateTimeOffset now) => PublishedAt is null && BlockedAt < now - UnpublishedGracePeriod;
    }
}
