namespace Relayguard.ServiceDefaults;

/// <summary>Where a detector keeps its state when it runs as its own process (configuration section <c>Store</c>).</summary>
public sealed class StoreOptions
{
    public const string SectionName = "Store";

    public const string SqliteKind = "sqlite";
    public const string MongoDbKind = "mongodb";

    /// <summary><c>sqlite</c> (one node; replicas on that node may share the file) or <c>mongodb</c>. Default <c>sqlite</c>.</summary>
    public string Kind { get; set; } = SqliteKind;

    /// <summary>The SQLite file. Default <c>relayguard.db</c> in the data folder (<c>Data:Directory</c>).</summary>
    public string? Sqlite { get; set; }

    /// <summary>The MongoDB connection string, for example <c>mongodb://mongo:27017</c>. Required with <c>mongodb</c>.</summary>
    public string? MongoDb { get; set; }

    /// <summary>The MongoDB database. Default <c>relayguard</c>.</summary>
    public string MongoDatabase { get; set; } = "relayguard";

    public bool UsesMongoDb => string.Equals(Kind, MongoDbKind, StringComparison.OrdinalIgnoreCase);
}
