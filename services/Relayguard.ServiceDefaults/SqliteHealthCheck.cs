using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Relayguard.ServiceDefaults;

/// <summary>Ready while the SQLite file can be opened and read.</summary>
public sealed class SqliteHealthCheck(SqliteDatabase database) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = database.Open();
            SqliteDatabase.Scalar(connection, "SELECT 1;");
            return Task.FromResult(HealthCheckResult.Healthy($"{database.Path} is readable."));
        }
        catch (Microsoft.Data.Sqlite.SqliteException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{database.Path} cannot be read: {ex.Message}"));
        }
    }
}
