using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// Ready while the SQLite file can be read, still exists at its path, and its folder has room for writes. Once the
/// folder is full, writes fail, and a file deleted while the service runs takes every later write with it.
/// </summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    /// <summary>Free space below which the store counts as full: SQLite needs room for new pages and its WAL.</summary>
    public const long DefaultMinFreeBytes = 1024 * 1024;

    /// <summary>The free space the check requires; a test raises it to see the full-disk result.</summary>
    public long MinFreeBytes { get; init; } = DefaultMinFreeBytes;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // Checked before opening a connection, which would create an empty file in its place.
        if (!File.Exists(database.Path))
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"{database.Path} was deleted while the service runs, and its writes go to the deleted file. Restart the service to start a new file."));
        }

        try
        {
            using var connection = database.Open();
            SqliteDatabase.Scalar(connection, "SELECT 1;");
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{database.Path} cannot be read: {ex.Message}"));
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(database.Path))!;
        long free;
        try
        {
            free = new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"{database.Path} is readable; the free space of {folder} is unknown ({ex.Message})."));
        }

        if (free < MinFreeBytes)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"{folder} has {free / 1024} KiB free, under {MinFreeBytes / 1024} KiB: writes to {database.Path} fail. Free space on that file system."));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"{database.Path} is readable, with {free / (1024 * 1024)} MiB free."));
    }
}
