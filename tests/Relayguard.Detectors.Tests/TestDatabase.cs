using Microsoft.Data.Sqlite;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

/// <summary>A SQLite file in a temporary folder of its own, deleted on dispose.</summary>
internal sealed class TestDatabase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "relayguard-detectors-" + Guid.NewGuid().ToString("N"));

    public TestDatabase()
    {
        Database = new SqliteDatabase(Path.Combine(_folder, "state.db"));
    }

    public SqliteDatabase Database { get; }

    /// <summary>Opens the same file again, as a restarted process would.</summary>
    public SqliteDatabase Reopen() => new(Database.Path);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
