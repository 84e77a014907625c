using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using MongoDB.Driver;
using Relayguard.Detectors.Bo1;
using Relayguard.Detectors.Ca1;
using Relayguard.Detectors.Ca2;
using Relayguard.Detectors.Rl1;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>A fresh store of one kind for one test: a SQLite file in a folder of its own, or a MongoDB database of its own; both removed on dispose.</summary>
public sealed class StoreScope : IDisposable
{
    private readonly string? _folder;
    private readonly IMongoClient? _client;
    private readonly string? _mongoDatabase;

    public StoreScope(string kind)
    {
        Kind = kind;
        if (kind == StoreKinds.MongoDb)
        {
            _client = new MongoClient(Environment.GetEnvironmentVariable(StoreKinds.MongoVariable));
            _mongoDatabase = "relayguard-contract-" + Guid.NewGuid().ToString("N")[..12];
            Mongo = _client.GetDatabase(_mongoDatabase);
        }
        else
        {
            _folder = Directory.CreateTempSubdirectory("relayguard-stores-").FullName;
            Sqlite = new SqliteDatabase(Path.Combine(_folder, "state.db"));
        }
    }

    public string Kind { get; }

    public SqliteDatabase? Sqlite { get; }

    public IMongoDatabase? Mongo { get; }

    public ICa1Store Ca1(Ca1Options options) => Mongo is not null ? new MongoCa1Store(Mongo, Options.Create(options)) : new SqliteCa1Store(Sqlite!);

    public ICa2Store Ca2(Ca2Options options) => Mongo is not null ? new MongoCa2Store(Mongo, Options.Create(options)) : new SqliteCa2Store(Sqlite!);

    public IRl1Store Rl1() => Mongo is not null ? new MongoRl1Store(Mongo) : new SqliteRl1Store(Sqlite!);

    public IBo1Store Bo1(Bo1Options options) => Mongo is not null ? new MongoBo1Store(Mongo, Options.Create(options)) : new SqliteBo1Store(Sqlite!);

    /// <summary>The stores of the operations service on this scope's database, with <paramref name="time"/> as their clock.</summary>
    public OperationsStores Operations(TimeProvider time) => Mongo is not null ? OperationsStores.OnMongo(Mongo, time) : OperationsStores.OnSqlite(Sqlite!, time);

    public void Dispose()
    {
        if (_client is not null)
        {
            _client.DropDatabase(_mongoDatabase);
        }

        if (_folder is not null)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
