using System.Net;
using System.Net.Http.Json;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tests;

/// <summary>A manual block of an account that the gateway's local account store does not have.</summary>
public sealed class UnknownAccountTests
{
    [Fact]
    public async Task Block_UnknownAccount_AcceptedWithWarning()
    {
        await using var host = await OperationsHost.StartAsync();
        CreateAccountsTable(host, "mallory");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "malory", reason = "abuse report 4711" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var warning = Assert.Single((await OperationsHost.ReadJsonAsync(response)).GetProperty("warnings").EnumerateArray()).GetString();
        Assert.StartsWith("No account named 'malory' is in the local account store.", warning, StringComparison.Ordinal);
        Assert.Contains("Dovecot", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mallory")]
    [InlineData("Mallory/127.0.0.5")]
    public async Task Block_KnownAccount_NoWarning(string subject)
    {
        await using var host = await OperationsHost.StartAsync();
        CreateAccountsTable(host, "mallory");

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject, reason = "abuse report 4711" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False((await OperationsHost.ReadJsonAsync(response)).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Block_NoLocalStore_NoWarning()
    {
        await using var host = await OperationsHost.StartAsync();

        using var response = await host.Operator.PostAsJsonAsync("/api/blocks", new { kind = "account", subject = "malory", reason = "abuse report 4711" });

        Assert.False((await OperationsHost.ReadJsonAsync(response)).TryGetProperty("warnings", out _));
    }

    /// <summary>Creates the gateway's account table, with the columns the gateway's AccountStore makes, and one account.</summary>
    private static void CreateAccountsTable(OperationsHost host, string account)
    {
        using var connection = host.Database.Open();
        SqliteDatabase.Execute(
            connection,
            """
            CREATE TABLE accounts (name TEXT PRIMARY KEY COLLATE NOCASE, password_hash BLOB NOT NULL, salt BLOB NOT NULL, iterations INTEGER NOT NULL, created_at INTEGER NOT NULL);
            INSERT INTO accounts VALUES ($name, x'00', x'00', 1, 0);
            """,
            null,
            ("$name", account));
    }
}
