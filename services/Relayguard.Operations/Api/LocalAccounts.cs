using Microsoft.Extensions.DependencyInjection;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Api;

/// <summary>
/// Looks an account up in the gateway's local account store, the <c>accounts</c> table, when this process shares
/// the gateway's SQLite file as the embedded mode does. Accounts that Dovecot manages are not in that table, so a
/// missing account is a reason to warn, never to refuse.
/// </summary>
internal static class LocalAccounts
{
    /// <summary>Returns whether the local store has the account, or null when this process has no local account store to ask.</summary>
    public static bool? Exists(IServiceProvider services, string account)
    {
        if (services.GetService<SqliteDatabase>() is not { } database)
        {
            return null;
        }

        using var connection = database.Open();
        if (SqliteDatabase.Scalar(connection, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'accounts';") is null)
        {
            return null;
        }

        // The table's name column is COLLATE NOCASE, as the gateway compares names at AUTH.
        return SqliteDatabase.Scalar(connection, "SELECT 1 FROM accounts WHERE name = $name;", null, ("$name", account)) is not null;
    }
}
