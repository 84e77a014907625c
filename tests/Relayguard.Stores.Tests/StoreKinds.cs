namespace Relayguard.Stores.Tests;

/// <summary>
/// The store adapters every contract test runs against: SQLite always, MongoDB when <c>RELAYGUARD_TEST_MONGODB</c>
/// contains a connection string (no MongoDB server can be installed on the build machine).
/// </summary>
public static class StoreKinds
{
    public const string Sqlite = "sqlite";
    public const string MongoDb = "mongodb";
    public const string MongoVariable = "RELAYGUARD_TEST_MONGODB";

    public static TheoryData<string> All
    {
        get
        {
            var kinds = new TheoryData<string> { Sqlite };
            if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(MongoVariable)))
            {
                kinds.Add(MongoDb);
            }

            return kinds;
        }
    }
}
