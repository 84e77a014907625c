using System.Net;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.ServiceDefaults;

namespace Relayguard.Benchmarks;

/// <summary>
/// A block cache loaded with many active blocks, written straight into its snapshot table in one transaction and
/// then loaded as the gateway loads it at start. Of every 10 blocks: 4 on accounts (CA1, names of about 28 characters),
/// 4 on IPv4 addresses (CA2), 1 on an IPv6 /64 prefix (CA2), and 1 on an account on a shared address (CA2).
/// Every 25th account also has a null-sender BO1 block. The addresses are keys in memory only; nothing is sent to them.
/// </summary>
public sealed class BlockFixture : IDisposable
{
    private readonly string _directory;

    private BlockFixture(string directory, BlockCache cache, int blocks)
    {
        _directory = directory;
        Cache = cache;
        Blocks = blocks;
    }

    public BlockCache Cache { get; }

    /// <summary>Blocks written, counting the extra BO1 blocks.</summary>
    public int Blocks { get; }

    public static BlockFixture Create(int subjects)
    {
        var directory = Directory.CreateTempSubdirectory("relayguard-bench-blocks-").FullName;
        var database = new SqliteDatabase(Path.Combine(directory, "gateway.db"));
        var snapshot = new BlockSnapshotStore(database, TimeProvider.System);
        var written = Fill(database, subjects);
        return new BlockFixture(directory, new BlockCache(snapshot, TimeProvider.System), written);
    }

    /// <summary>An account that the fixture blocked (CA1).</summary>
    public static string BlockedAccount(int i) => $"customer{i * 10:D7}@example{i % 1000:D3}.net";

    /// <summary>An IPv4 address that the fixture blocked (CA2).</summary>
    public static IPAddress BlockedIpv4(int i) => Ipv4(i * 10 + 4);

    public static IPAddress Ipv4(int i) => new(BitConverter.GetBytes((uint)(0x0B000000 + i)).Reverse().ToArray());

    public static IPAddress Ipv6(int i, int host) => IPAddress.Parse($"2001:db8:{(i >> 16) & 0xFFFF:x}:{i & 0xFFFF:x}::{host:x}");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private static int Fill(SqliteDatabase database, int subjects)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO gateway_blocks (kind, subject, code, scope, reason, blocked_at, expires_at, event_id)
            VALUES ($k, $s, $c, $sc, $r, $b, $e, $id);
            """;
        var kind = command.Parameters.Add("$k", Microsoft.Data.Sqlite.SqliteType.Text);
        var subject = command.Parameters.Add("$s", Microsoft.Data.Sqlite.SqliteType.Text);
        var code = command.Parameters.Add("$c", Microsoft.Data.Sqlite.SqliteType.Text);
        var scope = command.Parameters.Add("$sc", Microsoft.Data.Sqlite.SqliteType.Text);
        var reason = command.Parameters.Add("$r", Microsoft.Data.Sqlite.SqliteType.Text);
        var blockedAt = command.Parameters.Add("$b", Microsoft.Data.Sqlite.SqliteType.Integer);
        var expiresAt = command.Parameters.Add("$e", Microsoft.Data.Sqlite.SqliteType.Integer);
        var eventId = command.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
        command.Prepare();

        var now = DateTimeOffset.UtcNow;
        var written = 0;
        void Write(string k, string s, string c, string sc, string r, DateTimeOffset? expires)
        {
            kind.Value = k;
            subject.Value = s;
            code.Value = c;
            scope.Value = sc;
            reason.Value = r;
            blockedAt.Value = now.ToUnixTimeMilliseconds();
            expiresAt.Value = expires is null ? DBNull.Value : expires.Value.ToUnixTimeMilliseconds();
            eventId.Value = Guid.NewGuid().ToString();
            command.ExecuteNonQuery();
            written++;
        }

        var day = now.AddDays(1);
        for (var i = 0; i < subjects; i++)
        {
            var n = i / 10;
            switch (i % 10)
            {
                case 0 or 1 or 2 or 3:
                    var account = $"customer{i:D7}@example{n % 1000:D3}.net";
                    Write(BlockKinds.Account, account, RuleCodes.Ca1, BlockScopes.All, "too many messages to addresses that do not exist", null);
                    if (i % 250 == 0)
                    {
                        Write(BlockKinds.Account, account, RuleCodes.Bo1, BlockScopes.NullSender, "repeated bounce messages", day);
                    }

                    break;
                case 4 or 5 or 6 or 7:
                    Write(BlockKinds.Ip, Ipv4(i).ToString(), RuleCodes.Ca2, BlockScopes.All, "several messages scored as spam", day);
                    break;
                case 8:
                    Write(BlockKinds.Ip, $"{Ipv6(n, 0)}/64", RuleCodes.Ca2, BlockScopes.All, "several messages scored as spam", day);
                    break;
                default:
                    Write(BlockKinds.Account, $"shared{i:D7}@example.net/100.64.{(n >> 8) & 0xFF}.{n & 0xFF}", RuleCodes.Ca2, BlockScopes.All, "several messages scored as spam", day);
                    break;
            }
        }

        transaction.Commit();
        return written;
    }
}
