using MimeKit;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>A failure notice waiting in <see cref="FailureNoticeQueue"/>: the sender it goes to and the notice itself.</summary>
public sealed record QueuedNotice(long Id, string MessageId, string Recipient, byte[] Content, DateTimeOffset CreatedAt, int Attempts);

/// <summary>
/// The failure notices the gateway owes senders, kept in the gateway's SQLite file until the upstream takes them.
/// A notice is the only word a sender gets of a recipient the upstream refused after the client had its 250, so a
/// notice the upstream defers, or one written just before the gateway stops, must not be lost.
/// <see cref="FailureNoticeSender"/> relays them.
/// </summary>
public sealed class FailureNoticeQueue
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _signal = new(0);

    public FailureNoticeQueue(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS gateway_notices (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                message_id TEXT NOT NULL,
                recipient TEXT NOT NULL,
                content BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                next_attempt_at INTEGER NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            );
            CREATE INDEX IF NOT EXISTS gateway_notices_due ON gateway_notices (next_attempt_at);
            """);
    }

    /// <summary>Notices written and not yet taken by the upstream.</summary>
    public long Pending
    {
        get
        {
            using var connection = _database.Open();
            return (long)(SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM gateway_notices;") ?? 0L);
        }
    }

    /// <summary>Writes a notice for <paramref name="messageId"/> to <paramref name="recipient"/>, due at once, and completes after the commit.</summary>
    public async Task EnqueueAsync(string messageId, string recipient, MimeMessage notice, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await notice.WriteToAsync(format, buffer, cancellationToken);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await _database.WriteAsync(connection => SqliteDatabase.Execute(
            connection,
            "INSERT INTO gateway_notices (message_id, recipient, content, created_at, next_attempt_at) VALUES ($m, $r, $c, $t, $t);",
            null,
            ("$m", messageId),
            ("$r", recipient),
            ("$c", buffer.ToArray()),
            ("$t", now)));
        _signal.Release();
    }

    /// <summary>The notices due at <paramref name="now"/>, oldest first.</summary>
    public IReadOnlyList<QueuedNotice> Due(DateTimeOffset now, int max)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            "SELECT id, message_id, recipient, content, created_at, attempts FROM gateway_notices WHERE next_attempt_at <= $now ORDER BY next_attempt_at, id LIMIT $max;",
            null,
            reader =>
            {
                var notices = new List<QueuedNotice>();
                while (reader.Read())
                {
                    notices.Add(new QueuedNotice(
                        reader.GetInt64(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        (byte[])reader.GetValue(3),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                        reader.GetInt32(5)));
                }

                return notices;
            },
            ("$now", now.ToUnixTimeMilliseconds()),
            ("$max", max));
    }

    /// <summary>When the next notice falls due, or null when none waits.</summary>
    public DateTimeOffset? NextDue()
    {
        using var connection = _database.Open();
        var value = SqliteDatabase.Scalar(connection, "SELECT MIN(next_attempt_at) FROM gateway_notices;");
        return value is long milliseconds ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
    }

    /// <summary>Removes a notice the upstream took, or one that will never go.</summary>
    public Task RemoveAsync(long id) =>
        _database.WriteAsync(connection => SqliteDatabase.Execute(connection, "DELETE FROM gateway_notices WHERE id = $id;", null, ("$id", id)));

    /// <summary>
    /// Claims a notice before it is sent, by moving its next attempt to <paramref name="retryAt"/>: if the write that
    /// removes it after the upstream took it fails, it is sent again only then, not at once and over and over.
    /// </summary>
    public Task ClaimAsync(long id, DateTimeOffset retryAt) =>
        _database.WriteAsync(connection => SqliteDatabase.Execute(
            connection,
            "UPDATE gateway_notices SET next_attempt_at = $next WHERE id = $id;",
            null,
            ("$id", id),
            ("$next", retryAt.ToUnixTimeMilliseconds())));

    /// <summary>Counts a failed attempt and sets when to try again.</summary>
    public Task DeferAsync(long id, DateTimeOffset nextAttempt, string error) =>
        _database.WriteAsync(connection => SqliteDatabase.Execute(
            connection,
            "UPDATE gateway_notices SET attempts = attempts + 1, next_attempt_at = $next, last_error = $error WHERE id = $id;",
            null,
            ("$id", id),
            ("$next", nextAttempt.ToUnixTimeMilliseconds()),
            ("$error", error)));

    /// <summary>Waits until a notice is written or the timeout passes, on the gateway's clock, so a test can move it on.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await _signal.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timeout passed.
        }
    }
}
