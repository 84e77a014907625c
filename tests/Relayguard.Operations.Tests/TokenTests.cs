using System.Text;
using Relayguard.Operations.Tokens;
using Relayguard.ServiceDefaults;

namespace Relayguard.Operations.Tests;

public sealed class TokenTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "relayguard-ops-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public void InitialToken_WritesFileOnce()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "relayguard.db"));

        var first = OperatorTokens.EnsureInitialToken(_directory, database);
        var token = File.ReadAllText(first!);
        var second = OperatorTokens.EnsureInitialToken(_directory, database);

        Assert.Equal(Path.Combine(_directory, "ops-token"), first);
        Assert.Null(second);
        Assert.Equal(token, File.ReadAllText(first!));
        Assert.StartsWith("rg_", token, StringComparison.Ordinal);
        Assert.Equal("admin", new SqliteTokenStore(database).Verify(token)?.Name);
        Assert.Equal(OperatorRoles.Operate, new SqliteTokenStore(database).Verify(token)?.Role);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first!));
        }
    }

    [Fact]
    public void InitialToken_StaleFile_Replaced()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "relayguard.db"));
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, "ops-token");
        File.WriteAllText(path, "rg_old");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        }

        OperatorTokens.EnsureInitialToken(_directory, database);

        Assert.NotNull(new SqliteTokenStore(database).Verify(File.ReadAllText(path)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Tokens_StoredHashed()
    {
        var databasePath = Path.Combine(_directory, "relayguard.db");
        var store = new SqliteTokenStore(new SqliteDatabase(databasePath));

        var token = store.Add("support", OperatorRoles.Read);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var plain = Encoding.UTF8.GetBytes(token);
        var secret = Encoding.UTF8.GetBytes(token[SqliteTokenStore.TokenPrefix.Length..]);
        foreach (var file in Directory.GetFiles(_directory, "relayguard.db*"))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(plain) < 0, $"{Path.GetFileName(file)} contains the token");
            Assert.True(bytes.AsSpan().IndexOf(secret) < 0, $"{Path.GetFileName(file)} contains the token without its prefix");
        }
    }

    [Fact]
    public void Tokens_StoredWithSaltedSlowHash()
    {
        var database = new SqliteDatabase(Path.Combine(_directory, "relayguard.db"));
        var store = new SqliteTokenStore(database);
        var token = store.Add("salted", "read");

        using var connection = database.Open();
        var stored = (byte[])SqliteDatabase.Scalar(connection, "SELECT token_hash FROM operator_tokens WHERE name = 'salted';")!;

        Assert.Equal(48, stored.Length);
        Assert.False(stored.AsSpan(16).SequenceEqual(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))));
        Assert.Equal("salted", store.Verify(token)?.Name);
        Assert.Null(store.Verify(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
    }

    [Fact]
    public void Verify_WrongToken_ReturnsNull()
    {
        var store = new SqliteTokenStore(new SqliteDatabase(Path.Combine(_directory, "relayguard.db")));
        var token = store.Add("support", OperatorRoles.Read);

        Assert.Null(store.Verify(token[..^1] + (token[^1] == 'A' ? 'B' : 'A')));
        Assert.Null(store.Verify(""));
        Assert.Null(store.Verify("rg_"));
        Assert.Equal("support", store.Verify($" {token}\n")?.Name);
    }

    [Fact]
    public void Remove_Token_StopsVerifying()
    {
        var store = new SqliteTokenStore(new SqliteDatabase(Path.Combine(_directory, "relayguard.db")));
        var token = store.Add("support", OperatorRoles.Operate);

        Assert.True(store.Remove("support"));
        Assert.False(store.Remove("support"));
        Assert.Null(store.Verify(token));
        Assert.Empty(store.List());
    }

    [Fact]
    public void Add_DuplicateName_Throws()
    {
        var store = new SqliteTokenStore(new SqliteDatabase(Path.Combine(_directory, "relayguard.db")));
        store.Add("support", OperatorRoles.Read);

        var error = Assert.Throws<InvalidOperationException>(() => store.Add("support", OperatorRoles.Operate));

        Assert.Contains("relayguard tokens remove support", error.Message, StringComparison.Ordinal);
        Assert.Equal(OperatorRoles.Read, Assert.Single(store.List()).Role);
    }

    [Theory]
    [InlineData("has space", "read", "name")]
    [InlineData("", "read", "name")]
    [InlineData("support", "admin", "role")]
    public void Add_Invalid_ThrowsNamingParameter(string name, string role, string parameter)
    {
        var store = new SqliteTokenStore(new SqliteDatabase(Path.Combine(_directory, "relayguard.db")));

        var error = Assert.Throws<ArgumentException>(() => store.Add(name, role));

        Assert.Equal(parameter, error.ParamName);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
