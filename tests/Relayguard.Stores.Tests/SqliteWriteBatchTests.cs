using System.Diagnostics;
using Relayguard.ServiceDefaults;

namespace Relayguard.Stores.Tests;

/// <summary>Batched writes (<see cref="SqliteDatabase.WriteAsync{T}(Func{Microsoft.Data.Sqlite.SqliteConnection, T})"/>) run under their caller's context.</summary>
public sealed class SqliteWriteBatchTests : IDisposable
{
    private readonly StoreScope _scope = new(StoreKinds.Sqlite);

    public void Dispose() => _scope.Dispose();

    [Fact]
    public async Task ConcurrentWrites_EachStoreOwnTrace()
    {
        var database = _scope.Sqlite!;
        database.EnsureSchema("CREATE TABLE traces (writer TEXT PRIMARY KEY, trace_parent TEXT);");

        // The first write starts the writer loop. A loop that kept its starter's context would run every later write
        // under this activity.
        var (starter, started) = StartWrite(database, "starter");
        await started;
        var (first, firstWrite) = StartWrite(database, "first");
        var (second, secondWrite) = StartWrite(database, "second");
        var seen = await Task.WhenAll(firstWrite, secondWrite);

        Assert.Equal(first.Id, seen[0]);
        Assert.Equal(second.Id, seen[1]);
        Assert.Equal(first.Id, StoredTrace(database, "first"));
        Assert.Equal(second.Id, StoredTrace(database, "second"));
        Assert.Equal(starter.Id, StoredTrace(database, "starter"));
    }

    [Fact]
    public async Task WriteWithoutActivity_SeesNone()
    {
        var database = _scope.Sqlite!;
        database.EnsureSchema("CREATE TABLE traces (writer TEXT PRIMARY KEY, trace_parent TEXT);");
        var (_, started) = StartWrite(database, "starter");
        await started;

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            Assert.Null(await database.WriteAsync(_ => Activity.Current?.Id));
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    /// <summary>
    /// Enqueues a write inside a new root activity and stops the activity before the write runs, as a consumer's span
    /// may end first. The write stores and returns the id of Activity.Current inside it.
    /// </summary>
    private static (Activity Activity, Task<string?> Seen) StartWrite(SqliteDatabase database, string writer)
    {
        var previous = Activity.Current;
        Activity.Current = null;
        var activity = new Activity(writer).Start();
        try
        {
            var seen = database.WriteAsync(connection =>
            {
                var traceParent = Activity.Current?.Id;
                SqliteDatabase.Execute(connection, "INSERT INTO traces (writer, trace_parent) VALUES ($writer, $trace);", null, ("$writer", writer), ("$trace", traceParent));
                return traceParent;
            });
            return (activity, seen);
        }
        finally
        {
            activity.Stop();
            Activity.Current = previous;
        }
    }

    private static string? StoredTrace(SqliteDatabase database, string writer)
    {
        using var connection = database.Open();
        return (string?)SqliteDatabase.Scalar(connection, "SELECT trace_parent FROM traces WHERE writer = $writer;", null, ("$writer", writer));
    }
}
