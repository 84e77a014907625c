using Microsoft.Extensions.Diagnostics.HealthChecks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Detectors.Tests;

/// <summary>The store check of <c>/health/ready</c>: a readable file, still at its path, with room for writes.</summary>
public sealed class SqliteHealthCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-health-").FullName;
    private readonly SqliteDatabase _database;

    public SqliteHealthCheckTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory, "relayguard.db"));
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Check_ReadableWithRoom_Healthy()
    {
        var result = await new SqliteHealthCheck(_database).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("MiB free", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_FileDeleted_UnhealthyNamingRestart()
    {
        using (var connection = _database.Open())
        {
            SqliteDatabase.Scalar(connection, "SELECT 1;");
        }

        File.Delete(_database.Path);
        File.Delete(_database.Path + "-wal");
        File.Delete(_database.Path + "-shm");
        var result = await new SqliteHealthCheck(_database).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("was deleted while the service runs", result.Description, StringComparison.Ordinal);
        Assert.Contains("Restart the service", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_LessFreeThanRequired_UnhealthyNamingFolder()
    {
        var check = new SqliteHealthCheck(_database) { MinFreeBytes = long.MaxValue };

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains(_directory, result.Description, StringComparison.Ordinal);
        Assert.Contains("Free space on that file system", result.Description, StringComparison.Ordinal);
    }
}
