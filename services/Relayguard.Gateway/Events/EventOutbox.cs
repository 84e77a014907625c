using System.Diagnostics;
using System.Text.Json;
using Relayguard.Contracts;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Events;

/// <summary>
/// The gateway's durable outbox: each event is written to the local SQLite file before the client gets
/// its reply, and <see cref="OutboxDispatcher"/> publishes it in order, with its <c>EventId</c> as the
/// bus message id. A bus that is down delays events; it loses none.
/// </summary>
public sealed class EventOutbox
{
    private static readonly IReadOnlyDictionary<string, Type> KnownTypes = new[]
    {
        typeof(MessageSubmitted),
        typeof(DeliveryBounced),
        typeof(AccountBlocked),
        typeof(IpBlocked),
        typeof(AccountUnblocked),
        typeof(IpUnblocked),
        typeof(AuthThrottled),
        typeof(AccountLoggedInFromManyNetworks),
    }.ToDictionary(t => t.FullName!, StringComparer.Ordinal);

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _signal = new(0);

    public EventOutbox(SqliteDatabase database, TimeProvider time)
    {
        _database = database;
        _time = time;
        _database.EnsureSchema("""
            CREATE TABLE IF NOT EXISTS gateway_outbox (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                trace_parent TEXT
            );
            """);
        _database.EnsureColumn("gateway_outbox", "trace_parent", "TEXT");
    }

    /// <summary>Events written and not yet published.</summary>
    public long Pending
    {
        get
        {
            using var connection = _database.Open();
            return (long)(SqliteDatabase.Scalar(connection, "SELECT COUNT(*) FROM gateway_outbox;") ?? 0L);
        }
    }

    /// <summary>Writes an event durably before returning; prefer <see cref="EnqueueAsync"/>, which shares a commit with other writes.</summary>
    public void Enqueue<T>(T message, Guid eventId)
        where T : class
    {
        var (sql, parameters) = Insert(message, eventId);
        _database.Write(connection => SqliteDatabase.Execute(connection, sql, null, parameters));
        _signal.Release();
    }

    /// <summary>Writes an event durably, in one commit with the other writes waiting at the time, and completes after that commit.</summary>
    public async Task EnqueueAsync<T>(T message, Guid eventId)
        where T : class
    {
        var (sql, parameters) = Insert(message, eventId);
        await _database.WriteAsync(connection => SqliteDatabase.Execute(connection, sql, null, parameters));
        _signal.Release();
    }

    /// <summary>Reads the oldest unpublished events, in the order they were written.</summary>
    public IReadOnlyList<OutboxItem> Peek(int max)
    {
        using var connection = _database.Open();
        return SqliteDatabase.Query(
            connection,
            "SELECT sequence, event_id, type, payload, trace_parent FROM gateway_outbox ORDER BY sequence LIMIT $max;",
            null,
            reader =>
            {
                var items = new List<OutboxItem>();
                while (reader.Read())
                {
                    var type = KnownTypes[reader.GetString(2)];
                    var message = JsonSerializer.Deserialize(reader.GetString(3), type)!;
                    items.Add(new OutboxItem(reader.GetInt64(0), Guid.Parse(reader.GetString(1)), type, message, reader.IsDBNull(4) ? null : reader.GetString(4)));
                }

                return items;
            },
            ("$max", max));
    }

    public void Remove(long sequence) =>
        _database.Write(connection => SqliteDatabase.Execute(connection, "DELETE FROM gateway_outbox WHERE sequence = $s;", null, ("$s", sequence)));

    /// <summary>Removes every event up to and including <paramref name="sequence"/>: the published start of a <see cref="Peek"/>.</summary>
    public Task RemoveThroughAsync(long sequence) =>
        _database.WriteAsync(connection => SqliteDatabase.Execute(connection, "DELETE FROM gateway_outbox WHERE sequence <= $s;", null, ("$s", sequence)));

    private (string Sql, (string, object?)[] Parameters) Insert<T>(T message, Guid eventId)
        where T : class
    {
        var type = typeof(T).FullName!;
        if (!KnownTypes.ContainsKey(type))
        {
            throw new ArgumentException($"The event type {type} is not registered with the outbox.", nameof(message));
        }

        return (
            "INSERT OR IGNORE INTO gateway_outbox (event_id, type, payload, created_at, trace_parent) VALUES ($id, $type, $payload, $t, $trace);",
            [("$id", eventId.ToString()), ("$type", type), ("$payload", JsonSerializer.Serialize(message)), ("$t", _time.GetUtcNow().ToUnixTimeMilliseconds()), ("$trace", Activity.Current?.Id)]);
    }

    /// <summary>Waits until an event is written or the timeout passes.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
