using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Relayguard.Operations;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Blocks;
using Relayguard.Operations.Mongo;
using Relayguard.Operations.Tokens;
using Relayguard.Operations.Warnings;
using Relayguard.Operations.Webhooks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>The stores of the operations service on one database, as the host registers them. <see cref="Outbox"/> is null on SQLite.</summary>
public sealed record OperationsStores(
    IBlockStore Blocks,
    IAllowlistStore Allowlist,
    ITokenStore Tokens,
    IAuditLog Audit,
    IWarningStore Warnings,
    IWebhookQueue Webhooks,
    MongoEventOutbox? Outbox)
{
    public static readonly OperationsOptions Options = new() { EvidenceRetention = "90d" };

    public static OperationsStores OnSqlite(SqliteDatabase database, TimeProvider time) => new(
        new SqliteBlockStore(database, time, new FixedOptionsMonitor<OperationsOptions>(Options), NullLogger<SqliteBlockStore>.Instance),
        new SqliteAllowlistStore(database, time, NullLogger<SqliteAllowlistStore>.Instance),
        new SqliteTokenStore(database, time, NullLogger<SqliteTokenStore>.Instance),
        new SqliteAuditLog(database),
        new SqliteWarningStore(database, time, NullLogger<SqliteWarningStore>.Instance),
        new SqliteWebhookQueue(database),
        null);

    public static OperationsStores OnMongo(IMongoDatabase mongo, TimeProvider time)
    {
        var database = new MongoOperationsDatabase(mongo);
        var outbox = new MongoEventOutbox(database, time);
        return new(
            new MongoBlockStore(database, outbox, time, new FixedOptionsMonitor<OperationsOptions>(Options), NullLogger<MongoBlockStore>.Instance),
            new MongoAllowlistStore(database, outbox, time, NullLogger<MongoAllowlistStore>.Instance),
            new MongoTokenStore(database, time, NullLogger<MongoTokenStore>.Instance),
            new MongoAuditLog(database),
            new MongoWarningStore(database, time, NullLogger<MongoWarningStore>.Instance),
            new MongoWebhookQueue(database, time),
            outbox);
    }

    /// <summary>Options that never change, for stores that read them through <see cref="IOptionsMonitor{TOptions}"/>.</summary>
    private sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
